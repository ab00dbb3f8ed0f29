import CoreMetrics
import Foundation
import Metrics
import Node
import Prometheus
import Synchronization

/// Request metrics through swift-metrics (a no-op until `serve` bootstraps the Prometheus
/// factory): `searchlight_http_requests_total{endpoint,method,status}` and
/// `searchlight_http_request_duration_seconds{endpoint}`, where the endpoint is the route's path
/// template (`/{index}/_search`), so the label set stays bounded whatever the URLs.
enum HTTPMetrics {
    static func record(endpoint: String, method: String, status: Int, elapsed: Duration) {
        CoreMetrics.Counter(label: "searchlight_http_requests_total", dimensions: [("endpoint", endpoint), ("method", method), ("status", String(status))])
            .increment()
        let (s, atto) = elapsed.components
        CoreMetrics.Timer(label: "searchlight_http_request_duration_seconds", dimensions: [("endpoint", endpoint)])
            .recordNanoseconds(s * 1_000_000_000 + atto / 1_000_000_000)
    }
}

/// The Prometheus side: the registry `serve` bootstraps swift-metrics with, and the node gauges
/// (documents, segments, store size, translog operations) refreshed from the node at each scrape.
public final class PrometheusExporter: Sendable {
    public let registry: PrometheusCollectorRegistry
    /// Gauges per index, so those of deleted indices can be dropped.
    let indexGauges = Mutex<[String: [Prometheus.Gauge]]>([:])

    public init(registry: PrometheusCollectorRegistry = PrometheusMetricsFactory.defaultRegistry) {
        self.registry = registry
    }

    /// Points swift-metrics at the default registry; once per process (swift-metrics traps on a
    /// second bootstrap).
    public static func bootstrap() {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: PrometheusMetricsFactory.defaultRegistry))
    }

    /// The exposition text, after updating the gauges from the node.
    public func scrape(_ node: Node) -> String {
        let indices = node.allIndices
        var live: [String: [Prometheus.Gauge]] = [:]
        for svc in indices {
            let labels = [("index", svc.name)]
            let docs = registry.makeGauge(name: "searchlight_index_docs", labels: labels, help: "Searchable live documents")
            let deleted = registry.makeGauge(name: "searchlight_index_deleted_docs", labels: labels, help: "Deleted documents not yet merged away")
            let segments = registry.makeGauge(name: "searchlight_index_segments", labels: labels, help: "Committed segments")
            let store = registry.makeGauge(name: "searchlight_index_store_size_bytes", labels: labels, help: "Bytes of the index's files")
            docs.set(Double(svc.docCount))
            deleted.set(Double(svc.deletedDocCount))
            segments.set(Double(svc.segmentCount))
            store.set(Double(svc.storeSizeBytes))
            live[svc.name] = [docs, deleted, segments, store]
        }
        let stale = indexGauges.withLock { g -> [Prometheus.Gauge] in
            defer { g = live }
            return g.filter { live[$0.key] == nil }.flatMap(\.value)
        }
        for gauge in stale { registry.unregisterGauge(gauge) }
        registry.makeGauge(name: "searchlight_indices", help: "Open indices").set(Double(indices.count))
        registry.makeGauge(name: "searchlight_translog_operations", help: "Operations in the translog not yet covered by a commit")
            .set(Double((try? node.catalog.translogCount()) ?? 0))
        return registry.emitToString()
    }
}

extension SearchlightAPI {
    /// `GET /_prometheus/metrics`: Prometheus text exposition (the path of the OpenSearch
    /// Prometheus exporter plugin).
    static func registerMetrics(_ r: inout Router, _ node: Node) {
        let exporter = PrometheusExporter()
        r.add([.GET], "/_prometheus/metrics") { _ in
            RESTResponse(status: 200, raw: Array(exporter.scrape(node).utf8), contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
    }
}
