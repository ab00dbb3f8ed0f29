import Foundation

/// The `cardinality` state: OpenSearch's HyperLogLog++ layout. Distinct 64-bit hashes are kept
/// exactly (linear counting) until there are more than a quarter of the register count, then folded
/// into 2^p one-byte registers; p comes from `precision_threshold` as in OpenSearch (3000 → 14).
/// The estimate uses Ertl's improved raw estimator (2017), which needs no empirical bias tables
/// and is unbiased over the whole range, small cardinalities included.
struct CardinalitySketch: Sendable {
    let precision: Int
    private(set) var hashes: HashSet64?
    private(set) var registers: [UInt8]

    static let defaultThreshold = 3000
    static let maxThreshold = 40_000

    /// OpenSearch's `HyperLogLogPlusPlus.precisionFromThreshold`, but never below 16: counts stay
    /// exact up to 16,384 distinct values (at least the threshold, as OpenSearch promises), and
    /// above that the standard error is 0.41% instead of p=14's 0.81%, so estimates stay within
    /// 1% of the truth; a bucket pays the 64 KB of registers only once it holds that many values.
    static func precision(threshold: Int) -> Int {
        let entries = Int64((Double(Swift.min(threshold, maxThreshold)) / 0.75).rounded(.up))
        let bits = 64 - (entries * 4).leadingZeroBitCount
        return Swift.min(18, Swift.max(minPrecision, Swift.max(bits, 1)))
    }

    static let minPrecision = 16

    init(precision: Int) {
        self.precision = precision
        hashes = HashSet64()
        registers = []
    }

    var exactLimit: Int { (1 << precision) / 4 }

    @inline(__always)
    mutating func add(_ hash: UInt64) {
        if hashes != nil {
            hashes!.insert(hash)
            if hashes!.count > exactLimit { toRegisters() }
        } else {
            addRegister(hash)
        }
    }

    @inline(__always)
    private mutating func addRegister(_ hash: UInt64) {
        let p = UInt64(precision)
        let index = Int(hash >> (64 - p))
        let w = hash << p
        let rank = UInt8(Swift.min(w.leadingZeroBitCount + 1, 64 - precision + 1))
        if registers[index] < rank { registers[index] = rank }
    }

    /// Sizes the exact set for `n` more values (no rehashing while they arrive).
    mutating func reserve(_ n: Int) {
        if hashes != nil { hashes!.reserve(Swift.min(hashes!.count + n, exactLimit)) }
    }

    /// Switches to registers now (the caller knows more than `exactLimit` values are coming).
    mutating func useRegisters() { if hashes != nil { toRegisters() } }

    private mutating func toRegisters() {
        let exact = hashes
        hashes = nil
        registers = [UInt8](repeating: 0, count: 1 << precision)
        exact?.forEach { addRegister($0) }
    }

    mutating func merge(_ other: CardinalitySketch) {
        if let oh = other.hashes {
            reserve(oh.count)
            oh.forEach { add($0) }
            return
        }
        if hashes != nil { toRegisters() }
        for i in 0..<registers.count where other.registers[i] > registers[i] { registers[i] = other.registers[i] }
    }

    var estimate: Int64 {
        if let h = hashes { return Int64(h.count) }
        let m = Double(registers.count)
        let q = 64 - precision
        var c = [Double](repeating: 0, count: q + 2)
        for r in registers { c[Int(r)] += 1 }
        var z = m * CardinalitySketch.tau(1 - c[q + 1] / m)
        for k in stride(from: q, through: 1, by: -1) { z = 0.5 * (z + c[k]) }
        z += m * CardinalitySketch.sigma(c[0] / m)
        let alpha = 1 / (2 * log(2.0))
        return Int64((alpha * m * m / z).rounded())
    }

    static func sigma(_ x0: Double) -> Double {
        if x0 == 1 { return .infinity }
        var x = x0, y = 1.0, z = x0
        while true {
            x *= x
            let prev = z
            z += x * y
            y += y
            if z == prev { return z }
        }
    }

    static func tau(_ x0: Double) -> Double {
        if x0 == 0 || x0 == 1 { return 0 }
        var x = x0, y = 1.0, z = 1 - x0
        while true {
            x = x.squareRoot()
            let prev = z
            y *= 0.5
            z -= (1 - x) * (1 - x) * y
            if z == prev { return z / 3 }
        }
    }
}

/// A set of 64-bit hashes with open addressing: the values are already uniformly distributed, so
/// they index the table directly (no second hash), unlike `Set<UInt64>`.
struct HashSet64: Sendable {
    private var slots: [UInt64] = [UInt64](repeating: 0, count: 16)
    private var hasZero = false
    private(set) var count = 0

    @inline(__always)
    mutating func insert(_ h: UInt64) {
        if h == 0 {
            if !hasZero { hasZero = true; count += 1 }
            return
        }
        let mask = slots.count - 1
        var i = Int(truncatingIfNeeded: h >> 7) & mask
        while true {
            let v = slots[i]
            if v == h { return }
            if v == 0 { break }
            i = (i + 1) & mask
        }
        slots[i] = h
        count += 1
        if count * 4 > slots.count * 3 { grow() }
    }

    /// Makes room for `n` values without growing.
    mutating func reserve(_ n: Int) {
        var size = slots.count
        while n * 4 > size * 3 { size *= 2 }
        if size > slots.count { rehash(to: size) }
    }

    private mutating func grow() { rehash(to: slots.count * 2) }

    private mutating func rehash(to size: Int) {
        let old = slots
        slots = [UInt64](repeating: 0, count: size)
        let mask = slots.count - 1
        for h in old where h != 0 {
            var i = Int(truncatingIfNeeded: h >> 7) & mask
            while slots[i] != 0 { i = (i + 1) & mask }
            slots[i] = h
        }
    }

    func forEach(_ body: (UInt64) -> Void) {
        if hasZero { body(0) }
        for h in slots where h != 0 { body(h) }
    }
}
