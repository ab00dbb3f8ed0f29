import Security

/// Authentication state shared by all connections: the users file and failed-login throttle.
public struct SecurityGate: Sendable {
    public let authenticator: Authenticator
    public let throttle: LoginThrottle

    public init(authenticator: Authenticator, throttle: LoginThrottle = LoginThrottle()) {
        self.authenticator = authenticator
        self.throttle = throttle
    }
}
