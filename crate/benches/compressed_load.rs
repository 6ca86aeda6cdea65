//! Compressed CSV loaded natively the way the page loads it (`load-compressed.ts`: 4 MB
//! slices pushed into a `Decompressor` that feeds a `CsvStream`), next to the plain CSV:
//! gzip as `gzip` writes it (one member: inflated on one thread), BGZF (members that
//! state their size: inflated in parallel), bzip2 as `bzip2 -9` writes it (blocks decoded
//! in parallel), zstd as `pzstd` writes it (frames in parallel) and as `zstd` writes it
//! (one frame: one thread).
//!
//! ```sh
//! cargo run --release --bin brasa-datagen -- --rows 1000000 --out /tmp/dg \
//!     --format csv,csv.gz,csv.bz2,csv.zst
//! BENCH_DATA=/tmp/dg cargo bench --bench compressed_load
//! ```
//!
//! `BENCH_ROWS` picks `telecom_<rows>.*` (1000000), `BENCH_THREADS=1` one pool only,
//! `BENCH_RUNS` the timed runs after a warm-up (5), `BENCH_FILES=bz2,zst` some files
//! only. The BGZF and one-frame zstd files are made here from the CSV. Figures are
//! recorded in BENCHMARKS.md.

#[path = "shared/thread_counts.rs"]
mod thread_counts;

use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use brasa::io::compressed::{Compression, Decompressor};
use brasa::io::csv::{read_csv, CsvOptions, CsvStream};

/// The page's slice of a compressed file.
const SLICE: usize = 4 << 20;

fn load_compressed(bytes: &[u8]) -> usize {
    let compression = Compression::detect(bytes).expect("a compressed file");
    let mut decompressor = Decompressor::new(compression, CsvStream::new(CsvOptions::default()))
        .expect("a decompressor");
    for slice in bytes.chunks(SLICE) {
        decompressor.push(slice).expect("valid data");
    }
    let sink = decompressor.finish().expect("valid data");
    let (table, _) = sink.finish().expect("valid CSV");
    table.num_rows()
}

/// BGZF as `bgzip` writes it (a member per 0xff00 bytes of text, level 6).
fn bgzf(text: &[u8]) -> Vec<u8> {
    let mut file = Vec::new();
    for chunk in text.chunks(0xff00).chain([&[][..]]) {
        let mut deflate =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        deflate.write_all(chunk).unwrap();
        let data = deflate.finish().unwrap();
        let mut crc = flate2::Crc::new();
        crc.update(chunk);
        let size = 18 + data.len() + 8;
        file.extend_from_slice(&[
            0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, b'B', b'C', 2, 0,
        ]);
        file.extend_from_slice(&((size - 1) as u16).to_le_bytes());
        file.extend_from_slice(&data);
        file.extend_from_slice(&crc.sum().to_le_bytes());
        file.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
    }
    file
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let dir = PathBuf::from(std::env::var("BENCH_DATA").unwrap_or("target/bench-data".into()));
    let rows: usize = std::env::var("BENCH_ROWS").map_or(1_000_000, |r| r.parse().unwrap());
    let runs: usize = std::env::var("BENCH_RUNS").map_or(5, |r| r.parse().unwrap());
    let threads = thread_counts::thread_counts();
    let only = std::env::var("BENCH_FILES").ok();
    let wanted = |name: &str| {
        only.as_ref()
            .is_none_or(|only| only.split(',').any(|o| o == name))
    };
    let read = |ext: &str| {
        let path = dir.join(format!("telecom_{rows}.{ext}"));
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (see the doc)", path.display()))
    };
    let csv = read("csv");
    let mut files: Vec<(&str, Vec<u8>)> = Vec::new();
    for (name, ext) in [("gz", "csv.gz"), ("bz2", "csv.bz2"), ("zst", "csv.zst")] {
        if wanted(name) {
            files.push((name, read(ext)));
        }
    }
    if wanted("bgzf") {
        files.push(("bgzf", bgzf(&csv)));
    }
    if wanted("zst1") {
        files.push(("zst1", zstd::encode_all(&csv[..], 3).unwrap()));
    }

    println!(
        "{rows} rows, CSV {:.0} MB; median of {runs} runs after a warm-up",
        csv.len() as f64 / 1e6
    );
    for threads in threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let time = |f: &(dyn Fn() -> usize + Sync)| {
            let mut times = Vec::new();
            for run in 0..=runs {
                let start = Instant::now();
                assert_eq!(pool.install(f), rows);
                if run > 0 {
                    times.push(start.elapsed());
                }
            }
            median(times)
        };
        let plain = time(&|| {
            let (table, _) = read_csv(&csv, &CsvOptions::default()).unwrap();
            table.num_rows()
        });
        println!("{threads} thread(s): csv {plain:.0} ms");
        for (name, bytes) in &files {
            let ms = time(&|| load_compressed(bytes));
            println!(
                "{threads} thread(s): {name} ({:.1} MB) {ms:.0} ms, {:.2}x the plain CSV",
                bytes.len() as f64 / 1e6,
                ms / plain
            );
        }
    }
}
