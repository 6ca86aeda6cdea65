//! Compressed CSV files (gzip, zstd, bzip2) load as their plain text does, pushed in
//! slices as the page pushes them (files of many bzip2 blocks, BGZF members or zstd
//! frames too, which are decoded in parallel); truncated and damaged files and a decompression bomb
//! give clear errors. Fixtures: `tests/fixtures/compressed/make_compressed_fixtures.py`.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_select::concat::concat_batches;
use brasa::io::compressed::{Compression, Decompressor};
use brasa::io::csv::{read_csv, CsvOptions, CsvStream};
use brasa::{Error, ErrorCode, Table};

/// The page's slice of the compressed file (`load-compressed.ts`).
const SLICE: usize = 4 << 20;

fn fixture(name: &str) -> Vec<u8> {
    let dir: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/compressed");
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn load(bytes: &[u8], slice: usize) -> Result<Table, Error> {
    let compression = Compression::detect(bytes).expect("a compressed file");
    let mut decompressor = Decompressor::new(compression, CsvStream::new(CsvOptions::default()))?;
    for chunk in bytes.chunks(slice) {
        decompressor.push(chunk)?;
    }
    Ok(decompressor.finish()?.finish()?.0)
}

fn rows(table: &Table) -> RecordBatch {
    concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap()
}

#[test]
fn each_format_loads_as_the_plain_file_does() {
    let (plain, _) = read_csv(&fixture("sales.csv"), &CsvOptions::default()).unwrap();
    let expected = rows(&plain);
    assert_eq!(expected.num_rows(), 2000);
    for ext in ["gz", "zst", "bz2"] {
        for name in [
            format!("sales.csv.{ext}"),
            format!("sales_two_parts.csv.{ext}"),
        ] {
            for slice in [SLICE, 1000, 1] {
                let table = load(&fixture(&name), slice).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(rows(&table), expected, "{name} in slices of {slice}");
            }
        }
    }
}

/// Files of many independent units, decoded in parallel: Python's `bz2` (several
/// blocks), BGZF and zstd frames with a skippable frame, all of `sales.csv`'s rows ten
/// times.
#[test]
fn files_of_many_units_load_as_the_plain_file_does() {
    let text = fixture("sales.csv");
    let header = text.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut many = text[..header].to_vec();
    for _ in 0..10 {
        many.extend_from_slice(&text[header..]);
    }
    let (plain, _) = read_csv(&many, &CsvOptions::default()).unwrap();
    let expected = rows(&plain);
    assert_eq!(expected.num_rows(), 20_000);
    for name in [
        "sales_x10.csv.bz2",
        "sales_x10_bgzf.csv.gz",
        "sales_x10_frames.csv.zst",
        "sales_x10_pzstd.csv.zst",
    ] {
        for slice in [SLICE, 5000, 1] {
            let table = load(&fixture(name), slice).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(rows(&table), expected, "{name} in slices of {slice}");
        }
    }
}

/// A truncated file says so; a damaged one is an error, not a table of garbage.
#[test]
fn truncated_and_damaged_files_are_clear_errors() {
    for (kind, says) in [("truncated", "truncated"), ("damaged", "damaged")] {
        for ext in ["gz", "zst", "bz2"] {
            let name = format!("sales_{kind}.csv.{ext}");
            let err = load(&fixture(&name), SLICE).unwrap_err();
            assert_eq!(err.code(), ErrorCode::CompressedCorrupt, "{name}: {err}");
            assert!(err.message().contains(says), "{name}: {err}");
        }
    }
}

#[test]
fn compressed_binary_is_refused_as_binary() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder
        .write_all(&[0u8, 1, 2, 3, 0, 255, 0, 7].repeat(1000))
        .unwrap();
    let err = load(&encoder.finish().unwrap(), SLICE).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CsvEncoding, "{err}");
}

/// A few MB of gzip members that claim 4 GB of text: the output is stopped at the
/// budget, long before it is all made.
#[test]
fn a_decompression_bomb_is_stopped_at_the_memory_budget() {
    let mut member = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    member.write_all(&b"0\n".repeat(1 << 19)).unwrap();
    let member = member.finish().unwrap();
    let bomb: Vec<u8> = member.repeat(4096);
    assert!(bomb.len() < 8 << 20, "{}", bomb.len());
    let limit = 24 << 20;
    let mut decompressor = Decompressor::with_limit(
        Compression::Gzip,
        CsvStream::new(CsvOptions::default()),
        limit,
    )
    .unwrap();
    let err = bomb
        .chunks(SLICE)
        .try_for_each(|chunk| decompressor.push(chunk))
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OutOfMemory, "{err}");
    assert!(err.message().contains("decompression bomb"), "{err}");
    assert!(decompressor.bytes_out() <= limit + (1 << 20));
}
