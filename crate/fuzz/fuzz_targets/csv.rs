//! The CSV reader on arbitrary bytes, driven as the page drives it: the head grows until
//! a record ends, windows refine the types, the file arrives in chunks. Besides never
//! panicking, loading in chunks must give the same table as loading in one push — unless
//! a column turned to text after its first chunk, when earlier values are formatted back
//! from their numbers (documented in the load's warning: `007` becomes `7`).
#![no_main]

use brasa::frame::display_batch;
use brasa::io::csv::{CsvLoader, CsvOptions, ParseMode};
use brasa::{ErrorCode, Table};
use libfuzzer_sys::fuzz_target;

/// Options from the first two bytes: header, delimiter, quoting and mode from `control`;
/// the options of the page's *Reader options* panel from `more` (inference, comment,
/// escape, whitespace, encoding, null and NaN values, a date pattern, a DDL schema).
fn options(control: u8, more: u8) -> CsvOptions {
    let bit = |n: u8| more & (1 << n) != 0;
    CsvOptions {
        header: [None, Some(true), Some(false), None][(control & 3) as usize],
        delimiter: [
            None,
            Some(','),
            Some(';'),
            Some('\t'),
            Some('|'),
            None,
            None,
            None,
        ][((control >> 2) & 7) as usize],
        quoting: control & 0x20 == 0,
        mode: [
            ParseMode::Permissive,
            ParseMode::DropMalformed,
            ParseMode::FailFast,
            ParseMode::Permissive,
        ][(control >> 6) as usize],
        max_columns: 2_000,
        infer_schema: !bit(0),
        comment: bit(1).then_some('#'),
        escape: if bit(2) { '\\' } else { '"' },
        ignore_leading_white_space: bit(3),
        ignore_trailing_white_space: bit(3) && bit(4),
        encoding: if bit(5) { "ISO-8859-1" } else { "UTF-8" }.into(),
        null_values: if bit(4) && !bit(3) {
            vec!["NA".into(), String::new()]
        } else {
            vec![String::new()]
        },
        nan_value: if bit(6) { "-".into() } else { "NaN".into() },
        date_format: (bit(6) && bit(7)).then(|| "dd/MM/yyyy".into()),
        schema: (bit(7) && !bit(6)).then(|| SCHEMA.into()),
        line_sep: (bit(1) && bit(5)).then(|| "|".into()),
        empty_value: (bit(2) && bit(6)).then(|| "0".into()),
        ..CsvOptions::default()
    }
}

/// The schema the fuzzer gives (a file with another number of columns is refused or
/// padded, as in the page), with every type a DDL can ask for.
const SCHEMA: &str = "a INT, b STRING, c DECIMAL(5, 2), d DATE, e SMALLINT, f FLOAT, g TIMESTAMP";

fn open(text: &[u8], options: &CsvOptions) -> Option<CsvLoader> {
    let mut head = text.len().min(64);
    loop {
        match CsvLoader::new(&text[..head], head == text.len(), options) {
            Ok(loader) => return Some(loader),
            Err(e) if e.code() == ErrorCode::CsvRecordTooLong && head < text.len() => {
                head = text.len().min(head * 4);
            }
            Err(e) => {
                assert_ne!(e.code(), ErrorCode::Internal, "{}", e.message());
                return None;
            }
        }
    }
}

/// The table, and whether some values were turned back into text (see the module doc).
fn load(text: &[u8], options: &CsvOptions, chunk: usize) -> Option<(Table, bool)> {
    let mut loader = open(text, options)?;
    if text.len() > 256 {
        let at = text.len() / 2;
        loader.refine_types(&text[at..text.len().min(at + 128)]);
    }
    for piece in text.chunks(chunk.max(1)) {
        if let Err(e) = loader.push(piece) {
            assert_ne!(e.code(), ErrorCode::Internal, "{}", e.message());
            return None;
        }
    }
    match loader.finish() {
        Ok((table, warnings)) => {
            let retyped = warnings.iter().any(|w| w.contains("turned back into text"));
            Some((table, retyped))
        }
        Err(e) => {
            assert_ne!(e.code(), ErrorCode::Internal, "{}", e.message());
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [control, more, chunk, text @ ..] = data else {
        return;
    };
    let options = options(*control, *more);
    let chunked = load(text, &options, 1 + *chunk as usize);
    let whole = load(text, &options, usize::MAX);
    match (&chunked, &whole) {
        (Some((a, retyped)), Some((b, _))) => {
            assert_eq!(
                a.schema(),
                b.schema(),
                "schema differs when loaded in chunks"
            );
            let rows = |t: &Table| t.window(0, t.num_rows()).expect("a window of every row");
            if !retyped {
                assert_eq!(rows(a), rows(b), "rows differ when loaded in chunks");
            }
            display_batch(&rows(a)).expect("every row can be shown");
        }
        (None, None) => {}
        _ => panic!("loading in chunks and in one push disagree on success"),
    }
});
