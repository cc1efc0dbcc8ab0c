/// A table of plain cells laid out in aligned columns. Colour is applied after
/// alignment, so escape codes never disturb the widths.
struct Table {
    enum Align { case left, right }

    var header: [String]
    var align: [Align]
    var rows: [[String]] = []
    /// Optional styling per cell (row, column) → the text wrapped in escapes.
    var style: (Int, Int, String) -> String = { _, _, s in s }

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
                let styled = r.map { style($0, c, text) } ?? text
                parts.append(align[c] == .left ? styled + pad : pad + styled)
            }
            var s = String(repeating: " ", count: indent) + parts.joined(separator: separator)
            while s.last == " " { s.removeLast() }
            return s
        }
        return ([line(header, nil)] + rows.enumerated().map { line($0.element, $0.offset) }).joined(separator: "\n") + "\n"
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
