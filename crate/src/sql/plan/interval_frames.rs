//! `RANGE` frame offsets over an interval `ORDER BY` key, as Spark's analyzer casts them
//! to the key's type (`TypeCoercion.WindowFrameCoercion`): an interval literal of the
//! key's family (`INTERVAL 1 DAY PRECEDING` on an `interval day to second` key,
//! `INTERVAL 1 MONTH` on a year-month key), or an exact number read as units of the key's
//! last field (`1 PRECEDING` is one day on an `interval day` key, one month on an
//! `interval year to month` key; `2.5` two and a half, rounded half up to the microsecond
//! or month as Spark's decimal-to-interval cast). Anything else (a double, an interval of
//! the other family) is Spark's `RANGE_FRAME_INVALID_TYPE`.

use sqlparser::ast;

use crate::error::{Error, Result};
use crate::frame::interval_type::{IntervalField, IntervalFields};
use crate::sql::plan::expr::FrameOffset;
use crate::sql::plan::interval::{interval_sum, number};

/// The offset `e` on a key of interval type `key`: microseconds or months
/// (`FrameOffset::Micros` / `FrameOffset::Int`).
pub fn interval_range_offset(e: &ast::Expr, key: IntervalFields) -> Result<FrameOffset> {
    let bad = || {
        Error::analysis(format!(
            "the RANGE frame bound `{e}` does not fit an ORDER BY key of type {} (an \
             interval of the same family, or an integer or decimal number of its last \
             field, as Spark's RANGE_FRAME_INVALID_TYPE)",
            key.spark_name()
        ))
    };
    let wrap = |v: i64| {
        if key.is_year_month() {
            FrameOffset::Int(v)
        } else {
            FrameOffset::Micros(v)
        }
    };
    if crate::sql::plan::interval::is_interval(e) {
        let (parts, _) = interval_sum(e).map_err(|_| bad())?;
        let same_family = if key.is_year_month() {
            parts.micros == 0
        } else {
            parts.months == 0
        };
        // A zero of either family is still typed by its units: `INTERVAL 0 DAYS` on a
        // year-month key is refused too.
        let family_of_literal = crate::sql::plan::interval::literal_fields(e)
            .is_some_and(|f| f.is_year_month() == key.is_year_month());
        if !(same_family && family_of_literal) {
            return Err(bad());
        }
        return Ok(wrap(if key.is_year_month() {
            parts.months
        } else {
            parts.micros
        }));
    }
    let text = number(e).ok_or_else(bad)?;
    let value = units_of(&text, key.end).ok_or_else(bad)?;
    Ok(wrap(value))
}

/// `text`, an integer or a decimal literal (`-2.5`), as a number of `end`'s units in the
/// family's base unit (microseconds, months), rounded half away from zero; `None` for a
/// double (`1e3`, `5D`) or a value out of range.
fn units_of(text: &str, end: IntervalField) -> Option<i64> {
    // Spark's typed literals: `5L`, `5S`, `5Y` are integers, `2.5BD` a decimal.
    let upper = text.to_ascii_uppercase();
    let text = upper
        .strip_suffix("BD")
        .or_else(|| {
            upper
                .strip_suffix(['L', 'S', 'Y'])
                .filter(|t| !t.contains('.'))
        })
        .unwrap_or(&upper);
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
        return None;
    }
    let scale = u32::try_from(fraction.len()).ok()?;
    let mantissa: i128 = format!("{whole}{fraction}").parse().ok()?;
    let ten = 10i128.checked_pow(scale)?;
    let scaled = mantissa.checked_mul(i128::from(end.micros()))?;
    let (q, r) = (scaled / ten, scaled % ten);
    let rounded = if r * 2 >= ten { q + 1 } else { q };
    let value = i64::try_from(if negative { -rounded } else { rounded }).ok()?;
    // Months are an `int` in Spark.
    if end.is_year_month() && i32::try_from(value).is_err() {
        return None;
    }
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::interval_type::MICROS_PER_DAY;

    #[test]
    fn numbers_are_units_of_the_last_field() {
        assert_eq!(units_of("1", IntervalField::Day), Some(MICROS_PER_DAY));
        assert_eq!(
            units_of("2.5", IntervalField::Day),
            Some(MICROS_PER_DAY * 5 / 2)
        );
        assert_eq!(units_of("1.5", IntervalField::Month), Some(2));
        assert_eq!(units_of("-1.5", IntervalField::Month), Some(-2));
        assert_eq!(units_of("1.5", IntervalField::Year), Some(18));
        assert_eq!(units_of("0.0000005", IntervalField::Second), Some(1));
        assert_eq!(units_of("1e3", IntervalField::Day), None);
        assert_eq!(units_of("5D", IntervalField::Day), None);
        assert_eq!(units_of("5L", IntervalField::Day), Some(5 * MICROS_PER_DAY));
        assert_eq!(units_of("2.5BD", IntervalField::Month), Some(3));
        assert_eq!(units_of("300000000", IntervalField::Year), None);
    }
}
