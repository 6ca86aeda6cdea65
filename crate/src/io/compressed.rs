//! Compressed files (gzip, zstd, bzip2), decompressed as they stream in.
//!
//! The page reads a `.csv.gz` in slices and pushes them here; what comes out goes to the
//! file's reader (a [`ByteSink`]) in chunks of [`OUTPUT_CHUNK`] bytes, so neither the
//! compressed file nor its decompressed text is ever held whole. Inflating is serial, so
//! a slice is inflated while the reader decodes what the slice before it gave (two tasks
//! of the thread pool): the decoders are not left waiting on one thread. The output is
//! counted against a budget taken from the engine's memory ([`crate::memory`]): a
//! decompression bomb (a few KB that expand to many GB) is stopped with `OUT_OF_MEMORY`
//! when its output passes what the engine could hold, long before memory runs out.
//!
//! All three decoders build for wasm32: flate2 with its Rust backend, bzip2 with its Rust
//! port (libbz2-rs-sys) and zstd, whose C code clang compiles as it does for Parquet.

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::memory::{self, describe_bytes};

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
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
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
/// pool thread while the next slice is inflated on another.
pub trait ByteSink: Send {
    fn push(&mut self, chunk: &[u8]) -> Result<()>;
}

/// Decompresses a file pushed in slices and feeds its content to a reader `S`.
pub struct Decompressor<S: ByteSink> {
    decoder: Decoder<Output>,
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
        let output = Output {
            chunks: Vec::new(),
            buffer: Vec::new(),
            written: 0,
            limit,
            failure: None,
        };
        let decoder = match compression {
            Compression::Gzip => {
                Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(output)))
            }
            Compression::Zstd => Decoder::Zstd(
                zstd::stream::write::Decoder::new(output)
                    .map_err(|e| Error::internal("starting a zstd decoder", e))?,
            ),
            Compression::Bzip2 => Decoder::Bzip2(MultiBzDecoder::new(output)),
        };
        Ok(Decompressor {
            decoder,
            sink,
            compression,
            read: 0,
        })
    }

    /// The reader being fed.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    /// Decompressed bytes produced so far.
    pub fn bytes_out(&self) -> u64 {
        self.decoder.output().written
    }

    /// Decompresses the next slice of the file while the reader takes the chunks the
    /// slices before it gave.
    pub fn push(&mut self, compressed: &[u8]) -> Result<()> {
        let ready = std::mem::take(&mut self.decoder.output_mut().chunks);
        let (decoder, sink) = (&mut self.decoder, &mut self.sink);
        let (fed, inflated) = rayon::join(|| feed(sink, ready), || decoder.write_all(compressed));
        self.read += compressed.len() as u64;
        // The reader's error first: its bytes come first in the file.
        fed?;
        inflated.map_err(|e| self.error(e, false))
    }

    /// Checks that the compressed data ended where the file does, feeds the last bytes to
    /// the reader and returns it.
    pub fn finish(mut self) -> Result<S> {
        if let Err(e) = self.decoder.finish() {
            return Err(self.error(e, true));
        }
        let output = self.decoder.output_mut();
        let mut rest = std::mem::take(&mut output.chunks);
        if !output.buffer.is_empty() {
            rest.push(std::mem::take(&mut output.buffer));
        }
        feed(&mut self.sink, rest)?;
        Ok(self.sink)
    }

    /// The error to report for a decoder's `io::Error`: the reader's or the budget's own
    /// error if one stopped the output, otherwise damaged data.
    fn error(&mut self, err: io::Error, at_end: bool) -> Error {
        if let Some(failure) = self.decoder.output_mut().failure.take() {
            return failure;
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

/// Where decoders write: counts the output against the budget and gathers it in
/// [`OUTPUT_CHUNK`]s for the reader. A failure is kept in `failure` (a decoder only passes
/// `io::Error`s on) and reported in its place.
struct Output {
    /// Whole chunks not handed to the reader yet.
    chunks: Vec<Vec<u8>>,
    /// The chunk being filled.
    buffer: Vec<u8>,
    written: u64,
    limit: u64,
    failure: Option<Error>,
}

impl Output {
    fn fail(&mut self, error: Error) -> io::Error {
        self.failure = Some(error);
        io::Error::other("stopped")
    }
}

impl Write for Output {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.written += bytes.len() as u64;
        if self.written > self.limit {
            let limit = describe_bytes(self.limit as usize);
            return Err(self.fail(Error::new(
                ErrorCode::OutOfMemory,
                format!(
                    "the file decompresses to more than {limit}, more than the engine's memory \
                     can hold (a file that expands this much may be a decompression bomb); \
                     decompress it yourself and load a part of it"
                ),
            )));
        }
        if self.buffer.capacity() == 0 {
            // In wasm `available` is what is really left once the table so far is counted;
            // room for this chunk and the reader's copy of it.
            if let Err(e) = memory::check(
                2 * OUTPUT_CHUNK,
                "decompressing the next part of the file",
                &format!(
                    "the file has expanded to {} so far; decompress it yourself and load a \
                     part of it, or drop other tables first",
                    describe_bytes(self.written as usize)
                ),
            ) {
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

enum Decoder<W: Write> {
    /// Boxed: with the zlib-rs backend (which calamine's zip reader turns on for flate2)
    /// its state is several times the others'.
    Gzip(Box<flate2::write::MultiGzDecoder<W>>),
    Zstd(zstd::stream::write::Decoder<'static, W>),
    Bzip2(MultiBzDecoder<W>),
}

impl<W: Write> Decoder<W> {
    fn output(&self) -> &W {
        match self {
            Decoder::Gzip(d) => d.get_ref(),
            Decoder::Zstd(d) => d.get_ref(),
            Decoder::Bzip2(d) => d.get_ref(),
        }
    }

    fn output_mut(&mut self) -> &mut W {
        match self {
            Decoder::Gzip(d) => d.get_mut(),
            Decoder::Zstd(d) => d.get_mut(),
            Decoder::Bzip2(d) => d.get_mut(),
        }
    }

    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Decoder::Gzip(d) => d.write_all(bytes),
            Decoder::Zstd(d) => d.write_all(bytes),
            Decoder::Bzip2(d) => d.write_all(bytes),
        }
    }

    /// Ends the stream: an error if the compressed data is incomplete.
    fn finish(&mut self) -> io::Result<()> {
        match self {
            Decoder::Gzip(d) => d.try_finish(),
            Decoder::Zstd(d) => d.do_finish(),
            Decoder::Bzip2(d) => d.try_finish(),
        }
    }
}

/// bzip2's write decoder reads one stream; files made by parallel compressors (`pbzip2`,
/// `lbzip2`) are several streams one after another, as gzip members can be.
struct MultiBzDecoder<W: Write> {
    inner: bzip2::write::BzDecoder<W>,
}

impl<W: Write> MultiBzDecoder<W> {
    fn new(output: W) -> Self {
        MultiBzDecoder {
            inner: bzip2::write::BzDecoder::new(output),
        }
    }

    fn get_ref(&self) -> &W {
        self.inner.get_ref()
    }

    fn get_mut(&mut self) -> &mut W {
        self.inner.get_mut()
    }

    fn try_finish(&mut self) -> io::Result<()> {
        self.inner.try_finish()
    }
}

impl<W: Write> Write for MultiBzDecoder<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if bytes.is_empty() {
            return Ok(0);
        }
        match self.inner.write(bytes)? {
            // The stream ended: the rest is the next stream. (`finish` hands the output
            // over, and the new decoder takes it before anything else can look.)
            0 => {
                let output = self.inner.finish()?;
                self.inner = bzip2::write::BzDecoder::new(output);
                self.inner.write(bytes)
            }
            n => Ok(n),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect(Vec<u8>, usize);

    impl ByteSink for Collect {
        fn push(&mut self, chunk: &[u8]) -> Result<()> {
            self.0.extend_from_slice(chunk);
            self.1 += 1;
            Ok(())
        }
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn bzip2(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn decompress(compression: Compression, bytes: &[u8], slice: usize) -> Result<Vec<u8>> {
        let mut decompressor = Decompressor::new(compression, Collect::default())?;
        for chunk in bytes.chunks(slice) {
            decompressor.push(chunk)?;
        }
        Ok(decompressor.finish()?.0)
    }

    #[test]
    fn detects_each_format_by_its_signature() {
        assert_eq!(Compression::detect(&gzip(b"a")), Some(Compression::Gzip));
        assert_eq!(Compression::detect(&bzip2(b"a")), Some(Compression::Bzip2));
        assert_eq!(Compression::detect(&bzip2(b"")), Some(Compression::Bzip2));
        let zstd = zstd::encode_all(&b"a"[..], 3).unwrap();
        assert_eq!(Compression::detect(&zstd), Some(Compression::Zstd));
        assert_eq!(Compression::detect(b"BZh9,name\n"), None);
        assert_eq!(Compression::detect(b"id,name\n1,a\n"), None);
    }

    #[test]
    fn multi_member_gzip_and_multi_stream_bzip2_decompress_whole() {
        let text = b"id,name\n1,a\n2,b\n";
        for (compression, pack) in [
            (Compression::Gzip, gzip as fn(&[u8]) -> Vec<u8>),
            (Compression::Bzip2, bzip2),
        ] {
            let mut two = pack(&text[..8]);
            two.extend(pack(&text[8..]));
            for slice in [1, 7, 4096] {
                assert_eq!(decompress(compression, &two, slice).unwrap(), text);
            }
        }
        let mut two = zstd::encode_all(&text[..8], 1).unwrap();
        two.extend(zstd::encode_all(&text[8..], 1).unwrap());
        assert_eq!(decompress(Compression::Zstd, &two, 5).unwrap(), text);
    }

    #[test]
    fn output_reaches_the_reader_in_bounded_chunks() {
        let text = vec![b'x'; 3 * OUTPUT_CHUNK + 5];
        let mut decompressor = Decompressor::new(Compression::Gzip, Collect::default()).unwrap();
        decompressor.push(&gzip(&text)).unwrap();
        let sink = decompressor.finish().unwrap();
        assert_eq!(sink.0.len(), text.len());
        assert_eq!(sink.1, 4);
    }
}
