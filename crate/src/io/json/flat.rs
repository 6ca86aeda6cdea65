//! Decoding a piece of flat records (every column a `bigint`, `double`, `boolean` or
//! `string`: what most JSON files hold) straight into Arrow arrays, where arrow-json builds
//! a tape of the whole piece first and then looks each key up among the schema's fields by
//! name. Here a record's keys are matched against the keys of the record before, in
//! order (records written by a program repeat their keys), and each value is appended to
//! its column as it is read. Numbers are parsed by lexical-core as arrow-json parses them,
//! and a value a column could not take makes the piece go to arrow-json instead
//! (`None`), so the table is the same either way (`benches/json_load.rs` times both).
//!
//! Only for pieces the survey found clean: every record one object, nothing malformed,
//! no value to rewrite. Or, before any survey, for a piece whose records all fit the
//! schema the records before it gave ([`decode_fitting`]): each record is then checked as
//! the survey's scanner checks it, and each value must be of a type its column already
//! has, so the piece would add nothing to the schema and its survey is this decoding.
//! Such a piece's schema may also have `decimal` and `timestamp` columns (Spark's
//! `prefersDecimal` and `inferTimestamp`, or whole numbers beyond `bigint`): a value fits
//! one when the typing reads its text as a type the column holds, and that reading is
//! its value.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::builder::{
    BinaryBuilder, BooleanBuilder, Decimal128Builder, Float64Builder, Int64Builder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_schema::{DataType, SchemaRef, TimeUnit};

use crate::io::json::infer::JsonType;
use crate::io::json::lenient::{non_numeric_token, non_numeric_value};
use crate::io::json::scan::value_end;
use crate::io::json::shape::{checked_number, checked_string};
use crate::io::json::typed::decimal_of_text;
use crate::io::json::typing::Typing;

/// Whether the schema's columns are all of the types this decoder builds.
pub fn is_flat(schema: &SchemaRef) -> bool {
    schema.fields().iter().all(|f| {
        matches!(
            f.data_type(),
            DataType::Int64 | DataType::Float64 | DataType::Boolean | DataType::Utf8
        )
    })
}

/// The piece's records decoded into one batch of `schema` (flat, see [`is_flat`]); `None`
/// when a record is not a plain object or a value does not fit its column (arrow-json
/// decides then).
pub fn decode_flat(
    text: &[u8],
    records: &[Range<usize>],
    schema: &SchemaRef,
) -> Option<RecordBatch> {
    decode_records(text, records, schema, None)
}

/// Whether the fitted pass can decode the schema's columns: the flat ones, `decimal`s and
/// `timestamp`s (whose values it reads from their text).
fn is_fittable(schema: &SchemaRef) -> bool {
    schema.fields().iter().all(|f| {
        matches!(
            f.data_type(),
            DataType::Int64
                | DataType::Float64
                | DataType::Boolean
                | DataType::Utf8
                | DataType::Decimal128(..)
                | DataType::Timestamp(TimeUnit::Microsecond, _)
        )
    })
}

/// The piece's records decoded into one batch of `schema`, if every record is an object
/// the survey's scanner vouches for (as serde_json reads it) whose values each fit their
/// column's type in `fits`: merging such records into the type `fits` was made from would
/// change nothing, so the piece needs no survey. `None` at the first record that does not
/// (the piece is then surveyed and decoded as usual).
pub fn decode_fitting(
    text: &[u8],
    records: &[Range<usize>],
    schema: &SchemaRef,
    fits: &Fits,
) -> Option<RecordBatch> {
    decode_records(text, records, schema, Some(fits))
}

/// What each column of a flat schema (with `decimal` and `timestamp` columns too) may
/// hold without changing the records' merged type.
#[derive(Debug)]
pub struct Fits {
    columns: Vec<ColumnFit>,
    /// Whether a key that is not a column is skipped (a scalar value only) rather than a
    /// misfit.
    skips_other_keys: bool,
    /// Whether `NaN`, `Infinity`, `-INF`, ... are read as `double`s (Spark's
    /// `allowNonNumericNumbers`, on by default): a file Python wrote with missing values
    /// is then read in one pass like any other.
    non_numeric: bool,
    /// How inference types a value from its text (for the typed columns).
    typing: Typing,
}

/// What one column may hold without changing its merged type.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ColumnFit {
    /// Values of these kinds, as they are: bits of `FITS_*`.
    Kinds(u8),
    /// Numbers (and, under `prefersDecimal`, strings) that the typing reads as a type
    /// this decimal holds: no wider integer part, no longer fraction.
    Decimal { precision: u8, scale: u8 },
    /// Strings that the typing reads as timestamps.
    Timestamp,
    /// Under `prefersDecimal`, numbers the typing reads as a `bigint`, a `double` or a
    /// decimal (which a `double` holds), not one Spark refuses (a negative scale).
    TypedDouble,
}

const FITS_NULL: u8 = 1;
const FITS_BOOLEAN: u8 = 2;
const FITS_LONG: u8 = 4;
const FITS_DOUBLE: u8 = 8;
const FITS_STRING: u8 = 16;

impl Fits {
    /// For `schema` (made from `merged`, the type of the records so far, with `typing`);
    /// `None` unless its columns are of the types the fitted pass decodes and `merged` is
    /// a struct without mixed strings. A column that is not one of `merged`'s fields (the
    /// corrupt-record column) takes no value at all: a record naming it would add that
    /// field. `non_numeric`: whether non-numeric numbers are `double`s (never under
    /// `prefersDecimal`, where they make a record malformed).
    pub fn new(
        merged: &JsonType,
        schema: &SchemaRef,
        typing: &Typing,
        non_numeric: bool,
    ) -> Option<Fits> {
        let JsonType::Struct(fields) = merged else {
            return None;
        };
        if !is_fittable(schema) || merged.has_mixed() {
            return None;
        }
        let prefers_decimal = typing.needs_number_text();
        let columns = schema
            .fields()
            .iter()
            .map(
                |field| match (fields.get(field.name()), field.data_type()) {
                    // merge(t, v) == t exactly for these values.
                    (Some(JsonType::Null), _) => ColumnFit::Kinds(FITS_NULL),
                    (Some(JsonType::Boolean), _) => ColumnFit::Kinds(FITS_NULL | FITS_BOOLEAN),
                    (Some(JsonType::Long), _) => ColumnFit::Kinds(FITS_NULL | FITS_LONG),
                    // A number with a point or an exponent is then a decimal, or refused.
                    (Some(JsonType::Double), _) if prefers_decimal => ColumnFit::TypedDouble,
                    (Some(JsonType::Double), _) => {
                        ColumnFit::Kinds(FITS_NULL | FITS_LONG | FITS_DOUBLE)
                    }
                    (Some(JsonType::String { mixed: false }), _) => {
                        ColumnFit::Kinds(FITS_NULL | FITS_STRING)
                    }
                    (
                        Some(&JsonType::Decimal { precision, scale }),
                        &DataType::Decimal128(p, s),
                    ) if p == precision && i8::try_from(scale) == Ok(s) => {
                        ColumnFit::Decimal { precision, scale }
                    }
                    (Some(JsonType::Timestamp), DataType::Timestamp(TimeUnit::Microsecond, _)) => {
                        ColumnFit::Timestamp
                    }
                    _ => ColumnFit::Kinds(0),
                },
            )
            .collect();
        Some(Fits {
            columns,
            skips_other_keys: false,
            non_numeric: non_numeric && !prefers_decimal,
            typing: typing.clone(),
        })
    }

    /// For a schema given by the user (`given.rs`, which converts the values itself): any
    /// scalar in any of its `columns`, and other keys' scalars skipped.
    pub fn any_scalar(columns: usize) -> Fits {
        let any = FITS_NULL | FITS_BOOLEAN | FITS_LONG | FITS_DOUBLE | FITS_STRING;
        Fits {
            columns: vec![ColumnFit::Kinds(any); columns],
            skips_other_keys: true,
            // The given schema's conversions read them from their standard rewrite.
            non_numeric: false,
            typing: Typing::default(),
        }
    }

    /// `value` (of [`Fits`] bit `bit`) as column `column` takes it, `None` when it would
    /// change the column's type. A typed column's value is converted here, from the text
    /// its type was read from.
    #[inline]
    fn fitted(&self, column: usize, value: Value, bit: u8, text: &[u8]) -> Option<Value> {
        let fit = self.columns[column];
        if let ColumnFit::Kinds(bits) = fit {
            return (bits & bit != 0).then_some(value);
        }
        // A null, or `""`, a null to inference.
        if bit == FITS_NULL {
            return Some(value);
        }
        // Numbers are ASCII; the scanner checked a string's UTF-8.
        let read = || std::str::from_utf8(value.text(text)).ok();
        let converted = |to: i128| Value {
            kind: Kind::Converted(to),
            ..value
        };
        match (fit, value.kind) {
            (ColumnFit::TypedDouble, Kind::Number) => {
                let ty = self.typing.of_number(read()?);
                (JsonType::Double.merge(ty) == JsonType::Double).then_some(value)
            }
            (ColumnFit::Decimal { precision, scale }, kind @ (Kind::Number | Kind::Plain)) => {
                let column = JsonType::Decimal { precision, scale };
                // Most numbers are read in one look at their digits.
                if kind == Kind::Number {
                    if let Some(number) = self.typing.of_plain_number(value.text(text)) {
                        if column.clone().merge(number.ty.clone()) != column {
                            return None;
                        }
                        return number.at_scale(scale).map(converted);
                    }
                }
                let text = read()?;
                let ty = match value.kind {
                    Kind::Number => self.typing.of_number(text),
                    _ => self.typing.of_string(text),
                };
                if column.clone().merge(ty) != column {
                    return None;
                }
                decimal_of_text(text, precision, scale).map(converted)
            }
            (ColumnFit::Timestamp, Kind::Plain) => {
                let micros = self.typing.timestamp_of_string(read()?)?;
                Some(converted(i128::from(micros)))
            }
            _ => None,
        }
    }
}

fn decode_records(
    text: &[u8],
    records: &[Range<usize>],
    schema: &SchemaRef,
    fits: Option<&Fits>,
) -> Option<RecordBatch> {
    let (first, last) = (records.first()?, records.last()?);
    // Strings are appended as they are: the piece's text must be UTF-8 (the survey has
    // read every record as such already; this is the check arrow-json makes too). Records
    // that fit were read by the scanner, which takes only ASCII outside strings and
    // checks each string's UTF-8.
    if fits.is_none() {
        std::str::from_utf8(&text[first.start..last.end]).ok()?;
    }
    let mut columns: Vec<Column> = schema
        .fields()
        .iter()
        .map(|f| Column::new(f.data_type(), records.len()))
        .collect::<Option<_>>()?;
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let mut keys = Keys::default();
    let mut values: Vec<Option<Value>> = vec![None; columns.len()];
    for record in records {
        match fits {
            None => read_record(text, record.clone(), &names, &mut keys, &mut values)?,
            Some(fits) => read_fitting(text, record.clone(), &names, fits, &mut keys, &mut values)?,
        }
        for (column, value) in columns.iter_mut().zip(values.iter_mut()) {
            column.append(text, value.take())?;
        }
    }
    let arrays: Vec<ArrayRef> = columns
        .into_iter()
        .map(Column::finish)
        .collect::<Option<_>>()?;
    RecordBatch::try_new(Arc::clone(schema), arrays).ok()
}

/// Where a value is in the text, and what it is.
#[derive(Clone, Copy)]
pub struct Value {
    kind: Kind,
    start: usize,
    end: usize,
}

impl Value {
    /// The value's JSON text (a string's quotes included).
    pub fn json<'t>(&self, text: &'t [u8]) -> &'t [u8] {
        match self.kind {
            Kind::Plain => &text[self.start - 1..self.end + 1],
            _ => &text[self.start..self.end],
        }
    }

    /// What the value is; a [`Kind::Plain`] string's value is [`Value::text`].
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The value's text: a string without escapes between its quotes, or the JSON text.
    pub fn text<'t>(&self, text: &'t [u8]) -> &'t [u8] {
        &text[self.start..self.end]
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Null,
    True,
    False,
    Number,
    /// A string without escapes: its text between the quotes is the value.
    Plain,
    /// A string with escapes, quotes included.
    Escaped,
    /// An object or an array (for a key the schema does not have).
    Container,
    /// A non-numeric number (`NaN`, `-INF`, ...), read when Spark's
    /// `allowNonNumericNumbers` is on (`lenient.rs`): a `double`.
    NonNumeric,
    /// A value the fitted pass has converted from its text to its column's type: a
    /// decimal's unscaled value, a timestamp's microseconds.
    Converted(i128),
}

/// Distinct raw keys remembered per piece (a flat schema's columns, spelled a few ways).
const MET_KEYS: usize = 256;

/// The raw keys met in a piece, in the order records give them, and their columns. Records
/// written by a program repeat their keys in one order, leaving some out (a null field a
/// writer skipped): a key is looked for from just after the one before it, so it is
/// usually found with one comparison, and one left out costs one more.
#[derive(Default)]
pub struct Keys {
    /// Raw key text (quotes included) and its column (`None`: not in the schema).
    order: Vec<(Range<usize>, Option<usize>)>,
    /// Where the next key of the record is expected in `order`.
    next: usize,
}

impl Keys {
    /// A new record begins.
    fn start_record(&mut self) {
        self.next = 0;
    }

    /// Where the key at `pos` ends and its column, when it is a raw key met before: the
    /// same bytes as a string already read end at the same quote and read the same, so
    /// they need no second look.
    #[inline]
    fn known(&mut self, text: &[u8], pos: usize, end: usize) -> Option<(usize, Option<usize>)> {
        let n = self.order.len();
        let from = self.next.min(n);
        for at in (from..n).chain(0..from) {
            let (raw, column) = &self.order[at];
            let key_end = pos + raw.len();
            if key_end <= end && same_bytes(&text[raw.clone()], &text[pos..key_end]) {
                self.next = at + 1;
                return Some((key_end, *column));
            }
        }
        None
    }

    /// The column of the raw key `raw` of the record.
    fn column(&mut self, text: &[u8], raw: Range<usize>, names: &[&str]) -> Option<Option<usize>> {
        match self.known(text, raw.start, raw.end) {
            Some((key_end, column)) if key_end == raw.end => Some(column),
            _ => self.learn(text, raw, names),
        }
    }

    /// The column of the raw key `raw`, not met before in this piece (read by name), now
    /// remembered where the record has it.
    fn learn(&mut self, text: &[u8], raw: Range<usize>, names: &[&str]) -> Option<Option<usize>> {
        let bytes = &text[raw.clone()];
        let name: std::borrow::Cow<str> = if bytes.contains(&b'\\') {
            serde_json::from_slice::<String>(bytes).ok()?.into()
        } else {
            std::str::from_utf8(&bytes[1..bytes.len() - 1]).ok()?.into()
        };
        let column = names.iter().position(|n| *n == name);
        if self.order.len() < MET_KEYS {
            let at = self.next.min(self.order.len());
            self.order.insert(at, (raw, column));
            self.next = at + 1;
        }
        Some(column)
    }
}

/// `a == b`, inline: keys are short, and a call of `bcmp` per key was a tenth of the
/// decoding in a profile (a build without LTO). Eight bytes at a time, the last word overlapping the one before.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return (0..n).all(|i| a[i] == b[i]);
    }
    let word = |s: &[u8], at: usize| {
        <[u8; 8]>::try_from(&s[at..at + 8])
            .ok()
            .map(u64::from_le_bytes)
    };
    let mut at = 0;
    while at + 8 < n {
        if word(a, at) != word(b, at) {
            return false;
        }
        at += 8;
    }
    word(a, n - 8) == word(b, n - 8)
}

/// Reads one record (an object) into `values`, a slot per column; a key given twice
/// keeps its last value, as arrow-json does.
fn read_record(
    text: &[u8],
    record: Range<usize>,
    names: &[&str],
    keys: &mut Keys,
    values: &mut [Option<Value>],
) -> Option<()> {
    let end = record.end;
    let mut pos = ws(text, record.start, end);
    if text.get(pos) != Some(&b'{') {
        return None;
    }
    pos = ws(text, pos + 1, end);
    if text.get(pos) == Some(&b'}') {
        return (ws(text, pos + 1, end) == end).then_some(());
    }
    keys.start_record();
    loop {
        let key_end = string_end(text, pos, end)?;
        let column = keys.column(text, pos..key_end.0, names)?;
        pos = ws(text, key_end.0, end);
        if text.get(pos) != Some(&b':') {
            return None;
        }
        pos = ws(text, pos + 1, end);
        let (value, after) = value_at(text, pos, end)?;
        if let Some(column) = column {
            values[column] = Some(value);
        }
        pos = ws(text, after, end);
        match text.get(pos) {
            Some(b',') if pos < end => pos = ws(text, pos + 1, end),
            Some(b'}') if pos < end => return (ws(text, pos + 1, end) == end).then_some(()),
            _ => return None,
        }
    }
}

/// Reads one record into `values` as [`read_record`] does, checking it as the survey's
/// scanner does (`shape.rs`) and each value against its column's [`Fits`]: `None` for a
/// record the scanner would not vouch for, one that is not an object, a key that is not a
/// column (unless `fits` skips those), a container, or a value of a type its column does
/// not have yet.
pub fn read_fitting(
    text: &[u8],
    record: Range<usize>,
    names: &[&str],
    fits: &Fits,
    keys: &mut Keys,
    values: &mut [Option<Value>],
) -> Option<()> {
    let end = record.end;
    let mut pos = ws(text, record.start, end);
    if pos >= end || text[pos] != b'{' {
        return None;
    }
    pos = ws(text, pos + 1, end);
    if pos < end && text[pos] == b'}' {
        return (ws(text, pos + 1, end) == end).then_some(());
    }
    keys.start_record();
    loop {
        if pos >= end || text[pos] != b'"' {
            return None;
        }
        let (key_end, column) = match keys.known(text, pos, end) {
            Some(known) => known,
            None => {
                let (key_end, _) = checked_string(text, pos, end)?;
                (key_end, keys.learn(text, pos..key_end, names)?)
            }
        };
        if column.is_none() && !fits.skips_other_keys {
            return None;
        }
        pos = ws(text, key_end, end);
        if pos >= end || text[pos] != b':' {
            return None;
        }
        pos = ws(text, pos + 1, end);
        let (value, after, bit) = fitting_value_at(text, pos, end, fits.non_numeric)?;
        if let Some(column) = column {
            values[column] = Some(fits.fitted(column, value, bit, text)?);
        }
        pos = ws(text, after, end);
        if pos >= end {
            return None;
        }
        match text[pos] {
            b',' => pos = ws(text, pos + 1, end),
            b'}' => return (ws(text, pos + 1, end) == end).then_some(()),
            _ => return None,
        }
    }
}

/// The scalar value starting at `pos` (before `end`) as the survey's scanner reads it,
/// where its text ends, and its [`Fits`] bit; `None` for a container or anything the
/// scanner would not vouch for. `non_numeric`: `NaN`, `-INF`, ... are `double`s.
fn fitting_value_at(
    text: &[u8],
    pos: usize,
    end: usize,
    non_numeric: bool,
) -> Option<(Value, usize, u8)> {
    let value = |kind, start, end| Value { kind, start, end };
    let word = |w: &[u8], kind, bit| {
        literal_end(text, pos, end, w).map(|after| (value(kind, pos, after), after, bit))
    };
    match *text[..end].get(pos)? {
        b'"' => {
            let (after, escaped) = checked_string(text, pos, end)?;
            Some(if escaped {
                (value(Kind::Escaped, pos, after), after, FITS_STRING)
            } else if after == pos + 2 {
                // `""` is a null to inference: it fits any column (NULL in one that is not
                // a string, `Column::append`).
                (value(Kind::Plain, pos + 1, after - 1), after, FITS_NULL)
            } else {
                (value(Kind::Plain, pos + 1, after - 1), after, FITS_STRING)
            })
        }
        b'n' => word(b"null", Kind::Null, FITS_NULL),
        b't' => word(b"true", Kind::True, FITS_BOOLEAN),
        b'f' => word(b"false", Kind::False, FITS_BOOLEAN),
        b'N' | b'I' | b'+' | b'-'
            if non_numeric && non_numeric_token(&text[pos..end]).is_some() =>
        {
            let after = pos + non_numeric_token(&text[pos..end])?;
            Some((value(Kind::NonNumeric, pos, after), after, FITS_DOUBLE))
        }
        b'-' | b'0'..=b'9' => {
            let (after, long) = checked_number(text, pos, end)?;
            let bit = if long { FITS_LONG } else { FITS_DOUBLE };
            Some((value(Kind::Number, pos, after), after, bit))
        }
        _ => None,
    }
}

/// Where the literal `word` (`null`, `true`, `false`) at `pos` ends, if it is there
/// before `end`.
fn literal_end(text: &[u8], pos: usize, end: usize, word: &[u8]) -> Option<usize> {
    let after = pos + word.len();
    (after <= end && &text[pos..after] == word).then_some(after)
}

fn ws(text: &[u8], mut pos: usize, end: usize) -> usize {
    while pos < end && matches!(text[pos], b' ' | b'\n' | b'\t' | b'\r') {
        pos += 1;
    }
    pos
}

/// Where the string starting at `pos` ends (after its closing quote), and whether it has
/// escapes.
fn string_end(text: &[u8], pos: usize, end: usize) -> Option<(usize, bool)> {
    if pos >= end || text[pos] != b'"' {
        return None;
    }
    let mut at = pos + 1;
    let mut escaped = false;
    loop {
        let found = memchr::memchr2(b'"', b'\\', &text[at..end])? + at;
        if text[found] == b'"' {
            return Some((found + 1, escaped));
        }
        escaped = true;
        at = found + 2;
        if at > end {
            return None;
        }
    }
}

/// The value starting at `pos`, and where its text ends.
fn value_at(text: &[u8], pos: usize, end: usize) -> Option<(Value, usize)> {
    let whole = |kind, after| {
        Some((
            Value {
                kind,
                start: pos,
                end: after,
            },
            after,
        ))
    };
    let word = |w: &[u8], kind| whole(kind, literal_end(text, pos, end, w)?);
    match *text.get(pos)? {
        b'"' => {
            let (after, escaped) = string_end(text, pos, end)?;
            if escaped {
                whole(Kind::Escaped, after)
            } else {
                let value = Value {
                    kind: Kind::Plain,
                    start: pos + 1,
                    end: after - 1,
                };
                Some((value, after))
            }
        }
        b'n' => word(b"null", Kind::Null),
        b't' => word(b"true", Kind::True),
        b'f' => word(b"false", Kind::False),
        b'{' | b'[' => {
            let after = value_end(&text[..end], pos);
            if after > pos {
                whole(Kind::Container, after)
            } else {
                None
            }
        }
        b'-' | b'0'..=b'9' => {
            let mut after = pos + 1;
            while after < end
                && matches!(text[after], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
            {
                after += 1;
            }
            whole(Kind::Number, after)
        }
        _ => None,
    }
}

enum Column {
    Long(Int64Builder),
    Double(Float64Builder),
    Boolean(BooleanBuilder),
    /// The strings' bytes, checked as UTF-8 all at once when the column is finished.
    String(BinaryBuilder),
    /// Values the fitted pass converted ([`Kind::Converted`]).
    Decimal(Decimal128Builder),
    Timestamp(TimestampMicrosecondBuilder),
}

impl Column {
    fn new(data_type: &DataType, rows: usize) -> Option<Column> {
        Some(match data_type {
            DataType::Int64 => Column::Long(Int64Builder::with_capacity(rows)),
            DataType::Float64 => Column::Double(Float64Builder::with_capacity(rows)),
            DataType::Boolean => Column::Boolean(BooleanBuilder::with_capacity(rows)),
            DataType::Utf8 => Column::String(BinaryBuilder::with_capacity(rows, rows * 8)),
            DataType::Decimal128(precision, scale) => Column::Decimal(
                Decimal128Builder::with_capacity(rows)
                    .with_precision_and_scale(*precision, *scale)
                    .ok()?,
            ),
            DataType::Timestamp(TimeUnit::Microsecond, zone) => Column::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(rows).with_timezone_opt(zone.clone()),
            ),
            _ => return None,
        })
    }

    /// Appends a value, or a null for a key the record does not have; `None` when the
    /// value does not fit the column.
    fn append(&mut self, text: &[u8], value: Option<Value>) -> Option<()> {
        let Some(value) = value.filter(|v| v.kind != Kind::Null) else {
            match self {
                Column::Long(b) => b.append_null(),
                Column::Double(b) => b.append_null(),
                Column::Boolean(b) => b.append_null(),
                Column::String(b) => b.append_null(),
                Column::Decimal(b) => b.append_null(),
                Column::Timestamp(b) => b.append_null(),
            }
            return Some(());
        };
        let bytes = &text[value.start..value.end];
        match (self, value.kind) {
            // An empty string is NULL in a column that is not a string (Spark infers it
            // as a null, so such a column may hold it).
            (Column::Long(b), Kind::Plain) if bytes.is_empty() => b.append_null(),
            (Column::Double(b), Kind::Plain) if bytes.is_empty() => b.append_null(),
            (Column::Boolean(b), Kind::Plain) if bytes.is_empty() => b.append_null(),
            (Column::Decimal(b), Kind::Plain) if bytes.is_empty() => b.append_null(),
            (Column::Timestamp(b), Kind::Plain) if bytes.is_empty() => b.append_null(),
            (Column::Decimal(b), Kind::Converted(unscaled)) => b.append_value(unscaled),
            (Column::Timestamp(b), Kind::Converted(micros)) => {
                b.append_value(i64::try_from(micros).ok()?)
            }
            (Column::Long(b), Kind::Number) => b.append_value(parse_long(bytes)?),
            (Column::Double(b), Kind::Number) => {
                b.append_value(lexical_core::parse::<f64>(bytes).ok()?)
            }
            (Column::Double(b), Kind::NonNumeric) => b.append_value(non_numeric_value(bytes)),
            (Column::Boolean(b), Kind::True) => b.append_value(true),
            (Column::Boolean(b), Kind::False) => b.append_value(false),
            // Numbers and booleans in a string column keep their text (arrow-json's
            // `coerce_primitive`).
            (Column::String(b), Kind::Plain | Kind::Number | Kind::True | Kind::False) => {
                b.append_value(bytes)
            }
            (Column::String(b), Kind::Escaped) => {
                b.append_value(serde_json::from_slice::<String>(bytes).ok()?)
            }
            _ => return None,
        }
        Some(())
    }

    /// The column's array; `None` if a string column's bytes are not UTF-8 (arrow-json
    /// decides then).
    fn finish(self) -> Option<ArrayRef> {
        Some(match self {
            Column::Long(mut b) => Arc::new(b.finish()),
            Column::Double(mut b) => Arc::new(b.finish()),
            Column::Boolean(mut b) => Arc::new(b.finish()),
            Column::String(mut b) => Arc::new(StringArray::try_from_binary(b.finish()).ok()?),
            Column::Decimal(mut b) => Arc::new(b.finish()),
            Column::Timestamp(mut b) => Arc::new(b.finish()),
        })
    }
}

/// A whole number as arrow-json reads one into an `i64` column (a `bigint` column holds
/// only those: anything else goes to arrow-json).
fn parse_long(bytes: &[u8]) -> Option<i64> {
    lexical_core::parse::<i64>(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::json::decode::Decoding;
    use crate::io::json::options::JsonOptions;
    use crate::io::json::schema::JsonSchema;
    use crate::io::json::survey::{survey, Surveying};
    use arrow_schema::{Field, Schema};

    /// The batch arrow-json makes of the same records, as the loader calls it.
    fn by_arrow_json(text: &[u8], schema: &SchemaRef) -> RecordBatch {
        let mut decoder = arrow_json::ReaderBuilder::new(Arc::clone(schema))
            .with_coerce_primitive(true)
            .with_batch_size(1 << 20)
            .build_decoder()
            .unwrap();
        assert_eq!(decoder.decode(text).unwrap(), text.len());
        decoder.flush().unwrap().unwrap()
    }

    fn lines(text: &[u8]) -> Vec<Range<usize>> {
        let mut at = 0;
        let mut records = Vec::new();
        for line in text.split(|&b| b == b'\n') {
            if !line.is_empty() {
                records.push(at..at + line.len());
            }
            at += line.len() + 1;
        }
        records
    }

    #[test]
    fn flat_records_decode_as_arrow_json_decodes_them() {
        let schema: SchemaRef = Arc::new(Schema::new(vec![
            Field::new("a", DataType::Int64, true),
            Field::new("b", DataType::Float64, true),
            Field::new("c", DataType::Boolean, true),
            Field::new("d", DataType::Utf8, true),
            Field::new("e", DataType::Utf8, true),
        ]));
        let text = r#"{"a": 1, "b": 2.5, "c": true, "d": "x", "e": null}
{"e":"only"}
{"d": "caf\u00e9 \"q\" \\ \/ \n", "a": -9223372036854775808, "b": -0, "unknown": {"x": [1, {}]}, "": 3}
{"a":9223372036854775807,"b":1e300,"c":false,"d":12.50,"e":true}
  {"b": 1.7976931348623157e308, "d": false, "a": 7, "b": 5E-324, "\u0061": 8}
{}
{"d": "é漢字🙂", "e": -1.0E-5, "c": null, "b": 123456789012345678901234567890}
{"b": 0.1, "a": 0, "c": true, "d": "", "e": ""}
"#
        .as_bytes();
        let records = lines(text);
        let flat = decode_flat(text, &records, &schema).expect("flat records");
        assert_eq!(flat, by_arrow_json(text, &schema));
        assert_eq!(flat.num_rows(), 8);
    }

    #[test]
    fn numbers_parse_to_the_same_bits() {
        let schema: SchemaRef =
            Arc::new(Schema::new(vec![Field::new("x", DataType::Float64, true)]));
        let mut seed: u64 = 1;
        let mut text = String::new();
        for i in 0..20_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let value = f64::from_bits(seed >> 2);
            let written = match i % 4 {
                0 => format!("{value}"),
                1 => format!("{value:e}"),
                2 => format!("{:.17}", (seed >> 11) as f64 / 1e6),
                _ => format!("{}", (seed >> 20) as i64 - (1 << 42)),
            };
            if written.contains("inf") || written.contains("NaN") {
                continue;
            }
            text.push_str(&format!("{{\"x\": {written}}}\n"));
        }
        let text = text.as_bytes();
        let flat = decode_flat(text, &lines(text), &schema).unwrap();
        assert_eq!(flat, by_arrow_json(text, &schema));
    }

    #[test]
    fn what_a_column_cannot_take_is_left_to_arrow_json() {
        let schema: SchemaRef = Arc::new(Schema::new(vec![Field::new("a", DataType::Int64, true)]));
        for text in [
            &br#"{"a": 1.5}"#[..],
            br#"{"a": "1"}"#,
            br#"{"a": [1]}"#,
            br#"[{"a": 1}]"#,
            br#"{"a": 1} x"#,
            br#"{"a": 1"#,
        ] {
            let whole = 0..text.len();
            assert!(decode_flat(text, std::slice::from_ref(&whole), &schema).is_none());
        }
    }

    /// The schema and fits of the records of `text`, as the read-ahead makes them.
    fn fits_of(text: &[u8]) -> (JsonType, SchemaRef, Fits) {
        let merged = survey(text, &lines(text), &Surveying::default())
            .ty
            .unwrap();
        let schema = JsonSchema::inferred(merged.clone(), None).unwrap();
        let fits =
            Fits::new(&merged, schema.arrow(), &Typing::default(), false).expect("a flat schema");
        (merged, Arc::clone(schema.arrow()), fits)
    }

    #[test]
    fn records_that_fit_decode_as_the_survey_and_the_flat_decoder_would() {
        let before = br#"{"a": 1, "b": 2.5, "c": true, "d": "x", "e": null}
{"a": 2, "b": 3, "d": "caf\u00e9"}
"#;
        let (_, schema, fits) = fits_of(before);
        // Whole numbers in the double column, escapes, keys in any order or escaped, a
        // key given twice, missing keys, nulls everywhere, an empty object.
        let text =
            r#"{"b": 7, "a": -9223372036854775808, "c": false, "d": "q\"\n\u0041", "e": null}
{"\u0061": 3, "b": -0.0, "b": 1e200, "d": "é漢字🙂"}
  {"a": null, "b": null, "c": null, "d": null, "e": null}
{}
"#
            .as_bytes();
        let records = lines(text);
        let fitted = decode_fitting(text, &records, &schema, &fits).expect("fitting records");
        assert_eq!(fitted, decode_flat(text, &records, &schema).unwrap());
        assert_eq!(fitted, by_arrow_json(text, &schema));
    }

    /// Under Spark's `allowNonNumericNumbers`, `NaN` and the infinities fit a `double`
    /// column, and decode as arrow-json decodes their standard rewrite (a string of the
    /// token), bit for bit; where they are not allowed they do not fit.
    #[test]
    fn non_numeric_numbers_fit_a_double_column_when_allowed() {
        let before = b"{\"a\": 1, \"b\": 2.5}\n";
        let merged = survey(before, &lines(before), &Surveying::default())
            .ty
            .unwrap();
        let schema = JsonSchema::inferred(merged.clone(), None).unwrap();
        let schema = Arc::clone(schema.arrow());
        let allowed = Fits::new(&merged, &schema, &Typing::default(), true).unwrap();
        let text = b"{\"a\": 1, \"b\": NaN}\n{\"b\": -INF}\n{\"b\": +Infinity, \"a\": 2}\n{\"b\": Infinity}\n{\"b\": +INF}\n{\"b\": -Infinity}\n";
        let records = lines(text);
        let fitted = decode_fitting(text, &records, &schema, &allowed).expect("fitting records");
        let rewritten = b"{\"a\": 1, \"b\": \"NaN\"}\n{\"b\": \"-INF\"}\n{\"b\": \"+Infinity\", \"a\": 2}\n{\"b\": \"Infinity\"}\n{\"b\": \"+INF\"}\n{\"b\": \"-Infinity\"}\n";
        let decoded = by_arrow_json(rewritten, &schema);
        let bits = |batch: &RecordBatch| -> Vec<u64> {
            let b = batch
                .column(1)
                .as_any()
                .downcast_ref::<arrow_array::Float64Array>()
                .unwrap();
            b.values().iter().map(|v| v.to_bits()).collect()
        };
        assert_eq!(bits(&fitted), bits(&decoded));
        assert_eq!(fitted.column(0), decoded.column(0));
        let strict = Fits::new(&merged, &schema, &Typing::default(), false).unwrap();
        assert!(decode_fitting(text, &records, &schema, &strict).is_none());
        for not_a_token in [
            &b"{\"b\": NaNa}\n"[..],
            b"{\"b\": INF}\n",
            b"{\"b\": -NaN}\n",
        ] {
            let records = lines(not_a_token);
            assert!(decode_fitting(not_a_token, &records, &schema, &allowed).is_none());
        }
    }

    #[test]
    fn a_record_that_would_change_the_schema_or_is_not_vouched_for_does_not_fit() {
        let before = br#"{"a": 1, "b": 2.5, "c": true, "d": "x", "e": null}
"#;
        let (_, schema, fits) = fits_of(before);
        for record in [
            &br#"{"a": 1.5}"#[..],            // a double in a bigint column
            br#"{"a": 9223372036854775808}"#, // beyond i64: a decimal
            br#"{"a": "1"}"#,                 // a string in a bigint column
            br#"{"b": true}"#,                // a boolean in a double column
            br#"{"c": 1}"#,                   // a number in a boolean column
            br#"{"d": 1}"#,                   // a number in a string column: mixed
            br#"{"d": {"x": 1}}"#,            // an object
            br#"{"d": []}"#,                  // an array
            br#"{"e": "now a string"}"#,      // a value where only nulls were
            br#"{"f": null}"#,                // a new field
            br#"{"": 1}"#,                    // an empty name (Spark drops it)
            br#"[{"a": 1}]"#,                 // an array of records
            br#"{"a": 1} x"#,                 // text after the record
            br#"{"a": 1"#,                    // truncated
            br#"{"a": 1,}"#,                  // a trailing comma
            br#"{"a": 01}"#,                  // a leading zero
            br#"{"a": 1.}"#,                  // no digits after the point
            br#"{"c": tru}"#,                 // a broken literal
            br#"{"d": "\ud83d\ude00"}"#,      // a surrogate pair: left to serde_json
            br#"{"d": "\x"}"#,                // a bad escape
            b"{\"d\": \"tab\there\"}",        // a control character
            b"{\"d\": \"\xff\"}",             // not UTF-8
            br#"{"a": 1e99999}"#,             // an exponent the scanner leaves alone
            br#"7"#,                          // not an object
        ] {
            let whole = 0..record.len();
            let fitted = decode_fitting(record, std::slice::from_ref(&whole), &schema, &fits);
            assert!(fitted.is_none(), "{}", String::from_utf8_lossy(record));
        }
    }

    /// Random pieces after random records: a piece that fits must add nothing to the
    /// merged type (its survey finds no new type and nothing malformed) and decode as
    /// arrow-json decodes it; and both outcomes occur.
    #[test]
    fn a_piece_fits_only_when_its_survey_would_add_nothing() {
        // Values by the type they give; the last group is what no flat column keeps as
        // it is (containers) or the scanner leaves to serde_json.
        let values: [&[&str]; 6] = [
            &[
                "1",
                "-7",
                "0",
                "9223372036854775807",
                "-9223372036854775808",
                "-0",
                // Beyond `bigint`: a decimal(20,0) column, which whole numbers fit.
                "18446744073709551615",
            ],
            &[
                "2.5",
                "1e3",
                "-1.5E-3",
                "0.0",
                "12.345",
                "-0.50",
                "1234567.8",
                // Too wide for a decimal: a `double` under prefersDecimal too.
                "1234567890123456789012345678901234567890.5",
            ],
            &[
                "\"s\"",
                "\"\\u00e9\\n\"",
                "\"\"",
                "\"é\"",
                "\"1.5\"",
                "\"2020-01-31\"",
                "\"1,234.5\"",
                "\"2020-01-31 10:00:00\"",
                "\"2021-02\"",
                "\"0.001\"",
                // A decimal under prefersDecimal, else a timestamp (a year).
                "\"2020\"",
            ],
            &["true", "false"],
            &["null"],
            &[
                "[]",
                "{}",
                "01",
                "1.",
                "\"\\ud83d\\ude00\"",
                "1e999",
                "tru",
                "9223372036854775808",
            ],
        ];
        let keys = ["\"a\"", "\"b\"", "\"\\u0063\"", "\"d\""];
        let mut next = crate::testing::indices(11);
        let (mut fitted_pieces, mut refused_pieces) = (0, 0);
        // Pieces fitted to a schema with a decimal or timestamp column.
        let mut fitted_typed = 0;
        for round in 0..1200 {
            // Half the rounds under the typing options, which make some of the same
            // values decimals and timestamps.
            let typed = round % 2 == 1;
            let options = JsonOptions {
                prefers_decimal: typed,
                infer_timestamp: typed,
                ..JsonOptions::default()
            };
            let surveying = Surveying::of(&options);
            // A value type per key (integers, doubles, strings, booleans or only nulls),
            // which the piece's records leave now and then.
            let types: Vec<usize> = keys.iter().map(|_| next(5)).collect();
            let record = |stray: usize, next: &mut dyn FnMut(usize) -> usize| {
                let mut fields = Vec::new();
                for (key, &ty) in keys.iter().zip(&types) {
                    if next(4) > 0 {
                        let group = match next(stray.max(1)) {
                            0 if stray > 0 => next(values.len()),
                            _ if next(4) == 0 => 4,
                            _ => ty,
                        };
                        let pool = values[group];
                        fields.push(format!("{key}: {}", pool[next(pool.len())]));
                    }
                }
                let extra = if stray > 0 && next(3 * stray) == 0 {
                    ", \"e\": 1"
                } else {
                    ""
                };
                format!("{{{}{extra}}}\n", fields.join(", "))
            };
            let before: String = (0..1 + next(6)).map(|_| record(0, &mut next)).collect();
            let stray = 4 + next(40);
            let piece: String = (0..1 + next(4)).map(|_| record(stray, &mut next)).collect();
            let before_records = lines(before.as_bytes());
            let merged = survey(before.as_bytes(), &before_records, &surveying)
                .ty
                .unwrap();
            let Some(schema) = JsonSchema::inferred(merged.clone(), None) else {
                continue;
            };
            // Typed values may make a decimal or a timestamp column: not flat.
            let Some(fits) = Fits::new(&merged, schema.arrow(), &surveying.typing, false) else {
                assert!(typed, "{before}");
                continue;
            };
            let text = piece.as_bytes();
            let records = lines(text);
            let Some(batch) = decode_fitting(text, &records, schema.arrow(), &fits) else {
                refused_pieces += 1;
                continue;
            };
            fitted_pieces += 1;
            fitted_typed += usize::from(!is_flat(schema.arrow()));
            let piece_survey = survey(text, &records, &surveying);
            assert!(piece_survey.malformed.is_empty(), "{piece}");
            assert_eq!(piece_survey.rows, records.len());
            let with_piece = piece_survey
                .ty
                .clone()
                .map_or(merged.clone(), |t| merged.clone().merge(t));
            assert_eq!(with_piece, merged, "{before}then\n{piece}");
            // What surveying and decoding the piece would have given.
            let decoded = Decoding::new(text, &schema, true, &options)
                .decode(&records, &piece_survey)
                .unwrap()
                .unwrap();
            assert_eq!(batch, decoded, "{piece}");
        }
        assert!(
            fitted_pieces > 100 && refused_pieces > 100 && fitted_typed > 50,
            "{fitted_pieces} / {refused_pieces} ({fitted_typed} typed)"
        );
    }

    #[test]
    fn same_bytes_is_slice_equality() {
        for n in 0..40u8 {
            let a: Vec<u8> = (0..n).collect();
            assert!(same_bytes(&a, &a.clone()));
            assert!(!same_bytes(&a, &a[..a.len().saturating_sub(1)]) || n == 0);
            for at in 0..usize::from(n) {
                let mut b = a.clone();
                b[at] ^= 0x40;
                assert!(!same_bytes(&a, &b), "{n} bytes, differing at {at}");
            }
        }
    }
}
