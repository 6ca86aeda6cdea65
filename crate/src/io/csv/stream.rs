//! A CSV file that can only be read once, front to back: the output of a decompressor.
//!
//! A plain file is read by the page (its head first, windows from further in to refine the
//! types, then every chunk); a stream has no "further in" and no second look. So the head
//! is gathered here: bytes are held until there are [`HEAD_BYTES`] of them (more while the
//! first record does not fit, as the page does), the loader is opened on them, and from
//! then on every chunk goes straight to it. Types that only show up later widen the
//! column as in any CSV load (with the load's warning).

use crate::error::{ErrorCode, Result};
use crate::frame::Table;
use crate::io::compressed::ByteSink;
use crate::io::csv::loader::CsvLoader;
use crate::io::csv::options::CsvOptions;

/// Bytes of the stream the dialect and schema are inferred from (the page's head for a
/// plain file is 1 MB; a stream gets more since it has no later windows).
const HEAD_BYTES: usize = 4 << 20;
/// The page's limit on a first record (`load-csv.ts`).
const MAX_HEAD_BYTES: usize = 256 << 20;

pub struct CsvStream {
    options: CsvOptions,
    /// The start of the stream, until the loader is opened.
    head: Vec<u8>,
    head_target: usize,
    loader: Option<CsvLoader>,
}

impl CsvStream {
    pub fn new(options: CsvOptions) -> Self {
        CsvStream {
            options,
            head: Vec::new(),
            head_target: HEAD_BYTES,
            loader: None,
        }
    }

    /// The options of this load once its head was read (see
    /// [`CsvLoader::options_used`]).
    pub fn options_used(&self) -> Option<&CsvOptions> {
        self.loader.as_ref().map(CsvLoader::options_used)
    }

    /// Records decoded so far.
    pub fn rows(&self) -> u64 {
        self.loader.as_ref().map_or(0, CsvLoader::rows)
    }

    /// Ends the stream and returns the table with the load's warnings.
    pub fn finish(self) -> Result<(Table, Vec<String>)> {
        self.into_loader()?.finish()
    }

    /// Ends the stream and returns the table, the load's warnings and the options it used:
    /// a stream shorter than its head has none before it ends (a folder's next files are
    /// read with the options its first settled).
    pub fn finish_with_options(self) -> Result<(Table, Vec<String>, CsvOptions)> {
        let loader = self.into_loader()?;
        let used = loader.options_used().clone();
        let (table, warnings) = loader.finish()?;
        Ok((table, warnings, used))
    }

    /// The loader, opened on the whole stream if it was shorter than its head.
    fn into_loader(mut self) -> Result<CsvLoader> {
        match self.loader.take() {
            Some(loader) => Ok(loader),
            None => {
                let mut loader = CsvLoader::new(&self.head, true, &self.options)?;
                loader.push(&self.head)?;
                Ok(loader)
            }
        }
    }

    /// Opens the loader on the head once it is long enough; `None` while it needs more.
    fn try_open(&mut self) -> Result<Option<CsvLoader>> {
        match CsvLoader::new(&self.head, false, &self.options) {
            Ok(mut loader) => {
                loader.push(&std::mem::take(&mut self.head))?;
                Ok(Some(loader))
            }
            Err(e)
                if e.code() == ErrorCode::CsvRecordTooLong && self.head.len() < MAX_HEAD_BYTES =>
            {
                self.head_target = (self.head.len() * 4).min(MAX_HEAD_BYTES);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

impl ByteSink for CsvStream {
    fn push(&mut self, chunk: &[u8]) -> Result<()> {
        if let Some(loader) = &mut self.loader {
            return loader.push(chunk);
        }
        self.head.extend_from_slice(chunk);
        if self.head.len() >= self.head_target {
            self.loader = self.try_open()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::csv::read_csv;

    fn stream(text: &[u8], chunk: usize) -> Result<(Table, Vec<String>)> {
        let mut stream = CsvStream::new(CsvOptions::default());
        for piece in text.chunks(chunk) {
            stream.push(piece)?;
        }
        stream.finish()
    }

    #[test]
    fn a_stream_loads_as_the_whole_file_does() {
        let mut text = b"id,name,score\n".to_vec();
        for i in 0..400_000 {
            text.extend(format!("{i},name {i},{}.5\n", i % 7).as_bytes());
        }
        let (whole, _) = read_csv(&text, &CsvOptions::default()).unwrap();
        let (streamed, warnings) = stream(&text, 1 << 20).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(streamed.schema(), whole.schema());
        assert_eq!(streamed.num_rows(), 400_000);
    }

    #[test]
    fn a_first_record_longer_than_the_head_grows_it() {
        let mut text = b"id,text\n1,".to_vec();
        text.extend(vec![b'x'; HEAD_BYTES + 10]);
        text.extend(b"\n2,y\n");
        let (table, _) = stream(&text, 1 << 20).unwrap();
        assert_eq!(table.num_rows(), 2);
    }

    #[test]
    fn a_short_stream_is_read_whole_at_the_end() {
        let (table, _) = stream(b"a,b\n1,2", 3).unwrap();
        assert_eq!(table.num_rows(), 1);
        let err = stream(b"", 3).unwrap_err();
        assert_eq!(err.code(), ErrorCode::CsvEmpty);
    }
}
