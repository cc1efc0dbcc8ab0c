import Foundation
import Testing
@testable import lstm_gradcheck

/// In a GitHub Actions job (`GITHUB_ACTIONS=true`) `check` and `verify` write each failure as an
/// `::error` line on standard error as well; standard output is the same bytes as elsewhere.
/// (`verify --exec`'s annotations: ExecBatteryTests.)
@Suite struct GitHubAnnotationTests {
    static let github = ["GITHUB_ACTIONS": "true"]

    @Test func verifyAnnotatesEachCauseOfAFailingFixture() throws {
        let arguments = ["verify", "--fixture", VerifyFiles.fixture, "--grads", VerifyFiles.path("gate-swap.json")]
        let annotated = try Tool.run(arguments, environment: Self.github)
        let plain = try Tool.run(arguments, environment: ["GITHUB_ACTIONS": "false"])
        #expect(annotated.status == 1 && plain.status == 1)
        #expect(annotated.stdout == plain.stdout && plain.stderr.isEmpty)
        let lines = annotated.stderr.split(separator: "\n")
        // The fixture's own name, then the tensors of each cause and what the cause is.
        #expect(lines == ["::error title=lstm-gradcheck::verify: dWf, dbf, dWi, dbi wrong — gate-swap"], "\(annotated.stderr)")
        // A matching file: nothing to annotate.
        let right = try Tool.run(["verify", "--fixture", VerifyFiles.fixture, "--grads", VerifyFiles.path("correct.json")], environment: Self.github)
        #expect(right.status == 0 && right.stderr.isEmpty)
    }

    @Test func checkAnnotatesEachFailingMethod() throws {
        // No derivation can meet a bound of 1e-300: bptt and coursera both fail every tensor.
        let r = try Tool.run(["check", "--tolerance", "1e-300", "--fd", "none"], environment: Self.github)
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n").map(String.init)
        #expect(lines.map { $0.components(separatedBy: ": ")[1] } == ["bptt", "coursera"], "\(r.stderr)")
        #expect(lines.allSatisfy { $0.hasPrefix("::error title=lstm-gradcheck::default: ") && $0.contains(": Wf, bf, Wi, bi, Wc, bc, Wo, bo, Wy, ") && $0.contains(" wrong — relative error up to ") }, "\(r.stderr)")
        #expect(try Tool.run(["check"], environment: Self.github).stderr.isEmpty)
    }

    @Test func messagesAreEscapedAsWorkflowCommandsRequire() {
        #expect(GitHubAnnotations.escape("100% of a\r\nb\nc") == "100%25 of a%0D%0Ab%0Ac")
        #expect(GitHubAnnotations.error(fixture: "T_x 1", "dWf wrong — sign") == "::error title=lstm-gradcheck::T_x 1: dWf wrong — sign")
    }
}
