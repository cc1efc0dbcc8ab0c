/// One array read from a NumPy file, converted to Double, in C order whatever the file's order.
public struct NumPyArray: Sendable, Equatable {
    /// The dimensions, outermost first; empty for a 0-d array (one element).
    public var shape: [Int]
    /// The elements in C (row-major) order.
    public var data: [Double]
    /// The dtype as the file spells it, e.g. `<f4`.
    public var dtype: String

    public init(shape: [Int], data: [Double], dtype: String) {
        self.shape = shape
        self.data = data
        self.dtype = dtype
    }
}

/// Readers for the `.npy` and `.npz` files NumPy writes. Input is untrusted: every
/// malformed file is an `InputError`, never a trap, and nothing is allocated in
/// proportion to a size a header claims before that size is checked.
public enum NumPyFile {
    /// Parses a .npy file's bytes. `source` names the file in errors. Accepts float64 and float32 ('<f8' '>f8' '<f4' '>f4', also '|'/'=' native forms), C and Fortran order, versions 1.0, 2.0, 3.0; rejects everything else (ints, complex, object arrays, structured dtypes, pickles) with an InputError saying what was expected. Refuses a header whose shape claims more elements than `maxElements` (or whose byte count overflows, or does not match the data length — truncated or extra data) BEFORE allocating anything proportional to the claim.
    public static func readNPY(_ bytes: [UInt8], source: String, maxElements: Int) throws(InputError) -> NumPyArray {
        try parseNPY(bytes[...], source: source, key: nil, maxElements: maxElements)
    }

    /// Reads a .npz (zip) archive as written by np.savez (stored) and np.savez_compressed (deflate): each member `NAME.npy` becomes key NAME, in archive order. Verifies CRC-32 and sizes; entry sizes that lie, unsupported compression methods, encrypted entries, truncated archives, a missing end-of-central-directory record → InputError. Total decompressed size capped at `maxBytes` (zip-bomb guard), checked while inflating, not trusted from the header.
    public static func readNPZ(_ bytes: [UInt8], source: String, maxBytes: Int, maxElements: Int) throws(InputError) -> [(name: String, array: NumPyArray)] {
        var arrays: [(name: String, array: NumPyArray)] = []
        for member in try readNPZMembers(bytes, source: source, maxBytes: maxBytes, maxElements: maxElements) {
            arrays.append((member.name, try member.array.get()))
        }
        return arrays
    }

    /// `readNPZ`, each member's array or the reason it is none a gradient can be (an integer,
    /// string or object array, a malformed member): the archive itself (its zip structure,
    /// sizes, CRCs, the decompression budget, member names) still fails as a whole, but a
    /// member that is no float array is its caller's to judge — an extra key that is not a
    /// gradient (`epoch=3`) is ignored, a wanted one is bad input.
    public static func readNPZMembers(_ bytes: [UInt8], source: String, maxBytes: Int,
                                      maxElements: Int) throws(InputError) -> [(name: String, array: Result<NumPyArray, InputError>)] {
        let zip = ZipReader(bytes: bytes, source: source)
        var arrays: [(name: String, array: Result<NumPyArray, InputError>)] = []
        var seen = Set<String>()
        var total = 0
        for entry in try zip.entries() {
            guard entry.name.hasSuffix(".npy") else {
                throw InputError(source: source, key: entry.name,
                                 expected: "only .npy members, as np.savez writes", found: "another kind of member")
            }
            guard seen.insert(entry.name).inserted else {
                throw InputError(source: source, key: entry.name,
                                 expected: "each member name once", found: "it twice")
            }
            let content = try zip.content(of: entry, budget: maxBytes - total, maxBytes: maxBytes)
            total += content.count
            let array: Result<NumPyArray, InputError>
            do {
                array = .success(try parseNPY(content, source: source, key: entry.name, maxElements: maxElements))
            } catch {
                array = .failure(error)
            }
            arrays.append((String(entry.name.dropLast(4)), array))
        }
        return arrays
    }

    // MARK: .npy

    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    /// A zip local file header: how an .npz archive starts.
    static let zipMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    /// NumPy's own default `max_header_size`; longer headers are not NumPy's.
    private static let maxHeaderLength = 10_000

    private static func parseNPY(_ bytes: ArraySlice<UInt8>, source: String, key: String?,
                                 maxElements: Int) throws(InputError) -> NumPyArray {
        func failure(_ expected: String, _ found: String?) -> InputError {
            InputError(source: source, key: key, expected: expected, found: found)
        }
        let start = bytes.startIndex
        guard bytes.count >= 8, bytes[start..<start + 6].elementsEqual(magic) else {
            let isZip = bytes.starts(with: zipMagic)
            throw failure("a .npy file starting with \\x93NUMPY",
                          isZip ? "a zip archive (an .npz file?)" : "something else")
        }
        let major = Int(bytes[start + 6]), minor = Int(bytes[start + 7])
        guard (1...3).contains(major), minor == 0 else {
            throw failure(".npy format version 1.0, 2.0 or 3.0", "version \(major).\(minor)")
        }
        let lengthWidth = major == 1 ? 2 : 4
        let headerStart = start + 8 + lengthWidth
        guard bytes.endIndex >= headerStart else { throw failure("a complete .npy header", "the end of the file") }
        var headerLength = 0
        for i in 0..<lengthWidth { headerLength |= Int(bytes[start + 8 + i]) << (8 * i) }
        guard headerLength <= maxHeaderLength else {
            throw failure("a .npy header of at most \(maxHeaderLength) bytes", "\(headerLength) bytes")
        }
        guard headerLength <= bytes.endIndex - headerStart else {
            throw failure("a complete .npy header", "the end of the file")
        }
        let dataStart = headerStart + headerLength
        let header = try Header(bytes[headerStart..<dataStart], failure: failure)

        let tooMany = failure("at most \(maxElements) elements", "shape \(header.shapeText)")
        // A zero axis empties the array however large the others claim to be.
        var elements = header.shape.contains(0) ? 0 : 1
        for dimension in header.shape where elements > 0 {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= maxElements else { throw tooMany }
            elements = product
        }
        guard elements <= maxElements else { throw tooMany }
        let (byteCount, overflow) = elements.multipliedReportingOverflow(by: header.itemSize)
        guard !overflow else { throw failure("an array that fits in memory", "shape \(header.shapeText)") }
        let available = bytes.endIndex - dataStart
        guard available == byteCount else {
            throw failure("\(byteCount) bytes of data for shape \(header.shapeText) of '\(header.dtype)'",
                          available < byteCount ? "\(available) (truncated)" : "\(available) (extra data after the array)")
        }

        var values = [Double](repeating: 0, count: elements)
        for (n, offset) in stride(from: dataStart, to: bytes.endIndex, by: header.itemSize).enumerated() {
            var word: UInt64 = 0
            for i in 0..<header.itemSize {
                let shift = header.littleEndian ? 8 * i : 8 * (header.itemSize - 1 - i)
                word |= UInt64(bytes[offset + i]) << shift
            }
            values[n] = header.itemSize == 8
                ? Double(bitPattern: word)
                : Double(Float(bitPattern: UInt32(truncatingIfNeeded: word)))
        }
        // An empty array needs no reordering, and its other axes may be too large for strides.
        if header.fortranOrder, header.shape.count > 1, elements > 0 {
            values = cOrder(fromFortran: values, shape: header.shape)
        }
        return NumPyArray(shape: header.shape, data: values, dtype: header.dtype)
    }

    /// Reorders column-major `values` of `shape` (at least one element) into row-major order.
    private static func cOrder(fromFortran values: [Double], shape: [Int]) -> [Double] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[axis] = strides[axis + 1] * shape[axis + 1]
        }
        var result = [Double](repeating: 0, count: values.count)
        var index = [Int](repeating: 0, count: shape.count)
        var target = 0
        // Fortran order runs the first axis fastest: an odometer over the index,
        // keeping the matching C offset as it turns.
        for value in values {
            result[target] = value
            for axis in 0..<shape.count {
                index[axis] += 1
                if index[axis] < shape[axis] {
                    target += strides[axis]
                    break
                }
                target -= (shape[axis] - 1) * strides[axis]
                index[axis] = 0
            }
        }
        return result
    }

    /// The three entries of a .npy header dictionary, checked.
    private struct Header {
        var dtype: String
        var littleEndian: Bool
        var itemSize: Int
        var fortranOrder: Bool
        var shape: [Int]
        var shapeText: String

        init(_ text: ArraySlice<UInt8>, failure: (String, String?) -> InputError) throws(InputError) {
            let expectedDictionary = "a .npy header {'descr': …, 'fortran_order': …, 'shape': (…), }"
            var parser = LiteralParser(bytes: text)
            guard let literal = parser.document(), case .dictionary(let entries) = literal else {
                throw failure(expectedDictionary, "'\(String(decoding: text.prefix(120), as: UTF8.self))'")
            }
            var fields: [String: Literal] = [:]
            for (name, value) in entries { fields[name] = value }
            guard fields.count == 3, let descr = fields["descr"], let order = fields["fortran_order"],
                  let shapeLiteral = fields["shape"] else {
                throw failure("header keys 'descr', 'fortran_order' and 'shape'",
                              fields.keys.sorted().map { "'\($0)'" }.joined(separator: ", "))
            }

            let dtypeExpectation = "a float64 or float32 array"
            switch descr {
            case .string(let spelled):
                let byteOrder = spelled.count == 3 ? spelled.first : nil
                let kind = byteOrder == nil ? Substring(spelled) : spelled.dropFirst()
                guard kind == "f8" || kind == "f4", [nil, "<", ">", "=", "|"].contains(byteOrder) else {
                    throw failure(dtypeExpectation, "dtype '\(spelled)'")
                }
                dtype = spelled
                itemSize = kind == "f8" ? 8 : 4
                // '=' and '|' (and no mark) mean the writer's native order, taken as ours.
                littleEndian = byteOrder == "<" || (byteOrder != ">" && 1.littleEndian == 1)
            case .list:
                throw failure(dtypeExpectation, "a structured dtype")
            default:
                throw failure(dtypeExpectation, "descr \(descr)")
            }

            guard case .boolean(let fortran) = order else {
                throw failure("'fortran_order' True or False", "\(order)")
            }
            fortranOrder = fortran

            guard case .tuple(let items) = shapeLiteral else {
                throw failure("'shape' a tuple of non-negative integers", "\(shapeLiteral)")
            }
            shapeText = "\(shapeLiteral)"
            var dimensions: [Int] = []
            for item in items {
                guard case .integer(let digits) = item, !digits.hasPrefix("-") else {
                    throw failure("'shape' a tuple of non-negative integers", shapeText)
                }
                // Digits beyond Int's range can only be more elements than allowed.
                guard let dimension = Int(digits) else {
                    throw failure("at most an Int's worth of elements per axis", "shape \(shapeText)")
                }
                dimensions.append(dimension)
            }
            shape = dimensions
        }
    }

    /// The Python literals a .npy header can hold; integers keep their digits so
    /// that an absurd shape can still be quoted back.
    private indirect enum Literal: CustomStringConvertible {
        case string(String)
        case integer(String)
        case boolean(Bool)
        case tuple([Literal])
        case list([Literal])
        case dictionary([(String, Literal)])

        var description: String {
            switch self {
            case .string(let s): "'\(s)'"
            case .integer(let digits): digits
            case .boolean(let b): b ? "True" : "False"
            case .tuple(let items) where items.count == 1: "(\(items[0]),)"
            case .tuple(let items): "(\(items.map(\.description).joined(separator: ", ")))"
            case .list(let items): "[\(items.map(\.description).joined(separator: ", "))]"
            case .dictionary(let entries):
                "{\(entries.map { "'\($0.0)': \($0.1)" }.joined(separator: ", "))}"
            }
        }
    }

    /// A recursive-descent reader for the subset of Python literal syntax NumPy
    /// writes (what `ast.literal_eval` would need for a header); returns nil on
    /// anything else. Nesting is capped so a hostile header cannot exhaust the stack.
    private struct LiteralParser {
        let bytes: ArraySlice<UInt8>
        var index: Int
        static let maxDepth = 32

        init(bytes: ArraySlice<UInt8>) {
            self.bytes = bytes
            index = bytes.startIndex
        }

        /// The whole text as one literal, with only whitespace around it.
        mutating func document() -> Literal? {
            guard let literal = value(depth: 0) else { return nil }
            skipSpace()
            return index == bytes.endIndex ? literal : nil
        }

        mutating func skipSpace() {
            while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        /// Consumes `byte` (after whitespace) if it comes next.
        mutating func eat(_ byte: UInt8) -> Bool {
            skipSpace()
            guard index < bytes.endIndex, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func value(depth: Int) -> Literal? {
            skipSpace()
            guard depth < Self.maxDepth, index < bytes.endIndex else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "'"), UInt8(ascii: "\""): return string().map { .string($0) }
            case UInt8(ascii: "("):
                index += 1
                guard let (items, comma) = sequence(until: UInt8(ascii: ")"), depth: depth) else { return nil }
                // Python's (x) is x itself; only a comma (or nothing) makes a tuple.
                return items.count == 1 && !comma ? items[0] : .tuple(items)
            case UInt8(ascii: "["):
                index += 1
                return sequence(until: UInt8(ascii: "]"), depth: depth).map { .list($0.items) }
            case UInt8(ascii: "{"):
                index += 1
                return dictionary(depth: depth)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return integer()
            default:
                return word()
            }
        }

        mutating func string() -> String? {
            let quote = bytes[index]
            let start = index + 1
            guard let end = bytes[start...].firstIndex(of: quote),
                  !bytes[start..<end].contains(UInt8(ascii: "\\")) else { return nil }
            index = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)
        }

        mutating func integer() -> Literal? {
            let start = index
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digitsStart = index
            while index < bytes.endIndex, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digitsStart else { return nil }
            return .integer(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        mutating func word() -> Literal? {
            let start = index
            while index < bytes.endIndex, (UInt8(ascii: "A")...UInt8(ascii: "z")).contains(bytes[index]) { index += 1 }
            switch String(decoding: bytes[start..<index], as: UTF8.self) {
            case "True": return .boolean(true)
            case "False": return .boolean(false)
            default: return nil
            }
        }

        /// Comma-separated values up to `close`, a trailing comma allowed; also
        /// says whether any comma was seen.
        mutating func sequence(until close: UInt8, depth: Int) -> (items: [Literal], comma: Bool)? {
            var items: [Literal] = []
            var comma = false
            while !eat(close) {
                if !items.isEmpty {
                    guard eat(UInt8(ascii: ",")) else { return nil }
                    comma = true
                    if eat(close) { break }
                }
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
            }
            return (items, comma)
        }

        mutating func dictionary(depth: Int) -> Literal? {
            var entries: [(String, Literal)] = []
            while !eat(UInt8(ascii: "}")) {
                if !entries.isEmpty {
                    guard eat(UInt8(ascii: ",")) else { return nil }
                    if eat(UInt8(ascii: "}")) { break }
                }
                guard case .string(let key)? = value(depth: depth + 1), eat(UInt8(ascii: ":")),
                      let item = value(depth: depth + 1) else { return nil }
                entries.append((key, item))
            }
            return .dictionary(entries)
        }
    }

    // MARK: .npz

    /// One member as the central directory describes it, ZIP64 fields resolved.
    private struct ZipEntry {
        var name: String
        var nameBytes: ArraySlice<UInt8>
        var flags: Int
        var method: Int
        var crc: Int
        var compressedSize: Int
        var size: Int
        var localHeaderOffset: Int
    }

    /// Zip structures (PKWARE APPNOTE) over the archive's bytes: the
    /// end-of-central-directory record, its ZIP64 form, the central directory
    /// and the local headers, every offset and size checked against the bytes.
    private struct ZipReader {
        let bytes: [UInt8]
        let source: String

        func failure(_ key: String?, _ expected: String, _ found: String?) -> InputError {
            InputError(source: source, key: key, expected: expected, found: found)
        }

        /// The little-endian unsigned integer of `width` bytes at `offset`, as an
        /// Int; `what` names the structure in the error when it is cut short.
        func field(_ offset: Int, _ width: Int, in what: String, key: String? = nil) throws(InputError) -> Int {
            guard offset >= 0, width <= bytes.count - offset else {
                throw failure(key, "a complete \(what)", "the end of the archive")
            }
            var value: UInt64 = 0
            for i in 0..<width { value |= UInt64(bytes[offset + i]) << (8 * i) }
            guard let int = Int(exactly: value) else { throw failure(key, "a \(what) with sane sizes", "\(value)") }
            return int
        }

        /// Where the central directory starts and ends and how many entries it
        /// holds, from the end-of-central-directory record (or its ZIP64 form).
        func endOfCentralDirectory() throws(InputError) -> (offset: Int, end: Int, count: Int) {
            // The record is 22 bytes plus a comment of up to 65535; its comment
            // length must reach exactly to the end, which also catches truncation.
            var found: Int?
            var p = bytes.count - 22
            while p >= max(0, bytes.count - 22 - 0xFFFF) {
                if bytes[p] == 0x50, bytes[p + 1] == 0x4B, bytes[p + 2] == 0x05, bytes[p + 3] == 0x06,
                   Int(bytes[p + 20]) | Int(bytes[p + 21]) << 8 == bytes.count - p - 22 {
                    found = p
                    break
                }
                p -= 1
            }
            guard let eocd = found else {
                let isNPY = bytes.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
                throw failure(nil, "a zip archive (.npz) ending in an end-of-central-directory record",
                              isNPY ? "a .npy file" : "none (truncated, or not a zip archive)")
            }
            let what = "end-of-central-directory record"
            var disk = try field(eocd + 4, 2, in: what)
            var directoryDisk = try field(eocd + 6, 2, in: what)
            var entriesHere = try field(eocd + 8, 2, in: what)
            var count = try field(eocd + 10, 2, in: what)
            var size = try field(eocd + 12, 4, in: what)
            var offset = try field(eocd + 16, 4, in: what)
            var end = eocd
            // Saturated fields live in the ZIP64 record its locator points to; without
            // a locator they are taken as they are (as Python's zipfile does).
            let locator = eocd - 20
            if count == 0xFFFF || size == 0xFFFF_FFFF || offset == 0xFFFF_FFFF,
               locator >= 0, try field(locator, 4, in: what) == 0x0706_4B50 {
                let record = try field(locator + 8, 8, in: "ZIP64 end-of-central-directory locator")
                guard record <= locator - 56, try field(record, 4, in: "ZIP64 \(what)") == 0x0606_4B50 else {
                    throw failure(nil, "a ZIP64 \(what) where its locator points", "none")
                }
                disk = try field(record + 16, 4, in: "ZIP64 \(what)")
                directoryDisk = try field(record + 20, 4, in: "ZIP64 \(what)")
                entriesHere = try field(record + 24, 8, in: "ZIP64 \(what)")
                count = try field(record + 32, 8, in: "ZIP64 \(what)")
                size = try field(record + 40, 8, in: "ZIP64 \(what)")
                offset = try field(record + 48, 8, in: "ZIP64 \(what)")
                end = record
            }
            guard disk == 0, directoryDisk == 0, entriesHere == count else {
                throw failure(nil, "a single-part zip archive", "a multi-part one")
            }
            // Every entry takes at least 46 bytes, which bounds the count before any loop.
            guard offset <= end, size == end - offset, count <= size / 46 else {
                throw failure(nil, "a central directory that fits its archive",
                              "\(count) entries in \(size) bytes at byte \(offset) of \(bytes.count)")
            }
            return (offset, end, count)
        }

        /// Replaces each saturated 32-bit value, in APPNOTE order, with the next
        /// 8-byte value of the ZIP64 extended-information field in `extra`.
        func widened(_ values: [Int], extra: Range<Int>, key: String, in what: String) throws(InputError) -> [Int] {
            guard values.contains(0xFFFF_FFFF) else { return values }
            var q = extra.lowerBound
            var data: Range<Int>?
            while data == nil, extra.upperBound - q >= 4 {
                let id = try field(q, 2, in: what, key: key)
                let length = try field(q + 2, 2, in: what, key: key)
                guard length <= extra.upperBound - q - 4 else {
                    throw failure(key, "well-formed extra fields in the \(what)", "one overrunning its block")
                }
                if id == 1 { data = q + 4..<q + 4 + length }
                q += 4 + length
            }
            guard var cursor = data?.lowerBound, let dataEnd = data?.upperBound else {
                throw failure(key, "a ZIP64 extra field in the \(what) for its saturated sizes", "none")
            }
            var result: [Int] = []
            for value in values {
                guard value == 0xFFFF_FFFF else {
                    result.append(value)
                    continue
                }
                guard dataEnd - cursor >= 8 else {
                    throw failure(key, "a ZIP64 extra field in the \(what) with all its sizes", "too few")
                }
                result.append(try field(cursor, 8, in: what, key: key))
                cursor += 8
            }
            return result
        }

        /// The central directory's entries, in order.
        func entries() throws(InputError) -> [ZipEntry] {
            let directory = try endOfCentralDirectory()
            var entries: [ZipEntry] = []
            var p = directory.offset
            let what = "central directory entry"
            for _ in 0..<directory.count {
                guard try field(p, 4, in: what) == 0x0201_4B50 else {
                    throw failure(nil, "a central directory entry at byte \(p)", "something else")
                }
                let nameStart = p + 46
                let extraStart = nameStart + (try field(p + 28, 2, in: what))
                let extraEnd = extraStart + (try field(p + 30, 2, in: what))
                let next = extraEnd + (try field(p + 32, 2, in: what))
                guard next <= directory.end else {
                    throw failure(nil, "a complete \(what)", "the end of the central directory")
                }
                let name = String(decoding: bytes[nameStart..<extraStart], as: UTF8.self)
                let sizes = try widened([try field(p + 24, 4, in: what), try field(p + 20, 4, in: what),
                                         try field(p + 42, 4, in: what)],
                                        extra: extraStart..<extraEnd, key: name, in: what)
                entries.append(ZipEntry(name: name, nameBytes: bytes[nameStart..<extraStart],
                                        flags: try field(p + 8, 2, in: what), method: try field(p + 10, 2, in: what),
                                        crc: try field(p + 16, 4, in: what),
                                        compressedSize: sizes[1], size: sizes[0], localHeaderOffset: sizes[2]))
                p = next
            }
            return entries
        }

        /// The member's uncompressed bytes, checked against its local header, its
        /// sizes and its CRC-32, and never more than `budget` of them.
        func content(of entry: ZipEntry, budget: Int, maxBytes: Int) throws(InputError) -> ArraySlice<UInt8> {
            let key = entry.name
            guard entry.flags & 0x41 == 0 else { throw failure(key, "an unencrypted member", "an encrypted one") }
            guard entry.method == 0 || entry.method == 8 else {
                throw failure(key, "compression method 0 (stored) or 8 (deflate)", "method \(entry.method)")
            }
            let p = entry.localHeaderOffset
            let what = "local file header"
            // Read before any arithmetic on `p`, which ZIP64 lets be near Int.max.
            guard try field(p, 4, in: what, key: key) == 0x0403_4B50 else {
                throw failure(key, "a local file header at byte \(p)", "something else")
            }
            let flags = try field(p + 6, 2, in: what, key: key)
            let nameStart = p + 30
            let extraStart = nameStart + (try field(p + 26, 2, in: what, key: key))
            let dataStart = extraStart + (try field(p + 28, 2, in: what, key: key))
            guard dataStart <= bytes.count, bytes[nameStart..<extraStart].elementsEqual(entry.nameBytes),
                  try field(p + 8, 2, in: what, key: key) == entry.method, flags & 0x41 == 0 else {
                throw failure(key, "a local file header matching the central directory", "one that differs")
            }
            // Bit 3: sizes and CRC follow the data instead; the central directory has them.
            if flags & 0x08 == 0 {
                let local = try widened([try field(p + 22, 4, in: what, key: key), try field(p + 18, 4, in: what, key: key)],
                                        extra: extraStart..<dataStart, key: key, in: what)
                guard local == [entry.size, entry.compressedSize],
                      try field(p + 14, 4, in: what, key: key) == entry.crc else {
                    throw failure(key, "sizes and CRC-32 in the local file header matching the central directory",
                                  "different ones")
                }
            }
            guard entry.compressedSize <= bytes.count - dataStart else {
                throw failure(key, "\(entry.compressedSize) bytes of member data", "the end of the archive")
            }
            let data = bytes[dataStart..<dataStart + entry.compressedSize]
            let content: ArraySlice<UInt8>
            if entry.method == 0 {
                guard entry.size == entry.compressedSize else {
                    throw failure(key, "a stored member's sizes to agree",
                                  "\(entry.size) and \(entry.compressedSize) bytes")
                }
                guard entry.size <= budget else {
                    throw failure(key, "at most \(maxBytes) bytes of arrays in the archive", "more")
                }
                content = data
            } else {
                do throws(Inflate.Failure) {
                    content = try Inflate.decompress(data, expectedSize: entry.size, limit: budget)[...]
                } catch .limitExceeded {
                    throw failure(key, "at most \(maxBytes) bytes of arrays in the archive once decompressed", "more")
                } catch .sizeMismatch(let expected, let found) {
                    throw failure(key, "\(expected) bytes once decompressed, as its zip header says",
                                  found.map { "\($0)" } ?? "more")
                } catch {
                    throw failure(key, "a valid deflate stream", error.description)
                }
            }
            let crc = Int(CRC32.checksum(content))
            guard crc == entry.crc else {
                throw failure(key, "CRC-32 \(hex(entry.crc))", "\(hex(crc)) (the member is corrupt)")
            }
            return content
        }

        func hex(_ value: Int) -> String {
            let digits = String(value, radix: 16)
            return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
        }
    }
}
