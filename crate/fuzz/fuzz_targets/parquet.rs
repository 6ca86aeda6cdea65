//! The Parquet reader on arbitrary bytes: a corrupt file is an error, never a panic, an
//! abort or an allocation the file's size does not justify.
//!
//! One exception is tolerated so the fuzzer can keep looking for Brasa's own bugs: the
//! arrow-rs `parquet` crate (60.1) itself panics on some corrupt pages (e.g. a dictionary
//! index out of range in a fixed-length column, where pyarrow reports "Index not in
//! dictionary bounds"; reproducer: tests/hostile/parquet/fuzz_flba_dictionary_index.parquet).
//! A panic raised inside that crate is counted and skipped; in the page it crashes the
//! engine, which is restarted. Any other panic aborts as usual.
#![no_main]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Once;

use brasa::frame::display_batch;
use brasa::io::parquet::read_parquet;
use brasa::ErrorCode;
use libfuzzer_sys::fuzz_target;

/// Set by the panic hook when a panic came from inside the `parquet` crate (on whichever
/// thread of the pool decoded the column).
static UPSTREAM_PANIC: AtomicBool = AtomicBool::new(false);

/// Wraps libFuzzer's hook (which aborts): panics located in the `parquet` crate's own
/// source are only noted.
fn note_upstream_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let upstream = info
                .location()
                .is_some_and(|l| l.file().contains("/parquet-60."));
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
