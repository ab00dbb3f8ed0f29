import Hummingbird
import NIOCore

/// The request context: Hummingbird's core storage plus the peer address, which the
/// per-client limits and authinfo need.
public struct SearchlightRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
