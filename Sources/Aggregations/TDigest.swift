import Foundation

/// Ted Dunning's merging t-digest (the 3.2 `MergingDigest` that OpenSearch 2.x percentiles are
/// modelled on): values are buffered, then merged into at most ~`compression` centroids whose size
/// is bounded by the arcsine scale function, so the tails stay exact. Quantiles interpolate between
/// centroid centres, with the exact `min`/`max` at the ends.
struct TDigest: Sendable {
    let compression: Double
    private(set) var means: [Double] = []
    private(set) var weights: [Double] = []
    private var buffer: [Double] = []
    private var bufferWeights: [Double] = []
    private(set) var totalWeight: Double = 0
    private(set) var min = Double.infinity
    private(set) var max = -Double.infinity

    init(compression: Double) {
        self.compression = Swift.max(compression, 1)
    }

    var isEmpty: Bool { totalWeight == 0 && buffer.isEmpty }
    var count: Double { totalWeight + bufferWeights.reduce(0, +) }

    private var bufferLimit: Int { Int(compression * 5) + 16 }

    mutating func add(_ x: Double, weight: Double = 1) {
        if x.isNaN { return }
        if x < min { min = x }
        if x > max { max = x }
        buffer.append(x)
        bufferWeights.append(weight)
        if buffer.count >= bufferLimit { compress() }
    }

    mutating func merge(_ other: TDigest) {
        if other.isEmpty { return }
        var o = other
        o.compress()
        if o.min < min { min = o.min }
        if o.max > max { max = o.max }
        buffer.append(contentsOf: o.means)
        bufferWeights.append(contentsOf: o.weights)
        if buffer.count >= bufferLimit { compress() }
    }

    func integratedLocation(_ q: Double) -> Double {
        compression * (asin(Swift.min(1, Swift.max(-1, 2 * q - 1))) + Double.pi / 2) / Double.pi
    }

    func integratedQ(_ k: Double) -> Double {
        (sin(Swift.min(k, compression) * Double.pi / compression - Double.pi / 2) + 1) / 2
    }

    /// Merges the buffer into the centroids.
    mutating func compress() {
        if buffer.isEmpty { return }
        var allMeans = means + buffer
        var allWeights = weights + bufferWeights
        buffer.removeAll(keepingCapacity: true)
        bufferWeights.removeAll(keepingCapacity: true)
        let order = allMeans.indices.sorted { allMeans[$0] < allMeans[$1] }
        allMeans = order.map { allMeans[$0] }
        allWeights = order.map { allWeights[$0] }
        let total = allWeights.reduce(0, +)
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
