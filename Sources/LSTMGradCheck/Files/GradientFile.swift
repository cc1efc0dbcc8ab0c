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
    /// The keys whose content cannot be a gradient (an integer, a string, an object, NaN), each
    /// with the error that says why, in file order. Only the user of the file knows which keys it
    /// needs: `verify` fails with the error for a key it wants (or a slip for one) and lists
    /// the others with the keys it ignores.
    public var unreadable: [UnreadableKey] = []

    public init(source: String, tensors: [UserTensor], unreadable: [UnreadableKey] = []) {
        self.source = source
        self.tensors = tensors
        self.unreadable = unreadable
    }

    /// Every key of the file, readable or not.
    public var keys: [String] { tensors.map(\.key) + unreadable.map(\.key) }
}

/// A key of a gradient file whose content is no gradient, and why (one line: file, key, expected).
public struct UnreadableKey: Sendable {
    public var key: String
    public var reason: InputError
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
            return UserGradients(source: source, tensors: [try tensor(stem, try NumPyFile.readNPY(bytes, source: source, maxElements: limits.maxElements), source: source).get()])
        case .npz:
            var read = UserGradients(source: source, tensors: [])
            for m in try NumPyFile.readNPZMembers(bytes, source: source, maxBytes: limits.maxFileBytes, maxElements: limits.maxElements) {
                read.add(m.name, m.array.flatMap { tensor(m.name, $0, source: source) })
            }
            return read
        case .json:
            return try decode(try FileAccess.json(bytes, source: source), source: source)
        }
    }

    /// A JSON object of nested arrays, one member per gradient.
    public static func decode(_ json: JSONValue, source: String) throws(InputError) -> UserGradients {
        guard case .object(let members) = json else {
            throw InputError(source: source, expected: "a JSON object of gradients (\"dWf\": [[...]], ...)", found: json.kindDescription)
        }
        var read = UserGradients(source: source, tensors: [])
        for member in members {
            read.add(member.key, Result { () throws(InputError) in
                UserTensor(key: member.key, tensor: try JSONArrays.tensor(member.value, source: source, key: member.key), singlePrecision: false)
            })
        }
        return read
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
        var read = UserGradients(source: path, tensors: [])
        for name in names {
            let file = (path as NSString).appendingPathComponent(name)
            let bytes = try FileAccess.read(file, maxBytes: limits.maxFileBytes)
            let key = String(name.dropLast(4))
            read.add(key, Result { () throws(InputError) in try NumPyFile.readNPY(bytes, source: file, maxElements: limits.maxElements) }
                .flatMap { tensor(key, $0, source: file) })
        }
        return read
    }

    /// NaN or infinity in a user's gradient is bad input, not a mismatch: the check
    /// would be meaningless, so the key is unreadable, with the element that makes it so.
    private static func tensor(_ key: String, _ a: NumPyArray, source: String) -> Result<UserTensor, InputError> {
        let t = Tensor(shape: a.shape, data: a.data)
        if let k = t.data.firstIndex(where: { !$0.isFinite }) {
            return .failure(InputError(source: source, key: "\(key)\(t.index(ofFlat: k))", expected: "finite numbers", found: "\(t.data[k])"))
        }
        return .success(UserTensor(key: key, tensor: t, singlePrecision: a.dtype.hasSuffix("f4")))
    }
}

extension UserGradients {
    /// Adds `key` as read: its tensor, or the reason it holds none.
    mutating func add(_ key: String, _ read: Result<UserTensor, InputError>) {
        switch read {
        case .success(let t): tensors.append(t)
        case .failure(let reason): unreadable.append(UnreadableKey(key: key, reason: reason))
        }
    }
}
