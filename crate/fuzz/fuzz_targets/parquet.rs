//! The Parquet reader on arbitrary bytes: a corrupt file is an error, never a panic, an
//! abort or an allocation the file's size does not justify.
//!
//! One exception is tolerated so the fuzzer can keep looking for Brasa's own bugs: the
//! arrow-rs `parquet` crate (60.1, the newest) itself panics on some corrupt pages, in its
//! own code or in the arrow-buffer kernels it calls (a dictionary index out of range in a
//! fixed-length column, where pyarrow reports "Index not in dictionary bounds"; more
//! definition levels than the page holds, where pyarrow reports "Number of decoded rep /
//! def levels do not match"; reproducers: tests/hostile/parquet/fuzz_*.parquet). A panic
//! raised under that crate's code (the innermost frame that is either `parquet::` or
//! `brasa::` is `parquet::`) is counted and skipped; in the page it crashes the engine,
//! which is restarted. Any other panic aborts as usual.
#![no_main]

use std::backtrace::Backtrace;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use brasa::frame::display_batch;
use brasa::io::parquet::read_parquet;
use brasa::ErrorCode;
use libfuzzer_sys::fuzz_target;

/// Set by the panic hook when a panic came from inside the `parquet` crate (on whichever
/// thread of the pool decoded the column).
static UPSTREAM_PANIC: AtomicBool = AtomicBool::new(false);

/// Whether the innermost frame of `backtrace` whose source is either the `parquet` crate
/// or Brasa's own is the `parquet` crate's: the panic was raised while that crate was
/// decoding (possibly inside an arrow-buffer kernel it called), not by Brasa's code.
/// Frames are told apart by their source file, which inlined frames keep (their symbol
/// names lose the crate path in release builds).
fn raised_under_parquet(backtrace: &str) -> bool {
    let brasa_source = Path::new(env!("CARGO_MANIFEST_DIR")).with_file_name("src");
    let brasa_source = brasa_source.to_string_lossy();
    backtrace
        .lines()
        .filter_map(|line| line.trim_start().strip_prefix("at "))
        .find(|file| file.contains("/parquet-60.") || file.starts_with(brasa_source.as_ref()))
        .is_some_and(|file| file.contains("/parquet-60."))
}

/// Wraps libFuzzer's hook (which aborts): panics raised under the `parquet` crate's code
/// are only noted.
fn note_upstream_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parquet_source = info
                .location()
                .is_some_and(|l| l.file().contains("/parquet-60."));
            let upstream =
                in_parquet_source || raised_under_parquet(&Backtrace::force_capture().to_string());
            if upstream {
                UPSTREAM_PANIC.store(true, Ordering::SeqCst);
            } else {
                libfuzzer_hook(info);
            }
        }));
    });
}

fn read(data: &[u8]) {
    match read_parquet(data.to_vec()) {
        Ok((table, _)) => {
            let rows = table
                .window(0, table.num_rows().min(1_000))
                .expect("a window");
            display_batch(&rows).expect("rows can be shown");
        }
        Err(e) => assert_ne!(e.code(), ErrorCode::Internal, "{}", e.message()),
    }
}

fuzz_target!(|data: &[u8]| {
    note_upstream_panics();
    UPSTREAM_PANIC.store(false, Ordering::SeqCst);
    if catch_unwind(AssertUnwindSafe(|| read(data))).is_err()
        && !UPSTREAM_PANIC.load(Ordering::SeqCst)
    {
        std::process::abort();
    }
});
