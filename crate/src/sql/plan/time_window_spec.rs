//! What a SELECT's time window is (`window(ts, ...)`, planned in `time_window.rs`): the
//! planner keeps it while the SELECT is planned, so each `window(...)` call reads the
//! column it added.

use crate::sql::plan::expr::Expr;

/// The qualifier of the `window` column a SELECT's time window adds: `*` leaves it out,
/// as Spark's star does (the column is added after `*` is expanded there).
pub const TIME_WINDOW: &str = "__time_window";

/// A time window: the time it reads and its length, slide and start, in microseconds.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeWindowSpec {
    pub time: Expr,
    pub length: i64,
    pub slide: i64,
    pub start: i64,
    /// `session_window(time, gap)`: `length` is the gap (`slide` the same, `start` 0).
    pub session: bool,
}

/// The window of the SELECT being planned and the position of its column.
#[derive(Debug, Clone)]
pub struct TimeWindowColumn {
    pub spec: TimeWindowSpec,
    pub column: usize,
}
