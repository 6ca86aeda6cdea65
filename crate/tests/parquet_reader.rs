//! The Parquet reader against files written by pyarrow (the reference writer), one per
//! codec, and against broken files. Fixtures and the values pyarrow reads back come from
//! `tests/fixtures/make_parquet_fixtures.py`.
#![cfg(not(target_arch = "wasm32"))]

mod pyarrow;

use arrow_schema::DataType;
use arrow_select::concat::concat_batches;
use brasa::io::parquet::{read_parquet, ParquetLoader, PARTITION_ROWS};
use brasa::ErrorCode;
use pyarrow::json_column;

fn fixture(name: &str) -> Vec<u8> {
    pyarrow::fixture("parquet", name)
}

#[test]
fn reads_every_codec_like_pyarrow() {
    let expected = pyarrow::expected_columns();
    for codec in ["none", "snappy", "gzip", "zstd", "lz4", "brotli"] {
        let (table, warnings) = read_parquet(fixture(&format!("types_{codec}.parquet"))).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(table.num_rows(), 1000, "{codec}");
        // Row groups of 300 rows: each is a partition.
        assert_eq!(table.num_partitions(), 4, "{codec}");
        let batch = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
        for (name, values) in &expected {
            let want = values.as_array().unwrap();
            assert_eq!(&json_column(&batch, name), want, "{codec}: column {name}");
        }
        let schema = table.schema();
        let category = schema.field_with_name("category").unwrap();
        assert_eq!(
            category.data_type(),
            &DataType::Utf8,
            "dictionaries are read as plain strings"
        );
        assert_eq!(
            schema.field_with_name("seen").unwrap().data_type(),
            &DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, Some("UTC".into()))
        );
    }
}

#[test]
fn decodes_in_steps_of_row_groups() {
    let mut loader = ParquetLoader::new(fixture("types_zstd.parquet")).unwrap();
    assert_eq!(loader.num_row_groups(), 4);
    assert_eq!(loader.num_rows(), 1000);
    assert_eq!(loader.decode_next(3).unwrap(), 3);
    assert_eq!(loader.groups_done(), 3);
    assert_eq!(loader.decode_next(3).unwrap(), 1);
    assert_eq!(loader.decode_next(3).unwrap(), 0);
    let (table, _) = loader.finish().unwrap();
    assert_eq!(table.num_rows(), 1000);
}

#[test]
fn big_row_groups_are_sliced_into_partitions() {
    use brasa::datagen::{telecom_batch, telecom_schema};
    use parquet::arrow::ArrowWriter;
    let rows = PARTITION_ROWS * 2 + 10;
    let mut bytes = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut bytes, telecom_schema(), None).unwrap();
    writer.write(&telecom_batch(3, 0, rows)).unwrap();
    writer.close().unwrap();
    let (table, _) = read_parquet(bytes).unwrap();
    assert_eq!(table.num_rows(), rows);
    assert_eq!(table.num_partitions(), 3);
    let all = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
    assert_eq!(all, telecom_batch(3, 0, rows));
}

#[test]
fn empty_file_is_an_empty_table() {
    let (table, _) = read_parquet(fixture("empty.parquet")).unwrap();
    assert_eq!(table.num_rows(), 0);
    assert_eq!(table.schema().fields().len(), 1);
}

#[test]
fn broken_files_are_clear_errors() {
    for name in [
        "broken_truncated.parquet",
        "broken_magic.parquet",
        "broken_footer.parquet",
        "broken_not_parquet.parquet",
    ] {
        let err = read_parquet(fixture(name))
            .err()
            .unwrap_or_else(|| panic!("{name} read"));
        assert_eq!(err.code(), ErrorCode::ParquetCorrupt, "{name}: {err}");
        assert!(err.message().contains("Parquet"), "{name}: {err}");
    }
    let err = read_parquet(Vec::new()).err().unwrap();
    assert_eq!(err.code(), ErrorCode::ParquetCorrupt);
}
