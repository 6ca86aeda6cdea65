//! `aes_encrypt(input, key[, mode[, padding[, iv[, aad]]]])`, `aes_decrypt(input, key[,
//! mode[, padding[, aad]]])` and `try_aes_decrypt` as Spark 4 computes them (Java's
//! `javax.crypto` underneath), with RustCrypto's AES:
//!
//! - the key has 16, 24 or 32 bytes (AES-128, -192, -256), else `AES_KEY_LENGTH`;
//! - the mode is `GCM` (the default), `CBC` or `ECB` and the padding `DEFAULT`, `NONE` only
//!   with GCM, `PKCS` only with CBC and ECB (any case), else `AES_MODE`;
//! - GCM writes the 12-byte IV, the ciphertext and the 16-byte tag; CBC the 16-byte IV and
//!   the PKCS#7-padded ciphertext (Java's PKCS5Padding); ECB the padded ciphertext alone;
//! - an IV that is absent or empty is drawn at random (the system's cryptographic source,
//!   the browser's `crypto.getRandomValues` in wasm) for each row computed, as Spark draws
//!   one for each call (a call on constants is computed once, as Spark folds it); a given IV must have the mode's length (`AES_IV_LENGTH`), and ECB
//!   takes none (`AES_MODE_IV`); AAD (authenticated, not encrypted) is GCM's only
//!   (`AES_MODE_AAD`; ECB's decryption ignores it, as Spark's does);
//! - a NULL argument gives NULL before any check; the checks come in Spark's order: key,
//!   mode, IV, AAD;
//! - a decryption that fails (wrong key, altered data, bad length) is `AES_CRYPTO_ERROR`
//!   with Java's message; `try_aes_decrypt` gives NULL in each row where `aes_decrypt`
//!   would fail, whatever the failure (Spark's `TryEval`; `plan::try_eval` makes an
//!   argument's failure NULL too).

use std::sync::Arc;

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockDecryptMut, BlockEncryptMut, KeyInit, KeyIvInit};
use aes_gcm::aead::consts::U12;
use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::{AeadInPlace, AesGcm};
use arrow_array::builder::BinaryBuilder;
use arrow_array::{Array, ArrayRef, StringArray};

use super::columns::{as_strings, Bytes};
use crate::error::{Error, ErrorCode, Result};

const GCM_IV: usize = 12;
const GCM_TAG: usize = 16;
const BLOCK: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Ecb,
    Cbc,
    Gcm,
}

impl Mode {
    /// Spark's pairs of mode and padding (in any case); anything else is `AES_MODE`,
    /// which names them as written.
    fn parse(mode: &str, padding: &str) -> Result<Mode> {
        let is = |text: &str, name: &str| text.eq_ignore_ascii_case(name);
        let (none, pkcs, default) = (
            is(padding, "NONE"),
            is(padding, "PKCS"),
            is(padding, "DEFAULT"),
        );
        if is(mode, "ECB") && (pkcs || default) {
            Ok(Mode::Ecb)
        } else if is(mode, "CBC") && (pkcs || default) {
            Ok(Mode::Cbc)
        } else if is(mode, "GCM") && (none || default) {
            Ok(Mode::Gcm)
        } else {
            Err(unsupported(
                "AES_MODE",
                format!(
                    "AES-{mode} with the padding {padding} by the `aes_encrypt`/`aes_decrypt` \
                     function."
                ),
            ))
        }
    }

    /// The IV's length: none for ECB.
    fn iv_len(self) -> usize {
        match self {
            Mode::Ecb => 0,
            Mode::Cbc => BLOCK,
            Mode::Gcm => GCM_IV,
        }
    }
}

fn unsupported(class: &str, what: String) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!("[UNSUPPORTED_FEATURE.{class}] The feature is not supported: {what}"),
    )
}

fn invalid(class: &str, parameters: &str, what: String) -> Error {
    Error::new(
        ErrorCode::SqlExecution,
        format!(
            "[INVALID_PARAMETER_VALUE.{class}] The value of parameter(s) {parameters} in \
             `aes_encrypt`/`aes_decrypt` is invalid: {what}"
        ),
    )
}

/// A failed decryption, with Java's message for it.
fn crypto_error(detail: &str) -> Error {
    invalid(
        "AES_CRYPTO_ERROR",
        "`expr`, `key`",
        format!("detail message: {detail}"),
    )
}

fn check_key(key: &[u8]) -> Result<()> {
    match key.len() {
        16 | 24 | 32 => Ok(()),
        n => Err(invalid(
            "AES_KEY_LENGTH",
            "`key`",
            format!("expects a binary value with 16, 24 or 32 bytes, but got {n} bytes."),
        )),
    }
}

/// Spark names `aes_encrypt` in this message, from `aes_decrypt` too.
fn aad_unsupported(mode: &str) -> Error {
    unsupported(
        "AES_MODE_AAD",
        format!(
            "`aes_encrypt` with AES-{mode} does not support additional authenticate data \
             (AAD)."
        ),
    )
}

/// A key length the checks let through but the cipher refuses: a bug, not the data's.
fn internal(what: impl std::fmt::Display) -> Error {
    Error::new(ErrorCode::Internal, format!("aes: {what}"))
}

/// `$body` with `$cipher` the AES of the key's length (checked already: 16, 24 or 32).
macro_rules! with_cipher {
    ($key:expr, $cipher:ident => $body:expr) => {
        match $key.len() {
            16 => {
                type $cipher = aes::Aes128;
                $body
            }
            24 => {
                type $cipher = aes::Aes192;
                $body
            }
            _ => {
                type $cipher = aes::Aes256;
                $body
            }
        }
    };
}

/// The 12 bytes of a GCM nonce (never a panic on a wrong length: an internal error).
fn nonce(iv: &[u8]) -> Result<GenericArray<u8, U12>> {
    GenericArray::from_exact_iter(iv.iter().copied()).ok_or_else(|| internal("GCM IV length"))
}

/// `input` encrypted into `out`: the IV (if the mode has one) then the ciphertext (and
/// GCM's tag). `iv` has the mode's length; `aad` is empty unless the mode is GCM.
fn encrypt(
    mode: Mode,
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<()> {
    out.clear();
    out.extend_from_slice(iv);
    let start = out.len();
    out.extend_from_slice(input);
    match mode {
        Mode::Ecb | Mode::Cbc => {
            // PKCS#7 always adds 1 to 16 bytes.
            out.resize(start + (input.len() / BLOCK + 1) * BLOCK, 0);
            let buffer = &mut out[start..];
            let padded = with_cipher!(key, C => if mode == Mode::Ecb {
                ecb::Encryptor::<C>::new_from_slice(key)
                    .map_err(internal)?
                    .encrypt_padded_mut::<Pkcs7>(buffer, input.len())
                    .map(|c| c.len())
            } else {
                cbc::Encryptor::<C>::new_from_slices(key, iv)
                    .map_err(internal)?
                    .encrypt_padded_mut::<Pkcs7>(buffer, input.len())
                    .map(|c| c.len())
            })
            .map_err(|_| internal("padding"))?;
            out.truncate(start + padded);
        }
        Mode::Gcm => {
            let nonce = nonce(iv)?;
            let buffer = &mut out[start..];
            let tag = with_cipher!(key, C => AesGcm::<C, U12>::new_from_slice(key)
                .map_err(internal)?
                .encrypt_in_place_detached(&nonce, aad, buffer))
            .map_err(|_| internal("GCM encryption"))?;
            out.extend_from_slice(&tag);
        }
    }
    Ok(())
}

/// What `encrypt` wrote, decrypted into `out`; `aad_mode` is the mode as written (for
/// the message refusing AAD).
fn decrypt(
    mode: Mode,
    aad_mode: &str,
    key: &[u8],
    aad: &[u8],
    input: &[u8],
    out: &mut Vec<u8>,
) -> Result<()> {
    out.clear();
    match mode {
        Mode::Ecb | Mode::Cbc => {
            let (iv, data) = if mode == Mode::Cbc {
                if input.len() < BLOCK {
                    return Err(crypto_error(
                        "IV buffer too short for given offset/length combination",
                    ));
                }
                if !aad.is_empty() {
                    return Err(aad_unsupported(aad_mode));
                }
                input.split_at(BLOCK)
            } else {
                (&input[..0], input)
            };
            if data.len() % BLOCK != 0 {
                return Err(crypto_error(
                    "Input length must be multiple of 16 when decrypting with padded cipher",
                ));
            }
            // Java decrypts no bytes to no bytes (there is no padding to check).
            if data.is_empty() {
                return Ok(());
            }
            out.extend_from_slice(data);
            let plain = with_cipher!(key, C => if mode == Mode::Ecb {
                ecb::Decryptor::<C>::new_from_slice(key)
                    .map_err(internal)?
                    .decrypt_padded_mut::<Pkcs7>(out)
                    .map(|p| p.len())
            } else {
                cbc::Decryptor::<C>::new_from_slices(key, iv)
                    .map_err(internal)?
                    .decrypt_padded_mut::<Pkcs7>(out)
                    .map(|p| p.len())
            })
            .map_err(|_| {
                crypto_error(
                    "Given final block not properly padded. Such issues can arise if a bad \
                     key is used during decryption.",
                )
            })?;
            out.truncate(plain);
        }
        Mode::Gcm => {
            if input.len() < GCM_IV {
                return Err(crypto_error("Invalid buffer arguments"));
            }
            let (iv, data) = input.split_at(GCM_IV);
            // Spark fails here with Java's internal ShortBufferException, not an AES error.
            if data.len() < GCM_TAG {
                return Err(crypto_error(
                    "Input data too short to contain an expected tag length of 16bytes",
                ));
            }
            let (data, tag) = data.split_at(data.len() - GCM_TAG);
            let nonce = nonce(iv)?;
            let tag = GenericArray::from_exact_iter(tag.iter().copied())
                .ok_or_else(|| internal("GCM tag length"))?;
            out.extend_from_slice(data);
            with_cipher!(key, C => AesGcm::<C, U12>::new_from_slice(key)
                .map_err(internal)?
                .decrypt_in_place_detached(&nonce, aad, out, &tag))
            .map_err(|_| {
                out.clear();
                crypto_error("Tag mismatch!")
            })?;
        }
    }
    Ok(())
}

/// The optional string argument `i` (mode, padding).
fn optional_strings(args: &[ArrayRef], i: usize) -> Result<Option<&StringArray>> {
    args.get(i).map(as_strings).transpose()
}

/// The optional bytes argument `i` (iv, aad).
fn optional_bytes(args: &[ArrayRef], i: usize) -> Result<Option<Bytes<'_>>> {
    args.get(i).map(Bytes::new).transpose()
}

/// Row `i` of an optional argument: `Some(default)` when absent, `None` when NULL.
fn text_at<'a>(column: Option<&'a StringArray>, i: usize, default: &'a str) -> Option<&'a str> {
    match column {
        None => Some(default),
        Some(c) => c.is_valid(i).then(|| c.value(i)),
    }
}

fn bytes_at<'a>(column: &Option<Bytes<'a>>, i: usize) -> Option<&'a [u8]> {
    match column {
        None => Some(&[]),
        Some(c) => c.get(i),
    }
}

/// `aes_encrypt` over the argument columns (input, key, then those given of mode,
/// padding, iv and aad).
pub fn aes_encrypt(args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let (inputs, keys) = (Bytes::new(&args[0])?, Bytes::new(&args[1])?);
    let (modes, paddings) = (optional_strings(args, 2)?, optional_strings(args, 3)?);
    let (ivs, aads) = (optional_bytes(args, 4)?, optional_bytes(args, 5)?);
    let mut builder = BinaryBuilder::with_capacity(len, len * 48);
    let mut out = Vec::new();
    let mut random = [0u8; BLOCK];
    for i in 0..len {
        let (Some(input), Some(key), Some(mode), Some(padding), Some(iv), Some(aad)) = (
            inputs.get(i),
            keys.get(i),
            text_at(modes, i, "GCM"),
            text_at(paddings, i, "DEFAULT"),
            bytes_at(&ivs, i),
            bytes_at(&aads, i),
        ) else {
            builder.append_null();
            continue;
        };
        check_key(key)?;
        let parsed = Mode::parse(mode, padding)?;
        let iv = if iv.is_empty() {
            let iv = &mut random[..parsed.iv_len()];
            getrandom::fill(iv)
                .map_err(|e| internal(format!("no random IV from the system: {e}")))?;
            &*iv
        } else if parsed == Mode::Ecb {
            return Err(unsupported(
                "AES_MODE_IV",
                format!(
                    "`aes_encrypt` with AES-{mode} does not support initialization vectors \
                     (IVs)."
                ),
            ));
        } else if iv.len() != parsed.iv_len() {
            return Err(invalid(
                "AES_IV_LENGTH",
                "`iv`",
                format!(
                    "supports 16-byte CBC IVs and 12-byte GCM IVs, but got {} bytes for \
                     {mode}.",
                    iv.len()
                ),
            ));
        } else {
            iv
        };
        if !aad.is_empty() && parsed != Mode::Gcm {
            return Err(aad_unsupported(mode));
        }
        encrypt(parsed, key, iv, aad, input, &mut out)?;
        builder.append_value(&out);
    }
    Ok(Arc::new(builder.finish()))
}

/// `aes_decrypt` (`try_`: `try_aes_decrypt`) over the argument columns (input, key, then
/// those given of mode, padding and aad).
pub fn aes_decrypt(args: &[ArrayRef], len: usize, try_: bool) -> Result<ArrayRef> {
    let (inputs, keys) = (Bytes::new(&args[0])?, Bytes::new(&args[1])?);
    let (modes, paddings) = (optional_strings(args, 2)?, optional_strings(args, 3)?);
    let aads = optional_bytes(args, 4)?;
    let mut builder = BinaryBuilder::with_capacity(len, len * 16);
    let mut out = Vec::new();
    for i in 0..len {
        let (Some(input), Some(key), Some(mode), Some(padding), Some(aad)) = (
            inputs.get(i),
            keys.get(i),
            text_at(modes, i, "GCM"),
            text_at(paddings, i, "DEFAULT"),
            bytes_at(&aads, i),
        ) else {
            builder.append_null();
            continue;
        };
        let done = check_key(key)
            .and_then(|()| Mode::parse(mode, padding))
            .and_then(|parsed| decrypt(parsed, mode, key, aad, input, &mut out));
        match done {
            Ok(()) => builder.append_value(&out),
            Err(e) if try_ && e.code() == ErrorCode::SqlExecution => builder.append_null(),
            Err(e) => return Err(e),
        }
    }
    Ok(Arc::new(builder.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::BinaryArray;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02X}")).collect()
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    fn enc(mode: &str, key: &[u8], iv: &[u8], aad: &[u8], input: &[u8]) -> String {
        let mut out = Vec::new();
        let mode = Mode::parse(mode, "DEFAULT").unwrap();
        encrypt(mode, key, iv, aad, input, &mut out).unwrap();
        hex(&out)
    }

    fn dec(mode: &str, key: &[u8], aad: &[u8], input: &[u8]) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        decrypt(
            Mode::parse(mode, "DEFAULT")?,
            mode,
            key,
            aad,
            input,
            &mut out,
        )?;
        Ok(out)
    }

    const KEY: &[u8] = b"0000111122223333";

    /// Spark 4.3's `hex(aes_encrypt(...))` for the same arguments.
    #[test]
    fn ciphertexts_are_sparks() {
        assert_eq!(
            enc("ECB", KEY, &[], &[], b"Spark"),
            "348FF37EBDE05B7880BA339068FBDA5E"
        );
        assert_eq!(
            enc("ECB", b"000011112222333344445555", &[], &[], b"Spark"),
            "3FB61524010AF3D0E9C167C5797094F9"
        );
        assert_eq!(
            enc(
                "ECB",
                b"00001111222233334444555566667777",
                &[],
                &[],
                b"Spark"
            ),
            "CF6D04030679561304C0288BDF9E1EE3"
        );
        assert_eq!(
            enc("ECB", KEY, &[], &[], b""),
            "A2B86E759170DE0DDA876438211908C0"
        );
        assert_eq!(
            enc("CBC", KEY, b"0123456789abcdef", &[], b"Spark"),
            "30313233343536373839616263646566CAEB5131BED35CF54A66A35856D74180"
        );
        assert_eq!(
            enc("GCM", KEY, &[0; 12], b"aad", b"Spark"),
            "00000000000000000000000046C4EF1C6A58C82E08A2D6B5AA23225CD5DAB67E32"
        );
        assert_eq!(
            enc("GCM", KEY, &[0; 12], &[], b"Spark"),
            "00000000000000000000000046C4EF1C6A7041A6BEAD289645459AF972E4153D03"
        );
        assert_eq!(
            enc("GCM", KEY, &[0; 12], &[], b""),
            "0000000000000000000000008D80D6F0134C0101EBC664CE1BE30FFC"
        );
    }

    #[test]
    fn decryption_fails_as_java_does() {
        let message = |r: Result<Vec<u8>>| r.unwrap_err().message().to_string();
        let gcm = unhex("00000000000000000000000046C4EF1C6A58C82E08A2D6B5AA23225CD5DAB67E32");
        assert_eq!(dec("GCM", KEY, b"aad", &gcm).unwrap(), b"Spark");
        assert!(message(dec("GCM", KEY, b"aae", &gcm)).ends_with("Tag mismatch!"));
        assert!(message(dec("GCM", KEY, &[], &gcm)).ends_with("Tag mismatch!"));
        assert!(message(dec("GCM", KEY, &[], &[0; 5])).ends_with("Invalid buffer arguments"));
        assert!(message(dec("GCM", KEY, &[], &[0; 27])).contains("too short"));
        assert!(message(dec("CBC", KEY, &[], &[0; 5])).contains("IV buffer too short"));
        assert!(message(dec("CBC", KEY, b"x", &[0; 32])).contains("AES_MODE_AAD"));
        assert!(message(dec("CBC", KEY, &[], &[0; 17])).contains("multiple of 16"));
        assert!(message(dec("ECB", KEY, &[], &[0; 16])).contains("not properly padded"));
        // No ciphertext decrypts to nothing; ECB ignores AAD.
        assert_eq!(dec("CBC", KEY, &[], &[0; 16]).unwrap(), b"");
        assert_eq!(dec("ECB", KEY, b"x", &[]).unwrap(), b"");
        let ecb = unhex("348FF37EBDE05B7880BA339068FBDA5E");
        assert_eq!(dec("ECB", KEY, b"x", &ecb).unwrap(), b"Spark");
    }

    fn column(values: &[Option<&[u8]>]) -> ArrayRef {
        Arc::new(values.iter().copied().collect::<BinaryArray>())
    }

    fn strings(values: &[&str]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    /// Without an IV each row draws its own: two encryptions of the same text differ, and
    /// both decrypt; the IV leads the output.
    #[test]
    fn random_ivs_differ_and_decrypt() {
        for (mode, iv_len, extra) in [("GCM", 12, 16), ("CBC", 16, 11)] {
            let input = column(&[Some(b"Spark"), Some(b"Spark")]);
            let key = column(&[Some(KEY), Some(KEY)]);
            let modes = strings(&[mode, mode]);
            let args = [Arc::clone(&input), Arc::clone(&key), Arc::clone(&modes)];
            let encrypted = aes_encrypt(&args, 2).unwrap();
            let out = encrypted.as_binary::<i32>();
            assert_ne!(out.value(0), out.value(1), "{mode}");
            assert_ne!(out.value(0)[..iv_len], out.value(1)[..iv_len], "{mode}");
            assert_eq!(out.value(0).len(), iv_len + 5 + extra, "{mode}");
            let back = aes_decrypt(&[Arc::clone(&encrypted), key, modes], 2, false).unwrap();
            let back = back.as_binary::<i32>();
            assert_eq!(back.value(0), b"Spark");
            assert_eq!(back.value(1), b"Spark");
        }
        // An empty IV is drawn too.
        let args = [
            column(&[Some(b"x")]),
            column(&[Some(KEY)]),
            strings(&["gcm"]),
            strings(&["none"]),
            column(&[Some(b"")]),
        ];
        let out = aes_encrypt(&args, 1).unwrap();
        assert_eq!(out.as_binary::<i32>().value(0).len(), 12 + 1 + 16);
    }

    #[test]
    fn checks_come_in_sparks_order_and_nulls_first() {
        let run = |args: Vec<ArrayRef>| aes_encrypt(&args, 1);
        let err = |args: Vec<ArrayRef>| run(args).unwrap_err().message().to_string();
        // A NULL anywhere is NULL, even with a bad key.
        let out = run(vec![
            column(&[None]),
            column(&[Some(b"short")]),
            strings(&["FOO"]),
        ])
        .unwrap();
        assert!(out.is_null(0));
        assert!(err(vec![
            column(&[Some(b"a")]),
            column(&[Some(b"short")]),
            strings(&["FOO"])
        ])
        .contains("AES_KEY_LENGTH"));
        assert!(err(vec![
            column(&[Some(b"a")]),
            column(&[Some(KEY)]),
            strings(&["ECB"]),
            strings(&["NONE"])
        ])
        .contains("[UNSUPPORTED_FEATURE.AES_MODE]"));
        let with = |mode: &str, iv: &[u8], aad: &[u8]| {
            err(vec![
                column(&[Some(b"a")]),
                column(&[Some(KEY)]),
                strings(&[mode]),
                strings(&["DEFAULT"]),
                column(&[Some(iv)]),
                column(&[Some(aad)]),
            ])
        };
        assert!(with("ecb", &[0; 16], b"x")
            .contains("AES_MODE_IV] The feature is not supported: `aes_encrypt` with AES-ecb"));
        assert!(with("CBC", &[0; 2], b"x").contains("but got 2 bytes for CBC."));
        assert!(with("CBC", &[0; 16], b"x").contains("AES_MODE_AAD"));
        assert!(with("ECB", &[], b"x").contains("AES_MODE_AAD"));
    }

    #[test]
    fn try_decrypt_is_null_where_decrypt_fails() {
        let args = [
            column(&[
                Some(&unhex("348FF37EBDE05B7880BA339068FBDA5E")),
                Some(&[0]),
                None,
            ]),
            column(&[Some(KEY), Some(KEY), Some(KEY)]),
            strings(&["ECB", "ECB", "ECB"]),
        ];
        assert!(aes_decrypt(&args, 3, false).is_err());
        let out = aes_decrypt(&args, 3, true).unwrap();
        let out = out.as_binary::<i32>();
        assert_eq!(out.value(0), b"Spark");
        assert!(out.is_null(1) && out.is_null(2));
        let short = [column(&[Some(b"a")]), column(&[Some(b"short")])];
        assert!(aes_decrypt(&short, 1, true).unwrap().is_null(0));
    }
}
