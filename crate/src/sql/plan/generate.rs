//! Generators: `explode`, `posexplode` and their `_outer` forms, which turn each row into
//! one row per element of an array (or entry of a map: a key and a value column), written
//! as `LATERAL VIEW` or in the SELECT list.
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
use crate::sql::plan::functions::map_types;
use crate::sql::plan::logical::{Generator, LogicalPlan, SELECT_GENERATOR};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::schema::{PlanField, PlanSchema};

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
            SelectItem::UnnamedExpr(e) => generator_call(e).map(|_| (e.clone(), None)),
            SelectItem::ExprWithAlias { expr, alias } => {
                generator_call(expr).map(|_| (expr.clone(), Some(alias.clone())))
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
            let Some((call, alias)) = generators(item) else {
                lifted.projection.push(item.clone());
                continue;
            };
            let view = Ident::new(format!(
                "{SELECT_GENERATOR}{}",
                lifted.lateral_views.len() + 1
            ));
            // Without an alias the columns' names depend on whether the argument is an
            // array or a map (known once it is planned): `view.*` lists them.
            let names: Vec<Ident> = alias.into_iter().collect();
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

    /// `plan LATERAL VIEW [OUTER] generator(array) name [AS col, ...]`.
    pub(crate) fn lateral_view(
        &mut self,
        plan: LogicalPlan,
        view: &LateralView,
    ) -> Result<LogicalPlan> {
        let Some((generator, call)) = generator_call(&view.lateral_view) else {
            return Err(Error::unsupported(format!(
                "LATERAL VIEW {} (the generators are explode, posexplode, explode_outer and \
                 posexplode_outer)",
                view.lateral_view
            )));
        };
        let generator = Generator {
            outer: generator.outer || view.outer,
            ..generator
        };
        let ast::FunctionArguments::List(list) = &call.args else {
            return Err(Error::analysis(format!(
                "{} takes one array or map",
                generator.name()
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
        let [arg] = args.as_slice() else {
            return Err(Error::analysis(format!(
                "{} takes one array or map, got {} arguments",
                generator.name(),
                list.args.len()
            )));
        };
        let scope = plan.schema();
        let arg = self.expr(arg, &scope)?;
        if arg.contains_aggregate() || arg.contains_window() {
            return Err(Error::analysis(format!(
                "{} cannot take an aggregate or window function; compute it in a subquery first",
                generator.name()
            )));
        }
        // The generated columns' types: an array's element, or a map's key and value.
        let (of_map, mut types) = match arg.data_type(&scope) {
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
        if generator.with_position {
            types.insert(0, DataType::Int32);
        }
        let defaults = generator.default_names(of_map);
        let names: Vec<String> = if view.lateral_col_alias.is_empty() {
            defaults.iter().map(|n| n.to_string()).collect()
        } else {
            view.lateral_col_alias
                .iter()
                .map(|i| i.value.clone())
                .collect()
        };
        if names.len() != defaults.len() {
            return Err(Error::analysis(format!(
                "{} makes {} column(s) ({}) but the query names {}",
                generator.name(),
                defaults.len(),
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
        for (name, data_type) in names.into_iter().zip(types) {
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

/// Whether `name` is a generator's, which only SELECT and LATERAL VIEW may call.
pub fn is_generator_name(name: &str) -> bool {
    Generator::from_name(name).is_some()
}
