/// A table of plain cells laid out in aligned columns. Colour is applied after
/// alignment, so escape codes never disturb the widths. `Tag` is the typed value a cell
/// shows (a verdict, an outcome), which the style colours by: never the cell's text.
struct Table<Tag> {
    enum Align { case left, right }

    var header: [String]
    var align: [Align]
    var rows: [[String]] = []
    /// The typed value behind each body cell, row by row beside `rows`; nil (or a short row) for none.
    var tags: [[Tag?]] = []
    /// Optional styling per body cell (row, column, its tag) → the text wrapped in escapes.
    var style: (_ row: Int, _ column: Int, _ tag: Tag?, _ text: String) -> String = { _, _, _, s in s }

    /// Appends a row and, when given, the typed values behind its cells.
    mutating func append(_ cells: [String], tags cellTags: [Tag?] = []) {
        while tags.count < rows.count { tags.append([]) }
        rows.append(cells)
        tags.append(cellTags)
    }

    private func tag(_ row: Int, _ column: Int) -> Tag? {
        row < tags.count && column < tags[row].count ? tags[row][column] : nil
    }

    func render(indent: Int = 0, separator: String = "  ") -> String {
        let columns = header.count
        var widths = header.map(\.count)
        for row in rows {
            for c in 0..<columns { widths[c] = max(widths[c], row[c].count) }
        }
        func line(_ cells: [String], _ r: Int?) -> String {
            var parts: [String] = []
            for c in 0..<columns {
                let text = cells[c]
                let pad = String(repeating: " ", count: widths[c] - text.count)
                let styled = r.map { style($0, c, tag($0, c), text) } ?? text
                parts.append(align[c] == .left ? styled + pad : pad + styled)
            }
            var s = String(repeating: " ", count: indent) + parts.joined(separator: separator)
            while s.last == " " { s.removeLast() }
            return s
        }
        return ([line(header, nil)] + rows.enumerated().map { line($0.element, $0.offset) }).joined(separator: "\n") + "\n"
    }
}

extension Table where Tag == Never {
    /// A table of plain text, nothing to colour by.
    init(header: [String], align: [Align]) {
        self.header = header
        self.align = align
    }
}

/// ANSI styling, or nothing when colour is off.
struct Style {
    var enabled: Bool

    func apply(_ code: String, _ s: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func bold(_ s: String) -> String { apply("1", s) }
    func dim(_ s: String) -> String { apply("2", s) }
    func green(_ s: String) -> String { apply("32", s) }
    func red(_ s: String) -> String { apply("31", s) }
    func yellow(_ s: String) -> String { apply("33", s) }
}
