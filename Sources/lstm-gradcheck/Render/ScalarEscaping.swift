extension String {
    /// The string with each Unicode scalar `replacement` names replaced by what it gives (nil:
    /// kept). Scalar by scalar, not by `Character`: a `Character` joins CR LF into one, and an
    /// escaping must see the CR and the LF.
    func replacingScalars(_ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        for scalar in unicodeScalars {
            if let r = replacement(scalar) { out += r } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
