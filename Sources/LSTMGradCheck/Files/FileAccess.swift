import Foundation

/// Reading whole files with errors a user can act on.
enum FileAccess {
    /// The bytes of `path`, or an InputError saying why not (missing, a directory, unreadable,
    /// larger than `maxBytes` — checked before reading, so a huge file costs nothing).
    static func read(_ path: String, maxBytes: Int = Limits.machineDefault.maxFileBytes) throws(InputError) -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(source: path, expected: "an existing file", found: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError(source: path, expected: "a file", found: "a directory")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= maxBytes else {
            throw InputError(source: path, expected: "a file of at most \(byteCount(maxBytes)) (raise --max-memory)",
                             found: byteCount(size))
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(source: path, expected: "a readable file", found: "permission denied or a read error")
        }
        return [UInt8](data)
    }

    /// Parses `bytes` as JSON, turning a syntax error into an InputError with its line and column.
    static func json(_ bytes: [UInt8], source: String) throws(InputError) -> JSONValue {
        guard !bytes.isEmpty else { throw InputError(source: source, expected: "a JSON document", found: "an empty file") }
        do {
            return try JSON.parse(bytes)
        } catch {
            throw InputError(source: source, key: "line \(error.line), column \(error.column)", expected: "valid JSON", found: error.message)
        }
    }
}
