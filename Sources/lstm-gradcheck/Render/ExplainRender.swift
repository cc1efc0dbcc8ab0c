import LSTMGradCheck

/// The split of one weight's gradient over time, and the flow of gradient back in time.
enum ExplainRender {
    static func pct(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }

    /// Why every gradient of a network of sizes `d` is exactly zero, as far as the sizes say.
    static func whyAllZero(_ d: Dims) -> String {
        "every gradient is exactly zero"
            + (d.n_y == 1 ? " (n_y = 1: with one class the softmax is identically 1, so the loss is constant)" : "")
    }

    /// A share of the whole gradient, or `-` where the gradient is exactly zero and a share undefined.
    static func share(_ x: Double, of e: ExplainReport) -> String { e.totalNorm == 0 ? "-" : pct(x) }

    static func conclusion(_ e: ExplainReport, perStepError: Double, allZero: String? = nil) -> String {
        let name = "d" + e.key
        if let allZero {
            return "On this network \(allZero), so \(name) has nothing to split and this run decides nothing."
        }
        if e.totalNorm == 0 {
            return "On this network \(name) is exactly zero, so there is nothing to split: shares of a zero gradient are undefined "
                + "(‖carried‖ = \(sci(e.carriedNorm)), ‖local‖ = \(sci(e.localNorm))). per-step's \(name) is off by \(sci(perStepError)) relative."
        }
        let norms = "‖carried‖ = \(sci(e.carriedNorm)), ‖local‖ = \(sci(e.localNorm))"
        let offBy = "which is why its \(name) is off by \(sci(perStepError)) relative. "
        // The cosine between the carried terms and the whole gradient: the share by projection
        // is small either because the carried terms are small or because they point elsewhere
        // (below 0.2, an angle beyond 78°: mostly orthogonal).
        let cosine = e.carriedNorm > 0 ? e.carriedShare * e.totalNorm / e.carriedNorm : 0
        let cos = String(format: "%.2f", cosine)
        if e.carriedShare < 0 {
            return "On this network the terms carried back from later steps point against the local ones: their projection on \(name) "
                + "is \(pct(e.carriedShare)) of it (cosine \(cos) with the whole gradient; \(norms)), so the local terms alone come to "
                + "\(pct(e.localShare)) and the carry cancels part of them. per-step keeps the local terms and drops the carried ones, "
                + offBy + carry(e)
        }
        if e.carriedNorm > 0 && cosine < 0.2 {
            return "On this network the terms carried back from later steps are mostly orthogonal to \(name) (cosine \(cos)): "
                + "by projection on the whole gradient they make up only \(pct(e.carriedShare)) of it although \(norms), "
                + "so the carry turns \(name) more than it lengthens it. per-step keeps only the local terms (\(pct(e.localShare)) by projection), "
                + offBy + carry(e)
        }
        return "On this network the terms carried back from later steps make up \(pct(e.carriedShare)) of \(name) "
            + "(by projection on the whole gradient; \(norms)). "
            + "per-step keeps only the local \(pct(e.localShare)), " + offBy + carry(e)
    }

    /// Where the t-1 contributions enter.
    static func carry(_ e: ExplainReport) -> String {
        !e.cell.cell.hasCellState
            ? "The t-1 contributions enter through the carry: when the loop calls the cell at step t-1 it feeds it da_prev "
                + "from step t, and the cell's own formula turns that into the step t-1 term. No extra term in the cell formula is needed."
            : "The t-1 contributions enter through the carry: when the loop calls the cell at step t-1 it feeds it da_prev "
                + "(and dc_prev) from step t, and the cell's own formula turns that into the do_{t-1} term. No extra term in the "
                + "cell formula is needed; adding one (the asker route) counts it twice."
    }

    /// What the reconstruction figure means: rounding within the limit; beyond it a failed
    /// check, and which of bptt and Σ parts is off, by their distances from the exact reference.
    static func reconstruction(_ e: ExplainReport) -> String {
        let limit = sci(ExplainReport.reconstructionLimit)
        if e.totalNorm == 0 && e.reconstructionError == 0 { return "(bptt and Σ parts are both exactly zero)" }
        if e.adds { return "(within \(limit): the split is exact, so this is rounding)" }
        let failed = "(above the \(limit) the split is held to: this check fails)"
        guard let r = e.reference else { return failed }
        let level = sci(max(r.bptt, r.sum, e.reconstructionError))
        let why = r.sum >= 10 * r.bptt
            ? "Σ parts is ten times further from it than bptt: the split, not bptt, is off on this network."
            : r.bptt >= 10 * r.sum
            ? "bptt is ten times further from it than Σ parts: bptt, not the split, is off on this network."
            : "Neither is ten times closer than the other: three float64 computations of this gradient disagree by up to \(level), so on this network rounding grows through the steps beyond the limit, and the split is neither confirmed nor shown wrong."
        return failed + ". Against the exact reference bptt is off by \(sci(r.bptt)) relative and Σ parts by \(sci(r.sum)). " + why
    }

    static func text(_ e: ExplainReport, fixture: Fixture, perStepError: Double, allZero: String? = nil) -> String {
        let name = "d" + e.key
        var s = "lstm-gradcheck · explain \(name) · \(ReportText.headline(fixture))\n"
        s += wrap("\(name) = Σ_t (local_t + via a_t + via c_t): local_t comes from the loss at step t alone (what per-step keeps); the other two arrive from later steps through the carried da_prev and dc_prev (what per-step drops).", indent: 0) + "\n\n"
        var table = Table(header: ["t", "‖local‖", "‖via a‖", "‖via c‖", "local share", "carried share"],
                          align: [.right, .right, .right, .right, .right, .right])
        for st in e.steps {
            table.rows.append(["\(st.t)", sci(st.local), sci(st.viaA), sci(st.viaC), share(st.localShare, of: e), share(st.carriedShare, of: e)])
        }
        table.rows.append(["all", sci(e.localNorm), "", sci(e.carriedNorm), share(e.localShare, of: e), share(e.carriedShare, of: e)])
        s += table.render()
        s += "\n‖carried‖ over t:  " + sparkline(e.steps.map { $0.viaA + $0.viaC }) + "\n"
        s += "‖local‖ over t:    " + sparkline(e.steps.map(\.local)) + "\n"
        s += e.adds ? "Σ parts vs bptt:   \(sci(e.reconstructionError)) relative \(reconstruction(e))\n\n"
            : wrap("Σ parts vs bptt: \(sci(e.reconstructionError)) relative \(reconstruction(e))", indent: 0) + "\n\n"
        return s + wrap(conclusion(e, perStepError: perStepError, allZero: allZero), indent: 0) + "\n"
    }

    static func flowText(_ f: FlowReport, fixture: Fixture) -> String {
        var s = "lstm-gradcheck · gradient flow · \(ReportText.headline(fixture))\n\n"
        var table = Table(header: ["t", "‖∂L/∂a_t‖", "‖∂L/∂c_t‖"], align: [.right, .right, .right])
        for t in f.hidden.indices { table.rows.append(["\(t)", sci(f.hidden[t]), f.cell.indices.contains(t) ? sci(f.cell[t]) : "-"]) }
        s += table.render()
        s += "\n‖∂L/∂a_t‖ over t:  " + sparkline(f.hidden) + "\n"
        s += "\nGradient of one step's loss reaching k steps back (mean ‖∂L_s/∂a_{s−k}‖, relative to k = 0):\n"
        var decay = Table(header: ["k", "mean norm", "relative"], align: [.right, .right, .right])
        for (k, v) in f.byDistance.enumerated() { decay.rows.append(["\(k)", sci(v), sci(f.decay[k])]) }
        s += decay.render()
        s += "decay over k (log scale):  " + sparkline(f.decay, logarithmic: true) + "\n"
        return s
    }

    static func json(_ e: ExplainReport, perStepError: Double, allZero: String? = nil) -> JSONValue {
        // A share of a gradient that is exactly zero is undefined: null.
        func jsonShare(_ x: Double) -> JSONValue { e.totalNorm == 0 ? .null : .number(x) }
        return .object([
            JSONMember("parameter", .string(e.key)),
            JSONMember("steps", .array(e.steps.map { st in .object([
                JSONMember("t", .number(Double(st.t))), JSONMember("local", .number(st.local)),
                JSONMember("via_a", .number(st.viaA)), JSONMember("via_c", .number(st.viaC)),
                JSONMember("local_share", jsonShare(st.localShare)), JSONMember("carried_share", jsonShare(st.carriedShare)),
            ]) })),
            JSONMember("local_share", jsonShare(e.localShare)), JSONMember("carried_share", jsonShare(e.carriedShare)),
            JSONMember("reconstruction_error", .number(e.reconstructionError)),
            JSONMember("reconstruction", .string(reconstruction(e))),
        ] + (e.reference.map { [JSONMember("bptt_vs_exact", .number($0.bptt)), JSONMember("sum_vs_exact", .number($0.sum))] } ?? []) + [
            JSONMember("conclusion", .string(conclusion(e, perStepError: perStepError, allZero: allZero))),
        ])
    }

    /// The view's entry in the JSON report (`ReportEnvelope`): the fixture, the view's own
    /// figures, and what it came to.
    static func entry(_ fixture: Fixture, _ view: JSONValue, _ outcome: Outcome) -> JSONValue {
        guard case .object(let members) = view else { return view }
        return .object([JSONReport.fixture(fixture)] + members + [JSONReport.status(outcome)])
    }

    static func flowJSON(_ f: FlowReport) -> JSONValue {
        .object([
            JSONMember("hidden", .array(f.hidden.map(JSONValue.number))),
            JSONMember("cell", .array(f.cell.map(JSONValue.number))),
            JSONMember("by_distance", .array(f.byDistance.map(JSONValue.number))),
        ])
    }
}

extension ExplainRender {
    static func compareText(_ c: FlowComparison, fixture: Fixture) -> String {
        var s = "lstm-gradcheck · gradient flow, \(c.name) beside a plain RNN · \(ReportText.headline(fixture))\n"
        s += wrap("Both cells read the same x, a0 and target; \(scaleSentence(c)) Mean ‖∂L_s/∂a_{s−k}‖ relative to k = 0:", indent: 0) + "\n\n"
        var table = Table(header: ["k", c.name, "RNN"], align: [.right, .right, .right])
        for k in c.gated.decay.indices { table.rows.append(["\(k)", sci(c.gated.decay[k]), sci(c.rnn.decay[k])]) }
        s += table.render()
        let range = logRange([c.gated.decay, c.rnn.decay])
        s += "\n\(c.name.padding(toLength: 4, withPad: " ", startingAt: 0)) (log scale, shared):  " + sparkline(c.gated.decay, logarithmic: true, range: range) + "\n"
        s += "RNN  (log scale, shared):  " + sparkline(c.rnn.decay, logarithmic: true, range: range) + "\n\n"
        return s + wrap(c.conclusion, indent: 0) + "\n"
    }

    /// At what scale the RNN's weights are drawn, beside the gated network's.
    static func scaleSentence(_ c: FlowComparison) -> String {
        let range = "uniform in [−\(number(c.rnnScale)), \(number(c.rnnScale)))"
        return c.sameScale
            ? "the RNN's weights are drawn at the same scale as the \(c.name)'s, \(range)."
            : "the RNN's weights are drawn \(range); the \(c.name)'s are the fixture's own, the largest |w| of its gates \(sci(c.gatedLargestWeight))."
    }

    /// A scale as given: `1`, `0.3`, `20`.
    static func number(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)" }

    /// The gated cell's figures under its own name (`lstm`, `gru`), the RNN's under `rnn`.
    static func compareJSON(_ c: FlowComparison) -> JSONValue {
        let cell = c.cell == .lstm ? "lstm" : "gru"
        return .object([
            JSONMember(cell, flowJSON(c.gated)), JSONMember("rnn", flowJSON(c.rnn)),
            JSONMember("\(cell)_decay_per_step", .number(c.gated.decayPerStep)),
            JSONMember("rnn_decay_per_step", .number(c.rnn.decayPerStep)),
            JSONMember("\(cell)_carries_further", .bool(c.gatedCarriesFurther)),
            JSONMember("rnn_weight_scale", .number(c.rnnScale)), JSONMember("same_weight_scale", .bool(c.sameScale)),
            JSONMember("conclusion", .string(c.conclusion)),
        ])
    }
}
