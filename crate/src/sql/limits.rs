//! Limits that keep a hostile or machine-written query from exhausting the engine.
//!
//! In WebAssembly a stack overflow is not a clean error: on the main thread it traps and
//! kills the engine, and on a pool thread it can write over the heap. Parsing, planning,
//! optimising, evaluating and even dropping a query are recursive over its tree, so the
//! tree's depth has to be bounded before any of them runs.
//!
//! sqlparser bounds the depth of what it parses recursively (parentheses, subqueries,
//! function arguments: 50 levels), but chains of operators are parsed in a loop into
//! left-deep trees: `a OR b OR c ...` with 100,000 terms parses fine into a tree 100,000
//! levels deep that no recursive walk survives. [`check_nesting`] estimates the depth of
//! the tree from the tokens, before parsing, and refuses a query over [`MAX_NESTING`].

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::error::{Error, ErrorCode, Result};

/// Longest query text accepted (a generated `IN (...)` list of 100,000 ids is ~1 MB).
pub const MAX_QUERY_BYTES: usize = 8 << 20;

/// Deepest expression or query nesting accepted, as estimated by [`check_nesting`]. The
/// estimate counts every operator of a chain, so it is about twice the real depth of
/// `a = 1 OR a = 2 OR ...` (which runs up to 250 terms); the engine is tested
/// at this limit in wasm on its smallest stack (`crate/tests/web.rs`).
pub const MAX_NESTING: usize = 500;

/// Deepest nesting of brackets and `CASE`s sqlparser is given. Its own limit (50 levels
/// of recursion) is reached by 24 plain brackets (2 levels each: the expression and the
/// bracket), 48 function calls or 47 `CASE`s (1 level each); past it a bracket gives a
/// clean error, but a `CASE` can be parsed into a different query (`SELECT` without its
/// `FROM`). The same count is kept here to refuse it first, with a message that says why.
pub const MAX_PARSER_LEVELS: usize = 46;

/// Most tables and subqueries joined in one `FROM` clause (joins fold into a left-deep
/// plan that every later step walks recursively).
pub const MAX_JOINED_RELATIONS: usize = 100;

/// Deepest chain of views defined on views that a query may expand.
pub const MAX_VIEW_DEPTH: usize = 16;

/// Refuses a query text longer than [`MAX_QUERY_BYTES`].
pub fn check_length(sql: &str) -> Result<()> {
    if sql.len() > MAX_QUERY_BYTES {
        return Err(Error::new(
            ErrorCode::SqlUnsupported,
            format!(
                "not supported: the query is {:.1} MB of text; Brasa runs queries of at most {} MB \
                 (load long lists of values as a file and join with it instead)",
                sql.len() as f64 / (1 << 20) as f64,
                MAX_QUERY_BYTES >> 20
            ),
        ));
    }
    Ok(())
}

/// One level of brackets (or a `CASE ... END`) while scanning tokens.
struct Frame {
    /// Estimated depth of the expression this level is nested in.
    base: usize,
    /// Operators and keywords since the last separator at this level: a chain that
    /// parses into a left-deep tree.
    chain: usize,
    /// `UNION`s, `JOIN`s and `FROM`- or `WITH`-list commas at this level: they nest the plan
    /// whatever separators come between them.
    structural: usize,
    /// Inside a `FROM` or `WITH` clause, where commas nest (cross joins, CTEs reading
    /// earlier CTEs) rather than separate siblings.
    in_from: bool,
    /// Closed by `END` rather than a bracket.
    is_case: bool,
    /// Levels of sqlparser's recursion this frame is nested in (see [`MAX_PARSER_LEVELS`]).
    parser_levels: usize,
}

impl Frame {
    fn new(base: usize, is_case: bool, parser_levels: usize) -> Self {
        Frame {
            base,
            chain: 0,
            structural: 0,
            in_from: false,
            is_case,
            parser_levels,
        }
    }

    /// A frame opened inside this one, `levels` deeper in sqlparser's recursion.
    fn open(&self, is_case: bool, levels: usize) -> Self {
        Frame::new(self.depth() + 1, is_case, self.parser_levels + levels)
    }

    fn depth(&self) -> usize {
        self.base + self.structural + self.chain
    }
}

/// Estimates, from the tokens, how deep the parsed query's tree will be, and refuses it
/// past [`MAX_NESTING`] with the position where the limit was crossed.
///
/// The estimate is an upper bound on what recursion over the tree will meet: every
/// operator (a symbol, or a keyword sqlparser reads as an infix or postfix operator)
/// counts as one level of the chain it is in; a bracket or `CASE` opens a level below the current depth; commas and clause
/// keywords (`WHERE`, `WHEN`, ...) start a sibling, except in a `FROM` list where a comma
/// is a join.
pub fn check_nesting(tokens: &[TokenWithSpan]) -> Result<()> {
    let mut frames = vec![Frame::new(0, false, 0)];
    // Whether the last token that was not whitespace was a word (so a bracket after it is
    // a function call's).
    let mut after_word = false;
    for token in tokens {
        let nested = frames.len() > 1;
        let frame = frames.last_mut().expect("the root frame is never popped");
        let follows_word =
            std::mem::replace(&mut after_word, matches!(token.token, Token::Word(_)));
        match &token.token {
            Token::Whitespace(_) => after_word = follows_word,
            Token::EOF | Token::Period => {}
            Token::SemiColon => frames = vec![Frame::new(0, false, 0)],
            Token::Comma if frame.in_from => frame.structural += 1,
            Token::Comma => frame.chain = 0,
            Token::LParen | Token::LBracket | Token::LBrace => {
                let inner = frame.open(false, if follows_word { 1 } else { 2 });
                check_parser_levels(&inner, token)?;
                frames.push(inner);
            }
            Token::RParen | Token::RBracket | Token::RBrace if nested && !frame.is_case => {
                frames.pop();
            }
            Token::Word(word) if word.quote_style.is_some() => {}
            Token::Word(word) => match word.keyword {
                Keyword::NoKeyword => {}
                Keyword::CASE => {
                    let inner = frame.open(true, 1);
                    check_parser_levels(&inner, token)?;
                    frames.push(inner);
                }
                Keyword::END if nested && frame.is_case => {
                    frames.pop();
                }
                // Commas in a FROM list are cross joins, and in a WITH list each CTE may
                // read the one before it.
                Keyword::FROM | Keyword::WITH => {
                    frame.chain = 0;
                    frame.in_from = true;
                }
                Keyword::ON | Keyword::USING => frame.chain = 0,
                Keyword::SELECT
                | Keyword::WHERE
                | Keyword::GROUP
                | Keyword::HAVING
                | Keyword::ORDER
                | Keyword::LIMIT
                | Keyword::OFFSET
                | Keyword::QUALIFY
                | Keyword::WHEN
                | Keyword::THEN
                | Keyword::ELSE => {
                    frame.chain = 0;
                    frame.in_from = false;
                }
                Keyword::UNION | Keyword::INTERSECT | Keyword::EXCEPT | Keyword::MINUS => {
                    frame.chain = 0;
                    frame.in_from = false;
                    frame.structural += 1;
                }
                Keyword::JOIN => frame.structural += 1,
                // The keywords sqlparser parses as infix or postfix operators in a loop.
                Keyword::AND
                | Keyword::OR
                | Keyword::XOR
                | Keyword::NOT
                | Keyword::IS
                | Keyword::IN
                | Keyword::BETWEEN
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::RLIKE
                | Keyword::REGEXP
                | Keyword::SIMILAR
                | Keyword::MEMBER
                | Keyword::OVERLAPS
                | Keyword::OPERATOR
                | Keyword::AT
                | Keyword::DIV
                | Keyword::MATCH
                | Keyword::NOTNULL
                | Keyword::COLLATE => frame.chain += 1,
                // Other keywords are clause words, type names, or column names such as
                // `id` or `date` that happen to be keywords.
                _ => {}
            },
            Token::Number(..)
            | Token::SingleQuotedString(_)
            | Token::DoubleQuotedString(_)
            | Token::TripleSingleQuotedString(_)
            | Token::TripleDoubleQuotedString(_)
            | Token::DollarQuotedString(_)
            | Token::SingleQuotedByteStringLiteral(_)
            | Token::DoubleQuotedByteStringLiteral(_)
            | Token::SingleQuotedRawStringLiteral(_)
            | Token::DoubleQuotedRawStringLiteral(_)
            | Token::NationalStringLiteral(_)
            | Token::EscapedStringLiteral(_)
            | Token::UnicodeStringLiteral(_)
            | Token::HexStringLiteral(_)
            | Token::Placeholder(_) => {}
            _ => frame.chain += 1,
        }
        let depth = frames.last().map_or(0, Frame::depth);
        if depth > MAX_NESTING {
            return Err(refused_at(
                token,
                &format!(
                    "this query nests more than {MAX_NESTING} levels deep (counting operators \
                     in a chain, brackets, CASE, UNION and JOIN)"
                ),
                ". A long chain such as `x = 1 OR x = 2 OR ...` is the usual cause: write it \
                 as `x IN (1, 2, ...)`, or split the query into views",
            ));
        }
    }
    Ok(())
}

/// Refuses a bracket or `CASE` that would take sqlparser past its recursion limit.
fn check_parser_levels(frame: &Frame, token: &TokenWithSpan) -> Result<()> {
    if frame.parser_levels <= MAX_PARSER_LEVELS {
        return Ok(());
    }
    Err(refused_at(
        token,
        "brackets, function calls and CASE expressions nested more than the parser allows \
         (about 23 brackets, or 46 function calls or CASEs)",
        "; split the query into views or WITH clauses",
    ))
}

/// `SQL_UNSUPPORTED` at the token where a limit was crossed: what was exceeded, where,
/// then `advice` (which brings its own leading punctuation).
fn refused_at(token: &TokenWithSpan, exceeded: &str, advice: &str) -> Error {
    let start = token.span.start;
    Error::new(
        ErrorCode::SqlUnsupported,
        format!(
            "not supported: {exceeded}, passed at line {}, column {}{advice}",
            start.line, start.column
        ),
    )
    .at_position(start.line, start.column)
}

#[cfg(test)]
mod tests {
    use sqlparser::tokenizer::Tokenizer;

    use super::*;
    use crate::sql::dialect::SparkDialect;

    fn nesting(sql: &str) -> Result<()> {
        let tokens = Tokenizer::new(&SparkDialect::default(), sql)
            .tokenize_with_location()
            .unwrap();
        check_nesting(&tokens)
    }

    #[test]
    fn ordinary_and_wide_queries_pass() {
        nesting("SELECT a, b + 1 AS c FROM t JOIN u ON t.x = u.x WHERE a > 1 AND b < 2").unwrap();
        let ids: Vec<String> = (0..100_000).map(|i| i.to_string()).collect();
        nesting(&format!("SELECT * FROM t WHERE id IN ({})", ids.join(", "))).unwrap();
        let columns = vec!["a + 1"; 10_000].join(", ");
        nesting(&format!("SELECT {columns} FROM t")).unwrap();
        let cases = (0..2_000)
            .map(|i| format!("WHEN x = {i} THEN 'v{i}'"))
            .collect::<String>();
        nesting(&format!("SELECT CASE {cases} ELSE NULL END FROM t")).unwrap();
        // Many statements, each shallow.
        nesting(&"SELECT 1 + 1 + 1;".repeat(1_000)).unwrap();
    }

    #[test]
    fn long_chains_are_refused_with_a_position() {
        let chain = vec!["x = 1"; 300].join(" OR ");
        let err = nesting(&format!("SELECT *\nFROM t\nWHERE {chain}")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::SqlUnsupported);
        assert_eq!(err.location().position.map(|(line, _)| line), Some(3));
        assert!(
            err.message().contains("x IN (1, 2, ...)"),
            "{}",
            err.message()
        );
        let unions = vec!["SELECT 1"; MAX_NESTING + 2].join(" UNION ALL ");
        assert!(nesting(&unions).is_err());
        let cross = vec!["t"; MAX_NESTING + 2].join(", ");
        assert!(nesting(&format!("SELECT * FROM {cross}")).is_err());
        let ctes = (1..MAX_NESTING + 2)
            .map(|i| format!("c{i} AS (SELECT * FROM c{})", i - 1))
            .collect::<Vec<_>>()
            .join(", ");
        assert!(nesting(&format!("WITH c0 AS (SELECT 1), {ctes} SELECT * FROM c0")).is_err());
    }

    #[test]
    fn chains_inside_brackets_and_case_add_to_the_depth_outside() {
        // 10 levels of brackets, each holding a chain of 60: deeper than any one chain.
        let mut sql = String::from("1");
        for _ in 0..10 {
            sql = format!("{} + ({sql})", vec!["1"; 60].join(" + "));
        }
        assert!(nesting(&format!("SELECT {sql}")).is_err());
        let mut sql = String::from("1");
        for _ in 0..10 {
            sql = format!(
                "{} + CASE WHEN TRUE THEN {sql} END",
                vec!["1"; 60].join(" + ")
            );
        }
        assert!(nesting(&format!("SELECT {sql}")).is_err());
    }

    #[test]
    fn nesting_past_the_parsers_limit_is_refused_before_parsing() {
        let cases = |n: usize| {
            format!(
                "SELECT {}x{} FROM t",
                "CASE WHEN x > 0 THEN ".repeat(n),
                " + 1 END".repeat(n)
            )
        };
        nesting(&cases(MAX_PARSER_LEVELS)).unwrap();
        let err = nesting(&cases(MAX_PARSER_LEVELS + 1)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::SqlUnsupported);
        assert!(err.message().contains("CASE"), "{}", err.message());
        let calls = |n: usize| format!("SELECT {}x{} FROM t", "abs(".repeat(n), ")".repeat(n));
        nesting(&calls(MAX_PARSER_LEVELS)).unwrap();
        assert!(nesting(&calls(MAX_PARSER_LEVELS + 1)).is_err());
        let brackets = |n: usize| format!("SELECT {}1{}", "(1 + ".repeat(n), ")".repeat(n));
        nesting(&brackets(MAX_PARSER_LEVELS / 2)).unwrap();
        assert!(nesting(&brackets(MAX_PARSER_LEVELS / 2 + 1)).is_err());
    }

    #[test]
    fn overlong_text_is_refused() {
        let err = check_length(&" ".repeat(MAX_QUERY_BYTES + 1)).unwrap_err();
        assert_eq!(err.code(), ErrorCode::SqlUnsupported);
        check_length("SELECT 1").unwrap();
    }
}
