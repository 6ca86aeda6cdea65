//! What the memory benchmarks measure: the system allocator counting the bytes live and
//! their peak (what wasm memory would have to hold, whatever the operating system pages),
//! installed by a benchmark with `#[global_allocator] static ALLOCATOR: Counting =
//! Counting;`, and [`measured`] steps reporting that peak beside the resident one.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

pub struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Bytes allocated now.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The most bytes allocated at once since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new peak from what is allocated now.
pub fn reset_peak() {
    PEAK.store(live(), Ordering::Relaxed);
}

fn grew(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            grew(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        new
    }
}

/// Resets both peaks to what is in use now.
fn reset_peaks() {
    reset_peak();
    // "5" resets the peak resident set size to the current one (Linux ≥ 4.0).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// `VmRSS` or `VmHWM` of this process, in bytes.
fn proc_status(field: &str) -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `bytes` in gigabytes, as the tables in BENCHMARKS.md give them.
pub fn gb(bytes: usize) -> String {
    format!("{:.2} GB", bytes as f64 / 1e9)
}

/// Runs `step`, then prints its time, its peaks and what stays live after it.
pub fn measured<T>(name: &str, step: impl FnOnce() -> T) -> T {
    reset_peaks();
    let start = Instant::now();
    let out = step();
    let elapsed = start.elapsed();
    println!(
        "{name:<28} {:>8.1} s   allocated peak {:>8}   resident peak {:>8}   live after {:>8}",
        elapsed.as_secs_f64(),
        gb(peak()),
        proc_status("VmHWM:").map_or("?".to_string(), gb),
        gb(live()),
    );
    out
}
