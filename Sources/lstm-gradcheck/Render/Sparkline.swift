/// `▁▂▃▅▇`: one block per value, scaled to the largest; readable without colour.
func sparkline(_ values: [Double], logarithmic: Bool = false) -> String {
    let blocks = Array("▁▂▃▄▅▆▇█")
    let v = logarithmic ? values.map { $0 > 0 ? log10($0) : -.infinity } : values
    let finite = v.filter(\.isFinite)
    guard let hi = finite.max(), let lo = finite.min() else { return String(repeating: " ", count: values.count) }
    let span = logarithmic ? hi - lo : hi
    return String(v.map { x -> Character in
        guard x.isFinite, span > 0 else { return x.isFinite ? blocks[blocks.count - 1] : " " }
        let f = logarithmic ? (x - lo) / span : max(0, x) / span
        return blocks[min(blocks.count - 1, Int((f * Double(blocks.count - 1)).rounded()))]
    })
}

import Foundation
