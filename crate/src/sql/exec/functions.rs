//! Scalar functions, with Spark's semantics: strings are counted in characters, `trim`
//! removes spaces, `round` rounds half up on the decimal value, `ln` of a non-positive
//! number is NULL, `substr` takes Spark's 1-based (or negative) positions.

use std::sync::Arc;

use arrow_arith::boolean::is_not_null;
use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    new_null_array, Array, ArrayRef, Date32Array, Float64Array, Int32Array, Int64Array, ListArray,
    StringArray, TimestampMicrosecondArray,
};
use arrow_schema::DataType;
use arrow_select::zip::zip;

use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::{
    as_boolean, as_strings, compile_regex, kernel_error, nulls_as_false, spark_cast, Value,
};
use crate::sql::plan::functions::ScalarFunction;
use crate::sql::types::SESSION_TIME_ZONE;
use crate::temporal::{civil_from_days, days_from_civil};

/// Calls `func` on already-cast arguments. Calls whose arguments are all constants are
/// computed once and stay constant.
pub fn call_scalar(
    func: ScalarFunction,
    args: Vec<Value>,
    return_type: &DataType,
    rows: usize,
) -> Result<Value> {
    let all_scalar = args.iter().all(|a| matches!(a, Value::Scalar(_)));
    let len = if all_scalar { 1 } else { rows };
    let arrays = args
        .into_iter()
        .map(|a| a.into_array(len))
        .collect::<Result<Vec<_>>>()?;
    let result = compute(func, &arrays, return_type, len)?;
    Ok(if all_scalar {
        Value::scalar(result)
    } else {
        Value::Array(result)
    })
}

fn compute(
    func: ScalarFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    use ScalarFunction::*;
    let strings = |i: usize| as_strings(&args[i]);
    Ok(match func {
        Lower => map_strings(strings(0)?, |s| s.to_lowercase()),
        Upper => map_strings(strings(0)?, |s| s.to_uppercase()),
        Trim => map_strings(strings(0)?, |s| s.trim_matches(' ').to_string()),
        LTrim => map_strings(strings(0)?, |s| s.trim_start_matches(' ').to_string()),
        RTrim => map_strings(strings(0)?, |s| s.trim_end_matches(' ').to_string()),
        Length => Arc::new(
            strings(0)?
                .iter()
                .map(|s| s.map(|s| s.chars().count() as i32))
                .collect::<Int32Array>(),
        ),
        Substr => {
            let text = strings(0)?;
            let pos = args[1].as_primitive::<Int32Type>();
            let length = args.get(2).map(|a| a.as_primitive::<Int32Type>());
            Arc::new(
                (0..len)
                    .map(|i| {
                        if text.is_null(i) || pos.is_null(i) || length.is_some_and(|l| l.is_null(i))
                        {
                            return None;
                        }
                        let n = length.map_or(i32::MAX, |l| l.value(i));
                        Some(substring_sql(text.value(i), pos.value(i), n))
                    })
                    .collect::<StringArray>(),
            )
        }
        Concat => {
            let columns = (0..args.len()).map(strings).collect::<Result<Vec<_>>>()?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        let mut out = String::new();
                        for c in &columns {
                            if c.is_null(i) {
                                return None;
                            }
                            out.push_str(c.value(i));
                        }
                        Some(out)
                    })
                    .collect::<StringArray>(),
            )
        }
        ConcatWs => {
            let columns = (0..args.len()).map(strings).collect::<Result<Vec<_>>>()?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        let sep = columns[0];
                        if sep.is_null(i) {
                            return None;
                        }
                        let parts: Vec<&str> = columns[1..]
                            .iter()
                            .filter(|c| c.is_valid(i))
                            .map(|c| c.value(i))
                            .collect();
                        Some(parts.join(sep.value(i)))
                    })
                    .collect::<StringArray>(),
            )
        }
        Replace => {
            let (text, search) = (strings(0)?, strings(1)?);
            let replacement = args.get(2).map(|a| as_strings(a)).transpose()?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        if text.is_null(i)
                            || search.is_null(i)
                            || replacement.is_some_and(|r| r.is_null(i))
                        {
                            return None;
                        }
                        let with = replacement.map_or("", |r| r.value(i));
                        let search = search.value(i);
                        Some(if search.is_empty() {
                            text.value(i).to_string()
                        } else {
                            text.value(i).replace(search, with)
                        })
                    })
                    .collect::<StringArray>(),
            )
        }
        RegexpExtract => regexp_extract(strings(0)?, strings(1)?, args.get(2), len)?,
        RegexpReplace => {
            let (text, pattern, replacement) = (strings(0)?, strings(1)?, strings(2)?);
            let mut cache = RegexCache::default();
            Arc::new(
                (0..len)
                    .map(|i| {
                        if text.is_null(i) || pattern.is_null(i) || replacement.is_null(i) {
                            return Ok(None);
                        }
                        let regex = cache.get(pattern.value(i))?;
                        Ok(Some(
                            regex
                                .replace_all(text.value(i), replacement.value(i))
                                .into_owned(),
                        ))
                    })
                    .collect::<Result<StringArray>>()?,
            )
        }
        Split => {
            let (text, pattern) = (strings(0)?, strings(1)?);
            let limit = args.get(2).map(|a| a.as_primitive::<Int32Type>());
            let mut cache = RegexCache::default();
            let mut builder = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(
                arrow_schema::Field::new("element", DataType::Utf8, true),
            ));
            for i in 0..len {
                if text.is_null(i) || pattern.is_null(i) || limit.is_some_and(|l| l.is_null(i)) {
                    builder.append(false);
                    continue;
                }
                let regex = cache.get(pattern.value(i))?;
                let limit = limit.map_or(-1, |l| l.value(i));
                if limit > 0 {
                    for part in regex.splitn(text.value(i), limit as usize) {
                        builder.values().append_value(part);
                    }
                } else {
                    for part in regex.split(text.value(i)) {
                        builder.values().append_value(part);
                    }
                }
                builder.append(true);
            }
            Arc::new(builder.finish())
        }
        Abs => match return_type {
            DataType::Int32 => Arc::new(unary_i32(&args[0], i32::wrapping_abs)),
            DataType::Int64 => Arc::new(
                args[0]
                    .as_primitive::<Int64Type>()
                    .unary::<_, Int64Type>(i64::wrapping_abs),
            ),
            _ => Arc::new(
                args[0]
                    .as_primitive::<Float64Type>()
                    .unary::<_, Float64Type>(f64::abs),
            ),
        },
        Round => round(&args[0], args.get(1), return_type, len)?,
        Floor | Ceil => {
            let values = args[0].as_primitive::<Float64Type>();
            Arc::new(
                values
                    .iter()
                    .map(|v| {
                        let v = v?;
                        let r = if func == Floor { v.floor() } else { v.ceil() };
                        r.is_finite().then_some(r as i64)
                    })
                    .collect::<Int64Array>(),
            )
        }
        Sqrt => float_unary(&args[0], |v| Some(v.sqrt())),
        Exp => float_unary(&args[0], |v| Some(v.exp())),
        Ln => float_unary(&args[0], |v| (v > 0.0).then(|| v.ln())),
        Log10 => float_unary(&args[0], |v| (v > 0.0).then(|| v.log10())),
        Pow => {
            let (base, exponent) = (
                args[0].as_primitive::<Float64Type>(),
                args[1].as_primitive::<Float64Type>(),
            );
            Arc::new(
                base.iter()
                    .zip(exponent.iter())
                    .map(|(b, e)| Some(b?.powf(e?)))
                    .collect::<Float64Array>(),
            )
        }
        Year | Month | Day => {
            let days = args[0].as_primitive::<Date32Type>();
            Arc::new(
                days.iter()
                    .map(|d| {
                        let (y, m, day) = civil_from_days(d? as i64);
                        Some(match func {
                            Year => y as i32,
                            Month => m as i32,
                            _ => day as i32,
                        })
                    })
                    .collect::<Int32Array>(),
            )
        }
        DateTrunc => date_trunc(
            strings(0)?,
            args[1].as_primitive::<TimestampMicrosecondType>(),
            len,
        )?,
        DateDiff => {
            let (end, start) = (
                args[0].as_primitive::<Date32Type>(),
                args[1].as_primitive::<Date32Type>(),
            );
            Arc::new(
                end.iter()
                    .zip(start.iter())
                    .map(|(e, s)| Some(e?.wrapping_sub(s?)))
                    .collect::<Int32Array>(),
            )
        }
        DateAdd | DateSub => {
            let (dates, days) = (
                args[0].as_primitive::<Date32Type>(),
                args[1].as_primitive::<Int32Type>(),
            );
            let sign = if func == DateAdd { 1 } else { -1 };
            Arc::new(
                dates
                    .iter()
                    .zip(days.iter())
                    .map(|(d, n)| Some(d?.wrapping_add(sign * n?)))
                    .collect::<Date32Array>(),
            )
        }
        ToDate => to_date(&args[0], args.get(1), len)?,
        CurrentDate => Arc::new(Date32Array::from_value(crate::clock::today_days(), len)),
        Coalesce => {
            let mut result = Arc::clone(args.last().expect("coalesce has arguments"));
            for arg in args.iter().rev().skip(1) {
                let present = is_not_null(arg).map_err(kernel_error)?;
                result = zip(&present, arg, &result).map_err(kernel_error)?;
            }
            result
        }
        NullIf => {
            let equal = arrow_ord::cmp::eq(&args[0], &args[1]).map_err(kernel_error)?;
            arrow_select::nullif::nullif(&args[0], &equal).map_err(kernel_error)?
        }
        If => {
            let condition = nulls_as_false(as_boolean(&args[0])?);
            zip(&condition, &args[1], &args[2]).map_err(kernel_error)?
        }
        GetItem => get_item(
            args[0].as_list::<i32>(),
            args[1].as_primitive::<Int32Type>(),
            return_type,
        )?,
    })
}

fn map_strings(values: &StringArray, f: impl Fn(&str) -> String) -> ArrayRef {
    Arc::new(values.iter().map(|v| v.map(&f)).collect::<StringArray>())
}

fn unary_i32(array: &ArrayRef, f: fn(i32) -> i32) -> Int32Array {
    array.as_primitive::<Int32Type>().unary::<_, Int32Type>(f)
}

fn float_unary(array: &ArrayRef, f: impl Fn(f64) -> Option<f64>) -> ArrayRef {
    Arc::new(
        array
            .as_primitive::<Float64Type>()
            .iter()
            .map(|v| v.and_then(&f))
            .collect::<Float64Array>(),
    )
}

/// Spark's `substring(str, pos, len)`: characters, 1-based, a negative `pos` counts from
/// the end, `pos` 0 is 1.
fn substring_sql(text: &str, pos: i32, length: i32) -> String {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len() as i64;
    let start = match pos {
        p if p > 0 => p as i64 - 1,
        p if p < 0 => n + p as i64,
        _ => 0,
    };
    let end = if length == i32::MAX {
        n
    } else {
        start + length as i64
    };
    let start = start.max(0);
    let end = end.min(n);
    if start >= end {
        return String::new();
    }
    chars[start as usize..end as usize].iter().collect()
}

#[derive(Default)]
struct RegexCache {
    last: Option<(String, regex::Regex)>,
}

impl RegexCache {
    fn get(&mut self, pattern: &str) -> Result<&regex::Regex> {
        if self.last.as_ref().is_none_or(|(p, _)| p != pattern) {
            self.last = Some((pattern.to_string(), compile_regex(pattern)?));
        }
        Ok(&self.last.as_ref().expect("just set").1)
    }
}

fn regexp_extract(
    text: &StringArray,
    pattern: &StringArray,
    group: Option<&ArrayRef>,
    len: usize,
) -> Result<ArrayRef> {
    let group = group.map(|g| g.as_primitive::<Int32Type>());
    let mut cache = RegexCache::default();
    let values = (0..len)
        .map(|i| {
            if text.is_null(i) || pattern.is_null(i) || group.is_some_and(|g| g.is_null(i)) {
                return Ok(None);
            }
            let regex = cache.get(pattern.value(i))?;
            let index = group.map_or(1, |g| g.value(i));
            if index < 0 || index as usize >= regex.captures_len() {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    format!(
                        "regexp_extract: the pattern `{}` has {} groups, group {index} was asked for",
                        pattern.value(i),
                        regex.captures_len() - 1
                    ),
                ));
            }
            Ok(Some(
                regex
                    .captures(text.value(i))
                    .and_then(|c| c.get(index as usize))
                    .map_or(String::new(), |m| m.as_str().to_string()),
            ))
        })
        .collect::<Result<StringArray>>()?;
    Ok(Arc::new(values))
}

/// `round(x, d)`, half up (away from zero) on the decimal value, as Spark's `ROUND`.
fn round(
    values: &ArrayRef,
    digits: Option<&ArrayRef>,
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    let digits = digits.map(|d| d.as_primitive::<Int32Type>());
    let d = |i: usize| digits.map_or(Some(0), |a| a.is_valid(i).then(|| a.value(i)));
    Ok(match return_type {
        DataType::Float64 => {
            let v = values.as_primitive::<Float64Type>();
            Arc::new(
                (0..len)
                    .map(|i| Some(round_half_up(v.is_valid(i).then(|| v.value(i))?, d(i)?)))
                    .collect::<Float64Array>(),
            )
        }
        DataType::Int64 => {
            let v = values.as_primitive::<Int64Type>();
            Arc::new(
                (0..len)
                    .map(|i| Some(round_integer(v.is_valid(i).then(|| v.value(i))?, d(i)?)))
                    .collect::<Int64Array>(),
            )
        }
        _ => {
            let v = values.as_primitive::<Int32Type>();
            Arc::new(
                (0..len)
                    .map(|i| {
                        Some(round_integer(v.is_valid(i).then(|| v.value(i) as i64)?, d(i)?) as i32)
                    })
                    .collect::<Int32Array>(),
            )
        }
    })
}

fn round_integer(value: i64, digits: i32) -> i64 {
    if digits >= 0 {
        return value;
    }
    let Some(factor) = 10i64.checked_pow((-digits) as u32) else {
        return 0;
    };
    let half = factor / 2;
    let remainder = value % factor;
    let base = value - remainder;
    if remainder.abs() >= half {
        base.wrapping_add(remainder.signum() * factor)
    } else {
        base
    }
}

/// Rounds the shortest decimal form of `value` (what Spark's `BigDecimal(Double.toString)`
/// sees) half away from zero at `digits` places.
pub fn round_half_up(value: f64, digits: i32) -> f64 {
    if !value.is_finite() {
        return value;
    }
    let text = format!("{:e}", value.abs());
    let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digit_chars: Vec<u8> = mantissa
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    // value = 0.d1 d2 d3 ... × 10^(exponent + 1)
    let point = exponent + 1;
    let keep = point + digits;
    if keep < 0 {
        return 0.0 * value.signum();
    }
    let keep = keep as usize;
    if keep >= digit_chars.len() {
        return value;
    }
    let mut kept: Vec<u8> = digit_chars[..keep].to_vec();
    let mut scale_point = point;
    if digit_chars[keep] >= 5 {
        // Add one at the last kept digit, carrying.
        let mut i = kept.len();
        loop {
            if i == 0 {
                kept.insert(0, 1);
                scale_point += 1;
                break;
            }
            i -= 1;
            if kept[i] == 9 {
                kept[i] = 0;
            } else {
                kept[i] += 1;
                break;
            }
        }
    }
    let digits_text: String = kept.iter().map(|d| (b'0' + d) as char).collect();
    let magnitude: f64 = if digits_text.is_empty() {
        0.0
    } else {
        format!("0.{digits_text}e{scale_point}")
            .parse()
            .unwrap_or(0.0)
    };
    magnitude.copysign(value)
}

fn date_trunc(
    units: &StringArray,
    timestamps: &arrow_array::TimestampMicrosecondArray,
    len: usize,
) -> Result<ArrayRef> {
    let values = (0..len)
        .map(|i| {
            if units.is_null(i) || timestamps.is_null(i) {
                return Ok(None);
            }
            truncate_micros(&units.value(i).to_ascii_uppercase(), timestamps.value(i))
        })
        .collect::<Result<Vec<Option<i64>>>>()?;
    Ok(Arc::new(
        TimestampMicrosecondArray::from(values).with_timezone(SESSION_TIME_ZONE),
    ))
}

/// Spark's `date_trunc` units. An unknown unit is NULL in Spark; here it is an error
/// naming the units, which is more useful than a column of NULLs.
fn truncate_micros(unit: &str, micros: i64) -> Result<Option<i64>> {
    const DAY: i64 = 86_400_000_000;
    let days = micros.div_euclid(DAY);
    let (y, m, _) = civil_from_days(days);
    let at_day = |d: i64| Some(d * DAY);
    Ok(match unit {
        "YEAR" | "YYYY" | "YY" => at_day(days_from_civil(y, 1, 1)),
        "QUARTER" => at_day(days_from_civil(y, (m - 1) / 3 * 3 + 1, 1)),
        "MONTH" | "MM" | "MON" => at_day(days_from_civil(y, m, 1)),
        // 1970-01-01 was a Thursday; weeks start on Monday.
        "WEEK" => at_day(days - (days + 3).rem_euclid(7)),
        "DAY" | "DD" => at_day(days),
        "HOUR" => Some(micros - micros.rem_euclid(3_600_000_000)),
        "MINUTE" => Some(micros - micros.rem_euclid(60_000_000)),
        "SECOND" => Some(micros - micros.rem_euclid(1_000_000)),
        other => {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                format!("date_trunc: unknown unit `{other}` (use YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE or SECOND)"),
            ))
        }
    })
}

fn to_date(values: &ArrayRef, format: Option<&ArrayRef>, len: usize) -> Result<ArrayRef> {
    if values.data_type() != &DataType::Utf8 {
        return spark_cast(values, &DataType::Date32);
    }
    let text = as_strings(values)?;
    let format = format.map(as_strings).transpose()?;
    let parsed = (0..len)
        .map(|i| {
            if text.is_null(i) || format.is_some_and(|f| f.is_null(i)) {
                return None;
            }
            let value = text.value(i).trim();
            match format {
                None => {
                    let date = value.get(..10).filter(|_| {
                        value.len() == 10 || matches!(value.as_bytes().get(10), Some(b' ' | b'T'))
                    })?;
                    crate::io::csv::parse_date_literal(date)
                }
                Some(f) => parse_with_pattern(value, f.value(i)),
            }
        })
        .collect::<Date32Array>();
    Ok(Arc::new(parsed))
}

/// Parses a date with a Spark (Java) datetime pattern such as `dd/MM/yyyy`.
fn parse_with_pattern(value: &str, pattern: &str) -> Option<i32> {
    let mut chrono_pattern = String::new();
    let mut rest = pattern;
    while !rest.is_empty() {
        let (token, strf) = [
            ("yyyy", "%Y"),
            ("yy", "%y"),
            ("MM", "%m"),
            ("M", "%m"),
            ("dd", "%d"),
            ("d", "%d"),
            ("HH", "%H"),
            ("mm", "%M"),
            ("ss", "%S"),
        ]
        .into_iter()
        .find(|(token, _)| rest.starts_with(token))
        .unwrap_or_else(|| (&rest[..rest.chars().next().map_or(1, char::len_utf8)], ""));
        if strf.is_empty() {
            if token == "%" {
                chrono_pattern.push_str("%%");
            } else {
                chrono_pattern.push_str(token);
            }
        } else {
            chrono_pattern.push_str(strf);
        }
        rest = &rest[token.len()..];
    }
    let date = chrono::NaiveDate::parse_from_str(value, &chrono_pattern)
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(value, &chrono_pattern)
                .ok()
                .map(|dt| dt.date())
        })?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?;
    i32::try_from((date - epoch).num_days()).ok()
}

fn get_item(lists: &ListArray, index: &Int32Array, element: &DataType) -> Result<ArrayRef> {
    let offsets = lists.value_offsets();
    let indices: arrow_array::UInt32Array = (0..lists.len())
        .map(|i| {
            if lists.is_null(i) || index.is_null(i) {
                return None;
            }
            let (start, end) = (offsets[i] as i64, offsets[i + 1] as i64);
            let at = start + index.value(i) as i64;
            (index.value(i) >= 0 && at < end).then_some(at as u32)
        })
        .collect();
    if indices.null_count() == indices.len() {
        return Ok(new_null_array(element, lists.len()));
    }
    arrow_select::take::take(lists.values(), &indices, None).map_err(kernel_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_follows_spark() {
        assert_eq!(substring_sql("Spark SQL", 5, i32::MAX), "k SQL");
        assert_eq!(substring_sql("Spark SQL", -3, i32::MAX), "SQL");
        assert_eq!(substring_sql("Spark SQL", 5, 1), "k");
        assert_eq!(substring_sql("Spark SQL", 0, 2), "Sp");
        assert_eq!(substring_sql("abc", -5, 3), "a");
        assert_eq!(substring_sql("abc", 4, 1), "");
        assert_eq!(substring_sql("añb", 2, 1), "ñ");
    }

    #[test]
    fn rounds_half_up_on_the_decimal_value() {
        assert_eq!(round_half_up(2.5, 0), 3.0);
        assert_eq!(round_half_up(-2.5, 0), -3.0);
        assert_eq!(round_half_up(2.675, 2), 2.68);
        assert_eq!(round_half_up(1.005, 2), 1.01);
        assert_eq!(round_half_up(0.125, 2), 0.13);
        assert_eq!(round_half_up(9.995, 2), 10.0);
        assert_eq!(round_half_up(1234.5, -2), 1200.0);
        assert_eq!(round_half_up(0.0004, 2), 0.0);
        assert_eq!(round_integer(1250, -2), 1300);
        assert_eq!(round_integer(-1250, -2), -1300);
        assert_eq!(round_integer(1249, -2), 1200);
    }

    #[test]
    fn truncates_dates_like_spark() {
        let t = crate::io::csv::parse_timestamp_literal("2024-05-15 13:45:30.5").unwrap();
        let show = |u: &str| {
            crate::temporal::format_timestamp_micros(truncate_micros(u, t).unwrap().unwrap())
        };
        assert_eq!(show("YEAR"), "2024-01-01 00:00:00");
        assert_eq!(show("QUARTER"), "2024-04-01 00:00:00");
        assert_eq!(show("MONTH"), "2024-05-01 00:00:00");
        assert_eq!(show("WEEK"), "2024-05-13 00:00:00");
        assert_eq!(show("HOUR"), "2024-05-15 13:00:00");
        assert!(truncate_micros("FORTNIGHT", t).is_err());
        assert_eq!(parse_with_pattern("15/05/2024", "dd/MM/yyyy"), Some(19_858));
    }
}
