import Foundation
import LSTMGradCheck

/// `--fixture` values made into fixtures: a file, a folder (every `*.json` in it, sorted by
/// name) or `-` (standard input).
enum FixtureFiles {
    static let standardInput = "-"
    /// How errors name standard input.
    static let standardInputSource = "standard input"

    /// A fixture as read, with where it came from.
    struct Loaded: Sendable {
        /// How errors about it name it: its file, or its name.
        var label: String { path ?? fixture.name }

        var fixture: Fixture
        /// The file it was read from; nil for a generated network or standard input.
        var path: String?
        /// Which `--fixture` value it came from (0 for the first).
        var argument: Int
        /// Whether that value was a folder.
        var inFolder: Bool
    }

    /// `--fixture` values as given: standard input can be read once.
    static func check(_ arguments: [String], command: String?) throws(UsageError) {
        if arguments.filter({ $0 == standardInput }).count > 1 {
            throw UsageError(.standardInputTwice, command: command)
        }
    }

    /// Every fixture `arguments` name, in order, each read and validated.
    static func load(_ arguments: [String], limits: Limits, layout: Layout? = nil) throws -> [Loaded] {
        var loaded: [Loaded] = []
        for (k, argument) in arguments.enumerated() {
            if argument == standardInput {
                loaded.append(Loaded(fixture: try readStandardInput(limits: limits, layout: layout), path: nil, argument: k, inFolder: false))
            } else if isFolder(argument) {
                for path in try jsonFiles(in: argument) {
                    loaded.append(Loaded(fixture: try FixtureFile.read(path, limits: limits, layout: layout), path: path, argument: k, inFolder: true))
                }
            } else {
                loaded.append(Loaded(fixture: try FixtureFile.read(argument, limits: limits, layout: layout), path: argument, argument: k, inFolder: false))
            }
        }
        for f in loaded { announceLayout(f.fixture, source: f.path ?? standardInputSource) }
        return distinguished(loaded)
    }

    /// `loaded` with every name that more than one of them has followed by where each came
    /// from (`generated (runs/f12.json)`), so that summaries, JUnit suites and JSON entries
    /// tell them apart.
    static func distinguished(_ loaded: [Loaded]) -> [Loaded] {
        let counts = Dictionary(loaded.map { ($0.fixture.name, 1) }, uniquingKeysWith: +)
        return loaded.map { f in
            guard counts[f.fixture.name, default: 0] > 1 else { return f }
            var named = f
            named.fixture.name += " (\(f.path ?? standardInputSource))"
            return named
        }
    }

    /// One line on standard error for a fixture whose layout was told by its keys: a reader of
    /// the report should know which names the file was taken in.
    static func announceLayout(_ fixture: Fixture, source: String) {
        guard let keys = fixture.layoutDetectedFrom else { return }
        let line = "lstm-gradcheck: \(source): no \"layout\" key; read in the \(fixture.layout.rawValue) layout, whose keys it has (\(keys.joined(separator: ", "))); --layout chooses another\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// One fixture: a file or `-` (a folder is refused as the file it is not).
    static func readOne(_ argument: String, limits: Limits, layout: Layout? = nil) throws(InputError) -> Fixture {
        let fixture = argument == standardInput ? try readStandardInput(limits: limits, layout: layout)
            : try FixtureFile.read(argument, limits: limits, layout: layout)
        announceLayout(fixture, source: argument == standardInput ? standardInputSource : argument)
        return fixture
    }

    static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The `*.json` files of `folder` (not hidden ones), sorted by name.
    static func jsonFiles(in folder: String) throws(InputError) -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw InputError(source: folder, expected: "a readable folder", found: "it cannot be listed")
        }
        let fixtures = names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
        guard !fixtures.isEmpty else {
            throw InputError(source: folder, expected: "a fixture file, or a folder holding .json fixtures", found: "a folder with none")
        }
        return fixtures.map { (folder as NSString).appendingPathComponent($0) }
    }

    /// The fixture on standard input, held to the same limits as a file.
    static func readStandardInput(limits: Limits, layout: Layout? = nil) throws(InputError) -> Fixture {
        let source = standardInputSource
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw InputError(source: source, expected: "a readable stream", found: "a read error") }
            if n == 0 { break }
            bytes += chunk[0..<n]
            guard bytes.count <= limits.maxFileBytes else {
                throw InputError(source: source, expected: "at most \(byteCount(limits.maxFileBytes)) (raise --max-memory)", found: "more")
            }
        }
        guard !bytes.isEmpty else { throw InputError(source: source, expected: "a JSON document", found: "nothing") }
        let json: JSONValue
        do {
            json = try JSON.parse(bytes)
        } catch {
            throw InputError(error, source: source)
        }
        return try FixtureFile.decode(json, source: source, defaultName: "stdin", layout: layout)
    }
}
