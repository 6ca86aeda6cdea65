//! The options maps of Spark's CSV and JSON text functions (`from_csv(s, schema,
//! map('sep', ';'))`, `to_json(v, map('timestampFormat', 'dd/MM/yyyy'))`): read once per
//! call, with Spark's names (matched case-insensitively, as Spark does) and defaults.
//! Spark ignores an option it does not know; Brasa refuses it by name, so a setting is
//! never silently dropped. The planner checks the map (a literal `map(...)` of strings,
//! as Spark requires) and the functions read it again from the constant column.

use crate::error::{Error, ErrorCode, Result};
use crate::io::json::{JsonOptions, Leniency};
use crate::sql::plan::expr::Expr;
use crate::sql::plan::functions::{MapFunction, ScalarFunction};
use crate::sql::plan::scalar::ScalarValue;
use crate::temporal::pattern::Pattern;

/// Which function the options are for: each takes its own set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFunction {
    FromCsv,
    ToCsv,
    SchemaOfCsv,
    FromJson,
    ToJson,
    SchemaOfJson,
}

impl TextFunction {
    pub fn name(self) -> &'static str {
        match self {
            TextFunction::FromCsv => "from_csv",
            TextFunction::ToCsv => "to_csv",
            TextFunction::SchemaOfCsv => "schema_of_csv",
            TextFunction::FromJson => "from_json",
            TextFunction::ToJson => "to_json",
            TextFunction::SchemaOfJson => "schema_of_json",
        }
    }

    /// The options this function takes, as Spark spells them: its own, and for the JSON
    /// readers Spark's seven `allow*` ones ([`Leniency::OPTIONS`]).
    fn known(self) -> impl Iterator<Item = &'static str> {
        let leniencies: &[&str] = match self {
            TextFunction::FromJson | TextFunction::SchemaOfJson => &Leniency::OPTIONS,
            _ => &[],
        };
        self.own_options().iter().chain(leniencies).copied()
    }

    /// The options this function takes besides the `allow*` ones.
    fn own_options(self) -> &'static [&'static str] {
        match self {
            TextFunction::FromCsv => &[
                "sep",
                "delimiter",
                "quote",
                "escape",
                "nullValue",
                "dateFormat",
                "timestampFormat",
                "mode",
                "nanValue",
                "positiveInf",
                "negativeInf",
            ],
            TextFunction::ToCsv => &[
                "sep",
                "delimiter",
                "quote",
                "escape",
                "nullValue",
                "emptyValue",
                "dateFormat",
                "timestampFormat",
                "quoteAll",
            ],
            TextFunction::SchemaOfCsv => &[
                "sep",
                "delimiter",
                "quote",
                "escape",
                "nullValue",
                "dateFormat",
                "timestampFormat",
                "nanValue",
                "positiveInf",
                "negativeInf",
            ],
            TextFunction::FromJson => &[
                "dateFormat",
                "timestampFormat",
                "timestampNTZFormat",
                "mode",
            ],
            TextFunction::SchemaOfJson => &[],
            TextFunction::ToJson => &[
                "dateFormat",
                "timestampFormat",
                "timestampNTZFormat",
                "ignoreNullFields",
            ],
        }
    }
}

/// The settings of one call (the defaults where an option is not given).
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// The field separator (Spark's `sep` / `delimiter`; several characters allowed).
    pub sep: String,
    /// The quote character; `None` when quoting is off (`quote` set to '').
    pub quote: Option<char>,
    /// The character that escapes a quote inside a quoted value.
    pub escape: char,
    /// The text read as (and written for) NULL.
    pub null_value: String,
    /// What `to_csv` writes for an empty string (Spark's default: `""`).
    pub empty_value: Option<String>,
    pub date_format: Option<Pattern>,
    pub timestamp_format: Option<Pattern>,
    /// The JSON functions' pattern for `timestamp_ntz` values (Spark's
    /// `timestampNTZFormat`; `timestampFormat` is for zoned timestamps only there).
    pub timestamp_ntz_format: Option<Pattern>,
    /// `mode` FAILFAST: a malformed record is an error instead of NULL fields.
    pub fail_fast: bool,
    pub quote_all: bool,
    pub nan_value: String,
    pub positive_inf: String,
    pub negative_inf: String,
    /// What the JSON functions read beyond standard JSON (Spark's `allow*` options; by
    /// default single quotes and `NaN` / `Infinity`, as in Spark).
    pub json: Leniency,
    /// `to_json` leaves a struct's NULL fields out (Spark's default) or writes `null`.
    pub ignore_null_fields: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            sep: ",".into(),
            quote: Some('"'),
            escape: '\\',
            null_value: String::new(),
            empty_value: None,
            date_format: None,
            timestamp_format: None,
            timestamp_ntz_format: None,
            fail_fast: false,
            quote_all: false,
            nan_value: "NaN".into(),
            positive_inf: "Inf".into(),
            negative_inf: "-Inf".into(),
            json: Leniency::of(&JsonOptions::default()),
            ignore_null_fields: true,
        }
    }
}

fn bad(function: TextFunction, message: impl std::fmt::Display) -> Error {
    Error::new(
        ErrorCode::SqlAnalysis,
        format!("{}'s options: {message}", function.name()),
    )
}

/// One character, as Spark's `quote` and `escape` take (a `\t`-style escape included).
fn one_char(function: TextFunction, key: &str, value: &str) -> Result<char> {
    let value = unescaped(value);
    let mut chars = value.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(bad(
            function,
            format!("{key} must be one character, got '{value}'"),
        )),
    }
}

/// `\t`, `\n`, `\\` written as two characters mean the one (Spark's `CSVExprUtils.toChar`).
fn unescaped(value: &str) -> String {
    match value {
        "\\t" => "\t".into(),
        "\\n" => "\n".into(),
        "\\r" => "\r".into(),
        "\\\\" => "\\".into(),
        "\\\"" => "\"".into(),
        "\\'" => "'".into(),
        other => other.to_string(),
    }
}

fn boolean(function: TextFunction, key: &str, value: &str) -> Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(bad(
            function,
            format!("{key} must be true or false, got '{value}'"),
        )),
    }
}

fn pattern(function: TextFunction, key: &str, value: &str) -> Result<Pattern> {
    Pattern::new(value).map_err(|e| bad(function, format!("{key}: {}", e.message())))
}

impl TextOptions {
    /// The options of a call of `function`, from the map's (key, value) pairs.
    pub fn parse(function: TextFunction, pairs: &[(String, String)]) -> Result<TextOptions> {
        let mut options = TextOptions::default();
        for (key, value) in pairs {
            let Some(known) = function.known().find(|k| k.eq_ignore_ascii_case(key)) else {
                return Err(bad(
                    function,
                    format!(
                        "Brasa does not know the option '{key}' (it reads {})",
                        function.known().collect::<Vec<_>>().join(", ")
                    ),
                ));
            };
            if let Some(allowed) = options.json.option_mut(known) {
                *allowed = boolean(function, known, value)?;
                continue;
            }
            match known {
                "sep" | "delimiter" => {
                    let sep = unescaped(value);
                    if sep.is_empty() {
                        return Err(bad(function, "Delimiter cannot be empty"));
                    }
                    options.sep = sep;
                }
                "quote" => {
                    options.quote = if value.is_empty() {
                        None
                    } else {
                        Some(one_char(function, known, value)?)
                    }
                }
                "escape" => options.escape = one_char(function, known, value)?,
                "nullValue" => options.null_value = value.clone(),
                "emptyValue" => options.empty_value = Some(value.clone()),
                "dateFormat" => options.date_format = Some(pattern(function, known, value)?),
                "timestampFormat" => {
                    options.timestamp_format = Some(pattern(function, known, value)?)
                }
                "timestampNTZFormat" => {
                    options.timestamp_ntz_format = Some(pattern(function, known, value)?)
                }
                "mode" => {
                    // Another mode's name reads as PERMISSIVE, as Spark's `ParseMode`.
                    options.fail_fast = match value.to_ascii_uppercase().as_str() {
                        "FAILFAST" => true,
                        "DROPMALFORMED" => {
                            return Err(bad(
                                function,
                                format!(
                                    "the function `{}` doesn't support the {value} mode. \
                                     Acceptable modes are PERMISSIVE and FAILFAST",
                                    function.name()
                                ),
                            ))
                        }
                        _ => false,
                    }
                }
                "quoteAll" => options.quote_all = boolean(function, known, value)?,
                "nanValue" => options.nan_value = value.clone(),
                "positiveInf" => options.positive_inf = value.clone(),
                "negativeInf" => options.negative_inf = value.clone(),
                "ignoreNullFields" => options.ignore_null_fields = boolean(function, known, value)?,
                _ => return Err(bad(function, format!("the option '{key}'"))),
            }
        }
        Ok(options)
    }
}

/// The (key, value) pairs of an options argument, which must be a `map(...)` of string
/// literals, as Spark requires; the options checked for `function`.
pub fn options_arg(function: TextFunction, e: &Expr) -> Result<()> {
    let not_literal = || {
        Error::analysis(format!(
            "{}'s options must be a map of string literals: map('sep', ';', ...)",
            function.name()
        ))
    };
    let Expr::Function {
        func: ScalarFunction::Map(MapFunction::Map),
        args,
        ..
    } = e
    else {
        return Err(not_literal());
    };
    if args.is_empty() {
        // `map()` is a map of NULL-typed keys and values: Spark's NON_STRING_TYPE.
        return Err(not_literal());
    }
    let mut pairs = Vec::with_capacity(args.len() / 2);
    for pair in args.chunks(2) {
        match pair {
            [Expr::Literal(ScalarValue::Utf8(k)), Expr::Literal(ScalarValue::Utf8(v))] => {
                pairs.push((k.clone(), v.clone()))
            }
            _ => return Err(not_literal()),
        }
    }
    TextOptions::parse(function, &pairs).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_spark_options_and_refuses_unknown_ones() {
        let o = TextOptions::parse(
            TextFunction::FromCsv,
            &pairs(&[
                ("SEP", ";"),
                ("quote", "'"),
                ("Mode", "failfast"),
                ("nullValue", "NA"),
            ]),
        )
        .unwrap();
        assert_eq!(
            (o.sep.as_str(), o.quote, o.fail_fast),
            (";", Some('\''), true)
        );
        assert_eq!(o.null_value, "NA");
        let tab = TextOptions::parse(TextFunction::FromCsv, &pairs(&[("delimiter", "\\t")]));
        assert_eq!(tab.unwrap().sep, "\t");
        for bad in [
            ("foo", "bar"),
            ("sep", ""),
            ("quote", "ab"),
            ("mode", "DROPMALFORMED"),
            ("quoteAll", "true"),
        ] {
            let err = TextOptions::parse(TextFunction::FromCsv, &pairs(&[bad])).unwrap_err();
            assert_eq!(err.code(), ErrorCode::SqlAnalysis, "{bad:?}");
        }
        assert!(TextOptions::parse(TextFunction::ToCsv, &pairs(&[("quoteAll", "true")])).is_ok());
        assert!(TextOptions::parse(TextFunction::ToJson, &pairs(&[("mode", "FAILFAST")])).is_err());
    }
}
