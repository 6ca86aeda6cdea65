//! Spark's `samplingRatio` for JSON: which records the schema is inferred from.
//!
//! JSON lines are a `Dataset[String]` of the file's lines to Spark, sampled with
//! `Dataset.sample(false, samplingRatio, 1)`: one draw per line, blank lines included
//! (they are no record, but take their draw). A multiLine file is one item of an RDD of
//! whole files, sampled with `RDD.sample(false, samplingRatio, 1)`: its records are all
//! in the sample or none is. The draws are Spark's for the file read as one partition
//! ([`SparkSample`]); Spark splits larger files (over 4 MB, on more than one core) into
//! partitions that each draw from their own seed, so its sample of those differs.

use std::ops::Range;

use crate::io::json::line_sep::RecordEnd;
use crate::random::SparkSample;

/// Spark's seed for a reader's sample (`JsonUtils.sample`, `CSVUtils.sample`).
const SAMPLE_SEED: i64 = 1;

/// The numbers of the records (into `records`, in order) Spark's sample of the file's
/// lines (`multi_line`: of the file itself) keeps at `ratio`.
pub fn sampled_records(
    text: &[u8],
    records: &[Range<usize>],
    multi_line: bool,
    end: &RecordEnd,
    ratio: f64,
) -> Vec<usize> {
    if multi_line {
        let file_kept = SparkSample::rdd(ratio, SAMPLE_SEED, 0).keeps();
        return if file_kept {
            (0..records.len()).collect()
        } else {
            Vec::new()
        };
    }
    let mut sample = SparkSample::dataset(ratio, SAMPLE_SEED, 0);
    let mut kept = Vec::with_capacity((records.len() as f64 * ratio) as usize + 1);
    // Lines before the current record that have taken their draw.
    let mut drawn = 0;
    let mut line = 0;
    let mut counted_to = 0;
    for (number, record) in records.iter().enumerate() {
        line += end.ends_in(&text[counted_to..record.start]);
        counted_to = record.start;
        // The blank lines before this record draw too.
        for _ in drawn..line {
            sample.keeps();
        }
        if sample.keeps() {
            kept.push(number);
        }
        drawn = line + 1;
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PySpark 4.3 (`spark.read.option("samplingRatio", 0.3).json(...)` on sixty records
    /// `{"fNN": 1}` with a blank line after the fifth) infers the fields f02, f03, f05,
    /// f06, f10, f11, f17, f19, f21, f23, f27, f29, f35, f44, f49, f51, f54, f55 and f59:
    /// the blank line took the draw of line 5.
    #[test]
    fn blank_lines_take_their_draw() {
        let mut lines: Vec<String> = (0..60).map(|i| format!("{{\"f{i:02}\": 1}}")).collect();
        lines.insert(5, String::new());
        let text = lines.join("\n") + "\n";
        let records = RecordEnd::LineBreak.records(text.as_bytes(), 0..text.len());
        let kept = sampled_records(text.as_bytes(), &records, false, &RecordEnd::LineBreak, 0.3);
        assert_eq!(
            kept,
            [2, 3, 5, 6, 10, 11, 17, 19, 21, 23, 27, 29, 35, 44, 49, 51, 54, 55, 59]
        );
    }

    /// A multiLine file is kept whole or not at all (PySpark 4.3 on a two-record array:
    /// the schema at samplingRatio 0.1, none at 0.5 and 0.9).
    #[test]
    fn a_document_is_sampled_whole() {
        let text = br#"[{"a": 1}, {"b": 2}]"#;
        let records = [1..9, 11..19];
        let kept = |ratio| sampled_records(text, &records, true, &RecordEnd::LineBreak, ratio);
        assert_eq!(kept(0.1), [0, 1]);
        assert!(kept(0.5).is_empty());
        assert!(kept(0.9).is_empty());
    }
}
