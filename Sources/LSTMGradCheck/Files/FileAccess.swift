import Foundation

/// Reading whole files with errors a user can act on.
enum FileAccess {
    /// The bytes of `path`, or an InputError saying why not (missing, a directory, unreadable,
    /// larger than `maxBytes` — checked before reading, so a huge file costs nothing). Read with
    /// POSIX calls: Foundation's `contents(atPath:)` leaks its buffer for an empty file.
    static func read(_ path: String, maxBytes: Int = Limits.machineDefault.maxFileBytes) throws(InputError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw errno == ENOENT || errno == ENOTDIR
                ? InputError(source: path, expected: "an existing file", found: "no such file")
                : InputError(source: path, expected: "a readable file", found: "permission denied or a read error")
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw InputError(source: path, expected: "a readable file", found: "permission denied or a read error")
        }
        guard (status.st_mode & S_IFMT) != S_IFDIR else {
            throw InputError(source: path, expected: "a file", found: "a directory")
        }
        let size = Int(status.st_size)
        guard size <= maxBytes else {
            throw InputError(source: path, expected: "a file of at most \(byteCount(maxBytes)) (raise --max-memory)",
                             found: byteCount(size))
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let n = bytes.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress! + done, size - done) }
            guard n > 0 else {
                if n < 0 && errno == EINTR { continue }
                // A file that shrank while being read is read as far as it goes.
                if n == 0 { break }
                throw InputError(source: path, expected: "a readable file", found: "a read error")
            }
            done += n
        }
        return Array(bytes[0..<done])
    }

    /// Parses `bytes` as JSON, turning a syntax error into an InputError with its line and column.
    static func json(_ bytes: [UInt8], source: String) throws(InputError) -> JSONValue {
        guard !bytes.isEmpty else { throw InputError(source: source, expected: "a JSON document", found: "an empty file") }
        do {
            return try JSON.parse(bytes)
        } catch {
            throw InputError(error, source: source)
        }
    }
}
