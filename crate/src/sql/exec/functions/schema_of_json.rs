//! `schema_of_json('<json>')`: the type Spark's JSON reader infers for the text, as its
//! DDL (`STRUCT<a: BIGINT, b: STRING>`): integers `BIGINT` (wider ones `DECIMAL(n,0)`,
//! up to 38 digits, else `DOUBLE`), other numbers `DOUBLE`, strings `STRING` (no dates
//! or timestamps, Spark's default), objects structs with their fields sorted by name,
//! arrays of the common type of their elements; values whose types disagree are
//! `STRING`, and a type only ever seen NULL (or an empty array's element) is `STRING`.
//! Text that is not JSON is an error, as in Spark.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use arrow_array::{Array, ArrayRef};

use super::columns::{as_strings, build_strings};
use super::csv_text::options as text_options;
use super::json::{parse_spark, Json};
use crate::decimal_digits::{wider_decimal, LONG_DIGITS};
use crate::error::{Error, Result};
use crate::sql::plan::text_options::TextFunction;

#[derive(Debug, Clone, PartialEq)]
enum Inferred {
    Null,
    Boolean,
    Long,
    Decimal(u8, u8),
    Double,
    String,
    Array(Box<Inferred>),
    Struct(BTreeMap<String, Inferred>),
}

fn infer(json: &Json) -> Inferred {
    match json {
        Json::Null => Inferred::Null,
        Json::Bool(_) => Inferred::Boolean,
        Json::Int(text) if text.parse::<i64>().is_ok() => Inferred::Long,
        Json::Int(text) => {
            let digits = text.trim_start_matches('-').len();
            if digits <= 38 {
                Inferred::Decimal(digits as u8, 0)
            } else {
                Inferred::Double
            }
        }
        Json::Float(_, _) => Inferred::Double,
        // An empty string is a null to Spark's inference: `[1, ""]` is an array of bigints.
        Json::Text(text) if text.is_empty() => Inferred::Null,
        Json::Text(_) => Inferred::String,
        Json::Array(items) => Inferred::Array(Box::new(
            items.iter().map(infer).fold(Inferred::Null, merge),
        )),
        Json::Object(fields) => {
            let mut out: BTreeMap<String, Inferred> = BTreeMap::new();
            for (name, value) in fields {
                let t = infer(value);
                let merged = match out.remove(name) {
                    Some(old) => merge(old, t),
                    None => t,
                };
                out.insert(name.clone(), merged);
            }
            Inferred::Struct(out)
        }
    }
}

/// Spark's `compatibleType` for JSON inference.
fn merge(a: Inferred, b: Inferred) -> Inferred {
    use Inferred::*;
    match (a, b) {
        (a, b) if a == b => a,
        (Null, t) | (t, Null) => t,
        (Long, Double) | (Double, Long) | (Decimal(..), Double) | (Double, Decimal(..)) => Double,
        (Long, Decimal(p, s)) | (Decimal(p, s), Long) => {
            merge(Decimal(LONG_DIGITS, 0), Decimal(p, s))
        }
        (Decimal(p1, s1), Decimal(p2, s2)) => match wider_decimal((p1, s1), (p2, s2)) {
            Some((precision, scale)) => Decimal(precision, scale),
            None => Double,
        },
        (Array(a), Array(b)) => Array(Box::new(merge(*a, *b))),
        (Struct(mut a), Struct(b)) => {
            for (name, t) in b {
                let merged = match a.remove(&name) {
                    Some(old) => merge(old, t),
                    None => t,
                };
                a.insert(name, merged);
            }
            Struct(a)
        }
        _ => String,
    }
}

/// A field name as Spark's DDL writes it: bare if only letters, digits and `_` (and not
/// only digits), else between backticks (a backtick doubled).
fn write_name(name: &str, out: &mut String) {
    let plain = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.chars().all(|c| c.is_ascii_digit());
    if plain {
        out.push_str(name);
    } else {
        out.push('`');
        out.push_str(&name.replace('`', "``"));
        out.push('`');
    }
}

fn write_ddl(t: &Inferred, out: &mut String) {
    match t {
        Inferred::Null | Inferred::String => out.push_str("STRING"),
        Inferred::Boolean => out.push_str("BOOLEAN"),
        Inferred::Long => out.push_str("BIGINT"),
        Inferred::Double => out.push_str("DOUBLE"),
        Inferred::Decimal(p, s) => {
            let _ = write!(out, "DECIMAL({p},{s})");
        }
        Inferred::Array(item) => {
            out.push_str("ARRAY<");
            write_ddl(item, out);
            out.push('>');
        }
        Inferred::Struct(fields) => {
            out.push_str("STRUCT<");
            for (k, (name, t)) in fields.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                write_name(name, out);
                out.push_str(": ");
                write_ddl(t, out);
            }
            out.push('>');
        }
    }
}

/// `schema_of_json(text[, options])`: `allowNumericLeadingZeros` is the option read.
pub fn schema_of_json(text: &ArrayRef, options: Option<&ArrayRef>, len: usize) -> Result<ArrayRef> {
    let o = text_options(TextFunction::SchemaOfJson, options)?;
    let text = as_strings(text)?;
    build_strings(len, |i, out| {
        if text.is_null(i) {
            return Ok(false);
        }
        let json = parse_spark(text.value(i), &o).ok_or_else(|| {
            Error::analysis(format!(
                "schema_of_json: `{}` is not JSON (Spark's FAILFAST reading of the text)",
                text.value(i)
            ))
        })?;
        write_ddl(&infer(&json), out);
        Ok(true)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ddl(text: &str) -> String {
        let mut out = String::new();
        write_ddl(
            &infer(&parse_spark(text, &Default::default()).unwrap()),
            &mut out,
        );
        out
    }

    #[test]
    fn infers_as_spark() {
        assert_eq!(ddl(r#"{"b":1, "a":"x"}"#), "STRUCT<a: STRING, b: BIGINT>");
        assert_eq!(
            ddl(r#"[{"c": [1.5, 2]}, {"d": null}]"#),
            "ARRAY<STRUCT<c: ARRAY<DOUBLE>, d: STRING>>"
        );
        assert_eq!(
            ddl(r#"{"a":12345678901234567890}"#),
            "STRUCT<a: DECIMAL(20,0)>"
        );
        assert_eq!(ddl(r#"[1, "x"]"#), "ARRAY<STRING>");
        assert_eq!(ddl(r#"{"c d":[]}"#), "STRUCT<`c d`: ARRAY<STRING>>");
    }
}
