// libFuzzer entry: a .npy file's bytes through the NumPy reader, with a modest element cap so a
// valid header claiming a large array is refused instead of slowing every run.
// A thrown error is the reader doing its job; only a trap or a sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? NumPyFile.readNPY(bytes, source: "fuzz", maxElements: 1 << 20)
    return 0
}
