// libFuzzer entry: a shard part's bytes through the JSON parser, the part reader, a merge of
// the part alone and, when that merge is whole (a 1/1 part), the gradient file it makes.
// A thrown error is the reader doing its job; only a trap or a sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let json = try? JSON.parse(bytes), let part = try? ShardFile.decode(json, source: "fuzz", maxElements: 1 << 20),
       let merged = try? ShardFile.merge([("fuzz", part)]) {
        _ = try? ShardFile.gradientFile(merged.values, of: part)
    }
    return 0
}
