import Foundation
import LSTMGradCheck

/// Writing a result file without ever losing one: the text goes to a temporary file
/// beside the target and is renamed into place, an existing file is replaced only
/// with `--force`, and an input is never written over.
enum OutputFile {
    static func write(_ text: String, to path: String, force: Bool, inputs: [String], command: String) throws {
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath()
        if inputs.map({ URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath() }).contains(target) {
            throw UsageError(.refusingToOverwriteInput(path), command: command)
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw InputError(source: path, expected: "a file to write", found: "a directory") }
            // A device, pipe or socket is not a file to replace: renaming over it would destroy it.
            let type = (try? FileManager.default.attributesOfItem(atPath: target.path)[.type]) as? FileAttributeType
            if type != .typeRegular { throw InputError(source: path, expected: "a regular file to write", found: "a device, pipe or socket") }
            if !force { throw UsageError(.exists(path), command: command) }
        }
        let folder = target.deletingLastPathComponent()
        let temporary = folder.appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            throw InputError(source: path, expected: "a writable folder", found: "it cannot be written")
        }
        // Ctrl-C during the write: the temporary file goes, the target is left as it was.
        if Interrupt.requested {
            try? FileManager.default.removeItem(at: temporary)
            throw Interrupted(finished: "the whole check")
        }
        // rename(2) replaces the target in one step: a reader sees the old file or the new one.
        guard rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw InputError(source: path, expected: "a writable location", found: String(cString: strerror(errno)))
        }
    }
}
