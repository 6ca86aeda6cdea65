//! Set operations: `UNION [ALL]`, `INTERSECT [ALL | DISTINCT]`, `EXCEPT [ALL | DISTINCT]`
//! (and its synonym `MINUS`).
//!
//! `INTERSECT` and `EXCEPT` are planned as Spark rewrites `INTERSECT ALL` and `EXCEPT ALL`
//! (`RewriteIntersectAll`, `RewriteExceptAll`), which also serves their DISTINCT forms:
//! each side's rows are tagged with the side they come from, the two are put together,
//! grouped by every column (so NULLs match NULLs and floats match as Spark compares
//! them), and each group counts its rows from either side. A DISTINCT form keeps the
//! groups present on the left and (`INTERSECT`) or not (`EXCEPT`) on the right; an ALL
//! form gives each such group `min(left, right)` or `left − right` times. Groups come out
//! in the order of their first row, the left side's order.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::sql::plan::expr::{AggregateCall, BinaryOp, Expr};
use crate::sql::plan::functions::{
    common_type, list_of, AggregateFunction, ArrayFunction, ScalarFunction,
};
use crate::sql::plan::logical::{Generator, LogicalPlan};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};

/// `INTERSECT` or `EXCEPT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparing {
    Intersect,
    Except,
}

impl Comparing {
    fn name(self) -> &'static str {
        match self {
            Comparing::Intersect => "INTERSECT",
            Comparing::Except => "EXCEPT",
        }
    }
}

/// `UNION ALL` of plans (`what` names the operation in errors), each column cast to the
/// common type of its position; the columns are named after the first plan's.
pub fn union_all(inputs: Vec<LogicalPlan>, what: &str) -> Result<LogicalPlan> {
    let schemas: Vec<PlanSchema> = inputs.iter().map(LogicalPlan::schema).collect();
    let width = schemas[0].len();
    if let Some(bad) = schemas.iter().find(|s| s.len() != width) {
        return Err(Error::analysis(format!(
            "{what} needs the same number of columns on both sides ({width} and {})",
            bad.len()
        )));
    }
    let mut types = Vec::with_capacity(width);
    for c in 0..width {
        let column_types: Vec<DataType> = schemas
            .iter()
            .map(|s| s.field(c).data_type.clone())
            .collect();
        types.push(common_type(
            &format!("{what} column {}", c + 1),
            &column_types,
        )?);
    }
    let fields: Vec<PlanField> = (0..width)
        .map(|c| {
            // Interval columns meet in the widest fields, as Spark's UNION.
            let day_time = schemas
                .iter()
                .map(|s| s.field(c))
                .filter_map(|f| {
                    let default =
                        crate::frame::interval_type::IntervalFields::default_of(&f.data_type)?;
                    Some(f.interval.unwrap_or(default))
                })
                .reduce(crate::frame::interval_type::IntervalFields::widen);
            PlanField::new(None, schemas[0].field(c).name.clone(), types[c].clone())
                .with_interval(day_time)
        })
        .collect();
    let inputs = inputs
        .into_iter()
        .zip(&schemas)
        .map(|(plan, schema)| {
            if (0..width).all(|c| schema.field(c).data_type == types[c]) {
                return plan;
            }
            let exprs = (0..width)
                .map(|c| Expr::column(c, schema.field(c).name.clone()).cast(&types[c], schema))
                .collect();
            LogicalPlan::Project {
                input: Box::new(plan),
                exprs,
                schema: PlanSchema::new(fields.clone()),
            }
        })
        .collect();
    Ok(LogicalPlan::Union {
        inputs,
        schema: PlanSchema::new(fields),
    })
}

/// `left INTERSECT right` or `left EXCEPT right`, `all` keeping duplicates as SQL's ALL
/// forms do (see the module's documentation for the plan).
pub fn intersect_or_except(
    comparing: Comparing,
    all: bool,
    left: LogicalPlan,
    right: LogicalPlan,
) -> Result<LogicalPlan> {
    let what = comparing.name();
    let together = union_all(vec![tagged(left, 1, 0), tagged(right, 0, 1)], what)?;
    let schema = together.schema();
    let width = schema.len() - 2;
    let column = |c: usize| Expr::column(c, schema.field(c).name.clone());
    let group: Vec<Expr> = (0..width).map(column).collect();
    let count = |c: usize| AggregateCall {
        func: AggregateFunction::Sum,
        args: vec![column(c)],
        distinct: false,
        filter: None,
        return_type: DataType::Int64,
    };
    let mut fields: Vec<PlanField> = schema.fields()[..width].to_vec();
    fields.push(PlanField::new(None, "__left_rows", DataType::Int64));
    fields.push(PlanField::new(None, "__right_rows", DataType::Int64));
    let counted_schema = PlanSchema::new(fields);
    let counted = LogicalPlan::Aggregate {
        input: Box::new(together),
        group,
        aggregates: vec![count(width), count(width + 1)],
        schema: counted_schema.clone(),
    };
    let left_rows = Expr::column(width, "__left_rows");
    let right_rows = Expr::column(width + 1, "__right_rows");
    let zero = || Expr::literal(ScalarValue::Int64(0));
    let kept = match (comparing, all) {
        (Comparing::Intersect, _) => Expr::binary(
            BinaryOp::And,
            Expr::binary(BinaryOp::Gt, left_rows.clone(), zero()),
            Expr::binary(BinaryOp::Gt, right_rows.clone(), zero()),
        ),
        (Comparing::Except, false) => Expr::binary(
            BinaryOp::And,
            Expr::binary(BinaryOp::Gt, left_rows.clone(), zero()),
            Expr::binary(BinaryOp::Eq, right_rows.clone(), zero()),
        ),
        (Comparing::Except, true) => {
            Expr::binary(BinaryOp::Gt, left_rows.clone(), right_rows.clone())
        }
    };
    let mut plan = LogicalPlan::Filter {
        input: Box::new(counted),
        predicate: kept,
    };
    if all {
        let copies = match comparing {
            Comparing::Intersect => Expr::Case {
                branches: vec![(
                    Expr::binary(BinaryOp::Lt, left_rows.clone(), right_rows.clone()),
                    left_rows,
                )],
                otherwise: Some(Box::new(right_rows)),
                data_type: DataType::Int64,
            },
            Comparing::Except => Expr::binary(BinaryOp::Subtract, left_rows, right_rows),
        };
        plan = replicated(plan, &counted_schema, copies)?;
    }
    let exprs = (0..width)
        .map(|c| Expr::column(c, counted_schema.field(c).name.clone()))
        .collect();
    Ok(LogicalPlan::Project {
        input: Box::new(plan),
        exprs,
        schema: PlanSchema::new(counted_schema.fields()[..width].to_vec()),
    })
}

/// `plan`'s columns and two more: `left` and `right`, the counts each row adds to its
/// side.
fn tagged(plan: LogicalPlan, left: i64, right: i64) -> LogicalPlan {
    let schema = plan.schema();
    let mut exprs: Vec<Expr> = (0..schema.len())
        .map(|c| Expr::column(c, schema.field(c).name.clone()))
        .collect();
    exprs.push(Expr::literal(ScalarValue::Int64(left)));
    exprs.push(Expr::literal(ScalarValue::Int64(right)));
    let mut fields: Vec<PlanField> = schema
        .fields()
        .iter()
        .map(|f| PlanField::new(None, f.name.clone(), f.data_type.clone()))
        .collect();
    fields.push(PlanField::new(None, "__left", DataType::Int64));
    fields.push(PlanField::new(None, "__right", DataType::Int64));
    LogicalPlan::Project {
        input: Box::new(plan),
        exprs,
        schema: PlanSchema::new(fields),
    }
}

/// Each row of `plan` repeated `copies` times (Spark's `replicaterows`): an `explode` of
/// an array of that many elements, whose column is then unused.
fn replicated(plan: LogicalPlan, schema: &PlanSchema, copies: Expr) -> Result<LogicalPlan> {
    let count = Expr::Cast {
        expr: Box::new(copies),
        to: DataType::Int32,
    };
    let marks = Expr::Function {
        func: ScalarFunction::Array(ArrayFunction::ArrayRepeat),
        args: vec![Expr::literal(ScalarValue::Boolean(true)), count],
        return_type: list_of(DataType::Boolean),
    };
    let mut fields = schema.fields().to_vec();
    fields.push(PlanField::new(None, "__copy", DataType::Boolean));
    Ok(LogicalPlan::Generate {
        input: Box::new(plan),
        generator: Generator::explode(),
        arg: marks,
        schema: PlanSchema::new(fields),
    })
}
