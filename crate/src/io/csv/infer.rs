//! Column names and types from a sample of the file, as Spark's `inferSchema` does from
//! the whole file.

use crate::io::column_names::spark_column_names;
use crate::io::csv::tokenize::Dialect;
use crate::io::csv::tokenize::{field_text, Tokens};
use crate::io::csv::value_rules::ValueRules;
use crate::io::csv::values::{trim_spaces, ColumnType};

/// What inference found: one name and type per column, and whether row 0 is a header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredSchema {
    pub names: Vec<String>,
    pub types: Vec<ColumnType>,
    pub has_header: bool,
}

/// Infers the schema from tokenized sample rows. `header: None` decides whether row 0 is
/// a header: it is, unless every one of its values fits the type the other rows give its
/// column (a first row of `1,2.5,true` over numeric columns is data).
pub fn infer_schema(
    bytes: &[u8],
    tokens: &Tokens,
    dialect: &Dialect,
    nulls: &ValueRules,
    header: Option<bool>,
    infer_types: bool,
) -> InferredSchema {
    let width = if tokens.rows() > 0 {
        tokens.field_count(0)
    } else {
        0
    };
    let first_row: Vec<(Vec<u8>, bool)> = (0..width)
        .map(|col| {
            let (start, end) = tokens.field(0, col).expect("row 0 has `width` fields");
            let (text, quoted) = field_text(bytes, start, end, dialect);
            (text.into_owned(), quoted)
        })
        .collect();
    let body_types = column_types(bytes, tokens, dialect, nulls, width, 1);
    let has_header = header.unwrap_or_else(|| looks_like_header(&first_row, &body_types, nulls));
    let types = if !infer_types {
        vec![ColumnType::Utf8; width]
    } else if has_header {
        body_types
    } else {
        column_types(bytes, tokens, dialect, nulls, width, 0)
    };
    let names = if has_header {
        column_names(&first_row)
    } else {
        (0..width).map(|i| format!("_c{i}")).collect()
    };
    InferredSchema {
        names,
        types,
        has_header,
    }
}

/// Joins the type of every non-null value of records `from..` that have `width` fields.
pub fn column_types(
    bytes: &[u8],
    tokens: &Tokens,
    dialect: &Dialect,
    nulls: &ValueRules,
    width: usize,
    from: usize,
) -> Vec<ColumnType> {
    let mut types = vec![ColumnType::Null; width];
    for row in from..tokens.rows() {
        if tokens.field_count(row) != width {
            continue;
        }
        for (col, ty) in types.iter_mut().enumerate() {
            if *ty == ColumnType::Utf8 {
                continue;
            }
            let (start, end) = tokens.field(row, col).expect("row has `width` fields");
            let (text, quoted) = field_text(bytes, start, end, dialect);
            if let Some(value) = nulls.field_type(&text, quoted) {
                *ty = ty.join(value);
            }
        }
    }
    types
}

fn looks_like_header(
    first_row: &[(Vec<u8>, bool)],
    body_types: &[ColumnType],
    nulls: &ValueRules,
) -> bool {
    // A row of empty fields names nothing.
    if first_row
        .iter()
        .all(|(text, _)| trim_spaces(text).is_empty())
    {
        return false;
    }
    let all_strings = body_types
        .iter()
        .all(|t| matches!(t, ColumnType::Utf8 | ColumnType::Null));
    if all_strings {
        // Nothing to tell a header from data by; files with headers are the norm.
        return true;
    }
    first_row
        .iter()
        .zip(body_types)
        .any(|((text, quoted), &body)| {
            let typed = !matches!(body, ColumnType::Utf8 | ColumnType::Null);
            let value = nulls.field_type(text, *quoted).unwrap_or(ColumnType::Null);
            typed && body.join(value) == ColumnType::Utf8
        })
}

/// Header names as Spark makes them (see [`spark_column_names`]).
pub fn column_names(header: &[(Vec<u8>, bool)]) -> Vec<String> {
    spark_column_names(
        header
            .iter()
            .map(|(text, _)| String::from_utf8_lossy(text).into_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::csv::tokenize::{tokenize, InputEnd};
    use ColumnType::*;

    const COMMA: Dialect = Dialect::plain(b',');

    fn infer(input: &str, header: Option<bool>) -> InferredSchema {
        let bytes = input.as_bytes();
        let tokens = tokenize(bytes, &COMMA, usize::MAX, InputEnd::EndOfFile).unwrap();
        let nulls = ValueRules::new(&["".into(), "NA".into()]);
        infer_schema(bytes, &tokens, &COMMA, &nulls, header, true)
    }

    #[test]
    fn infers_types_and_header() {
        let s = infer(
            "id,price,when,ok,name\n1,2.5,2024-01-02,true,x\n2,,NA,false,\n",
            None,
        );
        assert!(s.has_header);
        assert_eq!(s.names, vec!["id", "price", "when", "ok", "name"]);
        assert_eq!(s.types, vec![Int32, Float64, Date, Boolean, Utf8]);
    }

    #[test]
    fn detects_headerless_numeric_files() {
        let s = infer("1,2.5\n3,4\n", None);
        assert!(!s.has_header);
        assert_eq!(s.names, vec!["_c0", "_c1"]);
        assert_eq!(s.types, vec![Int32, Float64]);
    }

    #[test]
    fn explicit_header_option_wins() {
        let s = infer("1,2\n3,4\n", Some(true));
        assert_eq!(s.names, vec!["1", "2"]);
        assert_eq!(s.types, vec![Int32, Int32]);
    }

    #[test]
    fn all_null_column_is_string_and_widening_joins() {
        let s = infer("a,b,c\n,1,1\nNA,3000000000,x\n", None);
        assert_eq!(s.types, vec![Null, Int64, Utf8]);
        assert_eq!(Null.data_type(), arrow_schema::DataType::Utf8);
    }

    #[test]
    fn names_follow_spark() {
        let header: Vec<(Vec<u8>, bool)> = ["a", "", "A", "b"]
            .iter()
            .map(|s| (s.as_bytes().to_vec(), false))
            .collect();
        assert_eq!(column_names(&header), vec!["a0", "_c1", "A2", "b"]);
    }
}
