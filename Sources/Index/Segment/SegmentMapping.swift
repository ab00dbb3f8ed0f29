import Storage
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only `mmap` of one whole segment file, unmapped when the last view releases it.
///
/// Invariant that makes `@unchecked Sendable` sound: the mapping is `PROT_READ`, its address and
/// length never change after `init`, and it is unmapped only in `deinit`, i.e. when no `Segment`,
/// `NumericColumn`, `KeywordField`, `TextField` or `Postings` (which all hold a strong reference)
/// can still read it. Segment files are immutable once written (written to a temporary name and
/// renamed), so the bytes under the mapping never change either.
@usableFromInline
final class SegmentMapping: @unchecked Sendable {
    let base: UnsafeRawPointer
    let length: Int

    init(path: String) throws(StorageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { let e = errno; throw StorageError(.open, "cannot open segment \(path)", underlying: e, osError: e) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StorageError(.io, "cannot stat segment \(path)", underlying: errno) }
        let size = Int(st.st_size)
        guard size >= SegmentLayout.headerSize + SegmentLayout.tailSize else {
            throw StorageError(.corrupt, "segment \(path) is truncated (\(size) bytes)")
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw StorageError(.io, "cannot mmap segment \(path)", underlying: errno)
        }
        base = UnsafeRawPointer(p)
        length = size
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), length)
    }
}
