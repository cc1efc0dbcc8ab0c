// libFuzzer entry: a fixture file's bytes through the JSON parser and the fixture reader.
// A thrown error is the reader doing its job; only a trap or a sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let json = try? JSON.parse(bytes) {
        _ = try? FixtureFile.decode(json, source: "fuzz", defaultName: "fuzz")
    }
    return 0
}
