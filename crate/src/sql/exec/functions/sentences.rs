//! Spark's `sentences(str[, language, country])`: the text cut into sentences and each
//! sentence into words, as Java's `BreakIterator` (the JDK's rule-based one, which Spark
//! calls) cuts them, keeping the words whose first character is a letter or a digit.
//!
//! Words follow the JDK's word rules: letters joined by dashes, underscores, apostrophes,
//! quotes and periods (`don't`, `e-mail`, `U.S`, `under_score`), numbers with `.`, `,` and
//! `'` between digits and a trailing `%` or `&` (`1,000`, `3.14`, `10%`), letters and
//! numbers run together (`v1.2.3`), a currency sign or `#` before a number taking it along
//! (`$3.50` is one token, dropped as it starts with `$`), runs of kanji, katakana or
//! hiragana; combining marks and format characters never split. Sentences end after `!`,
//! `?` (and their CJK forms) with what closes them and the spaces after; after a period
//! (`.`) when the spaces after it lead to a capital A-Z, when what follows is not a
//! lowercase letter, digit, comma or another stop (`. Über`, `. (b`, `. -b`), or when two
//! or more spaces follow it (as the JDK does: `a.  b` ends a sentence, `a. b` does not).
//! The language and country change nothing for these rules (Thai's dictionary breaking
//! is not reproduced).

use std::sync::{Arc, OnceLock};

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field};
use regex::Regex;

use super::columns::string_list_builder;
use crate::error::Result;
use crate::sql::exec::value::as_strings;

/// One character class of the JDK's rules (ASCII decided by hand, the rest by Unicode
/// general category).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Ignore,
    Kanji,
    Kata,
    Hira,
    Letter,
    Digit,
    Other,
}

struct Categories {
    ignore: Regex,
    letter: Regex,
    digit: Regex,
    dash_or_connector: Regex,
    currency: Regex,
    lowercase: Regex,
    letter_or_decimal: Regex,
    open_or_initial: Regex,
    close_or_final: Regex,
    space: Regex,
}

fn categories() -> &'static Categories {
    static CATEGORIES: OnceLock<Categories> = OnceLock::new();
    CATEGORIES.get_or_init(|| {
        // Fixed patterns of Unicode categories: they compile.
        let re = |p: &str| Regex::new(p).expect("a valid category pattern");
        Categories {
            ignore: re(r"^[\p{Mn}\p{Me}\p{Cf}]$"),
            letter: re(r"^[\p{L}\p{Mc}]$"),
            digit: re(r"^\p{N}$"),
            dash_or_connector: re(r"^[\p{Pd}\p{Pc}]$"),
            currency: re(r"^\p{Sc}$"),
            lowercase: re(r"^\p{Ll}$"),
            letter_or_decimal: re(r"^[\p{L}\p{Nd}]$"),
            open_or_initial: re(r"^[\p{Ps}\p{Pi}]$"),
            close_or_final: re(r"^[\p{Pe}\p{Pf}]$"),
            space: re(r"^\p{Zs}$"),
        }
    })
}

fn is(re: &Regex, c: char) -> bool {
    let mut buffer = [0u8; 4];
    re.is_match(c.encode_utf8(&mut buffer))
}

fn class(c: char) -> Class {
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Class::Letter
        } else if c.is_ascii_digit() {
            Class::Digit
        } else {
            Class::Other
        };
    }
    let u = c as u32;
    if u == 0x3005
        || (0x3400..=0x4DB5).contains(&u)
        || (0x4E00..=0x9FA5).contains(&u)
        || (0xF900..=0xFA2D).contains(&u)
    {
        return Class::Kanji;
    }
    if (0x3099..=0x309C).contains(&u) || (0x30A1..=0x30FE).contains(&u) {
        return Class::Kata;
    }
    if (0x3041..=0x309E).contains(&u) || u == 0x30FC {
        return Class::Hira;
    }
    let cats = categories();
    if is(&cats.ignore, c) {
        Class::Ignore
    } else if is(&cats.letter, c) {
        Class::Letter
    } else if is(&cats.digit, c) {
        Class::Digit
    } else {
        Class::Other
    }
}

fn is_mid_word(c: char) -> bool {
    matches!(c, '-' | '_' | '"' | '\'' | '.' | '\u{00AD}' | '\u{2027}')
        || (!c.is_ascii() && is(&categories().dash_or_connector, c))
}

fn is_mid_num(c: char) -> bool {
    matches!(c, '"' | '\'' | ',' | '.' | '\u{066B}')
}

fn is_pre_num(c: char) -> bool {
    matches!(c, '#' | '.' | '$')
        || (!c.is_ascii() && c != '\u{00A2}' && is(&categories().currency, c))
}

fn is_post_num(c: char) -> bool {
    matches!(
        c,
        '%' | '&' | '\u{00A2}' | '\u{066A}' | '\u{2030}' | '\u{2031}'
    )
}

/// Java's `Character.isLetterOrDigit` of a word's first UTF-16 unit (a character beyond
/// the BMP starts with a surrogate, which is neither).
fn java_letter_or_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    (c as u32) < 0x10000 && is(&categories().letter_or_decimal, c)
}

/// The characters of a text with their classes, walked by the word rules.
struct Chars {
    chars: Vec<(usize, char, Class)>,
}

impl Chars {
    fn class_at(&self, i: usize) -> Option<Class> {
        self.chars.get(i).map(|c| c.2)
    }

    fn char_at(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|c| c.1)
    }

    /// Past the character at `i` and the combining marks after it.
    fn step(&self, i: usize) -> usize {
        let mut j = i + 1;
        while self.class_at(j) == Some(Class::Ignore) {
            j += 1;
        }
        j
    }

    fn run(&self, mut i: usize, class: Class) -> usize {
        while self.class_at(i) == Some(class) {
            i = self.step(i);
        }
        i
    }

    /// `$let+ ($mid_word $let+)*`: a word from `i` (a letter).
    fn word(&self, i: usize) -> usize {
        let mut end = self.run(i, Class::Letter);
        while self.char_at(end).is_some_and(is_mid_word) {
            let next = self.step(end);
            if self.class_at(next) != Some(Class::Letter) {
                break;
            }
            end = self.run(next, Class::Letter);
        }
        if self
            .char_at(end)
            .is_some_and(|c| matches!(c, '\u{0964}' | '\u{0965}'))
        {
            end = self.step(end);
        }
        end
    }

    /// `$dgt+ ($mid_num $dgt+)*`: a number from `i` (a digit).
    fn number(&self, i: usize) -> usize {
        let mut end = self.run(i, Class::Digit);
        while self.char_at(end).is_some_and(is_mid_num) {
            let next = self.step(end);
            if self.class_at(next) != Some(Class::Digit) {
                break;
            }
            end = self.run(next, Class::Digit);
        }
        end
    }

    /// `($number $word)* ($number $post_num?)?` from `i`.
    fn numbers_and_words(&self, mut i: usize) -> usize {
        while self.class_at(i) == Some(Class::Digit) {
            let end = self.number(i);
            if self.class_at(end) == Some(Class::Letter) {
                i = self.word(end);
                continue;
            }
            return match self.char_at(end) {
                Some(c) if is_post_num(c) => self.step(end),
                _ => end,
            };
        }
        i
    }

    /// Where the token starting at `i` ends.
    fn token_end(&self, i: usize) -> usize {
        let (c, class) = (self.chars[i].1, self.chars[i].2);
        match class {
            Class::Letter => self.numbers_and_words(self.word(i)),
            Class::Digit => self.numbers_and_words(i),
            Class::Kanji | Class::Kata | Class::Hira => self.run(i, class),
            _ if is_pre_num(c) => self.numbers_and_words(self.step(i)).max(self.step(i)),
            _ => self.step(i),
        }
    }
}

/// The words of one sentence.
fn words(sentence: &str, out: &mut StringBuilder) {
    let chars = Chars {
        chars: sentence
            .char_indices()
            .map(|(at, c)| (at, c, class(c)))
            .collect(),
    };
    let mut i = 0;
    while i < chars.chars.len() {
        let end = chars.token_end(i).max(i + 1);
        let from = chars.chars[i].0;
        let to = chars.chars.get(end).map_or(sentence.len(), |c| c.0);
        if java_letter_or_digit(chars.chars[i].1) {
            out.append_value(&sentence[from..to]);
        }
        i = end;
    }
}

fn is_space(c: char) -> bool {
    matches!(c, '\t' | '\r' | '\n' | '\u{000C}' | ' ' | '\u{2028}')
        || (!c.is_ascii() && is(&categories().space, c))
}

fn is_term(c: char) -> bool {
    matches!(
        c,
        '!' | '?' | '\u{0589}' | '\u{061F}' | '\u{06D4}' | '\u{0700}'..='\u{0702}' | '\u{0934}'
            | '\u{1362}' | '\u{1367}' | '\u{1369}' | '\u{1803}' | '\u{1809}' | '\u{203C}'
            | '\u{203D}' | '\u{2047}'..='\u{2049}' | '\u{3002}' | '\u{FE56}' | '\u{FE57}'
            | '\u{FF01}' | '\u{FF1F}' | '\u{FF61}'
    )
}

fn is_period(c: char) -> bool {
    matches!(c, '.' | '\u{FE52}' | '\u{FF0E}')
}

fn is_start(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | '[' | '{')
        || (!c.is_ascii() && is(&categories().open_or_initial, c))
}

fn is_end(c: char) -> bool {
    matches!(c, '"' | '\'' | ')' | ']' | '}')
        || (!c.is_ascii() && is(&categories().close_or_final, c))
}

/// Whether `c`, after a period and its spaces, starts a new sentence.
fn starts_sentence(c: char) -> bool {
    let lowercase = if c.is_ascii() {
        c.is_ascii_lowercase()
    } else {
        is(&categories().lowercase, c)
    };
    !(lowercase
        || class(c) == Class::Digit
        || class(c) == Class::Ignore
        || c == ','
        || is_space(c)
        || is_term(c)
        || is_period(c)
        || is_end(c) && !is_start(c))
}

/// Byte offsets where the sentences of `text` end (the last is the text's end).
fn sentence_ends(text: &str) -> Vec<usize> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let at = |i: usize| chars.get(i).map_or(text.len(), |c| c.0);
    let mut ends = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let mut end = None;
        if c == '\u{2029}' {
            end = Some(i + 1);
        } else if is_term(c) {
            let mut j = i + 1;
            while chars
                .get(j)
                .is_some_and(|&(_, c)| is_term(c) || is_period(c) || is_end(c))
            {
                j += 1;
            }
            while chars.get(j).is_some_and(|&(_, c)| is_space(c)) {
                j += 1;
            }
            if chars.get(j).is_some_and(|&(_, c)| c == '\u{2029}') {
                j += 1;
            }
            end = Some(j);
        } else if is_period(c) {
            let mut j = i + 1;
            while chars
                .get(j)
                .is_some_and(|&(_, c)| is_period(c) || is_end(c))
            {
                j += 1;
            }
            let mut k = j;
            while chars.get(k).is_some_and(|&(_, c)| is_space(c)) {
                k += 1;
            }
            let spaces = k - j;
            end = match chars.get(k).map(|c| c.1) {
                None => None,
                Some('\u{2029}') => Some(k + 1),
                Some(next) if spaces >= 1 && next.is_ascii_uppercase() => Some(k),
                Some(next) if starts_sentence(next) && !next.is_ascii_uppercase() => Some(k),
                Some(next) if spaces >= 2 && !is_period(next) && !is_term(next) => Some(k),
                _ => None,
            };
        }
        match end {
            Some(e) if e < chars.len() => {
                ends.push(at(e));
                i = e;
            }
            Some(_) => break,
            None => i += 1,
        }
    }
    if !text.is_empty() {
        ends.push(text.len());
    }
    ends
}

/// `sentences(text[, language, country])` over a column: NULL text gives NULL, an empty
/// text no sentences, each sentence its words (maybe none).
pub fn sentences(args: &[ArrayRef], len: usize) -> Result<ArrayRef> {
    let text = as_strings(&args[0])?;
    let inner = string_list_builder();
    let mut builder = ListBuilder::new(inner).with_field(Arc::new(Field::new(
        "element",
        DataType::List(Arc::new(Field::new("element", DataType::Utf8, true))),
        true,
    )));
    for i in 0..len {
        if text.is_null(i) {
            builder.append(false);
            continue;
        }
        let value = text.value(i);
        let mut start = 0;
        for end in sentence_ends(value) {
            words(&value[start..end], builder.values().values());
            builder.values().append(true);
            start = end;
        }
        builder.append(true);
    }
    Ok(Arc::new(builder.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<Vec<String>> {
        let mut starts = 0;
        sentence_ends(text)
            .into_iter()
            .map(|end| {
                let mut out = StringBuilder::new();
                words(&text[starts..end], &mut out);
                starts = end;
                let words = out.finish();
                (0..words.len())
                    .map(|i| words.value(i).to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn cuts_as_the_jdk() {
        assert_eq!(
            split("Mr. Smith went to Washington. He saw the U.S. Capitol."),
            vec![
                vec!["Mr"],
                vec!["Smith", "went", "to", "Washington"],
                vec!["He", "saw", "the", "U.S"],
                vec!["Capitol"]
            ]
        );
        assert_eq!(
            split("It costs $3.50, or 1,000 yen... Really?! Yes."),
            vec![
                vec!["It", "costs", "or", "1,000", "yen"],
                vec!["Really"],
                vec!["Yes"]
            ]
        );
        assert_eq!(split("a. b"), vec![vec!["a", "b"]]);
        assert_eq!(split("a.  b"), vec![vec!["a"], vec!["b"]]);
        assert!(split("").is_empty());
        assert_eq!(split("   "), vec![Vec::<String>::new()]);
    }
}
