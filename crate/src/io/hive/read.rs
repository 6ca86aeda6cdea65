//! A whole folder held in memory, read as one table the way the page reads a dropped
//! folder (`www/src/data/worker/load-folder.ts`, which streams each file instead): the data
//! files in path order, all Parquet, all CSV or all JSON (plain or compressed). CSV files
//! are read with the options the first one settled and read again with the widest types
//! when theirs disagree; JSON files are all surveyed, then decoded with the one schema
//! inferred over them (see [`JsonFiles`]). For native callers: the tests that check
//! folders against Spark and the hostile corpus, and tools.

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::compressed::{ByteSink, Compression, Decompressor};
use crate::io::csv::{CsvLoader, CsvOptions, CsvStream};
use crate::io::hive::{is_data_file, HiveDataset};
use crate::io::json::{JsonFiles, JsonLoader, JsonOptions};
use crate::io::parquet::{ParquetFiles, ParquetLoader};

/// The reader options of a folder, by the format its files turn out to be (detection
/// fills in what the CSV options leave out).
#[derive(Debug, Clone, Default)]
pub struct FolderOptions {
    pub csv: CsvOptions,
    pub json: JsonOptions,
}

impl FolderOptions {
    /// CSV options given, the JSON ones left as Spark's defaults.
    pub fn csv(csv: CsvOptions) -> Self {
        FolderOptions {
            csv,
            ..FolderOptions::default()
        }
    }
}

/// The file name without the extension Spark's `compression` option adds (`.gz`, `.zst`,
/// `.zstd`, `.bz2`), lower case.
fn without_compression(path: &str) -> String {
    let lower = path.to_ascii_lowercase();
    [".gz", ".zst", ".zstd", ".bz2"]
        .iter()
        .find_map(|ext| lower.strip_suffix(ext))
        .map(str::to_string)
        .unwrap_or(lower)
}

/// Whether a folder's file is read as CSV: named `.csv`, or `.csv.gz`, `.csv.zst`,
/// `.csv.zstd`, `.csv.bz2` (what Spark's `compression` option writes).
pub fn is_csv_file(path: &str) -> bool {
    without_compression(path).ends_with(".csv")
}

/// Whether a folder's file is read as JSON: named `.json` (what Spark writes), `.jsonl`
/// or `.ndjson`, plain or compressed as [`is_csv_file`] names it (`.json.gz`, ...).
pub fn is_json_file(path: &str) -> bool {
    let inner = without_compression(path);
    [".json", ".jsonl", ".ndjson"]
        .iter()
        .any(|ext| inner.ends_with(ext))
}

/// How a folder's data files are read, decided by the first in path order (by its name):
/// CSV, JSON, else Parquet. The page and [`read_folder`] both ask [`folder_format`], so a
/// folder is refused with the same words wherever it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FolderFormat {
    Csv,
    Json,
    Parquet,
}

impl FolderFormat {
    pub fn name(self) -> &'static str {
        match self {
            FolderFormat::Csv => "csv",
            FolderFormat::Json => "json",
            FolderFormat::Parquet => "parquet",
        }
    }
}

/// The format of a folder whose data files are `paths` in path order, or an
/// `UNSUPPORTED_FILE` error naming the first file whose name is not of the first file's
/// format (CSV and JSON are told by their names; a Parquet folder's files by their bytes,
/// see [`not_parquet`]).
pub fn folder_format<'a>(paths: impl IntoIterator<Item = &'a str>) -> Result<FolderFormat> {
    let mut paths = paths.into_iter();
    let Some(first) = paths.next() else {
        return Ok(FolderFormat::Parquet);
    };
    let (format, fits, named): (_, fn(&str) -> bool, _) = if is_csv_file(first) {
        (FolderFormat::Csv, is_csv_file, "CSV")
    } else if is_json_file(first) {
        (FolderFormat::Json, is_json_file, "JSON")
    } else {
        return Ok(FolderFormat::Parquet);
    };
    match paths.find(|path| !fits(path)) {
        None => Ok(format),
        Some(other) => Err(Error::new(
            ErrorCode::UnsupportedFile,
            format!(
                "{other} is not a {named} file, and {first} is: a folder is read as one table \
                 when its files are all Parquet, all CSV (named .csv, or .csv.gz, .csv.zst, \
                 .csv.bz2) or all JSON (named .json, .jsonl or .ndjson, or those with .gz, \
                 .zst, .bz2); move the other files out of the folder"
            ),
        )),
    }
}

/// The error for a file of a Parquet folder whose bytes are not Parquet; `zip_name` when
/// the folder came as a zip (which might have been meant as a workbook).
fn not_parquet(path: &str, zip_name: Option<&str>) -> Error {
    let message = match zip_name {
        None => format!(
            "{path} is not a Parquet file: a folder is read as one table when its files are \
             all Parquet, all CSV (named .csv, or .csv.gz, .csv.zst, .csv.bz2) or all JSON \
             (named .json, .jsonl or .ndjson, or those with .gz, .zst, .bz2), as Spark writes \
             them; load other files one at a time"
        ),
        Some(zip) => format!(
            "{zip} is not an Excel workbook (workbooks are named .xlsx, .xlsm or .ods), and \
             read as a zipped folder it holds {path}, which is not a Parquet file: a .zip is \
             read as a folder of Parquet files, of CSV files named .csv or .csv.gz, or of JSON \
             files named .json or .json.gz (Spark's output); unzip it and load other files one \
             at a time"
        ),
    };
    Error::new(ErrorCode::UnsupportedFile, message)
}

/// Reads the files of a folder (`path` inside the folder, `/` separated, and the file's
/// bytes) as one table, with the readers' warnings named by file. The first data file in
/// path order decides how: CSV or JSON by its name, else Parquet.
pub fn read_folder(
    files: Vec<(String, Vec<u8>)>,
    options: &FolderOptions,
) -> Result<(Table, Vec<String>)> {
    let mut files: Vec<(String, Vec<u8>)> = files
        .into_iter()
        .filter(|(path, _)| is_data_file(path))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let (dataset, warnings) = match folder_format(files.iter().map(|(path, _)| path.as_str()))? {
        FolderFormat::Csv => read_csv_files(&files, &options.csv)?,
        FolderFormat::Json => read_json_files(files, &options.json)?,
        FolderFormat::Parquet => read_parquet_files(files)?,
    };
    Ok((dataset.finish()?, warnings))
}

/// Every file's text gathered (decompressed when it is compressed), then all read with
/// one schema.
fn read_json_files(
    files: Vec<(String, Vec<u8>)>,
    options: &JsonOptions,
) -> Result<(HiveDataset, Vec<String>)> {
    let mut json = JsonFiles::new();
    for (path, bytes) in files {
        let loader = match Compression::detect(&bytes) {
            Some(compression) => {
                let mut stream =
                    Decompressor::new(compression, JsonLoader::new(options.clone(), 0)?)?;
                stream.push(&bytes)?;
                stream.finish()
            }
            None => {
                let mut loader = JsonLoader::new(options.clone(), bytes.len())?;
                loader.push(&bytes)?;
                Ok(loader)
            }
        }
        .map_err(|e| e.in_file(&path))?;
        json.add(&path, loader);
    }
    let mut dataset = HiveDataset::new();
    let warnings = dataset.add_json_files(json)?;
    Ok((dataset, warnings))
}

/// The loader of a Parquet folder's file at `path`: `UNSUPPORTED_FILE` when its bytes are
/// not Parquet (see [`not_parquet`]), and the footer's errors naming the file.
pub fn open_parquet(path: &str, bytes: Vec<u8>, zip_name: Option<&str>) -> Result<ParquetLoader> {
    if !bytes.starts_with(b"PAR1") {
        return Err(not_parquet(path, zip_name));
    }
    ParquetLoader::new(bytes).map_err(|e| e.in_file(path))
}

/// Every file's footer read (the bytes handed to the reader, not copied), then all their
/// row groups decoded together (see [`ParquetFiles`]).
fn read_parquet_files(files: Vec<(String, Vec<u8>)>) -> Result<(HiveDataset, Vec<String>)> {
    let mut queued = ParquetFiles::new();
    for (path, bytes) in files {
        let loader = open_parquet(&path, bytes, None)?;
        queued.push(&path, loader)?;
    }
    let mut dataset = HiveDataset::new();
    for (path, table) in queued.finish()? {
        dataset.add_file(&path, table)?;
    }
    Ok((dataset, Vec::new()))
}

/// Every file with the options the first settled; all again with the widest types when
/// the files' inferred types disagree (see [`HiveDataset::widened_schema`]).
fn read_csv_files(
    files: &[(String, Vec<u8>)],
    options: &CsvOptions,
) -> Result<(HiveDataset, Vec<String>)> {
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

    fn gzip(text: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gzip.write_all(text).unwrap();
        gzip.finish().unwrap()
    }

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
        let files = vec![
            ("k=2/part-1.csv.gz".to_string(), gzip(b"id,name\n3,c\n")),
            (
                "k=1/part-0.csv".to_string(),
                b"id,name\n1,a\n2,b\n".to_vec(),
            ),
            ("_SUCCESS".to_string(), Vec::new()),
        ];
        let (table, warnings) = read_folder(files, &FolderOptions::default()).unwrap();
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
    fn the_first_file_decides_the_folder_format_and_a_mix_is_named() {
        assert_eq!(folder_format([]).unwrap(), FolderFormat::Parquet);
        // A Parquet folder's files are told by their bytes, when they are read.
        assert_eq!(
            folder_format(["a.parquet", "b.csv"]).unwrap(),
            FolderFormat::Parquet
        );
        assert_eq!(
            folder_format(["a.csv", "b.CSV.gz"]).unwrap(),
            FolderFormat::Csv
        );
        assert_eq!(
            folder_format(["a.jsonl", "b.json.zst"]).unwrap(),
            FolderFormat::Json
        );
        let err = folder_format(["k=1/a.csv", "k=2/b.json"]).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedFile);
        assert!(err
            .message()
            .starts_with("k=2/b.json is not a CSV file, and k=1/a.csv is: "));
        let err = not_parquet("t/notes.txt", Some("t.zip"));
        assert_eq!(err.code(), ErrorCode::UnsupportedFile);
        assert!(err.message().starts_with("t.zip is not an Excel workbook"));
        assert!(err
            .message()
            .contains("it holds t/notes.txt, which is not a Parquet file"));
    }

    #[test]
    fn json_files_are_named_as_spark_writes_them() {
        for json in [
            "a/part-0.json",
            "x=1/P.JSON",
            "part-0.c000.json.gz",
            "p.jsonl",
            "p.ndjson.zst",
            "p.json.zstd",
            "p.json.bz2",
        ] {
            assert!(is_json_file(json), "{json}");
        }
        for other in ["part-0.csv", "p.gz", "p.json.zip", "json", "p.jsonx"] {
            assert!(!is_json_file(other), "{other}");
        }
    }

    #[test]
    fn a_folder_of_json_files_is_read_with_one_schema() {
        let files = vec![
            (
                "t/k=2/part-1.json.gz".to_string(),
                gzip(b"{\"id\": 2.5, \"tag\": \"x\"}\n"),
            ),
            ("t/k=1/part-0.json".to_string(), b"{\"id\": 1}\n".to_vec()),
            ("t/_SUCCESS".to_string(), Vec::new()),
        ];
        let (table, warnings) = read_folder(files, &FolderOptions::default()).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(table.num_rows(), 2);
        let columns = crate::testing::column_types(&table);
        assert_eq!(columns, ["id double", "tag string", "k int"]);

        let files = vec![
            ("t/k=1/part-0.json".to_string(), b"{\"id\": 1}\n".to_vec()),
            ("t/k=2/part-1.csv".to_string(), b"id\n2\n".to_vec()),
        ];
        let err = read_folder(files, &FolderOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedFile);
        assert!(err
            .message()
            .contains("t/k=2/part-1.csv is not a JSON file"));

        let files = vec![(
            "t/k=1/part-0.json".to_string(),
            b"{\"id\": 1}\nnope\n".to_vec(),
        )];
        let fail_fast = FolderOptions {
            json: JsonOptions {
                mode: crate::io::csv::ParseMode::FailFast,
                ..JsonOptions::default()
            },
            ..FolderOptions::default()
        };
        let err = read_folder(files, &fail_fast).unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonMalformed);
        assert!(
            err.message().starts_with("t/k=1/part-0.json: line 2"),
            "{}",
            err.message()
        );
    }

    #[test]
    fn mixed_formats_and_empty_folders_are_refused() {
        let files = vec![
            ("a.csv".to_string(), b"id\n1\n".to_vec()),
            ("b.parquet".to_string(), b"PAR1".to_vec()),
        ];
        let err = read_folder(files, &FolderOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsupportedFile);
        assert!(err.message().contains("b.parquet is not a CSV file"));
        let err =
            read_folder(vec![("_SUCCESS".into(), vec![])], &FolderOptions::default()).unwrap_err();
        assert_eq!(err.code(), ErrorCode::HiveLayout);
    }
}
