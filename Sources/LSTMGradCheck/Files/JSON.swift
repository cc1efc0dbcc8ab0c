/// A parsed JSON document. Objects keep their members' order (the writer reproduces it).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])
}

/// One `"key": value` pair of an object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: JSONValue

    public init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

extension JSONValue {
    /// Member lookup for objects (first member with that key); nil otherwise.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A short noun phrase for error messages: "a number", "an array of 3", "an empty array",
    /// "an object", "a string", "true", "false", "null".
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .number: "a number"
        case .string: "a string"
        case .array(let elements): elements.isEmpty ? "an empty array" : "an array of \(elements.count)"
        case .object: "an object"
        }
    }
}

/// A syntax error with its 1-based line and column, what the grammar wanted there and what
/// stood there instead, and the key path of the place.
///
/// Columns count Unicode scalars, so a tab or an `é` is one column. Lines end at
/// `\n`, `\r\n` or `\r`. A leading byte order mark is not a column.
public struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    /// What should have been there: `a JSON value`, `',' or ']' after an array element`.
    public var expected: String
    /// What was there instead: `'x'`, `the end of the file`, `NaN`.
    public var found: String
    /// Where in the document, as error messages name keys: `parameters.Wf[1][2]` for the
    /// value being read, the enclosing array or object's path for an error between values;
    /// empty at the top level.
    public var path: String
    /// Whether the text is a number no Double holds finitely (`NaN`, `Infinity`, `-Infinity`,
    /// `1e400`): the file is well formed but for a value JSON has no place for, at `path`.
    public var isNonFinite: Bool

    public init(line: Int, column: Int, expected: String, found: String, path: String = "", isNonFinite: Bool = false) {
        self.line = line
        self.column = column
        self.expected = expected
        self.found = found
        self.path = path
        self.isNonFinite = isNonFinite
    }

    /// `expected …, found …`.
    public var message: String { "expected \(expected), found \(found)" }

    /// `line L, column C: expected …, found …`.
    public var description: String { "line \(line), column \(column): \(message)" }
}

public enum JSON {
    /// Parses one RFC 8259 JSON document.
    ///
    /// Numbers become the nearest Double; one that overflows to ±infinity is an error,
    /// underflow to zero is not, and `-0` is -0.0. `NaN`, `Infinity` and `-Infinity` (which
    /// Python's `json.dump` writes) are errors that say so (`isNonFinite`). Duplicate object
    /// keys, containers nested deeper than `maxDepth`, unpaired surrogate escapes, raw control
    /// characters in strings and invalid UTF-8 are errors. Every error says what was expected,
    /// what was found and the key path where (`JSONSyntaxError`). A leading UTF-8 byte order mark is skipped. Never
    /// recurses, so no input can exhaust the stack.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 512) throws(JSONSyntaxError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    /// Parses the UTF-8 form of `text`; see `parse(_:maxDepth:)` for `[UInt8]`.
    public static func parse(_ text: String, maxDepth: Int = 512) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parse(buffer: $0, maxDepth: maxDepth) }.get()
    }

    /// Serialises deterministically: the same value gives the same text on every machine,
    /// and `parse` gives the value back with every Double bit for bit.
    ///
    /// Integral numbers below 2^53 in magnitude print as integers (`3`, `-12`), except -0.0
    /// which prints `-0.0`; other numbers print as the shortest text that round-trips
    /// (`0.1`, `1e-10`, `2.5e+20`); a non-finite number prints `null`. Strings escape `"`,
    /// `\` and control characters and keep everything else as UTF-8.
    ///
    /// `pretty: false` gives one line without spaces. `pretty: true` indents by two spaces
    /// with one element or member per line, except that a non-empty array holding only
    /// numbers, booleans and nulls stays on one line (`[1, 2.5, -3]`), so a matrix prints
    /// one row per line. No trailing newline.
    public static func serialize(_ value: JSONValue, pretty: Bool = true) -> String {
        var writer = Writer(pretty: pretty)
        writer.write(value, depth: 0)
        return String(decoding: writer.out, as: UTF8.self)
    }

    // A Result rather than a typed throw, because the buffer accessors' closures only rethrow `any Error`.
    private static func parse(buffer: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> Result<JSONValue, JSONSyntaxError> {
        var parser = Parser(bytes: buffer, maxDepth: maxDepth)
        do throws(Failure) {
            return .success(try parser.parseDocument())
        } catch {
            return .failure(error.located(in: buffer, path: parser.path))
        }
    }
}

// MARK: - Reading

private enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let upperE: UInt8 = 0x45
    static let openBracket: UInt8 = 0x5B
    static let backslash: UInt8 = 0x5C
    static let closeBracket: UInt8 = 0x5D
    static let lowerE: UInt8 = 0x65
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
}

private let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

/// 10^0 ... 10^22: the powers of ten a Double holds exactly.
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

/// A syntax error at a byte offset; turned into a line and column only when reported.
private struct Failure: Error {
    var offset: Int
    var expected: String
    var found: String
    var isNonFinite = false

    func located(in bytes: UnsafeBufferPointer<UInt8>, path: String) -> JSONSyntaxError {
        var line = 1
        var column = 1
        var previous: UInt8 = 0
        let start = bytes.starts(with: byteOrderMark) ? byteOrderMark.count : 0
        for byte in bytes[start..<max(start, min(offset, bytes.count))] {
            switch byte {
            case ASCII.newline where previous == ASCII.carriageReturn:
                break
            case ASCII.newline, ASCII.carriageReturn:
                line += 1
                column = 1
            case 0x80...0xBF:
                break // a continuation byte belongs to the scalar already counted
            default:
                column += 1
            }
            previous = byte
        }
        return JSONSyntaxError(line: line, column: column, expected: expected, found: found, path: path, isNonFinite: isNonFinite)
    }
}

/// An array or object still being read.
private struct Container {
    let isObject: Bool
    var elements: [JSONValue] = []
    var members: [JSONMember] = []
    /// The key whose value is being read.
    var key = ""
    /// The keys of a large object, for duplicate detection; empty while a scan is cheaper.
    var keys: Set<String> = []

    /// This container's part of a key path while its current element or member is read:
    /// `[3]`, or `.key` (`key` alone at the top level).
    func component(first: Bool) -> String {
        isObject ? (first ? key : "." + key) : "[\(elements.count)]"
    }

    /// Objects with fewer members than this are checked for duplicates by scanning.
    static let scanLimit = 16

    /// Records `key` as the next member's key; false if the object already has it.
    mutating func claim(_ key: String) -> Bool {
        self.key = key
        if members.count < Self.scanLimit {
            return !members.contains { $0.key == key }
        }
        if keys.isEmpty {
            keys = Set(members.map(\.key))
        }
        return keys.insert(key).inserted
    }
}

private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var index = 0
    /// Reused for strings that contain escapes.
    var scratch: [UInt8] = []
    /// The containers open around `index`, outermost first.
    var stack: [Container] = []
    /// Whether the innermost container's current element or member is being read (rather
    /// than its key, or the separator after it).
    var inSlot = false

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// The key path of `index` (`JSONSyntaxError.path`): the slots of the open containers, the
    /// innermost one's only while its value is read; past 16 levels, the first 16 and `…`.
    var path: String {
        let open = inSlot ? stack.count : stack.count - 1
        guard open > 0 else { return "" }
        let shown = stack[0..<min(open, 16)].enumerated().map { $1.component(first: $0 == 0) }.joined()
        return open > 16 ? shown + "…" : shown
    }

    mutating func parseDocument() throws(Failure) -> JSONValue {
        if bytes.starts(with: byteOrderMark) { index = byteOrderMark.count }
        let start = index
        skipWhitespace()
        guard index < bytes.count else {
            throw Failure(offset: index, expected: "a JSON value", found: bytes[start...].isEmpty ? "an empty file" : "only whitespace")
        }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw failure(expected: "the end of the document") }
        return value
    }

    /// Reads one value with an explicit stack of open containers (`stack`) instead of recursion.
    mutating func parseValue() throws(Failure) -> JSONValue {
        while true {
            // Here a value starts at `index` (whitespace skipped).
            inSlot = true
            var value: JSONValue
            switch current {
            case ASCII.openBracket?:
                if try opensEmpty(depth: stack.count, closedBy: ASCII.closeBracket) {
                    value = .array([])
                } else {
                    stack.append(Container(isObject: false))
                    continue
                }
            case ASCII.openBrace?:
                if try opensEmpty(depth: stack.count, closedBy: ASCII.closeBrace) {
                    value = .object([])
                } else {
                    stack.append(Container(isObject: true))
                    inSlot = false
                    try parseKey(into: stack.count - 1, expecting: "a string key or '}'")
                    continue
                }
            case ASCII.quote?:
                value = .string(try parseString())
            case ASCII.minus?, (ASCII.zero...ASCII.nine)?:
                value = .number(try parseNumber())
            case UInt8(ascii: "t")? where matches("true"):
                index += 4
                value = .bool(true)
            case UInt8(ascii: "f")? where matches("false"):
                index += 5
                value = .bool(false)
            case UInt8(ascii: "n")? where matches("null"):
                index += 4
                value = .null
            default:
                if let token = nonFiniteToken() { throw nonFinite(token) }
                throw failure(expected: "a JSON value")
            }

            // Hand the finished value to its container, closing every container it completes.
            while let top = stack.indices.last {
                inSlot = false
                skipWhitespace()
                if stack[top].isObject {
                    stack[top].members.append(JSONMember(stack[top].key, value))
                    if current == ASCII.comma {
                        try stepPastComma(before: ASCII.closeBrace)
                        try parseKey(into: top, expecting: "a string key")
                        break
                    }
                    guard current == ASCII.closeBrace else { throw failure(expected: "',' or '}' after an object member") }
                    index += 1
                    value = .object(stack.removeLast().members)
                } else {
                    stack[top].elements.append(value)
                    if current == ASCII.comma {
                        try stepPastComma(before: ASCII.closeBracket)
                        break
                    }
                    guard current == ASCII.closeBracket else { throw failure(expected: "',' or ']' after an array element") }
                    index += 1
                    value = .array(stack.removeLast().elements)
                }
            }
            if stack.isEmpty {
                inSlot = false
                return value
            }
        }
    }

    /// Steps past the `[` or `{` at `index`, opened inside `depth` containers (at most
    /// `maxDepth`), and the whitespace after it; when `close` follows, past that too: true for
    /// an empty container.
    mutating func opensEmpty(depth: Int, closedBy close: UInt8) throws(Failure) -> Bool {
        guard depth < maxDepth else { throw tooDeep() }
        index += 1
        skipWhitespace()
        guard current == close else { return false }
        index += 1
        return true
    }

    /// Steps past the comma at `index` and the whitespace after it; `close` right after it is
    /// a trailing comma, refused at the comma.
    mutating func stepPastComma(before close: UInt8) throws(Failure) {
        let comma = index
        index += 1
        skipWhitespace()
        if current == close {
            let what = close == ASCII.closeBracket ? "element" : "member"
            throw Failure(offset: comma, expected: "another \(what) after ','", found: "'\(Character(UnicodeScalar(close)))' (JSON allows no trailing comma)")
        }
    }

    /// Reads `"key" :` of the object `stack[top]` and the whitespace after it, rejecting a key
    /// the object already has.
    mutating func parseKey(into top: Int, expecting expectation: String) throws(Failure) {
        guard current == ASCII.quote else { throw failure(expected: expectation) }
        let start = index
        let key = try parseString()
        guard stack[top].claim(key) else {
            throw Failure(offset: start, expected: "each key once in an object", found: "\(JSON.serialize(.string(key))) a second time")
        }
        skipWhitespace()
        guard current == ASCII.colon else { throw failure(expected: "':' after the key \(JSON.serialize(.string(key)))") }
        index += 1
        skipWhitespace()
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.space, ASCII.newline, ASCII.carriageReturn, ASCII.tab: index += 1
            default: return
            }
        }
    }

    func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        return literal.withUTF8Buffer { $0.elementsEqual(bytes[index..<index + count]) }
    }

    /// An error at `index`: `expected`, and what is there (`foundHere`), except that a byte
    /// which does not start valid UTF-8 is reported as such.
    func failure(expected: String) -> Failure {
        if let byte = current, byte >= 0x80, utf8SequenceLength(at: index) == nil {
            return invalidUTF8(at: index)
        }
        return Failure(offset: index, expected: expected, found: foundHere)
    }

    func invalidUTF8(at offset: Int) -> Failure {
        Failure(offset: offset, expected: "UTF-8 text", found: "the byte 0x\(hex(UInt32(bytes[offset]), digits: 2)), which is not UTF-8")
    }

    func tooDeep() -> Failure {
        Failure(offset: index, expected: "arrays and objects nested at most \(maxDepth) levels deep", found: "deeper nesting")
    }

    /// What stands at `index`, for an error: `the end of the file`, a word or number as a
    /// whole (`'True'`, `'+1'`), else one character (`'x'`, `U+0000` for a control character).
    var foundHere: String {
        guard let byte = current else { return "the end of the file" }
        func isWordByte(_ b: UInt8) -> Bool {
            (ASCII.zero...ASCII.nine).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b | 0x20)
                || b == UInt8(ascii: "_") || b == ASCII.plus || b == ASCII.minus || b == ASCII.dot
        }
        if isWordByte(byte) {
            var end = index
            while end < bytes.count, end - index < 24, isWordByte(bytes[end]) { end += 1 }
            let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
            let more = end < bytes.count && isWordByte(bytes[end]) ? "…" : ""
            switch word {
            case "True", "False", "None": return "'\(word)' (JSON writes true, false and null)"
            default: return "'\(word)\(more)'"
            }
        }
        switch byte {
        case UInt8(ascii: "'"): return "a single quote (JSON strings are in double quotes)"
        case ASCII.slash: return "'/' (JSON has no comments)"
        case 0..<0x20, 0x7F: return scalarName(UInt32(byte))
        case 0x80...:
            guard let length = utf8SequenceLength(at: index) else { return "the byte 0x\(hex(UInt32(byte), digits: 2))" }
            return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<index + length]), as: UTF8.self) + "'"
        default: return "'\(Character(UnicodeScalar(byte)))'"
        }
    }

    /// `NaN`, `Infinity`, `-Infinity` (Python's `json.dump`), or `nan`, `inf` and the like, at
    /// `index` as a whole word; nil for anything else.
    func nonFiniteToken() -> String? {
        var end = index
        if end < bytes.count, bytes[end] == ASCII.minus || bytes[end] == ASCII.plus { end += 1 }
        let letters = end
        while end < bytes.count, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(bytes[end] | 0x20) { end += 1 }
        if end < bytes.count, (ASCII.zero...ASCII.nine).contains(bytes[end]) || bytes[end] == UInt8(ascii: "_") { return nil }
        let word = String(decoding: UnsafeBufferPointer(rebasing: bytes[letters..<end]), as: UTF8.self)
        guard ["nan", "inf", "infinity"].contains(word.lowercased()) else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<end]), as: UTF8.self)
    }

    /// A number no Double holds finitely, at `index`: `found` is how the file wrote it.
    func nonFinite(_ found: String) -> Failure {
        Failure(offset: index, expected: "finite numbers", found: found, isNonFinite: true)
    }

    /// The length of the well-formed UTF-8 sequence starting at `offset` (no overlongs,
    /// no surrogates, nothing above U+10FFFF), or nil.
    func utf8SequenceLength(at offset: Int) -> Int? {
        let length: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch bytes[offset] {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; second = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; second = 0x80...0x9F
        case 0xF0: length = 4; second = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; second = 0x80...0x8F
        default: return nil
        }
        guard bytes.count - offset >= length, second.contains(bytes[offset + 1]) else { return nil }
        for k in offset + 2 ..< offset + length where !(0x80...0xBF).contains(bytes[k]) {
            return nil
        }
        return length
    }

    /// Reads a string starting at its opening quote.
    mutating func parseString() throws(Failure) -> String {
        let open = index
        index += 1
        let start = index
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.quote:
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            case ASCII.backslash:
                return try parseEscapedString(open: open, start: start)
            default:
                try skipStringCharacter()
            }
        }
        throw Failure(offset: open, expected: "a '\"' closing the string", found: "the end of the file")
    }

    /// Continues `parseString` at the first backslash, building the text in `scratch`.
    mutating func parseEscapedString(open: Int, start: Int) throws(Failure) -> String {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[start..<index])
        while index < bytes.count {
            switch bytes[index] {
            case ASCII.quote:
                index += 1
                return String(decoding: scratch, as: UTF8.self)
            case ASCII.backslash:
                try parseEscape()
            default:
                let from = index
                try skipStringCharacter()
                scratch.append(contentsOf: bytes[from..<index])
            }
        }
        throw Failure(offset: open, expected: "a '\"' closing the string", found: "the end of the file")
    }

    /// Steps over one unescaped character of a string.
    mutating func skipStringCharacter() throws(Failure) {
        let byte = bytes[index]
        if byte < 0x20 {
            throw Failure(offset: index, expected: "control characters escaped in a string (\\n, \\t, \\u0000)", found: "a raw \(scalarName(UInt32(byte)))")
        }
        guard let length = utf8SequenceLength(at: index) else { throw invalidUTF8(at: index) }
        index += length
    }

    /// Reads one escape sequence at a backslash and appends its UTF-8 to `scratch`.
    mutating func parseEscape() throws(Failure) {
        let backslash = index
        guard index + 1 < bytes.count else { throw Failure(offset: backslash, expected: "an escape sequence after '\\'", found: "the end of the file") }
        let replacement: UInt8
        switch bytes[index + 1] {
        case ASCII.quote: replacement = ASCII.quote
        case ASCII.backslash: replacement = ASCII.backslash
        case ASCII.slash: replacement = ASCII.slash
        case UInt8(ascii: "b"): replacement = 0x08
        case UInt8(ascii: "f"): replacement = 0x0C
        case UInt8(ascii: "n"): replacement = ASCII.newline
        case UInt8(ascii: "r"): replacement = ASCII.carriageReturn
        case UInt8(ascii: "t"): replacement = ASCII.tab
        case UInt8(ascii: "u"):
            try parseUnicodeEscape()
            return
        default:
            let shown = bytes[index + 1] < 0x80 && bytes[index + 1] >= 0x20 ? "'\\\(Character(UnicodeScalar(bytes[index + 1])))'" : "'\\' and \(foundAfterBackslash)"
            throw Failure(offset: backslash, expected: "an escape sequence: \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX", found: shown)
        }
        scratch.append(replacement)
        index += 2
    }

    /// Reads `\uXXXX`, or a surrogate pair of them, at a backslash.
    mutating func parseUnicodeEscape() throws(Failure) {
        let backslash = index
        guard let unit = hexQuad(at: index + 2) else {
            let shown = String(decoding: bytes[index..<min(bytes.count, index + 6)].prefix { $0 >= 0x20 && $0 < 0x80 && $0 != ASCII.quote }, as: UTF8.self)
            throw Failure(offset: backslash, expected: "four hex digits after \\u", found: "'\(shown)'")
        }
        index += 6
        var scalar = unit
        switch unit {
        case 0xD800...0xDBFF:
            guard index + 1 < bytes.count, bytes[index] == ASCII.backslash, bytes[index + 1] == UInt8(ascii: "u"),
                  let low = hexQuad(at: index + 2), (0xDC00...0xDFFF).contains(low)
            else { throw unpaired(unit, at: backslash) }
            index += 6
            scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            throw unpaired(unit, at: backslash)
        default:
            break
        }
        appendUTF8(scalar)
    }

    func unpaired(_ unit: UInt32, at offset: Int) -> Failure {
        Failure(offset: offset, expected: "a UTF-16 surrogate pair (\\uD800-\\uDBFF then \\uDC00-\\uDFFF)", found: "an unpaired surrogate \(escapeName(unit))")
    }

    /// What follows a backslash that starts no escape, when it is not printable ASCII.
    var foundAfterBackslash: String {
        let byte = bytes[index + 1]
        if byte < 0x20 || byte == 0x7F { return scalarName(UInt32(byte)) }
        guard let length = utf8SequenceLength(at: index + 1) else { return "the byte 0x\(hex(UInt32(byte), digits: 2))" }
        return "'" + String(decoding: UnsafeBufferPointer(rebasing: bytes[index + 1..<index + 1 + length]), as: UTF8.self) + "'"
    }

    /// The value of four hex digits at `offset`, or nil.
    func hexQuad(at offset: Int) -> UInt32? {
        guard offset >= 0, bytes.count - offset >= 4 else { return nil }
        var value: UInt32 = 0
        for byte in bytes[offset..<offset + 4] {
            let digit: UInt8
            switch byte {
            case ASCII.zero...ASCII.nine: digit = byte - ASCII.zero
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Appends a scalar that is known not to be a surrogate.
    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Reads a number, checking the RFC 8259 grammar before converting.
    mutating func parseNumber() throws(Failure) -> Double {
        let start = index
        let negative = bytes[index] == ASCII.minus
        if negative { index += 1 }

        // Digits go into `mantissa` until it passes 2^53, after which only the slow path is exact.
        var mantissa: UInt64 = 0
        var exponent = 0
        func isDigit(_ offset: Int) -> Bool {
            offset < bytes.count && (ASCII.zero...ASCII.nine).contains(bytes[offset])
        }
        func accumulate(_ byte: UInt8) {
            if mantissa <= 1 << 53 { mantissa = mantissa * 10 + UInt64(byte - ASCII.zero) }
        }

        guard isDigit(index) else {
            index = start
            if let token = nonFiniteToken() { throw nonFinite(token) }
            index = start + 1
            throw failure(expected: "a digit after '-'")
        }
        if bytes[index] == ASCII.zero && isDigit(index + 1) {
            var end = index
            while isDigit(end) { end += 1 }
            let written = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
            throw Failure(offset: start, expected: "a number without leading zeros", found: "'\(written)'")
        }
        while isDigit(index) {
            accumulate(bytes[index])
            index += 1
        }
        if current == ASCII.dot {
            index += 1
            guard isDigit(index) else { throw failure(expected: "a digit after '.'") }
            while isDigit(index) {
                accumulate(bytes[index])
                exponent -= 1
                index += 1
            }
        }
        if current == ASCII.lowerE || current == ASCII.upperE {
            index += 1
            let negativeExponent = current == ASCII.minus
            if current == ASCII.minus || current == ASCII.plus { index += 1 }
            guard isDigit(index) else { throw failure(expected: "a digit in the exponent") }
            var written = 0
            while isDigit(index) {
                // Capped: anything this large is out of range or zero whatever the mantissa.
                if written < 100_000 { written = written * 10 + Int(bytes[index] - ASCII.zero) }
                index += 1
            }
            exponent += negativeExponent ? -written : written
        }

        // Clinger's fast path: both operands are exact, so one IEEE operation rounds correctly.
        if mantissa <= 1 << 53 && (-22...22).contains(exponent) {
            let magnitude = exponent < 0
                ? Double(mantissa) / exactPowersOfTen[-exponent]
                : Double(mantissa) * exactPowersOfTen[exponent]
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            index = start
            throw nonFinite("\(shown), beyond Double's range")
        }
        return value
    }
}

/// `U+000A`.
private func scalarName(_ scalar: UInt32) -> String {
    "U+" + hex(scalar, digits: 4)
}

/// `\uD800`.
private func escapeName(_ unit: UInt32) -> String {
    "\\u" + hex(unit, digits: 4)
}

private func hex(_ value: UInt32, digits: Int) -> String {
    let text = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, digits - text.count)) + text
}

// MARK: - Writing

private struct Writer {
    let pretty: Bool
    var out: [UInt8] = []

    init(pretty: Bool) {
        self.pretty = pretty
    }

    mutating func write(_ value: JSONValue, depth: Int) {
        switch value {
        case .null: append("null")
        case .bool(let flag): append(flag ? "true" : "false")
        case .number(let number): append(Self.text(of: number))
        case .string(let text): writeString(text)
        case .array(let elements):
            if elements.isEmpty {
                append("[]")
            } else if pretty && elements.allSatisfy(\.isScalar) {
                out.append(ASCII.openBracket)
                for (k, element) in elements.enumerated() {
                    if k > 0 { append(", ") }
                    write(element, depth: depth + 1)
                }
                out.append(ASCII.closeBracket)
            } else {
                out.append(ASCII.openBracket)
                for (k, element) in elements.enumerated() {
                    separate(first: k == 0, depth: depth + 1)
                    write(element, depth: depth + 1)
                }
                newline(depth: depth)
                out.append(ASCII.closeBracket)
            }
        case .object(let members):
            if members.isEmpty {
                append("{}")
            } else {
                out.append(ASCII.openBrace)
                for (k, member) in members.enumerated() {
                    separate(first: k == 0, depth: depth + 1)
                    writeString(member.key)
                    append(pretty ? ": " : ":")
                    write(member.value, depth: depth + 1)
                }
                newline(depth: depth)
                out.append(ASCII.closeBrace)
            }
        }
    }

    /// The comma (unless first) and line break that precede an element or member.
    mutating func separate(first: Bool, depth: Int) {
        if !first { out.append(ASCII.comma) }
        newline(depth: depth)
    }

    mutating func newline(depth: Int) {
        guard pretty else { return }
        out.append(ASCII.newline)
        out.append(contentsOf: repeatElement(ASCII.space, count: 2 * depth))
    }

    mutating func append(_ text: String) {
        out.append(contentsOf: text.utf8)
    }

    mutating func writeString(_ text: String) {
        out.append(ASCII.quote)
        for byte in text.utf8 {
            switch byte {
            case ASCII.quote: append("\\\"")
            case ASCII.backslash: append("\\\\")
            case ASCII.newline: append("\\n")
            case ASCII.carriageReturn: append("\\r")
            case ASCII.tab: append("\\t")
            case 0x08: append("\\b")
            case 0x0C: append("\\f")
            case 0..<0x20: append("\\u" + hex(UInt32(byte), digits: 4).lowercased())
            default: out.append(byte)
            }
        }
        out.append(ASCII.quote)
    }

    /// Swift's `description` is the shortest round-tripping text and always valid JSON
    /// for finite values (`1e-05`, `2.5e+20`, `9007199254740992.0`); only small integers
    /// are shortened further.
    static func text(of number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == 0 { return number.sign == .minus ? "-0.0" : "0" }
        if number.magnitude < 9_007_199_254_740_992, number.rounded(.towardZero) == number {
            return String(Int64(number))
        }
        return number.description
    }
}

extension JSONValue {
    /// Numbers, booleans and null: the elements that keep a pretty array on one line.
    fileprivate var isScalar: Bool {
        switch self {
        case .null, .bool, .number: true
        case .string, .array, .object: false
        }
    }
}
