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

/// A table with an empty column name, the same name twice (differing in case) and a
/// timestamp column in Paris time, as a writer other than Spark may make it.
fn unusual_columns() -> arrow_array::RecordBatch {
    use arrow_array::{Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
    use arrow_schema::{Field, Schema, TimeUnit};
    use std::sync::Arc;
    let paris = DataType::Timestamp(TimeUnit::Microsecond, Some("Europe/Paris".into()));
    let schema = Schema::new(vec![
        Field::new("", DataType::Int64, true),
        Field::new("x", DataType::Utf8, true),
        Field::new("X", DataType::Int64, true),
        Field::new("t", paris, true),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(Int64Array::from(vec![1, 2])),
            Arc::new(StringArray::from(vec!["a", "b"])),
            Arc::new(Int64Array::from(vec![3, 4])),
            // 2024-01-31 09:30:00 UTC, 10:30 in Paris.
            Arc::new(
                TimestampMicrosecondArray::from(vec![1_706_693_400_000_000, 0])
                    .with_timezone("Europe/Paris"),
            ),
        ],
    )
    .unwrap()
}

#[test]
fn empty_and_repeated_names_are_named_as_spark_names_csv_columns() {
    let mut bytes = Vec::new();
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(&mut bytes, unusual_columns().schema(), None).unwrap();
    writer.write(&unusual_columns()).unwrap();
    writer.close().unwrap();
    let (table, _) = read_parquet(bytes).unwrap();
    let columns = brasa::frame::ColumnInfo::of_schema(table.schema());
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["_c0", "x1", "X2", "t"]);
    // The zone is kept, shown beside Spark's type, and the values are shown in it.
    assert_eq!(columns[3].data_type, "timestamp");
    assert_eq!(columns[3].time_zone.as_deref(), Some("Europe/Paris"));
    let batch = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
    let shown = brasa::frame::display_batch(&batch).unwrap();
    let times = arrow_array::cast::AsArray::as_string::<i32>(shown.column(3));
    assert_eq!(times.value(0), "2024-01-31 10:30:00");
    assert_eq!(times.value(1), "1970-01-01 01:00:00");
}
