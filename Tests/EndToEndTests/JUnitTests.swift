import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `--format junit` through the built binary: parsed back with `XMLParser` and held to what the
/// JUnit schema CI systems accept (JUnitSchema/junit-10.xsd, Jenkins' xUnit plugin's) requires,
/// its counts to its cases, its figures to the JSON report's, its exit status to the text run's;
/// and validated against that XSD itself where python3 has lxml or xmlschema.
@Suite struct JUnitTests {
    static let small = ["--n-x", "2", "--n-a", "3", "--steps", "4", "--batch", "3"]

    /// An element of the parsed document.
    final class Element {
        let name: String
        let attributes: [String: String]
        var children: [Element] = []
        var text = ""

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }

        func all(_ name: String) -> [Element] { children.filter { $0.name == name } }

        func int(_ attribute: String) -> Int? { attributes[attribute].flatMap(Int.init) }
    }

    /// Builds the element tree; records the first parse error.
    final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var root: Element?
        var error: Error?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let element = Element(name: name, attributes: attributes)
            stack.last?.children.append(element)
            if stack.isEmpty { root = element }
            stack.append(element)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) {
            error = error ?? parseError
        }
    }

    static func parse(_ xml: String) throws -> Element {
        let parser = XMLParser(data: Data(xml.utf8))
        let builder = TreeBuilder()
        parser.delegate = builder
        let ok = parser.parse()
        #expect(ok && builder.error == nil, "not well-formed XML: \(String(describing: builder.error ?? parser.parserError))")
        return try #require(builder.root)
    }

    /// The attributes junit-10.xsd allows on each element, and those it requires.
    static let allowed: [String: Set<String>] = [
        "testsuites": ["name", "time", "tests", "failures", "errors"],
        "testsuite": ["name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"],
        "testcase": ["name", "time", "classname", "group"],
        "failure": ["type", "message"], "error": ["type", "message"], "skipped": ["type", "message"],
        "system-out": [], "system-err": [], "properties": [], "property": ["name", "value"],
    ]
    static let required: [String: Set<String>] = ["testsuite": ["name", "tests", "failures", "errors"], "testcase": ["name"], "property": ["name", "value"]]
    /// junit-10.xsd's SUREFIRE_TIME.
    static let timePattern = #"^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$"#

    /// The structure the schema requires, and counts that agree with the cases; returns the root.
    @discardableResult
    static func checkStructure(_ xml: String) throws -> Element {
        let root = try parse(xml)
        #expect(root.name == "testsuites")
        func visit(_ e: Element) {
            if let allowed = allowed[e.name] {
                #expect(Set(e.attributes.keys).isSubset(of: allowed), "<\(e.name)> \(e.attributes.keys.sorted())")
            } else {
                Issue.record("<\(e.name)> is not an element of the JUnit schema")
            }
            #expect(required[e.name, default: []].isSubset(of: Set(e.attributes.keys)), "<\(e.name)> lacks \(required[e.name, default: []])")
            if let time = e.attributes["time"] { #expect(time.range(of: timePattern, options: .regularExpression) != nil, "time=\(time)") }
            e.children.forEach(visit)
        }
        visit(root)
        #expect(root.children.allSatisfy { $0.name == "testsuite" })
        for suite in root.all("testsuite") {
            #expect(suite.children.allSatisfy { ["testcase", "system-out", "system-err", "properties", "testsuite"].contains($0.name) })
            let cases = suite.all("testcase")
            #expect(suite.int("tests") == cases.count)
            #expect(suite.int("failures") == cases.filter { !$0.all("failure").isEmpty }.count)
            #expect(suite.int("errors") == cases.filter { !$0.all("error").isEmpty }.count)
            #expect(suite.int("skipped") == cases.filter { !$0.all("skipped").isEmpty }.count)
            for c in cases {
                #expect(c.children.allSatisfy { ["failure", "error", "skipped", "system-out", "system-err"].contains($0.name) })
                // One verdict per case at most, and a failure always says why.
                #expect(c.children.filter { ["failure", "error", "skipped"].contains($0.name) }.count <= 1)
                #expect(c.all("failure").allSatisfy { !($0.attributes["message"] ?? "").isEmpty })
            }
        }
        // A failure, error or skip anywhere else is outside the schema (checked by `allowed`);
        // the totals are the suites' sums.
        for attribute in ["tests", "failures", "errors"] {
            #expect(root.int(attribute) == root.all("testsuite").reduce(0) { $0 + ($1.int(attribute) ?? -1) }, "\(attribute)")
        }
        return root
    }

    static func run(_ arguments: [String]) throws -> (junit: Tool.Result, root: Element) {
        let r = try Tool.run(arguments + ["--format", "junit"], environment: ["NO_COLOR": "1"])
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let text = try Tool.run(arguments, environment: ["NO_COLOR": "1"])
        #expect(r.status == text.status, "JUnit exits \(r.status), text \(text.status)")
        return (r, try checkStructure(r.stdout))
    }

    /// A fixture and its per-step gradients (wrong: nothing carried back) and BPTT's (right).
    static func files() throws -> (fixture: String, right: String, wrong: String) {
        let fixture = try Tool.run(["fixture"] + small).stdout
        let path = try Tool.temporaryFile("junit-fixture.json", fixture)
        func grads(_ method: String) throws -> String {
            try Tool.temporaryFile("junit-\(method).json", try Tool.run(["grads", "--fixture", path, "--method", method]).stdout)
        }
        return (path, try grads("bptt"), try grads("per-step"))
    }

    /// The structural checks can fail: each of these breaks a rule of the schema or a count.
    @Test(arguments: [
        // a count that is not its cases'
        #"<testsuites tests="2" failures="0" errors="0"><testsuite name="s" tests="2" failures="0" errors="0" skipped="0"><testcase name="a"/></testsuite></testsuites>"#,
        // a failure outside a testcase
        #"<testsuites tests="0" failures="0" errors="0"><testsuite name="s" tests="0" failures="0" errors="0" skipped="0"><failure message="m"/></testsuite></testsuites>"#,
        // an attribute junit-10.xsd does not give <testsuites>
        #"<testsuites tests="0" failures="0" errors="0" skipped="0"><testsuite name="s" tests="0" failures="0" errors="0" skipped="0"/></testsuites>"#,
        // a testcase without its required name
        #"<testsuites tests="1" failures="0" errors="0"><testsuite name="s" tests="1" failures="0" errors="0" skipped="0"><testcase classname="c"/></testsuite></testsuites>"#,
        // a time the schema's pattern refuses
        #"<testsuites tests="0" failures="0" errors="0" time="1s"><testsuite name="s" tests="0" failures="0" errors="0" skipped="0"/></testsuites>"#,
        // not well-formed
        #"<testsuites><testsuite name="a & b" tests="0" failures="0" errors="0"/></testsuites>"#,
    ])
    func theStructureCheckRefusesABrokenDocument(_ xml: String) throws {
        withKnownIssue { try Self.checkStructure(xml) }
    }

    @Test func aCheckThatPassesIsOneSuiteOfMethodTimesTensorWithNoFailures() throws {
        let (r, root) = try Self.run(["check", "--methods", "bptt,per-step"] + Self.small)
        #expect(r.status == 0)
        let suite = try #require(root.all("testsuite").first)
        #expect(root.all("testsuite").count == 1 && suite.attributes["name"] == "generated")
        // bptt, per-step and the finite differences, 12 tensors each.
        let cases = suite.all("testcase")
        #expect(cases.count == 36 && suite.int("failures") == 0 && suite.int("skipped") == 0)
        #expect(Set(cases.map { $0.attributes["classname"] ?? "" }) == ["bptt", "per-step", "numerical"])
        #expect(cases.prefix(12).map { $0.attributes["name"] ?? "" } == ["Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "by", "a0", "x"])
        // per-step is wrong as expected: no failure, but what it got wrong is there to read.
        #expect(cases.first { $0.attributes["classname"] == "per-step" && $0.attributes["name"] == "Wf" }?.all("system-out").first?.text.contains("expected") == true)
    }

    /// A derivation expected to be correct held to a bound it cannot meet: every tensor fails,
    /// with the relative error and the bound the JSON report gives for it.
    @Test func aFailingCheckHasTheJSONReportsFigures() throws {
        let arguments = ["check", "--methods", "bptt", "--tolerance", "1e-20"] + Self.small
        let (r, root) = try Self.run(arguments)
        #expect(r.status == 1)
        let json = try JSONNode.parse(try Tool.run(arguments + ["--format", "json"]).stdout)
        let parameters = try #require(json["fixtures"].flatMap { if case .array(let a) = $0 { return a.first } else { return nil } }?["methods"]?["bptt"]?["parameters"])
        let cases = root.all("testsuite").flatMap { $0.all("testcase") }.filter { $0.attributes["classname"] == "bptt" }
        #expect(cases.count == 12)
        for c in cases {
            let name = try #require(c.attributes["name"])
            let figures = try #require(parameters[name])
            // A tensor that agrees to the last bit (relative error 0) passes any bound.
            guard figures["pass"] == .bool(false) else {
                #expect(c.all("failure").isEmpty, "\(name)")
                continue
            }
            let message = try #require(c.all("failure").first?.attributes["message"], "\(name) did not fail")
            #expect(try Self.number(after: "relative error ", in: message) == figures["relative_error"], "\(message)")
            #expect(try Self.number(after: "bound ", in: message) == figures["threshold"], "\(message)")
        }
        #expect(root.int("failures") ?? 0 >= 10)
    }

    @Test func verifyFailsEachWrongTensorWithItsFiguresAndDiagnosis() throws {
        let (fixture, right, wrong) = try Self.files()
        let ok = try Self.run(["verify", "--fixture", fixture, "--grads", right])
        #expect(ok.junit.status == 0 && ok.root.int("failures") == 0 && ok.root.int("tests") == 12)

        let (r, root) = try Self.run(["verify", "--fixture", fixture, "--grads", wrong])
        #expect(r.status == 1)
        let json = try JSONNode.parse(try Tool.run(["verify", "--fixture", fixture, "--grads", wrong, "--format", "json"]).stdout)
        guard case .object(let gradients)? = json["fixtures"].flatMap({ if case .array(let a) = $0 { return a.first } else { return nil } })?["gradients"] else {
            Issue.record("no gradients in the JSON report")
            return
        }
        let cases = root.all("testsuite").flatMap { $0.all("testcase") }
        #expect(Set(cases.map { $0.attributes["name"] ?? "" }) == Set(gradients.keys))
        for c in cases {
            let name = try #require(c.attributes["name"])
            let entry = try #require(gradients[name])
            guard entry["status"] == .string("mismatch") else {
                #expect(c.all("failure").isEmpty, "\(name)")
                continue
            }
            let message = try #require(c.all("failure").first?.attributes["message"], "\(name) did not fail")
            #expect(try Self.number(after: "relative error ", in: message) == entry["relative_error"], "\(message)")
            #expect(try Self.number(after: "bound ", in: message) == entry["tolerance"], "\(message)")
            guard case .string(let finding)? = entry["diagnosis"]?["finding"] else {
                Issue.record("\(name): no diagnosis in the JSON report")
                continue
            }
            #expect(message.hasSuffix(": " + finding), "\(message)")
        }
        #expect(root.int("failures") == gradients.values.filter { $0["status"] == .string("mismatch") }.count)
        #expect(root.int("failures") == 10)
    }

    /// Several fixtures: one suite each, in order; the totals add up (`checkStructure`).
    @Test func severalFixturesAreOneSuiteEach() throws {
        let (fixture, right, wrong) = try Self.files()
        let (r, root) = try Self.run(["verify", "--fixture", fixture, "--grads", right, "--fixture", fixture, "--grads", wrong])
        #expect(r.status == 1)
        #expect(root.all("testsuite").map { $0.int("failures") } == [0, 10])
    }

    /// Not decided is skipped, not failed: exit status 3, no failure, and the reason given.
    @Test func anUndecidedTensorIsSkippedWithItsReason() throws {
        let fixture = Tool.root.appendingPathComponent("Fixtures/noise-floor.json").path
        let (r, root) = try Self.run(["check", "--fixture", fixture, "--reference", "numerical", "--methods", "bptt"])
        #expect(r.status == 3)
        #expect(root.int("failures") == 0)
        let skipped = root.all("testsuite").flatMap { $0.all("testcase") }.compactMap { $0.all("skipped").first?.attributes["message"] }
        #expect(!skipped.isEmpty && skipped.allSatisfy { $0.hasPrefix("not decided: ") }, "\(skipped)")
    }

    /// A run `--budget` stopped before anything was decided has no tensor to skip: one skipped
    /// case stands for the report, with its conclusion, so the counts still say status 3.
    @Test func aRunTheBudgetStoppedIsOneSkippedCaseForTheReport() throws {
        let (r, root) = try Self.run(["check", "--reference", "numerical", "--budget", "1ms"] + RunControlTests.small)
        #expect(r.status == 3)
        let cases = root.all("testsuite").flatMap { $0.all("testcase") }
        #expect(cases.map { $0.attributes["name"] } == ["report"])
        #expect(cases.first?.all("skipped").first?.attributes["message"]?.contains("stopped at its time budget") == true)
    }

    /// Markup and characters XML 1.0 cannot hold, in a fixture's name, come back as written
    /// (those it cannot hold as U+FFFD); and the bytes are the same on every run.
    @Test func namesAreEscapedAndTheOutputIsTheSameEveryRun() throws {
        let name = "a<b> & \"c\" 'd'\u{01}\ttab"
        let generated = try Tool.run(["fixture", "--name", name] + Self.small)
        #expect(generated.status == 0, "\(generated.stderr)")
        let path = try Tool.temporaryFile("junit-named.json", generated.stdout)
        let (r, root) = try Self.run(["check", "--fixture", path, "--methods", "bptt"])
        #expect(root.all("testsuite").first?.attributes["name"] == "a<b> & \"c\" 'd'\u{FFFD}\ttab")
        #expect(try Tool.run(["check", "--fixture", path, "--methods", "bptt", "--format", "junit"]).stdout == r.stdout)
    }

    /// Valid against the XSD itself, by python3's lxml or xmlschema, where either is installed.
    @Test(.enabled(if: xsdValidator != nil, "needs python3 with lxml or xmlschema"))
    func validAgainstTheJUnitXSD() throws {
        let (fixture, right, wrong) = try Self.files()
        let runs = [["check", "--methods", "all"] + Self.small, ["check", "--tolerance", "1e-20"] + Self.small,
                    ["verify", "--fixture", fixture, "--grads", right, "--fixture", fixture, "--grads", wrong],
                    ["check", "--fixture", Tool.root.appendingPathComponent("Fixtures/noise-floor.json").path, "--reference", "numerical", "--methods", "bptt"]]
        let xsd = Tool.root.appendingPathComponent("Tests/EndToEndTests/JUnitSchema/junit-10.xsd").path
        for arguments in runs {
            let xml = try Tool.temporaryFile("junit-\(UUID().uuidString).xml", try Tool.run(arguments + ["--format", "junit"]).stdout)
            let r = try Tool.run(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", try #require(Self.xsdValidator), xsd, xml])
            #expect(r.status == 0, "\(arguments): \(r.stdout)\(r.stderr)")
        }
    }

    /// A Python script validating argv[2] against the XSD argv[1], with whichever library python3 has.
    static let xsdValidator: String? = {
        let scripts = [
            "lxml": "import sys\nfrom lxml import etree\ns = etree.XMLSchema(etree.parse(sys.argv[1]))\nok = s.validate(etree.parse(sys.argv[2]))\nprint(s.error_log)\nsys.exit(0 if ok else 1)",
            "xmlschema": "import sys, xmlschema\nxmlschema.XMLSchema(sys.argv[1]).validate(sys.argv[2])",
        ]
        return ["lxml", "xmlschema"].first { SchemaTests.python(importing: $0) }.flatMap { scripts[$0] }
    }()

    /// The number written after `prefix` in `message`, read as JSON (as the report is read).
    static func number(after prefix: String, in message: String) throws -> JSONNode {
        let start = try #require(message.range(of: prefix)).upperBound
        return try JSONNode.parse(String(message[start...].prefix { !$0.isWhitespace && $0 != ":" }))
    }
}
