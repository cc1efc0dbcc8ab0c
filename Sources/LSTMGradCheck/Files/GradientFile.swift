/// The gradient file of SPEC.md: Coursera's gradient names (`dWf` … `dx`), each in
/// its input's shape.
public enum GradientFile {
    /// `Wf` → `dWf`.
    public static func fileKey(_ key: String) -> String { "d" + key }

    public static func encode(_ g: Gradients) -> JSONValue {
        .object(g.keys.compactMap { key in g[key].map { JSONMember(fileKey(key), JSONArrays.json($0)) } })
    }
}
