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
