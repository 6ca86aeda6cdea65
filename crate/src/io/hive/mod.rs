//! Folders of Hive-partitioned files (what Spark's `df.write.partitionBy(...)` writes) read
//! as one table, as `spark.read.parquet(folder)` reads them: the files' own columns, then
//! one column per partition folder level (`year=2024/region=north/`), typed from the
//! folder names (see [`infer`]), NULL for Spark's `__HIVE_DEFAULT_PARTITION__`.
//!
//! The caller decodes each file (any reader that gives a [`Table`]) and adds it with its
//! path inside the folder; [`HiveDataset::finish`] checks that the files agree (same
//! partition folders, same columns) and builds the table. Files Spark does not list
//! (`_SUCCESS`, `.crc`, `_temporary/`) are for the caller to leave out with
//! [`is_data_file`].

mod infer;
mod path;
mod read;
mod widen;
mod write;

use std::sync::Arc;

use arrow_array::{RecordBatch, RecordBatchOptions};
use arrow_schema::{Field, Schema, SchemaRef};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::{spark_type_name, Table};
use crate::io::json::{JsonFiles, JsonFilesRead};

pub use infer::PartitionType;
pub use path::{is_data_file, PartitionPath, NULL_PARTITION};
pub use read::{folder_format, open_parquet, read_folder, FolderFormat, FolderOptions};
pub use write::{write_partitioned, write_partitioned_zip, PartitionedFile, MAX_PARTITIONS};

/// The files of one partitioned folder, gathered before they become one table.
#[derive(Default)]
pub struct HiveDataset {
    files: Vec<PartFile>,
}

struct PartFile {
    path: String,
    partition: PartitionPath,
    table: Table,
}

impl HiveDataset {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a decoded file found at `path` (relative to what the user dropped, `/`
    /// separated). Fails at once if its partition folders cannot be read.
    pub fn add_file(&mut self, path: &str, table: Table) -> Result<()> {
        let partition = PartitionPath::parse(path)?;
        self.files.push(PartFile {
            path: path.to_string(),
            partition,
            table,
        });
        Ok(())
    }

    /// Adds a folder's JSON files, all read now with the one schema inferred over every
    /// file's records (as Spark reads a JSON folder); returns the readers' warnings, named
    /// by file.
    pub fn add_json_files(&mut self, files: JsonFiles) -> Result<Vec<String>> {
        let JsonFilesRead { tables, warnings } = files.read()?;
        for (path, table) in tables {
            self.add_file(&path, table)?;
        }
        Ok(warnings)
    }

    /// The partition columns of the first file in path order (those of every file, once
    /// [`HiveDataset::finish`] has checked that they agree).
    pub fn partition_columns(&self) -> Vec<String> {
        self.files
            .iter()
            .min_by(|a, b| a.path.cmp(&b.path))
            .map(|f| f.partition.columns().map(str::to_string).collect())
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// For files read as CSV (each inferring its own types): the DDL of the folder's
    /// columns with the widest type of each, when the files disagree, to read them all
    /// again with (Spark infers one schema over a CSV folder); `None` when they agree.
    pub fn widened_schema(&self) -> Option<String> {
        let mut files: Vec<&PartFile> = self.files.iter().collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        let tables: Vec<&Table> = files.iter().map(|f| &f.table).collect();
        widen::widened_ddl(&tables)
    }

    /// The table: the files in path order, each file's rows followed by its partition
    /// values.
    pub fn finish(mut self) -> Result<Table> {
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        let Some(first) = self.files.first() else {
            return Err(Error::new(
                ErrorCode::HiveLayout,
                "the folder holds no data file (files named `_...` or `.…`, such as \
                 `_SUCCESS` and `.crc` files, are not data, as in Spark): drop a folder \
                 with Parquet files in it",
            ));
        };
        let data_schema = first.table.schema();
        let columns: Vec<String> = first.partition.columns().map(str::to_string).collect();
        for file in &self.files {
            check_layout(first, file)?;
        }
        if let Some(name) = columns.iter().find(|c| data_schema.index_of(c).is_ok()) {
            return Err(Error::new(
                ErrorCode::HiveLayout,
                format!(
                    "`{name}` is both a partition folder (in {}) and a column inside the \
                     files: Brasa cannot tell which value to keep; rename the folders or \
                     the column",
                    first.path
                ),
            ));
        }
        let types: Vec<PartitionType> = (0..columns.len())
            .map(|i| {
                self.files
                    .iter()
                    .map(|f| PartitionType::of(f.partition.values[i].1.as_deref()))
                    .fold(PartitionType::Null, PartitionType::wider)
            })
            .collect();
        let schema: SchemaRef = Arc::new(Schema::new(
            data_schema
                .fields()
                .iter()
                .cloned()
                .chain(
                    columns
                        .iter()
                        .zip(&types)
                        .map(|(name, t)| Arc::new(Field::new(name, t.data_type(), true))),
                )
                .collect::<Vec<_>>(),
        ));
        let mut partitions = Vec::new();
        for file in &self.files {
            let order = column_order(data_schema, file)?;
            for batch in file.table.partitions()?.iter() {
                let rows = batch.num_rows();
                let mut arrays: Vec<_> =
                    order.iter().map(|&i| Arc::clone(batch.column(i))).collect();
                for ((_, value), t) in file.partition.values.iter().zip(&types) {
                    arrays.push(t.repeat(value.as_deref(), rows)?);
                }
                let options = RecordBatchOptions::new().with_row_count(Some(rows));
                let batch =
                    RecordBatch::try_new_with_options(Arc::clone(&schema), arrays, &options)
                        .map_err(|e| Error::internal("the partition columns of a file", e))?;
                partitions.push(batch);
            }
        }
        // Each partition is (part of) one file, so its partition columns hold one value.
        let first_partition_column = data_schema.fields().len();
        Ok(Table::try_new(schema, partitions)?.with_constant_columns(
            (first_partition_column..first_partition_column + columns.len()).collect(),
        ))
    }
}

/// Every file sits under the same root with the same partition folders, as Spark
/// requires ("conflicting directory structures", "conflicting partition column names").
fn check_layout(first: &PartFile, file: &PartFile) -> Result<()> {
    let columns = |f: &PartFile| f.partition.columns().collect::<Vec<_>>().join("/");
    if file.partition.root != first.partition.root || columns(file) != columns(first) {
        let shape = |f: &PartFile| match columns(f) {
            c if c.is_empty() => "no partition folders".to_string(),
            c => format!("partition folders {c}"),
        };
        return Err(Error::new(
            ErrorCode::HiveLayout,
            format!(
                "the files are not laid out alike: {} has {}, {} has {}; files read as one \
                 table need the same `column=value` folders above every file, as Spark \
                 reads a partitioned folder (load the folders apart, or move the files \
                 that differ)",
                first.path,
                shape(first),
                file.path,
                shape(file)
            ),
        ));
    }
    Ok(())
}

/// Where each of the first file's columns is in `file` (the same names and types, in any
/// order; Spark reads a folder with one schema).
fn column_order(schema: &Schema, file: &PartFile) -> Result<Vec<usize>> {
    let own = file.table.schema();
    let mismatch = |what: String| {
        Error::new(
            ErrorCode::HiveSchema,
            format!(
                "{} does not have the columns of the other files: {what}; files read as one \
                 table (a folder, a zip of one, or files picked together) must have the same \
                 columns and types, as Spark reads them (write them again with one schema, or \
                 load the file that differs on its own)",
                file.path
            ),
        )
    };
    if own.fields().len() != schema.fields().len() {
        return Err(mismatch(format!(
            "it has {} columns, the others {}",
            own.fields().len(),
            schema.fields().len()
        )));
    }
    schema
        .fields()
        .iter()
        .map(|field| {
            let index = own
                .index_of(field.name())
                .map_err(|_| mismatch(format!("it has no column `{}`", field.name())))?;
            let found = own.field(index).data_type();
            if found != field.data_type() {
                return Err(mismatch(format!(
                    "its column `{}` is {}, the others' is {}",
                    field.name(),
                    spark_type_name(found),
                    spark_type_name(field.data_type())
                )));
            }
            Ok(index)
        })
        .collect()
}
