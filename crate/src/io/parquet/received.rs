//! A Parquet file as the slices of it received so far, for decoding row groups while the
//! rest of the file is still being read.
//!
//! The page reads a file in slices; holding them as they come (no copy into one buffer)
//! and serving the reader's ranges from them lets a row group be decoded as soon as its
//! bytes are in, while the next slices are read.

use std::io::Read;

use bytes::{Buf, Bytes};
use parquet::errors::{ParquetError, Result as ParquetResult};
use parquet::file::reader::{ChunkReader, Length};

/// The parts of a file of known length received so far: each slice at its offset.
#[derive(Clone, Debug)]
pub struct ReceivedFile {
    len: u64,
    /// Slices by offset; they may overlap (the footer is read first, the whole file after).
    slices: Vec<(u64, Bytes)>,
    /// Bytes from the start of the file received without a gap.
    prefix: u64,
}

impl ReceivedFile {
    /// A file of `len` bytes of which nothing is received yet.
    pub fn new(len: u64) -> Self {
        ReceivedFile {
            len,
            slices: Vec::new(),
            prefix: 0,
        }
    }

    /// A whole file held in memory.
    pub fn whole(bytes: Bytes) -> Self {
        let mut file = ReceivedFile::new(bytes.len() as u64);
        file.add(0, bytes);
        file
    }

    /// Adds the bytes at `offset`. Bytes past the file's length are ignored.
    pub fn add(&mut self, offset: u64, bytes: Bytes) {
        let room = self.len.saturating_sub(offset).min(bytes.len() as u64) as usize;
        if room == 0 {
            return;
        }
        let at = self.slices.partition_point(|(o, _)| *o <= offset);
        self.slices.insert(at, (offset, bytes.slice(..room)));
        for (start, slice) in &self.slices {
            if *start > self.prefix {
                break;
            }
            self.prefix = self.prefix.max(start + slice.len() as u64);
        }
    }

    /// Bytes from the start of the file received without a gap.
    pub fn prefix(&self) -> u64 {
        self.prefix
    }

    /// The bytes of `start..end`: a view of one slice when it holds them all, a copy
    /// otherwise.
    fn range(&self, start: u64, end: u64) -> ParquetResult<Bytes> {
        if let Some((offset, slice)) = self.covering(start) {
            let from = (start - offset) as usize;
            if end - offset <= slice.len() as u64 {
                return Ok(slice.slice(from..(end - offset) as usize));
            }
        }
        let mut joined = Vec::with_capacity((end - start) as usize);
        self.copy_into(start, end, &mut |part| joined.extend_from_slice(part))?;
        Ok(Bytes::from(joined))
    }

    /// Hands the bytes of `start..end` to `sink` in order, slice by slice.
    fn copy_into(&self, start: u64, end: u64, sink: &mut dyn FnMut(&[u8])) -> ParquetResult<()> {
        let mut at = start;
        while at < end {
            let (offset, slice) = self.covering(at).ok_or_else(|| {
                ParquetError::EOF(format!(
                    "byte {at} of the file is not read yet (the file has {} bytes)",
                    self.len
                ))
            })?;
            let from = (at - offset) as usize;
            let to = ((end - offset) as usize).min(slice.len());
            sink(&slice[from..to]);
            at = offset + to as u64;
        }
        Ok(())
    }

    /// The slice holding byte `at` that reaches furthest past it.
    fn covering(&self, at: u64) -> Option<(u64, &Bytes)> {
        self.slices[..self.slices.partition_point(|(o, _)| *o <= at)]
            .iter()
            .filter(|(o, s)| o + s.len() as u64 > at)
            .max_by_key(|(o, s)| o + s.len() as u64)
            .map(|(o, s)| (*o, s))
    }
}

impl Length for ReceivedFile {
    fn len(&self) -> u64 {
        self.len
    }
}

impl ChunkReader for ReceivedFile {
    type T = ReceivedRead;

    fn get_read(&self, start: u64) -> ParquetResult<ReceivedRead> {
        if start > self.len {
            return Err(ParquetError::EOF(format!(
                "offset {start} is past the end of the file ({} bytes)",
                self.len
            )));
        }
        Ok(ReceivedRead {
            file: self.clone(),
            at: start,
        })
    }

    fn get_bytes(&self, start: u64, length: usize) -> ParquetResult<Bytes> {
        let end = start
            .checked_add(length as u64)
            .filter(|&end| end <= self.len)
            .ok_or_else(|| {
                ParquetError::EOF(format!(
                    "{length} bytes at offset {start} are past the end of the file ({} bytes)",
                    self.len
                ))
            })?;
        self.range(start, end)
    }
}

/// Reads a [`ReceivedFile`] onward from an offset, across its slices.
pub struct ReceivedRead {
    file: ReceivedFile,
    at: u64,
}

impl Read for ReceivedRead {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        // Past the end a reader would say 0 (end of file), but the `parquet` crate's Thrift
        // reader skips a field with `io::copy`, which takes 0 as "skipped": a corrupt page
        // header whose list claims two billion fields then skips them one by one past the
        // end, for seconds natively and far longer in wasm (found by the fuzzer). The
        // crate reads through here only with `read_exact` and those skips, so an error is
        // what it would report for a short read anyway.
        if self.at >= self.file.len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("the file ends at byte {}", self.file.len),
            ));
        }
        let Some((offset, slice)) = self.file.covering(self.at) else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("byte {} of the file is not read yet", self.at),
            ));
        };
        let mut rest = slice.slice((self.at - offset) as usize..);
        let n = rest.len().min(buf.len());
        rest.copy_to_slice(&mut buf[..n]);
        self.at += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_of(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn ranges_across_slices_are_the_files_bytes() {
        let bytes = file_of(100);
        let mut file = ReceivedFile::new(100);
        file.add(90, Bytes::copy_from_slice(&bytes[90..]));
        assert_eq!(file.prefix(), 0);
        assert!(file.get_bytes(0, 10).is_err());
        for (start, end) in [(0, 30), (30, 60), (60, 95)] {
            file.add(
                start,
                Bytes::copy_from_slice(&bytes[start as usize..end as usize]),
            );
        }
        assert_eq!(file.prefix(), 100);
        for (start, len) in [(0, 100), (25, 10), (28, 5), (55, 40), (99, 1), (100, 0)] {
            let got = file.get_bytes(start, len).unwrap();
            assert_eq!(&got[..], &bytes[start as usize..start as usize + len]);
        }
        let mut read = vec![0; 83];
        let mut reader = file.get_read(17).unwrap();
        reader.read_exact(&mut read).unwrap();
        assert_eq!(read, &bytes[17..]);
        // At the end a read is an error, not 0 bytes (see `ReceivedRead::read`): a
        // `std::io::copy` that skips past the end must fail, not succeed without moving.
        assert_eq!(
            reader.read(&mut [0; 8]).unwrap_err().kind(),
            std::io::ErrorKind::UnexpectedEof
        );
        let skipped = std::io::copy(
            &mut file.get_read(96).unwrap().take(8),
            &mut std::io::sink(),
        );
        assert!(skipped.is_err());
        assert_eq!(reader.read(&mut []).unwrap(), 0);
    }

    #[test]
    fn bytes_not_received_are_an_error_not_a_guess() {
        let bytes = file_of(100);
        let mut file = ReceivedFile::new(100);
        file.add(0, Bytes::copy_from_slice(&bytes[..40]));
        file.add(60, Bytes::copy_from_slice(&bytes[60..]));
        assert_eq!(file.prefix(), 40);
        assert!(file.get_bytes(30, 20).is_err());
        assert!(file.get_bytes(90, 20).is_err());
        let mut read = Vec::new();
        assert!(file.get_read(30).unwrap().read_to_end(&mut read).is_err());
        assert!(file.get_read(101).is_err());
    }

    #[test]
    fn bytes_past_the_end_are_dropped() {
        let mut file = ReceivedFile::new(10);
        file.add(5, Bytes::from(vec![1u8; 20]));
        file.add(0, Bytes::from(vec![0u8; 5]));
        assert_eq!(file.prefix(), 10);
        assert_eq!(file.get_bytes(0, 10).unwrap().len(), 10);
    }
}
