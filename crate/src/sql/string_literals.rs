//! String literals read as Spark reads them (`ParserUtils.unescapeSQLString`): besides the
//! escapes sqlparser knows (`\n`, `\t`, `\'`, ...), `\uXXXX` and `\UXXXXXXXX` are Unicode
//! characters and `\NNN` (first digit 0 or 1) an octal one, while `\a` and `\f` are the
//! letters, not control characters. sqlparser unescapes the literals its own way, so each
//! literal's value is made again from its text in the query. Literals written one after
//! the other (`'a' 'b'`) are one literal (`'ab'`), as in Spark, where sqlparser would read
//! the second as the first's alias.

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Location, Token, TokenWithSpan};

/// The tokens with every quoted string's value unescaped as Spark does, from its text in
/// `sql` (the tokens' spans point into it), and adjacent literals joined. A raw literal
/// (`r'\d+'`, an `r` or `R` right before the quote) keeps its text as written, as in Spark.
pub fn spark_string_literals(tokens: Vec<TokenWithSpan>, sql: &str) -> Vec<TokenWithSpan> {
    let lines = LineStarts::of(sql);
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    for t in tokens {
        let quote = match &t.token {
            Token::SingleQuotedString(_) => '\'',
            Token::DoubleQuotedString(_) => '"',
            _ => {
                out.push(t);
                continue;
            }
        };
        let body = lines
            .text(t.span.start, t.span.end)
            .and_then(|text| text.strip_prefix(quote)?.strip_suffix(quote));
        let Some(body) = body else {
            out.push(t);
            continue;
        };
        let raw = matches!(out.last(), Some(TokenWithSpan { token: Token::Word(w), span })
            if w.quote_style.is_none()
                && w.value.eq_ignore_ascii_case("r")
                && span.end == t.span.start);
        let (value, span) = match raw {
            true => {
                let prefix = out.pop().expect("the `r` before the quote");
                (body.to_string(), prefix.span.union(&t.span))
            }
            false => (unescape(body, quote), t.span),
        };
        let token = match quote {
            '\'' => Token::SingleQuotedString(value),
            _ => Token::DoubleQuotedString(value),
        };
        out.push(TokenWithSpan { token, span });
    }
    joined(out)
}

/// Adjacent string literals (whitespace and comments between them) joined into the first,
/// as Spark's `stringLit+` constant joins them; not among the `'key' 'value'` pairs of
/// `OPTIONS (...)` and `TBLPROPERTIES (...)`, whose `=` Spark lets one leave out.
fn joined(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    // The index in `out` of the last token that is not whitespace.
    let mut last_solid: Option<usize> = None;
    // Brackets open inside a property list, when in one.
    let mut property_depth = 0usize;
    for t in tokens {
        let previous = last_solid.map(|i| &out[i].token);
        match &t.token {
            Token::Whitespace(_) => {
                out.push(t);
                continue;
            }
            Token::LParen if property_depth > 0 => property_depth += 1,
            Token::LParen => {
                if matches!(previous, Some(Token::Word(w))
                    if matches!(w.keyword, Keyword::OPTIONS | Keyword::TBLPROPERTIES))
                {
                    property_depth = 1;
                }
            }
            Token::RParen => property_depth = property_depth.saturating_sub(1),
            Token::SingleQuotedString(more) | Token::DoubleQuotedString(more)
                if property_depth == 0 =>
            {
                if let Some(first) = last_solid {
                    if let Token::SingleQuotedString(text) | Token::DoubleQuotedString(text) =
                        &mut out[first].token
                    {
                        text.push_str(more);
                        out[first].span = out[first].span.union(&t.span);
                        out.truncate(first + 1);
                        continue;
                    }
                }
            }
            _ => {}
        }
        last_solid = Some(out.len());
        out.push(t);
    }
    out
}

/// The byte offset of each line's start, to turn a span's line and column (1-based, in
/// characters) into a byte offset.
struct LineStarts<'s> {
    sql: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineStarts<'s> {
    fn of(sql: &'s str) -> Self {
        let breaks = sql.match_indices('\n').map(|(at, _)| at + 1);
        LineStarts {
            sql,
            starts: std::iter::once(0).chain(breaks).collect(),
        }
    }

    /// The query's text from `start` to `end`.
    fn text(&self, start: Location, end: Location) -> Option<&'s str> {
        self.sql.get(self.offset(start)?..self.offset(end)?)
    }

    fn offset(&self, at: Location) -> Option<usize> {
        let line_start = *self.starts.get((at.line as usize).checked_sub(1)?)?;
        let column = (at.column as usize).checked_sub(1)?;
        let rest = &self.sql[line_start..];
        match rest.char_indices().nth(column) {
            Some((offset, _)) => Some(line_start + offset),
            None if rest.chars().count() == column => Some(self.sql.len()),
            None => None,
        }
    }
}

/// The value of a literal's text between its quotes (`quote` doubled inside is one).
pub fn unescape(body: &str, quote: char) -> String {
    let chars: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == quote && chars.get(i + 1) == Some(&quote) {
            out.push(quote);
            i += 2;
            continue;
        }
        if c != '\\' || i + 1 == chars.len() {
            out.push(c);
            i += 1;
            continue;
        }
        let rest = &chars[i + 1..];
        if let Some((code, mut used)) = unicode_code(rest) {
            let ch = if (0xD800..0xDC00).contains(&code) {
                // Java's string joins a high surrogate with a low one written next.
                let low = rest[used..].strip_prefix(&['\\']).and_then(unicode_code);
                match low {
                    Some((low, more)) if (0xDC00..0xE000).contains(&low) => {
                        used += 1 + more;
                        char::from_u32(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00))
                    }
                    _ => None,
                }
            } else {
                char::from_u32(code)
            };
            // A surrogate without its pair, or beyond Unicode: the replacement character.
            out.push(ch.unwrap_or('\u{FFFD}'));
            i += 1 + used;
        } else if let Some(ch) = octal_escape(rest) {
            out.push(ch);
            i += 4;
        } else {
            match rest[0] {
                '0' => out.push('\0'),
                'b' => out.push('\u{8}'),
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'Z' => out.push('\u{1a}'),
                // Kept escaped for LIKE patterns, as Spark (and MySQL) keep them.
                '%' => out.push_str("\\%"),
                '_' => out.push_str("\\_"),
                other => out.push(other),
            }
            i += 2;
        }
    }
    out
}

/// `uXXXX` or `UXXXXXXXX` after a backslash: the code and the characters it takes; `None`
/// without all its hex digits (then the letter is read as itself, as Spark reads it).
fn unicode_code(rest: &[char]) -> Option<(u32, usize)> {
    let digits = match rest.first() {
        Some('u') => 4,
        Some('U') => 8,
        _ => return None,
    };
    let hex = rest.get(1..1 + digits)?;
    let code = hex
        .iter()
        .try_fold(0u32, |acc, c| Some((acc << 4) | c.to_digit(16)?))?;
    Some((code, 1 + digits))
}

/// `NNN` after a backslash, the first digit 0 or 1 and the others octal: the character.
fn octal_escape(rest: &[char]) -> Option<char> {
    let [a @ '0'..='1', b @ '0'..='7', c @ '0'..='7', ..] = rest else {
        return None;
    };
    let code = [a, b, c]
        .iter()
        .fold(0u32, |acc, d| (acc << 3) | d.to_digit(8).unwrap_or(0));
    char::from_u32(code)
}

#[cfg(test)]
mod tests {
    use super::unescape;
    use crate::sql::parse::parse_statements;
    use sqlparser::ast::{Expr, SelectItem, SetExpr, Statement, Value};

    /// The values of a `SELECT` of literals, as the parser hands them to the planner.
    fn literals(sql: &str) -> Vec<String> {
        let Statement::Query(query) = parse_statements(sql).unwrap().remove(0) else {
            panic!("a query")
        };
        let SetExpr::Select(select) = *query.body else {
            panic!("a select")
        };
        select
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::UnnamedExpr(Expr::Value(v))
                | SelectItem::ExprWithAlias {
                    expr: Expr::Value(v),
                    ..
                } => match &v.value {
                    Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
                    other => panic!("unexpected {other}"),
                },
                other => panic!("unexpected {other}"),
            })
            .collect()
    }

    #[test]
    fn queries_read_literals_as_spark_does_on_any_line() {
        assert_eq!(
            literals("SELECT '\\u0041',\n  \"\\101\", r'\\d+\\n', R\"\\t\", 'é\\u00e9'"),
            ["A", "A", r"\d+\n", r"\t", "éé"]
        );
        // Adjacent literals are one, as in Spark (`SELECT 'a' 'b'` is `ab`).
        assert_eq!(
            literals("SELECT 'a' \"b\" /* c */\n 'c', 'd' AS x, r'\\e' 'f'"),
            ["abc", "d", r"\ef"]
        );
        assert!(parse_statements("CREATE TABLE t (a INT) USING csv OPTIONS ('sep' ';')").is_ok());
    }

    #[test]
    fn escapes_read_as_spark_reads_them() {
        // Spark 4's answers (`SELECT <literal>` in PySpark).
        for (body, spark) in [
            (r"it''s", "it's"),
            (r"it\'s", "it's"),
            (r"\u0041\u00e9", "Aé"),
            (r"\U0001F600", "😀"),
            (r"\uD83D\uDE00", "😀"),
            (r"\101\060", "A0"),
            (r"\1010", "A0"),
            (r"\200", "200"),
            (r"a\Zb", "a\u{1a}b"),
            (r"\0", "\0"),
            (r"\q\a\f", "qaf"),
            (r"\%\_", r"\%\_"),
            (r"\u004", "u004"),
            (r"\u12G4", "u12G4"),
            (r"\\d+", r"\d+"),
            (r"a\nb\tc", "a\nb\tc"),
        ] {
            assert_eq!(unescape(body, '\''), spark, "{body}");
        }
        assert_eq!(unescape(r#"dq\u0041 "" "#, '"'), "dqA \" ");
        assert_eq!(unescape(r"\uD83D!", '\''), "\u{FFFD}!");
    }
}
