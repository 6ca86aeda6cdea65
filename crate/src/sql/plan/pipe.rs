//! Spark 4's SQL pipe syntax: `FROM t |> WHERE x > 0 |> AGGREGATE sum(x) AS s GROUP BY g`.
//! Each operator reads the rows of everything before it as a table: it is planned as a
//! small query over the placeholder table [`PIPE`], bound to the plan so far with its
//! qualifiers (so `t.x` still reads after `|> WHERE`, as in Spark). The operator's own
//! expressions are spliced into that query as parsed, so errors point at the user's text.

use sqlparser::ast::{
    self, AssignmentTarget, ExprWithAliasAndOrderBy, GroupByExpr, Ident, LimitClause, Offset,
    OffsetRows, OrderBy, OrderByKind, PipeOperator, Query, SelectItem, SetExpr, SetOperator,
    SetQuantifier, Statement,
};

use crate::error::{Error, Result};
use crate::sql::parse::parse_statements;
use crate::sql::plan::logical::LogicalPlan;
use crate::sql::plan::planner::{Planner, PIPE};
use crate::sql::plan::sample::TableSample;

impl Planner<'_> {
    /// `plan` through each pipe operator in turn.
    pub(crate) fn pipe(&mut self, plan: LogicalPlan, ops: &[PipeOperator]) -> Result<LogicalPlan> {
        ops.iter()
            .try_fold(plan, |plan, op| self.pipe_operator(plan, op))
    }

    fn pipe_operator(&mut self, input: LogicalPlan, op: &PipeOperator) -> Result<LogicalPlan> {
        use PipeOperator as P;
        let mut query = template("SELECT * FROM __pipe")?;
        match op {
            P::Where { expr } => select_of(&mut query)?.selection = Some(expr.clone()),
            P::Select { exprs } => select_of(&mut query)?.projection = exprs.clone(),
            P::Extend { exprs } => select_of(&mut query)?
                .projection
                .extend(exprs.iter().cloned()),
            P::Set { assignments } => {
                select_of(&mut query)?.projection = set_items(&input, assignments)?;
            }
            P::Drop { columns } => {
                let schema = input.schema();
                if let Some(missing) = columns.iter().find(|c| {
                    !schema
                        .fields()
                        .iter()
                        .any(|f| f.name.eq_ignore_ascii_case(&c.value))
                }) {
                    return Err(Error::analysis(format!(
                        "`|> DROP {}`: there is no column `{}` to drop",
                        missing.value, missing.value
                    )));
                }
                let names: Vec<String> = columns.iter().map(|c| quoted(&c.value)).collect();
                query = template(&format!(
                    "SELECT * EXCEPT ({}) FROM __pipe",
                    names.join(", ")
                ))?;
            }
            P::As { alias } => {
                let schema = input.schema().requalify(&alias.value);
                return Ok(LogicalPlan::Alias {
                    input: Box::new(input),
                    schema,
                });
            }
            P::Limit { expr, offset } => {
                query.limit_clause = Some(LimitClause::LimitOffset {
                    limit: Some(expr.clone()),
                    offset: offset.clone().map(|value| Offset {
                        value,
                        rows: OffsetRows::None,
                    }),
                    limit_by: Vec::new(),
                });
            }
            P::OrderBy { exprs } => {
                query.order_by = Some(OrderBy {
                    kind: OrderByKind::Expressions(exprs.clone()),
                    interpolate: None,
                });
            }
            P::Aggregate {
                full_table_exprs,
                group_by_expr,
            } => {
                self.check_aggregates(&input, full_table_exprs)?;
                let select = select_of(&mut query)?;
                let keys = group_by_expr
                    .iter()
                    .map(|key| group_key(&input, key))
                    .collect::<Result<Vec<_>>>()?;
                select.projection = keys
                    .iter()
                    .map(|(expr, alias)| item(expr.clone(), alias.clone()))
                    .chain(
                        full_table_exprs
                            .iter()
                            .map(|e| item(e.expr.expr.clone(), e.expr.alias.clone())),
                    )
                    .collect();
                if !keys.is_empty() {
                    select.group_by = GroupByExpr::Expressions(
                        keys.into_iter().map(|(e, _)| e).collect(),
                        vec![],
                    );
                }
            }
            P::Union {
                set_quantifier,
                queries,
            } => query = set_operation(query, SetOperator::Union, set_quantifier, queries),
            P::Intersect {
                set_quantifier,
                queries,
            } => query = set_operation(query, SetOperator::Intersect, set_quantifier, queries),
            P::Except {
                set_quantifier,
                queries,
            } => query = set_operation(query, SetOperator::Except, set_quantifier, queries),
            P::Join(join) => {
                let select = select_of(&mut query)?;
                let from = select
                    .from
                    .first_mut()
                    .ok_or_else(|| Error::analysis("a pipe JOIN needs rows before it"))?;
                from.joins.push(join.clone());
            }
            P::TableSample { sample } => return TableSample::parse_clause(sample)?.apply(input),
            other => {
                return Err(Error::unsupported(format!(
                    "the pipe operator `|> {other}` (Brasa takes SELECT, EXTEND, SET, DROP, AS, \
                     WHERE, LIMIT, ORDER BY, AGGREGATE, JOIN, UNION, INTERSECT, EXCEPT and \
                     TABLESAMPLE)"
                )))
            }
        }
        self.with_relation(PIPE, input, |planner| planner.query(&query))
    }

    /// Spark's rule for `|> AGGREGATE`: each expression before GROUP BY aggregates.
    fn check_aggregates(
        &mut self,
        input: &LogicalPlan,
        exprs: &[ExprWithAliasAndOrderBy],
    ) -> Result<()> {
        let scope = input.schema();
        for e in exprs {
            if !self.expr(&e.expr.expr, &scope)?.contains_aggregate() {
                return Err(Error::analysis(format!(
                    "`|> AGGREGATE {}`: each expression before GROUP BY must aggregate \
                     (Spark's PIPE_OPERATOR_AGGREGATE_EXPRESSION_CONTAINS_NO_AGGREGATE_FUNCTION); \
                     put grouping columns after GROUP BY",
                    e.expr.expr
                )));
            }
        }
        Ok(())
    }
}

/// A query parsed from `sql`, which holds only the placeholder table.
pub(crate) fn template(sql: &str) -> Result<Query> {
    match parse_statements(sql)?.pop() {
        Some(Statement::Query(query)) => Ok(*query),
        _ => Err(Error::internal("a pipe template", sql)),
    }
}

fn select_of(query: &mut Query) -> Result<&mut ast::Select> {
    match query.body.as_mut() {
        SetExpr::Select(select) => Ok(select),
        _ => Err(Error::internal("a pipe template", "not a SELECT")),
    }
}

fn item(expr: ast::Expr, alias: Option<Ident>) -> SelectItem {
    match alias {
        Some(alias) => SelectItem::ExprWithAlias { expr, alias },
        None => SelectItem::UnnamedExpr(expr),
    }
}

fn quoted(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// A reference to column `index` of `input`, qualified where it can be.
fn column_reference(input: &LogicalPlan, index: usize) -> ast::Expr {
    let schema = input.schema();
    let field = schema.field(index);
    let name = Ident::with_quote('`', field.name.clone());
    match &field.qualifier {
        Some(q) => ast::Expr::CompoundIdentifier(vec![Ident::with_quote('`', q.clone()), name]),
        None => ast::Expr::Identifier(name),
    }
}

/// `|> SET a = e, ...`: every column in place, the assigned ones replaced.
fn set_items(input: &LogicalPlan, assignments: &[ast::Assignment]) -> Result<Vec<SelectItem>> {
    let schema = input.schema();
    let mut values: Vec<(String, &ast::Expr)> = Vec::with_capacity(assignments.len());
    for assignment in assignments {
        let AssignmentTarget::ColumnName(name) = &assignment.target else {
            return Err(Error::unsupported(
                "`|> SET (a, b) = ...`: assign columns one by one",
            ));
        };
        let name = name.to_string().trim_matches('`').to_string();
        if !schema
            .fields()
            .iter()
            .any(|f| f.name.eq_ignore_ascii_case(&name))
        {
            return Err(Error::analysis(format!(
                "`|> SET {name} = ...`: there is no column `{name}` to set"
            )));
        }
        values.push((name, &assignment.value));
    }
    Ok(schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.hidden)
        .map(|(i, field)| {
            match values
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(&field.name))
            {
                Some((_, value)) => item(
                    (*value).clone(),
                    Some(Ident::with_quote('`', field.name.clone())),
                ),
                None => SelectItem::UnnamedExpr(column_reference(input, i)),
            }
        })
        .collect())
}

/// A grouping key of `|> AGGREGATE ... GROUP BY`: an ordinal is the input's column.
fn group_key(
    input: &LogicalPlan,
    key: &ExprWithAliasAndOrderBy,
) -> Result<(ast::Expr, Option<Ident>)> {
    let options = &key.order_by;
    if options.asc.is_some() || options.nulls_first.is_some() {
        return Err(Error::unsupported(
            "ordering keys in `|> AGGREGATE ... GROUP BY` (add `|> ORDER BY` after it)",
        ));
    }
    let expr = match &key.expr.expr {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => {
                let schema = input.schema();
                let index = n
                    .parse::<usize>()
                    .ok()
                    .filter(|i| (1..=schema.len()).contains(i))
                    .ok_or_else(|| {
                        Error::analysis(format!(
                            "`GROUP BY {n}` in `|> AGGREGATE`: a position must be 1 to {}",
                            schema.len()
                        ))
                    })?;
                column_reference(input, index - 1)
            }
            _ => key.expr.expr.clone(),
        },
        other => other.clone(),
    };
    Ok((expr, key.expr.alias.clone()))
}

/// `|> UNION [ALL] (q1), (q2)`: the rows so far, then each query's.
fn set_operation(
    mut query: Query,
    op: SetOperator,
    set_quantifier: &SetQuantifier,
    queries: &[Query],
) -> Query {
    let mut body = *query.body;
    for right in queries {
        body = SetExpr::SetOperation {
            op,
            set_quantifier: *set_quantifier,
            left: Box::new(body),
            right: Box::new(SetExpr::Query(Box::new(right.clone()))),
        };
    }
    query.body = Box::new(body);
    query
}
