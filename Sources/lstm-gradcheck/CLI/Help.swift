/// Help text in the conventional OVERVIEW / USAGE / OPTIONS layout.
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

    static func tool() -> String {
        let width = Commands.all.map(\.name.count).max() ?? 0
        var s = "OVERVIEW: \(overview)\n\n\(wrap(discussion, indent: 0))\n\n"
        s += "USAGE: lstm-gradcheck [<subcommand>] [<options>]\n\n"
        s += "OPTIONS:\n"
        s += option("--version", "Show the version.")
        s += option("-h, --help", "Show help information.")
        s += "\nSUBCOMMANDS:\n"
        for c in Commands.all {
            s += option(c.name + (c.name == "check" ? " (default)" : ""), c.abstract, column: width + 14)
        }
        s += "\n  See 'lstm-gradcheck help <subcommand>' for detailed help.\n"
        return s
    }

    static func command(_ c: Command) -> String {
        var s = "OVERVIEW: \(c.abstract)\n\n\(wrap(c.discussion, indent: 0))\n\n"
        s += "USAGE: \(c.usage)\n\nOPTIONS:\n"
        for spec in c.options {
            s += option("--\(spec.name)" + (spec.value.map { " <\($0)>" } ?? ""), spec.help)
        }
        s += option("-h, --help", "Show help information.")
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
    return text.components(separatedBy: "\n\n").map { paragraph in
        var lines: [String] = []
        var line = pad
        for word in paragraph.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if line.count > indent && line.count + 1 + word.count > width {
                lines.append(line)
                line = pad
            }
            line += (line.count > indent ? " " : "") + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }.joined(separator: "\n\n")
}
