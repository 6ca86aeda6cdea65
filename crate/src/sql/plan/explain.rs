//! Plans and expressions as text: `EXPLAIN` output and readable test failures.

use std::fmt;

use crate::sql::plan::expr::{BinaryOp, Expr, SortKey};
use crate::sql::plan::functions::ScalarFunction;
use crate::sql::plan::logical::{GeneratorFunction, LogicalPlan};
use crate::sql::plan::partition_filters::partition_filters;

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Column { index, name } => write!(f, "{name}#{index}"),
            Expr::Literal(v) => match v {
                crate::sql::plan::scalar::ScalarValue::Utf8(s) => write!(f, "'{s}'"),
                other => write!(f, "{}", other.sql()),
            },
            Expr::Binary { op, left, right } => write!(f, "({left} {} {right})", op.sql()),
            Expr::Not(e) => write!(f, "NOT {e}"),
            Expr::Negate(e) => write!(f, "-{e}"),
            Expr::IsNull { expr, negated } => {
                write!(f, "{expr} IS {}NULL", if *negated { "NOT " } else { "" })
            }
            Expr::Cast { expr, to } => {
                write!(f, "CAST({expr} AS {})", crate::frame::spark_type_name(to))
            }
            Expr::Case {
                branches,
                otherwise,
                ..
            } => {
                write!(f, "CASE")?;
                for (w, t) in branches {
                    write!(f, " WHEN {w} THEN {t}")?;
                }
                if let Some(e) = otherwise {
                    write!(f, " ELSE {e}")?;
                }
                write!(f, " END")
            }
            Expr::InList {
                expr,
                list,
                negated,
            } => {
                let items: Vec<String> = list.iter().map(|e| e.to_string()).collect();
                write!(
                    f,
                    "{expr} {}IN ({})",
                    if *negated { "NOT " } else { "" },
                    items.join(", ")
                )
            }
            Expr::Like {
                expr,
                pattern,
                negated,
                case_insensitive,
            } => write!(
                f,
                "{expr} {}{} {pattern}",
                if *negated { "NOT " } else { "" },
                if *case_insensitive { "ILIKE" } else { "LIKE" }
            ),
            Expr::RLike {
                expr,
                pattern,
                negated,
            } => {
                write!(
                    f,
                    "{expr} {}RLIKE {pattern}",
                    if *negated { "NOT " } else { "" }
                )
            }
            // Decimal arithmetic and comparisons read as the operators they were written with.
            Expr::Function {
                func: ScalarFunction::Decimal(op),
                args,
                ..
            } if args.len() == 2 && BinaryOp::of_decimal(*op).is_some() => {
                let sql = BinaryOp::of_decimal(*op).map_or("?", |o| o.sql());
                write!(f, "({} {sql} {})", args[0], args[1])
            }
            Expr::Function { func, args, .. } => write!(f, "{}({})", func.name(), list(args)),
            Expr::Aggregate(call) => {
                let args = match call.func {
                    crate::sql::plan::functions::AggregateFunction::CountStar => "*".to_string(),
                    _ => list(&call.args),
                };
                write!(
                    f,
                    "{}({}{args})",
                    call.func.name(),
                    if call.distinct { "DISTINCT " } else { "" },
                )?;
                match &call.filter {
                    Some(filter) => write!(f, " FILTER (WHERE {filter})"),
                    None => Ok(()),
                }
            }
            // A body's columns are numbered in its own scope: the captured columns, then
            // the parameters.
            Expr::HigherOrder(call) => {
                write!(f, "{}({}", call.func.name(), list(&call.args))?;
                for lambda in &call.lambdas {
                    write!(f, ", ({}) -> {}", lambda.params.join(", "), lambda.body)?;
                }
                write!(f, ")")
            }
            Expr::Window(call) => write!(
                f,
                "{}({}){} OVER (PARTITION BY {} ORDER BY {} {})",
                call.func.name(),
                list(&call.args),
                if call.ignore_nulls {
                    " IGNORE NULLS"
                } else {
                    ""
                },
                list(&call.partition_by),
                keys(&call.order_by),
                call.frame
            ),
        }
    }
}

fn list<'a>(exprs: impl IntoIterator<Item = &'a Expr>) -> String {
    exprs
        .into_iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn keys(keys: &[SortKey]) -> String {
    keys.iter()
        .map(|k| {
            format!(
                "{} {} NULLS {}",
                k.expr,
                if k.ascending { "ASC" } else { "DESC" },
                if k.nulls_first { "FIRST" } else { "LAST" }
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl LogicalPlan {
    fn explain(&self, f: &mut fmt::Formatter<'_>, depth: usize) -> fmt::Result {
        let pad = "  ".repeat(depth);
        let children: Vec<&LogicalPlan> = match self {
            LogicalPlan::Scan {
                table,
                projection,
                filters,
                schema,
            } => {
                let names: Vec<&str> = schema.fields().iter().map(|f| f.name.as_str()).collect();
                write!(
                    f,
                    "{pad}Scan columns={projection:?} ({}) filters=[{}]",
                    names.join(", "),
                    list(filters)
                )?;
                let by_partition = partition_filters(table, projection, filters);
                if !by_partition.is_empty() {
                    write!(f, " partitionFilters=[{}]", list(by_partition))?;
                }
                writeln!(f)?;
                vec![]
            }
            LogicalPlan::OneRow => {
                writeln!(f, "{pad}OneRow")?;
                vec![]
            }
            LogicalPlan::Range { range, .. } => {
                writeln!(
                    f,
                    "{pad}Range start={} end={} step={} rows={} partitions={}",
                    range.start, range.end, range.step, range.rows, range.slices
                )?;
                vec![]
            }
            LogicalPlan::Filter { input, predicate } => {
                writeln!(f, "{pad}Filter {predicate}")?;
                vec![input]
            }
            LogicalPlan::Project { input, exprs, .. } => {
                writeln!(f, "{pad}Project {}", list(exprs))?;
                vec![input]
            }
            LogicalPlan::Aggregate {
                input,
                group,
                aggregates,
                ..
            } => {
                let aggs: Vec<String> = aggregates
                    .iter()
                    .map(|a| Expr::Aggregate(Box::new(a.clone())).to_string())
                    .collect();
                writeln!(
                    f,
                    "{pad}Aggregate group=[{}] aggregates=[{}]",
                    list(group),
                    aggs.join(", ")
                )?;
                vec![input]
            }
            LogicalPlan::Window { input, windows, .. } => {
                let ws: Vec<String> = windows
                    .iter()
                    .map(|w| Expr::Window(Box::new(w.clone())).to_string())
                    .collect();
                writeln!(f, "{pad}Window [{}]", ws.join(", "))?;
                vec![input]
            }
            LogicalPlan::Generate {
                input,
                generator,
                arg,
                schema,
            } => {
                let width = input.schema().len();
                let names: Vec<&str> = schema.fields()[width..]
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect();
                // json_tuple's argument is its own call (the struct of the fields).
                let call = match generator.function {
                    GeneratorFunction::JsonTuple => arg.to_string(),
                    _ => format!("{}({arg})", generator.name()),
                };
                writeln!(f, "{pad}Generate {call} as ({})", names.join(", "))?;
                vec![input]
            }
            LogicalPlan::Sort {
                input,
                keys: k,
                fetch,
            } => {
                writeln!(f, "{pad}Sort [{}] fetch={fetch:?}", keys(k))?;
                vec![input]
            }
            LogicalPlan::Limit { input, skip, fetch } => {
                writeln!(f, "{pad}Limit skip={skip} fetch={fetch:?}")?;
                vec![input]
            }
            LogicalPlan::Join {
                left,
                right,
                kind,
                on,
                filter,
                ..
            } => {
                let pairs: Vec<String> = on.iter().map(|(l, r)| format!("{l} = {r}")).collect();
                let residual = filter
                    .as_ref()
                    .map(|e| format!(" filter={e}"))
                    .unwrap_or_default();
                writeln!(f, "{pad}Join {kind:?} on=[{}]{residual}", pairs.join(", "))?;
                vec![left, right]
            }
            LogicalPlan::Distinct { input } => {
                writeln!(f, "{pad}Distinct")?;
                vec![input]
            }
            LogicalPlan::Union { inputs, .. } => {
                writeln!(f, "{pad}Union")?;
                inputs.iter().collect()
            }
            LogicalPlan::Alias { input, schema } => {
                let q = schema
                    .fields()
                    .first()
                    .and_then(|f| f.qualifier.clone())
                    .unwrap_or_default();
                writeln!(f, "{pad}Alias {q}")?;
                vec![input]
            }
        };
        for child in children {
            child.explain(f, depth + 1)?;
        }
        Ok(())
    }
}

impl fmt::Display for LogicalPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.explain(f, 0)
    }
}
