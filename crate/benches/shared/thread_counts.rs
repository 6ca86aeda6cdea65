//! The thread counts a bench runs at: `BENCH_THREADS=n` for one pool only (e.g. under
//! `perf record`), else 1 and 2 (this machine's cores), to compare the second thread.

pub fn thread_counts() -> Vec<usize> {
    match std::env::var("BENCH_THREADS") {
        Ok(t) => vec![t.parse().expect("BENCH_THREADS is a thread count")],
        Err(_) => vec![1, 2],
    }
}
