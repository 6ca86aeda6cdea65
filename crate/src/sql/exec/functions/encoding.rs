//! Bytes and encodings: `base64` / `unbase64`, `hex` / `unhex`, `bin`, `md5`, `sha1`,
//! `sha2`, `crc32`, `url_encode` / `url_decode`, `encode` / `decode` with a character set,
//! `to_binary`. Invalid input is NULL where Spark gives NULL (`unhex('GG')`, `sha2` of an
//! unknown width, the `try_` forms) and an error where Spark raises one.

use std::fmt::Write as _;
use std::sync::Arc;

use arrow_array::builder::BinaryBuilder;
use arrow_array::{Array, ArrayRef, Int64Array};
use arrow_schema::DataType;
use base64::Engine as _;

use super::columns::{as_strings, build_strings, ints, longs, map_strings, Bytes};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::plan::functions::StringFunction;

pub fn compute(func: StringFunction, args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    use StringFunction::*;
    let strings = |i: usize| as_strings(&args[i]);
    Ok(match func {
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
                match base64::engine::general_purpose::STANDARD.decode_vec(&cleaned, &mut decoded) {
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
                            format!(
                            "to_binary: unknown format `{other}` (use 'hex', 'utf-8' or 'base64')"
                        ),
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
        other => {
            return Err(Error::new(
                ErrorCode::Internal,
                format!("{} is not a bytes or encoding function", other.name()),
            ))
        }
    })
}

fn hex_lower(out: &mut String, bytes: &[u8]) {
    for b in bytes {
        let _ = write!(out, "{b:02x}");
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
            // Java's UTF-16 encoder writes its byte-order mark before the first unit, so
            // the empty string stays empty.
            if charset.eq_ignore_ascii_case("UTF-16") && !text.is_empty() {
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
