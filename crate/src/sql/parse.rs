//! Parsing SQL text into statements with sqlparser, and errors that point into the text.

use sqlparser::ast::Statement;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Location as SqlLocation, Span, Token, TokenWithSpan, Tokenizer};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::dialect::SparkDialect;
use crate::sql::limits::{check_length, check_nesting};
use crate::sql::nested_type_tokens::nested_types;
use crate::sql::settings::bare_settings;
use crate::sql::string_literals::spark_string_literals;
use crate::sql::table_clauses::spark_table_clauses;

/// Parses one or more `;`-separated statements. The text is tokenized first so a query
/// whose tree would be too deep to walk is refused before it is built (see `limits`).
pub fn parse_statements(sql: &str) -> Result<Vec<Statement>> {
    check_length(sql)?;
    let dialect = SparkDialect::default();
    let tokens = Tokenizer::new(&dialect, sql)
        .with_unescape(true)
        .tokenize_with_location()
        .map_err(|e| syntax_error(&e.to_string(), sql, None))?;
    let tokens = spark_string_literals(tokens, sql);
    let tokens = nested_types(multi_aliases(interval_sums(typed_numbers(tokens, sql)?)));
    let tokens = spark_table_clauses(bare_settings(tokens))?;
    check_nesting(&tokens)?;
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    let statements = parser.parse_statements().map_err(|e| match e {
        ParserError::RecursionLimitExceeded => Error::new(
            ErrorCode::SqlUnsupported,
            "not supported: brackets, subqueries or function calls nested too deeply for \
             the parser (its limit of 50 levels is reached by about 25 nested brackets); \
             split the query into views",
        ),
        other => {
            // Where the parser stopped: its message names a place only for some errors.
            let start = parser.get_current_token().span.start;
            let here = (start.line > 0).then_some((start.line, start.column));
            syntax_error(&other.to_string(), sql, here)
        }
    })?;
    if statements.is_empty() {
        return Err(
            Error::new(ErrorCode::SqlSyntax, "the query is empty: write a SELECT")
                .at_position(1, 1),
        );
    }
    Ok(statements)
}

/// Spark's typed number literals (`1L`, `1S`, `1Y`: integers; `1D`, `1.5F`, `1.5BD`, `1e3D`:
/// any number), suffixes in either case, as one number token whose text keeps the suffix
/// in capitals (`1L` → `1L`, `1.5bd` → `1.5BD`) for the planner to type. sqlparser reads
/// only `1L` as one token, and `1D` as `1 D` (an alias); `1.5S` stays `1.5 S` (an alias),
/// `1.5L` is a syntax error, as in Spark.
fn typed_numbers(tokens: Vec<TokenWithSpan>, sql: &str) -> Result<Vec<TokenWithSpan>> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    for t in tokens {
        if let Some(TokenWithSpan {
            token: Token::Number(text, false),
            span,
        }) = out.last_mut()
        {
            if let Token::Word(word) = &t.token {
                let suffix = word.value.to_ascii_uppercase();
                let integer = text.bytes().all(|b| b.is_ascii_digit());
                let number = text.ends_with(|c: char| c.is_ascii_digit() || c == '.');
                let fits = number
                    && match suffix.as_str() {
                        "L" | "S" | "Y" => integer,
                        "D" | "F" | "BD" => true,
                        _ => false,
                    };
                if fits && word.quote_style.is_none() && span.end == t.span.start {
                    text.push_str(&suffix);
                    span.end = t.span.end;
                    continue;
                }
            }
        }
        match t.token {
            Token::Number(text, true) if text.bytes().all(|b| b.is_ascii_digit()) => {
                out.push(TokenWithSpan {
                    token: Token::Number(format!("{text}L"), false),
                    span: t.span,
                })
            }
            // Spark reads `1.5L` as a syntax error.
            Token::Number(text, true) => {
                let at = (t.span.start.line, t.span.start.column);
                return Err(syntax_error(
                    &format!("`{text}L`: the suffix L (bigint) needs an integer"),
                    sql,
                    Some(at),
                ));
            }
            token => out.push(TokenWithSpan {
                token,
                span: t.span,
            }),
        }
    }
    Ok(out)
}

/// Spark's interval literals of several units, `INTERVAL 1 DAY 12 HOURS`, as a sum of
/// one-unit ones, `(INTERVAL 1 DAY + INTERVAL 12 HOURS)`, which sqlparser reads.
fn interval_sums(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    use sqlparser::keywords::Keyword as K;
    let is_unit = |t: &Token| {
        matches!(t, Token::Word(w) if matches!(w.keyword,
            K::YEAR | K::YEARS | K::MONTH | K::MONTHS | K::WEEK | K::WEEKS | K::DAY | K::DAYS
            | K::HOUR | K::HOURS | K::MINUTE | K::MINUTES | K::SECOND | K::SECONDS
            | K::MILLISECOND | K::MILLISECONDS | K::MICROSECOND | K::MICROSECONDS))
    };
    let is_interval = |t: &Token| matches!(t, Token::Word(w) if w.keyword == K::INTERVAL);
    let solid: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
        .collect();
    let mut out = Vec::with_capacity(tokens.len());
    let mut next = 0; // the next index of `tokens` to copy
    let mut k = 0; // position in `solid`
    while k < solid.len() {
        if !is_interval(&tokens[solid[k]].token) {
            k += 1;
            continue;
        }
        // Groups of [-] value unit after INTERVAL, as ranges of `solid`.
        let mut groups = Vec::new();
        let mut at = k + 1;
        loop {
            let start = at;
            if matches!(solid.get(at).map(|&i| &tokens[i].token), Some(Token::Minus)) {
                at += 1;
            }
            let value = solid.get(at).map(|&i| &tokens[i].token);
            let unit = solid.get(at + 1).map(|&i| &tokens[i].token);
            match (value, unit) {
                (Some(Token::Number(..) | Token::SingleQuotedString(_)), Some(u)) if is_unit(u) => {
                    groups.push(start..at + 2);
                    at += 2;
                }
                _ => break,
            }
        }
        let followed_by_to = matches!(
            solid.get(at).map(|&i| &tokens[i].token),
            Some(Token::Word(w)) if w.keyword == K::TO
        );
        if groups.len() < 2 || followed_by_to {
            k += 1;
            continue;
        }
        out.extend(tokens[next..solid[k]].iter().cloned());
        let span = tokens[solid[k]].span;
        let make = |token: Token| TokenWithSpan { token, span };
        out.push(make(Token::LParen));
        for (g, group) in groups.iter().enumerate() {
            if g > 0 {
                out.push(make(Token::Plus));
            }
            out.push(tokens[solid[k]].clone());
            for &i in &solid[group.clone()] {
                out.push(make(Token::Whitespace(
                    sqlparser::tokenizer::Whitespace::Space,
                )));
                out.push(tokens[i].clone());
            }
        }
        out.push(make(Token::RParen));
        next = solid[at - 1] + 1;
        k = at;
    }
    out.extend(tokens[next..].iter().cloned());
    out
}

/// The function a generator's multi-column alias becomes (see [`multi_aliases`]): its
/// first argument is the call, the others the names.
pub const MULTI_ALIAS: &str = "__multi_alias";

/// Spark's multi-column alias of a generator, `stack(2, 'a', 1, 'b', 2) AS (k, v)` or
/// `explode(m) AS (key, value)`, which sqlparser does not read, as a call it does:
/// `__multi_alias(stack(2, 'a', 1, 'b', 2), k, v)`. Only `AS (` right after a call's `)`
/// and followed by names between commas is rewritten (a CTE's `AS (SELECT ...)` and a
/// named window's `AS (PARTITION BY ...)` are not); the planner takes the names from the
/// call and refuses it around anything but a generator, as Spark does.
fn multi_aliases(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    use sqlparser::keywords::Keyword as K;
    let solid: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
        .collect();
    let token = |k: usize| solid.get(k).map(|&i| &tokens[i].token);
    let is_name = |t: Option<&Token>| matches!(t, Some(Token::Word(_)));
    // For each `)`, where its `(` is (one pass, so a long query costs no more).
    let mut opening: Vec<Option<usize>> = vec![None; solid.len()];
    let mut open = Vec::new();
    for (k, &i) in solid.iter().enumerate() {
        match tokens[i].token {
            Token::LParen => open.push(k),
            Token::RParen => opening[k] = open.pop(),
            _ => {}
        }
    }
    // What becomes of each token: the call's name gets `__multi_alias(` before it, AS
    // becomes a comma and the `(` after it goes (its `)` closes the new call).
    #[derive(Clone, Copy, PartialEq)]
    enum Edit {
        Keep,
        OpenCall,
        Comma,
        Drop,
    }
    let mut edits = vec![Edit::Keep; tokens.len()];
    let mut rewritten = false;
    for k in 1..solid.len() {
        let is_as = matches!(token(k), Some(Token::Word(w)) if w.keyword == K::AS);
        if !is_as || token(k - 1) != Some(&Token::RParen) || token(k + 1) != Some(&Token::LParen) {
            continue;
        }
        // `( name [, name]... )`
        let mut at = k + 2;
        let names_listed = loop {
            if !is_name(token(at)) {
                break false;
            }
            match token(at + 1) {
                Some(Token::Comma) => at += 2,
                Some(Token::RParen) => break true,
                _ => break false,
            }
        };
        // The `(` that the `)` before AS closes, and the call's name before it.
        let name = opening[k - 1].and_then(|j| j.checked_sub(1));
        let Some(name) = name.filter(|&name| names_listed && is_name(token(name))) else {
            continue;
        };
        edits[solid[name]] = Edit::OpenCall;
        edits[solid[k]] = Edit::Comma;
        edits[solid[k + 1]] = Edit::Drop;
        rewritten = true;
    }
    if !rewritten {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len() + 2);
    for (t, edit) in tokens.into_iter().zip(edits) {
        let make = |token: Token| TokenWithSpan {
            token,
            span: t.span,
        };
        match edit {
            Edit::Keep => out.push(t),
            Edit::OpenCall => {
                out.push(make(Token::make_word(MULTI_ALIAS, None)));
                out.push(make(Token::LParen));
                out.push(t);
            }
            Edit::Comma => out.push(make(Token::Comma)),
            Edit::Drop => {}
        }
    }
    out
}

/// A syntax error at a line and column, always: the one in sqlparser's message, else
/// where the parser stopped (`here`), else the end of the text (where a query that stops
/// too early, like a bare `SELECT`, went wrong).
fn syntax_error(text: &str, sql: &str, here: Option<(u64, u64)>) -> Error {
    let message = text.trim_start_matches("sql parser error: ");
    let (line, column) = position_in(message).or(here).unwrap_or_else(|| end_of(sql));
    let message = match message.rfind(" at Line: ") {
        Some(at) => &message[..at],
        None => message,
    };
    let message = message
        .replace("found: EOF", "found: the end of the query")
        .replace("Expected: ", "expected ")
        .replace("Expected ", "expected ");
    Error::new(
        ErrorCode::SqlSyntax,
        format!(
            "syntax error at line {line}, column {column}: {message}; fix the query there \
             (Spark SQL syntax)"
        ),
    )
    .at_position(line, column)
}

/// The line and column just after the last character of `sql` (1-based).
fn end_of(sql: &str) -> (u64, u64) {
    let trimmed = sql.trim_end();
    let line = trimmed.matches('\n').count() as u64 + 1;
    let last = trimmed.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count() as u64 + 1)
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

/// [`at_span`] for an error that has no position yet: an inner one (the exact place)
/// is kept.
pub fn at_span_if_unplaced(error: Error, span: Span) -> Error {
    if error.location().position.is_some() {
        error
    } else {
        at_span(error, span)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The statement as sqlparser reads it after the rewrites, as text.
    fn read(sql: &str) -> String {
        parse_statements(sql).unwrap()[0].to_string()
    }

    /// A generator's `AS (a, b)` becomes a call sqlparser reads; a CTE's and a named
    /// window's `AS (...)` do not.
    #[test]
    fn multi_column_aliases_become_a_call() {
        assert_eq!(
            read("SELECT stack(2, 'a', 1, 'b', 2) AS (k, `v w`) FROM t"),
            "SELECT __multi_alias(stack(2, 'a', 1, 'b', 2), k, `v w`) FROM t"
        );
        assert_eq!(
            read("SELECT id, explode(m) AS (k) FROM t"),
            "SELECT id, __multi_alias(explode(m), k) FROM t"
        );
        for kept in [
            "WITH c AS (SELECT 1) SELECT * FROM c",
            "WITH c(x) AS (SELECT 1) SELECT * FROM c",
            "SELECT sum(x) OVER w FROM t WINDOW w AS (PARTITION BY g)",
            "SELECT (1) AS (x + 1) FROM t",
        ] {
            let read = parse_statements(kept).map(|s| s[0].to_string());
            assert!(
                !read.as_deref().unwrap_or("").contains(MULTI_ALIAS),
                "{kept}: {read:?}"
            );
        }
    }

    /// A nested CAST type becomes one quoted name holding its text; `ARRAY<INT>` and
    /// comparisons are left alone.
    #[test]
    fn nested_cast_types_become_one_name() {
        assert_eq!(
            read("SELECT CAST(s AS STRUCT<a: INT, b: ARRAY<MAP<STRING, INT>>>) FROM t"),
            "SELECT CAST(s AS `__nested_type:STRUCT<a: INT, b: ARRAY<MAP<STRING, INT>>>`) FROM t"
        );
        assert_eq!(
            read("SELECT m::MAP<STRING, BIGINT> FROM t"),
            "SELECT m::`__nested_type:MAP<STRING, BIGINT>` FROM t"
        );
        assert_eq!(
            read("SELECT CAST(a AS ARRAY<INT>), x < y AS b FROM t"),
            "SELECT CAST(a AS ARRAY<INT>), x < y AS b FROM t"
        );
        // Unclosed: left for sqlparser to report where it stops.
        assert_eq!(
            parse_statements("SELECT CAST(s AS STRUCT<a: INT) FROM t")
                .unwrap_err()
                .code(),
            ErrorCode::SqlSyntax
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse_statements("SELECT a,\nFROM t").unwrap_err();
        assert_eq!(err.code(), ErrorCode::SqlSyntax);
        assert_eq!(err.location().position.map(|(line, _)| line), Some(2));
        assert!(
            err.message().starts_with("syntax error at line 2"),
            "{}",
            err.message()
        );
        assert_eq!(
            parse_statements("  ").unwrap_err().code(),
            ErrorCode::SqlSyntax
        );
    }

    /// Every malformed query is a syntax error with a line and column, and the message
    /// says where.
    #[test]
    fn every_syntax_error_has_a_position() {
        let cases: &[(&str, (u64, u64))] = &[
            ("SELECT", (1, 7)),
            ("SELECT FROM t", (1, 13)),
            ("SELECT 'abc FROM t", (1, 8)),
            ("SELECT \"abc FROM t", (1, 8)),
            ("SELECT a FROM", (1, 14)),
            ("SELECT a FROM t WHERE", (1, 22)),
            ("SELECT a FROM t\nWHERE a >", (2, 10)),
            ("SELECT (1 + 2 FROM t", (1, 15)),
            ("SELECT a FROM t GROUP", (1, 17)),
            ("SELEC a FROM t", (1, 1)),
            ("SELECT a b c FROM t", (1, 12)),
            ("SELECT a FROM t ORDER BY", (1, 25)),
            ("SELECT count( FROM t", (1, 20)),
            ("SELECT 1 /* no end", (1, 19)),
            ("SELECT a FROM t;;\n  SELECT", (2, 9)),
            ("   ", (1, 1)),
        ];
        for (sql, _) in cases {
            let err = parse_statements(sql).unwrap_err();
            assert_eq!(err.code(), ErrorCode::SqlSyntax, "{sql}: {}", err.message());
            let (line, column) = err
                .location()
                .position
                .unwrap_or_else(|| panic!("{sql}: no position in {}", err.message()));
            assert!(
                err.message()
                    .contains(&format!("line {line}, column {column}"))
                    || err.message().starts_with("the query is empty"),
                "{sql}: {}",
                err.message()
            );
        }
        let positions: Vec<(u64, u64)> = cases
            .iter()
            .map(|(sql, _)| {
                parse_statements(sql)
                    .unwrap_err()
                    .location()
                    .position
                    .unwrap()
            })
            .collect();
        let wanted: Vec<(u64, u64)> = cases.iter().map(|(_, p)| *p).collect();
        assert_eq!(positions, wanted);
    }
}
