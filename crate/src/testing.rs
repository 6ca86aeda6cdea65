//! Small tables written inline, for unit tests: `table_of("a:int,b:string", &["1,x"])`.
//! Empty fields are NULL; values are converted with Spark's cast from strings.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};

use crate::frame::Table;
use crate::sql::exec::spark_cast;

fn data_type(name: &str) -> DataType {
    match name {
        "int" => DataType::Int32,
        "bigint" => DataType::Int64,
        "double" => DataType::Float64,
        "bool" | "boolean" => DataType::Boolean,
        "date" => DataType::Date32,
        "string" => DataType::Utf8,
        other => panic!("unknown test type {other}"),
    }
}

/// Reproducible numbers uniform in `[low, high)`, one per call, from `seed`.
pub fn uniforms(seed: u64, low: f64, high: f64) -> impl FnMut() -> f64 {
    let mut state = seed;
    move || {
        state = crate::random::keyed_bits(state, 1);
        low + (state >> 11) as f64 / (1u64 << 53) as f64 * (high - low)
    }
}

/// Reproducible indices, each below the `n` it is called with, from `seed` (a linear
/// congruential generator: for drawing test cases, not for statistics).
pub fn indices(seed: u64) -> impl FnMut(usize) -> usize {
    let mut state = seed;
    move |n| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize % n
    }
}

/// Each column as `name type`, with Spark's type names (`amount double`).
pub fn column_types(table: &Table) -> Vec<String> {
    table
        .schema()
        .fields()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.name(),
                crate::frame::spark_type_name(f.data_type())
            )
        })
        .collect()
}

/// A one-partition table.
pub fn table_of(columns: &str, rows: &[&str]) -> Table {
    table_in_parts(columns, rows, 1)
}

/// The same rows split into `parts` partitions of nearly equal size.
pub fn table_in_parts(columns: &str, rows: &[&str], parts: usize) -> Table {
    let fields: Vec<Field> = columns
        .split(',')
        .map(|c| {
            let (name, ty) = c.split_once(':').expect("name:type");
            Field::new(name, data_type(ty), true)
        })
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let cells: Vec<Vec<Option<&str>>> = rows
        .iter()
        .map(|r| {
            r.split(',')
                .map(|v| if v.is_empty() { None } else { Some(v) })
                .collect()
        })
        .collect();
    let batch_of = |range: std::ops::Range<usize>| {
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(c, f)| {
                let text: ArrayRef = Arc::new(StringArray::from(
                    cells[range.clone()]
                        .iter()
                        .map(|r| r[c])
                        .collect::<Vec<_>>(),
                ));
                spark_cast(&text, f.data_type()).unwrap()
            })
            .collect();
        RecordBatch::try_new(schema.clone(), columns).unwrap()
    };
    let n = rows.len();
    let partitions = (0..parts)
        .map(|i| batch_of(i * n / parts..(i + 1) * n / parts))
        .collect();
    Table::try_new(schema, partitions).unwrap()
}

/// A low-cardinality string column of `rows` rows: three region names (one long) and
/// NULLs, in an irregular order, as the key-coding tests use.
pub fn regions(rows: usize) -> ArrayRef {
    let names = [
        Some("north"),
        None,
        Some("south"),
        Some("a long region name"),
    ];
    Arc::new(StringArray::from_iter(
        (0..rows).map(|i| names[(i * 7 + i / 3) % 4]),
    ))
}

/// `batch` written as a Parquet file in row groups of at most `group_rows` rows.
pub fn parquet_file(batch: &RecordBatch, group_rows: usize) -> Vec<u8> {
    let props = parquet::file::properties::WriterProperties::builder()
        .set_max_row_group_row_count(Some(group_rows))
        .build();
    let mut out = Vec::new();
    let mut writer = parquet::arrow::ArrowWriter::try_new(&mut out, batch.schema(), Some(props))
        .expect("an Arrow schema Parquet can write");
    writer.write(batch).expect("a batch of the writer's schema");
    writer.close().expect("the file's footer written");
    out
}
