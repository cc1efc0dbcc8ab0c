// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "lstm-gradcheck",
    products: [
        .executable(name: "lstm-gradcheck", targets: ["lstm-gradcheck"]),
        .library(name: "LSTMGradCheck", targets: ["LSTMGradCheck"]),
    ],
    targets: [
        // The maths and the checks. Never prints, never exits.
        .target(name: "LSTMGradCheck", dependencies: ["CKernels"]),
        // The batched kernels in C, compiled once per CPU path (baseline, x86-64-v3, x86-64-v4)
        // and chosen at run time, so the default build runs at this CPU's vector width anywhere.
        .target(name: "CKernels"),
        // Argument parsing, rendering and exit statuses over the library.
        .executableTarget(name: "lstm-gradcheck", dependencies: ["LSTMGradCheck"]),
        // Vectors/ holds test data made by NumPy and the scripts that made it.
        // `make bench`: timings, never in a unit test.
        .executableTarget(name: "lstm-gradcheck-bench", dependencies: ["LSTMGradCheck", "CKernels", "BenchPeak"], path: "Benchmarks/Bench"),
        // The bench's FP64 peak: multiply-add chains in registers on each CPU path.
        .target(name: "BenchPeak", dependencies: ["CKernels"], path: "Benchmarks/Peak"),
        .testTarget(name: "LSTMGradCheckTests", dependencies: ["LSTMGradCheck"], exclude: ["Vectors"]),
        // Runs the built binary; depends on it so `swift test` builds it first.
        // Golden/ holds the golden outputs GoldenOutputTests compares with; JUnitSchema/ the
        // JUnit XML schema JUnitTests validates against.
        .testTarget(name: "EndToEndTests", dependencies: ["lstm-gradcheck"], exclude: ["Vectors", "Golden", "JUnitSchema"]),
    ]
)
