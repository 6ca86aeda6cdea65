//! Exact decimal digits in integers: powers of ten, rescaling with Spark's HALF_UP
//! rounding, the precision check that turns an overflow into NULL, and decimal text read
//! as Java's `BigDecimal` reads it. Below both the readers (a CSV column given as
//! `DECIMAL(p, s)`) and the SQL kernels, which share it.
//!
//! A decimal(p, s) value is the i128 `v` standing for `v / 10^s`. Intermediate results
//! (a product of two 38-digit values, a dividend scaled up) need up to 77 digits, so they
//! are computed in `i256`; each step is checked, and a value that cannot be represented
//! is `None`, which the kernels write as NULL (Spark's non-ANSI answer to an overflow).

use arrow_buffer::i256;

/// The largest precision (and scale) of a decimal: 38 digits, as in Spark and Arrow's
/// `Decimal128`.
pub const MAX_PRECISION: u8 = 38;

/// The digits of an `int` and of a `bigint` as decimals (Spark's `DecimalType.forType`),
/// for widening an integer column with a decimal one.
pub const INT_DIGITS: u8 = 10;
pub const LONG_DIGITS: u8 = 20;

/// The narrowest decimal holding two decimals' values, as Spark's type inference widens
/// them (JSON's and CSV's `compatibleType`): the larger scale and the larger count of
/// digits before the point; `None` (a `double` then) when that needs more than 38 digits.
///
/// ```
/// use brasa::decimal_digits::wider_decimal;
/// assert_eq!(wider_decimal((20, 0), (2, 1)), Some((21, 1)));
/// assert_eq!(wider_decimal((38, 0), (2, 2)), None);
/// ```
pub fn wider_decimal((p1, s1): (u8, u8), (p2, s2): (u8, u8)) -> Option<(u8, u8)> {
    let scale = s1.max(s2);
    let range = p1.saturating_sub(s1).max(p2.saturating_sub(s2));
    (range + scale <= MAX_PRECISION).then_some((range + scale, scale))
}

/// `10^k` as an i128, for `k <= 38`.
pub fn pow10(k: u8) -> Option<i128> {
    10i128.checked_pow(u32::from(k))
}

/// `10^k` as an i256 (`k <= 76`).
pub fn pow10_wide(k: u32) -> Option<i256> {
    i256::from_i128(10).checked_pow(k)
}

/// `n / d` rounded HALF_UP (a tie goes away from zero), as Java's `RoundingMode.HALF_UP`
/// that Spark's decimals use; `None` if `d` is zero.
pub fn div_half_up(n: i256, d: i256) -> Option<i256> {
    let (q, r) = n.checked_div_rem(d)?;
    if r == i256::ZERO {
        return Some(q);
    }
    let (r_abs, d_abs) = (r.checked_abs()?, d.checked_abs()?);
    // 2r >= d without doubling r (which could overflow): r >= d - r.
    if r_abs >= d_abs.checked_sub(r_abs)? {
        // The exact quotient is negative when the signs differ (n is not zero: r is not).
        let away = if n.is_negative() != d.is_negative() {
            i256::MINUS_ONE
        } else {
            i256::ONE
        };
        q.checked_add(away)
    } else {
        Some(q)
    }
}

/// `v` (scale `from`) at scale `to`: exact when the scale grows, rounded HALF_UP when it
/// shrinks. `None` if the value does not fit in an i256.
pub fn rescale(v: i256, from: u8, to: u8) -> Option<i256> {
    if to >= from {
        v.checked_mul(pow10_wide(u32::from(to - from))?)
    } else {
        div_half_up(v, pow10_wide(u32::from(from - to))?)
    }
}

/// `a / 10^sa` divided by `b / 10^sb` at scale `scale`, as Spark divides decimals: Java's
/// `BigDecimal.divide` to scale 38 (HALF_UP), then HALF_UP again to `scale`. The two
/// roundings differ from one only when the digits after `scale` are 4999…9 up to the
/// 38th; when the quotient at scale 38 does not fit the i256 arithmetic, it is rounded
/// once. `None` for a zero divisor.
pub fn spark_divide(a: i128, sa: u8, b: i128, sb: u8, scale: u8) -> Option<i256> {
    let (a, b) = (i256::from_i128(a), i256::from_i128(b));
    if b == i256::ZERO {
        return None;
    }
    let at = |target: u8| -> Option<i256> {
        // a/10^sa ÷ b/10^sb at scale t is a·10^(t + sb - sa) ÷ b.
        let shift = i32::from(target) + i32::from(sb) - i32::from(sa);
        let (n, d) = if shift >= 0 {
            (a.checked_mul(pow10_wide(shift.unsigned_abs())?)?, b)
        } else {
            (a, b.checked_mul(pow10_wide(shift.unsigned_abs())?)?)
        };
        div_half_up(n, d)
    };
    match at(MAX_PRECISION) {
        Some(q) if scale < MAX_PRECISION => rescale(q, MAX_PRECISION, scale),
        Some(q) => Some(q),
        None => at(scale),
    }
}

/// An exact product (`v` at scale `scale`) rounded HALF_UP to 38 significant digits, as
/// Java's `BigDecimal.multiply` with Spark's `MathContext(38)`: the value and its new
/// scale, or `None` when the rounding would leave a negative scale (the product then has
/// more than 38 integer digits, too many for any decimal).
pub fn to_38_digits(v: i256, scale: u8) -> Option<(i256, u8)> {
    let digits = v.checked_abs()?.checked_ilog10().map_or(1, |d| d + 1);
    if digits <= u32::from(MAX_PRECISION) {
        return Some((v, scale));
    }
    let drop = u8::try_from(digits - u32::from(MAX_PRECISION)).ok()?;
    let kept = scale.checked_sub(drop)?;
    Some((div_half_up(v, pow10_wide(u32::from(drop))?)?, kept))
}

/// `v` as a decimal of `precision` digits, or `None` (NULL) if it has more digits.
pub fn fit(v: i256, precision: u8) -> Option<i128> {
    let v = v.to_i128()?;
    let limit = pow10(precision.min(MAX_PRECISION))?;
    (v.unsigned_abs() < limit.unsigned_abs()).then_some(v)
}

/// Writes `v / 10^scale` in plain notation with exactly `scale` fraction digits (`1.50`,
/// `-0.05`, `0E-10` written `0.0000000000`) into `buf`, returning the text. Needs no heap:
/// 39 digits, a sign, a point and a leading zero fit in the 48 bytes.
pub fn write_plain(v: i128, scale: u8, buf: &mut [u8; 48]) -> &str {
    let mut digits = [0u8; 40];
    let mut n = v.unsigned_abs();
    let mut len = 0;
    loop {
        digits[len] = b'0' + (n % 10) as u8;
        n /= 10;
        len += 1;
        if n == 0 || len == digits.len() {
            break;
        }
    }
    let scale = usize::from(scale).min(digits.len() - 1);
    // At least one digit before the point.
    while len <= scale {
        digits[len] = b'0';
        len += 1;
    }
    let mut at = 0;
    if v < 0 {
        buf[at] = b'-';
        at += 1;
    }
    for i in (0..len).rev() {
        buf[at] = digits[i];
        at += 1;
        if i == scale && scale > 0 {
            buf[at] = b'.';
            at += 1;
        }
    }
    // Only ASCII digits, a sign and a point were written.
    std::str::from_utf8(&buf[..at]).unwrap_or("")
}

/// Text of a number (`12.5`, `-.5`, `+1e3`, surrounding whitespace ignored), as Java's
/// `BigDecimal(String)` reads it, at `scale`, rounded HALF_UP; `None` (NULL) for anything
/// else or a value with more than `precision` digits.
pub fn parse_decimal(text: &str, precision: u8, scale: u8) -> Option<i128> {
    let text = text.trim_matches(|c: char| c.is_whitespace() || c <= ' ');
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], rest[at + 1..].parse::<i32>().ok()?),
        None => (rest, 0),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && fraction.is_empty() {
        return None;
    }
    let mut value = i256::ZERO;
    let ten = i256::from_i128(10);
    let mut significant = 0u32;
    // Fraction digits beyond the 76th significant one are dropped: they cannot change a
    // HALF_UP rounding to at most 38 fraction digits of a value that fits 38 digits.
    let mut fraction_kept = 0i64;
    for (i, c) in whole.bytes().chain(fraction.bytes()).enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        let in_fraction = i >= whole.len();
        if significant > 0 || c != b'0' {
            significant += 1;
            if significant > 76 {
                if in_fraction {
                    continue;
                }
                // An integer part of more than 76 digits fits no decimal.
                return None;
            }
        }
        fraction_kept += i64::from(in_fraction);
        value = value
            .checked_mul(ten)?
            .checked_add(i256::from_i128(i128::from(c - b'0')))?;
    }
    let value = if negative {
        value.checked_neg()?
    } else {
        value
    };
    // value · 10^-(scale_in)
    let scale_in = fraction_kept - i64::from(exponent);
    let shift = i64::from(scale) - scale_in;
    let scaled = if shift >= 0 {
        value.checked_mul(pow10_wide(u32::try_from(shift).ok()?)?)?
    } else if -shift > 76 {
        // Far below the last digit kept: rounds to zero.
        i256::ZERO
    } else {
        div_half_up(value, pow10_wide(u32::try_from(-shift).ok()?)?)?
    };
    fit(scaled, precision)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: i128) -> i256 {
        i256::from_i128(v)
    }

    /// The value of a run of digits, unscaled.
    fn digits_one_by_one(digits: &str) -> Option<i256> {
        digits.bytes().try_fold(i256::ZERO, |v, c| {
            v.checked_mul(w(10))?.checked_add(w(i128::from(c - b'0')))
        })
    }

    #[test]
    fn parse_decimal_reads_long_runs_of_digits_exactly() {
        let mut next = crate::testing::indices(5);
        for _ in 0..2000 {
            let len = 1 + next(80);
            let digits: String = (0..len)
                .map(|i| match (i, next(4)) {
                    (0, 0) => '0',
                    _ => char::from(b'0' + next(10) as u8),
                })
                .collect();
            let Some(expected) = digits_one_by_one(&digits) else {
                continue;
            };
            // Whole: exact, or NULL beyond 38 digits.
            assert_eq!(parse_decimal(&digits, 38, 0), fit(expected, 38), "{digits}");
            // With a point 3 digits from the end, read at scale 3: the same digits.
            if len > 3 {
                let (a, b) = digits.split_at(len - 3);
                assert_eq!(
                    parse_decimal(&format!("-{a}.{b}"), 38, 3),
                    fit(expected.checked_neg().unwrap(), 38),
                    "{a}.{b}"
                );
            }
        }
        assert_eq!(parse_decimal("0000000000000000000000012.5", 3, 0), Some(13));
        assert_eq!(parse_decimal("1.5e-3", 4, 4), Some(15));
        assert_eq!(
            parse_decimal("123456789012345678901234567890.25", 38, 1),
            Some(1234567890123456789012345678903)
        );
    }

    #[test]
    fn rounds_half_up_away_from_zero() {
        assert_eq!(rescale(w(125), 2, 1), Some(w(13)));
        assert_eq!(rescale(w(-125), 2, 1), Some(w(-13)));
        assert_eq!(rescale(w(124), 2, 1), Some(w(12)));
        assert_eq!(rescale(w(-124), 2, 1), Some(w(-12)));
        assert_eq!(div_half_up(w(2), w(3)), Some(w(1)));
        assert_eq!(div_half_up(w(-2), w(3)), Some(w(-1)));
        assert_eq!(div_half_up(w(2), w(-3)), Some(w(-1)));
        assert_eq!(div_half_up(w(-1), w(-3)), Some(w(0)));
        assert_eq!(div_half_up(w(1), w(0)), None);
    }

    #[test]
    fn divides_and_multiplies_as_spark() {
        // 1/3 at scale 6.
        assert_eq!(spark_divide(1, 0, 3, 0, 6), Some(w(333_333)));
        assert_eq!(spark_divide(-2, 0, 3, 0, 6), Some(w(-666_667)));
        assert_eq!(spark_divide(1, 0, 0, 0, 6), None);
        // A 39-digit product keeps 38 digits, rounded, one scale digit less.
        let big = w(10i128.pow(38) + 5);
        assert_eq!(to_38_digits(big, 10), Some((w(10i128.pow(37) + 1), 9)));
        assert_eq!(to_38_digits(big, 0), None);
        assert_eq!(to_38_digits(w(15), 1), Some((w(15), 1)));
    }

    #[test]
    fn fits_precision() {
        assert_eq!(fit(w(999), 3), Some(999));
        assert_eq!(fit(w(-1000), 3), None);
    }

    #[test]
    fn writes_plain_digits() {
        let mut buf = [0u8; 48];
        assert_eq!(write_plain(150, 2, &mut buf), "1.50");
        assert_eq!(write_plain(-5, 2, &mut buf), "-0.05");
        assert_eq!(write_plain(0, 3, &mut buf), "0.000");
        assert_eq!(write_plain(-12, 0, &mut buf), "-12");
        assert_eq!(write_plain(i128::MIN, 0, &mut buf).len(), 40);
    }
}
