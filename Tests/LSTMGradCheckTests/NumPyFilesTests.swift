import Foundation
import Testing
@testable import LSTMGradCheck

/// The files NumPy and zlib wrote (Vectors/make_numpy_files.py) and its manifest
/// of what each must read as.
private enum Vectors {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors").appendingPathComponent("npy")

    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: folder.appendingPathComponent(name)))
    }

    static func list(_ key: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return try #require(manifest[key] as? [[String: Any]])
    }
}

private let maxElements = 1 << 24
private let maxBytes = 1 << 28

private func readNPY(_ bytes: [UInt8], _ source: String) throws(InputError) -> NumPyArray {
    try NumPyFile.readNPY(bytes, source: source, maxElements: maxElements)
}

private func readNPZ(_ bytes: [UInt8], _ source: String, maxBytes: Int = maxBytes) throws(InputError) -> [(name: String, array: NumPyArray)] {
    try NumPyFile.readNPZ(bytes, source: source, maxBytes: maxBytes, maxElements: maxElements)
}

/// The error `body` throws, or nil when it returns; typed throws guarantee
/// nothing but an `InputError` can come out.
private func inputError(_ body: () throws(InputError) -> Void) -> InputError? {
    do {
        try body()
        return nil
    } catch {
        return error
    }
}

/// The script's 64-bit LCG, step for step; each step is exact or one IEEE
/// rounding, so the bits match Python's.
private func lcgDoubles(seed: UInt64, count: Int) -> [Double] {
    var x = seed
    return (0..<count).map { _ in
        x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (Double(x >> 11) * 0x1p-53 - 0.5) * 0.01
    }
}

private func quadraticBytes(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8((($0 * $0 + 7 * $0) % 251)) }
}

/// Checks `array` against a manifest entry, bit for bit.
private func expectMatches(_ array: NumPyArray, _ entry: [String: Any], _ label: String) throws {
    let shape = try #require(entry["shape"] as? [Int])
    #expect(array.shape == shape, "\(label)")
    #expect(array.dtype == entry["dtype"] as? String, "\(label)")
    let expected: [UInt64]
    if let seed = entry["lcg_seed"] as? Int {
        expected = lcgDoubles(seed: UInt64(seed), count: shape.reduce(1, *)).map(\.bitPattern)
    } else {
        expected = try #require(entry["values"] as? [String]).map { try #require(UInt64($0, radix: 16)) }
    }
    #expect(array.data.map(\.bitPattern) == expected, "\(label)")
}

private func same(_ a: [(name: String, array: NumPyArray)], _ b: [(name: String, array: NumPyArray)]) -> Bool {
    a.map(\.name) == b.map(\.name) && a.map(\.array) == b.map(\.array)
}

/// A .npy file around `header`, unpadded (readers must not need NumPy's padding).
private func npy(_ header: String, data: [UInt8] = [], version: UInt8 = 1) -> [UInt8] {
    let text = Array((header + "\n").utf8)
    let length = version == 1 ? littleEndian(text.count, 2) : littleEndian(text.count, 4)
    return [0x93] + Array("NUMPY".utf8) + [version, 0] + length + text + data
}

private func littleEndian(_ value: Int, _ width: Int) -> [UInt8] {
    (0..<width).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// Where each member of a NumPy-written zip keeps its headers: the central
/// directory entry, the local header and its extra field (np.savez puts a ZIP64
/// record there: id, length, size, compressed size).
private func zipLayout(_ bytes: [UInt8]) -> [(central: Int, local: Int, localExtra: Int)] {
    func field(_ at: Int, _ width: Int) -> Int { (0..<width).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
    let end = bytes.count - 22
    var p = field(end + 16, 4)
    return (0..<field(end + 10, 2)).map { _ in
        let central = p
        let local = field(p + 42, 4)
        p += 46 + field(p + 28, 2) + field(p + 30, 2) + field(p + 32, 2)
        return (central, local, local + 30 + field(local + 26, 2))
    }
}

/// Adds `delta` to the little-endian field of `width` bytes at `offset`, wrapping.
private func adjust(_ bytes: inout [UInt8], at offset: Int, width: Int, by delta: Int) {
    var value = (0..<width).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    value &+= delta
    for i in 0..<width { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
}

/// A plain zip archive whose headers say what each member claims, with
/// `centralExtra` as every central entry's extra field.
private func makeZip(_ members: [(name: String, payload: [UInt8], method: Int, size: Int, crc: UInt32)],
                     centralExtra: [UInt8] = []) -> [UInt8] {
    var archive: [UInt8] = []
    var directory: [UInt8] = []
    for member in members {
        let name = Array(member.name.utf8)
        let common = littleEndian(20, 2) + littleEndian(0, 2) + littleEndian(member.method, 2) + littleEndian(0, 4)
            + littleEndian(Int(member.crc), 4) + littleEndian(member.payload.count, 4) + littleEndian(member.size, 4)
            + littleEndian(name.count, 2)
        // Comment length, disk, internal and external attributes: all zero.
        directory += [0x50, 0x4B, 0x01, 0x02] + littleEndian(20, 2) + common + littleEndian(centralExtra.count, 2)
            + littleEndian(0, 10) + littleEndian(archive.count, 4) + name + centralExtra
        archive += [0x50, 0x4B, 0x03, 0x04] + common + littleEndian(0, 2) + name + member.payload
    }
    return archive + directory + [0x50, 0x4B, 0x05, 0x06] + littleEndian(0, 4) + littleEndian(members.count, 2)
        + littleEndian(members.count, 2) + littleEndian(directory.count, 4) + littleEndian(archive.count, 4)
        + littleEndian(0, 2)
}

/// Builds DEFLATE streams bit by bit, least significant bit first.
private struct BitWriter {
    var bytes: [UInt8] = []
    var used = 0

    mutating func bits(_ value: Int, _ count: Int) {
        for i in 0..<count {
            if used == 0 { bytes.append(0) }
            bytes[bytes.count - 1] |= UInt8(value >> i & 1) << used
            used = (used + 1) % 8
        }
    }

    /// A Huffman code, which DEFLATE sends most significant bit first.
    mutating func code(_ value: Int, length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { bits(value >> i, 1) }
    }

    mutating func fixedLiteral(_ symbol: Int) {
        switch symbol {
        case 0..<144: code(0x30 + symbol, length: 8)
        case 144..<256: code(0x190 + symbol - 144, length: 9)
        case 256..<280: code(symbol - 256, length: 7)
        default: code(0xC0 + symbol - 280, length: 8)
        }
    }

    /// A final dynamic block's header; `codeLengthLengths` in transmission order
    /// (16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15).
    mutating func dynamicHeader(literals: Int, distances: Int, codeLengthLengths: [Int]) {
        bits(1, 1)
        bits(2, 2)
        bits(literals - 257, 5)
        bits(distances - 1, 5)
        bits(codeLengthLengths.count - 4, 4)
        for length in codeLengthLengths { bits(length, 3) }
    }
}

/// A final fixed block: one zero byte, then `matches` copies of 258 bytes from
/// one back (13 bits each, so about 1000:1).
private func zeroBomb(matches: Int) -> [UInt8] {
    var w = BitWriter()
    w.bits(1, 1)
    w.bits(1, 2)
    w.fixedLiteral(0)
    for _ in 0..<matches {
        w.fixedLiteral(285)
        w.code(0, length: 5)
    }
    w.fixedLiteral(256)
    return w.bytes
}

/// Prefix lengths to try: all of them up to `everyUpTo` bytes, a spread plus the tail beyond.
private func cuts(_ count: Int, everyUpTo: Int = 4096) -> [Int] {
    guard count > everyUpTo else { return Array(0..<count) }
    return Array(stride(from: 0, to: count - 64, by: count / 150)) + Array(count - 64..<count)
}

@Suite struct NumPyFilesTests {
    // MARK: NumPy's own files

    @Test func npyFilesReadExactly() throws {
        let entries = try Vectors.list("npy")
        #expect(entries.count == 14)
        for entry in entries {
            let name = try #require(entry["file"] as? String)
            try expectMatches(try readNPY(try Vectors.bytes(name), name), entry, name)
        }
    }

    @Test func npzArchivesReadExactlyInArchiveOrder() throws {
        let archives = try Vectors.list("npz")
        #expect(archives.count == 4)
        for archive in archives {
            let name = try #require(archive["file"] as? String)
            let members = try #require(archive["arrays"] as? [[String: Any]])
            let arrays = try readNPZ(try Vectors.bytes(name), name)
            #expect(arrays.map(\.name) == members.map { $0["name"] as? String ?? "" }, "\(name)")
            for (read, entry) in zip(arrays, members) {
                try expectMatches(read.array, entry, "\(name): \(read.name)")
            }
        }
    }

    @Test func otherDtypesAreRejectedSayingWhatWasExpected() throws {
        let entries = try Vectors.list("rejected")
        #expect(entries.count == 7)
        for entry in entries {
            let name = try #require(entry["file"] as? String)
            let found = try #require(entry["found"] as? String)
            let bytes = try Vectors.bytes(name)
            let error = inputError { () throws(InputError) in
                if name.hasSuffix(".npz") { _ = try readNPZ(bytes, name) } else { _ = try readNPY(bytes, name) }
            }
            let place = (entry["key"] as? String).map { "\(name): \($0)" } ?? name
            #expect(error?.description == "\(place): expected a float64 or float32 array, found \(found)")
        }
    }

    // MARK: Hand-made headers

    @Test func headerVariantsNumPyWouldAlsoAccept() throws {
        let two = littleEndian(Int(1.5.bitPattern), 8) + littleEndian(Int(truncatingIfNeeded: (-2.0).bitPattern), 8)
        for header in [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }",
            "{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"=f8\"}",
            "  {'descr':'|f8','fortran_order':True,'shape':(2,)}  ",
            "{'descr': 'f8', 'fortran_order': False, 'shape': (1, 2)}",
        ] {
            let array = try readNPY(npy(header, data: two), "made.npy")
            #expect(array.data == [1.5, -2.0], "\(header)")
            #expect(array.shape.reduce(1, *) == 2, "\(header)")
        }
        #expect(try readNPY(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", data: two, version: 2),
                            "v2.npy").data == [1.5, -2.0])
    }

    @Test func malformedHeadersAreRefused() {
        let f8 = littleEndian(Int(1.0.bitPattern), 8)
        let headers = [
            "{'descr': '<f8', 'fortran_order': False}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
            "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': [1]}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': 1}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1.0,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)} trailing",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)",
            "{'descr': '<f\\x38', 'fortran_order': False, 'shape': (1,)}",
            "{'descr': '<f8' 'fortran_order': False, 'shape': (1,)}",
            "['descr', '<f8']",
            "{'descr': '<f8', 'fortran_order': False, 'shape': " + String(repeating: "(", count: 500) + "1,"
                + String(repeating: ")", count: 500) + "}",
            "",
            "{'descr': '>u8', 'fortran_order': False, 'shape': (1,)}",
            "{'descr': '<f8 ', 'fortran_order': False, 'shape': (1,)}",
            "{'descr': 'float64', 'fortran_order': False, 'shape': (1,)}",
        ]
        for header in headers {
            #expect(inputError { () throws(InputError) in _ = try readNPY(npy(header, data: f8), "bad.npy") } != nil,
                    "\(header)")
        }
        let long = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}" + String(repeating: " ", count: 20_000),
                       data: f8, version: 2)
        #expect(inputError { () throws(InputError) in _ = try readNPY(long, "long.npy") }?.expected
            == "a .npy header of at most 10000 bytes")
        for (major, minor) in [(0, 0), (4, 0), (1, 1)] as [(UInt8, UInt8)] {
            var file = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,)}", data: f8)
            file[6] = major
            file[7] = minor
            #expect(inputError { () throws(InputError) in _ = try readNPY(file, "v.npy") }?.found
                == "version \(major).\(minor)")
        }
        let archive = (try? Vectors.bytes("savez.npz")) ?? []
        let zipped = inputError { () throws(InputError) in _ = try readNPY(archive, "a.npy") }
        #expect(zipped?.description == "a.npy: expected a .npy file starting with \\x93NUMPY, found a zip archive (an .npz file?)")
    }

    @Test func absurdShapesAreRefusedBeforeAllocating() {
        func header(_ shape: String) -> String { "{'descr': '<f8', 'fortran_order': False, 'shape': \(shape), }" }
        let error = inputError { () throws(InputError) in
            _ = try NumPyFile.readNPY(npy(header("(1000000000000, 1000000000000)")), source: "huge.npy", maxElements: 1 << 40)
        }
        #expect(error?.description
            == "huge.npy: expected at most 1099511627776 elements, found shape (1000000000000, 1000000000000)")
        for shape in ["(1000000000000, 1000000000000)", "(4611686018427387904, 4)", "(2305843009213693952,)",
                      "(1000000000000000000000,)", "(-1, 3)", "(1000000000000,)", "(3, 0, 99999999999999999999)"] {
            #expect(inputError { () throws(InputError) in
                _ = try NumPyFile.readNPY(npy(header(shape)), source: "huge.npy", maxElements: .max)
            } != nil, "\(shape)")
        }
        let truncated = inputError { () throws(InputError) in
            _ = try readNPY(npy(header("(3, 4)"), data: [UInt8](repeating: 0, count: 95)), "short.npy")
        }
        #expect(truncated?.description == "short.npy: expected 96 bytes of data for shape (3, 4) of '<f8', found 95 (truncated)")
        let extra = inputError { () throws(InputError) in
            _ = try readNPY(npy(header("()"), data: [UInt8](repeating: 0, count: 9)), "long.npy")
        }
        #expect(extra?.found == "9 (extra data after the array)")
        // A zero axis empties the array, as NumPy agrees, however large the other axes.
        let empty = "{'descr': '<f8', 'fortran_order': True, 'shape': (0, 1000000000000, 1000000000000), }"
        #expect((try? readNPY(npy(empty), "empty.npy")) == NumPyArray(shape: [0, 1_000_000_000_000, 1_000_000_000_000],
                                                                   data: [], dtype: "<f8"))
    }

    // MARK: Corruption

    @Test func everyTruncationIsRefused() throws {
        let names = try (Vectors.list("npy") + Vectors.list("rejected") + Vectors.list("npz"))
            .map { try #require($0["file"] as? String) }
        for name in names {
            let bytes = try Vectors.bytes(name)
            for length in cuts(bytes.count) {
                let cut = Array(bytes[..<length])
                let error = inputError { () throws(InputError) in
                    if name.hasSuffix(".npz") { _ = try readNPZ(cut, name) } else { _ = try readNPY(cut, name) }
                }
                #expect(error != nil, "\(name) cut to \(length) bytes")
            }
        }
    }

    @Test func flippedHeaderBytesAreRefusedAndDataBytesOnlyChangeValues() throws {
        for entry in try Vectors.list("npy") {
            let name = try #require(entry["file"] as? String)
            let bytes = try Vectors.bytes(name)
            let original = try readNPY(bytes, name)
            let dataStart = bytes.count - original.data.count * (original.dtype.hasSuffix("8") ? 8 : 4)
            for i in bytes.indices {
                var flipped = bytes
                flipped[i] ^= 0xFF
                let result = Result { () throws(InputError) in try readNPY(flipped, name) }
                if i < dataStart {
                    #expect(throws: InputError.self, "\(name) byte \(i)") { try result.get() }
                } else {
                    #expect((try? result.get())?.shape == original.shape, "\(name) byte \(i)")
                }
            }
        }
    }

    @Test func flippedArchiveBytesAreRefusedOrHarmless() throws {
        for name in ["savez.npz", "small_compressed.npz", "streamed.npz", "savez_compressed.npz"] {
            let bytes = try Vectors.bytes(name)
            let original = try readNPZ(bytes, name)
            // Every byte of the small archives; spread over the large one, whose
            // big member takes a while to inflate in debug builds.
            let positions = bytes.count < 4096 ? Array(bytes.indices) : Array(stride(from: 0, to: bytes.count, by: bytes.count / 40))
            for i in positions {
                var flipped = bytes
                flipped[i] ^= 0xFF
                // Fields the reader does not need (timestamps, attributes) may
                // change freely; anything else must be caught.
                if let arrays = try? readNPZ(flipped, name) {
                    #expect(same(arrays, original), "\(name) byte \(i)")
                }
            }
        }
    }

    @Test func sizesThatLieAreRefused() throws {
        for name in ["savez.npz", "small_compressed.npz"] {
            let bytes = try Vectors.bytes(name)
            let layout = zipLayout(bytes)
            #expect(layout.count == 6)
            for member in layout {
                #expect(Array(bytes[member.localExtra..<member.localExtra + 4]) == [1, 0, 16, 0], "\(name) ZIP64 record")
                let centralCompressed = (member.central + 20, 4), centralSize = (member.central + 24, 4)
                let localSize = (member.localExtra + 4, 8), localCompressed = (member.localExtra + 12, 8)
                let lies: [[(Int, Int)]] = [
                    [centralSize], [centralCompressed], [localSize], [localCompressed],
                    [centralSize, localSize], [centralCompressed, localCompressed],
                    [centralSize, localSize, centralCompressed, localCompressed],
                ]
                for fields in lies {
                    for delta in [-1, 1, 4096, -4096] {
                        var lying = bytes
                        for (offset, width) in fields { adjust(&lying, at: offset, width: width, by: delta) }
                        #expect(inputError { () throws(InputError) in _ = try readNPZ(lying, name) } != nil,
                                "\(name) member at \(member.local), fields \(fields.map(\.0)) by \(delta)")
                    }
                }
            }
        }
    }

    @Test func unsupportedArchivesAreRefused() throws {
        let bytes = try Vectors.bytes("savez.npz")
        let first = try #require(zipLayout(bytes).first)
        func refusal(_ archive: [UInt8], maxBytes: Int = maxBytes) -> InputError? {
            inputError { () throws(InputError) in _ = try readNPZ(archive, "a.npz", maxBytes: maxBytes) }
        }

        var bzip2 = bytes
        bzip2[first.central + 10] = 12
        bzip2[first.local + 8] = 12
        #expect(refusal(bzip2)?.description
            == "a.npz: dWf.npy: expected compression method 0 (stored) or 8 (deflate), found method 12")

        var encrypted = bytes
        encrypted[first.central + 8] |= 1
        encrypted[first.local + 6] |= 1
        #expect(refusal(encrypted)?.description == "a.npz: dWf.npy: expected an unencrypted member, found an encrypted one")

        var noEnd = bytes
        noEnd[bytes.count - 22] = 0
        #expect(refusal(noEnd)?.expected == "a zip archive (.npz) ending in an end-of-central-directory record")
        #expect(refusal(try Vectors.bytes("f8_c_2d.npy"))?.found == "a .npy file")
        #expect(refusal([])?.found == "none (truncated, or not a zip archive)")

        let array = try Vectors.bytes("f8_c_2d.npy")
        let crc = CRC32.checksum(array[...])
        #expect(refusal(makeZip([("a.npy", array, 0, array.count, crc), ("a.npy", array, 0, array.count, crc)]))?
            .description == "a.npz: a.npy: expected each member name once, found it twice")
        #expect(refusal(makeZip([("notes.txt", array, 0, array.count, crc)]))?.key == "notes.txt")
        #expect(refusal(makeZip([("a.npy", array, 0, array.count, crc ^ 1)]))?.found?.hasSuffix("(the member is corrupt)") == true)
        #expect(try readNPZ(makeZip([("a.npy", array, 0, array.count, crc)]), "ok.npz").map(\.name) == ["a"])
        #expect(try readNPZ(makeZip([]), "empty.npz").isEmpty)

        // ZIP64 sizes and offsets at the edge of Int and past it (-1 and Int.min
        // are the 64-bit patterns 0xFFFF… and 0x8000…).
        for field in [24, 20, 42] {
            for value in [Int.max, Int.max - 10, -1, .min] {
                var archive = makeZip([("a.npy", array, 0, array.count, crc)],
                                      centralExtra: [1, 0, 8, 0] + littleEndian(value, 8))
                let central = try #require(zipLayout(archive).first).central
                archive.replaceSubrange(central + field..<central + field + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
                #expect(refusal(archive) != nil, "central field \(field) = \(value)")
            }
        }

        // Both members fit the cap alone, not together.
        let pair = makeZip([("a.npy", array, 0, array.count, crc), ("b.npy", array, 0, array.count, crc)])
        #expect(try readNPZ(pair, "pair.npz", maxBytes: 2 * array.count).count == 2)
        #expect(refusal(pair, maxBytes: 2 * array.count - 1)?.key == "b.npy")
    }

    @Test func deflateBombsStopAtTheLimit() throws {
        let bomb = zeroBomb(matches: 4000)
        let size = 1 + 258 * 4000
        #expect(bomb.count < 7000)
        #expect(throws: Inflate.Failure.limitExceeded(100_000)) {
            try Inflate.decompress(bomb[...], expectedSize: nil, limit: 100_000)
        }
        #expect(throws: Inflate.Failure.limitExceeded(100_000)) {
            try Inflate.decompress(bomb[...], expectedSize: size, limit: 100_000)
        }
        #expect(throws: Inflate.Failure.sizeMismatch(expected: 1000, found: nil)) {
            try Inflate.decompress(bomb[...], expectedSize: 1000, limit: 1 << 30)
        }
        #expect(try Inflate.decompress(bomb[...], expectedSize: nil, limit: size) == [UInt8](repeating: 0, count: size))

        // Inside an archive: a true size beyond the cap, and a small size that lies.
        let truthful = makeZip([("bomb.npy", bomb, 8, size, 0)])
        #expect(inputError { () throws(InputError) in _ = try readNPZ(truthful, "bomb.npz", maxBytes: 100_000) }?
            .description == "bomb.npz: bomb.npy: expected at most 100000 bytes of arrays in the archive once decompressed, found more")
        let lying = makeZip([("bomb.npy", bomb, 8, 200, 0)])
        #expect(inputError { () throws(InputError) in _ = try readNPZ(lying, "bomb.npz") }?
            .description == "bomb.npz: bomb.npy: expected 200 bytes once decompressed, as its zip header says, found more")
    }

    // MARK: Inflate and CRC-32

    @Test func inflateMatchesZlibVectors() throws {
        let entries = try Vectors.list("deflate")
        #expect(Set(entries.compactMap { $0["block_type"] as? Int }) == [0, 1, 2])
        for entry in entries {
            let name = try #require(entry["file"] as? String)
            let stream = try Vectors.bytes(name)
            let raw = try (entry["raw"] as? String).map(Vectors.bytes) ?? quadraticBytes(try #require(entry["size"] as? Int))
            #expect(raw.count == entry["size"] as? Int, "\(name)")
            #expect(Int(CRC32.checksum(raw[...])) == entry["crc32"] as? Int, "\(name)")
            #expect(Int(stream[0] >> 1 & 3) == entry["block_type"] as? Int, "\(name)")

            #expect(try Inflate.decompress(stream[...], expectedSize: nil, limit: 1 << 24) == raw, "\(name)")
            #expect(try Inflate.decompress(stream[...], expectedSize: raw.count, limit: raw.count) == raw, "\(name)")
            #expect(throws: Inflate.Failure.sizeMismatch(expected: raw.count + 1, found: raw.count), "\(name)") {
                try Inflate.decompress(stream[...], expectedSize: raw.count + 1, limit: 1 << 24)
            }
            if !raw.isEmpty {
                #expect(throws: Inflate.Failure.limitExceeded(raw.count - 1), "\(name)") {
                    try Inflate.decompress(stream[...], expectedSize: nil, limit: raw.count - 1)
                }
            }
            #expect(throws: Inflate.Failure.trailingBytes(1), "\(name)") {
                try Inflate.decompress((stream + [0])[...], expectedSize: nil, limit: 1 << 24)
            }
            for length in cuts(stream.count, everyUpTo: 1024) {
                #expect(throws: Inflate.Failure.self, "\(name) cut to \(length)") {
                    try Inflate.decompress(stream[..<length], expectedSize: nil, limit: 1 << 24)
                }
            }
        }
    }

    @Test func malformedStreamsGiveTheirErrors() throws {
        var cases: [(String, [UInt8], Inflate.Failure)] = []
        func add(_ label: String, _ failure: Inflate.Failure, _ build: (inout BitWriter) -> Void) {
            var w = BitWriter()
            build(&w)
            cases.append((label, w.bytes, failure))
        }
        add("reserved block type", .reservedBlockType) { $0.bits(1, 1); $0.bits(3, 2) }
        cases.append(("stored length check", [0x01, 5, 0, 0, 0], .storedLengthMismatch))
        cases.append(("stored block cut short", [0x01, 5, 0, 0xFA, 0xFF, 1, 2], .truncated))
        add("match before the start", .distanceTooFar(distance: 2, available: 1)) {
            $0.bits(1, 1); $0.bits(1, 2)
            $0.fixedLiteral(0x61); $0.fixedLiteral(257); $0.code(1, length: 5)
        }
        add("fixed literal/length 286", .invalidCode) { $0.bits(1, 1); $0.bits(1, 2); $0.fixedLiteral(286) }
        add("fixed distance 30", .invalidCode) {
            $0.bits(1, 1); $0.bits(1, 2)
            $0.fixedLiteral(0x61); $0.fixedLiteral(257); $0.code(30, length: 5)
        }
        add("no end of block", .truncated) { $0.bits(1, 1); $0.bits(1, 2); $0.fixedLiteral(0x61) }
        add("287 literal/length codes", .tooManyCodes(literals: 287, distances: 1)) {
            $0.dynamicHeader(literals: 287, distances: 1, codeLengthLengths: [0, 0, 0, 0])
        }
        add("31 distance codes", .tooManyCodes(literals: 257, distances: 31)) {
            $0.dynamicHeader(literals: 257, distances: 31, codeLengthLengths: [0, 0, 0, 0])
        }
        add("over-subscribed code-length code", .overSubscribedCode) {
            $0.dynamicHeader(literals: 257, distances: 1, codeLengthLengths: [Int](repeating: 1, count: 19))
        }
        add("incomplete code-length code", .incompleteCode) {
            $0.dynamicHeader(literals: 257, distances: 1, codeLengthLengths: [1, 0, 0, 0])
        }
        // Code-length code {0: "0", 16: "1"}: a repeat first has nothing to repeat.
        add("repeat first", .repeatWithoutPrevious) {
            $0.dynamicHeader(literals: 257, distances: 1, codeLengthLengths: [1, 0, 0, 1])
            $0.code(1, length: 1)
        }
        // Code-length code {0: "0", 18: "1"}: 138 + 138 zeros overrun 258 lengths.
        add("repeats past the end", .repeatPastEnd) {
            $0.dynamicHeader(literals: 257, distances: 1, codeLengthLengths: [0, 0, 1, 1])
            for _ in 0..<2 { $0.code(1, length: 1); $0.bits(127, 7) }
        }
        add("no end-of-block length", .noEndOfBlockCode) {
            $0.dynamicHeader(literals: 257, distances: 1, codeLengthLengths: [0, 0, 1, 1])
            $0.code(1, length: 1); $0.bits(127, 7)
            $0.code(1, length: 1); $0.bits(109, 7)
        }
        // Code-length code {2: "0", 0: "10", 18: "11"}: zeros, then end-of-block
        // alone with a two-bit code, which leaves the code incomplete.
        add("incomplete literal/length code", .incompleteCode) {
            $0.dynamicHeader(literals: 257, distances: 1,
                             codeLengthLengths: [0, 0, 2, 2] + [Int](repeating: 0, count: 11) + [1])
            $0.code(3, length: 2); $0.bits(127, 7)
            $0.code(3, length: 2); $0.bits(107, 7)
            $0.code(0, length: 1)
            $0.code(2, length: 2)
        }
        for (label, stream, failure) in cases {
            #expect(throws: failure, "\(label)") { try Inflate.decompress(stream[...], expectedSize: nil, limit: 1 << 20) }
        }

        // The one incomplete code zlib accepts: a single one-bit code, here end-of-block.
        var single = BitWriter()
        single.dynamicHeader(literals: 257, distances: 1, codeLengthLengths: [0, 0, 2, 2] + [Int](repeating: 0, count: 13) + [1])
        single.code(3, length: 2); single.bits(127, 7)
        single.code(3, length: 2); single.bits(107, 7)
        single.code(0, length: 1)
        single.code(2, length: 2)
        single.code(0, length: 1)
        #expect(try Inflate.decompress(single.bytes[...], expectedSize: 0, limit: 0) == [])
    }

    @Test func randomAndMutatedInputsNeverTrap() throws {
        var random = SeededGenerator(seed: 2024)
        for _ in 0..<3000 {
            let garbage = (0..<Int.random(in: 0..<120, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if let output = try? Inflate.decompress(garbage[...], expectedSize: nil, limit: 1 << 16) {
                #expect(output.count <= 1 << 16)
            }
        }
        // `count` copies of `bytes`, each changed 1 to `most` times by `change`.
        func mutations(of bytes: [UInt8], count: Int, most: Int, _ change: (inout [UInt8]) -> Void) -> [[UInt8]] {
            (0..<count).map { _ in
                var mutated = bytes
                for _ in 0..<Int.random(in: 1...most, using: &random) { change(&mutated) }
                return mutated
            }
        }
        let streams = mutations(of: try Vectors.bytes("deflate_dynamic.bin"), count: 400, most: 3) {
            $0[Int.random(in: 0..<min($0.count, 120), using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
        }
        for mutated in streams {
            if let output = try? Inflate.decompress(mutated[...], expectedSize: nil, limit: 1 << 16) {
                #expect(output.count <= 1 << 16)
            }
        }
        let files = mutations(of: try Vectors.bytes("f4_be_fortran_3d.npy"), count: 2000, most: 4) {
            $0[Int.random(in: 0..<128, using: &random)] = UInt8.random(in: 0...255, using: &random)
        }
        for mutated in files {
            if let array = try? readNPY(mutated, "m.npy") {
                #expect(array.data.count == array.shape.reduce(1, *))
            }
        }
    }

    @Test func crc32MatchesTheCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)[...]) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
    }
}
