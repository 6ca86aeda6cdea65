//! Parsing SQL text into statements with sqlparser, and errors that point into the text.

use sqlparser::ast::Statement;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location as SqlLocation, Span, Tokenizer};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::dialect::SparkDialect;
use crate::sql::limits::{check_length, check_nesting};

/// Parses one or more `;`-separated statements. The text is tokenized first so a query
/// whose tree would be too deep to walk is refused before it is built (see `limits`).
pub fn parse_statements(sql: &str) -> Result<Vec<Statement>> {
    check_length(sql)?;
    let dialect = SparkDialect::default();
    let tokens = Tokenizer::new(&dialect, sql)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| syntax_error(&e.to_string()))?;
    check_nesting(&tokens)?;
    let statements = Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| match e {
            ParserError::RecursionLimitExceeded => Error::new(
                ErrorCode::SqlUnsupported,
                "not supported: brackets, subqueries or function calls nested too deeply for \
                 the parser (its limit of 50 levels is reached by about 25 nested brackets); \
                 split the query into views",
            ),
            other => syntax_error(&other.to_string()),
        })?;
    if statements.is_empty() {
        return Err(Error::new(ErrorCode::SqlSyntax, "the query is empty"));
    }
    Ok(statements)
}

fn syntax_error(text: &str) -> Error {
    let message = text.trim_start_matches("sql parser error: ").to_string();
    let error = Error::new(ErrorCode::SqlSyntax, format!("syntax error: {message}"));
    match position_in(&message) {
        Some((line, column)) => error.at_position(line, column),
        None => error,
    }
}

/// sqlparser ends its messages with `at Line: L, Column: C`.
fn position_in(message: &str) -> Option<(u64, u64)> {
    let at = message.rfind("Line: ")?;
    let rest = &message[at + "Line: ".len()..];
    let (line, rest) = rest.split_once(", Column: ")?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, column.parse().ok()?))
}

/// Attaches the start of `span` (when sqlparser knows it) to an error.
pub fn at_span(error: Error, span: Span) -> Error {
    let SqlLocation { line, column } = span.start;
    if line == 0 {
        error
    } else {
        error.at_position(line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse_statements("SELECT a,\nFROM t").unwrap_err();
        assert_eq!(err.code(), ErrorCode::SqlSyntax);
        assert_eq!(err.location().position.map(|(line, _)| line), Some(2));
        assert!(
            err.message().starts_with("syntax error: "),
            "{}",
            err.message()
        );
        assert_eq!(
            parse_statements("  ").unwrap_err().code(),
            ErrorCode::SqlSyntax
        );
    }
}
