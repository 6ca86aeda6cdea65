//! The JSON reader on arbitrary bytes, driven as the page drives it: the file arrives in
//! chunks and its records are surveyed and decoded as they come, in small pieces (those
//! that fit the schema so far decoded in one pass, `io/json/ahead.rs`). Besides never
//! panicking, that must give the table and warnings (or the error) that reading the whole
//! text at the end gives. With a schema given (`io/json/given.rs`: every value converted
//! to a column of each type), the records are read at the end in small pieces, which must
//! give what one piece of the whole text gives. Records beyond standard JSON (single
//! quotes, `NaN`, comments, ...) are read under Spark's `allow*` options (`io/json/lenient.rs`).
#![no_main]

use brasa::frame::display_batch;
use brasa::io::compressed::ByteSink;
use brasa::io::csv::ParseMode;
use brasa::io::json::{JsonLoader, JsonOptions};
use brasa::{Error, ErrorCode, Table};
use libfuzzer_sys::fuzz_target;

/// A schema with a column of each type a given schema converts values to.
const SCHEMA: &str = "a BIGINT, b STRING, c DOUBLE, d DATE, e DECIMAL(5,2), f FLOAT, \
                      i INT, s SMALLINT, t TINYINT, ts TIMESTAMP, ok BOOLEAN, \
                      _corrupt_record STRING";

/// Options from a byte: Spark's `mode` (PERMISSIVE twice, the second time with the schema
/// inferred from Spark's sample of the records, `samplingRatio` 0.3) and `multiLine` (told
/// from the file, or given, or JSON lines ended by a `lineSep`),
/// whether a schema is given, whether the bytes are UTF-16, and Jackson's leniencies:
/// Spark's defaults (single quotes and non-numeric numbers), every `allow*` option, or
/// standard JSON only.
fn options(control: u8) -> JsonOptions {
    let every = control & 64 != 0;
    let spark_defaults = control & 128 == 0;
    JsonOptions {
        allow_single_quotes: spark_defaults || every,
        allow_non_numeric_numbers: spark_defaults || every,
        allow_unquoted_field_names: every,
        allow_numeric_leading_zeros: every,
        allow_backslash_escaping_any_character: every,
        allow_unquoted_control_chars: every,
        allow_comments: every,
        schema: (control & 16 != 0).then(|| SCHEMA.to_string()),
        // UTF-16 decoded as it arrives: a push can end inside a character.
        encoding: (control & 32 != 0).then(|| "UTF-16LE".to_string()),
        mode: [
            ParseMode::Permissive,
            ParseMode::DropMalformed,
            ParseMode::FailFast,
            ParseMode::Permissive,
        ][(control & 3) as usize],
        multi_line: [None, Some(false), Some(true), None][((control >> 2) & 3) as usize],
        // The fourth multiLine value: records ended by Spark's `lineSep` instead.
        line_sep: ((control >> 2) & 3 == 3).then(|| "||".to_string()),
        sampling_ratio: if control & 3 == 3 { 0.3 } else { 1.0 },
        ..JsonOptions::default()
    }
}

/// The file loaded in `chunk`-byte pushes, read ahead, or in one push read at the end.
fn load(
    text: &[u8],
    options: &JsonOptions,
    piece_bytes: usize,
    chunk: Option<usize>,
) -> Result<(Table, Vec<String>), Error> {
    let mut loader = JsonLoader::new(options.clone(), text.len())?.with_piece_bytes(piece_bytes);
    match chunk {
        Some(chunk) => {
            for part in text.chunks(chunk.max(1)) {
                loader.push(part)?;
            }
        }
        None => {
            loader = loader.reading_at_the_end();
            loader.push(text)?;
        }
    }
    loader.finish()
}

fuzz_target!(|data: &[u8]| {
    let [control, chunk, pieces, text @ ..] = data else {
        return;
    };
    let mut options = options(*control);
    // The chunk byte's top bit: Spark's inference options, primitivesAsString and
    // dropFieldIfAllNull.
    options.primitives_as_string = chunk & 128 != 0;
    options.drop_field_if_all_null = chunk & 128 != 0;
    // The pieces byte's top bit: the typing options, prefersDecimal and inferTimestamp
    // (decimals and timestamps decoded as text and converted, `io/json/typed.rs`).
    options.prefers_decimal = pieces & 128 != 0;
    options.infer_timestamp = pieces & 128 != 0;
    let piece_bytes = 16 + 4 * usize::from(pieces & 127);
    let ahead = load(
        text,
        &options,
        piece_bytes,
        Some(1 + usize::from(chunk & 127)),
    );
    // With a schema (given, or a sample's) every read is at the end: small pieces against
    // one of the whole text.
    let whole_bytes = match options.schema.is_some() || options.sampling_ratio < 1.0 {
        true => usize::MAX,
        false => piece_bytes,
    };
    let at_the_end = load(text, &options, whole_bytes, None);
    match (&ahead, &at_the_end) {
        (Ok((a, a_warnings)), Ok((b, b_warnings))) => {
            assert_eq!(a.schema(), b.schema(), "schema differs when read ahead");
            let rows = |t: &Table| t.window(0, t.num_rows()).expect("a window of every row");
            assert_eq!(rows(a), rows(b), "rows differ when read ahead");
            assert_eq!(a_warnings, b_warnings, "warnings differ when read ahead");
            display_batch(&rows(a)).expect("every row can be shown");
        }
        (Err(a), Err(b)) => {
            assert_ne!(a.code(), ErrorCode::Internal, "{}", a.message());
            assert_eq!(a.message(), b.message(), "errors differ when read ahead");
        }
        _ => panic!("reading ahead and at the end disagree on success: {ahead:?} / {at_the_end:?}"),
    }
});
