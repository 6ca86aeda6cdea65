//! Structs in SQL: building them (`struct(a, b)`, `named_struct('x', a, ...)`) and
//! reading their fields (`s.field`, `t.s.field`, `(expr).field`), with Spark's names: a
//! `struct` field is named after the column it was given, else `col1`, `col2`, ...

use arrow_schema::{DataType, Field};
use sqlparser::ast::{self, Ident};

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{ArrayFunction, ScalarFunction};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;

impl Planner<'_> {
    /// `s.*` (or `t.s.*`) where `s` is a struct column: each field as a column named after
    /// it, as Spark expands it; `None` when the name is no struct column.
    pub(crate) fn struct_star(
        &mut self,
        name: &ast::ObjectName,
        scope: &PlanSchema,
    ) -> Option<Result<Vec<(Expr, String)>>> {
        let parts: Vec<Ident> = name
            .0
            .iter()
            .filter_map(|p| p.as_ident().cloned())
            .collect();
        let reference = match parts.as_slice() {
            [one] => ast::Expr::Identifier(one.clone()),
            _ => ast::Expr::CompoundIdentifier(parts),
        };
        let value = self.expr(&reference, scope).ok()?;
        let DataType::Struct(fields) = value.data_type(scope) else {
            return None;
        };
        Some(
            fields
                .iter()
                .enumerate()
                .map(|(i, field)| {
                    let read =
                        scalar_call(ScalarFunction::GetField(i), vec![value.clone()], scope)?;
                    Ok((read, field.name().clone()))
                })
                .collect(),
        )
    }

    /// `value.name`: the struct field, found case-insensitively as Spark does.
    pub(crate) fn struct_field(&self, value: Expr, name: &str, scope: &PlanSchema) -> Result<Expr> {
        let data_type = value.data_type(scope);
        let DataType::Struct(fields) = &data_type else {
            return Err(Error::analysis(format!(
                "`.{name}` reads a field of a struct, but the value is {}",
                spark_type_name(&data_type)
            )));
        };
        let index = fields
            .iter()
            .position(|f| f.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
                Error::analysis(format!(
                    "there is no field `{name}` in {}; its fields are {}",
                    spark_type_name(&data_type),
                    names.join(", ")
                ))
            })?;
        scalar_call(ScalarFunction::GetField(index), vec![value], scope)
    }

    /// `a.b[.c...]`: a qualified column, or else a column's struct fields (`s.f`, `t.s.f`).
    pub(crate) fn compound_identifier(
        &mut self,
        parts: &[Ident],
        scope: &PlanSchema,
    ) -> Result<Expr> {
        // `x.field` where `x` is a lambda's parameter holding a struct.
        if let [first, fields @ ..] = parts {
            if let Some(index) = self.lambda_var(&first.value, scope) {
                let mut value = Expr::column(index, scope.field(index).name.clone());
                for field in fields {
                    value = self.struct_field(value, &field.value, scope)?;
                }
                return Ok(value);
            }
        }
        let as_column = match parts {
            [.., qualifier, name] => self.identifier(Some(&qualifier.value), &name.value, scope),
            [name] => self.identifier(None, &name.value, scope),
            [] => return Err(Error::analysis("empty column name")),
        };
        let Err(column_error) = as_column else {
            return as_column;
        };
        // A struct column, unqualified or qualified, then its fields.
        for column_parts in 1..=2.min(parts.len() - 1) {
            let (column, fields) = parts.split_at(column_parts);
            let found = match column {
                [name] => scope.resolve(None, &name.value),
                [qualifier, name] => scope.resolve(Some(&qualifier.value), &name.value),
                _ => continue,
            };
            let Ok(index) = found else { continue };
            if !matches!(scope.field(index).data_type, DataType::Struct(_)) {
                continue;
            }
            let mut value = Expr::column(index, scope.field(index).name.clone());
            for field in fields {
                value = self.struct_field(value, &field.value, scope)?;
            }
            return Ok(value);
        }
        Err(column_error)
    }

    /// `struct(a, b AS c, ...)` as sqlparser reads it (`Expr::Struct`).
    pub(crate) fn struct_literal(
        &mut self,
        values: &[ast::Expr],
        typed_fields: bool,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        if typed_fields {
            return Err(Error::unsupported("STRUCT<...>(...) with field types"));
        }
        let mut names = Vec::with_capacity(values.len());
        let mut planned = Vec::with_capacity(values.len());
        for (i, value) in values.iter().enumerate() {
            let (name, value) = match value {
                ast::Expr::Named { expr, name } => (name.value.clone(), expr.as_ref()),
                ast::Expr::Identifier(id) => (id.value.clone(), value),
                ast::Expr::CompoundIdentifier(ids) => (
                    ids.last()
                        .map_or(format!("col{}", i + 1), |id| id.value.clone()),
                    value,
                ),
                _ => (format!("col{}", i + 1), value),
            };
            names.push(name);
            planned.push(self.expr(value, scope)?);
        }
        make_struct(names, planned, scope)
    }

    /// `named_struct('x', a, 'y', b, ...)`, or `None` for another function.
    pub(crate) fn named_struct(
        &mut self,
        name: &str,
        args: &[Expr],
        scope: &PlanSchema,
    ) -> Result<Option<Expr>> {
        if name != "named_struct" {
            return Ok(None);
        }
        if args.is_empty() || !args.len().is_multiple_of(2) {
            return Err(Error::analysis(format!(
                "named_struct takes pairs of a name and a value, got {} arguments",
                args.len()
            )));
        }
        let mut names = Vec::new();
        let mut values = Vec::new();
        for pair in args.chunks(2) {
            let Expr::Literal(ScalarValue::Utf8(field)) = &pair[0] else {
                return Err(Error::analysis(
                    "named_struct's field names must be string literals",
                ));
            };
            names.push(field.clone());
            values.push(pair[1].clone());
        }
        make_struct(names, values, scope).map(Some)
    }
}

impl Planner<'_> {
    /// `arrays_zip(a, s.b, expr)`, its structs' fields named as Spark names them: after a
    /// column given (its last name part), by position (`2`) for anything else.
    pub(crate) fn arrays_zip(
        &mut self,
        function: &ast::Function,
        args: Vec<Expr>,
        scope: &PlanSchema,
    ) -> Result<Expr> {
        let given: Vec<&ast::FunctionArg> = match &function.args {
            ast::FunctionArguments::List(list) => list.args.iter().collect(),
            _ => Vec::new(),
        };
        let names: Vec<String> = (0..args.len())
            .map(|i| match given.get(i) {
                Some(ast::FunctionArg::Unnamed(ast::FunctionArgExpr::Expr(e))) => match e {
                    ast::Expr::Identifier(id) => id.value.clone(),
                    ast::Expr::CompoundIdentifier(ids) => {
                        ids.last().map_or(i.to_string(), |id| id.value.clone())
                    }
                    _ => i.to_string(),
                },
                _ => i.to_string(),
            })
            .collect();
        let call = scalar_call(ScalarFunction::Array(ArrayFunction::ArraysZip), args, scope)?;
        let Expr::Function {
            func,
            args,
            return_type: DataType::List(item),
        } = call
        else {
            return Err(Error::analysis(
                "arrays_zip did not plan as an array function",
            ));
        };
        let DataType::Struct(fields) = item.data_type() else {
            return Err(Error::analysis(
                "arrays_zip did not plan as an array of structs",
            ));
        };
        let named: Vec<Field> = fields
            .iter()
            .zip(names)
            .map(|(f, n)| Field::new(n, f.data_type().clone(), true))
            .collect();
        let item = Field::new(item.name(), DataType::Struct(named.into()), true);
        Ok(Expr::Function {
            func,
            args,
            return_type: DataType::List(item.into()),
        })
    }
}

/// A struct of `values` with fields named `names`.
pub(crate) fn make_struct(
    names: Vec<String>,
    values: Vec<Expr>,
    scope: &PlanSchema,
) -> Result<Expr> {
    let Expr::Function { func, args, .. } = scalar_call(ScalarFunction::MakeStruct, values, scope)?
    else {
        return Err(Error::analysis("struct() did not plan as a function call"));
    };
    let fields: Vec<Field> = args
        .iter()
        .zip(names)
        .map(|(a, n)| Field::new(n, a.data_type(scope), true))
        .collect();
    Ok(Expr::Function {
        func,
        args,
        return_type: DataType::Struct(fields.into()),
    })
}
