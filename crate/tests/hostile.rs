//! The hostile-input corpus at the engine layer: every malformed or hostile file, query
//! and training job listed in `tests/hostile/manifest.json` gives the error the manifest
//! names (code, where, and words of the message), or the documented result, and never a
//! panic or an `INTERNAL` error. `tests/e2e/hostile.test.ts` runs the same manifest in
//! the page.
//!
//! Files are read the way the page reads them (`www/src/data/worker/load-csv.ts`): the
//! CSV head grows from 1 MB while the first record does not fit, then the file is pushed
//! in 32 MB chunks. Big inputs are generated from the manifest's `generate` entries and
//! read through [`Source`] slices, so a 1 GB line never sits in memory whole.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use arrow_array::cast::AsArray;
use arrow_array::Array;
use brasa::frame::{display_batch, spark_type_name};
use brasa::io::arrow_file::read_arrow;
use brasa::io::compressed::{Compression, Decompressor, SIGNATURE_BYTES};
use brasa::io::csv::{CsvLoader, CsvOptions, CsvStream};
use brasa::io::excel::{read_excel, ExcelOptions};
use brasa::io::hive::{read_folder, FolderOptions};
use brasa::io::json::{read_json, JsonOptions};
use brasa::io::parquet::read_parquet;
use brasa::job::JobContext;
use brasa::ml::estimator::TrainedModel;
use brasa::ml::tuning::{train, TrainResult, TrainSpec};
use brasa::sql::{run_sql, SqlOutput};
use brasa::{Catalog, Error, ErrorCode, Table};
use serde::Deserialize;
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/hostile")
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Entry {
    id: String,
    /// What the input is, for a person reading the manifest.
    #[allow(dead_code)]
    what: String,
    kind: Kind,
    file: Option<String>,
    generate: Option<Generate>,
    /// CSV options, as the page sends them.
    options: Option<Value>,
    /// Statements run before `sql` (views, tables); they must succeed.
    setup: Option<String>,
    sql: Option<String>,
    /// Training: a query over the loaded file (table `data`) giving the table trained on.
    prepare: Option<String>,
    /// Training settings (a `TrainSpec`).
    spec: Option<Value>,
    expect: Expect,
    /// Only run end to end (e.g. what the page itself refuses before the engine).
    #[serde(default)]
    page_only: bool,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Csv,
    Parquet,
    Json,
    Arrow,
    Excel,
    /// A zipped folder, read as one table (Hive-partitioned Parquet or CSV files).
    Folder,
    Sql,
    Train,
}

/// Inputs too big to commit, described instead.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
enum Generate {
    /// A CSV header of `columns` names (`c0,c1,...`) and one row of `1`s.
    WideCsv { columns: usize },
    /// `bytes` bytes of `x` and no line break: one record, one field.
    LongLine { bytes: usize },
    /// A header `id,text` and one row whose `text` is `bytes` bytes long.
    BigCell { bytes: usize },
    /// A decompression bomb: a gzipped CSV header `x`, then `bytes` of line breaks (blank
    /// lines, which the reader skips) as gzip members of [`BOMB_MEMBER`] bytes each, as
    /// `pigz` writes them: about 1/1000 of `bytes` on disk. Its entry is `pageOnly`: this
    /// debug build takes about ten minutes to inflate the 3.2 GB it passes before being
    /// stopped (`compressed_reader.rs` stops one at a small budget natively).
    GzipBomb { bytes: usize },
    /// `prefix`, then `count` copies of `item` joined by `separator`, then `suffix`.
    Chain {
        prefix: String,
        item: String,
        separator: String,
        count: usize,
        suffix: String,
    },
    /// `prefix`, `open` × `count`, `middle`, `close` × `count`, `suffix`.
    Nest {
        prefix: String,
        open: String,
        middle: String,
        close: String,
        count: usize,
        suffix: String,
    },
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Expect {
    /// The error code; absent means the input must succeed.
    error: Option<String>,
    /// Words the message must contain.
    message: Option<String>,
    /// 1-based data row, column name, or `[line, column]` in a query.
    row: Option<u64>,
    column: Option<String>,
    position: Option<(u64, u64)>,
    // What a successful load or query gives.
    rows: Option<usize>,
    columns: Option<usize>,
    names: Option<Vec<String>>,
    types: Option<Vec<String>>,
    /// The first row as the grid shows it (`null` for NULL).
    first_row: Option<Vec<Option<String>>>,
    /// Words one of the load's warnings must contain.
    warning: Option<String>,
    // What a successful training gives.
    coefficients: Option<Vec<f64>>,
    intercept: Option<f64>,
    /// Words of a panic raised inside a dependency on this input (an upstream bug the
    /// engine cannot catch in wasm: the page restarts it, and `error` is what the page
    /// shows). When it stops panicking, the entry must be updated.
    upstream_panic: Option<String>,
    /// The error code an `upstream_panic` input gives when it does not panic: the pool
    /// decodes columns in parallel, and a corrupt column that fails first ends the read
    /// before the one that panics is reached.
    or_error: Option<String>,
}

/// A file read in slices, as the page reads a `File`.
trait Source {
    fn size(&self) -> usize;
    fn slice(&self, start: usize, end: usize) -> Vec<u8>;
}

impl Source for Vec<u8> {
    fn size(&self) -> usize {
        self.len()
    }
    fn slice(&self, start: usize, end: usize) -> Vec<u8> {
        self[start.min(self.len())..end.min(self.len())].to_vec()
    }
}

/// `size` bytes of `x`, made on demand.
struct LongLine(usize);

impl Source for LongLine {
    fn size(&self) -> usize {
        self.0
    }
    fn slice(&self, start: usize, end: usize) -> Vec<u8> {
        vec![b'x'; end.min(self.0).saturating_sub(start)]
    }
}

const HEAD_BYTES: usize = 1 << 20;
const MAX_HEAD_BYTES: usize = 256 << 20;
const CHUNK_BYTES: usize = 32 << 20;
const SAMPLE_WINDOWS: usize = 8;
const WINDOW_BYTES: usize = 64 << 10;

/// Slices of a compressed file pushed at a time (`load-compressed.ts`).
const COMPRESSED_SLICE: usize = 4 << 20;

/// Loads CSV exactly as `load-csv.ts` (or, compressed, `load-compressed.ts`) drives the
/// engine.
fn load_csv(source: &dyn Source, options: &CsvOptions) -> Result<(Table, Vec<String>), Error> {
    if let Some(compression) = Compression::detect(&source.slice(0, SIGNATURE_BYTES)) {
        let mut decompressor = Decompressor::new(compression, CsvStream::new(options.clone()))?;
        let mut offset = 0;
        while offset < source.size() {
            let chunk = source.slice(offset, offset + COMPRESSED_SLICE);
            offset += chunk.len();
            decompressor.push(&chunk)?;
        }
        return decompressor.finish()?.finish();
    }
    let mut head_size = source.size().min(HEAD_BYTES);
    let mut loader = loop {
        let head = source.slice(0, head_size);
        match CsvLoader::new(&head, head_size == source.size(), options) {
            Ok(loader) => break loader,
            Err(e)
                if e.code() == ErrorCode::CsvRecordTooLong
                    && head_size < source.size()
                    && head_size < MAX_HEAD_BYTES =>
            {
                head_size = source.size().min(head_size * 4);
            }
            Err(e) => return Err(e),
        }
    };
    if source.size() > 4 * HEAD_BYTES {
        for k in 1..=SAMPLE_WINDOWS {
            let at = source.size() * k / (SAMPLE_WINDOWS + 1);
            loader.refine_types(&source.slice(at, at + WINDOW_BYTES));
        }
    }
    let mut offset = 0;
    while offset < source.size() {
        let chunk = source.slice(offset, offset + CHUNK_BYTES);
        offset += chunk.len();
        loader.push(&chunk)?;
    }
    loader.finish()
}

fn generated(generate: &Generate) -> Box<dyn Source> {
    match generate {
        Generate::WideCsv { columns } => {
            let header: Vec<String> = (0..*columns).map(|i| format!("c{i}")).collect();
            let row = vec!["1"; *columns].join(",");
            Box::new(format!("{}\n{row}\n", header.join(",")).into_bytes())
        }
        Generate::LongLine { bytes } => Box::new(LongLine(*bytes)),
        Generate::BigCell { bytes } => {
            let mut text = b"id,text\n1,".to_vec();
            text.resize(text.len() + bytes, b'y');
            text.extend_from_slice(b"\n2,short\n");
            Box::new(text)
        }
        Generate::GzipBomb { bytes } => Box::new(gzip_bomb(*bytes)),
        Generate::Chain { .. } | Generate::Nest { .. } => {
            Box::new(generated_text(generate).into_bytes())
        }
    }
}

/// Line breaks per gzip member of a generated bomb (`tests/e2e/hostile.test.ts` makes the
/// same in the page).
const BOMB_MEMBER: usize = 64 << 20;

fn gzip_bomb(bytes: usize) -> Vec<u8> {
    use std::io::Write;
    let gzip = |text: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        encoder.write_all(text).expect("gzip in memory");
        encoder.finish().expect("gzip in memory")
    };
    let mut file = gzip(b"x\n");
    let member = gzip(&vec![b'\n'; BOMB_MEMBER]);
    for _ in 0..bytes.div_ceil(BOMB_MEMBER) {
        file.extend_from_slice(&member);
    }
    file
}

fn generated_text(generate: &Generate) -> String {
    match generate {
        Generate::Chain {
            prefix,
            item,
            separator,
            count,
            suffix,
        } => format!(
            "{prefix}{}{suffix}",
            vec![item.as_str(); *count].join(separator)
        ),
        Generate::Nest {
            prefix,
            open,
            middle,
            close,
            count,
            suffix,
        } => format!(
            "{prefix}{}{middle}{}{suffix}",
            open.repeat(*count),
            close.repeat(*count)
        ),
        _ => panic!("not a text generator"),
    }
}

fn input(entry: &Entry) -> Box<dyn Source> {
    match (&entry.file, &entry.generate) {
        (Some(file), None) => {
            Box::new(std::fs::read(corpus().join(file)).unwrap_or_else(|e| panic!("{file}: {e}")))
        }
        (None, Some(generate)) => generated(generate),
        _ => panic!("{}: give exactly one of file and generate", entry.id),
    }
}

fn csv_options(entry: &Entry) -> CsvOptions {
    entry
        .options
        .clone()
        .map(|v| serde_json::from_value(v).expect("valid CSV options"))
        .unwrap_or_default()
}

/// What a successful entry produced.
enum Outcome {
    Table(Table, Vec<String>),
    Trained(Box<TrainResult>),
}

/// The small catalog SQL entries run against: `t` (100 rows: id, name, score, day).
fn sql_catalog() -> Catalog {
    let bytes = std::fs::read(corpus().join("sql/t.csv")).expect("tests/hostile/sql/t.csv");
    let (table, _) = load_csv(&bytes, &CsvOptions::default()).expect("t.csv loads");
    let mut catalog = Catalog::new();
    catalog.register("t", table, false).expect("registers t");
    catalog
}

/// The files of a zipped folder (`path`, bytes), as the page unzips a dropped `.zip`.
fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip archive");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("a zip entry");
            let mut data = Vec::new();
            file.read_to_end(&mut data).expect("an entry that inflates");
            (file.name().expect("an entry name").to_string(), data)
        })
        .filter(|(name, _)| !name.ends_with('/'))
        .collect()
}

/// The whole input of a reader that takes a file at once (Parquet, JSON, Arrow, Excel).
fn whole_input(entry: &Entry) -> Vec<u8> {
    let source = input(entry);
    source.slice(0, source.size())
}

fn run(entry: &Entry) -> Result<Outcome, Error> {
    let ctx = JobContext::default();
    match entry.kind {
        Kind::Csv => {
            let (table, warnings) = load_csv(input(entry).as_ref(), &csv_options(entry))?;
            Ok(Outcome::Table(table, warnings))
        }
        Kind::Parquet => {
            let (table, warnings) = read_parquet(whole_input(entry))?;
            Ok(Outcome::Table(table, warnings))
        }
        Kind::Json => {
            let (table, warnings) = read_json(&whole_input(entry), &JsonOptions::default())?;
            Ok(Outcome::Table(table, warnings))
        }
        Kind::Arrow => {
            let (table, warnings) = read_arrow(&whole_input(entry))?;
            Ok(Outcome::Table(table, warnings))
        }
        Kind::Excel => {
            let read = read_excel(&whole_input(entry), &ExcelOptions::default())?;
            Ok(Outcome::Table(read.table, read.warnings))
        }
        Kind::Folder => {
            let (table, warnings) = read_folder(
                unzip(&whole_input(entry)),
                &FolderOptions::csv(csv_options(entry)),
            )?;
            Ok(Outcome::Table(table, warnings))
        }
        Kind::Sql => {
            let mut catalog = sql_catalog();
            if let Some(setup) = &entry.setup {
                run_sql(&mut catalog, setup, &ctx).expect("the setup statements run");
            }
            let sql = match (&entry.sql, &entry.generate) {
                (Some(sql), None) => sql.clone(),
                (None, Some(generate)) => generated_text(generate),
                _ => panic!("{}: give exactly one of sql and generate", entry.id),
            };
            let result = run_sql(&mut catalog, &sql, &ctx);
            // The catalog still answers after whatever happened.
            match run_sql(&mut catalog, "SELECT count(*) FROM t", &ctx) {
                Ok(SqlOutput::Rows(t)) if t.num_rows() == 1 => {}
                other => panic!("{}: the catalog no longer answers: {other:?}", entry.id),
            }
            match result? {
                SqlOutput::Rows(table) => Ok(Outcome::Table(table, Vec::new())),
                SqlOutput::Done(message) | SqlOutput::Plan(message) => {
                    panic!("{}: expected rows, got `{message}`", entry.id)
                }
            }
        }
        Kind::Train => {
            let source = input(entry);
            let (mut table, _) = load_csv(source.as_ref(), &CsvOptions::default())?;
            if let Some(sql) = &entry.prepare {
                let mut catalog = Catalog::new();
                catalog.register("data", table, false)?;
                table = match run_sql(&mut catalog, sql, &ctx).expect("the preparing query runs") {
                    SqlOutput::Rows(prepared) => prepared,
                    SqlOutput::Done(message) | SqlOutput::Plan(message) => {
                        panic!("{}: `prepare` gave `{message}`", entry.id)
                    }
                };
            }
            let spec: TrainSpec =
                serde_json::from_value(entry.spec.clone().expect("a training spec"))
                    .map_err(|e| Error::new(ErrorCode::MlInput, e.to_string()))?;
            Ok(Outcome::Trained(Box::new(train(&table, &spec, &ctx)?)))
        }
    }
}

/// Big stacks for the debug build: unoptimised code uses many times the stack of the
/// release build that runs in wasm, so `f` runs on a thread with a 512 MB stack (reserved,
/// not used) and the thread pool (which runs the joins and partitions of a query) gets
/// 256 MB per thread. The limits that keep the release build within its stacks are tested
/// in wasm (`web.rs`) and by the fuzzer on a 2 MB stack.
fn on_big_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::Once = std::sync::Once::new();
    POOL.call_once(|| {
        rayon::ThreadPoolBuilder::new()
            .stack_size(256 << 20)
            .build_global()
            .expect("the pool is configured before any query runs");
    });
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(512 << 20)
            .spawn_scoped(scope, f)
            .expect("spawns a thread");
        match handle.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Checks one entry; returns what is wrong with it, if anything.
fn check(entry: &Entry) -> Vec<String> {
    let mut problems = Vec::new();
    let started = std::time::Instant::now();
    let outcome = match catch_unwind(AssertUnwindSafe(|| on_big_stack(|| run(entry)))) {
        Ok(outcome) => outcome,
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return match &entry.expect.upstream_panic {
                Some(words) if text.contains(words.as_str()) => Vec::new(),
                _ => vec![format!("panicked: {text}")],
            };
        }
    };
    if entry.expect.upstream_panic.is_some() {
        let code = outcome.as_ref().err().map(|e| e.code().as_str());
        return match (code, entry.expect.or_error.as_deref()) {
            (Some(code), Some(expected)) if code == expected => Vec::new(),
            (code, _) => vec![format!(
                "neither panicked nor failed with {:?} ({code:?}); if the upstream bug is \
                 fixed, update the entry",
                entry.expect.or_error
            )],
        };
    }
    if std::env::var_os("HOSTILE_SHOW").is_some() {
        eprintln!(
            "{} ({:.1?}): {}",
            entry.id,
            started.elapsed(),
            describe(&outcome)
        );
    }
    let expect = &entry.expect;
    match (outcome, &expect.error) {
        (Err(err), Some(code)) => {
            if err.code().as_str() != code {
                problems.push(format!(
                    "code {} instead of {code}: {}",
                    err.code(),
                    err.message()
                ));
            }
            if let Some(words) = &expect.message {
                if !err.message().contains(words.as_str()) {
                    problems.push(format!("message `{}` lacks `{words}`", err.message()));
                }
            }
            let location = err.location();
            if expect.row.is_some() && location.row != expect.row {
                problems.push(format!(
                    "row {:?} instead of {:?}",
                    location.row, expect.row
                ));
            }
            if expect.column.is_some() && location.column != expect.column {
                problems.push(format!(
                    "column {:?} instead of {:?}",
                    location.column, expect.column
                ));
            }
            if expect.position.is_some() && location.position != expect.position {
                problems.push(format!(
                    "position {:?} instead of {:?}",
                    location.position, expect.position
                ));
            }
        }
        (Err(err), None) => problems.push(format!("failed with {}: {}", err.code(), err.message())),
        (Ok(_), Some(code)) => problems.push(format!("succeeded, expected {code}")),
        (Ok(Outcome::Table(table, warnings)), None) => {
            check_table(expect, &table, &warnings, &mut problems)
        }
        (Ok(Outcome::Trained(result)), None) => check_training(expect, &result, &mut problems),
    }
    problems
}

/// An outcome in a line, for writing the manifest (`HOSTILE_SHOW=1 cargo test --test hostile`).
fn describe(outcome: &Result<Outcome, Error>) -> String {
    match outcome {
        Err(e) => format!("{} {:?} {}", e.code(), e.location(), e.message()),
        Ok(Outcome::Table(table, warnings)) => {
            let columns: Vec<String> = table
                .schema()
                .fields()
                .iter()
                .take(8)
                .map(|f| format!("{}:{}", f.name(), spark_type_name(f.data_type())))
                .collect();
            format!(
                "{} rows, {} columns {columns:?}, warnings {warnings:?}",
                table.num_rows(),
                table.schema().fields().len()
            )
        }
        Ok(Outcome::Trained(result)) => format!("model {:?}", result.model),
    }
}

fn check_table(expect: &Expect, table: &Table, warnings: &[String], problems: &mut Vec<String>) {
    let schema = table.schema();
    if let Some(rows) = expect.rows {
        if table.num_rows() != rows {
            problems.push(format!("{} rows instead of {rows}", table.num_rows()));
        }
    }
    if let Some(columns) = expect.columns {
        if schema.fields().len() != columns {
            problems.push(format!(
                "{} columns instead of {columns}",
                schema.fields().len()
            ));
        }
    }
    if let Some(names) = &expect.names {
        let actual: Vec<&String> = schema.fields().iter().map(|f| f.name()).collect();
        if actual != names.iter().collect::<Vec<_>>() {
            problems.push(format!("columns {actual:?} instead of {names:?}"));
        }
    }
    if let Some(types) = &expect.types {
        let actual: Vec<String> = schema
            .fields()
            .iter()
            .map(|f| spark_type_name(f.data_type()))
            .collect();
        if &actual != types {
            problems.push(format!("types {actual:?} instead of {types:?}"));
        }
    }
    if let Some(first) = &expect.first_row {
        match table.window(0, 1).and_then(|w| display_batch(&w)) {
            Ok(shown) => {
                // An empty table has no first row: `[]`.
                let actual: Vec<Option<String>> = shown
                    .columns()
                    .iter()
                    .filter(|c| !c.is_empty())
                    .map(|c| {
                        let strings = c.as_string::<i32>();
                        (!strings.is_null(0)).then(|| strings.value(0).to_string())
                    })
                    .collect();
                if &actual != first {
                    problems.push(format!("first row {actual:?} instead of {first:?}"));
                }
            }
            Err(e) => problems.push(format!("first row not shown: {e}")),
        }
    }
    if let Some(words) = &expect.warning {
        if !warnings.iter().any(|w| w.contains(words.as_str())) {
            problems.push(format!("no warning with `{words}` in {warnings:?}"));
        }
    }
}

fn check_training(expect: &Expect, result: &TrainResult, problems: &mut Vec<String>) {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * b.abs().max(1.0);
    let TrainedModel::LinearRegression { model, .. } = &result.model else {
        problems.push(format!("not a linear regression: {:?}", result.model));
        return;
    };
    if let Some(coefficients) = &expect.coefficients {
        let same = model.coefficients.len() == coefficients.len()
            && model
                .coefficients
                .iter()
                .zip(coefficients)
                .all(|(&a, &b)| close(a, b));
        if !same {
            problems.push(format!(
                "coefficients {:?} instead of {coefficients:?}",
                model.coefficients
            ));
        }
    }
    if let Some(intercept) = expect.intercept {
        if !close(model.intercept, intercept) {
            problems.push(format!(
                "intercept {} instead of {intercept}",
                model.intercept
            ));
        }
    }
}

fn manifest() -> Vec<Entry> {
    let text = std::fs::read_to_string(corpus().join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest.json parses")
}

#[test]
fn every_hostile_input_gives_its_documented_result() {
    let entries = manifest();
    let mut ids = HashSet::new();
    let mut failures = Vec::new();
    for entry in entries.iter().filter(|e| !e.page_only) {
        assert!(ids.insert(entry.id.as_str()), "duplicate id {}", entry.id);
        assert_ne!(
            entry.expect.error.as_deref(),
            Some("INTERNAL"),
            "{}: INTERNAL is never a documented result",
            entry.id
        );
        if entry.expect.upstream_panic.is_some() {
            assert_eq!(
                entry.expect.error.as_deref(),
                Some("ENGINE_CRASHED"),
                "{}",
                entry.id
            );
        }
        let problems = check(entry);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", entry.id, problems.join("; ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} entries failed:\n{}",
        failures.len(),
        entries.len(),
        failures.join("\n")
    );
}

#[test]
fn the_corpus_is_big_and_varied_enough() {
    let entries = manifest();
    assert!(entries.len() >= 40, "{} entries", entries.len());
    for kind in [Kind::Csv, Kind::Parquet, Kind::Sql, Kind::Train] {
        assert!(
            entries.iter().filter(|e| e.kind == kind).count() >= 5,
            "{kind:?}"
        );
    }
}
