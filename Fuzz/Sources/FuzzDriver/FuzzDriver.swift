#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs libFuzzer with `body` as the function under test and never returns.
///
/// SwiftPM links an executable with `main` pointing at the module's own entry point, so
/// libFuzzer's `main` never runs; the target's `main.swift` calls this instead, which hands
/// control to libFuzzer's driver. `body` may throw: a thrown error is an answer (the parsers
/// reject bad input that way); only a crash, a failed precondition or a timeout is a finding.
public func runFuzzer(_ body: @escaping @Sendable (UnsafeRawBufferPointer) throws -> Void) -> Never {
    FuzzState.body = body
    var argc = CommandLine.argc
    var argv = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOne))
}

/// The input as text when it is valid UTF-8 (the parsers of text take `String`s), else nil.
public func utf8Text(_ data: UnsafeRawBufferPointer) -> String? {
    String(validating: data, as: UTF8.self)
}

enum FuzzState {
    /// Set once, before libFuzzer starts calling back; read only from its (single) thread.
    nonisolated(unsafe) static var body: (@Sendable (UnsafeRawBufferPointer) throws -> Void)?
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    do { try FuzzState.body?(bytes) } catch {}
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt
