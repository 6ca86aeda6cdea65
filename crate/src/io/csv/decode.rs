//! Turning one tokenized piece into a record batch, column by column.
//!
//! Each column is parsed with the type inference chose. When a value does not fit (the
//! sample said `int`, this piece has `n/a`), the column is parsed again with the join of
//! both types, so a piece never fails on a value Spark's whole-file inference would have
//! accepted; the loader later widens the other pieces to match.

use std::cell::Cell;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    ArrowPrimitiveType, Date32Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, TimestampMicrosecondType,
};
use arrow_array::{Array, ArrayRef, BooleanArray, PrimitiveArray, StringArray};
use arrow_buffer::{BooleanBufferBuilder, NullBuffer, NullBufferBuilder, OffsetBuffer};
use arrow_schema::DataType;

use crate::decimal_digits::parse_decimal;
use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::tokenize::Dialect;
use crate::io::csv::tokenize::{field_bytes, field_text, Tokens};
use crate::io::csv::value_rules::ValueRules;
use crate::io::csv::values::{
    parse_bool, parse_i32, parse_i64, trim_spaces, whole_digits, ColumnType, SESSION_TIME_ZONE,
};

/// A value that did not fit its column's type: where, and what it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Misfit {
    pub row: usize,
    pub value: Vec<u8>,
}

/// A column of a piece whose type had to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Widening {
    pub column: usize,
    pub from: ColumnType,
    pub to: ColumnType,
    /// The first value that forced it (0-based row within the piece).
    pub misfit: Misfit,
}

/// One column decoded, with what had to be done to decode it.
pub struct DecodedColumn {
    pub array: ArrayRef,
    pub column_type: ColumnType,
    pub widening: Option<Widening>,
    /// First row (0-based in the piece) whose bytes were not valid UTF-8 and were replaced.
    pub invalid_utf8_row: Option<usize>,
    /// Rows of an integer column written `-0`: a 0 here, but -0.0 should a later piece
    /// widen the column to `double` (as reading the whole file as doubles gives).
    pub negative_zeros: Vec<u32>,
}

/// Read access to the fields of one piece.
pub struct PieceFields<'a> {
    pub bytes: &'a [u8],
    pub tokens: &'a Tokens,
    pub dialect: &'a Dialect,
    pub nulls: &'a ValueRules,
}

impl PieceFields<'_> {
    /// Decodes column `col`, starting from type `ty` and widening as needed.
    pub fn decode_column(&self, col: usize, ty: ColumnType) -> Result<DecodedColumn> {
        let mut current = ty;
        let mut first_misfit = None;
        loop {
            let negative_zero = Cell::new(false);
            match self.try_decode(col, current, None, &negative_zero)? {
                Ok((array, invalid_utf8_row)) => {
                    let widening = first_misfit.map(|misfit| Widening {
                        column: col,
                        from: ty,
                        to: current,
                        misfit,
                    });
                    let negative_zeros = match negative_zero.get() {
                        true => self.negative_zeros(col, &array),
                        false => Vec::new(),
                    };
                    return Ok(DecodedColumn {
                        array,
                        column_type: current,
                        widening,
                        invalid_utf8_row,
                        negative_zeros,
                    });
                }
                Err(misfit) => {
                    let wider = current.join(self.nulls.value_type(&misfit.value));
                    if wider == current {
                        return Err(Error::new(
                            ErrorCode::Internal,
                            format!("value does not parse as {}", current.name()),
                        )
                        .at_row(misfit.row as u64 + 1));
                    }
                    first_misfit.get_or_insert(misfit);
                    current = wider;
                }
            }
        }
    }

    /// The rows of integer column `col` (decoded as `array`) whose text is a negative zero.
    /// Only the zeros' text is looked at.
    fn negative_zeros(&self, col: usize, array: &ArrayRef) -> Vec<u32> {
        let zeros: Vec<usize> = match array.data_type() {
            DataType::Int32 => zero_rows(array.as_primitive::<Int32Type>()),
            DataType::Int64 => zero_rows(array.as_primitive::<Int64Type>()),
            _ => return Vec::new(),
        };
        zeros
            .into_iter()
            .filter(|&row| {
                self.tokens.field(row, col).is_some_and(|(start, end)| {
                    let (text, _) = field_bytes(self.bytes, start, end, self.dialect);
                    trim_spaces(text).first() == Some(&b'-')
                })
            })
            .map(|row| row as u32)
            .collect()
    }

    /// Decodes column `col` as type `ty` whatever its values (a schema the user gave): a
    /// value that does not parse is null, and its row (0-based in the piece) is listed.
    pub fn decode_fixed(&self, col: usize, ty: ColumnType) -> Result<(DecodedColumn, Vec<usize>)> {
        let mut misfits = Vec::new();
        let decoded = self.try_decode(col, ty, Some(&mut misfits), &Cell::new(false))?;
        let (array, invalid_utf8_row) = decoded.map_err(|misfit| {
            Error::internal(
                "decoding a column of a given schema",
                format!("row {} did not become null", misfit.row),
            )
        })?;
        Ok((
            DecodedColumn {
                array,
                column_type: ty,
                widening: None,
                invalid_utf8_row,
                negative_zeros: Vec::new(),
            },
            misfits,
        ))
    }

    /// The outer `Result` is a real error; the inner one a value that needs a wider type.
    /// With `misfits`, values that do not parse are nulls listed there instead.
    /// `negative_zero` is set when an integer column holds a `-0`.
    #[allow(clippy::type_complexity)]
    fn try_decode(
        &self,
        col: usize,
        ty: ColumnType,
        misfits: Option<&mut Vec<usize>>,
        negative_zero: &Cell<bool>,
    ) -> Result<std::result::Result<(ArrayRef, Option<usize>), Misfit>> {
        let tz = || Arc::<str>::from(SESSION_TIME_ZONE);
        let plain = |r: std::result::Result<ArrayRef, Misfit>| Ok(r.map(|a| (a, None)));
        let m = misfits;
        match ty {
            ColumnType::Null | ColumnType::Utf8 => self.decode_strings(col).map(Ok),
            ColumnType::Boolean => plain(self.decode_bools(col, m)),
            ColumnType::Int32 => {
                let parse =
                    |text: &[u8]| noting_negative_zero(parse_i32(text)?, text, negative_zero);
                plain(self.decode_primitive::<Int32Type>(col, parse, m))
            }
            ColumnType::Int64 => {
                let parse =
                    |text: &[u8]| noting_negative_zero(parse_i64(text)?, text, negative_zero);
                plain(self.decode_primitive::<Int64Type>(col, parse, m))
            }
            ColumnType::Float64 => {
                plain(self.decode_primitive::<Float64Type>(col, |t| self.parse_double(t), m))
            }
            ColumnType::Float32 => {
                let parse = |text: &[u8]| self.parse_double(text).map(|v| v as f32);
                plain(self.decode_primitive::<Float32Type>(col, parse, m))
            }
            ColumnType::Int8 => {
                let parse = |text: &[u8]| parse_i32(text).and_then(|v| i8::try_from(v).ok());
                plain(self.decode_primitive::<Int8Type>(col, parse, m))
            }
            ColumnType::Int16 => {
                let parse = |text: &[u8]| parse_i32(text).and_then(|v| i16::try_from(v).ok());
                plain(self.decode_primitive::<Int16Type>(col, parse, m))
            }
            ColumnType::Decimal { precision, scale } => {
                // An inferred decimal (widened as needed, no `misfits` list) is a whole
                // number's: any other value is a misfit that widens it, where a given
                // schema's decimal rounds it to its scale as Spark does.
                let inferred = m.is_none();
                let parse = |text: &[u8]| {
                    if inferred && whole_digits(text).is_none() {
                        return None;
                    }
                    decimal_value(text, precision, scale)
                };
                plain(
                    self.decode_primitive::<Decimal128Type>(col, parse, m)
                        .map(|a| {
                            let array = a
                                .as_any()
                                .downcast_ref::<PrimitiveArray<Decimal128Type>>()
                                .expect("built as decimals")
                                .clone()
                                .with_precision_and_scale(precision, scale as i8)
                                .expect("precision and scale checked by the schema");
                            Arc::new(array) as ArrayRef
                        }),
                )
            }
            ColumnType::Date => {
                plain(self.decode_primitive::<Date32Type>(col, |t| self.nulls.date(t), m))
            }
            ColumnType::Timestamp => plain(
                self.decode_primitive::<TimestampMicrosecondType>(
                    col,
                    |t| self.nulls.timestamp(t),
                    m,
                )
                .map(|a| {
                    let array = a
                        .as_any()
                        .downcast_ref::<PrimitiveArray<TimestampMicrosecondType>>()
                        .expect("built as timestamps")
                        .clone()
                        .with_timezone(tz());
                    Arc::new(array) as ArrayRef
                }),
            ),
        }
    }

    /// A `DOUBLE` or `FLOAT` cell: the reader's `nanValue`, `positiveInf` and
    /// `negativeInf` are NaN and infinities.
    fn parse_double(&self, text: &[u8]) -> Option<f64> {
        self.nulls.double(text)
    }

    fn decode_primitive<T: ArrowPrimitiveType>(
        &self,
        col: usize,
        parse: impl Fn(&[u8]) -> Option<T::Native>,
        mut misfits: Option<&mut Vec<usize>>,
    ) -> std::result::Result<ArrayRef, Misfit> {
        let rows = self.tokens.rows();
        let mut values: Vec<T::Native> = Vec::with_capacity(rows);
        let mut validity = NullBufferBuilder::new(rows);
        for (row, span) in self.tokens.column_spans(col).enumerate() {
            match self.typed_field(span) {
                None => {
                    values.push(T::Native::default());
                    validity.append_null();
                }
                Some(text) => match parse(trim_spaces(text)) {
                    Some(v) => {
                        values.push(v);
                        validity.append_non_null();
                    }
                    None => match misfits.as_deref_mut() {
                        Some(rows) => {
                            rows.push(row);
                            values.push(T::Native::default());
                            validity.append_null();
                        }
                        None => {
                            return Err(Misfit {
                                row,
                                value: text.to_vec(),
                            })
                        }
                    },
                },
            }
        }
        Ok(Arc::new(PrimitiveArray::<T>::new(
            values.into(),
            validity.finish(),
        )))
    }

    fn decode_bools(
        &self,
        col: usize,
        mut misfits: Option<&mut Vec<usize>>,
    ) -> std::result::Result<ArrayRef, Misfit> {
        let rows = self.tokens.rows();
        let mut values = BooleanBufferBuilder::new(rows);
        let mut validity = NullBufferBuilder::new(rows);
        for (row, span) in self.tokens.column_spans(col).enumerate() {
            match self.typed_field(span) {
                None => {
                    values.append(false);
                    validity.append_null();
                }
                Some(text) => match parse_bool(trim_spaces(text)) {
                    Some(v) => {
                        values.append(v);
                        validity.append_non_null();
                    }
                    None => match misfits.as_deref_mut() {
                        Some(rows) => {
                            rows.push(row);
                            values.append(false);
                            validity.append_null();
                        }
                        None => {
                            return Err(Misfit {
                                row,
                                value: text.to_vec(),
                            })
                        }
                    },
                },
            }
        }
        Ok(Arc::new(BooleanArray::new(
            values.finish(),
            validity.finish(),
        )))
    }

    /// Field bytes for a typed column, `None` when null (missing, empty or a null token;
    /// a quoted empty field is `emptyValue` when one is set). Quote escapes are left in: a
    /// value containing a quote is not a number anyway, and the misfit sends the column
    /// to the string decoder, which unescapes.
    #[inline(always)]
    fn typed_field(&self, span: Option<(usize, usize)>) -> Option<&[u8]> {
        let (start, end) = span?;
        let (text, quoted) = field_bytes(self.bytes, start, end, self.dialect);
        self.nulls.typed_text(text, quoted)
    }

    /// Decodes a string column; invalid UTF-8 is replaced (U+FFFD) and its first row
    /// reported, never dropped.
    fn decode_strings(&self, col: usize) -> Result<(ArrayRef, Option<usize>)> {
        // Valid UTF-8 is the norm: copy the bytes as they are and let the array's own check
        // over the whole buffer confirm it; only a failed check pays for a second pass
        // that checks and repairs value by value.
        let (offsets, data, validity, _) = self.collect_strings(col, false)?;
        if let Ok(array) = StringArray::try_new(offsets, data.into(), validity) {
            return Ok((Arc::new(array), None));
        }
        let (offsets, data, validity, invalid_row) = self.collect_strings(col, true)?;
        let array = StringArray::try_new(offsets, data.into(), validity)
            .map_err(|e| Error::internal("building a string column", e))?;
        Ok((Arc::new(array), invalid_row))
    }

    #[allow(clippy::type_complexity)]
    fn collect_strings(
        &self,
        col: usize,
        repair: bool,
    ) -> Result<(
        OffsetBuffer<i32>,
        Vec<u8>,
        Option<NullBuffer>,
        Option<usize>,
    )> {
        let rows = self.tokens.rows();
        let mut offsets: Vec<i32> = Vec::with_capacity(rows + 1);
        offsets.push(0);
        let mut data: Vec<u8> = Vec::new();
        let mut validity = NullBufferBuilder::new(rows);
        let mut invalid_row = None;
        for (row, span) in self.tokens.column_spans(col).enumerate() {
            let field = span.map(|(start, end)| field_text(self.bytes, start, end, self.dialect));
            match field {
                Some((text, quoted)) if !self.nulls.is_null_text(&text, quoted) => {
                    let text = self.nulls.string_text(&text, quoted);
                    if repair && std::str::from_utf8(text).is_err() {
                        invalid_row.get_or_insert(row);
                        data.extend_from_slice(String::from_utf8_lossy(text).as_bytes());
                    } else {
                        data.extend_from_slice(text);
                    }
                    validity.append_non_null();
                }
                _ => validity.append_null(),
            }
            let end = i32::try_from(data.len()).map_err(|_| {
                Error::new(
                    ErrorCode::OutOfMemory,
                    "a string column holds more than 2 GiB within one partition",
                )
                .at_row(row as u64 + 1)
            })?;
            offsets.push(end);
        }
        Ok((
            OffsetBuffer::new(offsets.into()),
            data,
            validity.finish(),
            invalid_row,
        ))
    }
}

/// An integer cell's value, `negative_zero` set when its text is `-0` (rare: the rows are
/// then found after the column is decoded, [`PieceFields::negative_zeros`]).
#[inline(always)]
fn noting_negative_zero<T: Default + PartialEq>(
    value: T,
    text: &[u8],
    negative_zero: &Cell<bool>,
) -> Option<T> {
    if value == T::default() && text.first() == Some(&b'-') {
        negative_zero.set(true);
    }
    Some(value)
}

/// The rows holding a (non-null) zero.
fn zero_rows<T: ArrowPrimitiveType>(array: &PrimitiveArray<T>) -> Vec<usize> {
    let zero = T::Native::default();
    array
        .values()
        .iter()
        .enumerate()
        .filter(|&(row, value)| *value == zero && array.is_valid(row))
        .map(|(row, _)| row)
        .collect()
}

/// A `DECIMAL(precision, scale)` cell as Spark's CSV reader reads one in its default
/// locale (`new BigDecimal(text.replaceAll(",", ""))`, rounded HALF_UP to the scale);
/// `None` when it is not a number or has more digits than the precision.
fn decimal_value(text: &[u8], precision: u8, scale: u8) -> Option<i128> {
    let text = std::str::from_utf8(text).ok()?;
    if text.contains(',') {
        return parse_decimal(&text.replace(',', ""), precision, scale);
    }
    parse_decimal(text, precision, scale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::csv::tokenize::{tokenize, InputEnd};

    const COMMA: Dialect = Dialect::plain(b',');

    fn decode(input: &[u8], col: usize, ty: ColumnType) -> DecodedColumn {
        let tokens = tokenize(input, &COMMA, usize::MAX, InputEnd::EndOfFile).unwrap();
        let nulls = ValueRules::new(&["".into(), "NA".into()]);
        let fields = PieceFields {
            bytes: input,
            tokens: &tokens,
            dialect: &COMMA,
            nulls: &nulls,
        };
        fields.decode_column(col, ty).unwrap()
    }

    #[test]
    fn decodes_ints_with_nulls_and_missing_fields() {
        let col = decode(b"1,a\n,b\nNA,c\n\" 4 \",d\nx\n", 0, ColumnType::Int32);
        assert_eq!(col.column_type, ColumnType::Utf8);
        let col = decode(b"1,a\n,b\nNA,c\n\" 4 \",d\n7\n", 1, ColumnType::Utf8);
        let strings = col.array.as_string::<i32>();
        assert_eq!(strings.value(0), "a");
        assert!(strings.is_null(4));
        let ints = decode(b"1\n\nNA\n\" 4 \"\n", 0, ColumnType::Int32);
        let ints = ints.array.as_primitive::<Int32Type>();
        assert_eq!(ints.len(), 3);
        assert_eq!(ints.value(0), 1);
        assert!(ints.is_null(1));
        assert_eq!(ints.value(2), 4);
    }

    #[test]
    fn widens_and_reports_the_first_misfit() {
        let col = decode(b"1\n2\n3.5\nfoo\n", 0, ColumnType::Int32);
        assert_eq!(col.column_type, ColumnType::Utf8);
        let w = col.widening.unwrap();
        assert_eq!(
            (w.from, w.to, w.misfit.row),
            (ColumnType::Int32, ColumnType::Utf8, 2)
        );
        assert_eq!(col.array.as_string::<i32>().value(2), "3.5");
    }

    #[test]
    fn quoted_empty_string_is_not_null_but_invalid_utf8_is_replaced() {
        let col = decode(b"\"\"\n\xff\xfeok\n", 0, ColumnType::Utf8);
        let strings = col.array.as_string::<i32>();
        assert!(!strings.is_null(0));
        assert_eq!(strings.value(0), "");
        assert_eq!(strings.value(1), "\u{fffd}\u{fffd}ok");
        assert_eq!(col.invalid_utf8_row, Some(1));
    }

    #[test]
    fn timestamps_carry_the_session_zone() {
        let col = decode(b"2024-01-01 00:00:00\n", 0, ColumnType::Timestamp);
        assert_eq!(
            col.array.data_type(),
            &arrow_schema::DataType::Timestamp(
                arrow_schema::TimeUnit::Microsecond,
                Some("UTC".into())
            )
        );
    }
}
