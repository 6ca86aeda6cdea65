//! Where decompressed bytes go before the reader takes them, and the budget they are
//! counted against.
//!
//! [`Output`] gathers the file's text, in order, into [`OUTPUT_CHUNK`]s for the reader.
//! The serial decoders write into it (counting each byte against the budget as it is
//! made); the parallel path decodes each unit into a [`UnitOutput`] on a pool thread,
//! counting into a shared [`Budget`] as it goes, and appends the units to the `Output` in
//! order once they are done. Either way a decompression bomb is stopped as its output
//! passes the limit, not after.

use std::io::{self, Write};
use std::sync::atomic::{AtomicU64, Ordering};

use super::OUTPUT_CHUNK;
use crate::error::{Error, ErrorCode, Result};
use crate::memory::{self, describe_bytes};

/// The error a bomb gets once its output passes `limit`.
fn too_big(limit: u64) -> Error {
    let limit = describe_bytes(limit as usize);
    Error::new(
        ErrorCode::OutOfMemory,
        format!(
            "the file decompresses to more than {limit}, more than the engine's memory can \
             hold (a file that expands this much may be a decompression bomb); decompress it \
             yourself and load a part of it"
        ),
    )
}

/// Room for the next chunk of text and the reader's copy of it (in wasm `available` is
/// what is really left once the table so far is counted).
fn check_room(written: u64) -> Result<()> {
    memory::check(
        2 * OUTPUT_CHUNK,
        "decompressing the next part of the file",
        &format!(
            "the file has expanded to {} so far; decompress it yourself and load a part of \
             it, or drop other tables first",
            describe_bytes(written as usize)
        ),
    )
}

/// Decompressed text in [`OUTPUT_CHUNK`]s, counted against the budget. A failure is kept
/// in `failure` (a decoder only passes `io::Error`s on) and reported in its place.
pub(super) struct Output {
    /// Whole chunks not handed to the reader yet.
    pub chunks: Vec<Vec<u8>>,
    /// The chunk being filled.
    pub buffer: Vec<u8>,
    /// Bytes decompressed so far.
    pub written: u64,
    pub limit: u64,
    pub failure: Option<Error>,
}

impl Output {
    pub fn new(limit: u64) -> Self {
        Output {
            chunks: Vec::new(),
            buffer: Vec::new(),
            written: 0,
            limit,
            failure: None,
        }
    }

    fn fail(&mut self, error: Error) -> io::Error {
        self.failure = Some(error);
        io::Error::other("stopped")
    }

    /// Adds bytes already counted against the budget (a unit's output) to the chunks.
    pub fn append(&mut self, mut bytes: &[u8]) -> Result<()> {
        while !bytes.is_empty() {
            if self.buffer.capacity() == 0 {
                check_room(self.written)?;
                self.buffer.reserve_exact(OUTPUT_CHUNK + (64 << 10));
            }
            let take = bytes.len().min(OUTPUT_CHUNK - self.buffer.len());
            self.buffer.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.buffer.len() >= OUTPUT_CHUNK {
                self.chunks.push(std::mem::take(&mut self.buffer));
            }
        }
        Ok(())
    }

    /// Everything not handed to the reader yet, the partial chunk included.
    pub fn take_all(&mut self) -> Vec<Vec<u8>> {
        let mut rest = std::mem::take(&mut self.chunks);
        if !self.buffer.is_empty() {
            rest.push(std::mem::take(&mut self.buffer));
        }
        rest
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.written += bytes.len() as u64;
        if self.written > self.limit {
            return Err(self.fail(too_big(self.limit)));
        }
        if self.buffer.capacity() == 0 {
            if let Err(e) = check_room(self.written) {
                return Err(self.fail(e));
            }
            self.buffer.reserve_exact(OUTPUT_CHUNK + (64 << 10));
        }
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= OUTPUT_CHUNK {
            self.chunks.push(std::mem::take(&mut self.buffer));
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The output budget shared by the units of a batch decoded at once.
pub(super) struct Budget {
    produced: AtomicU64,
    limit: u64,
}

impl Budget {
    /// A budget of `limit` bytes of which `produced` are already made.
    pub fn new(produced: u64, limit: u64) -> Self {
        Budget {
            produced: AtomicU64::new(produced),
            limit,
        }
    }

    /// Bytes made so far, by every unit.
    pub fn produced(&self) -> u64 {
        self.produced.load(Ordering::Relaxed)
    }

    /// Counts `bytes` more; an error once the total passes the limit.
    fn spend(&self, bytes: u64) -> Result<u64> {
        // Units that start once the budget is spent stop without adding to it, so the
        // output passes the limit by at most a step per thread.
        if self.produced() > self.limit {
            return Err(too_big(self.limit));
        }
        let total = self.produced.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if total > self.limit {
            return Err(too_big(self.limit));
        }
        Ok(total)
    }
}

/// Bytes a unit's decoder is offered at a time: how far past the budget a unit can go.
pub(super) const STEP: usize = 256 << 10;

/// One unit's output, made on a pool thread and counted as it is made.
pub(super) struct UnitOutput<'a> {
    budget: &'a Budget,
    /// Finished chunks of at most [`OUTPUT_CHUNK`], and the one being filled last.
    chunks: Vec<Vec<u8>>,
    /// Set when the budget or the engine's memory stopped the unit (not damaged data).
    pub stop: Option<Error>,
}

impl<'a> UnitOutput<'a> {
    pub fn new(budget: &'a Budget) -> Self {
        UnitOutput {
            budget,
            chunks: Vec::new(),
            stop: None,
        }
    }

    /// Room for up to [`STEP`] bytes at the end of the output, for a decoder to fill and
    /// [`UnitOutput::commit`].
    pub fn spare(&mut self) -> &mut [u8] {
        let start_new = self
            .chunks
            .last()
            .is_none_or(|chunk| chunk.len() + STEP > OUTPUT_CHUNK);
        if start_new {
            self.chunks.push(Vec::new());
        }
        let chunk = self.chunks.last_mut().expect("a chunk was pushed");
        let len = chunk.len();
        chunk.resize(len + STEP, 0);
        &mut chunk[len..]
    }

    /// Keeps `filled` bytes of the last [`UnitOutput::spare`] and counts them: an
    /// `io::Error` (with `stop` set) once the budget or the engine's memory runs out.
    pub fn commit(&mut self, filled: usize) -> io::Result<()> {
        let Some(chunk) = self.chunks.last_mut() else {
            return Ok(());
        };
        let len = chunk.len() - STEP + filled.min(STEP);
        chunk.truncate(len);
        if filled == 0 {
            return Ok(());
        }
        let before = self.budget.produced();
        let checked = self.budget.spend(filled as u64).and_then(|total| {
            // Each time the file's output passes another chunk, as the serial path does.
            if total / OUTPUT_CHUNK as u64 != before / OUTPUT_CHUNK as u64 {
                check_room(total)?;
            }
            Ok(())
        });
        checked.map_err(|e| {
            self.stop = Some(e);
            io::Error::other("stopped")
        })
    }

    /// The unit's text, in order.
    pub fn into_chunks(mut self) -> Vec<Vec<u8>> {
        self.chunks.retain(|chunk| !chunk.is_empty());
        self.chunks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_stopped_once_the_shared_budget_is_spent() {
        let budget = Budget::new(0, 3 * STEP as u64);
        let mut first = UnitOutput::new(&budget);
        let mut second = UnitOutput::new(&budget);
        for out in [&mut first, &mut second] {
            out.spare();
            out.commit(STEP).unwrap();
        }
        first.spare();
        first.commit(STEP).unwrap();
        second.spare();
        assert!(second.commit(1).is_err());
        assert_eq!(
            second.stop.as_ref().map(Error::code),
            Some(ErrorCode::OutOfMemory)
        );
        assert_eq!(first.into_chunks().concat().len(), 2 * STEP);
    }

    #[test]
    fn appended_text_is_cut_into_output_chunks() {
        let mut output = Output::new(u64::MAX);
        output.append(&vec![1; OUTPUT_CHUNK + 3]).unwrap();
        output.append(&[2; 5]).unwrap();
        assert_eq!(output.chunks.len(), 1);
        let all = output.take_all();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].len(), 8);
    }
}
