//! Correlated subqueries whose correlation is not only `inner = outer` equalities and
//! that aggregate or give a value, such as `(SELECT count(*) FROM t b WHERE b.x > a.x)`:
//! Spark's domain join (`DecorrelateInnerQuery`).
//!
//! The distinct values of the outer columns those conditions read (the *domain*, drawn
//! from the outer query's rows) are joined to the subquery's rows on the conditions, so
//! the subquery aggregates, or is counted, once per domain value. The domain's columns
//! then become ordinary correlation keys, and `value_joins.rs` or `decorrelate.rs` join
//! the result back to the outer rows on them. That join back is null-safe (`<=>`), as in
//! Spark: an outer row whose value is NULL gets what the conditions give for NULL, which
//! is not always "no row" (`b.x > a.x OR a.x IS NULL`). The hash join never matches NULL
//! keys, so each domain column is joined on two keys that are never NULL: whether it is
//! NULL, and its value with NULL replaced by a stand-in.

use arrow_schema::{DataType, TimeUnit};

use crate::error::{Error, Result};
use crate::frame::interval_type::{is_day_time, is_year_month, IntervalFields};
use crate::frame::spark_type_name;
use crate::sql::plan::correlation::{Correlation, FoundCorrelation};
use crate::sql::plan::expr::Expr;
use crate::sql::plan::functions::{ConditionalFunction, ScalarFunction};
use crate::sql::plan::logical::{JoinKind, LogicalPlan};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::types::{is_string, time_type};

/// `plan`, the rows of a correlated subquery, joined to the domain of `found`'s residual
/// conditions (over `plan`'s columns, then those of `outer`, the outer query's scope,
/// whose rows `source` gives); the conditions become keys of `found` over the joined
/// plan's columns, which extend `plan`'s.
pub(crate) fn join_domain(
    source: Option<LogicalPlan>,
    outer: &PlanSchema,
    plan: LogicalPlan,
    found: &mut FoundCorrelation,
) -> Result<LogicalPlan> {
    let Some(source) = source else {
        return Err(Error::unsupported(
            "a correlated condition other than `inner = outer` in a subquery of this clause \
             (Brasa draws the outer values such a condition reads from the FROM of the query \
             around it); join and aggregate in the outer query instead",
        ));
    };
    let inner_width = found.inner_width;
    let mut read = Vec::new();
    for condition in &found.residual {
        condition.columns(&mut read);
    }
    let mut outer_columns: Vec<usize> = read
        .into_iter()
        .filter_map(|c| c.checked_sub(inner_width))
        .collect();
    outer_columns.sort_unstable();
    outer_columns.dedup();

    let fields: Vec<PlanField> = outer_columns
        .iter()
        .map(|&c| PlanField {
            qualifier: None,
            hidden: true,
            nullable: true,
            ..outer.field(c).clone()
        })
        .collect();
    let stand_ins = fields
        .iter()
        .map(|f| {
            stand_in(&f.data_type, outer).ok_or_else(|| {
                Error::unsupported(format!(
                    "a correlated condition other than `inner = outer` that reads the \
                     outer column `{}` of type {} in a subquery that aggregates or gives \
                     a value; compare a column of a simple type, or join and aggregate \
                     in the outer query",
                    f.name,
                    spark_type_name(&f.data_type)
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let domain = LogicalPlan::Distinct {
        input: Box::new(LogicalPlan::Project {
            input: Box::new(source),
            exprs: outer_columns
                .iter()
                .map(|&c| Expr::column(c, outer.field(c).name.clone()))
                .collect(),
            schema: PlanSchema::new(fields.clone()),
        }),
    };

    // The conditions over the subquery's rows, then the domain's columns: outer column
    // `c` is the domain's `slot[c]`th.
    let width = plan.schema().len();
    let mut slot = vec![0; outer.len()];
    for (i, &c) in outer_columns.iter().enumerate() {
        slot[c] = i;
    }
    let position = |c: usize| width + slot[c];
    let conditions = std::mem::take(&mut found.residual)
        .into_iter()
        .map(|r| r.remap_columns(&|c| c.checked_sub(inner_width).map_or(c, position)))
        .collect();
    let mut joined_fields = plan.schema().fields().to_vec();
    joined_fields.extend(fields.iter().cloned());
    let joined = LogicalPlan::Join {
        left: Box::new(plan),
        right: Box::new(domain),
        kind: JoinKind::Inner,
        on: Vec::new(),
        filter: Expr::and_all(conditions),
        schema: PlanSchema::new(joined_fields),
    };

    for ((&c, field), stand_in) in outer_columns.iter().zip(&fields).zip(stand_ins) {
        let outer_value = Expr::column(c, field.name.clone());
        let domain_value = Expr::column(position(c), field.name.clone());
        let is_null = |e: &Expr| Expr::IsNull {
            expr: Box::new(e.clone()),
            negated: false,
        };
        found
            .keys
            .push((is_null(&outer_value), is_null(&domain_value)));
        let or_stand_in = |e: Expr| Expr::Function {
            func: ScalarFunction::Conditional(ConditionalFunction::Coalesce),
            args: vec![e, stand_in.clone()],
            return_type: field.data_type.clone(),
        };
        found
            .keys
            .push((or_stand_in(outer_value), or_stand_in(domain_value)));
    }
    Ok(joined)
}

/// A decorrelated subquery `plan` whose correlation `c` still has residual conditions
/// (an EXISTS or IN that is not an AND condition of WHERE, which has no semi join to
/// carry them), joined to their domain: the conditions become keys, each an output
/// column after `plan`'s.
pub(crate) fn residual_as_keys(
    source: Option<LogicalPlan>,
    outer: &PlanSchema,
    plan: LogicalPlan,
    mut c: Correlation,
) -> Result<(LogicalPlan, Correlation)> {
    let Some(residual) = c.residual.take() else {
        return Ok((plan, c));
    };
    // The residual reads the outer scope, then `plan`'s output; the domain join wants
    // `plan`'s columns first.
    let schema = plan.schema();
    let width = schema.len();
    let outer_width = outer.len();
    let mut found = FoundCorrelation {
        keys: Vec::new(),
        residual: residual
            .remap_columns(&|i| i.checked_sub(outer_width).unwrap_or(width + i))
            .conjuncts(),
        inner_width: width,
    };
    let joined = join_domain(source, outer, plan, &mut found)?;
    let joined_schema = joined.schema();
    let mut exprs: Vec<Expr> = (0..width)
        .map(|i| Expr::column(i, schema.field(i).name.clone()))
        .collect();
    let mut fields = schema.fields().to_vec();
    for (i, (outer_key, inner_key)) in found.keys.into_iter().enumerate() {
        c.keys.push((outer_key, exprs.len()));
        fields.push(PlanField::new(
            None,
            format!("__domain_key{i}"),
            inner_key.data_type(&joined_schema),
        ));
        exprs.push(inner_key);
    }
    let keyed = LogicalPlan::Project {
        input: Box::new(joined),
        exprs,
        schema: PlanSchema::new(fields),
    };
    Ok((keyed, c))
}

/// A non-NULL value of type `t` (over `scope`, to type the cast) that stands in for NULL
/// in a key beside one saying whether the value is NULL: any value does. `None` for a type
/// without literals (arrays, maps, structs, binary).
fn stand_in(t: &DataType, scope: &PlanSchema) -> Option<Expr> {
    let literal = match t {
        t if t.is_integer() || t.is_floating() => ScalarValue::Int32(0),
        t if is_string(t) => ScalarValue::Utf8(String::new()),
        DataType::Boolean => ScalarValue::Boolean(false),
        DataType::Date32 => ScalarValue::Date32(0),
        DataType::Timestamp(TimeUnit::Microsecond, _) => ScalarValue::TimestampMicros(0),
        DataType::Decimal128(p, s) => ScalarValue::Decimal128(0, *p, *s),
        t if is_day_time(t) => ScalarValue::DayTime(0, IntervalFields::default()),
        t if is_year_month(t) => ScalarValue::YearMonth(0, IntervalFields::year_month()),
        t if *t == time_type() => ScalarValue::TimeMicros(0),
        _ => return None,
    };
    Some(Expr::Literal(literal).cast(t, scope))
}
