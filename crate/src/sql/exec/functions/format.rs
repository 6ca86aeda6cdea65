//! `format_number` and `format_string` / `printf`: numbers and values printed as Java's
//! `DecimalFormat` and `Formatter` print them (the forms SQL users write: `%s`, `%d`,
//! `%5d`, `%05d`, `%-8s`, `%,d`, `%.2f`, `%e`, `%x`, `%o`, `%c`, `%b`, `%%`, `%n`).

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

use super::columns::{as_strings, build_strings, doubles, ints};
use super::math::round_half_up;
use crate::error::{Error, ErrorCode, Result};
use crate::frame::jvm::java_double;
use crate::sql::exec::value::spark_cast;

/// `format_number(x, d)`: grouped thousands and `d` decimals rounded half to even on the
/// exact value, as `DecimalFormat("#,##0.00")`; a negative `d` is NULL.
pub fn format_number(values: &ArrayRef, digits: &ArrayRef, len: usize) -> Result<ArrayRef> {
    let (values, digits) = (doubles(values)?, ints(digits)?);
    build_strings(len, |i, out| {
        if values.is_null(i) || digits.is_null(i) || digits.value(i) < 0 {
            return Ok(false);
        }
        let (x, d) = (values.value(i), digits.value(i) as usize);
        if x.is_nan() {
            out.push_str("NaN");
            return Ok(true);
        }
        if x.is_infinite() {
            out.push_str(if x > 0.0 { "∞" } else { "-∞" });
            return Ok(true);
        }
        let text = format!("{:.*}", d.min(340), x);
        push_grouped(out, &text);
        Ok(true)
    })
}

/// Writes a plain decimal number (`-1234.5`) with commas between groups of three digits.
fn push_grouped(out: &mut String, text: &str) {
    let (sign, unsigned) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = match unsigned.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (unsigned, None),
    };
    out.push_str(sign);
    for (k, c) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
}

/// One argument of `format_string`, read from its column.
enum Arg {
    Null,
    Int(i64, u32),
    Float(f64),
    Bool(bool),
    Text(String),
}

fn arg_at(column: &ArrayRef, text: Option<&ArrayRef>, i: usize) -> Arg {
    if column.is_null(i) {
        return Arg::Null;
    }
    match column.data_type() {
        DataType::Int32 => Arg::Int(column.as_primitive::<Int32Type>().value(i) as i64, 32),
        DataType::Int64 => Arg::Int(column.as_primitive::<Int64Type>().value(i), 64),
        DataType::Float64 => Arg::Float(column.as_primitive::<Float64Type>().value(i)),
        DataType::Boolean => Arg::Bool(column.as_boolean().value(i)),
        _ => match text.and_then(|t| t.as_string_opt::<i32>()) {
            Some(t) if t.is_valid(i) => Arg::Text(t.value(i).to_string()),
            _ => Arg::Null,
        },
    }
}

fn format_error(message: String) -> Error {
    Error::new(ErrorCode::SqlExecution, format!("format_string: {message}"))
}

/// `format_string(fmt, args...)` over columns.
pub fn format_string(args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let format = as_strings(&args[0])?;
    let values = &args[1..];
    // Values other than numbers and booleans are formatted from their text.
    let texts = values
        .iter()
        .map(|v| match v.data_type() {
            DataType::Null
            | DataType::Int32
            | DataType::Int64
            | DataType::Float64
            | DataType::Boolean => Ok(None),
            _ => spark_cast(v, &DataType::Utf8).map(Some),
        })
        .collect::<Result<Vec<_>>>()?;
    build_strings(len, |i, out| {
        if format.is_null(i) {
            return Ok(false);
        }
        let row: Vec<Arg> = values
            .iter()
            .zip(&texts)
            .map(|(v, t)| arg_at(v, t.as_ref(), i))
            .collect();
        format_row(out, format.value(i), &row)?;
        Ok(true)
    })
}

/// Java's `Formatter` on one row's arguments.
fn format_row(out: &mut String, format: &str, args: &[Arg]) -> Result<()> {
    let mut chars = format.chars().peekable();
    let mut next_arg = 0usize;
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // %[index$][flags][width][.precision]conversion
        let mut spec = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphabetic() || c == '%' {
                break;
            }
            spec.push(c);
            chars.next();
        }
        let conversion = chars
            .next()
            .ok_or_else(|| format_error(format!("the format `{format}` ends inside a %")))?;
        let (index, rest) = match spec.split_once('$') {
            Some((n, rest)) => (
                Some(n.parse::<usize>().map_err(|_| {
                    format_error(format!("bad argument index in `%{spec}{conversion}`"))
                })?),
                rest.to_string(),
            ),
            None => (None, spec.clone()),
        };
        let flags: String = rest
            .chars()
            .take_while(|c| matches!(c, '-' | '0' | '+' | ' ' | ',' | '(' | '#'))
            .collect();
        let rest = &rest[flags.len()..];
        let (width, precision) = match rest.split_once('.') {
            Some((w, p)) => (w, Some(p)),
            None => (rest, None),
        };
        let bad = || format_error(format!("bad format specifier `%{spec}{conversion}`"));
        let width: usize = if width.is_empty() {
            0
        } else {
            width.parse().map_err(|_| bad())?
        };
        let precision: Option<usize> = precision
            .map(|p| p.parse().map_err(|_| bad()))
            .transpose()?;
        if width > 10_000 || precision.is_some_and(|p| p > 10_000) {
            return Err(bad());
        }
        let body = match conversion {
            '%' => "%".to_string(),
            'n' => "\n".to_string(),
            _ => {
                let k = match index {
                    Some(k) if k >= 1 => k - 1,
                    Some(_) => return Err(bad()),
                    None => {
                        next_arg += 1;
                        next_arg - 1
                    }
                };
                let arg = args.get(k).ok_or_else(|| {
                    format_error(format!("no argument for `%{spec}{conversion}`"))
                })?;
                convert(conversion, &flags, precision, arg)?
            }
        };
        let left = flags.contains('-');
        let zero = flags.contains('0') && !matches!(conversion, 's' | 'S' | 'b' | 'B' | 'c');
        let n = body.chars().count();
        if n >= width {
            out.push_str(&body);
        } else if left {
            out.push_str(&body);
            out.extend(std::iter::repeat_n(' ', width - n));
        } else if zero {
            let (sign, digits) = match body.strip_prefix(['-', '+', ' ']) {
                Some(d) => (&body[..1], d),
                None => ("", body.as_str()),
            };
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', width - n));
            out.push_str(digits);
        } else {
            out.extend(std::iter::repeat_n(' ', width - n));
            out.push_str(&body);
        }
    }
    Ok(())
}

fn convert(conversion: char, flags: &str, precision: Option<usize>, arg: &Arg) -> Result<String> {
    let mismatch = |what: &str| {
        format_error(format!(
            "%{conversion} cannot format {what} (Java's IllegalFormatConversionException)"
        ))
    };
    let upper = conversion.is_ascii_uppercase();
    let mut text = match (conversion.to_ascii_lowercase(), arg) {
        ('s', Arg::Null) => "null".to_string(),
        ('s', Arg::Int(v, _)) => v.to_string(),
        ('s', Arg::Bool(b)) => b.to_string(),
        ('s', Arg::Text(t)) => t.clone(),
        ('s', Arg::Float(f)) => java_double(*f),
        ('h', Arg::Null) => "null".to_string(),
        ('h', arg) => format!("{:x}", java_hash_code(arg)),
        ('b', Arg::Null) => "false".to_string(),
        ('b', Arg::Bool(b)) => b.to_string(),
        ('b', _) => "true".to_string(),
        // Java prints `null` for any conversion, cut to the precision.
        (_, Arg::Null) => "null".chars().take(precision.unwrap_or(4)).collect(),
        ('d', Arg::Int(v, _)) => {
            let mut s = if flags.contains(',') {
                let mut g = String::new();
                push_grouped(&mut g, &v.to_string());
                g
            } else {
                v.to_string()
            };
            if *v >= 0 && flags.contains('+') {
                s.insert(0, '+');
            } else if *v >= 0 && flags.contains(' ') {
                s.insert(0, ' ');
            }
            if *v < 0 && flags.contains('(') {
                s = format!("({})", &s[1..]);
            }
            s
        }
        ('x', Arg::Int(v, bits)) => {
            let v = if *bits == 32 {
                *v as i32 as u32 as u64
            } else {
                *v as u64
            };
            let s = format!("{v:x}");
            if flags.contains('#') {
                format!("0x{s}")
            } else {
                s
            }
        }
        ('o', Arg::Int(v, bits)) => {
            let v = if *bits == 32 {
                *v as i32 as u32 as u64
            } else {
                *v as u64
            };
            format!("{v:o}")
        }
        ('c', Arg::Int(v, _)) => u32::try_from(*v)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .ok_or_else(|| format_error(format!("{v} is not a character")))?,
        ('c', Arg::Text(t)) if t.chars().count() == 1 => t.clone(),
        ('f', Arg::Float(f)) => {
            if !f.is_finite() {
                return Ok(non_finite(*f));
            }
            let p = precision.unwrap_or(6);
            let rounded = round_half_up(*f, p as i32);
            let mut s = format!("{:.*}", p, rounded);
            if flags.contains(',') {
                let mut g = String::new();
                push_grouped(&mut g, &s);
                s = g;
            }
            if *f >= 0.0 && flags.contains('+') {
                s.insert(0, '+');
            }
            s
        }
        ('e', Arg::Float(f)) => {
            if !f.is_finite() {
                return Ok(non_finite(*f));
            }
            let p = precision.unwrap_or(6);
            let s = format!("{:.*e}", p, f);
            let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
            let exponent: i32 = exponent.parse().unwrap_or(0);
            let sign = if exponent < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exponent.abs())
        }
        ('d' | 'x' | 'o' | 'c', Arg::Float(..)) => return Err(mismatch("a double")),
        ('f' | 'e', Arg::Int(..)) => return Err(mismatch("an integer")),
        (_, Arg::Bool(_)) => return Err(mismatch("a boolean")),
        (_, Arg::Text(_)) => return Err(mismatch("a string")),
        _ => {
            return Err(format_error(format!(
                "the conversion %{conversion} is not supported"
            )))
        }
    };
    if let (Some(p), 's' | 'b') = (precision, conversion.to_ascii_lowercase()) {
        text = text.chars().take(p).collect();
    }
    if upper {
        text = text.to_uppercase();
    }
    Ok(text)
}

/// The `hashCode()` of the value Spark hands to Java's formatter (`%h`).
fn java_hash_code(arg: &Arg) -> u32 {
    match arg {
        Arg::Null => 0,
        Arg::Int(v, 32) => *v as i32 as u32,
        Arg::Int(v, _) => (*v ^ ((*v as u64) >> 32) as i64) as u32,
        Arg::Float(f) => {
            let bits = if f.is_nan() {
                0x7ff8_0000_0000_0000
            } else {
                f.to_bits()
            };
            (bits ^ (bits >> 32)) as u32
        }
        Arg::Bool(b) => {
            if *b {
                1231
            } else {
                1237
            }
        }
        // Spark passes its own string type, whose hash is Murmur3 of the UTF-8 bytes.
        Arg::Text(t) => super::misc::murmur3_bytes(t.as_bytes(), 42),
    }
}

fn non_finite(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f > 0.0 {
        "Infinity".into()
    } else {
        "-Infinity".into()
    }
}
