import GridAnalysis
import GridStore
import Hummingbird
import NIOCore

/// `GET /metrics`: every metric of `WanggeMetrics` in the Prometheus text exposition format
/// (version 0.0.4), after setting the gauges read from this server's services:
/// - `wangge_boundary_generation`: the generation the current index set was built from;
/// - `wangge_index_build_seconds`: wall-clock seconds that set's build took (store read included);
/// - `wangge_index_features{layer}`: grids, compounds and stations in the set;
/// - `wangge_index_older_sets`: sets of older generations kept built for `generation=`;
/// - `wangge_boundary_imports{layer}`: imports recorded in the store (boundary generations) per layer;
/// - `wangge_cases{state}`, `wangge_cases_overdue`: through the "cases" scrape hook (CaseMetrics).
struct MetricsController {
    let services: AppServices
    let metrics: WanggeMetrics

    func addRoutes(to router: Router<WanggeRequestContext>) {
        router.get("/metrics", use: scrape)
        CaseMetrics.register(db: services.db, intake: services.cases.intake, on: metrics)
    }

    @Sendable func scrape(_ request: Request, context: WanggeRequestContext) async throws -> Response {
        try setGauges()
        let body = metrics.exposition()
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    private func setGauges() throws {
        let r = metrics.registry
        let set = try services.indexes.current()
        r.makeGauge(name: "wangge_boundary_generation", labels: []).set(Double(set.generation))
        r.makeGauge(name: "wangge_index_build_seconds", labels: []).set(set.buildSeconds)
        r.makeGauge(name: "wangge_index_features", labels: [("layer", "grids")]).set(Double(set.assignment.gridInfo.count))
        r.makeGauge(name: "wangge_index_features", labels: [("layer", "compounds")]).set(Double(set.assignment.compoundInfo.count))
        r.makeGauge(name: "wangge_index_features", labels: [("layer", "stations")]).set(Double(set.stations.stations.count))
        r.makeGauge(name: "wangge_index_older_sets", labels: []).set(Double(services.indexes.cachedGenerations.count))
        var imports: [String: Int] = [:]
        for g in try services.db.generations() { imports[g.layer, default: 0] += 1 }
        for layer in Layer.all.map(\.name) where imports[layer] == nil { imports[layer] = 0 }
        for (layer, n) in imports { r.makeGauge(name: "wangge_boundary_imports", labels: [("layer", layer)]).set(Double(n)) }
    }
}
