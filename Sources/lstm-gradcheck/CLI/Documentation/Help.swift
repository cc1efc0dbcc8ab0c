/// Help text in the conventional OVERVIEW / USAGE / OPTIONS layout, from the commands' specs.
enum Help {
    static let version = "lstm-gradcheck 0.1.0"

    static let overview = "Settle, with numbers, whether a hand-written LSTM backward pass is right."

    static let discussion = """
        Runs the course notebook's per-timestep backward (coursera), a full backpropagation through \
        time (bptt) and the wrong variants people write (per-step: nothing carried back in time) on \
        the same network and data, and prints, per weight, how far each is from the exact gradient \
        (forward-mode derivatives), with the finite-difference gradient's own error beside them. \
        With no subcommand it runs 'check' on the built-in default network.
        """

    /// What every command's help ends with.
    static let helpLabel = "-h, --help"
    static let helpText = "Show help information."

    static func tool() -> String {
        let commands = CommandLineTool.commands
        let width = commands.map { $0.name.count }.max() ?? 0
        var s = "OVERVIEW: \(overview)\n\n\(wrap(discussion, indent: 0))\n\n"
        s += "USAGE: lstm-gradcheck [<subcommand>] [<options>]\n\n"
        s += "OPTIONS:\n"
        for spec in CommandLineTool.options { s += option(spec.label, spec.help) }
        s += option(helpLabel, helpText)
        s += "\nSUBCOMMANDS:\n"
        for c in commands {
            s += option(c.name + (c.name == CheckCommand.name ? " (default)" : ""), c.configuration.abstract, column: width + 14)
        }
        s += "\n  See 'lstm-gradcheck help <subcommand>' for detailed help.\n"
        return s
    }

    static func command(_ c: any Subcommand.Type) -> String {
        let configuration = c.configuration
        var s = "OVERVIEW: \(configuration.abstract)\n\n\(wrap(configuration.discussion, indent: 0))\n\n"
        s += "USAGE: \(configuration.usage)\n\nOPTIONS:\n"
        for spec in c.options { s += option(spec.label, spec.help) }
        s += option(helpLabel, helpText)
        return s
    }

    private static func option(_ label: String, _ help: String, column: Int = 26) -> String {
        let head = "  " + label
        let body = wrap(help, indent: column)
        if head.count < column {
            return head.padding(toLength: column, withPad: " ", startingAt: 0) + body.dropFirst(column) + "\n"
        }
        return head + "\n" + body + "\n"
    }
}

/// Greedy word wrap to `width` columns, every line indented by `indent` spaces;
/// paragraphs (blank-line separated) are kept.
func wrap(_ text: String, indent: Int, width: Int = 92) -> String {
    let pad = String(repeating: " ", count: indent)
    return paragraphs(text).map { paragraph in
        var lines: [String] = []
        var line = pad, length = indent   // length: line.count, kept as the words are added
        for word in paragraph.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let count = word.count
            if length > indent && length + 1 + count > width {
                lines.append(line)
                (line, length) = (pad, indent)
            }
            if length > indent {
                line += " "
                length += 1
            }
            line += word
            length += count
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }.joined(separator: "\n\n")
}

/// `text` cut at each blank line: at every "\n\n", taken from the left, each cut dropping the
/// two newlines (an empty paragraph where more follow).
private func paragraphs(_ text: String) -> [Substring] {
    var out: [Substring] = []
    var start = text.startIndex, from = text.startIndex
    while let newline = text[from...].firstIndex(of: "\n") {
        from = text.index(after: newline)
        guard from < text.endIndex, text[from] == "\n" else { continue }
        out.append(text[start..<newline])
        from = text.index(after: from)
        start = from
    }
    out.append(text[start...])
    return out
}
