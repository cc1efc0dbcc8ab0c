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

    /// The kinds of gradient file.
    enum Kind {
        case npy, npz, json
    }

    /// Reads `path` by its kind: a folder of `.npy` files, `.npy`, `.npz`, else JSON.
    /// Files, archives and arrays are held to `limits` before anything is allocated for them.
    public static func read(_ path: String, limits: Limits = .machineDefault) throws(InputError) -> UserGradients {
        if isFolder(path) { return try readFolder(path, limits) }
        let kind: Kind = path.hasSuffix(".npy") ? .npy : path.hasSuffix(".npz") ? .npz : .json
        return try decode(try FileAccess.read(path, maxBytes: limits.maxFileBytes), kind, source: path, limits)
    }

    /// Reads `path` by what it holds, whatever its name: an `.npz` archive (a zip), a `.npy`
    /// array (NumPy's magic; its key from the file name), a folder of `.npy` files, else JSON.
    /// For a file a program wrote where it was told to (`verify --exec`'s `{out}`): errors and
    /// the gradients' `source` say `source`, not the path.
    public static func read(contentsOf path: String, source: String, limits: Limits = .machineDefault) throws(InputError) -> UserGradients {
        do {
            var read: UserGradients
            if isFolder(path) {
                read = try readFolder(path, limits)
            } else {
                let bytes = try FileAccess.read(path, maxBytes: limits.maxFileBytes)
                let kind: Kind = bytes.starts(with: NumPyFile.zipMagic) ? .npz : bytes.starts(with: NumPyFile.magic) ? .npy : .json
                read = try decode(bytes, kind, source: path, limits)
            }
            read.source = source
            return read
        } catch {
            var named = error
            named.source = source
            throw named
        }
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The gradients in `bytes`, a file of `kind` at `source`.
    private static func decode(_ bytes: [UInt8], _ kind: Kind, source: String, _ limits: Limits) throws(InputError) -> UserGradients {
        switch kind {
        case .npy:
            let stem = URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent
            return UserGradients(source: source, tensors: [try tensor(stem, try NumPyFile.readNPY(bytes, source: source, maxElements: limits.maxElements), source: source)])
        case .npz:
            let members = try NumPyFile.readNPZ(bytes, source: source, maxBytes: limits.maxFileBytes, maxElements: limits.maxElements)
            return UserGradients(source: source, tensors: try members.map { (m) throws(InputError) in try tensor(m.name, m.array, source: source) })
        case .json:
            return try decode(try FileAccess.json(bytes, source: source), source: source)
        }
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
