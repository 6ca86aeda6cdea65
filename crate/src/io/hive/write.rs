//! A table written as a Hive-partitioned folder, as Spark's
//! `df.write.partitionBy(columns).parquet(folder)` lays it out: one
//! `column=value/.../part-00000.zstd.parquet` per distinct combination of the partition
//! columns' values, holding the other columns; values escaped as Spark escapes path names,
//! NULL and the empty string as `__HIVE_DEFAULT_PARTITION__`; an empty `_SUCCESS` at the
//! top. Spark, DuckDB (`hive_partitioning`) and Brasa read it back as the same table.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_schema::{DataType, Schema};
use arrow_select::take::take;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::codes::{code_column, NO_LIMIT};
use crate::frame::jvm::java_double;
use crate::frame::{display_array, spark_type_name, Table};
use crate::io::hive::path::NULL_PARTITION;
use crate::io::write::write_parquet;

/// Most partition folders one download may have: past this the columns are probably not
/// meant as partitions (an id, a timestamp), and the zip would be thousands of tiny files.
pub const MAX_PARTITIONS: usize = 10_000;

/// One file of the folder: its path inside it and its bytes.
pub struct PartitionedFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// The files of `table` partitioned by `columns` (outermost folder first), folders in
/// order of first appearance, then `_SUCCESS`.
pub fn write_partitioned(table: &Table, columns: &[String]) -> Result<Vec<PartitionedFile>> {
    let schema = table.schema();
    let keys = partition_indices(schema, columns)?;
    let kept: Vec<usize> = (0..schema.fields().len())
        .filter(|i| !keys.contains(i))
        .collect();
    let data_schema = Arc::new(
        schema
            .project(&kept)
            .map_err(|e| Error::internal("a schema", e))?,
    );
    let mut folders: Vec<(String, Vec<RecordBatch>)> = Vec::new();
    let mut folder_of: HashMap<String, usize> = HashMap::new();
    for batch in table.partitions()?.iter() {
        for (folder, rows) in folders_of_batch(batch, &keys)? {
            let indices = UInt32Array::from(rows);
            let arrays = kept
                .iter()
                .map(|&c| take(batch.column(c).as_ref(), &indices, None))
                .collect::<std::result::Result<Vec<ArrayRef>, _>>()
                .map_err(|e| Error::internal("the rows of a partition", e))?;
            let options = RecordBatchOptions::new().with_row_count(Some(indices.len()));
            let part =
                RecordBatch::try_new_with_options(Arc::clone(&data_schema), arrays, &options)
                    .map_err(|e| Error::internal("the rows of a partition", e))?;
            let next = folders.len();
            let at = *folder_of.entry(folder.clone()).or_insert(next);
            if at == next {
                if next == MAX_PARTITIONS {
                    return Err(too_many_partitions(columns));
                }
                folders.push((folder, Vec::new()));
            }
            folders[at].1.push(part);
        }
    }
    let mut files = folders
        .into_iter()
        .map(|(folder, parts)| {
            let table = Table::try_new(Arc::clone(&data_schema), parts)?;
            Ok(PartitionedFile {
                path: format!("{folder}/part-00000.zstd.parquet"),
                bytes: write_parquet(&table)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    files.push(PartitionedFile {
        path: "_SUCCESS".into(),
        bytes: Vec::new(),
    });
    Ok(files)
}

/// The partition columns' positions, checked as Spark checks `partitionBy`.
fn partition_indices(schema: &Schema, columns: &[String]) -> Result<Vec<usize>> {
    let invalid = |message: String| Error::new(ErrorCode::InvalidArgument, message);
    if columns.is_empty() {
        return Err(invalid("choose at least one column to partition by".into()));
    }
    if columns.len() >= schema.fields().len() {
        return Err(invalid(
            "a partitioned folder needs at least one column that is not a partition column \
             (Spark: cannot use all columns for partition columns)"
                .into(),
        ));
    }
    let mut indices = Vec::with_capacity(columns.len());
    for name in columns {
        let index = schema
            .index_of(name)
            .map_err(|_| invalid(format!("there is no column `{name}` to partition by")))?;
        if indices.contains(&index) {
            return Err(invalid(format!(
                "`{name}` is chosen twice as a partition column"
            )));
        }
        let data_type = schema.field(index).data_type();
        if !partition_type(data_type) {
            return Err(invalid(format!(
                "`{name}` is {}: a partition column must hold numbers, text, booleans, dates \
                 or timestamps, whose values can name a folder",
                spark_type_name(data_type)
            )));
        }
        indices.push(index);
    }
    Ok(indices)
}

fn partition_type(data_type: &DataType) -> bool {
    data_type.is_numeric()
        || matches!(
            data_type,
            DataType::Utf8 | DataType::Boolean | DataType::Date32 | DataType::Timestamp(_, _)
        )
}

/// The rows of `batch` by partition folder (`a=1/b=x`), in order of first appearance.
fn folders_of_batch(batch: &RecordBatch, keys: &[usize]) -> Result<Vec<(String, Vec<u32>)>> {
    let codes = keys
        .iter()
        .map(|&k| {
            code_column(batch.column(k), NO_LIMIT).ok_or_else(|| {
                Error::internal("partitioning", "a partition column type without codes")
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut groups: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut rows: Vec<Vec<u32>> = Vec::new();
    let mut key = Vec::with_capacity(keys.len());
    for row in 0..batch.num_rows() {
        key.clear();
        key.extend(codes.iter().map(|c| c.codes[row]));
        let next = rows.len();
        let group = match groups.get(key.as_slice()) {
            Some(&g) => g,
            None => {
                groups.insert(key.clone(), next);
                rows.push(Vec::new());
                next
            }
        };
        rows[group].push(row as u32);
    }
    rows.into_iter()
        .map(|members| {
            let first = members[0] as usize;
            let folder = keys
                .iter()
                .map(|&k| {
                    let name = batch.schema_ref().field(k).name().clone();
                    let value = partition_value(&batch.column(k).slice(first, 1))?;
                    Ok(format!("{}={}", escape(&name), escape(&value)))
                })
                .collect::<Result<Vec<_>>>()?
                .join("/");
            Ok((folder, members))
        })
        .collect()
}

/// The one value of `cell` as it names a folder: Spark's text for it (a double as Java
/// prints it, so `1.0` reads back as a double), NULL or empty as Spark's default name.
fn partition_value(cell: &ArrayRef) -> Result<String> {
    if cell.is_null(0) {
        return Ok(NULL_PARTITION.into());
    }
    let text = match cell.data_type() {
        DataType::Float64 => java_double(cell.as_primitive::<Float64Type>().value(0)),
        DataType::Float32 => java_double(cell.as_primitive::<Float32Type>().value(0) as f64),
        _ => display_array(cell)?.value(0).to_string(),
    };
    Ok(if text.is_empty() {
        NULL_PARTITION.into()
    } else {
        text
    })
}

/// Spark's `escapePathName`: control characters and `"#%'*/:=?\{[]^` and DEL as `%XX`.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c < ' ' || c == '\u{7f}' || "\"#%'*/:=?\\{[]^".contains(c) {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The folder as a zip (the files stored as they are: Parquet is compressed already),
/// under a top folder named `folder`, what Spark and DuckDB read once unzipped.
pub fn write_partitioned_zip(table: &Table, columns: &[String], folder: &str) -> Result<Vec<u8>> {
    let files = write_partitioned(table, columns)?;
    let zip_error = |e: zip::result::ZipError| Error::internal("writing a zip", e);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default())
        .large_file(files.iter().any(|f| f.bytes.len() >= u32::MAX as usize));
    for file in files {
        writer
            .start_file(format!("{folder}/{}", file.path), options)
            .map_err(zip_error)?;
        std::io::Write::write_all(&mut writer, &file.bytes)
            .map_err(|e| Error::internal("writing a zip", e))?;
    }
    Ok(writer.finish().map_err(zip_error)?.into_inner())
}

fn too_many_partitions(columns: &[String]) -> Error {
    Error::new(
        ErrorCode::InvalidArgument,
        format!(
            "partitioning by {} makes more than {MAX_PARTITIONS} folders: choose columns with \
             fewer distinct values (a region, a year), not an id or a timestamp",
            columns.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::csv::{read_csv, CsvOptions};
    use crate::io::hive::HiveDataset;
    use crate::io::parquet::read_parquet;

    #[test]
    fn names_are_escaped_as_spark_escapes_them() {
        assert_eq!(escape("north/east"), "north%2Feast");
        assert_eq!(escape("a b"), "a b");
        assert_eq!(escape("10:30=x%"), "10%3A30%3Dx%25");
        assert_eq!(escape("日本"), "日本");
    }

    #[test]
    fn a_partitioned_folder_reads_back_as_the_same_table() {
        let csv =
            b"id,region,year,amount,day\n1,north,2023,1.5,2024-01-05\n2,north/east,2024,2.0,\n\
                    3,,2024,,2024-01-06\n4,north,2023,4.0,2024-01-05\n";
        let (table, _) = read_csv(csv, &CsvOptions::default()).unwrap();
        let files = write_partitioned(&table, &["region".into(), "year".into()]).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "region=north/year=2023/part-00000.zstd.parquet",
                "region=north%2Feast/year=2024/part-00000.zstd.parquet",
                "region=__HIVE_DEFAULT_PARTITION__/year=2024/part-00000.zstd.parquet",
                "_SUCCESS",
            ]
        );
        let mut dataset = HiveDataset::new();
        for file in &files[..3] {
            let (part, _) = read_parquet(file.bytes.clone()).unwrap();
            assert_eq!(
                part.schema().fields().len(),
                3,
                "partition columns are in the path"
            );
            dataset.add_file(&format!("t/{}", file.path), part).unwrap();
        }
        let back = dataset.finish().unwrap();
        let names: Vec<_> = back
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["id", "amount", "day", "region", "year"]);
        assert_eq!(back.num_rows(), 4);
        assert_eq!(back.schema().field(4).data_type(), &DataType::Int32);
    }

    #[test]
    fn the_zip_holds_the_folder_under_the_table_name() {
        let (table, _) = read_csv(b"x,y\n1,a\n2,b\n", &CsvOptions::default()).unwrap();
        let zip = write_partitioned_zip(&table, &["y".into()], "t").unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let names: Vec<String> = (0..archive.len())
            .map(|i| archive.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "t/y=a/part-00000.zstd.parquet",
                "t/y=b/part-00000.zstd.parquet",
                "t/_SUCCESS"
            ]
        );
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_index(0).unwrap(), &mut bytes).unwrap();
        assert_eq!(read_parquet(bytes).unwrap().0.num_rows(), 1);
    }

    #[test]
    fn doubles_name_folders_as_java_prints_them() {
        let (table, _) = read_csv(b"x,y\n1.0,a\n", &CsvOptions::default()).unwrap();
        let files = write_partitioned(&table, &["x".into()]).unwrap();
        assert_eq!(files[0].path, "x=1.0/part-00000.zstd.parquet");
    }

    #[test]
    fn bad_partition_columns_are_refused() {
        let (table, _) = read_csv(b"x,y\n1,a\n", &CsvOptions::default()).unwrap();
        for columns in [vec![], vec!["x", "y"], vec!["z"], vec!["x", "x"]] {
            let columns: Vec<String> = columns.into_iter().map(String::from).collect();
            let err = write_partitioned(&table, &columns).err().unwrap();
            assert_eq!(err.code(), ErrorCode::InvalidArgument, "{columns:?}");
        }
    }
}
