import Foundation
import Testing

/// The README's outputs are the tool's: every fenced block after a line
/// `<!-- output: lstm-gradcheck ARGS -->` is what that command prints, line for line, where a line `...` stands for any
/// run of lines the README leaves out. So no figure, key or sentence it shows can drift.
@Suite struct ReadmeTests {
    struct Shown: Sendable, CustomStringConvertible {
        var arguments: [String]
        var lines: [String]
        var line: Int
        var description: String { "README.md:\(line): lstm-gradcheck \(arguments.joined(separator: " "))" }
    }

    static let marker = "<!-- output: lstm-gradcheck"

    static let shown: [Shown] = {
        guard let text = try? String(contentsOf: Tool.root.appendingPathComponent("README.md"), encoding: .utf8) else { return [] }
        let lines = text.components(separatedBy: "\n")
        var found: [Shown] = []
        for (k, line) in lines.enumerated() where line.hasPrefix(marker) && line.hasSuffix(" -->") {
            let arguments = line.dropFirst(marker.count).dropLast(4).split(separator: " ").map(String.init)
            guard k + 1 < lines.count, lines[k + 1].hasPrefix("```"),
                  let end = lines[(k + 2)...].firstIndex(where: { $0.hasPrefix("```") }) else { continue }
            found.append(Shown(arguments: arguments, lines: Array(lines[(k + 2)..<end]), line: k + 1))
        }
        return found
    }()

    @Test func theReadmeMarksItsOutputs() {
        // The default check's table at least; a marker whose block went missing is caught here.
        #expect(Self.shown.contains { $0.arguments.isEmpty })
        let text = (try? String(contentsOf: Tool.root.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""
        #expect(text.components(separatedBy: Self.marker).count - 1 == Self.shown.count)
    }

    @Test(arguments: shown)
    func anOutputInTheReadmeIsTheToolsOutput(_ shown: Shown) throws {
        let r = try Tool.run(shown.arguments, environment: ["NO_COLOR": "1"])
        var printed = r.stdout.components(separatedBy: "\n")
        if printed.last == "" { printed.removeLast() }
        #expect(Self.matches(shown.lines[...], printed[...]), "\(shown) printed:\n\(r.stdout)")
    }

    /// Whether `printed` is `shown` with each `...` line standing for zero or more lines.
    static func matches(_ shown: ArraySlice<String>, _ printed: ArraySlice<String>) -> Bool {
        guard let first = shown.first else { return printed.isEmpty }
        if first == "..." {
            return (printed.startIndex...printed.endIndex).contains { matches(shown.dropFirst(), printed[$0...]) }
        }
        return printed.first == first && matches(shown.dropFirst(), printed.dropFirst())
    }

    @Test func theWildcardMatchesRunsOfLinesOnly() {
        #expect(Self.matches(["a", "...", "d"], ["a", "b", "c", "d"]))
        #expect(Self.matches(["a", "...", "d"], ["a", "d"]))
        #expect(!Self.matches(["a", "...", "d"], ["a", "b", "c"]))
        #expect(!Self.matches(["a", "b"], ["a", "b", "c"]))
        #expect(!Self.matches(["a", "x", "...", "d"], ["a", "b", "d"]))
    }
}
