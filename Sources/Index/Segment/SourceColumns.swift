import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of one `_source` block before deflate. The docs' JSON is split, exactly and for any
/// input bytes, into structure (braces, brackets, commas, colons, whitespace, object keys with
/// their quotes) and values (string contents, number / literal tokens); each doc's structure is a
/// template shared by the docs of the same shape, and the values are grouped into one column per
/// object key, each column coded against its own earlier values. Deflate then sees timestamps
/// next to timestamps and session ids next to session ids: about half the bytes of deflating the
/// documents one after another, and a smaller input to inflate.
///
/// Byte layout (counts and lengths are LEB128 varints):
/// ```
/// u8 format        0 plain · 1 columns
/// plain:           per doc its length, then the sources concatenated
/// columns:         templateCount, then per template: slotCount, slotCount + 1 structure
///                    segments (length, bytes), slotCount column numbers
///                  per doc: its template number
///                  columnCount, then per column: u8 coding, valueCount, headLength, bodyLength,
///                    head, body, where
///                    coding 0 (front):      head = per value the number of leading bytes it
///                                           shares with the column's previous value; body = per
///                                           value (suffix length, suffix bytes)
///                    coding 1 (dictionary): head = per value 0 when it is new to the column,
///                                           else its 1-based number among the column's distinct
///                                           values; body = per new value (length, bytes)
/// ```
/// Doc i is its template's segments with slot k (between segments k and k+1) filled with the next
/// value of the slot's column; values are taken from a column in doc order. The writer checks that
/// the columns decode to the exact input and otherwise writes the plain format.
enum SourceColumns {
    static let plain: UInt8 = 0, columns: UInt8 = 1
    static let front: UInt8 = 0, dictionary: UInt8 = 1

    // MARK: encoding

    /// The encoded block for the docs whose sources are `raw[starts[i]..<starts[i+1]]`.
    static func encode(_ raw: [UInt8], starts: [Int]) -> [UInt8] {
        var encoded = raw.withUnsafeBufferPointer { encodeColumns($0, starts: starts) }
        let length = encoded.count
        encoded.append(contentsOf: repeatElement(0, count: slack))
        if let decoded = encoded.withUnsafeBytes({ decode(UnsafeRawBufferPointer(rebasing: $0[..<length]), docCount: starts.count - 1, sourceLength: raw.count) }),
           decoded.starts == starts, decoded.bytes.count == raw.count,
           raw.isEmpty || decoded.bytes.withUnsafeBytes({ d in raw.withUnsafeBytes { memcmp(d.baseAddress!, $0.baseAddress!, raw.count) == 0 } }) {
            encoded.removeLast(slack)
            return encoded
        }
        var out = SegmentBuffer()
        out.u8(plain)
        for i in 0..<(starts.count - 1) { out.varint(UInt64(starts[i + 1] - starts[i])) }
        out.append(raw)
        return out.bytes
    }

    /// Byte classes for the splitter.
    private static let structural: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in "{}[],: \t\r\n".utf8 { t[Int(c)] = true }
        return t
    }()

    private static func encodeColumns(_ raw: UnsafeBufferPointer<UInt8>, starts: [Int]) -> [UInt8] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), colon = UInt8(ascii: ":")
        let docCount = starts.count - 1
        // Templates, flattened: template t's segments are lengths[segmentFirst[t]..<segmentFirst[t+1]]
        // of templateBytes from bytesFirst[t]; its slots' columns slotColumns[segmentFirst[t] - t ...].
        var templateIDs: [TermKey: Int] = [:]
        var templateBytes: [UInt8] = [], bytesFirst: [Int] = [], segmentLengths: [Int] = [], segmentFirst = [0]
        var slotColumns: [Int] = []
        var columnIDs: [TermKey: Int] = [:]
        var docTemplates: [Int] = []
        docTemplates.reserveCapacity(docCount)
        // Every value in doc order, with its column.
        var values: [Range<Int>] = [], valueColumns: [Int] = []
        values.reserveCapacity(docCount * 8)
        valueColumns.reserveCapacity(docCount * 8)
        var segments: [Range<Int>] = []
        var keys: [Range<Int>] = []   // per value of the doc: the object key it follows (empty if none)
        var previous = -1             // the previous doc's template, tried first
        structural.withUnsafeBufferPointer { structural in
            for doc in 0..<docCount {
                segments.removeAll(keepingCapacity: true)
                keys.removeAll(keepingCapacity: true)
                let firstValue = values.count
                let end = starts[doc + 1]
                var i = starts[doc]
                var segmentStart = i
                var key = 0..<0
                while i < end {
                    let c = raw[i]
                    if structural[Int(c)] {
                        i += 1
                    } else if c == quote {
                        var j = i + 1
                        while j < end && raw[j] != quote { j += raw[j] == backslash ? 2 : 1 }
                        if j >= end { i = end; break }  // unterminated: structure to the end
                        var k = j + 1
                        while k < end && (raw[k] == 0x20 || raw[k] == 0x09 || raw[k] == 0x0A || raw[k] == 0x0D) { k += 1 }
                        if k < end && raw[k] == colon {
                            key = (i + 1)..<j
                            i = k + 1
                        } else {  // a string value: its quotes stay in the structure
                            segments.append(segmentStart..<(i + 1))
                            values.append((i + 1)..<j)
                            keys.append(key)
                            segmentStart = j
                            i = j + 1
                        }
                    } else {  // a number, literal or any other run of value bytes
                        var j = i + 1
                        while j < end && !structural[Int(raw[j])] && raw[j] != quote { j += 1 }
                        segments.append(segmentStart..<i)
                        values.append(i..<j)
                        keys.append(key)
                        segmentStart = j
                        i = j
                    }
                }
                segments.append(segmentStart..<end)

                var t = previous
                if t < 0 || !matches(segments, raw, templateBytes, from: bytesFirst[t], segmentLengths[segmentFirst[t]..<segmentFirst[t + 1]]) {
                    var signature = SegmentBuffer()
                    for s in segments { signature.varint(UInt64(s.count)); signature.append(contentsOf: raw[s]) }
                    let id = TermKey(bytes: signature.bytes)
                    if let existing = templateIDs[id] {
                        t = existing
                    } else {
                        t = bytesFirst.count
                        templateIDs[id] = t
                        bytesFirst.append(templateBytes.count)
                        for s in segments {
                            templateBytes.append(contentsOf: raw[s])
                            segmentLengths.append(s.count)
                        }
                        segmentFirst.append(segmentLengths.count)
                        for k in keys {
                            let name = TermKey(bytes: Array(raw[k]))
                            if let c = columnIDs[name] {
                                slotColumns.append(c)
                            } else {
                                columnIDs[name] = columnIDs.count
                                slotColumns.append(columnIDs.count - 1)
                            }
                        }
                    }
                }
                previous = t
                docTemplates.append(t)
                let firstSlot = segmentFirst[t] - t
                for slot in 0..<(values.count - firstValue) { valueColumns.append(slotColumns[firstSlot + slot]) }
            }
        }

        var out = SegmentBuffer()
        out.bytes.reserveCapacity(raw.count / 2)
        out.u8(Self.columns)
        let templateCount = bytesFirst.count
        out.varint(UInt64(templateCount))
        for t in 0..<templateCount {
            let segments = segmentFirst[t]..<segmentFirst[t + 1]
            out.varint(UInt64(segments.count - 1))
            var at = bytesFirst[t]
            for s in segments {
                out.varint(UInt64(segmentLengths[s]))
                out.append(contentsOf: templateBytes[at..<(at + segmentLengths[s])])
                at += segmentLengths[s]
            }
            for slot in (segments.lowerBound - t)..<(segments.upperBound - 1 - t) { out.varint(UInt64(slotColumns[slot])) }
        }
        for t in docTemplates { out.varint(UInt64(t)) }
        // The values grouped by column (a counting sort, keeping doc order).
        let columnCount = columnIDs.count
        var columnStart = [Int](repeating: 0, count: columnCount + 1)
        for c in valueColumns { columnStart[c + 1] += 1 }
        for c in 0..<columnCount { columnStart[c + 1] += columnStart[c] }
        var fill = columnStart
        var grouped = [Range<Int>](repeating: 0..<0, count: values.count)
        for (v, c) in zip(values, valueColumns) {
            grouped[fill[c]] = v
            fill[c] += 1
        }
        out.varint(UInt64(columnCount))
        var head = SegmentBuffer(), body = SegmentBuffer()
        for c in 0..<columnCount {
            head.bytes.removeAll(keepingCapacity: true)
            body.bytes.removeAll(keepingCapacity: true)
            let column = grouped[columnStart[c]..<columnStart[c + 1]]
            let coding = encodeColumn(column, raw, head: &head, body: &body)
            out.u8(coding)
            out.varint(UInt64(column.count))
            out.varint(UInt64(head.count))
            out.varint(UInt64(body.count))
            out.append(head.bytes)
            out.append(body.bytes)
        }
        return out.bytes
    }

    /// Whether the doc's structure `segments` (ranges of `raw`) equals the template whose
    /// segments have `lengths` and start at `bytes[from]`.
    private static func matches(_ segments: [Range<Int>], _ raw: UnsafeBufferPointer<UInt8>, _ bytes: [UInt8], from: Int,
                                _ lengths: ArraySlice<Int>) -> Bool {
        guard lengths.count == segments.count else { return false }
        return bytes.withUnsafeBufferPointer { bytes in
            var at = from
            for (s, length) in zip(segments, lengths) {
                guard s.count == length else { return false }
                if length > 0 && memcmp(bytes.baseAddress! + at, raw.baseAddress! + s.lowerBound, length) != 0 { return false }
                at += length
            }
            return true
        }
    }

    /// Writes the column in the coding whose raw size is smaller; returns the coding.
    private static func encodeColumn(_ values: ArraySlice<Range<Int>>, _ raw: UnsafeBufferPointer<UInt8>,
                                     head: inout SegmentBuffer, body: inout SegmentBuffer) -> UInt8 {
        // Front coding's cost, and the distinct values for dictionary coding (an open-addressing
        // table of first occurrences, keyed by the value bytes).
        var frontCost = 0, dictionaryCost = 0
        var previous = 0..<0
        var shared: [Int] = []
        shared.reserveCapacity(values.count)
        var numbers: [Int] = []  // per value: 0 if new, else the 1-based number of its first occurrence
        numbers.reserveCapacity(values.count)
        var ids: [Int] = []      // per value: the 1-based number of its distinct value
        ids.reserveCapacity(values.count)
        var capacity = 16
        while capacity < values.count * 2 { capacity <<= 1 }
        var slots = [Int32](repeating: -1, count: capacity)  // index into `values` of a distinct value
        var distinct = 0
        let p = raw.baseAddress!
        for (index, v) in values.enumerated() {  // index: 0-based within the column
            let limit = min(v.count, previous.count)
            var n = 0
            while n < limit && raw[v.lowerBound + n] == raw[previous.lowerBound + n] { n += 1 }
            shared.append(n)
            frontCost += v.count - n + 2
            previous = v

            var slot = Int(truncatingIfNeeded: hash(p + v.lowerBound, v.count)) & (capacity - 1)
            while true {
                let e = Int(slots[slot])
                if e < 0 {
                    slots[slot] = Int32(index)
                    distinct += 1
                    numbers.append(0)
                    ids.append(distinct)
                    dictionaryCost += v.count + 2
                    break
                }
                let other = values[values.startIndex + e]
                if other.count == v.count && memcmp(p + other.lowerBound, p + v.lowerBound, v.count) == 0 {
                    numbers.append(ids[e])
                    ids.append(ids[e])
                    dictionaryCost += ids[e] < 128 ? 1 : 2
                    break
                }
                slot = (slot + 1) & (capacity - 1)
            }
        }
        if dictionaryCost < frontCost {
            for (v, number) in zip(values, numbers) {
                if number == 0 {
                    head.varint(0)
                    body.varint(UInt64(v.count))
                    body.append(contentsOf: UnsafeBufferPointer(rebasing: raw[v]))
                } else {
                    head.varint(UInt64(number))
                }
            }
            return dictionary
        }
        for (v, n) in zip(values, shared) {
            head.varint(UInt64(n))
            body.varint(UInt64(v.count - n))
            body.append(contentsOf: UnsafeBufferPointer(rebasing: raw[(v.lowerBound + n)..<v.upperBound]))
        }
        return front
    }

    /// A fast hash of `count` bytes (8 at a time).
    @inline(__always)
    private static func hash(_ p: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(count)
        var i = 0
        while i + 8 <= count {
            h = (h ^ UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < count { tail |= UInt64(p[i]) << shift; shift += 8; i += 1 }
        h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 29)
    }

    // MARK: decoding

    /// Bounds-checked reads of an encoded block; any overrun sets `failed` and reads zeros.
    private struct Reader {
        let base: UnsafeRawPointer
        let end: Int
        var pos: Int
        var failed = false

        @inline(__always) mutating func varint() -> Int {
            if pos < end {
                let b = base.u8(pos)
                if b < 0x80 { pos &+= 1; return Int(b) }
            }
            var v: UInt64 = 0
            var shift: UInt64 = 0
            while pos < end {
                let b = base.u8(pos)
                pos += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 {
                    guard v <= UInt64(Int32.max) else { break }
                    return Int(v)
                }
                shift += 7
                if shift > 35 { break }
            }
            failed = true
            pos = end
            return 0
        }

        @inline(__always) mutating func u8() -> UInt8 {
            guard pos < end else { failed = true; return 0 }
            pos += 1
            return base.u8(pos - 1)
        }

        /// The offset of `count` bytes at the cursor, which moves past them.
        @inline(__always) mutating func skip(_ count: Int) -> Int {
            guard count <= end - pos else { failed = true; pos = end; return end }
            pos += count
            return pos - count
        }
    }

    /// Bytes readable past the end of a block given to `decode` (copies move 8 bytes at a time).
    static let slack = 16

    /// The docs' sources (concatenated) and their start offsets (docCount + 1), or nil if the
    /// block does not decode to exactly `docCount` docs of `sourceLength` bytes. `block` must be
    /// followed by `slack` readable bytes.
    static func decode(_ block: UnsafeRawBufferPointer, docCount: Int, sourceLength: Int) -> (bytes: [UInt8], starts: [Int])? {
        guard let base = block.baseAddress, block.count > 0 else { return nil }
        var r = Reader(base: base, end: block.count, pos: 0)
        var starts = [Int](repeating: 0, count: docCount + 1)
        if r.u8() == plain {
            var total = 0
            for i in 0..<docCount {
                starts[i] = total
                total += r.varint()
            }
            starts[docCount] = total
            let offset = r.skip(sourceLength)
            guard !r.failed, total == sourceLength, r.pos == block.count else { return nil }
            return (Array(UnsafeRawBufferPointer(start: base + offset, count: sourceLength)), starts)
        }
        guard base.u8(0) == columns else { return nil }

        // Templates, flattened: segments (offset, length) and slot columns; template t has
        // segments segmentFirst[t]... and slots slotFirst[t]..<slotFirst[t+1].
        let templateCount = r.varint()
        guard templateCount <= block.count else { return nil }
        var slotFirst = [Int](repeating: 0, count: templateCount + 1)
        var segmentFirst = [Int](repeating: 0, count: templateCount)
        var segments: [Int] = []  // offset, length pairs
        var slotColumns: [Int] = []
        for t in 0..<templateCount {
            let slots = r.varint()
            guard slots < block.count else { return nil }
            segmentFirst[t] = segments.count / 2
            for _ in 0...slots {
                let length = r.varint()
                segments.append(r.skip(length))
                segments.append(length)
            }
            for _ in 0..<slots { slotColumns.append(r.varint()) }
            slotFirst[t + 1] = slotFirst[t] + slots
            if r.failed { return nil }
        }
        var docTemplates = [Int](repeating: 0, count: docCount)
        for d in 0..<docCount {
            let t = r.varint()
            guard t < templateCount else { return nil }
            docTemplates[d] = t
        }
        let columnCount = r.varint()
        guard !r.failed, columnCount <= block.count, slotColumns.allSatisfy({ $0 < columnCount }) else { return nil }
        // Per column: coding, head position / end, body position / end, front: previous value
        // (start, length in the output); dictionary: first entry index, entry count.
        var state = [Int](repeating: 0, count: columnCount * 8)
        var entryCount = 0
        for c in 0..<columnCount {
            let coding = r.u8()
            let values = r.varint()
            let headLength = r.varint(), bodyLength = r.varint()
            guard coding <= dictionary else { return nil }
            state[c * 8] = Int(coding)
            state[c * 8 + 1] = r.skip(headLength); state[c * 8 + 2] = r.pos
            state[c * 8 + 3] = r.skip(bodyLength); state[c * 8 + 4] = r.pos
            state[c * 8 + 6] = entryCount
            entryCount += values
        }
        guard !r.failed, r.pos == block.count, entryCount <= block.count else { return nil }
        var entries = [Int](repeating: 0, count: entryCount * 2)  // dictionary values: offset, length

        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: sourceLength + slack) { out, initialized in
            initialized = 0
            let o = UnsafeMutableRawPointer(out.baseAddress!)
            var n = 0
            /// Copies `count` bytes at `from` (followed by 8 readable bytes) to the output.
            @inline(__always) func copy(_ from: UnsafeRawPointer, _ count: Int) -> Bool {
                guard count <= sourceLength &- n else { return false }
                if count <= 32 {
                    var k = 0
                    while k < count {  // may write up to 7 bytes past the end: `slack` covers them
                        (o + (n &+ k)).storeBytes(of: from.loadUnaligned(fromByteOffset: k, as: UInt64.self), as: UInt64.self)
                        k &+= 8
                    }
                } else {
                    (o + n).copyMemory(from: from, byteCount: count)
                }
                n &+= count
                return true
            }
            slotColumns.withUnsafeBufferPointer { slotColumns in
            segments.withUnsafeBufferPointer { segments in
            state.withUnsafeMutableBufferPointer { state in
            entries.withUnsafeMutableBufferPointer { entries in
            starts.withUnsafeMutableBufferPointer { starts in
                docs: for d in 0..<docCount {
                    starts[d] = n
                    let t = docTemplates[d]
                    var segment = segmentFirst[t] &* 2
                    guard copy(base + segments[segment], segments[segment &+ 1]) else { failed = true; break docs }
                    for slot in slotFirst[t]..<slotFirst[t &+ 1] {
                        let c = slotColumns[slot] &* 8
                        var head = Reader(base: base, end: state[c &+ 2], pos: state[c &+ 1])
                        var body = Reader(base: base, end: state[c &+ 4], pos: state[c &+ 3])
                        if state[c] == Int(front) {
                            let shared = head.varint(), suffix = body.varint()
                            let at = body.skip(suffix)
                            let start = n
                            guard !head.failed, !body.failed, shared <= state[c &+ 6],
                                  copy(UnsafeRawPointer(o + state[c &+ 5]), shared), copy(base + at, suffix) else { failed = true; break docs }
                            state[c &+ 5] = start
                            state[c &+ 6] = shared &+ suffix
                        } else {
                            let number = head.varint()
                            let first = state[c &+ 6], known = state[c &+ 7]
                            var offset = 0, length = 0
                            if number == 0 {
                                length = body.varint()
                                offset = body.skip(length)
                                guard first &+ known < entries.count / 2 else { failed = true; break docs }
                                entries[(first &+ known) &* 2] = offset
                                entries[(first &+ known) &* 2 &+ 1] = length
                                state[c &+ 7] = known &+ 1
                            } else {
                                guard number <= known else { failed = true; break docs }
                                offset = entries[(first &+ number &- 1) &* 2]
                                length = entries[(first &+ number &- 1) &* 2 &+ 1]
                            }
                            guard !head.failed, !body.failed, copy(base + offset, length) else { failed = true; break docs }
                        }
                        state[c &+ 1] = head.pos
                        state[c &+ 3] = body.pos
                        segment &+= 2
                        guard copy(base + segments[segment], segments[segment &+ 1]) else { failed = true; break docs }
                    }
                }
                starts[docCount] = n
            }}}}}
            if n != sourceLength { failed = true }
            initialized = failed ? 0 : n
        }
        return failed ? nil : (bytes, starts)
    }
}
