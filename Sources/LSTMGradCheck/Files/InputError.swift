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

    /// `key` is not among `known`: names the closest known key when one is near (`suggestion`:
    /// a case variant, at most two edits away, or an abbreviation such as `params`).
    /// `note`, when given, is said instead of the closest key (`these are the pytorch layout's
    /// names…`: a file in another layout, whose keys are not slips).
    static func unknownKey(_ key: String, in known: [String], source: String, what: String, keyPrefix: String = "",
                           note: String? = nil) -> InputError {
        let hint = note.map { " (\($0))" } ?? didYouMean(key, in: known)
        return InputError(source: source, key: keyPrefix + key,
                          expected: "a known \(what): one of \(known.joined(separator: ", "))", found: "an unknown key\(hint)")
    }

    /// ` (did you mean "n_x"?)` when `suggestion` finds a known name near `word`, else empty.
    static func didYouMean(_ word: String, in known: [String]) -> String {
        suggestion(word, in: known).map { " (did you mean \"\($0)\"?)" } ?? ""
    }

    /// The known name a mistyped `word` is most likely a slip for: the `closest` one, else the
    /// only one that `word` abbreviates (`params` for `parameters`, `desc` for `description`:
    /// three letters or more, the same first letter, every letter in order).
    static func suggestion(_ word: String, in known: [String]) -> String? {
        if let near = closest(word, in: known) { return near }
        let letters = Array(word.lowercased())
        guard letters.count >= 3 else { return nil }
        let abbreviated = known.filter { name in
            let name = Array(name.lowercased())
            guard name.count > letters.count, name.first == letters.first else { return false }
            var k = 0
            for c in name where k < letters.count && c == letters[k] { k += 1 }
            return k == letters.count
        }
        return abbreviated.count == 1 ? abbreviated[0] : nil
    }

    /// The known name nearest to `key`, if it is near enough to be a slip; of two as near, the
    /// one that begins with more of `key` (`Wyaa` is `Wya`'s slip before `Waa`'s).
    static func closest(_ key: String, in known: [String]) -> String? {
        if let same = known.first(where: { $0.lowercased() == key.lowercased() }) { return same }
        let lower = key.lowercased()
        let scored = known.map { ($0, editDistance($0.lowercased(), lower)) }.filter { $0.1 <= min(2, max(1, key.count / 2)) }
        func shared(_ name: String) -> Int { zip(name.lowercased(), lower).prefix { $0 == $1 }.count }
        return scored.min { $0.1 != $1.1 ? $0.1 < $1.1 : shared($0.0) > shared($1.0) }?.0
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
