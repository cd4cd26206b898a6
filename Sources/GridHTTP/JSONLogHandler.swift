import Foundation
import GridGeo
import Logging
import Synchronization

/// A swift-log handler writing one JSON object per line (to stderr by default), for log
/// collectors (Loki, Elasticsearch, journald's JSON mode): `wangge serve --log-format json`.
///
/// Members: `time` (RFC 3339 UTC with milliseconds), `level` (swift-log's: trace … critical),
/// `label` (the logger's), `message`, `source` (the module), and `metadata` — the logger's, the
/// provider's and the call's, merged in that order — as an object whose values are strings,
/// arrays or objects (swift-log's metadata values). A request's lines carry its id as
/// `metadata["hb.request.id"]`, the id echoed in the `X-Request-Id` response header.
public struct JSONLogHandler: LogHandler {
    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: JSONLogSink

    /// A handler writing to `sink` (standard error unless given).
    public init(label: String, sink: JSONLogSink = .standardError, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let own = event.metadata { merged.merge(own) { _, new in new } }
        if let error = event.error { merged["error"] = .string(String(describing: error)) }
        var line = "{\"time\":\(Self.quote(Self.timestamp()))"
        line += ",\"level\":\(Self.quote(event.level.rawValue))"
        line += ",\"label\":\(Self.quote(label))"
        line += ",\"message\":\(Self.quote(event.message.description))"
        line += ",\"source\":\(Self.quote(event.source))"
        line += ",\"metadata\":\(Self.encode(.dictionary(merged)))}\n"
        sink.write(line)
    }

    static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    static func encode(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let s): return quote(s)
        case .stringConvertible(let c): return quote(c.description)
        case .array(let a): return "[" + a.map(encode).joined(separator: ",") + "]"
        case .dictionary(let d):
            return "{" + d.keys.sorted().map { quote($0) + ":" + encode(d[$0]!) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal (RFC 8259 §7): GridGeo's one string escaper.
    static func quote(_ s: String) -> String { JSONText.quoted(s) }
}

/// Where JSON log lines go: whole lines, one writer at a time, so lines of concurrent requests
/// never interleave.
public final class JSONLogSink: Sendable {
    private let write: Mutex<@Sendable (String) -> Void>

    public init(_ write: @escaping @Sendable (String) -> Void) { self.write = Mutex(write) }

    public static let standardError = JSONLogSink { line in FileHandle.standardError.write(Data(line.utf8)) }

    func write(_ line: String) { write.withLock { $0(line) } }
}
