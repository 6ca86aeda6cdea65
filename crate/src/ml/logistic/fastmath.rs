//! `eˣ` and `ln(1 + z)` on the ranges the binomial log-loss needs, written without
//! branches or library calls so that the compiler can vectorise the loop over a block's
//! rows (the C library's `exp` and `log1p` are opaque calls, one row at a time, and took
//! a third of a pass).
//!
//! Both are accurate to a few units in the last place, far below what the solver can
//! see: the optimum is fixed by the gradient, and the loss is only compared between
//! iterations.

/// `ln 2`, split so that `k·LN2_HI` is exact for the `k` of [`exp_nonpositive`]
/// (fdlibm's constants).
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Adding then subtracting this rounds a double below 2⁵¹ to an integer, and leaves
/// that integer in the low bits of the sum.
const ROUNDER: f64 = 6_755_399_441_055_744.0; // 1.5·2⁵²
/// `1/i!` for `i = 0..=13`.
const INVERSE_FACTORIALS: [f64; 14] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `eˣ` for `x ≤ 0`; below -708 it returns `e^-708` (about 3e-308) instead of a
/// subnormal number or 0.
#[inline(always)]
pub(crate) fn exp_nonpositive(x: f64) -> f64 {
    let x = if x > -708.0 { x } else { -708.0 };
    // x = k·ln 2 + r with |r| ≤ ln 2 / 2.
    let t = x * std::f64::consts::LOG2_E + ROUNDER;
    let k = t - ROUNDER;
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor to r¹³/13! (the first omitted term is below 5e-18), evaluated by Estrin's
    // scheme: pairs, then pairs of pairs, so that the additions do not wait on each
    // other one by one as in Horner's.
    let r2 = r * r;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let c = |i: usize| INVERSE_FACTORIALS[i];
    let pairs = [
        c(0) + c(1) * r,
        c(2) + c(3) * r,
        c(4) + c(5) * r,
        c(6) + c(7) * r,
        c(8) + c(9) * r,
        c(10) + c(11) * r,
        c(12) + c(13) * r,
    ];
    let low = (pairs[0] + pairs[1] * r2) + (pairs[2] + pairs[3] * r2) * r4;
    let high = (pairs[4] + pairs[5] * r2) + pairs[6] * r4;
    let p = low + high * r8;
    // 2ᵏ from the integer k in the low bits of t: k + 1023 in the exponent field.
    let two_to_k = f64::from_bits((t.to_bits().wrapping_add(1023)) << 52);
    p * two_to_k
}

/// `ln(1 + z)` for `0 ≤ z ≤ 1`, as `2·atanh(s)` with `|s| ≤ 0.172`: `s = z/(2 + z)`, or
/// above `√2 - 1` `ln 2 + 2·atanh((z - 1)/(z + 3))` (the logarithm of `(1 + z)/2`).
#[inline(always)]
pub(crate) fn ln_1p_unit(z: f64) -> f64 {
    let high = z > std::f64::consts::SQRT_2 - 1.0;
    let (numerator, denominator, offset) = if high {
        (z - 1.0, z + 3.0, std::f64::consts::LN_2)
    } else {
        (z, z + 2.0, 0.0)
    };
    let s = numerator / denominator;
    // atanh(s)/s = Σ s²ᵏ/(2k + 1); ten terms leave less than 3e-17 (relative). Estrin's
    // scheme in u = s², as in `exp_nonpositive`.
    let u = s * s;
    let u2 = u * u;
    let u4 = u2 * u2;
    let u8 = u4 * u4;
    let c = |k: usize| 1.0 / (2 * k + 1) as f64;
    let p = ((c(0) + c(1) * u) + (c(2) + c(3) * u) * u2)
        + ((c(4) + c(5) * u) + (c(6) + c(7) * u) * u2) * u4
        + (c(8) + c(9) * u) * u8;
    offset + 2.0 * s * p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_agrees_with_the_library_to_a_few_ulps() {
        let mut worst: f64 = 0.0;
        for i in 0..=200_000 {
            let x = -(i as f64) * 708.0 / 200_000.0;
            let (ours, libm) = (exp_nonpositive(x), x.exp());
            worst = worst.max(((ours - libm) / libm).abs());
        }
        assert!(worst < 1e-15, "relative error {worst:e}");
        assert_eq!(exp_nonpositive(0.0), 1.0);
        let floor = exp_nonpositive(-708.0);
        assert!(floor > 0.0 && (floor / (-708.0f64).exp() - 1.0).abs() < 1e-15);
        assert_eq!(exp_nonpositive(-1e6), floor);
        assert_eq!(exp_nonpositive(f64::NEG_INFINITY), floor);
    }

    #[test]
    fn log1p_agrees_with_the_library_to_a_few_ulps() {
        let mut worst: f64 = 0.0;
        for i in 0..=200_000 {
            // Dense near 0, where ln(1 + z) ≈ z must keep its relative accuracy.
            let z = (i as f64 / 200_000.0).powi(4);
            let (ours, libm) = (ln_1p_unit(z), z.ln_1p());
            if libm > 0.0 {
                worst = worst.max(((ours - libm) / libm).abs());
            }
        }
        assert!(worst < 1e-15, "relative error {worst:e}");
        assert_eq!(ln_1p_unit(0.0), 0.0);
        assert!((ln_1p_unit(1.0) - std::f64::consts::LN_2).abs() < 1e-16);
        assert!((ln_1p_unit(1e-300) - 1e-300).abs() < 1e-315);
    }
}
