import Testing
@testable import Index

/// A numeric column whose values span more than Int64.max (sortable doubles of both signs) must
/// write a positive step and read back exactly; it used to fail at open with "bad numeric step".
@Suite struct WideNumericColumnTests {
    @Test(arguments: [[-0.25, 0.5], [-0.25, 0.5, -0.25], [-1e300, 1e300], [-0.0, 0.0, 3.5]])
    func doublesOfBothSignsRoundTrip(values: [Double]) throws {
        let docs = values.enumerated().map { segDoc("d\($0.offset)", [("x", .double($0.element))]) }
        try withSegment(docs) { seg in
            let col = try #require(seg.numeric("x"))
            for (i, v) in values.enumerated() {
                #expect(NumericColumn.double(fromSortable: col.value(Int32(i))) == v)
            }
        }
    }

    @Test func longsAcrossTheWholeRangeRoundTrip() throws {
        let values: [Int64] = [.min, .max, 0, .min + 1]
        let docs = values.enumerated().map { segDoc("d\($0.offset)", [("n", .long($0.element))]) }
        try withSegment(docs) { seg in
            let col = try #require(seg.numeric("n"))
            for (i, v) in values.enumerated() { #expect(col.value(Int32(i)) == v) }
        }
    }
}
