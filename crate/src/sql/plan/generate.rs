//! Generators, written as `LATERAL VIEW` or in the SELECT list: `explode`, `posexplode`
//! and `inline` (and their `_outer` forms), which turn each row into one row per element of
//! an array (or entry of a map: a key and a value column; or struct of an array: its
//! fields), `stack`, which spreads its values over a fixed number of rows, and
//! `json_tuple`, which reads named fields of a JSON object into columns.
//!
//! A generator in the SELECT list (several are allowed, as in Spark 4) is planned as Spark
//! plans it, as a lateral view of the filtered rows:
//! `SELECT id, explode(tags) AS tag FROM t WHERE ...` reads as
//! `SELECT id, tag FROM t LATERAL VIEW explode(tags) AS tag WHERE ...`, with the view's
//! columns hidden (out of `*`, and out of reach of WHERE, which in Spark runs before the
//! generator). The optimizer moves WHERE's conditions below the generator, so the answer
//! and the work are those of Spark's order.

use arrow_schema::DataType;
use sqlparser::ast::{self, Ident, LateralView, ObjectName, SelectItem};

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::parse::MULTI_ALIAS;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{map_types, ArrayFunction, ScalarFunction, StringFunction};
use crate::sql::plan::logical::{Generator, GeneratorFunction, LogicalPlan, SELECT_GENERATOR};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use crate::sql::plan::structs::make_struct;
use crate::sql::types::is_string;

/// The qualifier of a `LATERAL generator(...)` in FROM that has no alias.
const LATERAL_FUNCTION: &str = "__lateral";

/// The `LATERAL VIEW` a generator written as a table in FROM stands for: `name(args)`,
/// qualified by the alias's name (else `qualifier`), its columns named by the alias's.
pub(crate) fn generator_view(
    name: &ObjectName,
    args: &[ast::FunctionArg],
    alias: Option<&ast::TableAlias>,
    qualifier: &str,
) -> LateralView {
    let call = ast::Expr::Function(ast::Function {
        name: name.clone(),
        uses_odbc_syntax: false,
        parameters: ast::FunctionArguments::None,
        args: ast::FunctionArguments::List(ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: args.to_vec(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    });
    LateralView {
        lateral_view: call,
        lateral_view_name: ObjectName::from(vec![
            alias.map_or_else(|| Ident::new(qualifier), |a| a.name.clone())
        ]),
        lateral_col_alias: alias
            .map(|a| a.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default(),
        outer: false,
    }
}

/// `gen(...) AS (a, b)` as the parser hands it over (`__multi_alias(gen(...), a, b)`,
/// see [`crate::sql::parse`]): the call and the names, if `e` is one.
fn multi_aliased(e: &ast::Expr) -> Option<(&ast::Expr, Vec<Ident>)> {
    let ast::Expr::Function(f) = e else {
        return None;
    };
    if !f.name.to_string().eq_ignore_ascii_case(MULTI_ALIAS) {
        return None;
    }
    let ast::FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let mut args = list.args.iter().map(|a| match a {
        ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Some(e),
        _ => None,
    });
    let call = args.next()??;
    let names = args
        .map(|a| match a {
            Some(ast::Expr::Identifier(name)) => Some(name.clone()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    Some((call, names))
}

/// The generator call `e` is, with its arguments, if it is one.
fn generator_call(e: &ast::Expr) -> Option<(Generator, &ast::Function)> {
    let ast::Expr::Function(f) = e else {
        return None;
    };
    let [part] = f.name.0.as_slice() else {
        return None;
    };
    Some((Generator::from_name(&part.as_ident()?.value)?, f))
}

impl Planner<'_> {
    /// `select` with its SELECT-list generators moved into lateral views, in order; `None`
    /// when it has none.
    pub(crate) fn lift_select_generators(select: &ast::Select) -> Option<ast::Select> {
        let generators = |item: &SelectItem| match item {
            SelectItem::UnnamedExpr(e) => match multi_aliased(e) {
                Some((call, names)) => generator_call(call).map(|_| (call.clone(), names)),
                None => generator_call(e).map(|_| (e.clone(), Vec::new())),
            },
            SelectItem::ExprWithAlias { expr, alias } => {
                generator_call(expr).map(|_| (expr.clone(), vec![alias.clone()]))
            }
            _ => None,
        };
        if !select
            .projection
            .iter()
            .any(|item| generators(item).is_some())
        {
            return None;
        }
        let mut lifted = select.clone();
        lifted.projection.clear();
        for item in &select.projection {
            let Some((call, names)) = generators(item) else {
                lifted.projection.push(item.clone());
                continue;
            };
            let view = Ident::new(format!(
                "{SELECT_GENERATOR}{}",
                lifted.lateral_views.len() + 1
            ));
            // Without an alias the columns' names depend on whether the argument is an
            // array or a map (known once it is planned): `view.*` lists them.
            if names.is_empty() {
                lifted.projection.push(SelectItem::QualifiedWildcard(
                    ast::SelectItemQualifiedWildcardKind::ObjectName(ObjectName::from(vec![
                        view.clone()
                    ])),
                    ast::WildcardAdditionalOptions::default(),
                ));
            }
            lifted.projection.extend(names.iter().map(|name| {
                SelectItem::UnnamedExpr(ast::Expr::CompoundIdentifier(vec![
                    view.clone(),
                    name.clone(),
                ]))
            }));
            lifted.lateral_views.push(LateralView {
                lateral_view: call,
                lateral_view_name: ObjectName::from(vec![view]),
                lateral_col_alias: names,
                outer: false,
            });
        }
        Some(lifted)
    }

    /// `FROM t, LATERAL generator(t.col) [AS name(col, ...)]` (also `CROSS JOIN LATERAL` and
    /// `JOIN LATERAL`): the generator over each row of `plan`, as `LATERAL VIEW` reads it.
    pub(crate) fn lateral_table_function(
        &mut self,
        plan: LogicalPlan,
        factor: &ast::TableFactor,
    ) -> Result<LogicalPlan> {
        let ast::TableFactor::Function {
            name, args, alias, ..
        } = factor
        else {
            return Err(Error::analysis(format!(
                "`{factor}` is not LATERAL generator(...)"
            )));
        };
        let view = generator_view(name, args, alias.as_ref(), LATERAL_FUNCTION);
        self.lateral_view(plan, &view)
    }

    /// `plan LATERAL VIEW [OUTER] generator(args) name [AS col, ...]`.
    pub(crate) fn lateral_view(
        &mut self,
        plan: LogicalPlan,
        view: &LateralView,
    ) -> Result<LogicalPlan> {
        let Some((generator, call)) = generator_call(&view.lateral_view) else {
            return Err(Error::unsupported(format!(
                "LATERAL VIEW {} (the generators are {GENERATOR_NAMES})",
                view.lateral_view
            )));
        };
        let generator = Generator {
            outer: generator.outer || view.outer,
            ..generator
        };
        let ast::FunctionArguments::List(list) = &call.args else {
            return Err(Error::analysis(format!(
                "{} takes {}",
                generator.name(),
                takes(generator)
            )));
        };
        let args: Vec<&ast::Expr> = list
            .args
            .iter()
            .filter_map(|a| match a {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect();
        if args.len() != list.args.len() {
            return Err(Error::analysis(format!(
                "{} takes {}, without names",
                generator.name(),
                takes(generator)
            )));
        }
        let scope = plan.schema();
        let mut planned = Vec::with_capacity(args.len());
        for arg in args {
            let arg = self.expr(arg, &scope)?;
            if arg.contains_aggregate() || arg.contains_window() {
                return Err(Error::analysis(format!(
                    "{} cannot take an aggregate or window function; compute it in a subquery \
                     first",
                    generator.name()
                )));
            }
            planned.push(arg);
        }
        let Generated { arg, columns } = match generator.function {
            GeneratorFunction::Explode | GeneratorFunction::PosExplode => {
                collection(generator, planned, &scope)?
            }
            GeneratorFunction::Inline => inline(generator, planned, &scope)?,
            GeneratorFunction::Stack => stack(planned, &scope)?,
            GeneratorFunction::JsonTuple => json_tuple(planned, &scope)?,
        };
        let names: Vec<String> = if view.lateral_col_alias.is_empty() {
            columns.iter().map(|(name, _)| name.clone()).collect()
        } else {
            view.lateral_col_alias
                .iter()
                .map(|i| i.value.clone())
                .collect()
        };
        if names.len() != columns.len() {
            let defaults: Vec<&str> = columns.iter().map(|(name, _)| name.as_str()).collect();
            return Err(Error::analysis(format!(
                "{} makes {} column(s) ({}) but the query names {}",
                generator.name(),
                columns.len(),
                defaults.join(", "),
                names.len()
            )));
        }
        let qualifier = view
            .lateral_view_name
            .0
            .last()
            .and_then(|p| p.as_ident())
            .map(|i| i.value.clone());
        let hidden = qualifier
            .as_deref()
            .is_some_and(|q| q.starts_with(SELECT_GENERATOR));
        let mut fields = scope.fields().to_vec();
        for (name, (_, data_type)) in names.into_iter().zip(columns) {
            let mut field = PlanField::new(qualifier.as_deref(), name, data_type);
            field.hidden = hidden;
            fields.push(field);
        }
        Ok(LogicalPlan::Generate {
            input: Box::new(plan),
            generator,
            arg,
            schema: PlanSchema::new(fields),
        })
    }
}

/// Most rows `stack` makes of each input row: its rows are structs in the plan, so a
/// huge count would exhaust memory while planning.
const MAX_STACK_ROWS: i32 = 10_000;

/// The generators' names, for messages.
const GENERATOR_NAMES: &str = "explode, posexplode, inline (each also `_outer`), stack and \
                               json_tuple";

/// What a generator's arguments must be, for messages.
fn takes(generator: Generator) -> &'static str {
    match generator.function {
        GeneratorFunction::Explode | GeneratorFunction::PosExplode => "one array or map",
        GeneratorFunction::Inline => "one array of structs",
        GeneratorFunction::Stack => "a number of rows, then the values",
        GeneratorFunction::JsonTuple => "a JSON string, then the names of its fields",
    }
}

/// A generator's planned argument and the columns it makes (Spark's default names, and
/// their types).
struct Generated {
    arg: Expr,
    columns: Vec<(String, DataType)>,
}

/// The one argument of a generator that takes one.
fn only_arg(generator: Generator, args: Vec<Expr>) -> Result<Expr> {
    let given = args.len();
    <[Expr; 1]>::try_from(args).map(|[arg]| arg).map_err(|_| {
        Error::analysis(format!(
            "{} takes {}, got {given} arguments",
            generator.name(),
            takes(generator)
        ))
    })
}

/// `explode(array | map)`, `posexplode(...)`: an array's element, or a map's key and value.
fn collection(generator: Generator, args: Vec<Expr>, scope: &PlanSchema) -> Result<Generated> {
    let arg = only_arg(generator, args)?;
    let (of_map, mut types) = match arg.data_type(scope) {
        DataType::List(field) => (false, vec![field.data_type().clone()]),
        t @ DataType::Map(_, _) => match map_types(&t) {
            Some((key, value)) => (true, vec![key, value]),
            None => return Err(Error::analysis("a map without keys and values")),
        },
        other => {
            return Err(Error::analysis(format!(
                "{} takes an array or a map, got {}",
                generator.name(),
                spark_type_name(&other)
            )))
        }
    };
    if generator.with_position() {
        types.insert(0, DataType::Int32);
    }
    let names = generator
        .default_names(of_map)
        .iter()
        .map(|n| n.to_string());
    Ok(Generated {
        arg,
        columns: names.zip(types).collect(),
    })
}

/// `inline(array<struct>)`: the struct's fields, with their names.
fn inline(generator: Generator, args: Vec<Expr>, scope: &PlanSchema) -> Result<Generated> {
    let arg = only_arg(generator, args)?;
    let data_type = arg.data_type(scope);
    let DataType::List(element) = &data_type else {
        return Err(not_structs(generator, &data_type));
    };
    let DataType::Struct(fields) = element.data_type() else {
        return Err(not_structs(generator, &data_type));
    };
    let columns = fields
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect();
    Ok(Generated { arg, columns })
}

fn not_structs(generator: Generator, data_type: &DataType) -> Error {
    Error::analysis(format!(
        "{} takes an array of structs, got {}",
        generator.name(),
        spark_type_name(data_type)
    ))
}

/// `stack(n, v1, ..., vk)`: `n` rows of `m = ⌈k / n⌉` columns `col0`, `col1`, ..., the
/// values in row order, NULLs after the last. Planned as `inline` over an array of `n`
/// structs. As in Spark, `n` is a constant INT above 0, and a column's values must have one
/// type (a NULL takes its column's type).
fn stack(args: Vec<Expr>, scope: &PlanSchema) -> Result<Generated> {
    let mut args = args.into_iter();
    let rows = match args.next() {
        Some(Expr::Literal(ScalarValue::Int32(rows))) if rows > MAX_STACK_ROWS => {
            return Err(Error::unsupported(format!(
                "stack of {rows} rows per input row (at most {MAX_STACK_ROWS}: each row is \
                 planned as a struct of its values); explode an array or join a range instead"
            )))
        }
        Some(Expr::Literal(ScalarValue::Int32(rows))) if rows > 0 => rows as usize,
        Some(Expr::Literal(ScalarValue::Int32(rows))) => {
            return Err(Error::analysis(format!(
                "stack's number of rows must be above 0, got {rows}"
            )))
        }
        Some(other) => {
            return Err(Error::analysis(format!(
                "stack's first argument is the number of rows, a constant INT; got {}",
                spark_type_name(&other.data_type(scope))
            )))
        }
        None => {
            return Err(Error::analysis(
                "stack takes a number of rows, then the values",
            ))
        }
    };
    let values: Vec<Expr> = args.collect();
    if values.is_empty() {
        return Err(Error::analysis(
            "stack takes a number of rows, then at least one value",
        ));
    }
    let width = values.len().div_ceil(rows);
    // Each column's type: its first value's that is not a NULL (and that value's
    // argument number, for messages).
    let mut types = vec![DataType::Null; width];
    let mut typed_by = vec![0; width];
    for (i, value) in values.iter().enumerate() {
        let t = value.data_type(scope);
        let (column, by) = (&mut types[i % width], &mut typed_by[i % width]);
        if *column == DataType::Null {
            (*column, *by) = (t, i + 2);
        } else if t != DataType::Null && spark_type_name(&t) != spark_type_name(column) {
            return Err(Error::analysis(format!(
                "stack's column {} holds {} (argument {by}) and {} (argument {}): a column's \
                 values must have one type; cast them",
                i % width,
                spark_type_name(column),
                spark_type_name(&t),
                i + 2
            )));
        }
    }
    let names: Vec<String> = (0..width).map(|j| format!("col{j}")).collect();
    let mut values = values.into_iter();
    let mut structs = Vec::with_capacity(rows);
    for _ in 0..rows {
        let row: Vec<Expr> = types
            .iter()
            .map(|t| {
                values
                    .next()
                    .unwrap_or_else(|| Expr::literal(ScalarValue::Null(DataType::Null)))
                    .cast(t, scope)
            })
            .collect();
        structs.push(make_struct(names.clone(), row, scope)?);
    }
    let arg = scalar_call(ScalarFunction::Array(ArrayFunction::Array), structs, scope)?;
    Ok(Generated {
        arg,
        columns: names.into_iter().zip(types).collect(),
    })
}

/// `json_tuple(json, k1, ..., kn)`: the strings of the fields `k1`, ..., `kn` of the JSON
/// object, as columns `c0`, ..., planned as one struct computed with one parse per row.
fn json_tuple(args: Vec<Expr>, scope: &PlanSchema) -> Result<Generated> {
    if args.len() < 2 {
        return Err(Error::analysis(format!(
            "json_tuple takes a JSON string, then at least one field name; got {} arguments",
            args.len()
        )));
    }
    // As in Spark, no implicit cast: a number or an untyped NULL is refused.
    for (i, a) in args.iter().enumerate() {
        let t = a.data_type(scope);
        if !is_string(&t) {
            return Err(Error::analysis(format!(
                "json_tuple's arguments must all be strings; argument {} is {}",
                i + 1,
                spark_type_name(&t)
            )));
        }
    }
    let arg = scalar_call(
        ScalarFunction::String(StringFunction::JsonTuple),
        args,
        scope,
    )?;
    let DataType::Struct(fields) = arg.data_type(scope) else {
        return Err(Error::analysis("json_tuple did not plan as a struct"));
    };
    let columns = fields
        .iter()
        .map(|f| (f.name().clone(), f.data_type().clone()))
        .collect();
    Ok(Generated { arg, columns })
}
