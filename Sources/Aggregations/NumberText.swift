import Foundation

/// Numbers rendered as OpenSearch (Java) renders them in keys and `*_as_string` fields.
enum NumberText {
    /// Java's `Double.toString`: `50.0`, `0.001`, `1.0E7`, `1.0E-4`, `NaN`, `Infinity`.
    static func java(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let a = abs(d)
        if a >= 1e-3 && a < 1e7 {
            let s = "\(d)"   // Swift prints the shortest round-trip digits, plain in this range
            if s.contains("e") { return fromScientific(d) }
            return s.contains(".") ? s : s + ".0"
        }
        return fromScientific(d)
    }

    /// Scientific notation with Java's spelling: `1.0E7`, `1.2345E-5`.
    static func fromScientific(_ d: Double) -> String {
        // Shortest digits and exponent from Swift's description.
        let desc = "\(abs(d))"
        var digits = ""
        var exponent = 0
        if let e = desc.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let mantissa = desc[..<e]
            exponent = Int(desc[desc.index(after: e)...]) ?? 0
            let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
            digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
            exponent += parts[0].count - 1
        } else {
            let parts = desc.split(separator: ".", omittingEmptySubsequences: false)
            let intPart = String(parts[0]), frac = parts.count > 1 ? String(parts[1]) : ""
            if intPart != "0" {
                digits = intPart + frac
                exponent = intPart.count - 1
            } else {
                let z = frac.prefix(while: { $0 == "0" }).count
                digits = String(frac.dropFirst(z))
                exponent = -(z + 1)
            }
        }
        while digits.count > 1 && digits.hasSuffix("0") { digits.removeLast() }
        while digits.count > 1 && digits.hasPrefix("0") { digits.removeFirst() }
        let first = digits.prefix(1)
        var rest = String(digits.dropFirst())
        if rest.isEmpty { rest = "0" }
        return (d < 0 ? "-" : "") + first + "." + rest + "E" + String(exponent)
    }

    /// A `java.text.DecimalFormat` pattern such as `0.00`, `#,##0.0` or `'Value is '##0.0`:
    /// literal prefix and suffix, grouping, minimum integer digits, min/max fraction digits,
    /// HALF_EVEN rounding.
    struct DecimalPattern: Sendable, Equatable, Hashable {
        var prefix = "", suffix = ""
        var minInt = 1, minFrac = 0, maxFrac = 0
        var grouping = 0
        var percent = false

        init?(_ pattern: String) {
            let chars = Array(pattern.split(separator: ";").first.map(String.init) ?? pattern)
            var i = 0
            var pre = "", suf = ""
            func literal(_ into: inout String) {
                while i < chars.count, !"#0,.".contains(chars[i]) {
                    if chars[i] == "'" {
                        i += 1
                        while i < chars.count, chars[i] != "'" { into.append(chars[i]); i += 1 }
                        i += 1
                    } else {
                        if chars[i] == "%" { percent = true }
                        into.append(chars[i]); i += 1
                    }
                }
            }
            literal(&pre)
            var intDigits = 0, zerosInt = 0, frac0 = 0, fracHash = 0, lastComma = -1, sawDot = false, pos = 0
            while i < chars.count, "#0,.".contains(chars[i]) {
                let c = chars[i]
                if c == "." { sawDot = true }
                else if c == "," { lastComma = pos }
                else if sawDot { if c == "0" { frac0 += 1 } else { fracHash += 1 } }
                else { intDigits += 1; pos += 1; if c == "0" { zerosInt += 1 } }
                i += 1
            }
            if intDigits == 0 && frac0 == 0 && fracHash == 0 { return nil }
            literal(&suf)
            if i < chars.count { return nil }
            prefix = pre; suffix = suf
            minInt = zerosInt
            minFrac = frac0; maxFrac = frac0 + fracHash
            grouping = lastComma >= 0 ? pos - lastComma : 0
        }

        func format(_ value: Double) -> String {
            if value.isNaN { return "NaN" }
            if value.isInfinite { return value < 0 ? "-∞" : "∞" }
            var v = percent ? value * 100 : value
            let negative = v < 0
            v = abs(v)
            let scale = pow(10.0, Double(maxFrac))
            let rounded = (v * scale).rounded(.toNearestOrEven) / scale
            var text = String(format: "%.\(maxFrac)f", rounded)
            var intPart = String(text.prefix(while: { $0 != "." }))
            var frac = text.contains(".") ? String(text[text.index(after: text.firstIndex(of: ".")!)...]) : ""
            while frac.count > minFrac && frac.hasSuffix("0") { frac.removeLast() }
            if intPart == "0" && minInt == 0 { intPart = "" }
            while intPart.count < minInt { intPart = "0" + intPart }
            if grouping > 0 && intPart.count > grouping {
                var grouped = ""
                for (n, ch) in intPart.reversed().enumerated() {
                    if n > 0 && n % grouping == 0 { grouped.append(",") }
                    grouped.append(ch)
                }
                intPart = String(grouped.reversed())
            }
            text = intPart + (frac.isEmpty ? "" : "." + frac)
            if text.isEmpty { text = "0" }
            return (negative && rounded != 0 ? "-" : "") + prefix + text + suffix
        }
    }
}
