import Foundation

/// `▁▂▃▅▇`: one block per value (per bucket of values beyond `width`), scaled to `range`
/// or to the values' own span; readable without colour. On a log scale zeros are blank.
func sparkline(_ values: [Double], logarithmic: Bool = false, range: ClosedRange<Double>? = nil, width: Int = 60) -> String {
    let blocks = Array("▁▂▃▄▅▆▇█")
    let v = logarithmic ? values.map { $0 > 0 ? log10($0) : -.infinity } : values
    // Buckets of equal size, each shown by its mean, so a long sequence fits a line.
    let size = max(1, (v.count + width - 1) / width)
    let points = stride(from: 0, to: v.count, by: size).map { start -> Double in
        let bucket = v[start..<min(v.count, start + size)]
        return bucket.allSatisfy(\.isFinite) ? bucket.reduce(0, +) / Double(bucket.count) : -.infinity
    }
    let finite = points.filter(\.isFinite)
    guard let lo = range?.lowerBound ?? finite.min(), let hi = range?.upperBound ?? finite.max() else {
        return String(repeating: " ", count: points.count)
    }
    let base = logarithmic ? lo : min(0, lo)
    return String(points.map { x -> Character in
        guard x.isFinite else { return " " }
        // One level: all zeros (nothing) draw as the lowest block, a constant on a log scale as the highest.
        guard hi > base else { return logarithmic ? blocks[blocks.count - 1] : blocks[0] }
        let f = max(0, min(1, (x - base) / (hi - base)))
        return blocks[Int((f * Double(blocks.count - 1)).rounded())]
    })
}

/// The log10 span of the positive values of several series, for sparklines on one scale.
func logRange(_ series: [[Double]]) -> ClosedRange<Double>? {
    let logs = series.flatMap { $0 }.filter { $0 > 0 }.map(log10)
    guard let lo = logs.min(), let hi = logs.max() else { return nil }
    return lo...hi
}
