import Testing
@testable import LSTMGradCheck

/// The project's seeded generator, so failures reproduce on every machine.
private extension SeededGenerator {
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Any finite Double, weighted towards the awkward ones.
    mutating func double() -> Double {
        switch below(6) {
        case 0:
            var value: Double
            repeat { value = Double(bitPattern: next()) } while !value.isFinite
            return value
        case 1: return Double(Int64(bitPattern: next()) >> below(64))
        case 2: return [0.0, -0.0, 0.1, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -.leastNormalMagnitude][below(6)]
        case 3: return Double(next() >> 11) / 9_007_199_254_740_992 * 2 - 1
        default: return Double(below(2001) - 1000) / Double([1, 10, 100, 1000, 7][below(5)])
        }
    }

    /// Strings mixing ASCII, characters that need escaping, and multi-byte scalars.
    mutating func string() -> String {
        let alphabet: [Unicode.Scalar] = ["a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{0}", "\u{1F}",
                                          "\u{7F}", "é", "中", "\u{FEFF}", "😀", "\u{10FFFF}"]
        var text = String.UnicodeScalarView()
        for _ in 0..<below(12) { text.append(alphabet[below(alphabet.count)]) }
        return String(text)
    }

    mutating func value(depth: Int) -> JSONValue {
        switch below(depth > 3 ? 4 : 7) {
        case 0: return .null
        case 1: return .bool(next() & 1 == 0)
        case 2: return .number(double())
        case 3: return .string(string())
        case 4: return .array((0..<below(5)).map { _ in .number(double()) })
        case 5: return .array((0..<below(5)).map { _ in value(depth: depth + 1) })
        default:
            var members: [JSONMember] = []
            for k in 0..<below(6) { members.append(JSONMember("\(k)" + string(), value(depth: depth + 1))) }
            return .object(members)
        }
    }
}

/// `==` with numbers compared bit for bit, so -0.0 and 0.0 differ.
private func identical(_ a: JSONValue, _ b: JSONValue) -> Bool {
    switch (a, b) {
    case (.number(let x), .number(let y)): x.bitPattern == y.bitPattern
    case (.array(let xs), .array(let ys)): xs.count == ys.count && zip(xs, ys).allSatisfy { identical($0, $1) }
    case (.object(let xs), .object(let ys)):
        xs.count == ys.count && zip(xs, ys).allSatisfy { $0.key == $1.key && identical($0.value, $1.value) }
    default: a == b
    }
}

private func parseError(_ text: String, maxDepth: Int = 512) -> JSONSyntaxError? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

private func parseError(_ bytes: [UInt8], maxDepth: Int = 512) -> JSONSyntaxError? {
    do {
        _ = try JSON.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

@Test func knownDocumentParsesToKnownValue() throws {
    let text = """
        {
          "name": "lstm",
          "sizes": [3, 4],
          "lr": 1e-3,
          "ok": true, "skip": false, "note": null,
          "weights": [[0.5, -0.25], []],
          "nested": {"a": {}, "b": [{"c": -0}]}
        }
        """
    let expected = JSONValue.object([
        JSONMember("name", .string("lstm")),
        JSONMember("sizes", .array([.number(3), .number(4)])),
        JSONMember("lr", .number(0.001)),
        JSONMember("ok", .bool(true)),
        JSONMember("skip", .bool(false)),
        JSONMember("note", .null),
        JSONMember("weights", .array([.array([.number(0.5), .number(-0.25)]), .array([])])),
        JSONMember("nested", .object([
            JSONMember("a", .object([])),
            JSONMember("b", .array([.object([JSONMember("c", .number(-0.0))])])),
        ])),
    ])
    let parsed = try JSON.parse(text)
    #expect(identical(parsed, expected))
    #expect(try JSON.parse(Array(text.utf8)) == parsed)
    #expect(parsed["sizes"] == .array([.number(3), .number(4)]))
    #expect(parsed["missing"] == nil)
    #expect(parsed["sizes"]?["x"] == nil)
}

@Test func scalarDocumentsAndWhitespace() throws {
    #expect(try JSON.parse(" \t\r\n 42 \n") == .number(42))
    #expect(try JSON.parse("\"x\"") == .string("x"))
    #expect(try JSON.parse("null") == .null)
    #expect(try JSON.parse("[true,false,null]") == .array([.bool(true), .bool(false), .null]))
    #expect(try JSON.parse([0xEF, 0xBB, 0xBF] + Array("[1]".utf8)) == .array([.number(1)]))
    #expect(try JSON.parse("\u{FEFF}{}") == .object([]))
}

@Test func randomDocumentsRoundTripPrettyAndCompact() throws {
    var rng = SeededGenerator(seed: 2024)
    for _ in 0..<2000 {
        let value = rng.value(depth: 0)
        for pretty in [true, false] {
            let text = JSON.serialize(value, pretty: pretty)
            let back = try JSON.parse(text)
            #expect(identical(back, value), "\(text)")
            #expect(JSON.serialize(back, pretty: pretty) == text)
        }
        #expect(!JSON.serialize(value, pretty: false).contains("\n"))
    }
}

@Test func doublesRoundTripBitForBit() throws {
    let special: [Double] = [
        .leastNonzeroMagnitude, Double(bitPattern: 10), .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 0.1, -0.0, 0.0,
        .leastNormalMagnitude, .leastNormalMagnitude.nextDown, 0.30000000000000004, 1.0 / 3.0, .pi,
        .ulpOfOne, 1e-10, 2.5e20, 1e21, 1e22, 1e23, 9_007_199_254_740_992, 9_007_199_254_740_994,
        -9_007_199_254_740_991, 123_456_789.125, 1e-5, 1e300, -Double(bitPattern: 0x000F_FFFF_FFFF_FFFF),
    ]
    var rng = SeededGenerator(seed: 7)
    var values = special
    for _ in 0..<100_000 { values.append(rng.double()) }
    for value in values {
        let text = JSON.serialize(.number(value))
        guard case .number(let back) = try JSON.parse(text) else {
            Issue.record("\(text) is not a number")
            continue
        }
        #expect(back.bitPattern == value.bitPattern, "\(text)")
    }
}

@Test func numbersPrintAsDocumented() {
    let cases: [(Double, String)] = [
        (3, "3"), (-12, "-12"), (0, "0"), (-0.0, "-0.0"), (0.1, "0.1"), (1e-10, "1e-10"), (2.5e20, "2.5e+20"),
        (1e-5, "1e-05"), (9_007_199_254_740_991, "9007199254740991"), (9_007_199_254_740_992, "9007199254740992.0"),
        (.leastNonzeroMagnitude, "5e-324"), (.greatestFiniteMagnitude, "1.7976931348623157e+308"),
        (.infinity, "null"), (-.infinity, "null"), (.nan, "null"),
    ]
    for (value, text) in cases {
        #expect(JSON.serialize(.number(value)) == text)
    }
}

/// The parser converts short numbers itself; it must agree exactly with `Double(String)`.
@Test func numberParsingAgreesWithDoubleInit() throws {
    var rng = SeededGenerator(seed: 99)
    for _ in 0..<50_000 {
        var text = rng.below(2) == 0 ? "-" : ""
        let integerDigits = 1 + rng.below(20)
        text += String(1 + rng.below(9))
        for _ in 1..<integerDigits { text += String(rng.below(10)) }
        if rng.below(2) == 0 {
            text += "."
            for _ in 0..<(1 + rng.below(20)) { text += String(rng.below(10)) }
        }
        if rng.below(2) == 0 {
            text += ["e", "E", "e+", "e-", "E-"][rng.below(5)] + String(rng.below(40))
        }
        let expected = try #require(Double(text))
        guard case .number(let parsed) = try JSON.parse(text) else {
            Issue.record("\(text) is not a number")
            continue
        }
        #expect(parsed.bitPattern == expected.bitPattern, "\(text)")
    }
}

@Test func numberEdgeCases() throws {
    #expect(try JSON.parse("-0") == .number(0))
    #expect(try JSON.parse("-0").isNegativeZero)
    #expect(try JSON.parse("-0.0").isNegativeZero)
    #expect(try JSON.parse("1e-400") == .number(0))
    #expect(try JSON.parse("-1e-400").isNegativeZero)
    #expect(try JSON.parse("1E+2") == .number(100))
    #expect(try JSON.parse("1e0001") == .number(10))
    #expect(try JSON.parse("0.000") == .number(0))
    #expect(parseError("1e99999999999999999999999")?.message == "expected finite numbers, found 1e99999999999999999999999, beyond Double's range")
    #expect(try JSON.parse("0e99999999999999999999999") == .number(0))
    #expect(try JSON.parse("123456789012345678901234567890") == .number(123456789012345678901234567890.0))
    #expect(try JSON.parse("17976931348623157e292") == .number(.greatestFiniteMagnitude))
}

struct JSONErrorCase: Sendable, CustomTestStringConvertible {
    var input: [UInt8]
    var line: Int
    var column: Int
    var message: String

    init(_ input: String, _ line: Int, _ column: Int, _ message: String) {
        self.init(bytes: Array(input.utf8), line, column, message)
    }

    init(bytes: [UInt8], _ line: Int, _ column: Int, _ message: String) {
        self.input = bytes
        self.line = line
        self.column = column
        self.message = message
    }

    /// The input's first bytes, with anything outside printable ASCII as `\xNN`.
    var testDescription: String {
        let shown = input.prefix(24).map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }
        return shown.joined() + (input.count > 24 ? "…" : "")
    }
}

private let errorCases: [JSONErrorCase] = [
    JSONErrorCase("", 1, 1, "expected a JSON value, found an empty file"),
    JSONErrorCase(" \n  ", 2, 3, "expected a JSON value, found only whitespace"),
    JSONErrorCase(bytes: [0xEF, 0xBB, 0xBF], 1, 1, "expected a JSON value, found an empty file"),
    JSONErrorCase("\"abc", 1, 1, "expected a '\"' closing the string, found the end of the file"),
    JSONErrorCase("[1, \"abc\\\"]", 1, 5, "expected a '\"' closing the string, found the end of the file"),
    JSONErrorCase("[1 2]", 1, 4, "expected ',' or ']' after an array element, found '2'"),
    JSONErrorCase("[1", 1, 3, "expected ',' or ']' after an array element, found the end of the file"),
    JSONErrorCase("[", 1, 2, "expected a JSON value, found the end of the file"),
    JSONErrorCase("{\"a\":1 \"b\":2}", 1, 8, "expected ',' or '}' after an object member, found '\"'"),
    JSONErrorCase("{", 1, 2, "expected a string key or '}', found the end of the file"),
    JSONErrorCase("{1:2}", 1, 2, "expected a string key or '}', found '1'"),
    JSONErrorCase("{\"a\":1, 2}", 1, 9, "expected a string key, found '2'"),
    JSONErrorCase("{\"a\" 1}", 1, 6, "expected ':' after the key \"a\", found '1'"),
    JSONErrorCase("1e400", 1, 1, "expected finite numbers, found 1e400, beyond Double's range"),
    JSONErrorCase("[0, -1.5e308999]", 1, 5, "expected finite numbers, found -1.5e308999, beyond Double's range"),
    JSONErrorCase("1" + String(repeating: "0", count: 400), 1, 1,
                  "expected finite numbers, found 1" + String(repeating: "0", count: 39) + "…, beyond Double's range"),
    JSONErrorCase(String(repeating: "[", count: 513), 1, 513, "expected arrays and objects nested at most 512 levels deep, found deeper nesting"),
    JSONErrorCase(String(repeating: "{\"k\":", count: 513), 1, 2561, "expected arrays and objects nested at most 512 levels deep, found deeper nesting"),
    JSONErrorCase(bytes: [0x22, 0xFF, 0x22], 1, 2, "expected UTF-8 text, found the byte 0xFF, which is not UTF-8"),
    JSONErrorCase(bytes: [0x22, 0x61, 0xC0, 0xAF, 0x22], 1, 3, "expected UTF-8 text, found the byte 0xC0, which is not UTF-8"),
    JSONErrorCase(bytes: [0x22, 0xED, 0xA0, 0x80, 0x22], 1, 2, "expected UTF-8 text, found the byte 0xED, which is not UTF-8"),
    JSONErrorCase(bytes: [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1, 2, "expected UTF-8 text, found the byte 0xF4, which is not UTF-8"),
    JSONErrorCase(bytes: [0x22, 0xE2, 0x82], 1, 2, "expected UTF-8 text, found the byte 0xE2, which is not UTF-8"),
    JSONErrorCase(bytes: [0x5B, 0x80, 0x5D], 1, 2, "expected UTF-8 text, found the byte 0x80, which is not UTF-8"),
    JSONErrorCase(bytes: [0x31, 0x20, 0xFE], 1, 3, "expected UTF-8 text, found the byte 0xFE, which is not UTF-8"),
    JSONErrorCase("[1] x", 1, 5, "expected the end of the document, found 'x'"),
    JSONErrorCase("true false", 1, 6, "expected the end of the document, found 'false'"),
    JSONErrorCase("{}}", 1, 3, "expected the end of the document, found '}'"),
    JSONErrorCase("1x", 1, 2, "expected the end of the document, found 'x'"),
    // Python's json.dump writes these for float('nan') and float('inf').
    JSONErrorCase("NaN", 1, 1, "expected finite numbers, found NaN"),
    JSONErrorCase("Infinity", 1, 1, "expected finite numbers, found Infinity"),
    JSONErrorCase("-Infinity", 1, 1, "expected finite numbers, found -Infinity"),
    JSONErrorCase("[1, -inf]", 1, 5, "expected finite numbers, found -inf"),
    JSONErrorCase("[nan]", 1, 2, "expected finite numbers, found nan"),
    JSONErrorCase("NaNa", 1, 1, "expected a JSON value, found 'NaNa'"),
    JSONErrorCase("-Inf1", 1, 2, "expected a digit after '-', found 'Inf1'"),
    JSONErrorCase("-", 1, 2, "expected a digit after '-', found the end of the file"),
    JSONErrorCase("[1] // comment", 1, 5, "expected the end of the document, found '/' (JSON has no comments)"),
    JSONErrorCase("/* c */ 1", 1, 1, "expected a JSON value, found '/' (JSON has no comments)"),
    JSONErrorCase("[1 /* c */]", 1, 4, "expected ',' or ']' after an array element, found '/' (JSON has no comments)"),
    JSONErrorCase("[1,]", 1, 3, "expected another element after ',', found ']' (JSON allows no trailing comma)"),
    JSONErrorCase("{\"a\":1 ,\n}", 1, 8, "expected another member after ',', found '}' (JSON allows no trailing comma)"),
    JSONErrorCase("'a'", 1, 1, "expected a JSON value, found a single quote (JSON strings are in double quotes)"),
    JSONErrorCase("{'a':1}", 1, 2, "expected a string key or '}', found a single quote (JSON strings are in double quotes)"),
    JSONErrorCase("01", 1, 1, "expected a number without leading zeros, found '01'"),
    JSONErrorCase("[-00.5]", 1, 2, "expected a number without leading zeros, found '-00'"),
    JSONErrorCase("+1", 1, 1, "expected a JSON value, found '+1'"),
    JSONErrorCase(".5", 1, 1, "expected a JSON value, found '.5'"),
    JSONErrorCase("1.", 1, 3, "expected a digit after '.', found the end of the file"),
    JSONErrorCase("1.e5", 1, 3, "expected a digit after '.', found 'e5'"),
    JSONErrorCase("1e", 1, 3, "expected a digit in the exponent, found the end of the file"),
    JSONErrorCase("[1e+]", 1, 5, "expected a digit in the exponent, found ']'"),
    JSONErrorCase("tru", 1, 1, "expected a JSON value, found 'tru'"),
    JSONErrorCase("nul", 1, 1, "expected a JSON value, found 'nul'"),
    JSONErrorCase("True", 1, 1, "expected a JSON value, found 'True' (JSON writes true, false and null)"),
    JSONErrorCase("[None]", 1, 2, "expected a JSON value, found 'None' (JSON writes true, false and null)"),
    JSONErrorCase("[" + String(repeating: "x", count: 30) + "]", 1, 2, "expected a JSON value, found '" + String(repeating: "x", count: 24) + "…'"),
    JSONErrorCase("[\u{1}]", 1, 2, "expected a JSON value, found U+0001"),
    JSONErrorCase("[é]", 1, 2, "expected a JSON value, found 'é'"),
    JSONErrorCase("{\"k\":1,\"k\":2}", 1, 8, "expected each key once in an object, found \"k\" a second time"),
    JSONErrorCase("{\"a\":{\"x\\n\":1,\"x\\u000a\":2}}", 1, 15, "expected each key once in an object, found \"x\\n\" a second time"),
    JSONErrorCase("\"a\nb\"", 1, 3, "expected control characters escaped in a string (\\n, \\t, \\u0000), found a raw U+000A"),
    JSONErrorCase("\"\t\"", 1, 2, "expected control characters escaped in a string (\\n, \\t, \\u0000), found a raw U+0009"),
    JSONErrorCase("\"\\x\"", 1, 2, "expected an escape sequence: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX, found '\\x'"),
    JSONErrorCase("\"\\\n\"", 1, 2, "expected an escape sequence: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX, found '\\' and U+000A"),
    JSONErrorCase("\"\\", 1, 2, "expected an escape sequence after '\\', found the end of the file"),
    JSONErrorCase("\"ab\\u12G4\"", 1, 4, "expected four hex digits after \\u, found '\\u12G4'"),
    JSONErrorCase("\"\\u12\"", 1, 2, "expected four hex digits after \\u, found '\\u12'"),
    JSONErrorCase("\"\\uD800\"", 1, 2, "expected a UTF-16 surrogate pair (\\uD800-\\uDBFF then \\uDC00-\\uDFFF), found an unpaired surrogate \\uD800"),
    JSONErrorCase("\"\\udbff\\u0041\"", 1, 2, "expected a UTF-16 surrogate pair (\\uD800-\\uDBFF then \\uDC00-\\uDFFF), found an unpaired surrogate \\uDBFF"),
    JSONErrorCase("\"\\uD800\\uD800\"", 1, 2, "expected a UTF-16 surrogate pair (\\uD800-\\uDBFF then \\uDC00-\\uDFFF), found an unpaired surrogate \\uD800"),
    JSONErrorCase("\"x\\uDC00\"", 1, 3, "expected a UTF-16 surrogate pair (\\uD800-\\uDBFF then \\uDC00-\\uDFFF), found an unpaired surrogate \\uDC00"),
    JSONErrorCase("{\n  \"a\": [1,\n    2,,\n  ]\n}", 3, 7, "expected a JSON value, found ','"),
    JSONErrorCase("[\r\n1,\r\n\r2 3]", 4, 3, "expected ',' or ']' after an array element, found '3'"),
    JSONErrorCase("[\"é中😀\",\tx]", 1, 9, "expected a JSON value, found 'x'"),
    JSONErrorCase(bytes: [0xEF, 0xBB, 0xBF] + Array("[x]".utf8), 1, 2, "expected a JSON value, found 'x'"),
]

@Test(arguments: errorCases)
func syntaxErrorsReportLineColumnAndMessage(_ errorCase: JSONErrorCase) throws {
    let error = try #require(parseError(errorCase.input))
    #expect(error.line == errorCase.line)
    #expect(error.column == errorCase.column)
    #expect(error.message == errorCase.message)
    #expect(error.description == "line \(errorCase.line), column \(errorCase.column): \(errorCase.message)")
}

struct JSONPathCase: Sendable, CustomTestStringConvertible {
    var input: String
    var path: String
    var isNonFinite: Bool
    var testDescription: String { input }
}

/// The key path of an error: the value being read, in the style of the fixture reader's
/// errors (`parameters.Wf[1][2]`); between values, the array or object they are in.
private let pathCases: [JSONPathCase] = [
    JSONPathCase(input: "{\"parameters\": {\"Wf\": [[1, 2], [3, NaN]]}}", path: "parameters.Wf[1][1]", isNonFinite: true),
    JSONPathCase(input: "{\"dWf\": [[0.5, -Infinity]], \"dbf\": [[1]]}", path: "dWf[0][1]", isNonFinite: true),
    JSONPathCase(input: "{\"a\": [1, 2], \"b\": {\"c\": [1e400]}}", path: "b.c[0]", isNonFinite: true),
    JSONPathCase(input: "[[1], [2, Infinity]]", path: "[1][1]", isNonFinite: true),
    JSONPathCase(input: "NaN", path: "", isNonFinite: true),
    JSONPathCase(input: "{\"x\": [[1, 2 3]]}", path: "x[0]", isNonFinite: false),
    JSONPathCase(input: "{\"x\": [[1, 2], x]}", path: "x[1]", isNonFinite: false),
    JSONPathCase(input: "{\"a\": {\"b\" 1}}", path: "a", isNonFinite: false),
    JSONPathCase(input: "{\"a\": {\"b\": 1} x}", path: "", isNonFinite: false),
    JSONPathCase(input: "{\"a\": {\"b\": 1, \"b\": 2}}", path: "a", isNonFinite: false),
    JSONPathCase(input: "{\"a\": [1, 2,]}", path: "a", isNonFinite: false),
    JSONPathCase(input: "{\"a\": \"unterminated}", path: "a", isNonFinite: false),
    JSONPathCase(input: "[1] x", path: "", isNonFinite: false),
]

@Test(arguments: pathCases)
func syntaxErrorsNameTheirKeyPath(_ pathCase: JSONPathCase) throws {
    let error = try #require(parseError(pathCase.input))
    #expect(error.path == pathCase.path)
    #expect(error.isNonFinite == pathCase.isNonFinite)
}

@Test func stringOverloadReportsTheSameErrors() {
    #expect(parseError("[1,\n x]") == JSONSyntaxError(line: 2, column: 2, expected: "a JSON value", found: "'x'", path: "[1]"))
    do {
        _ = try JSON.parse("[1,\n x]")
        Issue.record("no error")
    } catch {
        #expect(error == JSONSyntaxError(line: 2, column: 2, expected: "a JSON value", found: "'x'", path: "[1]"))
    }
}

@Test func deepNestingIsAnErrorNotACrash() throws {
    #expect(parseError(String(repeating: "[", count: 10_000))
        == JSONSyntaxError(line: 1, column: 513, expected: "arrays and objects nested at most 512 levels deep", found: "deeper nesting",
                           path: String(repeating: "[0]", count: 16) + "…"))
    #expect(parseError(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000))?.column == 513)
    #expect(parseError(String(repeating: "{\"a\":", count: 10_000))?.found == "deeper nesting")

    let deepest = String(repeating: "[", count: 512) + "7" + String(repeating: "]", count: 512)
    var value = try JSON.parse(deepest)
    for _ in 0..<512 {
        guard case .array(let elements) = value, elements.count == 1 else {
            Issue.record("expected a one-element array")
            return
        }
        value = elements[0]
    }
    #expect(value == .number(7))

    #expect(parseError("[[1]]", maxDepth: 1) == JSONSyntaxError(line: 1, column: 2, expected: "arrays and objects nested at most 1 levels deep", found: "deeper nesting", path: "[0]"))
    #expect(parseError("{\"a\":{}}", maxDepth: 1)?.column == 6)
    #expect(parseError("[]", maxDepth: 1) == nil)
    #expect(parseError("1", maxDepth: 0) == nil)
}

@Test func duplicateKeysInLargeObjects() {
    let members = (0..<100).map { "\"k\($0)\":\($0)" }
    #expect(parseError("{" + members.joined(separator: ",") + "}") == nil)
    let text = "{" + (members + ["\"k3\":0"]).joined(separator: ",") + "}"
    #expect(parseError(text) == JSONSyntaxError(line: 1, column: text.utf8.count - 6, expected: "each key once in an object",
                                                    found: "\"k3\" a second time"))
    #expect(parseError("{\"a\":{\"k\":1},\"b\":{\"k\":1}}") == nil)
}

@Test func unicodeEscapesAndSurrogatePairs() throws {
    let text = #""\u0041\u00e9\u4E2D\uD83D\uDE00\udbff\udfff\n\t\r\b\f\/\\\"\u0000 raw: é中😀""#
    #expect(try JSON.parse(text) == .string("Aé中😀\u{10FFFF}\n\t\r\u{8}\u{C}/\\\"\u{0} raw: é中😀"))
    #expect(try JSON.parse(#"{"\ud83d\ude00": "\u00E9"}"#) == .object([JSONMember("😀", .string("é"))]))
    #expect(try JSON.parse(#""\u00e9""#) == JSON.parse(#""é""#))
}

@Test func stringsSerialiseWithMinimalEscapes() {
    let value = JSONValue.string("a\"b\\c/d\n\t\r\u{8}\u{C}\u{0}\u{1F}\u{7F}é😀")
    #expect(JSON.serialize(value) == #""a\"b\\c/d\n\t\r\b\f\u0000\u001f"# + "\u{7F}é😀\"")
    #expect(JSON.serialize(.object([JSONMember("k\"", .null)]), pretty: false) == #"{"k\"":null}"#)
}

@Test func prettyLayoutKeepsScalarArraysOnOneLine() {
    let value = JSONValue.object([
        JSONMember("matrix", .array([.array([.number(1), .number(2)]), .array([.number(3), .number(4.5)])])),
        JSONMember("row", .array([.number(1), .bool(true), .null, .number(-3)])),
        JSONMember("names", .array([.string("a"), .string("b")])),
        JSONMember("empty", .array([])),
        JSONMember("none", .object([])),
        JSONMember("inner", .object([JSONMember("x", .number(0.1))])),
    ])
    #expect(JSON.serialize(value) == """
        {
          "matrix": [
            [1, 2],
            [3, 4.5]
          ],
          "row": [1, true, null, -3],
          "names": [
            "a",
            "b"
          ],
          "empty": [],
          "none": {},
          "inner": {
            "x": 0.1
          }
        }
        """)
    #expect(JSON.serialize(value, pretty: false)
        == #"{"matrix":[[1,2],[3,4.5]],"row":[1,true,null,-3],"names":["a","b"],"empty":[],"none":{},"inner":{"x":0.1}}"#)
    #expect(JSON.serialize(.array([])) == "[]")
    #expect(JSON.serialize(.object([])) == "{}")
    #expect(JSON.serialize(.array([.array([])])) == "[\n  []\n]")
}

@Test func memberLookupAndKindDescriptions() {
    let object = JSONValue.object([JSONMember("a", .number(1)), JSONMember("b", .null)])
    #expect(object["a"] == .number(1))
    #expect(object["b"] == .null)
    #expect(object["c"] == nil)
    #expect(JSONValue.array([.number(1)])["a"] == nil)

    #expect(JSONValue.number(1).kindDescription == "a number")
    #expect(JSONValue.array([.null, .null, .null]).kindDescription == "an array of 3")
    #expect(JSONValue.array([]).kindDescription == "an empty array")
    #expect(object.kindDescription == "an object")
    #expect(JSONValue.string("").kindDescription == "a string")
    #expect(JSONValue.bool(true).kindDescription == "true")
    #expect(JSONValue.bool(false).kindDescription == "false")
    #expect(JSONValue.null.kindDescription == "null")
}

extension JSONValue {
    fileprivate var isNegativeZero: Bool {
        if case .number(let value) = self { return value == 0 && value.sign == .minus }
        return false
    }
}
