//! Turning sqlparser expressions into typed logical expressions over an input schema,
//! with Spark's coercions made explicit as casts.

use arrow_schema::DataType;
use sqlparser::ast::{
    self, BinaryOperator, CastKind, CeilFloorKind, DateTimeField, DuplicateTreatment, FunctionArg,
    FunctionArgExpr, FunctionArgumentClause, FunctionArguments, Spanned, TrimWhereField,
    UnaryOperator, Value,
};

use crate::error::{Error, Result};
use crate::frame::interval_type::is_interval as is_interval_type;
use crate::frame::interval_type::IntervalFields;
use crate::frame::spark_type_name;
use crate::sql::number_format::NumberFormat;
use crate::sql::parse::{at_span, at_span_if_unplaced, MULTI_ALIAS};
use crate::sql::plan::aggregates::{aggregate_call, ignores_nulls, with_null_treatment};
use crate::sql::plan::bitwise::{bitwise_binary, bitwise_not};
use crate::sql::plan::composite_aggregates::{composite_call, filtered_aggregate, Composite};
use crate::sql::plan::decimal_exprs;
use crate::sql::plan::expr::{BinaryOp, Expr, SortKey};
use crate::sql::plan::functions::{
    common_type, date_field, planning_seed, AggregateFunction, DateTimeFunction,
    HigherOrderFunction, MathFunction, MiscFunction, NumberFormatOp, ScalarFunction,
    StringFunction, WindowFunction,
};
use crate::sql::plan::interval::{
    interval_sum, is_interval, literal_fields, number as interval_number,
};
use crate::sql::plan::interval_exprs::{
    cast_from_interval, cast_to_interval, extract_interval, interval_arithmetic, interval_call,
    keeping_ntz, text_plus_interval, type_name_of,
};
use crate::sql::plan::logical::Generator;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::plan::try_eval::{integer_range_guard, try_aes_decrypt, try_arithmetic, try_cast};
use crate::sql::types::{arrow_type, is_integer, is_numeric, is_string, numeric_common};

impl Planner<'_> {
    /// Plans an expression over rows of `scope`. Aggregate and window calls are kept as
    /// such; the SELECT planner moves them into their own plan nodes.
    pub fn expr(&mut self, ast: &ast::Expr, scope: &PlanSchema) -> Result<Expr> {
        self.expr_inner(ast, scope)
            .map_err(|e| at_span_if_unplaced(e, ast.span()))
    }

    /// `value + interval` (`value - interval` when `minus`), as Spark: a date plus whole
    /// days or months is a date (`date_add`, `add_months`: the day clamped to the month's
    /// end), anything else a timestamp plus months, then microseconds.
    fn plus_interval(
        &mut self,
        value: &ast::Expr,
        interval: &ast::Expr,
        minus: bool,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let (parts, whole_days) = interval_sum(interval).map_err(Error::unsupported)?;
        let (months, micros) = if minus {
            (parts.months.checked_neg(), parts.micros.checked_neg())
        } else {
            (Some(parts.months), Some(parts.micros))
        };
        let months = months
            .and_then(|m| i32::try_from(m).ok())
            .ok_or_else(|| Error::analysis(format!("the interval `{interval}` is out of range")))?;
        let micros = micros
            .ok_or_else(|| Error::analysis(format!("the interval `{interval}` is out of range")))?;
        let value = self.expr(value, scope)?;
        let call = |f: DateTimeFunction, args: Vec<Expr>| {
            scalar_call(ScalarFunction::DateTime(f), args, scope)
        };
        if is_interval_type(&value.data_type(scope)) {
            // An interval value plus an interval literal: interval arithmetic.
            let op = if minus {
                BinaryOperator::Minus
            } else {
                BinaryOperator::Plus
            };
            let interval = self.interval_value(interval)?;
            return binary(&op, value, interval, scope);
        }
        match value.data_type(scope) {
            DataType::Date32 if whole_days => {
                let mut out = value;
                if months != 0 {
                    out = call(
                        DateTimeFunction::AddMonths,
                        vec![out, Expr::Literal(ScalarValue::Int32(months))],
                    )?;
                }
                let days = i32::try_from(micros / 86_400_000_000).map_err(|_| {
                    Error::analysis(format!("the interval `{interval}` is out of range"))
                })?;
                if days != 0 {
                    out = call(
                        DateTimeFunction::DateAdd,
                        vec![out, Expr::Literal(ScalarValue::Int32(days))],
                    )?;
                }
                Ok(out)
            }
            t @ (DataType::Date32 | DataType::Timestamp(_, _) | DataType::Null) => call(
                DateTimeFunction::TimestampAddInterval,
                vec![
                    value.cast(&crate::sql::types::timestamp_type(), scope),
                    Expr::Literal(ScalarValue::Int32(months)),
                    Expr::Literal(ScalarValue::Int64(micros)),
                ],
            )
            .map(|sum| keeping_ntz(&t, sum, scope)),
            // Text beside a day-time interval is read as a timestamp, and the result given
            // back as text. `micros` already carries the sign.
            text if is_string(&text) && months == 0 => text_plus_interval(
                value,
                Expr::Literal(ScalarValue::DayTime(micros, IntervalFields::default())),
                false,
                scope,
            ),
            // A time moves by a day-time interval only; Spark refuses months.
            DataType::Time64(_) if months == 0 => call(
                DateTimeFunction::TimeAddInterval,
                vec![value, Expr::Literal(ScalarValue::Int64(micros))],
            ),
            DataType::Time64(_) => Err(Error::analysis(format!(
                "a time plus or minus `{interval}`: a time moves by hours, minutes and \
                 seconds, not months or years"
            ))),
            other => Err(Error::analysis(format!(
                "`{} INTERVAL` needs a date, timestamp or time, got {}{}",
                if minus { "-" } else { "+" },
                spark_type_name(&other),
                if is_string(&other) {
                    " with a year-month interval (as Spark; cast the string to a date or \
                     timestamp first)"
                } else {
                    ""
                }
            ))),
        }
    }

    /// An interval literal as a value (`SELECT INTERVAL 3 DAYS`, `INTERVAL 1 YEAR`): a
    /// day-time or year-month interval typed with the literal's fields, as Spark.
    fn interval_value(&mut self, interval: &ast::Expr) -> Result<Expr> {
        let (parts, _) = interval_sum(interval).map_err(Error::unsupported)?;
        let out_of_range = || Error::analysis(format!("the interval `{interval}` is out of range"));
        match literal_fields(interval) {
            Some(fields) if fields.is_year_month() => {
                let months = i32::try_from(parts.months).map_err(|_| out_of_range())?;
                Ok(Expr::Literal(ScalarValue::YearMonth(months, fields)))
            }
            Some(fields) => Ok(Expr::Literal(ScalarValue::DayTime(parts.micros, fields))),
            None => Err(Error::unsupported(format!(
                "the interval `{interval}` as a value"
            ))),
        }
    }

    fn expr_inner(&mut self, ast: &ast::Expr, scope: &PlanSchema) -> Result<Expr> {
        use ast::Expr as A;
        if !self.lambda_vars.is_empty()
            && matches!(
                ast,
                A::Subquery(_) | A::Exists { .. } | A::InSubquery { .. }
            )
        {
            return Err(Error::unsupported(
                "a subquery inside a lambda function; join with it and read its column",
            ));
        }
        match ast {
            A::Identifier(ident) => self.identifier(None, &ident.value, scope),
            A::CompoundIdentifier(parts) => self.compound_identifier(parts, scope),
            A::Struct { values, fields } => self.struct_literal(values, !fields.is_empty(), scope),
            A::Value(value) => match &value.value {
                Value::Number(text, _) => number_literal(text, false),
                Value::HexStringLiteral(hex) => binary_literal(hex, scope),
                other => Ok(Expr::Literal(literal(other)?)),
            },
            A::TypedString(typed) => typed_literal(&typed.data_type, &typed.value.value),
            A::Nested(inner) => self.expr(inner, scope),
            A::BinaryOp {
                left,
                op: op @ (BinaryOperator::Plus | BinaryOperator::Minus),
                right,
            } if is_interval(left) || is_interval(right) => {
                // `INTERVAL 1 DAY 2 HOURS` (parsed as a sum), or one interval literal
                // plus or minus another: one interval value.
                if is_interval(ast) || (is_interval(left) && is_interval(right)) {
                    if let (Some(_), Ok(_)) = (literal_fields(ast), interval_sum(ast)) {
                        if *op == BinaryOperator::Plus {
                            return self.interval_value(ast);
                        }
                    }
                    let (l, r) = (self.expr(left, scope)?, self.expr(right, scope)?);
                    return binary(op, l, r, scope);
                }
                if is_interval(left) && *op == BinaryOperator::Minus {
                    return Err(Error::analysis(
                        "an interval minus a date or timestamp; write the date or timestamp first",
                    ));
                }
                let (value, interval) = if is_interval(right) {
                    (left, right)
                } else {
                    (right, left)
                };
                self.plus_interval(value, interval, *op == BinaryOperator::Minus, scope)
            }
            A::Interval(_) => self.interval_value(ast),
            A::BinaryOp { left, op, right } => {
                let left = self.expr(left, scope)?;
                let right = self.expr(right, scope)?;
                binary(op, left, right, scope)
            }
            A::UnaryOp { op, expr } => {
                if *op == UnaryOperator::Not && reaches_in_subquery(expr) {
                    return self.negation(expr, scope);
                }
                // `-128Y`, `-2147483648`: the sign belongs to the literal, as in Spark.
                if let (UnaryOperator::Minus, A::Value(value)) = (op, expr.as_ref()) {
                    if let Value::Number(text, _) = &value.value {
                        return number_literal(text, true);
                    }
                }
                let inner = self.expr(expr, scope)?;
                match op {
                    UnaryOperator::Not | UnaryOperator::BangNot => {
                        Ok(Expr::Not(Box::new(inner.into_boolean(scope, "NOT")?)))
                    }
                    UnaryOperator::Minus => {
                        let t = inner.data_type(scope);
                        if is_interval_type(&t) {
                            return scalar_call(
                                ScalarFunction::DateTime(DateTimeFunction::IntervalNegate),
                                vec![inner],
                                scope,
                            );
                        }
                        if is_numeric(&t) || t == DataType::Null {
                            Ok(Expr::Negate(Box::new(inner)))
                        } else {
                            Err(Error::analysis(format!(
                                "cannot negate a {}",
                                spark_type_name(&t)
                            )))
                        }
                    }
                    UnaryOperator::Plus => Ok(inner),
                    UnaryOperator::BitwiseNot => bitwise_not(inner, scope),
                    other => Err(Error::unsupported(format!("the operator {other}"))),
                }
            }
            A::IsNull(e) => Ok(Expr::IsNull {
                expr: Box::new(self.expr(e, scope)?),
                negated: false,
            }),
            A::IsNotNull(e) => Ok(Expr::IsNull {
                expr: Box::new(self.expr(e, scope)?),
                negated: true,
            }),
            A::IsDistinctFrom(l, r) | A::IsNotDistinctFrom(l, r) => {
                let left = self.expr(l, scope)?;
                let right = self.expr(r, scope)?;
                let same = Expr::compare(BinaryOp::NullSafeEq, left, right, scope)?;
                Ok(if matches!(ast, A::IsDistinctFrom(..)) {
                    Expr::Not(Box::new(same))
                } else {
                    same
                })
            }
            A::InList {
                expr,
                list,
                negated,
            } => {
                let expr = self.expr(expr, scope)?;
                let items = list
                    .iter()
                    .map(|e| self.expr(e, scope))
                    .collect::<Result<Vec<_>>>()?;
                let types: Vec<DataType> = std::iter::once(&expr)
                    .chain(&items)
                    .map(|e| e.data_type(scope))
                    .collect();
                let common = crate::sql::types::in_list_common(&types)?;
                Ok(Expr::InList {
                    expr: Box::new(expr.cast(&common, scope)),
                    list: items.into_iter().map(|i| i.cast(&common, scope)).collect(),
                    negated: *negated,
                })
            }
            A::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                let expr = self.expr(expr, scope)?;
                self.in_subquery(expr, subquery, *negated, scope)
            }
            A::Between {
                expr,
                negated,
                low,
                high,
            } => {
                let value = self.expr(expr, scope)?;
                let low = self.expr(low, scope)?;
                let high = self.expr(high, scope)?;
                let above = Expr::compare(BinaryOp::GtEq, value.clone(), low, scope)?;
                let below = Expr::compare(BinaryOp::LtEq, value, high, scope)?;
                let between = Expr::binary(BinaryOp::And, above, below);
                Ok(if *negated {
                    Expr::Not(Box::new(between))
                } else {
                    between
                })
            }
            A::Like {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            }
            | A::ILike {
                negated,
                any,
                expr,
                pattern,
                escape_char,
            } => {
                if escape_char.is_some() {
                    return Err(Error::unsupported("LIKE ... ESCAPE"));
                }
                let case_insensitive = matches!(ast, A::ILike { .. });
                if let Some((all, patterns)) = quantified_patterns(*any, pattern) {
                    // `x LIKE ANY (p, q)` is `x LIKE p OR x LIKE q`, `LIKE ALL` the AND
                    // (`NOT LIKE` each), with SQL's NULLs, as Spark's LikeAny / LikeAll.
                    let value = self.string_arg(expr, scope)?;
                    let mut combined: Option<Expr> = None;
                    for p in patterns {
                        let like = Expr::Like {
                            expr: Box::new(value.clone()),
                            pattern: Box::new(self.string_arg(p, scope)?),
                            negated: *negated,
                            case_insensitive,
                        };
                        let op = if all { BinaryOp::And } else { BinaryOp::Or };
                        combined = Some(match combined {
                            None => like,
                            Some(before) => Expr::binary(op, before, like),
                        });
                    }
                    return combined.ok_or_else(|| {
                        Error::analysis("LIKE ANY / ALL needs at least one pattern")
                    });
                }
                if *any {
                    return Err(Error::unsupported("LIKE ANY without a list of patterns"));
                }
                Ok(Expr::Like {
                    expr: Box::new(self.string_arg(expr, scope)?),
                    pattern: Box::new(self.string_arg(pattern, scope)?),
                    negated: *negated,
                    case_insensitive,
                })
            }
            A::RLike {
                negated,
                expr,
                pattern,
                ..
            } => Ok(Expr::RLike {
                expr: Box::new(self.string_arg(expr, scope)?),
                pattern: Box::new(self.string_arg(pattern, scope)?),
                negated: *negated,
            }),
            A::Cast {
                kind:
                    kind @ (CastKind::Cast
                    | CastKind::TryCast
                    | CastKind::SafeCast
                    | CastKind::DoubleColon),
                expr,
                data_type,
                format,
                ..
            } => {
                if format.is_some() {
                    return Err(Error::unsupported("CAST ... FORMAT"));
                }
                // Interval casts raise in any mode, as Spark's; `TRY_CAST` gives NULL
                // where its cast fails (`plan::try_eval`).
                let tried = matches!(kind, CastKind::TryCast | CastKind::SafeCast);
                let tried_cast = |cast: Expr, inner: Expr| {
                    if tried {
                        try_cast(cast, inner, scope)
                    } else {
                        Ok(cast)
                    }
                };
                if let ast::DataType::Interval { fields, .. } = data_type {
                    // `CAST(1.5 AS INTERVAL DAY)`: Spark's `1.5` is a decimal, which casts
                    // to an interval (a double does not).
                    let inner = match interval_number(expr) {
                        Some(text) if is_plain_decimal(&text) => {
                            Expr::Literal(decimal_literal(&text)?)
                        }
                        _ => self.expr(expr, scope)?,
                    };
                    let cast = cast_to_interval(inner.clone(), fields.as_ref(), scope)?;
                    return tried_cast(cast, inner);
                }
                let to = self.cast_target(data_type)?;
                let inner = self.expr(expr, scope)?;
                let from = inner.data_type(scope);
                if is_interval_type(&from) {
                    let cast = cast_from_interval(inner.clone(), &to, scope)?;
                    return tried_cast(cast, inner);
                }
                if !crate::sql::types::can_cast(&from, &to) {
                    return Err(Error::analysis(format!(
                        "cannot cast {} to {}",
                        spark_type_name(&from),
                        spark_type_name(&to)
                    )));
                }
                let guard_input = tried.then(|| inner.clone());
                let cast = Expr::Cast {
                    expr: Box::new(inner),
                    to,
                };
                if let Some(input) = guard_input {
                    if let Some(guarded) = integer_range_guard(cast.clone(), &input, scope)? {
                        return Ok(guarded);
                    }
                }
                // `TIME(p)` with fewer than six digits cuts the fraction to `p` digits,
                // as Spark's cast does (the type stays `time(6)`, see `time_type`).
                match data_type {
                    ast::DataType::Time(Some(p), _) if *p < 6 => scalar_call(
                        ScalarFunction::DateTime(DateTimeFunction::TimeToPrecision),
                        vec![cast, Expr::Literal(ScalarValue::Int32(*p as i32))],
                        scope,
                    ),
                    _ => Ok(cast),
                }
            }
            A::Extract { field, expr, .. } => {
                let arg = self.expr(expr, scope)?;
                if is_interval_type(&arg.data_type(scope)) {
                    return extract_interval(&field.to_string(), arg, scope);
                }
                let func = date_field(&field.to_string())
                    .ok_or_else(|| Error::unsupported(format!("EXTRACT({field} FROM ...)")))?;
                scalar_call(ScalarFunction::DateTime(func), vec![arg], scope)
            }
            A::Position { expr, r#in } => {
                let args = vec![self.expr(expr, scope)?, self.expr(r#in, scope)?];
                scalar_call(ScalarFunction::String(StringFunction::Locate), args, scope)
            }
            A::Overlay {
                expr,
                overlay_what,
                overlay_from,
                overlay_for,
            } => {
                let mut args = vec![
                    self.expr(expr, scope)?,
                    self.expr(overlay_what, scope)?,
                    self.expr(overlay_from, scope)?,
                ];
                if let Some(length) = overlay_for {
                    args.push(self.expr(length, scope)?);
                }
                scalar_call(ScalarFunction::String(StringFunction::Overlay), args, scope)
            }
            A::Ceil { expr, field } | A::Floor { expr, field } => {
                if !matches!(
                    field,
                    CeilFloorKind::DateTimeField(DateTimeField::NoDateTime)
                ) {
                    return Err(Error::unsupported(format!("{ast}")));
                }
                let func = if matches!(ast, A::Ceil { .. }) {
                    ScalarFunction::Math(MathFunction::Ceil)
                } else {
                    ScalarFunction::Math(MathFunction::Floor)
                };
                let arg = self.expr(expr, scope)?;
                scalar_call(func, vec![arg], scope)
            }
            A::Substring {
                expr,
                substring_from,
                substring_for,
                ..
            } => {
                let mut args = vec![self.expr(expr, scope)?];
                args.push(match substring_from {
                    Some(from) => self.expr(from, scope)?,
                    None => Expr::Literal(ScalarValue::Int32(1)),
                });
                if let Some(length) = substring_for {
                    args.push(self.expr(length, scope)?);
                }
                scalar_call(ScalarFunction::String(StringFunction::Substr), args, scope)
            }
            A::Trim {
                expr,
                trim_where,
                trim_what,
                trim_characters,
            } => {
                if trim_characters.is_some() {
                    return Err(Error::unsupported(
                        "TRIM(x, characters); write TRIM(BOTH characters FROM x)",
                    ));
                }
                let func = match trim_where {
                    None | Some(TrimWhereField::Both) => {
                        ScalarFunction::String(StringFunction::Trim)
                    }
                    Some(TrimWhereField::Leading) => ScalarFunction::String(StringFunction::LTrim),
                    Some(TrimWhereField::Trailing) => ScalarFunction::String(StringFunction::RTrim),
                };
                let mut args = vec![self.expr(expr, scope)?];
                if let Some(what) = trim_what {
                    args.push(self.expr(what, scope)?);
                }
                scalar_call(func, args, scope)
            }
            A::Case {
                operand,
                conditions,
                else_result,
                ..
            } => self.case(
                operand.as_deref(),
                conditions,
                else_result.as_deref(),
                scope,
            ),
            A::Function(function) => self.function(function, scope),
            A::Subquery(query) => self.scalar_subquery(query, scope),
            A::Exists { subquery, negated } => self.exists(subquery, *negated, scope),
            A::Lambda(lambda) => Err(at_span(
                Error::analysis(format!(
                    "the lambda function `{lambda}` can only be an argument of a higher-order \
                     function ({})",
                    HigherOrderFunction::names().collect::<Vec<_>>().join(", ")
                )),
                crate::sql::plan::lambda::lambda_span(ast),
            )),
            A::CompoundFieldAccess { root, access_chain } => {
                let mut value = self.expr(root, scope)?;
                for access in access_chain {
                    match access {
                        ast::AccessExpr::Subscript(ast::Subscript::Index { index }) => {
                            let index = self.expr(index, scope)?;
                            value =
                                scalar_call(ScalarFunction::GetItem, vec![value, index], scope)?;
                        }
                        ast::AccessExpr::Dot(ast::Expr::Identifier(field)) => {
                            value = self.struct_field(value, &field.value, scope)?;
                        }
                        other => return Err(Error::unsupported(format!("field access {other}"))),
                    }
                }
                Ok(value)
            }
            other => Err(Error::unsupported(format!("the expression `{other}`"))),
        }
    }

    pub(crate) fn identifier(
        &mut self,
        qualifier: Option<&str>,
        name: &str,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        // A lambda's parameter hides a column of the same name, as in Spark.
        if qualifier.is_none() {
            if let Some(index) = self.lambda_var(name, scope) {
                return Ok(Expr::column(index, scope.field(index).name.clone()));
            }
        }
        match scope.resolve(qualifier, name) {
            Ok(index) => Ok(Expr::column(index, scope.field(index).name.clone())),
            Err(err) => {
                // Spark allows `current_date` and `current_timestamp` without parentheses.
                if qualifier.is_none() {
                    let bare = match name.to_ascii_lowercase().as_str() {
                        "current_date" => Some(DateTimeFunction::CurrentDate),
                        "current_timestamp" => Some(DateTimeFunction::CurrentTimestamp),
                        "current_time" | "localtime" => Some(DateTimeFunction::CurrentTime),
                        _ => None,
                    };
                    if let Some(func) = bare {
                        return scalar_call(ScalarFunction::DateTime(func), vec![], scope);
                    }
                    if let Some(aliased) = self.lateral_alias(name)? {
                        return Ok(aliased);
                    }
                }
                Err(err)
            }
        }
    }

    /// What an earlier alias of the SELECT list being planned stands for, when `name` is
    /// one (Spark's lateral column alias); an error where Spark refuses it: two aliases
    /// of that name, or one read inside a window function.
    fn lateral_alias(&self, name: &str) -> Result<Option<Expr>> {
        let mut matches = self
            .lateral_aliases
            .iter()
            .filter(|(alias, _)| alias.eq_ignore_ascii_case(name));
        let Some((_, aliased)) = matches.next() else {
            return Ok(None);
        };
        let others = matches.count();
        if others > 0 {
            return Err(Error::analysis(format!(
                "the lateral column alias `{name}` is ambiguous: {} items of the SELECT list \
                 are called so (Spark's AMBIGUOUS_LATERAL_COLUMN_ALIAS)",
                others + 1
            )));
        }
        if self.window_depth > 0 {
            return Err(Error::unsupported(format!(
                "the lateral column alias `{name}` inside a window function, as in Spark \
                 (LATERAL_COLUMN_ALIAS_IN_WINDOW): repeat its expression there, or compute it \
                 in a subquery"
            )));
        }
        Ok(Some(aliased.clone()))
    }

    /// The column of the innermost lambda parameter called `name`, if any.
    pub(crate) fn lambda_var(&self, name: &str, scope: &PlanSchema) -> Option<usize> {
        self.lambda_vars
            .iter()
            .rev()
            .find(|(p, i)| p.eq_ignore_ascii_case(name) && *i < scope.len())
            .map(|(_, i)| *i)
    }

    fn string_arg(&mut self, ast: &ast::Expr, scope: &PlanSchema) -> Result<Expr> {
        let e = self.expr(ast, scope)?;
        Ok(e.cast(&DataType::Utf8, scope))
    }

    fn case(
        &mut self,
        operand: Option<&ast::Expr>,
        conditions: &[ast::CaseWhen],
        otherwise: Option<&ast::Expr>,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let operand = operand.map(|o| self.expr(o, scope)).transpose()?;
        let mut branches = Vec::with_capacity(conditions.len());
        for when in conditions {
            let condition = self.expr(&when.condition, scope)?;
            let condition = match &operand {
                Some(value) => Expr::compare(BinaryOp::Eq, value.clone(), condition, scope)?,
                None => condition.into_boolean(scope, "CASE WHEN")?,
            };
            branches.push((condition, self.expr(&when.result, scope)?));
        }
        let otherwise = otherwise.map(|e| self.expr(e, scope)).transpose()?;
        let types: Vec<DataType> = branches
            .iter()
            .map(|(_, then)| then.data_type(scope))
            .chain(otherwise.iter().map(|e| e.data_type(scope)))
            .collect();
        let data_type = common_type("CASE", &types)?;
        Ok(Expr::Case {
            branches: branches
                .into_iter()
                .map(|(w, t)| (w, t.cast(&data_type, scope)))
                .collect(),
            otherwise: otherwise.map(|e| Box::new(e.cast(&data_type, scope))),
            data_type,
        })
    }

    fn function(&mut self, function: &ast::Function, scope: &PlanSchema) -> Result<Expr> {
        let windowed = function.over.is_some();
        self.window_depth += usize::from(windowed);
        let planned = self.function_call(function, scope);
        self.window_depth -= usize::from(windowed);
        planned
    }

    fn function_call(&mut self, function: &ast::Function, scope: &PlanSchema) -> Result<Expr> {
        let name = function.name.to_string();
        let lower = name.to_ascii_lowercase();
        if lower == MULTI_ALIAS {
            return Err(Error::analysis(
                "`AS (a, b, ...)` names the columns of a generator (explode, posexplode, \
                 inline, stack, json_tuple) that is a SELECT item of its own; give any other \
                 expression one name",
            ));
        }
        if lower == "sequence" && function.over.is_none() {
            return self.sequence_call(function, scope);
        }
        if let Some(call) = self.datetime_unit_call(function, &lower, scope)? {
            return Ok(call);
        }
        if let Some(func) = HigherOrderFunction::from_name(&lower) {
            // `array_sort(array)` without a comparator is the plain array function.
            let lambda_given = matches!(&function.args, FunctionArguments::List(list)
                if list.args.len() > 1);
            if function.over.is_none() && (func != HigherOrderFunction::ArraySort || lambda_given) {
                return self.higher_order_call(func, function, scope);
            }
        }
        // `to_json` of a struct, array or map built in the call may hold intervals of any
        // fields (`json_intervals`).
        let json_args = match (lower.as_str(), &function.over) {
            ("to_json", None) => self.json_call_args(&function.args, scope)?,
            _ => None,
        };
        let (args, distinct, star) = match json_args {
            Some(args) => (args, false, false),
            None => self.function_args(&function.args, scope)?,
        };
        if let Some(over) = &function.over {
            if function.filter.is_some() {
                return Err(Error::analysis(
                    "FILTER (WHERE ...) is for aggregates, not for window functions",
                ));
            }
            if distinct {
                // Spark's DISTINCT_WINDOW_FUNCTION_UNSUPPORTED.
                return Err(Error::analysis(format!(
                    "DISTINCT window functions are not supported: {lower}(DISTINCT ...) OVER \
                     (...); aggregate the distinct values with GROUP BY and join them back, \
                     or use size(collect_set(...)) OVER (...)"
                )));
            }
            if let Some(kind) = Composite::from_name(&lower) {
                // `regr_slope(y, x) OVER w`: each aggregate it is made of, over `w`.
                let mut piece = |func: AggregateFunction, args| {
                    self.window_call(func.name(), args, false, None, over, scope)
                };
                return composite_call(kind, &lower, args, &mut piece, scope);
            }
            return self.window_call(
                &lower,
                args,
                star,
                function.null_treatment.as_ref(),
                over,
                scope,
            );
        }
        if lower == "window" || lower == "session_window" {
            return self.time_window_call(args, scope, lower == "session_window");
        }
        if lower == "window_time" && !matches!(args.first(), Some(Expr::Column { .. }) | None) {
            // Spark reads only a window column (one `window(...)` made) this way.
            return Err(Error::analysis(
                "The input is not a correct window column: window_time takes the column \
                 window(...) makes",
            ));
        }
        if lower == "grouping" || lower == "grouping_id" {
            let Some(sets) = self.grouping.clone() else {
                return Err(Error::analysis(format!(
                    "{lower}() needs GROUP BY ROLLUP, CUBE or GROUPING SETS"
                )));
            };
            return sets.call(lower == "grouping_id", &args, scope);
        }
        if let Some(call) = self.ordered_set_call(function, &lower, &args, distinct, star, scope)? {
            return Ok(call);
        }
        if let Some(kind) = Composite::from_name(&lower) {
            if distinct || star {
                return Err(Error::analysis(format!(
                    "{name} takes columns, not DISTINCT or *"
                )));
            }
            let filter = match &function.filter {
                Some(condition) => Some(self.aggregate_filter(condition, &name, scope)?),
                None => None,
            };
            let mut piece = |func, args| filtered_aggregate(func, args, &filter, scope);
            return composite_call(kind, &lower, args, &mut piece, scope);
        }
        if let Some(func) = AggregateFunction::from_name(&lower) {
            let filter = match &function.filter {
                Some(condition) => Some(self.aggregate_filter(condition, &name, scope)?),
                None => None,
            };
            let args = with_null_treatment(func, args, ignores_nulls(function))?;
            let call = aggregate_call(func, args, distinct, star, scope)?;
            return Ok(match call {
                Expr::Aggregate(mut call) => {
                    call.filter = filter.map(Box::new);
                    Expr::Aggregate(call)
                }
                other => other,
            });
        }
        if ignores_nulls(function).is_some() {
            return Err(Error::analysis(format!(
                "IGNORE / RESPECT NULLS does not apply to {name}"
            )));
        }
        if function.filter.is_some() {
            return Err(Error::analysis(format!(
                "FILTER (WHERE ...) is for aggregates; {name} is not one"
            )));
        }
        if distinct {
            return Err(Error::analysis(format!(
                "DISTINCT is only allowed in aggregates, not in {name}"
            )));
        }
        if star {
            return Err(Error::analysis(format!("{name}(*) is not a function call")));
        }
        if WindowFunction::from_name(&lower).is_some() {
            return Err(Error::analysis(format!(
                "{name} needs an OVER (...) clause"
            )));
        }
        if Generator::from_name(&lower).is_some() {
            return Err(Error::analysis(format!(
                "{name} makes rows, not a value: call it alone as a SELECT item \
                 (`SELECT {lower}(array) AS x`) or in LATERAL VIEW, not inside an expression \
                 or a clause"
            )));
        }
        if let Some(expr) = self.named_struct(&lower, &args, scope)? {
            return Ok(expr);
        }
        if lower == "arrays_zip" {
            return self.arrays_zip(function, args, scope);
        }
        if let Some(expr) = self.json_schema_call(&lower, &args, scope)? {
            return Ok(expr);
        }
        if let Some(expr) = self.csv_call(&lower, &args, scope)? {
            return Ok(expr);
        }
        if let Some(expr) = try_arithmetic(&lower, &args, scope, binary)? {
            return Ok(expr);
        }
        if let Some(expr) = rewritten_call(&lower, &args, scope)? {
            return Ok(expr);
        }
        match ScalarFunction::from_name(&lower) {
            Some(func) => scalar_call(func, args, scope),
            None => Err(Error::unsupported(format!("the function `{name}`"))),
        }
    }

    /// Arguments, whether `DISTINCT` was given, and whether the argument was `*`.
    fn function_args(
        &mut self,
        args: &FunctionArguments,
        scope: &PlanSchema,
    ) -> Result<(Vec<Expr>, bool, bool)> {
        match args {
            FunctionArguments::None => Ok((vec![], false, false)),
            FunctionArguments::Subquery(_) => {
                Err(Error::unsupported("a subquery as function argument"))
            }
            FunctionArguments::List(list) => {
                // IGNORE / RESPECT NULLS is read by the caller (see `ignores_nulls`).
                if list
                    .clauses
                    .iter()
                    .any(|c| !matches!(c, FunctionArgumentClause::IgnoreOrRespectNulls(_)))
                {
                    return Err(Error::unsupported("clauses inside function arguments"));
                }
                let distinct =
                    matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
                let mut planned = Vec::with_capacity(list.args.len());
                let mut star = false;
                for arg in &list.args {
                    match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => {
                            planned.push(self.expr(e, scope)?)
                        }
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                        other => return Err(Error::unsupported(format!("the argument `{other}`"))),
                    }
                }
                Ok((planned, distinct, star))
            }
        }
    }

    /// One `ORDER BY` key with Spark's default null ordering.
    pub fn sort_key(&mut self, key: &ast::OrderByExpr, scope: &PlanSchema) -> Result<SortKey> {
        if key.with_fill.is_some() {
            return Err(Error::unsupported("ORDER BY ... WITH FILL"));
        }
        let ascending = key.options.asc.unwrap_or(true);
        Ok(SortKey {
            expr: self.expr(&key.expr, scope)?,
            ascending,
            nulls_first: key.options.nulls_first.unwrap_or(ascending),
        })
    }
}

/// Spark functions that are other expressions under another name: `decode` with a
/// default is a `CASE`, `mod` is `%`, `rlike` is `RLIKE`, `isnull(x)` is `x IS NULL`,
/// `date_part('year', x)` is `year(x)`, `int(x)` is `CAST(x AS INT)`, `typeof(x)` is the
/// name of x's type; `rand()` gets its seed here.
fn rewritten_call(name: &str, args: &[Expr], scope: &PlanSchema) -> Result<Option<Expr>> {
    let arity = |n: usize| -> Result<()> {
        if args.len() == n {
            Ok(())
        } else {
            Err(Error::analysis(format!(
                "{name} takes {n} arguments, got {}",
                args.len()
            )))
        }
    };
    let cast = |to: DataType| -> Result<Option<Expr>> {
        arity(1)?;
        let from = args[0].data_type(scope);
        if is_interval_type(&from) {
            return cast_from_interval(args[0].clone(), &to, scope).map(Some);
        }
        if !crate::sql::types::can_cast(&from, &to) {
            return Err(Error::analysis(format!(
                "cannot cast {} to {}",
                spark_type_name(&from),
                spark_type_name(&to)
            )));
        }
        Ok(Some(args[0].clone().cast(&to, scope)))
    };
    Ok(Some(match name {
        // `decode(x, search1, result1, ..., default)`: Oracle's CASE, with NULL matching
        // NULL, as a string (two arguments are `decode(bytes, charset)`).
        "decode" if args.len() > 2 => {
            let value = &args[0];
            let pairs = &args[1..];
            let mut branches = Vec::new();
            for pair in pairs.chunks(2) {
                if let [search, result] = pair {
                    let matches =
                        Expr::compare(BinaryOp::NullSafeEq, value.clone(), search.clone(), scope)?;
                    branches.push((matches, result.clone()));
                }
            }
            let otherwise = (pairs.len() % 2 == 1).then(|| pairs[pairs.len() - 1].clone());
            // Spark 4's decode answers a string, whatever the results' types.
            let data_type = DataType::Utf8;
            Expr::Case {
                branches: branches
                    .into_iter()
                    .map(|(w, t)| (w, t.cast(&data_type, scope)))
                    .collect(),
                otherwise: otherwise.map(|e| Box::new(e.cast(&data_type, scope))),
                data_type,
            }
        }
        "try_aes_decrypt" => {
            let func = ScalarFunction::from_name(name).ok_or_else(|| Error::analysis(name))?;
            try_aes_decrypt(scalar_call(func, args.to_vec(), scope)?, scope)?
        }
        // Without a seed, Spark picks one when the query is planned.
        "rand" | "random" | "randn" | "uuid" if args.is_empty() => {
            let seed = planning_seed();
            let func = ScalarFunction::from_name(name).ok_or_else(|| Error::analysis(name))?;
            scalar_call(func, vec![Expr::Literal(ScalarValue::Int64(seed))], scope)?
        }
        // Without a seed (or with a NULL one), Spark picks one when the query is planned,
        // as for `rand()`.
        "shuffle"
            if args.len() == 1
                || (args.len() == 2
                    && matches!(&args[1], Expr::Literal(ScalarValue::Null(DataType::Null)))) =>
        {
            let func = ScalarFunction::from_name(name).ok_or_else(|| Error::analysis(name))?;
            let seed = Expr::Literal(ScalarValue::Int64(planning_seed()));
            scalar_call(func, vec![args[0].clone(), seed], scope)?
        }
        // Spark takes the seed as it is written: an int or bigint literal.
        "shuffle"
            if args.len() == 2
                && !matches!(
                    &args[1],
                    Expr::Literal(ScalarValue::Int32(_) | ScalarValue::Int64(_))
                ) =>
        {
            return Err(Error::analysis(
                "the seed of shuffle must be an int or bigint literal, as in shuffle(a, 42)",
            ))
        }
        "randstr" | "uniform"
            if args.iter().any(|a| {
                a.any(&|e| {
                    matches!(
                        e,
                        Expr::Column { .. } | Expr::Aggregate(_) | Expr::Window(_)
                    )
                })
            }) =>
        {
            return Err(Error::analysis(format!(
                "the arguments of {name} must be constants, as in {name}(10, 42)"
            )))
        }
        "rand" | "random" | "randn" | "uuid"
            if args.len() != 1
                || args[0].any(&|e| {
                    matches!(
                        e,
                        Expr::Column { .. } | Expr::Aggregate(_) | Expr::Window(_)
                    ) || matches!(e, Expr::Function { func, .. } if func.is_per_row())
                }) =>
        {
            return Err(Error::analysis(format!(
                "{name} takes one constant seed, as in {name}(42)"
            )))
        }
        "mod" => {
            arity(2)?;
            binary(
                &BinaryOperator::Modulo,
                args[0].clone(),
                args[1].clone(),
                scope,
            )?
        }
        "rlike" | "regexp" | "regexp_like" => {
            arity(2)?;
            Expr::RLike {
                expr: Box::new(args[0].clone().cast(&DataType::Utf8, scope)),
                pattern: Box::new(args[1].clone().cast(&DataType::Utf8, scope)),
                negated: false,
            }
        }
        "isnull" | "isnotnull" => {
            arity(1)?;
            Expr::IsNull {
                expr: Box::new(args[0].clone()),
                negated: name == "isnotnull",
            }
        }
        "equal_null" => {
            arity(2)?;
            Expr::compare(
                BinaryOp::NullSafeEq,
                args[0].clone(),
                args[1].clone(),
                scope,
            )?
        }
        "date_part" | "datepart" => {
            arity(2)?;
            let field = match &args[0] {
                Expr::Literal(ScalarValue::Utf8(field)) => field.clone(),
                _ => {
                    return Err(Error::analysis(format!(
                        "the first argument of {name} must be a field name such as 'YEAR'"
                    )))
                }
            };
            if is_interval_type(&args[1].data_type(scope)) {
                return extract_interval(&field, args[1].clone(), scope).map(Some);
            }
            let func = date_field(&field)
                .ok_or_else(|| Error::unsupported(format!("{name}('{field}', ...)")))?;
            scalar_call(ScalarFunction::DateTime(func), vec![args[1].clone()], scope)?
        }
        "like" | "ilike" => {
            arity(2)?;
            Expr::Like {
                expr: Box::new(args[0].clone().cast(&DataType::Utf8, scope)),
                pattern: Box::new(args[1].clone().cast(&DataType::Utf8, scope)),
                negated: false,
                case_insensitive: name == "ilike",
            }
        }
        "div" => {
            arity(2)?;
            binary(
                &BinaryOperator::MyIntegerDivide,
                args[0].clone(),
                args[1].clone(),
                scope,
            )?
        }
        "to_char" | "to_varchar" => {
            arity(2)?;
            to_char(name, args, scope)?
        }
        "to_number" | "try_to_number" => {
            arity(2)?;
            let format = number_format_of(name, &args[1])?;
            let op = match &format {
                Some(format) => NumberFormatOp::ToNumber {
                    precision: u8::try_from(format.precision()).unwrap_or(u8::MAX),
                    scale: u8::try_from(format.scale()).unwrap_or(u8::MAX),
                    fail: name == "to_number",
                },
                // A NULL format: NULL of Spark's default decimal(10, 0).
                None => NumberFormatOp::ToNumber {
                    precision: 10,
                    scale: 0,
                    fail: false,
                },
            };
            scalar_call(ScalarFunction::NumberFormat(op), args.to_vec(), scope)?
        }
        "current_timezone" => {
            arity(0)?;
            Expr::Literal(ScalarValue::Utf8(
                crate::sql::types::SESSION_TIME_ZONE.into(),
            ))
        }
        "current_database" | "current_schema" => {
            arity(0)?;
            Expr::Literal(ScalarValue::Utf8("default".into()))
        }
        "current_catalog" => {
            arity(0)?;
            Expr::Literal(ScalarValue::Utf8("spark_catalog".into()))
        }
        // Spark's `CalendarIntervalType` (months, days and microseconds apart, printed
        // `1 years 2 months 3 days ...`), which Brasa has no column type for.
        "make_interval" => {
            return Err(Error::unsupported(
                "make_interval (Spark's calendar interval, a value Brasa has no type for); \
                 make_ym_interval(years, months) and make_dt_interval(days, hours, mins, \
                 secs) give ANSI intervals, which add to dates and timestamps alike",
            ))
        }
        "typeof" => {
            arity(1)?;
            let name = crate::sql::plan::interval_fields::type_name(&args[0], scope)
                .unwrap_or_else(|| spark_type_name(&args[0].data_type(scope)));
            Expr::Literal(ScalarValue::Utf8(name))
        }
        "int" => return cast(DataType::Int32),
        "bigint" => return cast(DataType::Int64),
        "smallint" => return cast(DataType::Int16),
        "tinyint" => return cast(DataType::Int8),
        "double" => return cast(DataType::Float64),
        "float" => return cast(DataType::Float32),
        "string" => return cast(DataType::Utf8),
        "boolean" => return cast(DataType::Boolean),
        "date" => return cast(DataType::Date32),
        "timestamp" => return cast(crate::sql::types::timestamp_type()),
        "time" => return cast(crate::sql::types::time_type()),
        "decimal" => return cast(DataType::Decimal128(10, 0)),
        "binary" => return cast(DataType::Binary),
        _ => return Ok(None),
    }))
}

/// The names `rewritten_call` knows.
pub const REWRITTEN_NAMES: &[&str] = &[
    "mod",
    "rlike",
    "regexp",
    "regexp_like",
    "isnull",
    "isnotnull",
    "equal_null",
    "date_part",
    "datepart",
    "typeof",
    "int",
    "bigint",
    "smallint",
    "tinyint",
    "double",
    "float",
    "string",
    "boolean",
    "date",
    "timestamp",
    "time",
    "decimal",
    "binary",
    "like",
    "ilike",
    "div",
    "to_char",
    "to_varchar",
    "to_number",
    "try_to_number",
    "current_timezone",
    "current_database",
    "current_schema",
    "current_catalog",
];

/// `to_char(x, format)` as Spark builds it: a date, timestamp or time with a datetime pattern
/// (`date_format`), a binary as `'base64'`, `'hex'` or `'utf-8'` text, and a number with a
/// number format (integers and floats as the decimals Spark casts them to).
fn to_char(name: &str, args: &[Expr], scope: &PlanSchema) -> Result<Expr> {
    let t = args[0].data_type(scope);
    let call = |func, args: Vec<Expr>| scalar_call(func, args, scope);
    if crate::sql::types::is_temporal(&t) || matches!(t, DataType::Time64(_)) {
        return call(
            ScalarFunction::DateTime(DateTimeFunction::DateFormat),
            args.to_vec(),
        );
    }
    if t == DataType::Binary {
        let Expr::Literal(ScalarValue::Utf8(format)) = &args[1] else {
            return Err(Error::analysis(format!(
                "the format of {name} of a binary must be a constant: 'base64', 'hex' or 'utf-8'"
            )));
        };
        let string = |f| ScalarFunction::String(f);
        return match format.trim().to_lowercase().as_str() {
            "base64" => call(string(StringFunction::Base64), vec![args[0].clone()]),
            "hex" => call(string(StringFunction::Hex), vec![args[0].clone()]),
            "utf-8" => call(string(StringFunction::Decode), args.to_vec()),
            other => Err(Error::analysis(format!(
                "{name} of a binary takes the format 'base64', 'hex' or 'utf-8', not '{other}'"
            ))),
        };
    }
    let decimal = match &t {
        DataType::Decimal128(_, _) => None,
        DataType::Float32 => Some(crate::sql::decimal::Decimal::new(14, 7)),
        DataType::Float64 => Some(crate::sql::decimal::Decimal::new(30, 15)),
        DataType::Null => Some(crate::sql::decimal::Decimal::new(10, 0)),
        other => Some(
            crate::sql::decimal::Decimal::for_integer(other).ok_or_else(|| {
                Error::analysis(format!(
                "argument 1 of {name} must be a number, a date, a timestamp or a binary, got {}",
                spark_type_name(other)
            ))
            })?,
        ),
    };
    let value = match decimal {
        Some(d) => args[0].clone().cast(&d.data_type(), scope),
        None => args[0].clone(),
    };
    number_format_of(name, &args[1])?;
    call(
        ScalarFunction::NumberFormat(NumberFormatOp::ToChar),
        vec![value, args[1].clone()],
    )
}

/// The number format of a `to_number` / `to_char` call, checked: it must be a constant
/// string (Spark's foldable format); `None` for a NULL one.
fn number_format_of(name: &str, format: &Expr) -> Result<Option<NumberFormat>> {
    let null = |e: &Expr| matches!(e, Expr::Literal(ScalarValue::Null(_)));
    let text = match format {
        Expr::Literal(ScalarValue::Utf8(text)) => text,
        e if null(e) => return Ok(None),
        Expr::Cast { expr, .. } if null(expr) => return Ok(None),
        _ => {
            return Err(Error::analysis(format!(
                "the format of {name} must be a constant string such as '999.99'"
            )))
        }
    };
    let parsed = NumberFormat::parse(text).map_err(Error::analysis)?;
    if name.ends_with("to_number") && !parsed.fits_decimal() {
        return Err(Error::analysis(format!(
            "the number format '{text}' has {} digits; {name} reads at most 38 (a decimal's \
             precision)",
            parsed.precision()
        )));
    }
    Ok(Some(parsed))
}

/// A scalar function call with its arguments cast as its signature says.
impl Planner<'_> {
    /// `NOT e` where `e` holds an IN subquery under AND, OR and NOT: the NOT is pushed
    /// down to it (De Morgan's laws, which hold in SQL's three-valued logic too), as
    /// Spark's optimizer does before it rewrites subqueries, because Spark answers
    /// `x NOT IN (subquery)` null-aware but `x IN (subquery)` under a NOT two-valued.
    fn negation(&mut self, e: &ast::Expr, scope: &PlanSchema) -> Result<Expr> {
        use ast::Expr as A;
        match unnested(e) {
            A::InSubquery {
                expr,
                subquery,
                negated,
            } => {
                let value = self.expr(expr, scope)?;
                self.in_subquery(value, subquery, !negated, scope)
            }
            A::UnaryOp {
                op: UnaryOperator::Not,
                expr,
            } => self.expr(expr, scope)?.into_boolean(scope, "NOT"),
            A::BinaryOp { left, op, right }
                if matches!(op, BinaryOperator::And | BinaryOperator::Or) =>
            {
                let flipped = if *op == BinaryOperator::And {
                    BinaryOp::Or
                } else {
                    BinaryOp::And
                };
                let left = self.negation(left, scope)?;
                let right = self.negation(right, scope)?;
                Ok(Expr::binary(
                    flipped,
                    left.into_boolean(scope, flipped.sql())?,
                    right.into_boolean(scope, flipped.sql())?,
                ))
            }
            other => Ok(Expr::Not(Box::new(
                self.expr(other, scope)?.into_boolean(scope, "NOT")?,
            ))),
        }
    }
}

/// The patterns of `LIKE ANY (p, ...)`, `LIKE SOME (...)` or `LIKE ALL (...)` (sqlparser
/// reads the last two as calls of functions named SOME and ALL), and whether all must
/// match; `None` for a plain pattern.
fn quantified_patterns(any: bool, pattern: &ast::Expr) -> Option<(bool, Vec<&ast::Expr>)> {
    use ast::Expr as A;
    match pattern {
        A::Tuple(list) if any => Some((false, list.iter().collect())),
        A::Nested(one) if any => Some((false, vec![one.as_ref()])),
        A::Function(f) if f.over.is_none() && f.name.0.len() == 1 => {
            let name = f.name.to_string().to_ascii_uppercase();
            let all = match name.as_str() {
                "ALL" => true,
                "SOME" | "ANY" => false,
                _ => return None,
            };
            let ast::FunctionArguments::List(list) = &f.args else {
                return None;
            };
            let args = list
                .args
                .iter()
                .map(|arg| match arg {
                    ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Some(e),
                    _ => None,
                })
                .collect::<Option<Vec<_>>>()?;
            Some((all, args))
        }
        _ => None,
    }
}

/// Whether an IN subquery is reached from `e` through AND, OR, NOT and parentheses.
fn reaches_in_subquery(e: &ast::Expr) -> bool {
    match unnested(e) {
        ast::Expr::InSubquery { .. } => true,
        ast::Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr,
        } => reaches_in_subquery(expr),
        ast::Expr::BinaryOp {
            left,
            op: BinaryOperator::And | BinaryOperator::Or,
            right,
        } => reaches_in_subquery(left) || reaches_in_subquery(right),
        _ => false,
    }
}

/// `current_time([precision])` / `localtime([precision])`: the time of day (UTC) read
/// once per query, its fraction cut to `precision` digits (0 to 9, a constant; 6 without
/// one; past 6 it keeps the microseconds Brasa's times hold).
fn current_time(args: &[Expr]) -> Result<Expr> {
    let precision = match args {
        [] => 6,
        [Expr::Literal(ScalarValue::Int32(p))] if (0..=9).contains(p) => (*p).min(6),
        _ => {
            return Err(Error::analysis(
                "current_time(precision): the precision must be a constant from 0 to 9",
            ))
        }
    };
    let now = crate::clock::now_micros().rem_euclid(crate::temporal::time_of_day::MICROS_PER_DAY);
    let unit = 10i64.pow(6 - precision as u32);
    Ok(Expr::Literal(ScalarValue::TimeMicros(now / unit * unit)))
}

/// `e` without the parentheses around it.
fn unnested(e: &ast::Expr) -> &ast::Expr {
    match e {
        ast::Expr::Nested(inner) => unnested(inner),
        other => other,
    }
}

pub fn scalar_call(func: ScalarFunction, args: Vec<Expr>, scope: &PlanSchema) -> Result<Expr> {
    // `abs`, `negative` and `positive` of a day-time interval keep its type, as in Spark.
    if let (ScalarFunction::Math(math), [arg]) = (func, args.as_slice()) {
        if is_interval_type(&arg.data_type(scope)) {
            use crate::sql::plan::functions::MathFunction as M;
            let interval = match math {
                M::Abs => DateTimeFunction::IntervalAbs,
                M::Negative => DateTimeFunction::IntervalNegate,
                M::Positive => return Ok(arg.clone()),
                _ => {
                    return Err(Error::analysis(format!(
                        "{} takes a number, got an interval",
                        func.name()
                    )))
                }
            };
            return scalar_call(ScalarFunction::DateTime(interval), args, scope);
        }
    }
    // `hash` and `xxhash64` hash an interval as Spark does: as its microseconds (a long)
    // or its months (an int).
    if matches!(
        func,
        ScalarFunction::Misc(MiscFunction::Hash | MiscFunction::XxHash64)
    ) && args.iter().any(|a| is_interval_type(&a.data_type(scope)))
    {
        let args = args
            .into_iter()
            .map(|a| {
                let t = a.data_type(scope);
                if !is_interval_type(&t) {
                    return Ok(a);
                }
                let number = interval_call(DateTimeFunction::IntervalToMicros, vec![a], scope)?;
                Ok(if crate::frame::interval_type::is_year_month(&t) {
                    number.cast(&DataType::Int32, scope)
                } else {
                    number
                })
            })
            .collect::<Result<Vec<_>>>()?;
        return scalar_call(func, args, scope);
    }
    if let Some(decimal) = decimal_exprs::math_call(func, &args, scope)? {
        return Ok(decimal);
    }
    let types: Vec<DataType> = args.iter().map(|a| a.data_type(scope)).collect();
    let signature = func.signature(&types)?;
    if func == ScalarFunction::DateTime(DateTimeFunction::CurrentTime) {
        return current_time(&args);
    }
    // The clock is read once per query, as Spark does: every row and partition sees the
    // same `current_timestamp()`.
    if args.is_empty() {
        let now_micros = crate::clock::now_micros();
        match func {
            ScalarFunction::DateTime(DateTimeFunction::CurrentTimestamp) => {
                return Ok(Expr::Literal(ScalarValue::TimestampMicros(now_micros)))
            }
            ScalarFunction::DateTime(DateTimeFunction::LocalTimestamp) => {
                let now = Expr::Literal(ScalarValue::TimestampMicros(now_micros));
                return Ok(now.cast(&signature.return_type, scope));
            }
            ScalarFunction::DateTime(DateTimeFunction::CurrentDate) => {
                return Ok(Expr::Literal(ScalarValue::Date32(
                    crate::clock::today_days(),
                )))
            }
            ScalarFunction::DateTime(DateTimeFunction::UnixTimestamp) => {
                return Ok(Expr::Literal(ScalarValue::Int64(
                    now_micros.div_euclid(1_000_000),
                )))
            }
            _ => {}
        }
    }
    crate::sql::plan::interval_fields::check_nested(&args, &signature.return_type, scope)?;
    Ok(Expr::signed_call(func, args, signature, scope))
}

fn binary(op: &BinaryOperator, left: Expr, right: Expr, scope: &PlanSchema) -> Result<Expr> {
    use BinaryOperator as B;
    let (left, right) = match bitwise_binary(op, left, right, scope) {
        Ok(bitwise) => return bitwise,
        Err(operands) => operands,
    };
    if matches!(op, B::Plus | B::Minus | B::Multiply | B::Divide) {
        if let Some(result) = interval_arithmetic(op, &left, &right, scope) {
            return result;
        }
    } else if matches!(op, B::Modulo | B::MyIntegerDivide)
        && [&left, &right]
            .iter()
            .any(|e| is_interval_type(&e.data_type(scope)))
    {
        return Err(Error::analysis(format!(
            "`{op}` of {} and {}: an interval multiplies or divides by a number",
            type_name_of(&left, scope),
            type_name_of(&right, scope)
        )));
    }
    let (lt, rt) = (left.data_type(scope), right.data_type(scope));
    let arithmetic = |op: BinaryOp, left: Expr, right: Expr| -> Result<Expr> {
        let l = if lt == DataType::Null {
            rt.clone()
        } else {
            lt.clone()
        };
        let r = if rt == DataType::Null {
            lt.clone()
        } else {
            rt.clone()
        };
        let (l, r) = if l == DataType::Null {
            (DataType::Int32, DataType::Int32)
        } else {
            (l, r)
        };
        // Spark reads a string in arithmetic as a double (`'10' + 1` is 11.0).
        let as_number = |t: DataType| if is_string(&t) { DataType::Float64 } else { t };
        let (l, r) = (as_number(l), as_number(r));
        // A decimal with a decimal or an integer computes in decimals (Spark's rules).
        let (left, right) = match decimal_exprs::arithmetic(op, left, right, scope)? {
            Ok(decimal) => return Ok(decimal),
            Err(operands) => operands,
        };
        let common = numeric_common(&l, &r).ok_or_else(|| {
            Error::analysis(format!(
                "`{}` needs numbers, got {} and {}",
                op.sql(),
                spark_type_name(&lt),
                spark_type_name(&rt)
            ))
        })?;
        let common = match op {
            BinaryOp::Divide => DataType::Float64,
            BinaryOp::IntDivide => DataType::Int64,
            _ => common,
        };
        if op == BinaryOp::IntDivide && !(is_integer(&l) && is_integer(&r)) {
            return Err(Error::analysis(
                "div needs integers; use / for a fractional result",
            ));
        }
        Ok(Expr::binary(
            op,
            left.cast(&common, scope),
            right.cast(&common, scope),
        ))
    };
    match op {
        B::Plus | B::Minus if lt == DataType::Date32 && is_integer(&rt) => {
            let right = if matches!(op, B::Minus) {
                Expr::Negate(Box::new(right))
            } else {
                right
            };
            scalar_call(
                ScalarFunction::DateTime(DateTimeFunction::DateAdd),
                vec![left, right],
                scope,
            )
        }
        B::Plus => arithmetic(BinaryOp::Add, left, right),
        B::Minus => arithmetic(BinaryOp::Subtract, left, right),
        B::Multiply => arithmetic(BinaryOp::Multiply, left, right),
        B::Divide => arithmetic(BinaryOp::Divide, left, right),
        B::Modulo => arithmetic(BinaryOp::Modulo, left, right),
        B::MyIntegerDivide | B::DuckIntegerDivide => arithmetic(BinaryOp::IntDivide, left, right),
        B::Eq => Expr::compare(BinaryOp::Eq, left, right, scope),
        B::NotEq => Expr::compare(BinaryOp::NotEq, left, right, scope),
        B::Lt => Expr::compare(BinaryOp::Lt, left, right, scope),
        B::LtEq => Expr::compare(BinaryOp::LtEq, left, right, scope),
        B::Gt => Expr::compare(BinaryOp::Gt, left, right, scope),
        B::GtEq => Expr::compare(BinaryOp::GtEq, left, right, scope),
        B::Spaceship => Expr::compare(BinaryOp::NullSafeEq, left, right, scope),
        B::And | B::Or => {
            let op = if matches!(op, B::And) {
                BinaryOp::And
            } else {
                BinaryOp::Or
            };
            Ok(Expr::binary(
                op,
                left.into_boolean(scope, op.sql())?,
                right.into_boolean(scope, op.sql())?,
            ))
        }
        B::StringConcat => Ok(Expr::binary(
            BinaryOp::Concat,
            left.cast(&DataType::Utf8, scope),
            right.cast(&DataType::Utf8, scope),
        )),
        other => Err(Error::unsupported(format!("the operator {other}"))),
    }
}

/// A number literal as Spark types it, with its sign (`negative`): Spark's typed literals
/// `1L` (bigint), `1S` (smallint), `1Y` (tinyint), `1D` (double), `1F` (float) and
/// `1.5BD` (decimal; the suffix arrives in capitals from the parser), out-of-range values
/// refused as Spark refuses them, else as [`literal`].
fn number_literal(text: &str, negative: bool) -> Result<Expr> {
    let (digits, suffix) = match text.strip_suffix("BD") {
        Some(digits) => (digits, "BD"),
        None => match text.char_indices().last() {
            Some((at, c)) if c.is_ascii_alphabetic() => (&text[..at], &text[at..]),
            _ => (text, ""),
        },
    };
    let signed = if negative {
        format!("-{digits}")
    } else {
        digits.to_string()
    };
    let out_of_range = |type_name: &str, min: &str, max: &str| {
        Error::analysis(format!(
            "the number literal {signed} is outside the range of {type_name} ({min} to {max}) (Spark's INVALID_NUMERIC_LITERAL_RANGE)"
        ))
    };
    let narrow = |to: DataType, v: i64| Expr::Cast {
        expr: Box::new(Expr::Literal(ScalarValue::Int32(v as i32))),
        to,
    };
    Ok(match suffix {
        "L" => Expr::Literal(ScalarValue::Int64(signed.parse().map_err(|_| {
            out_of_range("bigint", &i64::MIN.to_string(), &i64::MAX.to_string())
        })?)),
        "S" => match signed.parse::<i16>() {
            Ok(v) => narrow(DataType::Int16, v.into()),
            Err(_) => return Err(out_of_range("smallint", "-32768", "32767")),
        },
        "Y" => match signed.parse::<i8>() {
            Ok(v) => narrow(DataType::Int8, v.into()),
            Err(_) => return Err(out_of_range("tinyint", "-128", "127")),
        },
        "D" => match signed.parse::<f64>() {
            Ok(v) if v.is_finite() => Expr::Literal(ScalarValue::Float64(v)),
            _ => {
                return Err(out_of_range(
                    "double",
                    "-1.7976931348623157E+308",
                    "1.7976931348623157E+308",
                ))
            }
        },
        "F" => match signed.parse::<f32>() {
            Ok(v) if v.is_finite() => Expr::Cast {
                expr: Box::new(Expr::Literal(ScalarValue::Float64(v.into()))),
                to: DataType::Float32,
            },
            _ => {
                return Err(out_of_range(
                    "float",
                    "-3.4028234663852886E+38",
                    "3.4028234663852886E+38",
                ))
            }
        },
        "BD" => Expr::Literal(decimal_literal(&signed)?),
        "" => Expr::Literal(literal(&Value::Number(signed, false))?),
        _ => return Err(Error::analysis(format!("`{text}` is not a number"))),
    })
}

/// Whether `text` is a number literal with a fraction and nothing else (`-1.5`), which
/// Spark types as a decimal.
fn is_plain_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    digits.split_once('.').is_some_and(|(whole, fraction)| {
        !(whole.is_empty() && fraction.is_empty())
            && (whole.bytes().chain(fraction.bytes())).all(|b| b.is_ascii_digit())
    })
}

/// `-1.23e-2` as Spark's `BigDecimal` literal: decimal(4, 4) 0.0123. A negative scale
/// (`1e3`) becomes scale 0 (decimal(4, 0)), as Spark makes it.
fn decimal_literal(text: &str) -> Result<ScalarValue> {
    let bad = || Error::analysis(format!("`{text}` is not a number"));
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().map_err(|_| bad())?),
        None => (text, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let mut unscaled: String = format!("{whole}{fraction}");
    if unscaled.is_empty() || !unscaled.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let mut scale = fraction.len() as i64 - exponent;
    if scale < 0 {
        if -scale > 38 {
            return Err(Error::analysis(format!(
                "decimal precision exceeds the maximum of 38 for `{text}` (Spark's DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION)"
            )));
        }
        unscaled.extend(std::iter::repeat_n('0', -scale as usize));
        scale = 0;
    }
    let digits = unscaled.trim_start_matches('0');
    let precision = (digits.len().max(1) as i64).max(scale);
    if precision > 38 {
        return Err(Error::analysis(format!(
            "decimal precision {precision} exceeds the maximum of 38 (Spark's DECIMAL_PRECISION_EXCEEDS_MAX_PRECISION)"
        )));
    }
    let value: i128 = if digits.is_empty() {
        0
    } else {
        digits.parse().map_err(|_| bad())?
    };
    Ok(ScalarValue::Decimal128(
        if negative { -value } else { value },
        precision as u8,
        scale as i8,
    ))
}

/// `X'0AFF'`: Spark's binary literal, its hex digits read as `unhex` reads them (an odd
/// count gets a leading 0, as Spark's parser pads it); anything but hex digits is refused.
fn binary_literal(hex: &str, scope: &PlanSchema) -> Result<Expr> {
    if let Some(bad) = hex.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(Error::analysis(format!(
            "X'{hex}' is not a binary literal: `{bad}` is not a hex digit (0-9, A-F)"
        )));
    }
    scalar_call(
        ScalarFunction::String(StringFunction::Unhex),
        vec![Expr::Literal(ScalarValue::Utf8(hex.to_string()))],
        scope,
    )
}

/// A literal as Spark types it: integers are `int` when they fit, else `bigint`; numbers
/// with a fraction or exponent are `double` (Spark makes `1.5` a decimal; Brasa computes
/// literals with fractions in double precision).
pub fn literal(value: &Value) -> Result<ScalarValue> {
    Ok(match value {
        Value::Number(text, _) => {
            if let Ok(v) = text.parse::<i32>() {
                ScalarValue::Int32(v)
            } else if let Ok(v) = text.parse::<i64>() {
                ScalarValue::Int64(v)
            } else if let Ok(v) = text.parse::<f64>() {
                ScalarValue::Float64(v)
            } else {
                return Err(Error::analysis(format!("`{text}` is not a number")));
            }
        }
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => ScalarValue::Utf8(s.clone()),
        Value::Boolean(b) => ScalarValue::Boolean(*b),
        Value::Null => ScalarValue::Null(DataType::Null),
        other => return Err(Error::unsupported(format!("the literal {other}"))),
    })
}

fn typed_literal(data_type: &ast::DataType, value: &Value) -> Result<Expr> {
    let text = match value {
        Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s,
        other => {
            return Err(Error::unsupported(format!(
                "the literal {data_type} {other}"
            )))
        }
    };
    let target = arrow_type(data_type)?;
    let parsed = match &target {
        DataType::Date32 => crate::io::csv::parse_date_literal(text).map(ScalarValue::Date32),
        // `TIMESTAMP_NTZ '...'`: the fields as written, any zone dropped (Spark's cast).
        DataType::Timestamp(_, None) => {
            return match crate::temporal::spark_text::text_to_local_timestamp(text) {
                Some(micros) => Ok(Expr::Literal(ScalarValue::TimestampMicros(micros))
                    .cast(&target, &PlanSchema::default())),
                None => Err(Error::analysis(format!(
                    "`{text}` is not a valid {}",
                    spark_type_name(&target)
                ))),
            };
        }
        DataType::Timestamp(_, _) => crate::io::csv::parse_timestamp_literal(text)
            .or_else(|| crate::io::csv::parse_date_literal(text).map(|d| d as i64 * 86_400_000_000))
            .map(ScalarValue::TimestampMicros),
        DataType::Time64(_) => {
            crate::temporal::time_of_day::parse_time_spark(text).map(ScalarValue::TimeMicros)
        }
        _ => None,
    };
    match parsed {
        Some(v) => Ok(Expr::Literal(v)),
        None if matches!(
            target,
            DataType::Date32 | DataType::Timestamp(_, _) | DataType::Time64(_)
        ) =>
        {
            Err(Error::analysis(format!(
                "`{text}` is not a valid {}",
                spark_type_name(&target)
            )))
        }
        None => Ok(Expr::Cast {
            expr: Box::new(Expr::Literal(ScalarValue::Utf8(text.clone()))),
            to: target,
        }),
    }
}
