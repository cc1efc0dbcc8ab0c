import Foundation
import LSTMGradCheck

/// JAX's jitted finite differences (Benchmarks/jax_fd.py) of each network in `names`, when
/// python3 imports jax; nothing otherwise (the section then says it was skipped). `fixture`
/// gives a network's fixture file. One run each: JAX times its import, its compilation and
/// the compiled run apart, and the run alone is the figure set against the tool's.
func jaxRuns(_ names: [String], fixture: (String) -> String) -> [String: (seconds: Double, compile: Double, imports: Double, values: JSONValue?)] {
    guard !names.isEmpty, python3Imports("jax") else { return [:] }
    var out: [String: (seconds: Double, compile: Double, imports: Double, values: JSONValue?)] = [:]
    for name in names {
        let output = run("/usr/bin/env", ["python3", peerScript("jax_fd.py"), fixture(name)]).output
        if let json = try? JSON.parse(output), case .number(let seconds)? = json["seconds"],
           case .number(let compile)? = json["compile"], case .number(let imports)? = json["import"] {
            out[name] = (seconds, compile, imports, json["values"])
        }
    }
    return out
}

/// The JAX rows: run, compile and import times per network, and its quotients against the batched ones.
func jaxSection(_ jax: [String: (seconds: Double, compile: Double, imports: Double, values: JSONValue?)], columns: [String],
                row: (String, [String], String) -> Void) {
    print("— JAX (Benchmarks/jax_fd.py: central differences of every element, vmapped and jitted, float64) —")
    guard !jax.isEmpty else {
        print(python3Imports("jax") ? "jax_fd.py failed" : "skipped: python3 with JAX not found (pip install jax)")
        return
    }
    row("full numerical check, compiled run", columns.map { n in jax[n].map { format($0.seconds) } ?? "—" }, "")
    row("  + compile, + import", columns.map { n in jax[n].map { "+\(format($0.compile)), +\(format($0.imports))" } ?? "—" }, "")
    row("|JAX − batched| / max(|JAX|, 1e-3)", columns.map { n in agreement(n, jax[n]?.values) }, "")
}
