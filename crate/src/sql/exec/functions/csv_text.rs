//! Spark's CSV text functions, one record per value, with the options of
//! `plan::text_options` (Spark's univocity parser and generator, as Spark configures them):
//!
//! - `from_csv(text, schema)`: the record split at `sep` (quoted fields may hold it; a
//!   quote inside one is escaped by `escape`, `\` by default; a quoted field with a stray
//!   quote is read raw up to the next separator, as univocity's `STOP_AT_DELIMITER`),
//!   fields matched to the schema's by position. A field equal to `nullValue` ("" by
//!   default) is NULL, missing fields are NULL, extra ones ignored. Each field is read as
//!   Spark reads it: integers by Java's `parseInt` (no spaces), floating types by Java's
//!   `parseDouble` or `nanValue` / `positiveInf` / `negativeInf`, decimals rounded half up,
//!   booleans `true` / `false` in any case, dates and timestamps in `dateFormat` /
//!   `timestampFormat` or as Spark casts text. PERMISSIVE (the default): a field that does
//!   not read is NULL and the others are kept; FAILFAST: such a record, or one with too
//!   few or too many fields, is an error. NULL text is NULL; "" is a struct of NULLs.
//! - `to_csv(struct)`: the fields as Spark writes them (univocity's writer): surrounding
//!   spaces trimmed, a value quoted when it holds the separator, the quote, a line break
//!   (or when `quoteAll`), a quote inside escaped; "" written `""` (or `emptyValue`), NULL
//!   as `nullValue`; numbers as Java prints them, dates `yyyy-MM-dd`, timestamps
//!   `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` unless a format is given.
//! - `schema_of_csv(text)`: the type Spark's `CSVInferSchema` gives each field, as DDL
//!   (`STRUCT<_c0: INT, _c1: STRING>`).

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type,
    Int8Type, TimestampMicrosecondType,
};
use arrow_array::{Array, ArrayRef, StructArray};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Fields, TimeUnit};

use super::columns::{as_strings, build_strings};
use crate::decimal_digits::parse_decimal;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::jvm::{java_double, java_float, parse_java_double};
use crate::frame::scalar_builder::ScalarBuilder;
use crate::io::csv::{parse_date_literal, parse_timestamp_literal};
use crate::sql::exec::decimal::cast::java_string;
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::text_options::{TextFunction, TextOptions};
use crate::temporal::civil_from_days;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The options of a call from its constant `map<string, string>` column (none: Spark's
/// defaults).
pub fn options(function: TextFunction, map: Option<&ArrayRef>) -> Result<TextOptions> {
    let Some(map) = map else {
        return Ok(TextOptions::default());
    };
    let pairs = match map.as_map_opt() {
        Some(m) if !m.is_empty() && !m.is_null(0) && m.value_length(0) > 0 => {
            let (keys, values) = (as_strings(m.keys())?, as_strings(m.values())?);
            let offsets = m.value_offsets();
            (offsets[0] as usize..offsets[1] as usize)
                .map(|k| (keys.value(k).to_string(), values.value(k).to_string()))
                .collect::<Vec<_>>()
        }
        Some(_) => Vec::new(),
        None => {
            return Err(Error::new(
                ErrorCode::Internal,
                "a text function's options that are not a map",
            ))
        }
    };
    TextOptions::parse(function, &pairs)
}

/// A record's fields: `(text, quoted)` in reused buffers, `count` of them in use.
#[derive(Default)]
struct Record {
    fields: Vec<(String, bool)>,
    count: usize,
}

impl Record {
    fn field(&self, i: usize) -> Option<&(String, bool)> {
        self.fields[..self.count].get(i)
    }

    fn next_buffer(&mut self) -> &mut (String, bool) {
        if self.count == self.fields.len() {
            self.fields.push((String::new(), false));
        }
        let field = &mut self.fields[self.count];
        field.0.clear();
        field.1 = false;
        self.count += 1;
        field
    }

    /// Splits `text` into fields as univocity's parser does with Spark's settings.
    fn split(&mut self, text: &str, o: &TextOptions) {
        self.count = 0;
        let sep = o.sep.as_str();
        let mut at = 0;
        loop {
            let rest = &text[at..];
            let quoted = o.quote.filter(|q| rest.starts_with(*q));
            let field = self.next_buffer();
            let end = match quoted {
                Some(q) => {
                    let (end, read) = quoted_field(rest, q, o.escape, sep, &mut field.0);
                    if read {
                        field.1 = true;
                    } else {
                        field.0.clear();
                        field.0.push_str(&rest[..end]);
                    }
                    end
                }
                None => {
                    let end = rest.find(sep).unwrap_or(rest.len());
                    field.0.push_str(&rest[..end]);
                    end
                }
            };
            at += end;
            if at >= text.len() {
                break;
            }
            at += sep.len();
            if at >= text.len() {
                // A trailing separator: one more, empty, field.
                self.next_buffer();
                break;
            }
        }
    }
}

/// A field starting with the quote `q`: where it ends in `text` (at the separator or the
/// end), its value written to `value`; false when it is to be read raw instead (a quote
/// inside that is not escaped: univocity's `STOP_AT_DELIMITER` keeps the field's text as
/// it is).
fn quoted_field(text: &str, q: char, escape: char, sep: &str, value: &mut String) -> (usize, bool) {
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        if c == escape && next == Some(q) && (escape != q || i + 1 < text.len()) {
            value.push(q);
            chars.next();
            continue;
        }
        if c == q {
            let after = i + c.len_utf8();
            if after == text.len() || text[after..].starts_with(sep) {
                return (after, true);
            }
            let end = text[after..].find(sep).map_or(text.len(), |e| after + e);
            return (end, false);
        }
        value.push(c);
    }
    // Never closed: the rest of the text.
    (text.len(), true)
}

fn special_double(text: &str, o: &TextOptions) -> Option<f64> {
    if text == o.nan_value {
        Some(f64::NAN)
    } else if text == o.positive_inf {
        Some(f64::INFINITY)
    } else if text == o.negative_inf {
        Some(f64::NEG_INFINITY)
    } else {
        None
    }
}

fn read_date(text: &str, o: &TextOptions) -> Option<i32> {
    match &o.date_format {
        Some(p) => i32::try_from(p.parse(text)?.div_euclid(MICROS_PER_DAY)).ok(),
        None => parse_date_literal(text),
    }
}

fn read_timestamp(text: &str, o: &TextOptions) -> Option<i64> {
    match &o.timestamp_format {
        Some(p) => p.parse(text),
        None => parse_timestamp_literal(text),
    }
}

/// One column of `from_csv`'s result being built (with a decimal's precision and scale,
/// which its values are read to).
struct Column {
    builder: ScalarBuilder,
    decimal: (u8, u8),
}

impl Column {
    fn new(t: &DataType, len: usize) -> Result<Column> {
        let builder = ScalarBuilder::new(t, len).map_err(|_| {
            Error::unsupported(format!(
                "from_csv into a field of type {}",
                crate::frame::spark_type_name(t)
            ))
        })?;
        let decimal = match t {
            DataType::Decimal128(p, s) => (*p, u8::try_from(*s).unwrap_or(0)),
            _ => (0, 0),
        };
        Ok(Column { builder, decimal })
    }

    /// Appends the field read from `text` (`None`: NULL); false when it does not read.
    fn push(&mut self, text: Option<&str>, o: &TextOptions) -> bool {
        macro_rules! put {
            ($b:expr, $v:expr) => {{
                let value = text.and_then($v);
                $b.append_option(value);
                value.is_some() || text.is_none()
            }};
        }
        let (p, s) = self.decimal;
        match &mut self.builder {
            ScalarBuilder::Utf8(b) => {
                b.append_option(text);
                true
            }
            ScalarBuilder::Boolean(b) => put!(b, |t: &str| match t.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            }),
            ScalarBuilder::Int8(b) => put!(b, |t: &str| t.parse::<i8>().ok()),
            ScalarBuilder::Int16(b) => put!(b, |t: &str| t.parse::<i16>().ok()),
            ScalarBuilder::Int32(b) => put!(b, |t: &str| t.parse::<i32>().ok()),
            ScalarBuilder::Int64(b) => put!(b, |t: &str| t.parse::<i64>().ok()),
            ScalarBuilder::Float32(b) => put!(b, |t: &str| special_double(t, o)
                .or_else(|| parse_java_double(t))
                .map(|v| v as f32)),
            ScalarBuilder::Float64(b) => {
                put!(b, |t: &str| special_double(t, o)
                    .or_else(|| parse_java_double(t)))
            }
            ScalarBuilder::Decimal(b) => {
                put!(b, |t: &str| parse_decimal(&t.replace(',', ""), p, s))
            }
            ScalarBuilder::Date(b) => put!(b, |t: &str| read_date(t, o)),
            ScalarBuilder::Timestamp(b) => put!(b, |t: &str| read_timestamp(t, o)),
        }
    }

    fn finish(self) -> ArrayRef {
        self.builder.finish()
    }
}

fn struct_fields(t: &DataType) -> Result<&Fields> {
    match t {
        DataType::Struct(fields) => Ok(fields),
        _ => Err(Error::new(
            ErrorCode::Internal,
            "from_csv planned without a struct type",
        )),
    }
}

/// `from_csv(text, schema[, options])`.
pub fn from_csv(
    text: &ArrayRef,
    to: &DataType,
    options: Option<&ArrayRef>,
    len: usize,
) -> Result<ArrayRef> {
    let o = self::options(TextFunction::FromCsv, options)?;
    let fields = struct_fields(to)?;
    let text = as_strings(text)?;
    let mut columns = fields
        .iter()
        .map(|f| Column::new(f.data_type(), len))
        .collect::<Result<Vec<_>>>()?;
    let mut record = Record::default();
    for i in 0..len {
        if text.is_null(i) {
            columns.iter_mut().for_each(|c| {
                c.push(None, &o);
            });
            continue;
        }
        record.split(text.value(i), &o);
        let mut malformed = record.count != fields.len();
        for (k, column) in columns.iter_mut().enumerate() {
            let value = record
                .field(k)
                .map(|(t, _)| t.as_str())
                .filter(|t| !t.is_empty() && *t != o.null_value);
            malformed |= !column.push(value, &o);
        }
        if malformed && o.fail_fast {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                format!(
                    "[MALFORMED_RECORD_IN_PARSING] from_csv met a malformed record in FAILFAST \
                     mode: '{}' (for PERMISSIVE results, NULL where a field does not read, \
                     leave out the mode option)",
                    text.value(i)
                ),
            ));
        }
    }
    let children: Vec<ArrayRef> = columns.into_iter().map(Column::finish).collect();
    let nulls: Option<NullBuffer> = text.nulls().cloned();
    let built = StructArray::try_new_with_length(fields.clone(), children, nulls, len)
        .map_err(kernel_error)?;
    Ok(Arc::new(built))
}

/// `to_csv(struct[, options])`.
pub fn to_csv(value: &ArrayRef, options: Option<&ArrayRef>, len: usize) -> Result<ArrayRef> {
    let o = self::options(TextFunction::ToCsv, options)?;
    if value.data_type() == &DataType::Null {
        return Ok(arrow_array::new_null_array(&DataType::Utf8, len));
    }
    let structs = value.as_struct_opt().ok_or_else(|| {
        Error::new(
            ErrorCode::Internal,
            "to_csv of a value that is not a struct",
        )
    })?;
    let mut field = String::new();
    build_strings(len, |i, out| {
        if structs.is_null(i) {
            return Ok(false);
        }
        for (k, column) in structs.columns().iter().enumerate() {
            if k > 0 {
                out.push_str(&o.sep);
            }
            if column.is_null(i) || column.data_type() == &DataType::Null {
                // Quoted as any value when every value is (`quoteAll`).
                match o.quote.filter(|_| o.quote_all) {
                    Some(q) => {
                        out.push(q);
                        out.push_str(&o.null_value);
                        out.push(q);
                    }
                    None => out.push_str(&o.null_value),
                }
                continue;
            }
            field.clear();
            write_field(column.as_ref(), i, &o, &mut field)?;
            write_quoted(&field, column.data_type() == &DataType::Utf8, &o, out);
        }
        Ok(true)
    })
}

/// A field's text as univocity writes it.
fn write_quoted(text: &str, is_string: bool, o: &TextOptions, out: &mut String) {
    let text = if is_string {
        text.trim_matches(|c: char| c <= ' ')
    } else {
        text
    };
    if is_string && text.is_empty() {
        match &o.empty_value {
            Some(empty) => out.push_str(empty),
            None => {
                if let Some(q) = o.quote {
                    out.push(q);
                    out.push(q);
                }
            }
        }
        return;
    }
    let Some(q) = o.quote else {
        out.push_str(text);
        return;
    };
    let needs = o.quote_all
        || text.contains(o.sep.as_str())
        || text.contains(q)
        || text.contains(['\n', '\r']);
    if !needs {
        out.push_str(text);
        return;
    }
    out.push(q);
    for c in text.chars() {
        if c == q {
            out.push(o.escape);
        }
        out.push(c);
    }
    out.push(q);
}

/// Row `i` of a boolean or integer column as Spark's CSV and JSON writers print it (`true`,
/// `-12`); `false`, and nothing written, for a column of another type.
pub(super) fn write_boolean_or_integer(array: &dyn Array, i: usize, out: &mut String) -> bool {
    match array.data_type() {
        DataType::Boolean => out.push_str(if array.as_boolean().value(i) {
            "true"
        } else {
            "false"
        }),
        DataType::Int8 => {
            let _ = write!(out, "{}", array.as_primitive::<Int8Type>().value(i));
        }
        DataType::Int16 => {
            let _ = write!(out, "{}", array.as_primitive::<Int16Type>().value(i));
        }
        DataType::Int32 => {
            let _ = write!(out, "{}", array.as_primitive::<Int32Type>().value(i));
        }
        DataType::Int64 => {
            let _ = write!(out, "{}", array.as_primitive::<Int64Type>().value(i));
        }
        _ => return false,
    }
    true
}

fn write_field(array: &dyn Array, i: usize, o: &TextOptions, out: &mut String) -> Result<()> {
    if write_boolean_or_integer(array, i, out) {
        return Ok(());
    }
    match array.data_type() {
        DataType::Float32 => {
            out.push_str(&java_float(array.as_primitive::<Float32Type>().value(i)))
        }
        DataType::Float64 => {
            out.push_str(&java_double(array.as_primitive::<Float64Type>().value(i)))
        }
        DataType::Decimal128(_, scale) => {
            let v = array.as_primitive::<Decimal128Type>().value(i);
            let mut buf = [0u8; 48];
            java_string(v, u8::try_from(*scale).unwrap_or(0), &mut buf, out);
        }
        DataType::Utf8 => out.push_str(array.as_string::<i32>().value(i)),
        DataType::Date32 => {
            let days = i64::from(array.as_primitive::<Date32Type>().value(i));
            match &o.date_format {
                Some(p) => p.format(days * MICROS_PER_DAY, out),
                None => {
                    let (y, m, d) = civil_from_days(days);
                    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
                }
            }
        }
        DataType::Timestamp(TimeUnit::Microsecond, zone) => {
            let micros = array.as_primitive::<TimestampMicrosecondType>().value(i);
            match &o.timestamp_format {
                Some(p) => p.format(micros, out),
                None => write_iso_timestamp(micros, zone.is_some(), out),
            }
        }
        other => {
            return Err(Error::unsupported(format!(
                "to_csv of a field of type {}",
                crate::frame::spark_type_name(other)
            )))
        }
    }
    Ok(())
}

/// Spark's default `yyyy-MM-dd'T'HH:mm:ss.SSSXXX` (UTC: `Z`), without the zone for a
/// `timestamp_ntz`; milliseconds truncated toward the earlier instant, as Java's formatter.
pub fn write_iso_timestamp(micros: i64, zoned: bool, out: &mut String) {
    let millis = micros.div_euclid(1000);
    let seconds = millis.div_euclid(1000);
    let (days, secs) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}{}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        millis.rem_euclid(1000),
        if zoned { "Z" } else { "" }
    );
}

/// The type Spark's `CSVInferSchema` gives one field, as DDL.
fn infer(text: &str, quoted: bool, o: &TextOptions) -> &'static str {
    if (text.is_empty() && !quoted) || text == o.null_value {
        return "STRING";
    }
    if text.parse::<i32>().is_ok() {
        return "INT";
    }
    if text.parse::<i64>().is_ok() {
        return "BIGINT";
    }
    if let Some(ddl) = integral_decimal(text) {
        return ddl;
    }
    if parse_java_double(text).is_some() || special_double(text, o).is_some() {
        return "DOUBLE";
    }
    let as_date = match &o.date_format {
        Some(p) => p.parse(text).is_some(),
        None => parse_date_literal(text).is_some() && is_plain_date(text),
    };
    if as_date {
        return "DATE";
    }
    if read_timestamp(text, o).is_some() {
        return "TIMESTAMP";
    }
    if text.eq_ignore_ascii_case("true") || text.eq_ignore_ascii_case("false") {
        return "BOOLEAN";
    }
    "STRING"
}

/// `yyyy-MM-dd` as Spark's default date format reads it strictly.
fn is_plain_date(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// An integer too long for BIGINT but within 38 digits: `DECIMAL(n,0)` (leaked once per
/// distinct width; at most 38).
fn integral_decimal(text: &str) -> Option<&'static str> {
    const WIDTHS: [&str; 39] = [
        "",
        "DECIMAL(1,0)",
        "DECIMAL(2,0)",
        "DECIMAL(3,0)",
        "DECIMAL(4,0)",
        "DECIMAL(5,0)",
        "DECIMAL(6,0)",
        "DECIMAL(7,0)",
        "DECIMAL(8,0)",
        "DECIMAL(9,0)",
        "DECIMAL(10,0)",
        "DECIMAL(11,0)",
        "DECIMAL(12,0)",
        "DECIMAL(13,0)",
        "DECIMAL(14,0)",
        "DECIMAL(15,0)",
        "DECIMAL(16,0)",
        "DECIMAL(17,0)",
        "DECIMAL(18,0)",
        "DECIMAL(19,0)",
        "DECIMAL(20,0)",
        "DECIMAL(21,0)",
        "DECIMAL(22,0)",
        "DECIMAL(23,0)",
        "DECIMAL(24,0)",
        "DECIMAL(25,0)",
        "DECIMAL(26,0)",
        "DECIMAL(27,0)",
        "DECIMAL(28,0)",
        "DECIMAL(29,0)",
        "DECIMAL(30,0)",
        "DECIMAL(31,0)",
        "DECIMAL(32,0)",
        "DECIMAL(33,0)",
        "DECIMAL(34,0)",
        "DECIMAL(35,0)",
        "DECIMAL(36,0)",
        "DECIMAL(37,0)",
        "DECIMAL(38,0)",
    ];
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = digits.trim_start_matches('0').len().max(1);
    WIDTHS.get(significant).copied().filter(|w| !w.is_empty())
}

/// `schema_of_csv(text[, options])`: the DDL of the record's inferred struct.
pub fn schema_of_csv(text: &ArrayRef, options: Option<&ArrayRef>, len: usize) -> Result<ArrayRef> {
    let o = self::options(TextFunction::SchemaOfCsv, options)?;
    let text = as_strings(text)?;
    let mut record = Record::default();
    build_strings(len, |i, out| {
        if text.is_null(i) {
            return Ok(false);
        }
        if text.value(i).is_empty() {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                "schema_of_csv of an empty string: there is no field to infer a type from",
            ));
        }
        record.split(text.value(i), &o);
        out.push_str("STRUCT<");
        for k in 0..record.count {
            if k > 0 {
                out.push_str(", ");
            }
            let (value, quoted) = &record.fields[k];
            let _ = write!(out, "_c{k}: {}", infer(value, *quoted, &o));
        }
        out.push('>');
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str, o: &TextOptions) -> Vec<String> {
        let mut r = Record::default();
        r.split(text, o);
        r.fields[..r.count].iter().map(|(t, _)| t.clone()).collect()
    }

    /// Each case as Spark 4.3's `from_csv` splits it.
    #[test]
    fn splits_records_as_univocity() {
        let o = TextOptions::default();
        assert_eq!(split("1,abc,2.5", &o), ["1", "abc", "2.5"]);
        assert_eq!(split("\"1,2\",abc", &o), ["1,2", "abc"]);
        assert_eq!(split("\"a\\\"b\",c", &o), ["a\"b", "c"]);
        assert_eq!(split("\"a\"\"b\",c", &o), ["\"a\"\"b\"", "c"]);
        assert_eq!(split(",", &o), ["", ""]);
        assert_eq!(split("", &o), [""]);
        assert_eq!(split("a\nb,c", &o), ["a\nb", "c"]);
        let multi = TextOptions {
            sep: "::".into(),
            ..TextOptions::default()
        };
        assert_eq!(split("1::2", &multi), ["1", "2"]);
    }

    #[test]
    fn reads_doubles_as_java() {
        assert_eq!(parse_java_double(" 1 "), Some(1.0));
        assert_eq!(parse_java_double("1e3"), Some(1000.0));
        assert_eq!(parse_java_double("2.5d"), Some(2.5));
        assert_eq!(parse_java_double("-Infinity"), Some(f64::NEG_INFINITY));
        assert!(parse_java_double("NaN").is_some_and(f64::is_nan));
        for bad in ["inf", "nan", "abc", "", "1,5", "e3"] {
            assert_eq!(parse_java_double(bad), None, "{bad}");
        }
    }

    #[test]
    fn infers_as_spark() {
        let o = TextOptions::default();
        let cases = [
            ("1", "INT"),
            ("-0", "INT"),
            ("+3", "INT"),
            ("10000000000", "BIGINT"),
            ("12345678901234567890", "DECIMAL(20,0)"),
            ("1.5", "DOUBLE"),
            ("1e3", "DOUBLE"),
            (" 1 ", "DOUBLE"),
            ("NaN", "DOUBLE"),
            ("true", "BOOLEAN"),
            ("False", "BOOLEAN"),
            ("2024-01-02", "DATE"),
            ("2024-01-02 03:04:05", "TIMESTAMP"),
            ("abc", "STRING"),
            ("null", "STRING"),
        ];
        for (text, ddl) in cases {
            assert_eq!(infer(text, false, &o), ddl, "{text}");
        }
    }
}
