/// Some of a problem's input elements, by number: `problem.inputs` in order, each tensor's
/// elements in C order (`FiniteDifferences.elementCount`), held as ascending, disjoint,
/// non-adjacent ranges. What a finite-difference request computes when it is one shard of
/// a larger run.
public struct ElementSelection: Sendable, Equatable {
    public private(set) var ranges: [Range<Int>]

    /// The union of `ranges` (in any order, overlapping or not; empty ones are dropped).
    public init<S: Sequence>(_ ranges: S) where S.Element == Range<Int> {
        var merged: [Range<Int>] = []
        for r in ranges.filter({ !$0.isEmpty }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        self.ranges = merged
    }

    /// How many elements.
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }

    /// Every selected number, ascending.
    public var numbers: [Int] { ranges.flatMap { Array($0) } }

    /// The selected numbers within `range`, ascending.
    public func numbers(in range: Range<Int>) -> [Int] {
        ranges.flatMap { r -> [Int] in
            let lower = max(r.lowerBound, range.lowerBound), upper = min(r.upperBound, range.upperBound)
            return lower < upper ? Array(lower..<upper) : []
        }
    }
}

/// A finite-difference run split into N deterministic, balanced shards that separate
/// processes (a CI matrix, a Slurm array, indexed Jobs) compute independently, and the
/// fingerprint that ties the shards to one network and one request.
public enum Shards {
    /// The N slices of the elements whose costs are `costs` (element k costs `costs[k]`, at
    /// least 1 each): consecutive runs of element numbers, slice k (0-based) ending at the first
    /// element boundary where the running cost reaches (k + 1)/N of the total. So every element
    /// is in exactly one slice, the slices depend on N and the costs alone, and each slice's
    /// cost is within one element's cost of total/N (with equal costs: sizes within one of
    /// each other). A slice is empty when N exceeds the elements; fewer than one slice is one.
    public static func slices(costs: [Int], count: Int) -> [ElementSelection] {
        let n = max(count, 1)
        let total = costs.reduce(0) { $0 + max($1, 1) }
        var bounds = [0], running = 0, next = 0
        for k in 1..<n {
            // The first boundary i with prefix(i)·N ≥ k·total (prefix(i): the cost of elements < i).
            while next < costs.count && running * n < k * total {
                running += max(costs[next], 1)
                next += 1
            }
            bounds.append(next)
        }
        bounds.append(costs.count)
        return (0..<n).map { ElementSelection([bounds[$0]..<bounds[$0 + 1]]) }
    }

    /// The N shards of `request` on `problem`, balanced by the cell backend's own cost of each
    /// element (`Cell.finiteDifferenceCosts`).
    public static func plan<C: Cell>(_ problem: Problem<C, Double>, _ request: FiniteDifferences.Request, count n: Int) -> [ElementSelection] {
        slices(costs: C.finiteDifferenceCosts(problem, request), count: n)
    }

    /// A stable 64-bit hash (FNV-1a) of everything a result depends on: the cell, the sizes,
    /// each input's name, shape and every element's exact bit pattern, the target (class
    /// indices, or the upstream gradient's bits), then `context` (the method, its step and
    /// options, as the caller words them). Equal problems and contexts give equal
    /// fingerprints on every machine; any changed bit changes it (but for a 2⁻⁶⁴ chance).
    public static func fingerprint<C: Cell>(_ problem: Problem<C, Double>, context: String) -> UInt64 {
        var hash = FNV1a()
        hash.add("lstm-gradcheck network 1")
        hash.add(C.kind.rawValue)
        let d = problem.dims
        for size in [d.n_x, d.n_a, d.n_y, d.steps, d.batch] { hash.add(UInt64(bitPattern: Int64(size))) }
        for input in problem.inputs {
            hash.add(input.name)
            let shape = problem.shape(of: input)
            hash.add(UInt64(shape.count))
            for size in shape { hash.add(UInt64(size)) }
            for v in problem.tensor(input).data { hash.add(v.bitPattern) }
        }
        switch problem.target {
        case .labels(let labels):
            hash.add("labels")
            for step in labels { for j in step { hash.add(UInt64(bitPattern: Int64(j))) } }
        case .upstream(let da):
            hash.add("upstream")
            hash.add(UInt64(da.count))
            for step in da { for v in step.storage { hash.add(v.bitPattern) } }
        case .maskedLabels(let labels, let mask, let scale):
            hash.add("masked labels")
            for step in labels { for j in step { hash.add(UInt64(bitPattern: Int64(j))) } }
            for step in mask { for on in step { hash.add(on ? 1 : 0) } }
            hash.add(scale.bitPattern)
        }
        hash.add(context)
        return hash.value
    }

    /// `fingerprint` as 16 lowercase hexadecimal digits.
    public static func hex(_ fingerprint: UInt64) -> String {
        let digits = String(fingerprint, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

/// 64-bit FNV-1a over bytes; integers little-endian, strings as UTF-8 with a terminating 0.
struct FNV1a {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }

    mutating func add(_ word: UInt64) {
        for k in 0..<8 { add(byte: UInt8(truncatingIfNeeded: word >> (8 * UInt64(k)))) }
    }

    mutating func add(_ text: String) {
        for byte in text.utf8 { add(byte: byte) }
        add(byte: 0)
    }
}
