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
        let encoded = raw.withUnsafeBufferPointer { encodeColumns($0, starts: starts) }
        if let decoded = encoded.withUnsafeBytes({ decode($0, docCount: starts.count - 1, sourceLength: raw.count) }),
           decoded.bytes == raw, decoded.starts == starts {
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

    private struct Template {
        var segments: [[UInt8]]
        var columns: [Int]
    }

    private struct Column {
        var values: [Range<Int>] = []
    }

    private static func encodeColumns(_ raw: UnsafeBufferPointer<UInt8>, starts: [Int]) -> [UInt8] {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), colon = UInt8(ascii: ":")
        var templateIDs: [TermKey: Int] = [:]
        var templates: [Template] = []
        var columnIDs: [TermKey: Int] = [:]
        var columns: [Column] = []
        var docTemplates: [Int] = []
        docTemplates.reserveCapacity(starts.count - 1)

        var signature = SegmentBuffer()  // the doc's segments as (varint length, bytes), for lookup
        var segments: [Range<Int>] = []
        var values: [Range<Int>] = []
        var keys: [Range<Int>] = []   // per value: the object key it follows (empty if none)
        for doc in 0..<(starts.count - 1) {
            segments.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            keys.removeAll(keepingCapacity: true)
            let end = starts[doc + 1]
            var i = starts[doc]
            var segmentStart = i
            var key = 0..<0
            // Ends the structure segment before `valueStart` and records the value.
            func value(_ r: Range<Int>, segmentEnd: Int) {
                segments.append(segmentStart..<segmentEnd)
                values.append(r)
                keys.append(key)
            }
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
                    } else {
                        value((i + 1)..<j, segmentEnd: i + 1)
                        segmentStart = j
                        i = j + 1
                    }
                } else {
                    var j = i + 1
                    while j < end && !structural[Int(raw[j])] && raw[j] != quote { j += 1 }
                    value(i..<j, segmentEnd: i)
                    segmentStart = j
                    i = j
                }
            }
            segments.append(segmentStart..<end)
            signature.bytes.removeAll(keepingCapacity: true)
            for s in segments {
                signature.varint(UInt64(s.count))
                signature.append(contentsOf: raw[s])
            }
            let t: Int
            if let existing = templateIDs[TermKey(bytes: signature.bytes)] {
                t = existing
            } else {
                t = templates.count
                templateIDs[TermKey(bytes: signature.bytes)] = t
                var columnsOfSlots: [Int] = []
                for k in keys {
                    let name = TermKey(bytes: Array(raw[k]))
                    if let c = columnIDs[name] {
                        columnsOfSlots.append(c)
                    } else {
                        columnIDs[name] = columns.count
                        columnsOfSlots.append(columns.count)
                        columns.append(Column())
                    }
                }
                templates.append(Template(segments: segments.map { Array(raw[$0]) }, columns: columnsOfSlots))
            }
            docTemplates.append(t)
            for (slot, v) in values.enumerated() { columns[templates[t].columns[slot]].values.append(v) }
        }

        var out = SegmentBuffer()
        out.u8(Self.columns)
        out.varint(UInt64(templates.count))
        for t in templates {
            out.varint(UInt64(t.columns.count))
            for s in t.segments { out.varint(UInt64(s.count)); out.append(s) }
            for c in t.columns { out.varint(UInt64(c)) }
        }
        for t in docTemplates { out.varint(UInt64(t)) }
        out.varint(UInt64(columns.count))
        var head = SegmentBuffer(), body = SegmentBuffer()
        for column in columns {
            head.bytes.removeAll(keepingCapacity: true)
            body.bytes.removeAll(keepingCapacity: true)
            let coding = encodeColumn(column.values, raw, head: &head, body: &body)
            out.u8(coding)
            out.varint(UInt64(column.values.count))
            out.varint(UInt64(head.count))
            out.varint(UInt64(body.count))
            out.append(head.bytes)
            out.append(body.bytes)
        }
        return out.bytes
    }

    /// Writes the column in the coding whose raw size is smaller; returns the coding.
    private static func encodeColumn(_ values: [Range<Int>], _ raw: UnsafeBufferPointer<UInt8>,
                                     head: inout SegmentBuffer, body: inout SegmentBuffer) -> UInt8 {
        // Front coding cost, and the distinct values for dictionary coding.
        var frontCost = 0
        var previous = 0..<0
        var shared: [Int] = []
        shared.reserveCapacity(values.count)
        var ids: [TermKey: Int] = [:]
        var numbers: [Int] = []  // per value: 0 if new, else 1-based number of its first occurrence
        numbers.reserveCapacity(values.count)
        var dictionaryCost = 0
        for v in values {
            let limit = min(v.count, previous.count)
            var n = 0
            while n < limit && raw[v.lowerBound + n] == raw[previous.lowerBound + n] { n += 1 }
            shared.append(n)
            frontCost += v.count - n + 2
            previous = v
            let key = TermKey(bytes: Array(raw[v]))
            if let id = ids[key] {
                numbers.append(id)
                dictionaryCost += id < 128 ? 1 : 2
            } else {
                ids[key] = ids.count + 1
                numbers.append(0)
                dictionaryCost += v.count + 2
            }
        }
        if dictionaryCost < frontCost {
            for (v, number) in zip(values, numbers) {
                head.varint(UInt64(number))
                if number == 0 {
                    body.varint(UInt64(v.count))
                    body.append(contentsOf: raw[v])
                }
            }
            return dictionary
        }
        for (v, n) in zip(values, shared) {
            head.varint(UInt64(n))
            body.varint(UInt64(v.count - n))
            body.append(contentsOf: raw[(v.lowerBound + n)..<v.upperBound])
        }
        return front
    }

    // MARK: decoding

    /// Bounds-checked reads of an encoded block; any overrun sets `failed` and reads zeros.
    private struct Reader {
        let base: UnsafeRawPointer
        let end: Int
        var pos: Int
        var failed = false

        @inline(__always) mutating func varint() -> Int {
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

    /// The docs' sources (concatenated) and their start offsets (docCount + 1), or nil if the
    /// block does not decode to exactly `docCount` docs of `sourceLength` bytes.
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

        // Templates: segment (offset, length) pairs and slot columns, flattened.
        let templateCount = r.varint()
        guard templateCount <= block.count else { return nil }
        var templateSlots = [Int](repeating: 0, count: templateCount + 1)  // first slot of each template
        var segmentOffsets: [Int] = [], segmentLengths: [Int] = [], slotColumns: [Int] = []
        for t in 0..<templateCount {
            let slots = r.varint()
            guard slots < block.count else { return nil }
            for _ in 0...slots {
                let length = r.varint()
                segmentOffsets.append(r.skip(length))
                segmentLengths.append(length)
            }
            for _ in 0..<slots { slotColumns.append(r.varint()) }
            templateSlots[t + 1] = templateSlots[t] + slots
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
        var coding = [UInt8](repeating: 0, count: columnCount)
        var headPos = [Int](repeating: 0, count: columnCount), headEnd = headPos
        var bodyPos = headPos, bodyEnd = headPos
        for c in 0..<columnCount {
            coding[c] = r.u8()
            _ = r.varint()  // valueCount: implied by the templates
            let headLength = r.varint(), bodyLength = r.varint()
            headPos[c] = r.skip(headLength); headEnd[c] = r.pos
            bodyPos[c] = r.skip(bodyLength); bodyEnd[c] = r.pos
            guard coding[c] <= dictionary else { return nil }
        }
        guard !r.failed, r.pos == block.count else { return nil }

        // Per column: front coding's previous value (in the output), dictionary entries (in the block).
        var previousStart = [Int](repeating: 0, count: columnCount), previousLength = previousStart
        var entries = [[(offset: Int, length: Int)]](repeating: [], count: columnCount)
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: sourceLength) { out, initialized in
            guard let o = out.baseAddress else { initialized = 0; failed = sourceLength != 0; return }
            var n = 0
            @inline(__always) func copy(_ from: UnsafeRawPointer, _ count: Int) -> Bool {
                guard count <= sourceLength - n else { return false }
                UnsafeMutableRawPointer(o + n).copyMemory(from: from, byteCount: count)
                n += count
                return true
            }
            docs: for d in 0..<docCount {
                starts[d] = n
                let t = docTemplates[d]
                let firstSlot = templateSlots[t], slots = templateSlots[t + 1] - firstSlot
                let firstSegment = firstSlot + t
                for s in 0...slots {
                    guard copy(base + segmentOffsets[firstSegment + s], segmentLengths[firstSegment + s]) else { failed = true; break docs }
                    if s == slots { break }
                    let c = slotColumns[firstSlot + s]
                    var head = Reader(base: base, end: headEnd[c], pos: headPos[c])
                    var body = Reader(base: base, end: bodyEnd[c], pos: bodyPos[c])
                    if coding[c] == front {
                        let shared = head.varint(), suffix = body.varint()
                        let at = body.skip(suffix)
                        let start = n
                        guard !head.failed, !body.failed, shared <= previousLength[c],
                              copy(UnsafeRawPointer(o + previousStart[c]), shared), copy(base + at, suffix) else { failed = true; break docs }
                        previousStart[c] = start
                        previousLength[c] = shared + suffix
                    } else {
                        let number = head.varint()
                        var entry: (offset: Int, length: Int)
                        if number == 0 {
                            let length = body.varint()
                            entry = (body.skip(length), length)
                            entries[c].append(entry)
                        } else {
                            guard number <= entries[c].count else { failed = true; break docs }
                            entry = entries[c][number - 1]
                        }
                        guard !head.failed, !body.failed, copy(base + entry.offset, entry.length) else { failed = true; break docs }
                    }
                    headPos[c] = head.pos
                    bodyPos[c] = body.pos
                }
            }
            starts[docCount] = n
            if n != sourceLength { failed = true }
            if failed { n = 0 }
            initialized = n
        }
        return failed ? nil : (bytes, starts)
    }
}
