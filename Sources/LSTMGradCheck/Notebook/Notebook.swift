/// The course notebook's two test cells, rebuilt bit for bit from NumPy's legacy
/// generator, so a learner can see the notebook's printed numbers come out of the
/// routes here — and which loop produced which edition's expected output.
public enum Notebook {
    /// One printed entry: the notebook's label, what the notebook prints (as printed,
    /// so its digits are known), and what each route gives.
    public struct Entry: Sendable {
        public var label: String
        public var printed: [String: String]
        public var values: [String: Double]

        /// Whether `route` gives the value `source` printed, to the printed digits.
        public func agrees(_ route: String, with source: String) -> Bool {
            guard let text = printed[source], let p = Double(text), let v = values[route] else { return false }
            let decimals = text.split(separator: ".").last.map { $0.count } ?? 0
            return abs(v - p) <= 0.5 * pow10(-decimals) * (1 + 1e-9)
        }

        private func pow10(_ n: Int) -> Double { (0..<abs(n)).reduce(1.0) { v, _ in n < 0 ? v / 10 : v * 10 } }
    }

    public struct Result: Sendable {
        /// Route names in column order.
        public var routes: [String]
        /// Printed-value sources (`notebook`, or the two editions), each with the route
        /// whose loop produced it.
        public var sources: [(source: String, route: String)]
        public var entries: [Entry]
        /// The test cell's sizes (n_x, n_a, n_y, steps, batch), as a report names a network by.
        public var dims: Dims

        /// The printed source a route is held against: the one its loop produced, else
        /// the one the correct loop produced. The numerical check is held against the
        /// formulas instead: its own error is larger than the printed digits.
        public func source(for route: String) -> String? {
            guard route != "numerical" else { return nil }
            return (sources.first { $0.route == route } ?? sources.first { $0.route == "coursera" })?.source
        }

        /// The largest relative difference between two routes over the entries.
        public func largestDifference(_ a: String, _ b: String) -> Double {
            entries.reduce(0) { worst, e in
                guard let x = e.values[a], let y = e.values[b] else { return worst }
                return max(worst, abs(x - y) / max(abs(x), abs(y), .leastNormalMagnitude))
            }
        }

        /// Labels of the entries where `route` does not give what its source printed.
        public func misses(_ route: String) -> [String] {
            guard let s = source(for: route) else { return [] }
            return entries.filter { !$0.agrees(route, with: s) }.map(\.label)
        }
    }

    /// Rebuilds the `lstm_cell_backward` test cell: `seed(1)`; `xt` 3×10, `a_prev` and
    /// `c_prev` 5×10; `Wf bf Wi bi Wo bo Wc bc` (5×8, 5×1); `Wy` 2×5, `by` 2×1; then
    /// `da_next`, `dc_next` 5×10 — drawn in that order.
    public static func cellTest() -> Result {
        var rng = NumPyLegacyRandom(seed: 1)
        let xt = draw(&rng, 3, 10), a_prev = draw(&rng, 5, 10), c_prev = draw(&rng, 5, 10)
        var p = drawGates(&rng)
        p[.Wy] = draw(&rng, 2, 5)
        p[.by] = draw(&rng, 2, 1)
        let da_next = draw(&rng, 5, 10), dc_next = draw(&rng, 5, 10)

        let cache = LSTM.cellForward(xt, a_prev, c_prev, p)
        let notebook = CourseraCell.lstm_cell_backward(da_next, dc_next, cache, p)
        let printed = CourseraCell.lstm_cell_backward(da_next, dc_next, cache, p,
                                                      formulas: .printed2018(cct_prev: Matrix(rows: 5, cols: 10)))
        // The cell's backward is the gradient of L = Σ da_next ⊙ a_next + Σ dc_next ⊙ c_next:
        // differentiate that loss numerically, element by element, as an independent check.
        func numerical(_ perturb: @escaping (inout Matrix<Double>, inout Matrix<Double>, inout Matrix<Double>, inout Weights<LSTM, Double>, Double) -> Void) -> Double {
            func loss(_ h: Double) -> Double {
                var (x, a, c, q) = (xt, a_prev, c_prev, p)
                perturb(&x, &a, &c, &q, h)
                let k = LSTM.cellForward(x, a, c, q)
                return (da_next * k.a_next).sum() + (dc_next * k.c_next).sum()
            }
            let h = FiniteDifferences.defaultStep
            return (loss(h) - loss(-h)) / (2 * h)
        }
        typealias Pick = (CourseraCellGradients<Double>) -> Double
        let rows: [(String, String, Pick, (inout Matrix<Double>, inout Matrix<Double>, inout Matrix<Double>, inout Weights<LSTM, Double>, Double) -> Void)] = [
            ("dxt[1][2]", "3.23055911511", { $0.dxt[1, 2] }, { x, _, _, _, h in x[1, 2] += h }),
            ("da_prev[2][3]", "-0.0639621419711", { $0.da_prev[2, 3] }, { _, a, _, _, h in a[2, 3] += h }),
            ("dc_prev[2][3]", "0.797522038797", { $0.dc_prev[2, 3] }, { _, _, c, _, h in c[2, 3] += h }),
            ("dWf[3][1]", "-0.147954838164", { $0.dWf[3, 1] }, { _, _, _, q, h in q[.Wf][3, 1] += h }),
            ("dWi[1][2]", "1.05749805523", { $0.dWi[1, 2] }, { _, _, _, q, h in q[.Wi][1, 2] += h }),
            ("dWc[3][1]", "2.30456216369", { $0.dWc[3, 1] }, { _, _, _, q, h in q[.Wc][3, 1] += h }),
            ("dWo[1][2]", "0.331311595289", { $0.dWo[1, 2] }, { _, _, _, q, h in q[.Wo][1, 2] += h }),
            ("dbf[4]", "0.18864637", { $0.dbf[4, 0] }, { _, _, _, q, h in q[.bf][4, 0] += h }),
            ("dbi[4]", "-0.40142491", { $0.dbi[4, 0] }, { _, _, _, q, h in q[.bi][4, 0] += h }),
            ("dbc[4]", "0.25587763", { $0.dbc[4, 0] }, { _, _, _, q, h in q[.bc][4, 0] += h }),
            ("dbo[4]", "0.13893342", { $0.dbo[4, 0] }, { _, _, _, q, h in q[.bo][4, 0] += h }),
        ]
        let entries = rows.map { label, expected, pick, perturb in
            Entry(label: label, printed: ["notebook": expected],
                  values: ["coursera": pick(notebook), "coursera-2018-printed": pick(printed), "numerical": numerical(perturb)])
        }
        return Result(routes: ["coursera", "coursera-2018-printed", "numerical"], sources: [("notebook", "coursera")], entries: entries,
                      dims: Dims(n_x: 3, n_a: 5, n_y: 2, steps: 1, batch: 10))
    }

    /// The `lstm_backward` test cell: `seed(1)`; `x` 3×10×7, `a0` 5×10, `Wf bf Wi bi Wo bo
    /// Wc bc`; forward over 7 steps; `da` 5×10×4, so the backward covers the first 4 steps.
    public static func backwardProblem() -> Problem<LSTM, Double> {
        var rng = NumPyLegacyRandom(seed: 1)
        let x = Tensor(shape: [3, 10, 7], data: rng.randn(3, 10, 7)).steps
        let a0 = draw(&rng, 5, 10)
        let p = drawGates(&rng)
        let da = Tensor(shape: [5, 10, 4], data: rng.randn(5, 10, 4)).steps
        return Problem(weights: p, a0: a0, x: x, target: .upstream(da))
    }

    /// The backward test cell's printed entries from the notebook loop with the carry
    /// (`coursera`) and without it (`per-step`).
    public static func backwardTest() -> Result {
        let problem = backwardProblem()
        let routes: [Method<LSTM>] = [.coursera, .perStep, .bptt]
        let grads = routes.map { $0.compute(problem) }
        func value(_ g: Gradients<LSTM>, _ key: Input<LSTM>, _ index: [Int]) -> Double {
            guard let t = g[key] else { return .nan }
            var flat = 0
            for (i, n) in zip(index, t.shape) { flat = flat * n + i }
            return t.data[flat]
        }
        // (label, tensor, index, printed by the 2018 edition, printed by the later edition)
        let rows: [(String, Input<LSTM>, [Int], String, String)] = [
            ("dx[1][2][0]", .x, [1, 2, 0], "-0.00173313", "0.00218254"),
            ("dx[1][2][1]", .x, [1, 2, 1], "0.08287442", "0.28205375"),
            ("dx[1][2][2]", .x, [1, 2, 2], "-0.30545663", "-0.48292508"),
            ("dx[1][2][3]", .x, [1, 2, 3], "-0.43281115", "-0.43281115"),
            ("da0[2][3]", .a0, [2, 3], "-0.095911501954", "0.312770310257"),
            ("dWf[3][1]", .parameter(.Wf), [3, 1], "-0.0698198561274", "-0.0809802310938"),
            ("dWi[1][2]", .parameter(.Wi), [1, 2], "0.102371820249", "0.40512433093"),
            ("dWc[3][1]", .parameter(.Wc), [3, 1], "-0.0624983794927", "-0.0793746735512"),
            ("dWo[1][2]", .parameter(.Wo), [1, 2], "0.0484389131444", "0.038948775763"),
            ("dbf[4]", .parameter(.bf), [4, 0], "-0.0565788", "-0.15745657"),
            ("dbi[4]", .parameter(.bi), [4, 0], "-0.06997391", "-0.50848333"),
            ("dbc[4]", .parameter(.bc), [4, 0], "-0.27441821", "-0.42510818"),
            ("dbo[4]", .parameter(.bo), [4, 0], "0.16532821", "-0.17958196"),
        ]
        let entries = rows.map { label, key, index, old, new in
            Entry(label: label, printed: ["2018 edition": old, "later edition": new],
                  values: Dictionary(uniqueKeysWithValues: zip(routes.map(\.name), grads.map { value($0, key, index) })))
        }
        return Result(routes: routes.map(\.name), sources: [("2018 edition", "per-step"), ("later edition", "coursera")], entries: entries,
                      dims: problem.dims)
    }

    private static func draw(_ rng: inout NumPyLegacyRandom, _ rows: Int, _ cols: Int) -> Matrix<Double> {
        Matrix(rows: rows, cols: cols, storage: rng.randn(rows, cols))
    }

    /// The gates in the notebook's draw order: f, i, o, then c (not the report's f, i, c, o);
    /// no output layer yet.
    private static func drawGates(_ rng: inout NumPyLegacyRandom) -> Weights<LSTM, Double> {
        let Wf = draw(&rng, 5, 8), bf = draw(&rng, 5, 1)
        let Wi = draw(&rng, 5, 8), bi = draw(&rng, 5, 1)
        let Wo = draw(&rng, 5, 8), bo = draw(&rng, 5, 1)
        let Wc = draw(&rng, 5, 8), bc = draw(&rng, 5, 1)
        let drawn: [LSTM.Parameter: Matrix<Double>] = [.Wf: Wf, .bf: bf, .Wi: Wi, .bi: bi, .Wc: Wc, .bc: bc, .Wo: Wo, .bo: bo,
                                                        .Wy: Matrix(rows: 0, cols: 5), .by: Matrix(rows: 0, cols: 1)]
        return Weights { drawn[$0]! }   // every parameter is in the table
    }
}
