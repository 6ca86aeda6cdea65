//! The keys of a `GROUP BY` with grouping sets once its input is expanded (see
//! `grouping_sets`): which columns hold the keys and the grouping id, and `grouping()` /
//! `grouping_id()` computed from that id. Kept apart from the expansion so the planner can
//! hold it while planning expressions without an import circle.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;

/// The keys of a grouping-sets aggregation, as columns of the expanded input.
#[derive(Debug, Clone)]
pub struct GroupingSets {
    /// Every distinct key expression, over the original input.
    pub keys: Vec<Expr>,
    /// Key `j` is column `base + j` of the expanded input; the grouping id follows them.
    pub base: usize,
}

impl GroupingSets {
    fn id_column(&self) -> usize {
        self.base + self.keys.len()
    }

    /// What the aggregation groups by: every key, then the grouping id.
    pub fn group(&self, scope: &PlanSchema) -> Vec<Expr> {
        (self.base..=self.id_column())
            .map(|i| Expr::column(i, scope.field(i).name.clone()))
            .collect()
    }

    /// `e` with each key replaced by its expanded column (NULL where the set does not
    /// group by it), except inside aggregate calls, which read the input's own values.
    pub fn replace_keys(&self, e: Expr, scope: &PlanSchema) -> Expr {
        e.rewrite(&mut |node| {
            if let Expr::Aggregate(_) = node {
                return Some(node.clone());
            }
            self.keys
                .iter()
                .position(|k| k == node)
                .map(|j| Expr::column(self.base + j, scope.field(self.base + j).name.clone()))
        })
    }

    /// `grouping(key)` (1 when the row's set does not group by `key`, as a `tinyint`) or
    /// `grouping_id()` (every key's bit, as a `bigint`).
    pub fn call(&self, id: bool, args: &[Expr], scope: &PlanSchema) -> Result<Expr> {
        let position = |arg: &Expr| {
            self.keys.iter().position(|k| k == arg).ok_or_else(|| {
                Error::analysis(format!(
                    "`{arg}` in grouping() / grouping_id() must be one of the GROUP BY keys"
                ))
            })
        };
        let bit = |j: usize| -> Result<Expr> {
            // The id is never negative: dividing by 2^shift shifts it right.
            let shift = (self.keys.len() - 1 - j).min(62);
            let shifted = Expr::binary(
                BinaryOp::IntDivide,
                Expr::column(self.id_column(), scope.field(self.id_column()).name.clone()),
                Expr::Literal(ScalarValue::Int64(1i64 << shift)),
            );
            Ok(Expr::binary(
                BinaryOp::Modulo,
                shifted,
                Expr::Literal(ScalarValue::Int64(2)),
            ))
        };
        if !id {
            let [arg] = args else {
                return Err(Error::analysis("grouping() takes one GROUP BY key"));
            };
            return Ok(bit(position(arg)?)?.cast(&DataType::Int8, scope));
        }
        // Spark: grouping_id's arguments, when given, are the GROUP BY keys in order.
        if !args.is_empty() && args != self.keys.as_slice() {
            return Err(Error::analysis(
                "the arguments of grouping_id() must be the GROUP BY keys, in their order \
                 (or none)",
            ));
        }
        Ok(Expr::column(
            self.id_column(),
            scope.field(self.id_column()).name.clone(),
        ))
    }
}
