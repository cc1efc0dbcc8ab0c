import Foundation

/// A one-line progress bar on standard error for runs a person waits on: only when standard
/// error is a terminal, only once the run has taken a second (a quick check stays quiet),
/// redrawn at most ten times a second, and cleared before the report is written.
final class ProgressBar: @unchecked Sendable {   // every mutable field behind `lock`
    private let lock = NSLock()
    private let label: String
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var shown = false

    private init(label: String) { self.label = label }

    /// A bar when standard error is a terminal, nil otherwise.
    static func onTerminal(label: String) -> ProgressBar? {
        isatty(STDERR_FILENO) == 1 ? ProgressBar(label: label) : nil
    }

    /// `RunControl.progress`: may be called from any thread.
    func update(_ done: Int, _ total: Int) {
        lock.withLock {
            let now = ContinuousClock.now
            guard now - start >= .seconds(1) else { return }
            if let lastDraw, now - lastDraw < .milliseconds(100) { return }
            lastDraw = now
            shown = true
            let elapsed = Double((now - start).components.seconds) + Double((now - start).components.attoseconds) * 1e-18
            Self.write("\r" + Self.line(label, done: done, total: total, seconds: elapsed) + "\u{1B}[K")
        }
    }

    /// Erases the bar, if it was drawn, so that what follows starts on a clean line.
    func clear() {
        lock.withLock {
            if shown { Self.write("\r\u{1B}[K") }
            shown = false
        }
    }

    /// `finite differences [█████·····] 50% · 3 s`.
    static func line(_ label: String, done: Int, total: Int, seconds: Double, width: Int = 30) -> String {
        let fraction = total > 0 ? min(max(Double(done) / Double(total), 0), 1) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        return "\(label) [\(bar)] \(Int(fraction * 100))% · \(Int(seconds)) s"
    }

    private static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
