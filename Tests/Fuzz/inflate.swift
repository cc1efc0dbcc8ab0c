// libFuzzer entry: raw DEFLATE bytes through the decoder, once without a declared size and
// once with the size the first decode produced (the path .npz members take).
// A thrown error is the decoder doing its job; only a trap or a sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let output = try? Inflate.decompress(bytes[...], expectedSize: nil, limit: 1 << 24) {
        _ = try? Inflate.decompress(bytes[...], expectedSize: output.count, limit: 1 << 24)
    }
    return 0
}
