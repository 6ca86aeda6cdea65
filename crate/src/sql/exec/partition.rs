//! Which partition the current thread is evaluating, for the functions whose value depends
//! on it as in Spark (`rand(seed)` and `randn(seed)` draw from one stream per partition,
//! seeded with `seed + partition index`). Set by the operators that evaluate expressions
//! partition by partition (scan filters, filters, projections, partial aggregates, sort
//! keys); 0 elsewhere.

use std::cell::Cell;

thread_local! {
    static PARTITION: Cell<usize> = const { Cell::new(0) };
}

/// Runs `f` with `index` as the current partition (restoring the previous one after).
pub fn in_partition<T>(index: usize, f: impl FnOnce() -> T) -> T {
    let previous = PARTITION.with(|p| p.replace(index));
    let out = f();
    PARTITION.with(|p| p.set(previous));
    out
}

/// The partition being evaluated on this thread.
pub fn current() -> usize {
    PARTITION.with(Cell::get)
}
