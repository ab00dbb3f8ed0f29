import JSON

/// SplitMix64: a small, fast, seedable generator so property tests are reproducible.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Parses, returning the error instead of throwing (handy in `#expect`).
func parseError(_ text: String) -> JSONError? {
    do { _ = try JSONParser.parse(text); return nil } catch { return error }
}

func parseError(bytes: [UInt8]) -> JSONError? {
    do { _ = try JSONParser.parse(bytes); return nil } catch { return error }
}

func roundTrip(_ v: JSONValue) throws -> JSONValue {
    try JSONParser.parse(JSONWriter.serialize(v))
}

/// Random JSON trees for property tests.
struct JSONGenerator {
    var rng: SeededRNG

    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }

    mutating func scalarString(maxLength: Int = 12) -> String {
        let n = int(0...maxLength)
        var s = String.UnicodeScalarView()
        for _ in 0..<n {
            let scalar: Unicode.Scalar
            switch int(0...9) {
            case 0: scalar = Unicode.Scalar(UInt8(int(0...0x1F)))                 // control characters
            case 1: scalar = (["\"", "\\", "/", "\u{7F}", " "] as [Unicode.Scalar]).randomElement(using: &rng)!
            case 2: scalar = Unicode.Scalar(UInt32(int(0x80...0x7FF)))!           // 2-byte UTF-8
            case 3: scalar = Unicode.Scalar(UInt32(int(0xE000...0xFFFD)))!        // 3-byte, above surrogates
            case 4: scalar = Unicode.Scalar(UInt32(int(0x800...0xD7FF)))!         // 3-byte, below surrogates
            case 5: scalar = Unicode.Scalar(UInt32(int(0x10000...0x10FFFF)))!     // astral (surrogate pairs in \u form)
            default: scalar = Unicode.Scalar(UInt8(int(0x20...0x7E)))             // printable ASCII
            }
            s.append(scalar)
        }
        return String(s)
    }

    mutating func double() -> Double {
        switch int(0...5) {
        case 0: return Double(int(-1_000_000...1_000_000))                        // whole doubles print as "N.0"
        case 1: return Double.random(in: -1...1, using: &rng)
        case 2: return Double.random(in: -1e300...1e300, using: &rng)
        case 3: return [0.0, -0.0, 1e16, -1e16, 9007199254740992, Double.leastNonzeroMagnitude, Double.leastNormalMagnitude,
                        Double.greatestFiniteMagnitude, -Double.greatestFiniteMagnitude, 0.1, 1e-7].randomElement(using: &rng)!
        default:
            while true {
                let d = Double(bitPattern: rng.next())
                if d.isFinite { return d }
            }
        }
    }

    mutating func int64() -> Int64 {
        switch int(0...3) {
        case 0: return [Int64.max, Int64.min, 0, -1, 1, Int64(Int32.max), Int64(Int32.min)].randomElement(using: &rng)!
        case 1: return Int64(int(-1000...1000))
        default: return Int64(bitPattern: rng.next())
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        let maxKind = depth >= 5 ? 4 : 6
        switch int(0...maxKind) {
        case 0: return .null
        case 1: return .bool(int(0...1) == 1)
        case 2: return .int(int64())
        case 3: return .double(double())
        case 4: return .string(scalarString())
        case 5:
            return .array((0..<int(0...5)).map { _ in value(depth: depth + 1) })
        default:
            var o = JSONObject()
            for _ in 0..<int(0...6) { o[scalarString(maxLength: 6)] = value(depth: depth + 1) }
            return .object(o)
        }
    }
}
