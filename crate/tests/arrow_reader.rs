//! The Arrow IPC reader against files written by pyarrow (the reference writer): the IPC
//! file and stream formats, Feather v2 with LZ4 and zstd buffers, large and view string
//! columns, and broken files. Fixtures: `tests/fixtures/arrow/make_arrow_fixtures.py`,
//! holding the table whose values pyarrow reads back in `tests/fixtures/parquet`.
#![cfg(not(target_arch = "wasm32"))]

mod pyarrow;

use arrow_schema::DataType;
use arrow_select::concat::concat_batches;
use brasa::io::arrow_file::read_arrow;
use brasa::io::parquet::PARTITION_ROWS;
use brasa::ErrorCode;
use pyarrow::json_column;

fn fixture(name: &str) -> Vec<u8> {
    pyarrow::fixture("arrow", name)
}

#[test]
fn reads_every_variant_like_pyarrow() {
    let expected = pyarrow::expected_columns();
    for name in [
        "types.arrow",
        "types_lz4.feather",
        "types_zstd.feather",
        "types.arrows",
        "types_large.arrow",
    ] {
        let (table, warnings) =
            read_arrow(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(warnings.is_empty());
        assert_eq!(table.num_rows(), 1000, "{name}");
        // Batches of 300 rows are joined into one partition.
        assert_eq!(table.num_partitions(), 1, "{name}");
        let batch = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
        for (column, values) in &expected {
            let want = values.as_array().unwrap();
            assert_eq!(
                &json_column(&batch, column),
                want,
                "{name}: column {column}"
            );
        }
        for column in ["name", "category"] {
            let field = table.schema().field_with_name(column).unwrap().clone();
            assert_eq!(
                field.data_type(),
                &DataType::Utf8,
                "{name}: {column} is a plain string"
            );
        }
    }
}

#[test]
fn big_batches_are_sliced_and_small_ones_joined() {
    use arrow_ipc::writer::StreamWriter;
    use brasa::datagen::{telecom_batch, telecom_schema};
    let rows = PARTITION_ROWS * 2 + 10;
    let big = telecom_batch(3, 0, rows);
    let small: Vec<_> = (0..100).map(|i| big.slice(i, 1)).collect();
    let mut bytes = Vec::new();
    let mut writer = StreamWriter::try_new(&mut bytes, &telecom_schema()).unwrap();
    writer.write(&big).unwrap();
    for batch in &small {
        writer.write(batch).unwrap();
    }
    writer.finish().unwrap();
    drop(writer);
    let (table, _) = read_arrow(&bytes).unwrap();
    assert_eq!(table.num_rows(), rows + 100);
    assert_eq!(table.num_partitions(), 3);
    let all = concat_batches(table.schema(), table.partitions().unwrap().iter()).unwrap();
    let written = concat_batches(&telecom_schema(), std::iter::once(&big).chain(&small)).unwrap();
    assert_eq!(all, written);
}

#[test]
fn broken_files_are_clear_errors() {
    let err = read_arrow(&fixture("broken_truncated.arrow")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ArrowCorrupt, "{err}");
    assert!(err.message().contains("truncated"), "{err}");
    for bytes in [&b""[..], b"id,name\n1,a\n", b"ARROW1\0\0garbageARROW1"] {
        let err = read_arrow(bytes).unwrap_err();
        assert_eq!(err.code(), ErrorCode::ArrowCorrupt, "{err}");
    }
}

#[test]
fn empty_and_repeated_names_are_named_as_spark_names_csv_columns() {
    use arrow_array::{Int64Array, RecordBatch, TimestampMicrosecondArray};
    use arrow_ipc::writer::FileWriter;
    use arrow_schema::{Field, Schema, TimeUnit};
    use std::sync::Arc;
    let zoned = DataType::Timestamp(TimeUnit::Microsecond, Some("America/New_York".into()));
    let schema = Arc::new(Schema::new(vec![
        Field::new("", DataType::Int64, true),
        Field::new("a", DataType::Int64, true),
        Field::new("A", DataType::Int64, true),
        Field::new("t", zoned, true),
    ]));
    let ints = || Arc::new(Int64Array::from(vec![1])) as arrow_array::ArrayRef;
    let times = TimestampMicrosecondArray::from(vec![0]).with_timezone("America/New_York");
    let batch = RecordBatch::try_new(
        Arc::clone(&schema),
        vec![ints(), ints(), ints(), Arc::new(times)],
    )
    .unwrap();
    let mut bytes = Vec::new();
    let mut writer = FileWriter::try_new(&mut bytes, &schema).unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    let (table, _) = read_arrow(&bytes).unwrap();
    let columns = brasa::frame::ColumnInfo::of_schema(table.schema());
    let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["_c0", "a1", "A2", "t"]);
    assert_eq!(columns[3].time_zone.as_deref(), Some("America/New_York"));
    assert_eq!(columns[0].time_zone, None);
}
