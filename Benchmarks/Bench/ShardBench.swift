import Foundation

/// The large network's numerical gradient split in three as a CI matrix or a Slurm array runs it:
/// `grads --method numerical --shard k/3` for k = 1…3 one after another (2 threads each), then
/// `merge` of the three parts, byte-compared with one unsharded run; for each CLI build given,
/// on its kernel path (`kernels`, as `run` takes it).
/// Wall and CPU time of each process; the shards' CPU times show the balance (a loaded machine
/// stretches wall times, CPU times less so).
func shardSection(_ clis: [(label: String, cli: String, kernels: String?)]) {
    guard !clis.isEmpty else { return }
    print("\nSharded numerical check, large network: `grads --method numerical --shard k/3`, k = 1…3 one after another")
    print("(2 threads each), then `merge` of the three parts, against one unsharded `grads --method numerical` (2 threads)")
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-bench-shards-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    for (label, cli, kernels) in clis {
        let command = cliNumerical("large", threads: 2)
        let whole = run(cli, command, kernels: kernels)
        var shards: [(seconds: Double, cpu: Double)] = [], paths: [String] = []
        for k in 1...3 {
            let part = run(cli, command + ["--shard", "\(k)/3"], kernels: kernels)
            let path = scratch.appendingPathComponent("\(label)-part-\(k).json").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(part.output.utf8))
            shards.append((part.seconds, part.cpu))
            paths.append(path)
        }
        let merged = run(cli, ["merge"] + paths, kernels: kernels)
        let same = !whole.output.isEmpty && merged.output == whole.output
        let sum = shards.reduce(0) { $0 + $1.seconds }
        print("\(pad(label + ":", 10))unsharded \(format(whole.seconds)) (CPU \(format(whole.cpu)));"
              + " shards \(shards.map { format($0.seconds) }.joined(separator: " + ")) = \(format(sum))"
              + " (CPU \(shards.map { format($0.cpu) }.joined(separator: ", ")));"
              + " merge \(format(merged.seconds)); merged \(same ? "= unsharded, byte for byte ✓" : "≠ unsharded ✗")")
    }
}

/// `lstm-gradcheck-bench shards --cli PATH [--native-cli PATH]`: this section alone.
func childShards(_ args: [String]) {
    func value(_ flag: String) -> String? { args.firstIndex(of: flag).flatMap { args.indices.contains($0 + 1) ? args[$0 + 1] : nil } }
    shardSection([("portable", value("--cli")), ("native", value("--native-cli"))].compactMap { l, c in c.map { (l, $0, nil) } })
}
