//! The larger or smaller of two `f64`s as a compare and a select.
//!
//! `f64::max` and `f64::min` follow IEEE's maxNum (a NaN operand is ignored), which
//! wasm's `f64.max` / `f64.min` do not (they return NaN), so in wasm they compile to calls
//! of libm's `fmax` / `fmin`: 3 % of a KMeans job's time in the page went to those calls.
//! These give the same answer for every input but a NaN `b` (which they return), which
//! the callers never pass: their values come from rows the assembler has checked.

/// `a` if it is larger than `b`, else `b`.
#[inline(always)]
pub fn larger(a: f64, b: f64) -> f64 {
    if a > b {
        a
    } else {
        b
    }
}

/// `a` if it is smaller than `b`, else `b`.
#[inline(always)]
pub fn smaller(a: f64, b: f64) -> f64 {
    if a < b {
        a
    } else {
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_max_and_min_on_numbers_and_a_nan_a() {
        let values = [
            f64::NEG_INFINITY,
            -2.5,
            -0.0,
            0.0,
            1e-300,
            3.0,
            f64::INFINITY,
        ];
        for &a in &values {
            for &b in &values {
                assert_eq!(larger(a, b), a.max(b), "{a} {b}");
                assert_eq!(smaller(a, b), a.min(b), "{a} {b}");
            }
            assert_eq!(larger(f64::NAN, a), f64::NAN.max(a));
            assert_eq!(smaller(f64::NAN, a), f64::NAN.min(a));
        }
    }
}
