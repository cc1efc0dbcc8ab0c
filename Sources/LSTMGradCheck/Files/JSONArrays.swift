/// Nested JSON arrays ↔ tensors, with errors that name the file, the key and the shape.
enum JSONArrays {
    /// Reads a rectangular nested array of finite numbers of any depth; `key` names it
    /// in errors (`parameters.Wf`), with the offending element's index appended.
    static func tensor(_ value: JSONValue, source: String, key: String) throws(InputError) -> Tensor {
        var shape: [Int] = []
        var probe = value
        while case .array(let items) = probe {
            shape.append(items.count)
            guard let first = items.first else { break }
            probe = first
        }
        // Nothing is reserved from `shape`: it is only the first element's spine until `collect`
        // has checked every sibling, and a small ragged array can claim more elements than
        // memory holds, or than Int counts (ten levels of a hundred).
        var data: [Double] = []
        try collect(value, depth: 0, shape: shape, path: key, source: source, into: &data)
        return Tensor(shape: shape, data: data)
    }

    private static func collect(_ value: JSONValue, depth: Int, shape: [Int], path: String, source: String,
                                into data: inout [Double]) throws(InputError) {
        if depth == shape.count {
            guard case .number(let v) = value else {
                throw InputError(source: source, key: path, expected: "a number", found: value.kindDescription)
            }
            guard v.isFinite else {
                throw InputError(source: source, key: path, expected: "a finite number", found: "\(v)")
            }
            data.append(v)
            return
        }
        guard case .array(let items) = value else {
            throw InputError(source: source, key: path, expected: "an array of \(shape[depth]) (a ragged array?)", found: value.kindDescription)
        }
        guard items.count == shape[depth] else {
            throw InputError(source: source, key: path, expected: "\(shape[depth]) elements like its siblings (the array is ragged)", found: "\(items.count)")
        }
        for (k, item) in items.enumerated() {
            try collect(item, depth: depth + 1, shape: shape, path: "\(path)[\(k)]", source: source, into: &data)
        }
    }

    /// The tensor as nested arrays in C order.
    static func json(_ t: Tensor) -> JSONValue {
        func level(_ depth: Int, _ offset: Int) -> JSONValue {
            if depth == t.shape.count { return .number(t.data[offset]) }
            let stride = t.shape[(depth + 1)...].reduce(1, *)
            return .array((0..<t.shape[depth]).map { level(depth + 1, offset + $0 * stride) })
        }
        return level(0, 0)
    }
}

/// `5 × 8`, the way shapes are written in messages.
func shapeText(_ shape: [Int]) -> String {
    shape.isEmpty ? "a single number" : shape.map(String.init).joined(separator: " × ")
}
