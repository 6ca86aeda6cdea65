//! Knowing how much memory the engine uses, and asking before a big job takes more.
//!
//! Linear memory in wasm only grows, one `memory.grow` at a time, up to 4 GiB, and running
//! out aborts the instance (an allocation failure is not a Rust error). So the engine
//! counts the bytes its allocator has handed out ([`in_use`]) and checks what a job will
//! need against what is left ([`check`]) before starting it: "out of memory" becomes an
//! error the page can show instead of a dead tab.
//!
//! Natively nothing is counted ([`in_use`] is 0) but the same [`LIMIT`] applies, so tests
//! see the same refusals as the page. A native program that counts its allocations (the
//! memory benchmark) can hand the engine its count ([`count_in_use_with`]), and jobs then
//! plan against what is left as they do in the page.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use crate::error::{Error, ErrorCode, Result};

/// Most memory the engine may use: wasm32's 4 GiB address space.
pub const LIMIT: usize = if usize::BITS >= 64 {
    (4u64 << 30) as usize
} else {
    usize::MAX
};

/// Part of what is left that a single job may plan to take: the rest is headroom for the
/// copies, fragmentation and results around it.
const JOB_SHARE: f64 = 0.8;

static IN_USE: AtomicUsize = AtomicUsize::new(0);

/// A native program's own count of the bytes it has allocated.
static NATIVE_COUNT: OnceLock<fn() -> usize> = OnceLock::new();

/// Bytes currently allocated by the engine (wasm; natively 0 unless the program counts,
/// see [`count_in_use_with`]).
pub fn in_use() -> usize {
    let native = NATIVE_COUNT.get().map_or(0, |count| count());
    IN_USE.load(Ordering::Relaxed).max(native)
}

/// Natively, reads the bytes in use from `count` from now on (the first call wins): a
/// program with a counting allocator makes the engine budget as the page does.
pub fn count_in_use_with(count: fn() -> usize) {
    let _ = NATIVE_COUNT.set(count);
}

/// Bytes a new job may still plan to use.
pub fn available() -> usize {
    (LIMIT.saturating_sub(in_use()) as f64 * JOB_SHARE) as usize
}

/// Fails with `OUT_OF_MEMORY` if `bytes` more would not fit: `what` names the work (e.g.
/// "this join") and `advice` says what to do instead.
pub fn check(bytes: usize, what: &str, advice: &str) -> Result<()> {
    check_within(bytes, available(), what, advice)
}

/// [`check`] against `available` bytes (what a plan that already read [`available`]
/// checks against).
pub fn check_within(bytes: usize, available: usize, what: &str, advice: &str) -> Result<()> {
    if bytes <= available {
        return Ok(());
    }
    Err(Error::new(
        ErrorCode::OutOfMemory,
        format!(
            "{what} needs about {}, more than the engine has left ({} of its {} are free); \
             {advice}",
            describe_bytes(bytes),
            describe_bytes(available),
            describe_bytes(LIMIT)
        ),
    ))
}

/// Makes sure `bytes` more can be allocated, then frees them for the caller to reuse:
/// memory grows in one step before a job instead of many times during it.
pub fn reserve(bytes: usize) -> Result<()> {
    let mut block: Vec<u8> = Vec::new();
    block.try_reserve_exact(bytes).map_err(|_| {
        Error::new(
            ErrorCode::OutOfMemory,
            format!(
                "the engine could not get {} of memory for this job",
                describe_bytes(bytes)
            ),
        )
    })?;
    // Touch nothing: reserving is enough for the allocator to grow linear memory.
    drop(block);
    Ok(())
}

/// A byte count as a person reads it (`1.5 GB`, `320 MB`).
pub fn describe_bytes(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else if value >= 100.0 {
        format!("{value:.0} {}", UNITS[unit])
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The system allocator, counting what it hands out (wasm only: the page shows it and
/// [`check`] budgets against it).
#[cfg(target_arch = "wasm32")]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::Ordering;

    use super::IN_USE;

    pub struct Counting;

    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if !ptr.is_null() {
                IN_USE.fetch_add(layout.size(), Ordering::Relaxed);
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new = unsafe { System.realloc(ptr, layout, new_size) };
            if !new.is_null() {
                IN_USE.fetch_add(new_size, Ordering::Relaxed);
                IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
            }
            new
        }
    }

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_reservations_succeed_and_impossible_ones_are_errors() {
        assert!(reserve(1 << 20).is_ok());
        let err = reserve(usize::MAX / 2).unwrap_err();
        assert_eq!(err.code(), ErrorCode::OutOfMemory);
    }

    #[test]
    fn checks_refuse_more_than_the_limit_and_say_what_to_do() {
        check(1 << 30, "this join", "filter first").unwrap();
        let err = check(5 << 30, "this join", "filter first").unwrap_err();
        assert_eq!(err.code(), ErrorCode::OutOfMemory);
        assert!(
            err.message()
                .starts_with("this join needs about 5.0 GB, more than the engine has left"),
            "{}",
            err.message()
        );
        assert!(err.message().ends_with("; filter first"));
    }

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(describe_bytes(512), "512 bytes");
        assert_eq!(describe_bytes(1536), "1.5 KB");
        assert_eq!(describe_bytes(320 << 20), "320 MB");
        assert_eq!(describe_bytes(4 << 30), "4.0 GB");
    }
}
