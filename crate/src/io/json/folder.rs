//! The JSON files of a folder read as one table's parts, as `spark.read.json(folder)`
//! reads them: one schema inferred over every file's records (a field `bigint` in one
//! file and `double` in another is `double`, a field missing from a file is NULL there,
//! one of disagreeing types is `string`), then each file decoded with it. Decoding a file
//! with its own schema and widening afterwards would lose what Spark keeps (a struct's
//! value written as JSON text when another file has a string there).

use crate::error::Result;
use crate::frame::Table;
use crate::io::json::infer::JsonType;
use crate::io::json::loader::{JsonLoader, SurveyedJson};
use crate::io::json::schema::{no_fields, JsonSchema};
use crate::memory;

/// A folder's JSON files read: each file's table with its path, in the order added, and
/// the readers' warnings named by file.
#[derive(Debug)]
pub struct JsonFilesRead {
    pub tables: Vec<(String, Table)>,
    pub warnings: Vec<String>,
}

/// The JSON files of a folder, each with all its text, gathered before they are read.
#[derive(Default)]
pub struct JsonFiles {
    files: Vec<(String, JsonLoader)>,
}

impl JsonFiles {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the file found at `path` (inside the folder, `/` separated), its text in
    /// `loader`; nothing is read before [`JsonFiles::read`].
    pub fn add(&mut self, path: &str, loader: JsonLoader) {
        self.files.push((path.to_string(), loader));
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The first path in path order (its partition folders are the folder's).
    pub fn first_path(&self) -> Option<&str> {
        self.files.iter().map(|(path, _)| path.as_str()).min()
    }

    /// Every file surveyed, their types merged into the folder's schema, and each file
    /// decoded with it. A file's error names the file.
    pub fn read(self) -> Result<JsonFilesRead> {
        // A folder is read with one set of options: with a schema given, each file is
        // read with it, and no schema is inferred.
        if self
            .files
            .iter()
            .any(|(_, loader)| loader.has_given_schema())
        {
            return self.read_each();
        }
        let mut surveyed: Vec<(String, SurveyedJson)> = Vec::with_capacity(self.files.len());
        for (path, loader) in self.files {
            let file = loader.survey().map_err(|e| e.in_file(&path))?;
            surveyed.push((path, file));
        }
        let merged = surveyed
            .iter()
            .map(|(_, file)| file.merged_type())
            .fold(JsonType::Null, JsonType::merge);
        // Spark adds the corrupt-record column when any file had a malformed record; the
        // first such file's options name it (a folder is read with one set of options).
        let corrupt_column = surveyed
            .iter()
            .find_map(|(_, file)| file.corrupt_column())
            .map(str::to_string);
        let schema = JsonSchema::inferred(merged, corrupt_column).ok_or_else(|| {
            let records = surveyed.iter().map(|(_, file)| file.records()).sum();
            // Every file is read with the same options, so all are sampled or none.
            let sample = surveyed.iter().try_fold((0, 0.0), |(kept, _), (_, file)| {
                file.sample().map(|(n, ratio)| (kept + n, ratio))
            });
            no_fields(
                &format!("the folder's {} JSON files", surveyed.len()),
                records,
                sample,
            )
        })?;
        let held: usize = surveyed.iter().map(|(_, file)| file.bytes()).sum();
        memory::check(
            held,
            "decoding this folder's JSON files",
            "load a smaller folder, or drop other tables first",
        )?;
        let mut tables = Vec::with_capacity(surveyed.len());
        let mut warnings = Vec::new();
        for (path, mut file) in surveyed {
            let (table, read_warnings) = file.decode(&schema).map_err(|e| e.in_file(&path))?;
            warnings.extend(read_warnings.into_iter().map(|w| format!("{path}: {w}")));
            // The file's text is let go as soon as its table is made.
            drop(file);
            tables.push((path, table));
        }
        Ok(JsonFilesRead { tables, warnings })
    }

    /// Each file read on its own (with the schema its options give).
    fn read_each(self) -> Result<JsonFilesRead> {
        let mut tables = Vec::with_capacity(self.files.len());
        let mut warnings = Vec::new();
        for (path, loader) in self.files {
            let (table, read_warnings) = loader.finish().map_err(|e| e.in_file(&path))?;
            warnings.extend(read_warnings.into_iter().map(|w| format!("{path}: {w}")));
            tables.push((path, table));
        }
        Ok(JsonFilesRead { tables, warnings })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::io::compressed::ByteSink;
    use crate::io::csv::ParseMode;
    use crate::io::json::JsonOptions;
    use crate::testing::column_types;

    fn files(texts: &[(&str, &str)], options: &JsonOptions) -> JsonFiles {
        let mut files = JsonFiles::new();
        for (path, text) in texts {
            let mut loader = JsonLoader::new(options.clone(), text.len()).unwrap();
            loader.push(text.as_bytes()).unwrap();
            files.add(path, loader);
        }
        files
    }

    #[test]
    fn every_file_is_decoded_with_the_folder_schema() {
        let JsonFilesRead { tables, warnings } = files(
            &[
                ("a.json", "{\"n\": 1, \"s\": {\"x\": 1}}\n"),
                ("b.json", "{\"n\": 2.5, \"t\": \"x\", \"s\": \"text\"}\n"),
            ],
            &JsonOptions::default(),
        )
        .read()
        .unwrap();
        assert!(warnings.is_empty());
        for (_, table) in &tables {
            assert_eq!(column_types(table), ["n double", "s string", "t string"]);
        }
        let first = &tables[0].1.partitions().unwrap()[0];
        let s = first.column(1).as_any();
        let s = s.downcast_ref::<arrow_array::StringArray>().unwrap();
        // As written (Spark keeps a mixed field's text, spaces included).
        assert_eq!(s.value(0), "{\"x\": 1}");
        assert!(first.column(2).is_null(0));
    }

    #[test]
    fn with_a_schema_given_every_file_is_read_with_it() {
        let options = JsonOptions {
            schema: Some("s STRING, n INT".to_string()),
            ..JsonOptions::default()
        };
        let JsonFilesRead { tables, warnings } = files(
            &[
                ("a.json", "{\"n\": 1, \"s\": {\"x\": 1}}\n"),
                ("b.json", "{\"n\": 2.5, \"t\": \"x\"}\n"),
            ],
            &options,
        )
        .read()
        .unwrap();
        for (_, table) in &tables {
            assert_eq!(column_types(table), ["s string", "n int"]);
        }
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("b.json: 1 records do not fit the schema (line 1: `n`: 2.5"),
            "{}",
            warnings[0]
        );
    }

    #[test]
    fn malformed_records_and_errors_are_named_by_file() {
        let texts = [
            ("a.json", "{\"n\": 1}\n"),
            ("b.json", "{\"n\": 2}\nnot json\n"),
        ];
        let JsonFilesRead { tables, warnings } =
            files(&texts, &JsonOptions::default()).read().unwrap();
        assert_eq!(
            column_types(&tables[0].1),
            ["_corrupt_record string", "n bigint"]
        );
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].starts_with("b.json: 1 records"),
            "{}",
            warnings[0]
        );

        let fail_fast = JsonOptions {
            mode: ParseMode::FailFast,
            ..JsonOptions::default()
        };
        let err = files(&texts, &fail_fast).read().unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonMalformed);
        assert!(
            err.message().starts_with("b.json: line 2"),
            "{}",
            err.message()
        );

        let err = files(
            &[("a.json", "{}\n"), ("b.json", "\n")],
            &JsonOptions::default(),
        )
        .read()
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::JsonEmpty);
        assert!(err.message().contains("2 JSON files"), "{}", err.message());
    }
}
