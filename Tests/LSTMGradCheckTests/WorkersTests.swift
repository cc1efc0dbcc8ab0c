import Testing
@testable import LSTMGradCheck

@Suite struct WorkersTests {
    /// Work begun early and taken by whichever thread comes first still gives every piece's
    /// result once, in order, on any thread count, including when the caller asks at once.
    @Test(arguments: [1, 2, 4])
    func startedWorkGivesEveryResultInOrder(_ threads: Int) {
        let started = Workers.Started(40, threads: threads) { $0 * $0 }
        #expect(started.results() == (0..<40).map { $0 * $0 })
        #expect(Workers.Started(1, threads: threads) { $0 + 7 }.results() == [7])
        #expect(Workers.Started(0, threads: threads) { $0 }.results().isEmpty)
    }
}
