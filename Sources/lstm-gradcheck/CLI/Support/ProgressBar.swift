import Foundation
import LSTMGradCheck

/// A one-line progress bar on standard error for runs a person waits on: only when standard
/// error is a terminal, only once the run has taken a second (a quick check stays quiet),
/// redrawn at most ten times a second, and cleared before the report is written. It names the
/// phase it measures (`RunControl.progress` reports it) and times each phase on its own, so
/// the time left is that of the work in view.
final class ProgressBar: @unchecked Sendable {   // every mutable field behind `lock`
    private let lock = NSLock()
    /// Words after the phase's label (`shard 2/3`), if any.
    private let detail: String?
    private let start = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var shown = false
    /// The phase last reported, when it began, and when its last report came.
    private var phase: Phase?
    private var phaseStart = ContinuousClock.now
    private var lastReport: ContinuousClock.Instant?

    private init(detail: String?) { self.detail = detail }

    /// A bar when standard error is a terminal, nil otherwise.
    static func onTerminal(detail: String? = nil) -> ProgressBar? {
        isatty(STDERR_FILENO) == 1 ? ProgressBar(detail: detail) : nil
    }

    /// `RunControl.progress`: may be called from any thread.
    func update(_ phase: Phase, _ done: Int, _ total: Int) {
        lock.withLock {
            let now = ContinuousClock.now
            if phase != self.phase {
                // A phase begins when the one before it reported last (its first report comes
                // only after its first piece of work, too late to start its clock).
                self.phase = phase
                phaseStart = lastReport ?? start
            }
            lastReport = now
            guard now - start >= .seconds(1) else { return }
            if let lastDraw, now - lastDraw < .milliseconds(100) { return }
            lastDraw = now
            shown = true
            let elapsed = now - phaseStart
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            let label = phase.label + (detail.map { ", " + $0 } ?? "")
            Self.write("\r" + Self.line(label, done: done, total: total, seconds: seconds) + "\u{1B}[K")
        }
    }

    /// Erases the bar, if it was drawn, so that what follows starts on a clean line.
    func clear() {
        lock.withLock {
            if shown { Self.write("\r\u{1B}[K") }
            shown = false
        }
    }

    /// `exact reference [███████████████···············] 52% · 3 s elapsed · ~3 s left`: the time
    /// left is `seconds·(total − done)/done`, the rate so far, and `?` before any unit is done.
    static func line(_ label: String, done: Int, total: Int, seconds: Double, width: Int = 30) -> String {
        let fraction = total > 0 ? min(max(Double(done) / Double(total), 0), 1) : 0
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let left = done > 0 && total >= done ? "~\(Int((seconds * Double(total - done) / Double(done)).rounded())) s left" : "? left"
        return "\(label) [\(bar)] \(Int(fraction * 100))% · \(Int(seconds)) s elapsed · \(left)"
    }

    private static func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
