import Dispatch
import Foundation

/// How a long computation runs: on how many threads, whom it tells how far it got, and
/// when it gives up. The results never depend on `threads`.
public struct RunControl: Sendable {
    /// Worker threads (at least 1).
    public var threads: Int
    /// Stop once this instant has passed (`--budget`).
    public var deadline: ContinuousClock.Instant?
    /// `done` of `total` units of work of `phase` (one unit: one batch column through one time
    /// step), after each piece of work; within a phase `done` only grows, and each phase counts
    /// from 0 again. Called on a worker thread, never concurrently with itself.
    public var progress: (@Sendable (_ phase: Phase, _ done: Int, _ total: Int) -> Void)?
    /// What the run is computing now: each computation the library offers sets it at its start
    /// (`during(_:)`), so `progress` can say what it measures.
    public var phase: Phase = .finiteDifferences
    /// Polled between time steps of every piece of work: true stops the run within one step
    /// (SIGINT). Called on worker threads, possibly concurrently.
    public var isCancelled: (@Sendable () -> Bool)?

    public init(threads: Int = RunControl.allCores, deadline: ContinuousClock.Instant? = nil,
                progress: (@Sendable (_ phase: Phase, _ done: Int, _ total: Int) -> Void)? = nil,
                isCancelled: (@Sendable () -> Bool)? = nil) {
        self.threads = threads
        self.deadline = deadline
        self.progress = progress
        self.isCancelled = isCancelled
    }

    /// The cores this process may run on.
    public static var allCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// The same control, reporting its progress as `phase`.
    func during(_ phase: Phase) -> RunControl {
        var control = self
        control.phase = phase
        return control
    }

    /// Why the run should stop now, if it should.
    func stopReason() -> StopReason? {
        if isCancelled?() == true { return .cancelled }
        if let deadline, ContinuousClock.now >= deadline { return .deadline }
        return nil
    }
}

/// The computations a run reports progress for, each with the words a person sees.
public enum Phase: Sendable, Equatable, CaseIterable {
    /// Forward-mode derivatives of every element (`ExactGradient`).
    case exactReference
    /// The finite differences of every element (or of a shard's).
    case finiteDifferences
    /// The second differences, at twice the step, of the elements whose error needs estimating.
    case errorEstimates
    /// Central differences of `--sample`'s elements (`GradCheck.sampled`).
    case sampledCheck
    /// Directional derivatives probing each tensor (`ProjectionCheck`).
    case projectionCheck

    public var label: String {
        switch self {
        case .exactReference: return "exact reference"
        case .finiteDifferences: return "finite differences"
        case .errorEstimates: return "error estimates"
        case .sampledCheck: return "sampled check"
        case .projectionCheck: return "projection check"
        }
    }
}

/// Why a run ended before its work did.
public enum StopReason: String, Sendable, Equatable {
    /// `RunControl.isCancelled` returned true.
    case cancelled
    /// `RunControl.deadline` passed.
    case deadline
}

/// A run that `RunControl` stopped: why, and how far it got (in `RunControl.progress` units).
public struct Interruption: Error, Sendable, Equatable {
    public var reason: StopReason
    public var done: Int
    public var total: Int
}

/// Pieces of work handed out in order to a few threads.
enum Workers {
    /// Runs `body(piece, state, shouldStop)` for each piece in `0 ..< costs.count`, taken in
    /// order by up to `control.threads` threads, each with its own `makeState()`. `body` returns
    /// false when it gave up midway because `shouldStop()` said so. Returns which pieces
    /// finished and, if the run was stopped, why.
    static func run<State>(costs: [Int], control: RunControl, makeState: @Sendable () -> State,
                           body: @Sendable (_ piece: Int, _ state: State, _ shouldStop: () -> Bool) -> Bool)
        -> (finished: [Bool], stop: StopReason?) {
        let total = costs.reduce(0, +)
        let shared = Shared(total: total)
        var finished = [Bool](repeating: false, count: costs.count)
        let progress = control.progress, phase = control.phase
        @Sendable func shouldStop() -> Bool {
            if shared.stopped != nil { return true }
            guard let reason = control.stopReason() else { return false }
            shared.stop(reason)
            return true
        }
        finished.withUnsafeMutableBufferPointer { flags in
            nonisolated(unsafe) let flags = flags   // each piece's flag is written by the one thread that ran it
            let threads = min(max(control.threads, 1), costs.count)
            @Sendable func work(_: Int) {
                let state = makeState()
                while let piece = shared.next(count: costs.count) {
                    guard !shouldStop(), body(piece, state, shouldStop) else { return }
                    flags[piece] = true
                    shared.finish(costs[piece]) { progress?(phase, $0, $1) }
                }
            }
            if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
        }
        return (finished, shared.stopped)
    }

    /// `body(i)` for every i in `0 ..< count`, begun at once: another thread takes the pieces in
    /// order while the caller goes on, and `results()` has the caller take those still waiting
    /// before it waits for the rest (with `threads` 1 the caller takes them all, in `results()`).
    /// Nothing stops the run; the results are in order, whatever thread ran them.
    final class Started<T: Sendable>: @unchecked Sendable {   // `next` and `done` behind `lock`
        private let body: @Sendable (Int) -> T
        private let lock = NSLock()
        private var next = 0
        private var done: [T?]
        private let helper = DispatchGroup()

        init(_ count: Int, threads: Int, _ body: @escaping @Sendable (Int) -> T) {
            self.body = body
            done = Array(repeating: nil, count: count)
            if threads > 1 && count > 1 { DispatchQueue.global().async(group: helper) { self.takePieces() } }
        }

        private func takePieces() {
            while let i = lock.withLock({ () -> Int? in
                guard next < done.count else { return nil }
                next += 1
                return next - 1
            }) {
                let result = body(i)
                lock.withLock { done[i] = result }
            }
        }

        func results() -> [T] {
            takePieces()
            helper.wait()
            return lock.withLock { done.compactMap { $0 } }   // every piece has run
        }
    }

    /// The counters the workers share, behind one lock.
    private final class Shared: @unchecked Sendable {   // every field behind `lock`
        private let lock = NSLock()
        private var taken = 0, done = 0
        private var reason: StopReason?
        let total: Int

        init(total: Int) { self.total = total }

        var stopped: StopReason? { lock.withLock { reason } }

        func stop(_ r: StopReason) { lock.withLock { if reason == nil { reason = r } } }

        func next(count: Int) -> Int? {
            lock.withLock {
                guard taken < count else { return nil }
                taken += 1
                return taken - 1
            }
        }

        /// Progress is reported under the lock, so calls are serial and `done` grows.
        func finish(_ cost: Int, _ progress: (_ done: Int, _ total: Int) -> Void) {
            lock.withLock {
                done += cost
                progress(done, total)
            }
        }
    }
}
