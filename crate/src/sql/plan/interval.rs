//! `INTERVAL n UNIT` literals: a window's `RANGE` frame offsets, `sequence`'s step and a
//! date or timestamp plus or minus one. One unit, as `INTERVAL 3 DAYS`, `INTERVAL '3' DAY`
//! or `INTERVAL -1 MONTH`, a range of fields in a string (`INTERVAL '1 12:00:00' DAY TO
//! SECOND`), or several units (`INTERVAL 1 DAY 12 HOURS`, a sum of one-unit intervals).

use sqlparser::ast;

use crate::frame::interval_type::{IntervalField, IntervalFields};

/// An interval as months and microseconds (years are 12 months, weeks 7 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntervalParts {
    pub months: i64,
    pub micros: i64,
}

/// The interval `interval` is, if it has one unit Brasa reads.
pub fn interval_parts(interval: &ast::Interval) -> Option<IntervalParts> {
    use ast::DateTimeField as F;
    if let (Some(leading), Some(last)) = (&interval.leading_field, &interval.last_field) {
        return match interval.value.as_ref() {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(t) => field_range(leading, last, t),
                _ => None,
            },
            _ => None,
        };
    }
    let text = match interval.value.as_ref() {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(t, _) => t.clone(),
            ast::Value::SingleQuotedString(t) => t.trim().to_string(),
            _ => return None,
        },
        other => number(other)?,
    };
    const DAY: i64 = 86_400_000_000;
    // Seconds may have a fraction (`INTERVAL '0.5' SECOND`): up to nine digits, cut to
    // microseconds as Spark.
    if matches!(interval.leading_field.as_ref()?, F::Second | F::Seconds) && text.contains('.') {
        return Some(IntervalParts {
            months: 0,
            micros: fractional_seconds(&text)?,
        });
    }
    let n: i64 = text.parse().ok()?;
    let (months, micros): (i64, i64) = match interval.leading_field.as_ref()? {
        F::Year | F::Years => (12, 0),
        F::Month | F::Months => (1, 0),
        F::Week(_) | F::Weeks => (0, 7 * DAY),
        F::Day | F::Days => (0, DAY),
        F::Hour | F::Hours => (0, 3_600_000_000),
        F::Minute | F::Minutes => (0, 60_000_000),
        F::Second | F::Seconds => (0, 1_000_000),
        F::Millisecond | F::Milliseconds => (0, 1_000),
        F::Microsecond | F::Microseconds => (0, 1),
        _ => return None,
    };
    Some(IntervalParts {
        months: n.checked_mul(months)?,
        micros: n.checked_mul(micros)?,
    })
}

/// `[-]s.f` seconds (up to nine digits of fraction, cut to microseconds) in microseconds.
fn fractional_seconds(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = digits.split_once('.')?;
    if fraction.len() > 9
        || !fraction.bytes().all(|b| b.is_ascii_digit())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || (whole.is_empty() && fraction.is_empty())
    {
        return None;
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let micros: i64 = format!("{:0<6}", &fraction[..fraction.len().min(6)])
        .parse()
        .ok()?;
    let value = whole.checked_mul(1_000_000)?.checked_add(micros)?;
    Some(if negative { -value } else { value })
}

/// The text of a number literal, a negative one included.
pub fn number(e: &ast::Expr) -> Option<String> {
    match e {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(text, _) => Some(text.clone()),
            _ => None,
        },
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => number(expr).map(|t| format!("-{t}")),
        ast::Expr::Nested(inner) => number(inner),
        _ => None,
    }
}

/// Whether `e` is an interval literal, or a sum of them (the parser turns Spark's
/// `INTERVAL 1 YEAR 2 MONTHS` into `(INTERVAL 1 YEAR + INTERVAL 2 MONTHS)`).
pub fn is_interval(e: &ast::Expr) -> bool {
    match e {
        ast::Expr::Interval(_) => true,
        ast::Expr::Nested(inner) => is_interval(inner),
        ast::Expr::BinaryOp {
            left,
            op: ast::BinaryOperator::Plus,
            right,
        } => is_interval(left) && is_interval(right),
        _ => false,
    }
}

/// An interval expression's value and whether it counts in whole days or months (a date
/// plus it stays a date, as in Spark): `Err` with the reason when Brasa cannot read it
/// or Spark refuses it (year-month and day-time units in one interval).
pub fn interval_sum(e: &ast::Expr) -> std::result::Result<(IntervalParts, bool), String> {
    use ast::DateTimeField as F;
    match e {
        ast::Expr::Interval(interval) => {
            let parts = interval_parts(interval).ok_or_else(|| {
                format!(
                    "the interval `{e}`: Brasa reads INTERVAL n UNIT with a whole n (several \
                     units, as INTERVAL 1 DAY 12 HOURS), 'd hh:mm:ss[.ffffff]' DAY TO SECOND \
                     and 'y-m' YEAR TO MONTH"
                )
            })?;
            let date_unit = |f: &F| {
                matches!(
                    f,
                    F::Year
                        | F::Years
                        | F::Month
                        | F::Months
                        | F::Week(_)
                        | F::Weeks
                        | F::Day
                        | F::Days
                )
            };
            let whole = interval.leading_field.as_ref().is_some_and(date_unit)
                && interval.last_field.as_ref().is_none_or(date_unit);
            Ok((parts, whole))
        }
        ast::Expr::Nested(inner) => interval_sum(inner),
        ast::Expr::BinaryOp { left, right, .. } => {
            let (a, wa) = interval_sum(left)?;
            let (b, wb) = interval_sum(right)?;
            if (a.months != 0 || b.months != 0) && (a.micros != 0 || b.micros != 0) {
                return Err(format!(
                    "the interval `{e}` mixes year-month and day-time units, which Spark \
                     refuses (add two intervals instead)"
                ));
            }
            let sum = IntervalParts {
                months: a
                    .months
                    .checked_add(b.months)
                    .ok_or("an interval out of range")?,
                micros: a
                    .micros
                    .checked_add(b.micros)
                    .ok_or("an interval out of range")?,
            };
            Ok((sum, wa && wb))
        }
        _ => Err(format!("`{e}` is not an interval")),
    }
}

/// `'1 12:30:00.5'` DAY TO SECOND, `'12:30'` HOUR TO MINUTE, `'1-2'` YEAR TO MONTH, ...:
/// an interval string with two fields, as months and microseconds.
fn field_range(
    leading: &ast::DateTimeField,
    last: &ast::DateTimeField,
    text: &str,
) -> Option<IntervalParts> {
    use ast::DateTimeField as F;
    let (negative, text) = match text.trim().strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.trim().trim_start_matches('+')),
    };
    let sign = if negative { -1 } else { 1 };
    if matches!(leading, F::Year) && matches!(last, F::Month) {
        let (y, m) = text.split_once('-')?;
        let (y, m): (i64, i64) = (y.parse().ok()?, m.parse().ok()?);
        if !(0..12).contains(&m) {
            return None;
        }
        return Some(IntervalParts {
            months: sign * (y.checked_mul(12)? + m),
            micros: 0,
        });
    }
    // The fields from the leading one down: day, hour, minute, second.
    let rank = |f: &F| match f {
        F::Day => Some(0),
        F::Hour => Some(1),
        F::Minute => Some(2),
        F::Second => Some(3),
        _ => None,
    };
    let (first, last) = (rank(leading)?, rank(last)?);
    if first >= last {
        return None;
    }
    let (days, clock) = if first == 0 {
        let (d, rest) = text.split_once(' ')?;
        (d.parse::<i64>().ok()?, rest.trim())
    } else {
        (0, text)
    };
    let pieces: Vec<&str> = clock.split(':').collect();
    if pieces.len() != last - first.max(1) + 1 {
        return None;
    }
    // In i128, so that the most negative interval (`'-106751991 04:00:54.775808'`), whose
    // magnitude is one more than `i64::MAX`, is read as Spark reads it.
    const UNIT: [i128; 4] = [86_400_000_000, 3_600_000_000, 60_000_000, 1_000_000];
    let mut micros = i128::from(days).checked_mul(UNIT[0])?;
    for (k, piece) in pieces.iter().enumerate() {
        let field = first.max(1) + k;
        let value = if field == 3 {
            let (s, f) = piece.split_once('.').unwrap_or((piece, ""));
            if f.len() > 6 || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let fraction: i128 = format!("{f:0<6}").parse().ok()?;
            s.parse::<i128>()
                .ok()?
                .checked_mul(UNIT[3])?
                .checked_add(fraction)?
        } else {
            piece.parse::<i128>().ok()?.checked_mul(UNIT[field])?
        };
        micros = micros.checked_add(value)?;
    }
    Some(IntervalParts {
        months: 0,
        micros: i64::try_from(i128::from(sign) * micros).ok()?,
    })
}

/// The fields Spark types an interval literal with (`INTERVAL 3 DAYS` is an `interval
/// day`, `INTERVAL '1 12:00:00' DAY TO SECOND` an `interval day to second`, a sum of units
/// spans them: `INTERVAL 1 DAY 2 HOURS` is `interval day to hour`; `INTERVAL 1 YEAR` an
/// `interval year`); `None` for a unit Brasa does not read, or year-month and day-time
/// units mixed.
pub fn literal_fields(e: &ast::Expr) -> Option<IntervalFields> {
    use ast::DateTimeField as F;
    let field = |f: &F| {
        Some(match f {
            F::Year | F::Years => IntervalField::Year,
            F::Month | F::Months => IntervalField::Month,
            F::Week(_) | F::Weeks | F::Day | F::Days => IntervalField::Day,
            F::Hour | F::Hours => IntervalField::Hour,
            F::Minute | F::Minutes => IntervalField::Minute,
            F::Second
            | F::Seconds
            | F::Millisecond
            | F::Milliseconds
            | F::Microsecond
            | F::Microseconds => IntervalField::Second,
            _ => return None,
        })
    };
    match e {
        ast::Expr::Interval(interval) => {
            let start = field(interval.leading_field.as_ref()?)?;
            let end = match &interval.last_field {
                Some(last) => field(last)?,
                None => start,
            };
            Some(IntervalFields::new(start, end))
        }
        ast::Expr::Nested(inner) => literal_fields(inner),
        // Spark refuses a literal mixing year-month and day-time units.
        ast::Expr::BinaryOp { left, right, .. } => {
            let (l, r) = (literal_fields(left)?, literal_fields(right)?);
            (l.is_year_month() == r.is_year_month()).then(|| l.widen(r))
        }
        _ => None,
    }
}
