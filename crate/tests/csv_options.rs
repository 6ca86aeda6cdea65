//! Spark's CSV reader options (`comment`, `escape`, `ignoreLeadingWhiteSpace`,
//! `ignoreTrailingWhiteSpace`, `nanValue`, `positiveInf`, `negativeInf`, `emptyValue`,
//! `lineSep`, `encoding`, `schema`) on whole files, read at
//! once and in small chunks (so every option is checked across chunk boundaries).
#![cfg(not(target_arch = "wasm32"))]

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use brasa::io::csv::{read_csv, CsvLoader, CsvOptions, ParseMode};
use brasa::ErrorCode;

mod cells;
use cells::{all_rows, ints, strings};

/// Reads `bytes` whole, then again through a loader opened on a short head and fed small
/// chunks; both must give the same table, which is returned with the warnings.
fn read(bytes: &[u8], options: &CsvOptions) -> (RecordBatch, Vec<String>) {
    let (table, warnings) = read_csv(bytes, options).unwrap();
    let whole = all_rows(&table);
    for chunk in [7, 64] {
        // As the page does: a head too short for two records is grown.
        let mut size = 4 * chunk;
        let mut loader = loop {
            let head = &bytes[..bytes.len().min(size)];
            match CsvLoader::new(head, head.len() == bytes.len(), options) {
                Err(e) if e.code() == ErrorCode::CsvRecordTooLong => size *= 4,
                other => break other.unwrap(),
            }
        };
        for piece in bytes.chunks(chunk) {
            loader.push(piece).unwrap();
        }
        let (chunked, chunked_warnings) = loader.finish().unwrap();
        assert_eq!(all_rows(&chunked), whole, "chunks of {chunk}");
        assert_eq!(chunked_warnings, warnings, "chunks of {chunk}");
    }
    (whole, warnings)
}

fn names(batch: &RecordBatch) -> Vec<String> {
    batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

fn s(values: &[&str]) -> Vec<Option<String>> {
    values.iter().map(|v| Some(v.to_string())).collect()
}

#[test]
fn comment_lines_are_skipped() {
    let text = "# exported 2024-05-01\n# by hand\nid;name\n1;ana\n# a note\n2;\"#2\"\n3;b#c\n";
    let options = CsvOptions {
        delimiter: Some(';'),
        comment: Some('#'),
        ..CsvOptions::default()
    };
    let (batch, warnings) = read(text.as_bytes(), &options);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(names(&batch), vec!["id", "name"]);
    assert_eq!(ints(&batch, 0), vec![Some(1), Some(2), Some(3)]);
    assert_eq!(strings(&batch, 1), s(&["ana", "#2", "b#c"]));
    // Detection works on the text without the comments, and a BOM does not hide one.
    let options = CsvOptions {
        comment: Some('#'),
        ..CsvOptions::default()
    };
    let with_bom = format!("\u{feff}{text}");
    let (table, _) = read_csv(with_bom.as_bytes(), &options).unwrap();
    assert_eq!(all_rows(&table), batch);
    // Without the option the comment lines are data (Spark's default).
    let (table, _) = read_csv(text.as_bytes(), &CsvOptions::default()).unwrap();
    assert!(table.num_rows() > 3);
}

#[test]
fn a_backslash_escape_reads_spark_style_quotes() {
    let text = "id,text\n1,\"a\\\"b\"\n2,\"c\\\\\"\n3,\"d\"\"e\"\n4,\"x\\\",y\"\n5,plain\\n\n";
    let options = CsvOptions {
        escape: '\\',
        ..CsvOptions::default()
    };
    let (batch, warnings) = read(text.as_bytes(), &options);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(ints(&batch, 0), (1..=5).map(Some).collect::<Vec<_>>());
    assert_eq!(
        strings(&batch, 1),
        s(&["a\"b", "c\\", "d\"e", "x\",y", "plain\\n"])
    );
    // The default escape is the quote itself: doubled quotes, backslashes are data.
    let (table, _) = read_csv(
        b"id,path\n1,\"C:\\dir\\\"\n2,\"say \"\"hi\"\"\"\n",
        &CsvOptions::default(),
    )
    .unwrap();
    let batch = all_rows(&table);
    assert_eq!(strings(&batch, 1), s(&["C:\\dir\\", "say \"hi\""]));
}

#[test]
fn escaped_quotes_across_partitions_match_a_sequential_read() {
    let mut text = b"id,text,n\n".to_vec();
    for i in 0..200_000 {
        text.extend(format!("{i},\"q\\\"{i}\\\",\n\\\\\",{}\n", i % 10).as_bytes());
    }
    let options = CsvOptions {
        escape: '\\',
        ..CsvOptions::default()
    };
    let (table, warnings) = read_csv(&text, &options).unwrap();
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(table.num_partitions() > 1);
    let batch = all_rows(&table);
    assert_eq!(batch.num_rows(), 200_000);
    let texts = batch.column(1).as_string::<i32>();
    assert_eq!(texts.value(123_456), "q\"123456\",\n\\");
    assert_eq!(ints(&batch, 2)[199_999], Some(9));
}

#[test]
fn whitespace_is_trimmed_only_when_asked() {
    let text = "a,b\n  x  ,  \"y, z\"  \n";
    let (batch, _) = read(text.as_bytes(), &CsvOptions::default());
    assert_eq!(strings(&batch, 0), s(&["  x  "]));
    let both = CsvOptions {
        ignore_leading_white_space: true,
        ignore_trailing_white_space: true,
        ..CsvOptions::default()
    };
    let (batch, _) = read(text.as_bytes(), &both);
    assert_eq!(strings(&batch, 0), s(&["x"]));
    assert_eq!(strings(&batch, 1), s(&["y, z"]));
    let leading = CsvOptions {
        ignore_leading_white_space: true,
        ..CsvOptions::default()
    };
    let (batch, _) = read(b"a\n  x  \n", &leading);
    assert_eq!(strings(&batch, 0), s(&["x  "]));
    let trailing = CsvOptions {
        ignore_trailing_white_space: true,
        ..CsvOptions::default()
    };
    let (batch, _) = read(b"a\n  x  \n", &trailing);
    assert_eq!(strings(&batch, 0), s(&["  x"]));
}

#[test]
fn nan_value_reads_as_nan_in_double_columns() {
    let options = CsvOptions {
        nan_value: "-".into(),
        ..CsvOptions::default()
    };
    let (batch, _) = read(b"x,y\n1.5,a\n-,b\nNaN,c\n", &options);
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Float64);
    let x = batch.column(0).as_primitive::<Float64Type>();
    assert_eq!(x.value(0), 1.5);
    assert!(x.value(1).is_nan() && x.is_valid(1));
    assert!(x.value(2).is_nan());
    // By default `-` is text.
    let (batch, _) = read(b"x,y\n1.5,a\n-,b\n", &CsvOptions::default());
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Utf8);
}

#[test]
fn a_line_separator_ends_records_across_chunks() {
    // `|` ends records; `\n` is an ordinary character, a quoted `|` is part of its field
    // (multiLine), comment lines end at `|`, and the last record has no separator.
    let mut text = String::from("# note|id,text|");
    for i in 0..40 {
        text.push_str(&format!("{i},\"a|{i}\"|#skip {i}|{i},b\nc|"));
    }
    text.push_str("99,end");
    let options = CsvOptions {
        line_sep: Some("|".into()),
        comment: Some('#'),
        ..CsvOptions::default()
    };
    let (batch, _) = read(text.as_bytes(), &options);
    assert_eq!(names(&batch), ["id", "text"]);
    assert_eq!(batch.num_rows(), 81);
    let texts = strings(&batch, 1);
    assert_eq!(texts[0].as_deref(), Some("a|0"));
    assert_eq!(texts[1].as_deref(), Some("b\nc"));
    assert_eq!(texts[80].as_deref(), Some("end"));
    assert_eq!(ints(&batch, 0)[79], Some(39));
    // `\r\n` trims the `\r`; `\n` keeps it, as Spark does.
    for (sep, last) in [("\r\n", "b"), ("\n", "b\r")] {
        let options = CsvOptions {
            line_sep: Some(sep.into()),
            ..CsvOptions::default()
        };
        let (batch, _) = read(b"id,text\r\n1,a\r\n2,b\r\n", &options);
        assert_eq!(strings(&batch, 1)[1].as_deref(), Some(last), "{sep:?}");
    }
}

#[test]
fn empty_value_and_infinities_read_as_spark_reads_them() {
    let options = CsvOptions {
        empty_value: Some("0".into()),
        positive_inf: "+inf".into(),
        negative_inf: "-inf".into(),
        ..CsvOptions::default()
    };
    let (batch, _) = read(b"n,x,s\n5,Infinity,a\n\"\",+inf,\"\"\n,-inf,\n", &options);
    assert_eq!(ints(&batch, 0), [Some(5), Some(0), None]);
    let x = batch.column(1).as_primitive::<Float64Type>();
    assert_eq!(
        x.values()[..],
        [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY]
    );
    assert_eq!(
        strings(&batch, 2),
        [Some("a".into()), Some("0".into()), None]
    );
    // Spark's defaults: `Inf` and `-Inf` are infinities, `inf` is text.
    let (batch, _) = read(b"x,y\nInf,inf\n-Inf,1\n", &CsvOptions::default());
    assert_eq!(batch.schema().field(0).data_type(), &DataType::Float64);
    assert_eq!(batch.schema().field(1).data_type(), &DataType::Utf8);
}

#[test]
fn a_negative_zero_stays_negative_when_its_int_column_widens_to_double() {
    // Read in chunks, the first pieces decode `x` as int (`-0` is 0 there) and are widened
    // to double once `2.5` turns up; read whole, `x` is double from the start. Both give
    // -0.0, as Spark's double reading of `-0` does. (Found by fuzzing.)
    let mut text = String::from("x,y\n-0,a\n");
    for i in 0..60 {
        text.push_str(&format!("{i},b\n"));
    }
    text.push_str("2.5,c\n");
    let bytes = text.as_bytes();
    let options = CsvOptions::default();
    let mut loader = CsvLoader::new(&bytes[..32], false, &options).unwrap();
    for piece in bytes.chunks(16) {
        loader.push(piece).unwrap();
    }
    let (chunked, warnings) = loader.finish().unwrap();
    assert!(
        warnings[0].contains("it was read as double"),
        "{warnings:?}"
    );
    let (whole, _) = read_csv(bytes, &options).unwrap();
    for table in [chunked, whole] {
        let batch = all_rows(&table);
        let x = batch.column(0).as_primitive::<Float64Type>();
        assert!(x.value(0) == 0.0 && x.value(0).is_sign_negative());
        assert!(x.value(1) == 0.0 && x.value(1).is_sign_positive());
    }
}

#[test]
fn encodings_are_decoded() {
    let text = "id;name\n1;José\n2;Zoë\n";
    let utf16 = |le: bool, bom: bool| {
        let mut bytes: Vec<u8> = Vec::new();
        if bom {
            bytes.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for unit in text.encode_utf16() {
            bytes.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    };
    let expected = s(&["José", "Zoë"]);
    for (label, bytes) in [
        ("UTF-16LE", utf16(true, true)),
        ("UTF-16LE", utf16(true, false)),
        ("UTF-16BE", utf16(false, false)),
        // A byte-order mark wins over the label.
        ("UTF-16", utf16(false, true)),
        ("ISO-8859-1", b"id;name\n1;Jos\xE9\n2;Zo\xEB\n".to_vec()),
        ("latin1", b"id;name\n1;Jos\xE9\n2;Zo\xEB\n".to_vec()),
        ("windows-1252", b"id;name\n1;Jos\xE9\n2;Zo\xEB\n".to_vec()),
    ] {
        let options = CsvOptions {
            encoding: label.into(),
            ..CsvOptions::default()
        };
        let (batch, warnings) = read(&bytes, &options);
        assert!(warnings.is_empty(), "{label}: {warnings:?}");
        assert_eq!(strings(&batch, 1), expected, "{label}");
    }
    let options = CsvOptions {
        encoding: "windows-1252".into(),
        ..CsvOptions::default()
    };
    let (batch, _) = read(b"price\n\x8099\n", &options);
    assert_eq!(strings(&batch, 0), s(&["€99"]));
    // Without the option, UTF-16 is refused with a hint.
    let err = read_csv(&utf16(true, true), &CsvOptions::default()).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CsvEncoding);
    assert!(err.to_string().contains("UTF-16LE"), "{err}");
}

#[test]
fn a_given_schema_replaces_inference() {
    let text = "id,name,amount,d\n1,ana,2.5,2024-01-31\n2,bo,x,2024-02-30\n007,cy,3,2024-03-01\n";
    let schema = Some("id INT, who STRING, amount DOUBLE, d DATE".to_string());
    let options = CsvOptions {
        schema: schema.clone(),
        ..CsvOptions::default()
    };
    let (batch, warnings) = read(text.as_bytes(), &options);
    assert_eq!(names(&batch), vec!["id", "who", "amount", "d"]);
    assert_eq!(ints(&batch, 0), vec![Some(1), Some(2), Some(7)]);
    let amount = batch.column(2).as_primitive::<Float64Type>();
    assert_eq!(
        (0..3)
            .map(|i| amount.is_valid(i).then(|| amount.value(i)))
            .collect::<Vec<_>>(),
        vec![Some(2.5), None, Some(3.0)]
    );
    let d = batch.column(3).as_primitive::<Date32Type>();
    assert!(d.is_null(1) && d.is_valid(2));
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("column `amount`") && warnings[0].contains("`x` at row 2"));
    assert!(warnings[1].contains("column `d`") && warnings[1].contains("NULL"));

    // A string column read as a number: every value must parse.
    let as_int = CsvOptions {
        schema: Some("id INT, name INT, amount DOUBLE, d STRING".into()),
        ..CsvOptions::default()
    };
    let (batch, _) = read(text.as_bytes(), &as_int);
    assert_eq!(batch.column(1).null_count(), 3);
    assert_eq!(strings(&batch, 3)[1].as_deref(), Some("2024-02-30"));

    let drop = CsvOptions {
        schema: schema.clone(),
        mode: ParseMode::DropMalformed,
        ..CsvOptions::default()
    };
    let (batch, warnings) = read(text.as_bytes(), &drop);
    assert_eq!(ints(&batch, 0), vec![Some(1), Some(7)]);
    assert!(
        warnings.iter().all(|w| w.contains("dropped")),
        "{warnings:?}"
    );

    let fail = CsvOptions {
        schema,
        mode: ParseMode::FailFast,
        ..CsvOptions::default()
    };
    let err = read_csv(text.as_bytes(), &fail).unwrap_err();
    assert_eq!(err.code(), ErrorCode::CsvBadValue);
    assert_eq!(err.location().row, Some(2));
    assert_eq!(err.location().column.as_deref(), Some("amount"));
    assert!(
        err.to_string().contains("`x` is not a valid double"),
        "{err}"
    );
}

#[test]
fn a_schema_that_does_not_fit_the_file_is_a_clear_error() {
    let text = b"a,b,c\n1,2,3\n";
    for (ddl, needle) in [
        (
            "a INT, b INT",
            "the schema has 2 columns but the file's first record has 3",
        ),
        ("a INT, b INT, c DECIMAL(40,2)", "precision from 1 to 38"),
        ("a INT, b INT, c BINARY", "read it as STRING"),
        ("a INT, b, c INT", "has no type"),
    ] {
        let options = CsvOptions {
            schema: Some(ddl.into()),
            ..CsvOptions::default()
        };
        let err = read_csv(text, &options).unwrap_err();
        assert_eq!(err.code(), ErrorCode::CsvSchema, "{ddl}");
        assert!(err.to_string().contains(needle), "{ddl}: {err}");
    }
    // A blank schema is no schema.
    let options = CsvOptions {
        schema: Some("  ".into()),
        ..CsvOptions::default()
    };
    assert!(read_csv(text, &options).is_ok());
}

#[test]
fn bad_options_are_refused_with_their_name() {
    for (options, needle) in [
        (
            CsvOptions {
                escape: 'é',
                ..CsvOptions::default()
            },
            "escape",
        ),
        (
            CsvOptions {
                escape: ',',
                ..CsvOptions::default()
            },
            "escape character must differ",
        ),
        (
            CsvOptions {
                comment: Some('\n'),
                ..CsvOptions::default()
            },
            "comment",
        ),
        (
            CsvOptions {
                line_sep: Some("||".into()),
                ..CsvOptions::default()
            },
            "lineSep",
        ),
        (
            CsvOptions {
                line_sep: Some(String::new()),
                ..CsvOptions::default()
            },
            "lineSep",
        ),
        (
            CsvOptions {
                line_sep: Some("\"".into()),
                ..CsvOptions::default()
            },
            "lineSep",
        ),
        (
            CsvOptions {
                line_sep: Some("#".into()),
                comment: Some('#'),
                ..CsvOptions::default()
            },
            "lineSep",
        ),
        (
            CsvOptions {
                encoding: "EBCDIC-ish".into(),
                ..CsvOptions::default()
            },
            "unknown encoding `EBCDIC-ish`",
        ),
    ] {
        let err = read_csv(b"a,b\n1,2\n", &options).unwrap_err();
        assert_eq!(err.code(), ErrorCode::CsvBadOption, "{needle}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
}

#[test]
fn the_options_used_fill_in_what_was_detected() {
    let loader = CsvLoader::new(b"id;name\n1;a\n", true, &CsvOptions::default()).unwrap();
    let used = loader.options_used();
    assert_eq!(used.delimiter, Some(';'));
    assert_eq!(used.header, Some(true));
    assert_eq!(used.escape, '"');
    let loader = CsvLoader::new(b"1,2\n3,4\n", true, &CsvOptions::default()).unwrap();
    assert_eq!(loader.options_used().header, Some(false));
    // They serialise with Spark's option names.
    let json = serde_json::to_value(loader.options_used()).unwrap();
    for key in [
        "ignoreLeadingWhiteSpace",
        "nanValue",
        "inferSchema",
        "encoding",
        "comment",
        "positiveInf",
        "negativeInf",
        "emptyValue",
        "lineSep",
    ] {
        assert!(json.get(key).is_some(), "{key}: {json}");
    }
}
