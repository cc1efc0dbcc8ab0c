import Foundation
import Testing

/// Every JSON the tool writes validates against its schema in docs/schemas: the report of every
/// reporting command and mode, the fixture and gradient files, the shard parts, the notebook's
/// report. Validated by the test target's own validator (`JSONSchemaValidator`), and again by
/// Python's `jsonschema` where python3 has it.
@Suite struct SchemaTests {
    static let schemas = Tool.root.appendingPathComponent("docs/schemas")
    static let small = ["--n-x", "2", "--n-a", "3", "--steps", "4", "--batch", "3"]

    /// One document the tool printed, and the schema it must follow.
    struct Output: Sendable {
        var command: String
        var schema: String
        var text: String
        var status: Int32
    }

    /// Why the runs could not be made.
    struct RunFailure: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The representative runs, made once for both validators.
    static let outputs: Result<[Output], RunFailure> = Result { try run() }.mapError { RunFailure(description: "\($0)") }

    private static func run() throws -> [Output] {
        var outputs: [Output] = []
        func record(_ arguments: [String], _ schema: String) throws -> String {
            let r = try Tool.run(arguments, environment: ["NO_COLOR": "1"])
            #expect(r.stderr.isEmpty, "\(arguments): \(r.stderr)")
            outputs.append(Output(command: arguments.joined(separator: " "), schema: schema, text: r.stdout, status: r.status))
            return r.stdout
        }
        let fixtures = Tool.root.appendingPathComponent("Fixtures").path
        let reports: [[String]] = [
            ["check"] + small,
            ["check", "--cell", "rnn"] + small,
            ["check", "--cell", "gru"] + small,
            ["check", "--methods", "all"] + small,
            ["check", "--reference", "numerical"] + small,
            ["check", "--precision", "float32", "--fd", "richardson"] + small,
            ["check", "--tolerance", "1e-20"] + small,
            ["check", "--fd", "none"] + small,
            ["check", "--sample", "5"] + small,
            ["check", "--sample", "5", "--methods", "all"] + small,
            ["check", "--projection"] + small,
            ["check", "--projection", "--methods", "all"] + small,
            ["check", "--fixture", "\(fixtures)/default.json", "--fixture", "\(fixtures)/rnn-default.json"],
            ["check", "--fixture", "\(fixtures)/saturated-extreme.json", "--reference", "numerical"],
            ["check", "--reference", "numerical", "--budget", "1ms"] + RunControlTests.small,
            ["explain"] + small,
            ["explain", "--cell", "rnn"] + small,
            ["explain", "--flow"] + small,
            ["explain", "--flow", "--compare"] + small,
            ["explain", "--flow", "--compare", "--cell", "gru"] + small,
            ["truncation"] + small,
        ]
        for arguments in reports { _ = try record(arguments + ["--format", "json"], "report") }

        // verify, right and wrong, one fixture and two; the files made as VerifyTests makes them.
        let fixture = try Tool.temporaryFile("schema-fixture.json", try record(["fixture"] + small, "fixture"))
        let right = try Tool.temporaryFile("schema-right.json", try record(["grads", "--fixture", fixture, "--method", "bptt"], "gradients"))
        let wrong = try Tool.temporaryFile("schema-wrong.json", try record(["grads", "--fixture", fixture, "--method", "per-step"], "gradients"))
        for grads in [[right], [wrong], [right, wrong]] {
            let pairs = grads.flatMap { ["--fixture", fixture, "--grads", $0] }
            _ = try record(["verify"] + pairs + ["--format", "json"], "report")
        }
        _ = try record(["verify", "--fixture", fixture, "--grads", wrong, "--keys", "dWf,dbf", "--format", "json"], "report")

        // The other files the tool writes.
        for extra in [["--cell", "rnn"], ["--cell", "gru"], ["--layout", "cs231n"], ["--layout", "pytorch"], ["--layout", "keras"]] {
            _ = try record(["fixture"] + small + extra, "fixture")
        }
        _ = try record(["grads", "--cell", "gru", "--method", "per-step"] + small, "gradients")
        _ = try record(["check", "--shard", "2/3"] + small, "shard-part")
        _ = try record(["grads", "--method", "numerical", "--shard", "1/2"] + small, "shard-part")
        _ = try record(["grads", "--method", "numerical", "--shard", "1/2", "--layout", "pytorch", "--batch-first"] + small, "shard-part")
        for test in ["cell", "backward"] { _ = try record(["notebook", test, "--format", "json"], "report") }
        return outputs
    }

    static func validator(_ name: String) throws -> JSONSchemaValidator {
        try JSONSchemaValidator(schemaFile: schemas.appendingPathComponent("\(name).schema.json"))
    }

    @Test func everyOutputFollowsItsSchema() throws {
        let outputs = try Self.outputs.get()
        #expect(Set(outputs.map(\.schema)) == ["report", "fixture", "gradients", "shard-part"])
        for output in outputs {
            let document = try JSONNode.parse(output.text)
            #expect(try Self.validator(output.schema).errors(document) == [], "lstm-gradcheck \(output.command)")
            // A check's part carries its network as a fixture file.
            if let network = document["extra"]?["fixture"] {
                #expect(try Self.validator("fixture").errors(network) == [], "lstm-gradcheck \(output.command): extra.fixture")
            }
        }
    }

    /// A report says the exit status it implies, and it is the status the run exits with.
    @Test func aReportStatesTheExitStatusOfItsRun() throws {
        let reports = try Self.outputs.get().filter { $0.schema == "report" }
        for output in reports {
            #expect(try JSONNode.parse(output.text)["exit_status"] == .number(Double(output.status)), "lstm-gradcheck \(output.command)")
        }
        // Every status a report can have was seen.
        #expect(Set(reports.map(\.status)) == [0, 1, 3])
    }

    /// Each committed fixture file is what the fixture schema describes.
    @Test func theCommittedFixturesFollowTheFixtureSchema() throws {
        let validator = try Self.validator("fixture")
        let folders = ["Fixtures", "Fixtures/layouts"].map { Tool.root.appendingPathComponent($0) }
        let files = try folders.flatMap { folder in
            try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "json" }
        }
        #expect(files.count >= 20)
        for file in files { #expect(validator.errors(try JSONNode.read(file)) == [], "\(file.lastPathComponent)") }
    }

    /// The report schema is precise: a real report with one thing wrong is refused.
    @Test(arguments: [
        ("exit_status", nil, "the required property \"exit_status\" is missing"),
        ("status", "\"ok\"", "\"ok\" is not one of"),
        ("exit_status", "2", "2 is not one of"),
        ("schema", "\"lstm-gradcheck/report/1\"", "is not \"lstm-gradcheck/report/2\""),
        ("verbose", "true", "the property \"verbose\" is not allowed"),
        ("fixtures", "[]", "0 items, fewer than 1"),
    ] as [(String, String?, String)])
    func theReportSchemaRefusesABrokenEnvelope(_ key: String, _ value: String?, _ message: String) throws {
        // A quick report: the envelope is the same for every command.
        let report = try Tool.run(["explain", "--flow", "--format", "json"] + Self.small)
        guard case .object(var members) = try JSONNode.parse(report.stdout) else { Issue.record("not an object"); return }
        members[key] = try value.map(JSONNode.parse)
        let errors = try Self.validator("report").errors(.object(members))
        #expect(errors.contains { $0.contains(message) }, "\(errors)")
    }

    /// A fixture entry in today's shape with yesterday's `fixture` (a bare name, as verify had it) is refused.
    @Test func theReportSchemaRefusesAFixtureThatIsNotTheFixtureObject() throws {
        let report = try Tool.run(["explain", "--flow", "--format", "json"] + Self.small)
        let broken = report.stdout.replacingOccurrences(of: #""fixture": {"#, with: #""fixture": "generated", "was": {"#)
        #expect(broken != report.stdout)
        #expect(try !Self.validator("report").errors(JSONNode.parse(broken)).isEmpty)
    }

    /// python3's `jsonschema` (Draft 2020-12) agrees, where it is installed.
    @Test(.enabled(if: python(importing: "jsonschema"), "needs python3 with jsonschema"))
    func pythonsJsonschemaAgrees() throws {
        let outputs = try Self.outputs.get()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-schemas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var pairs: [String] = []
        for (k, output) in outputs.enumerated() {
            let file = dir.appendingPathComponent("\(k).json")
            try Data(output.text.utf8).write(to: file)
            pairs += [Self.schemas.appendingPathComponent("\(output.schema).schema.json").path, file.path]
        }
        let script = """
            import json, sys, jsonschema
            args = sys.argv[1:]
            bad = 0
            for schema_path, doc_path in zip(args[0::2], args[1::2]):
                schema = json.load(open(schema_path))
                jsonschema.Draft202012Validator.check_schema(schema)
                for e in jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(doc_path))):
                    bad += 1
                    print(doc_path, e.message[:300])
            print("checked", len(args) // 2)
            sys.exit(1 if bad else 0)
            """
        let r = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script] + pairs)
        #expect(r.status == 0 && r.stdout.hasSuffix("checked \(outputs.count)\n"), "\(r.stdout)\(r.stderr)")
    }

    /// Whether `python3 -c "import MODULE"` works here.
    static func python(importing module: String) -> Bool {
        (try? Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", "import \(module)"]).status) == 0
    }
}
