//! A whole folder held in memory, read as one table the way the page reads a dropped
//! folder (`www/src/data/worker/load-folder.ts`, which streams each file instead): the data
//! files in path order, all Parquet or all CSV (plain or compressed), CSV files read with
//! the options the first one settled and read again with the widest types when theirs
//! disagree. For native callers: the tests that check folders against Spark and the
//! hostile corpus, and tools.

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::compressed::{Compression, Decompressor};
use crate::io::csv::{CsvLoader, CsvOptions, CsvStream};
use crate::io::hive::{is_data_file, HiveDataset};
use crate::io::parquet::read_parquet;

/// Whether a folder's file is read as CSV: named `.csv`, or `.csv.gz`, `.csv.zst`,
/// `.csv.zstd`, `.csv.bz2` (what Spark's `compression` option writes).
pub fn is_csv_file(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let inner = [".gz", ".zst", ".zstd", ".bz2"]
        .iter()
        .find_map(|ext| lower.strip_suffix(ext))
        .unwrap_or(&lower);
    inner.ends_with(".csv")
}

/// Reads the files of a folder (`path` inside the folder, `/` separated, and the file's
/// bytes) as one table, with the readers' warnings named by file. `csv` are the options
/// of a CSV folder (detection fills in what they leave out).
pub fn read_folder(
    files: Vec<(String, Vec<u8>)>,
    csv: &CsvOptions,
) -> Result<(Table, Vec<String>)> {
    let mut files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|(path, _)| is_data_file(path))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let (dataset, warnings) = match files.first() {
        Some((first, _)) if is_csv_file(first) => read_csv_files(&files, csv)?,
        _ => read_parquet_files(files)?,
    };
    Ok((dataset.finish()?, warnings))
}

/// Each file read once (the bytes handed to the reader, not copied).
fn read_parquet_files(files: Vec<(String, Vec<u8>)>) -> Result<(HiveDataset, Vec<String>)> {
    let mut dataset = HiveDataset::new();
    let mut warnings = Vec::new();
    for (path, bytes) in files {
        if !bytes.starts_with(b"PAR1") {
            return Err(Error::new(
                ErrorCode::UnsupportedFile,
                format!(
                    "{path} is not a Parquet file: a folder is read as one table when its \
                     files are all Parquet or all CSV (named .csv, or .csv.gz, .csv.zst, \
                     .csv.bz2), as Spark writes them"
                ),
            ));
        }
        let (table, read_warnings) = read_parquet(bytes)?;
        warnings.extend(read_warnings.into_iter().map(|w| format!("{path}: {w}")));
        dataset.add_file(&path, table)?;
    }
    Ok((dataset, warnings))
}

/// Every file with the options the first settled; all again with the widest types when
/// the files' inferred types disagree (see [`HiveDataset::widened_schema`]).
fn read_csv_files(
    files: &[(String, Vec<u8>)],
    options: &CsvOptions,
) -> Result<(HiveDataset, Vec<String>)> {
    if let Some((other, _)) = files.iter().find(|(path, _)| !is_csv_file(path)) {
        return Err(Error::new(
            ErrorCode::UnsupportedFile,
            format!(
                "{other} is not a CSV file, and {} is: a folder is read as one table when its \
                 files are all CSV or all Parquet; move the other files out of the folder",
                files[0].0
            ),
        ));
    }
    let (dataset, warnings, used) = read_csv_pass(files, options)?;
    match dataset.widened_schema() {
        None => Ok((dataset, warnings)),
        Some(schema) => {
            let widened = CsvOptions {
                schema: Some(schema),
                ..used
            };
            let (dataset, warnings, _) = read_csv_pass(files, &widened)?;
            Ok((dataset, warnings))
        }
    }
}

fn read_csv_pass(
    files: &[(String, Vec<u8>)],
    options: &CsvOptions,
) -> Result<(HiveDataset, Vec<String>, CsvOptions)> {
    let mut dataset = HiveDataset::new();
    let mut warnings = Vec::new();
    let mut used: Option<CsvOptions> = None;
    for (path, bytes) in files {
        let options = used.as_ref().unwrap_or(options);
        let (table, read_warnings) = match Compression::detect(bytes) {
            Some(compression) => {
                let mut stream = Decompressor::new(compression, CsvStream::new(options.clone()))?;
                stream.push(bytes)?;
                let (table, warnings, settled) = stream.finish()?.finish_with_options()?;
                used.get_or_insert(settled);
                (table, warnings)
            }
            None => {
                let mut loader = CsvLoader::new(bytes, true, options)?;
                used.get_or_insert_with(|| loader.options_used().clone());
                loader.push(bytes)?;
                loader.finish()?
            }
        };
        warnings.extend(read_warnings.into_iter().map(|w| format!("{path}: {w}")));
        dataset.add_file(path, table)?;
    }
    let used = used.unwrap_or_else(|| options.clone());
    Ok((dataset, warnings, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_files_are_named_as_spark_writes_them() {
        for csv in [
            "a/part-0.csv",
            "x=1/P.CSV",
            "part-0.c000.csv.gz",
            "p.csv.zst",
            "p.csv.bz2",
        ] {
            assert!(is_csv_file(csv), "{csv}");
        }
        for other in ["part-0.parquet", "notes.txt", "p.gz", "p.csv.zip", "csv"] {
            assert!(!is_csv_file(other), "{other}");
        }
    }

    #[test]
    fn a_folder_of_plain_and_compressed_csv_is_one_table() {
        use std::io::Write;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(b"id,name\n3,c\n").unwrap();
        let files = vec![
            ("k=2/part-1.csv.gz".to_string(), gzip.finish().unwrap()),
            (
                "k=1/part-0.csv".to_string(),
                b"id,name\n1,a\n2,b\n".to_vec(),
            ),
            ("_SUCCESS".to_string(), Vec::new()),
        ];
        let (table, warnings) = read_folder(files, &CsvOptions::default()).unwrap();
        assert_eq!(table.num_rows(), 3);
        assert!(warnings.is_empty());
        let names: Vec<&str> = table
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        assert_eq!(names, ["id", "name", "k"]);
    }

    #[test]
    fn mixed_formats_and_empty_folders_are_refused() {
        let files = vec![
            ("a.csv".to_string(), b"id\n1\n".to_vec()),
            ("b.parquet".to_string(), b"PAR1".to_vec()),
        ];
        let err = read_folder(files, &CsvOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedFile);
        assert!(err.message().contains("b.parquet is not a CSV file"));
        let err =
            read_folder(vec![("_SUCCESS".into(), vec![])], &CsvOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::HiveLayout);
    }
}
