//! `TABLESAMPLE` after a table or a subquery, as Spark reads it.
//!
//! Spark turns `TABLESAMPLE (n ROWS)` into a LIMIT, and both `TABLESAMPLE (p PERCENT)`
//! and `TABLESAMPLE (BUCKET x OUT OF y)` into a Bernoulli sample of the fraction `p / 100`
//! or `x / y`: each partition draws one number per row from the generator of
//! `rand(seed)` (XORShift seeded with seed + partition index) and keeps the rows whose
//! number is below the fraction. So a sample here is the filter `rand(seed) < fraction`
//! on the sampled rows, which gives Spark's rows wherever `rand(seed)` gives Spark's
//! numbers. `REPEATABLE (seed)` fixes the seed; without it a seed is picked when the query
//! is planned, as Spark does, so each run draws another sample.

use sqlparser::ast::{self, TableSampleKind, TableSampleUnit, Value};

use crate::error::{Error, Result};
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::functions::{planning_seed, ScalarFunction};
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::scalar::ScalarValue;

/// What a `TABLESAMPLE` clause asks for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TableSample {
    /// `TABLESAMPLE (n ROWS)`: the first `n` rows.
    Rows(usize),
    /// `TABLESAMPLE (p PERCENT)` or `(BUCKET x OUT OF y)`: each row kept with this
    /// probability, drawn from `rand(seed)`.
    Fraction { fraction: f64, seed: i64 },
}

impl TableSample {
    /// Reads a table's or a subquery's clause, refusing what Spark refuses (a fraction outside [0, 1],
    /// `BUCKET ... ON`, a sampling method's name, a size in bytes) with Spark's reason.
    pub(crate) fn parse(kind: &TableSampleKind) -> Result<TableSample> {
        match kind {
            TableSampleKind::BeforeTableAlias(s) | TableSampleKind::AfterTableAlias(s) => {
                TableSample::parse_clause(s)
            }
        }
    }

    /// Reads the clause itself (a pipe's `|> TABLESAMPLE (...)` comes without a place).
    pub(crate) fn parse_clause(sample: &ast::TableSample) -> Result<TableSample> {
        let refused = |why: &str| Error::unsupported(format!("`{sample}`: {why}"));
        if sample.name.is_some() || sample.offset.is_some() {
            return Err(refused(
                "Spark's TABLESAMPLE takes (n ROWS), (p PERCENT) or (BUCKET x OUT OF y), \
                 optionally followed by REPEATABLE (seed)",
            ));
        }
        let seed = match &sample.seed {
            None => None,
            Some(seed) if seed.modifier == ast::TableSampleSeedModifier::Repeatable => {
                Some(whole_number(&seed.value, "REPEATABLE")?)
            }
            Some(_) => return Err(refused("Spark names the seed with REPEATABLE (seed)")),
        };
        let fraction = match (&sample.quantity, &sample.bucket) {
            (Some(q), None) if q.unit == Some(TableSampleUnit::Rows) => {
                let rows = whole_number_expr(&q.value, "TABLESAMPLE (n ROWS)")?;
                return usize::try_from(rows).map(TableSample::Rows).map_err(|_| {
                    Error::analysis(format!(
                        "TABLESAMPLE takes a number of rows of 0 or more, got {rows}"
                    ))
                });
            }
            (Some(q), None) if q.unit == Some(TableSampleUnit::Percent) => {
                number_expr(&q.value, "TABLESAMPLE (p PERCENT)")? / 100.0
            }
            (None, Some(bucket)) => {
                if bucket.on.is_some() {
                    return Err(refused(
                        "Spark does not take BUCKET x OUT OF y ON a column; \
                         drop the ON part to sample x/y of the rows",
                    ));
                }
                let numerator = whole_number(&bucket.bucket, "BUCKET")?;
                let denominator = whole_number(&bucket.total, "OUT OF")?;
                if denominator == 0 {
                    return Err(Error::analysis(
                        "TABLESAMPLE (BUCKET x OUT OF 0): the number of buckets must be \
                         more than 0",
                    ));
                }
                numerator as f64 / denominator as f64
            }
            _ => {
                return Err(refused(
                    "Brasa takes TABLESAMPLE (n ROWS), (p PERCENT) or (BUCKET x OUT OF y), as \
                     Spark does",
                ))
            }
        };
        // Spark's own bound, with its allowance for rounding.
        const EPSILON: f64 = 1e-5;
        if !(-EPSILON..=1.0 + EPSILON).contains(&fraction) {
            return Err(Error::analysis(format!(
                "`{sample}`: the sampling fraction {fraction} must be between 0 and 1 \
                 (0 to 100 PERCENT, or a bucket x OUT OF y with x ≤ y)"
            )));
        }
        let seed = seed.unwrap_or_else(planning_seed);
        Ok(TableSample::Fraction { fraction, seed })
    }

    /// The sampled rows of `plan`.
    pub(crate) fn apply(&self, plan: LogicalPlan) -> Result<LogicalPlan> {
        match *self {
            TableSample::Rows(n) => Ok(plan.limited(0, Some(n))),
            TableSample::Fraction { fraction, seed } => {
                let rand = ScalarFunction::from_name("rand").ok_or_else(|| {
                    Error::internal("TABLESAMPLE", "the function rand is not registered")
                })?;
                let draw = Expr::Function {
                    func: rand,
                    args: vec![Expr::literal(ScalarValue::Int64(seed))],
                    return_type: arrow_schema::DataType::Float64,
                };
                Ok(LogicalPlan::Filter {
                    input: Box::new(plan),
                    predicate: Expr::binary(
                        BinaryOp::Lt,
                        draw,
                        Expr::literal(ScalarValue::Float64(fraction)),
                    ),
                })
            }
        }
    }
}

/// A literal number, possibly negative, as a float (`2.5 PERCENT`, `-5 PERCENT`).
fn number_expr(expr: &ast::Expr, what: &str) -> Result<f64> {
    match expr {
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => number_expr(expr, what).map(|n| -n),
        ast::Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n
                .parse()
                .map_err(|_| Error::analysis(format!("{what} takes a number, got `{n}`"))),
            other => Err(Error::analysis(format!(
                "{what} takes a number, got `{other}`"
            ))),
        },
        other => Err(Error::analysis(format!(
            "{what} takes a literal number, got `{other}`"
        ))),
    }
}

/// A literal whole number, possibly negative, in an expression.
fn whole_number_expr(expr: &ast::Expr, what: &str) -> Result<i64> {
    match expr {
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => whole_number_expr(expr, what).map(|n| -n),
        ast::Expr::Value(v) => whole_number(&v.value, what),
        other => Err(Error::analysis(format!(
            "{what} takes a literal whole number, got `{other}`"
        ))),
    }
}

/// A literal whole number.
fn whole_number(value: &Value, what: &str) -> Result<i64> {
    match value {
        Value::Number(n, _) => n
            .parse()
            .map_err(|_| Error::analysis(format!("{what} takes a whole number, got `{n}`"))),
        other => Err(Error::analysis(format!(
            "{what} takes a whole number, got `{other}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::parse::parse_statements;

    fn sample_of(sql: &str) -> Result<TableSample> {
        let statements = parse_statements(sql)?;
        let ast::Statement::Query(query) = &statements[0] else {
            panic!("not a query")
        };
        let ast::SetExpr::Select(select) = query.body.as_ref() else {
            panic!("not a select")
        };
        match &select.from[0].relation {
            ast::TableFactor::Table {
                sample: Some(s), ..
            } => TableSample::parse(s),
            other => panic!("no sample in {other}"),
        }
    }

    #[test]
    fn reads_rows_percentages_and_buckets() {
        assert_eq!(
            sample_of("SELECT * FROM t TABLESAMPLE (3 ROWS)").unwrap(),
            TableSample::Rows(3)
        );
        assert_eq!(
            sample_of("SELECT * FROM t TABLESAMPLE (2.5 PERCENT) REPEATABLE (7)").unwrap(),
            TableSample::Fraction {
                fraction: 0.025,
                seed: 7
            }
        );
        assert_eq!(
            sample_of("SELECT * FROM t TABLESAMPLE (BUCKET 2 OUT OF 5) REPEATABLE (3)").unwrap(),
            TableSample::Fraction {
                fraction: 0.4,
                seed: 3
            }
        );
    }

    #[test]
    fn refuses_what_spark_refuses() {
        for sql in [
            "SELECT * FROM t TABLESAMPLE (150 PERCENT)",
            "SELECT * FROM t TABLESAMPLE (-5 PERCENT)",
            "SELECT * FROM t TABLESAMPLE (BUCKET 6 OUT OF 5)",
            "SELECT * FROM t TABLESAMPLE (BUCKET 1 OUT OF 0)",
            "SELECT * FROM t TABLESAMPLE (BUCKET 1 OUT OF 4 ON x)",
            "SELECT * FROM t TABLESAMPLE (-2 ROWS)",
            "SELECT * FROM t TABLESAMPLE BERNOULLI (5)",
        ] {
            assert!(sample_of(sql).is_err(), "{sql}");
        }
    }
}
