import Foundation

/// Each parameter enum's case names, found once per type. A case's own name comes from
/// reflection (`"\(case)"`), which searches the loaded images' conformance records on every
/// call; names are asked for per tensor of every gradient a check compares.
final class ParameterNames: @unchecked Sendable {   // `table` behind `lock`
    static let shared = ParameterNames()
    private let lock = NSLock()
    private var table: [ObjectIdentifier: [String]] = [:]

    /// `P`'s case names, in `allCases` order.
    func of<P: CellParameter>(_: P.Type) -> [String] {
        lock.withLock {
            if let names = table[ObjectIdentifier(P.self)] { return names }
            let names = P.allCases.map { "\($0)" }
            table[ObjectIdentifier(P.self)] = names
            return names
        }
    }
}
