//! Spark's number format strings (`'999'`, `'$99,999.99S'`, `'000D00'`, `'9999PR'`), as
//! `to_number` / `try_to_number` read text with them and `to_char` / `to_varchar` print
//! decimals with them (Spark's `ToNumberParser`).
//!
//! A format is a sequence of tokens: digit runs (`0`: exactly that many digits before the
//! point, `9`: at most), `.`/`D`, `,`/`G` between digits, `$`, a sign (`S`, `MI`) at the
//! start or the end, and `PR` (angle brackets for negatives) at the end. The format fixes
//! the decimal type: precision is its number of digits, scale those after the point.
//! Values are decimals as the engine holds them: an unscaled `i128` and a scale.

use crate::decimal_digits::MAX_PRECISION;

/// One digit run of a format: `0`-led before the point needs exactly as many digits;
/// otherwise at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Digits {
    count: usize,
    exact: bool,
}

/// A piece of a digit group: digits or a thousands separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupPart {
    Digits(Digits),
    Separator,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// Consecutive digit runs and separators, in the order written.
    Group(Vec<GroupPart>),
    Point,
    Dollar,
    /// `S`: `+` or `-`.
    PlusOrMinus,
    /// `MI`: `-` or nothing.
    Minus,
    /// `PR`'s opening bracket (first token) and its closing one (last).
    OpenBracket,
    CloseBracket,
    /// A character the format language does not have.
    Invalid(char),
}

impl Token {
    /// The token as Spark's messages name it.
    fn describe(&self) -> String {
        match self {
            Token::Group(_) => "digit sequence".into(),
            Token::Point => ". or D".into(),
            Token::Dollar => "$".into(),
            Token::PlusOrMinus => "S".into(),
            Token::Minus => "MI".into(),
            Token::OpenBracket | Token::CloseBracket => "PR".into(),
            Token::Invalid(c) => format!("character '{c}'"),
        }
    }

    fn is_group(&self) -> bool {
        matches!(self, Token::Group(_))
    }
}

/// A checked number format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFormat {
    text: String,
    tokens: Vec<Token>,
    digits_before: usize,
    digits_after: usize,
}

/// Why a format string is not one, in Spark's words (its `INVALID_FORMAT` conditions).
pub type FormatError = String;

impl NumberFormat {
    /// Reads and checks a format (case-insensitive, as Spark upper-cases it).
    pub fn parse(format: &str) -> Result<NumberFormat, FormatError> {
        let text = format.to_uppercase();
        let quoted = format!("'{format}'");
        if text.is_empty() {
            return Err(format!("the number format {quoted} is empty"));
        }
        let tokens = tokenize(&text);
        let (mut digits_before, mut digits_after, mut after_point) = (0, 0, false);
        for token in &tokens {
            match token {
                Token::Point => after_point = true,
                Token::Group(parts) => {
                    let count: usize = parts
                        .iter()
                        .map(|p| match p {
                            GroupPart::Digits(d) => d.count,
                            GroupPart::Separator => 0,
                        })
                        .sum();
                    *(if after_point {
                        &mut digits_after
                    } else {
                        &mut digits_before
                    }) += count;
                }
                _ => {}
            }
        }
        let format = NumberFormat {
            text,
            tokens,
            digits_before,
            digits_after,
        };
        format.check(&quoted)?;
        Ok(format)
    }

    /// Digits in all: the precision of `to_number`'s decimal.
    pub fn precision(&self) -> usize {
        self.digits_before + self.digits_after
    }

    /// Digits after the point: the scale of `to_number`'s decimal.
    pub fn scale(&self) -> usize {
        self.digits_after
    }

    fn position(&self, token: &Token) -> Option<usize> {
        self.tokens.iter().position(|t| t == token)
    }

    /// Spark's checks of a format, in its order.
    fn check(&self, quoted: &str) -> Result<(), FormatError> {
        let tokens = &self.tokens;
        let first_group = tokens.iter().position(Token::is_group);
        let Some(first_group) = first_group else {
            return Err(format!(
                "the number format {quoted} has no digits: write at least one 0 or 9"
            ));
        };
        let dollar = self.position(&Token::Dollar);
        let point = self.position(&Token::Point);
        if dollar.is_some_and(|d| first_group < d) {
            return Err(format!(
                "in the number format {quoted}, the currency sign $ must come before the digits"
            ));
        }
        if let (Some(d), Some(p)) = (dollar, point) {
            if p < d {
                return Err(format!(
                    "in the number format {quoted}, the currency sign $ must come before the \
                     decimal point"
                ));
            }
        }
        for (i, token) in tokens.iter().enumerate() {
            let Token::Group(parts) = token else {
                continue;
            };
            let before_point = point.is_none_or(|p| i < p);
            let separators = parts.contains(&GroupPart::Separator);
            if before_point && separators && !separators_between_digits(parts) {
                return Err(format!(
                    "in the number format {quoted}, each thousands separator (, or G) must \
                     have digits (0 or 9) on both sides"
                ));
            }
            if !before_point && separators {
                return Err(format!(
                    "in the number format {quoted}, thousands separators (, or G) must come \
                     before the decimal point"
                ));
            }
        }
        for once in [
            Token::Point,
            Token::PlusOrMinus,
            Token::Minus,
            Token::Dollar,
            Token::CloseBracket,
        ] {
            if tokens.iter().filter(|t| **t == once).count() > 1 {
                return Err(format!(
                    "the number format {quoted} has {} more than once",
                    once.describe()
                ));
            }
        }
        // [PR] [MI | S] [$] [digits] [.] [digits] [$] [PR | MI | S], each at most once.
        let slots: [&[Token]; 8] = [
            &[Token::OpenBracket],
            &[Token::Minus, Token::PlusOrMinus],
            &[Token::Dollar],
            &[Token::Group(Vec::new())],
            &[Token::Point],
            &[Token::Group(Vec::new())],
            &[Token::Dollar],
            &[Token::Minus, Token::PlusOrMinus, Token::CloseBracket],
        ];
        let mut at = 0;
        for slot in slots {
            let fits = |t: &Token| {
                slot.iter()
                    .any(|s| s == t || (s.is_group() && t.is_group()))
            };
            if tokens.get(at).is_some_and(fits) {
                at += 1;
            }
        }
        if let Some(unexpected) = tokens.get(at) {
            return Err(format!(
                "the number format {quoted} has an unexpected {} (the order is [MI|S] [$] \
                 [0|9|G|,]... [.|D] [0|9]... [$] [PR|MI|S])",
                unexpected.describe()
            ));
        }
        Ok(())
    }

    /// Reads `input` with the format: the unscaled value at [`NumberFormat::scale`], or
    /// `None` when it does not match (`to_number` then fails, `try_to_number` is NULL).
    pub fn read(&self, input: &str) -> Option<i128> {
        let mut parsed = ParsedDigits::default();
        let (mut at, mut after_point, mut negative) = (0usize, false, false);
        let (mut opened, mut closed) = (false, false);
        for token in &self.tokens {
            // Every character a token consumes is ASCII: one byte.
            let next = input[at..].chars().next();
            match token {
                Token::Group(parts) => {
                    at = read_group(parts, input, at, after_point, &mut parsed)?;
                }
                Token::Point => {
                    if next == Some('.') {
                        after_point = true;
                        at += 1;
                    }
                }
                Token::Dollar => match next {
                    Some('$') => at += 1,
                    Some(_) => return None,
                    None => {}
                },
                Token::PlusOrMinus => match next {
                    Some('+') => at += 1,
                    Some('-') => {
                        negative = !negative;
                        at += 1;
                    }
                    _ => {}
                },
                Token::Minus => {
                    if next == Some('-') {
                        negative = !negative;
                        at += 1;
                    }
                }
                Token::OpenBracket => {
                    if next == Some('<') {
                        if opened {
                            return None;
                        }
                        opened = true;
                        at += 1;
                    }
                }
                Token::CloseBracket => {
                    if next == Some('>') {
                        if !opened {
                            return None;
                        }
                        closed = true;
                        negative = !negative;
                        at += 1;
                    }
                }
                Token::Invalid(_) => return None,
            }
        }
        if at < input.len() || opened != closed || parsed.digits == 0 {
            return None;
        }
        // The digits after the point, padded with zeros to the scale.
        let padding = self.digits_after.checked_sub(parsed.after)?;
        let value = parsed
            .value
            .checked_mul(10i128.checked_pow(u32::try_from(padding).ok()?)?)?;
        Some(if negative { -value } else { value })
    }

    /// Prints the decimal `unscaled / 10^scale` with the format into `text`. Digits the
    /// format has no room for print as `#`, as in Spark.
    pub fn print(&self, unscaled: i128, scale: u8, buffers: &mut PrintBuffers, text: &mut String) {
        self.split_digits(unscaled, scale, buffers);
        let PrintBuffers {
            before, after, out, ..
        } = buffers;
        out.clear();
        let negative = unscaled < 0;
        let (mut before_at, mut after_at, mut after_point) = (0usize, 0usize, false);
        for token in &self.tokens {
            match token {
                Token::Group(parts) => {
                    for part in parts {
                        match part {
                            GroupPart::Digits(digits) if !after_point => {
                                for _ in 0..digits.count {
                                    match before.get(before_at) {
                                        Some(' ') if digits.exact => out.push('0'),
                                        Some(' ') | None => push_space_before_sign(out),
                                        Some(c) => out.push(*c),
                                    }
                                    before_at += 1;
                                }
                            }
                            GroupPart::Digits(digits) => {
                                for _ in 0..digits.count {
                                    out.push(after.get(after_at).copied().unwrap_or('0'));
                                    after_at += 1;
                                }
                            }
                            GroupPart::Separator => {
                                if out.last().is_some_and(char::is_ascii_digit) {
                                    out.push(',');
                                } else {
                                    push_space_before_sign(out);
                                }
                            }
                        }
                    }
                }
                Token::Point => {
                    // No integer digits: the last space becomes the zero before the point.
                    if let Some(last) = out.last_mut().filter(|c| **c == ' ') {
                        *last = '0';
                    }
                    out.push('.');
                    after_point = true;
                }
                Token::Dollar => out.push('$'),
                Token::PlusOrMinus => {
                    blank_lone_point(out);
                    push_sign_after_spaces(out, if negative { '-' } else { '+' });
                }
                Token::Minus => {
                    if negative {
                        blank_lone_point(out);
                        push_sign_after_spaces(out, '-');
                    } else {
                        out.push(' ');
                    }
                }
                Token::OpenBracket => {
                    if negative {
                        out.push('<');
                    }
                }
                Token::CloseBracket => {
                    blank_lone_point(out);
                    if negative {
                        push_sign_after_spaces(out, '>');
                    } else {
                        out.extend([' ', ' ']);
                    }
                }
                Token::Invalid(_) => {}
            }
        }
        blank_lone_point(out);
        if out.is_empty() || out[..] == ['+'] || out[..] == ['-'] {
            text.push('0');
        } else {
            text.extend(out.iter());
        }
    }

    /// The value's digits before the point (leading zeros dropped, padded on the left with
    /// spaces to the format's digits) and after it (trailing zeros dropped, padded with
    /// zeros), into `buffers.before` and `buffers.after`; all `#` when the format has too
    /// few digits.
    fn split_digits(&self, unscaled: i128, scale: u8, buffers: &mut PrintBuffers) {
        use std::fmt::Write;
        let PrintBuffers {
            before,
            after,
            digits,
            ..
        } = buffers;
        digits.clear();
        let _ = write!(digits, "{}", unscaled.unsigned_abs());
        let scale = usize::from(scale);
        // Left-pad with zeros so that there are at least `scale` digits.
        let missing = scale.saturating_sub(digits.len());
        let whole = digits.len() + missing;
        let digit = |i: usize| {
            if i < missing {
                '0'
            } else {
                char::from(digits.as_bytes()[i - missing])
            }
        };
        let int_digits = (0..whole - scale).map(digit).skip_while(|c| *c == '0');
        let int_len = int_digits.clone().count();
        let frac_len = (whole - scale..whole)
            .rev()
            .map(digit)
            .skip_while(|c| *c == '0')
            .count();
        before.clear();
        after.clear();
        if int_len > self.digits_before || frac_len > self.digits_after {
            before.extend(std::iter::repeat_n('#', self.digits_before));
            after.extend(std::iter::repeat_n('#', self.digits_after));
            return;
        }
        before.extend(std::iter::repeat_n(' ', self.digits_before - int_len));
        before.extend(int_digits);
        after.extend((whole - scale..whole - scale + frac_len).map(digit));
        after.extend(std::iter::repeat_n('0', self.digits_after - frac_len));
    }

    /// Whether `to_number`'s decimal type fits Spark's decimals.
    pub fn fits_decimal(&self) -> bool {
        self.precision() <= usize::from(MAX_PRECISION)
    }

    /// The format as written (upper-cased).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// The format's tokens, digit runs and separators gathered into groups.
fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut raw: Vec<Token> = Vec::new();
    // The pieces of the group being gathered.
    let mut group: Vec<GroupPart> = Vec::new();
    let flush = |group: &mut Vec<GroupPart>, raw: &mut Vec<Token>| {
        if !group.is_empty() {
            raw.push(Token::Group(std::mem::take(group)));
        }
    };
    let (mut i, mut after_point, mut bracketed) = (0, false, false);
    while i < chars.len() {
        let c = chars[i];
        let pair = |second: char| chars.get(i + 1) == Some(&second);
        match c {
            '0' | '9' => {
                let start = i;
                while i < chars.len() && matches!(chars[i], '0' | '9') {
                    i += 1;
                }
                group.push(GroupPart::Digits(Digits {
                    count: i - start,
                    exact: c == '0' && !after_point,
                }));
                continue;
            }
            ',' | 'G' => {
                group.push(GroupPart::Separator);
                i += 1;
                continue;
            }
            _ => {}
        }
        flush(&mut group, &mut raw);
        match c {
            '.' | 'D' => {
                raw.push(Token::Point);
                after_point = true;
            }
            '$' => raw.push(Token::Dollar),
            'S' => raw.push(Token::PlusOrMinus),
            'M' if pair('I') => {
                raw.push(Token::Minus);
                i += 1;
            }
            'P' if pair('R') => {
                bracketed = true;
                raw.push(Token::CloseBracket);
                i += 1;
            }
            other => raw.push(Token::Invalid(other)),
        }
        i += 1;
    }
    flush(&mut group, &mut raw);
    if bracketed {
        // Spark puts PR's opening bracket first, whatever came before it.
        let count = raw.iter().filter(|t| **t == Token::CloseBracket).count();
        raw.splice(0..0, std::iter::repeat_n(Token::OpenBracket, count));
    }
    raw
}

/// Whether every separator of a group has digits right before and after it.
fn separators_between_digits(parts: &[GroupPart]) -> bool {
    parts.iter().enumerate().all(|(j, part)| {
        *part != GroupPart::Separator
            || (j > 0
                && j + 1 < parts.len()
                && parts[j - 1] != GroupPart::Separator
                && parts[j + 1] != GroupPart::Separator)
    })
}

/// Buffers reused from one printed value to the next.
#[derive(Debug, Default)]
pub struct PrintBuffers {
    digits: String,
    before: Vec<char>,
    after: Vec<char>,
    out: Vec<char>,
}

/// The digits read so far: their value as one integer, how many, and how many of them
/// after the point.
#[derive(Default)]
struct ParsedDigits {
    value: i128,
    digits: usize,
    after: usize,
}

/// Java's `Character.isWhitespace`: Unicode spaces but the non-breaking ones, and the
/// ASCII separators.
fn java_whitespace(c: char) -> bool {
    matches!(c, '\u{1C}'..='\u{1F}')
        || (c.is_whitespace() && !matches!(c, '\u{85}' | '\u{A0}' | '\u{2007}' | '\u{202F}'))
}

/// Reads the digits and commas of one group of the format from `input[at..]` (spaces
/// skipped); the position after them, or `None` when their counts do not fit the group.
fn read_group(
    parts: &[GroupPart],
    input: &str,
    mut at: usize,
    after_point: bool,
    parsed: &mut ParsedDigits,
) -> Option<usize> {
    // Digits per comma-separated group of the input, counted from the right (as Spark
    // compares them, so leading optional digits of the format can be missing). The
    // format's runs bound how many groups can fit.
    // A format read with has at most 38 digits (a decimal's), so at most 38 runs.
    let runs = parts
        .iter()
        .filter(|p| matches!(p, GroupPart::Digits(_)))
        .count();
    let mut sizes = [0usize; MAX_PRECISION as usize + 1];
    let mut groups = 0usize;
    let mut current = 0usize;
    for c in input[at..].chars() {
        if c.is_ascii_digit() {
            current += 1;
            parsed.value = parsed
                .value
                .checked_mul(10)?
                .checked_add(i128::from(c as u8 - b'0'))?;
            parsed.digits += 1;
            parsed.after += usize::from(after_point);
        } else if c == ',' {
            *sizes.get_mut(groups)? = current;
            groups += 1;
            current = 0;
            if groups >= runs {
                return None;
            }
        } else if !java_whitespace(c) {
            break;
        }
        at += c.len_utf8();
    }
    *sizes.get_mut(groups)? = current;
    groups += 1;
    let sizes = &sizes[..groups];
    let expected = parts.iter().rev().filter_map(|p| match p {
        GroupPart::Digits(d) => Some(*d),
        GroupPart::Separator => None,
    });
    for (i, digits) in expected.enumerate() {
        let actual = sizes.len().checked_sub(i + 1).map_or(0, |k| sizes[k]);
        if (digits.exact && actual != digits.count) || actual > digits.count {
            return None;
        }
    }
    Some(at)
}

/// Appends a space; a sign or `<` just before it moves after it (signs stay next to the
/// digits).
fn push_space_before_sign(out: &mut Vec<char>) {
    out.push(' ');
    let mut i = out.len() - 1;
    while i >= 1 && matches!(out[i - 1], '+' | '-' | '<') && out[i] == ' ' {
        out.swap(i, i - 1);
        i -= 1;
    }
}

/// Appends `sign`, moving it left over the spaces before it (next to the digits).
fn push_sign_after_spaces(out: &mut Vec<char>, sign: char) {
    out.push(sign);
    let mut i = out.len() - 1;
    while i >= 1 && out[i - 1] == ' ' && out[i] == sign {
        out.swap(i, i - 1);
        i -= 1;
    }
}

/// A point with no digits after it becomes a space.
fn blank_lone_point(out: &mut [char]) {
    if let Some(i) = out.iter().position(|c| *c == '.') {
        if out.get(i + 1).is_none_or(|c| *c == ' ') {
            out[i] = ' ';
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &str, format: &str) -> Option<(i128, usize)> {
        let f = NumberFormat::parse(format).unwrap();
        f.read(input).map(|v| (v, f.scale()))
    }

    #[test]
    fn reads_as_sparks_examples() {
        assert_eq!(read("454", "999"), Some((454, 0)));
        assert_eq!(read("454.00", "000.00"), Some((45400, 2)));
        assert_eq!(read("12,454", "99,999"), Some((12454, 0)));
        assert_eq!(read("$78.12", "$99.99"), Some((7812, 2)));
        assert_eq!(read("12,454.8-", "99,999.9S"), Some((-124548, 1)));
        assert_eq!(read("<1234>", "999999PR"), Some((-1234, 0)));
        assert_eq!(read("$45", "S$999,099.99"), None);
        assert_eq!(read("$045", "S$999,099.99"), Some((4500, 2)));
        assert_eq!(read("abc", "999"), None);
        assert_eq!(read("", "999"), None);
        assert_eq!(read("1234", "999"), None);
    }

    #[test]
    fn prints_as_sparks_examples() {
        let print = |unscaled, scale, format| {
            let mut text = String::new();
            let format = NumberFormat::parse(format).unwrap();
            format.print(unscaled, scale, &mut PrintBuffers::default(), &mut text);
            text
        };
        assert_eq!(print(454, 0, "999"), "454");
        assert_eq!(print(45400, 2, "000D00"), "454.00");
        assert_eq!(print(12454, 0, "99G999"), "12,454");
        assert_eq!(print(7812, 2, "$99.99"), "$78.12");
        assert_eq!(print(-124548, 1, "99G999D9S"), "12,454.8-");
        assert_eq!(print(1234, 0, "99"), "##");
        assert_eq!(print(-5, 0, "999PR"), "  <5>");
        assert_eq!(print(-50, 2, "9.99"), "0.50");
    }

    #[test]
    fn checks_formats_as_spark() {
        for (format, words) in [
            ("", "empty"),
            ("$", "no digits"),
            ("9$", "before the digits"),
            (".$9", "before the decimal point"),
            ("9,,9", "both sides"),
            (",9", "both sides"),
            ("9.9,9", "before the decimal point"),
            ("9.9.9", "more than once"),
            ("S9S", "more than once"),
            ("9X", "unexpected character 'X'"),
            ("9S9", "unexpected digit sequence"),
        ] {
            let err = NumberFormat::parse(format).unwrap_err();
            assert!(err.contains(words), "{format}: {err}");
        }
        assert!(
            NumberFormat::parse("s$9g999d99pr").is_ok(),
            "S first and PR last"
        );
        assert_eq!(NumberFormat::parse("99g999d99").unwrap().precision(), 7);
    }
}
