//! Decoding a compressed file as independent units on the thread pool: bzip2 blocks
//! ([`super::bzip2_blocks`]), BGZF members ([`super::bgzf`]) and zstd frames
//! ([`super::zstd_frames`]).
//!
//! A [`Format`] finds where each unit ends in the compressed bytes pushed so far, without
//! decoding it. The [`Split`] engine takes the complete units in batches (a few per
//! thread: the batch's text is all held until it is handed on, so never the whole file),
//! decodes a batch in parallel, and hands the units' text on in file order. A unit that
//! fails to decode is the format's to judge ([`Format::recover`]): a false boundary to
//! mend, a file that is not what its headers said (go on with the serial decoder), or
//! damaged data.

use std::collections::VecDeque;
use std::io;

use rayon::prelude::*;

use super::output::{Budget, Output, UnitOutput};
use crate::error::{Error, Result};

/// What comes next in the compressed bytes.
pub(super) enum Next<U> {
    /// A complete unit, taken out of the format's buffer.
    Unit(U),
    /// The next unit is not complete yet.
    Wait,
    /// From here on the file is not made of units this path can split (a plain gzip
    /// member, a zstd frame too big to hold whole, an incomplete unit at the end): the
    /// serial decoder takes the bytes left (see [`Format::take_rest`]).
    Serial,
    /// The data is damaged (`truncated`: it stops before its end).
    Corrupt { reason: String, truncated: bool },
    /// Every unit has been taken and the file ended where it should.
    End,
}

/// What to do after a unit failed to decode.
pub(super) enum Recovery<U> {
    /// Decode these units next, before any new one (e.g. a block joined with the next).
    Retry(Vec<U>),
    /// Hand these bytes, then all the rest, to the serial decoder.
    Serial(Vec<u8>),
    /// The data is damaged.
    Corrupt(String),
}

/// Compressed bytes taken but not yet cut into units, for formats whose units are
/// byte-aligned runs of the file (BGZF members, zstd frames): the taken part at the front
/// is dropped once it is half the buffer, so the buffer stays about one slice long.
#[derive(Default)]
pub(super) struct Pending {
    buf: Vec<u8>,
    /// Where the next unit starts in `buf`.
    pos: usize,
}

impl Pending {
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The bytes from the next unit's start.
    pub fn rest(&self) -> &[u8] {
        &self.buf[self.pos..]
    }

    /// The next `len` bytes, as a unit of their own.
    pub fn cut(&mut self, len: usize) -> Vec<u8> {
        let unit = self.rest()[..len].to_vec();
        self.pos += len;
        unit
    }

    /// Every byte not cut yet (for the serial decoder), leaving none.
    pub fn take_all(&mut self) -> Vec<u8> {
        let rest = self.buf.split_off(self.pos);
        self.buf.clear();
        self.pos = 0;
        rest
    }
}

/// A unit that failed, and the units decoded after it, handed back as bytes to the
/// serial decoder (which decides whether they are damaged): for units that are a run of
/// the file's bytes.
pub(super) fn serial_from(failed: Vec<u8>, later: Vec<Vec<u8>>) -> Recovery<Vec<u8>> {
    Recovery::Serial(
        std::iter::once(failed)
            .chain(later)
            .collect::<Vec<_>>()
            .concat(),
    )
}

/// A compressed format whose file is a sequence of units decoded independently.
pub(super) trait Format: Send {
    type Unit: Send + Sync;

    /// Takes the next compressed bytes of the file.
    fn take(&mut self, bytes: &[u8]);

    /// The next unit; `at_end` once the whole file has been taken.
    fn next(&mut self, at_end: bool) -> Next<Self::Unit>;

    /// The compressed bytes not taken as units yet (for the serial decoder).
    fn take_rest(&mut self) -> Vec<u8>;

    /// Compressed bytes of a unit (batches are sized by them).
    fn size(unit: &Self::Unit) -> usize;

    /// Decodes a unit into `out`. Runs on a pool thread.
    fn decode(unit: &Self::Unit, out: &mut UnitOutput) -> io::Result<()>;

    /// Checks, in file order, each unit that decoded (e.g. a bzip2 stream's checksum
    /// over its blocks): `Err` with the reason if the data is damaged. Units whose own
    /// decoding checks everything accept all.
    fn accept(&mut self, _unit: &Self::Unit) -> std::result::Result<(), String> {
        Ok(())
    }

    /// A unit failed to decode (`reason`); `later` are the units after it in its batch,
    /// decoded but not accepted.
    fn recover(
        &mut self,
        failed: Self::Unit,
        later: Vec<Self::Unit>,
        reason: String,
    ) -> Recovery<Self::Unit>;
}

/// What [`Engine::plan`] found to do.
pub(super) enum Plan {
    /// A batch is ready for [`Engine::decode`].
    Batch,
    /// Nothing more until more bytes are pushed.
    Wait,
    /// Go on with the serial decoder from these bytes.
    Serial(Vec<u8>),
    Corrupt {
        reason: String,
        truncated: bool,
    },
    End,
}

/// What [`Engine::settle`] left to do.
pub(super) enum Settled {
    Continue,
    Serial(Vec<u8>),
    Corrupt(String),
}

/// [`Split`] with its format's type erased, for the decompressor to hold.
pub(super) trait Engine: Send {
    fn take(&mut self, bytes: &[u8]);
    /// Gathers the next batch of complete units for `threads` threads.
    fn plan(&mut self, at_end: bool, threads: usize) -> Plan;
    /// Decodes the batch in parallel, each unit's output counted against `budget`.
    fn decode(&mut self, budget: &Budget);
    /// Hands the batch's text to `output` in file order.
    fn settle(&mut self, output: &mut Output) -> Result<Settled>;
}

/// Compressed bytes per thread a batch aims for (with at least one unit per thread):
/// enough text per batch for the reader to work on while the next batch decodes.
const BATCH_BYTES_PER_THREAD: usize = 1 << 20;
/// Most units in a batch (many tiny units still make one batch of bounded text).
const BATCH_UNITS_PER_THREAD: usize = 256;

/// Why a unit's decoding stopped.
enum Failure {
    /// The budget or the engine's memory: reported as is.
    Stop(Error),
    /// The decoder refused the data.
    Bad(String),
}

pub(super) struct Split<F: Format> {
    format: F,
    /// Units to decode before new ones (a retry).
    retry: VecDeque<F::Unit>,
    /// What [`Format::next`] said after the batch's last unit, kept for after it.
    held: Option<Next<F::Unit>>,
    batch: Vec<F::Unit>,
    results: Vec<std::result::Result<Vec<Vec<u8>>, Failure>>,
}

impl<F: Format> Split<F> {
    pub fn new(format: F) -> Self {
        Split {
            format,
            retry: VecDeque::new(),
            held: None,
            batch: Vec::new(),
            results: Vec::new(),
        }
    }
}

impl<F: Format> Engine for Split<F> {
    fn take(&mut self, bytes: &[u8]) {
        self.format.take(bytes);
    }

    fn plan(&mut self, at_end: bool, threads: usize) -> Plan {
        let threads = threads.max(1);
        let mut bytes = 0;
        let mut next = None;
        while self.batch.len() < threads * BATCH_UNITS_PER_THREAD
            && (bytes < threads * BATCH_BYTES_PER_THREAD || self.batch.len() < threads)
        {
            let unit = match self.retry.pop_front() {
                Some(unit) => unit,
                None => match self.held.take().unwrap_or_else(|| self.format.next(at_end)) {
                    Next::Unit(unit) => unit,
                    other => {
                        next = Some(other);
                        break;
                    }
                },
            };
            bytes += F::size(&unit);
            self.batch.push(unit);
        }
        if !self.batch.is_empty() {
            // Whatever stopped the batch waits for it to be decoded and handed on.
            if let Some(Next::Serial | Next::Corrupt { .. } | Next::End) = &next {
                self.held = next;
            }
            return Plan::Batch;
        }
        match next {
            None | Some(Next::Wait) => Plan::Wait,
            Some(Next::Unit(_)) => unreachable!("a unit is batched"),
            Some(Next::Serial) => Plan::Serial(self.format.take_rest()),
            Some(Next::Corrupt { reason, truncated }) => Plan::Corrupt { reason, truncated },
            Some(Next::End) => Plan::End,
        }
    }

    fn decode(&mut self, budget: &Budget) {
        self.results = self
            .batch
            .par_iter()
            .with_max_len(1)
            .map(|unit| {
                let mut out = UnitOutput::new(budget);
                match F::decode(unit, &mut out) {
                    Ok(()) => Ok(out.into_chunks()),
                    Err(e) => Err(match out.stop.take() {
                        Some(stop) => Failure::Stop(stop),
                        None => Failure::Bad(e.to_string()),
                    }),
                }
            })
            .collect();
    }

    fn settle(&mut self, output: &mut Output) -> Result<Settled> {
        let batch = std::mem::take(&mut self.batch);
        let results = std::mem::take(&mut self.results);
        let mut units = batch.into_iter().zip(results);
        while let Some((unit, result)) = units.next() {
            match result {
                Ok(chunks) => {
                    if let Err(reason) = self.format.accept(&unit) {
                        return Ok(Settled::Corrupt(reason));
                    }
                    for chunk in chunks {
                        output.append(&chunk)?;
                    }
                }
                Err(Failure::Stop(error)) => return Err(error),
                Err(Failure::Bad(reason)) => {
                    let later = units.map(|(unit, _)| unit).collect();
                    return Ok(match self.format.recover(unit, later, reason) {
                        Recovery::Retry(units) => {
                            // The end was found before the unit failed; the format
                            // says again, once the retry is done, whether it is one.
                            if matches!(self.held, Some(Next::End)) {
                                self.held = None;
                            }
                            for unit in units.into_iter().rev() {
                                self.retry.push_front(unit);
                            }
                            Settled::Continue
                        }
                        Recovery::Serial(mut bytes) => {
                            // Everything after, the held outcome's bytes included.
                            self.held = None;
                            bytes.extend(self.format.take_rest());
                            Settled::Serial(bytes)
                        }
                        Recovery::Corrupt(reason) => Settled::Corrupt(reason),
                    });
                }
            }
        }
        Ok(Settled::Continue)
    }
}
