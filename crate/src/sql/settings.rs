//! Spark's `SET` and `RESET` statements, so a notebook's first lines run.
//!
//! Three settings decide what Brasa's answers mean, and Brasa runs with them fixed: Spark's
//! non-ANSI mode, the UTC session time zone and case-insensitive names. `SET` to their own
//! value is accepted, to another value refused with the reason. Any other key (a shuffle
//! partition count, an adaptive-execution switch) is kept for `SET key` to show, as Spark
//! keeps it, and the answer says that it changes nothing here: Brasa plans its partitions
//! from the data and the threads.
//!
//! sqlparser reads `SET key = value`, `SET TIME ZONE ...` and `RESET key`, but not Spark's
//! `SET` (list the settings), `SET key` (show one) or a bare `RESET`;
//! [`bare_settings`] turns those into `SHOW` statements marked [`SET_MARKER`] and `RESET
//! ALL` first.

use std::sync::Arc;

use arrow_array::{RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use sqlparser::ast::{Expr, Ident, ObjectName, Reset, ResetStatement, Set, Value};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::error::{Error, Result};
use crate::frame::{Catalog, Table};

/// The settings Brasa's semantics are built on: (key, value).
const FIXED: [(&str, &str); 3] = [
    ("spark.sql.ansi.enabled", "false"),
    ("spark.sql.caseSensitive", "false"),
    ("spark.sql.session.timeZone", "UTC"),
];

/// The names the UTC time zone goes by.
const UTC_NAMES: [&str; 6] = ["utc", "z", "+00:00", "etc/utc", "gmt", "utc+0"];

/// What `SET` or `RESET` answers: rows of (key, value), or a message.
pub(crate) enum SettingsOutput {
    Rows(Table),
    Done(String),
}

/// `SET key = value` (sqlparser's `SET`, also `SET TIME ZONE`).
pub(crate) fn set(catalog: &mut Catalog, statement: &Set) -> Result<SettingsOutput> {
    let (key, value) = match statement {
        Set::SingleAssignment {
            variable, values, ..
        } => (key_of(variable), values_text(values)?),
        Set::SetTimeZone { value, .. } => {
            ("spark.sql.session.timeZone".to_string(), expr_text(value)?)
        }
        other => {
            return Err(Error::unsupported(format!(
                "`{other}` (Spark's SET takes key = value)"
            )))
        }
    };
    if let Some(fixed) = fixed_value(&key) {
        let same = if key.eq_ignore_ascii_case("spark.sql.session.timeZone") {
            UTC_NAMES.contains(&value.to_ascii_lowercase().as_str())
        } else {
            value.eq_ignore_ascii_case(fixed)
        };
        if !same {
            return Err(Error::unsupported(format!(
                "`SET {key} = {value}`: Brasa runs Spark SQL with {key} = {fixed}, which its \
                 answers are checked against, and cannot change it"
            )));
        }
        return rows(&[(key, fixed.to_string())]).map(SettingsOutput::Rows);
    }
    catalog.set_setting(&key, &value);
    Ok(SettingsOutput::Done(format!(
        "{key} = {value} is kept (SET {key} shows it), but it changes nothing in Brasa, which \
         plans its partitions and joins from the data and the threads"
    )))
}

/// `SET` (every setting) or `SET key` (one; Spark's `<undefined>` if it has none).
pub(crate) fn show(catalog: &Catalog, key: Option<&str>) -> Result<Table> {
    let mut all: Vec<(String, String)> = FIXED
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .chain(catalog.settings())
        .collect();
    all.sort();
    match key {
        None => rows(&all),
        Some(key) => {
            let value = all
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map_or_else(|| "<undefined>".to_string(), |(_, v)| v.clone());
            rows(&[(key.to_string(), value)])
        }
    }
}

/// `RESET` (every kept setting) or `RESET key`.
pub(crate) fn reset(catalog: &mut Catalog, statement: &ResetStatement) -> String {
    match &statement.reset {
        Reset::ALL => {
            catalog.clear_settings();
            "the settings are back to Brasa's".to_string()
        }
        Reset::ConfigurationParameter(name) => {
            let key = key_of(name);
            if fixed_value(&key).is_some() || !catalog.remove_setting(&key) {
                format!("{key} is as Brasa runs it")
            } else {
                format!("{key} is no longer set")
            }
        }
    }
}

/// The key as written, its parts joined by dots.
pub(crate) fn dotted<'a>(parts: impl IntoIterator<Item = &'a Ident>) -> String {
    parts
        .into_iter()
        .map(|p| p.value.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// A key written as a name (`spark.sql.ansi.enabled`), its parts joined by dots.
fn key_of(name: &ObjectName) -> String {
    dotted(name.0.iter().filter_map(|p| p.as_ident()))
}

fn fixed_value(key: &str) -> Option<&'static str> {
    FIXED
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| *v)
}

fn values_text(values: &[Expr]) -> Result<String> {
    match values {
        [value] => expr_text(value),
        _ => Err(Error::analysis("SET takes one value: SET key = value")),
    }
}

/// A value as Spark keeps it: a quoted string's text, anything else as written.
fn expr_text(value: &Expr) -> Result<String> {
    Ok(match value {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) | Value::DoubleQuotedString(s) => s.clone(),
            other => other.to_string(),
        },
        other => other.to_string(),
    })
}

fn rows(pairs: &[(String, String)]) -> Result<Table> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
    ]));
    let batch = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(StringArray::from_iter_values(pairs.iter().map(|(k, _)| k))),
            Arc::new(StringArray::from_iter_values(pairs.iter().map(|(_, v)| v))),
        ],
    )
    .map_err(|e| Error::internal("SET", e))?;
    Table::try_new(schema, vec![batch])
}

/// The first name of the `SHOW` a bare `SET` or `SET key` is rewritten to: a `SHOW` the
/// user typed (`SHOW CATALOGS`) is not a setting.
pub(crate) const SET_MARKER: &str = "__brasa_set";

/// The `SHOW` that Spark's `SHOW USER FUNCTIONS [LIKE ...]` is rewritten to.
pub(crate) const USER_FUNCTIONS_MARKER: &str = "__brasa_user_functions";

/// Spark's bare `SET`, `SET key` and `RESET`, which sqlparser does not read, as the
/// statements it does: `SHOW __brasa_set [key]` and `RESET ALL`; and `SHOW SYSTEM | ALL |
/// USER FUNCTIONS` as `SHOW FUNCTIONS` or [`USER_FUNCTIONS_MARKER`]. Only a whole
/// statement (from its start to `;` or the end) of those shapes is rewritten.
pub(crate) fn bare_settings(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let solid: Vec<usize> = (0..tokens.len())
        .filter(|&i| !matches!(tokens[i].token, Token::Whitespace(_)))
        .collect();
    let keyword = |k: usize| match solid.get(k).map(|&i| &tokens[i].token) {
        Some(Token::Word(w)) => Some(w.keyword),
        _ => None,
    };
    let ends = |k: usize| {
        matches!(
            solid.get(k).map(|&i| &tokens[i].token),
            None | Some(Token::SemiColon)
        )
    };
    // For each token index, what it becomes: (replacement tokens) or kept.
    let mut replace: Vec<Option<Vec<Token>>> = vec![None; tokens.len()];
    let mut start = 0;
    while start < solid.len() {
        // This statement runs to the next `;`.
        let mut end = start;
        while !ends(end) {
            end += 1;
        }
        match keyword(start) {
            Some(Keyword::SET) if end == start + 1 => {
                replace[solid[start]] = Some(marked_show(SET_MARKER));
            }
            Some(Keyword::SET) if is_dotted_name(&tokens, &solid[start + 1..end]) => {
                replace[solid[start]] = Some(marked_show(SET_MARKER));
            }
            Some(Keyword::SHOW)
                if matches!(keyword(start + 1), Some(Keyword::SYSTEM | Keyword::ALL))
                    && keyword(start + 2) == Some(Keyword::FUNCTIONS) =>
            {
                replace[solid[start + 1]] = Some(Vec::new());
            }
            Some(Keyword::SHOW)
                if keyword(start + 1) == Some(Keyword::USER)
                    && keyword(start + 2) == Some(Keyword::FUNCTIONS) =>
            {
                replace[solid[start]] = Some(marked_show(USER_FUNCTIONS_MARKER));
                for &i in &solid[start + 1..end] {
                    replace[i] = Some(Vec::new());
                }
            }
            Some(Keyword::RESET) if end == start + 1 => {
                replace[solid[start]] = Some(vec![
                    Token::make_keyword("RESET"),
                    Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                    Token::make_keyword("ALL"),
                ]);
            }
            _ => {}
        }
        start = end + 1;
    }
    if replace.iter().all(Option::is_none) {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len() + 2);
    for (t, new) in tokens.into_iter().zip(replace) {
        match new {
            None => out.push(t),
            Some(new) => out.extend(new.into_iter().map(|token| TokenWithSpan {
                token,
                span: t.span,
            })),
        }
    }
    out
}

/// `SHOW <marker>`, the marker a quoted name no user query writes by chance.
fn marked_show(marker: &str) -> Vec<Token> {
    vec![
        Token::make_keyword("SHOW"),
        Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
        Token::Word(sqlparser::tokenizer::Word {
            value: marker.to_string(),
            quote_style: Some('`'),
            keyword: Keyword::NoKeyword,
        }),
        Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
    ]
}

/// `a.b.c`: two or more names joined by dots, nothing else.
fn is_dotted_name(tokens: &[TokenWithSpan], solid: &[usize]) -> bool {
    !solid.is_empty()
        && solid.iter().enumerate().all(|(n, &i)| match &tokens[i].token {
            Token::Word(_) => n % 2 == 0,
            Token::Period => n % 2 == 1,
            _ => false,
        })
        && solid.len() % 2 == 1
        // Spark's keys have dots; a lone word could be one of SHOW's own (`SHOW TABLES`).
        && solid.len() >= 3
}
