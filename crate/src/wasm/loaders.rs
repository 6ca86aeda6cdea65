use wasm_bindgen::prelude::*;

use crate::error::ErrorCode;
use crate::frame::{ColumnInfo, Table};
use crate::io::compressed::{ByteSink, Compression, Decompressor};
use crate::io::csv::{CsvLoader, CsvOptions, CsvStream};
use crate::io::hive::{folder_format, is_data_file, open_parquet, HiveDataset, PartitionPath};
use crate::io::json::{JsonFiles, JsonLoader, JsonOptions};
use crate::io::parquet::{ParquetFiles, ParquetLoader};
use crate::wasm::convert::{from_js, options_from_js, to_value};
use crate::wasm::errors::to_js;

/// A CSV file being loaded chunk by chunk (see `CsvLoader` in the engine). The page
/// reads the file in slices and pushes them, so it can report progress and cancel
/// between chunks; cancelling is just dropping (`free()`) the loader.
#[wasm_bindgen(js_name = CsvLoader)]
pub struct JsCsvLoader(CsvLoader);

#[wasm_bindgen(js_class = CsvLoader)]
impl JsCsvLoader {
    /// Detects the dialect and infers the schema from the start of the file.
    #[wasm_bindgen(constructor)]
    pub fn new(
        head: &[u8],
        head_is_file: bool,
        #[wasm_bindgen(unchecked_param_type = "Partial<CsvOptions> | undefined")] options: JsValue,
    ) -> Result<JsCsvLoader, JsValue> {
        let options: CsvOptions = options_from_js(&options, "CSV options")?;
        CsvLoader::new(head, head_is_file, &options)
            .map(JsCsvLoader)
            .map_err(to_js)
    }

    /// Widens inferred types with a window of bytes from further into the file.
    #[wasm_bindgen(js_name = refineTypes)]
    pub fn refine_types(&mut self, window: &[u8]) {
        self.0.refine_types(window)
    }

    /// Tells the loader the file's size in bytes: after its first megabytes it estimates
    /// the whole table's memory, stores a large table's low-cardinality strings compact
    /// from the start, and refuses a file that will not fit (`OUT_OF_MEMORY`) early.
    #[wasm_bindgen(js_name = expectBytes)]
    pub fn expect_bytes(&mut self, total: f64) {
        self.0.expect_bytes(total.max(0.0) as u64)
    }

    /// Feeds the next chunk of the file (the file from its first byte, in order).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.0.push(chunk).map_err(to_js)
    }

    /// Records decoded so far.
    pub fn rows(&self) -> f64 {
        self.0.rows() as f64
    }

    /// Columns as inferred so far.
    #[wasm_bindgen(unchecked_return_type = "ColumnInfo[]")]
    pub fn columns(&self) -> Result<JsValue, JsValue> {
        to_value(&ColumnInfo::of_schema(&self.0.schema()))
    }

    /// The options of this load, with the header and delimiter detection chose.
    #[wasm_bindgen(js_name = optionsUsed, unchecked_return_type = "CsvOptions")]
    pub fn options_used(&self) -> Result<JsValue, JsValue> {
        to_value(self.0.options_used())
    }
}

impl JsCsvLoader {
    pub fn into_inner(self) -> CsvLoader {
        self.0
    }
}

/// A compressed CSV file (gzip, zstd, bzip2) being decompressed and loaded as it is
/// read: the page pushes slices of the compressed file, in order, and can cancel between
/// them by dropping (`free()`) the loader.
#[wasm_bindgen(js_name = CompressedCsvLoader)]
pub struct JsCompressedCsvLoader(Decompressor<CsvStream>);

#[wasm_bindgen(js_class = CompressedCsvLoader)]
impl JsCompressedCsvLoader {
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Compression")] compression: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Partial<CsvOptions> | undefined")] options: JsValue,
    ) -> Result<JsCompressedCsvLoader, JsValue> {
        let compression: Compression =
            from_js(&compression, "compression", ErrorCode::InvalidArgument)?;
        let options: CsvOptions = options_from_js(&options, "CSV options")?;
        Decompressor::new(compression, CsvStream::new(options))
            .map(JsCompressedCsvLoader)
            .map_err(to_js)
    }

    /// Decompresses the next slice of the file and loads the records it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        self.0.push(chunk).map_err(to_js)
    }

    /// Records decoded so far.
    pub fn rows(&self) -> f64 {
        self.0.sink().rows() as f64
    }

    /// The options of this load once its head was read, with what detection chose.
    #[wasm_bindgen(js_name = optionsUsed, unchecked_return_type = "CsvOptions | undefined")]
    pub fn options_used(&self) -> Result<JsValue, JsValue> {
        match self.0.sink().options_used() {
            Some(options) => to_value(options),
            None => Ok(JsValue::UNDEFINED),
        }
    }
}

impl JsCompressedCsvLoader {
    pub fn into_inner(self) -> Decompressor<CsvStream> {
        self.0
    }
}

/// A JSON file (JSON lines or one document), plain or compressed, being read: the page
/// pushes its slices in order; the records are read when the engine adds the table.
#[wasm_bindgen(js_name = JsonLoader)]
pub struct JsJsonLoader(JsonSource);

enum JsonSource {
    Plain(JsonLoader),
    Compressed(Box<Decompressor<JsonLoader>>),
}

#[wasm_bindgen(js_class = JsonLoader)]
impl JsJsonLoader {
    /// `size_hint`: the file's size (its text, when it is not compressed, is gathered in
    /// one allocation of that size).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Partial<JsonOptions> | undefined")] options: JsValue,
        size_hint: f64,
        #[wasm_bindgen(unchecked_param_type = "Compression | undefined")] compression: JsValue,
    ) -> Result<JsJsonLoader, JsValue> {
        let options: JsonOptions = options_from_js(&options, "JSON options")?;
        let source = if compression.is_undefined() || compression.is_null() {
            JsonSource::Plain(JsonLoader::new(options, size_hint as usize).map_err(to_js)?)
        } else {
            let compression: Compression =
                from_js(&compression, "compression", ErrorCode::InvalidArgument)?;
            let loader = JsonLoader::new(options, 0).map_err(to_js)?;
            JsonSource::Compressed(Box::new(
                Decompressor::new(compression, loader).map_err(to_js)?,
            ))
        };
        Ok(JsJsonLoader(source))
    }

    /// Takes the next slice of the file (decompressing it first if it is compressed).
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), JsValue> {
        match &mut self.0 {
            JsonSource::Plain(loader) => loader.push(chunk),
            JsonSource::Compressed(decompressor) => decompressor.push(chunk),
        }
        .map_err(to_js)
    }

    /// Records found so far (JSON lines are found as they arrive; a multiLine document's
    /// only when the table is made), for the progress bar.
    pub fn rows(&self) -> f64 {
        match &self.0 {
            JsonSource::Plain(loader) => loader.records_found() as f64,
            JsonSource::Compressed(decompressor) => decompressor.sink().records_found() as f64,
        }
    }
}

impl JsJsonLoader {
    /// The loader with all its text (checks that compressed data ended properly).
    pub fn into_inner(self) -> crate::Result<JsonLoader> {
        match self.0 {
            JsonSource::Plain(loader) => Ok(loader),
            JsonSource::Compressed(decompressor) => decompressor.finish(),
        }
    }
}

/// A Parquet file being decoded row groups at a time.
#[wasm_bindgen(js_name = ParquetLoader)]
pub struct JsParquetLoader(ParquetLoader);

#[wasm_bindgen(js_class = ParquetLoader)]
impl JsParquetLoader {
    /// Takes the whole file and reads its footer.
    #[wasm_bindgen(constructor)]
    pub fn new(bytes: Vec<u8>) -> Result<JsParquetLoader, JsValue> {
        ParquetLoader::new(bytes)
            .map(JsParquetLoader)
            .map_err(to_js)
    }

    /// How many bytes from the end of a file of `file_len` bytes its footer takes, from
    /// `tail`, at least its last 8 bytes (`PARQUET_CORRUPT` if it is not Parquet).
    #[wasm_bindgen(js_name = footerLength)]
    pub fn footer_length(tail: &[u8], file_len: f64) -> Result<f64, JsValue> {
        ParquetLoader::footer_length(tail, file_len as u64)
            .map(|len| len as f64)
            .map_err(to_js)
    }

    /// Reads the footer (the file's last `footerLength` bytes, or more); the file follows
    /// slice by slice through `push`, and each row group can be decoded once it is in.
    #[wasm_bindgen(js_name = fromFooter)]
    pub fn from_footer(footer: Vec<u8>, file_len: f64) -> Result<JsParquetLoader, JsValue> {
        ParquetLoader::from_footer(footer, file_len as u64)
            .map(JsParquetLoader)
            .map_err(to_js)
    }

    /// Takes the file's next slice (the first starts at its first byte).
    pub fn push(&mut self, slice: Vec<u8>) -> Result<(), JsValue> {
        self.0.push(slice).map_err(to_js)
    }

    #[wasm_bindgen(js_name = numRowGroups)]
    pub fn num_row_groups(&self) -> usize {
        self.0.num_row_groups()
    }

    #[wasm_bindgen(js_name = numRows)]
    pub fn num_rows(&self) -> f64 {
        self.0.num_rows() as f64
    }

    #[wasm_bindgen(js_name = groupsDone)]
    pub fn groups_done(&self) -> usize {
        self.0.groups_done()
    }

    /// Decodes up to `max_groups` more row groups in parallel, as far as the file is
    /// received; returns how many.
    #[wasm_bindgen(js_name = decodeNext)]
    pub fn decode_next(&mut self, max_groups: usize) -> Result<usize, JsValue> {
        self.0.decode_next(max_groups).map_err(to_js)
    }

    #[wasm_bindgen(unchecked_return_type = "ColumnInfo[]")]
    pub fn columns(&self) -> Result<JsValue, JsValue> {
        to_value(&ColumnInfo::of_schema(&self.0.schema()))
    }
}

impl JsParquetLoader {
    pub fn into_inner(self) -> ParquetLoader {
        self.0
    }
}

/// The files of a dropped folder (or zip of one) being gathered into one table: Spark's
/// Hive-partitioned layout, `column=value` folders becoming columns.
#[wasm_bindgen(js_name = HiveDataset)]
pub struct JsHiveDataset {
    dataset: HiveDataset,
    /// JSON files, their text kept until the dataset is finished: one schema is inferred
    /// over all of them before any is decoded, as Spark reads a JSON folder.
    json: JsonFiles,
    /// Parquet files added and not decoded yet: their row groups are decoded together
    /// (`decodeParquet`), so a folder of small files keeps every thread busy.
    parquet: ParquetFiles,
    /// What the readers noticed in each file (malformed CSV rows, ...), named by file.
    warnings: Vec<String>,
}

#[wasm_bindgen(js_class = HiveDataset)]
impl JsHiveDataset {
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsHiveDataset {
        JsHiveDataset {
            dataset: HiveDataset::new(),
            json: JsonFiles::new(),
            parquet: ParquetFiles::new(),
            warnings: Vec::new(),
        }
    }

    /// Whether Spark reads the file at `path` as data (not `_SUCCESS`, `.crc` files or
    /// anything under a `_` or `.` folder).
    #[wasm_bindgen(js_name = isDataFile)]
    pub fn is_data_file(path: &str) -> bool {
        is_data_file(path)
    }

    /// How a folder whose data files are `paths` (in path order) is read: `"csv"`,
    /// `"json"` or `"parquet"`, decided by the first file's name; throws `UNSUPPORTED_FILE`
    /// naming a file whose name is not of that format.
    #[wasm_bindgen(js_name = folderFormat, unchecked_return_type = "'csv' | 'json' | 'parquet'")]
    pub fn folder_format(paths: Vec<String>) -> Result<String, JsValue> {
        folder_format(paths.iter().map(String::as_str))
            .map(|format| format.name().to_string())
            .map_err(to_js)
    }

    /// Reads the footer of the Parquet folder's file at `path` (its whole bytes); errors
    /// name the file: `UNSUPPORTED_FILE` when it is not Parquet (`zip_name` when the
    /// folder came as a zip, which might have been meant as a workbook), `PARQUET_CORRUPT`
    /// for a damaged footer.
    #[wasm_bindgen(js_name = openParquet)]
    pub fn open_parquet(
        path: &str,
        bytes: Vec<u8>,
        zip_name: Option<String>,
    ) -> Result<JsParquetLoader, JsValue> {
        open_parquet(path, bytes, zip_name.as_deref())
            .map(JsParquetLoader)
            .map_err(to_js)
    }

    /// Adds a JSON file found at `path`, all its text in the loader; its records are read
    /// when the dataset is finished, with the schema inferred over every JSON file added.
    #[wasm_bindgen(js_name = addJson)]
    pub fn add_json(&mut self, path: &str, loader: JsJsonLoader) -> Result<(), JsValue> {
        // Partition folders that cannot be read are refused now, as for other files.
        PartitionPath::parse(path).map_err(to_js)?;
        let loader = loader.into_inner().map_err(|e| to_js(e.in_file(path)))?;
        self.json.add(path, loader);
        Ok(())
    }

    /// Adds a Parquet file found at `path` (inside the folder, `/` separated); what its
    /// loader has not decoded yet is decoded by `decodeParquet`, together with the other
    /// files added (or when the dataset is added). `OUT_OF_MEMORY` when the tables of
    /// the files waiting to be decoded would not fit.
    #[wasm_bindgen(js_name = addParquet)]
    pub fn add_parquet(&mut self, path: &str, loader: JsParquetLoader) -> Result<(), JsValue> {
        // Partition folders that cannot be read are refused now, as for other files.
        PartitionPath::parse(path).map_err(to_js)?;
        self.parquet.push(path, loader.into_inner()).map_err(to_js)
    }

    /// Decodes up to `max_groups` row groups of the Parquet files added and not decoded
    /// yet, in one parallel pass, in the order the files were added (the first file's
    /// groups first); returns how many. An error names the file.
    #[wasm_bindgen(js_name = decodeParquet)]
    pub fn decode_parquet(&mut self, max_groups: usize) -> Result<usize, JsValue> {
        let decoded = self.parquet.decode_next(max_groups).map_err(to_js)?;
        for (path, table) in self.parquet.take_decoded().map_err(to_js)? {
            self.dataset.add_file(&path, table).map_err(to_js)?;
        }
        Ok(decoded)
    }

    /// Adds a CSV file found at `path`, decoding what the loader holds.
    #[wasm_bindgen(js_name = addCsv)]
    pub fn add_csv(&mut self, path: &str, loader: JsCsvLoader) -> Result<(), JsValue> {
        let read = loader.into_inner().finish().map_err(to_js)?;
        self.add_read(path, read)
    }

    /// Adds a compressed CSV file found at `path` (`part-0.csv.gz`, as Spark writes with
    /// its `compression` option), finishing its decompression; returns the options its
    /// reader used (a small file settles them only when it ends).
    #[wasm_bindgen(js_name = addCompressedCsv, unchecked_return_type = "CsvOptions")]
    pub fn add_compressed_csv(
        &mut self,
        path: &str,
        loader: JsCompressedCsvLoader,
    ) -> Result<JsValue, JsValue> {
        let stream = loader.into_inner().finish().map_err(to_js)?;
        let (table, warnings, used) = stream.finish_with_options().map_err(to_js)?;
        self.add_read(path, (table, warnings))?;
        to_value(&used)
    }

    /// For CSV files: the DDL of the columns with the widest type each file gives them,
    /// when the files' inferred types disagree (read them all again with it as the
    /// `schema` option, as Spark infers one schema over a folder); undefined when they
    /// agree.
    #[wasm_bindgen(js_name = widenedSchema)]
    pub fn widened_schema(&self) -> Option<String> {
        self.dataset.widened_schema()
    }

    /// Files added so far.
    pub fn files(&self) -> usize {
        self.dataset.len() + self.json.len() + self.parquet.len()
    }

    /// The partition columns (`column=value` folder levels) of the files added so far.
    #[wasm_bindgen(js_name = partitionColumns)]
    pub fn partition_columns(&self) -> Vec<String> {
        match self.json.first_path().or(self.parquet.first_path()) {
            Some(path) if self.dataset.is_empty() => PartitionPath::parse(path)
                .map(|p| p.columns().map(str::to_string).collect())
                .unwrap_or_default(),
            _ => self.dataset.partition_columns(),
        }
    }
}

impl Default for JsHiveDataset {
    fn default() -> Self {
        Self::new()
    }
}

impl JsHiveDataset {
    /// Adds one file's table, its reader's warnings named by the file.
    fn add_read(
        &mut self,
        path: &str,
        (table, warnings): (Table, Vec<String>),
    ) -> Result<(), JsValue> {
        self.warnings
            .extend(warnings.into_iter().map(|w| format!("{path}: {w}")));
        self.dataset.add_file(path, table).map_err(to_js)
    }

    /// The gathered files (JSON files read now, with one schema; Parquet files decoded
    /// now if they were not yet), and the readers' warnings.
    pub fn into_parts(self) -> crate::Result<(HiveDataset, Vec<String>)> {
        let JsHiveDataset {
            mut dataset,
            json,
            parquet,
            mut warnings,
        } = self;
        for (path, table) in parquet.finish()? {
            dataset.add_file(&path, table)?;
        }
        if !json.is_empty() {
            warnings.extend(dataset.add_json_files(json)?);
        }
        Ok((dataset, warnings))
    }
}
