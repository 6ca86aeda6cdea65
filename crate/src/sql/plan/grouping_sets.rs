//! `GROUP BY ROLLUP (..)`, `CUBE (..)`, `GROUPING SETS (..)` (and `WITH ROLLUP` /
//! `WITH CUBE`) with `grouping()` and `grouping_id()`, planned as Spark plans them: the
//! input is expanded, one copy of every row per grouping set, with the keys a set does not
//! group by set to NULL and a grouping id saying which; one ordinary aggregation then
//! groups by every key and the id. No new operator: the expansion is a union of
//! projections, the aggregation the usual one.
//!
//! The grouping id has one bit per key, the first key the highest, set when the key is
//! *not* grouped in that row's set (Spark's `grouping_id()`).

use arrow_schema::DataType;
use sqlparser::ast::{self, GroupByExpr, GroupByWithModifier};

use crate::error::{Error, Result};
use crate::sql::plan::expr::Expr;
use crate::sql::plan::grouping_keys::GroupingSets;
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};

/// Most grouping sets one GROUP BY may expand to (a CUBE of 10 keys): each set is one more
/// copy of the input.
const MAX_SETS: usize = 1024;

/// The grouping sets a GROUP BY names, as lists of key expressions; `None` for a plain
/// GROUP BY.
fn sets_of(group_by: &GroupByExpr) -> Result<Option<Vec<Vec<ast::Expr>>>> {
    let GroupByExpr::Expressions(exprs, modifiers) = group_by else {
        return Ok(None);
    };
    let constructs = exprs.iter().any(|e| {
        matches!(
            e,
            ast::Expr::Rollup(_) | ast::Expr::Cube(_) | ast::Expr::GroupingSets(_)
        )
    });
    if !constructs && modifiers.is_empty() {
        return Ok(None);
    }
    // Each GROUP BY item is a choice of key lists; the sets are every combination.
    let mut choices: Vec<Vec<Vec<ast::Expr>>> = Vec::new();
    for e in exprs {
        choices.push(match e {
            ast::Expr::Rollup(lists) => (0..=lists.len())
                .rev()
                .map(|n| lists[..n].concat())
                .collect(),
            ast::Expr::Cube(lists) => cube(lists),
            ast::Expr::GroupingSets(sets) => sets.clone(),
            plain => vec![vec![plain.clone()]],
        });
    }
    for modifier in modifiers {
        let all: Vec<Vec<ast::Expr>> = exprs.iter().map(|e| vec![e.clone()]).collect();
        match modifier {
            GroupByWithModifier::Rollup if !constructs => {
                choices = vec![(0..=all.len()).rev().map(|n| all[..n].concat()).collect()]
            }
            GroupByWithModifier::Cube if !constructs => choices = vec![cube(&all)],
            // Hive's `GROUP BY a, b GROUPING SETS ((a), (b))`: the sets replace the keys.
            GroupByWithModifier::GroupingSets(ast::Expr::GroupingSets(sets)) if !constructs => {
                choices = vec![sets.clone()]
            }
            other => return Err(Error::unsupported(format!("GROUP BY ... {other}"))),
        }
    }
    let mut sets: Vec<Vec<ast::Expr>> = vec![Vec::new()];
    for choice in choices {
        let mut next = Vec::with_capacity(sets.len() * choice.len());
        for set in &sets {
            for option in &choice {
                next.push([set.clone(), option.clone()].concat());
                if next.len() > MAX_SETS {
                    return Err(Error::unsupported(format!(
                        "more than {MAX_SETS} grouping sets in one GROUP BY"
                    )));
                }
            }
        }
        sets = next;
    }
    Ok(Some(sets))
}

/// Spark's CUBE order: every subset, the sets grouping by more keys first (as a count
/// down of the bits that leave keys out).
fn cube(lists: &[Vec<ast::Expr>]) -> Vec<Vec<ast::Expr>> {
    let n = lists.len().min(10);
    (0..1usize << n)
        .map(|left_out| {
            (0..n)
                .filter(|i| left_out & (1 << (n - 1 - i)) == 0)
                .flat_map(|i| lists[i].clone())
                .collect()
        })
        .collect()
}

impl Planner<'_> {
    /// For a GROUP BY with grouping sets: the expanded input, its schema (the input's
    /// columns, then one hidden column per key, then the hidden grouping id) and the keys.
    /// `None` for a plain GROUP BY.
    pub fn expand_grouping_sets(
        &mut self,
        group_by: &GroupByExpr,
        plan: &LogicalPlan,
        scope: &PlanSchema,
    ) -> Result<Option<(LogicalPlan, PlanSchema, GroupingSets)>> {
        let Some(ast_sets) = sets_of(group_by)? else {
            return Ok(None);
        };
        let mut keys: Vec<Expr> = Vec::new();
        let mut sets: Vec<Vec<usize>> = Vec::with_capacity(ast_sets.len());
        for ast_set in &ast_sets {
            let mut set = Vec::new();
            for e in ast_set {
                let planned = self.expr(e, scope)?;
                if planned.contains_aggregate() || planned.contains_window() {
                    return Err(Error::analysis(
                        "GROUP BY cannot contain aggregate or window functions",
                    ));
                }
                let j = match keys.iter().position(|k| k == &planned) {
                    Some(j) => j,
                    None => {
                        keys.push(planned);
                        keys.len() - 1
                    }
                };
                if !set.contains(&j) {
                    set.push(j);
                }
            }
            sets.push(set);
        }
        if keys.len() > 62 {
            return Err(Error::unsupported("more than 62 keys in grouping sets"));
        }
        let base = scope.len();
        let mut fields = scope.fields().to_vec();
        for (j, k) in keys.iter().enumerate() {
            let mut field = crate::sql::plan::interval_fields::field_of(
                format!("__grouping_key_{j}"),
                k,
                scope,
            );
            field.hidden = true;
            fields.push(field);
        }
        let mut id_field = PlanField::new(None, "__grouping_id", DataType::Int64);
        id_field.hidden = true;
        fields.push(id_field);
        let expanded_schema = PlanSchema::new(fields);
        let copies = sets
            .iter()
            .map(|set| {
                let mut exprs: Vec<Expr> = (0..base)
                    .map(|i| Expr::column(i, scope.field(i).name.clone()))
                    .collect();
                let mut id = 0i64;
                for (j, k) in keys.iter().enumerate() {
                    if set.contains(&j) {
                        exprs.push(k.clone());
                    } else {
                        exprs.push(Expr::Literal(ScalarValue::Null(k.data_type(scope))));
                        id |= 1 << (keys.len() - 1 - j);
                    }
                }
                exprs.push(Expr::Literal(ScalarValue::Int64(id)));
                LogicalPlan::Project {
                    input: Box::new(plan.clone()),
                    exprs,
                    schema: expanded_schema.clone(),
                }
            })
            .collect();
        let expanded = LogicalPlan::Union {
            inputs: copies,
            schema: expanded_schema.clone(),
        };
        Ok(Some((
            expanded,
            expanded_schema,
            GroupingSets { keys, base },
        )))
    }
}
