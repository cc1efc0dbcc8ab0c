import Foundation
import Testing

/// The README's example outputs are what the tool prints now: each ```sh block of one
/// `lstm-gradcheck …` line followed by a ```json or ```xml block is run, and the block must be
/// its output — XML byte for byte; JSON as the same values (a `| jq '.a.b[0]'` after the command
/// selects part of the document, written as jq writes it).
@Suite struct ReadmeOutputTests {
    struct Example {
        var arguments: [String]
        /// jq's path, as keys and indices.
        var path: [String]
        var language: String
        var shown: String
    }

    static func examples() throws -> [Example] {
        let readme = try String(contentsOf: Tool.root.appendingPathComponent("README.md"), encoding: .utf8)
        // Each fenced block: its language, its body, and whether only blank lines part it from the one before.
        var blocks: [(language: String, body: String, follows: Bool)] = []
        var open: (language: String, body: String, follows: Bool)?
        var blankSinceLast = true
        var lastClosed = -2
        for (n, line) in readme.components(separatedBy: "\n").enumerated() {
            if var block = open {
                if line == "```" {
                    blocks.append(block)
                    open = nil
                    lastClosed = n
                    blankSinceLast = true
                } else {
                    block.body += line + "\n"
                    open = block
                }
            } else if line.hasPrefix("```") {
                open = (String(line.dropFirst(3)), "", blankSinceLast && lastClosed >= 0 && n - lastClosed <= 2)
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                blankSinceLast = false
            }
        }
        var examples: [Example] = []
        for (command, output) in zip(blocks, blocks.dropFirst()) where command.language == "sh" && output.follows && ["json", "xml"].contains(output.language) {
            let line = command.body.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!line.contains("\n"), "one command per example: \(line)")
            let parts = line.components(separatedBy: " | jq ")
            var words = parts[0].split(separator: " ").map(String.init)
            #expect(words.first == "lstm-gradcheck", "\(line)")
            words.removeFirst()
            let path = parts.count > 1 ? parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'"))
                .split(whereSeparator: { ".[]".contains($0) }).map(String.init) : []
            examples.append(Example(arguments: words, path: path, language: output.language, shown: output.body))
        }
        return examples
    }

    @Test func everyExampleOutputIsWhatTheToolPrints() throws {
        let examples = try Self.examples()
        // The JSON envelope, a check's tensor, the JUnit report.
        #expect(examples.count >= 3)
        for example in examples {
            let r = try Tool.run(example.arguments, environment: ["NO_COLOR": "1"])
            #expect(r.status == 0 && r.stderr.isEmpty, "\(example.arguments): \(r.stderr)")
            if example.language == "xml" {
                #expect(r.stdout == example.shown, "lstm-gradcheck \(example.arguments.joined(separator: " "))")
                continue
            }
            var value = try JSONNode.parse(r.stdout)
            for step in example.path {
                switch value {
                case .array(let items): value = Int(step).flatMap { items.indices.contains($0) ? items[$0] : nil } ?? .null
                default: value = value[step] ?? .null
                }
            }
            #expect(try JSONNode.parse(example.shown) == value, "lstm-gradcheck \(example.arguments.joined(separator: " ")) \(example.path)")
        }
    }
}
