//! `window(time, duration[, slide[, start]])`: Spark's time windows, planned as Spark's
//! `TimeWindowing` rule plans them. A SELECT that calls `window` (in its list, WHERE,
//! GROUP BY, HAVING or ORDER BY) gets a column `window` (`struct<start, end>`) added under
//! it, and every such call reads that column, so `GROUP BY window(ts, '1 hour')` groups
//! by it and `window.start` names its field:
//!
//! - a tumbling window (slide = duration): rows with a NULL time dropped, then each row's
//!   one window computed (a projection);
//! - a sliding one: each row repeated once per window that may hold it,
//!   `ceil(duration / slide)` of them, latest first (Spark's `Expand`, here an `explode`
//!   of the windows), and where the slide does not divide the duration the windows not
//!   holding the time filtered out (NULL times give no windows).
//!
//! Durations are literals as in Spark: interval strings (`'10 minutes'`, no months or
//! years) or integers (microseconds). A date or string time is cast to a timestamp; a
//! window struct is read at its `window_time`. One window expression per SELECT, as Spark
//! requires (several would multiply the rows).
//!
//! `session_window(time, gap)` (Spark's `SessionWindowing` and session merging): in a
//! SELECT that groups by it, a window function over the rows WHERE keeps, partitioned by
//! the other grouping keys and ordered by time, gives each row its merged session
//! (`exec::window::session`); elsewhere each row's own `[time, time + gap]`. The gap is a
//! string literal; one that is not positive (or not an interval) keeps no rows.

use arrow_schema::DataType;
use sqlparser::ast::{self, FunctionArg, FunctionArgExpr, FunctionArguments, SelectItem};

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::plan::expr::{BinaryOp, Expr, SortKey, WindowCall, WindowFrame};
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{window_type, DateTimeFunction, ScalarFunction, WindowFunction};
use crate::sql::plan::interval_string;
use crate::sql::plan::logical::{Generator, LogicalPlan};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::plan::time_window_spec::{TimeWindowColumn, TimeWindowSpec, TIME_WINDOW};
use crate::sql::types::timestamp_type;

/// The most windows a sliding window may put each row in (`ceil(duration / slide)`): each
/// row is repeated that many times, so more would exhaust memory before the query ends.
const MAX_WINDOWS_PER_ROW: i64 = 10_000;

/// Spark's message when a SELECT has two different window expressions.
const MULTIPLE: &str = "Multiple time/session window expressions would result in a cartesian \
                        product of rows, therefore they are currently not supported: use one \
                        window(...) per SELECT";

impl Planner<'_> {
    /// Adds the `window` (or `session_window`) column under a SELECT that calls
    /// `window(...)` (see the module doc), and remembers it for
    /// [`Planner::time_window_call`]; `plan` unchanged if the SELECT has no window call. A
    /// session window the SELECT groups by is returned instead, to be added after WHERE
    /// ([`Planner::group_sessions`]): its sessions are those of the rows WHERE keeps.
    pub(crate) fn expand_time_window(
        &mut self,
        plan: LogicalPlan,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
    ) -> Result<(LogicalPlan, Option<TimeWindowSpec>)> {
        let mut calls = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    window_calls(e, &mut calls)
                }
                _ => {}
            }
        }
        let mut in_where = Vec::new();
        if let Some(e) = &select.selection {
            window_calls(e, &mut in_where);
        }
        calls.extend(in_where.iter().copied());
        if let Some(e) = &select.having {
            window_calls(e, &mut calls);
        }
        if let ast::GroupByExpr::Expressions(exprs, _) = &select.group_by {
            exprs.iter().for_each(|e| window_calls(e, &mut calls));
        }
        for key in order_by {
            window_calls(&key.expr, &mut calls);
        }
        if calls.is_empty() {
            return Ok((plan, None));
        }
        let scope = plan.schema();
        let mut spec: Option<TimeWindowSpec> = None;
        for (call, session) in calls {
            let args = self.window_args(call, &scope)?;
            let this = window_spec(args, &scope, session)?;
            match &spec {
                Some(s) if *s != this => return Err(Error::analysis(MULTIPLE)),
                _ => spec = Some(this),
            }
        }
        let Some(spec) = spec else {
            return Ok((plan, None));
        };
        if spec.session && groups_by_session(select) {
            if !in_where.is_empty() {
                return Err(Error::unsupported(
                    "session_window in the WHERE of a query that groups by it (its sessions \
                     are those of the rows WHERE keeps): filter in a subquery first",
                ));
            }
            return Ok((plan, Some(spec)));
        }
        let column = scope.len();
        let plan = if spec.session {
            session_rows(plan, &spec, &scope)?
        } else {
            expand(plan, &spec, &scope)?
        };
        self.time_window = Some(TimeWindowColumn { spec, column });
        Ok((plan, None))
    }

    /// The `session_window` column of a SELECT grouping by it, added after WHERE: rows with
    /// a time, their sessions merged within each group of the SELECT's other grouping keys
    /// (`exec::window::session`).
    pub(crate) fn group_sessions(
        &mut self,
        plan: LogicalPlan,
        spec: TimeWindowSpec,
        select: &ast::Select,
        scope: &PlanSchema,
    ) -> Result<LogicalPlan> {
        let mut keys = Vec::new();
        if let ast::GroupByExpr::Expressions(exprs, _) = &select.group_by {
            for g in exprs {
                let g = group_target(g, select);
                if session_call(g).is_none() {
                    keys.push(self.expr(g, scope)?);
                }
            }
        }
        let time_type = spec.time.data_type(scope);
        let window = window_type(&time_type);
        let kept = LogicalPlan::Filter {
            input: Box::new(plan),
            predicate: kept_times(&spec),
        };
        let call = WindowCall {
            func: WindowFunction::SessionWindow,
            args: vec![
                spec.time.clone(),
                Expr::Literal(ScalarValue::Int64(spec.length)),
            ],
            partition_by: keys,
            order_by: vec![SortKey {
                expr: spec.time.clone(),
                ascending: true,
                nulls_first: true,
            }],
            frame: WindowFrame::default_for(true),
            ignore_nulls: false,
            return_type: window.clone(),
        };
        let mut fields = scope.fields().to_vec();
        fields.push(PlanField::new(Some(TIME_WINDOW), SESSION, window));
        // In time order within each group, as Spark's aggregation sees a session's rows
        // (`collect_list`, `first`, ... follow it).
        let order: Vec<SortKey> = call
            .partition_by
            .iter()
            .chain(std::iter::once(&spec.time))
            .map(|e| SortKey {
                expr: e.clone(),
                ascending: true,
                nulls_first: true,
            })
            .collect();
        let column = scope.len();
        self.time_window = Some(TimeWindowColumn { spec, column });
        Ok(LogicalPlan::Sort {
            input: Box::new(LogicalPlan::Window {
                input: Box::new(kept),
                windows: vec![call],
                schema: PlanSchema::new(fields),
            }),
            keys: order,
            fetch: None,
        })
    }

    fn window_args(&mut self, call: &ast::Function, scope: &PlanSchema) -> Result<Vec<Expr>> {
        let FunctionArguments::List(list) = &call.args else {
            return Err(arity(0));
        };
        list.args
            .iter()
            .map(|arg| match arg {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => self.expr(e, scope),
                other => Err(Error::unsupported(format!(
                    "the argument `{other}` of window"
                ))),
            })
            .collect()
    }

    /// `window(...)` or `session_window(...)` met while planning an expression: the
    /// SELECT's window column.
    pub(crate) fn time_window_call(
        &mut self,
        args: Vec<Expr>,
        scope: &PlanSchema,
        session: bool,
    ) -> Result<Expr> {
        let spec = window_spec(args, scope, session)?;
        match &self.time_window {
            Some(w) if w.spec == spec && w.column < scope.len() => Ok(Expr::column(
                w.column,
                if session { SESSION } else { "window" },
            )),
            Some(_) => Err(Error::analysis(MULTIPLE)),
            None => Err(Error::unsupported(
                "window(...) or session_window(...) here: call it in a SELECT list, WHERE, \
                 GROUP BY, HAVING or ORDER BY, outside lambdas and subqueries",
            )),
        }
    }
}

/// The name of the column a session window adds.
const SESSION: &str = "session_window";

/// `e` as a call of `window` (false) or `session_window` (true), if it is one.
fn time_window_kind(e: &ast::Expr) -> Option<(&ast::Function, bool)> {
    let ast::Expr::Function(f) = e else {
        return None;
    };
    if f.over.is_some() {
        return None;
    }
    let name = f.name.to_string();
    if name.eq_ignore_ascii_case("window") {
        Some((f, false))
    } else if name.eq_ignore_ascii_case(SESSION) {
        Some((f, true))
    } else {
        None
    }
}

fn session_call(e: &ast::Expr) -> Option<&ast::Function> {
    time_window_kind(e)
        .filter(|(_, session)| *session)
        .map(|(f, _)| f)
}

/// What a GROUP BY item names: a SELECT item by its position (`GROUP BY 2`) or its alias
/// (`GROUP BY s`), else itself.
fn group_target<'a>(g: &'a ast::Expr, select: &'a ast::Select) -> &'a ast::Expr {
    let item_expr = |item: &'a SelectItem| match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
        _ => None,
    };
    match g {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n
                .parse::<usize>()
                .ok()
                .and_then(|i| select.projection.get(i.checked_sub(1)?))
                .and_then(item_expr)
                .unwrap_or(g),
            _ => g,
        },
        ast::Expr::Identifier(name) => select
            .projection
            .iter()
            .find_map(|item| match item {
                SelectItem::ExprWithAlias { expr, alias }
                    if alias.value.eq_ignore_ascii_case(&name.value)
                        && session_call(expr).is_some() =>
                {
                    Some(expr)
                }
                _ => None,
            })
            .unwrap_or(g),
        _ => g,
    }
}

/// Whether the SELECT groups by a `session_window(...)` call.
fn groups_by_session(select: &ast::Select) -> bool {
    match &select.group_by {
        ast::GroupByExpr::Expressions(exprs, _) => exprs
            .iter()
            .any(|g| session_call(group_target(g, select)).is_some()),
        _ => false,
    }
}

/// Calls of `window` and `session_window` (true) in `e` (not inside subqueries, which
/// plan their own).
fn window_calls<'a>(e: &'a ast::Expr, out: &mut Vec<(&'a ast::Function, bool)>) {
    use ast::Expr as E;
    if let Some(call) = time_window_kind(e) {
        out.push(call);
        return;
    }
    match e {
        E::Function(f) => {
            if let FunctionArguments::List(list) = &f.args {
                for arg in &list.args {
                    if let FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                    | FunctionArg::Named {
                        arg: FunctionArgExpr::Expr(e),
                        ..
                    } = arg
                    {
                        window_calls(e, out);
                    }
                }
            }
        }
        E::Nested(e)
        | E::UnaryOp { expr: e, .. }
        | E::Cast { expr: e, .. }
        | E::IsNull(e)
        | E::IsNotNull(e)
        | E::IsTrue(e)
        | E::IsFalse(e)
        | E::IsNotTrue(e)
        | E::IsNotFalse(e)
        | E::CompoundFieldAccess { root: e, .. } => window_calls(e, out),
        E::BinaryOp { left, right, .. }
        | E::IsDistinctFrom(left, right)
        | E::IsNotDistinctFrom(left, right) => {
            window_calls(left, out);
            window_calls(right, out);
        }
        E::Between {
            expr, low, high, ..
        } => {
            for e in [expr, low, high] {
                window_calls(e, out);
            }
        }
        E::InList { expr, list, .. } => {
            window_calls(expr, out);
            list.iter().for_each(|e| window_calls(e, out));
        }
        E::Case {
            operand,
            conditions,
            else_result,
            ..
        } => {
            for e in operand.iter().chain(else_result) {
                window_calls(e, out);
            }
            for when in conditions {
                window_calls(&when.condition, out);
                window_calls(&when.result, out);
            }
        }
        _ => {}
    }
}

fn arity(given: usize) -> Error {
    Error::analysis(format!(
        "window requires 2, 3 or 4 arguments (time, duration[, slide[, start]]), got {given}"
    ))
}

/// The window a call's planned arguments describe, checked as Spark checks it.
fn window_spec(args: Vec<Expr>, scope: &PlanSchema, session: bool) -> Result<TimeWindowSpec> {
    if session && args.len() != 2 {
        return Err(Error::analysis(format!(
            "session_window requires 2 arguments (time, gap), got {}",
            args.len()
        )));
    }
    if !(2..=4).contains(&args.len()) {
        return Err(arity(args.len()));
    }
    let mut args = args.into_iter();
    let time = args.next().ok_or_else(|| arity(0))?;
    let time = match time.data_type(scope) {
        DataType::Timestamp(_, _) => time,
        DataType::Date32 | DataType::Utf8 | DataType::Null => time.cast(&timestamp_type(), scope),
        DataType::Struct(_) => {
            // A window's own time (`window_time`): windows of windows, as Spark.
            scalar_call(
                ScalarFunction::DateTime(DateTimeFunction::WindowTime),
                vec![time],
                scope,
            )?
        }
        other => {
            return Err(Error::analysis(format!(
                "window's first argument must be a timestamp (or a date), got {}",
                spark_type_name(&other)
            )))
        }
    };
    if session {
        let gap = args.next().map(session_gap).transpose()?.unwrap_or(0);
        return Ok(TimeWindowSpec {
            time,
            length: gap,
            slide: gap,
            start: 0,
            session: true,
        });
    }
    let durations = args.map(duration).collect::<Result<Vec<i64>>>()?;
    let length = durations[0];
    let slide = durations.get(1).copied().unwrap_or(length);
    let start = durations.get(2).copied().unwrap_or(0);
    if length <= 0 {
        return Err(Error::analysis(format!(
            "window's duration must be positive, got {length} microseconds"
        )));
    }
    if slide <= 0 {
        return Err(Error::analysis(format!(
            "window's slide duration must be positive, got {slide} microseconds"
        )));
    }
    if slide > length {
        return Err(Error::analysis(format!(
            "window's slide duration ({slide} microseconds) must be <= its duration ({length})"
        )));
    }
    let windows = length / slide + i64::from(length % slide != 0);
    if windows > MAX_WINDOWS_PER_ROW {
        return Err(Error::unsupported(format!(
            "a sliding window that puts each row in {windows} windows (more than \
             {MAX_WINDOWS_PER_ROW}): use a longer slide"
        )));
    }
    if start.unsigned_abs() >= slide.unsigned_abs() {
        return Err(Error::analysis(format!(
            "window's start time must be shorter than its slide: abs({start}) must be < \
             {slide} microseconds"
        )));
    }
    Ok(TimeWindowSpec {
        time,
        length,
        slide,
        start,
        session: false,
    })
}

/// A session's gap in microseconds: a string literal read as Spark reads an interval; one
/// Spark reads as NULL (not an interval) gives no rows, as a gap that is not positive.
fn session_gap(arg: Expr) -> Result<i64> {
    let Expr::Literal(ScalarValue::Utf8(text)) = arg else {
        return Err(Error::unsupported(
            "session_window's gap other than a string literal ('5 minutes'): Spark also \
             takes an expression per row",
        ));
    };
    let Some(interval) = interval_string::parse(&text) else {
        return Ok(0);
    };
    if interval.months != 0 {
        return Err(Error::unsupported(format!(
            "session_window's gap '{text}' in months or years"
        )));
    }
    Ok(i64::from(interval.days)
        .checked_mul(86_400_000_000)
        .and_then(|d| d.checked_add(interval.micros))
        .unwrap_or(0)
        .max(0))
}

/// The rows a time window keeps: those with a time, and (a session) a positive gap.
fn kept_times(spec: &TimeWindowSpec) -> Expr {
    let has_time = Expr::IsNull {
        expr: Box::new(spec.time.clone()),
        negated: true,
    };
    if spec.session && spec.length <= 0 {
        Expr::Literal(ScalarValue::Boolean(false))
    } else {
        has_time
    }
}

/// `plan` with the column `session_window` added: each row's own session, from its time
/// to its time plus the gap (Spark's, where the SELECT does not group by it).
fn session_rows(
    plan: LogicalPlan,
    spec: &TimeWindowSpec,
    scope: &PlanSchema,
) -> Result<LogicalPlan> {
    let window = window_type(&spec.time.data_type(scope));
    let end = scalar_call(
        ScalarFunction::DateTime(DateTimeFunction::TimestampAddInterval),
        vec![
            spec.time.clone(),
            Expr::Literal(ScalarValue::Int32(0)),
            Expr::Literal(ScalarValue::Int64(spec.length)),
        ],
        scope,
    )?;
    let kept = LogicalPlan::Filter {
        input: Box::new(plan),
        predicate: kept_times(spec),
    };
    let mut exprs: Vec<Expr> = (0..scope.len())
        .map(|i| Expr::column(i, scope.field(i).name.clone()))
        .collect();
    exprs.push(Expr::Function {
        func: ScalarFunction::MakeStruct,
        args: vec![spec.time.clone(), end],
        return_type: window.clone(),
    });
    let mut fields = scope.fields().to_vec();
    fields.push(PlanField::new(Some(TIME_WINDOW), SESSION, window));
    Ok(LogicalPlan::Project {
        input: Box::new(kept),
        exprs,
        schema: PlanSchema::new(fields),
    })
}

/// A duration argument in microseconds: an interval string without months, or an integer.
fn duration(arg: Expr) -> Result<i64> {
    match arg {
        Expr::Literal(ScalarValue::Utf8(text)) => {
            let interval = interval_string::parse(&text).ok_or_else(|| {
                Error::analysis(format!(
                    "cannot parse '{text}' as an interval (as '10 minutes', '1 hour 30 \
                     minutes', '1.5 seconds')"
                ))
            })?;
            if interval.months != 0 {
                return Err(Error::analysis(format!(
                    "Intervals greater than a month is not supported ({text}): window's \
                     durations are days or shorter"
                )));
            }
            i64::from(interval.days)
                .checked_mul(86_400_000_000)
                .and_then(|d| d.checked_add(interval.micros))
                .ok_or_else(|| Error::analysis(format!("the interval '{text}' is too long")))
        }
        Expr::Literal(ScalarValue::Int32(v)) => Ok(i64::from(v)),
        Expr::Literal(ScalarValue::Int64(v)) => Ok(v),
        _ => Err(Error::analysis(
            "The duration and time inputs to window must be an integer, long or string literal",
        )),
    }
}

/// `plan` with the column `window` added after its columns (see the module doc).
fn expand(plan: LogicalPlan, spec: &TimeWindowSpec, scope: &PlanSchema) -> Result<LogicalPlan> {
    let time_type = spec.time.data_type(scope);
    let window = window_type(&time_type);
    let args = vec![
        spec.time.clone(),
        Expr::Literal(ScalarValue::Int64(spec.length)),
        Expr::Literal(ScalarValue::Int64(spec.slide)),
        Expr::Literal(ScalarValue::Int64(spec.start)),
    ];
    let mut fields = scope.fields().to_vec();
    fields.push(PlanField::new(Some(TIME_WINDOW), "window", window.clone()));
    let schema = PlanSchema::new(fields);
    if spec.length == spec.slide {
        let kept = LogicalPlan::Filter {
            input: Box::new(plan),
            predicate: Expr::IsNull {
                expr: Box::new(spec.time.clone()),
                negated: true,
            },
        };
        let mut exprs: Vec<Expr> = (0..scope.len())
            .map(|i| Expr::column(i, scope.field(i).name.clone()))
            .collect();
        exprs.push(scalar_call(
            ScalarFunction::DateTime(DateTimeFunction::TimeWindow),
            args,
            scope,
        )?);
        return Ok(LogicalPlan::Project {
            input: Box::new(kept),
            exprs,
            schema,
        });
    }
    let windows = scalar_call(
        ScalarFunction::DateTime(DateTimeFunction::TimeWindows),
        args,
        scope,
    )?;
    let expanded = LogicalPlan::Generate {
        input: Box::new(plan),
        generator: Generator::explode(),
        arg: windows,
        schema: schema.clone(),
    };
    if spec.length % spec.slide == 0 {
        return Ok(expanded);
    }
    // `start <= time < end`: the earliest window may end before the time.
    let column = Expr::column(scope.len(), "window");
    let field = |index: usize| Expr::Function {
        func: ScalarFunction::GetField(index),
        args: vec![column.clone()],
        return_type: time_type.clone(),
    };
    let predicate = Expr::binary(
        BinaryOp::And,
        Expr::binary(BinaryOp::GtEq, spec.time.clone(), field(0)),
        Expr::binary(BinaryOp::Lt, spec.time.clone(), field(1)),
    );
    Ok(LogicalPlan::Filter {
        input: Box::new(expanded),
        predicate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts_scope() -> PlanSchema {
        PlanSchema::new(vec![
            PlanField::new(Some("e"), "id", DataType::Int32),
            PlanField::new(Some("e"), "ts", timestamp_type()),
        ])
    }

    fn spec(durations: &[&str]) -> Result<TimeWindowSpec> {
        let mut args = vec![Expr::column(1, "ts")];
        args.extend(
            durations
                .iter()
                .map(|d| Expr::Literal(ScalarValue::Utf8(d.to_string()))),
        );
        window_spec(args, &ts_scope(), false)
    }

    fn scan() -> LogicalPlan {
        LogicalPlan::Alias {
            input: Box::new(LogicalPlan::OneRow),
            schema: ts_scope(),
        }
    }

    /// A tumbling window drops NULL times and computes one window per row.
    #[test]
    fn tumbling_window_is_a_filter_and_a_projection() {
        let s = spec(&["1 hour"]).unwrap();
        assert_eq!(
            (s.length, s.slide, s.start),
            (3_600_000_000, 3_600_000_000, 0)
        );
        let plan = expand(scan(), &s, &ts_scope()).unwrap();
        let LogicalPlan::Project {
            input,
            exprs,
            schema,
        } = plan
        else {
            panic!("not a projection: {plan:?}")
        };
        assert_eq!(exprs.len(), 3);
        assert_eq!(schema.field(2).name, "window");
        assert!(matches!(
            &exprs[2],
            Expr::Function {
                func: ScalarFunction::DateTime(DateTimeFunction::TimeWindow),
                ..
            }
        ));
        let LogicalPlan::Filter { predicate, .. } = *input else {
            panic!("no NULL filter")
        };
        assert!(matches!(predicate, Expr::IsNull { negated: true, .. }));
    }

    /// A sliding window whose slide divides it explodes every window, no filter after.
    #[test]
    fn sliding_window_explodes_each_window() {
        let s = spec(&["1 hour", "20 minutes"]).unwrap();
        let plan = expand(scan(), &s, &ts_scope()).unwrap();
        let LogicalPlan::Generate { arg, schema, .. } = plan else {
            panic!("not an explode: {plan:?}")
        };
        assert_eq!(schema.len(), 3);
        assert!(matches!(
            arg,
            Expr::Function {
                func: ScalarFunction::DateTime(DateTimeFunction::TimeWindows),
                ..
            }
        ));
    }

    /// A slide that does not divide the duration keeps only windows holding the time.
    #[test]
    fn uneven_slide_filters_the_windows() {
        let s = spec(&["1 hour", "25 minutes", "5 minutes"]).unwrap();
        let plan = expand(scan(), &s, &ts_scope()).unwrap();
        let LogicalPlan::Filter { input, predicate } = plan else {
            panic!("no window filter: {plan:?}")
        };
        assert!(matches!(*input, LogicalPlan::Generate { .. }));
        assert!(matches!(
            predicate,
            Expr::Binary {
                op: BinaryOp::And,
                ..
            }
        ));
    }

    /// Spark's checks on the durations.
    #[test]
    fn refuses_what_spark_refuses() {
        for bad in [
            vec!["1 month"],
            vec!["0 seconds"],
            vec!["-1 hour"],
            vec!["1 hour", "2 hours"],
            vec!["1 hour", "1 hour", "1 hour"],
            vec!["1 hour", "30 minutes", "-30 minutes"],
            vec!["abc"],
        ] {
            assert!(spec(&bad).is_err(), "{bad:?}");
        }
        assert!(spec(&["1 day", "1 second"]).is_err());
        assert!(spec(&["9223372036854775807 microseconds", "1 hour"]).is_err());
        assert_eq!(
            spec(&["1 hour", "30 minutes", "-29 minutes"])
                .unwrap()
                .start,
            -1_740_000_000
        );
        let err = window_spec(vec![Expr::column(1, "ts")], &ts_scope(), false).unwrap_err();
        assert!(err.message().contains("2, 3 or 4"), "{}", err.message());
        let err = window_spec(
            vec![
                Expr::column(0, "id"),
                Expr::Literal(ScalarValue::Utf8("1 hour".into())),
            ],
            &ts_scope(),
            false,
        )
        .unwrap_err();
        assert!(err.message().contains("timestamp"), "{}", err.message());
    }

    fn session(gap: &str) -> TimeWindowSpec {
        let args = vec![
            Expr::column(1, "ts"),
            Expr::Literal(ScalarValue::Utf8(gap.to_string())),
        ];
        window_spec(args, &ts_scope(), true).unwrap()
    }

    /// A session's gap as Spark reads it: not positive or not an interval keeps no rows.
    #[test]
    fn session_gaps_and_rows() {
        assert_eq!(session("30 minutes").length, 1_800_000_000);
        for gap in ["0 seconds", "-5 minutes", "x"] {
            let s = session(gap);
            assert_eq!(s.length, 0, "{gap}");
            assert_eq!(kept_times(&s), Expr::Literal(ScalarValue::Boolean(false)));
        }
        assert!(window_spec(
            vec![
                Expr::column(1, "ts"),
                Expr::Literal(ScalarValue::Utf8("1 month".into()))
            ],
            &ts_scope(),
            true
        )
        .is_err());
        // Not grouped by: each row's own session, a projection over the rows with a time.
        let s = session("30 minutes");
        let plan = session_rows(scan(), &s, &ts_scope()).unwrap();
        let LogicalPlan::Project { input, schema, .. } = plan else {
            panic!("not a projection: {plan:?}")
        };
        assert_eq!(schema.field(2).name, "session_window");
        assert!(matches!(*input, LogicalPlan::Filter { .. }));
    }
}
