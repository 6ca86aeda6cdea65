//! A schema given by the user in Spark's DDL (`id INT, name STRING, amount DOUBLE`), which
//! replaces inference (Spark's `schema` option of `spark.read.csv`).
//!
//! The SQL layer has its own type names, but `io` may not import it; the reader only
//! needs the types it can decode, so this is a small parser of its own.

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

/// Splits at commas outside parentheses and backticks.
fn split_columns(ddl: &str) -> Result<Vec<&str>> {
    let mut parts = Vec::new();
    let (mut depth, mut in_name, mut start) = (0usize, false, 0usize);
    for (i, c) in ddl.char_indices() {
        match c {
            '`' => in_name = !in_name,
            '(' if !in_name => depth += 1,
            ')' if !in_name => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    schema_error(format!(
                        "the schema has a `)` without its `(` at character {}",
                        i + 1
                    ))
                })?
            }
            ',' if !in_name && depth == 0 => {
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

const SUPPORTED: &str = "INT, BIGINT, DOUBLE, STRING, BOOLEAN, DATE and TIMESTAMP";

fn column_type(name: &str, text: &str) -> Result<ColumnType> {
    let word_end = text
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    let word = text[..word_end].to_ascii_uppercase();
    let mut rest = text[word_end..].trim_start();
    let takes_length = matches!(word.as_str(), "VARCHAR" | "CHAR");
    if let Some(args) = rest.strip_prefix('(') {
        let close = args.find(')').unwrap_or(args.len());
        if takes_length && args[..close].trim().parse::<u32>().is_err() {
            return Err(schema_error(format!(
                "column `{name}`: {word} takes a length, as in {word}(20)"
            )));
        }
        rest = args.get(close + 1..).unwrap_or("").trim_start();
    }
    if !rest.is_empty() {
        return Err(schema_error(format!(
            "column `{name}`: unexpected `{rest}` after its type {word} (the CSV reader's \
             schema takes `name TYPE` only)"
        )));
    }
    let ty = match word.as_str() {
        "STRING" | "VARCHAR" | "CHAR" => ColumnType::Utf8,
        "INT" | "INTEGER" => ColumnType::Int32,
        "BIGINT" | "LONG" => ColumnType::Int64,
        "DOUBLE" => ColumnType::Float64,
        "BOOLEAN" => ColumnType::Boolean,
        "DATE" => ColumnType::Date,
        "TIMESTAMP" | "TIMESTAMP_LTZ" => ColumnType::Timestamp,
        "TINYINT" | "BYTE" | "SMALLINT" | "SHORT" => {
            return Err(unsupported(name, &word, "read it as INT"));
        }
        "FLOAT" | "REAL" | "DECIMAL" | "DEC" | "NUMERIC" => {
            return Err(unsupported(name, &word, "read it as DOUBLE"));
        }
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

fn unsupported(name: &str, word: &str, hint: &str) -> Error {
    schema_error(format!(
        "column `{name}`: the CSV reader does not read {word} columns ({hint}); it reads \
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
        assert_eq!(parse_ddl("  ").unwrap(), None);
    }

    #[test]
    fn refuses_what_it_cannot_read_with_a_reason() {
        for (ddl, needle) in [
            ("id INT, x DECIMAL(10,2)", "read it as DOUBLE"),
            ("x FLOAT", "read it as DOUBLE"),
            ("x SMALLINT", "read it as INT"),
            ("x NUMBER", "unknown type `NUMBER`"),
            ("x", "has no type"),
            ("a INT,, b INT", "column 2 of the schema is empty"),
            ("a INT, A STRING", "twice"),
            ("a INT NOT NULL", "unexpected `NOT NULL`"),
            ("`a INT", "never closed"),
            ("a VARCHAR(x)", "takes a length"),
            ("a (INT", "never closed"),
        ] {
            let err = parse_ddl(ddl).unwrap_err();
            assert_eq!(err.code(), ErrorCode::CsvSchema, "{ddl}");
            assert!(err.to_string().contains(needle), "{ddl}: {err}");
        }
    }
}
