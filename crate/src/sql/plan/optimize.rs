//! Rewrites that make plans cheaper without changing their answers: filters moved down to
//! the scans (and into each side of a join), columns nobody reads dropped as early as
//! possible (so filtering, sorting and joining copy only what is used), and a sort under
//! a LIMIT told how many rows are wanted (a top-k). `crate/tests/sql_plans.rs` pins each
//! rule by the plans `EXPLAIN` shows.

use crate::sql::plan::expr::{Expr, SortKey};
use crate::sql::plan::logical::{JoinKind, LogicalPlan};
use crate::sql::plan::schema::PlanSchema;

pub fn optimize(plan: LogicalPlan) -> LogicalPlan {
    let plan = push_filters(plan, Vec::new());
    let width = plan.schema().len();
    let (plan, _) = prune(plan, &(0..width).collect::<Vec<_>>());
    top_k(aggregates_on_scans(plan))
}

/// An aggregate over a scan seen through the column pickers a view or a table alias leaves
/// in between (`Alias`, a `Project` of plain columns) reads the scan directly: it reads its
/// input's columns by position, so the pickers add nothing, and over a filtered scan the
/// rows are then selected inside the aggregation instead of being copied out first
/// (`exec::aggregate`), as they are when the query names the table itself.
fn aggregates_on_scans(plan: LogicalPlan) -> LogicalPlan {
    match plan {
        LogicalPlan::Aggregate {
            input,
            group,
            aggregates,
            schema,
        } => {
            let input = aggregates_on_scans(*input);
            match scan_under_pickers(&input) {
                Some((scan, picked)) => {
                    let through = |e: Expr| e.remap_columns(&|i| picked[i]);
                    LogicalPlan::Aggregate {
                        input: Box::new(scan.clone()),
                        group: group.into_iter().map(through).collect(),
                        aggregates: aggregates
                            .into_iter()
                            .map(|a| a.map_exprs(through))
                            .collect(),
                        schema,
                    }
                }
                None => LogicalPlan::Aggregate {
                    input: Box::new(input),
                    group,
                    aggregates,
                    schema,
                },
            }
        }
        other => map_inputs(other, aggregates_on_scans),
    }
}

/// The scan under `plan`'s aliases and plain-column projections, if that is all there is
/// above it, and for each of `plan`'s output columns the scan column it is.
fn scan_under_pickers(plan: &LogicalPlan) -> Option<(&LogicalPlan, Vec<usize>)> {
    match plan {
        LogicalPlan::Scan { schema, .. } => Some((plan, (0..schema.len()).collect())),
        LogicalPlan::Alias { input, .. } => scan_under_pickers(input),
        LogicalPlan::Project { input, exprs, .. } => {
            let (scan, picked) = scan_under_pickers(input)?;
            let picks = exprs
                .iter()
                .map(|e| e.as_column().map(|i| picked[i]))
                .collect::<Option<Vec<_>>>()?;
            Some((scan, picks))
        }
        _ => None,
    }
}

/// `ORDER BY ... LIMIT k OFFSET s`: the sort needs only its first s + k rows, also when
/// projections or an alias stand between the limit and the sort (they keep every row).
fn top_k(plan: LogicalPlan) -> LogicalPlan {
    match plan {
        LogicalPlan::Limit {
            input,
            skip,
            fetch: Some(fetch),
        } => LogicalPlan::Limit {
            input: Box::new(with_fetch(*input, skip.saturating_add(fetch))),
            skip,
            fetch: Some(fetch),
        },
        other => map_inputs(other, top_k),
    }
}

/// `plan` when only its first `wanted` rows are read.
fn with_fetch(plan: LogicalPlan, wanted: usize) -> LogicalPlan {
    match plan {
        LogicalPlan::Sort { input, keys, fetch } => LogicalPlan::Sort {
            input: Box::new(top_k(*input)),
            keys,
            fetch: Some(fetch.map_or(wanted, |f| f.min(wanted))),
        },
        LogicalPlan::Project {
            input,
            exprs,
            schema,
        } => LogicalPlan::Project {
            input: Box::new(with_fetch(*input, wanted)),
            exprs,
            schema,
        },
        LogicalPlan::Alias { input, schema } => LogicalPlan::Alias {
            input: Box::new(with_fetch(*input, wanted)),
            schema,
        },
        other => top_k(other),
    }
}

/// Pushes `pending` conjuncts (over `plan`'s output) as far down as they can go.
fn push_filters(plan: LogicalPlan, mut pending: Vec<Expr>) -> LogicalPlan {
    match plan {
        LogicalPlan::Filter { input, predicate } => {
            pending.extend(predicate.conjuncts());
            push_filters(*input, pending)
        }
        LogicalPlan::Scan {
            table,
            projection,
            mut filters,
            schema,
        } => {
            filters.extend(pending);
            LogicalPlan::Scan {
                table,
                projection,
                filters,
                schema,
            }
        }
        LogicalPlan::Alias { input, schema } => LogicalPlan::Alias {
            input: Box::new(push_filters(*input, pending)),
            schema,
        },
        LogicalPlan::Project {
            input,
            exprs,
            schema,
        } => {
            // A conjunct over projected columns that are plain input columns or
            // deterministic expressions can be rewritten over the input.
            let (down, stay): (Vec<Expr>, Vec<Expr>) =
                pending.into_iter().partition(|p| substitutable(p, &exprs));
            let down = down
                .into_iter()
                .map(|p| {
                    p.rewrite(&mut |e| match e {
                        Expr::Column { index, .. } => Some(exprs[*index].clone()),
                        _ => None,
                    })
                })
                .collect();
            wrap_filter(
                LogicalPlan::Project {
                    input: Box::new(push_filters(*input, down)),
                    exprs,
                    schema,
                },
                stay,
            )
        }
        LogicalPlan::Join {
            left,
            right,
            kind,
            on,
            filter,
            schema,
        } => {
            let split = left.schema().len();
            let mut to_left = Vec::new();
            let mut to_right = Vec::new();
            let mut joined = Vec::new();
            let mut stay = Vec::new();
            for p in pending {
                let mut columns = Vec::new();
                p.columns(&mut columns);
                let left_only = columns.iter().all(|&c| c < split);
                let right_only = !columns.is_empty() && columns.iter().all(|&c| c >= split);
                // Filtering the side whose unmatched rows are kept would change the result.
                let left_ok = matches!(
                    kind,
                    JoinKind::Inner | JoinKind::Left | JoinKind::LeftSemi | JoinKind::LeftAnti
                );
                let right_ok = matches!(kind, JoinKind::Inner | JoinKind::Right);
                if left_only && left_ok {
                    to_left.push(p);
                } else if right_only && right_ok {
                    to_right.push(p.remap_columns(&|i| i - split));
                } else if kind == JoinKind::Inner && !columns.is_empty() {
                    // A condition on both sides of an inner join is part of the join:
                    // candidates are checked as they are found, before any copying.
                    joined.push(p);
                } else {
                    stay.push(p);
                }
            }
            let mut filter = Expr::and_all(filter.into_iter().chain(joined).collect());
            // An inner join's residual ON conditions can be pushed the same way.
            if kind == JoinKind::Inner {
                if let Some(f) = filter.take() {
                    let mut residual = Vec::new();
                    for c in f.conjuncts() {
                        let mut columns = Vec::new();
                        c.columns(&mut columns);
                        if !columns.is_empty() && columns.iter().all(|&i| i < split) {
                            to_left.push(c);
                        } else if !columns.is_empty() && columns.iter().all(|&i| i >= split) {
                            to_right.push(c.remap_columns(&|i| i - split));
                        } else {
                            residual.push(c);
                        }
                    }
                    filter = Expr::and_all(residual);
                }
            }
            wrap_filter(
                LogicalPlan::Join {
                    left: Box::new(push_filters(*left, to_left)),
                    right: Box::new(push_filters(*right, to_right)),
                    kind,
                    on,
                    filter,
                    schema,
                },
                stay,
            )
        }
        // Conditions on the input's columns hold for all of a row's elements or none.
        LogicalPlan::Generate {
            input,
            generator,
            arg,
            schema,
        } => {
            let width = input.schema().len();
            let (down, stay): (Vec<Expr>, Vec<Expr>) = pending.into_iter().partition(|p| {
                let mut columns = Vec::new();
                p.columns(&mut columns);
                columns.iter().all(|&c| c < width)
            });
            let generate = LogicalPlan::Generate {
                input: Box::new(push_filters(*input, down)),
                generator,
                arg,
                schema,
            };
            wrap_filter(generate, stay)
        }
        LogicalPlan::Sort { input, keys, fetch } if fetch.is_none() => LogicalPlan::Sort {
            input: Box::new(push_filters(*input, pending)),
            keys,
            fetch,
        },
        other => {
            let other = map_inputs(other, |p| push_filters(p, Vec::new()));
            wrap_filter(other, pending)
        }
    }
}

/// Whether `predicate` over a projection's output can be evaluated on its input instead.
fn substitutable(predicate: &Expr, exprs: &[Expr]) -> bool {
    let mut columns = Vec::new();
    predicate.columns(&mut columns);
    columns
        .iter()
        .all(|&c| !exprs[c].contains_aggregate() && !exprs[c].contains_window())
}

fn wrap_filter(plan: LogicalPlan, conjuncts: Vec<Expr>) -> LogicalPlan {
    match Expr::and_all(conjuncts) {
        Some(predicate) => LogicalPlan::Filter {
            input: Box::new(plan),
            predicate,
        },
        None => plan,
    }
}

fn map_inputs(plan: LogicalPlan, mut f: impl FnMut(LogicalPlan) -> LogicalPlan) -> LogicalPlan {
    match plan {
        LogicalPlan::Filter { input, predicate } => LogicalPlan::Filter {
            input: Box::new(f(*input)),
            predicate,
        },
        LogicalPlan::Project {
            input,
            exprs,
            schema,
        } => LogicalPlan::Project {
            input: Box::new(f(*input)),
            exprs,
            schema,
        },
        LogicalPlan::Aggregate {
            input,
            group,
            aggregates,
            schema,
        } => LogicalPlan::Aggregate {
            input: Box::new(f(*input)),
            group,
            aggregates,
            schema,
        },
        LogicalPlan::Window {
            input,
            windows,
            schema,
        } => LogicalPlan::Window {
            input: Box::new(f(*input)),
            windows,
            schema,
        },
        LogicalPlan::Generate {
            input,
            generator,
            arg,
            schema,
        } => LogicalPlan::Generate {
            input: Box::new(f(*input)),
            generator,
            arg,
            schema,
        },
        LogicalPlan::Sort { input, keys, fetch } => LogicalPlan::Sort {
            input: Box::new(f(*input)),
            keys,
            fetch,
        },
        LogicalPlan::Limit { input, skip, fetch } => LogicalPlan::Limit {
            input: Box::new(f(*input)),
            skip,
            fetch,
        },
        LogicalPlan::Join {
            left,
            right,
            kind,
            on,
            filter,
            schema,
        } => LogicalPlan::Join {
            left: Box::new(f(*left)),
            right: Box::new(f(*right)),
            kind,
            on,
            filter,
            schema,
        },
        LogicalPlan::Distinct { input } => LogicalPlan::Distinct {
            input: Box::new(f(*input)),
        },
        LogicalPlan::Union { inputs, schema } => LogicalPlan::Union {
            inputs: inputs.into_iter().map(f).collect(),
            schema,
        },
        LogicalPlan::Alias { input, schema } => LogicalPlan::Alias {
            input: Box::new(f(*input)),
            schema,
        },
        leaf @ (LogicalPlan::Scan { .. } | LogicalPlan::OneRow | LogicalPlan::Range { .. }) => leaf,
    }
}

/// Keeps only the output columns in `required` (sorted, unique) plus what the node needs
/// itself. Returns the new plan and, for each old output column, its new position.
fn prune(plan: LogicalPlan, required: &[usize]) -> (LogicalPlan, Vec<Option<usize>>) {
    match plan {
        LogicalPlan::Scan {
            table,
            projection,
            filters,
            schema,
        } => {
            let mut keep = required.to_vec();
            for f in &filters {
                f.columns(&mut keep);
            }
            let keep = sorted_unique(keep);
            let mapping = mapping_for(&keep, schema.len());
            let filters = filters.into_iter().map(|f| remap(f, &mapping)).collect();
            let fields = keep.iter().map(|&i| schema.field(i).clone()).collect();
            (
                LogicalPlan::Scan {
                    table,
                    projection: keep.iter().map(|&i| projection[i]).collect(),
                    filters,
                    schema: PlanSchema::new(fields),
                },
                mapping,
            )
        }
        LogicalPlan::Filter { input, predicate } => {
            let mut need = required.to_vec();
            predicate.columns(&mut need);
            let (input, mapping) = prune(*input, &sorted_unique(need));
            (
                LogicalPlan::Filter {
                    input: Box::new(input),
                    predicate: remap(predicate, &mapping),
                },
                mapping,
            )
        }
        LogicalPlan::Project {
            input,
            exprs,
            schema,
        } => {
            let kept: Vec<usize> = required.to_vec();
            let mut need = Vec::new();
            for &i in &kept {
                exprs[i].columns(&mut need);
            }
            let (input, input_mapping) = prune(*input, &sorted_unique(need));
            let new_exprs = kept
                .iter()
                .map(|&i| remap(exprs[i].clone(), &input_mapping))
                .collect();
            let fields = kept.iter().map(|&i| schema.field(i).clone()).collect();
            (
                LogicalPlan::Project {
                    input: Box::new(input),
                    exprs: new_exprs,
                    schema: PlanSchema::new(fields),
                },
                mapping_for(&kept, exprs.len()),
            )
        }
        LogicalPlan::Aggregate {
            input,
            group,
            aggregates,
            schema,
        } => {
            let mut need = Vec::new();
            group.iter().for_each(|g| g.columns(&mut need));
            aggregates
                .iter()
                .for_each(|a| a.exprs().for_each(|e| e.columns(&mut need)));
            let (input, m) = prune(*input, &sorted_unique(need));
            let width = schema.len();
            (
                LogicalPlan::Aggregate {
                    input: Box::new(input),
                    group: group.into_iter().map(|g| remap(g, &m)).collect(),
                    aggregates: aggregates
                        .into_iter()
                        .map(|a| a.map_exprs(|e| remap(e, &m)))
                        .collect(),
                    schema,
                },
                (0..width).map(Some).collect(),
            )
        }
        LogicalPlan::Window {
            input,
            windows,
            schema,
        } => {
            let input_width = input.schema().len();
            let mut need = of_input(required, input_width);
            for w in &windows {
                w.args.iter().for_each(|e| e.columns(&mut need));
                w.partition_by.iter().for_each(|e| e.columns(&mut need));
                w.order_by.iter().for_each(|k| k.expr.columns(&mut need));
            }
            let (input, m) = prune(*input, &sorted_unique(need));
            let windows: Vec<_> = windows
                .into_iter()
                .map(|mut w| {
                    w.args = w.args.into_iter().map(|e| remap(e, &m)).collect();
                    w.partition_by = w.partition_by.into_iter().map(|e| remap(e, &m)).collect();
                    w.order_by = w.order_by.into_iter().map(|k| remap_key(k, &m)).collect();
                    w
                })
                .collect();
            let (schema, mapping) = appended_columns(&schema, input_width, m);
            (
                LogicalPlan::Window {
                    input: Box::new(input),
                    windows,
                    schema,
                },
                mapping,
            )
        }
        LogicalPlan::Generate {
            input,
            generator,
            arg,
            schema,
        } => {
            let input_width = input.schema().len();
            let mut need = of_input(required, input_width);
            arg.columns(&mut need);
            let (input, m) = prune(*input, &sorted_unique(need));
            let (schema, mapping) = appended_columns(&schema, input_width, m);
            (
                LogicalPlan::Generate {
                    input: Box::new(input),
                    generator,
                    arg: remap(arg, &mapping),
                    schema,
                },
                mapping,
            )
        }
        LogicalPlan::Sort { input, keys, fetch } => {
            let mut need = required.to_vec();
            keys.iter().for_each(|k| k.expr.columns(&mut need));
            let (input, m) = prune(*input, &sorted_unique(need));
            (
                LogicalPlan::Sort {
                    input: Box::new(input),
                    keys: keys.into_iter().map(|k| remap_key(k, &m)).collect(),
                    fetch,
                },
                m,
            )
        }
        LogicalPlan::Limit { input, skip, fetch } => {
            let (input, m) = prune(*input, required);
            (
                LogicalPlan::Limit {
                    input: Box::new(input),
                    skip,
                    fetch,
                },
                m,
            )
        }
        LogicalPlan::Alias { input, schema } => {
            let (input, m) = prune(*input, required);
            let fields = (0..schema.len())
                .filter(|&i| m[i].is_some())
                .map(|i| schema.field(i).clone())
                .collect();
            (
                LogicalPlan::Alias {
                    input: Box::new(input),
                    schema: PlanSchema::new(fields),
                },
                m,
            )
        }
        LogicalPlan::Join {
            left,
            right,
            kind,
            on,
            filter,
            schema,
        } => {
            let split = left.schema().len();
            let mut need_left = Vec::new();
            let mut need_right = Vec::new();
            for &i in required {
                if i < split {
                    need_left.push(i)
                } else {
                    need_right.push(i - split)
                }
            }
            for (l, r) in &on {
                l.columns(&mut need_left);
                r.columns(&mut need_right);
            }
            if let Some(f) = &filter {
                let mut cols = Vec::new();
                f.columns(&mut cols);
                for c in cols {
                    if c < split {
                        need_left.push(c)
                    } else {
                        need_right.push(c - split)
                    }
                }
            }
            let (left, lm) = prune(*left, &sorted_unique(need_left));
            let (right, rm) = prune(*right, &sorted_unique(need_right));
            let new_split = lm.iter().flatten().count();
            let mut joined: Vec<Option<usize>> = lm.clone();
            joined.extend(rm.iter().map(|m| m.map(|i| i + new_split)));
            let on = on
                .into_iter()
                .map(|(l, r)| (remap(l, &lm), remap(r, &rm)))
                .collect();
            let filter = filter.map(|f| remap(f, &joined));
            let output_mapping = if matches!(kind, JoinKind::LeftSemi | JoinKind::LeftAnti) {
                lm
            } else {
                joined
            };
            let fields = (0..schema.len())
                .filter(|&i| output_mapping[i].is_some())
                .map(|i| schema.field(i).clone())
                .collect();
            let join = LogicalPlan::Join {
                left: Box::new(left),
                right: Box::new(right),
                kind,
                on,
                filter,
                schema: PlanSchema::new(fields),
            };
            let only_for_the_join = output_mapping
                .iter()
                .enumerate()
                .any(|(i, m)| m.is_some() && !required.contains(&i));
            if !only_for_the_join {
                return (join, output_mapping);
            }
            // Columns read only by the keys or the filter: a projection drops them, and
            // the executor fuses it into the join so they are never copied.
            let exprs = required
                .iter()
                .map(|&i| {
                    let at = output_mapping[i].expect("required columns are kept");
                    Expr::column(at, schema.field(i).name.clone())
                })
                .collect();
            let fields = required.iter().map(|&i| schema.field(i).clone()).collect();
            (
                LogicalPlan::Project {
                    input: Box::new(join),
                    exprs,
                    schema: PlanSchema::new(fields),
                },
                mapping_for(required, schema.len()),
            )
        }
        // DISTINCT, UNION and OneRow need every column they have.
        other => {
            let width = other.schema().len();
            let all: Vec<usize> = (0..width).collect();
            let plan = match other {
                LogicalPlan::Distinct { input } => LogicalPlan::Distinct {
                    input: Box::new(prune(*input, &all).0),
                },
                LogicalPlan::Union { inputs, schema } => LogicalPlan::Union {
                    inputs: inputs
                        .into_iter()
                        .map(|p| {
                            let w: Vec<usize> = (0..p.schema().len()).collect();
                            prune(p, &w).0
                        })
                        .collect(),
                    schema,
                },
                leaf => leaf,
            };
            (plan, all.into_iter().map(Some).collect())
        }
    }
}

/// The required columns that come from the input of a node that appends its own.
fn of_input(required: &[usize], input_width: usize) -> Vec<usize> {
    required
        .iter()
        .copied()
        .filter(|&i| i < input_width)
        .collect()
}

/// For a node whose output is its input's columns then some of its own (windows,
/// generators): its pruned schema and mapping, given the mapping of its pruned input
/// (which may keep more columns than asked, e.g. a filter's).
fn appended_columns(
    schema: &PlanSchema,
    input_width: usize,
    input_mapping: Vec<Option<usize>>,
) -> (PlanSchema, Vec<Option<usize>>) {
    let kept = input_mapping.iter().flatten().count();
    let mut fields = vec![None; kept];
    for (old, new) in input_mapping.iter().enumerate() {
        if let Some(new) = new {
            fields[*new] = Some(schema.field(old).clone());
        }
    }
    let mut fields: Vec<_> = fields.into_iter().flatten().collect();
    fields.extend(schema.fields()[input_width..].iter().cloned());
    let mut mapping = input_mapping;
    mapping.extend((0..schema.len() - input_width).map(|j| Some(kept + j)));
    (PlanSchema::new(fields), mapping)
}

fn sorted_unique(mut columns: Vec<usize>) -> Vec<usize> {
    columns.sort_unstable();
    columns.dedup();
    columns
}

fn mapping_for(kept: &[usize], width: usize) -> Vec<Option<usize>> {
    let mut mapping = vec![None; width];
    for (new, &old) in kept.iter().enumerate() {
        mapping[old] = Some(new);
    }
    mapping
}

fn remap(e: Expr, mapping: &[Option<usize>]) -> Expr {
    e.remap_columns(&|i| mapping[i].expect("pruning keeps every column an expression reads"))
}

fn remap_key(k: SortKey, mapping: &[Option<usize>]) -> SortKey {
    SortKey {
        expr: remap(k.expr, mapping),
        ..k
    }
}
