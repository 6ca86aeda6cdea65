//! Why Brasa has its own CSV tokenizer: this benchmark decodes the same generated telecom
//! CSV with arrow-csv (given the schema, so it does no inference) and with Brasa's reader
//! (which also infers the schema), on one thread and on all threads.
//!
//! `cargo bench --bench csv_load` — figures are recorded in BENCHMARKS.md.

use std::hint::black_box;
use std::sync::Arc;

use brasa::datagen::{telecom_csv_header, write_telecom_csv};
use brasa::io::csv::{read_csv, CsvOptions};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ROWS: usize = 200_000;

fn csv_bytes() -> Vec<u8> {
    let mut csv = telecom_csv_header().into_bytes();
    write_telecom_csv(&mut csv, 42, 0, ROWS).expect("writing to memory");
    csv
}

fn arrow_csv(bytes: &[u8], schema: arrow_schema::SchemaRef) -> usize {
    let reader = arrow_csv::ReaderBuilder::new(schema)
        .with_header(true)
        .with_batch_size(65_536)
        .build_buffered(std::io::Cursor::new(bytes))
        .expect("valid options");
    reader
        .map(|batch| batch.expect("valid csv").num_rows())
        .sum()
}

fn bench(c: &mut Criterion) {
    let bytes = csv_bytes();
    let (table, _) = read_csv(&bytes, &CsvOptions::default()).expect("valid csv");
    // arrow-csv without chrono-tz only knows offset time zones; "+00:00" is UTC.
    let fields: Vec<arrow_schema::Field> = table
        .schema()
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            arrow_schema::DataType::Timestamp(unit, Some(_)) => {
                f.as_ref()
                    .clone()
                    .with_data_type(arrow_schema::DataType::Timestamp(
                        *unit,
                        Some("+00:00".into()),
                    ))
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    let schema = Arc::new(arrow_schema::Schema::new(fields));
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let all_threads = rayon::ThreadPoolBuilder::new().build().unwrap();

    let mut group = c.benchmark_group("csv_load_200k_rows");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sample_size(10);
    group.bench_function("arrow_csv_1_thread", |b| {
        b.iter(|| black_box(arrow_csv(&bytes, Arc::clone(&schema))))
    });
    group.bench_function("brasa_1_thread", |b| {
        b.iter(|| {
            one_thread.install(|| black_box(read_csv(&bytes, &CsvOptions::default()).unwrap()))
        })
    });
    group.bench_function(
        format!("brasa_{}_threads", all_threads.current_num_threads()),
        |b| {
            b.iter(|| {
                all_threads.install(|| black_box(read_csv(&bytes, &CsvOptions::default()).unwrap()))
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
