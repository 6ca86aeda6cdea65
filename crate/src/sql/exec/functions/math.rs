//! Math functions over Arrow columns, as the JVM computes them for Spark: `ln`, `log10`,
//! `log2` and `log1p` are NULL outside their domain, `asin(2)` is NaN, the inverse
//! hyperbolic functions use Spark's formulas, shifts mask the shift count as Java does,
//! and integer overflow wraps (non-ANSI) except in the `try_` functions, which give NULL.

use std::sync::Arc;

use arrow_arith::boolean::is_not_null;
use arrow_array::{Array, ArrayRef, BooleanArray, Float64Array, Int32Array, Int64Array};
use arrow_schema::DataType;
use arrow_select::zip::zip;

use super::columns::{as_strings, booleans, build_strings, doubles, ints, longs};
use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::spark_normalized;
use crate::sql::exec::value::{kernel_error, nulls_as_false};
use crate::sql::plan::functions::MathFunction;

pub fn compute(
    func: MathFunction,
    args: &[ArrayRef],
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    use MathFunction::*;
    Ok(match func {
        Abs => match return_type {
            DataType::Int32 => Arc::new(
                ints(&args[0])?.unary::<_, arrow_array::types::Int32Type>(i32::wrapping_abs),
            ),
            DataType::Int64 => Arc::new(
                longs(&args[0])?.unary::<_, arrow_array::types::Int64Type>(i64::wrapping_abs),
            ),
            _ => float_unary(&args[0], |v| Some(v.abs()))?,
        },
        Negative => match return_type {
            DataType::Int32 => Arc::new(
                ints(&args[0])?.unary::<_, arrow_array::types::Int32Type>(i32::wrapping_neg),
            ),
            DataType::Int64 => Arc::new(
                longs(&args[0])?.unary::<_, arrow_array::types::Int64Type>(i64::wrapping_neg),
            ),
            _ => float_unary(&args[0], |v| Some(-v))?,
        },
        Positive => Arc::clone(&args[0]),
        Round | BRound => {
            let mode = if func == Round {
                Rounding::HalfUp
            } else {
                Rounding::HalfEven
            };
            round(&args[0], args.get(1), return_type, len, mode)?
        }
        Floor | Ceil => Arc::new(
            doubles(&args[0])?
                .iter()
                .map(|v| {
                    let v = v?;
                    let r = if func == Floor { v.floor() } else { v.ceil() };
                    r.is_finite().then_some(r as i64)
                })
                .collect::<Int64Array>(),
        ),
        Rint => float_unary(&args[0], |v| Some(v.round_ties_even()))?,
        Sqrt => float_unary(&args[0], |v| Some(v.sqrt()))?,
        Cbrt => float_unary(&args[0], |v| Some(v.cbrt()))?,
        Exp => float_unary(&args[0], |v| Some(v.exp()))?,
        Expm1 => float_unary(&args[0], |v| Some(v.exp_m1()))?,
        Ln => float_unary(&args[0], |v| (v > 0.0).then(|| v.ln()))?,
        Log10 => float_unary(&args[0], |v| (v > 0.0).then(|| v.log10()))?,
        Log2 => float_unary(&args[0], |v| {
            (v > 0.0).then(|| v.ln() / std::f64::consts::LN_2)
        })?,
        Log1p => float_unary(&args[0], |v| (v > -1.0).then(|| v.ln_1p()))?,
        Log if args.len() == 1 => float_unary(&args[0], |v| (v > 0.0).then(|| v.ln()))?,
        Log => float_binary(&args[0], &args[1], |base, x| {
            (base > 0.0 && x > 0.0).then(|| x.ln() / base.ln())
        })?,
        Sign => float_unary(&args[0], |v| {
            Some(if v == 0.0 || v.is_nan() {
                v
            } else {
                v.signum()
            })
        })?,
        Degrees => float_unary(&args[0], |v| Some(v.to_degrees()))?,
        Radians => float_unary(&args[0], |v| Some(v.to_radians()))?,
        Sin => float_unary(&args[0], |v| Some(v.sin()))?,
        Cos => float_unary(&args[0], |v| Some(v.cos()))?,
        Tan => float_unary(&args[0], |v| Some(v.tan()))?,
        Cot => float_unary(&args[0], |v| Some(1.0 / v.tan()))?,
        Sec => float_unary(&args[0], |v| Some(1.0 / v.cos()))?,
        Csc => float_unary(&args[0], |v| Some(1.0 / v.sin()))?,
        Asin => float_unary(&args[0], |v| Some(v.asin()))?,
        Acos => float_unary(&args[0], |v| Some(v.acos()))?,
        Atan => float_unary(&args[0], |v| Some(v.atan()))?,
        Sinh => float_unary(&args[0], |v| Some(v.sinh()))?,
        Cosh => float_unary(&args[0], |v| Some(v.cosh()))?,
        Tanh => float_unary(&args[0], |v| Some(v.tanh()))?,
        Asinh => float_unary(&args[0], |v| Some(v.asinh()))?,
        // Spark's own formulas (not the libm functions).
        Acosh => float_unary(&args[0], |v| Some((v + (v * v - 1.0).sqrt()).ln()))?,
        Atanh => float_unary(&args[0], |v| Some(0.5 * ((v).ln_1p() - (-v).ln_1p())))?,
        Atan2 => float_binary(&args[0], &args[1], |y, x| Some((y + 0.0).atan2(x + 0.0)))?,
        Hypot => float_binary(&args[0], &args[1], |a, b| Some(a.hypot(b)))?,
        Pow => float_binary(&args[0], &args[1], |b, e| Some(b.powf(e)))?,
        NanVl => float_binary_nullable(&args[0], &args[1], |a, b| match a {
            None => None,
            Some(a) if !a.is_nan() => Some(a),
            Some(_) => b,
        })?,
        IsNan => Arc::new(
            doubles(&args[0])?
                .iter()
                .map(|v| Some(v.is_some_and(f64::is_nan)))
                .collect::<BooleanArray>(),
        ),
        Pi => Arc::new(Float64Array::from_value(std::f64::consts::PI, len)),
        E => Arc::new(Float64Array::from_value(std::f64::consts::E, len)),
        Factorial => Arc::new(
            ints(&args[0])?
                .iter()
                .map(|n| {
                    let n = n?;
                    (0..=20)
                        .contains(&n)
                        .then(|| (1..=n as i64).product::<i64>())
                })
                .collect::<Int64Array>(),
        ),
        WidthBucket => {
            let (v, lo, hi) = (doubles(&args[0])?, doubles(&args[1])?, doubles(&args[2])?);
            let n = longs(&args[3])?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        if v.is_null(i) || lo.is_null(i) || hi.is_null(i) || n.is_null(i) {
                            return None;
                        }
                        width_bucket(v.value(i), lo.value(i), hi.value(i), n.value(i))
                    })
                    .collect::<Int64Array>(),
            )
        }
        Pmod | TryAdd | TrySubtract | TryMultiply | TryMod => {
            integer_or_float_binary(func, &args[0], &args[1], return_type, len)?
        }
        TryDivide => float_binary(&args[0], &args[1], |a, b| (b != 0.0).then(|| a / b))?,
        Greatest | Least => extreme(args, func == Greatest)?,
        ShiftLeft | ShiftRight | ShiftRightUnsigned => {
            let n = ints(&args[1])?;
            match return_type {
                DataType::Int32 => {
                    let v = ints(&args[0])?;
                    Arc::new(
                        (0..len)
                            .map(|i| {
                                if v.is_null(i) || n.is_null(i) {
                                    return None;
                                }
                                let (v, s) = (v.value(i), (n.value(i) & 31) as u32);
                                Some(match func {
                                    ShiftLeft => v.wrapping_shl(s),
                                    ShiftRight => v >> s,
                                    _ => ((v as u32) >> s) as i32,
                                })
                            })
                            .collect::<Int32Array>(),
                    )
                }
                _ => {
                    let v = longs(&args[0])?;
                    Arc::new(
                        (0..len)
                            .map(|i| {
                                if v.is_null(i) || n.is_null(i) {
                                    return None;
                                }
                                let (v, s) = (v.value(i), (n.value(i) & 63) as u32);
                                Some(match func {
                                    ShiftLeft => v.wrapping_shl(s),
                                    ShiftRight => v >> s,
                                    _ => ((v as u64) >> s) as i64,
                                })
                            })
                            .collect::<Int64Array>(),
                    )
                }
            }
        }
        BitCount => {
            let a = &args[0];
            match a.data_type() {
                DataType::Boolean => Arc::new(
                    booleans(a)?
                        .iter()
                        .map(|b| b.map(i32::from))
                        .collect::<Int32Array>(),
                ),
                // Spark counts an int's bits as a long's (a negative int has 64 - k).
                DataType::Int32 => Arc::new(
                    ints(a)?
                        .iter()
                        .map(|v| v.map(|v| (v as i64).count_ones() as i32))
                        .collect::<Int32Array>(),
                ),
                _ => Arc::new(
                    longs(a)?
                        .iter()
                        .map(|v| v.map(|v| v.count_ones() as i32))
                        .collect::<Int32Array>(),
                ),
            }
        }
        BitGet => {
            let (values, positions) = (&args[0], ints(&args[1])?);
            let width = if values.data_type() == &DataType::Int32 {
                32
            } else {
                64
            };
            let longs_view;
            let get: Box<dyn Fn(usize) -> Option<i64>> = if width == 32 {
                let v = ints(values)?;
                Box::new(move |i| v.is_valid(i).then(|| v.value(i) as i64))
            } else {
                longs_view = longs(values)?;
                Box::new(move |i| longs_view.is_valid(i).then(|| longs_view.value(i)))
            };
            let bits = (0..len)
                .map(|i| {
                    let (Some(v), true) = (get(i), positions.is_valid(i)) else {
                        return Ok(None);
                    };
                    let p = positions.value(i);
                    if !(0..width).contains(&p) {
                        return Err(Error::new(
                            ErrorCode::SqlExecution,
                            format!(
                                "bit_get: the bit position must be between 0 and {}, got {p}",
                                width - 1
                            ),
                        ));
                    }
                    Ok(Some(((v >> p) & 1) as i8))
                })
                .collect::<Result<arrow_array::Int8Array>>()?;
            Arc::new(bits)
        }
        Conv => {
            let (text, from, to) = (as_strings(&args[0])?, ints(&args[1])?, ints(&args[2])?);
            build_strings(len, |i, out| {
                if text.is_null(i) || from.is_null(i) || to.is_null(i) {
                    return Ok(false);
                }
                Ok(conv(text.value(i), from.value(i), to.value(i), out))
            })?
        }
    })
}

fn float_unary(array: &ArrayRef, f: impl Fn(f64) -> Option<f64>) -> Result<ArrayRef> {
    Ok(Arc::new(
        doubles(array)?
            .iter()
            .map(|v| v.and_then(&f))
            .collect::<Float64Array>(),
    ))
}

fn float_binary(
    a: &ArrayRef,
    b: &ArrayRef,
    f: impl Fn(f64, f64) -> Option<f64>,
) -> Result<ArrayRef> {
    float_binary_nullable(a, b, |x, y| f(x?, y?))
}

fn float_binary_nullable(
    a: &ArrayRef,
    b: &ArrayRef,
    f: impl Fn(Option<f64>, Option<f64>) -> Option<f64>,
) -> Result<ArrayRef> {
    Ok(Arc::new(
        doubles(a)?
            .iter()
            .zip(doubles(b)?.iter())
            .map(|(x, y)| f(x, y))
            .collect::<Float64Array>(),
    ))
}

/// `pmod` and the `try_` arithmetic, in the type the signature chose.
fn integer_or_float_binary(
    func: MathFunction,
    a: &ArrayRef,
    b: &ArrayRef,
    return_type: &DataType,
    len: usize,
) -> Result<ArrayRef> {
    use MathFunction::*;
    macro_rules! integers {
        ($view:ident, $array:ty) => {{
            let (x, y) = ($view(a)?, $view(b)?);
            Arc::new(
                (0..len)
                    .map(|i| {
                        if x.is_null(i) || y.is_null(i) {
                            return None;
                        }
                        let (x, y) = (x.value(i), y.value(i));
                        match func {
                            Pmod => {
                                if y == 0 {
                                    return None;
                                }
                                let r = x.wrapping_rem(y);
                                Some(if r < 0 {
                                    r.wrapping_add(y).wrapping_rem(y)
                                } else {
                                    r
                                })
                            }
                            TryAdd => x.checked_add(y),
                            TrySubtract => x.checked_sub(y),
                            TryMultiply => x.checked_mul(y),
                            _ => (y != 0).then(|| x.wrapping_rem(y)),
                        }
                    })
                    .collect::<$array>(),
            ) as ArrayRef
        }};
    }
    Ok(match return_type {
        DataType::Int32 => integers!(ints, Int32Array),
        DataType::Int64 => integers!(longs, Int64Array),
        _ => float_binary(a, b, |x, y| match func {
            Pmod => {
                if y == 0.0 {
                    return None;
                }
                let r = x % y;
                Some(if r < 0.0 { (r + y) % y } else { r })
            }
            TryAdd => Some(x + y),
            TrySubtract => Some(x - y),
            TryMultiply => Some(x * y),
            _ => (y != 0.0).then(|| x % y),
        })?,
    })
}

/// `greatest` / `least`: NULLs are skipped; NULL only when every argument is.
fn extreme(args: &[ArrayRef], greatest: bool) -> Result<ArrayRef> {
    // Compared as Spark compares floats (`-0.0 = 0.0`, NaN above every number); the
    // first of equal values wins, as in Spark.
    let mut result = Arc::clone(&args[0]);
    for next in &args[1..] {
        let (next_key, result_key) = (spark_normalized(next), spark_normalized(&result));
        let better = if greatest {
            arrow_ord::cmp::gt(&next_key, &result_key)
        } else {
            arrow_ord::cmp::lt(&next_key, &result_key)
        }
        .map_err(kernel_error)?;
        let better = nulls_as_false(&better);
        let missing = arrow_arith::boolean::not(&is_not_null(&result).map_err(kernel_error)?)
            .map_err(kernel_error)?;
        let take_next = arrow_arith::boolean::or(&better, &missing).map_err(kernel_error)?;
        result = zip(&take_next, next, &result).map_err(kernel_error)?;
    }
    Ok(result)
}

/// Spark's `width_bucket`.
fn width_bucket(value: f64, min: f64, max: f64, buckets: i64) -> Option<i64> {
    if buckets <= 0
        || buckets == i64::MAX
        || value.is_nan()
        || min == max
        || !min.is_finite()
        || !max.is_finite()
    {
        return None;
    }
    let (lower, upper) = (min.min(max), min.max(max));
    Some(if min < max {
        if value < lower {
            0
        } else if value >= upper {
            buckets + 1
        } else {
            (buckets as f64 * (value - lower) / (upper - lower)) as i64 + 1
        }
    } else if value > upper {
        0
    } else if value <= lower {
        buckets + 1
    } else {
        (buckets as f64 * (upper - value) / (upper - lower)) as i64 + 1
    })
}

/// Spark's `conv(num, from_base, to_base)` (its `NumberConverter`): digits are read up
/// to the first one invalid in `from_base`, through an unsigned 64-bit value; a negative
/// `to_base` prints a signed result. Writes nothing and returns false for a bad base.
fn conv(text: &str, from: i32, to: i32, out: &mut String) -> bool {
    if !(2..=36).contains(&from) || !(2..=36).contains(&to.abs()) || text.is_empty() {
        return false;
    }
    let (mut negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let radix = from as u64;
    let mut v: u64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(36).filter(|d| (*d as u64) < radix) else {
            break;
        };
        match v.checked_mul(radix).and_then(|x| x.checked_add(d as u64)) {
            Some(x) => v = x,
            None => {
                v = u64::MAX;
                break;
            }
        }
    }
    let mut value = v as i64;
    if negative && to > 0 {
        value = if value < 0 { -1 } else { -value };
    }
    if to < 0 && value < 0 {
        value = value.wrapping_neg();
        negative = true;
    }
    let mut v = value as u64;
    let base = to.unsigned_abs() as u64;
    let mut buffer = Vec::new();
    loop {
        let d = (v % base) as u32;
        buffer.push(char::from_digit(d, 36).unwrap_or('0').to_ascii_uppercase());
        v /= base;
        if v == 0 {
            break;
        }
    }
    if negative && to < 0 {
        out.push('-');
    }
    out.extend(buffer.iter().rev());
    true
}

#[derive(Clone, Copy, PartialEq)]
enum Rounding {
    HalfUp,
    HalfEven,
}

/// `round(x, d)` (half up) and `bround(x, d)` (half even), on the decimal value as
/// Spark's `ROUND` and `BROUND`.
fn round(
    values: &ArrayRef,
    digits: Option<&ArrayRef>,
    return_type: &DataType,
    len: usize,
    mode: Rounding,
) -> Result<ArrayRef> {
    let digits = digits.map(ints).transpose()?;
    let d = |i: usize| digits.map_or(Some(0), |a| a.is_valid(i).then(|| a.value(i)));
    Ok(match return_type {
        DataType::Float64 => {
            let v = doubles(values)?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        let rounded =
                            round_decimal(v.is_valid(i).then(|| v.value(i))?, d(i)?, mode);
                        // Spark rounds a BigDecimal, which has no negative zero.
                        Some(rounded + 0.0)
                    })
                    .collect::<Float64Array>(),
            )
        }
        DataType::Int64 => {
            let v = longs(values)?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        Some(round_integer(
                            v.is_valid(i).then(|| v.value(i))?,
                            d(i)?,
                            mode,
                        ))
                    })
                    .collect::<Int64Array>(),
            )
        }
        DataType::Int32 => {
            let v = ints(values)?;
            Arc::new(
                (0..len)
                    .map(|i| {
                        Some(
                            round_integer(v.is_valid(i).then(|| v.value(i) as i64)?, d(i)?, mode)
                                as i32,
                        )
                    })
                    .collect::<Int32Array>(),
            )
        }
        other => return Err(Error::new(ErrorCode::Internal, format!("round of {other}"))),
    })
}

fn round_integer(value: i64, digits: i32, mode: Rounding) -> i64 {
    if digits >= 0 {
        return value;
    }
    let Some(factor) = 10i64.checked_pow((-digits) as u32) else {
        return 0;
    };
    let half = factor / 2;
    let remainder = value % factor;
    let base = value - remainder;
    let up = match mode {
        Rounding::HalfUp => remainder.abs() >= half,
        Rounding::HalfEven => {
            remainder.abs() > half || (remainder.abs() == half && (base / factor) % 2 != 0)
        }
    };
    if up {
        base.wrapping_add(remainder.signum() * factor)
    } else {
        base
    }
}

/// Rounds the shortest decimal form of `value` (what Spark's `BigDecimal(Double.toString)`
/// sees) half away from zero at `digits` places.
pub fn round_half_up(value: f64, digits: i32) -> f64 {
    round_decimal(value, digits, Rounding::HalfUp)
}

fn round_decimal(value: f64, digits: i32, mode: Rounding) -> f64 {
    if !value.is_finite() {
        return value;
    }
    round_decimal_fast(value, digits).unwrap_or_else(|| round_decimal_text(value, digits, mode))
}

/// Exact powers of ten as doubles (every one up to 10^22 is).
const POWERS_OF_TEN: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// [`round_decimal`] without writing the value out, when the answer is certain; `None`
/// sends the value to [`round_decimal_text`].
///
/// `value × 10^digits` is computed with one rounding, and the shortest decimal form
/// Spark rounds differs from `value` by less than half an ulp: together a few ulps of
/// the scaled value. When its fraction is farther than that from one half, both round
/// the same way (half up and half even differ only on a tie), to the integer `k`, and
/// `k / 10^digits` — two exact doubles, one correctly rounded division — is the double
/// nearest the decimal, as parsing its digits gives. No allocation: `round(x, 2)` over a
/// column is a loop of multiplications.
fn round_decimal_fast(value: f64, digits: i32) -> Option<f64> {
    let scale = *POWERS_OF_TEN.get(usize::try_from(digits).ok()?)?;
    let scaled = value.abs() * scale;
    // Below 1e15 the integer part and a useful fraction fit in the 53 bits.
    if scaled >= 1e15 {
        return None;
    }
    let whole = scaled.floor();
    let fraction = scaled - whole;
    let doubt = 4.0 * f64::EPSILON * scaled + f64::MIN_POSITIVE;
    if (fraction - 0.5).abs() <= doubt {
        return None;
    }
    let k = if fraction > 0.5 { whole + 1.0 } else { whole };
    Some((k / scale).copysign(value))
}

/// [`round_decimal`] on the digits of the value's shortest decimal form.
fn round_decimal_text(value: f64, digits: i32, mode: Rounding) -> f64 {
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
    let rest = &digit_chars[keep..];
    let up = match mode {
        Rounding::HalfUp => rest[0] >= 5,
        Rounding::HalfEven => {
            let beyond_half = rest[0] > 5 || (rest[0] == 5 && rest[1..].iter().any(|d| *d > 0));
            let tie = rest[0] == 5 && rest[1..].iter().all(|d| *d == 0);
            beyond_half || (tie && kept.last().is_some_and(|d| d % 2 == 1))
        }
    };
    if up {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_on_the_decimal_value() {
        assert_eq!(round_half_up(2.5, 0), 3.0);
        assert_eq!(round_half_up(-2.5, 0), -3.0);
        assert_eq!(round_half_up(2.675, 2), 2.68);
        assert_eq!(round_half_up(1.005, 2), 1.01);
        assert_eq!(round_half_up(0.125, 2), 0.13);
        assert_eq!(round_half_up(9.995, 2), 10.0);
        assert_eq!(round_half_up(1234.5, -2), 1200.0);
        assert_eq!(round_half_up(0.0004, 2), 0.0);
        assert_eq!(round_decimal(2.5, 0, Rounding::HalfEven), 2.0);
        assert_eq!(round_decimal(3.5, 0, Rounding::HalfEven), 4.0);
        assert_eq!(round_decimal(0.125, 2, Rounding::HalfEven), 0.12);
        assert_eq!(round_integer(1250, -2, Rounding::HalfUp), 1300);
        assert_eq!(round_integer(-1250, -2, Rounding::HalfUp), -1300);
        assert_eq!(round_integer(1249, -2, Rounding::HalfUp), 1200);
        assert_eq!(round_integer(1250, -2, Rounding::HalfEven), 1200);
        assert_eq!(round_integer(1350, -2, Rounding::HalfEven), 1400);
    }

    /// The fast path gives exactly what rounding the decimal digits gives, on values
    /// of every size, ties and near-ties included.
    #[test]
    fn rounding_without_text_matches_rounding_the_digits() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut fast = 0;
        for i in 0..200_000 {
            let digits = (next() % 8) as i32;
            let value = match i % 4 {
                // Ties and near-ties: k + 0.5 at `digits` places, then nudged by an ulp.
                0 => {
                    let tie = ((next() % 100_000) as f64 + 0.5) / 10f64.powi(digits);
                    let nudge = (next() % 3) as i64 - 1;
                    f64::from_bits((tie.to_bits() as i64 + nudge) as u64)
                }
                1 => (next() % 1_000_000) as f64 / 1000.0 - 500.0,
                2 => f64::from_bits(next() >> 2) * if next() % 2 == 0 { 1.0 } else { -1.0 },
                _ => {
                    (next() as f64 / u64::MAX as f64 - 0.5) * 10f64.powi((next() % 30) as i32 - 15)
                }
            };
            if !value.is_finite() {
                continue;
            }
            for mode in [Rounding::HalfUp, Rounding::HalfEven] {
                let text = round_decimal_text(value, digits, mode);
                let answer = round_decimal(value, digits, mode);
                assert_eq!(
                    answer.to_bits(),
                    text.to_bits(),
                    "round({value:e}, {digits})"
                );
            }
            fast += round_decimal_fast(value, digits).is_some() as usize;
        }
        assert!(fast > 100_000, "the fast path answered only {fast} times");
    }

    #[test]
    fn converts_bases_as_spark() {
        let c = |t: &str, f: i32, to: i32| {
            let mut s = String::new();
            conv(t, f, to, &mut s).then_some(s)
        };
        assert_eq!(c("100", 2, 10).as_deref(), Some("4"));
        assert_eq!(c("-10", 16, -10).as_deref(), Some("-16"));
        assert_eq!(c("-10", 10, 16).as_deref(), Some("FFFFFFFFFFFFFFF6"));
        assert_eq!(c("12x", 10, 2).as_deref(), Some("1100"));
        assert_eq!(c("1", 1, 10), None);
    }
}
