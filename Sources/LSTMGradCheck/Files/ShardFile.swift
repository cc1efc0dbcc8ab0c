/// One shard of a sharded run (`--shard K/N`), as written to its part file: which run it
/// belongs to (the command, the fingerprint of the network and request, K of N), the
/// network's name, cell and sizes, the inputs' names and shapes (which fix the element
/// numbering), the elements it holds and their values.
public struct ShardPart: Sendable, Equatable {
    /// The part format this build writes and reads.
    public static let formatVersion = 1

    /// `grads` or `check`.
    public var command: String
    /// `Shards.fingerprint` in hexadecimal.
    public var fingerprint: String
    /// K of N, 1-based.
    public var index: Int, count: Int
    public var name: String
    public var cell: CellKind
    public var dims: Dims
    /// `problem.inputs` in order, with their shapes.
    public var inputs: [ShapedInput]
    /// The element numbers held, ascending and disjoint.
    public var elements: [Range<Int>]
    /// One per element of `elements`, in order (NaN where the result was not finite).
    public var values: [Double]
    /// Each value's estimated error (`check`); nil when the run estimates none.
    public var errors: [Double]?
    /// What the merging command needs besides the values, as the command writes it (`check`:
    /// its options and the network); nil for none.
    public var extra: JSONValue?

    public struct ShapedInput: Sendable, Equatable {
        public var name: String
        public var shape: [Int]

        public init(name: String, shape: [Int]) {
            self.name = name
            self.shape = shape
        }
    }

    public init(command: String, fingerprint: String, index: Int, count: Int, name: String, cell: CellKind, dims: Dims,
                inputs: [ShapedInput], elements: [Range<Int>], values: [Double], errors: [Double]? = nil, extra: JSONValue? = nil) {
        self.command = command
        self.fingerprint = fingerprint
        self.index = index
        self.count = count
        self.name = name
        self.cell = cell
        self.dims = dims
        self.inputs = inputs
        self.elements = elements
        self.values = values
        self.errors = errors
        self.extra = extra
    }

    /// The inputs of `problem`, with their shapes.
    public static func inputs<P: CellProblem>(of network: P) -> [ShapedInput] {
        network.typed.inputs.map { ShapedInput(name: $0.name, shape: network.typed.shape(of: $0)) }
    }

    /// How many elements the network has.
    public var totalElements: Int { inputs.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// "2/3".
    public var shardText: String { "\(index)/\(count)" }
}

/// A set of parts that is not one whole run: which file, and what is wrong, in one line.
public struct ShardMergeError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// The part file: one JSON object (`"lstm-gradcheck": "shard part"`, `version`, `command`,
/// `shard` "K/N", `fingerprint`, `network`, `inputs`, `elements` as [first, end) pairs,
/// `values`, and `errors` and `extra` when the command has them), and the merge of a whole set.
public enum ShardFile {
    static let marker = "shard part"

    public static func encode(_ part: ShardPart) -> JSONValue {
        func i(_ v: Int) -> JSONValue { .number(Double(v)) }
        let d = part.dims
        var members = [
            JSONMember("lstm-gradcheck", .string(marker)),
            JSONMember("version", i(ShardPart.formatVersion)),
            JSONMember("command", .string(part.command)),
            JSONMember("shard", .string(part.shardText)),
            JSONMember("fingerprint", .string(part.fingerprint)),
            JSONMember("network", .object([
                JSONMember("name", .string(part.name)), JSONMember("cell", .string(part.cell.rawValue)),
                JSONMember("n_x", i(d.n_x)), JSONMember("n_a", i(d.n_a)), JSONMember("n_y", i(d.n_y)),
                JSONMember("steps", i(d.steps)), JSONMember("batch", i(d.batch)),
            ])),
            JSONMember("inputs", .object(part.inputs.map { JSONMember($0.name, .array($0.shape.map(i))) })),
            JSONMember("elements", .array(part.elements.map { .array([i($0.lowerBound), i($0.upperBound)]) })),
            JSONMember("values", .array(part.values.map { .number($0) })),
        ]
        if let errors = part.errors { members.append(JSONMember("errors", .array(errors.map { .number($0) }))) }
        if let extra = part.extra { members.append(JSONMember("extra", extra)) }
        return .object(members)
    }

    /// Reads the part at `path`, held to `limits` like every file.
    public static func read(_ path: String, limits: Limits = .machineDefault) throws(InputError) -> ShardPart {
        try decode(try FileAccess.json(try FileAccess.read(path, maxBytes: limits.maxFileBytes), source: path), source: path,
                   maxElements: limits.maxElements)
    }

    /// A parsed part, every field checked; a network of more than `maxElements` elements is
    /// refused before anything the size of the network is allocated.
    public static func decode(_ json: JSONValue, source: String,
                              maxElements: Int = Limits.machineDefault.maxElements) throws(InputError) -> ShardPart {
        guard case .object = json, json["lstm-gradcheck"] == .string(marker) else {
            let found: String
            if case .object = json { found = "a JSON object without \"lstm-gradcheck\": \"\(marker)\"" } else { found = json.kindDescription }
            throw InputError(source: source, expected: "a shard part written by 'lstm-gradcheck … --shard K/N'", found: found)
        }
        let version = try whole(json, "version", source)
        guard version == ShardPart.formatVersion else {
            throw InputError(source: source, key: "version", expected: "\(ShardPart.formatVersion), the part format of this lstm-gradcheck", found: "\(version)")
        }
        let command = try string(json, "command", source)
        let shardText = try string(json, "shard", source)
        let numbers = shardText.split(separator: "/", omittingEmptySubsequences: false).map { Int($0) }
        guard numbers.count == 2, let k = numbers[0], let n = numbers[1], n >= 1, (1...n).contains(k) else {
            throw InputError(source: source, key: "shard", expected: "K/N with 1 ≤ K ≤ N", found: "\"\(shardText)\"")
        }
        let fingerprint = try string(json, "fingerprint", source)
        guard let network = json["network"], case .object = network else {
            throw InputError(source: source, key: "network", expected: "an object", found: json["network"]?.kindDescription ?? "none")
        }
        let cellName = try string(network, "cell", source, prefix: "network.")
        guard let cell = CellKind(rawValue: cellName) else {
            throw InputError(source: source, key: "network.cell", expected: CellKind.allCases.map(\.rawValue).joined(separator: " or "), found: "\"\(cellName)\"")
        }
        let dims = Dims(n_x: try whole(network, "n_x", source, prefix: "network."), n_a: try whole(network, "n_a", source, prefix: "network."),
                        n_y: try whole(network, "n_y", source, prefix: "network."), steps: try whole(network, "steps", source, prefix: "network."),
                        batch: try whole(network, "batch", source, prefix: "network."))
        guard case .object(let inputMembers)? = json["inputs"], !inputMembers.isEmpty else {
            throw InputError(source: source, key: "inputs", expected: "an object of input shapes", found: json["inputs"]?.kindDescription ?? "none")
        }
        var inputs: [ShardPart.ShapedInput] = []
        var total = 0
        for member in inputMembers {
            guard case .array(let sizes) = member.value, !sizes.isEmpty,
                  case let shape = sizes.compactMap(wholeNumber), shape.count == sizes.count, shape.allSatisfy({ $0 >= 1 }),
                  case let (count, overflow) = shape.reduce((1, false), { let p = $0.0.multipliedReportingOverflow(by: $1); return (p.partialValue, $0.1 || p.overflow) }),
                  !overflow, total <= Int.max - count else {
                throw InputError(source: source, key: "inputs.\(member.key)", expected: "a shape (sizes of at least 1)", found: member.value.kindDescription)
            }
            total += count
            inputs.append(ShardPart.ShapedInput(name: member.key, shape: shape))
        }
        guard total <= maxElements else {
            throw InputError(source: source, key: "inputs", expected: "at most \(maxElements) elements (raise --max-memory)", found: "\(total)")
        }
        guard case .array(let pairs)? = json["elements"] else {
            throw InputError(source: source, key: "elements", expected: "an array of [first, end) pairs", found: json["elements"]?.kindDescription ?? "none")
        }
        var elements: [Range<Int>] = []
        for (q, pair) in pairs.enumerated() {
            guard case .array(let ends) = pair, ends.count == 2, let lower = wholeNumber(ends[0]), let upper = wholeNumber(ends[1]),
                  lower >= (elements.last?.upperBound ?? 0), lower < upper, upper <= total else {
                throw InputError(source: source, key: "elements[\(q)]",
                                 expected: "a pair [first, end) of element numbers, ascending, within the \(total) elements", found: describe(pair))
            }
            elements.append(lower..<upper)
        }
        let held = elements.reduce(0) { $0 + $1.count }
        let values = try doubles(json, "values", count: held, source)
        let errors = json["errors"] == nil ? nil : try doubles(json, "errors", count: held, source)
        return ShardPart(command: command, fingerprint: fingerprint, index: k, count: n, name: try string(network, "name", source, prefix: "network."),
                         cell: cell, dims: dims, inputs: inputs, elements: elements, values: values, errors: errors, extra: json["extra"])
    }

    /// The values (and errors) of every element of the run that `parts` (each with the file it
    /// came from) split: they must be parts of one command, of one fingerprint and of one N,
    /// hold every shard 1…N exactly once, and between them every element exactly once. In any
    /// order. Throws, naming the file and what is wrong, otherwise.
    public static func merge(_ parts: [(source: String, part: ShardPart)]) throws(ShardMergeError) -> (values: [Double], errors: [Double]?) {
        guard let (firstSource, first) = parts.first else { throw ShardMergeError(message: "no parts to merge") }
        for (source, part) in parts.dropFirst() {
            if part.command != first.command {
                throw ShardMergeError(message: "\(source): a part of '\(part.command)', but \(firstSource) is a part of '\(first.command)'")
            }
            if part.fingerprint != first.fingerprint {
                throw ShardMergeError(message: "\(source): from another network or run: fingerprint \(part.fingerprint), but \(firstSource) has \(first.fingerprint)")
            }
            if part.count != first.count {
                throw ShardMergeError(message: "\(source): shard \(part.shardText), but \(firstSource) is shard \(first.shardText): parts of splits into different numbers of shards")
            }
            if part.name != first.name || part.cell != first.cell || part.dims != first.dims || part.inputs != first.inputs
                || (part.errors == nil) != (first.errors == nil) || part.extra != first.extra {
                throw ShardMergeError(message: "\(source): its network or contents differ from \(firstSource)'s under the same fingerprint (edited?)")
            }
        }
        var holder: [Int: String] = [:]
        for (source, part) in parts {
            if let other = holder[part.index] {
                throw ShardMergeError(message: "\(source): shard \(part.shardText) again (\(other) holds it too)")
            }
            holder[part.index] = source
        }
        if let missing = (1...first.count).first(where: { holder[$0] == nil }) {
            let given = parts.sorted { $0.part.index < $1.part.index }.map { "\($0.part.shardText) (\($0.source))" }.joined(separator: ", ")
            throw ShardMergeError(message: "shard \(missing)/\(first.count) is missing: given \(given)")
        }
        let total = first.totalElements
        var values = [Double](repeating: .nan, count: total)
        var errors: [Double]? = first.errors == nil ? nil : [Double](repeating: .nan, count: total)
        var owner = [Int32](repeating: -1, count: total)
        for (p, (source, part)) in parts.enumerated() {
            var position = 0
            for range in part.elements {
                if let clash = range.first(where: { owner[$0] >= 0 }) {
                    let other = parts[Int(owner[clash])].source
                    let end = range[clash...].firstIndex { owner[$0] < 0 } ?? range.upperBound
                    throw ShardMergeError(message: "\(source): elements \(clash)…\(end - 1) also in \(other)")
                }
                for n in range {
                    owner[n] = Int32(p)
                    values[n] = part.values[position]
                    if let e = part.errors { errors?[n] = e[position] }
                    position += 1
                }
            }
        }
        if let gap = owner.firstIndex(of: -1) {
            let end = owner[gap...].firstIndex { $0 >= 0 } ?? total
            throw ShardMergeError(message: "elements \(gap)…\(end - 1) of \(total) are in no part")
        }
        return (values, errors)
    }

    /// The gradient file (`GradientFile.encode`) of `values`, one per element of `part`'s
    /// inputs in their numbering: what the unsharded run prints.
    /// In `form`'s layout (a `grads` part of a layout fixture says which: `layoutForm`).
    public static func gradientFile(_ values: [Double], of part: ShardPart, form: LayoutForm = .coursera) throws(InputError) -> JSONValue {
        func encode<C: Cell>(_: C.Type) throws(InputError) -> JSONValue {
            var g = Gradients<C>(), offset = 0
            for input in part.inputs {
                guard let key = Input<C>(name: input.name) else {
                    throw InputError(source: "merge", key: "inputs.\(input.name)", expected: "an input of a \(part.cell.rawValue)")
                }
                let count = input.shape.reduce(1, *)
                g[key] = Tensor(shape: input.shape, data: Array(values[offset..<(offset + count)]))
                offset += count
            }
            return try GradientFile.encode(g, form: form)
        }
        return try encode(part.cell.cell)
    }

    /// A `grads` part's `extra.layout`: the layout its gradient file is written in.
    public static func layoutJSON(_ form: LayoutForm) -> JSONValue {
        .object([JSONMember("layout", .object([JSONMember("name", .string(form.layout.rawValue)),
                                               JSONMember("batch_first", .bool(form.batchFirst))]))])
    }

    /// The same in words, for a part's fingerprint.
    public static func describe(_ form: LayoutForm) -> String { "layout=\(form.layout.rawValue) batch_first=\(form.batchFirst)" }

    /// The layout a `grads` part's gradient file is written in: Coursera's unless `extra.layout` says.
    public static func layoutForm(_ part: ShardPart, source: String) throws(InputError) -> LayoutForm {
        guard part.command == "grads", let layout = part.extra?["layout"] else { return .coursera }
        guard case .string(let name)? = layout["name"], let found = Layout(rawValue: name), case .bool(let batchFirst)? = layout["batch_first"] else {
            throw InputError(source: source, key: "extra.layout", expected: "{\"name\": a layout, \"batch_first\": true or false}", found: layout.kindDescription)
        }
        return LayoutForm(found, batchFirst: batchFirst)
    }

    private static func describe(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): return "\"\(s)\""
        case .number(let x): return "\(x)"
        default: return v.kindDescription
        }
    }

    private static func wholeNumber(_ v: JSONValue) -> Int? {
        guard case .number(let x) = v, x == x.rounded(), x >= 0, x < 9.0e15 else { return nil }
        return Int(x)
    }

    private static func whole(_ object: JSONValue, _ key: String, _ source: String, prefix: String = "") throws(InputError) -> Int {
        guard let v = object[key], let n = wholeNumber(v) else {
            throw InputError(source: source, key: prefix + key, expected: "a whole number", found: object[key].map(describe) ?? "none")
        }
        return n
    }

    private static func string(_ object: JSONValue, _ key: String, _ source: String, prefix: String = "") throws(InputError) -> String {
        guard case .string(let s)? = object[key] else {
            throw InputError(source: source, key: prefix + key, expected: "a string", found: object[key]?.kindDescription ?? "none")
        }
        return s
    }

    /// An array of `count` numbers; null (a result that was not finite) reads as NaN.
    private static func doubles(_ object: JSONValue, _ key: String, count: Int, _ source: String) throws(InputError) -> [Double] {
        guard case .array(let items)? = object[key], items.count == count else {
            let found: String
            if case .array(let items)? = object[key] { found = "\(items.count)" } else { found = object[key]?.kindDescription ?? "none" }
            throw InputError(source: source, key: key, expected: "one number per element held: \(count)", found: found)
        }
        var out: [Double] = []
        out.reserveCapacity(count)
        for (q, item) in items.enumerated() {
            switch item {
            case .number(let x): out.append(x)
            case .null: out.append(.nan)
            default: throw InputError(source: source, key: "\(key)[\(q)]", expected: "a number", found: item.kindDescription)
            }
        }
        return out
    }
}
