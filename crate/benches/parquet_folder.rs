//! A Hive-partitioned folder against one file: the generated 1M-row telecom table written
//! as one Parquet file, and as a folder of ten files (`part=p0/` ... `part=p9/`, the same
//! rows split evenly), read back on all threads. The folder should cost what the file
//! costs: the files' row groups are decoded together in one parallel pass, and the
//! partition column is a constant per file.
//!
//! Then a query filtering on the partition column, over the folder's table (its
//! partition filter skips nine files of ten) and over the same rows in a table that does
//! not know `part` is a partition column (the filter reads every row).
//!
//! `cargo bench --bench parquet_folder` — figures are recorded in BENCHMARKS.md.

use std::hint::black_box;

use brasa::datagen::telecom_table;
use brasa::frame::Catalog;
use brasa::io::hive::{read_folder as io_read_folder, FolderOptions};
use brasa::io::parquet::read_parquet;
use brasa::io::write::write_parquet;
use brasa::job::JobContext;
use brasa::sql::query;
use brasa::Table;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const ROWS: usize = 1_000_000;
const FILES: usize = 10;

/// The folder as `spark.read.parquet` would read it: the files' row groups decoded
/// together, then the partition column added.
fn read_folder(files: &[(String, Vec<u8>)]) -> Table {
    let (table, _) =
        io_read_folder(files.to_vec(), &FolderOptions::default()).expect("a valid folder");
    table
}

fn bench(c: &mut Criterion) {
    let parts: Vec<Table> = (0..FILES)
        .map(|i| telecom_table(42 + i as u64, ROWS / FILES, 65_536).expect("generated rows"))
        .collect();
    let all = parts
        .iter()
        .flat_map(|t| t.partitions().unwrap().to_vec())
        .collect();
    let table = Table::try_new(parts[0].schema_arc(), all).expect("one schema");
    let whole = write_parquet(&table).expect("writing Parquet");
    let folder: Vec<(String, Vec<u8>)> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            let bytes = write_parquet(part).expect("writing Parquet");
            (format!("telecom/part=p{i}/part-00000.parquet"), bytes)
        })
        .collect();
    let folder_bytes: usize = folder.iter().map(|(_, b)| b.len()).sum();
    println!(
        "data: one file {} bytes, folder {folder_bytes} bytes in {FILES} files",
        whole.len()
    );

    let mut group = c.benchmark_group("parquet_1m_rows");
    group.sample_size(10);
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("one_file", |b| {
        b.iter(|| black_box(read_parquet(whole.clone()).expect("a valid file")))
    });
    group.bench_function("hive_folder_10_files", |b| {
        b.iter(|| black_box(read_folder(&folder)))
    });
    group.finish();

    let folder_table = read_folder(&folder);
    let plain = Table::try_new(
        folder_table.schema_arc(),
        folder_table.partitions().unwrap().to_vec(),
    )
    .expect("one schema");
    let mut catalog = Catalog::new();
    catalog
        .register("folder", folder_table, false)
        .expect("a name");
    catalog.register("plain", plain, false).expect("a name");
    let ctx = JobContext::default();
    let sql = |table: &str| {
        format!(
            "SELECT region, count(*), avg(monthly_spend) FROM {table} WHERE part = 'p3' \
             GROUP BY region"
        )
    };
    let mut group = c.benchmark_group("partition_filter_1m_rows");
    group.sample_size(20);
    group.throughput(Throughput::Elements(ROWS as u64));
    for table in ["folder", "plain"] {
        let sql = sql(table);
        group.bench_function(table, |b| {
            b.iter(|| black_box(query(&catalog, &sql, &ctx).expect("a query")))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
