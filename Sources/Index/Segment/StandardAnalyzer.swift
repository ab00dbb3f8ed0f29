/// The analyzer of `text` fields, close to OpenSearch's `standard` analyzer: lowercased tokens
/// split on everything that is not a letter, mark or digit (Unicode-aware).
///
/// Differences from Lucene's StandardTokenizer, by design: apostrophes and other punctuation
/// inside words split them (`don't` → `don`, `t`; `3.14` → `3`, `14`). Like Lucene, each
/// ideograph and each hiragana character is a token of its own, and tokens longer than 255
/// Unicode scalars are split every 255 scalars.
public enum StandardAnalyzer {
    public static let maxTokenLength = 255

    public static func tokens(_ text: String) -> [String] {
        var out: [String] = []
        var current = String.UnicodeScalarView()
        var length = 0
        func flush() {
            if length > 0 {
                out.append(String(current).lowercased())
                current = String.UnicodeScalarView()
                length = 0
            }
        }
        for s in text.unicodeScalars {
            switch kind(s) {
            case .separator:
                flush()
            case .single:
                flush()
                out.append(String(Character(s)).lowercased())
            case .word:
                if length == maxTokenLength { flush() }
                current.append(s)
                length += 1
            }
        }
        flush()
        return out
    }

    enum Kind { case word, single, separator }

    @inline(__always)
    static func kind(_ s: Unicode.Scalar) -> Kind {
        let v = s.value
        if v < 0x80 {
            // ASCII fast path.
            if (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) { return .word }
            return .separator
        }
        let p = s.properties
        if p.isIdeographic || (v >= 0x3040 && v <= 0x309F) { return .single }  // Han & co., Hiragana
        switch p.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber:
            return .word
        default:
            return .separator
        }
    }
}
