import Dispatch
import LSTMGradCheck

/// `make bench`: medians of repeated runs, measured in one process so ratios are fair.
/// Timed here and never in a unit test, since the machines are noisy.

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(runs: Int, _ body: () -> Void) -> Double {
    let times = (0..<runs).map { _ in seconds(body) }.sorted()
    return times[times.count / 2]
}

func format(_ s: Double) -> String {
    s < 1e-3 ? "\(Int((s * 1e6).rounded())) µs" : s < 1 ? "\(Double(Int(s * 1e5)) / 100) ms" : "\(Double(Int(s * 100)) / 100) s"
}

let networks: [(String, LSTMDims, Int)] = [
    ("default", LSTMDims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10), 21),
    ("medium", LSTMDims(n_x: 16, n_a: 32, n_y: 10, steps: 20, batch: 4), 11),
    ("large", LSTMDims(n_x: 32, n_a: 64, n_y: 32, steps: 50, batch: 8), 5),
]

print("lstm-gradcheck benchmark: medians, one process, release build")
print("network   elements   bptt f+b    coursera f+b   per-step f+b   full numerical check")
for (name, d, runs) in networks {
    let p = LSTMProblem.random(d, seed: 1)
    let elements = p.inputKeys.reduce(0) { $0 + p.tensor($1).count }
    let routes = [LSTMMethod.bptt, .coursera, .perStep].map { m in median(runs: runs) { _ = m.compute(p) } }
    // Element by element the full check on large takes minutes; it is timed once the
    // batched kernels land, and skipped here until then.
    let numerical = name == "large" ? nil : median(runs: 3) { _ = FiniteDifferences.central(p) }
    let cells = [name.padding(toLength: 9, withPad: " ", startingAt: 0), "\(elements)".padding(toLength: 10, withPad: " ", startingAt: 0)]
        + routes.map { format($0).padding(toLength: 14, withPad: " ", startingAt: 0) } + [numerical.map(format) ?? "(skipped)"]
    print(cells.joined(separator: " "))
}
