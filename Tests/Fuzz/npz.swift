// libFuzzer entry: an .npz archive's bytes through the zip reader, inflate and the .npy reader,
// with caps small enough that a zip bomb is refused well inside libFuzzer's memory limit.
// A thrown error is the reader doing its job; only a trap or a sanitizer report is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? NumPyFile.readNPZ(bytes, source: "fuzz", maxBytes: 1 << 24, maxElements: 1 << 20)
    return 0
}
