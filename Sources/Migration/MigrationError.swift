/// Why a migration stopped. `stopped` is the deliberate early end of `--max-batches` (the
/// checkpoint is saved, a rerun resumes); everything else is a failure worth reporting.
public enum MigrationError: Error, Sendable, CustomStringConvertible, Equatable {
    case failed(String)
    case stopped(batches: Int)

    public var description: String {
        switch self {
        case .failed(let m): return m
        case .stopped(let n): return "stopped after \(n) batch\(n == 1 ? "" : "es") (--max-batches); the checkpoint is saved, rerun to resume"
        }
    }
}
