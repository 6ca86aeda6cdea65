//! Spark's `CREATE TABLE` and `ALTER TABLE` clauses that sqlparser's Spark dialect does not
//! read, rewritten
//! by the parse step before sqlparser sees them:
//!
//! - `USING parquet` (any data source) and `OPTIONS (...)`: dropped. They choose how
//!   Spark stores the table's files; Brasa keeps every table in memory, so a notebook's
//!   `CREATE TABLE t USING delta AS SELECT ...` runs as `CREATE TABLE t AS SELECT ...`.
//! - `ALTER TABLE t ADD COLUMNS (a INT, b STRING)`: as `ADD COLUMN a INT, ADD COLUMN b
//!   STRING`, which sqlparser reads.
//! - Nested column types (`s STRUCT<a: INT, b: STRING>`, `m MAP<STRING, INT>`,
//!   `ARRAY<STRUCT<...>>`) in a column list: one token holding their text, as
//!   [`nested_types`](crate::sql::nested_type_tokens::nested_types) makes of a CAST's, read by the same DDL reader.
//! - `PARTITIONED BY`, `CLUSTERED BY` and `LOCATION` are refused with what to do: they
//!   would change the table's columns (Spark moves partition columns last) or read files
//!   Brasa cannot reach.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::error::{Error, ErrorCode, Result};
use crate::sql::nested_type_tokens::{nested_type_end, nested_type_token, starts_nested_type};

/// What the rewrite does to the tokens: by index, drop one, fold a nested type (to its
/// end), or replace one with others.
struct Edits {
    keep: Vec<bool>,
    nested: Vec<(usize, usize)>,
    replace: Vec<(usize, Vec<Token>)>,
}

/// The tokens with each `CREATE TABLE` and `ALTER TABLE` statement's Spark clauses
/// rewritten (see the module's doc); other statements are left as they are.
pub(crate) fn spark_table_clauses(tokens: Vec<TokenWithSpan>) -> Result<Vec<TokenWithSpan>> {
    let solid: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
        .collect();
    let mut edits = Edits {
        keep: vec![true; tokens.len()],
        nested: Vec::new(),
        replace: Vec::new(),
    };
    let mut start = 0;
    while start < solid.len() {
        let end = (start..solid.len())
            .find(|&k| tokens[solid[k]].token == Token::SemiColon)
            .unwrap_or(solid.len());
        let statement = &solid[start..end];
        if let Some(after_table) = create_table(&tokens, statement) {
            rewrite_statement(&tokens, &statement[after_table..], &mut edits)?;
        } else if is_alter_table(&tokens, statement) {
            rewrite_alter(&tokens, statement, &mut edits)?;
        }
        start = end + 1;
    }
    if edits.nested.is_empty() && edits.replace.is_empty() && edits.keep.iter().all(|k| *k) {
        return Ok(tokens);
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Some(&(_, end)) = edits.nested.iter().find(|(from, _)| *from == i) {
            out.push(nested_type_token(&tokens[i..=end]));
            i = end + 1;
            continue;
        }
        if let Some((_, with)) = edits.replace.iter().find(|(at, _)| *at == i) {
            let span = tokens[i].span;
            out.extend(with.iter().map(|token| TokenWithSpan {
                token: token.clone(),
                span,
            }));
        } else if edits.keep[i] {
            out.push(tokens[i].clone());
        }
        i += 1;
    }
    Ok(out)
}

/// Whether the statement whose solid tokens are `solid` is `ALTER TABLE`.
fn is_alter_table(tokens: &[TokenWithSpan], solid: &[usize]) -> bool {
    let word = |k: usize| solid.get(k).and_then(|&i| keyword(&tokens[i].token));
    word(0) == Some(Keyword::ALTER) && word(1) == Some(Keyword::TABLE)
}

/// `ALTER TABLE t ADD COLUMNS (a INT, b STRING)`, Spark's list, as the `ADD COLUMN a INT,
/// ADD COLUMN b STRING` sqlparser reads; and nested column types folded.
fn rewrite_alter(tokens: &[TokenWithSpan], solid: &[usize], edits: &mut Edits) -> Result<()> {
    let word = |k: usize| solid.get(k).and_then(|&i| keyword(&tokens[i].token));
    for k in 1..solid.len() {
        fold_column_type(tokens, solid, k, &mut edits.nested);
    }
    let mut k = 2;
    while k + 2 < solid.len() {
        let list = word(k) == Some(Keyword::ADD)
            && matches!(word(k + 1), Some(Keyword::COLUMNS | Keyword::COLUMN))
            && tokens[solid[k + 2]].token == Token::LParen;
        if !list {
            k += 1;
            continue;
        }
        let open = k + 2;
        let close = matching_paren(tokens, solid, open)?;
        edits
            .replace
            .push((solid[k + 1], vec![Token::make_keyword("COLUMN")]));
        edits.keep[solid[open]] = false;
        edits.keep[solid[close]] = false;
        for c in open + 1..close {
            if tokens[solid[c]].token == Token::Comma && depth_at(tokens, solid, open, c) == 1 {
                let space = Token::Whitespace(sqlparser::tokenizer::Whitespace::Space);
                edits.replace.push((
                    solid[c],
                    vec![
                        Token::Comma,
                        space.clone(),
                        Token::make_keyword("ADD"),
                        space,
                        Token::make_keyword("COLUMN"),
                    ],
                ));
            }
        }
        k = close + 1;
    }
    Ok(())
}

fn keyword(token: &Token) -> Option<Keyword> {
    match token {
        Token::Word(w) if w.quote_style.is_none() => Some(w.keyword),
        _ => None,
    }
}

/// If the statement whose solid tokens are `solid` is `CREATE [OR REPLACE] [EXTERNAL]
/// TABLE`, the position (in `solid`) just after `TABLE`.
fn create_table(tokens: &[TokenWithSpan], solid: &[usize]) -> Option<usize> {
    let word = |k: usize| solid.get(k).and_then(|&i| keyword(&tokens[i].token));
    if word(0) != Some(Keyword::CREATE) {
        return None;
    }
    (1..solid.len().min(5)).find_map(|k| (word(k) == Some(Keyword::TABLE)).then_some(k + 1))
}

/// One CREATE TABLE statement from just after `TABLE`: marks the tokens to drop and the
/// nested column types to fold.
fn rewrite_statement(tokens: &[TokenWithSpan], solid: &[usize], edits: &mut Edits) -> Result<()> {
    let (keep, nested) = (&mut edits.keep, &mut edits.nested);
    let token = |k: usize| &tokens[solid[k]].token;
    let word = |k: usize| solid.get(k).and_then(|&i| keyword(&tokens[i].token));
    let mut k = 0;
    if word(0) == Some(Keyword::IF) {
        k = 3; // IF NOT EXISTS
    }
    // The table's name: words joined by dots.
    k += 1;
    while k + 1 < solid.len() && *token(k) == Token::Period {
        k += 2;
    }
    // The column list, if any.
    if k < solid.len() && *token(k) == Token::LParen {
        let close = matching_paren(tokens, solid, k)?;
        for c in k + 1..close {
            if depth_at(tokens, solid, k, c) == 1 {
                fold_column_type(tokens, solid, c, nested);
            }
        }
        k = close + 1;
    }
    // The clauses, up to the query of `AS SELECT ...`.
    while k < solid.len() {
        match word(k) {
            Some(Keyword::AS) => break,
            Some(Keyword::USING) => {
                keep[solid[k]] = false;
                if let Some(&source) = solid.get(k + 1) {
                    keep[source] = false;
                }
                k += 2;
            }
            Some(Keyword::OPTIONS)
                if solid
                    .get(k + 1)
                    .is_some_and(|&i| tokens[i].token == Token::LParen) =>
            {
                let close = matching_paren(tokens, solid, k + 1)?;
                if solid[k + 2..close]
                    .iter()
                    .any(|&i| names_path(&tokens[i].token))
                {
                    return Err(refused(
                        tokens,
                        solid[k],
                        "CREATE TABLE ... OPTIONS (path ...): the page cannot read a path; \
                         load the files (drop them on the page) and query that table",
                    ));
                }
                keep[solid[k]..=solid[close]].fill(false);
                k = close + 1;
            }
            Some(Keyword::PARTITIONED | Keyword::CLUSTERED) => {
                return Err(refused(
                    tokens,
                    solid[k],
                    "PARTITIONED BY / CLUSTERED BY in CREATE TABLE: Brasa keeps a table in \
                     memory, unpartitioned and unbucketed (Spark would also move the partition \
                     columns to the end); drop the clause",
                ))
            }
            Some(Keyword::LOCATION) => {
                return Err(refused(
                    tokens,
                    solid[k],
                    "CREATE TABLE ... LOCATION: the page cannot read a path; load the files \
                     (drop them on the page, a folder for a partitioned table) and query that \
                     table",
                ))
            }
            _ if *token(k) == Token::LParen => k = matching_paren(tokens, solid, k)? + 1,
            _ => k += 1,
        }
    }
    Ok(())
}

/// Whether an option's key is `path` (`OPTIONS (path '/data')`, `OPTIONS ('path' = ...)`).
fn names_path(token: &Token) -> bool {
    match token {
        Token::Word(w) => w.value.eq_ignore_ascii_case("path"),
        Token::SingleQuotedString(s) => s.eq_ignore_ascii_case("path"),
        _ => false,
    }
}

/// Marks the nested type at solid position `k` for folding when it follows a column's
/// name (`s STRUCT<a: INT>`): not a field's, whose name a `:` follows.
fn fold_column_type(
    tokens: &[TokenWithSpan],
    solid: &[usize],
    k: usize,
    nested: &mut Vec<(usize, usize)>,
) {
    let at = solid[k];
    let after_name = matches!(tokens[solid[k - 1]].token, Token::Word(_));
    if after_name && starts_nested_type(tokens, at) {
        if let Some(end) = nested_type_end(tokens, at) {
            nested.push((at, end));
        }
    }
}

/// The position (in `solid`) of the `)` closing the `(` at `open`.
fn matching_paren(tokens: &[TokenWithSpan], solid: &[usize], open: usize) -> Result<usize> {
    let mut depth = 0usize;
    for (k, &i) in solid.iter().enumerate().skip(open) {
        match tokens[i].token {
            Token::LParen => depth += 1,
            Token::RParen => {
                depth -= 1;
                if depth == 0 {
                    return Ok(k);
                }
            }
            _ => {}
        }
    }
    let start = tokens[solid[open]].span.start;
    Err(Error::new(
        ErrorCode::SqlSyntax,
        "a bracket of CREATE TABLE is never closed",
    )
    .at_position(start.line, start.column))
}

/// The bracket depth at solid position `at`, counted from the `(` at `open` (depth 1
/// just inside it).
fn depth_at(tokens: &[TokenWithSpan], solid: &[usize], open: usize, at: usize) -> usize {
    solid[open..at]
        .iter()
        .fold(0usize, |depth, &i| match tokens[i].token {
            Token::LParen | Token::Lt => depth + 1,
            Token::RParen | Token::Gt => depth.saturating_sub(1),
            Token::ShiftRight => depth.saturating_sub(2),
            _ => depth,
        })
}

fn refused(tokens: &[TokenWithSpan], at: usize, message: &str) -> Error {
    let start = tokens[at].span.start;
    Error::unsupported(message).at_position(start.line, start.column)
}
