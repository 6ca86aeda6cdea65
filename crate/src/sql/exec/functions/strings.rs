//! String functions over Arrow columns, with Spark's semantics: positions are 1-based and
//! counted in characters, a NULL argument gives NULL (except where Spark says otherwise),
//! and bad input (an unknown `sha2` width, invalid hex) is NULL rather than an error.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::{BinaryBuilder, ListBuilder, StringBuilder};
use arrow_array::{Array, ArrayRef, BooleanArray, Int32Array, Int64Array, StringArray};
use arrow_schema::{DataType, Field};
use base64::Engine as _;

use super::columns::{
    as_strings, build_strings, char_index, ints, longs, too_long, Bytes, RegexCache,
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
        Lower => map_strings(strings(0)?, |s, out| out.push_str(&s.to_lowercase())),
        Upper => map_strings(strings(0)?, |s, out| out.push_str(&s.to_uppercase())),
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
        ConcatWs => {
            let columns = (0..args.len()).map(strings).collect::<Result<Vec<_>>>()?;
            build_strings(len, |i, out| {
                let sep = columns[0];
                if sep.is_null(i) {
                    return Ok(false);
                }
                let mut first = true;
                for c in columns[1..].iter().filter(|c| c.is_valid(i)) {
                    if !first {
                        out.push_str(sep.value(i));
                    }
                    out.push_str(c.value(i));
                    first = false;
                }
                Ok(true)
            })?
        }
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
                out.push_str(&regex.replace_all(&text[split..], replacement.value(i)));
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
                    Ok(Some(captures.get(index).map_or(0, |m| {
                        char_index(text, m.start()) as i32 + 1
                    })))
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
        Base64 => {
            let bytes = Bytes::new(&args[0])?;
            build_strings(len, |i, out| {
                let Some(b) = bytes.get(i) else {
                    return Ok(false);
                };
                base64::engine::general_purpose::STANDARD.encode_string(b, out);
                Ok(true)
            })?
        }
        Unbase64 => {
            let text = strings(0)?;
            let mut builder = BinaryBuilder::new();
            let mut cleaned = Vec::new();
            let mut decoded = Vec::new();
            for i in 0..len {
                if text.is_null(i) {
                    builder.append_null();
                    continue;
                }
                cleaned.clear();
                cleaned.extend(text.value(i).bytes().filter(|b| !b.is_ascii_whitespace()));
                decoded.clear();
                match base64::engine::general_purpose::STANDARD
                    .decode_vec(&cleaned, &mut decoded)
                {
                    Ok(()) => builder.append_value(&decoded),
                    Err(_) => builder.append_null(),
                }
            }
            Arc::new(builder.finish())
        }
        Hex => {
            if args[0].data_type() == &DataType::Int64 {
                let values = longs(&args[0])?;
                build_strings(len, |i, out| {
                    if values.is_null(i) {
                        return Ok(false);
                    }
                    let _ = write!(out, "{:X}", values.value(i) as u64);
                    Ok(true)
                })?
            } else {
                let bytes = Bytes::new(&args[0])?;
                build_strings(len, |i, out| {
                    let Some(b) = bytes.get(i) else {
                        return Ok(false);
                    };
                    for byte in b {
                        let _ = write!(out, "{byte:02X}");
                    }
                    Ok(true)
                })?
            }
        }
        Unhex => {
            let text = strings(0)?;
            let mut builder = BinaryBuilder::new();
            let mut decoded = Vec::new();
            for i in 0..len {
                if text.is_valid(i) && unhex(text.value(i), &mut decoded) {
                    builder.append_value(&decoded);
                } else {
                    builder.append_null();
                }
            }
            Arc::new(builder.finish())
        }
        Bin => {
            let values = longs(&args[0])?;
            build_strings(len, |i, out| {
                if values.is_null(i) {
                    return Ok(false);
                }
                let _ = write!(out, "{:b}", values.value(i) as u64);
                Ok(true)
            })?
        }
        Md5 | Sha1 => {
            let bytes = Bytes::new(&args[0])?;
            build_strings(len, |i, out| {
                let Some(b) = bytes.get(i) else {
                    return Ok(false);
                };
                if func == Md5 {
                    hex_lower(out, &<md5::Md5 as md5::Digest>::digest(b));
                } else {
                    hex_lower(out, &<sha1::Sha1 as sha1::Digest>::digest(b));
                }
                Ok(true)
            })?
        }
        Sha2 => {
            use sha2::Digest;
            let (bytes, bits) = (Bytes::new(&args[0])?, ints(&args[1])?);
            build_strings(len, |i, out| {
                let Some(b) = bytes.get(i) else {
                    return Ok(false);
                };
                if bits.is_null(i) {
                    return Ok(false);
                }
                match bits.value(i) {
                    224 => hex_lower(out, &sha2::Sha224::digest(b)),
                    0 | 256 => hex_lower(out, &sha2::Sha256::digest(b)),
                    384 => hex_lower(out, &sha2::Sha384::digest(b)),
                    512 => hex_lower(out, &sha2::Sha512::digest(b)),
                    _ => return Ok(false),
                }
                Ok(true)
            })?
        }
        Crc32 => {
            let bytes = Bytes::new(&args[0])?;
            Arc::new(
                (0..len)
                    .map(|i| bytes.get(i).map(|b| crc32fast::hash(b) as i64))
                    .collect::<Int64Array>(),
            )
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
        UrlEncode => map_strings(strings(0)?, url_encode),
        UrlDecode | TryUrlDecode => {
            let text = strings(0)?;
            let mut bytes = Vec::new();
            build_strings(len, |i, out| {
                if text.is_null(i) {
                    return Ok(false);
                }
                if url_decode(text.value(i), &mut bytes, out) {
                    Ok(true)
                } else if func == TryUrlDecode {
                    Ok(false)
                } else {
                    Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!("url_decode: `{}` is not URL-encoded text", text.value(i)),
                    ))
                }
            })?
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
        Encode => {
            let (text, charset) = (strings(0)?, strings(1)?);
            let mut builder = BinaryBuilder::new();
            let mut bytes = Vec::new();
            for i in 0..len {
                if text.is_null(i) || charset.is_null(i) {
                    builder.append_null();
                    continue;
                }
                encode(text.value(i), charset.value(i), &mut bytes)?;
                builder.append_value(&bytes);
            }
            Arc::new(builder.finish())
        }
        Decode => {
            let (bytes, charset) = (Bytes::new(&args[0])?, strings(1)?);
            build_strings(len, |i, out| {
                let Some(b) = bytes.get(i) else {
                    return Ok(false);
                };
                if charset.is_null(i) {
                    return Ok(false);
                }
                decode(b, charset.value(i), out)?;
                Ok(true)
            })?
        }
        ToBinary | TryToBinary => {
            let text = strings(0)?;
            let format = args.get(1).map(as_strings).transpose()?;
            let mut builder = BinaryBuilder::new();
            let mut bytes = Vec::new();
            for i in 0..len {
                if text.is_null(i) || format.is_some_and(|f| f.is_null(i)) {
                    builder.append_null();
                    continue;
                }
                let format = format.map_or("hex", |f| f.value(i)).to_ascii_lowercase();
                let t = text.value(i);
                let ok = match format.as_str() {
                    "hex" => unhex(t, &mut bytes),
                    "utf-8" | "utf8" => {
                        bytes.clear();
                        bytes.extend_from_slice(t.as_bytes());
                        true
                    }
                    "base64" => {
                        bytes.clear();
                        base64::engine::general_purpose::STANDARD
                            .decode_vec(t, &mut bytes)
                            .is_ok()
                    }
                    other => {
                        return Err(Error::new(
                            ErrorCode::SqlExecution,
                            format!("to_binary: unknown format `{other}` (use 'hex', 'utf-8' or 'base64')"),
                        ))
                    }
                };
                if ok {
                    builder.append_value(&bytes);
                } else if func == TryToBinary {
                    builder.append_null();
                } else {
                    return Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!("to_binary: `{t}` is not valid {format}"),
                    ));
                }
            }
            Arc::new(builder.finish())
        }
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

/// A string column through a function writing each value into a reused buffer.
fn map_strings(values: &StringArray, f: impl Fn(&str, &mut String)) -> ArrayRef {
    let mut builder = StringBuilder::with_capacity(values.len(), values.value_data().len());
    let mut buffer = String::new();
    for v in values.iter() {
        match v {
            Some(v) => {
                buffer.clear();
                f(v, &mut buffer);
                builder.append_value(&buffer);
            }
            None => builder.append_null(),
        }
    }
    Arc::new(builder.finish())
}

fn hex_lower(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
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

/// Hex digits to bytes (an odd count has an implied leading 0); false if a digit is not
/// hexadecimal.
fn unhex(text: &str, out: &mut Vec<u8>) -> bool {
    out.clear();
    let digits = text.as_bytes();
    let value = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut i = 0;
    if digits.len() % 2 == 1 {
        match value(digits[0]) {
            Some(d) => out.push(d),
            None => return false,
        }
        i = 1;
    }
    while i < digits.len() {
        match (value(digits[i]), value(digits[i + 1])) {
            (Some(h), Some(l)) => out.push(h << 4 | l),
            _ => return false,
        }
        i += 2;
    }
    true
}

/// Java's `URLEncoder.encode(s, "UTF-8")`: letters, digits and `.-*_` stay, a space is
/// `+`, any other byte is `%XX`.
fn url_encode(text: &str, out: &mut String) {
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
}

/// Java's `URLDecoder.decode(s, "UTF-8")`; false for a bad `%` escape.
fn url_decode(text: &str, bytes: &mut Vec<u8>, out: &mut String) -> bool {
    bytes.clear();
    let raw = text.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => bytes.push(b' '),
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => bytes.push(b),
                    None => return false,
                }
                i += 2;
            }
            b => bytes.push(b),
        }
        i += 1;
    }
    out.push_str(&String::from_utf8_lossy(bytes));
    true
}

fn unknown_charset(function: &str, charset: &str) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!("{function}: unknown character set `{charset}` (use UTF-8, US-ASCII, ISO-8859-1, UTF-16, UTF-16BE or UTF-16LE)"),
    )
}

/// `encode(str, charset)`; a character the charset lacks is an error, as in Spark 4.
fn encode(text: &str, charset: &str, out: &mut Vec<u8>) -> Result<()> {
    out.clear();
    match charset.to_ascii_uppercase().as_str() {
        "UTF-8" | "UTF8" => out.extend_from_slice(text.as_bytes()),
        "US-ASCII" | "ISO-8859-1" | "LATIN1" => {
            let limit = if charset.eq_ignore_ascii_case("US-ASCII") {
                0x80
            } else {
                0x100
            };
            for c in text.chars() {
                if (c as u32) >= limit {
                    return Err(Error::new(
                        ErrorCode::SqlExecution,
                        format!("encode: `{c}` has no code in {charset}"),
                    ));
                }
                out.push(c as u8);
            }
        }
        "UTF-16BE" | "UTF-16" => {
            if charset.eq_ignore_ascii_case("UTF-16") {
                out.extend_from_slice(&[0xFE, 0xFF]);
            }
            for unit in text.encode_utf16() {
                out.extend_from_slice(&unit.to_be_bytes());
            }
        }
        "UTF-16LE" => {
            for unit in text.encode_utf16() {
                out.extend_from_slice(&unit.to_le_bytes());
            }
        }
        _ => return Err(unknown_charset("encode", charset)),
    }
    Ok(())
}

/// `decode(bin, charset)`; bytes that are not valid in the charset are an error, as in
/// Spark 4.
fn decode(bytes: &[u8], charset: &str, out: &mut String) -> Result<()> {
    let malformed = || {
        Error::new(
            ErrorCode::SqlExecution,
            format!("decode: the bytes are not valid {charset}"),
        )
    };
    let utf16 = |big: bool, data: &[u8], out: &mut String| -> Result<()> {
        if data.len() % 2 == 1 {
            return Err(malformed());
        }
        let units = data.chunks_exact(2).map(|c| {
            if big {
                u16::from_be_bytes([c[0], c[1]])
            } else {
                u16::from_le_bytes([c[0], c[1]])
            }
        });
        for c in char::decode_utf16(units) {
            out.push(c.map_err(|_| malformed())?);
        }
        Ok(())
    };
    match charset.to_ascii_uppercase().as_str() {
        "UTF-8" | "UTF8" => out.push_str(std::str::from_utf8(bytes).map_err(|_| malformed())?),
        "US-ASCII" => {
            if !bytes.is_ascii() {
                return Err(malformed());
            }
            out.extend(bytes.iter().map(|&b| b as char));
        }
        "ISO-8859-1" | "LATIN1" => out.extend(bytes.iter().map(|&b| b as char)),
        "UTF-16BE" => utf16(true, bytes, out)?,
        "UTF-16LE" => utf16(false, bytes, out)?,
        "UTF-16" => match bytes {
            [0xFF, 0xFE, rest @ ..] => utf16(false, rest, out)?,
            [0xFE, 0xFF, rest @ ..] => utf16(true, rest, out)?,
            _ => utf16(true, bytes, out)?,
        },
        _ => return Err(unknown_charset("decode", charset)),
    }
    Ok(())
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
    let mut builder = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "element",
        DataType::Utf8,
        true,
    )));
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
    let mut builder = ListBuilder::new(StringBuilder::new()).with_field(Arc::new(Field::new(
        "element",
        DataType::Utf8,
        true,
    )));
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
    Ok(Arc::new(builder.finish()))
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
