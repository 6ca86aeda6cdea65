//! The partition directories in a file's path, as Spark reads them
//! (`PartitioningUtils.parsePartition`): walking up from the file, each `name=value`
//! directory is a partition column; the first directory that is not one ends them, and
//! what is left above is the dataset's root.

use crate::error::{Error, ErrorCode, Result};

/// The value Spark writes for a NULL partition value.
pub const NULL_PARTITION: &str = "__HIVE_DEFAULT_PARTITION__";

/// A file's place in a partitioned folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionPath {
    /// The folders above the partition directories (`sales` in
    /// `sales/year=2024/part-0.parquet`), joined with `/`.
    pub root: String,
    /// `(column, value)` from the outermost directory in; `None` is Spark's NULL.
    pub values: Vec<(String, Option<String>)>,
}

impl PartitionPath {
    /// Parses `path` (`/`-separated, relative to what the user dropped). Names and values
    /// are unescaped as Spark escapes them (`%2F` is `/`).
    pub fn parse(path: &str) -> Result<PartitionPath> {
        let mut dirs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        dirs.pop(); // the file's own name
        let first_partition = dirs
            .iter()
            .rposition(|d| !d.contains('='))
            .map_or(0, |i| i + 1);
        let values = dirs[first_partition..]
            .iter()
            .map(|dir| parse_directory(dir, path))
            .collect::<Result<_>>()?;
        Ok(PartitionPath {
            root: dirs[..first_partition].join("/"),
            values,
        })
    }

    /// The partition columns' names, outermost first.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(|(name, _)| name.as_str())
    }
}

/// Whether Spark lists a file or folder of this name when it reads a folder: names
/// starting with `.` (`.part-0.crc`) or `_` (`_SUCCESS`, `_temporary`, but not a
/// `_c=1` partition directory) and files still being copied are left out.
pub fn is_listed(name: &str) -> bool {
    !((name.starts_with('_') && !name.contains('='))
        || name.starts_with('.')
        || name.ends_with("._COPYING_"))
}

/// Whether every folder and the file of `path` are listed (see [`is_listed`]).
pub fn is_data_file(path: &str) -> bool {
    path.split('/').filter(|s| !s.is_empty()).all(is_listed)
}

fn parse_directory(dir: &str, path: &str) -> Result<(String, Option<String>)> {
    let (name, raw) = dir
        .split_once('=')
        .expect("partition directories contain `=`");
    let name = unescape(name);
    if name.is_empty() || raw.is_empty() {
        let what = if name.is_empty() {
            "column name"
        } else {
            "value"
        };
        return Err(Error::new(
            ErrorCode::HiveLayout,
            format!(
                "the folder `{dir}` in {path} has an empty partition {what}: a partition \
                 folder is named `column=value`; rename it, or move the file out of it"
            ),
        ));
    }
    let value = (raw != NULL_PARTITION).then(|| unescape(raw));
    Ok((name, value))
}

/// Undoes Spark's `escapePathName`: `%XX` (two hex digits) is that byte; anything else,
/// a lone `%` included, stays as it is.
fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0)) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(path: &str) -> Vec<(String, Option<String>)> {
        PartitionPath::parse(path).unwrap().values
    }

    #[test]
    fn partition_directories_are_read_from_the_file_up() {
        let parsed = PartitionPath::parse("sales/year=2024/region=north/part-0.parquet").unwrap();
        assert_eq!(parsed.root, "sales");
        assert_eq!(parsed.columns().collect::<Vec<_>>(), ["year", "region"]);
        assert_eq!(
            values("year=2024/part-0.parquet"),
            [("year".into(), Some("2024".into()))]
        );
        // A folder that is not a partition ends them: what is above is the root.
        let parsed = PartitionPath::parse("a=1/data/b=2/f.parquet").unwrap();
        assert_eq!(parsed.root, "a=1/data");
        assert_eq!(parsed.columns().collect::<Vec<_>>(), ["b"]);
        assert!(values("f.parquet").is_empty());
    }

    #[test]
    fn values_are_unescaped_and_the_default_partition_is_null() {
        assert_eq!(
            values("k=a%2Fb/f")[0].1.as_deref(),
            Some("a/b"),
            "Spark escapes `/` as %2F"
        );
        assert_eq!(values("k=50%25/f")[0].1.as_deref(), Some("50%"));
        assert_eq!(values("k=100%/f")[0].1.as_deref(), Some("100%"));
        assert_eq!(values("k=e f/f")[0].1.as_deref(), Some("e f"));
        assert_eq!(values("k=__HIVE_DEFAULT_PARTITION__/f")[0].1, None);
        assert_eq!(values("k=a=b/f")[0].1.as_deref(), Some("a=b"));
    }

    #[test]
    fn an_empty_name_or_value_is_refused() {
        for path in ["k=/f.parquet", "=1/f.parquet"] {
            let err = PartitionPath::parse(path).unwrap_err();
            assert_eq!(err.code(), ErrorCode::HiveLayout, "{path}");
            assert!(err.message().contains(path), "{}", err.message());
        }
    }

    #[test]
    fn spark_leaves_out_hidden_and_bookkeeping_files() {
        assert!(is_data_file("sales/year=2024/part-0.snappy.parquet"));
        assert!(is_data_file("_c=1/part-0.parquet"));
        for hidden in [
            "sales/_SUCCESS",
            "sales/year=2024/.part-0.snappy.parquet.crc",
            "sales/_temporary/0/part-0.parquet",
            "sales/.hidden/part-0.parquet",
            "sales/part-0.parquet._COPYING_",
        ] {
            assert!(!is_data_file(hidden), "{hidden}");
        }
    }
}
