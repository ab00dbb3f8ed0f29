import Index
import JSON

/// Maps method + path patterns (`/{index}/_doc/{id}`) to handlers. Literal segments win over
/// parameters; a path known under other methods answers 405 like OpenSearch.
public struct Router: Sendable {
    public typealias Handler = @Sendable (RESTRequest) async throws(OpenSearchError) -> RESTResponse
    /// Runs before the matched handler with the route's path template (`/{index}/_doc/{id}`):
    /// the permission check. Throwing answers the error instead of running the handler.
    public typealias Guard = @Sendable (RESTRequest, String) async throws(OpenSearchError) -> Void

    struct Route: Sendable {
        let methods: Set<RESTRequest.Method>
        let template: String
        let pattern: [Segment]
        let handler: Handler
        var specificity: Int { pattern.reduce(0) { $0 * 2 + ($1.isLiteral ? 1 : 0) } }
    }

    enum Segment: Sendable, Equatable {
        case literal(String)
        case param(String)

        var isLiteral: Bool { if case .literal = self { return true }; return false }
    }

    var routes: [Route] = []
    public var guardHook: Guard?

    public init() {}

    public mutating func add(_ methods: [RESTRequest.Method], _ path: String, _ handler: @escaping Handler) {
        let pattern: [Segment] = path.split(separator: "/").map { s in
            s.hasPrefix("{") && s.hasSuffix("}") ? .param(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        routes.append(Route(methods: Set(methods), template: path, pattern: pattern, handler: handler))
        routes.sort { $0.pattern.count == $1.pattern.count ? $0.specificity > $1.specificity : $0.pattern.count < $1.pattern.count }
    }

    func bind(_ route: Route, _ segments: [String]) -> [String: String]? {
        guard route.pattern.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (p, s) in zip(route.pattern, segments) {
            switch p {
            case .literal(let l): if l != s { return nil }
            case .param(let name): params[name] = s
            }
        }
        return params
    }

    public func route(_ request: RESTRequest) async -> RESTResponse {
        // Like OpenSearch's path trie: the most specific matching path wins, whatever the method;
        // if it has no handler for this method the answer is 405, not a less specific route.
        var candidates: [(Route, [String: String])] = []
        var best = -1
        for r in routes {
            guard let params = bind(r, request.segments) else { continue }
            if r.specificity > best { best = r.specificity; candidates = [] }
            if r.specificity == best { candidates.append((r, params)) }
        }
        let bestForMethod = candidates.first { $0.0.methods.contains(request.method) }
        let allowed = candidates.reduce(into: Set<RESTRequest.Method>()) { $0.formUnion($1.0.methods) }
        if let (r, params) = bestForMethod {
            var req = request
            req.pathParams = params
            let started = ContinuousClock.now
            let response: RESTResponse
            do {
                try req.adoptSourceParam()
                if let guardHook { try await guardHook(req, r.template) }
                response = try await r.handler(req)
            } catch { response = .error(error) }
            HTTPMetrics.record(endpoint: r.template, method: request.method.rawValue, status: response.status,
                               elapsed: ContinuousClock.now - started)
            return response
        }
        HTTPMetrics.record(endpoint: "unmatched", method: request.method.rawValue, status: allowed.isEmpty ? 400 : 405, elapsed: .zero)
        if !allowed.isEmpty {
            let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            return RESTResponse(405, ["error": .string("Incorrect HTTP method for uri [\(request.path)] and method [\(request.method.rawValue)], allowed: [\(list)]"), "status": 405])
        }
        return RESTResponse(400, ["error": .string("no handler found for uri [\(request.path)] and method [\(request.method.rawValue)]"), "status": 400])
    }
}
