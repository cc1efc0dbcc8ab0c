/// Raw DEFLATE (RFC 1951) decoding for the members of `.npz` archives. The input is
/// untrusted: every malformed stream is a thrown `Inflate.Failure`, never a trap,
/// and output stops at a caller-given limit.
enum Inflate {
    /// Why a stream was refused; `description` reads as what was found instead.
    enum Failure: Error, Equatable, CustomStringConvertible {
        case truncated
        case trailingBytes(Int)
        case reservedBlockType
        case storedLengthMismatch
        case tooManyCodes(literals: Int, distances: Int)
        case overSubscribedCode
        case incompleteCode
        case repeatWithoutPrevious
        case repeatPastEnd
        case noEndOfBlockCode
        case invalidCode
        case distanceTooFar(distance: Int, available: Int)
        /// Output beyond `limit`, or an `expectedSize` beyond it.
        case limitExceeded(Int)
        /// Output of a different length than `expectedSize`; `nil` means longer.
        case sizeMismatch(expected: Int, found: Int?)

        var description: String {
            switch self {
            case .truncated: "a stream that ends early"
            case .trailingBytes(let n): "\(n) bytes after the final block"
            case .reservedBlockType: "a block of the reserved type 3"
            case .storedLengthMismatch: "a stored block whose length check fails"
            case .tooManyCodes(let literals, let distances):
                "\(literals) literal/length and \(distances) distance codes"
            case .overSubscribedCode: "an over-subscribed Huffman code"
            case .incompleteCode: "an incomplete Huffman code"
            case .repeatWithoutPrevious: "a code-length repeat with nothing to repeat"
            case .repeatPastEnd: "code-length repeats past the end of the table"
            case .noEndOfBlockCode: "a literal/length code without end-of-block"
            case .invalidCode: "an invalid literal/length or distance code"
            case .distanceTooFar(let distance, let available):
                "a match \(distance) bytes back after only \(available) bytes of output"
            case .limitExceeded(let limit): "more than \(limit) bytes of output"
            case .sizeMismatch(let expected, let found?): "\(found) bytes of output, not \(expected)"
            case .sizeMismatch(let expected, nil): "more than the \(expected) bytes of output declared"
            }
        }
    }

    /// Decodes one complete raw DEFLATE stream that fills `data` exactly (trailing
    /// bytes are an error, so a compressed size that lies is caught). With
    /// `expectedSize`, the output must be exactly that long. Never returns more
    /// than `limit` bytes, and stops decoding as soon as it would.
    static func decompress(_ data: ArraySlice<UInt8>, expectedSize: Int?, limit: Int) throws(Failure) -> [UInt8] {
        var cap = max(limit, 0)
        if let expectedSize {
            guard expectedSize <= cap else { throw .limitExceeded(cap) }
            cap = max(expectedSize, 0)
        }
        // Deflate expands at most 1032:1 (a 258-byte match per two bits), so a
        // size claimed in a header never reserves more than the input can make.
        let (bound, overflow) = data.count.multipliedReportingOverflow(by: 1032)
        let reachable = overflow ? cap : min(cap, bound + 258)
        var decoder = StreamDecoder(input: data, cap: cap, expectedSize: expectedSize,
                              initialCapacity: min(reachable, expectedSize ?? data.count * 4))
        try decoder.run()
        return decoder.finish()
    }
}

/// CRC-32 as zip uses it (reflected polynomial 0xEDB88320, initial and final XOR
/// with all ones).
enum CRC32 {
    /// Byte-at-a-time remainders, eight tables deep for slicing-by-8.
    private static let tables: [[UInt32]] = {
        var first = [UInt32](repeating: 0, count: 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            first[n] = c
        }
        var all = [first]
        for k in 1..<8 {
            let previous = all[k - 1]
            all.append((0..<256).map { first[Int(previous[$0] & 0xFF)] ^ (previous[$0] >> 8) })
        }
        return all
    }()

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        let t = tables
        let (t0, t1, t2, t3, t4, t5, t6, t7) = (t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7])
        var crc: UInt32 = 0xFFFF_FFFF
        var i = bytes.startIndex
        let end = bytes.endIndex
        while end - i >= 8 {
            let lo = crc ^ (UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8
                | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24)
            crc = t7[Int(lo & 0xFF)] ^ t6[Int((lo >> 8) & 0xFF)]
                ^ t5[Int((lo >> 16) & 0xFF)] ^ t4[Int(lo >> 24)]
                ^ t3[Int(bytes[i + 4])] ^ t2[Int(bytes[i + 5])]
                ^ t1[Int(bytes[i + 6])] ^ t0[Int(bytes[i + 7])]
            i += 8
        }
        while i < end {
            crc = t0[Int((crc ^ UInt32(bytes[i])) & 0xFF)] ^ (crc >> 8)
            i += 1
        }
        return ~crc
    }
}

/// A canonical Huffman code: a direct table for codes up to `fastBits` long and
/// a count-per-length walk (as in zlib's puff) for the rare longer ones.
private struct Huffman {
    static let fastBits = 10
    static let maxBits = 15

    /// Indexed by the next `fastBits` input bits: symbol << 4 | code length, or 0
    /// when the code is longer (or absent).
    var fast: [UInt16]
    /// How many codes have each length 0...15.
    var counts: [Int]
    /// Symbols sorted by code length, then value: canonical code order.
    var symbols: [UInt16]

    enum Kind { case codeLengths, literals, distances }

    /// Checks `lengths` against RFC 1951's rules first: no over-subscription, and
    /// no incompleteness except the single one-bit code zlib also accepts for
    /// literal/length and distance codes. An all-zero set is allowed and decodes
    /// nothing (a block without matches).
    static func checked(_ lengths: [UInt8], kind: Kind) throws(Inflate.Failure) -> Huffman {
        var counts = [Int](repeating: 0, count: maxBits + 1)
        for length in lengths { counts[Int(length)] += 1 }
        var left = 1
        var longest = 0
        for length in 1...maxBits {
            left = left << 1 - counts[length]
            guard left >= 0 else { throw .overSubscribedCode }
            if counts[length] > 0 { longest = length }
        }
        if left > 0, longest > 0, kind == .codeLengths || longest != 1 { throw .incompleteCode }
        return Huffman(lengths: lengths)
    }

    /// Builds the tables; `lengths` must not over-subscribe (callers check).
    init(lengths: [UInt8]) {
        counts = [Int](repeating: 0, count: Self.maxBits + 1)
        for length in lengths { counts[Int(length)] += 1 }
        // Length 0 means unused: such symbols take no code.
        counts[0] = 0
        var offsets = [Int](repeating: 0, count: Self.maxBits + 2)
        var nextCode = [Int](repeating: 0, count: Self.maxBits + 1)
        var code = 0
        for length in 1...Self.maxBits {
            offsets[length + 1] = offsets[length] + counts[length]
            code = (code + counts[length - 1]) << 1
            nextCode[length] = code
        }
        symbols = [UInt16](repeating: 0, count: offsets[Self.maxBits + 1])
        fast = [UInt16](repeating: 0, count: 1 << Self.fastBits)
        for (symbol, l) in lengths.enumerated() where l != 0 {
            let length = Int(l)
            symbols[offsets[length]] = UInt16(symbol)
            offsets[length] += 1
            let code = nextCode[length]
            nextCode[length] += 1
            guard length <= Self.fastBits else { continue }
            // Deflate sends codes most significant bit first into an LSB-first
            // stream, so the table is indexed by the code's bits reversed.
            var reversed = 0
            for bit in 0..<length { reversed |= (code >> bit & 1) << (length - 1 - bit) }
            let entry = UInt16(symbol << 4 | length)
            var slot = reversed
            while slot < 1 << Self.fastBits {
                fast[slot] = entry
                slot += 1 << length
            }
        }
    }

    /// Deflate's fixed literal/length code (RFC 1951 §3.2.6); 286 and 287 exist
    /// only to complete it and are refused when decoded.
    static let fixedLiterals = Huffman(lengths: (0..<288).map { symbol -> UInt8 in
        switch symbol {
        case 0..<144: 8
        case 144..<256: 9
        case 256..<280: 7
        default: 8
        }
    })
    /// The fixed distance code: 32 five-bit codes, of which 30 and 31 are refused.
    static let fixedDistances = Huffman(lengths: [UInt8](repeating: 5, count: 32))
}

/// One stream's decoding state: a bit reader over the input and the output so far.
private struct StreamDecoder {
    let input: ArraySlice<UInt8>
    /// Next input byte to load into `bits`.
    var position: Int
    /// Loaded but unconsumed input, least significant bit first.
    var bits: UInt64 = 0
    var bitCount = 0
    /// Output buffer: `count` bytes are decoded, the rest is spare room.
    var output: [UInt8]
    var count = 0
    let cap: Int
    let expectedSize: Int?

    init(input: ArraySlice<UInt8>, cap: Int, expectedSize: Int?, initialCapacity: Int) {
        self.input = input
        position = input.startIndex
        self.cap = cap
        self.expectedSize = expectedSize
        output = [UInt8](repeating: 0, count: max(initialCapacity, 0))
    }

    static let lengthBase: [Int] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31,
                                    35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [Int] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2,
                                     3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [Int] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193,
                                      257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
                                      8193, 12289, 16385, 24577]
    static let distanceExtra: [Int] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6,
                                       7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    /// The order code-length code lengths are sent in (RFC 1951 §3.2.7).
    static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    mutating func run() throws(Inflate.Failure) {
        var last = false
        while !last {
            last = try take(1) == 1
            switch try take(2) {
            case 0: try stored()
            case 1: try huffmanBlock(literals: .fixedLiterals, distances: .fixedDistances)
            case 2:
                let (literals, distances) = try dynamicCodes()
                try huffmanBlock(literals: literals, distances: distances)
            default: throw .reservedBlockType
            }
        }
        let unread = input.endIndex - position + bitCount / 8
        guard unread == 0 else { throw .trailingBytes(unread) }
        if let expectedSize, count != expectedSize { throw .sizeMismatch(expected: expectedSize, found: count) }
    }

    mutating func finish() -> [UInt8] {
        output.removeSubrange(count...)
        return output
    }

    /// Tops `bits` up to at least 57 bits while input lasts.
    @inline(__always)
    mutating func refill() {
        while bitCount <= 56, position < input.endIndex {
            bits |= UInt64(input[position]) &<< UInt64(bitCount)
            position += 1
            bitCount += 8
        }
    }

    /// The next `n` (≤ 16) bits as an integer, first bit least significant.
    @inline(__always)
    mutating func take(_ n: Int) throws(Inflate.Failure) -> Int {
        if bitCount < n {
            refill()
            guard bitCount >= n else { throw .truncated }
        }
        let value = Int(truncatingIfNeeded: bits & ((1 &<< UInt64(n)) &- 1))
        bits &>>= UInt64(n)
        bitCount -= n
        return value
    }

    @inline(__always)
    mutating func decode(_ code: Huffman) throws(Inflate.Failure) -> Int {
        if bitCount < Huffman.maxBits { refill() }
        let entry = Int(code.fast[Int(truncatingIfNeeded: bits) & (1 << Huffman.fastBits - 1)])
        guard entry != 0 else { return try decodeLong(code) }
        let length = entry & 15
        guard length <= bitCount else { throw .truncated }
        bits &>>= UInt64(length)
        bitCount -= length
        return entry >> 4
    }

    /// Walks the canonical code one bit at a time: first code of each length,
    /// then whether the bits so far fall among that length's codes.
    mutating func decodeLong(_ code: Huffman) throws(Inflate.Failure) -> Int {
        var value = 0, first = 0, index = 0
        for length in 1...Huffman.maxBits {
            guard length <= bitCount else { throw .truncated }
            value |= Int(truncatingIfNeeded: bits &>> UInt64(length - 1)) & 1
            let n = code.counts[length]
            if value - first < n {
                bits &>>= UInt64(length)
                bitCount -= length
                return Int(code.symbols[index + value - first])
            }
            index += n
            first = (first + n) << 1
            value <<= 1
        }
        throw .invalidCode
    }

    /// Makes room for `n` more output bytes, refusing to pass the cap.
    @inline(__always)
    mutating func reserve(_ n: Int) throws(Inflate.Failure) {
        guard output.count - count < n else { return }
        guard n <= cap - count else {
            if let expectedSize, expectedSize == cap { throw .sizeMismatch(expected: expectedSize, found: nil) }
            throw .limitExceeded(cap)
        }
        let grown = output.count > cap / 2 ? cap : max(output.count * 2, 4096)
        output.append(contentsOf: repeatElement(0, count: min(cap, max(grown, count + n)) - output.count))
    }

    mutating func stored() throws(Inflate.Failure) {
        // Drop to a byte boundary, then hand whole buffered bytes back to the input.
        _ = try take(bitCount % 8)
        let length = try take(16)
        guard try take(16) == length ^ 0xFFFF else { throw .storedLengthMismatch }
        position -= bitCount / 8
        bits = 0
        bitCount = 0
        guard length <= input.endIndex - position else { throw .truncated }
        try reserve(length)
        output.replaceSubrange(count..<count + length, with: input[position..<position + length])
        count += length
        position += length
    }

    mutating func dynamicCodes() throws(Inflate.Failure) -> (Huffman, Huffman) {
        let literalCount = try take(5) + 257
        let distanceCount = try take(5) + 1
        let codeLengthCount = try take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else {
            throw .tooManyCodes(literals: literalCount, distances: distanceCount)
        }
        var codeLengthLengths = [UInt8](repeating: 0, count: 19)
        for i in 0..<codeLengthCount { codeLengthLengths[Self.codeLengthOrder[i]] = UInt8(try take(3)) }
        let codeLengthCode = try Huffman.checked(codeLengthLengths, kind: .codeLengths)

        let total = literalCount + distanceCount
        var lengths = [UInt8](repeating: 0, count: total)
        var i = 0
        while i < total {
            let symbol = try decode(codeLengthCode)
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            let repeated: UInt8
            let times: Int
            switch symbol {
            case 16:
                guard i > 0 else { throw .repeatWithoutPrevious }
                repeated = lengths[i - 1]
                times = 3 + (try take(2))
            case 17:
                repeated = 0
                times = 3 + (try take(3))
            default:
                repeated = 0
                times = 11 + (try take(7))
            }
            guard times <= total - i else { throw .repeatPastEnd }
            for j in i..<i + times { lengths[j] = repeated }
            i += times
        }
        guard lengths[256] != 0 else { throw .noEndOfBlockCode }
        return (try Huffman.checked(Array(lengths[..<literalCount]), kind: .literals),
                try Huffman.checked(Array(lengths[literalCount...]), kind: .distances))
    }

    mutating func huffmanBlock(literals: Huffman, distances: Huffman) throws(Inflate.Failure) {
        while true {
            let symbol = try decode(literals)
            if symbol < 256 {
                try reserve(1)
                output[count] = UInt8(truncatingIfNeeded: symbol)
                count += 1
                continue
            }
            if symbol == 256 { return }
            let lengthIndex = symbol - 257
            guard lengthIndex < 29 else { throw .invalidCode }
            let length = Self.lengthBase[lengthIndex] + (try take(Self.lengthExtra[lengthIndex]))
            let distanceSymbol = try decode(distances)
            guard distanceSymbol < 30 else { throw .invalidCode }
            let distance = Self.distanceBase[distanceSymbol] + (try take(Self.distanceExtra[distanceSymbol]))
            guard distance <= count else { throw .distanceTooFar(distance: distance, available: count) }
            try reserve(length)
            var from = count - distance
            for to in count..<count + length {
                output[to] = output[from]
                from += 1
            }
            count += length
        }
    }
}
