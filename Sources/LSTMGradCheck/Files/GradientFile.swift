import Foundation

/// One tensor from a user's gradient file, as read.
public struct UserTensor: Sendable {
    /// The file's key (`dWf`).
    public var key: String
    public var tensor: Tensor
    /// Whether the file stored it in single precision (its rounding is then ~6e-8).
    public var singlePrecision: Bool
}

/// A user's gradient file: JSON, a `.npy` array (its key from the file name), a folder
/// of `.npy` files, or an `.npz` archive (`np.savez` or `np.savez_compressed`).
public struct UserGradients: Sendable {
    public var source: String
    /// In file order.
    public var tensors: [UserTensor]
}

/// The gradient file: Coursera's gradient names (`dWf` … `dx`), each in its input's shape, or
/// a layout's (cs231n's `dx dh0 dWx dWh db`, PyTorch's and Keras' tensors' own names) in the
/// layout's shapes.
public enum GradientFile {
    public static func encode<C: Cell>(_ g: Gradients<C>) -> JSONValue {
        .object(g.inputs.compactMap { input in g[input].map { JSONMember(input.gradientName, JSONArrays.json($0)) } })
    }

    /// `g` in `layout`'s names and shapes (PyTorch time-major; `encode(_:form:)` for a fixture's
    /// own form, `batch_first` included).
    public static func encode<C: Cell>(_ g: Gradients<C>, layout: Layout) throws(InputError) -> JSONValue {
        try encode(g, form: LayoutForm(layout))
    }

    /// `g` in `form`'s layout: the tensors of `Layout.gradients`, in the layout's order. An
    /// error when the layout cannot hold the cell, or the gradients have an output layer the
    /// layout does not (only cs231n's captioning loss has one).
    public static func encode<C: Cell>(_ g: Gradients<C>, form: LayoutForm) throws(InputError) -> JSONValue {
        guard form.layout != .coursera else { return encode(g) }
        return .object(try form.layout.gradients(g, form: form).map { JSONMember($0.key, JSONArrays.json($0.tensor)) })
    }

    /// Reads `path` by its kind: a folder of `.npy` files, `.npy`, `.npz`, else JSON.
    /// Files, archives and arrays are held to `limits` before anything is allocated for them.
    public static func read(_ path: String, limits: Limits = .machineDefault) throws(InputError) -> UserGradients {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return try readFolder(path, limits)
        }
        let bytes = try FileAccess.read(path, maxBytes: limits.maxFileBytes)
        if path.hasSuffix(".npy") {
            let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return UserGradients(source: path, tensors: [try tensor(stem, try NumPyFile.readNPY(bytes, source: path, maxElements: limits.maxElements), source: path)])
        }
        if path.hasSuffix(".npz") {
            let members = try NumPyFile.readNPZ(bytes, source: path, maxBytes: limits.maxFileBytes, maxElements: limits.maxElements)
            return UserGradients(source: path, tensors: try members.map { (m) throws(InputError) in try tensor(m.name, m.array, source: path) })
        }
        return try decode(try FileAccess.json(bytes, source: path), source: path)
    }

    /// A JSON object of nested arrays, one member per gradient.
    public static func decode(_ json: JSONValue, source: String) throws(InputError) -> UserGradients {
        guard case .object(let members) = json else {
            throw InputError(source: source, expected: "a JSON object of gradients (\"dWf\": [[...]], ...)", found: json.kindDescription)
        }
        var tensors: [UserTensor] = []
        for member in members {
            tensors.append(UserTensor(key: member.key, tensor: try JSONArrays.tensor(member.value, source: source, key: member.key),
                                      singlePrecision: false))
        }
        return UserGradients(source: source, tensors: tensors)
    }

    private static func readFolder(_ path: String, _ limits: Limits) throws(InputError) -> UserGradients {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".npy") }.sorted()
        } catch {
            throw InputError(source: path, expected: "a readable folder of .npy files", found: "it cannot be listed")
        }
        guard !names.isEmpty else {
            throw InputError(source: path, expected: "a folder holding .npy files (dWf.npy, ...)", found: "none")
        }
        var tensors: [UserTensor] = []
        for name in names {
            let file = (path as NSString).appendingPathComponent(name)
            let array = try NumPyFile.readNPY(try FileAccess.read(file, maxBytes: limits.maxFileBytes), source: file, maxElements: limits.maxElements)
            tensors.append(try tensor(String(name.dropLast(4)), array, source: file))
        }
        return UserGradients(source: path, tensors: tensors)
    }

    /// NaN or infinity in a user's gradient is bad input, not a mismatch: the check
    /// would be meaningless, so it stops with the key and the element.
    private static func tensor(_ key: String, _ a: NumPyArray, source: String) throws(InputError) -> UserTensor {
        let t = Tensor(shape: a.shape, data: a.data)
        if let k = t.data.firstIndex(where: { !$0.isFinite }) {
            throw InputError(source: source, key: "\(key)\(t.index(ofFlat: k))", expected: "finite numbers", found: "\(t.data[k])")
        }
        return UserTensor(key: key, tensor: t, singlePrecision: a.dtype.hasSuffix("f4"))
    }
}
