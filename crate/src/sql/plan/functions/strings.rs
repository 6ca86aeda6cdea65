//! String functions: names and Spark's argument and result types. Positions are 1-based
//! and counted in characters, as in Spark.

use std::sync::Arc;

use arrow_schema::{DataType, Field};

use super::signature::{name_table, Args, Signature};
use crate::error::Result;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringFunction {
    Lower,
    Upper,
    Length,
    Substr,
    /// `trim(str[, chars])`: both ends; spaces unless characters are given.
    Trim,
    LTrim,
    RTrim,
    Concat,
    ConcatWs,
    Replace,
    RegexpExtract,
    RegexpExtractAll,
    /// `sentences(str[, language, country])`: words per sentence, as Java's
    /// `BreakIterator` cuts them (an `array<array<string>>`).
    Sentences,
    RegexpReplace,
    RegexpCount,
    RegexpInstr,
    RegexpSubstr,
    Split,
    SplitPart,
    SubstringIndex,
    Instr,
    /// `locate(substr, str[, pos])`, also `position`.
    Locate,
    Lpad,
    Rpad,
    Initcap,
    Reverse,
    Repeat,
    Translate,
    Left,
    Right,
    Ascii,
    Chr,
    Base64,
    Unbase64,
    /// `to_base32(binary)`: RFC 4648 with `=` padding.
    ToBase32,
    /// `from_base32(string)`: lenient as Spark's decoder (case ignored, other characters
    /// skipped, the first `=` ends the text, leftover bits decoded anyway).
    FromBase32,
    Hex,
    Unhex,
    Md5,
    Sha1,
    Sha2,
    Crc32,
    /// `hmac(key, message[, algorithm])`: the first argument is the key (an empty one is an
    /// error, as in Spark), the algorithm SHA-256 unless named.
    Hmac,
    /// `aes_encrypt(input, key[, mode[, padding[, iv[, aad]]]])`: AES in GCM (the
    /// default), CBC or ECB, the IV leading the output (a random one unless given).
    AesEncrypt,
    /// `aes_decrypt(input, key[, mode[, padding[, aad]]])`: what `aes_encrypt` wrote.
    AesDecrypt,
    /// `try_aes_decrypt`: `aes_decrypt`, NULL where it fails (where an argument fails
    /// too: `plan::try_eval` wraps the call in a try).
    TryAesDecrypt,
    Levenshtein,
    /// Jaro-Winkler similarity over UTF-16 code units, as Spark's (Java strings).
    JaroWinklerSimilarity,
    Soundex,
    StartsWith,
    EndsWith,
    Contains,
    Overlay,
    FormatNumber,
    FormatString,
    BitLength,
    OctetLength,
    Space,
    FindInSet,
    Elt,
    LuhnCheck,
    Bin,
    IsValidUtf8,
    MakeValidUtf8,
    Quote,
    UrlEncode,
    UrlDecode,
    TryUrlDecode,
    Mask,
    Encode,
    Decode,
    ToBinary,
    TryToBinary,
    GetJsonObject,
    /// `json_tuple(json, k1, ..., kn)` as a struct of the fields' strings (`c0`, ...): the
    /// argument the `json_tuple` generator spreads into columns (not callable by name).
    JsonTuple,
    JsonArrayLength,
    JsonObjectKeys,
    /// `to_json(struct | map | array)`: Spark's compact JSON text.
    ToJson,
    /// `from_json(text, 'schema')`: planned by `plan::json_schema`, which sets the
    /// result type from the schema; the signature types only the text.
    FromJson,
    /// `schema_of_json('<json>')`: the DDL of the type Spark infers for the text.
    SchemaOfJson,
    /// `from_csv(text, 'schema'[, options])`: planned by `plan::text_functions`, which
    /// sets the result type from the schema; the signature types the text and options.
    FromCsv,
    /// `to_csv(struct[, options])`: one CSV record.
    ToCsv,
    /// `schema_of_csv('<csv>'[, options])`: the DDL of the struct Spark infers.
    SchemaOfCsv,
    ParseUrl,
}

use StringFunction::*;

const NAMES: &[(&str, StringFunction)] = &[
    ("lower", Lower),
    ("lcase", Lower),
    ("upper", Upper),
    ("ucase", Upper),
    ("length", Length),
    ("char_length", Length),
    ("character_length", Length),
    ("len", Length),
    ("substr", Substr),
    ("substring", Substr),
    ("trim", Trim),
    ("btrim", Trim),
    ("ltrim", LTrim),
    ("rtrim", RTrim),
    ("concat", Concat),
    ("concat_ws", ConcatWs),
    ("replace", Replace),
    ("regexp_extract", RegexpExtract),
    ("regexp_extract_all", RegexpExtractAll),
    ("sentences", Sentences),
    ("regexp_replace", RegexpReplace),
    ("regexp_count", RegexpCount),
    ("regexp_instr", RegexpInstr),
    ("regexp_substr", RegexpSubstr),
    ("split", Split),
    ("split_part", SplitPart),
    ("substring_index", SubstringIndex),
    ("instr", Instr),
    ("locate", Locate),
    ("position", Locate),
    ("lpad", Lpad),
    ("rpad", Rpad),
    ("initcap", Initcap),
    ("reverse", Reverse),
    ("repeat", Repeat),
    ("translate", Translate),
    ("left", Left),
    ("right", Right),
    ("ascii", Ascii),
    ("chr", Chr),
    ("char", Chr),
    ("base64", Base64),
    ("unbase64", Unbase64),
    ("to_base32", ToBase32),
    ("from_base32", FromBase32),
    ("hex", Hex),
    ("unhex", Unhex),
    ("md5", Md5),
    ("sha1", Sha1),
    ("sha", Sha1),
    ("sha2", Sha2),
    ("crc32", Crc32),
    ("hmac", Hmac),
    ("aes_encrypt", AesEncrypt),
    ("aes_decrypt", AesDecrypt),
    ("try_aes_decrypt", TryAesDecrypt),
    ("levenshtein", Levenshtein),
    ("jaro_winkler_similarity", JaroWinklerSimilarity),
    ("soundex", Soundex),
    ("startswith", StartsWith),
    ("endswith", EndsWith),
    ("contains", Contains),
    ("overlay", Overlay),
    ("format_number", FormatNumber),
    ("format_string", FormatString),
    ("printf", FormatString),
    ("bit_length", BitLength),
    ("octet_length", OctetLength),
    ("space", Space),
    ("find_in_set", FindInSet),
    ("elt", Elt),
    ("luhn_check", LuhnCheck),
    ("bin", Bin),
    ("is_valid_utf8", IsValidUtf8),
    ("make_valid_utf8", MakeValidUtf8),
    ("validate_utf8", MakeValidUtf8),
    ("try_validate_utf8", MakeValidUtf8),
    ("quote", Quote),
    ("url_encode", UrlEncode),
    ("url_decode", UrlDecode),
    ("try_url_decode", TryUrlDecode),
    ("mask", Mask),
    ("encode", Encode),
    ("decode", Decode),
    ("to_binary", ToBinary),
    ("try_to_binary", TryToBinary),
    ("get_json_object", GetJsonObject),
    // A generator's name: planned by `plan::generate` (a call in an expression is refused
    // before this table is read), named here for messages and EXPLAIN.
    ("json_tuple", JsonTuple),
    ("json_array_length", JsonArrayLength),
    ("json_object_keys", JsonObjectKeys),
    ("to_json", ToJson),
    ("from_json", FromJson),
    ("schema_of_json", SchemaOfJson),
    ("from_csv", FromCsv),
    ("to_csv", ToCsv),
    ("schema_of_csv", SchemaOfCsv),
    ("parse_url", ParseUrl),
    ("try_parse_url", ParseUrl),
];

fn string_list() -> DataType {
    DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)))
}

name_table!(StringFunction, NAMES);

impl StringFunction {
    pub fn signature(self, a: &Args) -> Result<Signature> {
        use DataType::*;
        let n = a.len();
        match self {
            Lower | Upper | Initcap | Reverse | Soundex | MakeValidUtf8 | Quote | UrlEncode
            | UrlDecode | TryUrlDecode => {
                a.arity(1, 1)?;
                Signature::new(a.strings(1)?, Utf8)
            }
            Trim | LTrim | RTrim => {
                a.arity(1, 2)?;
                Signature::new(a.strings(n)?, Utf8)
            }
            // A binary's length is its bytes, as in Spark.
            Length => {
                a.arity(1, 1)?;
                Signature::new(vec![a.bytes(0)?], Int32)
            }
            Ascii => {
                a.arity(1, 1)?;
                Signature::new(a.strings(1)?, Int32)
            }
            BitLength | OctetLength => {
                a.arity(1, 1)?;
                Signature::new(vec![a.bytes(0)?], Int32)
            }
            IsValidUtf8 | LuhnCheck => {
                a.arity(1, 1)?;
                Signature::new(a.strings(1)?, Boolean)
            }
            Substr => {
                a.arity(2, 3)?;
                let mut types = vec![a.string(0)?, a.integer(1)?];
                if n == 3 {
                    types.push(a.integer(2)?);
                }
                Signature::new(types, Utf8)
            }
            Concat => {
                a.arity(1, usize::MAX)?;
                Signature::new(a.strings(n)?, Utf8)
            }
            // After the separator, strings and arrays of strings (their elements joined,
            // NULL ones skipped); an array of other scalars is cast to one of strings, as
            // Spark casts it.
            ConcatWs => {
                a.arity(1, usize::MAX)?;
                let mut types = vec![a.string(0)?];
                for i in 1..n {
                    types.push(match &a.types[i] {
                        List(element)
                            if !matches!(
                                element.data_type(),
                                List(_) | LargeList(_) | Struct(_) | Map(_, _)
                            ) =>
                        {
                            string_list()
                        }
                        t @ (List(_) | LargeList(_)) => {
                            return Err(a.error(i, "a string or an array of strings", t))
                        }
                        _ => a.string(i)?,
                    });
                }
                Signature::new(types, Utf8)
            }
            Replace => {
                a.arity(2, 3)?;
                Signature::new(a.strings(n)?, Utf8)
            }
            Sentences => {
                a.arity(1, 3)?;
                Signature::new(
                    a.strings(n)?,
                    DataType::List(Arc::new(Field::new("element", string_list(), true))),
                )
            }
            RegexpExtract | RegexpExtractAll | RegexpInstr => {
                a.arity(2, 3)?;
                let mut types = a.strings(2)?;
                if n == 3 {
                    types.push(a.integer(2)?);
                }
                let result = match self {
                    RegexpExtract => Utf8,
                    RegexpInstr => Int32,
                    _ => string_list(),
                };
                Signature::new(types, result)
            }
            RegexpReplace => {
                a.arity(3, 4)?;
                let mut types = a.strings(3)?;
                if n == 4 {
                    types.push(a.integer(3)?);
                }
                Signature::new(types, Utf8)
            }
            RegexpCount => {
                a.arity(2, 2)?;
                Signature::new(a.strings(2)?, Int32)
            }
            RegexpSubstr => {
                a.arity(2, 2)?;
                Signature::new(a.strings(2)?, Utf8)
            }
            Split => {
                a.arity(2, 3)?;
                let mut types = a.strings(2)?;
                if n == 3 {
                    types.push(a.integer(2)?);
                }
                Signature::new(types, string_list())
            }
            SplitPart => {
                a.arity(3, 3)?;
                Signature::new(vec![a.string(0)?, a.string(1)?, a.integer(2)?], Utf8)
            }
            SubstringIndex => {
                a.arity(3, 3)?;
                Signature::new(vec![a.string(0)?, a.string(1)?, a.integer(2)?], Utf8)
            }
            Instr | FindInSet => {
                a.arity(2, 2)?;
                Signature::new(a.strings(2)?, Int32)
            }
            Locate => {
                a.arity(2, 3)?;
                let mut types = a.strings(2)?;
                if n == 3 {
                    types.push(a.integer(2)?);
                }
                Signature::new(types, Int32)
            }
            Lpad | Rpad => {
                a.arity(2, 3)?;
                let mut types = vec![a.string(0)?, a.integer(1)?];
                if n == 3 {
                    types.push(a.string(2)?);
                }
                Signature::new(types, Utf8)
            }
            Repeat | Left | Right => {
                a.arity(2, 2)?;
                Signature::new(vec![a.string(0)?, a.integer(1)?], Utf8)
            }
            Translate => {
                a.arity(3, 3)?;
                Signature::new(a.strings(3)?, Utf8)
            }
            Chr => {
                a.arity(1, 1)?;
                Signature::new(vec![a.long(0)?], Utf8)
            }
            Space => {
                a.arity(1, 1)?;
                Signature::new(vec![a.integer(0)?], Utf8)
            }
            Base64 | Md5 | Sha1 => {
                a.arity(1, 1)?;
                Signature::new(vec![a.bytes(0)?], Utf8)
            }
            Sha2 => {
                a.arity(2, 2)?;
                Signature::new(vec![a.bytes(0)?, a.integer(1)?], Utf8)
            }
            Crc32 => {
                a.arity(1, 1)?;
                Signature::new(vec![a.bytes(0)?], Int64)
            }
            ToBase32 => {
                a.arity(1, 1)?;
                Signature::new(vec![a.binary(0)?], Utf8)
            }
            FromBase32 => {
                a.arity(1, 1)?;
                Signature::new(a.strings(1)?, Binary)
            }
            // The input, the key, the IV and the AAD are bytes; the mode and the padding
            // are text.
            AesEncrypt | AesDecrypt | TryAesDecrypt => {
                a.arity(2, if self == AesEncrypt { 6 } else { 5 })?;
                let types = (0..n)
                    .map(|i| {
                        if i == 2 || i == 3 {
                            a.string(i)
                        } else {
                            a.binary(i)
                        }
                    })
                    .collect::<Result<Vec<_>>>()?;
                Signature::new(types, Binary)
            }
            Hmac => {
                a.arity(2, 3)?;
                let mut types = vec![a.binary(0)?, a.binary(1)?];
                if n == 3 {
                    types.push(a.string(2)?);
                }
                Signature::new(types, Binary)
            }
            JaroWinklerSimilarity => {
                a.arity(2, 2)?;
                Signature::new(a.strings(2)?, Float64)
            }
            Unbase64 | Unhex => {
                a.arity(1, 1)?;
                Signature::new(a.strings(1)?, Binary)
            }
            Hex => {
                a.arity(1, 1)?;
                let t = &a.types[0];
                let arg = if crate::sql::types::is_integer(t) {
                    Int64
                } else {
                    a.bytes(0)?
                };
                Signature::new(vec![arg], Utf8)
            }
            Bin => {
                a.arity(1, 1)?;
                Signature::new(vec![a.long(0)?], Utf8)
            }
            Levenshtein => {
                a.arity(2, 3)?;
                let mut types = a.strings(2)?;
                if n == 3 {
                    types.push(a.integer(2)?);
                }
                Signature::new(types, Int32)
            }
            StartsWith | EndsWith | Contains => {
                a.arity(2, 2)?;
                Signature::new(a.strings(2)?, Boolean)
            }
            Overlay => {
                a.arity(3, 4)?;
                let mut types = vec![a.string(0)?, a.string(1)?, a.integer(2)?];
                if n == 4 {
                    types.push(a.integer(3)?);
                }
                Signature::new(types, Utf8)
            }
            FormatNumber => {
                a.arity(2, 2)?;
                let t = &a.types[0];
                if !(crate::sql::types::is_numeric(t) || t == &Null) {
                    return Err(a.error(0, "a number", t));
                }
                Signature::new(vec![Float64, a.integer(1)?], Utf8)
            }
            FormatString => {
                a.arity(1, usize::MAX)?;
                // The values keep their types: `%d` needs an integer, `%s` any value.
                let mut types = vec![a.string(0)?];
                for t in &a.types[1..] {
                    types.push(match t {
                        Int8 | Int16 | Int32 | UInt8 | UInt16 => Int32,
                        Int64 | UInt32 | UInt64 => Int64,
                        Float16 | Float32 | Float64 | Decimal128(_, _) => Float64,
                        Boolean => Boolean,
                        Null => Null,
                        // Spark formats a date's days and a timestamp's microseconds.
                        Date32 => Int32,
                        Timestamp(_, _) => Int64,
                        _ => Utf8,
                    });
                }
                Signature::new(types, Utf8)
            }
            Mask => {
                a.arity(1, 5)?;
                Signature::new(a.strings(n)?, Utf8)
            }
            Encode => {
                a.arity(2, 2)?;
                Signature::new(a.strings(2)?, Binary)
            }
            Decode => {
                a.arity(2, 2)?;
                Signature::new(vec![a.bytes(0)?, a.string(1)?], Utf8)
            }
            ToBinary | TryToBinary => {
                a.arity(1, 2)?;
                Signature::new(a.strings(n)?, Binary)
            }
            GetJsonObject => {
                a.arity(2, 2)?;
                Signature::new(a.strings(2)?, Utf8)
            }
            JsonTuple => {
                a.arity(2, usize::MAX)?;
                let fields: Vec<Field> = (0..n - 1)
                    .map(|i| Field::new(format!("c{i}"), Utf8, true))
                    .collect();
                Signature::new(a.strings(n)?, Struct(fields.into()))
            }
            ParseUrl => {
                a.arity(2, 3)?;
                Signature::new(a.strings(n)?, Utf8)
            }
            JsonArrayLength => {
                a.arity(1, 1)?;
                Signature::new(a.strings(1)?, Int32)
            }
            JsonObjectKeys => {
                a.arity(1, 1)?;
                Signature::new(a.strings(1)?, string_list())
            }
            // The options map (checked by `plan::text_functions`) passes as it is.
            FromJson => {
                a.arity(1, 2)?;
                let mut types = vec![a.string(0)?];
                types.extend(a.types.get(1).cloned());
                Signature::new(types, Utf8)
            }
            // The options map (checked by `plan::text_functions`) passes as it is.
            SchemaOfJson => {
                a.arity(1, 2)?;
                let mut types = vec![a.string(0)?];
                types.extend(a.types.get(1).cloned());
                Signature::new(types, Utf8)
            }
            ToJson => {
                a.arity(1, 2)?;
                let t = &a.types[0];
                if !matches!(t, List(_) | Struct(_) | Map(_, _)) {
                    return Err(a.error(0, "a struct, an array or a map", t));
                }
                if !super::json_writable(t) {
                    return Err(crate::error::Error::unsupported(format!(
                        "to_json of {}: a field of a type Brasa does not write as JSON",
                        crate::frame::spark_type_name(t)
                    )));
                }
                let mut types = vec![t.clone()];
                types.extend(a.types.get(1).cloned());
                Signature::new(types, Utf8)
            }
            // The options map (checked by `plan::text_functions`) passes as it is.
            FromCsv | SchemaOfCsv => {
                a.arity(1, 2)?;
                let mut types = vec![a.string(0)?];
                types.extend(a.types.get(1).cloned());
                Signature::new(types, Utf8)
            }
            ToCsv => {
                a.arity(1, 2)?;
                let t = &a.types[0];
                if !matches!(t, Struct(_) | Null) {
                    return Err(a.error(0, "a struct", t));
                }
                let mut types = vec![t.clone()];
                types.extend(a.types.get(1).cloned());
                Signature::new(types, Utf8)
            }
            Elt => {
                a.arity(2, usize::MAX)?;
                let mut types = vec![a.integer(0)?];
                for i in 1..n {
                    types.push(a.string(i)?);
                }
                Signature::new(types, Utf8)
            }
        }
    }
}
