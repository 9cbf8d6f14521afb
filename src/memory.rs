//! How the process holds memory (issue 18, Build item 5).
//!
//! glibc's malloc raises its mmap threshold to the size of the largest block freed so
//! far (up to 32 MB) and keeps one arena per thread (up to eight per core). argon2id
//! allocates 19 MiB for every password hash or check; after the first one, each such
//! block came from an arena and stayed resident when freed, so each sign-in on a new
//! blocking thread added ~19 MiB that was never given back (measured: 57 MB after
//! start, 175 MB after six sign-ins). A fixed threshold serves every block of 1 MiB or
//! more with its own mapping, returned to the system when freed, and two arenas bound
//! what the worker threads keep between requests.

/// Set the allocator's parameters; call once, first thing in `main` (and in benches
/// that measure the server's memory in their own process).
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets glibc malloc parameters; it takes plain integers and is
    // called before the runtime starts any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
