/// Auto-generated document ids: 20 URL-safe base64 characters from 15 random bytes, the same
/// length and alphabet OpenSearch uses.
enum DocumentID {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func generate<R: RandomNumberGenerator>(using rng: inout R) -> String {
        var out = [UInt8]()
        out.reserveCapacity(20)
        for _ in 0..<5 {
            let v = UInt32.random(in: 0..<(1 << 24), using: &rng)
            out.append(alphabet[Int(v >> 18 & 63)])
            out.append(alphabet[Int(v >> 12 & 63)])
            out.append(alphabet[Int(v >> 6 & 63)])
            out.append(alphabet[Int(v & 63)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func generate() -> String {
        var g = SystemRandomNumberGenerator()
        return generate(using: &g)
    }

    /// OpenSearch's id limit: at most 512 bytes.
    static func validate(_ id: String) -> String? {
        if id.utf8.count > 512 { return "id [\(id)] is too long, must be no longer than 512 bytes but was: \(id.utf8.count)" }
        if id.isEmpty { return "if _id is specified it must not be empty" }
        return nil
    }
}
