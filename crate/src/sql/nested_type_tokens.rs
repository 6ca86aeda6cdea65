//! Spark's nested types (`STRUCT<a: INT>`, `MAP<STRING, INT>`, `ARRAY<STRUCT<...>>`),
//! which sqlparser's Spark dialect does not read, folded by the parse step into one
//! quoted name holding their text, for the planner to read with the DDL reader of
//! `from_json`: after `AS` or `::` in a CAST here ([`nested_types`]), in a CREATE TABLE
//! column list in `table_clauses`.

use sqlparser::tokenizer::{Span, Token, TokenWithSpan};

/// What a nested CAST type's text starts with once [`nested_types`] has made it one
/// quoted name.
pub const NESTED_TYPE: &str = "__nested_type:";

/// Spark's nested types as a CAST target (`CAST(x AS STRUCT<a: INT, b: STRING>)`,
/// `x::MAP<STRING, INT>`, `ARRAY<STRUCT<...>>`), which sqlparser's Spark dialect does not
/// read, as one quoted name holding their text (`__nested_type:STRUCT<a: INT, ...>`),
/// a custom type for sqlparser whose text the planner reads with the DDL reader of
/// `from_json`. A plain `ARRAY<INT>` is left to sqlparser, which reads it.
pub(crate) fn nested_types(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    use sqlparser::keywords::Keyword as K;
    let is_word =
        |t: &Token, k: K| matches!(t, Token::Word(w) if w.keyword == k && w.quote_style.is_none());
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let starts_type = starts_nested_type(&tokens, i)
            && matches!(
                out.iter().rev().find(|t| !matches!(t.token, Token::Whitespace(_))),
                Some(TokenWithSpan { token, .. }) if is_word(token, K::AS) || *token == Token::DoubleColon
            );
        if !starts_type {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        let Some(end) = nested_type_end(&tokens, i) else {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        };
        out.push(nested_type_token(&tokens[i..=end]));
        i = end + 1;
    }
    out
}

/// Whether `tokens[i]` starts a nested type: `STRUCT`, `MAP` or `ARRAY` right before `<`.
pub(crate) fn starts_nested_type(tokens: &[TokenWithSpan], i: usize) -> bool {
    use sqlparser::keywords::Keyword as K;
    let starts = matches!(
        &tokens[i].token,
        Token::Word(w) if w.quote_style.is_none() && matches!(w.keyword, K::STRUCT | K::MAP | K::ARRAY)
    );
    starts
        && matches!(
            tokens.get(i + 1).map(|t| &t.token),
            Some(Token::Lt | Token::Neq)
        )
}

/// Where the nested type starting at `tokens[i]` (`STRUCT`, `MAP` or `ARRAY` before `<`)
/// ends: the `>` that closes its first `<` (`>>` closes two, `<>` opens and closes). A
/// `)` closing the bracket around it, a `;` or an AS first means this is not a type (and
/// bounds the search, so a long query costs no more); so does a plain `ARRAY<INT>`, which
/// sqlparser reads itself.
pub(crate) fn nested_type_end(tokens: &[TokenWithSpan], i: usize) -> Option<usize> {
    use sqlparser::keywords::Keyword as K;
    let is_word =
        |t: &Token, k: K| matches!(t, Token::Word(w) if w.keyword == k && w.quote_style.is_none());
    let nested = |t: &Token| is_word(t, K::STRUCT) || is_word(t, K::MAP);
    let mut depth = 0i64;
    let mut brackets = 0i64;
    let mut end = None;
    for (j, t) in tokens.iter().enumerate().skip(i + 1) {
        match &t.token {
            Token::Lt => depth += 1,
            Token::Gt => depth -= 1,
            Token::ShiftRight => depth -= 2,
            Token::LParen => brackets += 1,
            Token::RParen => brackets -= 1,
            Token::SemiColon => break,
            t if is_word(t, K::AS) => break,
            _ => {}
        }
        if brackets < 0 {
            break;
        }
        if depth <= 0 && !matches!(t.token, Token::Whitespace(_)) {
            end = (depth == 0).then_some(j);
            break;
        }
    }
    let end = end?;
    tokens[i..=end]
        .iter()
        .any(|t| nested(&t.token))
        .then_some(end)
}

/// The tokens of a nested type as one quoted name holding their text ([`NESTED_TYPE`]).
pub(crate) fn nested_type_token(parts: &[TokenWithSpan]) -> TokenWithSpan {
    let text: String = parts.iter().map(|t| t.token.to_string()).collect();
    let (first, last) = (&parts[0], &parts[parts.len() - 1]);
    TokenWithSpan {
        token: Token::Word(sqlparser::tokenizer::Word {
            value: format!("{NESTED_TYPE}{text}"),
            quote_style: Some('`'),
            keyword: sqlparser::keywords::Keyword::NoKeyword,
        }),
        span: Span::new(first.span.start, last.span.end),
    }
}
