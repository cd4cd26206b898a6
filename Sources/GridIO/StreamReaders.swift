import Foundation

/// Lines of a file read in 1 MiB chunks: memory stays flat for any file size.
struct LineReader {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }

    /// Calls body with each line (without the newline); body returns false to stop.
    func forEachLine(_ body: (ArraySlice<UInt8>) throws -> Bool) throws {
        var pending: [UInt8] = []
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let nl = pending[start...].firstIndex(of: 10) {
                if try !body(pending[start..<nl]) { return }
                start = nl + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { _ = try body(pending[...]) }
    }
}

/// Finds the members of a FeatureCollection's top-level "features" array in a byte stream
/// without reading the whole file: each feature's bytes are handed out on their own.
struct FeatureScanner {
    let handle: FileHandle
    init(_ handle: FileHandle) { self.handle = handle }

    func forEachFeature(_ body: (_ bytes: [UInt8], _ index: Int, _ line: Int) throws -> Bool) throws {
        var depth = 0, inString = false, escape = false
        var key: [UInt8] = [], lastKey = "", readingKey = false
        var inFeatures = false, sawFeatures = false
        var capture: [UInt8] = [], capturing = false, captureLine = 1
        var line = 1, index = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            for b in chunk {
                if b == 10 { line += 1 }
                if capturing { capture.append(b) }
                if inString {
                    if escape { escape = false } else if b == 92 { escape = true } else if b == 34 {
                        inString = false
                        if readingKey { lastKey = String(decoding: key, as: UTF8.self); readingKey = false }
                    } else if readingKey { key.append(b) }
                    continue
                }
                switch b {
                case 34:
                    inString = true
                    if depth == 1 && !capturing { readingKey = true; key.removeAll() }
                case 123, 91:  // { [
                    if depth == 1 && b == 91 && lastKey == "features" { inFeatures = true; sawFeatures = true }
                    else if depth == 2 && inFeatures && b == 123 {
                        capturing = true; capture = [b]; captureLine = line
                    }
                    depth += 1
                case 125, 93:  // } ]
                    depth -= 1
                    if capturing && depth == 2 {
                        capturing = false
                        if try !body(capture, index, captureLine) { return }
                        index += 1
                    }
                    if depth == 1 && inFeatures && b == 93 { inFeatures = false }
                default: break
                }
            }
        }
        guard sawFeatures else {
            throw BatchInputError("the GeoJSON input has no top-level \"features\" array (expected a FeatureCollection of Points)")
        }
    }
}
