import BenchPeak
import CKernels
import Dispatch
import Foundation
import LSTMGradCheck

/// `make bench`: one table for the default release build on the widest kernel path this CPU
/// has, one for the same binary held to the baseline path (`LSTM_GRADCHECK_KERNELS=baseline`:
/// what a CPU without AVX2 and FMA gets, on the small network alone) and,
/// given `--native PATH`, one for a build with `-target-cpu native`.
/// Whole-process times come from running the CLI built the same way (`grads --method
/// numerical`, central differences of every element as the peers run them; `check --reference
/// numerical`, which adds ±2h for each element's error estimate and decides every route; and
/// the default check, of the built-in network and of each benchmark network); in-process
/// medians from children of this program (`measure NAME`), so each build times its own code.
/// The peers run in the same process tree, each skipped when python3 lacks it: NumPy's loop
/// (`numpy_check.py`) and JAX's jitted finite differences (`jax_fd.py`, medium and large);
/// the ratios to them are the figures to quote, with the CPU printed at the top.
/// Timed here and never in a unit test: the machines are shared and noisy, so every figure
/// is a median and the clock is measured beside the kernels.

// MARK: Networks and measurement

let allNetworks: [(name: String, dims: Dims)] = [
    ("small", Dims(n_x: 3, n_a: 5, n_y: 2, steps: 7, batch: 10)),   // the built-in default check
    ("medium", Dims(n_x: 16, n_a: 32, n_y: 10, steps: 20, batch: 4)),
    ("large", Dims(n_x: 32, n_a: 64, n_y: 32, steps: 50, batch: 8)),
]

/// The networks the tables cover: all, or those `--networks small,medium` names (the large
/// network's rows take minutes; the catalogue and shard sections run only with it).
let networks = CommandLine.arguments.firstIndex(of: "--networks").flatMap { i in
    CommandLine.arguments.indices.contains(i + 1) ? CommandLine.arguments[i + 1].split(separator: ",").map(String.init) : nil
}.map { names in allNetworks.filter { names.contains($0.name) } } ?? allNetworks

func dims(_ name: String) -> Dims { allNetworks.first { $0.name == name }!.dims }

func elements(_ d: Dims) -> Int {
    let p = Problem<LSTM, Double>.random(d, seed: 1)
    return p.inputs.reduce(0) { $0 + p.shape(of: $1).reduce(1, *) }
}

func seconds(_ body: () -> Void) -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? .nan : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}

func median(runs: Int, _ body: () -> Void) -> Double { median((0..<runs).map { _ in seconds(body) }) }

/// Where results go that nothing reads, so that the optimiser keeps the work that made them
/// (and, written from inside, keeps that work between the two reads of the timer).
nonisolated(unsafe) var sink = 0

/// A dependent chain of one-cycle integer operations: its rate is the core's clock.
@inline(never) func chain(_ n: Int, _ a: Int, _ b: Int) {
    var x = sink
    for _ in 0..<n { x = (((x &+ a) ^ b) &+ a) ^ b }
    sink = x
}

/// The fastest clock seen in this process, in GHz.
nonisolated(unsafe) var fastestClock = 0.0

/// The clock in GHz: the best of many 1 ms samples and of all taken before. A shared host
/// deschedules or throttles some samples and never speeds one up; samples this short mostly
/// fit between two preemptions.
@discardableResult func measuredClock(samples: Int = 50) -> Double {
    let a = CommandLine.arguments.count, n = 1_000_000
    for _ in 0..<samples {
        let t = seconds { chain(n, a, a &* 7919) }
        fastestClock = max(fastestClock, Double(4 * n) / t / 1e9)
    }
    return fastestClock
}

/// The CPU path the kernels take in this process, chosen as the library chooses it: the one
/// `LSTM_GRADCHECK_KERNELS` names if this CPU has it, else the widest this CPU has.
let kernelPath: Int32 = {
    if let name = ProcessInfo.processInfo.environment["LSTM_GRADCHECK_KERNELS"],
       let chosen = (0..<CK_VARIANT_COUNT).first(where: { ck_variant_name($0).map { String(cString: $0) } == name }),
       ck_variant_supported(chosen) {
        return chosen
    }
    return ck_best_variant()
}()

/// Doubles per vector on a kernel path.
func lanes(ofPath path: Int32) -> Int { path == CK_VARIANT_X86_64_V4 ? 8 : path == CK_VARIANT_X86_64_V3 ? 4 : 2 }

func instructions(ofPath path: Int32) -> String {
    let name = ck_variant_name(path).map { String(cString: $0) } ?? "?"
    #if arch(x86_64)
    let unit = path == CK_VARIANT_X86_64_V4 ? "AVX-512" : path == CK_VARIANT_X86_64_V3 ? "AVX2" : "SSE2"
    #else
    let unit = "NEON"
    #endif
    return "\(name), \(unit)"
}

/// GFLOP/s of independent multiply-add chains in registers on this process's kernel path
/// (`bp_multiply_adds`): the FP64 peak the kernels' rates are fractions of. The best of 50 runs
/// of about a millisecond, as for the clock.
func measuredPeak() -> Double {
    (0..<50).map { _ in
        var flops = 0.0
        let t = seconds { flops = bp_multiply_adds(kernelPath, 100_000) }
        return flops / t / 1e9
    }.max()!
}

/// GFLOP/s of `C += A·B` (m×k by k×n) with a packed A, the best of five, the clock sampled between.
func gemmRate(m: Int, k: Int, n: Int) -> Double {
    let a = (0..<(m * k)).map { Double($0 % 7) * 0.1 }, b = (0..<(k * n)).map { Double($0 % 5) * 0.1 }
    var c = [Double](repeating: 0, count: m * n)
    let packed = a.withUnsafeBufferPointer { PackedLHS(m: m, k: k, $0.baseAddress!, lda: k) }
    let reps = max(1, 100_000_000 / (2 * m * n * k))
    var best = 0.0
    for _ in 0..<5 {
        measuredClock(samples: 10)
        let t = seconds {
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    for _ in 0..<reps { packed.multiplyAdd(n: n, b.baseAddress!, ldb: n, c.baseAddress!, ldc: n) }
                }
            }
        }
        best = max(best, Double(2 * m * n * k * reps) / t / 1e9)
    }
    return best
}

/// Multiply-adds of the products in the batched check: per batch column per step, `W_a·a`
/// and `Wy·a`, over every perturbed trajectory.
func checkFlops(_ d: Dims) -> Double {
    let (n_a, n_x, n_y, T, m) = (Double(d.n_a), Double(d.n_x), Double(d.n_y), Double(d.steps), Double(d.batch))
    let perColumnStep = 2 * 4 * n_a * n_a + 2 * n_y * n_a
    let weights = 2 * 4 * n_a * (n_a + n_x + 1) * m * T
    let states = 2 * n_a * m * T
    let inputs = 2 * n_x * m * T * (T + 1) / 2
    return perColumnStep * (weights + states + inputs)
}

// MARK: Children

/// The CLI's sizes flags for network `name`.
func sizes(_ name: String) -> [String] {
    let d = dims(name)
    return ["--n-x", "\(d.n_x)", "--n-a", "\(d.n_a)", "--n-y", "\(d.n_y)", "--steps", "\(d.steps)", "--batch", "\(d.batch)"]
}

/// The CLI's numerical gradient of every element of network `name`: central differences ±h.
func cliNumerical(_ name: String, threads: Int) -> [String] {
    ["grads", "--method", "numerical", "--threads", "\(threads)"] + sizes(name)
}

/// The CLI's default check of network `name`: the exact reference, cross-checked by central differences.
func cliDefaultCheck(_ name: String, threads: Int) -> [String] {
    ["check", "--format", "json", "--threads", "\(threads)"] + sizes(name)
}

/// The CLI's full check of network `name` against the numerical reference, with error estimates.
func cliCheck(_ name: String, threads: Int) -> [String] {
    ["check", "--reference", "numerical", "--format", "json", "--threads", "\(threads)"] + sizes(name)
}

/// The worst relative error of a route expected to be correct in the CLI's JSON report (of one fixture).
func worstCorrect(_ report: String) -> Double {
    guard let json = try? JSON.parse(report), case .array(let fixtures)? = json["fixtures"],
          case .object(let methods)? = fixtures.first?["methods"] else { return .nan }
    var worst = 0.0
    for method in methods where method.value["expected"] == .string("correct") {
        guard case .object(let parameters)? = method.value["parameters"] else { return .nan }
        for p in parameters {
            if case .number(let e)? = p.value["relative_error"] { worst = max(worst, e) }
        }
    }
    return worst
}

/// In-process figures for one network, as `key value` lines.
func childMeasure(_ name: String) {
    let d = dims(name), p = Problem<LSTM, Double>.random(d, seed: 1)
    let runs = name == "large" ? 101 : 301
    print("bptt \(median(runs: runs) { _ = Method<LSTM>.bptt.compute(p) })")
    print("gemm \(gemmRate(m: 4 * d.n_a, k: d.n_a, n: 256))")
    print("gemmstep \(gemmRate(m: 4 * d.n_a, k: d.n_a + d.n_x, n: d.batch))")
    measuredClock()
    let t = seconds { _ = try? FiniteDifferences.central(p, control: RunControl(threads: 1)) }
    print("check1 \(t) \(checkFlops(d) / t / 1e9)")
    print("clock \(measuredClock())")
}

func childPeak() {
    print("clock \(measuredClock(samples: 500))")
    print("peak \(measuredPeak())")
    print("path \(kernelPath)")
}

/// The least-squares slope of log t against log x.
func slope(_ x: [Double], _ t: [Double]) -> Double {
    let lx = x.map(Foundation.log), lt = t.map(Foundation.log)
    let mx = lx.reduce(0, +) / Double(lx.count), mt = lt.reduce(0, +) / Double(lt.count)
    let num = zip(lx, lt).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - mt) }
    return num / lx.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
}

/// Cost against T_x (the medium network) and against the number of elements checked (large).
func childScaling() {
    let lengths = [10, 20, 40, 80]
    let byLength = lengths.map { T -> Double in
        var d = dims("medium")
        d.steps = T
        let p = Problem<LSTM, Double>.random(d, seed: 1)
        return median(runs: 3) { _ = try? FiniteDifferences.central(p, control: RunControl(threads: 1)) }
    }
    let p = Problem<LSTM, Double>.random(dims("large"), seed: 1)
    let all = p.inputs.flatMap { key in (0..<p.shape(of: key).reduce(1, *)).map { ElementID(key, $0) } }
    let counts = [250, 500, 1000, 2000]
    let byCount = counts.map { n -> Double in
        var g = SeededGenerator(seed: 9)
        let chosen = (0..<n).map { _ in all[g.index(all.count)] }
        return median(runs: 3) { _ = BatchedFiniteDifferences.central(p, elements: chosen, control: RunControl(threads: 1)) }
    }
    print("steps \(slope(lengths.map(Double.init), byLength)) \(zip(lengths, byLength).map { "\($0):\(format($1))" }.joined(separator: " "))")
    print("elements \(slope(counts.map(Double.init), byCount)) \(zip(counts, byCount).map { "\($0):\(format($1))" }.joined(separator: " "))")
}

/// Every route of the catalogue on the large network through `--sample 20` and the projection
/// check, each under a 30 s budget: which tensors each names, against those the route gets wrong.
func childCatalogue() {
    let p = Problem<LSTM, Double>.random(dims("large"), seed: 1)
    let exact = Method<LSTM>.bptt.compute(p)
    for method in LSTM.catalogue(steps: p.dims.steps) {
        let g = method.compute(p)
        let truly = exact.inputs.filter { Comparison.compare($0.name, g[$0]!, reference: exact[$0]!, tolerance: 1e-6).relativeError > 1e-6 }.map(\.name)
        var sampled: CheckReport!, projected: ProjectionCheck.Result!
        let ts = seconds { sampled = SampledCheck.run(p, candidate: g, samples: 20, control: RunControl(deadline: .now + .seconds(30))) }
        let tp = seconds { projected = ProjectionCheck.run(p, candidate: g, control: RunControl(deadline: .now + .seconds(30))) }
        let named = projected.findings.map { f in f.key.name + (f.steps.map { "[\($0.lowerBound)…\($0.upperBound)]" } ?? "") }
        print([method.name, truly.joined(separator: ","), sampled.wrong.joined(separator: ","), format(ts), sampled.stop?.rawValue ?? "-",
               named.joined(separator: ","), "\(projected.passes)", format(tp), projected.stop?.rawValue ?? "-"].joined(separator: "\t"))
    }
}

func childFixture(_ name: String, _ path: String) {
    let fixture = Fixture(name: name, network: Problem<LSTM, Double>.random(dims(name), seed: 1))
    _ = FileManager.default.createFile(atPath: path, contents: Data(JSON.serialize(try! FixtureFile.encode(fixture), pretty: false).utf8))
}

// MARK: The orchestrator

func format(_ s: Double) -> String {
    guard s.isFinite else { return "—" }
    if s < 1e-3 { return String(format: "%.0f µs", s * 1e6) }
    if s < 1 { return String(format: s < 0.01 ? "%.2f ms" : "%.1f ms", s * 1e3) }
    return String(format: s < 10 ? "%.2f s" : "%.1f s", s)
}

/// Runs `executable arguments` (no shell, standard error discarded), returning its wall time
/// (start-up and exit included), its CPU time (user + system) and its standard output.
/// posix_spawn and wait4 rather than Foundation's Process, whose wait polls every 50 ms.
/// `kernels`, if given, is the child's `LSTM_GRADCHECK_KERNELS` (its kernel path).
func run(_ executable: String, _ arguments: [String], kernels: String? = nil) -> (seconds: Double, cpu: Double, output: String) {
    var fds: [Int32] = [0, 0]
    guard pipe(&fds) == 0 else { return (.nan, .nan, "") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    var environment = ProcessInfo.processInfo.environment
    if let kernels { environment["LSTM_GRADCHECK_KERNELS"] = kernels }
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
    }
    var pid: pid_t = 0, status: Int32 = 0, usage = rusage()
    var output = [UInt8]()
    let t = seconds {
        guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { return }
        close(fds[1])
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while case let n = read(fds[0], &chunk, chunk.count), n > 0 { output += chunk[0..<n] }
        wait4(pid, &status, 0, &usage)
    }
    close(fds[0])
    if pid == 0 { close(fds[1]) }
    let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    return (pid == 0 ? .nan : t, cpu, String(decoding: output, as: UTF8.self))
}

/// A peer's script in Benchmarks/.
func peerScript(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name).path
}

/// Whether python3 can import `module` (a peer is skipped, not failed, without it).
func python3Imports(_ module: String) -> Bool {
    run("/usr/bin/env", ["python3", "-c", "import \(module); print(1)"]).output.hasPrefix("1")
}

/// A peer's quotients (`{"key": {"flat": value}}`) against the batched ones of network `name`:
/// the worst `|peer − batched| / max(|peer|, 1e-3)` and how many were compared.
func agreement(_ name: String, _ values: JSONValue?) -> String {
    guard let values else { return "—" }
    let p = Problem<LSTM, Double>.random(dims(name), seed: 1)
    var ids: [ElementID<LSTM>] = [], theirs: [Double] = []
    for key in p.inputs {
        guard case .object(let members)? = values[key.name] else { continue }
        for member in members.prefix(200) {
            if let flat = Int(member.key), case .number(let v) = member.value { ids.append(ElementID(key, flat)); theirs.append(v) }
        }
    }
    let ours = BatchedFiniteDifferences.central(p, elements: ids).values
    let worst = zip(ours, theirs).map { abs(($0 ?? .nan) - $1) / max(abs($1), 1e-3) }.max() ?? .nan
    return String(format: "%.1e (%d)", worst, ids.count)
}

func lines(_ output: String) -> [String: [Double]] {
    var out: [String: [Double]] = [:]
    for line in output.split(separator: "\n") {
        let words = line.split(separator: " ")
        if let key = words.first { out[String(key)] = words.dropFirst().compactMap { Double($0) } }
    }
    return out
}

func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }

struct Build {
    let label: String
    let path: String
    /// The lstm-gradcheck built the same way.
    let cli: String?
    /// `LSTM_GRADCHECK_KERNELS` for its children, nil for the widest path this CPU has.
    let kernels: String?
    /// Networks it is not timed on.
    var skips: Set<String> = []
    /// The kernel path its children take, as they report it.
    var kernelPath = CK_VARIANT_BASELINE
    /// The clock, and the multiply-add rate measured on the path (GFLOP/s).
    var ghz = 0.0, measured = 0.0
    var isa: String { instructions(ofPath: kernelPath) }
    /// FP64 operations per cycle and core: two FMA pipes (two flops each), as wide as the kernel
    /// path's vectors; the product's tile is fused multiply-adds.
    var flopsPerCycle: Double { Double(2 * 2 * lanes(ofPath: kernelPath)) }
}

/// One whole-process check: median wall time, median CPU time, worst error of a correct route.
struct Whole {
    var wall: Double, cpu: Double, worst: Double
}

func orchestrate(native: String?, cli: String?, nativeCLI: String?) {
    var builds = [Build(label: "default", path: CommandLine.arguments[0], cli: cli, kernels: nil)]
    if ck_best_variant() != CK_VARIANT_BASELINE {
        // Without FMA instructions the baseline's products call libm's fma for every multiply-add:
        // the same bits, so slow that the larger networks would take most of the run.
        builds.append(Build(label: "baseline", path: CommandLine.arguments[0], cli: cli, kernels: "baseline", skips: ["medium", "large"]))
    }
    if let native { builds.append(Build(label: "native", path: native, cli: nativeCLI, kernels: nil)) }
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    func field(_ name: String) -> String {
        cpuinfo.split(separator: "\n").first { $0.hasPrefix(name) }.map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "?"
    }
    let family = field("cpu family"), avx512 = field("flags").split(separator: " ").contains("avx512f")
    let cores = ProcessInfo.processInfo.activeProcessorCount
    print("lstm-gradcheck benchmark · medians · seed 1 · whole-process times include start-up")
    print("CPU: \(field("model name")), family \(family)\(family == "26" ? " (Zen 5: two 512-bit FMA/multiply and two add pipes)" : ""), \(cores) cores, AVX-512 \(avx512 ? "yes" : "no")")
    for k in builds.indices {
        let peak = lines(run(builds[k].path, ["peak"], kernels: builds[k].kernels).output)
        builds[k].ghz = peak["clock"]?.first ?? .nan
        builds[k].measured = peak["peak"]?.first ?? .nan
        builds[k].kernelPath = (peak["path"]?.first).map { Int32($0) } ?? CK_VARIANT_BASELINE
        let b = builds[k]
        print(String(format: "%@ (kernels %@): clock %.2f GHz (fastest of 500 samples) × %.0f flop/cycle (2 FMA pipes × 2 flops × %d lanes) = %.0f GFLOP/s per core nominal; measured FP64 peak (multiply-add chains in registers) %.0f GFLOP/s: the %% below are of it",
                     pad(b.label, 8), b.isa, b.ghz, b.flopsPerCycle, lanes(ofPath: b.kernelPath), b.ghz * b.flopsPerCycle, b.measured))
    }
    func loadAverage() -> String { (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)).map { String($0.split(separator: " ")[0]) } ?? "?" }
    print("load average before: \(loadAverage()); other work on the machine slows every figure, the 2-core ones most\n")

    // NumPy: the same check element by element, at most 15 s per network, extrapolated past that.
    var numpy: [String: (seconds: Double, done: Int, total: Int, values: JSONValue?)] = [:]
    let hasNumPy = python3Imports("numpy")
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-bench-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    /// Network `name` as a fixture file for the peers, written once.
    func fixture(_ name: String) -> String {
        let path = scratch.appendingPathComponent("\(name).json").path
        if !FileManager.default.fileExists(atPath: path) { _ = run(builds[0].path, ["fixture", name, path]) }
        return path
    }
    if hasNumPy {
        for (name, _) in networks {
            let out = run("/usr/bin/env", ["python3", peerScript("numpy_check.py"), fixture(name), "--budget", "15"]).output
            if let json = try? JSON.parse(out), case .number(let estimate)? = json["estimate"],
               case .number(let done)? = json["done"], case .number(let total)? = json["elements"] {
                numpy[name] = (estimate, Int(done), Int(total), json["values"])
            }
        }
    }
    let jax = jaxRuns(networks.map(\.name).filter { $0 != "small" }, fixture: fixture)

    // Whole-process checks by the CLI: medians of several runs (one for large), on 1 and 2 threads.
    var whole: [String: [String: [Int: Whole]]] = [:]   // build → network → threads
    var measured: [String: [String: [String: [Double]]]] = [:]
    var defaultCheck: [String: Double] = [:]
    var checked: [String: [String: Double]] = [:]   // build → network → check --reference numerical, 2 threads
    var checkedDefault: [String: [String: Double]] = [:]   // build → network → default check, 2 threads
    var bpttProcess: [String: Double] = [:]   // build → `grads --method bptt` of the default network
    var floorProcess: [String: (exactOnly: Double, startUp: Double)] = [:]   // build → `check --fd none`, `--version`
    for b in builds {
        for (name, _) in networks where !b.skips.contains(name) {
            measured[b.label, default: [:]][name] = lines(run(b.path, ["measure", name], kernels: b.kernels).output)
            for threads in [1, 2] {
                let runs = name == "large" ? 1 : name == "medium" ? 5 : 9
                let results = b.cli.map { cli in (0..<runs).map { _ in run(cli, cliNumerical(name, threads: threads), kernels: b.kernels) } } ?? []
                // The check with error estimates costs twice as much: on 2 threads only.
                let checks = threads == 1 ? [] : b.cli.map { cli in (0..<runs).map { _ in run(cli, cliCheck(name, threads: threads), kernels: b.kernels) } } ?? []
                let worst = checks.map { worstCorrect($0.output) }.max() ?? .nan
                checked[b.label, default: [:]][name] = median(checks.map(\.seconds))
                if threads == 2, let cli = b.cli {
                    checkedDefault[b.label, default: [:]][name] = median((0..<runs).map { _ in run(cli, cliDefaultCheck(name, threads: threads), kernels: b.kernels).seconds })
                }
                whole[b.label, default: [:]][name, default: [:]][threads] = Whole(wall: median(results.map(\.seconds)), cpu: median(results.map(\.cpu)), worst: worst)
            }
        }
        if let cli = b.cli {
            // Interleaved, so that a drift in the machine's speed (a neighbour, the clock) falls
            // on all alike; 25 of each, as one run of each differs from the next by a third.
            // `check --fd none` (the exact reference and the routes, no cross-check) and
            // `--version` (start-up alone) show where the default check's time goes.
            let commands = [[], ["grads", "--method", "bptt"], ["check", "--fd", "none"], ["--version"]]
            var times = Array(repeating: [Double](), count: commands.count)
            for _ in 0..<25 {
                for (k, arguments) in commands.enumerated() { times[k].append(run(cli, arguments, kernels: b.kernels).seconds) }
            }
            defaultCheck[b.label] = median(times[0])
            bpttProcess[b.label] = median(times[1])
            floorProcess[b.label] = (median(times[2]), median(times[3]))
        }
    }

    let columns = networks.map(\.name)
    func row(_ label: String, _ cells: [String], _ target: String = "") {
        print(pad(label, 38) + cells.map { pad($0, 19) }.joined() + target)
    }
    func percent(_ rate: Double?, _ b: Build) -> String {
        guard let rate else { return "—" }
        return String(format: "%.1f GF/s %.0f%%", rate, 100 * rate / b.measured)
    }
    print("full numerical check: `lstm-gradcheck grads --method numerical`, central differences ±h of every element,")
    print("as the peers in issue 7 were timed; `check --reference numerical` also takes ±2h for every element's")
    print("error estimate and runs and decides each route; the default check (exact reference, then the")
    print("central differences that cross-check it, ±2h only where rounding does not explain them) too.\n")
    row("", columns, "target")
    row("elements checked", networks.map { "\(elements($0.dims))" })
    for b in builds {
        let m = measured[b.label]!, w = whole[b.label]!
        /// `figure` of network n's whole-process runs, "—" where this build was not timed on it.
        func cells(_ figure: ([Int: Whole]) -> String) -> [String] { columns.map { n in w[n].map(figure) ?? "—" } }
        print("— \(b.label) build (\(b.isa)) —")
        row("bptt forward + backward", columns.map { format(m[$0]?["bptt"]?.first ?? .nan) }, "large ≤ 2 ms")
        // The default network alone: one cell, the others blank so that the target stays in its column.
        let blank = Array(repeating: "", count: max(columns.count - 1, 0))
        row("default check (no arguments)", [defaultCheck[b.label].map(format) ?? "—"] + blank, "≤ 50 ms")
        /// `seconds` as a multiple of `grads --method bptt`'s process, beside the time `shown`.
        func perBPTT(_ seconds: Double?, showing shown: Double?) -> [String] {
            guard let seconds, let bptt = bpttProcess[b.label], let shown else { return ["—"] + blank }
            return [String(format: "×%.2f (%@)", seconds / bptt, format(shown))] + blank
        }
        let floor = floorProcess[b.label]
        row("  / `grads --method bptt`, process", perBPTT(defaultCheck[b.label], showing: bpttProcess[b.label]), "≤ ×1.5")
        row("  `check --fd none` / the same", perBPTT(floor?.exactOnly, showing: floor?.exactOnly))
        row("  `--version` / the same", perBPTT(floor?.startUp, showing: floor?.startUp))
        row("full numerical check, 1 thread", cells { format($0[1]!.wall) })
        row("full numerical check, 2 threads", cells { format($0[2]!.wall) }, "small ≤ 50 ms, medium ≤ 0.3 s, large ≤ 20 s")
        row("check --reference numerical, 2 thr.", columns.map { checked[b.label]?[$0].map(format) ?? "—" })
        row("default check, 2 threads", columns.map { checkedDefault[b.label]?[$0].map(format) ?? "—" })
        row("speed-up, 2 threads / 1", cells { String(format: "×%.2f", $0[1]!.wall / $0[2]!.wall) }, "≥ ×1.8")
        row("cores the 2 threads got (CPU/wall)", cells { String(format: "%.2f", $0[2]!.cpu / $0[2]!.wall) })
        row("worst correct route vs reference", cells { String(format: "%.1e", $0[2]!.worst) }, "≤ 1e-6")
        row("exact reference, 1 / 2 threads", exactReferenceCells(b.path, columns, kernels: b.kernels, skips: b.skips), "large ≤ 10 s")
        row("GEMM of a batch, 4n_a×n_a by ×256", columns.map { n in percent(m[n]?["gemm"]?.first, b) }, "≥ 50 % of peak")
        row("GEMM of a bptt step, 4n_a×K by ×m", columns.map { n in percent(m[n]?["gemmstep"]?.first, b) })
        row("products over a whole check", columns.map { n in percent(m[n]?["check1"]?.last, b) })
        // Against the peers' numerical gradient alone: what a user waits for either way.
        func ratio(_ peer: Double?, _ ours: Double?) -> String {
            guard let peer, let ours, ours > 0 else { return "—" }
            return String(format: peer / ours >= 10 ? "×%.0f" : "×%.2f", peer / ours)
        }
        row("NumPy loop / numerical, 2 threads", columns.map { n in ratio(numpy[n]?.seconds, w[n]?[2]?.wall) }, "medium ≥ ×50")
        row("NumPy loop / default check, 2 thr.", columns.map { n in ratio(numpy[n]?.seconds, checkedDefault[b.label]?[n]) }, "medium ≥ ×25")
        row("JAX FD (run) / numerical, 2 thr.", columns.map { n in ratio(jax[n]?.seconds, w[n]?[2]?.wall) }, "large ≥ ×5")
        row("JAX FD (run) / default check, 2 thr.", columns.map { n in ratio(jax[n]?.seconds, checkedDefault[b.label]?[n]) }, "large ≥ ×3")
    }
    print("— NumPy (Benchmarks/numpy_check.py: element by element, one forward pass per loss) —")
    if numpy.isEmpty {
        print(hasNumPy ? "numpy_check.py failed" : "skipped: python3 with NumPy not found")
    } else {
        row("full numerical check", columns.map { n in numpy[n].map { $0.done < $0.total ? "\(format($0.seconds)) est." : format($0.seconds) } ?? "—" })
        row("elements timed", columns.map { n in numpy[n].map { "\($0.done) of \($0.total)" } ?? "—" })
        // The same quotients: NumPy's against the batched ones on (up to 200 per tensor of) the elements it did.
        row("|NumPy − batched| / max(|NumPy|, 1e-3)", columns.map { n in agreement(n, numpy[n]?.values) })
    }
    jaxSection(jax, columns: columns, row: row)

    let scaling = lines(run(builds[0].path, ["scaling"]).output)
    print("\nCost (\(builds[0].label), 1 thread): ∝ T_x^\(String(format: "%.2f", scaling["steps"]?.first ?? .nan)) (medium, T_x 10…80), ∝ elements^\(String(format: "%.2f", scaling["elements"]?.first ?? .nan)) (large, 250…2000 random elements)")

    guard networks.contains(where: { $0.name == "large" }) else {
        print("\nThe catalogue and the sharded run take the large network: skipped with --networks")
        print("\nload average after: \(loadAverage())")
        return
    }
    print("\nThe catalogue on the large network (\(builds[0].label) build): --sample 20 and the projection check, each under a 30 s budget")
    print(pad("route", 24) + pad("wrong vs bptt", 15) + pad("--sample 20", 28) + pad("projection", 36) + "passes")
    for line in run(builds[0].path, ["catalogue"]).output.split(separator: "\n") {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard f.count == 9 else { continue }
        let truly = f[1].split(separator: ",").map(String.init)
        let sampled = f[2].split(separator: ",").map(String.init), projected = f[5].split(separator: ",").map(String.init)
        let steps = projected.first { $0.hasPrefix("x[") }.map { " " + $0 } ?? ""
        let sampleOK = sampled == truly && f[4] == "-", projectionOK = projected.map { String($0.prefix { $0 != "[" }) } == truly && f[8] == "-"
        func named(_ names: [String], _ ok: Bool) -> String { ok ? (names.isEmpty ? "passes" : "names them") : "names " + names.joined(separator: ",") }
        print(pad(f[0], 24) + pad(truly.isEmpty ? "none" : "\(truly.count) tensors", 15)
              + pad("\(named(sampled, sampleOK)) \(sampleOK ? "✓" : "✗") \(f[3])", 28)
              + pad("\(named(projected.map { String($0.prefix { $0 != "[" }) }, projectionOK))\(steps) \(projectionOK ? "✓" : "✗") \(f[7])", 36) + f[6])
    }
    shardSection(builds.filter { !$0.skips.contains("large") }.compactMap { b in b.cli.map { (b.label, $0, b.kernels) } })

    print("\nload average after: \(loadAverage())")
}

// MARK: Entry

let args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "measure": childMeasure(args[1])
case "peak": childPeak()
case "scaling": childScaling()
case "catalogue": childCatalogue()
case "fixture": childFixture(args[1], args[2])
case "exact": childExact(args[1], threads: Int(args[2]) ?? 1)
case "shards": childShards(args)
default:
    func value(_ flag: String) -> String? { args.firstIndex(of: flag).flatMap { args.indices.contains($0 + 1) ? args[$0 + 1] : nil } }
    orchestrate(native: value("--native"), cli: value("--cli"), nativeCLI: value("--native-cli"))
}
