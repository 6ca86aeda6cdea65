//! The page suite's JSON lines load natively: the generated telecom table written as
//! JSON lines (as `brasa-datagen --format json` and `df.write.json` write it), read back
//! by `read_json` as the page reads a dropped file, and its two passes timed apart (the
//! survey that infers the schema, then the decode into partitions), and read with the
//! schema given (no inference: each value converted, `given.rs`). For reference,
//! arrow-json alone decoding the same text given the schema (no inference), on one thread.
//! And the file as Python's `json.dumps` writes a missing value, a bare `NaN` (standard
//! JSON has none; Spark reads it by default), in every tenth record and in every record:
//! such records are read again from their standard rewrite (`io/json/lenient.rs`).
//! And the typing options: the file read with `prefersDecimal` and `inferTimestamp` (its
//! doubles become decimals, its dates timestamps: the first pieces decoded as text and
//! converted, `io/json/typed.rs`, the others in the fitted pass, `io/json/flat.rs`), and
//! with an empty string in every tenth record (a null to inference: the pieces holding
//! one decode their non-string columns as text).
//!
//! `cargo bench --bench json_load` (`BENCH_ROWS=1000000` for the page's file;
//! `BENCH_THREADS=1` for one pool only, e.g. under `perf record`). Figures in BENCHMARKS.md.

#[path = "shared/thread_counts.rs"]
mod thread_counts;

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use arrow_json::LineDelimitedWriter;
use brasa::datagen::telecom_batch;
use brasa::frame::spark_type_name;
use brasa::io::json::{read_json, JsonLoader, JsonOptions, JsonSchema};

const RUNS: usize = 5;
const BLOCK_ROWS: usize = 65_536;

fn json_lines(rows: usize) -> Vec<u8> {
    let mut writer = LineDelimitedWriter::new(Vec::new());
    let mut first = 0;
    while first < rows {
        let count = BLOCK_ROWS.min(rows - first);
        writer
            .write(&telecom_batch(42, first as u64, count))
            .expect("writing to memory");
        first += count;
    }
    writer.finish().expect("writing to memory");
    writer.into_inner()
}

/// The lines with `"score": NaN` added to every `every`-th record.
fn with_nan(bytes: &[u8], every: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 10);
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        match line.strip_suffix(b"}\n") {
            Some(record) if i % every == 0 => {
                out.extend_from_slice(record);
                out.extend_from_slice(b",\"score\":NaN}\n");
            }
            _ => out.extend_from_slice(line),
        }
    }
    out
}

/// The lines with `"note": ""` added to every `every`-th record and `"note": "x"` to
/// the others.
fn with_blanks(bytes: &[u8], every: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 8);
    for (i, line) in bytes.split_inclusive(|&b| b == b'\n').enumerate() {
        match line.strip_suffix(b"}\n") {
            Some(record) => {
                out.extend_from_slice(record);
                out.extend_from_slice(match i % every {
                    0 => b",\"n\":\"\"}\n",
                    _ => b",\"n\":7}\n",
                });
            }
            None => out.extend_from_slice(line),
        }
    }
    out
}

/// Median, min and max of `RUNS` timed runs after a warm-up, in milliseconds.
fn timed(mut work: impl FnMut()) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(RUNS);
    for run in 0..=RUNS {
        let started = Instant::now();
        work();
        if run > 0 {
            times.push(started.elapsed().as_secs_f64() * 1e3);
        }
    }
    times.sort_by(f64::total_cmp);
    (times[RUNS / 2], times[0], times[RUNS - 1])
}

fn report(what: &str, bytes: usize, (median, min, max): (f64, f64, f64)) {
    println!(
        "{what}: median {median:.0} ms (min {min:.0}, max {max:.0}), {:.0} MB/s",
        bytes as f64 / 1e6 / (median / 1e3)
    );
}

fn arrow_json(bytes: &[u8], schema: arrow_schema::SchemaRef) -> usize {
    let mut decoder = arrow_json::ReaderBuilder::new(schema)
        .with_coerce_primitive(true)
        .with_batch_size(65_536)
        .build_decoder()
        .expect("valid options");
    let mut rows = 0;
    let mut at = 0;
    while at < bytes.len() {
        at += decoder.decode(&bytes[at..]).expect("valid JSON");
        rows += decoder
            .flush()
            .expect("valid JSON")
            .map_or(0, |b| b.num_rows());
    }
    rows + decoder
        .flush()
        .expect("valid JSON")
        .map_or(0, |b| b.num_rows())
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no other arguments.
    let rows: usize = std::env::var("BENCH_ROWS").map_or(200_000, |r| r.parse().unwrap());
    let bytes = json_lines(rows);
    let options = JsonOptions::default();
    let (table, _) = read_json(&bytes, &options).expect("valid JSON lines");
    assert_eq!(table.num_rows(), rows);
    println!(
        "{rows} rows, {:.1} MB of JSON lines",
        bytes.len() as f64 / 1e6
    );
    // The inferred schema written as DDL: a read with it converts every value instead.
    let ddl: Vec<String> = table
        .schema()
        .fields()
        .iter()
        .map(|f| format!("`{}` {}", f.name(), spark_type_name(f.data_type())))
        .collect();
    let given = JsonOptions {
        schema: Some(ddl.join(", ")),
        ..JsonOptions::default()
    };
    let typed = JsonOptions {
        prefers_decimal: true,
        infer_timestamp: true,
        ..JsonOptions::default()
    };
    // Spark's `samplingRatio`: the schema from a tenth of the records, then every record
    // read with it.
    let sampled = JsonOptions {
        sampling_ratio: 0.1,
        ..JsonOptions::default()
    };
    let blanks = with_blanks(&bytes, 10);
    let nan_tenth = with_nan(&bytes, 10);
    let nan_all = with_nan(&bytes, 1);
    let threads = thread_counts::thread_counts();
    for threads in threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let load = || {
            // Everything read at the end, so the two passes are timed apart.
            let mut loader = JsonLoader::new(options.clone(), bytes.len())
                .unwrap()
                .reading_at_the_end();
            brasa::io::compressed::ByteSink::push(&mut loader, &bytes).unwrap();
            loader
        };
        report(
            &format!("read_json, {threads} thread(s)"),
            bytes.len(),
            timed(|| {
                pool.install(|| black_box(read_json(&bytes, &options).unwrap()));
            }),
        );
        report(
            &format!("read_json with the schema given, {threads} thread(s)"),
            bytes.len(),
            timed(|| {
                pool.install(|| black_box(read_json(&bytes, &given).unwrap()));
            }),
        );
        report(
            &format!("read_json with samplingRatio 0.1, {threads} thread(s)"),
            bytes.len(),
            timed(|| {
                pool.install(|| black_box(read_json(&bytes, &sampled).unwrap()));
            }),
        );
        report(
            &format!("read_json with prefersDecimal and inferTimestamp, {threads} thread(s)"),
            bytes.len(),
            timed(|| {
                pool.install(|| black_box(read_json(&bytes, &typed).unwrap()));
            }),
        );
        report(
            &format!("read_json, a bigint field \"\" in every tenth record, {threads} thread(s)"),
            blanks.len(),
            timed(|| {
                pool.install(|| black_box(read_json(&blanks, &options).unwrap()));
            }),
        );
        for (what, text) in [("every tenth", &nan_tenth), ("every", &nan_all)] {
            report(
                &format!("read_json, a NaN in {what} record, {threads} thread(s)"),
                text.len(),
                timed(|| {
                    pool.install(|| black_box(read_json(text, &options).unwrap()));
                }),
            );
        }
        report(
            &format!("  survey (schema pass), {threads} thread(s)"),
            bytes.len(),
            timed(|| {
                let loader = load();
                pool.install(|| black_box(loader.survey().unwrap()));
            }),
        );
        let mut surveyed = pool.install(|| load().survey().unwrap());
        let schema = JsonSchema::inferred(surveyed.merged_type(), None).unwrap();
        report(
            &format!("  decode, {threads} thread(s)"),
            bytes.len(),
            timed(|| {
                pool.install(|| black_box(surveyed.decode(&schema).unwrap()));
            }),
        );
    }
    report(
        "arrow-json decoder alone, schema given, 1 thread",
        bytes.len(),
        timed(|| {
            black_box(arrow_json(&bytes, Arc::clone(table.schema())));
        }),
    );
}
