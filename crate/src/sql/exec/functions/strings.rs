//! String functions over Arrow columns, with Spark's semantics: positions are 1-based and
//! counted in characters, a NULL argument gives NULL (except where Spark says otherwise),
//! and bad input is NULL rather than an error where Spark gives NULL. Regular expressions
//! are in `regex`, bytes and encodings in `encoding` (base32 in `base32`, `hmac` in
//! `hmac`, `aes_encrypt` / `aes_decrypt` in `aes`), `format_*` in `format`,
//! `jaro_winkler_similarity` in `jaro_winkler`.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, Int32Array, StringArray};
use arrow_schema::DataType;

use super::columns::{
    as_strings, build_strings, char_index, ints, lists, longs, map_strings, too_long, Bytes,
    MAX_STRING_BYTES,
};
use super::format::format_string;
use crate::error::{Error, ErrorCode, Result};
use crate::sql::plan::functions::StringFunction;

pub fn compute(
    func: StringFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    use StringFunction::*;
    let strings = |i: usize| as_strings(&args[i]);
    Ok(match func {
        Lower => map_strings(strings(0)?, |s, out| {
            if s.is_ascii() {
                out.extend(s.bytes().map(|b| b.to_ascii_lowercase() as char));
            } else {
                out.push_str(&s.to_lowercase());
            }
        }),
        Upper => map_strings(strings(0)?, |s, out| {
            if s.is_ascii() {
                out.extend(s.bytes().map(|b| b.to_ascii_uppercase() as char));
            } else {
                out.push_str(&s.to_uppercase());
            }
        }),
        Initcap => map_strings(strings(0)?, initcap),
        Reverse => map_strings(strings(0)?, |s, out| out.extend(s.chars().rev())),
        Soundex => map_strings(strings(0)?, soundex),
        MakeValidUtf8 => Arc::clone(&args[0]),
        Quote => map_strings(strings(0)?, |s, out| {
            out.push('\'');
            for c in s.chars() {
                if c == '\'' || c == '\\' {
                    out.push('\\');
                }
                out.push(c);
            }
            out.push('\'');
        }),
        Trim | LTrim | RTrim => trim(func, strings(0)?, args.get(1), len)?,
        Length if args[0].data_type() == &DataType::Binary => {
            let bytes = Bytes::new(&args[0])?;
            Arc::new(
                (0..len)
                    .map(|i| bytes.get(i).map(|b| b.len() as i32))
                    .collect::<Int32Array>(),
            )
        }
        Length => Arc::new(
            strings(0)?
                .iter()
                .map(|s| s.map(|s| s.chars().count() as i32))
                .collect::<Int32Array>(),
        ),
        Ascii => Arc::new(
            strings(0)?
                .iter()
                .map(|s| s.map(|s| s.chars().next().map_or(0, |c| c as i32)))
                .collect::<Int32Array>(),
        ),
        BitLength | OctetLength => {
            let bytes = Bytes::new(&args[0])?;
            let unit = if func == BitLength { 8 } else { 1 };
            Arc::new(
                (0..len)
                    .map(|i| bytes.get(i).map(|b| b.len() as i32 * unit))
                    .collect::<Int32Array>(),
            )
        }
        IsValidUtf8 => Arc::new(
            strings(0)?
                .iter()
                .map(|s| s.map(|_| true))
                .collect::<BooleanArray>(),
        ),
        LuhnCheck => Arc::new(
            strings(0)?
                .iter()
                .map(|s| s.map(luhn))
                .collect::<BooleanArray>(),
        ),
        Substr => {
            let text = strings(0)?;
            let pos = ints(&args[1])?;
            let length = args.get(2).map(ints).transpose()?;
            build_strings(len, |i, out| {
                if text.is_null(i) || pos.is_null(i) || length.is_some_and(|l| l.is_null(i)) {
                    return Ok(false);
                }
                let n = length.map_or(i32::MAX, |l| l.value(i));
                out.push_str(substring_sql(text.value(i), pos.value(i), n));
                Ok(true)
            })?
        }
        Left | Right => {
            let (text, n) = (strings(0)?, ints(&args[1])?);
            build_strings(len, |i, out| {
                if text.is_null(i) || n.is_null(i) {
                    return Ok(false);
                }
                let n = n.value(i);
                if n > 0 {
                    let pos = if func == Left { 1 } else { -n };
                    out.push_str(substring_sql(text.value(i), pos, n));
                }
                Ok(true)
            })?
        }
        Concat => {
            let columns = (0..args.len()).map(strings).collect::<Result<Vec<_>>>()?;
            build_strings(len, |i, out| {
                for c in &columns {
                    if c.is_null(i) {
                        return Ok(false);
                    }
                    out.push_str(c.value(i));
                }
                Ok(true)
            })?
        }
        ConcatWs => concat_ws(args, len)?,
        Replace => {
            let (text, search) = (strings(0)?, strings(1)?);
            let replacement = args.get(2).map(as_strings).transpose()?;
            build_strings(len, |i, out| {
                if text.is_null(i) || search.is_null(i) || replacement.is_some_and(|r| r.is_null(i))
                {
                    return Ok(false);
                }
                let with = replacement.map_or("", |r| r.value(i));
                let search = search.value(i);
                if search.is_empty() {
                    out.push_str(text.value(i));
                } else {
                    out.push_str(&text.value(i).replace(search, with));
                }
                Ok(true)
            })?
        }
        SplitPart => {
            let (text, delimiter, part) = (strings(0)?, strings(1)?, ints(&args[2])?);
            build_strings(len, |i, out| {
                if text.is_null(i) || delimiter.is_null(i) || part.is_null(i) {
                    return Ok(false);
                }
                let part = part.value(i);
                if part == 0 {
                    return Err(Error::new(
                        ErrorCode::SqlExecution,
                        "split_part: the part number must not be 0 (parts count from 1, or from the end with negative numbers)",
                    ));
                }
                let (text, delimiter) = (text.value(i), delimiter.value(i));
                let found = if delimiter.is_empty() {
                    (part == 1 || part == -1).then_some(text)
                } else if part > 0 {
                    text.split(delimiter).nth(part as usize - 1)
                } else {
                    text.rsplit(delimiter).nth((-(part as i64)) as usize - 1)
                };
                out.push_str(found.unwrap_or(""));
                Ok(true)
            })?
        }
        SubstringIndex => {
            let (text, delimiter, count) = (strings(0)?, strings(1)?, ints(&args[2])?);
            build_strings(len, |i, out| {
                if text.is_null(i) || delimiter.is_null(i) || count.is_null(i) {
                    return Ok(false);
                }
                out.push_str(substring_index(text.value(i), delimiter.value(i), count.value(i)));
                Ok(true)
            })?
        }
        Instr => {
            let (text, search) = (strings(0)?, strings(1)?);
            Arc::new(
                (0..len)
                    .map(|i| {
                        if text.is_null(i) || search.is_null(i) {
                            return None;
                        }
                        Some(index_of(text.value(i), search.value(i), 0) + 1)
                    })
                    .collect::<Int32Array>(),
            )
        }
        Locate => {
            let (search, text) = (strings(0)?, strings(1)?);
            let start = args.get(2).map(ints).transpose()?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        // Spark (as Hive): a NULL start is 0, not NULL.
                        let start = match start {
                            Some(s) if s.is_null(i) => return Some(0),
                            Some(s) => s.value(i),
                            None => 1,
                        };
                        if text.is_null(i) || search.is_null(i) {
                            return None;
                        }
                        if start < 1 {
                            return Some(0);
                        }
                        Some(index_of(text.value(i), search.value(i), start as usize - 1) + 1)
                    })
                    .collect::<Int32Array>(),
            )
        }
        Lpad | Rpad => {
            let (text, length) = (strings(0)?, ints(&args[1])?);
            let pad = args.get(2).map(as_strings).transpose()?;
            build_strings(len, |i, out| {
                if text.is_null(i) || length.is_null(i) || pad.is_some_and(|p| p.is_null(i)) {
                    return Ok(false);
                }
                pad_string(
                    out,
                    text.value(i),
                    length.value(i),
                    pad.map_or(" ", |p| p.value(i)),
                    func == Lpad,
                )?;
                Ok(true)
            })?
        }
        Repeat => {
            let (text, times) = (strings(0)?, ints(&args[1])?);
            build_strings(len, |i, out| {
                if text.is_null(i) || times.is_null(i) {
                    return Ok(false);
                }
                let (text, times) = (text.value(i), times.value(i).max(0) as usize);
                if text.len().saturating_mul(times) > MAX_STRING_BYTES {
                    return Err(too_long("repeat"));
                }
                for _ in 0..times {
                    out.push_str(text);
                }
                Ok(true)
            })?
        }
        Space => {
            let n = ints(&args[0])?;
            build_strings(len, |i, out| {
                if n.is_null(i) {
                    return Ok(false);
                }
                let n = n.value(i).max(0) as usize;
                if n > MAX_STRING_BYTES {
                    return Err(too_long("space"));
                }
                out.extend(std::iter::repeat_n(' ', n));
                Ok(true)
            })?
        }
        Translate => {
            let (text, from, to) = (strings(0)?, strings(1)?, strings(2)?);
            let mut table: Option<(String, String, Translation)> = None;
            build_strings(len, |i, out| {
                if text.is_null(i) || from.is_null(i) || to.is_null(i) {
                    return Ok(false);
                }
                let (f, t) = (from.value(i), to.value(i));
                if table.as_ref().is_none_or(|(pf, pt, _)| pf != f || pt != t) {
                    table = Some((f.to_string(), t.to_string(), translation(f, t)));
                }
                let map = &table.as_ref().expect("just set").2;
                for c in text.value(i).chars() {
                    match map.iter().find(|(k, _)| *k == c) {
                        Some((_, Some(to))) => out.push(*to),
                        Some((_, None)) => {}
                        None => out.push(c),
                    }
                }
                Ok(true)
            })?
        }
        Chr => {
            let codes = longs(&args[0])?;
            build_strings(len, |i, out| {
                if codes.is_null(i) {
                    return Ok(false);
                }
                let code = codes.value(i);
                if code >= 0 {
                    out.push(char::from((code & 0xFF) as u8));
                }
                Ok(true)
            })?
        }
        Levenshtein => {
            let (a, b) = (strings(0)?, strings(1)?);
            let threshold = args.get(2).map(ints).transpose()?;
            let mut row = Vec::new();
            let values = (0..len)
                .map(|i| {
                    if a.is_null(i) || b.is_null(i) || threshold.is_some_and(|t| t.is_null(i)) {
                        return None;
                    }
                    let d = levenshtein(a.value(i), b.value(i), &mut row) as i32;
                    Some(match threshold {
                        Some(t) if d > t.value(i) => -1,
                        _ => d,
                    })
                })
                .collect::<Int32Array>();
            Arc::new(values)
        }
        StartsWith | EndsWith | Contains => {
            let (text, search) = (strings(0)?, strings(1)?);
            Arc::new(
                (0..len)
                    .map(|i| {
                        if text.is_null(i) || search.is_null(i) {
                            return None;
                        }
                        let (t, s) = (text.value(i), search.value(i));
                        Some(match func {
                            StartsWith => t.starts_with(s),
                            EndsWith => t.ends_with(s),
                            _ => t.contains(s),
                        })
                    })
                    .collect::<BooleanArray>(),
            )
        }
        Overlay => {
            let (text, replacement, pos) = (strings(0)?, strings(1)?, ints(&args[2])?);
            let length = args.get(3).map(ints).transpose()?;
            build_strings(len, |i, out| {
                if text.is_null(i)
                    || replacement.is_null(i)
                    || pos.is_null(i)
                    || length.is_some_and(|l| l.is_null(i))
                {
                    return Ok(false);
                }
                let (t, r, p) = (text.value(i), replacement.value(i), pos.value(i));
                let n = match length.map_or(-1, |l| l.value(i)) {
                    n if n >= 0 => n,
                    _ => r.chars().count() as i32,
                };
                out.push_str(substring_sql(t, 1, p.saturating_sub(1)));
                out.push_str(r);
                out.push_str(substring_sql(t, p.saturating_add(n), i32::MAX));
                Ok(true)
            })?
        }
        FindInSet => {
            let (item, list) = (strings(0)?, strings(1)?);
            Arc::new(
                (0..len)
                    .map(|i| {
                        if item.is_null(i) || list.is_null(i) {
                            return None;
                        }
                        let item = item.value(i);
                        if item.contains(',') {
                            return Some(0);
                        }
                        Some(
                            list.value(i)
                                .split(',')
                                .position(|p| p == item)
                                .map_or(0, |p| p as i32 + 1),
                        )
                    })
                    .collect::<Int32Array>(),
            )
        }
        Elt => {
            let index = ints(&args[0])?;
            let columns = (1..args.len()).map(strings).collect::<Result<Vec<_>>>()?;
            build_strings(len, |i, out| {
                if index.is_null(i) {
                    return Ok(false);
                }
                let n = index.value(i);
                match usize::try_from(n).ok().filter(|n| *n >= 1).and_then(|n| columns.get(n - 1)) {
                    Some(c) if c.is_valid(i) => {
                        out.push_str(c.value(i));
                        Ok(true)
                    }
                    _ => Ok(false),
                }
            })?
        }
        RegexpExtract | RegexpExtractAll | RegexpReplace | RegexpCount | RegexpInstr
        | RegexpSubstr | Split => super::regex::compute(func, args, len)?,
        Sentences => super::sentences::sentences(args, len)?,
        ToBase32 => super::base32::to_base32(&args[0], len)?,
        FromBase32 => super::base32::from_base32(&args[0], len)?,
        Hmac => super::hmac::hmac(args, len)?,
        AesEncrypt => super::aes::aes_encrypt(args, len)?,
        AesDecrypt => super::aes::aes_decrypt(args, len, false)?,
        TryAesDecrypt => super::aes::aes_decrypt(args, len, true)?,
        JaroWinklerSimilarity => super::jaro_winkler::jaro_winkler(args, len)?,
        Base64 | Unbase64 | Hex | Unhex | Bin | Md5 | Sha1 | Sha2 | Crc32 | UrlEncode | UrlDecode
        | TryUrlDecode | Encode | Decode | ToBinary | TryToBinary => {
            super::encoding::compute(func, args, len)?
        }
        Mask => {
            let text = strings(0)?;
            let replacement = (1..5)
                .map(|k| args.get(k).map(as_strings).transpose())
                .collect::<Result<Vec<_>>>()?;
            let defaults = [Some('X'), Some('x'), Some('n'), None];
            build_strings(len, |i, out| {
                if text.is_null(i) {
                    return Ok(false);
                }
                let mut with = defaults;
                for (k, r) in replacement.iter().enumerate() {
                    if let Some(r) = r {
                        with[k] = if r.is_null(i) {
                            None
                        } else {
                            r.value(i).chars().next()
                        };
                    }
                }
                for c in text.value(i).chars() {
                    let class = if c.is_uppercase() {
                        0
                    } else if c.is_lowercase() {
                        1
                    } else if c.is_ascii_digit() {
                        2
                    } else {
                        3
                    };
                    out.push(with[class].unwrap_or(c));
                }
                Ok(true)
            })?
        }
        ParseUrl => {
            let (url, part) = (strings(0)?, strings(1)?);
            let key = args.get(2).map(as_strings).transpose()?;
            build_strings(len, |i, out| {
                if url.is_null(i) || part.is_null(i) || key.is_some_and(|k| k.is_null(i)) {
                    return Ok(false);
                }
                let found = parse_url(url.value(i), part.value(i), key.map(|k| k.value(i)));
                Ok(found.map(|v| out.push_str(v)).is_some())
            })?
        }
        GetJsonObject | JsonTuple | JsonArrayLength | JsonObjectKeys => {
            super::json::compute(func, args, len)?
        },
        ToJson => super::to_json::to_json(&args[0], args.get(1), len)?,
        FromJson => super::from_json::from_json(&args[0], return_type, args.get(1), len)?,
        SchemaOfJson => super::schema_of_json::schema_of_json(&args[0], args.get(1), len)?,
        FromCsv => super::csv_text::from_csv(&args[0], return_type, args.get(1), len)?,
        ToCsv => super::csv_text::to_csv(&args[0], args.get(1), len)?,
        SchemaOfCsv => super::csv_text::schema_of_csv(&args[0], args.get(1), len)?,
        FormatNumber => super::format::format_number(&args[0], &args[1], len)?,
        FormatString => format_string(args, len)?,
    })
    .and_then(|array: ArrayRef| {
        if array.data_type() == return_type {
            Ok(array)
        } else {
            Err(Error::new(
                ErrorCode::Internal,
                format!(
                    "{} computed {}, its signature says {return_type}",
                    func.name(),
                    array.data_type()
                ),
            ))
        }
    })
}

/// One argument of `concat_ws` after the separator: strings, or arrays of strings.
enum Joined<'a> {
    Text(&'a StringArray),
    Arrays(&'a arrow_array::ListArray, &'a StringArray),
}

/// `concat_ws(sep, ...)`: the strings and the elements of the arrays, in order, joined by
/// the separator; NULL strings, NULL arrays and NULL elements are skipped (an empty or
/// all-NULL array adds nothing). NULL only where the separator is.
fn concat_ws(args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let separator = as_strings(&args[0])?;
    let arrays = args[1..]
        .iter()
        .map(|a| {
            matches!(a.data_type(), DataType::List(_))
                .then(|| lists(a))
                .transpose()
        })
        .collect::<Result<Vec<_>>>()?;
    let parts = args[1..]
        .iter()
        .zip(&arrays)
        .map(|(arg, array)| {
            Ok(match array {
                Some(list) => Joined::Arrays(list, as_strings(list.values())?),
                None => Joined::Text(as_strings(arg)?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    build_strings(len, |i, out| {
        if separator.is_null(i) {
            return Ok(false);
        }
        let separator = separator.value(i);
        let mut first = true;
        let mut push = |s: &str, out: &mut String| {
            if !first {
                out.push_str(separator);
            }
            out.push_str(s);
            first = false;
        };
        for part in &parts {
            match part {
                Joined::Text(t) => {
                    if t.is_valid(i) {
                        push(t.value(i), out);
                    }
                }
                Joined::Arrays(list, values) => {
                    if list.is_valid(i) {
                        let offsets = list.value_offsets();
                        for k in offsets[i] as usize..offsets[i + 1] as usize {
                            if values.is_valid(k) {
                                push(values.value(k), out);
                            }
                        }
                    }
                }
            }
            if out.len() > MAX_STRING_BYTES {
                return Err(too_long("concat_ws"));
            }
        }
        Ok(true)
    })
}

/// Spark's `substring(str, pos, len)`: characters, 1-based, a negative `pos` counts from
/// the end, `pos` 0 is 1.
pub fn substring_sql(text: &str, pos: i32, length: i32) -> &str {
    let n = text.chars().count() as i64;
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
    let (start, end) = (start.max(0), end.min(n));
    if start >= end {
        return "";
    }
    let byte_at = |c: i64| -> usize {
        text.char_indices()
            .nth(c as usize)
            .map_or(text.len(), |(b, _)| b)
    };
    if text.is_ascii() {
        &text[start as usize..end as usize]
    } else {
        &text[byte_at(start)..byte_at(end)]
    }
}

/// Spark's `UTF8String.indexOf(v, start)`: the character position of `search` at or after
/// character `start`, -1 if absent; an empty `search` is found at 0.
fn index_of(text: &str, search: &str, start: usize) -> i32 {
    if search.is_empty() {
        return 0;
    }
    let from = match text.char_indices().nth(start) {
        Some((b, _)) => b,
        None => return -1,
    };
    match text[from..].find(search) {
        Some(b) => char_index(text, from + b) as i32,
        None => -1,
    }
}

/// The parts of a URL as Java's `java.net.URI` splits it.
struct Url<'a> {
    protocol: Option<&'a str>,
    authority: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
    fragment: Option<&'a str>,
}

fn split_url(url: &str) -> Option<Url<'_>> {
    // java.net.URI refuses spaces and a few other characters anywhere.
    if url.chars().any(|c| {
        c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
    }) {
        return None;
    }
    let (rest, fragment) = match url.split_once('#') {
        Some((r, f)) => (r, Some(f)),
        None => (url, None),
    };
    let (protocol, rest) = match rest.find(':') {
        Some(at)
            if at > 0
                && rest[..at]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && rest.starts_with(|c: char| c.is_ascii_alphabetic()) =>
        {
            (Some(&rest[..at]), &rest[at + 1..])
        }
        _ => (None, rest),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, Some(q)),
        None => (rest, None),
    };
    let (authority, path) = match rest.strip_prefix("//") {
        Some(r) => {
            let end = r.find('/').unwrap_or(r.len());
            (Some(&r[..end]), &r[end..])
        }
        None => (None, rest),
    };
    Some(Url {
        protocol,
        authority,
        path,
        query,
        fragment,
    })
}

/// Spark's `parse_url(url, part[, key])`: `HOST`, `PATH`, `QUERY` (or one key of it),
/// `REF`, `PROTOCOL`, `FILE`, `AUTHORITY`, `USERINFO`; NULL when absent or invalid.
fn parse_url<'a>(url: &'a str, part: &str, key: Option<&str>) -> Option<&'a str> {
    let u = split_url(url)?;
    let userinfo = u.authority.and_then(|a| a.rsplit_once('@').map(|(i, _)| i));
    let host = u.authority.map(|a| {
        let h = a.rsplit_once('@').map_or(a, |(_, h)| h);
        if h.starts_with('[') {
            h.find(']').map_or(h, |e| &h[..=e])
        } else {
            h.rsplit_once(':').map_or(h, |(h, _)| h)
        }
    });
    match (part, key) {
        ("HOST", None) => host.filter(|h| !h.is_empty()),
        ("PATH", None) => Some(u.path),
        ("QUERY", None) => u.query,
        ("QUERY", Some(k)) => u.query?.split('&').find_map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (name == k).then_some(value)
        }),
        ("REF", None) => u.fragment,
        ("PROTOCOL", None) => u.protocol,
        // The path and the query: they follow each other in the text.
        ("FILE", None) => Some(match u.query {
            Some(q) => {
                let start = u.path.as_ptr() as usize - url.as_ptr() as usize;
                &url[start..start + u.path.len() + 1 + q.len()]
            }
            None => u.path,
        }),
        ("AUTHORITY", None) => u.authority,
        ("USERINFO", None) => userinfo,
        _ => None,
    }
}

/// Spark's `initcap`: lower case, then the first letter of each space-separated word in
/// title case.
fn initcap(text: &str, out: &mut String) {
    let mut after_space = true;
    for c in text.chars() {
        if after_space {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        after_space = c == ' ';
    }
}

/// Spark's `soundex` (American Soundex on ASCII letters; a string not starting with a
/// letter is returned as it is).
fn soundex(text: &str, out: &mut String) {
    const CODES: &[u8; 26] = b"01230127022455012623017202";
    let bytes = text.as_bytes();
    let Some(&first) = bytes.first() else {
        return;
    };
    let first = first.to_ascii_uppercase();
    if !first.is_ascii_uppercase() {
        out.push_str(text);
        return;
    }
    let mut code = [b'0'; 4];
    code[0] = first;
    let mut filled = 1;
    let mut last = CODES[(first - b'A') as usize];
    for &b in &bytes[1..] {
        let b = b.to_ascii_uppercase();
        if !b.is_ascii_uppercase() {
            last = b'0';
            continue;
        }
        let c = CODES[(b - b'A') as usize];
        if c == b'7' {
            continue;
        }
        if c != b'0' && c != last {
            code[filled] = c;
            filled += 1;
            if filled > 3 {
                break;
            }
        }
        last = c;
    }
    out.extend(code.iter().map(|&b| b as char));
}

fn luhn(text: &str) -> bool {
    if text.is_empty() {
        return false;
    }
    let mut sum = 0u32;
    for (k, c) in text.chars().rev().enumerate() {
        let Some(mut d) = c.to_digit(10) else {
            return false;
        };
        if k % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

fn trim(
    func: StringFunction,
    text: &StringArray,
    characters: Option<&ArrayRef>,
    len: usize,
) -> Result<ArrayRef> {
    let characters = characters.map(as_strings).transpose()?;
    build_strings(len, |i, out| {
        if text.is_null(i) || characters.is_some_and(|c| c.is_null(i)) {
            return Ok(false);
        }
        let set = characters.map_or(" ", |c| c.value(i));
        let strip = |c: char| set.contains(c);
        let t = text.value(i);
        out.push_str(match func {
            StringFunction::LTrim => t.trim_start_matches(strip),
            StringFunction::RTrim => t.trim_end_matches(strip),
            _ => t.trim_matches(strip),
        });
        Ok(true)
    })
}

/// Spark's `lpad` / `rpad`: pads with `pad` repeated to `length` characters, or cuts the
/// string to `length`.
fn pad_string(out: &mut String, text: &str, length: i32, pad: &str, left: bool) -> Result<()> {
    let n = text.chars().count() as i64;
    let length = length as i64;
    if length <= n || pad.is_empty() {
        out.push_str(substring_sql(text, 1, length.max(0) as i32));
        return Ok(());
    }
    if length as usize > MAX_STRING_BYTES {
        return Err(too_long(if left { "lpad" } else { "rpad" }));
    }
    let filler = pad.chars().cycle().take((length - n) as usize);
    if left {
        out.extend(filler);
        out.push_str(text);
    } else {
        out.push_str(text);
        out.extend(filler);
    }
    Ok(())
}

/// Each character to translate, and what it becomes (nothing: deleted).
type Translation = Vec<(char, Option<char>)>;

/// `translate`'s table: each character of `from` to the one at its place in `to`, or to
/// nothing when `to` is shorter; the first occurrence of a repeated character wins.
fn translation(from: &str, to: &str) -> Translation {
    let mut to = to.chars();
    let mut table: Translation = Vec::new();
    for c in from.chars() {
        let target = to.next();
        if !table.iter().any(|(k, _)| *k == c) {
            table.push((c, target));
        }
    }
    table
}

/// Spark's `substring_index`: before the `count`-th delimiter (after it, counted from the
/// end, when `count` is negative). Occurrences are searched one byte on, as Spark does.
fn substring_index<'a>(text: &'a str, delimiter: &str, count: i32) -> &'a str {
    if count == 0 || delimiter.is_empty() {
        return "";
    }
    let (bytes, d) = (text.as_bytes(), delimiter.as_bytes());
    let matches_at = |i: usize| bytes.len() >= i + d.len() && &bytes[i..i + d.len()] == d;
    if count > 0 {
        let mut idx: isize = -1;
        let mut left = count;
        while left > 0 {
            let from = (idx + 1) as usize;
            match (from..bytes.len()).find(|&i| matches_at(i)) {
                Some(found) => {
                    idx = found as isize;
                    left -= 1;
                }
                None => return text,
            }
        }
        &text[..idx as usize]
    } else {
        let mut idx = bytes.len() as isize - d.len() as isize + 1;
        let mut left = -(count as i64);
        while left > 0 {
            let to = idx - 1;
            match (0..=to.max(-1))
                .rev()
                .find(|&i| i >= 0 && matches_at(i as usize))
            {
                Some(found) => {
                    idx = found;
                    left -= 1;
                }
                None => return text,
            }
        }
        &text[idx as usize + d.len()..]
    }
}

/// Edit distance in characters (insertions, deletions and substitutions cost 1).
fn levenshtein(a: &str, b: &str, row: &mut Vec<usize>) -> usize {
    let b: Vec<char> = b.chars().collect();
    row.clear();
    row.extend(0..=b.len());
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(above).min(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
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
    fn substring_index_counts_from_either_end() {
        assert_eq!(substring_index("www.apache.org", ".", 2), "www.apache");
        assert_eq!(substring_index("www.apache.org", ".", -2), "apache.org");
        assert_eq!(substring_index("www.apache.org", ".", 5), "www.apache.org");
        assert_eq!(substring_index("www.apache.org", "", 1), "");
        assert_eq!(substring_index("aaa", "aa", 2), "a");
    }

    #[test]
    fn soundex_and_luhn() {
        let mut s = String::new();
        soundex("Miller", &mut s);
        assert_eq!(s, "M460");
        assert!(luhn("79927398713"));
        assert!(!luhn("79927398710"));
    }
}
