import Foundation

/// Ted Dunning's merging t-digest (the 3.2 `MergingDigest` that OpenSearch 2.x percentiles are
/// modelled on): values are buffered, then merged into at most ~`compression` centroids whose size
/// is bounded by the arcsine scale function, so the tails stay exact. Quantiles interpolate between
/// centroid centres, with the exact `min`/`max` at the ends.
struct TDigest: Sendable {
    let compression: Double
    private(set) var means: [Double] = []
    private(set) var weights: [Double] = []
    /// Unit-weight values not merged yet.
    private var buffer: [Double] = []
    /// Weighted points (centroids of merged digests) not merged yet.
    private var weighted: [(Double, Double)] = []
    private(set) var totalWeight: Double = 0
    private(set) var min = Double.infinity
    private(set) var max = -Double.infinity

    init(compression: Double) {
        self.compression = Swift.max(compression, 1)
    }

    var isEmpty: Bool { totalWeight == 0 && buffer.isEmpty && weighted.isEmpty }

    private var bufferLimit: Int { Swift.max(8192, Int(compression * 20)) }

    @inline(__always)
    mutating func add(_ x: Double) {
        if x.isNaN { return }
        if x < min { min = x }
        if x > max { max = x }
        buffer.append(x)
        if buffer.count >= bufferLimit { compress() }
    }

    /// Adds `x` with weight `weight` (a centroid of another digest).
    mutating func add(_ x: Double, weight: Double) {
        if x.isNaN { return }
        if x < min { min = x }
        if x > max { max = x }
        weighted.append((x, weight))
        if weighted.count >= bufferLimit { compress() }
    }

    mutating func merge(_ other: TDigest) {
        if other.isEmpty { return }
        var o = other
        o.compress()
        if o.min < min { min = o.min }
        if o.max > max { max = o.max }
        for i in o.means.indices { weighted.append((o.means[i], o.weights[i])) }
        if weighted.count >= bufferLimit { compress() }
    }

    func integratedLocation(_ q: Double) -> Double {
        compression * (asin(Swift.min(1, Swift.max(-1, 2 * q - 1))) + Double.pi / 2) / Double.pi
    }

    func integratedQ(_ k: Double) -> Double {
        (sin(Swift.min(k, compression) * Double.pi / compression - Double.pi / 2) + 1) / 2
    }

    /// Merges the buffer into the centroids.
    mutating func compress() {
        if buffer.isEmpty && weighted.isEmpty { return }
        // Sorted new points (a radix sort of the doubles' order-preserving bits), merged linearly
        // with the centroids.
        TDigest.radixSort(&buffer)
        if !weighted.isEmpty {
            for x in buffer { weighted.append((x, 1)) }
            buffer.removeAll(keepingCapacity: true)
            weighted.sort { $0.0 < $1.0 }
        }
        let newCount = buffer.count + weighted.count
        var allMeans: [Double] = [], allWeights: [Double] = []
        allMeans.reserveCapacity(means.count + newCount)
        allWeights.reserveCapacity(means.count + newCount)
        var i = 0, j = 0
        while i < means.count || j < newCount {
            let nx = j < newCount ? (buffer.isEmpty ? weighted[j].0 : buffer[j]) : .infinity
            if i < means.count && (j >= newCount || means[i] <= nx) {
                allMeans.append(means[i]); allWeights.append(weights[i]); i += 1
            } else {
                allMeans.append(nx); allWeights.append(buffer.isEmpty ? weighted[j].1 : 1); j += 1
            }
        }
        buffer.removeAll(keepingCapacity: true)
        weighted.removeAll(keepingCapacity: true)
        let total = allWeights.reduce(0, +)
        if allMeans.isEmpty { return }
        var outMeans: [Double] = [allMeans[0]]
        var outWeights: [Double] = [allWeights[0]]
        outMeans.reserveCapacity(Int(compression) * 2)
        var wSoFar = 0.0
        var k1 = integratedLocation(0)
        var limit = total * integratedQ(k1 + 1)
        for i in 1..<allMeans.count {
            let last = outMeans.count - 1
            let proposed = outWeights[last] + allWeights[i]
            if wSoFar + proposed <= limit {
                outWeights[last] = proposed
                outMeans[last] += (allMeans[i] - outMeans[last]) * allWeights[i] / proposed
            } else {
                wSoFar += outWeights[last]
                k1 = integratedLocation(wSoFar / total)
                limit = total * integratedQ(k1 + 1)
                outMeans.append(allMeans[i])
                outWeights.append(allWeights[i])
            }
        }
        means = outMeans
        weights = outWeights
        totalWeight = total
    }

    /// LSD radix sort of doubles by `NumericColumn.sortableLong`'s bits, 8 bits a pass.
    static func radixSort(_ values: inout [Double]) {
        let n = values.count
        if n < 64 { values.sort(); return }
        var keys = [UInt64](repeating: 0, count: n)
        var tmp = [UInt64](repeating: 0, count: n)
        keys.withUnsafeMutableBufferPointer { k in
            values.withUnsafeBufferPointer { v in
                for i in 0..<n {
                    let bits = Int64(bitPattern: v[i].bitPattern)
                    // Sortable signed long, then flipped sign bit: unsigned order = numeric order.
                    k[i] = UInt64(bitPattern: bits ^ ((bits >> 63) & Int64.max)) ^ (1 << 63)
                }
            }
            tmp.withUnsafeMutableBufferPointer { t in
                var src = k, dst = t
                var counts = [Int](repeating: 0, count: 256)
                for pass in 0..<8 {
                    let shift = UInt64(pass * 8)
                    // Skip passes where every key has the same byte.
                    let first = (src[0] >> shift) & 255
                    var same = true
                    for i in 1..<n where (src[i] >> shift) & 255 != first { same = false; break }
                    if same { continue }
                    for b in 0..<256 { counts[b] = 0 }
                    for i in 0..<n { counts[Int((src[i] >> shift) & 255)] += 1 }
                    var sum = 0
                    for b in 0..<256 { let c = counts[b]; counts[b] = sum; sum += c }
                    for i in 0..<n {
                        let b = Int((src[i] >> shift) & 255)
                        dst[counts[b]] = src[i]
                        counts[b] += 1
                    }
                    swap(&src, &dst)
                }
                if src.baseAddress != k.baseAddress { for i in 0..<n { k[i] = src[i] } }
            }
        }
        values.withUnsafeMutableBufferPointer { v in
            for i in 0..<n {
                let l = Int64(bitPattern: keys[i] ^ (1 << 63))
                v[i] = Double(bitPattern: UInt64(bitPattern: l ^ ((l >> 63) & Int64.max)))
            }
        }
    }

    private static func weightedAverage(_ x1: Double, _ w1: Double, _ x2: Double, _ w2: Double) -> Double {
        let lo = Swift.min(x1, x2), hi = Swift.max(x1, x2)
        let x = (x1 * w1 + x2 * w2) / (w1 + w2)
        return Swift.max(lo, Swift.min(x, hi))
    }

    /// The value below which fraction `q` (0…1) of the data falls; NaN when empty.
    func quantile(_ q: Double) -> Double {
        var d = self
        d.compress()
        let n = d.means.count
        if n == 0 { return .nan }
        if n == 1 { return d.means[0] }
        let total = d.totalWeight
        let index = q * total
        if index < d.weights[0] / 2 {
            return d.min + 2 * index / d.weights[0] * (d.means[0] - d.min)
        }
        var weightSoFar = d.weights[0] / 2
        for i in 0..<(n - 1) {
            let dw = (d.weights[i] + d.weights[i + 1]) / 2
            if weightSoFar + dw > index {
                let z1 = index - weightSoFar
                let z2 = weightSoFar + dw - index
                return TDigest.weightedAverage(d.means[i], z2, d.means[i + 1], z1)
            }
            weightSoFar += dw
        }
        let z1 = index - (total - d.weights[n - 1] / 2)
        let z2 = d.weights[n - 1] / 2 - z1
        return TDigest.weightedAverage(d.means[n - 1], Swift.max(z2, 0), d.max, Swift.max(z1, 0))
    }

    /// The fraction (0…1) of the data at or below `x`; NaN when empty.
    func cdf(_ x: Double) -> Double {
        var d = self
        d.compress()
        let n = d.means.count
        if n == 0 { return .nan }
        if n == 1 {
            if x < d.min { return 0 }
            if x > d.max { return 1 }
            return d.max - d.min == 0 ? 0.5 : (x - d.min) / (d.max - d.min)
        }
        let total = d.totalWeight
        if x < d.min { return 0 }
        if x > d.max { return 1 }
        if x <= d.means[0] {
            if d.means[0] - d.min > 0 { return (x - d.min) / (d.means[0] - d.min) * d.weights[0] / total / 2 }
            return d.weights[0] / 2 / total
        }
        if x >= d.means[n - 1] {
            if d.max - d.means[n - 1] > 0 { return 1 - (d.max - x) / (d.max - d.means[n - 1]) * d.weights[n - 1] / total / 2 }
            return 1
        }
        var weightSoFar = d.weights[0] / 2
        var it = 0
        while it < n - 1 {
            if d.means[it] == x {
                let w0 = weightSoFar
                while it < n - 1 && d.means[it + 1] == x {
                    weightSoFar += (d.weights[it] + d.weights[it + 1])
                    it += 1
                }
                return (w0 + weightSoFar) / 2 / total
            }
            if d.means[it] <= x && d.means[it + 1] > x {
                let dw = (d.weights[it] + d.weights[it + 1]) / 2
                if d.means[it + 1] - d.means[it] > 0 {
                    return (weightSoFar + dw * (x - d.means[it]) / (d.means[it + 1] - d.means[it])) / total
                }
                return (weightSoFar + dw) / total
            }
            weightSoFar += (d.weights[it] + d.weights[it + 1]) / 2
            it += 1
        }
        return 1
    }
}
