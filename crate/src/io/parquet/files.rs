//! Several Parquet files decoded together, as a folder's are: the row groups of every file
//! queued so far are decoded in one parallel pass. A Spark partition is often one file of
//! one row group, a dozen column tasks of uneven cost; decoded file after file, the pool
//! runs one short round per file and a thread idles at the end of each, so a folder took
//! 1.35× the time of one file of the same rows on 2 threads in the page.

use std::collections::VecDeque;

use crate::error::Result;
use crate::frame::Table;
use crate::memory;

use super::{decode_together, ParquetLoader};

/// Parquet files queued in order, each decoded as its row groups' turn comes (see
/// [`ParquetFiles::decode_next`]), handed back whole once decoded.
#[derive(Default)]
pub struct ParquetFiles {
    /// Files not yet taken back, in the order they were queued, with their paths.
    queue: VecDeque<(String, ParquetLoader)>,
}

impl ParquetFiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues a file found at `path` (named in its errors). Fails with `OUT_OF_MEMORY`
    /// when its table and those of the files queued before it would not fit: each file's
    /// own check, when it was opened, counted only its table.
    pub fn push(&mut self, path: &str, loader: ParquetLoader) -> Result<()> {
        let queued = self
            .queue
            .iter()
            .map(|(_, l)| l.decoded_bytes())
            .fold(loader.decoded_bytes(), usize::saturating_add);
        memory::check(
            queued,
            "decoding these Parquet files",
            "the folder's files describe more rows than fit; load fewer files, or fewer \
             columns",
        )
        .map_err(|e| e.in_file(path))?;
        self.queue.push_back((path.to_string(), loader));
        Ok(())
    }

    /// Files queued and not taken back yet.
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// The path of the first file queued and not taken back.
    pub fn first_path(&self) -> Option<&str> {
        self.queue.front().map(|(path, _)| path.as_str())
    }

    /// Row groups queued and not decoded yet.
    pub fn groups_left(&self) -> usize {
        self.queue
            .iter()
            .map(|(_, l)| l.num_row_groups() - l.groups_done())
            .sum()
    }

    /// Decodes up to `max_groups` more row groups in one parallel pass, in the order the
    /// files were queued (the first file's groups first), as far as each file is
    /// received; returns how many it did. An error names the file.
    pub fn decode_next(&mut self, max_groups: usize) -> Result<usize> {
        let mut loaders: Vec<&mut ParquetLoader> =
            self.queue.iter_mut().map(|(_, loader)| loader).collect();
        decode_together(&mut loaders, max_groups)
            .map_err(|(file, err)| err.in_file(&self.queue[file].0))
    }

    /// The files at the front of the queue whose row groups are all decoded, as tables
    /// with their paths, in the order they were queued.
    pub fn take_decoded(&mut self) -> Result<Vec<(String, Table)>> {
        let mut decoded = Vec::new();
        while let Some((path, loader)) = self.queue.pop_front() {
            if loader.groups_done() < loader.num_row_groups() {
                self.queue.push_front((path, loader));
                break;
            }
            let (table, _) = loader.finish().map_err(|e| e.in_file(&path))?;
            decoded.push((path, table));
        }
        Ok(decoded)
    }

    /// Decodes every row group left and returns all the files' tables, in the order they
    /// were queued.
    pub fn finish(mut self) -> Result<Vec<(String, Table)>> {
        while self.groups_left() > 0 {
            if self.decode_next(usize::MAX)? == 0 {
                // A file not received to its end: its own finish says where it stopped.
                break;
            }
        }
        let mut tables = Vec::with_capacity(self.queue.len());
        for (path, loader) in self.queue {
            let (table, _) = loader.finish().map_err(|e| e.in_file(&path))?;
            tables.push((path, table));
        }
        Ok(tables)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};

    use super::*;
    use crate::error::ErrorCode;
    use crate::io::parquet::read_parquet;
    use crate::testing::parquet_file;

    /// File `k` of a folder: `rows` rows in row groups of `group_rows`, an id, a text
    /// and a float column.
    fn part(k: i64, rows: i64, group_rows: usize) -> Vec<u8> {
        let ids = Int64Array::from_iter_values(k * 1_000_000..k * 1_000_000 + rows);
        let texts = StringArray::from_iter_values((0..rows).map(|i| format!("file {k} row {i}")));
        let floats = arrow_array::Float64Array::from_iter((0..rows).map(|i| {
            // Some NULLs, so the decoded null buffers are compared too.
            (i % 7 != 0).then_some(i as f64 / 3.0)
        }));
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(ids) as ArrayRef),
            ("text", Arc::new(texts) as ArrayRef),
            ("x", Arc::new(floats) as ArrayRef),
        ])
        .unwrap();
        parquet_file(&batch, group_rows)
    }

    /// Seven files of one to three row groups, and one with no rows.
    fn folder() -> Vec<(String, Vec<u8>)> {
        (0..8)
            .map(|k| {
                let rows = if k == 5 { 0 } else { 900 + 250 * k };
                let group_rows = [2_000, 700, 1_000][k as usize % 3];
                (format!("t/part=p{k}/f.parquet"), part(k, rows, group_rows))
            })
            .collect()
    }

    fn rows_of(table: &Table) -> Vec<RecordBatch> {
        let rows = table.num_rows();
        vec![table.window(0, rows).unwrap()]
    }

    fn decoded_together(files: &[(String, Vec<u8>)], step: usize) -> Vec<(String, Table)> {
        let mut queued = ParquetFiles::new();
        let mut tables = Vec::new();
        for (path, bytes) in files {
            queued
                .push(path, ParquetLoader::new(bytes.clone()).unwrap())
                .unwrap();
        }
        while queued.groups_left() > 0 {
            assert!(queued.decode_next(step).unwrap() > 0);
            tables.extend(queued.take_decoded().unwrap());
        }
        tables.extend(queued.finish().unwrap());
        tables
    }

    #[test]
    fn files_decoded_together_are_the_files_decoded_one_by_one() {
        let files = folder();
        let alone: Vec<Table> = files
            .iter()
            .map(|(_, bytes)| read_parquet(bytes.clone()).unwrap().0)
            .collect();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for step in [1, 2, 3, 4, 100] {
                let together = pool.install(|| decoded_together(&files, step));
                assert_eq!(together.len(), files.len());
                for ((path, table), ((expected_path, _), expected)) in
                    together.iter().zip(files.iter().zip(&alone))
                {
                    assert_eq!(path, expected_path);
                    assert_eq!(table.schema(), expected.schema());
                    assert_eq!(
                        table.partitions().unwrap().len(),
                        expected.partitions().unwrap().len(),
                        "{path}, steps of {step}"
                    );
                    assert_eq!(rows_of(table), rows_of(expected), "{path}, steps of {step}");
                }
            }
        }
    }

    #[test]
    fn a_step_decodes_the_first_files_groups_first() {
        let files = folder();
        let mut queued = ParquetFiles::new();
        for (path, bytes) in &files[..3] {
            queued
                .push(path, ParquetLoader::new(bytes.clone()).unwrap())
                .unwrap();
        }
        // Files 0, 1 and 2: one, two and two row groups.
        assert_eq!(queued.groups_left(), 5);
        assert_eq!(queued.decode_next(2).unwrap(), 2);
        let decoded = queued.take_decoded().unwrap();
        assert_eq!(decoded.len(), 1, "file 0 whole, file 1 half");
        assert_eq!(decoded[0].0, files[0].0);
        assert_eq!(queued.first_path(), Some(files[1].0.as_str()));
        assert_eq!(queued.groups_left(), 3);
        assert_eq!(queued.decode_next(2).unwrap(), 2);
        assert_eq!(queued.take_decoded().unwrap().len(), 1);
        assert_eq!(queued.finish().unwrap().len(), 1);
    }

    #[test]
    fn a_corrupt_file_is_named_and_the_first_in_order_is_reported() {
        let mut files = folder();
        for k in [2, 6] {
            // Clobber the first column's first page header, leaving the footer readable.
            files[k].1[4..68].fill(0xFF);
        }
        let mut queued = ParquetFiles::new();
        for (path, bytes) in &files {
            queued
                .push(path, ParquetLoader::new(bytes.clone()).unwrap())
                .unwrap();
        }
        let err = queued.decode_next(usize::MAX).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ParquetCorrupt);
        assert!(
            err.message().starts_with("t/part=p2/f.parquet: "),
            "{}",
            err.message()
        );
    }
}
