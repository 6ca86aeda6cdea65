//! From a parsed query to a logical plan: names resolved against the catalog, CTEs and
//! views, `SELECT` clauses put in SQL's evaluation order (FROM, WHERE, GROUP BY, HAVING,
//! windows, SELECT, DISTINCT, ORDER BY, LIMIT). Subqueries in expressions are planned in
//! `subquery.rs`, and correlated ones joined in `decorrelate.rs` and `value_joins.rs`.

use std::collections::HashMap;
use std::sync::Arc;

use sqlparser::ast::{
    self, GroupByExpr, JoinConstraint, JoinOperator, LimitClause, OrderByKind, Query, SelectItem,
    SelectItemQualifiedWildcardKind, SetExpr, SetOperator, SetQuantifier, Spanned, TableFactor,
    TableWithJoins, Value,
};

use crate::error::{Error, ErrorCode, Result};
use crate::frame::{Catalog, Table};
use crate::sql::limits::{MAX_JOINED_RELATIONS, MAX_VIEW_DEPTH};
use crate::sql::parse::{at_span, at_span_if_unplaced, parse_statements};
use crate::sql::plan::correlation::SubqueryState;
use crate::sql::plan::expr::{AggregateCall, BinaryOp, Expr, SortKey, WindowCall};
use crate::sql::plan::functions::{common_type, ConditionalFunction, ScalarFunction};
use crate::sql::plan::grouping_keys::GroupingSets;
use crate::sql::plan::interval_fields;
use crate::sql::plan::logical::{JoinKind, LogicalPlan, SELECT_GENERATOR};
use crate::sql::plan::sample::TableSample;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::plan::set_ops::{intersect_or_except, union_all, Comparing};
use crate::sql::plan::time_window_spec::{TimeWindowColumn, TIME_WINDOW};

/// Runs a plan to a table: the planner needs it for uncorrelated subqueries, whose
/// results become constants of the outer query, and for what a correlated scalar
/// subquery gives over no rows.
pub trait SubqueryRunner {
    fn run(&self, plan: LogicalPlan) -> Result<Table>;
}

pub struct Planner<'a> {
    catalog: &'a Catalog,
    pub(crate) runner: &'a dyn SubqueryRunner,
    /// CTEs in scope, innermost last, keyed by lower-cased name.
    ctes: Vec<HashMap<String, LogicalPlan>>,
    /// Views being expanded (to report a view that refers to itself).
    expanding: Vec<String>,
    /// The keys of the SELECT being planned when it groups by grouping sets (what
    /// `grouping()` and `grouping_id()` read).
    pub(crate) grouping: Option<GroupingSets>,
    /// Outer scopes of the subqueries being planned and the joins correlated scalar
    /// subqueries ask for (see `subquery.rs`).
    pub(crate) subqueries: SubqueryState,
    /// The parameters of the lambdas being planned, innermost last: a name and the
    /// position of its column in the lambda's scope (see `lambda.rs`).
    pub(crate) lambda_vars: Vec<(String, usize)>,
    /// The `window` column of the SELECT being planned, if it calls `window(...)` (see
    /// `time_window.rs`).
    pub(crate) time_window: Option<TimeWindowColumn>,
    /// The aliases of the SELECT list being planned, left to right, with what they stand
    /// for: Spark's lateral column aliases (`SELECT x * 2 AS d, d + 1 AS e`), read where a
    /// name is not a column. Each SELECT starts with none.
    pub(crate) lateral_aliases: Vec<(String, Expr)>,
    /// How many window functions (`f(...) OVER (...)`) are being planned around the
    /// current expression: Spark refuses a lateral alias inside one.
    pub(crate) window_depth: usize,
    /// The WINDOW clause of the SELECT being planned, its names resolved (see
    /// `window.rs`). Each SELECT has its own.
    pub(crate) named_windows: Vec<(String, ast::WindowSpec)>,
}

impl<'a> Planner<'a> {
    pub fn new(catalog: &'a Catalog, runner: &'a dyn SubqueryRunner) -> Self {
        Planner {
            catalog,
            runner,
            ctes: Vec::new(),
            expanding: Vec::new(),
            grouping: None,
            subqueries: SubqueryState::default(),
            lambda_vars: Vec::new(),
            time_window: None,
            lateral_aliases: Vec::new(),
            window_depth: 0,
            named_windows: Vec::new(),
        }
    }

    pub fn query(&mut self, query: &Query) -> Result<LogicalPlan> {
        if query.fetch.is_some() || !query.locks.is_empty() {
            return Err(Error::unsupported("FETCH or FOR UPDATE"));
        }
        let pushed = query.with.is_some();
        if let Some(with) = &query.with {
            self.ctes.push(HashMap::new());
            for cte in &with.cte_tables {
                let plan = if with.recursive {
                    self.recursive_cte(cte)?
                } else {
                    let plan = self.query(&cte.query)?;
                    alias(plan, &cte.alias)?
                };
                self.bind_cte(&cte.alias.name.value, plan);
            }
        }
        let result = self
            .query_body(query)
            .and_then(|plan| self.pipe(plan, &query.pipe_operators));
        if pushed {
            self.ctes.pop();
        }
        result
    }

    /// `plan` under the name `name` (a scope of its own, as a WITH's) while `f` plans.
    pub(crate) fn with_relation<T>(
        &mut self,
        name: &str,
        plan: LogicalPlan,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        self.ctes.push(HashMap::from([(name.to_lowercase(), plan)]));
        let result = f(self);
        self.ctes.pop();
        result
    }

    /// Puts `plan` under the CTE name `name` in the innermost WITH being planned.
    pub(crate) fn bind_cte(&mut self, name: &str, plan: LogicalPlan) {
        if let Some(innermost) = self.ctes.last_mut() {
            innermost.insert(name.to_lowercase(), plan);
        }
    }

    fn query_body(&mut self, query: &Query) -> Result<LogicalPlan> {
        let order_by = match &query.order_by {
            None => &[][..],
            Some(order) => match &order.kind {
                OrderByKind::Expressions(keys) => keys.as_slice(),
                OrderByKind::All(_) => return Err(Error::unsupported("ORDER BY ALL")),
            },
        };
        let (skip, fetch) = limit(query.limit_clause.as_ref())?;
        let plan = match query.body.as_ref() {
            SetExpr::Select(select) => self.select(select, order_by)?,
            other => {
                let plan = self.set_expr(other)?;
                if order_by.is_empty() {
                    plan
                } else {
                    let schema = plan.schema();
                    let keys = order_by
                        .iter()
                        .map(|key| {
                            let expr = self.output_reference(&key.expr, &schema, &[])?;
                            let ascending = key.options.asc.unwrap_or(true);
                            Ok(SortKey {
                                expr,
                                ascending,
                                nulls_first: key.options.nulls_first.unwrap_or(ascending),
                            })
                        })
                        .collect::<Result<Vec<_>>>()?;
                    LogicalPlan::Sort {
                        input: Box::new(plan),
                        keys,
                        fetch: None,
                    }
                }
            }
        };
        Ok(plan.limited(skip, fetch))
    }

    pub(crate) fn set_expr(&mut self, body: &SetExpr) -> Result<LogicalPlan> {
        match body {
            SetExpr::Select(select) => self.select(select, &[]),
            SetExpr::Query(query) => self.query(query),
            SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let distinct = match set_quantifier {
                    SetQuantifier::All => false,
                    SetQuantifier::Distinct | SetQuantifier::None => true,
                    other => return Err(Error::unsupported(format!("{op} {other}"))),
                };
                let left = self.set_expr(left)?;
                let right = self.set_expr(right)?;
                let comparing = match op {
                    SetOperator::Union => None,
                    SetOperator::Intersect => Some(Comparing::Intersect),
                    SetOperator::Except | SetOperator::Minus => Some(Comparing::Except),
                };
                if let Some(comparing) = comparing {
                    return intersect_or_except(comparing, !distinct, left, right);
                }
                // `a UNION b UNION c` parses left-deep; its inputs are gathered into one
                // union so the plan stays flat however many there are.
                let mut inputs = match left {
                    LogicalPlan::Union { inputs, .. } if !distinct => inputs,
                    LogicalPlan::Distinct { input } if distinct => match *input {
                        LogicalPlan::Union { inputs, .. } => inputs,
                        other => vec![LogicalPlan::Distinct {
                            input: Box::new(other),
                        }],
                    },
                    left => vec![left],
                };
                inputs.push(right);
                let union = union_all(inputs, "UNION")?;
                Ok(if distinct {
                    LogicalPlan::Distinct {
                        input: Box::new(union),
                    }
                } else {
                    union
                })
            }
            SetExpr::Values(values) => self.values(values),
            other => Err(Error::unsupported(format!("`{other}` as a query"))),
        }
    }

    /// The SELECT list (with `*` expanded), the GROUP BY keys, HAVING and the ORDER BY
    /// keys, planned over `scope`. With grouping sets, the keys are the expanded input's
    /// key columns and the expressions read those (NULL where a set does not group).
    #[allow(clippy::type_complexity)]
    fn select_list_and_keys(
        &mut self,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
        scope: &PlanSchema,
        sets: Option<&GroupingSets>,
    ) -> Result<(Vec<(Expr, String)>, Vec<Expr>, Option<Expr>, Vec<SortKey>)> {
        let mut items: Vec<(Expr, String)> = Vec::new();
        // `FROM t` alone (what a pipe starts from) selects every column.
        if select.projection.is_empty() && select.flavor == ast::SelectFlavor::FromFirstNoSelect {
            items.extend(star(scope, None));
        }
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    items.push((self.expr(e, scope)?, output_name(e, scope)))
                }
                SelectItem::ExprWithAlias { expr, alias } => {
                    let planned = self.expr(expr, scope)?;
                    self.lateral_aliases
                        .push((alias.value.clone(), planned.clone()));
                    items.push((planned, alias.value.clone()))
                }
                SelectItem::Wildcard(options) => {
                    let except = wildcard_options(options)?;
                    items.extend(star_except(star(scope, None), &except)?);
                }
                SelectItem::QualifiedWildcard(kind, options) => {
                    let except = wildcard_options(options)?;
                    let SelectItemQualifiedWildcardKind::ObjectName(name) = kind else {
                        return Err(Error::unsupported(format!("{kind}.*")));
                    };
                    let qualifier = object_name(name);
                    if !scope.has_qualifier(&qualifier) {
                        // `s.*` of a struct column: its fields.
                        let Some(fields) = self.struct_star(name, scope) else {
                            return Err(Error::analysis(format!(
                                "`{qualifier}.*`: there is no table `{qualifier}` in FROM, \
                                 nor a struct column of that name"
                            )));
                        };
                        items.extend(star_except(fields?, &except)?);
                        continue;
                    }
                    items.extend(star_except(star(scope, Some(&qualifier)), &except)?);
                }
            }
        }
        if items.is_empty() {
            return Err(Error::analysis("SELECT needs at least one column"));
        }

        // GROUP BY keys: ordinals and SELECT aliases are allowed, as in Spark.
        let group = match sets {
            Some(sets) => sets.group(scope),
            None => self.group_keys(select, scope, &items)?,
        };
        let mut having = select
            .having
            .as_ref()
            .map(|h| {
                self.expr(h, scope)
                    .and_then(|p| boolean_predicate(p, scope, "HAVING"))
            })
            .transpose()?;
        let mut sort_keys = Vec::with_capacity(order_by.len());
        for key in order_by {
            let expr = match self.select_reference(&key.expr, scope, &items, "ORDER BY")? {
                Some(e) => e,
                None => self.sort_key(key, scope)?.expr,
            };
            let ascending = key.options.asc.unwrap_or(true);
            sort_keys.push(SortKey {
                expr,
                ascending,
                nulls_first: key.options.nulls_first.unwrap_or(ascending),
            });
        }
        // QUALIFY's condition rides last in the SELECT list through aggregation and the
        // window functions; `select_body` takes it back off as a filter.
        if let Some(condition) = &select.qualify {
            let predicate = self
                .expr(condition, scope)
                .and_then(|p| boolean_predicate(p, scope, "QUALIFY"))?;
            items.push((predicate, "__qualify".to_string()));
        }

        if let Some(sets) = sets {
            items = items
                .into_iter()
                .map(|(e, name)| (sets.replace_keys(e, scope), name))
                .collect();
            having = having.map(|h| sets.replace_keys(h, scope));
            for key in &mut sort_keys {
                key.expr = sets.replace_keys(key.expr.clone(), scope);
            }
        }
        Ok((items, group, having, sort_keys))
    }

    /// Plain GROUP BY keys.
    fn group_keys(
        &mut self,
        select: &ast::Select,
        scope: &PlanSchema,
        items: &[(Expr, String)],
    ) -> Result<Vec<Expr>> {
        let group_asts = match &select.group_by {
            GroupByExpr::Expressions(exprs, modifiers) => {
                if !modifiers.is_empty() {
                    return Err(Error::unsupported("GROUP BY ... WITH ROLLUP/CUBE"));
                }
                exprs.clone()
            }
            GroupByExpr::All(modifiers) => {
                if !modifiers.is_empty() {
                    return Err(Error::unsupported("GROUP BY ALL ... WITH ROLLUP/CUBE"));
                }
                // Spark's GROUP BY ALL: every SELECT item without an aggregate (none: one
                // group of all the rows). Window functions run over the groups.
                return Ok(items
                    .iter()
                    .filter(|(e, _)| !e.contains_aggregate() && !e.contains_window())
                    .map(|(e, _)| e.clone())
                    .collect());
            }
        };
        let mut group = Vec::with_capacity(group_asts.len());
        for g in &group_asts {
            let planned = self
                .select_reference(g, scope, items, "GROUP BY")?
                .map_or_else(|| self.expr(g, scope), Ok)?;
            if planned.contains_aggregate() || planned.contains_window() {
                return Err(at_span(
                    Error::analysis("GROUP BY cannot contain aggregate or window functions"),
                    g.span(),
                ));
            }
            group.push(planned);
        }
        Ok(group)
    }

    /// `VALUES (1, 'a'), (2, 'b')`: one row per tuple, columns named `col1`, `col2`, ...
    /// as in Spark, each of the common type of its values (a union of one-row selects).
    fn values(&mut self, values: &ast::Values) -> Result<LogicalPlan> {
        let one_row = PlanSchema::new(Vec::new());
        let width = values.rows.first().map_or(0, Vec::len);
        if width == 0 {
            return Err(Error::analysis("VALUES needs at least one row of values"));
        }
        let mut rows = Vec::with_capacity(values.rows.len());
        for row in &values.rows {
            if row.len() != width {
                return Err(Error::analysis(format!(
                    "every row of VALUES needs {width} values, one has {}",
                    row.len()
                )));
            }
            let exprs = row
                .iter()
                .map(|e| self.expr(e, &one_row))
                .collect::<Result<Vec<_>>>()?;
            for (e, ast) in exprs.iter().zip(row) {
                if e.contains_aggregate()
                    || e.contains_window()
                    || e.any(&|x| matches!(x, Expr::Column { .. }))
                {
                    return Err(at_span(
                        Error::analysis("VALUES holds constant expressions only"),
                        ast.span(),
                    ));
                }
            }
            let fields = exprs
                .iter()
                .enumerate()
                .map(|(c, e)| interval_fields::field_of(format!("col{}", c + 1), e, &one_row))
                .collect();
            rows.push(LogicalPlan::Project {
                input: Box::new(LogicalPlan::OneRow),
                exprs,
                schema: PlanSchema::new(fields),
            });
        }
        if rows.len() == 1 {
            return Ok(rows.remove(0));
        }
        let per_row = values_computed_per_row(&rows);
        let plan = union_all(rows, "VALUES")?;
        if per_row {
            return Ok(plan);
        }
        self.one_partition(plan)
    }

    /// VALUES' constant rows computed once while the query is planned, as one partition:
    /// Spark's local relation (one partition in local mode), so that what a partition
    /// decides over them (`rand(seed)`'s stream, `spark_partition_id()`,
    /// `monotonically_increasing_id()`) is Spark's.
    fn one_partition(&mut self, plan: LogicalPlan) -> Result<LogicalPlan> {
        let schema = plan.schema();
        let table = self.runner.run(plan)?;
        let partitions = table.partitions()?;
        let batch = arrow_select::concat::concat_batches(table.schema(), partitions.iter())
            .map_err(|e| Error::internal("VALUES", e))?;
        let table = Table::try_new(table.schema().clone(), vec![batch])?;
        Ok(LogicalPlan::Scan {
            projection: (0..schema.len()).collect(),
            table: Arc::new(table),
            filters: Vec::new(),
            schema,
        })
    }

    fn select(
        &mut self,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
    ) -> Result<LogicalPlan> {
        // A subquery plans its own time window; the outer one's comes back after it.
        let outer_window = self.time_window.take();
        let outer_aliases = std::mem::take(&mut self.lateral_aliases);
        let outer_windows = std::mem::take(&mut self.named_windows);
        let sources = self.subqueries.sources.len();
        let planned = self
            .define_windows(&select.named_window)
            .and_then(|()| self.select_body(select, order_by));
        self.subqueries.sources.truncate(sources);
        self.time_window = outer_window;
        self.lateral_aliases = outer_aliases;
        self.named_windows = outer_windows;
        planned
    }

    fn select_body(
        &mut self,
        select: &ast::Select,
        order_by: &[ast::OrderByExpr],
    ) -> Result<LogicalPlan> {
        if select.top.is_some() || select.into.is_some() {
            return Err(Error::unsupported("TOP or SELECT INTO"));
        }
        let lifted = Self::lift_select_generators(select);
        let select_generator = lifted.is_some();
        let select = lifted.as_ref().unwrap_or(select);
        if select.prewhere.is_some() {
            return Err(Error::unsupported("PREWHERE"));
        }
        let qualify = select.qualify.is_some();
        if !select.cluster_by.is_empty()
            || !select.distribute_by.is_empty()
            || !select.sort_by.is_empty()
        {
            return Err(Error::unsupported("CLUSTER BY, DISTRIBUTE BY or SORT BY"));
        }
        let distinct = match &select.distinct {
            None | Some(ast::Distinct::All) => false,
            Some(ast::Distinct::Distinct) => true,
            Some(ast::Distinct::On(_)) => return Err(Error::unsupported("DISTINCT ON")),
        };

        // FROM, its lateral views, and WHERE (where subqueries may become joins). In a
        // correlated subquery, WHERE may read the outer query's columns.
        let correlated = self.claim_outer_scope();
        let mut plan = self.from(&select.from)?;
        for view in &select.lateral_views {
            plan = self.lateral_view(plan, view)?;
        }
        // `window(ts, ...)`: its column added under the SELECT (before WHERE, which may
        // read it too).
        let (expanded, sessions) = self.expand_time_window(plan, select, order_by)?;
        plan = expanded;
        let scope = plan.schema();
        self.subqueries.sources.push(plan.clone());
        if let Some(selection) = &select.selection {
            plan = self.where_clause(plan, selection, correlated)?;
        }
        // `GROUP BY session_window(ts, gap)`: the sessions of the rows WHERE kept.
        let scope = match sessions {
            Some(spec) => {
                plan = self.group_sessions(plan, spec, select, &scope)?;
                plan.schema()
            }
            None => scope,
        };
        // The rows the SELECT list's subqueries see: the domain of their correlations.
        self.subqueries.sources.push(plan.clone());

        // GROUPING SETS / ROLLUP / CUBE: the input expanded once per set (see
        // `grouping_sets`); expressions are planned over the expanded input.
        let sets = self.expand_grouping_sets(&select.group_by, &plan, &scope)?;
        let (mut scope, sets) = match sets {
            Some((expanded, expanded_scope, sets)) => {
                plan = expanded;
                (expanded_scope, Some(sets))
            }
            None => (scope, None),
        };
        let outer_grouping = std::mem::replace(&mut self.grouping, sets.clone());
        // Correlated scalar subqueries here become left joins under the SELECT.
        let outer_joins = self.open_joins(&scope, sets.is_none());
        let planned = self.select_list_and_keys(select, order_by, &scope, sets.as_ref());
        let joins = self.close_joins(outer_joins);
        self.grouping = outer_grouping;
        let (mut items, mut group, mut having, mut sort_keys) = planned?;
        if qualify && !items.iter().any(|(e, _)| e.contains_window()) {
            return Err(Error::analysis(
                "QUALIFY filters on window functions: it needs at least one in the SELECT \
                 list or in its condition (Spark's QUALIFY_REQUIRES_WINDOW_FUNCTION); use \
                 WHERE or HAVING otherwise",
            ));
        }

        let aggregating = !group.is_empty()
            || having.is_some()
            || items.iter().any(|(e, _)| e.contains_aggregate())
            || sort_keys.iter().any(|k| k.expr.contains_aggregate());
        plan = self.join_pending(plan, joins, &mut items, &group, &mut having, &mut sort_keys)?;
        if let Some(frame) = correlated {
            let refused = if select_generator {
                Some("a generator in its SELECT list")
            } else if sets.is_some() {
                Some("GROUPING SETS, ROLLUP or CUBE")
            } else {
                None
            };
            self.correlated_outputs(
                frame,
                &mut plan,
                &mut items,
                &mut group,
                &mut having,
                aggregating,
                &mut scope,
                refused,
            )?;
        }
        if aggregating && select_generator {
            return Err(Error::unsupported(
                "a generator (explode, posexplode) in a SELECT that groups or aggregates: \
                 explode in a subquery and aggregate outside it, or use LATERAL VIEW",
            ));
        }
        if aggregating {
            let mut calls: Vec<AggregateCall> = Vec::new();
            let mut collect = |e: &Expr| collect_aggregates(e, &mut calls);
            items.iter().for_each(|(e, _)| collect(e));
            having.iter().for_each(&mut collect);
            sort_keys.iter().for_each(|k| collect(&k.expr));
            for call in &calls {
                if call
                    .exprs()
                    .any(|a| a.contains_aggregate() || a.contains_window())
                {
                    return Err(Error::analysis("aggregate functions cannot be nested"));
                }
            }
            let mut fields: Vec<PlanField> = group
                .iter()
                .map(|g| interval_fields::field_of(expr_name(g, &scope), g, &scope))
                .collect();
            // Grouping by a plain column keeps its qualifier, so `t.region` still resolves.
            for (field, g) in fields.iter_mut().zip(&group) {
                if let Expr::Column { index, .. } = g {
                    field.qualifier = scope.field(*index).qualifier.clone();
                }
            }
            fields.extend(calls.iter().map(|c| {
                PlanField::new(None, c.func.name(), c.return_type.clone())
                    .with_interval(interval_fields::aggregate_fields(c, &scope))
            }));
            let agg_schema = PlanSchema::new(fields);
            let rewrite = |e: Expr| rewrite_over_aggregate(e, &group, &calls, &scope);
            items = items
                .into_iter()
                .map(|(e, name)| Ok((rewrite(e)?, name)))
                .collect::<Result<_>>()?;
            having = having.map(rewrite).transpose()?;
            sort_keys = sort_keys
                .into_iter()
                .map(|k| {
                    Ok(SortKey {
                        expr: rewrite(k.expr)?,
                        ..k
                    })
                })
                .collect::<Result<_>>()?;
            plan = LogicalPlan::Aggregate {
                input: Box::new(plan),
                group,
                aggregates: calls,
                schema: agg_schema,
            };
            if let Some(predicate) = having {
                plan = LogicalPlan::Filter {
                    input: Box::new(plan),
                    predicate,
                };
            }
        }

        // Window functions, computed over the (possibly aggregated) rows.
        let mut windows: Vec<WindowCall> = Vec::new();
        for (e, _) in &items {
            collect_windows(e, &mut windows);
        }
        for k in &sort_keys {
            collect_windows(&k.expr, &mut windows);
        }
        if !windows.is_empty() {
            let input_schema = plan.schema();
            for w in &windows {
                let nested = w
                    .args
                    .iter()
                    .chain(&w.partition_by)
                    .chain(w.order_by.iter().map(|k| &k.expr));
                for e in nested {
                    if e.contains_window() {
                        return Err(Error::analysis("window functions cannot be nested"));
                    }
                }
            }
            let base = input_schema.len();
            let mut fields = input_schema.fields().to_vec();
            fields.extend(windows.iter().map(|w| {
                PlanField::new(None, w.func.name(), w.return_type.clone())
                    .with_interval(interval_fields::window_fields(w, &input_schema))
            }));
            let replace = |e: Expr| {
                e.rewrite(&mut |node| match node {
                    Expr::Window(call) => windows
                        .iter()
                        .position(|w| w == call.as_ref())
                        .map(|i| Expr::column(base + i, call.func.name())),
                    _ => None,
                })
            };
            items = items.into_iter().map(|(e, n)| (replace(e), n)).collect();
            sort_keys = sort_keys
                .into_iter()
                .map(|k| SortKey {
                    expr: replace(k.expr),
                    ..k
                })
                .collect();
            plan = LogicalPlan::Window {
                input: Box::new(plan),
                windows,
                schema: PlanSchema::new(fields),
            };
        }

        // QUALIFY: the rows whose window functions meet the condition.
        if qualify {
            let (predicate, _) = items.pop().ok_or_else(|| {
                Error::new(
                    crate::error::ErrorCode::Internal,
                    "QUALIFY's condition went missing",
                )
            })?;
            plan = LogicalPlan::Filter {
                input: Box::new(plan),
                predicate,
            };
        }

        // SELECT, with ORDER BY keys that are not selected carried as hidden columns.
        let before_projection = plan.schema();
        let visible = items.len();
        let mut exprs: Vec<Expr> = items.iter().map(|(e, _)| e.clone()).collect();
        let mut names: Vec<String> = items.iter().map(|(_, n)| n.clone()).collect();
        let mut keys = Vec::with_capacity(sort_keys.len());
        for key in sort_keys {
            let position = match exprs.iter().position(|e| e == &key.expr) {
                Some(p) => p,
                None if distinct => {
                    return Err(Error::analysis(
                        "with SELECT DISTINCT, ORDER BY can only use selected columns",
                    ))
                }
                None => {
                    // Named after the column it carries (EXPLAIN shows it); the final
                    // projection drops it, so the name never reaches the result.
                    names.push(match &key.expr {
                        Expr::Column { index, .. } => before_projection.field(*index).name.clone(),
                        _ => format!("__order_{}", exprs.len() + 1),
                    });
                    exprs.push(key.expr.clone());
                    exprs.len() - 1
                }
            };
            keys.push(SortKey {
                expr: Expr::column(position, names[position].clone()),
                ..key
            });
        }
        let fields = exprs
            .iter()
            .zip(&names)
            .map(|(e, n)| {
                let mut field = interval_fields::field_of(n.clone(), e, &before_projection);
                if let Expr::Column { index, .. } = e {
                    field.qualifier = before_projection.field(*index).qualifier.clone();
                }
                field
            })
            .collect();
        plan = LogicalPlan::Project {
            input: Box::new(plan),
            exprs,
            schema: PlanSchema::new(fields),
        };
        if distinct {
            plan = LogicalPlan::Distinct {
                input: Box::new(plan),
            };
        }
        if !keys.is_empty() {
            plan = LogicalPlan::Sort {
                input: Box::new(plan),
                keys,
                fetch: None,
            };
        }
        let projected = plan.schema();
        if projected.len() > visible {
            let exprs = (0..visible)
                .map(|i| Expr::column(i, projected.field(i).name.clone()))
                .collect();
            let schema = PlanSchema::new(projected.fields()[..visible].to_vec());
            plan = LogicalPlan::Project {
                input: Box::new(plan),
                exprs,
                schema,
            };
        }
        Ok(plan)
    }

    /// `GROUP BY 2`, `ORDER BY total` when `total` is a SELECT alias and not an input
    /// column: the SELECT item referred to.
    fn select_reference(
        &mut self,
        ast: &ast::Expr,
        scope: &PlanSchema,
        items: &[(Expr, String)],
        clause: &str,
    ) -> Result<Option<Expr>> {
        match ast {
            ast::Expr::Value(v) => match &v.value {
                Value::Number(n, _) => {
                    let ordinal: usize = n.parse().map_err(|_| {
                        at_span(
                            Error::analysis(format!(
                                "{clause} position `{n}` is not a column number"
                            )),
                            ast.span(),
                        )
                    })?;
                    match items.get(ordinal.wrapping_sub(1)) {
                        Some((e, _)) => Ok(Some(e.clone())),
                        None => Err(at_span(
                            Error::analysis(format!(
                                "{clause} position {ordinal} is not in the SELECT list (1 to {})",
                                items.len()
                            )),
                            ast.span(),
                        )),
                    }
                }
                _ => Ok(None),
            },
            ast::Expr::Identifier(ident) if scope.resolve(None, &ident.value).is_err() => Ok(items
                .iter()
                .find(|(_, name)| name.eq_ignore_ascii_case(&ident.value))
                .map(|(e, _)| e.clone())),
            _ => Ok(None),
        }
    }

    /// An ORDER BY key of a set operation: a position, or a column name of the output.
    fn output_reference(
        &mut self,
        ast: &ast::Expr,
        schema: &PlanSchema,
        items: &[(Expr, String)],
    ) -> Result<Expr> {
        if let Some(e) = self.select_reference(ast, schema, items, "ORDER BY")? {
            return Ok(e);
        }
        if let ast::Expr::Value(v) = ast {
            if let Value::Number(n, _) = &v.value {
                let i: usize = n.parse().unwrap_or(0);
                if (1..=schema.len()).contains(&i) {
                    return Ok(Expr::column(i - 1, schema.field(i - 1).name.clone()));
                }
            }
        }
        self.expr(ast, schema)
    }

    fn from(&mut self, from: &[TableWithJoins]) -> Result<LogicalPlan> {
        let relations: usize = from.iter().map(|t| 1 + t.joins.len()).sum();
        if relations > MAX_JOINED_RELATIONS {
            return Err(Error::new(
                ErrorCode::SqlUnsupported,
                format!(
                    "not supported: {relations} tables or subqueries in one FROM clause; \
                     Brasa joins at most {MAX_JOINED_RELATIONS} (join in steps with views or \
                     CREATE TABLE ... AS)"
                ),
            ));
        }
        let mut plan: Option<LogicalPlan> = None;
        for table in from {
            // `FROM t, LATERAL explode(t.a)`: the generator reads the rows before it.
            plan = Some(match (plan, is_lateral_function(&table.relation)) {
                (Some(left), true) => {
                    let lateral = self
                        .lateral_table_function(left, &table.relation)
                        .map_err(|e| at_span_if_unplaced(e, table.relation.span()))?;
                    self.joins_onto(lateral, &table.joins)?
                }
                (Some(left), false) if is_lateral_subquery(&table.relation) => {
                    let lateral = self
                        .lateral_subquery(left, &table.relation, None)
                        .map_err(|e| at_span_if_unplaced(e, table.relation.span()))?;
                    self.joins_onto(lateral, &table.joins)?
                }
                (Some(left), false) => cross_join(left, self.table_with_joins(table)?),
                (None, _) => self.table_with_joins(table)?,
            });
        }
        Ok(plan.unwrap_or(LogicalPlan::OneRow))
    }

    fn table_with_joins(&mut self, table: &TableWithJoins) -> Result<LogicalPlan> {
        if is_lateral_function(&table.relation) {
            return Err(at_span(
                Error::analysis(format!(
                    "`{}` reads the rows of a table before it: write FROM t, {} or FROM t \
                     LATERAL VIEW ...",
                    table.relation, table.relation
                )),
                table.relation.span(),
            ));
        }
        let plan = self.relation(&table.relation)?;
        self.joins_onto(plan, &table.joins)
    }

    /// `plan JOIN ... JOIN ...`; a `[CROSS] JOIN LATERAL generator(...)` generates over the
    /// rows joined so far (an `ON` condition then filters them, as an inner join would).
    fn joins_onto(&mut self, mut plan: LogicalPlan, joins: &[ast::Join]) -> Result<LogicalPlan> {
        for join in joins {
            let place = join.relation.span();
            if is_lateral_function(&join.relation) {
                let condition = match &join.join_operator {
                    JoinOperator::CrossJoin(JoinConstraint::None)
                    | JoinOperator::Join(JoinConstraint::None)
                    | JoinOperator::Inner(JoinConstraint::None) => None,
                    JoinOperator::Join(JoinConstraint::On(on))
                    | JoinOperator::Inner(JoinConstraint::On(on)) => Some(on),
                    _ => {
                        return Err(at_span(
                            Error::unsupported(format!(
                                "an outer or USING join with `{}`; for rows without values \
                                 write the generator's _outer form (explode_outer) or \
                                 LATERAL VIEW OUTER",
                                join.relation
                            )),
                            place,
                        ))
                    }
                };
                plan = self
                    .lateral_table_function(plan, &join.relation)
                    .map_err(|e| at_span_if_unplaced(e, place))?;
                if let Some(on) = condition {
                    let scope = plan.schema();
                    let predicate = self.expr(on, &scope)?.into_boolean(&scope, "ON")?;
                    plan = LogicalPlan::Filter {
                        input: Box::new(plan),
                        predicate,
                    };
                }
                continue;
            }
            if is_lateral_subquery(&join.relation) {
                plan = self
                    .lateral_subquery(plan, &join.relation, Some(&join.join_operator))
                    .map_err(|e| at_span_if_unplaced(e, place))?;
                continue;
            }
            let right = self.relation(&join.relation)?;
            plan = self
                .join(plan, right, &join.join_operator)
                .map_err(|e| at_span_if_unplaced(e, place))?;
        }
        Ok(plan)
    }

    fn relation(&mut self, factor: &TableFactor) -> Result<LogicalPlan> {
        match factor {
            TableFactor::Table {
                name,
                alias: table_alias,
                args,
                version,
                sample,
                ..
            } => {
                if version.is_some() {
                    return Err(at_span(Error::unsupported("time travel"), name.span()));
                }
                if let Some(args) = args {
                    if sample.is_some() {
                        return Err(at_span(
                            Error::unsupported(
                                "TABLESAMPLE on a table function (Spark refuses it too); \
                                 sample a subquery over it instead",
                            ),
                            name.span(),
                        ));
                    }
                    return self
                        .table_function(name, args, table_alias.as_ref())
                        .map_err(|e| at_span_if_unplaced(e, name.span()));
                }
                let sample = sample
                    .as_ref()
                    .map(|s| TableSample::parse(s).map_err(|e| at_span(e, name.span())))
                    .transpose()?;
                let table_name = object_name(name);
                let plan = self
                    .named_relation(&table_name)
                    .map_err(|e| at_span(e, name.span()))?;
                let plan = match &sample {
                    Some(sample) => sample.apply(plan)?,
                    None => plan,
                };
                let plan = match table_alias {
                    Some(a) => alias(plan, a)?,
                    // The rows before a pipe operator keep their own qualifiers.
                    None if table_name == PIPE => plan,
                    None => requalify(plan, &table_name),
                };
                Ok(plan)
            }
            // A LATERAL subquery with nothing before it reads no other relation.
            TableFactor::Derived {
                subquery,
                alias: subquery_alias,
                sample,
                ..
            } => {
                let sample = sample.as_ref().map(TableSample::parse).transpose()?;
                let plan = self.query(subquery)?;
                let plan = match &sample {
                    Some(sample) => sample.apply(plan)?,
                    None => plan,
                };
                match subquery_alias {
                    Some(a) => alias(plan, a),
                    None => Ok(requalify(plan, "__subquery")),
                }
            }
            TableFactor::NestedJoin {
                table_with_joins,
                alias: nested_alias,
            } => {
                let plan = self.table_with_joins(table_with_joins)?;
                match nested_alias {
                    Some(a) => alias(plan, a),
                    None => Ok(plan),
                }
            }
            TableFactor::Pivot {
                table,
                aggregate_functions,
                value_column,
                value_source,
                default_on_null,
                alias: pivot_alias,
            } => {
                let input = self.relation(table)?;
                let plan = self.pivot(
                    input,
                    aggregate_functions,
                    value_column,
                    value_source,
                    default_on_null.as_ref(),
                )?;
                match pivot_alias {
                    Some(a) => alias(plan, a),
                    None => Ok(requalify(plan, "__pivot")),
                }
            }
            TableFactor::Unpivot {
                table,
                value,
                name,
                columns,
                null_inclusion,
                alias: unpivot_alias,
            } => {
                let input = self.relation(table)?;
                let plan = self.unpivot(input, value, name, columns, null_inclusion.as_ref())?;
                match unpivot_alias {
                    Some(a) => alias(plan, a),
                    None => Ok(requalify(plan, "__unpivot")),
                }
            }
            other => Err(Error::unsupported(format!("`{other}` in FROM"))),
        }
    }

    /// A CTE, a view or a table, in that order (CTEs shadow catalog names, as in Spark).
    fn named_relation(&mut self, name: &str) -> Result<LogicalPlan> {
        let key = name.to_lowercase();
        if let Some(plan) = self.ctes.iter().rev().find_map(|scope| scope.get(&key)) {
            return Ok(plan.clone());
        }
        if let Some(sql) = self.catalog.view(name) {
            if self.expanding.contains(&key) {
                return Err(Error::analysis(format!("view `{name}` refers to itself")));
            }
            if self.expanding.len() >= MAX_VIEW_DEPTH {
                return Err(Error::new(
                    ErrorCode::SqlUnsupported,
                    format!(
                        "not supported: views built on views more than {MAX_VIEW_DEPTH} deep \
                         (`{name}` is reached through {}); materialise one of them with \
                         CREATE TABLE ... AS",
                        self.expanding.join(" → ")
                    ),
                ));
            }
            self.expanding.push(key);
            let statements = parse_statements(&sql)?;
            let result = match statements.as_slice() {
                [ast::Statement::Query(query)] => self.query(query),
                _ => Err(Error::new(
                    ErrorCode::Internal,
                    format!("view `{name}` does not hold a query"),
                )),
            };
            self.expanding.pop();
            return result;
        }
        Ok(LogicalPlan::scan_of(self.catalog.get(name)?, name))
    }

    fn join(
        &mut self,
        left: LogicalPlan,
        right: LogicalPlan,
        operator: &JoinOperator,
    ) -> Result<LogicalPlan> {
        use JoinOperator as J;
        let (kind, constraint) = match operator {
            J::Join(c) | J::Inner(c) => (JoinKind::Inner, c),
            J::Left(c) | J::LeftOuter(c) => (JoinKind::Left, c),
            J::Right(c) | J::RightOuter(c) => (JoinKind::Right, c),
            J::FullOuter(c) => (JoinKind::Full, c),
            J::LeftSemi(c) | J::Semi(c) => (JoinKind::LeftSemi, c),
            J::LeftAnti(c) | J::Anti(c) => (JoinKind::LeftAnti, c),
            J::CrossJoin(JoinConstraint::None) => return Ok(cross_join(left, right)),
            J::RightSemi(_) | J::RightAnti(_) => {
                return Err(Error::unsupported("RIGHT SEMI/ANTI JOIN"))
            }
            J::CrossApply | J::OuterApply => return Err(Error::unsupported("APPLY")),
            J::CrossJoin(_) => return Err(Error::unsupported("CROSS JOIN with a condition")),
            _ => return Err(Error::unsupported("this kind of join")),
        };
        let (ls, rs) = (left.schema(), right.schema());
        let joined = ls.join(&rs);
        match constraint {
            JoinConstraint::On(condition) => {
                let predicate = self.expr(condition, &joined)?;
                no_aggregates_or_windows(&predicate, "ON", condition)?;
                let predicate = boolean_predicate(predicate, &joined, "ON")?;
                Ok(equi_join(left, right, kind, predicate, ls.len()))
            }
            JoinConstraint::Using(names) => {
                let names: Vec<String> = names.iter().map(object_name).collect();
                using_join_on(left, right, kind, &names)
            }
            JoinConstraint::Natural => {
                // Spark: USING every column name both sides have, in the left side's
                // order; with none in common, a cross join.
                let common: Vec<String> = ls
                    .fields()
                    .iter()
                    .map(|f| f.name.clone())
                    .filter(|n| rs.fields().iter().any(|r| r.name.eq_ignore_ascii_case(n)))
                    .fold(Vec::new(), |mut seen, n| {
                        if !seen.iter().any(|s: &String| s.eq_ignore_ascii_case(&n)) {
                            seen.push(n);
                        }
                        seen
                    });
                if common.is_empty() && kind == JoinKind::Inner {
                    return Ok(cross_join(left, right));
                }
                using_join_on(left, right, kind, &common)
            }
            JoinConstraint::None => Ok(LogicalPlan::Join {
                schema: join_schema(&ls, &rs, kind),
                left: Box::new(left),
                right: Box::new(right),
                kind,
                on: vec![],
                filter: None,
            }),
        }
    }
}

/// The columns `* EXCEPT (a, b)` leaves out (none for a plain `*`); the other options
/// of other dialects are refused.
fn wildcard_options(options: &ast::WildcardAdditionalOptions) -> Result<Vec<String>> {
    let ast::WildcardAdditionalOptions {
        opt_ilike,
        opt_exclude,
        opt_except,
        opt_replace,
        opt_rename,
        ..
    } = options;
    if opt_ilike.is_some() || opt_exclude.is_some() || opt_replace.is_some() || opt_rename.is_some()
    {
        return Err(Error::unsupported(
            "* with EXCLUDE, REPLACE or RENAME (Spark's `* EXCEPT (col, ...)` is supported)",
        ));
    }
    Ok(opt_except
        .iter()
        .flat_map(|except| {
            std::iter::once(&except.first_element).chain(&except.additional_elements)
        })
        .map(|ident| ident.value.clone())
        .collect())
}

/// `columns` without those `except` names, as Spark's `* EXCEPT (...)`: each name must be
/// one of them.
fn star_except(mut columns: Vec<(Expr, String)>, except: &[String]) -> Result<Vec<(Expr, String)>> {
    for name in except {
        if !columns.iter().any(|(_, c)| c.eq_ignore_ascii_case(name)) {
            let known: Vec<&str> = columns.iter().map(|(_, c)| c.as_str()).collect();
            return Err(Error::analysis(format!(
                "`* EXCEPT ({name})`: `{name}` is not one of the columns `*` stands for ({})",
                known.join(", ")
            )));
        }
        columns.retain(|(_, c)| !c.eq_ignore_ascii_case(name));
    }
    Ok(columns)
}

/// `*` or `t.*`: every visible column (USING keys once).
fn star(scope: &PlanSchema, qualifier: Option<&str>) -> Vec<(Expr, String)> {
    scope
        .fields()
        .iter()
        .enumerate()
        // A SELECT-list generator's hidden columns are listed by its `view.*`.
        .filter(|(_, f)| !f.hidden || qualifier.is_some_and(|q| q.starts_with(SELECT_GENERATOR)))
        // A time window's column is not one of the FROM's (Spark adds it after `*`).
        .filter(|(_, f)| qualifier.is_some() || f.qualifier.as_deref() != Some(TIME_WINDOW))
        .filter(|(_, f)| {
            qualifier.is_none_or(|q| {
                f.qualifier
                    .as_deref()
                    .is_some_and(|fq| fq.eq_ignore_ascii_case(q))
            })
        })
        .map(|(i, f)| (Expr::column(i, f.name.clone()), f.name.clone()))
        .collect()
}

/// Spark's name for an unaliased SELECT item: the column's name, or the expression's text
/// (`count(*)` is `count(1)`).
fn output_name(ast: &ast::Expr, scope: &PlanSchema) -> String {
    match ast {
        ast::Expr::Identifier(ident) => scope
            .resolve(None, &ident.value)
            .map(|i| scope.field(i).name.clone())
            .unwrap_or_else(|_| ident.value.clone()),
        ast::Expr::CompoundIdentifier(parts) => {
            parts.last().map(|p| p.value.clone()).unwrap_or_default()
        }
        // Spark names a time window's column `window` (`session_window`).
        ast::Expr::Function(f)
            if ["window", "session_window"]
                .iter()
                .any(|n| f.name.to_string().eq_ignore_ascii_case(n)) =>
        {
            f.name.to_string().to_ascii_lowercase()
        }
        other => other.to_string().replace("(*)", "(1)"),
    }
}

fn expr_name(e: &Expr, scope: &PlanSchema) -> String {
    match e {
        Expr::Column { index, .. } => scope.field(*index).name.clone(),
        _ => "__group".to_string(),
    }
}

fn object_name(name: &ast::ObjectName) -> String {
    name.0
        .iter()
        .filter_map(|part| part.as_ident().map(|i| i.value.clone()))
        .next_back()
        .unwrap_or_default()
}

/// The name the rows before a pipe operator (`|> ...`) go by in the query planned for it
/// (`plan::pipe`); they keep their own qualifiers.
pub(crate) const PIPE: &str = "__pipe";

pub(crate) fn alias(plan: LogicalPlan, alias: &ast::TableAlias) -> Result<LogicalPlan> {
    let schema = plan.schema();
    let mut fields = schema.requalify(&alias.name.value).fields().to_vec();
    if !alias.columns.is_empty() {
        if alias.columns.len() != fields.len() {
            return Err(Error::analysis(format!(
                "alias `{}` names {} columns but the relation has {}",
                alias.name.value,
                alias.columns.len(),
                fields.len()
            )));
        }
        for (field, column) in fields.iter_mut().zip(&alias.columns) {
            field.name = column.name.value.clone();
        }
    }
    Ok(LogicalPlan::Alias {
        input: Box::new(plan),
        schema: PlanSchema::new(fields),
    })
}

fn requalify(plan: LogicalPlan, qualifier: &str) -> LogicalPlan {
    let schema = plan.schema().requalify(qualifier);
    match plan {
        LogicalPlan::Scan {
            table,
            projection,
            filters,
            ..
        } => LogicalPlan::Scan {
            table,
            projection,
            filters,
            schema,
        },
        LogicalPlan::Alias { input, .. } => LogicalPlan::Alias { input, schema },
        other => LogicalPlan::Alias {
            input: Box::new(other),
            schema,
        },
    }
}

fn cross_join(left: LogicalPlan, right: LogicalPlan) -> LogicalPlan {
    let schema = left.schema().join(&right.schema());
    LogicalPlan::Join {
        left: Box::new(left),
        right: Box::new(right),
        kind: JoinKind::Inner,
        on: vec![],
        filter: None,
        schema,
    }
}

/// A join's columns; every column can be NULL after an outer join, so all are nullable.
/// `JOIN ... USING (names)`: equality on each named column of both sides, typed over
/// the joined row; the output has each named column once (Spark's rule).
fn using_join_on(
    left: LogicalPlan,
    right: LogicalPlan,
    kind: JoinKind,
    names: &[String],
) -> Result<LogicalPlan> {
    let (ls, rs) = (left.schema(), right.schema());
    let joined = ls.join(&rs);
    let mut on = Vec::with_capacity(names.len());
    for name in names {
        let l = ls.resolve(None, name)?;
        let r = rs.resolve(None, name)?;
        // Typed over the joined row, then the right key re-based on the right input.
        let split = ls.len();
        let pair = Expr::compare(
            BinaryOp::Eq,
            Expr::column(l, ls.field(l).name.clone()),
            Expr::column(split + r, rs.field(r).name.clone()),
            &joined,
        )?;
        let Expr::Binary {
            left: le,
            right: re,
            ..
        } = pair
        else {
            return Err(Error::new(
                ErrorCode::Internal,
                "a comparison that is not binary",
            ));
        };
        on.push((l, r, *le, re.remap_columns(&|i| i - split)));
    }
    Ok(using_join(left, right, kind, on))
}

pub(crate) fn join_schema(left: &PlanSchema, right: &PlanSchema, kind: JoinKind) -> PlanSchema {
    let joined = match kind {
        JoinKind::LeftSemi | JoinKind::LeftAnti => left.clone(),
        _ => left.join(right),
    };
    PlanSchema::new(
        joined
            .fields()
            .iter()
            .map(|f| PlanField {
                nullable: true,
                ..f.clone()
            })
            .collect(),
    )
}

/// Splits an ON condition into equality pairs (one side from each input) and a residual.
fn equi_join(
    left: LogicalPlan,
    right: LogicalPlan,
    kind: JoinKind,
    predicate: Expr,
    split: usize,
) -> LogicalPlan {
    let (ls, rs) = (left.schema(), right.schema());
    let mut on = Vec::new();
    let mut residual = Vec::new();
    for conjunct in predicate.conjuncts() {
        match conjunct.split_equality(split) {
            Some(key) => on.push(key),
            None => residual.push(conjunct),
        }
    }
    LogicalPlan::Join {
        schema: join_schema(&ls, &rs, kind),
        left: Box::new(left),
        right: Box::new(right),
        kind,
        on,
        filter: Expr::and_all(residual),
    }
}

/// `JOIN ... USING (k)`: joined on the keys, which appear once, first, unqualified (a FULL
/// join takes whichever side has the key); the sides' own key columns stay reachable as
/// `t.k` but are left out of `*`.
fn using_join(
    left: LogicalPlan,
    right: LogicalPlan,
    kind: JoinKind,
    keys: Vec<(usize, usize, Expr, Expr)>,
) -> LogicalPlan {
    let (ls, rs) = (left.schema(), right.schema());
    let split = ls.len();
    let on = keys
        .iter()
        .map(|(_, _, l, r)| (l.clone(), r.clone()))
        .collect();
    let join = LogicalPlan::Join {
        schema: join_schema(&ls, &rs, kind),
        left: Box::new(left),
        right: Box::new(right),
        kind,
        on,
        filter: None,
    };
    if matches!(kind, JoinKind::LeftSemi | JoinKind::LeftAnti) {
        return join;
    }
    let joined = join.schema();
    let mut exprs = Vec::new();
    let mut fields = Vec::new();
    for (l, r, _, _) in &keys {
        let lf = ls.field(*l);
        let left_key = Expr::column(*l, lf.name.clone());
        let right_key = Expr::column(split + r, rs.field(*r).name.clone());
        let (expr, data_type) = match kind {
            JoinKind::Right => (right_key.clone(), rs.field(*r).data_type.clone()),
            JoinKind::Full => {
                let t = common_type(
                    "USING",
                    &[lf.data_type.clone(), rs.field(*r).data_type.clone()],
                )
                .unwrap_or(lf.data_type.clone());
                (
                    Expr::Function {
                        func: ScalarFunction::Conditional(ConditionalFunction::Coalesce),
                        args: vec![left_key.cast(&t, &joined), right_key.cast(&t, &joined)],
                        return_type: t.clone(),
                    },
                    t,
                )
            }
            _ => (left_key, lf.data_type.clone()),
        };
        exprs.push(expr);
        fields.push(PlanField::new(None, lf.name.clone(), data_type));
    }
    let is_key = |i: usize| keys.iter().any(|(l, r, _, _)| i == *l || i == split + r);
    for (i, field) in joined.fields().iter().enumerate() {
        if !is_key(i) {
            exprs.push(Expr::column(i, field.name.clone()));
            fields.push(field.clone());
        }
    }
    for (i, field) in joined.fields().iter().enumerate() {
        if is_key(i) {
            // The sides' own keys: `t.k` still works; `k` and `*` mean the merged key.
            exprs.push(Expr::column(i, field.name.clone()));
            fields.push(PlanField {
                hidden: true,
                ..field.clone()
            });
        }
    }
    LogicalPlan::Project {
        input: Box::new(join),
        exprs,
        schema: PlanSchema::new(fields),
    }
}

fn limit(clause: Option<&LimitClause>) -> Result<(usize, Option<usize>)> {
    let number = |e: &ast::Expr, what: &str| -> Result<usize> {
        match e {
            ast::Expr::Value(v) => match &v.value {
                Value::Number(n, _) => n.parse().map_err(|_| {
                    Error::analysis(format!("{what} must be a non-negative integer, got {n}"))
                }),
                _ => Err(Error::analysis(format!("{what} must be a number"))),
            },
            other => Err(Error::unsupported(format!("{what} {other}"))),
        }
    };
    match clause {
        None => Ok((0, None)),
        Some(LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) => {
            if !limit_by.is_empty() {
                return Err(Error::unsupported("LIMIT BY"));
            }
            let fetch = limit.as_ref().map(|l| number(l, "LIMIT")).transpose()?;
            let skip = offset
                .as_ref()
                .map(|o| number(&o.value, "OFFSET"))
                .transpose()?
                .unwrap_or(0);
            Ok((skip, fetch))
        }
        Some(LimitClause::OffsetCommaLimit { offset, limit }) => {
            Ok((number(offset, "OFFSET")?, Some(number(limit, "LIMIT")?)))
        }
    }
}

/// `LATERAL generator(...)` in FROM.
fn is_lateral_function(factor: &TableFactor) -> bool {
    matches!(factor, TableFactor::Function { lateral: true, .. })
}

/// Whether a row of VALUES holds a value made anew each time (`rand()`), which must not
/// be computed while the query is planned.
fn values_computed_per_row(rows: &[LogicalPlan]) -> bool {
    rows.iter().any(|row| match row {
        LogicalPlan::Project { exprs, .. } => exprs.iter().any(Expr::computed_per_row),
        _ => true,
    })
}

/// Whether a FROM item is `LATERAL (subquery)` (planned in `lateral.rs`).
fn is_lateral_subquery(factor: &TableFactor) -> bool {
    matches!(factor, TableFactor::Derived { lateral: true, .. })
}

pub(crate) fn boolean_predicate(predicate: Expr, scope: &PlanSchema, clause: &str) -> Result<Expr> {
    predicate.into_boolean(scope, &format!("the {clause} condition"))
}

pub(crate) fn no_aggregates_or_windows(e: &Expr, clause: &str, ast: &ast::Expr) -> Result<()> {
    if e.contains_aggregate() {
        return Err(at_span(
            Error::analysis(format!(
                "aggregate functions are not allowed in {clause}; use HAVING"
            )),
            ast.span(),
        ));
    }
    if e.contains_window() {
        return Err(at_span(
            Error::analysis(format!("window functions are not allowed in {clause}")),
            ast.span(),
        ));
    }
    Ok(())
}

fn collect_aggregates(e: &Expr, calls: &mut Vec<AggregateCall>) {
    if let Expr::Aggregate(call) = e {
        if !calls.contains(call) {
            calls.push(call.as_ref().clone());
        }
        return;
    }
    if let Expr::Window(_) = e {
        // Aggregates inside a window's arguments belong to the aggregation below it.
        for child in e.children() {
            collect_aggregates(child, calls);
        }
        return;
    }
    for child in e.children() {
        collect_aggregates(child, calls);
    }
}

fn collect_windows(e: &Expr, windows: &mut Vec<WindowCall>) {
    if let Expr::Window(call) = e {
        if !windows.contains(call) {
            windows.push(call.as_ref().clone());
        }
        return;
    }
    for child in e.children() {
        collect_windows(child, windows);
    }
}

/// Re-expresses `e` over an aggregate's output: grouping expressions and aggregate calls
/// become its columns; any other column of the input is an error, as in Spark.
fn rewrite_over_aggregate(
    e: Expr,
    group: &[Expr],
    calls: &[AggregateCall],
    input: &PlanSchema,
) -> Result<Expr> {
    let mut error = None;
    let rewritten = e.rewrite(&mut |node| {
        if let Some(i) = group.iter().position(|g| g == node) {
            return Some(Expr::column(i, expr_name(node, input)));
        }
        match node {
            Expr::Aggregate(call) => calls
                .iter()
                .position(|c| c == call.as_ref())
                .map(|i| Expr::column(group.len() + i, call.func.name())),
            Expr::Column { index, .. } => {
                error.get_or_insert_with(|| {
                    Error::analysis(format!(
                        "column `{}` must be in GROUP BY or inside an aggregate function",
                        input.field(*index).name
                    ))
                });
                Some(node.clone())
            }
            _ => None,
        }
    });
    match error {
        Some(e) => Err(e),
        None => Ok(rewritten),
    }
}
