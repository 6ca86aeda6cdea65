//! What a running job (a query, a load, a profile, a pipeline, a training) shares with
//! whoever started it: a cancel flag and a count of steps done out of steps expected.
//!
//! A leaf module: every layer that runs long work (`frame`, `sql`, `clean`, `profile`,
//! `ml`) takes a [`JobContext`], and none of them has to import another layer for it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use crate::error::{Error, ErrorCode, Result};

/// A job's signals: the cancel flag, the steps done and the steps expected.
#[derive(Debug, Clone, Default)]
pub struct JobContext {
    cancelled: Arc<AtomicBool>,
    progress: Arc<AtomicUsize>,
    /// Steps the running job will take (an estimate, for progress).
    total: Arc<AtomicUsize>,
}

impl JobContext {
    pub fn new(cancelled: Arc<AtomicBool>, progress: Arc<AtomicUsize>) -> Self {
        JobContext {
            cancelled,
            progress,
            total: Arc::default(),
        }
    }

    /// Where the cancel flag (one byte), the steps done and the steps expected (machine
    /// words) live in memory. In the browser's threads build the page reads and writes
    /// them directly in the engine's shared memory while a job runs.
    pub fn signal_addresses(&self) -> [usize; 3] {
        [
            Arc::as_ptr(&self.cancelled) as usize,
            Arc::as_ptr(&self.progress) as usize,
            Arc::as_ptr(&self.total) as usize,
        ]
    }

    /// Steps done and steps expected so far.
    pub fn progress(&self) -> (usize, usize) {
        (
            self.progress.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// Fails with `CANCELLED` once cancel was requested; work calls it between
    /// partitions.
    pub fn check(&self) -> Result<()> {
        if self.cancelled.load(Ordering::Relaxed) {
            Err(Error::new(ErrorCode::Cancelled, "the job was cancelled"))
        } else {
            Ok(())
        }
    }

    /// Announces `steps` more steps of work.
    pub fn expect_steps(&self, steps: usize) {
        self.total.fetch_add(steps, Ordering::Relaxed);
    }

    /// Records one more step done (a partition processed).
    pub fn advance(&self) {
        self.progress.fetch_add(1, Ordering::Relaxed);
    }
}
