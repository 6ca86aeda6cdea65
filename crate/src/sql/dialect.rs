//! The SQL dialect: Databricks' (Spark SQL's) as sqlparser knows it, plus Spark's `DIV`
//! integer-division operator, which sqlparser only parses for MySQL.

use std::any::TypeId;

use sqlparser::ast::{BinaryOperator, DescribeAlias, Expr, Statement, UnaryOperator};
use sqlparser::dialect::{DatabricksDialect, Dialect};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// Spark SQL as parsed by Brasa. It reports itself as [`DatabricksDialect`] so every
/// Databricks-specific rule inside sqlparser applies, and forwards Databricks' overrides.
#[derive(Debug, Default)]
pub struct SparkDialect(DatabricksDialect);

impl Dialect for SparkDialect {
    fn dialect(&self) -> TypeId {
        self.0.dialect()
    }

    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        self.0.is_delimited_identifier_start(ch)
    }

    fn is_identifier_start(&self, ch: char) -> bool {
        self.0.is_identifier_start(ch)
    }

    fn is_identifier_part(&self, ch: char) -> bool {
        self.0.is_identifier_part(ch)
    }

    fn supports_filter_during_aggregation(&self) -> bool {
        self.0.supports_filter_during_aggregation()
    }

    fn supports_group_by_expr(&self) -> bool {
        self.0.supports_group_by_expr()
    }

    fn supports_lambda_functions(&self) -> bool {
        self.0.supports_lambda_functions()
    }

    fn supports_select_wildcard_except(&self) -> bool {
        self.0.supports_select_wildcard_except()
    }

    fn require_interval_qualifier(&self) -> bool {
        self.0.require_interval_qualifier()
    }

    fn supports_struct_literal(&self) -> bool {
        self.0.supports_struct_literal()
    }

    fn supports_nested_comments(&self) -> bool {
        self.0.supports_nested_comments()
    }

    /// `CAST(x AS INTERVAL DAY TO SECOND)`: Spark's interval types name their fields.
    fn supports_interval_options(&self) -> bool {
        true
    }

    fn supports_group_by_with_modifier(&self) -> bool {
        self.0.supports_group_by_with_modifier()
    }

    /// Spark 4's SQL pipe syntax (`FROM t |> WHERE x > 0 |> SELECT x`), which starts from
    /// `FROM t` alone.
    fn supports_pipe_operator(&self) -> bool {
        true
    }

    /// `WINDOW w AS (...), v AS w`: a window named after another.
    fn supports_window_clause_named_window_reference(&self) -> bool {
        true
    }

    fn supports_from_first_select(&self) -> bool {
        true
    }

    /// `FROM t TABLESAMPLE (50 PERCENT) REPEATABLE (3) AS x`: Spark's sample comes before
    /// the alias (`FROM t AS x TABLESAMPLE (...)` is a syntax error there).
    fn supports_table_sample_before_alias(&self) -> bool {
        true
    }

    fn supports_values_as_table_factor(&self) -> bool {
        self.0.supports_values_as_table_factor()
    }

    /// Spark reads backslash escapes in string literals (`'\\d+'` is the regex `\d+`,
    /// `'\n'` a newline, `'\''` a quote) ...
    fn supports_string_literal_backslash_escape(&self) -> bool {
        true
    }

    /// ... except `\%` and `\_`, kept as they are for LIKE patterns.
    fn ignores_wildcard_escapes(&self) -> bool {
        true
    }

    /// Spark's `EXPLAIN EXTENDED | FORMATTED | CODEGEN | COST <statement>`, which
    /// sqlparser does not know: EXTENDED and FORMATTED are read as `EXPLAIN VERBOSE` (every
    /// plan), CODEGEN and COST as a plain `EXPLAIN`.
    fn parse_statement(&self, parser: &mut Parser) -> Option<Result<Statement, ParserError>> {
        let [first, second] = parser.peek_tokens::<2>();
        let is_word = |token: &Token, text: &str| matches!(token, Token::Word(w) if w.value.eq_ignore_ascii_case(text) && w.quote_style.is_none());
        if !is_word(&first, "EXPLAIN") {
            return None;
        }
        let verbose = is_word(&second, "EXTENDED") || is_word(&second, "FORMATTED");
        if !(verbose || is_word(&second, "CODEGEN") || is_word(&second, "COST")) {
            return None;
        }
        parser.next_token();
        parser.next_token();
        Some(
            parser
                .parse_statement()
                .map(|statement| Statement::Explain {
                    describe_alias: DescribeAlias::Explain,
                    analyze: false,
                    verbose,
                    query_plan: false,
                    estimate: false,
                    statement: Box::new(statement),
                    format: None,
                    options: None,
                }),
        )
    }

    /// `!x`: Spark's other spelling of `NOT x`.
    fn supports_bang_not_operator(&self) -> bool {
        true
    }

    /// `a << b` and `a >> b` (and `>>>`, read in [`Self::parse_infix`]).
    fn supports_bitwise_shift_operators(&self) -> bool {
        true
    }

    /// Spark's shifts bind tighter than `&`, `^` and `|` and looser than `+` and `-`;
    /// sqlparser puts them with `^`.
    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        match parser.peek_token_ref().token {
            Token::ShiftLeft | Token::ShiftRight => Some(Ok(SHIFT_PRECEDENCE)),
            _ => None,
        }
    }

    /// `~x` binds as tightly as `-x` in Spark (`~1 * 2` is `(~1) * 2`); sqlparser reads it
    /// with the precedence of `+`.
    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        if parser.peek_token_ref().token != Token::Tilde {
            return None;
        }
        parser.next_token();
        let tight = self.prec_value(sqlparser::dialect::Precedence::MulDivModOp);
        Some(parser.parse_subexpr(tight).map(|expr| Expr::UnaryOp {
            op: UnaryOperator::BitwiseNot,
            expr: Box::new(expr),
        }))
    }

    /// `a DIV b` (sqlparser already gives `DIV` the precedence of `*` and `/`), and
    /// `a >>> b`, Spark's unsigned right shift, which sqlparser tokenizes as `>>` then `>`:
    /// read as one operator when the two touch, as the custom operator [`UNSIGNED_SHIFT`].
    fn parse_infix(
        &self,
        parser: &mut Parser,
        expr: &Expr,
        precedence: u8,
    ) -> Option<Result<Expr, ParserError>> {
        let op = if parser.parse_keyword(Keyword::DIV) {
            BinaryOperator::MyIntegerDivide
        } else {
            let [first, second] = parser.peek_tokens_with_location::<2>();
            let unsigned_shift = first.token == Token::ShiftRight
                && second.token == Token::Gt
                && first.span.end == second.span.start;
            if !unsigned_shift {
                return None;
            }
            parser.next_token();
            parser.next_token();
            BinaryOperator::Custom(UNSIGNED_SHIFT.to_string())
        };
        Some(
            parser
                .parse_subexpr(precedence)
                .map(|right| Expr::BinaryOp {
                    left: Box::new(expr.clone()),
                    op,
                    right: Box::new(right),
                }),
        )
    }
}

/// `>>>`, Spark's unsigned right shift, as a custom operator of sqlparser's AST.
pub const UNSIGNED_SHIFT: &str = ">>>";

/// Where `<<`, `>>` and `>>>` bind: between `+` (30) and `&` (23) in sqlparser's scale.
const SHIFT_PRECEDENCE: u8 = 25;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(sql: &str) -> String {
        Parser::parse_sql(&SparkDialect::default(), sql).unwrap()[0].to_string()
    }

    /// The root operator of the first SELECT item.
    fn root_operator(sql: &str) -> BinaryOperator {
        use sqlparser::ast::{SelectItem, SetExpr, Statement};
        let statement = Parser::parse_sql(&SparkDialect::default(), sql)
            .unwrap()
            .remove(0);
        let Statement::Query(query) = statement else {
            panic!("a query")
        };
        let SetExpr::Select(select) = *query.body else {
            panic!("a select")
        };
        match &select.projection[0] {
            SelectItem::UnnamedExpr(Expr::BinaryOp { op, .. }) => op.clone(),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn reads_spark_shifts_and_bitwise_not() {
        assert_eq!(
            root_operator("SELECT 8 >>> 1"),
            BinaryOperator::Custom(UNSIGNED_SHIFT.into())
        );
        // A shift binds tighter than `&`, looser than `+`.
        assert_eq!(
            root_operator("SELECT 1 << 2 & 3"),
            BinaryOperator::BitwiseAnd
        );
        assert_eq!(
            root_operator("SELECT 1 << 2 + 1"),
            BinaryOperator::PGBitwiseShiftLeft
        );
        // `~` binds as tightly as unary minus.
        assert_eq!(root_operator("SELECT ~1 * 2"), BinaryOperator::Multiply);
        // `>> >` is not `>>>`.
        assert!(Parser::parse_sql(&SparkDialect::default(), "SELECT 8 >> > 1").is_err());
    }

    #[test]
    fn parses_div_with_multiplicative_precedence() {
        assert_eq!(parse("SELECT a DIV b * c + 1"), "SELECT a DIV b * c + 1");
        assert_eq!(root_operator("SELECT 7 DIV 2 + 1"), BinaryOperator::Plus);
        assert_eq!(root_operator("SELECT 1 + 7 DIV 2"), BinaryOperator::Plus);
        assert_eq!(
            root_operator("SELECT 7 DIV 2"),
            BinaryOperator::MyIntegerDivide
        );
    }

    #[test]
    fn reads_backslash_escapes_as_spark() {
        use sqlparser::ast::{SelectItem, SetExpr, Statement, Value};
        let literal = |sql: &str| -> String {
            let Statement::Query(query) = Parser::parse_sql(&SparkDialect::default(), sql)
                .unwrap()
                .remove(0)
            else {
                panic!("a query")
            };
            let SetExpr::Select(select) = *query.body else {
                panic!("a select")
            };
            match &select.projection[0] {
                SelectItem::UnnamedExpr(Expr::Value(v)) => match &v.value {
                    Value::SingleQuotedString(s) => s.clone(),
                    other => panic!("unexpected {other}"),
                },
                other => panic!("unexpected {other}"),
            }
        };
        assert_eq!(literal(r"SELECT '\\d+'"), r"\d+");
        assert_eq!(literal(r"SELECT 'a\nb'"), "a\nb");
        assert_eq!(literal(r"SELECT 'it\'s'"), "it's");
        assert_eq!(literal(r"SELECT 'it''s'"), "it's");
        assert_eq!(literal(r"SELECT '50\%'"), r"50\%");
    }

    #[test]
    fn keeps_databricks_syntax() {
        assert_eq!(parse("SELECT `my col` FROM t"), "SELECT `my col` FROM t");
        assert_eq!(
            parse("CREATE OR REPLACE TEMP VIEW v AS SELECT 1"),
            "CREATE OR REPLACE TEMPORARY VIEW v AS SELECT 1"
        );
    }
}
