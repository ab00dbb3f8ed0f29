import Foundation
import JSON
import Synchronization

/// Long operations run as tasks (`_reindex?wait_for_completion=false`): `GET /_tasks/{id}` shows
/// their progress while they run and their response once done, `GET /_tasks` lists them.
/// Finished tasks are kept (up to a bound) so their result can be fetched later.
public final class TaskRegistry: Sendable {
    public struct Task: Sendable {
        public let id: Int
        public let action: String
        public let description: String
        public let started: Int64
        public var status: JSONValue
        public var response: JSONValue?
        public var error: JSONValue?
        public var completed: Bool { response != nil || error != nil }
    }

    private let state = Mutex<(next: Int, tasks: [Int: Task])>((1, [:]))
    static let keepFinished = 1000

    public init() {}

    /// Registers a running task; its id.
    public func start(action: String, description: String) -> Int {
        state.withLock { s in
            let id = s.next
            s.next += 1
            s.tasks[id] = Task(id: id, action: action, description: description, started: SearchExecutor.nowMillis(), status: .object(JSONObject()))
            return id
        }
    }

    public func update(_ id: Int, status: JSONValue) { state.withLock { $0.tasks[id]?.status = status } }

    public func finish(_ id: Int, response: JSONValue?, error: JSONValue? = nil) {
        state.withLock { s in
            s.tasks[id]?.response = response
            s.tasks[id]?.error = error
            let done = s.tasks.values.filter(\.completed).map(\.id).sorted()
            if done.count > TaskRegistry.keepFinished { for old in done.prefix(done.count - TaskRegistry.keepFinished) { s.tasks[old] = nil } }
        }
    }

    public func task(_ id: Int) -> Task? { state.withLock { $0.tasks[id] } }
    public var all: [Task] { state.withLock { Array($0.tasks.values) }.sorted { $0.id < $1.id } }
}
