import Index
import JSON
import Query

/// ip_range: ranges of IPv4/IPv6 addresses (`from`/`to` or a CIDR `mask`) over an ip field, each
/// document counted once per range. Addresses compare as 16-byte values (IPv4 mapped into
/// `::ffff:0:0/96`), like OpenSearch's `InetAddressPoint`.
final class IPRangeCollector: BucketCollector {
    let source: FieldSource
    let resolved: [ResolvedRange]
    let lows: [UInt128?]
    let highs: [UInt128?]
    /// Per ordinal of the segment's field: its address (nil for non-addresses).
    let addresses: [UInt128?]
    var hit: [Bool]

    init(_ spec: IPRangeSpec, source: FieldSource, subs: [Collector]) {
        self.source = source
        let ranges = IPRangeCollector.resolve(spec)
        resolved = ranges
        lows = ranges.map { $0.fromText.flatMap(IPRangeCollector.value) }
        highs = ranges.map { $0.toText.flatMap(IPRangeCollector.value) }
        addresses = (0..<source.ordinalSpace).map { IPRangeCollector.value(String(decoding: source.termBytes(Int32($0)), as: UTF8.self)) }
        hit = [Bool](repeating: false, count: ranges.count)
        super.init(subs: subs)
    }

    static func value(_ text: String) -> UInt128? {
        guard let a = IPAddressValue(text) else { return nil }
        return a.bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
    }

    /// The address text OpenSearch prints: dotted IPv4 for mapped addresses, else compressed IPv6.
    static func text(_ v: UInt128) -> String {
        if v >> 32 == 0xFFFF {
            return (0..<4).map { String((v >> UInt128(24 - $0 * 8)) & 0xFF) }.joined(separator: ".")
        }
        let groups = (0..<8).map { Int((v >> UInt128(112 - $0 * 16)) & 0xFFFF) }
        // The longest run of two or more zero groups becomes "::".
        var best = (start: -1, length: 0), i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > best.length && j - i >= 2 { best = (i, j - i) }
                i = j
            } else {
                i += 1
            }
        }
        let hex = groups.map { String($0, radix: 16) }
        if best.start < 0 { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.length)...].joined(separator: ":")
    }

    /// Bounds and keys of the request's ranges, sorted by (from, to) like OpenSearch.
    static func resolve(_ spec: IPRangeSpec) -> [ResolvedRange] {
        var out: [(ResolvedRange, UInt128?, UInt128?)] = []
        for e in spec.ranges {
            var from = e.from.flatMap(value), to = e.to.flatMap(value)
            if let m = e.mask, let (addr, bits) = IPAddressValue.cidr(m) {
                let a = addr.bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) }
                let hostBits = UInt128(128 - bits)
                let network = bits == 0 ? 0 : (a >> hostBits) << hostBits
                from = network
                let size: UInt128 = hostBits == 128 ? 0 : UInt128(1) << hostBits
                let (end, overflow) = network.addingReportingOverflow(size)
                to = (hostBits == 128 || overflow) ? nil : end
            }
            let fromText = from.map(text), toText = to.map(text)
            let key = e.key ?? e.mask ?? ((fromText ?? "*") + "-" + (toText ?? "*"))
            out.append((ResolvedRange(key: key, from: nil, to: nil, fromText: fromText, toText: toText), from, to))
        }
        return out.enumerated().sorted { a, b in
            let fa = a.element.1 ?? 0, fb = b.element.1 ?? 0
            if fa != fb { return fa < fb }
            let ta = a.element.2 ?? .max, tb = b.element.2 ?? .max
            if ta != tb { return ta < tb }
            return a.offset < b.offset
        }.map(\.element.0)
    }

    override func collect(_ docs: UnsafeBufferPointer<Int32>, _ owners: UnsafeBufferPointer<Int32>) {
        let n = resolved.count
        var lastDoc = -1
        func flush() {
            guard lastDoc >= 0 else { return }
            for r in 0..<n where hit[r] {
                hit[r] = false
                emit(docs[lastDoc], owners[lastDoc] &* Int32(n) &+ Int32(r))
            }
        }
        source.forEachOrd(docs) { i, ord in
            if i != lastDoc { flush(); lastDoc = i }
            guard Int(ord) < addresses.count, let a = addresses[Int(ord)] else { return }
            for r in 0..<n {
                if let lo = lows[r], a < lo { continue }
                if let hi = highs[r], a >= hi { continue }
                hit[r] = true
            }
        }
        flush()
    }

    override func state(_ owner: Int32) -> AggState {
        var s = BucketsState()
        s.ranges = resolved
        let n = resolved.count
        for r in 0..<n {
            let b: Int32 = owner < 0 ? -1 : owner &* Int32(n) &+ Int32(r)
            s.buckets.append(Bucket(key: .position(r), docCount: docCount(b), subs: subStates(b)))
        }
        return .buckets(s)
    }
}
