//! The streaming decoders, one thread each: a plain `.gz` (one member, whose end only
//! inflating finds), a zstd file of one big frame, and whatever the parallel path hands
//! over when a file stops looking like independent units.

use std::io::{self, Write};

use super::Compression;
use crate::error::{Error, Result};

pub(super) enum Decoder<W: Write> {
    /// Boxed: with the zlib-rs backend (which calamine's zip reader turns on for flate2)
    /// its state is several times the others'.
    Gzip(Box<flate2::write::MultiGzDecoder<W>>),
    Zstd(zstd::stream::write::Decoder<'static, W>),
    Bzip2(MultiBzDecoder<W>),
}

impl<W: Write> Decoder<W> {
    pub fn new(compression: Compression, output: W) -> Result<Self> {
        Ok(match compression {
            Compression::Gzip => {
                Decoder::Gzip(Box::new(flate2::write::MultiGzDecoder::new(output)))
            }
            Compression::Zstd => Decoder::Zstd(
                zstd::stream::write::Decoder::new(output)
                    .map_err(|e| Error::internal("starting a zstd decoder", e))?,
            ),
            Compression::Bzip2 => Decoder::Bzip2(MultiBzDecoder::new(output)),
        })
    }

    pub fn output(&self) -> &W {
        match self {
            Decoder::Gzip(d) => d.get_ref(),
            Decoder::Zstd(d) => d.get_ref(),
            Decoder::Bzip2(d) => d.get_ref(),
        }
    }

    pub fn output_mut(&mut self) -> &mut W {
        match self {
            Decoder::Gzip(d) => d.get_mut(),
            Decoder::Zstd(d) => d.get_mut(),
            Decoder::Bzip2(d) => d.get_mut(),
        }
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        match self {
            Decoder::Gzip(d) => d.write_all(bytes),
            Decoder::Zstd(d) => d.write_all(bytes),
            Decoder::Bzip2(d) => d.write_all(bytes),
        }
    }

    /// Ends the stream: an error if the compressed data is incomplete.
    pub fn finish(&mut self) -> io::Result<()> {
        match self {
            Decoder::Gzip(d) => d.try_finish(),
            Decoder::Zstd(d) => d.do_finish(),
            Decoder::Bzip2(d) => d.try_finish(),
        }
    }
}

/// bzip2's write decoder reads one stream; files made by parallel compressors (`pbzip2`,
/// `lbzip2`) are several streams one after another, as gzip members can be.
pub(super) struct MultiBzDecoder<W: Write> {
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
