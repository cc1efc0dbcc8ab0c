import Foundation
import Testing

/// Hostile inputs through the built binary: each gets exactly one line on standard error,
/// status 2, and nothing on standard output that a script could mistake for a result.
@Suite struct HostileInputTests {
    static let hostile = Tool.root.appendingPathComponent("Tests/EndToEndTests/Vectors/hostile")
    static let fixture = Tool.root.appendingPathComponent("Fixtures/default.json").path

    private func refused(_ arguments: [String], _ line: String) throws {
        let r = try Tool.run(arguments)
        #expect(r.status == 2, "\(arguments)")
        #expect(r.stdout.isEmpty, "\(arguments)")
        #expect(r.stderr == "lstm-gradcheck: error: " + line + "\n")
    }

    @Test func emptyAndDeeplyNestedAndNonNumbers() throws {
        let empty = try Tool.temporaryFile("h-empty.json", "")
        try refused(["check", "--fixture", empty], "\(empty): expected a JSON document, found an empty file")
        let deep = try Tool.temporaryFile("h-deep.json", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))
        try refused(["check", "--fixture", deep], "\(deep): line 1, column 513 (in \(String(repeating: "[0]", count: 16))…): expected arrays and objects nested at most 512 levels deep, found deeper nesting")
        // A number JSON has no place for is named by its key, as Python's json.dump writes it.
        let big = try Tool.temporaryFile("h-1e400.json", #"{"x": [[[1e400]]]}"#)
        try refused(["check", "--fixture", big], "\(big): x[0][0][0]: expected finite numbers, found 1e400, beyond Double's range (line 1, column 10)")
        let nan = try Tool.temporaryFile("h-nan.json", #"{"x": [[[NaN]]]}"#)
        try refused(["check", "--fixture", nan], "\(nan): x[0][0][0]: expected finite numbers, found NaN (line 1, column 10)")
        let infinity = try Tool.temporaryFile("h-inf.json", #"{"x": [[[Infinity]]]}"#)
        try refused(["check", "--fixture", infinity], "\(infinity): x[0][0][0]: expected finite numbers, found Infinity (line 1, column 10)")
        let negative = try Tool.temporaryFile("h-ninf.json", #"{"parameters": {"Wf": [[0.5, 1], [2, -Infinity]]}}"#)
        try refused(["check", "--fixture", negative], "\(negative): parameters.Wf[1][1]: expected finite numbers, found -Infinity (line 1, column 38)")
    }

    @Test func aNonFiniteGradientInJSONIsNamedByItsKey() throws {
        // Python's json.dump writes NaN and Infinity; each is refused at its own element.
        let grads = try Tool.run(["grads", "--fixture", Self.fixture]).stdout
        let dbf = try #require(grads.range(of: "\"dbf\": ["))
        let rows = grads[dbf.upperBound...].components(separatedBy: "\n")
        #expect(rows[2].trimmingCharacters(in: .whitespaces).hasPrefix("["))
        for (written, found) in [("NaN", "NaN"), ("-Infinity", "-Infinity"), ("-1e400", "-1e400, beyond Double's range")] {
            // The second row of dbf (n_a × 1) is written `[number],`.
            let edited = grads[..<dbf.upperBound] + ([rows[0], rows[1], "    [\(written)],"] + rows[3...]).joined(separator: "\n")
            let path = try Tool.temporaryFile("h-grads-nonfinite.json", String(edited))
            let r = try Tool.run(["verify", "--fixture", Self.fixture, "--grads", path])
            #expect(r.status == 2 && r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("lstm-gradcheck: error: \(path): dbf[1][0]: expected finite numbers, found \(found) (line "), "\(r.stderr)")
            #expect(r.stderr.filter { $0 == "\n" }.count == 1)
        }
    }

    @Test func negativeZeroIsANumberLikeAnyOther() throws {
        // -0 is valid JSON and a finite number: a file holding it is read, not refused.
        let grads = try Tool.run(["grads", "--fixture", Self.fixture])
        let path = try Tool.temporaryFile("h-negzero.json", grads.stdout.replacingOccurrences(of: "\"dby\"", with: "\"zero\": -0, \"dby\""))
        let r = try Tool.run(["verify", "--fixture", Self.fixture, "--grads", path, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try ReportJSON.entry(r.stdout)
        #expect(json["ignored_keys"] as? [String] == ["zero"])
    }

    @Test func aDirectoryAndAFileThatCannotBeRead() throws {
        // (check reads a folder as the fixtures in it: ManyFixturesTests.)
        try refused(["grads", "--fixture", "/tmp"], "/tmp: expected a file, found a directory")
        // Root reads any file whatever its mode, so the unreadable case only exists for others.
        guard getuid() != 0 else { return }
        let path = try Tool.temporaryFile("h-locked.json", "{}")
        chmod(path, 0)
        try refused(["check", "--fixture", path], "\(path): expected a readable file, found permission denied or a read error")
    }

    @Test func hugeClaimsAreRefusedBeforeAllocating() throws {
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000, 100000000000), }"
        var text = header + String(repeating: " ", count: 64 - (10 + header.count + 1) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(text.utf8.count & 0xFF), UInt8(text.utf8.count >> 8)]
        bytes += Array(text.utf8)
        text = ""
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("h-huge-\(getpid()).npy").path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        try refused(["verify", "--fixture", Self.fixture, "--grads", path, "--max-memory", "1G"],
                    "\(path): expected at most 16777216 elements, found shape (100000000000, 100000000000)")
        try refused(["check", "--n-a", "4096", "--steps", "100000", "--max-memory", "1G"],
                    "command line: sizes: expected at most 1 GiB of working memory (raise --max-memory), found n_x 3, n_a 4096, n_y 2, T_x 100000, m 10 need about 825 GiB")
    }

    @Test func archivesThatLieOrExplode() throws {
        let lying = Self.hostile.appendingPathComponent("lying.npz").path
        try refused(["verify", "--fixture", Self.fixture, "--grads", lying],
                    "\(lying): dWf.npy: expected sizes and CRC-32 in the local file header matching the central directory, found different ones")
        let bomb = Self.hostile.appendingPathComponent("bomb.npz").path
        try refused(["verify", "--fixture", Self.fixture, "--grads", bomb, "--max-memory", "64M"],
                    "\(bomb): dWf.npy: expected at most 1048576 bytes of arrays in the archive once decompressed, found more")
    }

    @Test func aTwoHundredMegabyteFixtureIsRefusedWithoutBeingRead() throws {
        // Sparse: the size is checked before a byte is read, so the test costs no disk.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("h-200mb-\(getpid()).json").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 200 << 20)
        try handle.close()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try refused(["check", "--fixture", path, "--max-memory", "8G"],
                    "\(path): expected a file of at most 128 MiB (raise --max-memory), found 200 MiB")
    }
}
