//! `INTERVAL n UNIT` literals where Spark takes them without interval arithmetic in
//! general: a window's `RANGE` frame offsets and `sequence`'s step. One unit only, as
//! `INTERVAL 3 DAYS`, `INTERVAL '3' DAY` or `INTERVAL -1 MONTH`.

use sqlparser::ast;

/// An interval as months and microseconds (years are 12 months, weeks 7 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntervalParts {
    pub months: i64,
    pub micros: i64,
}

/// The interval `interval` is, if it has one unit Brasa reads.
pub fn interval_parts(interval: &ast::Interval) -> Option<IntervalParts> {
    use ast::DateTimeField as F;
    if interval.last_field.is_some() {
        return None;
    }
    let text = match interval.value.as_ref() {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(t, _) => t.clone(),
            ast::Value::SingleQuotedString(t) => t.trim().to_string(),
            _ => return None,
        },
        other => number(other)?,
    };
    let n: i64 = text.parse().ok()?;
    const DAY: i64 = 86_400_000_000;
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
