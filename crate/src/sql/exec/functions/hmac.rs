//! `hmac(key, message[, algorithm])`: the HMAC of the message under the key, with the
//! digests `sha2`, `sha1` and `md5` already compute. Spark takes the first argument as
//! the key (`hmac('msg', 'key')` is HMAC-SHA-256 with key `msg`); an empty key is an
//! error there (Java's `SecretKeySpec` refuses it), and so is an algorithm Spark does not
//! name. A NULL argument gives NULL before either check.

use std::sync::Arc;

use arrow_array::builder::BinaryBuilder;
use arrow_array::{Array, ArrayRef};
use hmac::{Hmac, Mac};

use super::columns::{as_strings, Bytes};
use crate::error::{Error, ErrorCode, Result};

/// The digests Spark's `hmac` takes.
#[derive(Clone, Copy)]
enum Algorithm {
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha1,
    Md5,
}

impl Algorithm {
    /// Spark's names, in any case, with or without the hyphen (`sha256`, `SHA-1`).
    fn parse(name: &str) -> Result<Algorithm> {
        Ok(match name.to_ascii_uppercase().as_str() {
            "SHA-224" | "SHA224" => Algorithm::Sha224,
            "SHA-256" | "SHA256" => Algorithm::Sha256,
            "SHA-384" | "SHA384" => Algorithm::Sha384,
            "SHA-512" | "SHA512" => Algorithm::Sha512,
            "SHA-1" | "SHA1" => Algorithm::Sha1,
            "MD5" => Algorithm::Md5,
            _ => {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    format!(
                        "[INVALID_PARAMETER_VALUE.HMAC_ALGORITHM] hmac: the algorithm must be \
                         one of 'SHA-224', 'SHA-256', 'SHA-384', 'SHA-512', 'SHA-1', 'MD5', \
                         got '{name}'"
                    ),
                ))
            }
        })
    }
}

/// `args`: the keys, the messages and, if given, the algorithms' names.
pub fn hmac(args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let (keys, messages) = (Bytes::new(&args[0])?, Bytes::new(&args[1])?);
    let names = args.get(2).map(as_strings).transpose()?;
    let mut builder = BinaryBuilder::with_capacity(len, len * 32);
    let mut out = Vec::with_capacity(64);
    // The algorithm is nearly always a constant: parsed again only when it changes.
    let mut last: Option<(&str, Algorithm)> = None;
    for i in 0..len {
        let (Some(key), Some(message)) = (keys.get(i), messages.get(i)) else {
            builder.append_null();
            continue;
        };
        let name = match names {
            Some(n) if n.is_null(i) => {
                builder.append_null();
                continue;
            }
            Some(n) => n.value(i),
            None => "SHA-256",
        };
        let algorithm = match last {
            Some((seen, a)) if seen == name => a,
            _ => {
                let a = Algorithm::parse(name)?;
                last = Some((name, a));
                a
            }
        };
        if key.is_empty() {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                "[INVALID_PARAMETER_VALUE.HMAC_CRYPTO_ERROR] hmac: the key (the first \
                 argument) is empty",
            ));
        }
        mac(algorithm, key, message, &mut out);
        builder.append_value(&out);
    }
    Ok(Arc::new(builder.finish()))
}

/// The HMAC of `message` under `key` into `out`.
fn mac(algorithm: Algorithm, key: &[u8], message: &[u8], out: &mut Vec<u8>) {
    macro_rules! with {
        ($digest:ty) => {{
            // HMAC takes a key of any length (a long one is hashed first): this cannot fail.
            if let Ok(mut m) = <Hmac<$digest> as Mac>::new_from_slice(key) {
                m.update(message);
                out.extend_from_slice(&m.finalize().into_bytes());
            }
        }};
    }
    out.clear();
    match algorithm {
        Algorithm::Sha224 => with!(sha2::Sha224),
        Algorithm::Sha256 => with!(sha2::Sha256),
        Algorithm::Sha384 => with!(sha2::Sha384),
        Algorithm::Sha512 => with!(sha2::Sha512),
        Algorithm::Sha1 => with!(sha1::Sha1),
        Algorithm::Md5 => with!(md5::Md5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(algorithm: &str, key: &[u8], message: &[u8]) -> String {
        let mut out = Vec::new();
        mac(Algorithm::parse(algorithm).unwrap(), key, message, &mut out);
        out.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// Spark 4.3's `hex(hmac('msg', 'key', ...))` and a key longer than the block.
    #[test]
    fn macs_are_sparks() {
        assert_eq!(
            hex("SHA-256", b"msg", b"key"),
            "108C2AB4ADC527EA7478E97310776218E674DFB2BB67AE6954CE684F7E3A1C45"
        );
        assert_eq!(
            hex("sha1", b"msg", b"key"),
            "62D6027E661F9B22EA1BB6F43112933D215FFF4B"
        );
        assert_eq!(
            hex("md5", b"msg", b"key"),
            "2171B69AD742CB2F1698F82222C2F215"
        );
        assert_eq!(
            hex("SHA-224", b"msg", b"key"),
            "1BB2B488172F0BDF7D87AFB753FD827F3C7E6F005DA520BBFC0D9856"
        );
        // A key longer than the digest's block is hashed first.
        assert_eq!(
            hex("SHA-1", "abc".repeat(100).as_bytes(), b"key"),
            "1E9553CCC0A1E2480E496C3B32C21F158922054A"
        );
        assert!(Algorithm::parse("SHA-2-56").is_err());
        assert!(Algorithm::parse(" SHA-256").is_err());
    }
}
