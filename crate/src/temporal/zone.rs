//! Time zones as Spark names them (`DateTimeUtils.getZoneId`, Java's `ZoneId.of` with
//! `SHORT_IDS`): `Z`, an offset (`+h`, `+hh`, `+h:mm`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`,
//! `+hhmmss`), `UTC`, `GMT` or `UT` alone or before an offset, a region (`Europe/Paris`,
//! with its daylight saving rules) or one of Java's short ids (`PST`). Shared by the
//! casts of text (`spark_text`) and SQL's zone functions (`from_utc_timestamp`, ...).

use chrono::{Offset, TimeZone};

/// A time zone: a region or a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Region(chrono_tz::Tz),
    /// Seconds east of UTC.
    Fixed(i64),
}

impl Zone {
    /// A zone as Java's `ZoneId.of` reads it after Spark's fixes: `Z`, `+h`, `+hh`, `+hh:mm`,
    /// `+hhmm`, `+hh:mm:ss`, `+hhmmss` (and `-`), those after `UTC`, `GMT` or `UT`, a region
    /// id, or one of Java's `SHORT_IDS`.
    pub fn parse(name: &str) -> Option<Zone> {
        if name == "Z" {
            return Some(Zone::Fixed(0));
        }
        if name.starts_with(['+', '-']) {
            return offset(name).map(Zone::Fixed);
        }
        for prefix in ["UTC", "GMT", "UT"] {
            if let Some(rest) = name.strip_prefix(prefix) {
                return if rest.is_empty() {
                    Some(Zone::Fixed(0))
                } else if rest.starts_with(['+', '-']) {
                    offset(rest).map(Zone::Fixed)
                } else {
                    continue;
                };
            }
        }
        let region = SHORT_IDS
            .iter()
            .find(|(short, _)| *short == name)
            .map_or(name, |(_, long)| long);
        if let Some(fixed) = region.strip_prefix("UTC").and_then(offset) {
            return Some(Zone::Fixed(fixed));
        }
        region.parse::<chrono_tz::Tz>().ok().map(Zone::Region)
    }

    /// The zone's offset from UTC, in seconds, at an instant.
    pub fn offset_at_utc(&self, micros: i64) -> i64 {
        match self {
            Zone::Fixed(s) => *s,
            Zone::Region(tz) => {
                let Some(utc) = chrono::DateTime::from_timestamp_micros(micros) else {
                    return 0;
                };
                tz.offset_from_utc_datetime(&utc.naive_utc())
                    .fix()
                    .local_minus_utc() as i64
            }
        }
    }

    /// The offset of a wall-clock time in the zone: the earlier one when the time occurs
    /// twice, the one before a gap when it does not occur (as Java's `ZonedDateTime.of`).
    pub fn offset_at_local(&self, micros: i64) -> i64 {
        match self {
            Zone::Fixed(s) => *s,
            Zone::Region(tz) => {
                let Some(local) = chrono::DateTime::from_timestamp_micros(micros) else {
                    return 0;
                };
                let local = local.naive_utc();
                match tz.offset_from_local_datetime(&local) {
                    chrono::LocalResult::Single(o) => o.fix().local_minus_utc() as i64,
                    chrono::LocalResult::Ambiguous(a, _) => a.fix().local_minus_utc() as i64,
                    chrono::LocalResult::None => {
                        // In a gap: the offset just before it.
                        let before = local - chrono::Duration::hours(3);
                        tz.offset_from_utc_datetime(&before).fix().local_minus_utc() as i64
                    }
                }
            }
        }
    }
}

/// Java's `ZoneId.SHORT_IDS`, which Spark's `getZoneId` accepts.
const SHORT_IDS: &[(&str, &str)] = &[
    ("ACT", "Australia/Darwin"),
    ("AET", "Australia/Sydney"),
    ("AGT", "America/Argentina/Buenos_Aires"),
    ("ART", "Africa/Cairo"),
    ("AST", "America/Anchorage"),
    ("BET", "America/Sao_Paulo"),
    ("BST", "Asia/Dhaka"),
    ("CAT", "Africa/Harare"),
    ("CNT", "America/St_Johns"),
    ("CST", "America/Chicago"),
    ("CTT", "Asia/Shanghai"),
    ("EAT", "Africa/Addis_Ababa"),
    ("ECT", "Europe/Paris"),
    ("IET", "America/Indiana/Indianapolis"),
    ("IST", "Asia/Kolkata"),
    ("JST", "Asia/Tokyo"),
    ("MIT", "Pacific/Apia"),
    ("NET", "Asia/Yerevan"),
    ("NST", "Pacific/Auckland"),
    ("PLT", "Asia/Karachi"),
    ("PNT", "America/Phoenix"),
    ("PRT", "America/Puerto_Rico"),
    ("PST", "America/Los_Angeles"),
    ("SST", "Pacific/Guadalcanal"),
    ("VST", "Asia/Ho_Chi_Minh"),
    ("EST", "UTC-05:00"),
    ("MST", "UTC-07:00"),
    ("HST", "UTC-10:00"),
];

/// Seconds east of UTC of `+h`, `+hh`, `+h:mm`, `+hh:mm`, `+hhmm`, `+hh:mm:ss` or
/// `+hhmmss` (or with `-`), at most 18 hours.
fn offset(text: &str) -> Option<i64> {
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    // Byte positions below are character positions only in ASCII text.
    if !rest.is_ascii() {
        return None;
    }
    let number = |s: &str| -> Option<i64> {
        (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (hours, minutes, seconds) = match rest.len() {
        1 | 2 if rest.bytes().all(|b| b.is_ascii_digit()) => (rest.parse().ok()?, 0, 0),
        4 if rest.as_bytes()[1] == b':' => {
            (number(&format!("0{}", &rest[..1]))?, number(&rest[2..])?, 0)
        }
        4 => (number(&rest[..2])?, number(&rest[2..])?, 0),
        5 if rest.as_bytes()[2] == b':' => (number(&rest[..2])?, number(&rest[3..])?, 0),
        6 => (
            number(&rest[..2])?,
            number(&rest[2..4])?,
            number(&rest[4..])?,
        ),
        8 if rest.as_bytes()[2] == b':' && rest.as_bytes()[5] == b':' => (
            number(&rest[..2])?,
            number(&rest[3..5])?,
            number(&rest[6..])?,
        ),
        _ => return None,
    };
    if hours > 18 || minutes > 59 || seconds > 59 {
        return None;
    }
    let total = hours * 3600 + minutes * 60 + seconds;
    (total <= 18 * 3600).then_some(sign * total)
}
