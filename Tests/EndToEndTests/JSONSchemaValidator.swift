import Foundation

/// A JSON value as the schema validator reads it: booleans, numbers and null kept apart (a
/// `JSONSerialization` result would give a boolean and a number as the same `NSNumber`).
indirect enum JSONNode: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONNode].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONNode].self))
        }
    }

    static func parse(_ text: String) throws -> JSONNode {
        try JSONDecoder().decode(JSONNode.self, from: Data(text.utf8))
    }

    static func read(_ url: URL) throws -> JSONNode {
        try JSONDecoder().decode(JSONNode.self, from: Data(contentsOf: url))
    }

    subscript(key: String) -> JSONNode? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// JSON Schema's name for the value's type (`integer` for a whole number).
    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let n): return n.rounded() == n && n.isFinite ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON Schema (draft 2020-12) validator for the keywords the schemas in docs/schemas use,
/// since the package takes no dependencies: `$ref` to the root or `#/$defs/…`, `type`, `enum`,
/// `const`, `properties`, `required`, `additionalProperties`, `items`, `minItems`, `maxItems`,
/// `minimum`, `pattern`, `anyOf` and `oneOf`; `$schema`, `$id`, `$defs`, `title` and
/// `description` are annotations. Any other keyword in a schema is itself an error, so a schema
/// cannot come to rely on a rule this validator would silently skip.
struct JSONSchemaValidator {
    static let annotations: Set<String> = ["$schema", "$id", "$defs", "title", "description"]
    static let keywords: Set<String> = ["$ref", "type", "enum", "const", "properties", "required", "additionalProperties",
                                        "items", "minItems", "maxItems", "minimum", "pattern", "anyOf", "oneOf"]

    let root: JSONNode

    init(schema: JSONNode) {
        root = schema
    }

    init(schemaFile url: URL) throws {
        root = try JSONNode.read(url)
    }

    /// Every way `instance` breaks the schema, each as `path: what`; empty when it conforms.
    func errors(_ instance: JSONNode) -> [String] {
        errors(instance, root, at: "$")
    }

    private func errors(_ x: JSONNode, _ schema: JSONNode, at path: String) -> [String] {
        let s: [String: JSONNode]
        switch schema {
        case .bool(true): return []
        case .bool(false): return ["\(path): not allowed here"]
        case .object(let members): s = members
        default: return ["\(path): the schema is neither an object nor a boolean"]
        }
        var out = s.keys.sorted().filter { !Self.annotations.contains($0) && !Self.keywords.contains($0) }
            .map { "schema keyword '\($0)' is not supported by this validator" }
        if let ref = s["$ref"] {
            if case .string(let text) = ref, let target = resolve(text) {
                out += errors(x, target, at: path)
            } else {
                out.append("\(path): cannot resolve $ref \(ref)")
            }
        }
        if let type = s["type"] {
            let allowed: [String]
            switch type {
            case .string(let one): allowed = [one]
            case .array(let many): allowed = many.compactMap { if case .string(let t) = $0 { return t } else { return nil } }
            default: allowed = []
            }
            // An integer is a number too.
            if !allowed.contains(x.kind) && !(x.kind == "integer" && allowed.contains("number")) {
                out.append("\(path): expected \(allowed.joined(separator: " or ")), found \(x.kind)")
            }
        }
        if case .array(let values)? = s["enum"], !values.contains(x) {
            out.append("\(path): \(Self.describe(x)) is not one of \(values.map(Self.describe).joined(separator: ", "))")
        }
        if let value = s["const"], value != x {
            out.append("\(path): \(Self.describe(x)) is not \(Self.describe(value))")
        }
        if case .number(let least)? = s["minimum"], case .number(let n) = x, n < least {
            out.append("\(path): \(n) is below the minimum \(least)")
        }
        if case .string(let pattern)? = s["pattern"], case .string(let text) = x, text.range(of: pattern, options: .regularExpression) == nil {
            out.append("\(path): \"\(text)\" does not match \(pattern)")
        }
        if case .object(let members) = x {
            if case .array(let required)? = s["required"] {
                for case .string(let key) in required where members[key] == nil {
                    out.append("\(path): the required property \"\(key)\" is missing")
                }
            }
            var properties: [String: JSONNode] = [:]
            if case .object(let p)? = s["properties"] { properties = p }
            for (key, value) in members.sorted(by: { $0.key < $1.key }) {
                if let p = properties[key] {
                    out += errors(value, p, at: "\(path).\(key)")
                } else if s["additionalProperties"] == .bool(false) {
                    out.append("\(path): the property \"\(key)\" is not allowed")
                } else if let additional = s["additionalProperties"] {
                    out += errors(value, additional, at: "\(path).\(key)")
                }
            }
        }
        if case .array(let items) = x {
            if case .number(let least)? = s["minItems"], Double(items.count) < least {
                out.append("\(path): \(items.count) items, fewer than \(Int(least))")
            }
            if case .number(let most)? = s["maxItems"], Double(items.count) > most {
                out.append("\(path): \(items.count) items, more than \(Int(most))")
            }
            if let item = s["items"] {
                for (k, value) in items.enumerated() { out += errors(value, item, at: "\(path)[\(k)]") }
            }
        }
        if case .array(let options)? = s["anyOf"] {
            let results = options.map { errors(x, $0, at: path) }
            if !results.contains(where: \.isEmpty) {
                out.append("\(path): matches none of anyOf's \(options.count) schemas; the nearest: " + nearest(results))
            }
        }
        if case .array(let options)? = s["oneOf"] {
            let results = options.map { errors(x, $0, at: path) }
            let matching = results.filter(\.isEmpty).count
            if matching != 1 {
                out.append("\(path): matches \(matching) of oneOf's \(options.count) schemas, not exactly one"
                           + (matching == 0 ? "; the nearest: " + nearest(results) : ""))
            }
        }
        return out
    }

    /// `#` or `#/$defs/name`.
    private func resolve(_ ref: String) -> JSONNode? {
        if ref == "#" { return root }
        let prefix = "#/$defs/"
        guard ref.hasPrefix(prefix) else { return nil }
        return root["$defs"]?[String(ref.dropFirst(prefix.count))]
    }

    /// The errors of the branch that came closest, to say why none matched.
    private func nearest(_ results: [[String]]) -> String {
        (results.min { $0.count < $1.count } ?? []).joined(separator: "; ")
    }

    static func describe(_ x: JSONNode) -> String {
        switch x {
        case .null: return "null"
        case .bool(let b): return "\(b)"
        case .number(let n): return n.rounded() == n && abs(n) < 1e15 ? "\(Int(n))" : "\(n)"
        case .string(let s): return "\"\(s)\""
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
