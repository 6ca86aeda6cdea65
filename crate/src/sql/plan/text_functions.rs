//! Planning Spark's CSV text functions — `from_csv(text, 'schema'[, options])`,
//! `to_csv(struct[, options])`, `schema_of_csv('text'[, options])` — and the options map
//! every CSV and JSON text function takes: a literal `map('key', 'value', ...)` of
//! strings, checked here (`text_options`) and passed on as the call's last argument.

use arrow_schema::DataType;

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{ScalarFunction, StringFunction};
use crate::sql::plan::json_schema::ddl_type;
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::plan::text_options::{options_arg, TextFunction};

/// The scalar types the CSV functions read and write.
fn csv_scalar(t: &DataType) -> bool {
    use DataType::*;
    matches!(
        t,
        Null | Boolean
            | Int8
            | Int16
            | Int32
            | Int64
            | Float32
            | Float64
            | Decimal128(_, _)
            | Utf8
            | Date32
            | Timestamp(arrow_schema::TimeUnit::Microsecond, _)
    )
}

fn arity(name: &str, min: usize, max: usize, given: usize) -> Result<()> {
    if (min..=max).contains(&given) {
        Ok(())
    } else {
        Err(Error::analysis(format!(
            "{name} takes {min} to {max} arguments, got {given}"
        )))
    }
}

impl Planner<'_> {
    /// `from_csv`, `to_csv` or `schema_of_csv` planned (`None` for another function);
    /// `to_json`'s options checked.
    pub(crate) fn csv_call(
        &self,
        name: &str,
        args: &[Expr],
        scope: &PlanSchema,
    ) -> Result<Option<Expr>> {
        csv_call(name, args, scope)
    }
}

fn csv_call(name: &str, args: &[Expr], scope: &PlanSchema) -> Result<Option<Expr>> {
    let json = match name {
        "to_json" => Some(TextFunction::ToJson),
        "schema_of_json" => Some(TextFunction::SchemaOfJson),
        _ => None,
    };
    if let Some(function) = json {
        // Planned as a plain call once its options are checked.
        if let Some(options) = args.get(1) {
            options_arg(function, options)?;
        }
        return Ok(None);
    }
    let (function, string_function) = match name {
        "from_csv" => (TextFunction::FromCsv, StringFunction::FromCsv),
        "to_csv" => (TextFunction::ToCsv, StringFunction::ToCsv),
        "schema_of_csv" => (TextFunction::SchemaOfCsv, StringFunction::SchemaOfCsv),
        _ => return Ok(None),
    };
    let func = ScalarFunction::String(string_function);
    match function {
        TextFunction::FromCsv => {
            arity(name, 2, 3, args.len())?;
            let Expr::Literal(ScalarValue::Utf8(schema)) = &args[1] else {
                return Err(Error::analysis(
                    "from_csv's schema must be a string literal (`'a INT, b STRING'`), as in \
                     Spark",
                ));
            };
            let return_type = ddl_type(schema)
                .map_err(|e| Error::analysis(e.message().replace("from_json", "from_csv")))?;
            let DataType::Struct(fields) = &return_type else {
                return Err(Error::analysis(format!(
                    "from_csv's schema \"{}\" must be a struct (a list of fields), as in Spark",
                    spark_type_name(&return_type).to_ascii_uppercase()
                )));
            };
            if fields.iter().any(|f| f.name() == "_corrupt_record") {
                return Err(Error::unsupported(
                    "from_csv's `_corrupt_record` field (Spark's column of malformed records)",
                ));
            }
            if let Some(f) = fields.iter().find(|f| !csv_scalar(f.data_type())) {
                return Err(Error::unsupported(format!(
                    "from_csv into the field `{}` of type {} (CSV holds plain values only, \
                     as Spark's UNSUPPORTED_DATATYPE)",
                    f.name(),
                    spark_type_name(f.data_type())
                )));
            }
            let mut call_args = vec![args[0].clone()];
            if let Some(options) = args.get(2) {
                options_arg(function, options)?;
                call_args.push(options.clone());
            }
            let Expr::Function { func, args, .. } = scalar_call(func, call_args, scope)? else {
                return Err(Error::analysis("from_csv did not plan as a function call"));
            };
            Ok(Some(Expr::Function {
                func,
                args,
                return_type,
            }))
        }
        TextFunction::ToCsv | TextFunction::SchemaOfCsv => {
            arity(name, 1, 2, args.len())?;
            if let Some(options) = args.get(1) {
                options_arg(function, options)?;
            }
            if function == TextFunction::SchemaOfCsv
                && !matches!(&args[0], Expr::Literal(ScalarValue::Utf8(_)))
            {
                return Err(Error::analysis(
                    "schema_of_csv takes a string literal (not NULL), as in Spark",
                ));
            }
            if function == TextFunction::ToCsv {
                if let DataType::Struct(fields) = args[0].data_type(scope) {
                    if let Some(f) = fields.iter().find(|f| !csv_scalar(f.data_type())) {
                        return Err(Error::unsupported(format!(
                            "to_csv of the field `{}` of type {} (Brasa writes plain values \
                             as CSV)",
                            f.name(),
                            spark_type_name(f.data_type())
                        )));
                    }
                }
            }
            scalar_call(func, args.to_vec(), scope).map(Some)
        }
        TextFunction::FromJson | TextFunction::ToJson | TextFunction::SchemaOfJson => Ok(None),
    }
}
