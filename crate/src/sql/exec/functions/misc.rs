//! Hashes and assertions. `hash` is Spark's Murmur3 x86 32-bit (seed 42, folded over
//! the arguments, a NULL leaving the running hash as it is; strings hashed with Spark's
//! own treatment of the last 1-3 bytes); `xxhash64` is XXH64 with seed 42, folded the
//! same way.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type,
    TimestampMicrosecondType,
};
use arrow_array::{new_null_array, Array, ArrayRef, Float64Array, Int32Array, Int64Array};
use arrow_schema::DataType;

use super::columns::{as_strings, booleans, doubles, ints, longs, Bytes};
use crate::error::{Error, ErrorCode, Result};
use crate::random::XorShiftRandom;
use crate::sql::plan::functions::MiscFunction;

pub fn compute(
    func: MiscFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    use MiscFunction::*;
    Ok(match func {
        Hash => {
            let mut hashes = vec![42u32; len];
            for arg in args {
                fold(arg, &mut hashes, &Murmur3)?;
            }
            std::sync::Arc::new(hashes.into_iter().map(|h| h as i32).collect::<Int32Array>())
        }
        XxHash64 => {
            let mut hashes = vec![42u64; len];
            for arg in args {
                fold(arg, &mut hashes, &XxHash)?;
            }
            std::sync::Arc::new(hashes.into_iter().map(|h| h as i64).collect::<Int64Array>())
        }
        AssertTrue => {
            let condition = booleans(&args[0])?;
            let message = args.get(1).map(as_strings).transpose()?;
            for i in 0..len {
                if condition.is_null(i) || !condition.value(i) {
                    let text = match message {
                        Some(m) if m.is_valid(i) => m.value(i).to_string(),
                        _ => "assert_true: the condition is not true".to_string(),
                    };
                    return Err(Error::new(ErrorCode::SqlExecution, text));
                }
            }
            new_null_array(return_type, len)
        }
        Rand | Randn => {
            let seeds = longs(&args[0])?;
            // The seed is a constant: Spark's stream for it in this partition.
            let seed = if seeds.is_valid(0) { seeds.value(0) } else { 0 };
            let partition = crate::sql::exec::partition::current() as i64;
            let mut rng = XorShiftRandom::new(seed.wrapping_add(partition));
            let values: Float64Array = (0..len)
                .map(|_| {
                    Some(if func == Rand {
                        rng.next_double()
                    } else {
                        rng.next_gaussian()
                    })
                })
                .collect();
            std::sync::Arc::new(values)
        }
        Uuid => {
            let seeds = longs(&args[0])?;
            let seed = if seeds.is_valid(0) { seeds.value(0) } else { 0 };
            let partition = crate::sql::exec::partition::current() as i64;
            let mut rng = XorShiftRandom::new(seed.wrapping_add(partition));
            let mut builder = arrow_array::builder::StringBuilder::with_capacity(len, len * 36);
            for _ in 0..len {
                builder.append_value(rng.next_uuid());
            }
            std::sync::Arc::new(builder.finish())
        }
        RandStr => {
            let (lengths, seeds) = (ints(&args[0])?, longs(&args[1])?);
            let mut rng = partition_rng(seeds);
            let length = if lengths.is_valid(0) {
                lengths.value(0)
            } else {
                0
            };
            if length < 0 {
                return Err(Error::new(
                    ErrorCode::SqlExecution,
                    format!("randstr: the length must not be negative, got {length}"),
                ));
            }
            let mut builder = arrow_array::builder::StringBuilder::new();
            let mut text = String::with_capacity(length as usize);
            for _ in 0..len {
                text.clear();
                for _ in 0..length {
                    let v = (rng.next_int() % 62).unsigned_abs() as u8;
                    text.push(match v {
                        0..=9 => (b'0' + v) as char,
                        10..=35 => (b'a' + v - 10) as char,
                        _ => (b'A' + v - 36) as char,
                    });
                }
                builder.append_value(&text);
            }
            std::sync::Arc::new(builder.finish())
        }
        Uniform => {
            let (lo, hi) = (doubles(&args[0])?, doubles(&args[1])?);
            let mut rng = partition_rng(longs(&args[2])?);
            let draws: Vec<Option<f64>> = (0..len)
                .map(|i| {
                    let r = rng.next_double();
                    (lo.is_valid(i) && hi.is_valid(i))
                        .then(|| r * (hi.value(i) - lo.value(i)) + lo.value(i))
                })
                .collect();
            match return_type {
                DataType::Int32 => std::sync::Arc::new(
                    draws
                        .into_iter()
                        .map(|v| v.map(|v| v as i32))
                        .collect::<Int32Array>(),
                ),
                DataType::Int64 => std::sync::Arc::new(
                    draws
                        .into_iter()
                        .map(|v| v.map(|v| v as i64))
                        .collect::<Int64Array>(),
                ),
                _ => std::sync::Arc::new(draws.into_iter().collect::<Float64Array>()),
            }
        }
        SparkPartitionId => {
            let partition = crate::sql::exec::partition::current() as i32;
            std::sync::Arc::new(Int32Array::from_value(partition, len))
        }
        // The partition in the upper 31 bits, the row's place in it in the lower 33.
        MonotonicallyIncreasingId => {
            let base = (crate::sql::exec::partition::current() as i64) << 33;
            std::sync::Arc::new((0..len as i64).map(|i| base + i).collect::<Int64Array>())
        }
        RaiseError => {
            let message = as_strings(&args[0])?;
            if len > 0 {
                let text = if message.is_valid(0) {
                    message.value(0).to_string()
                } else {
                    "raise_error".to_string()
                };
                return Err(Error::new(ErrorCode::SqlExecution, text));
            }
            new_null_array(return_type, len)
        }
    })
}

/// Spark's generator for a constant seed in the current partition.
fn partition_rng(seeds: &Int64Array) -> XorShiftRandom {
    let seed = if seeds.is_valid(0) { seeds.value(0) } else { 0 };
    let partition = crate::sql::exec::partition::current() as i64;
    XorShiftRandom::new(seed.wrapping_add(partition))
}

/// A hash function as Spark applies it to each type.
trait Hasher<H> {
    fn int(&self, v: i32, seed: H) -> H;
    fn long(&self, v: i64, seed: H) -> H;
    fn bytes(&self, v: &[u8], seed: H) -> H;
}

fn fold<H: Copy, F: Hasher<H>>(arg: &ArrayRef, hashes: &mut [H], f: &F) -> Result<()> {
    macro_rules! each {
        ($t:ty, $hash:expr) => {{
            let a = arg.as_primitive::<$t>();
            for (i, h) in hashes.iter_mut().enumerate() {
                if a.is_valid(i) {
                    *h = $hash(a.value(i), *h);
                }
            }
        }};
    }
    match arg.data_type() {
        DataType::Null => {}
        DataType::Boolean => {
            let a = booleans(arg)?;
            for (i, h) in hashes.iter_mut().enumerate() {
                if a.is_valid(i) {
                    *h = f.int(i32::from(a.value(i)), *h);
                }
            }
        }
        DataType::Int8 => each!(Int8Type, |v: i8, h| f.int(v as i32, h)),
        DataType::Int16 => each!(Int16Type, |v: i16, h| f.int(v as i32, h)),
        DataType::Int32 => each!(Int32Type, |v: i32, h| f.int(v, h)),
        DataType::Date32 => each!(Date32Type, |v: i32, h| f.int(v, h)),
        DataType::Int64 => each!(Int64Type, |v: i64, h| f.long(v, h)),
        DataType::Timestamp(_, _) => each!(TimestampMicrosecondType, |v: i64, h| f.long(v, h)),
        // Spark hashes -0.0 as 0.0, and NaN by its canonical bits.
        DataType::Float32 => each!(Float32Type, |v: f32, h| {
            let v = if v == 0.0 {
                0.0f32
            } else if v.is_nan() {
                f32::NAN
            } else {
                v
            };
            f.int(v.to_bits() as i32, h)
        }),
        DataType::Float64 => each!(Float64Type, |v: f64, h| {
            let v = if v == 0.0 {
                0.0f64
            } else if v.is_nan() {
                f64::NAN
            } else {
                v
            };
            f.long(v.to_bits() as i64, h)
        }),
        _ => {
            let a = Bytes::new(arg)?;
            for (i, h) in hashes.iter_mut().enumerate() {
                if let Some(b) = a.get(i) {
                    *h = f.bytes(b, *h);
                }
            }
        }
    }
    Ok(())
}

struct Murmur3;

/// Spark's Murmur3 of bytes (`UTF8String.hashCode` with seed 42).
pub fn murmur3_bytes(bytes: &[u8], seed: u32) -> u32 {
    Murmur3.bytes(bytes, seed)
}

fn mix_k1(k1: u32) -> u32 {
    k1.wrapping_mul(0xcc9e_2d51)
        .rotate_left(15)
        .wrapping_mul(0x1b87_3593)
}

fn mix_h1(h1: u32, k1: u32) -> u32 {
    (h1 ^ k1)
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

fn fmix32(mut h1: u32, length: u32) -> u32 {
    h1 ^= length;
    h1 ^= h1 >> 16;
    h1 = h1.wrapping_mul(0x85eb_ca6b);
    h1 ^= h1 >> 13;
    h1 = h1.wrapping_mul(0xc2b2_ae35);
    h1 ^ (h1 >> 16)
}

impl Hasher<u32> for Murmur3 {
    fn int(&self, v: i32, seed: u32) -> u32 {
        fmix32(mix_h1(seed, mix_k1(v as u32)), 4)
    }

    fn long(&self, v: i64, seed: u32) -> u32 {
        let (low, high) = (v as u32, ((v as u64) >> 32) as u32);
        let h1 = mix_h1(seed, mix_k1(low));
        fmix32(mix_h1(h1, mix_k1(high)), 8)
    }

    /// Spark's `hashUnsafeBytes`: 4-byte little-endian words, then each remaining byte
    /// (sign-extended) mixed as a word of its own.
    fn bytes(&self, v: &[u8], seed: u32) -> u32 {
        let mut h1 = seed;
        let mut words = v.chunks_exact(4);
        for w in &mut words {
            h1 = mix_h1(h1, mix_k1(u32::from_le_bytes([w[0], w[1], w[2], w[3]])));
        }
        for &b in words.remainder() {
            h1 = mix_h1(h1, mix_k1(b as i8 as i32 as u32));
        }
        fmix32(h1, v.len() as u32)
    }
}

struct XxHash;

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

fn xx_round(acc: u64, input: u64) -> u64 {
    acc.wrapping_add(input.wrapping_mul(P2))
        .rotate_left(31)
        .wrapping_mul(P1)
}

fn xx_merge(acc: u64, val: u64) -> u64 {
    (acc ^ xx_round(0, val)).wrapping_mul(P1).wrapping_add(P4)
}

fn xx_avalanche(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

/// XXH64 of `data`.
fn xxh64(data: &[u8], seed: u64) -> u64 {
    let len = data.len() as u64;
    let mut rest = data;
    let mut h = if data.len() >= 32 {
        let mut v = [
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        ];
        while rest.len() >= 32 {
            for (k, lane) in v.iter_mut().enumerate() {
                let word = u64::from_le_bytes(rest[k * 8..k * 8 + 8].try_into().unwrap_or([0; 8]));
                *lane = xx_round(*lane, word);
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for lane in v {
            h = xx_merge(h, lane);
        }
        h
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(len);
    while rest.len() >= 8 {
        let word = u64::from_le_bytes(rest[..8].try_into().unwrap_or([0; 8]));
        h ^= xx_round(0, word);
        h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        let word = u32::from_le_bytes(rest[..4].try_into().unwrap_or([0; 4])) as u64;
        h ^= word.wrapping_mul(P1);
        h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
        rest = &rest[4..];
    }
    for &b in rest {
        h ^= (b as u64).wrapping_mul(P5);
        h = h.rotate_left(11).wrapping_mul(P1);
    }
    xx_avalanche(h)
}

impl Hasher<u64> for XxHash {
    fn int(&self, v: i32, seed: u64) -> u64 {
        xxh64(&v.to_le_bytes(), seed)
    }

    fn long(&self, v: i64, seed: u64) -> u64 {
        xxh64(&v.to_le_bytes(), seed)
    }

    fn bytes(&self, v: &[u8], seed: u64) -> u64 {
        xxh64(v, seed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xxh64_reference_values() {
        // From the xxHash reference implementation.
        assert_eq!(xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
        assert_eq!(xxh64(b"a", 0), 0xD24E_C4F1_A98C_6E5B);
    }
}
