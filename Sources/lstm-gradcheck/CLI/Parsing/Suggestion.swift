/// "Did you mean …?": the one known word a mistyped one is close to, if there is exactly one.
enum Suggestion {
    /// The candidate `word` is a slip of: the same but for case, the only candidate it begins
    /// (at least two letters), or the only one at the smallest edit distance when that is at
    /// most 2 (1 for words of up to three letters). Nil when nothing is close or it is a tie.
    static func closest(to word: String, in candidates: [String]) -> String? {
        guard !word.isEmpty else { return nil }
        let lower = word.lowercased()
        if let same = candidates.first(where: { $0.lowercased() == lower }) { return same }
        let prefixed = candidates.filter { $0.lowercased().hasPrefix(lower) }
        if word.count >= 2 && prefixed.count == 1 { return prefixed[0] }
        let limit = min(2, max(1, word.count / 2))
        let scored = candidates.map { ($0, editDistance($0.lowercased(), lower)) }.filter { $0.1 <= limit }
        guard let best = scored.map(\.1).min() else { return nil }
        let nearest = scored.filter { $0.1 == best }
        return nearest.count == 1 ? nearest[0].0 : nil
    }

    /// Levenshtein distance: insertions, deletions and substitutions of characters.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var diagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                diagonal = above
            }
        }
        return row[b.count]
    }
}
