//! Planning window calls: `f(args) [IGNORE NULLS] OVER (PARTITION BY .. ORDER BY ..
//! [ROWS | RANGE BETWEEN .. AND ..])`, with Spark's rules for which functions take which
//! arguments and frames, and Spark's default frame.

use arrow_schema::DataType;
use sqlparser::ast::{self, NullTreatment, WindowFrameBound, WindowFrameUnits, WindowType};

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::plan::aggregates::{aggregate_call, with_null_treatment};
use crate::sql::plan::expr::{
    Expr, FrameBound, FrameOffset, FrameUnits, SortKey, WindowCall, WindowFrame,
};
use crate::sql::plan::functions::{common_type, AggregateFunction, WindowFunction};
use crate::sql::plan::interval::{interval_parts, number};
use crate::sql::plan::interval_frames::interval_range_offset;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::types::is_integer;

impl Planner<'_> {
    /// Makes `definitions` (a SELECT's `WINDOW w AS (...), v AS w`) the named windows of
    /// the SELECT being planned, each resolved in order as Spark does: a name refers to
    /// a window defined before it, names are case-sensitive and defined once.
    pub(crate) fn define_windows(
        &mut self,
        definitions: &[ast::NamedWindowDefinition],
    ) -> Result<()> {
        for ast::NamedWindowDefinition(name, definition) in definitions {
            if self.named_windows.iter().any(|(n, _)| n == &name.value) {
                return Err(Error::analysis(format!(
                    "the window `{name}` is defined twice in the WINDOW clause"
                )));
            }
            let spec = match definition {
                ast::NamedWindowExpr::WindowSpec(spec) if spec.window_name.is_some() => {
                    return Err(Error::analysis(format!(
                        "the window `{name}` builds on another window (`{}`), which Spark \
                         does not allow: write it out, or define it as `{name} AS other`",
                        spec
                    )))
                }
                ast::NamedWindowExpr::WindowSpec(spec) => spec.clone(),
                ast::NamedWindowExpr::NamedWindow(other) => self.named_window(other)?.clone(),
            };
            self.named_windows.push((name.value.clone(), spec));
        }
        Ok(())
    }

    /// The window named `name` in the SELECT's WINDOW clause (Spark's
    /// MISSING_WINDOW_SPECIFICATION when there is none).
    fn named_window(&self, name: &ast::Ident) -> Result<&ast::WindowSpec> {
        self.named_windows
            .iter()
            .find(|(n, _)| n == &name.value)
            .map(|(_, spec)| spec)
            .ok_or_else(|| {
                Error::analysis(format!(
                    "the window `{name}` is not defined in the WINDOW clause of this SELECT \
                     (window names are case-sensitive); add `WINDOW {name} AS (...)` after \
                     WHERE, GROUP BY and HAVING"
                ))
            })
    }

    /// The window an `OVER` stands for: written out, or named (`OVER w`, `OVER (w)`).
    fn window_spec(&self, over: &WindowType) -> Result<ast::WindowSpec> {
        match over {
            WindowType::NamedWindow(name) => Ok(self.named_window(name)?.clone()),
            WindowType::WindowSpec(spec) => match &spec.window_name {
                None => Ok(spec.clone()),
                Some(name)
                    if spec.partition_by.is_empty()
                        && spec.order_by.is_empty()
                        && spec.window_frame.is_none() =>
                {
                    Ok(self.named_window(name)?.clone())
                }
                Some(name) => Err(Error::analysis(format!(
                    "`OVER ({spec})` adds to the named window `{name}`, which Spark does not \
                     allow: write the whole window in OVER, or define another one in WINDOW"
                ))),
            },
        }
    }

    pub fn window_call(
        &mut self,
        name: &str,
        args: Vec<Expr>,
        star: bool,
        null_treatment: Option<&NullTreatment>,
        over: &WindowType,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let spec = &self.window_spec(over)?;
        let func = WindowFunction::from_name(name)
            .ok_or_else(|| Error::unsupported(format!("`{name}` as a window function")))?;
        let partition_by = spec
            .partition_by
            .iter()
            .map(|e| self.expr(e, scope))
            .collect::<Result<Vec<_>>>()?;
        let order_by = spec
            .order_by
            .iter()
            .map(|o| self.sort_key(o, scope))
            .collect::<Result<Vec<_>>>()?;
        let mut ignore_nulls = matches!(null_treatment, Some(NullTreatment::IgnoreNulls));
        if null_treatment.is_some()
            && !matches!(
                func,
                WindowFunction::FirstValue
                    | WindowFunction::LastValue
                    | WindowFunction::NthValue
                    | WindowFunction::Lag
                    | WindowFunction::Lead
                    | WindowFunction::Aggregate(
                        AggregateFunction::First
                            | AggregateFunction::Last
                            | AggregateFunction::AnyValue
                    )
            )
        {
            return Err(Error::analysis(format!(
                "{name} does not take IGNORE NULLS / RESPECT NULLS"
            )));
        }
        let needs_order = |what: &str| -> Result<()> {
            if order_by.is_empty() {
                Err(Error::analysis(format!(
                    "{what} needs ORDER BY in its window"
                )))
            } else {
                Ok(())
            }
        };
        // An aggregate the planner writes as an expression over aggregates (`sum` and `avg`
        // of an interval): the same expression over window aggregates.
        let mut over_aggregates: Option<Expr> = None;
        let (args, return_type) = match func {
            WindowFunction::RowNumber
            | WindowFunction::Rank
            | WindowFunction::DenseRank
            | WindowFunction::PercentRank
            | WindowFunction::CumeDist => {
                if !args.is_empty() {
                    return Err(Error::analysis(format!("{name} takes no arguments")));
                }
                needs_order(name)?;
                let t = match func {
                    WindowFunction::PercentRank | WindowFunction::CumeDist => DataType::Float64,
                    _ => DataType::Int32,
                };
                (args, t)
            }
            WindowFunction::Ntile => {
                needs_order(name)?;
                let buckets = match args.as_slice() {
                    [Expr::Literal(ScalarValue::Int32(n))] => *n as i64,
                    [Expr::Literal(ScalarValue::Int64(n))] => *n,
                    [_] => {
                        return Err(Error::analysis(
                            "the argument of ntile must be an integer literal",
                        ))
                    }
                    _ => return Err(Error::analysis("ntile takes one argument")),
                };
                if buckets <= 0 {
                    return Err(Error::analysis(format!(
                        "ntile's number of buckets must be positive, got {buckets}"
                    )));
                }
                (
                    vec![Expr::Literal(ScalarValue::Int64(buckets))],
                    DataType::Int32,
                )
            }
            WindowFunction::Lag | WindowFunction::Lead => {
                if args.is_empty() || args.len() > 3 {
                    return Err(Error::analysis(format!("{name} takes 1 to 3 arguments")));
                }
                if ignore_nulls {
                    return Err(Error::unsupported(format!("{name} ... IGNORE NULLS")));
                }
                needs_order(name)?;
                let value_type = args[0].data_type(scope);
                let mut planned = vec![args[0].clone()];
                let offset = integer_literal(args.get(1)).ok_or_else(|| {
                    Error::analysis(format!("the offset of {name} must be an integer literal"))
                })?;
                planned.push(Expr::Literal(ScalarValue::Int64(offset.unwrap_or(1))));
                let return_type = match args.get(2) {
                    Some(default) => {
                        let t = common_type(name, &[value_type.clone(), default.data_type(scope)])?;
                        planned[0] = planned[0].clone().cast(&t, scope);
                        planned.push(default.clone().cast(&t, scope));
                        t
                    }
                    None => value_type,
                };
                (planned, return_type)
            }
            WindowFunction::FirstValue | WindowFunction::LastValue => {
                // Spark's optional second argument is the IGNORE NULLS flag.
                match args.get(1) {
                    None => {}
                    Some(Expr::Literal(ScalarValue::Boolean(b))) if args.len() == 2 => {
                        ignore_nulls |= *b
                    }
                    Some(_) => {
                        return Err(Error::analysis(format!(
                            "{name} takes a value and an optional boolean literal (ignore nulls)"
                        )))
                    }
                }
                let Some(value) = args.first() else {
                    return Err(Error::analysis(format!("{name} needs an argument")));
                };
                (vec![value.clone()], value.data_type(scope))
            }
            WindowFunction::NthValue => {
                let (value, n) = match args.as_slice() {
                    [value, n] => (value, integer_literal(Some(n)).flatten()),
                    _ => return Err(Error::analysis("nth_value takes a value and an offset")),
                };
                let n = match n {
                    Some(n) if n > 0 => n,
                    _ => {
                        return Err(Error::analysis(
                            "the offset of nth_value must be a positive integer literal",
                        ))
                    }
                };
                (
                    vec![value.clone(), Expr::Literal(ScalarValue::Int64(n))],
                    value.data_type(scope),
                )
            }
            WindowFunction::Aggregate(agg) => {
                if !agg.works_over_windows() {
                    return Err(Error::unsupported(format!("{name} as a window function")));
                }
                // `first(x) IGNORE NULLS` is `first(x, true)`, a setting of the aggregate.
                let treatment = null_treatment.map(|_| std::mem::take(&mut ignore_nulls));
                let args = with_null_treatment(agg, args, treatment)?;
                match aggregate_call(agg, args, false, star, scope)? {
                    Expr::Aggregate(call) => (call.args, call.return_type),
                    other if other.contains_aggregate() => {
                        let t = other.data_type(scope);
                        over_aggregates = Some(other);
                        (vec![], t)
                    }
                    _ => {
                        return Err(Error::unsupported(format!(
                            "{name} with these arguments as a window function"
                        )))
                    }
                }
            }
            WindowFunction::SessionWindow => {
                return Err(Error::analysis(
                    "session_window is not a window function: group by it instead",
                ))
            }
        };
        let frame = match spec.window_frame.as_ref() {
            None => WindowFrame::default_for(!order_by.is_empty()),
            Some(_) if !func.takes_frame() => {
                return Err(Error::analysis(format!(
                    "{name} does not take a window frame (ROWS / RANGE)"
                )))
            }
            Some(frame) => window_frame(frame, &order_by, scope)?,
        };
        if let Some(expr) = over_aggregates {
            return Ok(expr.rewrite(&mut |node| match node {
                Expr::Aggregate(call) => Some(Expr::Window(Box::new(WindowCall {
                    func: WindowFunction::Aggregate(call.func),
                    args: call.args.clone(),
                    partition_by: partition_by.clone(),
                    order_by: order_by.clone(),
                    frame,
                    ignore_nulls,
                    return_type: call.return_type.clone(),
                }))),
                _ => None,
            }));
        }
        Ok(Expr::Window(Box::new(WindowCall {
            func: match func {
                WindowFunction::Aggregate(AggregateFunction::Count) if star => {
                    WindowFunction::Aggregate(AggregateFunction::CountStar)
                }
                other => other,
            },
            args,
            partition_by,
            order_by,
            frame,
            ignore_nulls,
            return_type,
        })))
    }
}

/// `None` when `e` is given and is not an integer literal; `Some(None)` when absent.
fn integer_literal(e: Option<&Expr>) -> Option<Option<i64>> {
    match e {
        None => Some(None),
        Some(Expr::Literal(ScalarValue::Int32(n))) => Some(Some(*n as i64)),
        Some(Expr::Literal(ScalarValue::Int64(n))) => Some(Some(*n)),
        Some(_) => None,
    }
}

/// A frame clause, checked as Spark checks it: `ROWS` offsets are integer literals;
/// `RANGE` offsets need exactly one numeric, date, timestamp or interval order key (days
/// on dates, an interval on timestamps, an interval of the key's family or a number of
/// its last field on intervals: `interval_frames`); the start may not come after the
/// end.
fn window_frame(
    frame: &ast::WindowFrame,
    order_by: &[SortKey],
    scope: &PlanSchema,
) -> Result<WindowFrame> {
    let units = match frame.units {
        WindowFrameUnits::Rows => FrameUnits::Rows,
        WindowFrameUnits::Range => FrameUnits::Range,
        WindowFrameUnits::Groups => return Err(Error::unsupported("GROUPS window frames")),
    };
    let key_type = match (units, order_by) {
        (FrameUnits::Range, [key]) => Some(key.expr.data_type(scope)),
        _ => None,
    };
    let key_fields = match order_by {
        [key] => key.expr.interval_fields(scope),
        _ => None,
    };
    let bound = |b: &WindowFrameBound| -> Result<FrameBound> {
        let offset = |e: &ast::Expr| -> Result<FrameOffset> {
            match units {
                FrameUnits::Rows => rows_offset(e),
                FrameUnits::Range => match (&key_type, key_fields) {
                    (Some(_), Some(fields)) => interval_range_offset(e, fields),
                    (Some(t), None) => range_offset(e, t),
                    (None, _) if order_by.is_empty() => Err(Error::analysis(
                        "a RANGE frame with offsets needs ORDER BY in its window",
                    )),
                    (None, _) => Err(Error::analysis(
                        "a RANGE frame with offsets needs exactly one ORDER BY key",
                    )),
                },
            }
        };
        Ok(match b {
            WindowFrameBound::CurrentRow => FrameBound::CurrentRow,
            WindowFrameBound::Preceding(None) => FrameBound::UnboundedPreceding,
            WindowFrameBound::Following(None) => FrameBound::UnboundedFollowing,
            WindowFrameBound::Preceding(Some(e)) => FrameBound::Preceding(offset(e)?),
            WindowFrameBound::Following(Some(e)) => FrameBound::Following(offset(e)?),
        })
    };
    let start = bound(&frame.start_bound)?;
    let end = match &frame.end_bound {
        Some(b) => bound(b)?,
        None => FrameBound::CurrentRow,
    };
    if start == FrameBound::UnboundedFollowing {
        return Err(Error::analysis(
            "a window frame cannot start at UNBOUNDED FOLLOWING",
        ));
    }
    if end == FrameBound::UnboundedPreceding {
        return Err(Error::analysis(
            "a window frame cannot end at UNBOUNDED PRECEDING",
        ));
    }
    // Spark compares the two bounds only when both are offsets (`CURRENT ROW AND 2
    // PRECEDING` is an empty frame, `1 FOLLOWING AND 1 PRECEDING` an error).
    let offsets = |b: &FrameBound| matches!(b, FrameBound::Preceding(_) | FrameBound::Following(_));
    if offsets(&start) && offsets(&end) && rank(&start) > rank(&end) {
        return Err(Error::analysis(format!(
            "the start of a window frame ({}) comes after its end ({})",
            start, end
        )));
    }
    Ok(WindowFrame { units, start, end })
}

/// A bound's place on the number line of offsets from the current row, to check that the
/// start does not come after the end.
fn rank(b: &FrameBound) -> f64 {
    let value = |o: &FrameOffset| match o {
        FrameOffset::Int(v) | FrameOffset::Micros(v) => *v as f64,
        FrameOffset::Float(v) => *v,
    };
    match b {
        FrameBound::UnboundedPreceding => f64::NEG_INFINITY,
        FrameBound::Preceding(o) => -value(o),
        FrameBound::CurrentRow => 0.0,
        FrameBound::Following(o) => value(o),
        FrameBound::UnboundedFollowing => f64::INFINITY,
    }
}

/// A number literal, possibly negated, as written in a frame bound.
fn rows_offset(e: &ast::Expr) -> Result<FrameOffset> {
    number(e)
        .and_then(|t| t.parse::<i64>().ok())
        .map(FrameOffset::Int)
        .ok_or_else(|| {
            Error::analysis(format!(
                "a ROWS frame bound must be an integer literal, got `{e}`"
            ))
        })
}

/// A `RANGE` offset in the order key's terms: a number for a numeric key, a number of
/// days or an `INTERVAL n DAY` for a date key, an interval for a timestamp key.
fn range_offset(e: &ast::Expr, key: &DataType) -> Result<FrameOffset> {
    let bad = || {
        Error::analysis(format!(
            "the RANGE frame bound `{e}` does not fit an ORDER BY key of type {}",
            spark_type_name(key)
        ))
    };
    match key {
        // Frames slide over double keys; a decimal key's bounds must be exact.
        DataType::Decimal128(_, _) => Err(Error::unsupported(
            "a RANGE frame with offsets over a decimal ORDER BY key (cast the key to double)",
        )),
        DataType::Date32 => match e {
            ast::Expr::Interval(interval) => {
                let micros = interval_micros(interval).ok_or_else(bad)?;
                if micros % 86_400_000_000 != 0 {
                    return Err(bad());
                }
                Ok(FrameOffset::Int(micros / 86_400_000_000))
            }
            _ => rows_offset(e).map_err(|_| bad()),
        },
        DataType::Timestamp(_, _) => match e {
            ast::Expr::Interval(interval) => interval_micros(interval)
                .map(FrameOffset::Micros)
                .ok_or_else(bad),
            _ => Err(bad()),
        },
        t if is_integer(t) => {
            let text = number(e).ok_or_else(bad)?;
            match text.parse::<i64>() {
                Ok(v) => Ok(FrameOffset::Int(v)),
                Err(_) => text
                    .parse::<f64>()
                    .map(FrameOffset::Float)
                    .map_err(|_| bad()),
            }
        }
        t if t.is_numeric() => number(e)
            .and_then(|t| t.parse::<f64>().ok())
            .map(FrameOffset::Float)
            .ok_or_else(bad),
        _ => Err(bad()),
    }
}

/// An interval of days or less, in microseconds (months are not a fixed length).
fn interval_micros(interval: &ast::Interval) -> Option<i64> {
    interval_parts(interval)
        .filter(|p| p.months == 0)
        .map(|p| p.micros)
}

impl std::fmt::Display for FrameOffset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameOffset::Int(v) => write!(f, "{v}"),
            FrameOffset::Float(v) => write!(f, "{v}"),
            FrameOffset::Micros(v) => write!(f, "INTERVAL '{}' SECOND", *v as f64 / 1e6),
        }
    }
}

impl std::fmt::Display for FrameBound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameBound::UnboundedPreceding => write!(f, "UNBOUNDED PRECEDING"),
            FrameBound::Preceding(o) => write!(f, "{o} PRECEDING"),
            FrameBound::CurrentRow => write!(f, "CURRENT ROW"),
            FrameBound::Following(o) => write!(f, "{o} FOLLOWING"),
            FrameBound::UnboundedFollowing => write!(f, "UNBOUNDED FOLLOWING"),
        }
    }
}

impl std::fmt::Display for WindowFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let units = match self.units {
            FrameUnits::Rows => "ROWS",
            FrameUnits::Range => "RANGE",
        };
        write!(f, "{units} BETWEEN {} AND {}", self.start, self.end)
    }
}
