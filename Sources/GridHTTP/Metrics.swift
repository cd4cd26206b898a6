import Foundation
import Metrics
import Prometheus
import Synchronization

/// The process's metrics, written as the Prometheus text exposition format (version 0.0.4) by
/// `GET /metrics`. One registry per process: swift-metrics has one global backend, which this
/// type bootstraps on first use (the first `buildRouter`), so every router of a process (tests
/// build many) records into the same registry; read it as counters that only grow.
///
/// Request metrics come from Hummingbird's `MetricsMiddleware` (the route *pattern*, e.g.
/// `/collections/{collectionId}/items`, never the raw path, so the label set stays bounded),
/// renamed here to the Prometheus conventions:
/// - `http_requests_total{route,method,status}` (counter)
/// - `http_request_duration_seconds{route,method,status}` (histogram, buckets 0.5 ms … 10 s)
/// - `http_request_errors_total{route,method,status}` (counter of errors thrown past the error table)
/// - `http_server_active_requests{method}` (gauge)
///
/// Values that live elsewhere (the index set, the store's imports, later the cases by state) are
/// gauges set at scrape time by *scrape hooks*: `addScrapeHook(_:_:)` is the place for a module
/// to publish its own gauges, e.g.
/// ```swift
/// WanggeMetrics.shared.addScrapeHook("cases") { registry in
///     for (state, n) in try db.caseCountsByState() {
///         registry.makeGauge(name: "wangge_cases", labels: [("state", state)]).set(Double(n))
///     }
/// }
/// ```
public final class WanggeMetrics: Sendable {
    /// The process's one instance (bootstraps swift-metrics on first use).
    public static let shared = WanggeMetrics()

    /// Where every metric is registered; `makeGauge(name:labels:)` returns the existing gauge for
    /// the same name and labels, so a hook may call it on every scrape.
    public let registry: PrometheusCollectorRegistry

    public typealias ScrapeHook = @Sendable (PrometheusCollectorRegistry) throws -> Void
    private let hooks = Mutex<[(name: String, hook: ScrapeHook)]>([])

    private init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        // The hot routes answer in well under a millisecond: start the buckets there.
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500),
            .seconds(5), .seconds(10),
        ]
        factory.nameAndLabelSanitizer = { name, labels in (Self.names[name] ?? Self.sanitize(name), labels.map { (Self.labelNames[$0.0] ?? Self.sanitize($0.0), $0.1) }) }
        MetricsSystem.bootstrap(factory)
    }

    /// Hummingbird's metric labels → Prometheus names (units and `_total` as its conventions ask).
    static let names = [
        "hb.requests": "http_requests_total",
        "http.server.request.duration": "http_request_duration_seconds",
        "hb.request.errors": "http_request_errors_total",
        "http.server.active_requests": "http_server_active_requests",
    ]
    static let labelNames = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status", "error.type": "status",
    ]

    /// Letters, digits and `_` only (Prometheus's metric and label name alphabet).
    static func sanitize(_ s: String) -> String {
        String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// Registers (or replaces, under the same `name`) a hook run before every scrape.
    public func addScrapeHook(_ name: String, _ hook: @escaping ScrapeHook) {
        hooks.withLock { list in
            list.removeAll { $0.name == name }
            list.append((name, hook))
        }
    }

    /// Runs the hooks, then writes every metric. A failing hook is counted in
    /// `wangge_scrape_errors_total{hook}` and leaves its gauges at their last values.
    public func exposition() -> [UInt8] {
        for (name, hook) in hooks.withLock({ $0 }) {
            do { try hook(registry) } catch {
                registry.makeCounter(descriptor: MetricNameDescriptor(namespace: "wangge", metricName: "scrape_errors_total"), labels: [("hook", name)]).increment()
            }
        }
        return registry.emitToBuffer()
    }
}
