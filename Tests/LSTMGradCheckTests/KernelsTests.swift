import Foundation
import Testing
@testable import LSTMGradCheck

/// The batched building blocks: `gemmAdd`/`PackedLHS` against a naive triple loop, and
/// `VectorMath` against Foundation's scalar functions.
@Suite struct KernelsTests {
    // MARK: GEMM

    /// One product `C += op(A)·op(B)` over padded buffers. Padding of A and B is NaN, so
    /// a read outside the operands shows up in C; padding of C is a sentinel that must
    /// survive.
    struct Product {
        let m, n, k, lda, ldb, ldc: Int
        let transposeA, transposeB: Bool
        var a, b, c: [Double]
        static let sentinel = -12345.0

        /// `spread`: operands over 2⁻⁴⁰…2⁴⁰ with some ±0 and subnormals, so that every rounding
        /// of a sum shows and a different order would change bits; else uniform in [−1, 1].
        init(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, padding: Int, seed: UInt64, spread: Bool = false) {
            var g = SeededGenerator(seed: seed)
            (self.m, self.n, self.k, self.transposeA, self.transposeB) = (m, n, k, transposeA, transposeB)
            lda = (transposeA ? m : k) + padding
            ldb = (transposeB ? k : n) + padding
            ldc = n + padding
            let (aRows, aCols) = transposeA ? (k, m) : (m, k)
            let (bRows, bCols) = transposeB ? (n, k) : (k, n)
            a = Self.filled(rows: aRows, cols: aCols, ld: lda, pad: .nan, spread: spread, &g)
            b = Self.filled(rows: bRows, cols: bCols, ld: ldb, pad: .nan, spread: spread, &g)
            c = Self.filled(rows: m, cols: n, ld: ldc, pad: Self.sentinel, spread: spread, &g)
        }

        static func filled(rows: Int, cols: Int, ld: Int, pad: Double, spread: Bool = false,
                           _ g: inout SeededGenerator) -> [Double] {
            (0..<(max(rows, 1) * ld)).map { $0 % ld < cols && $0 / ld < rows ? (spread ? Self.spread(&g) : g.symmetric(1)) : pad }
        }

        static func spread(_ g: inout SeededGenerator) -> Double {
            switch g.index(40) {
            case 0: return 0
            case 1: return -0.0
            case 2: return g.symmetric(1) * 0x1p-1060   // subnormal
            default: return g.symmetric(1) * Double(sign: .plus, exponent: g.index(81) - 40, significand: 1)
            }
        }

        func A(_ i: Int, _ p: Int) -> Double { transposeA ? a[p * lda + i] : a[i * lda + p] }
        func B(_ p: Int, _ j: Int) -> Double { transposeB ? b[j * ldb + p] : b[p * ldb + j] }

        /// `gemmAdd` into a copy of C, on the active CPU path or the one given.
        func computed(threads: Int = 1, path: KernelPath = .active) -> [Double] {
            var out = c
            a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    out.withUnsafeMutableBufferPointer { c in
                        gemmAdd(m: m, n: n, k: k, a.baseAddress!, lda: lda, transposeA: transposeA,
                                b.baseAddress!, ldb: ldb, transposeB: transposeB, c.baseAddress!, ldc: ldc,
                                threads: threads, path: path)
                    }
                }
            }
            return out
        }

        /// C + op(A)·op(B) by plain scalar loops in the kernels' order: per depth block of 256,
        /// `acc = 0; acc = fma(a, b, acc)` for each k in order, then `C = C + acc`. Padding untouched.
        func scalar() -> [Double] {
            var out = c
            for i in 0..<m {
                for j in 0..<n {
                    var sum = c[i * ldc + j]
                    for p0 in stride(from: 0, to: k, by: 256) {
                        var acc = 0.0
                        for p in p0..<min(p0 + 256, k) { acc.addProduct(A(i, p), B(p, j)) }
                        sum = sum + acc
                    }
                    out[i * ldc + j] = sum
                }
            }
            return out
        }

        /// Every element against the naive sum. Both sums add the same k + 1 terms (C's old
        /// value and k products, rounded or fused) in some order, so each is within γ_{k+1}·Σ|term|
        /// of the exact value (Higham, Accuracy and Stability, §3.1, γ_n = nu/(1 − nu),
        /// u = 2⁻⁵³), and they are within twice that of each other.
        func expectMatchesNaive(_ got: [Double], _ comment: Comment) {
            let u = 0x1p-53, gamma = Double(k + 1) * u / (1 - Double(k + 1) * u)
            var failures = 0
            for i in 0..<m {
                for j in 0..<n {
                    var sum = c[i * ldc + j], magnitude = abs(sum)
                    for p in 0..<k {
                        sum += A(i, p) * B(p, j)
                        magnitude += abs(A(i, p) * B(p, j))
                    }
                    let value = got[i * ldc + j]
                    if !(abs(value - sum) <= 2 * gamma * magnitude) { failures += 1 }
                }
                for j in n..<ldc where got[i * ldc + j] != Self.sentinel { failures += 1 }
            }
            #expect(failures == 0, comment)
        }
    }

    @Test func randomShapesMatchTheNaiveProduct() {
        var g = SeededGenerator(seed: 2024)
        for trial in 0..<60 {
            let (m, n, k) = (1 + g.index(70), 1 + g.index(70), 1 + g.index(70))
            let (ta, tb) = (trial % 2 == 1, trial / 2 % 2 == 1)
            let p = Product(m: m, n: n, k: k, transposeA: ta, transposeB: tb, padding: g.index(3), seed: UInt64(trial))
            p.expectMatchesNaive(p.computed(), "m \(m) n \(n) k \(k) Aᵀ \(ta) Bᵀ \(tb)")
        }
    }

    /// The LSTM's shapes, and shapes past the row block, the depth block and the tile edges.
    @Test(arguments: [(256, 512, 96, false, false), (96, 40, 256, true, false), (256, 96, 600, false, true),
                      (400, 37, 300, true, true), (1, 1, 1, false, false), (1, 4100, 3, false, false),
                      (385, 1, 513, false, true)])
    func largeAndEdgeShapesMatchTheNaiveProduct(_ s: (Int, Int, Int, Bool, Bool)) {
        let p = Product(m: s.0, n: s.1, k: s.2, transposeA: s.3, transposeB: s.4, padding: 1, seed: 7)
        p.expectMatchesNaive(p.computed(), "\(s)")
    }

    /// Splitting the columns over threads changes no bit.
    @Test func resultDoesNotDependOnThreads() {
        let p = Product(m: 70, n: 203, k: 300, transposeA: false, transposeB: false, padding: 0, seed: 11)
        let one = p.computed(threads: 1)
        for threads in [2, 3, 8, 1000] {
            #expect(p.computed(threads: threads).elementsEqual(one) { $0.bitPattern == $1.bitPattern }, "\(threads) threads")
        }
    }

    /// A column computed alone equals the same column inside a wide product, bit for bit:
    /// perturbed trajectories carried as extra columns see exactly the base trajectory's sums.
    @Test func columnDoesNotDependOnItsPositionOrTheWidth() {
        let (m, k, n) = (29, 150, 45)
        let wide = Product(m: m, n: n, k: k, transposeA: false, transposeB: false, padding: 0, seed: 5)
        let all = wide.computed()
        let packed = PackedLHS(m: m, k: k, wide.a, lda: k)
        for j in [0, 1, 17, n - 1] {
            let column = (0..<k).map { wide.b[$0 * n + j] }
            var out = (0..<m).map { wide.c[$0 * n + j] }
            packed.multiplyAdd(n: 1, column, ldb: 1, &out, ldc: 1)
            #expect((0..<m).allSatisfy { out[$0].bitPattern == all[$0 * n + j].bitPattern }, "column \(j)")
        }
    }

    /// Packing once and multiplying many times gives what `gemmAdd` gives.
    @Test func packedLeftOperandMatchesGemmAdd() {
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let p = Product(m: 33, n: 50, k: 70, transposeA: ta, transposeB: tb, padding: 2, seed: 9)
            let packed = PackedLHS(m: 33, k: 70, p.a, lda: p.lda, transposed: ta)
            var out = p.c
            packed.multiplyAdd(n: 50, p.b, ldb: p.ldb, transposeB: tb, &out, ldc: p.ldc)
            #expect(out.elementsEqual(p.computed()) { $0.bitPattern == $1.bitPattern }, "Aᵀ \(ta) Bᵀ \(tb)")
        }
    }

    /// An empty product leaves C exactly as it was (not even −0 turned into +0).
    @Test(arguments: [(0, 5, 5), (5, 0, 5), (5, 5, 0), (0, 0, 0)])
    func emptyShapesLeaveCUntouched(_ s: (Int, Int, Int)) {
        let a = [Double](repeating: 1, count: 25), b = a
        var c = [Double](repeating: -0.0, count: 25)
        gemmAdd(m: s.0, n: s.1, k: s.2, a, lda: 5, b, ldb: 5, &c, ldc: 5, threads: 2)
        #expect(c.allSatisfy { $0.bitPattern == (-0.0).bitPattern })
    }

    // MARK: Vector math

    typealias BufferFunction = (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void

    static func evaluate(_ f: BufferFunction, _ x: [Double]) -> [Double] {
        guard !x.isEmpty else { return [] }
        var y = [Double](repeating: .nan, count: x.count)
        x.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { y in f(x.baseAddress!, y.baseAddress!, x.count) } }
        return y
    }

    static func vector(_ name: String) -> BufferFunction {
        switch name {
        case "exp": { VectorMath.exp($0, into: $1, count: $2) }
        case "tanh": { VectorMath.tanh($0, into: $1, count: $2) }
        default: { VectorMath.sigmoid($0, into: $1, count: $2) }
        }
    }

    /// |a − b| in units of the spacing of doubles at b (the smallest subnormal at 0).
    static func ulps(_ a: Double, _ b: Double) -> Double {
        if a == b || (a.isNaN && b.isNaN) { return 0 }
        if !a.isFinite || !b.isFinite { return .infinity }
        return abs(a - b) / (b == 0 ? Double.leastNonzeroMagnitude : b.ulp)
    }

    /// The vector function `name` on 20,000 random points of each of `ranges` (range r's drawn
    /// from seed `seed + r`) is within `bound` ulp, `ulp(x, y)` measuring its value y at x.
    static func expectRandomPoints(_ name: String, within bound: Double, seed: UInt64, ulp: (Double, Double) -> Double) {
        let f = vector(name)
        for (r, range) in ranges.enumerated() {
            let x = samples(range, count: 20_000, seed: seed + UInt64(r))
            let y = evaluate(f, x)
            let worst = zip(x, y).reduce(0.0) { max($0, ulp($1.0, $1.1)) }
            #expect(worst <= bound, "\(name) on \(range): \(worst) ulp")
        }
    }

    static let ranges: [ClosedRange<Double>] = [-1e-6...1e-6, -1...1, -20...20, -40...40, -745.2 ... -700, -710...710, -1000...1000]

    static func samples(_ range: ClosedRange<Double>, count: Int, seed: UInt64) -> [Double] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in range.lowerBound + (range.upperBound - range.lowerBound) * g.unit() }
    }

    /// Random points per range against Foundation. Bounds: measured over 10⁷ points
    /// per range against an 80-bit reference, the vector functions are within 0.95 ulp
    /// (exp), 1.32 (tanh) and 2.42 (sigmoid) of exact, and glibc's exp 0.51, tanh 2.18,
    /// the Foundation sigmoid 2.42; the bounds are those sums rounded up.
    @Test(arguments: [("exp", 2.0), ("tanh", 4.0), ("sigmoid", 5.0)])
    func randomPointsAgreeWithFoundation(_ name: String, _ bound: Double) {
        let reference: (Double) -> Double = switch name {
        case "exp": { exp($0) }
        case "tanh": { tanh($0) }
        default: { Double.sigmoid($0) }   // the stable form on Foundation's exp
        }
        Self.expectRandomPoints(name, within: bound, seed: 0) { x, y in Self.ulps(y, reference(x)) }
    }

    #if arch(x86_64)
    /// Against 80-bit exp and tanh (64-bit significands, so exact to 2⁻¹¹ ulp of a Double):
    /// the accuracy `VectorMath` states.
    @Test(arguments: [("exp", 1.0), ("tanh", 1.5), ("sigmoid", 3.0)])
    func randomPointsAreWithinTheStatedUlpOfExact(_ name: String, _ bound: Double) {
        let exact: (Float80) -> Float80 = switch name {
        case "exp": { exp($0) }
        case "tanh": { tanh($0) }
        default: { 1 / (1 + exp(-$0)) }
        }
        Self.expectRandomPoints(name, within: bound, seed: 100) { x, y in
            let e = exact(Float80(x)), spacing = Double(e) == 0 ? Double.leastNonzeroMagnitude : Double(e).ulp
            return Double(abs(Float80(y) - e) / Float80(spacing))
        }
    }
    #endif

    @Test func expEdgeCases() {
        let x: [Double] = [0, -0.0, 1, -1, 709.78, 709.79, 1000, -1000, .infinity, -.infinity, .nan,
                           -708.5, -720, -740, -745, -745.2, 1e-300, -.leastNonzeroMagnitude]
        let y = Self.evaluate(Self.vector("exp"), x)
        for (xi, yi) in zip(x, y) {
            // Subnormal results count in subnormal spacing: one rounding, ≤ 1 apart from Foundation.
            #expect(Self.ulps(yi, exp(xi)) <= 1, "exp(\(xi)) = \(yi), Foundation \(exp(xi))")
        }
        #expect(y[0] == 1 && y[1] == 1 && y[5] == .infinity && y[6] == .infinity && y[7] == 0 && y[8] == .infinity)
        #expect(y[9] == 0 && y[10].isNaN)
        #expect(y[4].isFinite && y[12] > 0 && y[12] < .leastNormalMagnitude)
    }

    @Test func tanhEdgeCases() {
        let x: [Double] = [0, -0.0, .leastNonzeroMagnitude, -1e-300, 0.625.nextDown, 0.625, -0.625,
                           19.0, 19.07, -19.07, 1000, -1000, .infinity, -.infinity, .nan]
        let y = Self.evaluate(Self.vector("tanh"), x)
        for (xi, yi) in zip(x, y) { #expect(Self.ulps(yi, tanh(xi)) <= 4, "tanh(\(xi)) = \(yi)") }
        #expect(y[0].bitPattern == 0.0.bitPattern && y[1].bitPattern == (-0.0).bitPattern)
        #expect(y[2] == .leastNonzeroMagnitude && y[3] == -1e-300)
        #expect(y[7] < 1 && y[8] == 1 && y[9] == -1 && y[10] == 1 && y[11] == -1 && y[12] == 1 && y[13] == -1 && y[14].isNaN)
        // Saturation is exact from 55·ln2 / 2 on, where 1 − tanh falls below half an ulp of 1.
        let saturated = Self.samples(19.07...1000, count: 1000, seed: 3)
        #expect(Self.evaluate(Self.vector("tanh"), saturated).allSatisfy { $0 == 1 })
        #expect(Self.evaluate(Self.vector("tanh"), saturated.map { -$0 }).allSatisfy { $0 == -1 })
    }

    @Test func sigmoidEdgeCases() {
        let x: [Double] = [0, -0.0, 36.7, 36.74, 1000, -1000, .infinity, -.infinity, .nan, -720, -745, -746, 1e-300]
        let y = Self.evaluate(Self.vector("sigmoid"), x)
        for (xi, yi) in zip(x, y) { #expect(Self.ulps(yi, Double.sigmoid(xi)) <= 1, "σ(\(xi)) = \(yi)") }
        #expect(y[0] == 0.5 && y[1] == 0.5 && y[2] < 1 && y[3] == 1 && y[4] == 1 && y[5] == 0)
        #expect(y[6] == 1 && y[7] == 0 && y[8].isNaN && y[11] == 0 && y[12] == 0.5)
        #expect(y[9] > 0 && y[9] < .leastNormalMagnitude)
        #expect(Self.evaluate(Self.vector("sigmoid"), Self.samples(36.74...1000, count: 1000, seed: 4)).allSatisfy { $0 == 1 })
        #expect(Self.evaluate(Self.vector("sigmoid"), Self.samples(-1e300 ... -745.2, count: 1000, seed: 5)).allSatisfy { $0 == 0 })
    }

    /// An element's result is the same at any position, in any buffer length, in place or not.
    @Test(arguments: ["exp", "tanh", "sigmoid"])
    func elementsDoNotDependOnPositionOrLength(_ name: String) {
        let f = Self.vector(name)
        let x = Self.samples(-30...30, count: 53, seed: 6)
        let whole = Self.evaluate(f, x)
        for start in [0, 1, 15, 17, 20] {
            for length in [1, 7, 13, 16, 17, 33] where start + length <= x.count {
                let part = Self.evaluate(f, Array(x[start..<(start + length)]))
                #expect(part.elementsEqual(whole[start..<(start + length)]) { $0.bitPattern == $1.bitPattern })
            }
        }
        var inPlace = x
        inPlace.withUnsafeMutableBufferPointer { f($0.baseAddress!, $0.baseAddress!, $0.count) }
        #expect(inPlace.elementsEqual(whole) { $0.bitPattern == $1.bitPattern })
        var untouched = x
        untouched.withUnsafeMutableBufferPointer { f($0.baseAddress!, $0.baseAddress!, 0) }
        #expect(untouched == x)
    }

    // MARK: CPU paths

    /// The baseline runs everywhere; the active path is one this CPU supports.
    @Test func pathsAreKnownAndTheActiveOneIsSupported() {
        #expect(KernelPath.baseline.isSupported)
        #expect(KernelPath.active.isSupported)
        #expect(KernelPath.all.map(\.description) == ["baseline", "x86-64-v3", "x86-64-v4"])
        #expect(KernelPath.supported.contains(.active))
        #if !arch(x86_64)
        #expect(KernelPath.supported == [.baseline])
        #endif
    }

    static let edgeSizes = [1, 7, 9, 17, 255, 257]

    /// Every CPU path this machine runs against plain scalar loops in the kernels' order, bit
    /// for bit: edge sizes (tile edges, the 256 depth block) and random ones, each transposition,
    /// several thread counts, operands spread over 80 binades so a changed order would show.
    @Test func everyPathMatchesTheScalarProductBitForBit() {
        var g = SeededGenerator(seed: 77)
        var shapes: [(Int, Int, Int)] = [(257, 9, 257), (9, 257, 255), (17, 1, 513), (1, 257, 17), (7, 17, 1), (255, 7, 9)]
        while shapes.count < 48 {
            func size() -> Int { g.index(2) == 0 ? Self.edgeSizes[g.index(Self.edgeSizes.count)] : 1 + g.index(300) }
            let s = (size(), size(), size())
            if s.0 * s.1 * s.2 <= 1_500_000 { shapes.append(s) }
        }
        let paths = KernelPath.supported
        for (trial, (m, n, k)) in shapes.enumerated() {
            let (ta, tb) = (trial % 2 == 1, trial / 2 % 2 == 1)
            let p = Product(m: m, n: n, k: k, transposeA: ta, transposeB: tb, padding: g.index(3), seed: UInt64(500 + trial), spread: true)
            let reference = p.scalar()
            for path in paths {
                for threads in [1, 3] {
                    let got = p.computed(threads: threads, path: path)
                    let differing = zip(got, reference).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(differing == 0, "\(path), \(threads) threads: m \(m) n \(n) k \(k) Aᵀ \(ta) Bᵀ \(tb): \(differing) elements differ")
                }
            }
        }
    }

    /// A left operand packed for one path multiplies with its own path's tiles, whichever path is
    /// active; `PackedLHS.multiplyAdd` with few and many columns gives the scalar bits on each.
    @Test func packedOperandOfEveryPathMatchesTheScalarProduct() {
        for path in KernelPath.supported {
            for n in [1, 4, 8, 9, 16, 17, 40] {
                let p = Product(m: 37, n: n, k: 300, transposeA: true, transposeB: false, padding: 1, seed: UInt64(n), spread: true)
                let packed = PackedLHS(m: 37, k: 300, p.a, lda: p.lda, transposed: true, path: path)
                var out = p.c
                packed.multiplyAdd(n: n, p.b, ldb: p.ldb, &out, ldc: p.ldc, threads: 2)
                #expect(out.elementsEqual(p.scalar()) { $0.bitPattern == $1.bitPattern }, "\(path), n \(n)")
            }
        }
    }

    /// Inputs over the whole Double range: ±0, subnormals, the largest finite values, ±∞, NaNs
    /// (quiet, signalling, negative), the functions' thresholds and their neighbours, random
    /// bit patterns (every binade) and random points where the results are neither 0 nor 1.
    static func wholeRange(count: Int, seed: UInt64) -> [Double] {
        var special: [Double] = [0, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
                                 -.leastNormalMagnitude, .leastNormalMagnitude.nextDown, 1e-300, -1e-300,
                                 .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e300, -1e300, 1e17, -1e17,
                                 .infinity, -.infinity, .nan, -.nan, .signalingNaN, Double(bitPattern: 0x7ff0_0000_0000_0001),
                                 Double(bitPattern: 0xfff8_dead_beef_0001), 1, -1, 0.5, -0.5]
        for edge in [709.78, 709.79, 710, 745.13, 746, 708.4, 0.625, 19.07, 36.74, 18.5, 0.3] {
            special += [edge, edge.nextUp, edge.nextDown, -edge, -edge.nextUp, -edge.nextDown]
        }
        var g = SeededGenerator(seed: seed)
        var x = special
        while x.count < count {
            switch g.index(4) {
            case 0: x.append(Double(bitPattern: g.next()))
            case 1: x.append(g.symmetric(800))
            case 2: x.append(g.symmetric(40))
            default: x.append(g.symmetric(1) * 0x1p-30)
            }
        }
        return x
    }

    static func pathFunction(_ name: String, _ path: KernelPath) -> BufferFunction {
        switch name {
        case "exp": { VectorMath.exp($0, into: $1, count: $2, path: path) }
        case "tanh": { VectorMath.tanh($0, into: $1, count: $2, path: path) }
        default: { VectorMath.sigmoid($0, into: $1, count: $2, path: path) }
        }
    }

    /// Same bits or, for a NaN, a NaN: NaN in gives NaN out, its payload is not specified.
    static func same(_ a: Double, _ b: Double) -> Bool { a.bitPattern == b.bitPattern || (a.isNaN && b.isNaN) }

    /// Every CPU path this machine runs against the Swift lane functions, their specification
    /// (16 lanes at a time, tail padded with zeros as the buffers are; each lane computed alone,
    /// so one value per vector gives the same bits), bit for bit over the whole range, in
    /// buffers of edge lengths (whole lane groups and tails). How close the lanes are to the
    /// true functions is held to Foundation's by the accuracy tests above.
    @Test(arguments: ["exp", "tanh", "sigmoid"])
    func everyPathMatchesTheLaneFunctionsBitForBit(_ name: String) {
        let lanes: (VectorMath.Vector) -> VectorMath.Vector = switch name {
        case "exp": VectorMath.exp
        case "tanh": VectorMath.tanh
        default: VectorMath.sigmoid
        }
        let x = Self.wholeRange(count: 30_000, seed: 8)
        // A lane's result depends on its own value alone: one value per vector, the rest zero.
        let expected = x.map { value in
            var v = VectorMath.Vector()
            v[0] = value
            return lanes(v)[0]
        }
        var swiftLanes = [Double]()
        for start in stride(from: 0, to: x.count, by: 16) {
            var v = VectorMath.Vector()
            for l in 0..<min(16, x.count - start) { v[l] = x[start + l] }
            let y = lanes(v)
            for l in 0..<min(16, x.count - start) { swiftLanes.append(y[l]) }
        }
        #expect(zip(swiftLanes, expected).allSatisfy { Self.same($0, $1) }, "Swift lanes, 16 values at once vs one at a time")
        for path in KernelPath.supported {
            let f = Self.pathFunction(name, path)
            let y = Self.evaluate(f, x)
            let differing = zip(x.indices, zip(y, expected)).filter { !Self.same($1.0, $1.1) }.map { x[$0.0] }
            #expect(differing.isEmpty, "\(name) on \(path): \(differing.count) differ, e.g. \(differing.prefix(5))")
            // Buffers of edge lengths at odd offsets: tails padded with zeros get the same bits.
            for length in Self.edgeSizes + [16, 32, 33] {
                for start in [0, 3] {
                    let part = Self.evaluate(f, Array(x[start..<(start + length)]))
                    #expect(part.elementsEqual(expected[start..<(start + length)], by: Self.same), "\(name) on \(path), \(length) at \(start)")
                }
            }
        }
    }
}
