/// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped into `::ffff:0:0/96`, as Lucene's
/// `InetAddressPoint` stores it), ordered bytewise, plus CIDR prefix matching for `term` queries.
public struct IPAddressValue: Sendable, Equatable, Hashable, Comparable {
    public let bytes: [UInt8]

    public init?(_ text: String) {
        if text.contains(":") {
            guard let b = IPAddressValue.parseV6(text) else { return nil }
            bytes = b
        } else {
            guard let v4 = IPAddressValue.parseV4(text) else { return nil }
            bytes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF] + v4
        }
    }

    public static func < (a: IPAddressValue, b: IPAddressValue) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }

    /// `addr/len`: the address and the prefix length in bits of the 16-byte form.
    public static func cidr(_ text: String) -> (IPAddressValue, Int)? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = IPAddressValue(String(parts[0])), let len = Int(parts[1]) else { return nil }
        let bits = parts[0].contains(":") ? len : len + 96
        guard len >= 0, bits <= 128 else { return nil }
        return (a, bits)
    }

    /// Whether the first `bits` bits equal those of `other`.
    public func hasPrefix(_ other: IPAddressValue, bits: Int) -> Bool {
        var remaining = bits
        for i in 0..<16 where remaining > 0 {
            let take = min(8, remaining)
            let mask: UInt8 = take == 8 ? 0xFF : ~(0xFF >> UInt8(take))
            if bytes[i] & mask != other.bytes[i] & mask { return false }
            remaining -= take
        }
        return true
    }

    static func parseV4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(p), v <= 255 else { return nil }
            out.append(UInt8(v))
        }
        return out
    }

    static func parseV6(_ s: String) -> [UInt8]? {
        var text = Substring(s)
        if let pct = text.firstIndex(of: "%") { text = text[..<pct] }  // zone id
        let halves = text.dslComponents(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var out: [UInt8] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (i, g) in pieces.enumerated() {
                if i == pieces.count - 1, g.contains(".") {
                    guard let v4 = parseV4(String(g)) else { return nil }
                    out += v4
                    continue
                }
                guard !g.isEmpty, g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension Substring {
    /// Splits on a multi-character separator (without Foundation).
    func dslComponents(separatedBy sep: String) -> [Substring] {
        var out: [Substring] = []
        var rest = self
        while let r = rest.dslRange(of: sep) {
            out.append(rest[..<r.lowerBound])
            rest = rest[r.upperBound...]
        }
        out.append(rest)
        return out
    }
}
