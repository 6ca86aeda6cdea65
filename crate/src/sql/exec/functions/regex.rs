//! Regular expression functions (`regexp_extract`, `regexp_extract_all`,
//! `regexp_replace`, `regexp_count`, `regexp_instr`, `regexp_substr`, `split`), with Rust's
//! `regex` crate for Java's patterns (the common constructs agree; look-around and
//! backreferences are refused with an error naming the pattern). As in Spark, a group
//! number is checked only when the pattern matches.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Int32Array, StringArray};

use super::columns::{
    as_strings, build_strings, char_index, ints, string_list_builder, RegexCache,
};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::plan::functions::StringFunction;

pub fn compute(func: StringFunction, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    use StringFunction::*;
    let strings = |i: usize| as_strings(&args[i]);
    Ok(match func {
        RegexpExtract => regexp_extract(strings(0)?, strings(1)?, args.get(2), len)?,
        RegexpExtractAll => regexp_extract_all(strings(0)?, strings(1)?, args.get(2), len)?,
        RegexpReplace => {
            let (text, pattern, replacement) = (strings(0)?, strings(1)?, strings(2)?);
            let position = args.get(3).map(ints).transpose()?;
            let mut cache = RegexCache::default();
            build_strings(len, |i, out| {
                if text.is_null(i)
                    || pattern.is_null(i)
                    || replacement.is_null(i)
                    || position.is_some_and(|p| p.is_null(i))
                {
                    return Ok(false);
                }
                let regex = cache.get(pattern.value(i))?;
                let text = text.value(i);
                let from = position.map_or(1, |p| p.value(i));
                if from < 1 {
                    return Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!("regexp_replace: the position must be at least 1, got {from}"),
                    ));
                }
                let split = text
                    .char_indices()
                    .nth(from as usize - 1)
                    .map_or(text.len(), |(b, _)| b);
                out.push_str(&text[..split]);
                let with = java_replacement(replacement.value(i), regex.captures_len() - 1);
                out.push_str(&regex.replace_all(&text[split..], with.as_str()));
                Ok(true)
            })?
        }
        RegexpCount | RegexpInstr => {
            let (text, pattern) = (strings(0)?, strings(1)?);
            let group = args.get(2).map(ints).transpose()?;
            let mut cache = RegexCache::default();
            let values = (0..len)
                .map(|i| {
                    if text.is_null(i) || pattern.is_null(i) || group.is_some_and(|g| g.is_null(i))
                    {
                        return Ok(None);
                    }
                    let regex = cache.get(pattern.value(i))?;
                    let text = text.value(i);
                    if func == RegexpCount {
                        return Ok(Some(regex.find_iter(text).count() as i32));
                    }
                    // As Spark, the group is checked only when the pattern matches.
                    let Some(captures) = regex.captures(text) else {
                        return Ok(Some(0));
                    };
                    let index =
                        checked_group(regex, pattern.value(i), group.map_or(0, |g| g.value(i)))?;
                    Ok(Some(
                        captures
                            .get(index)
                            .map_or(0, |m| char_index(text, m.start()) as i32 + 1),
                    ))
                })
                .collect::<Result<Int32Array>>()?;
            Arc::new(values)
        }
        RegexpSubstr => {
            let (text, pattern) = (strings(0)?, strings(1)?);
            let mut cache = RegexCache::default();
            build_strings(len, |i, out| {
                if text.is_null(i) || pattern.is_null(i) {
                    return Ok(false);
                }
                match cache.get(pattern.value(i))?.find(text.value(i)) {
                    Some(m) => {
                        out.push_str(m.as_str());
                        Ok(true)
                    }
                    None => Ok(false),
                }
            })?
        }
        Split => split(strings(0)?, strings(1)?, args.get(2), len)?,
        other => {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("{} is not a regular expression function", other.name()),
            ))
        }
    })
}

fn checked_group(regex: &regex::Regex, pattern: &str, index: i32) -> Result<usize> {
    if index < 0 || index as usize >= regex.captures_len() {
        return Err(Error::new(
            ErrorCode::SqlExecution,
            format!(
                "the pattern `{pattern}` has {} groups, group {index} was asked for",
                regex.captures_len() - 1
            ),
        ));
    }
    Ok(index as usize)
}

fn regexp_extract(
    text: &StringArray,
    pattern: &StringArray,
    group: Option<&ArrayRef>,
    len: usize,
) -> Result<ArrayRef> {
    let group = group.map(ints).transpose()?;
    let mut cache = RegexCache::default();
    build_strings(len, |i, out| {
        if text.is_null(i) || pattern.is_null(i) || group.is_some_and(|g| g.is_null(i)) {
            return Ok(false);
        }
        let regex = cache.get(pattern.value(i))?;
        // As Spark, the group is checked only when the pattern matches.
        let Some(captures) = regex.captures(text.value(i)) else {
            return Ok(true);
        };
        let index = checked_group(regex, pattern.value(i), group.map_or(1, |g| g.value(i)))
            .map_err(|e| {
                Error::new(
                    ErrorCode::SqlExecution,
                    format!("regexp_extract: {}", e.message()),
                )
            })?;
        if let Some(m) = captures.get(index) {
            out.push_str(m.as_str());
        }
        Ok(true)
    })
}

fn regexp_extract_all(
    text: &StringArray,
    pattern: &StringArray,
    group: Option<&ArrayRef>,
    len: usize,
) -> Result<ArrayRef> {
    let group = group.map(ints).transpose()?;
    let mut cache = RegexCache::default();
    let mut builder = string_list_builder();
    for i in 0..len {
        if text.is_null(i) || pattern.is_null(i) || group.is_some_and(|g| g.is_null(i)) {
            builder.append(false);
            continue;
        }
        let regex = cache.get(pattern.value(i))?;
        for captures in regex.captures_iter(text.value(i)) {
            // As Spark, the group is checked only when the pattern matches.
            let index = checked_group(regex, pattern.value(i), group.map_or(1, |g| g.value(i)))?;
            builder
                .values()
                .append_value(captures.get(index).map_or("", |m| m.as_str()));
        }
        builder.append(true);
    }
    Ok(Arc::new(builder.finish()))
}

fn split(
    text: &StringArray,
    pattern: &StringArray,
    limit: Option<&ArrayRef>,
    len: usize,
) -> Result<ArrayRef> {
    let limit = limit.map(ints).transpose()?;
    let mut cache = RegexCache::default();
    let mut builder = string_list_builder();
    for i in 0..len {
        if text.is_null(i) || pattern.is_null(i) || limit.is_some_and(|l| l.is_null(i)) {
            builder.append(false);
            continue;
        }
        let limit = limit.map_or(-1, |l| l.value(i));
        let (t, p) = (text.value(i), pattern.value(i));
        if p.is_empty() {
            // Spark splits on an empty pattern into characters.
            let mut count = 0;
            if t.is_empty() {
                builder.values().append_value("");
            }
            for (at, c) in t.char_indices() {
                count += 1;
                if limit > 0 && count == limit {
                    builder.values().append_value(&t[at..]);
                    break;
                }
                builder.values().append_value(&t[at..at + c.len_utf8()]);
            }
            builder.append(true);
            continue;
        }
        let regex = cache.get(p)?;
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
    Ok(Arc::new(builder.finish()))
}

/// A Java replacement string (`$1`, `${name}`, `\$` for a dollar) in the `regex` crate's
/// syntax. As in Java, `$12` is group 12 only if the pattern has that many groups, else
/// group 1 followed by `2`.
fn java_replacement(replacement: &str, groups: usize) -> String {
    let mut out = String::with_capacity(replacement.len() + 4);
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('$') => out.push_str("$$"),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '$' if chars.peek().is_some_and(char::is_ascii_digit) => {
                let mut number = chars.next().and_then(|d| d.to_digit(10)).unwrap_or(0) as usize;
                while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    let wider = number * 10 + d as usize;
                    if wider > groups {
                        break;
                    }
                    number = wider;
                    chars.next();
                }
                out.push_str(&format!("${{{number}}}"));
            }
            '$' if chars.peek() == Some(&'{') => out.push('$'),
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out
}
