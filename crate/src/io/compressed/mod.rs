//! Compressed files (gzip, zstd, bzip2), decompressed as they stream in.
//!
//! The page reads a `.csv.gz` in slices and pushes them here; what comes out goes to the
//! file's reader (a [`ByteSink`]) in chunks of [`OUTPUT_CHUNK`] bytes, so neither the
//! compressed file nor its decompressed text is ever held whole. The output is counted
//! against a budget taken from the engine's memory ([`crate::memory`]): a decompression
//! bomb (a few KB that expand to many GB) is stopped with `OUT_OF_MEMORY` when its output
//! passes what the engine could hold, long before memory runs out.
//!
//! Where the format is made of independent units that can be found without decoding
//! them, they are decoded in parallel on the thread pool ([`split`]): bzip2 blocks, always
//! ([`bzip2_blocks`]); gzip members that state their size, as BGZF's do ([`bgzf`]); zstd
//! frames of bounded size, as `pzstd` writes them ([`zstd_frames`]). A plain `.gz` (one
//! member, whose end only inflating finds) and a zstd file of one big frame are inflated
//! on one thread ([`serial`]). Either way a slice is decompressed while the reader decodes
//! what the slice before it gave (two tasks of the pool).
//!
//! All three decoders build for wasm32: flate2 with its Rust backend, bzip2 with its Rust
//! port (libbz2-rs-sys) and zstd, whose C code clang compiles as it does for Parquet.

mod bgzf;
mod bzip2_blocks;
mod output;
mod serial;
mod split;
#[cfg(test)]
mod tests;
mod zstd_frames;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::memory::{self, describe_bytes};
use output::{Budget, Output};
use serial::Decoder;
use split::{Engine, Plan, Settled, Split};
/// Decompressed bytes handed to the reader at a time.
pub const OUTPUT_CHUNK: usize = 8 << 20;

/// How a file is compressed, told from its first bytes (never from its name alone, so a
/// `.gz` that is really plain text still loads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Gzip,
    Zstd,
    Bzip2,
}

/// Bytes [`Compression::detect`] looks at.
pub const SIGNATURE_BYTES: usize = 10;

impl Compression {
    /// The compression whose signature starts `head` (at least [`SIGNATURE_BYTES`] of
    /// the file, or all of it if shorter).
    pub fn detect(head: &[u8]) -> Option<Compression> {
        const BZIP2_BLOCK: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
        const BZIP2_END: [u8; 6] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
        if head.starts_with(&[0x1f, 0x8b, 0x08]) {
            Some(Compression::Gzip)
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
            // A skippable frame first, as `pzstd` writes before each frame.
            || (head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18])
        {
            Some(Compression::Zstd)
        } else if head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            && (head[4..10] == BZIP2_BLOCK || head[4..10] == BZIP2_END)
        {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }

    /// The name people know the format by.
    pub fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
        }
    }
}

/// A reader that takes a file's bytes in order, a chunk at a time. `Send`: it reads on a
/// pool thread while the next slice is decompressed on others.
pub trait ByteSink: Send {
    fn push(&mut self, chunk: &[u8]) -> Result<()>;
}

/// How the file is being decompressed.
enum Mode {
    /// In independent units on the pool, their text gathered in the `Output`.
    Split(Box<dyn Engine>, Output),
    /// By one streaming decoder, which writes into its `Output`.
    Serial(Decoder<Output>),
    /// Only while changing from one to the other.
    Switching,
}

/// Decompresses a file pushed in slices and feeds its content to a reader `S`.
pub struct Decompressor<S: ByteSink> {
    mode: Mode,
    sink: S,
    compression: Compression,
    /// Compressed bytes pushed so far.
    read: u64,
}

impl<S: ByteSink> Decompressor<S> {
    /// A decompressor whose output may take what the engine has left (see
    /// [`memory::available`]).
    pub fn new(compression: Compression, sink: S) -> Result<Self> {
        Self::with_limit(compression, sink, memory::available() as u64)
    }

    /// A decompressor that stops with `OUT_OF_MEMORY` once its output passes `limit`
    /// bytes (tests use a small one to try a bomb).
    pub fn with_limit(compression: Compression, sink: S, limit: u64) -> Result<Self> {
        let engine: Box<dyn Engine> = match compression {
            Compression::Gzip => Box::new(Split::new(bgzf::Bgzf::new())),
            Compression::Zstd => Box::new(Split::new(zstd_frames::ZstdFrames::new())),
            Compression::Bzip2 => Box::new(Split::new(bzip2_blocks::Bzip2Blocks::new())),
        };
        Ok(Decompressor {
            mode: Mode::Split(engine, Output::new(limit)),
            sink,
            compression,
            read: 0,
        })
    }

    /// A decompressor driving `engine` (tests plant false bzip2 magics in one).
    #[cfg(test)]
    fn with_engine(compression: Compression, engine: Box<dyn Engine>, sink: S) -> Self {
        Decompressor {
            mode: Mode::Split(engine, Output::new(u64::MAX)),
            sink,
            compression,
            read: 0,
        }
    }

    /// The reader being fed.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// Decompressed bytes produced so far.
    pub fn bytes_out(&self) -> u64 {
        match &self.mode {
            Mode::Split(_, output) => output.written,
            Mode::Serial(decoder) => decoder.output().written,
            Mode::Switching => 0,
        }
    }

    /// Whether the file is being decoded in parallel units (tests).
    #[cfg(test)]
    fn is_split(&self) -> bool {
        matches!(self.mode, Mode::Split(..))
    }

    /// Decompresses the next slice of the file while the reader takes the chunks the
    /// slices before it gave.
    pub fn push(&mut self, compressed: &[u8]) -> Result<()> {
        self.read += compressed.len() as u64;
        match &mut self.mode {
            Mode::Split(engine, _) => {
                engine.take(compressed);
                self.run_split(false)
            }
            _ => self.inflate(compressed),
        }
    }

    /// Checks that the compressed data ended where the file does, feeds the last bytes to
    /// the reader and returns it.
    pub fn finish(mut self) -> Result<S> {
        if let Mode::Split(..) = self.mode {
            self.run_split(true)?;
        }
        let rest = match &mut self.mode {
            Mode::Split(_, output) => output.take_all(),
            Mode::Serial(decoder) => match decoder.finish() {
                Ok(()) => decoder.output_mut().take_all(),
                Err(e) => return Err(self.error(e.to_string(), true)),
            },
            Mode::Switching => {
                return Err(Error::internal(
                    "decompressing a file",
                    "the serial decoder is not there",
                ))
            }
        };
        feed(&mut self.sink, rest)?;
        Ok(self.sink)
    }

    /// Inflates with the serial decoder while the reader takes the chunks ready.
    fn inflate(&mut self, compressed: &[u8]) -> Result<()> {
        let Mode::Serial(decoder) = &mut self.mode else {
            return Err(Error::internal(
                "decompressing a file",
                "the serial decoder is not there",
            ));
        };
        let ready = std::mem::take(&mut decoder.output_mut().chunks);
        let sink = &mut self.sink;
        let (fed, inflated) = rayon::join(|| feed(sink, ready), || decoder.write_all(compressed));
        // The reader's error first: its bytes come first in the file.
        fed?;
        inflated.map_err(|e| self.error(e.to_string(), false))
    }

    /// Decodes the complete units in batches, each while the reader takes the text of the
    /// batch before it, until more bytes are needed (or, `at_end`, the file is done).
    fn run_split(&mut self, at_end: bool) -> Result<()> {
        let threads = rayon::current_num_threads();
        loop {
            let Mode::Split(engine, output) = &mut self.mode else {
                return Ok(());
            };
            match engine.plan(at_end, threads) {
                Plan::Batch => {
                    let ready = std::mem::take(&mut output.chunks);
                    let budget = Budget::new(output.written, output.limit);
                    let sink = &mut self.sink;
                    let (fed, ()) = rayon::join(|| feed(sink, ready), || engine.decode(&budget));
                    output.written = budget.produced();
                    fed?;
                    match engine.settle(output)? {
                        Settled::Continue => {}
                        Settled::Serial(bytes) => return self.go_serial(&bytes),
                        Settled::Corrupt(reason) => return Err(self.error(reason, false)),
                    }
                }
                Plan::Wait | Plan::End => return Ok(()),
                Plan::Serial(bytes) => return self.go_serial(&bytes),
                Plan::Corrupt { reason, truncated } => return Err(self.error(reason, truncated)),
            }
        }
    }

    /// Hands the rest of the file, from `bytes` on, to the serial decoder.
    fn go_serial(&mut self, bytes: &[u8]) -> Result<()> {
        let Mode::Split(_, output) = std::mem::replace(&mut self.mode, Mode::Switching) else {
            return Ok(());
        };
        self.mode = Mode::Serial(Decoder::new(self.compression, output)?);
        self.inflate(bytes)
    }

    /// The error to report for a decoder's failure: the reader's or the budget's own
    /// error if one stopped the output, otherwise damaged data.
    fn error(&mut self, err: String, at_end: bool) -> Error {
        if let Mode::Serial(decoder) = &mut self.mode {
            if let Some(failure) = decoder.output_mut().failure.take() {
                return failure;
            }
        }
        let name = self.compression.name();
        let out = describe_bytes(self.bytes_out() as usize);
        if at_end {
            Error::new(
                ErrorCode::CompressedCorrupt,
                format!(
                    "the {name} data stops before its end ({out} decompressed from the whole \
                     file, {}) or fails its checksum ({err}): the file is truncated or \
                     damaged, perhaps an interrupted download; download or compress it again",
                    describe_bytes(self.read as usize)
                ),
            )
        } else {
            Error::new(
                ErrorCode::CompressedCorrupt,
                format!(
                    "the {name} data is damaged within the first {} of the file ({err}; {out} \
                     decompressed before it): download or compress it again",
                    describe_bytes(self.read as usize)
                ),
            )
        }
    }
}

/// Hands decompressed chunks to the reader in order, each freed once it is read.
fn feed<S: ByteSink>(sink: &mut S, chunks: Vec<Vec<u8>>) -> Result<()> {
    for chunk in chunks {
        sink.push(&chunk)?;
    }
    Ok(())
}
