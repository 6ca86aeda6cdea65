//! Parsing SQL text into statements with sqlparser, and errors that point into the text.

use sqlparser::ast::Statement;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Location as SqlLocation, Span};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::dialect::SparkDialect;

/// Parses one or more `;`-separated statements.
pub fn parse_statements(sql: &str) -> Result<Vec<Statement>> {
    let statements = Parser::parse_sql(&SparkDialect::default(), sql).map_err(|e| {
        let text = e.to_string();
        let message = text.trim_start_matches("sql parser error: ").to_string();
        let error = Error::new(ErrorCode::SqlSyntax, format!("syntax error: {message}"));
        match position_in(&message) {
            Some((line, column)) => error.at_position(line, column),
            None => error,
        }
    })?;
    if statements.is_empty() {
        return Err(Error::new(ErrorCode::SqlSyntax, "the query is empty"));
    }
    Ok(statements)
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
