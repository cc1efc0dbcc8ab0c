/// Bad input a user typed or fed us: where it is, what was expected and what
/// was found. The executable prints `description` as one line and exits 2.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file (as the user named it), or a label such as `command line`.
    public var source: String
    /// Where in the source: a JSON key path (`parameters.Wf[2]`), an array name in an
    /// archive, a flag; nil when the problem is the source as a whole.
    public var key: String?
    /// What should have been there.
    public var expected: String
    /// What was there instead, when it helps to say.
    public var found: String?

    public init(source: String, key: String? = nil, expected: String, found: String? = nil) {
        self.source = source
        self.key = key
        self.expected = expected
        self.found = found
    }

    /// `file: key: expected …, found …` on one line.
    public var description: String {
        var s = source
        if let key { s += ": \(key)" }
        s += ": expected \(expected)"
        if let found { s += ", found \(found)" }
        return s.replacingOccurrences(of: "\n", with: " ")
    }
}

extension InputError {
    /// A JSON syntax error in `source`, on one line: a number no Double holds (`NaN`,
    /// `Infinity`, `1e400`) by its key path (`parameters.Wf[1][2]: expected finite numbers,
    /// found NaN (line 1, column 169)`), anything else by its line and column, with the key path
    /// it is in (`line 3, column 7 (in parameters.Wf[1]): expected a JSON value, found ']'`).
    public init(_ error: JSONSyntaxError, source: String) {
        let place = "line \(error.line), column \(error.column)"
        if error.isNonFinite && !error.path.isEmpty {
            self.init(source: source, key: error.path, expected: error.expected, found: "\(error.found) (\(place))")
        } else {
            self.init(source: source, key: error.path.isEmpty ? place : "\(place) (in \(error.path))", expected: error.expected, found: error.found)
        }
    }

    /// `key` is not among `known`: names the closest known key when one is near (a case
    /// variant, a missing or extra `d`, or at most two edits away).
    /// `note`, when given, is said instead of the closest key (`these are the pytorch layout's
    /// names…`: a file in another layout, whose keys are not slips).
    static func unknownKey(_ key: String, in known: [String], source: String, what: String, keyPrefix: String = "",
                           note: String? = nil) -> InputError {
        let hint = note.map { " (\($0))" } ?? closest(key, in: known).map { " (did you mean \"\($0)\"?)" } ?? ""
        return InputError(source: source, key: keyPrefix + key,
                          expected: "a known \(what): one of \(known.joined(separator: ", "))", found: "an unknown key\(hint)")
    }

    /// The known name nearest to `key`, if it is near enough to be a slip.
    static func closest(_ key: String, in known: [String]) -> String? {
        if let same = known.first(where: { $0.lowercased() == key.lowercased() }) { return same }
        let scored = known.map { ($0, editDistance($0.lowercased(), key.lowercased())) }.filter { $0.1 <= min(2, max(1, key.count / 2)) }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// Levenshtein distance.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
