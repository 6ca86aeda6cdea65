//! JSON records read with a schema the user gives (Spark's `spark.read.schema(ddl).json`):
//! no inference pass, each record decoded once, each value converted to its column's type
//! as Spark's `JacksonParser` converts it.
//!
//! A value its column cannot take (a string in a `bigint` column, `1.5` in an `int` one, a
//! date that does not exist) is NULL and makes its record malformed, the record's other
//! fields kept (Spark's partial results): PERMISSIVE keeps the row, and the record's text
//! in the corrupt-record column when the schema has one (it must be a `string`, as in
//! Spark; Spark adds none of its own to a given schema); DROPMALFORMED leaves it out;
//! FAILFAST stops at it. Fields the schema does not name are skipped, fields it names and
//! the record lacks are NULL, names are matched exactly (case included), and of a field
//! named twice the last value counts.
//!
//! What each type takes, as Spark 4 reads it (checked against PySpark on
//! `tests/fixtures/json/schema.jsonl`):
//! - `string`: a string, or any other value's JSON text as the file writes it;
//! - `tinyint` / `smallint` / `int` / `bigint`: a whole number in range (`tinyint` takes
//!   128 to 255 too, wrapped as Jackson's `getByteValue` wraps them);
//! - `float` / `double`: any number (`1e400` is infinity), or the strings `NaN`,
//!   `Infinity`, `+Infinity`, `+INF`, `-Infinity`, `-INF`;
//! - `decimal(p, s)`: a number or a numeric string, rounded half up to the scale, NULL
//!   when it needs more than `p` digits;
//! - `boolean`: `true` or `false`;
//! - `date`: a string in `dateFormat` when one is given, otherwise as `CAST(s AS DATE)`
//!   reads it, or a whole number of days since 1970-01-01 written as a string;
//! - `timestamp`: a string in `timestampFormat` when one is given, otherwise as
//!   `CAST(s AS TIMESTAMP)` reads it in the session time zone (UTC), or a whole number
//!   of seconds since the epoch (Spark multiplies it by 10⁶ without checking overflow,
//!   and so does this);
//! - `null` is NULL in any column; an empty string is malformed in all but `string`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema, SchemaRef};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::decimal_digits::parse_decimal;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::scalar_builder::ScalarBuilder;
use crate::io::csv::{datetime_option, parse_ddl, parse_f64, parse_i64, ColumnType, ParseMode};
use crate::io::json::flat::{read_fitting, Fits, Keys, Kind, Value};
use crate::io::json::lenient::{Leniency, NonNumeric};
use crate::io::json::options::JsonOptions;
use crate::io::json::schema::JsonSchema;
use crate::temporal::pattern::Pattern;
use crate::temporal::spark_text::{text_to_date, text_to_timestamp};

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

/// A piece of records read with a given schema.
pub struct DecodedPiece {
    /// `None` when every record was left out.
    pub batch: Option<RecordBatch>,
    /// The malformed records: their index among the piece's records and why, in order.
    pub malformed: Vec<(usize, String)>,
}

/// The schema given for a JSON read, with what converting values to it needs.
#[derive(Debug)]
pub struct GivenJsonSchema {
    arrow: SchemaRef,
    types: Vec<ColumnType>,
    /// Column index by name (the corrupt-record column left out: no field fills it).
    by_name: HashMap<String, usize>,
    /// The corrupt-record column, when the schema has it.
    corrupt: Option<usize>,
    /// The flat decoder's scanner takes any scalar in any column, and skips other keys.
    fits: Fits,
    mode: ParseMode,
    date_format: Option<Pattern>,
    timestamp_format: Option<Pattern>,
    /// Today, for a timestamp that is a time alone (as `CAST` reads one).
    today: i32,
    /// What is read beyond standard JSON (a record standard JSON refuses is read again
    /// from its standard rewrite).
    leniency: Leniency,
}

impl GivenJsonSchema {
    /// The schema of `options` (`None` when none is given); `JSON_BAD_OPTION` for one that
    /// cannot be used, and for an unusable `dateFormat` / `timestampFormat`.
    pub fn of(options: &JsonOptions) -> Result<Option<GivenJsonSchema>> {
        let Some(ddl) = options.schema.as_deref() else {
            return Ok(None);
        };
        let given = parse_ddl(ddl)
            .map_err(|e| schema_error(e.message().to_string()))?
            .ok_or_else(|| {
                schema_error(
                    "the schema is empty: write `name TYPE, ...`, or leave it out to infer one"
                        .into(),
                )
            })?;
        let corrupt = given
            .names
            .iter()
            .position(|n| *n == options.column_name_of_corrupt_record);
        if let Some(at) = corrupt {
            if given.types[at] != ColumnType::Utf8 {
                return Err(schema_error(format!(
                    "the corrupt-record column `{}` must be a STRING, not {} (as in Spark); \
                     change its type, or set columnNameOfCorruptRecord to another name",
                    given.names[at],
                    given.types[at].name().to_ascii_uppercase()
                )));
            }
        }
        GivenJsonSchema::new(given.names, given.types, corrupt, options).map(Some)
    }

    /// A schema inferred from a sample of the records (Spark's `samplingRatio`), which
    /// every record is then read with as with a schema given: a value the sample did not
    /// foresee makes its record malformed, as in Spark. Flat schemas only (the loader reads
    /// a nested one otherwise): a nested field is `JSON_BAD_OPTION`, naming it.
    pub fn of_inferred(schema: &JsonSchema, options: &JsonOptions) -> Result<GivenJsonSchema> {
        let mut names = Vec::new();
        let mut types = Vec::new();
        for field in schema.arrow().fields() {
            let ty = ColumnType::of_data_type(field.data_type()).ok_or_else(|| {
                schema_error(format!(
                    "the sample's schema has the nested field `{}` ({}), and a schema inferred \
                     from a sample is read only into flat columns here; set samplingRatio to 1 \
                     to infer the schema from every record",
                    field.name(),
                    crate::frame::spark_type_name(field.data_type())
                ))
            })?;
            names.push(field.name().clone());
            types.push(ty);
        }
        let corrupt = schema
            .corrupt_column()
            .and_then(|name| names.iter().position(|n| n == name));
        GivenJsonSchema::new(names, types, corrupt, options)
    }

    fn new(
        names: Vec<String>,
        types: Vec<ColumnType>,
        corrupt: Option<usize>,
        options: &JsonOptions,
    ) -> Result<GivenJsonSchema> {
        let fields: Vec<Field> = names
            .iter()
            .zip(&types)
            .map(|(name, ty)| Field::new(name, ty.data_type(), true))
            .collect();
        let by_name = names
            .iter()
            .enumerate()
            .filter(|&(i, _)| Some(i) != corrupt)
            .map(|(i, name)| (name.clone(), i))
            .collect();
        let code = ErrorCode::JsonBadOption;
        Ok(GivenJsonSchema {
            arrow: Arc::new(Schema::new(fields)),
            fits: Fits::any_scalar(names.len()),
            types,
            by_name,
            corrupt,
            mode: options.mode,
            date_format: datetime_option("dateFormat", options.date_format.as_deref(), code)?,
            timestamp_format: datetime_option(
                "timestampFormat",
                options.timestamp_format.as_deref(),
                code,
            )?,
            today: crate::clock::today_days(),
            leniency: Leniency::of(options),
        })
    }

    /// The table's schema.
    pub fn arrow(&self) -> &SchemaRef {
        &self.arrow
    }

    /// Whether malformed records' text is kept (the schema has the corrupt-record column).
    pub fn keeps_corrupt(&self) -> bool {
        self.corrupt.is_some()
    }

    /// A piece's records decoded into one batch, with its malformed records.
    pub fn decode(&self, text: &[u8], records: &[Range<usize>]) -> Result<DecodedPiece> {
        let columns = self.types.len();
        let mut builders = self
            .arrow
            .fields()
            .iter()
            .map(|f| ScalarBuilder::new(f.data_type(), records.len()))
            .collect::<Result<Vec<_>>>()?;
        let mut malformed = Vec::new();
        let names: Vec<&str> = self
            .arrow
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        let mut keys = Keys::default();
        let mut spans: Vec<Option<Value>> = vec![None; columns];
        let mut raw: Vec<Option<&RawValue>> = Vec::with_capacity(columns);
        let mut cells: Vec<Cell> = Vec::with_capacity(columns);
        let mut rows = 0;
        for (i, record) in records.iter().enumerate() {
            let bytes = &text[record.clone()];
            cells.clear();
            let mut failure = None;
            // An object of scalars is read by the scanner of the flat decoder; anything
            // else (nested values, arrays of objects, malformed JSON) by serde_json.
            if read_fitting(
                text,
                record.clone(),
                &names,
                &self.fits,
                &mut keys,
                &mut spans,
            )
            .is_some()
            {
                for (column, span) in spans.iter_mut().enumerate() {
                    let cell = match span.take() {
                        Some(value) if Some(column) != self.corrupt => {
                            self.scanned_cell(text, value, column, &mut failure)
                        }
                        _ => Cell::Null,
                    };
                    cells.push(cell);
                }
            } else {
                spans.iter_mut().for_each(|span| *span = None);
                raw.clear();
                if let Err(why) = self.fields(bytes, &mut raw) {
                    raw.clear();
                    if !self.lenient_cells(bytes, &mut cells, &mut failure) {
                        raw.resize(columns, None);
                        failure = Some(why);
                    }
                }
                for (at, value) in raw.iter().enumerate() {
                    let json = value.map_or("null", |v| v.get());
                    cells.push(self.cell(json, at % columns, &mut failure));
                }
            }
            if let Some(why) = failure {
                if self.mode == ParseMode::DropMalformed {
                    malformed.push((i, why));
                    continue;
                }
                if let Some(at) = self.corrupt {
                    let record_text = String::from_utf8_lossy(bytes);
                    for row in cells.chunks_mut(columns) {
                        row[at] = Cell::Text(Cow::Owned(record_text.to_string()));
                    }
                }
                malformed.push((i, why));
                if self.mode == ParseMode::FailFast {
                    break;
                }
            }
            for row in cells.chunks(columns) {
                for (builder, cell) in builders.iter_mut().zip(row) {
                    append(builder, cell);
                }
                rows += 1;
            }
        }
        if rows == 0 {
            return Ok(DecodedPiece {
                batch: None,
                malformed,
            });
        }
        let arrays: Vec<ArrayRef> = builders.into_iter().map(ScalarBuilder::finish).collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.arrow), arrays)
            .map_err(|e| Error::internal("assembling JSON read with a schema", e))?;
        Ok(DecodedPiece {
            batch: Some(batch),
            malformed,
        })
    }

    /// A value (its JSON text) of column `column` as a cell; NULL when it does not fit,
    /// with the first such reason of the record kept in `failure`.
    fn cell<'a>(&self, json: &'a str, column: usize, failure: &mut Option<String>) -> Cell<'a> {
        match self.convert(json, self.types[column]) {
            Ok(cell) => cell,
            Err(why) => {
                failure
                    .get_or_insert_with(|| format!("`{}`: {why}", self.arrow.field(column).name()));
                Cell::Null
            }
        }
    }

    /// A value the flat decoder's scanner read (its kind known) as a cell of column
    /// `column`: the usual cases without reading its text again, the others as
    /// [`GivenJsonSchema::cell`] reads any value.
    fn scanned_cell<'a>(
        &self,
        text: &'a [u8],
        value: Value,
        column: usize,
        failure: &mut Option<String>,
    ) -> Cell<'a> {
        let bytes = value.text(text);
        let quick = match (value.kind(), self.types[column]) {
            (Kind::Null, _) => Some(Cell::Null),
            (Kind::True, ColumnType::Boolean) => Some(Cell::Bool(true)),
            (Kind::False, ColumnType::Boolean) => Some(Cell::Bool(false)),
            (Kind::Number, ColumnType::Int64) => parse_i64(bytes).map(Cell::Int),
            (Kind::Number, ColumnType::Float64) => parse_f64(bytes).map(Cell::Float),
            // The scanner checked the string's UTF-8.
            (Kind::Plain, ColumnType::Utf8) => std::str::from_utf8(bytes)
                .ok()
                .map(|s| Cell::Text(Cow::Borrowed(s))),
            _ => None,
        };
        match quick {
            Some(cell) => cell,
            None => {
                let json = std::str::from_utf8(value.json(text)).unwrap_or("null");
                self.cell(json, column, failure)
            }
        }
    }

    /// The record's fields by column: a row of `raw` per object (one for an object, one
    /// per element for an array of objects), `None` where a field is missing. `Err` when
    /// the record is not JSON, or not an object or array of objects.
    fn fields<'a>(
        &self,
        bytes: &'a [u8],
        raw: &mut Vec<Option<&'a RawValue>>,
    ) -> std::result::Result<(), String> {
        let mut reader = serde_json::Deserializer::from_slice(bytes);
        let visitor = RecordVisitor { schema: self, raw };
        reader
            .deserialize_any(visitor)
            .and_then(|()| reader.end())
            .map_err(|e| e.to_string())
    }

    /// The cells of a record that standard JSON refuses, read from its rewrite under the
    /// reader's leniencies (`lenient.rs`); false when it is not JSON under them either.
    fn lenient_cells(
        &self,
        bytes: &[u8],
        cells: &mut Vec<Cell>,
        failure: &mut Option<String>,
    ) -> bool {
        let Some(standard) = self.leniency.standard_of(bytes, NonNumeric::Text) else {
            return false;
        };
        let mut raw = Vec::new();
        if self.fields(&standard, &mut raw).is_err() {
            return false;
        }
        let columns = self.types.len();
        for (at, value) in raw.iter().enumerate() {
            let json = value.map_or("null", |v| v.get());
            cells.push(self.cell(json, at % columns, failure).into_owned());
        }
        true
    }

    /// One value (its JSON text) as a cell of a column of type `ty`; `Err` says why it
    /// cannot be one.
    fn convert<'a>(&self, json: &'a str, ty: ColumnType) -> std::result::Result<Cell<'a>, String> {
        let first = json.as_bytes().first().copied().unwrap_or(b'n');
        if first == b'n' {
            return Ok(Cell::Null);
        }
        let string = || -> std::result::Result<Cow<'a, str>, String> {
            match json.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(inner) if !inner.contains('\\') => Ok(Cow::Borrowed(inner)),
                _ => serde_json::from_str::<String>(json)
                    .map(Cow::Owned)
                    .map_err(|e| e.to_string()),
            }
        };
        let is_string = first == b'"';
        let is_number = first == b'-' || first.is_ascii_digit();
        let whole = is_number && !json.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'));
        let refused = || format!("{} is not a {}", shown(json), ty.name());
        match ty {
            ColumnType::Utf8 | ColumnType::Null => Ok(Cell::Text(if is_string {
                string()?
            } else {
                Cow::Borrowed(json)
            })),
            ColumnType::Boolean => match json {
                "true" => Ok(Cell::Bool(true)),
                "false" => Ok(Cell::Bool(false)),
                _ => Err(refused()),
            },
            ColumnType::Int8 | ColumnType::Int16 | ColumnType::Int32 | ColumnType::Int64 => {
                let Some(value) = whole.then(|| json.parse::<i64>().ok()).flatten() else {
                    return Err(refused());
                };
                let fits = match ty {
                    // Jackson's getByteValue takes 128..=255 as the bytes they wrap to.
                    ColumnType::Int8 => (-128..=255).contains(&value),
                    ColumnType::Int16 => i16::try_from(value).is_ok(),
                    ColumnType::Int32 => i32::try_from(value).is_ok(),
                    _ => true,
                };
                match (fits, ty) {
                    (false, _) => Err(format!("{json} is out of range for a {}", ty.name())),
                    (true, ColumnType::Int8) => Ok(Cell::Int(value as u8 as i8 as i64)),
                    (true, _) => Ok(Cell::Int(value)),
                }
            }
            ColumnType::Float64 | ColumnType::Float32 => {
                let value = if is_number {
                    json.parse::<f64>().ok()
                } else if is_string {
                    special_float(&string()?)
                } else {
                    None
                };
                match (value, ty) {
                    // Straight to f32, not through f64: one rounding, as Jackson's float.
                    (Some(_), ColumnType::Float32) if is_number => json
                        .parse::<f32>()
                        .map(|v| Cell::Float(v as f64))
                        .map_err(|_| refused()),
                    (Some(v), _) => Ok(Cell::Float(v)),
                    (None, _) => Err(refused()),
                }
            }
            ColumnType::Decimal { precision, scale } => {
                let text: Cow<str> = if is_number {
                    Cow::Borrowed(json)
                } else if is_string {
                    string()?
                } else {
                    return Err(refused());
                };
                parse_decimal(&text, precision, scale)
                    .map(Cell::Decimal)
                    .ok_or_else(|| {
                        format!(
                            "{} is not a {}",
                            shown(json),
                            decimal_name(precision, scale)
                        )
                    })
            }
            ColumnType::Date => {
                if !is_string {
                    return Err(refused());
                }
                let text = string()?;
                let days = match &self.date_format {
                    Some(pattern) => pattern
                        .parse(&text)
                        .and_then(|micros| i32::try_from(micros.div_euclid(MICROS_PER_DAY)).ok()),
                    // Spark's fallbacks: the cast's reading, then a count of days.
                    None => text_to_date(&text).or_else(|| java_int(&text)),
                };
                days.map(|d| Cell::Int(d as i64)).ok_or_else(refused)
            }
            ColumnType::Timestamp => {
                if whole {
                    return json
                        .parse::<i64>()
                        .map(|seconds| Cell::Int(seconds.wrapping_mul(MICROS_PER_SECOND)))
                        .map_err(|_| refused());
                }
                if !is_string {
                    return Err(refused());
                }
                let text = string()?;
                let micros = match &self.timestamp_format {
                    Some(pattern) => pattern.parse(&text),
                    None => text_to_timestamp(&text, self.today),
                };
                micros.map(Cell::Int).ok_or_else(refused)
            }
        }
    }

    /// The column a field named `name` fills.
    fn column(&self, name: &str) -> Option<usize> {
        self.by_name.get(name).copied()
    }
}

fn schema_error(message: String) -> Error {
    Error::new(ErrorCode::JsonBadOption, message)
}

/// A value as an error message shows it: its JSON text, cut when long.
fn shown(json: &str) -> String {
    const SHOWN: usize = 40;
    match json.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &json[..cut]),
        None => json.to_string(),
    }
}

fn decimal_name(precision: u8, scale: u8) -> String {
    format!("decimal({precision},{scale})")
}

/// The strings Spark reads as special doubles in a numeric column.
fn special_float(text: &str) -> Option<f64> {
    match text {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" | "+INF" => Some(f64::INFINITY),
        "-Infinity" | "-INF" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Java's `Integer.parseInt`: an optional sign and decimal digits, within `int`.
fn java_int(text: &str) -> Option<i32> {
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// One converted value, before its record is known to be kept.
#[derive(Debug)]
enum Cell<'a> {
    Null,
    /// Integers, dates (days) and timestamps (microseconds).
    Int(i64),
    Float(f64),
    Bool(bool),
    Decimal(i128),
    Text(Cow<'a, str>),
}

impl Cell<'_> {
    /// The cell holding its own text.
    fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Null => Cell::Null,
            Cell::Int(v) => Cell::Int(v),
            Cell::Float(v) => Cell::Float(v),
            Cell::Bool(v) => Cell::Bool(v),
            Cell::Decimal(v) => Cell::Decimal(v),
            Cell::Text(text) => Cell::Text(Cow::Owned(text.into_owned())),
        }
    }
}

/// Appends a cell to its column's builder.
#[inline]
fn append(builder: &mut ScalarBuilder, cell: &Cell) {
    match cell {
        Cell::Null => builder.append_null(),
        Cell::Int(v) => builder.append_int(Some(*v)),
        Cell::Float(v) => builder.append_float(Some(*v)),
        Cell::Bool(v) => builder.append_bool(Some(*v)),
        Cell::Decimal(v) => builder.append_decimal(Some(*v)),
        Cell::Text(v) => builder.append_str(Some(v)),
    }
}

/// Reads a record: an object is a row, an array of objects a row per object.
struct RecordVisitor<'s, 'r, 'a> {
    schema: &'s GivenJsonSchema,
    raw: &'r mut Vec<Option<&'a RawValue>>,
}

impl<'a> Visitor<'a> for RecordVisitor<'_, '_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object, or an array of objects")
    }

    fn visit_map<M: MapAccess<'a>>(self, map: M) -> std::result::Result<(), M::Error> {
        read_object(self.schema, self.raw, map)
    }

    fn visit_seq<S: SeqAccess<'a>>(self, mut seq: S) -> std::result::Result<(), S::Error> {
        while seq
            .next_element_seed(ObjectSeed {
                schema: self.schema,
                raw: self.raw,
            })?
            .is_some()
        {}
        Ok(())
    }
}

/// One object of an array record.
struct ObjectSeed<'s, 'r, 'a> {
    schema: &'s GivenJsonSchema,
    raw: &'r mut Vec<Option<&'a RawValue>>,
}

impl<'a> DeserializeSeed<'a> for ObjectSeed<'_, '_, 'a> {
    type Value = ();

    fn deserialize<D: Deserializer<'a>>(self, reader: D) -> std::result::Result<(), D::Error> {
        reader.deserialize_map(ObjectVisitor(self))
    }
}

struct ObjectVisitor<'s, 'r, 'a>(ObjectSeed<'s, 'r, 'a>);

impl<'a> Visitor<'a> for ObjectVisitor<'_, '_, 'a> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'a>>(self, map: M) -> std::result::Result<(), M::Error> {
        read_object(self.0.schema, self.0.raw, map)
    }
}

/// An object's fields appended to `raw` as a row of the schema's columns.
fn read_object<'a, M: MapAccess<'a>>(
    schema: &GivenJsonSchema,
    raw: &mut Vec<Option<&'a RawValue>>,
    mut map: M,
) -> std::result::Result<(), M::Error> {
    let row = raw.len();
    raw.resize(row + schema.types.len(), None);
    while let Some(column) = map.next_key_seed(KeySeed(schema))? {
        let value: &'a RawValue = map.next_value()?;
        if let Some(column) = column {
            raw[row + column] = Some(value);
        }
    }
    Ok(())
}

/// A field's name, matched to its column without keeping the name.
struct KeySeed<'s>(&'s GivenJsonSchema);

impl<'a> DeserializeSeed<'a> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'a>>(
        self,
        reader: D,
    ) -> std::result::Result<Option<usize>, D::Error> {
        reader.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: serde::de::Error>(self, name: &str) -> std::result::Result<Option<usize>, E> {
        Ok(self.0.column(name))
    }
}
