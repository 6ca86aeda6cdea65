//! Hive-partitioned Parquet, CSV and JSON folders against Spark: each folder of
//! `tests/fixtures/hive` (made by `make_hive_fixtures.py`), read by Brasa as a user drops
//! it, gives the schema and rows `spark.read.parquet(folder)` (or `spark.read.csv(folder,
//! header=True, inferSchema=True)`, `spark.read.json(folder)`) gives in PySpark 4, and an
//! error where Spark raises one. Also: files that disagree are refused by name; partition filters skip files.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType,
};
use arrow_array::{Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use brasa::frame::spark_type_name;
use brasa::io::hive::{read_folder, FolderOptions, HiveDataset};
use brasa::temporal::{format_date, format_timestamp_spark};
use brasa::{ErrorCode, Result, Table};
use serde::Deserialize;
use serde_json::{json, Value};

mod folders;
use folders::files_under;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hive")
}

#[derive(Deserialize)]
struct Expected {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    case: String,
    folder: String,
    /// `csv` or `json` for a folder of CSV or JSON files; Parquet otherwise.
    format: Option<String>,
    schema: Option<Vec<(String, String)>>,
    rows: Option<Vec<serde_json::Map<String, Value>>>,
    error: Option<String>,
}

/// The folder's files read as the page reads a dropped folder ([`read_folder`]).
fn read_folder_at(folder: &Path) -> Result<Table> {
    let files = files_under(folder)
        .into_iter()
        .map(|(path, file)| (path, std::fs::read(file).unwrap()))
        .collect();
    Ok(read_folder(files, &FolderOptions::default())?.0)
}

/// A cell as the fixture script writes Spark's: numbers, decimals as text, dates and
/// timestamps as Spark prints them, `NaN` as text.
fn cell(array: &dyn Array, row: usize) -> Value {
    if array.is_null(row) || array.data_type() == &DataType::Null {
        return Value::Null;
    }
    match array.data_type() {
        DataType::Int32 => json!(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => json!(array.as_primitive::<Int64Type>().value(row)),
        DataType::Float64 => match array.as_primitive::<Float64Type>().value(row) {
            v if v.is_nan() => json!("NaN"),
            v => json!(v),
        },
        DataType::Decimal128(_, 0) => {
            json!(array
                .as_primitive::<Decimal128Type>()
                .value(row)
                .to_string())
        }
        DataType::Date32 => {
            json!(format_date(
                array.as_primitive::<Date32Type>().value(row) as i64
            ))
        }
        DataType::Timestamp(_, _) => json!(format_timestamp_spark(
            array.as_primitive::<TimestampMicrosecondType>().value(row)
        )),
        DataType::Utf8 => json!(array.as_string::<i32>().value(row)),
        // A struct as PySpark's `asDict(recursive=True)` gives it: a field per key.
        DataType::Struct(fields) => {
            let array = array.as_struct();
            Value::Object(
                fields
                    .iter()
                    .zip(array.columns())
                    .map(|(f, column)| (f.name().clone(), cell(column.as_ref(), row)))
                    .collect(),
            )
        }
        other => panic!("no cell format for {other}"),
    }
}

fn rows_of(table: &Table) -> Vec<Value> {
    let schema = table.schema();
    let mut rows: Vec<Value> = Vec::new();
    for batch in table.partitions().unwrap().iter() {
        for row in 0..batch.num_rows() {
            let object: serde_json::Map<String, Value> = schema
                .fields()
                .iter()
                .enumerate()
                .map(|(i, f)| (f.name().clone(), cell(batch.column(i).as_ref(), row)))
                .collect();
            rows.push(Value::Object(object));
        }
    }
    rows.sort_by_key(canonical);
    rows
}

/// Sorted keys, as Python's `json.dumps(sort_keys=True)` orders the fixture's rows.
fn canonical(value: &Value) -> String {
    serde_json::to_string(value).unwrap()
}

#[test]
fn folders_read_as_spark_reads_them() {
    let expected: Expected =
        serde_json::from_str(&std::fs::read_to_string(dir().join("hive_expected.json")).unwrap())
            .unwrap();
    assert!(expected.cases.len() >= 15);
    assert!(
        expected
            .cases
            .iter()
            .any(|c| c.format.as_deref() == Some("csv")),
        "a CSV folder whose files infer different types"
    );
    assert!(
        expected.cases.iter().any(|c| c.case == "csv_gz_sales"),
        "a folder of gzip-compressed CSV files"
    );
    for (case, what) in [
        (
            "json_sales",
            "a JSON folder whose files infer different types",
        ),
        ("json_gz_sales", "a folder of gzip-compressed JSON files"),
    ] {
        assert!(
            expected
                .cases
                .iter()
                .any(|c| c.case == case && c.format.as_deref() == Some("json")),
            "{what}"
        );
    }
    for case in &expected.cases {
        let folder = dir().join(&case.folder);
        let read = read_folder_at(&folder);
        if let Some(error) = &case.error {
            let err = read
                .err()
                .unwrap_or_else(|| panic!("{}: Spark refused it: {error}", case.case));
            assert_eq!(
                err.code(),
                ErrorCode::HiveLayout,
                "{}: {}",
                case.case,
                err.message()
            );
            continue;
        }
        let table = read.unwrap_or_else(|e| panic!("{}: {e}", case.case));
        let schema: Vec<(String, String)> = table
            .schema()
            .fields()
            .iter()
            .map(|f| (f.name().clone(), spark_type_name(f.data_type())))
            .collect();
        assert_eq!(Some(&schema), case.schema.as_ref(), "{}: schema", case.case);
        let mut want: Vec<Value> = case
            .rows
            .clone()
            .unwrap()
            .into_iter()
            .map(Value::Object)
            .collect();
        want.sort_by_key(canonical);
        let got = rows_of(&table);
        assert_eq!(got.len(), want.len(), "{}: rows", case.case);
        for (g, w) in got.iter().zip(&want) {
            let same = g
                .as_object()
                .unwrap()
                .iter()
                .all(|(k, v)| match (v, &w[k]) {
                    (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
                    (a, b) => a == b,
                });
            assert!(same, "{}: Brasa {g}, Spark {w}", case.case);
        }
    }
}

fn small_table(schema: Schema, column: Arc<dyn Array>) -> Table {
    let schema = Arc::new(schema);
    let batch = RecordBatch::try_new(Arc::clone(&schema), vec![column]).unwrap();
    Table::try_new(schema, vec![batch]).unwrap()
}

fn ints(name: &str) -> Table {
    small_table(
        Schema::new(vec![Field::new(name, DataType::Int32, true)]),
        Arc::new(Int32Array::from(vec![1, 2])),
    )
}

#[test]
fn files_that_disagree_are_refused_by_name() {
    let mut dataset = HiveDataset::new();
    dataset.add_file("t/k=1/a.parquet", ints("id")).unwrap();
    let text = small_table(
        Schema::new(vec![Field::new("id", DataType::Utf8, true)]),
        Arc::new(StringArray::from(vec!["x"])),
    );
    dataset.add_file("t/k=2/b.parquet", text).unwrap();
    let err = dataset.finish().unwrap_err();
    assert_eq!(err.code(), ErrorCode::HiveSchema);
    assert!(
        err.message().contains("t/k=2/b.parquet"),
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("`id` is string"),
        "{}",
        err.message()
    );

    let mut dataset = HiveDataset::new();
    dataset.add_file("t/k=1/a.parquet", ints("id")).unwrap();
    dataset.add_file("t/k=2/b.parquet", ints("other")).unwrap();
    let err = dataset.finish().unwrap_err();
    assert_eq!(err.code(), ErrorCode::HiveSchema);
    assert!(
        err.message().contains("no column `id`"),
        "{}",
        err.message()
    );

    let mut dataset = HiveDataset::new();
    dataset.add_file("t/k=1/a.parquet", ints("id")).unwrap();
    dataset.add_file("t/j=1/b.parquet", ints("id")).unwrap();
    let err = dataset.finish().unwrap_err();
    assert_eq!(err.code(), ErrorCode::HiveLayout);
    assert!(
        err.message().contains("partition folders j"),
        "{}",
        err.message()
    );

    let mut dataset = HiveDataset::new();
    dataset.add_file("t/id=1/a.parquet", ints("id")).unwrap();
    let err = dataset.finish().unwrap_err();
    assert_eq!(err.code(), ErrorCode::HiveLayout);
    assert!(err.message().contains("`id` is both"), "{}", err.message());

    let err = HiveDataset::new().finish().unwrap_err();
    assert_eq!(err.code(), ErrorCode::HiveLayout);
}

#[test]
fn a_damaged_file_of_a_folder_is_named() {
    let parquet = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/parquet");
    let good = std::fs::read(parquet.join("types_none.parquet")).unwrap();
    let broken = std::fs::read(parquet.join("broken_footer.parquet")).unwrap();
    let files = vec![
        ("t/k=1/a.parquet".to_string(), good),
        ("t/k=2/b.parquet".to_string(), broken),
    ];
    let err = read_folder(files, &FolderOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::ParquetCorrupt);
    assert!(
        err.message().starts_with("t/k=2/b.parquet: "),
        "{}",
        err.message()
    );
}

#[test]
fn columns_in_another_order_are_read_by_name() {
    let two = |a: &str, b: &str, values: [i32; 2]| {
        let schema = Arc::new(Schema::new(vec![
            Field::new(a, DataType::Int32, true),
            Field::new(b, DataType::Int32, true),
        ]));
        let batch = RecordBatch::try_new(
            Arc::clone(&schema),
            vec![
                Arc::new(Int32Array::from(vec![values[0]])),
                Arc::new(Int32Array::from(vec![values[1]])),
            ],
        )
        .unwrap();
        Table::try_new(schema, vec![batch]).unwrap()
    };
    let mut dataset = HiveDataset::new();
    dataset
        .add_file("t/k=1/a.parquet", two("x", "y", [1, 2]))
        .unwrap();
    dataset
        .add_file("t/k=2/b.parquet", two("y", "x", [20, 10]))
        .unwrap();
    let table = dataset.finish().unwrap();
    let rows = rows_of(&table);
    assert_eq!(
        rows,
        [
            json!({"x": 1, "y": 2, "k": 1}),
            json!({"x": 10, "y": 20, "k": 2})
        ]
    );
}

/// Conditions on partition columns decide whole files (Spark's `PartitionFilters`):
/// the answers are those of the same rows in a table that does not know its partition
/// columns, EXPLAIN names the conditions, and the files ruled out are not read.
#[test]
fn filters_on_partition_columns_skip_files_and_keep_answers() {
    use brasa::frame::Catalog;
    use brasa::job::JobContext;
    use brasa::sql::{query, run_sql, SqlOutput};

    let folder = read_folder_at(&dir().join("sales")).unwrap();
    assert_eq!(folder.constant_columns(), &[3, 4], "year and region");
    let plain = Table::try_new(folder.schema_arc(), folder.partitions().unwrap().to_vec()).unwrap();
    assert!(plain.constant_columns().is_empty());
    let mut catalog = Catalog::new();
    catalog.register("sales", folder, false).unwrap();
    catalog.register("plain", plain, false).unwrap();
    let ctx = JobContext::default();
    let rows = |table: &str, condition: &str| {
        let sql = format!("SELECT * FROM {table} WHERE {condition}");
        rows_of(&query(&catalog, &sql, &ctx).unwrap())
    };
    for condition in [
        "region = 'north'",
        "year >= 2024 AND region IS NOT NULL",
        "region LIKE 'south%' OR year = 2023",
        "region IS NULL",
        "year = 2024 AND amount > 2",
        "coalesce(region, 'none') = 'none' OR id = 1",
        "region IN ('north', 'north/east') AND year <> 2023",
    ] {
        let got = rows("sales", condition);
        assert_eq!(got, rows("plain", condition), "{condition}");
    }
    let aggregated = "SELECT region, count(*) AS n, sum(amount) AS total FROM sales \
                      WHERE year = 2024 GROUP BY region ORDER BY region";
    assert_eq!(
        rows_of(&query(&catalog, aggregated, &ctx).unwrap()),
        rows_of(&query(&catalog, &aggregated.replace("sales", "plain"), &ctx).unwrap())
    );

    let explain = "EXPLAIN SELECT id FROM sales WHERE region = 'north' AND amount > 2";
    let SqlOutput::Plan(plan) = run_sql(&mut catalog, explain, &ctx).unwrap() else {
        panic!("EXPLAIN gives a plan");
    };
    let scan = plan
        .lines()
        .find(|l| l.contains("partitionFilters"))
        .unwrap_or_else(|| panic!("{plan}"));
    assert!(scan.contains("partitionFilters=[(region#"), "{scan}");
    assert!(
        !scan
            .split("partitionFilters")
            .nth(1)
            .unwrap()
            .contains("amount"),
        "{scan}"
    );

    // A table that claims `region` is constant in a partition where it is not: the
    // partition's first row (south) rules it out, so its `north` row is never read.
    let schema = Schema::new(vec![
        Field::new("id", DataType::Int32, true),
        Field::new("region", DataType::Utf8, true),
    ]);
    let batch = RecordBatch::try_new(
        Arc::new(schema.clone()),
        vec![
            Arc::new(Int32Array::from(vec![1, 2])),
            Arc::new(StringArray::from(vec!["south", "north"])),
        ],
    )
    .unwrap();
    let claimed = Table::try_new(Arc::new(schema), vec![batch])
        .unwrap()
        .with_constant_columns(vec![1]);
    catalog.register("claimed", claimed, false).unwrap();
    let north = query(
        &catalog,
        "SELECT * FROM claimed WHERE region = 'north'",
        &ctx,
    )
    .unwrap();
    assert_eq!(
        north.num_rows(),
        0,
        "the partition was skipped, not filtered"
    );
}
