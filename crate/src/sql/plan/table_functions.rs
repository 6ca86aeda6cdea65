//! Table-valued functions in FROM, as Spark has them: `range(...)`, a column `id` of
//! numbers (what `spark.range` makes), and the generators over a single row —
//! `FROM explode(array(1, 2)) AS t(v)` is `FROM (one row) LATERAL VIEW explode(...) t AS v`,
//! with the same default column names (`col`, `key` / `value`, `pos`, `col1`, ...).

use arrow_schema::DataType;
use sqlparser::ast::{self, ObjectName, TableAlias, TableFunctionArgs};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::spark_type_name;
use crate::sql::exec::OUTPUT_BATCH_ROWS;
use crate::sql::plan::generate::generator_view;
use crate::sql::plan::logical::{Generator, LogicalPlan, RangeSpec};
use crate::sql::plan::planner::{alias, Planner};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::types::{is_numeric, is_string};

/// Most partitions `range(..., numPartitions)` may ask for: each is a batch of its own.
const MAX_RANGE_PARTITIONS: i64 = 100_000;

/// The table functions, for messages.
const TABLE_FUNCTIONS: &str = "range, explode, posexplode, inline (each also `_outer`), \
                               stack and json_tuple";

impl Planner<'_> {
    /// `name(args) [AS alias[(columns)]]` in FROM.
    pub(crate) fn table_function(
        &mut self,
        name: &ObjectName,
        args: &TableFunctionArgs,
        table_alias: Option<&TableAlias>,
    ) -> Result<LogicalPlan> {
        if args.settings.is_some() {
            return Err(Error::unsupported("SETTINGS of a table function"));
        }
        let function = match name.0.as_slice() {
            [part] => part.as_ident().map(|i| i.value.to_ascii_lowercase()),
            _ => None,
        }
        .unwrap_or_default();
        if function == "range" {
            let plan = self.range(&args.args)?;
            return match table_alias {
                Some(a) => alias(plan, a),
                None => Ok(plan),
            };
        }
        let Some(generator) = Generator::from_name(&function) else {
            return Err(Error::unsupported(format!(
                "the table function `{name}` (Brasa has {TABLE_FUNCTIONS}; a table is \
                 named without parentheses)"
            )));
        };
        let view = generator_view(name, &args.args, table_alias, &function);
        self.lateral_view(LogicalPlan::OneRow, &view)
            .map_err(|e| reads_another_table(e, generator))
    }

    /// Spark's `range(end)`, `range(start, end)`, `range(start, end, step)` and
    /// `range(start, end, step, numPartitions)`.
    fn range(&mut self, args: &[ast::FunctionArg]) -> Result<LogicalPlan> {
        let values = args
            .iter()
            .map(|arg| match arg {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Ok(e),
                other => Err(Error::analysis(format!(
                    "range takes its arguments by position, not `{other}`"
                ))),
            })
            .collect::<Result<Vec<_>>>()?;
        const ROLES: [&str; 4] = ["start", "end", "step", "numPartitions"];
        let roles: &[&str] = match values.len() {
            1 => &ROLES[1..2],
            2..=4 => &ROLES[..values.len()],
            n => {
                return Err(Error::analysis(format!(
                    "range takes 1 to 4 arguments (end; start, end; start, end, step; or \
                     start, end, step, numPartitions), got {n}"
                )))
            }
        };
        let mut numbers = [0, 0, 1, 0];
        for (e, role) in values.into_iter().zip(roles) {
            let at = ROLES
                .iter()
                .position(|r| r == role)
                .expect("a role of ROLES");
            numbers[at] = self.range_argument(e, role)?;
        }
        let [start, end, step, partitions] = numbers;
        if step == 0 {
            return Err(Error::analysis(
                "range's step cannot be 0: give a positive step to count up, a negative one \
                 to count down",
            ));
        }
        let span = end as i128 - start as i128;
        let rows = if span != 0 && (span > 0) == (step > 0) {
            let step = step as i128;
            ((span + step - span.signum()) / step) as u64
        } else {
            0
        };
        let slices = if roles.len() == 4 {
            if !(1..=MAX_RANGE_PARTITIONS).contains(&partitions) {
                return Err(Error::analysis(format!(
                    "range's numPartitions must be between 1 and {MAX_RANGE_PARTITIONS}, got \
                     {partitions}"
                )));
            }
            partitions as usize
        } else {
            usize::try_from(rows.div_ceil(OUTPUT_BATCH_ROWS as u64).max(1)).unwrap_or(usize::MAX)
        };
        let mut id = PlanField::new(Some("range"), "id", DataType::Int64);
        id.nullable = false;
        Ok(LogicalPlan::Range {
            range: RangeSpec {
                start,
                end,
                step,
                rows,
                slices,
            },
            schema: PlanSchema::new(vec![id]),
        })
    }

    /// A constant argument of `range`, cast to BIGINT as Spark casts it (`5.5` is 5,
    /// `'3'` is 3).
    fn range_argument(&mut self, e: &ast::Expr, role: &str) -> Result<i64> {
        let none = PlanSchema::default();
        let planned = self.expr(e, &none)?;
        if planned.contains_aggregate() || planned.contains_window() {
            return Err(Error::analysis(format!(
                "range's {role} must be a constant, not an aggregate or window function"
            )));
        }
        let data_type = planned.data_type(&none);
        if !(is_numeric(&data_type) || is_string(&data_type)) {
            return Err(Error::analysis(format!(
                "range's {role} must be a number (BIGINT), got {}",
                spark_type_name(&data_type)
            )));
        }
        let value = LogicalPlan::Project {
            input: Box::new(LogicalPlan::OneRow),
            exprs: vec![planned.cast(&DataType::Int64, &none)],
            schema: PlanSchema::new(vec![PlanField::new(None, role, DataType::Int64)]),
        };
        match self.first_value(value)? {
            Some(ScalarValue::Int64(n)) => Ok(n),
            _ => Err(Error::analysis(format!(
                "range's {role} is NULL (or not a number): give a whole number"
            ))),
        }
    }
}

/// A generator in FROM runs over one row of nothing: a column it cannot find is most
/// likely another table's, which Spark reads with `LATERAL` or `LATERAL VIEW`.
fn reads_another_table(error: Error, generator: Generator) -> Error {
    if error.code() != ErrorCode::SqlAnalysis || !error.message().starts_with("column `") {
        return error;
    }
    let name = generator.name();
    Error::analysis(format!(
        "{}; a table function in FROM reads no table unless it is LATERAL, so to {name} a \
         column of one write `FROM t, LATERAL {name}(t.column) AS v(...)`, `FROM t LATERAL \
         VIEW {name}(t.column) v AS ...` or `SELECT {name}(column) FROM t`",
        error.message()
    ))
}
