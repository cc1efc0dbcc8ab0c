import LSTMGradCheck

/// The exact reference alone, as `lstm-gradcheck` runs it: forward mode on every input
/// element, on `threads` threads. Prints the in-process time and its rate; the whole-process
/// time is the parent's to take.
func childExact(_ name: String, threads: Int) {
    let d = dims(name), p = Problem<LSTM, Double>.random(d, seed: 1)
    var count = 0
    let t = seconds { count = (try? ExactGradient.gradients(p, control: RunControl(threads: threads)))?.inputs.count ?? 0 }
    sink &+= count
    print("exact \(t) \(exactFlops(d) / t / 1e9)")
}

/// Multiply-adds of the products in forward mode by batched tangents: those of the batched
/// central differences with one column per element where they take two (±h).
func exactFlops(_ d: Dims) -> Double { checkFlops(d) / 2 }

/// The exact reference's whole-process wall time for each network, on 1 and 2 threads (medians
/// of several runs; one for large), as table cells.
func exactReferenceCells(_ executable: String, _ names: [String], kernels: String? = nil, skips: Set<String> = []) -> [String] {
    names.map { name in
        if skips.contains(name) { return "—" }
        let runs = name == "large" ? 1 : 5
        let times = [1, 2].map { threads in median((0..<runs).map { _ in run(executable, ["exact", name, "\(threads)"], kernels: kernels).seconds }) }
        return String(format: "%@ / %@", format(times[0]), format(times[1]))
    }
}
