import CErasureSystem

/// Process-wide allocator settings, applied once at start-up by `erasure` (and `erasure-bench`).
public enum MallocTuning {
    /// glibc returns the free top of a thread's heap to the kernel as soon as it exceeds 128 KiB
    /// (`madvise(MADV_DONTNEED)`), and the next allocation there page-faults it back, zeroed and
    /// charged to the cgroup again. A batch's threads allocate and free in waves (HTTP buffers,
    /// SQLite's page cache and statement memory), so that round trip ran on every journal write:
    /// ~10 000 `madvise` calls for 8 000 writes, and a third of the journal's CPU in page faults
    /// (`erasure-bench journal`: 66 µs of CPU per durable write before, 47 µs after). Keeping up to
    /// 64 MiB of free heap per arena mapped removes it; the peak RSS is unchanged, since what is
    /// kept was in use a moment before.
    public static func apply() {
        _ = erasure_set_malloc_trim_threshold(64 << 20)
    }
}
