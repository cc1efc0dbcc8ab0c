/// A named problem, as stored in `Fixtures/*.json`.
public struct Fixture: Sendable {
    public var name: String
    public var description: String?
    public var problem: LSTMProblem<Double>

    public init(name: String, description: String? = nil, problem: LSTMProblem<Double>) {
        self.name = name
        self.description = description
        self.problem = problem
    }
}

/// The fixture format of SPEC.md: Coursera's names and shapes, so a NumPy user can
/// `json.dump` their arrays unchanged.
public enum FixtureFile {
    /// Reads and validates the fixture at `path`; `name` defaults to the file's stem.
    public static func read(_ path: String) throws(InputError) -> Fixture {
        let json = try FileAccess.json(try FileAccess.read(path), source: path)
        let stem = path.split(separator: "/").last.map { String($0.split(separator: ".").first ?? $0[...]) } ?? path
        return try decode(json, source: path, defaultName: stem)
    }

    /// Validates a parsed fixture: every array rectangular and finite, every shape
    /// consistent with `Wf` and `x`, class indices in range.
    public static func decode(_ json: JSONValue, source: String, defaultName: String) throws(InputError) -> Fixture {
        guard case .object = json else {
            throw InputError(source: source, expected: "a JSON object with \"parameters\", \"x\" and \"y\" or \"da\"", found: json.kindDescription)
        }
        if let cell = json["cell"], cell != .string("lstm") {
            throw InputError(source: source, key: "cell", expected: "\"lstm\"", found: cell.kindDescription)
        }
        var reader = Reader(json: json, source: source)
        let p = try reader.parameters()
        let (n_a, n_x) = (p.Wf.rows, p.Wf.cols - p.Wf.rows)

        let xTensor = try reader.tensor("x", in: json)
        guard xTensor.shape.count == 3, xTensor.shape[0] == n_x, xTensor.shape[1] >= 1, xTensor.shape[2] >= 1 else {
            throw InputError(source: source, key: "x", expected: "shape n_x × m × T_x with n_x = \(n_x) (from Wf)", found: shapeText(xTensor.shape))
        }
        let (m, T) = (xTensor.shape[1], xTensor.shape[2])
        let a0 = try reader.optionalMatrix("a0", rows: n_a, cols: m, what: "n_a × m") ?? Matrix(rows: n_a, cols: m)
        let c0 = try reader.optionalMatrix("c0", rows: n_a, cols: m, what: "n_a × m")

        let target: LSTMTarget
        var params = p
        switch (json["y"], json["da"]) {
        case (.some, .some):
            throw InputError(source: source, key: "da", expected: "either \"y\" (with Wy, by) or \"da\", not both")
        case (nil, nil):
            throw InputError(source: source, key: "y", expected: "class labels \"y\" (m × T_x) or an upstream gradient \"da\" (n_a × m × T')", found: "neither")
        case (.some(let y), nil):
            guard let Wy = try reader.optionalMatrix("Wy", in: "parameters", rows: nil, cols: n_a, what: "n_y × n_a"),
                  let by = try reader.optionalMatrix("by", in: "parameters", rows: Wy.rows, cols: 1, what: "n_y × 1 (n_y from Wy)") else {
                throw InputError(source: source, key: "parameters.Wy", expected: "the output layer Wy (n_y × n_a) and by (n_y × 1) when \"y\" is given", found: "none")
            }
            params.Wy = Wy
            params.by = by
            target = .labels(try reader.labels(y, n_y: Wy.rows, m: m, T: T))
        case (nil, .some):
            let t = try reader.tensor("da", in: json)
            guard t.shape.count == 3, t.shape[0] == n_a, t.shape[1] == m, (1...T).contains(t.shape[2]) else {
                throw InputError(source: source, key: "da", expected: "shape n_a × m × T' = \(n_a) × \(m) × (1 to \(T))", found: shapeText(t.shape))
            }
            target = .upstream(t.steps)
        }

        let problem = LSTMProblem(parameters: params, a0: a0, c0: c0, x: xTensor.steps, target: target)
        try reader.checkDims(problem.dims)
        var description: String?
        if let d = json["description"] {
            guard case .string(let s) = d else {
                throw InputError(source: source, key: "description", expected: "a string", found: d.kindDescription)
            }
            description = s
        }
        var name = defaultName
        if let n = json["name"] {
            guard case .string(let s) = n, !s.isEmpty else {
                throw InputError(source: source, key: "name", expected: "a non-empty string", found: n.kindDescription)
            }
            name = s
        }
        return Fixture(name: name, description: description, problem: problem)
    }

    /// The fixture as JSON, in the layout `decode` reads (and SPEC.md describes).
    public static func encode(_ fixture: Fixture) -> JSONValue {
        let problem = fixture.problem
        let d = problem.dims
        var members: [JSONMember] = [JSONMember("name", .string(fixture.name))]
        if let description = fixture.description { members.append(JSONMember("description", .string(description))) }
        members.append(JSONMember("dims", .object([
            JSONMember("n_x", .number(Double(d.n_x))), JSONMember("n_a", .number(Double(d.n_a))),
            JSONMember("n_y", .number(Double(d.n_y))), JSONMember("steps", .number(Double(d.steps))),
            JSONMember("batch", .number(Double(d.batch))),
        ])))
        let keys = LSTMParameters<Double>.fields.filter { problem.hasOutputLayer || ($0.name != "Wy" && $0.name != "by") }
        members.append(JSONMember("parameters", .object(keys.map {
            JSONMember($0.name, JSONArrays.json(Tensor(problem.parameters[keyPath: $0.path])))
        })))
        members.append(JSONMember("a0", JSONArrays.json(problem.tensor("a0"))))
        if problem.hasC0 { members.append(JSONMember("c0", JSONArrays.json(problem.tensor("c0")))) }
        members.append(JSONMember("x", JSONArrays.json(problem.tensor("x"))))
        switch problem.target {
        case .labels(let labels):
            let y = (0..<d.batch).map { j in JSONValue.array(labels.map { .number(Double($0[j])) }) }
            members.append(JSONMember("y", .array(y)))
        case .upstream(let da):
            members.append(JSONMember("da", JSONArrays.json(Tensor(steps: da, rows: d.n_a, cols: d.batch))))
        }
        return .object(members)
    }
}

/// Reads the pieces of one fixture document, naming `source` and the key in every error.
private struct Reader {
    let json: JSONValue
    let source: String

    func tensor(_ key: String, in object: JSONValue, prefix: String = "") throws(InputError) -> Tensor {
        guard let value = object[key] else {
            throw InputError(source: source, key: prefix + key, expected: "a value", found: "none (the key is missing)")
        }
        return try JSONArrays.tensor(value, source: source, key: prefix + key)
    }

    /// `rows`/`cols` nil means "any size ≥ 1".
    func matrix(_ key: String, in parent: String? = nil, rows: Int?, cols: Int?, what: String) throws(InputError) -> Matrix<Double> {
        let object = parent.flatMap { json[$0] } ?? json
        let prefix = parent.map { "\($0)." } ?? ""
        let t = try tensor(key, in: object, prefix: prefix)
        let wanted = "\(what)" + (rows.map { r in cols.map { " = \(r) × \($0)" } ?? "" } ?? "")
        guard t.shape.count == 2, t.shape[0] >= 1, t.shape[1] >= 1,
              rows.map({ $0 == t.shape[0] }) ?? true, cols.map({ $0 == t.shape[1] }) ?? true else {
            throw InputError(source: source, key: prefix + key, expected: "a matrix of shape \(wanted)", found: shapeText(t.shape))
        }
        return t.matrix
    }

    func optionalMatrix(_ key: String, in parent: String? = nil, rows: Int?, cols: Int?, what: String) throws(InputError) -> Matrix<Double>? {
        let object = parent.flatMap { json[$0] } ?? json
        guard object[key] != nil else { return nil }
        return try matrix(key, in: parent, rows: rows, cols: cols, what: what)
    }

    mutating func parameters() throws(InputError) -> LSTMParameters<Double> {
        guard let params = json["parameters"] else {
            throw InputError(source: source, key: "parameters", expected: "an object with Wf bf Wi bi Wc bc Wo bo (and Wy by)", found: "none")
        }
        guard case .object = params else {
            throw InputError(source: source, key: "parameters", expected: "an object with Wf bf Wi bi Wc bc Wo bo (and Wy by)", found: params.kindDescription)
        }
        let Wf = try matrix("Wf", in: "parameters", rows: nil, cols: nil, what: "n_a × (n_a + n_x)")
        let n_a = Wf.rows
        guard Wf.cols > n_a else {
            throw InputError(source: source, key: "parameters.Wf", expected: "n_a × (n_a + n_x) with n_x ≥ 1, so more columns than rows", found: shapeText([Wf.rows, Wf.cols]))
        }
        func gate(_ key: String) throws(InputError) -> Matrix<Double> {
            try matrix(key, in: "parameters", rows: n_a, cols: Wf.cols, what: "n_a × (n_a + n_x), as Wf")
        }
        func bias(_ key: String) throws(InputError) -> Matrix<Double> {
            try matrix(key, in: "parameters", rows: n_a, cols: 1, what: "n_a × 1")
        }
        return LSTMParameters(Wf: Wf, bf: try bias("bf"), Wi: try gate("Wi"), bi: try bias("bi"),
                              Wc: try gate("Wc"), bc: try bias("bc"), Wo: try gate("Wo"), bo: try bias("bo"),
                              Wy: Matrix(rows: 0, cols: n_a), by: Matrix(rows: 0, cols: 1))
    }

    /// `y` as m × T_x class indices, or one-hot n_y × m × T_x; returned per step.
    func labels(_ y: JSONValue, n_y: Int, m: Int, T: Int) throws(InputError) -> [[Int]] {
        let t = try JSONArrays.tensor(y, source: source, key: "y")
        var labels = Array(repeating: Array(repeating: 0, count: m), count: T)
        if t.shape == [m, T] {
            for j in 0..<m {
                for s in 0..<T {
                    let v = t.data[j * T + s]
                    guard v == v.rounded(), v >= 0, v < Double(n_y) else {
                        throw InputError(source: source, key: "y[\(j)][\(s)]", expected: "a class index, a whole number from 0 to \(n_y - 1)", found: "\(v)")
                    }
                    labels[s][j] = Int(v)
                }
            }
            return labels
        }
        guard t.shape == [n_y, m, T] else {
            throw InputError(source: source, key: "y", expected: "class indices of shape m × T_x = \(m) × \(T), or one-hot n_y × m × T_x = \(n_y) × \(m) × \(T)", found: shapeText(t.shape))
        }
        for j in 0..<m {
            for s in 0..<T {
                let column = (0..<n_y).map { t.data[($0 * m + j) * T + s] }
                guard column.allSatisfy({ $0 == 0 || $0 == 1 }), column.filter({ $0 == 1 }).count == 1,
                      let k = column.firstIndex(of: 1) else {
                    throw InputError(source: source, key: "y[:][\(j)][\(s)]", expected: "a one-hot column (a single 1, the rest 0)", found: "\(column)")
                }
                labels[s][j] = k
            }
        }
        return labels
    }

    /// An explicit `"dims"` object must agree with the arrays.
    func checkDims(_ d: LSTMDims) throws(InputError) {
        guard let dims = json["dims"] else { return }
        guard case .object(let members) = dims else {
            throw InputError(source: source, key: "dims", expected: "an object of sizes", found: dims.kindDescription)
        }
        let actual = ["n_x": d.n_x, "n_a": d.n_a, "n_y": d.n_y, "steps": d.steps, "T_x": d.steps, "batch": d.batch, "m": d.batch]
        for member in members {
            guard let want = actual[member.key] else {
                throw InputError(source: source, key: "dims.\(member.key)", expected: "one of n_x, n_a, n_y, steps, batch")
            }
            guard case .number(let v) = member.value, v == Double(want) else {
                throw InputError(source: source, key: "dims.\(member.key)", expected: "\(want), as the arrays say", found: member.value.kindDescription)
            }
        }
    }
}
