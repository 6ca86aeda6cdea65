//! From a sheet's cells to a table: the header row, each column's type from all of its
//! values, and the columns themselves, built one at a time (in parallel) from the cells.
//!
//! Cells arrive sparse, as the workbook stores them (only cells with a value), so an
//! enormous declared dimension or two cells a million rows apart cost nothing: a table
//! has one row per sheet row that holds a value, and one column per sheet column between
//! the first and the last that hold one.

use std::borrow::Cow;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, RecordBatchOptions,
    StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use calamine::{CellErrorType, Data, DataRef, ExcelDateTime};
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::Table;
use crate::io::column_names::spark_column_names;
use crate::io::csv::{parse_date_literal, parse_timestamp_literal, SESSION_TIME_ZONE};
use crate::io::parquet::PARTITION_ROWS;
use crate::memory;
use crate::temporal::{format_date, format_timestamp_spark};

/// Excel's last column (`XFD`): a cell past it is damage, not data.
pub const MAX_COLUMNS: u32 = 16_384;

const MS_PER_DAY: f64 = 86_400_000.0;
/// Excel's serial day of 1970-01-01 in the 1900 date system.
const UNIX_EPOCH_SERIAL: f64 = 25_569.0;
/// Days from the 1900 system's epoch to the 1904 system's.
const DAYS_1900_TO_1904: f64 = 1_462.0;

/// A cell's value as the workbook stores it, borrowed where it can be (xlsx shared
/// strings are not copied per cell).
#[derive(Debug, Clone)]
pub enum Value<'a> {
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(Cow<'a, str>),
    /// A number formatted as a date, time or duration: days since the workbook's epoch.
    DateTime(ExcelDateTime),
    /// A date or date-time in ISO 8601 (OpenDocument, and xlsx `t="d"` cells).
    DateIso(Cow<'a, str>),
    /// A duration in ISO 8601 (OpenDocument).
    DurationIso(Cow<'a, str>),
    Error(CellErrorType),
}

impl<'a> Value<'a> {
    /// The value of a streamed cell; `None` for an empty one.
    pub fn of_ref(value: DataRef<'a>) -> Option<Self> {
        Some(match value {
            DataRef::Int(v) => Value::Int(v),
            DataRef::Float(v) => Value::Float(v),
            DataRef::Bool(v) => Value::Bool(v),
            DataRef::String(v) => Value::Text(Cow::Owned(v)),
            DataRef::SharedString(v) => Value::Text(Cow::Borrowed(v)),
            DataRef::DateTime(v) => Value::DateTime(v),
            DataRef::DateTimeIso(v) => Value::DateIso(Cow::Owned(v)),
            DataRef::DurationIso(v) => Value::DurationIso(Cow::Owned(v)),
            DataRef::Error(e) => Value::Error(e),
            DataRef::Empty => return None,
        })
    }

    /// The value of a cell of a sheet read whole; `None` for an empty one.
    pub fn of_data(value: &'a Data) -> Option<Self> {
        Some(match value {
            Data::Int(v) => Value::Int(*v),
            Data::Float(v) => Value::Float(*v),
            Data::Bool(v) => Value::Bool(*v),
            Data::String(v) => Value::Text(Cow::Borrowed(v)),
            Data::DateTime(v) => Value::DateTime(*v),
            Data::DateTimeIso(v) => Value::DateIso(Cow::Borrowed(v)),
            Data::DurationIso(v) => Value::DurationIso(Cow::Borrowed(v)),
            Data::Error(e) => Value::Error(e.clone()),
            Data::Empty => return None,
        })
    }
}

/// A non-empty cell: 0-based sheet row and column, and its value.
#[derive(Debug, Clone)]
pub struct Cell<'a> {
    pub row: u32,
    pub col: u32,
    pub value: Value<'a>,
}

/// A value as the table holds it.
#[derive(Debug, Clone, PartialEq)]
enum Typed<'v> {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since 1970-01-01 00:00, the wall time as the sheet shows it (UTC).
    Timestamp(i64),
    Text(Cow<'v, str>),
}

/// A column's type: the narrowest holding every value of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Null,
    Int,
    Float,
    Bool,
    Date,
    Timestamp,
    Text,
}

impl Kind {
    fn of(value: &Typed) -> Kind {
        match value {
            Typed::Null => Kind::Null,
            Typed::Int(_) => Kind::Int,
            Typed::Float(_) => Kind::Float,
            Typed::Bool(_) => Kind::Bool,
            Typed::Date(_) => Kind::Date,
            Typed::Timestamp(_) => Kind::Timestamp,
            Typed::Text(_) => Kind::Text,
        }
    }

    /// Numbers widen to `double`, dates to `timestamp`; any other mix is text.
    fn join(self, other: Kind) -> Kind {
        use Kind::*;
        match (self, other) {
            (Null, k) | (k, Null) => k,
            (a, b) if a == b => a,
            (Int, Float) | (Float, Int) => Float,
            (Date, Timestamp) | (Timestamp, Date) => Timestamp,
            _ => Text,
        }
    }

    fn data_type(self) -> DataType {
        match self {
            Kind::Int => DataType::Int64,
            Kind::Float => DataType::Float64,
            Kind::Bool => DataType::Boolean,
            Kind::Date => DataType::Date32,
            Kind::Timestamp => {
                DataType::Timestamp(TimeUnit::Microsecond, Some(SESSION_TIME_ZONE.into()))
            }
            Kind::Null | Kind::Text => DataType::Utf8,
        }
    }
}

/// How a value is read: which epoch its serial dates count from.
#[derive(Debug, Clone, Copy)]
pub struct DateSystem {
    pub is_1904: bool,
}

impl DateSystem {
    fn typed<'v>(self, value: &'v Value) -> Typed<'v> {
        match value {
            Value::Int(v) => Typed::Int(*v),
            Value::Float(v) => number(*v),
            Value::Bool(v) => Typed::Bool(*v),
            Value::Text(v) => Typed::Text(Cow::Borrowed(v.as_ref())),
            Value::DateTime(v) => self.date_time(v),
            Value::DateIso(v) => {
                if let Some(days) = parse_date_literal(v) {
                    Typed::Date(days)
                } else if let Some(micros) = parse_timestamp_literal(v) {
                    Typed::Timestamp(micros)
                } else {
                    Typed::Text(Cow::Borrowed(v.as_ref()))
                }
            }
            Value::DurationIso(v) => Typed::Text(Cow::Borrowed(v.as_ref())),
            Value::Error(_) => Typed::Null,
        }
    }

    /// A serial date: a date when it falls on midnight, a timestamp otherwise; a time of
    /// day (a serial below 1) or a duration is the text Excel shows for it (`12:30:00`,
    /// `26:00:00`), there being no time-of-day type to hold it.
    fn date_time(self, value: &ExcelDateTime) -> Typed<'static> {
        let serial = value.as_f64();
        if value.is_duration() || (0.0..1.0).contains(&serial) {
            return Typed::Text(Cow::Owned(clock_text(serial)));
        }
        // The 1900 system counts a 29 February 1900 that never was: serials before it
        // are a day early against a calendar counting from 1899-12-30.
        let days = if self.is_1904 {
            serial + DAYS_1900_TO_1904
        } else if serial < 60.0 {
            serial + 1.0
        } else {
            serial
        };
        let ms = ((days - UNIX_EPOCH_SERIAL) * MS_PER_DAY).round();
        // Excel's dates end in 9999 (about 2.5e17 µs): anything past is not a date.
        if !ms.is_finite() || serial < 0.0 || ms.abs() > 3e14 {
            return number(serial);
        }
        let ms = ms as i64;
        if ms % 86_400_000 == 0 {
            Typed::Date((ms / 86_400_000) as i32)
        } else {
            Typed::Timestamp(ms * 1000)
        }
    }
}

/// A number: an integer when it has no fraction (Excel keeps every number as a double,
/// and pandas reads `3.0` as `3` too), up to 2^53 where doubles stop being exact.
fn number(v: f64) -> Typed<'static> {
    if v.fract() == 0.0 && v.abs() <= 9_007_199_254_740_992.0 {
        Typed::Int(v as i64)
    } else {
        Typed::Float(v)
    }
}

/// `HH:MM:SS[.fff]` for a fraction of a day (hours past 24 for a duration).
fn clock_text(days: f64) -> String {
    let ms = (days.abs() * MS_PER_DAY).round() as u64;
    let sign = if days < 0.0 { "-" } else { "" };
    let (h, m, s, frac) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if frac == 0 {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}.{frac:03}")
    }
}

/// A number as Excel's *General* format shows it, near enough: no `.0` on whole
/// numbers, and an exponent (`1.5E+20`) for very large or small ones.
fn number_text(v: f64) -> String {
    let magnitude = v.abs();
    if magnitude != 0.0 && !(1e-9..1e15).contains(&magnitude) {
        let text = format!("{v:E}");
        match text.split_once('E') {
            Some((mantissa, exp)) if !exp.starts_with('-') => format!("{mantissa}E+{exp}"),
            _ => text,
        }
    } else {
        format!("{v}")
    }
}

impl Typed<'_> {
    /// The value as a text column holds it: as Excel shows it, dates in ISO 8601.
    fn text(&self) -> Option<Cow<'_, str>> {
        Some(match self {
            Typed::Null => return None,
            Typed::Int(v) => Cow::Owned(v.to_string()),
            Typed::Float(v) => Cow::Owned(number_text(*v)),
            Typed::Bool(true) => Cow::Borrowed("TRUE"),
            Typed::Bool(false) => Cow::Borrowed("FALSE"),
            Typed::Date(d) => Cow::Owned(format_date(*d as i64)),
            Typed::Timestamp(us) => Cow::Owned(format_timestamp_spark(*us)),
            Typed::Text(t) => Cow::Borrowed(t.as_ref()),
        })
    }
}

/// What the reader found besides the table.
pub struct SheetTable {
    pub table: Table,
    pub warnings: Vec<String>,
    /// Whether the first row was read as the header (as given, or as detected).
    pub header: bool,
}

/// Builds the table of a sheet from its non-empty cells (in any order; consumed).
/// `header`: `None` detects the header row.
pub fn sheet_table(
    mut cells: Vec<Cell<'_>>,
    dates: DateSystem,
    header: Option<bool>,
    sheet: &str,
) -> Result<SheetTable> {
    let Some(first_row) = cells.iter().map(|c| c.row).min() else {
        return Err(Error::new(
            ErrorCode::ExcelEmpty,
            format!("sheet `{sheet}` has no values: pick another sheet of the workbook"),
        ));
    };
    let first_col = cells.iter().map(|c| c.col).min().unwrap_or(0);
    let last_col = cells.iter().map(|c| c.col).max().unwrap_or(0);
    if last_col >= MAX_COLUMNS {
        return Err(Error::new(
            ErrorCode::ExcelCorrupt,
            format!(
                "sheet `{sheet}` has a cell in column {} ({}), past Excel's last column \
                 (XFD, the 16,384th): the workbook is damaged; open it in Excel or \
                 LibreOffice and save it again",
                last_col + 1,
                column_letters(last_col)
            ),
        ));
    }
    let width = (last_col - first_col + 1) as usize;

    // Column by column, each in row order.
    cells.par_sort_unstable_by_key(|c| (c.col, c.row));
    let mut groups: Vec<&[Cell]> = vec![&[]; width];
    for group in cells.chunk_by(|a, b| a.col == b.col) {
        groups[(group[0].col - first_col) as usize] = group;
    }

    let summaries: Vec<Summary> = groups
        .par_iter()
        .map(|cells| Summary::of(cells, first_row, dates))
        .collect();
    let has_header = header.unwrap_or_else(|| is_header(&summaries));

    // The table's rows: every sheet row below the header that holds a value.
    let mut rows: Vec<u32> = cells
        .iter()
        .map(|c| c.row)
        .filter(|&r| !(has_header && r == first_row))
        .collect();
    rows.par_sort_unstable();
    rows.dedup();
    memory::check(
        rows.len().saturating_mul(width).saturating_mul(24),
        &format!(
            "reading sheet `{sheet}` ({} rows × {width} columns)",
            rows.len()
        ),
        "save the sheet as CSV or Parquet and load that, or drop other tables first",
    )?;

    let names = spark_column_names(summaries.iter().map(|s| {
        if has_header {
            s.head.clone().unwrap_or_default()
        } else {
            String::new()
        }
    }));
    let built: Vec<(ArrayRef, Errors)> = groups
        .par_iter()
        .zip(&summaries)
        .map(|(cells, summary)| {
            let kind = if has_header {
                summary.body
            } else {
                summary.body.join(summary.head_kind)
            };
            let skip = has_header.then_some(first_row);
            build_column(cells, kind, &rows, skip, dates)
        })
        .collect::<Result<_>>()?;
    drop(cells);

    let mut warnings = Vec::new();
    let errors = built
        .iter()
        .map(|(_, e)| e)
        .fold(Errors::default(), Errors::merge);
    if let Some((row, col)) = errors.first {
        warnings.push(format!(
            "{} {} held an Excel error (such as #DIV/0! or #N/A) and {} read as NULL; the \
             first is {}{}",
            errors.count,
            if errors.count == 1 { "cell" } else { "cells" },
            if errors.count == 1 { "was" } else { "were" },
            column_letters(col),
            row + 1
        ));
    }

    let fields: Vec<Field> = names
        .iter()
        .zip(&built)
        .map(|(name, (array, _))| Field::new(name, array.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let columns: Vec<ArrayRef> = built.into_iter().map(|(a, _)| a).collect();
    let batch = RecordBatch::try_new_with_options(
        Arc::clone(&schema),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows.len())),
    )
    .map_err(|e| Error::internal("assembling a sheet's table", e))?;
    let partitions = (0..rows.len().max(1))
        .step_by(PARTITION_ROWS)
        .map(|offset| batch.slice(offset, PARTITION_ROWS.min(rows.len() - offset)))
        .collect();
    Ok(SheetTable {
        table: Table::try_new(schema, partitions)?,
        warnings,
        header: has_header,
    })
}

/// What header detection needs to know of a column.
struct Summary {
    /// The text of the column's cell in the first row, if it has one.
    head: Option<String>,
    head_kind: Kind,
    /// The type of the column's values below the first row.
    body: Kind,
}

impl Summary {
    fn of(cells: &[Cell], first_row: u32, dates: DateSystem) -> Summary {
        let (head, body) = match cells.first() {
            Some(c) if c.row == first_row => (Some(dates.typed(&c.value)), &cells[1..]),
            _ => (None, cells),
        };
        Summary {
            head: head.as_ref().and_then(|h| h.text()).map(Cow::into_owned),
            head_kind: head.as_ref().map_or(Kind::Null, Kind::of),
            body: body
                .iter()
                .fold(Kind::Null, |k, c| k.join(Kind::of(&dates.typed(&c.value)))),
        }
    }
}

/// The first row is a header when all of its cells are text (blank cells allowed) and,
/// where the rows below hold numbers, booleans or dates, it names such a column with
/// text: a first row of text over text columns is a header as in a CSV file, but one
/// whose only text sits over text columns while its blanks sit over numbers is data.
fn is_header(columns: &[Summary]) -> bool {
    let all_text = columns
        .iter()
        .all(|c| matches!(c.head_kind, Kind::Text | Kind::Null));
    if !all_text || columns.iter().all(|c| c.head_kind == Kind::Null) {
        return false;
    }
    let typed_body = |c: &Summary| !matches!(c.body, Kind::Text | Kind::Null);
    !columns.iter().any(typed_body)
        || columns
            .iter()
            .any(|c| c.head_kind == Kind::Text && typed_body(c))
}

/// Error cells of a column: how many, and the first (row, column).
#[derive(Debug, Default, Clone, Copy)]
struct Errors {
    count: usize,
    first: Option<(u32, u32)>,
}

impl Errors {
    fn merge(self, other: &Errors) -> Errors {
        Errors {
            count: self.count + other.count,
            first: match (self.first, other.first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }
}

/// One column of `kind` with a value for each of `rows` (sorted sheet rows): the cells'
/// values where they are, NULL elsewhere. `skip`: the header's row.
fn build_column(
    cells: &[Cell],
    kind: Kind,
    rows: &[u32],
    skip: Option<u32>,
    dates: DateSystem,
) -> Result<(ArrayRef, Errors)> {
    let mut errors = Errors::default();
    let mut next = 0;
    // Each body cell with its place among the table's rows (cells and rows are both in
    // row order, so one walk finds every place).
    let mut placed = cells
        .iter()
        .filter(|c| Some(c.row) != skip)
        .filter_map(|c| {
            if let Value::Error(_) = c.value {
                errors.count += 1;
                errors.first = errors.first.or(Some((c.row, c.col)));
            }
            while next < rows.len() && rows[next] < c.row {
                next += 1;
            }
            (rows.get(next) == Some(&c.row)).then(|| (next, dates.typed(&c.value)))
        });
    let n = rows.len();
    let array: ArrayRef = match kind {
        Kind::Int => Arc::new(Int64Array::from(fill(n, &mut placed, |v| match v {
            Typed::Int(i) => Some(i),
            _ => None,
        }))),
        Kind::Float => Arc::new(Float64Array::from(fill(n, &mut placed, |v| match v {
            Typed::Int(i) => Some(i as f64),
            Typed::Float(f) => Some(f),
            _ => None,
        }))),
        Kind::Bool => Arc::new(BooleanArray::from(fill(n, &mut placed, |v| match v {
            Typed::Bool(b) => Some(b),
            _ => None,
        }))),
        Kind::Date => Arc::new(Date32Array::from(fill(n, &mut placed, |v| match v {
            Typed::Date(d) => Some(d),
            _ => None,
        }))),
        Kind::Timestamp => Arc::new(
            TimestampMicrosecondArray::from(fill(n, &mut placed, |v| match v {
                Typed::Date(d) => Some(d as i64 * 86_400_000_000),
                Typed::Timestamp(us) => Some(us),
                _ => None,
            }))
            .with_timezone(SESSION_TIME_ZONE),
        ),
        Kind::Null | Kind::Text => Arc::new(StringArray::from(fill(n, &mut placed, |v| {
            v.text().map(Cow::into_owned)
        }))),
    };
    drop(placed);
    if array.data_type() != &kind.data_type() {
        return Err(Error::internal(
            "building a sheet's column",
            format!("{} is not {}", array.data_type(), kind.data_type()),
        ));
    }
    Ok((array, errors))
}

/// `n` values, each the converted value placed there or NULL.
fn fill<'v, T: Clone>(
    n: usize,
    placed: &mut dyn Iterator<Item = (usize, Typed<'v>)>,
    convert: impl Fn(Typed<'v>) -> Option<T>,
) -> Vec<Option<T>> {
    let mut values = vec![None; n];
    for (at, value) in placed {
        values[at] = convert(value);
    }
    values
}

/// A column's letters as Excel names it (0 → `A`, 26 → `AA`).
pub fn column_letters(col: u32) -> String {
    let mut n = col as u64 + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(b'A' + rem);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::ExcelDateTimeType;

    fn date(serial: f64, is_1904: bool) -> Typed<'static> {
        DateSystem { is_1904 }.date_time(&ExcelDateTime::new(
            serial,
            ExcelDateTimeType::DateTime,
            is_1904,
        ))
    }

    #[test]
    fn serial_dates_in_both_systems() {
        // 2024-01-31 is 45322 in the 1900 system and 43860 in the 1904 one.
        let days = crate::temporal::days_from_civil(2024, 1, 31) as i32;
        assert_eq!(date(45322.0, false), Typed::Date(days));
        assert_eq!(date(43860.0, true), Typed::Date(days));
        assert_eq!(date(1.0, false), Typed::Date(-25567)); // 1900-01-01
        let noon = days as i64 * 86_400_000_000 + 12 * 3_600_000_000;
        assert_eq!(date(45322.5, false), Typed::Timestamp(noon));
        assert_eq!(date(0.5, false), Typed::Text("12:00:00".into()));
    }

    #[test]
    fn names_and_numbers_as_excel_shows_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(16_383), "XFD");
        assert_eq!(number_text(2.5), "2.5");
        assert_eq!(number_text(1.5e20), "1.5E+20");
        assert_eq!(number_text(1e-10), "1E-10");
        assert_eq!(number(3.0), Typed::Int(3));
        assert_eq!(clock_text(26.0 / 24.0), "26:00:00");
    }

    #[test]
    fn kinds_widen_as_documented() {
        assert_eq!(Kind::Int.join(Kind::Float), Kind::Float);
        assert_eq!(Kind::Date.join(Kind::Timestamp), Kind::Timestamp);
        assert_eq!(Kind::Int.join(Kind::Bool), Kind::Text);
        assert_eq!(Kind::Null.join(Kind::Date), Kind::Date);
    }
}
