import Index
import JSON

/// Maps method + path patterns (`/{index}/_doc/{id}`) to handlers. Literal segments win over
/// parameters; a path known under other methods answers 405 like OpenSearch.
public struct Router: Sendable {
    public typealias Handler = @Sendable (RESTRequest) async throws(OpenSearchError) -> RESTResponse

    struct Route: Sendable {
        let methods: Set<RESTRequest.Method>
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

    public init() {}

    public mutating func add(_ methods: [RESTRequest.Method], _ path: String, _ handler: @escaping Handler) {
        let pattern: [Segment] = path.split(separator: "/").map { s in
            s.hasPrefix("{") && s.hasSuffix("}") ? .param(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        routes.append(Route(methods: Set(methods), pattern: pattern, handler: handler))
        routes.sort { $0.pattern.count == $1.pattern.count ? $0.specificity > $1.specificity : $0.pattern.count < $1.pattern.count }
    }

    func bind(_ route: Route, _ segments: [String]) -> [String: String]? {
        guard route.pattern.count == segments.count else { return nil }
        var params: [String: String] = [:]
        for (p, s) in zip(route.pattern, segments) {
            switch p {
            case .literal(let l): if l != s { return nil }
            case .param(let name):
                // A parameter never swallows an API keyword such as `_search`, except index names like `_all`.
                if s.hasPrefix("_") && s != "_all" && name != "id" && name != "name" { return nil }
                params[name] = s
            }
        }
        return params
    }

    public func route(_ request: RESTRequest) async -> RESTResponse {
        var allowed: Set<RESTRequest.Method> = []
        var bestForMethod: (Route, [String: String])? = nil
        var bestSpecificity = -1
        for r in routes {
            guard let params = bind(r, request.segments) else { continue }
            if r.methods.contains(request.method) {
                if r.specificity > bestSpecificity { bestForMethod = (r, params); bestSpecificity = r.specificity }
            } else {
                allowed.formUnion(r.methods)
            }
        }
        if let (r, params) = bestForMethod {
            var req = request
            req.pathParams = params
            do { return try await r.handler(req) } catch { return .error(error) }
        }
        if !allowed.isEmpty {
            let list = allowed.map(\.rawValue).sorted().joined(separator: ", ")
            return RESTResponse(405, ["error": .string("Incorrect HTTP method for uri [\(request.path)] and method [\(request.method.rawValue)], allowed: [\(list)]"), "status": 405])
        }
        return RESTResponse(400, ["error": .string("no handler found for uri [\(request.path)] and method [\(request.method.rawValue)]"), "status": 400])
    }
}
