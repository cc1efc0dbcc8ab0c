import Foundation
import Testing

@Suite struct ReportTests {
    static func path(_ name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lstm-gradcheck-report-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let p = dir.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: p)
        return p
    }

    @Test func reportIsOneSelfContainedPage() throws {
        let out = try Self.path("report.html")
        let r = try Tool.run(["report", "--out", out])
        #expect(r.status == 0 && r.stdout == "wrote \(out)\n")
        let html = try String(contentsOfFile: out, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Nothing to fetch and nothing to run.
        for forbidden in ["<script", "src=\"http", "href=\"http", "@import", "url("] { #expect(!html.contains(forbidden), "\(forbidden)") }
        // The table, the verdict, a heat map per method (and the numerical reference) and tensor, two flow charts.
        #expect(html.contains("Relative error per weight") && html.contains("Verdict"))
        #expect(html.components(separatedBy: "<figure>").count - 1 == 4 * 12 + 2)
        #expect(html.contains("plain RNN"))
    }

    /// The decay chart's log axis is labelled with the true ends of its curves (the smallest and
    /// largest positive decay of either cell, read from `explain --flow --compare`'s JSON), not
    /// with the nearest powers of ten: here the bottom is 5.1e-2, which rounds to 1e-1.
    @Test func theLogAxisIsLabelledWithItsTrueEnds() throws {
        let network = ["--n-a", "4", "--n-x", "2", "--seed", "8", "--steps", "5"]
        let out = try Self.path("axis.html")
        #expect(try Tool.run(["report", "--out", out] + network).status == 0)
        let html = try String(contentsOfFile: out, encoding: .utf8)
        let c = try ReportJSON.entry(try Tool.run(["explain", "--flow", "--compare", "--format", "json"] + network).stdout)
        let decays = try ["lstm", "rnn"].flatMap { cell -> [Double] in
            let d = try #require((c[cell] as? [String: Any])?["by_distance"] as? [Double])
            return d.map { $0 / d[0] }
        }.filter { $0 > 0 }
        let chart = try #require(html.components(separatedBy: "One step's loss reaching k steps back").dropFirst().first)
        for end in [decays.min()!, decays.max()!] {
            #expect(chart.contains("text-anchor=\"end\">\(CommandLineTests.sci(end))</text>"), "\(CommandLineTests.sci(end))")
        }
        #expect(CommandLineTests.sci(decays.min()!) == "5.1e-2")
    }

    @Test func reportNeverOverwritesWithoutForceOrWritesOverItsInput() throws {
        let out = try Self.path("twice.html")
        #expect(try Tool.run(["report", "--out", out]).status == 0)
        let again = try Tool.run(["report", "--out", out])
        #expect(again.status == 2 && again.stdout.isEmpty && again.stderr.contains("exists; pass --force"))
        #expect(try Tool.run(["report", "--out", out, "--force"]).status == 0)
        let fixture = Tool.root.appendingPathComponent("Fixtures/default.json").path
        let before = try Data(contentsOf: URL(fileURLWithPath: fixture))
        let over = try Tool.run(["report", "--fixture", fixture, "--out", fixture, "--force"])
        #expect(over.status == 2 && over.stderr.contains("refusing to write over the input"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture)) == before)
        // A pipe (as a device would be) is no file to replace, even with --force: it stays a pipe.
        let fifo = try Self.path("pipe.html")
        #expect(mkfifo(fifo, 0o600) == 0)
        let onPipe = try Tool.run(["report", "--out", fifo, "--force"])
        #expect(onPipe.status == 2 && onPipe.stderr.contains("expected a regular file to write"), "\(onPipe.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: fifo)[.type] as? FileAttributeType != .typeRegular)
    }

    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Renders the page in a real headless browser; skipped where none is installed
    /// (Debian's `chromium` package provides one).
    @Test(.enabled(if: chromium != nil, "needs headless Chromium (apt-get install chromium)"))
    func reportRendersInHeadlessChromium() throws {
        let out = try Self.path("shown.html"), shot = try Self.path("shown.png")
        #expect(try Tool.run(["report", "--out", out]).status == 0)
        let r = try Tool.run(URL(fileURLWithPath: Self.chromium!), ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                                                                    "--window-size=1200,4200", "--screenshot=\(shot)", "file://\(out)"])
        #expect(r.status == 0, "\(r.stderr)")
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // A blank page compresses to a few kilobytes; tables, heat maps and charts do not.
        #expect(png.count > 50_000, "\(png.count) bytes")
    }
}
