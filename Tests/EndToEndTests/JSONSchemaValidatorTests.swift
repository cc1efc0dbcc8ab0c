import Foundation
import Testing

/// The test target's JSON Schema validator (`JSONSchemaValidator`) refuses what it must, so that
/// SchemaTests' passes mean something.
@Suite struct JSONSchemaValidatorTests {
    static let schema = """
        {
          "$schema": "https://json-schema.org/draft/2020-12/schema",
          "type": "object",
          "additionalProperties": false,
          "required": ["status", "count", "entry"],
          "properties": {
            "status": {"enum": ["passed", "mismatch"]},
            "version": {"const": 2},
            "count": {"type": "integer", "minimum": 0},
            "ratio": {"type": "number"},
            "tag": {"type": "string", "pattern": "^[a-z]+$"},
            "entry": {"$ref": "#/$defs/entry"},
            "list": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": ["number", "null"]}},
            "either": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "number", "minimum": 100}]}
          },
          "$defs": {
            "entry": {
              "type": "object",
              "required": ["name"],
              "additionalProperties": {"type": "boolean"},
              "properties": {"name": {"anyOf": [{"type": "string"}, {"type": "null"}]}}
            }
          }
        }
        """

    /// A conforming document, property by property (each value as JSON text).
    static let members: KeyValuePairs = [
        "status": "\"passed\"", "version": "2", "count": "3", "ratio": "0.5", "tag": "\"abc\"",
        "entry": #"{"name": "a", "flag": true}"#, "list": "[1.5, null]", "either": "\"x\"",
    ]

    static func errors(_ document: String, schema: String = schema) throws -> [String] {
        try JSONSchemaValidator(schema: JSONNode.parse(schema)).errors(JSONNode.parse(document))
    }

    /// The conforming document with `key`'s value replaced by `value` (removed for nil; added
    /// when `key` is not one of its properties).
    static func document(_ key: String? = nil, _ value: String? = nil) -> String {
        var pairs = members.filter { $0.key != key }.map { ($0.key, $0.value) }
        if let key, let value { pairs.append((key, value)) }
        return "{" + pairs.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    @Test func acceptsAConformingDocument() throws {
        #expect(try Self.errors(Self.document()) == [])
    }

    @Test(arguments: [
        // key, new value (nil: removed), what the error must say
        ("count", nil, "$: the required property \"count\" is missing"),
        ("count", "\"3\"", "$.count: expected integer, found string"),
        ("count", "2.5", "$.count: expected integer, found number"),
        ("count", "-1", "$.count: -1.0 is below the minimum 0.0"),
        ("ratio", "true", "$.ratio: expected number, found boolean"),
        ("ratio", "null", "$.ratio: expected number, found null"),
        ("status", "\"ok\"", "$.status: \"ok\" is not one of \"passed\", \"mismatch\""),
        ("version", "1", "$.version: 1 is not 2"),
        ("tag", "\"ABC\"", "$.tag: \"ABC\" does not match ^[a-z]+$"),
        ("extra", "1", "$: the property \"extra\" is not allowed"),
        ("entry", "{\"flag\": true}", "$.entry: the required property \"name\" is missing"),
        ("entry", "{\"name\": 3}", "$.entry.name: matches none of anyOf's 2 schemas"),
        ("entry", "{\"name\": \"a\", \"other\": 1}", "$.entry.other: expected boolean, found integer"),
        ("list", "[]", "$.list: 0 items, fewer than 1"),
        ("list", "[1, 2, 3]", "$.list: 3 items, more than 2"),
        ("list", "[\"a\"]", "$.list[0]: expected number or null, found string"),
        ("either", "150", "$.either: matches 2 of oneOf's 3 schemas, not exactly one"),
        ("either", "[1]", "$.either: matches 0 of oneOf's 3 schemas, not exactly one"),
    ] as [(String, String?, String)])
    func refusesEachKindOfViolation(_ key: String, _ value: String?, _ message: String) throws {
        let errors = try Self.errors(Self.document(key, value))
        #expect(errors.contains { $0.hasPrefix(message) }, "\(errors)")
    }

    @Test func aKeywordItDoesNotKnowIsAnErrorNotASilentPass() throws {
        let errors = try Self.errors("{}", schema: #"{"type": "object", "minProperties": 1}"#)
        #expect(errors == ["schema keyword 'minProperties' is not supported by this validator"])
        #expect(try Self.errors("1", schema: ##"{"$ref": "#/$defs/missing"}"##).first?.contains("cannot resolve $ref") == true)
    }
}
