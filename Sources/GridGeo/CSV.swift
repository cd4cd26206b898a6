/// RFC 4180 fields of one CSV record. Quoted fields may hold commas and doubled quotes; records
/// that span lines are not supported (none of wangge's inputs need them).
public enum CSV {
    public struct SyntaxError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func fields(_ line: Substring) throws -> [String] {
        var out: [String] = []
        var field = ""
        var quoted = false
        var i = line.startIndex
        var atFieldStart = true
        while i < line.endIndex {
            let ch = line[i]
            if quoted {
                if ch == "\"" {
                    let next = line.index(after: i)
                    if next < line.endIndex, line[next] == "\"" { field.append("\""); i = line.index(after: next); continue }
                    quoted = false
                } else {
                    field.append(ch)
                }
            } else if ch == "," {
                out.append(field); field = ""; atFieldStart = true
                i = line.index(after: i)
                continue
            } else if ch == "\"" && atFieldStart {
                quoted = true
            } else if ch != "\r" {
                field.append(ch)
            }
            atFieldStart = false
            i = line.index(after: i)
        }
        if quoted { throw SyntaxError(description: "unterminated quoted field") }
        out.append(field)
        return out
    }

    public static func fields(_ line: String) throws -> [String] { try fields(line[...]) }

    public static func escape(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}

import Foundation
