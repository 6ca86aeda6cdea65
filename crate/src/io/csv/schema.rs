//! A schema given by the user in Spark's DDL (`id INT, name STRING, amount DOUBLE`), which
//! replaces inference (Spark's `schema` option of `spark.read.csv`).
//!
//! The SQL layer has its own type names, but `io` may not import it; the reader only
//! needs the types it can decode, so this is a small parser of its own.

use crate::decimal_digits::MAX_PRECISION;
use crate::error::{Error, ErrorCode, Result};
use crate::io::csv::values::ColumnType;

/// Column names and types from a DDL string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GivenSchema {
    pub names: Vec<String>,
    pub types: Vec<ColumnType>,
}

/// Parses `name TYPE, name TYPE, ...` (names may be quoted with backticks, `name: TYPE`
/// is accepted too). `None` for a blank string.
pub fn parse_ddl(ddl: &str) -> Result<Option<GivenSchema>> {
    if ddl.trim().is_empty() {
        return Ok(None);
    }
    let mut names: Vec<String> = Vec::new();
    let mut types = Vec::new();
    for (index, part) in split_columns(ddl)?.into_iter().enumerate() {
        let (name, type_text) = split_name(part.trim(), index)?;
        if names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            return Err(schema_error(format!(
                "the schema names column `{name}` twice (names are compared ignoring case, as \
                 in Spark)"
            )));
        }
        types.push(column_type(&name, type_text.trim())?);
        names.push(name);
    }
    Ok(Some(GivenSchema { names, types }))
}

fn schema_error(message: String) -> Error {
    Error::new(ErrorCode::CsvSchema, message)
}

/// Splits at commas outside parentheses, angle brackets (`STRUCT<a: INT, b: STRING>`, so
/// that a nested type is refused by name) and backticks.
fn split_columns(ddl: &str) -> Result<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut depth, mut angles, mut in_name, mut start) = (0usize, 0usize, false, 0usize);
    for (i, c) in ddl.char_indices() {
        match c {
            '`' => in_name = !in_name,
            '<' if !in_name => angles += 1,
            '>' if !in_name => angles = angles.saturating_sub(1),
            '(' if !in_name => depth += 1,
            ')' if !in_name => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    schema_error(format!(
                        "the schema has a `)` without its `(` at character {}",
                        i + 1
                    ))
                })?
            }
            ',' if !in_name && depth == 0 && angles == 0 => {
                parts.push(&ddl[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_name {
        return Err(schema_error(
            "the schema has a backtick that is never closed".into(),
        ));
    }
    if depth != 0 {
        return Err(schema_error(
            "the schema has a `(` that is never closed".into(),
        ));
    }
    parts.push(&ddl[start..]);
    Ok(parts)
}

/// `name TYPE` → (name, type text).
fn split_name(part: &str, index: usize) -> Result<(String, &str)> {
    if part.is_empty() {
        return Err(schema_error(format!(
            "column {} of the schema is empty: write `name TYPE` between commas",
            index + 1
        )));
    }
    let (name, rest) = if let Some(quoted) = part.strip_prefix('`') {
        // `` `a``b` `` is the name a`b.
        let mut name = String::new();
        let mut chars = quoted.char_indices().peekable();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            if c == '`' {
                if chars.peek().map(|&(_, n)| n) == Some('`') {
                    chars.next();
                    name.push('`');
                } else {
                    end = Some(i + 1);
                    break;
                }
            } else {
                name.push(c);
            }
        }
        let end =
            end.ok_or_else(|| schema_error("a backtick-quoted name is never closed".into()))?;
        (name, &quoted[end..])
    } else {
        let end = part
            .find(|c: char| c.is_whitespace() || c == ':')
            .unwrap_or(part.len());
        (part[..end].to_string(), &part[end..])
    };
    let rest = rest.trim_start();
    let rest = rest.strip_prefix(':').unwrap_or(rest);
    if name.is_empty() {
        return Err(schema_error(format!(
            "column {} of the schema has no name",
            index + 1
        )));
    }
    if rest.trim().is_empty() {
        return Err(schema_error(format!(
            "column `{name}` of the schema has no type: write `{name} STRING`, `{name} INT`, ..."
        )));
    }
    Ok((name, rest))
}

const SUPPORTED: &str =
    "INT, BIGINT, SMALLINT, TINYINT, DOUBLE, FLOAT, DECIMAL(p, s), STRING, BOOLEAN, DATE and \
     TIMESTAMP";

fn column_type(name: &str, text: &str) -> Result<ColumnType> {
    let word_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let word = text[..word_end].to_ascii_uppercase();
    // A nested type's fields (`STRUCT<a: INT>`) are not read: it is refused by name.
    if matches!(word.as_str(), "ARRAY" | "MAP" | "STRUCT") {
        return Err(unsupported(name, &word, "read it as STRING"));
    }
    let mut rest = text[word_end..].trim_start();
    let mut args = None;
    if let Some(inside) = rest.strip_prefix('(') {
        let close = inside.find(')').unwrap_or(inside.len());
        args = Some(&inside[..close]);
        rest = inside.get(close + 1..).unwrap_or("").trim_start();
    }
    if !rest.is_empty() {
        return Err(schema_error(format!(
            "column `{name}`: unexpected `{rest}` after its type {word} (a given schema \
             takes `name TYPE` only)"
        )));
    }
    let is_decimal = matches!(word.as_str(), "DECIMAL" | "DEC" | "NUMERIC");
    let takes_length = matches!(word.as_str(), "VARCHAR" | "CHAR");
    match args {
        Some(length) if takes_length && length.trim().parse::<u32>().is_err() => {
            return Err(schema_error(format!(
                "column `{name}`: {word} takes a length, as in {word}(20)"
            )));
        }
        Some(_) if !takes_length && !is_decimal => {
            return Err(schema_error(format!(
                "column `{name}`: {word} takes no arguments (only DECIMAL(p, s), VARCHAR(n) \
                 and CHAR(n) do)"
            )));
        }
        _ => {}
    }
    let ty = match word.as_str() {
        "STRING" | "VARCHAR" | "CHAR" => ColumnType::Utf8,
        "INT" | "INTEGER" => ColumnType::Int32,
        "BIGINT" | "LONG" => ColumnType::Int64,
        "SMALLINT" | "SHORT" => ColumnType::Int16,
        "TINYINT" | "BYTE" => ColumnType::Int8,
        "DOUBLE" => ColumnType::Float64,
        "FLOAT" | "REAL" => ColumnType::Float32,
        _ if is_decimal => decimal_type(name, args)?,
        "BOOLEAN" => ColumnType::Boolean,
        "DATE" => ColumnType::Date,
        "TIMESTAMP" | "TIMESTAMP_LTZ" => ColumnType::Timestamp,
        "TIMESTAMP_NTZ" => return Err(unsupported(name, &word, "read it as TIMESTAMP")),
        "BINARY" | "ARRAY" | "MAP" | "STRUCT" | "INTERVAL" | "VARIANT" => {
            return Err(unsupported(name, &word, "read it as STRING"));
        }
        "" => {
            return Err(schema_error(format!(
                "column `{name}`: `{text}` is not a type; the reader reads {SUPPORTED}"
            )))
        }
        _ => {
            return Err(schema_error(format!(
                "column `{name}`: unknown type `{word}`; the reader reads {SUPPORTED}"
            )))
        }
    };
    Ok(ty)
}

/// `DECIMAL`, `DECIMAL(p)` or `DECIMAL(p, s)` with Spark's defaults (10, 0) and limits
/// (1 ≤ p ≤ 38, 0 ≤ s ≤ p).
fn decimal_type(name: &str, args: Option<&str>) -> Result<ColumnType> {
    let usage = || {
        schema_error(format!(
            "column `{name}`: DECIMAL takes a precision from 1 to {MAX_PRECISION} and a \
             scale from 0 to the precision, as in DECIMAL(10, 2)"
        ))
    };
    let numbers: Vec<u8> = match args {
        None => vec![],
        Some(args) => args
            .split(',')
            .map(|n| n.trim().parse::<u8>().map_err(|_| usage()))
            .collect::<Result<_>>()?,
    };
    let (precision, scale) = match numbers[..] {
        [] => (10, 0),
        [p] => (p, 0),
        [p, s] => (p, s),
        _ => return Err(usage()),
    };
    if !(1..=MAX_PRECISION).contains(&precision) || scale > precision {
        return Err(usage());
    }
    Ok(ColumnType::Decimal { precision, scale })
}

fn unsupported(name: &str, word: &str, hint: &str) -> Error {
    schema_error(format!(
        "column `{name}`: a given schema does not take {word} columns yet ({hint}); it takes \
         {SUPPORTED}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnType::*;

    fn parse(ddl: &str) -> GivenSchema {
        parse_ddl(ddl).unwrap().unwrap()
    }

    #[test]
    fn parses_spark_ddl() {
        let s = parse("id INT, name STRING,amount double , d DATE, `when it was` timestamp");
        assert_eq!(s.names, vec!["id", "name", "amount", "d", "when it was"]);
        assert_eq!(s.types, vec![Int32, Utf8, Float64, Date, Timestamp]);
        let s = parse("a: bigint, `b``c` VARCHAR(20), ok Boolean, n integer, l LONG");
        assert_eq!(s.names, vec!["a", "b`c", "ok", "n", "l"]);
        assert_eq!(s.types, vec![Int64, Utf8, Boolean, Int32, Int64]);
        let s = parse("a SMALLINT, b short, c TINYINT, d byte, e FLOAT, f real");
        assert_eq!(s.types, vec![Int16, Int16, Int8, Int8, Float32, Float32]);
        let s = parse("a DECIMAL, b decimal(5), c DECIMAL(10, 2), d NUMERIC( 38 ,38 ), e DEC(1,0)");
        let d = |precision, scale| Decimal { precision, scale };
        assert_eq!(
            s.types,
            vec![d(10, 0), d(5, 0), d(10, 2), d(38, 38), d(1, 0)]
        );
        assert_eq!(parse_ddl("  ").unwrap(), None);
    }

    #[test]
    fn refuses_what_it_cannot_read_with_a_reason() {
        for (ddl, needle) in [
            ("x DECIMAL(39, 2)", "precision from 1 to 38"),
            ("x DECIMAL(5, 6)", "scale from 0 to the precision"),
            ("x DECIMAL(0)", "precision from 1 to 38"),
            ("x DECIMAL(a, b)", "as in DECIMAL(10, 2)"),
            ("x DECIMAL(1, 2, 3)", "as in DECIMAL(10, 2)"),
            ("x INT(4)", "takes no arguments"),
            ("x TIMESTAMP_NTZ", "read it as TIMESTAMP"),
            ("x NUMBER", "unknown type `NUMBER`"),
            ("x", "has no type"),
            ("a INT,, b INT", "column 2 of the schema is empty"),
            ("a INT, A STRING", "twice"),
            ("a INT NOT NULL", "unexpected `NOT NULL`"),
            ("`a INT", "never closed"),
            ("a VARCHAR(x)", "takes a length"),
            ("a (INT", "never closed"),
            (
                "s STRUCT<a: INT, b: STRING>, n INT",
                "does not take STRUCT columns yet",
            ),
            (
                "m MAP<STRING, INT>",
                "does not take MAP columns yet (read it as STRING)",
            ),
        ] {
            let err = parse_ddl(ddl).unwrap_err();
            assert_eq!(err.code(), ErrorCode::CsvSchema, "{ddl}");
            assert!(err.to_string().contains(needle), "{ddl}: {err}");
        }
    }
}
