//! Higher-order functions and their lambdas (`transform(arr, x -> x + 1)`,
//! `aggregate(arr, 0, (acc, x) -> acc + x)`, `map_filter(m, (k, v) -> v > 0)`, ...), as
//! Spark types and checks them.
//!
//! A lambda's parameters are bound to the elements (and index) of an array or the
//! entries of a map; its body may also read the row's columns (a closure). The body is
//! planned over the outer scope with the parameters appended, then renumbered so that it
//! reads a narrow batch: the outer columns it captures first, then its parameters. The
//! captured columns are ordinary children of the call ([`LambdaCall::captured`]), so the
//! optimizer's pruning and renumbering and the planner's grouping rewrites reach them
//! without knowing about lambdas; execution (`exec::lambda`) evaluates each body once
//! over all the elements of a batch, with the captured columns repeated per element.

use arrow_schema::{DataType, Fields};
use sqlparser::ast::{self, Spanned};
use sqlparser::tokenizer::Span;

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::parse::at_span;
use crate::sql::plan::expr::{Expr, Lambda, LambdaCall};
use crate::sql::plan::functions::{common_type, list_of, map_of, map_types, HigherOrderFunction};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::{PlanField, PlanSchema};
use HigherOrderFunction::*;

impl Planner<'_> {
    /// `name(values..., lambdas...)` for a higher-order function.
    pub(crate) fn higher_order_call(
        &mut self,
        func: HigherOrderFunction,
        function: &ast::Function,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let name = func.name();
        let ast::FunctionArguments::List(list) = &function.args else {
            return Err(Error::analysis(format!("{name} takes arguments")));
        };
        let mut asts = Vec::with_capacity(list.args.len());
        for arg in &list.args {
            match arg {
                ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e)) => asts.push(e),
                other => return Err(Error::unsupported(format!("the argument `{other}`"))),
            }
        }
        let (fewest, most) = func.lambdas();
        let (fewest, most) = (func.values() + fewest, func.values() + most);
        if asts.len() < fewest || asts.len() > most {
            let expected = if fewest == most {
                format!("{fewest}")
            } else {
                format!("{fewest} or {most}")
            };
            return Err(Error::analysis(format!(
                "{name} takes {expected} arguments, got {}",
                asts.len()
            )));
        }
        let (value_asts, lambda_asts) = asts.split_at(func.values());
        let mut args = Vec::with_capacity(value_asts.len());
        for value in value_asts {
            if let ast::Expr::Lambda(l) = value {
                return Err(at_span(
                    Error::analysis(format!(
                        "{name} takes a value here, not the lambda function `{l}`"
                    )),
                    lambda_span(value),
                ));
            }
            args.push(self.expr(value, scope)?);
        }
        let (args, inputs) = input_types(func, args, scope)?;
        let mut lambdas = Vec::with_capacity(lambda_asts.len());
        let mut body_types = Vec::with_capacity(lambda_asts.len());
        for (which, ast) in lambda_asts.iter().enumerate() {
            let params = match (func, which) {
                (Aggregate, 0) => vec![inputs[1].clone(), inputs[0].clone()],
                (Aggregate, _) => vec![inputs[1].clone()],
                (Transform | Filter, _) => vec![inputs[0].clone(), DataType::Int32],
                (ArraySort, _) => vec![inputs[0].clone(), inputs[0].clone()],
                _ => inputs.clone(),
            };
            let (lambda, body_type) = self.lambda(func, which, ast, &params, scope)?;
            lambdas.push(lambda);
            body_types.push(body_type);
        }
        let return_type = check_bodies(func, &inputs, &body_types, &mut lambdas, &args, scope)?;
        Ok(capture(func, args, lambdas, return_type, scope))
    }

    /// Plans one lambda over `scope` with its parameters (of `types`, the first of them
    /// as many as it names) appended; the body is left over that extended scope.
    fn lambda(
        &mut self,
        func: HigherOrderFunction,
        which: usize,
        ast: &ast::Expr,
        types: &[DataType],
        scope: &PlanSchema,
    ) -> Result<(Lambda, DataType)> {
        let name = func.name();
        let ast::Expr::Lambda(lambda) = ast else {
            return Err(at_span(
                Error::analysis(format!(
                    "argument {} of {name} must be a lambda function such as `x -> x + 1`, \
                     got `{ast}`",
                    func.values() + which + 1
                )),
                ast.span(),
            ));
        };
        let span = lambda_span(ast);
        if lambda.syntax != ast::LambdaSyntax::Arrow {
            return Err(at_span(
                Error::unsupported(format!("`{lambda}`; write `x -> ...` as Spark does")),
                span,
            ));
        }
        let params: Vec<String> = lambda.params.iter().map(|p| p.value.clone()).collect();
        let allowed = func.arities(which);
        if !allowed.contains(&params.len()) {
            let counts = allowed
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" or ");
            return Err(at_span(
                Error::analysis(format!(
                    "the lambda function `{lambda}` of {name} takes {counts} parameter(s), \
                     got {}",
                    params.len()
                )),
                span,
            ));
        }
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.eq_ignore_ascii_case(p)) {
                return Err(at_span(
                    Error::analysis(format!(
                        "the lambda function `{lambda}` names the parameter `{p}` twice"
                    )),
                    span,
                ));
            }
        }
        let mut fields = scope.fields().to_vec();
        let base = fields.len();
        for (p, t) in params.iter().zip(types) {
            fields.push(PlanField::new(None, p.clone(), t.clone()));
        }
        let inner = PlanSchema::new(fields);
        let depth = self.lambda_vars.len();
        self.lambda_vars.extend(
            params
                .iter()
                .enumerate()
                .map(|(i, p)| (p.clone(), base + i)),
        );
        let body = self.expr(&lambda.body, &inner);
        self.lambda_vars.truncate(depth);
        let body = body?;
        // An aggregate or window function may only read the row around the lambda: it
        // is computed outside it (see `capture`).
        let reads_params = |e: &Expr| {
            let mut read = Vec::new();
            e.columns(&mut read);
            matches!(e, Expr::Aggregate(_) | Expr::Window(_)) && read.iter().any(|&c| c >= base)
        };
        if body.any(&reads_params) {
            return Err(at_span(
                Error::analysis(format!(
                    "an aggregate or window function inside the lambda function of {name} \
                     cannot read the lambda's parameters"
                )),
                lambda.body.span(),
            ));
        }
        let body_type = body.data_type(&inner);
        Ok((Lambda { params, body }, body_type))
    }
}

/// Where a lambda is in the query: sqlparser gives lambdas no span of their own, so from
/// its first parameter to the end of its body.
pub(crate) fn lambda_span(ast: &ast::Expr) -> Span {
    match ast {
        ast::Expr::Lambda(lambda) => match lambda.params.first() {
            Some(first) => first.span.union(&lambda.body.span()),
            None => lambda.body.span(),
        },
        other => other.span(),
    }
}

/// The value arguments cast as the function needs them, and the types its lambdas are
/// given: the element type (arrays; both for `zip_with`), the key and value types
/// (maps; key, value 1, value 2 for `map_zip_with`), or the element and the start value
/// (`aggregate`).
fn input_types(
    func: HigherOrderFunction,
    args: Vec<Expr>,
    scope: &PlanSchema,
) -> Result<(Vec<Expr>, Vec<DataType>)> {
    let name = func.name();
    let types: Vec<DataType> = args.iter().map(|a| a.data_type(scope)).collect();
    let wrong = |i: usize, wanted: &str| {
        Error::analysis(format!(
            "argument {} of {name} must be {wanted}, got {}",
            i + 1,
            spark_type_name(&types[i])
        ))
    };
    let element = |i: usize| match &types[i] {
        DataType::List(f) => Ok(f.data_type().clone()),
        _ => Err(wrong(i, "an array")),
    };
    if !func.over_maps() {
        return Ok(match func {
            ZipWith => {
                let inputs = vec![element(0)?, element(1)?];
                (args, inputs)
            }
            Aggregate => {
                let inputs = vec![element(0)?, types[1].clone()];
                (args, inputs)
            }
            _ => {
                let inputs = vec![element(0)?];
                (args, inputs)
            }
        });
    }
    let map = |i: usize| map_types(&types[i]).ok_or_else(|| wrong(i, "a map"));
    if func != MapZipWith {
        let (key, value) = map(0)?;
        return Ok((args, vec![key, value]));
    }
    // The keys meet in their common type, as Spark's coercion makes them.
    let ((k1, v1), (k2, v2)) = (map(0)?, map(1)?);
    let key = common_type(name, &[k1, k2])?;
    let args = args
        .into_iter()
        .zip([v1.clone(), v2.clone()])
        .map(|(arg, value)| arg.cast(&map_of(key.clone(), value), scope))
        .collect();
    Ok((args, vec![key, v1, v2]))
}

/// Checks the bodies' types as Spark does and gives the call's result type. A
/// predicate must be a boolean, a comparator an int, and `aggregate`'s merge must give
/// the start value's type (Spark compares the types' shapes: field names and
/// nullability aside).
fn check_bodies(
    func: HigherOrderFunction,
    inputs: &[DataType],
    bodies: &[DataType],
    lambdas: &mut [Lambda],
    args: &[Expr],
    scope: &PlanSchema,
) -> Result<DataType> {
    let name = func.name();
    let mismatch = |wanted: &str, got: &DataType| {
        Error::analysis(format!(
            "the lambda function of {name} must return {wanted}, got {}",
            spark_type_name(got)
        ))
    };
    let body = &bodies[0];
    Ok(match func {
        Transform | ZipWith => list_of(body.clone()),
        Filter | Exists | Forall | MapFilter => {
            match body {
                DataType::Boolean => {}
                // A NULL predicate keeps nothing (and decides nothing).
                DataType::Null => {
                    let null = Expr::Literal(ScalarValue::Null(DataType::Boolean));
                    lambdas[0].body = null;
                }
                _ => return Err(mismatch("a boolean", body)),
            }
            match func {
                Filter => args[0].data_type(scope),
                MapFilter => args[0].data_type(scope),
                _ => DataType::Boolean,
            }
        }
        ArraySort => {
            if body != &DataType::Int32 {
                return Err(mismatch(
                    "an int (negative, 0 or positive, as `l - r`)",
                    body,
                ));
            }
            args[0].data_type(scope)
        }
        Aggregate => {
            let zero = &inputs[1];
            if !same_shape(zero, body) {
                return Err(mismatch(
                    &format!("the start value's type {}", spark_type_name(zero)),
                    body,
                ));
            }
            if body != zero {
                lambdas[0].body = Expr::Cast {
                    expr: Box::new(lambdas[0].body.clone()),
                    to: zero.clone(),
                };
            }
            bodies.get(1).cloned().unwrap_or_else(|| zero.clone())
        }
        TransformKeys => {
            if matches!(body, DataType::Map(_, _)) {
                return Err(mismatch("a key (not a map)", body));
            }
            map_of(body.clone(), inputs[1].clone())
        }
        TransformValues | MapZipWith => map_of(inputs[0].clone(), body.clone()),
    })
}

/// Whether two types have the same shape: the same types, struct field names and
/// nullability aside (Spark's `equalsStructurally`).
fn same_shape(a: &DataType, b: &DataType) -> bool {
    let fields = |x: &Fields, y: &Fields| {
        x.len() == y.len()
            && x.iter()
                .zip(y.iter())
                .all(|(f, g)| same_shape(f.data_type(), g.data_type()))
    };
    match (a, b) {
        (DataType::List(x), DataType::List(y)) => same_shape(x.data_type(), y.data_type()),
        (DataType::Struct(x), DataType::Struct(y)) => fields(x, y),
        (DataType::Map(x, _), DataType::Map(y, _)) => same_shape(x.data_type(), y.data_type()),
        _ => a == b,
    }
}

/// The call with the outer values its lambdas read gathered into `captured`, and each
/// body renumbered to read them, then its own parameters. The values are the columns the
/// bodies read, then the aggregate and window calls in them (which read only outer
/// columns): those are computed around the lambda, where the planner moves them into
/// their own plan nodes as it does any other.
fn capture(
    func: HigherOrderFunction,
    args: Vec<Expr>,
    lambdas: Vec<Lambda>,
    return_type: DataType,
    scope: &PlanSchema,
) -> Expr {
    /// Where hoisted calls are numbered while the bodies are rewritten.
    const HOISTED: usize = usize::MAX / 2;
    let outer = scope.len();
    let mut hoisted: Vec<Expr> = Vec::new();
    let lambdas: Vec<Lambda> = lambdas
        .into_iter()
        .map(|lambda| {
            let body = lambda.body.rewrite(&mut |e| match e {
                Expr::Aggregate(_) | Expr::Window(_) => {
                    hoisted.push(e.clone());
                    Some(Expr::column(HOISTED + hoisted.len() - 1, e.to_string()))
                }
                _ => None,
            });
            Lambda { body, ..lambda }
        })
        .collect();
    let mut read = Vec::new();
    for lambda in &lambdas {
        lambda.body.columns(&mut read);
    }
    read.retain(|&c| c < outer);
    read.sort_unstable();
    read.dedup();
    let width = read.len() + hoisted.len();
    let mut captured: Vec<Expr> = read
        .iter()
        .map(|&c| Expr::column(c, scope.field(c).name.clone()))
        .collect();
    captured.extend(hoisted);
    let lambdas = lambdas
        .into_iter()
        .map(|lambda| {
            let body = lambda.body.remap_columns(&|c| {
                if c >= HOISTED {
                    read.len() + (c - HOISTED)
                } else if c >= outer {
                    width + (c - outer)
                } else {
                    read.binary_search(&c).unwrap_or(c)
                }
            });
            Lambda { body, ..lambda }
        })
        .collect();
    Expr::HigherOrder(Box::new(LambdaCall {
        func,
        args,
        lambdas,
        captured,
        return_type,
    }))
}
