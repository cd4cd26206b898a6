import Foundation
import GridGeo

/// Finds the members of a FeatureCollection's top-level "features" array in a byte stream
/// without reading the whole file: each feature's bytes are handed out on their own, and so is
/// the top-level `crs` member (GeoJSON 2008) when there is one.
struct FeatureScanner {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }

    /// `onFeature` gets each feature's bytes, its index and the line it starts on, and returns
    /// false to stop; `onCRS` gets the parsed `crs` member when the scan reaches it.
    func forEachMember(onCRS: (JSONValue) throws -> Void,
                       onFeature: (_ bytes: [UInt8], _ index: Int, _ line: Int) throws -> Bool) throws {
        var depth = 0, inString = false, escape = false
        var key: [UInt8] = [], lastKey = "", readingKey = false
        var inFeatures = false, sawFeatures = false
        var capture: [UInt8] = [], capturing = false, captureLine = 1
        var crsBytes: [UInt8] = [], inCRS = false, crsDepth = 0
        var line = 1, index = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try PointStream.read(fd, into: &chunk)
            if n == 0 { break }
            for b in chunk[..<n] {
                if b == 10 { line += 1 }
                if capturing { capture.append(b) }
                if inCRS { crsBytes.append(b) }
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
                    if depth == 1 && !capturing && !inCRS { readingKey = true; key.removeAll() }
                case 123, 91:  // { [
                    if depth == 1 && b == 91 && lastKey == "features" { inFeatures = true; sawFeatures = true }
                    else if depth == 1 && b == 123 && lastKey == "crs" && !inCRS { inCRS = true; crsBytes = [b]; crsDepth = depth }
                    else if depth == 2 && inFeatures && b == 123 {
                        capturing = true; capture = [b]; captureLine = line
                    }
                    depth += 1
                case 125, 93:  // } ]
                    depth -= 1
                    if capturing && depth == 2 {
                        capturing = false
                        if try !onFeature(capture, index, captureLine) { return }
                        index += 1
                    }
                    if inCRS && depth == crsDepth {
                        inCRS = false
                        lastKey = ""
                        if let v = try? JSONParser.parse(crsBytes) { try onCRS(v) }
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
