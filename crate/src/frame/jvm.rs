//! Numbers printed as the JVM prints a `Double` (`Double.toString`), so that a tree
//! model's `toDebugString` and SQL's `format_string('%s', x)` read as Spark's: `12.0`,
//! `0.5`, `1.0E-4`, `3.2E7`; and read as it reads one (`Double.parseDouble`), as Spark's
//! CSV text functions and partition values do.
//!
//! The digits are the shortest that read back to the same value (what Java prints since
//! JDK 19; older JVMs occasionally print one more digit).

/// `Double.toString(x)`.
pub fn java_double(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Shortest round-trip digits and the decimal exponent: d.ddd e exp.
    java_digits(
        &format!("{:e}", x.abs()),
        x < 0.0,
        (1e-3..1e7).contains(&x.abs()),
    )
}

/// `Float.toString(x)`: as [`java_double`], with the shortest digits that read back to
/// the same `float` (Spark prints `float` columns this way, e.g. in `to_json`).
pub fn java_float(x: f32) -> String {
    if x.is_nan() || x.is_infinite() || x == 0.0 {
        return java_double(f64::from(x));
    }
    java_digits(
        &format!("{:e}", x.abs()),
        x < 0.0,
        (1e-3..1e7).contains(&x.abs()),
    )
}

/// Java's layout of shortest digits `sci` (`d.ddde±x`, Rust's `{:e}`): plain inside
/// [10^-3, 10^7), computerized scientific notation outside.
fn java_digits(sci: &str, negative: bool, plain: bool) -> String {
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("an integer exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if negative { "-" } else { "" };
    if plain {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat((-point) as usize), digits)
        } else if (point as usize) >= digits.len() {
            format!("{}{}.0", digits, "0".repeat(point as usize - digits.len()))
        } else {
            let (int, frac) = digits.split_at(point as usize);
            format!("{int}.{frac}")
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1);
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

/// `Double.parseDouble(text)`: spaces and control characters around trimmed, decimal
/// digits with an optional point and exponent, `NaN` or `Infinity` (signed) spelled as
/// Java spells them, and an optional `d` / `f` suffix; `None` where Java throws.
pub fn parse_java_double(text: &str) -> Option<f64> {
    let trimmed = text.trim_matches(|c: char| c <= ' ');
    let body = trimmed
        .strip_suffix(['d', 'D', 'f', 'F'])
        .unwrap_or(trimmed);
    let unsigned = body.strip_prefix(['+', '-']).unwrap_or(body);
    let negative = body.starts_with('-');
    match unsigned {
        "NaN" => return Some(f64::NAN),
        "Infinity" => {
            return Some(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            })
        }
        _ => {}
    }
    // Rust's parser also takes `inf` and `nan` spelled other ways: only digits, the point,
    // the exponent and signs reach it.
    let number = unsigned.bytes().next()?.is_ascii_digit() || unsigned.starts_with('.');
    let allowed = unsigned
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'));
    if !number || !allowed {
        return None;
    }
    body.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::java_double;

    #[test]
    fn prints_like_the_jvm() {
        for (x, s) in [
            (12.0, "12.0"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (0.001, "0.001"),
            (1e-4, "1.0E-4"),
            (1.5e-5, "1.5E-5"),
            (1e7, "1.0E7"),
            (9_999_999.0, "9999999.0"),
            (12345678.9, "1.23456789E7"),
            (0.1 + 0.2, "0.30000000000000004"),
            (0.0, "0.0"),
            (100.0, "100.0"),
            (0.0125, "0.0125"),
        ] {
            assert_eq!(java_double(x), s, "{x}");
        }
    }
}
