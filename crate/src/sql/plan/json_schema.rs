//! The schema of `from_json(text, 'schema')`: Spark's DDL, either one data type
//! (`STRUCT<a: INT, b: ARRAY<STRING>>`, `ARRAY<INT>`, `MAP<STRING, INT>`) or a list of
//! fields (`a INT, b STRING`; a colon only inside `STRUCT<a: INT>`), read as Spark does: first as a type, then
//! as a list of fields. The result must be a struct, an array or a map, and a map's keys
//! strings (Spark's rules for `from_json`).

use arrow_schema::{DataType, Field, TimeUnit};
use sqlparser::ast;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, Tokenizer};

use crate::error::{Error, Result};
use crate::frame::spark_type_name;
use crate::sql::dialect::SparkDialect;
use crate::sql::nested_type_tokens::NESTED_TYPE;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::exprs::scalar_call;
use crate::sql::plan::functions::{json_scalar, ScalarFunction, StringFunction};
use crate::sql::plan::planner::Planner;
use crate::sql::plan::scalar::ScalarValue;
use crate::sql::plan::schema::PlanSchema;
use crate::sql::plan::text_options::{options_arg, TextFunction};
use crate::sql::types::{arrow_type, list_of, map_of};

impl Planner<'_> {
    /// `from_json(text, 'schema')`, or `None` for another function: the call typed by its
    /// schema (a string literal, as Spark requires). Also refuses `schema_of_json` of
    /// anything but a literal, as Spark does.
    pub(crate) fn json_schema_call(
        &self,
        name: &str,
        args: &[Expr],
        scope: &PlanSchema,
    ) -> Result<Option<Expr>> {
        if name == "schema_of_json" && !matches!(args.first(), Some(Expr::Literal(_))) {
            return Err(Error::analysis(
                "schema_of_json takes a string literal, as in Spark",
            ));
        }
        if name != "from_json" {
            return Ok(None);
        }
        if !(2..=3).contains(&args.len()) {
            return Err(Error::analysis(format!(
                "from_json takes 2 or 3 arguments (text, schema[, options]), got {}",
                args.len()
            )));
        }
        let Expr::Literal(ScalarValue::Utf8(schema)) = &args[1] else {
            return Err(Error::analysis(
                "from_json's schema must be a string literal (`'a INT, b STRING'`)",
            ));
        };
        let return_type = ddl_type(schema)?;
        let func = ScalarFunction::String(StringFunction::FromJson);
        let mut call_args = vec![args[0].clone()];
        if let Some(options) = args.get(2) {
            options_arg(TextFunction::FromJson, options)?;
            call_args.push(options.clone());
        }
        let Expr::Function { func, args, .. } = scalar_call(func, call_args, scope)? else {
            return Err(Error::analysis("from_json did not plan as a function call"));
        };
        Ok(Some(Expr::Function {
            func,
            args,
            return_type,
        }))
    }
}

/// The deepest nesting of STRUCT / ARRAY / MAP a schema may have.
const MAX_NESTING: usize = 64;

/// The most characters of a schema quoted in an error.
const QUOTED_CHARS: usize = 200;

impl Planner<'_> {
    /// The type of `CAST(x AS <type>)`: a nested type as Spark writes it (handed over by
    /// the parse step as text, [`NESTED_TYPE`]) read by the DDL reader here, any other by
    /// [`arrow_type`].
    pub(crate) fn cast_target(&self, data_type: &ast::DataType) -> Result<DataType> {
        sql_type(data_type)
    }
}

/// The Arrow type of a SQL type as written in a CAST or a CREATE TABLE column: a nested
/// type as Spark writes it (handed over by the parse step as text, [`NESTED_TYPE`]) read
/// by the DDL reader here, any other by [`arrow_type`].
pub fn sql_type(data_type: &ast::DataType) -> Result<DataType> {
    if let ast::DataType::Custom(name, modifiers) = data_type {
        if let ([part], true) = (name.0.as_slice(), modifiers.is_empty()) {
            if let Some(text) = part
                .as_ident()
                .and_then(|i| i.value.strip_prefix(NESTED_TYPE))
            {
                return cast_type(text);
            }
        }
    }
    arrow_type(data_type)
}

/// What a schema of `from_json` is called in messages.
const FROM_JSON: &str = "from_json's schema";

/// The type of `CAST(x AS STRUCT<a: INT, m: MAP<STRING, ARRAY<INT>>>)`: Spark's DDL for
/// nested types, which sqlparser's Spark dialect does not read (the parse step hands it
/// over as text, see `crate::sql::parse`).
pub fn cast_type(text: &str) -> Result<DataType> {
    whole_type("the CAST type", text)
}

/// The type `schema` names.
pub fn ddl_type(schema: &str) -> Result<DataType> {
    let mut depth = 0usize;
    for c in schema.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(syntax(
                FROM_JSON,
                schema,
                format!("types are nested more than {MAX_NESTING} deep"),
            ));
        }
    }
    let t = whole_type(FROM_JSON, schema).or_else(|_| field_list(schema))?;
    check(&t, &t)?;
    match t {
        DataType::Struct(_) | DataType::List(_) | DataType::Map(_, _) => Ok(t),
        other => Err(Error::analysis(format!(
            "from_json's schema \"{}\" must be a struct, an array or a map",
            spark_type_name(&other).to_ascii_uppercase()
        ))),
    }
}

fn syntax(what: &str, schema: &str, detail: impl std::fmt::Display) -> Error {
    let quoted = match schema.char_indices().nth(QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &schema[..cut]),
        None => schema.to_string(),
    };
    Error::analysis(format!(
        "{what} `{quoted}` is not a type or a list of fields: {detail}"
    ))
}

/// A cursor over DDL text. Nested types are read here (sqlparser's Spark dialect does not
/// read `STRUCT<a: INT>`, and would read `>>` as one token); a plain type's name, with
/// its arguments (`DECIMAL(5, 2)`), goes to sqlparser as `CAST` reads it.
struct Ddl<'a> {
    /// What the text is, for messages ("from_json's schema", "the CAST type").
    what: &'static str,
    text: &'a str,
    at: usize,
    /// Types open around the one being read: nesting past [`MAX_NESTING`] is refused
    /// rather than recursed into (a deep enough schema would overflow wasm's stack).
    nesting: usize,
}

impl Ddl<'_> {
    fn skip_space(&mut self) {
        let rest = &self.text[self.at..];
        self.at += rest.len() - rest.trim_start().len();
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        let found = self.text[self.at..].starts_with(c);
        if found {
            self.at += c.len_utf8();
        }
        found
    }

    fn expect(&mut self, c: char) -> Result<()> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(syntax(
                self.what,
                self.text,
                format!("expected `{c}` at {}", self.at + 1),
            ))
        }
    }

    fn at_end(&mut self) -> bool {
        self.skip_space();
        self.at == self.text.len()
    }

    /// A name: letters, digits and `_`, or anything between backticks.
    fn name(&mut self) -> Result<String> {
        self.skip_space();
        let rest = &self.text[self.at..];
        if let Some(quoted) = rest.strip_prefix('`') {
            let end = quoted
                .find('`')
                .ok_or_else(|| syntax(self.what, self.text, "a name's backtick is not closed"))?;
            self.at += end + 2;
            return Ok(quoted[..end].to_string());
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(syntax(
                self.what,
                self.text,
                format!("expected a name at {}", self.at + 1),
            ));
        }
        self.at += end;
        Ok(rest[..end].to_string())
    }

    fn data_type(&mut self) -> Result<DataType> {
        if self.nesting >= MAX_NESTING {
            return Err(syntax(
                self.what,
                self.text,
                format!("types are nested more than {MAX_NESTING} deep"),
            ));
        }
        self.nesting += 1;
        let read = self.nested_type();
        self.nesting -= 1;
        read
    }

    fn nested_type(&mut self) -> Result<DataType> {
        let word = self.name()?;
        match word.to_ascii_uppercase().as_str() {
            "STRUCT" => {
                self.expect('<')?;
                let mut fields = Vec::new();
                if !self.eat('>') {
                    fields = self.fields(true)?;
                    self.expect('>')?;
                }
                Ok(DataType::Struct(fields.into()))
            }
            "ARRAY" => {
                self.expect('<')?;
                let element = self.data_type()?;
                self.expect('>')?;
                Ok(list_of(element))
            }
            "MAP" => {
                self.expect('<')?;
                let key = self.data_type()?;
                self.expect(',')?;
                let value = self.data_type()?;
                self.expect('>')?;
                Ok(map_of(key, value))
            }
            _ => {
                let start = self.at;
                if self.eat('(') {
                    let close = self.text[self.at..]
                        .find(')')
                        .ok_or_else(|| syntax(self.what, self.text, "a `(` is not closed"))?;
                    self.at += close + 1;
                }
                plain_type(&format!("{word}{}", &self.text[start..self.at]), self)
            }
        }
    }

    /// `name type, ...`; inside `STRUCT<...>` also `name: type` (`colons`), as in Spark.
    fn fields(&mut self, colons: bool) -> Result<Vec<Field>> {
        let mut fields = Vec::new();
        loop {
            let name = self.name()?;
            if colons {
                self.eat(':');
            }
            fields.push(Field::new(name, self.data_type()?, true));
            if !self.eat(',') {
                return Ok(fields);
            }
        }
    }
}

/// A type without nesting (`INT`, `DECIMAL(5,2)`, `STRING`), as `CAST` reads it.
fn plain_type(text: &str, ddl: &Ddl) -> Result<DataType> {
    let (what, schema) = (ddl.what, ddl.text);
    let dialect = SparkDialect::default();
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize()
        .map_err(|e| syntax(what, schema, e))?;
    let mut p = Parser::new(&dialect).with_tokens(tokens);
    let t = p.parse_data_type().map_err(|e| syntax(what, schema, e))?;
    if p.peek_token().token != Token::EOF {
        return Err(syntax(what, schema, format!("`{text}` is not a type")));
    }
    arrow_type(&t)
}

fn whole_type(what: &'static str, schema: &str) -> Result<DataType> {
    let mut ddl = Ddl {
        what,
        text: schema,
        at: 0,
        nesting: 0,
    };
    let t = ddl.data_type()?;
    if !ddl.at_end() {
        return Err(syntax(what, schema, "text after the type"));
    }
    Ok(t)
}

fn field_list(schema: &str) -> Result<DataType> {
    let mut ddl = Ddl {
        what: FROM_JSON,
        text: schema,
        at: 0,
        nesting: 0,
    };
    let fields = ddl.fields(false)?;
    if !ddl.at_end() {
        return Err(syntax(FROM_JSON, schema, "text after the fields"));
    }
    Ok(DataType::Struct(fields.into()))
}

/// Spark reads a map from a JSON object, so its keys must be strings; the leaf types are
/// those `exec::functions::from_json` reads (not binary, times or intervals: refused
/// before the query runs).
fn check(t: &DataType, whole: &DataType) -> Result<()> {
    match t {
        DataType::List(f) => check(f.data_type(), whole),
        DataType::Struct(fields) => fields.iter().try_for_each(|f| check(f.data_type(), whole)),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 && kv[0].data_type() == &DataType::Utf8 => {
                check(kv[1].data_type(), whole)
            }
            _ => Err(Error::analysis(format!(
                "from_json's schema \"{}\" can only have STRING as the key type of a MAP",
                spark_type_name(whole).to_ascii_uppercase()
            ))),
        },
        DataType::Date32 | DataType::Timestamp(TimeUnit::Microsecond, _) => Ok(()),
        t if json_scalar(t) => Ok(()),
        other => Err(Error::unsupported(format!(
            "from_json into a field of type {}",
            spark_type_name(other)
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_spark_ddl() {
        let ab = DataType::Struct(
            vec![
                Field::new("a", DataType::Int32, true),
                Field::new("B", list_of(DataType::Utf8), true),
            ]
            .into(),
        );
        assert_eq!(ddl_type("a INT, B ARRAY<STRING>").unwrap(), ab);
        assert_eq!(ddl_type("a int, B array<string>").unwrap(), ab);
        assert!(ddl_type("a: int").is_err());
        assert_eq!(ddl_type("STRUCT<a: INT, B: ARRAY<STRING>>").unwrap(), ab);
        assert_eq!(ddl_type("struct<a:int,`B`:array<string>>").unwrap(), ab);
        assert_eq!(
            ddl_type("ARRAY<MAP<STRING, DECIMAL(5, 2)>>").unwrap(),
            list_of(map_of(DataType::Utf8, DataType::Decimal128(5, 2)))
        );
        assert_eq!(ddl_type("ARRAY<INT>").unwrap(), list_of(DataType::Int32));
        let deep = format!("{}INT{}", "ARRAY<".repeat(100_000), ">".repeat(100_000));
        let err = ddl_type(&deep).unwrap_err();
        assert!(
            err.message().contains("nested more than 64 deep"),
            "{}",
            err.message()
        );
        let fine = format!("{}INT{}", "ARRAY<".repeat(63), ">".repeat(63));
        assert!(ddl_type(&fine).is_ok());
        assert_eq!(
            ddl_type("MAP<STRING, INT>").unwrap(),
            map_of(DataType::Utf8, DataType::Int32)
        );
        assert!(ddl_type("INT").is_err());
        assert!(ddl_type("x y z").is_err());
        assert!(ddl_type("MAP<INT, INT>").is_err());
        assert!(ddl_type("a BINARY").is_err());
    }
}
