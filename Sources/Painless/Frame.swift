/// The mutable state of one script execution: local variable slots (0 = `ctx`, 1 = `params`),
/// the return value and the loop counter that stops runaway scripts.
final class Frame {
    // Unchecked exclusivity: a frame lives on one thread for one execution, and no closure
    // holds an access to a slot across a call.
    @exclusivity(unchecked) var slots: [Value]
    @exclusivity(unchecked) var returnValue: Value = .null
    @exclusivity(unchecked) var loopCount = 0
    let maxLoops: Int

    init(slotCount: Int, maxLoops: Int) {
        slots = [Value](repeating: .null, count: slotCount)
        self.maxLoops = maxLoops
    }

    @inline(__always)
    func countLoop(at off: Int) throws(PainlessError) {
        loopCount += 1
        if loopCount > maxLoops {
            throw PainlessError(.runtime, "painless_error",
                                "The maximum number of statements that can be executed in a loop has been reached.", at: off)
        }
    }
}
