import Foundation
import Testing

/// The JSON report of a reporting command (`ReportEnvelope`; docs/schemas/report.schema.json
/// describes it), read back: the envelope, and the fixtures' entries in it.
enum ReportJSON {
    static func document(_ stdout: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "not a JSON object: \(stdout.prefix(200))")
    }

    /// Every fixture's entry, in order.
    static func fixtures(_ stdout: String) throws -> [[String: Any]] {
        try #require(try document(stdout)["fixtures"] as? [[String: Any]])
    }

    /// The entry of a run over one fixture.
    static func entry(_ stdout: String) throws -> [String: Any] {
        let entries = try fixtures(stdout)
        try #require(entries.count == 1, "\(entries.count) fixture entries")
        return entries[0]
    }
}
