//! One column's summary: per partition ([`ColumnSummary`], borrowing the partition's
//! strings), merged over partitions ([`Total`]) and finished into a [`ColumnProfile`].

use std::hash::BuildHasher;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Float64Type, TimestampMicrosecondType, UInt8Type};
use arrow_array::{
    Array, ArrayRef, Date32Array, Float64Array, Int64Array, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, TimeUnit};
use foldhash::quality::FixedState;

use crate::error::Result;
use crate::frame::compact::is_compact;
use crate::frame::display_array;
use crate::frame::kept_codes::kept_value_counts;
use crate::profile::frequent::Frequent;
use crate::profile::hll::HyperLogLog;
use crate::profile::numbers::{histogram, quantiles, quantiles_of_counts, Moments};
use crate::profile::report::{
    ColumnProfile, Kind, NumberProfile, TopValue, FREQUENT_CAPACITY, TOP_VALUES,
};
use crate::random::{unit, Stream};
use crate::sql::exec::spark_cast;

fn hasher() -> FixedState {
    FixedState::with_seed(0x0b5e_55ed_9a7a_f11e)
}

/// Values and their missing count of a numeric or temporal column, as `f64` (dates as
/// days, timestamps as microseconds since the epoch).
fn as_numbers(column: &ArrayRef) -> Result<Float64Array> {
    Ok(match column.data_type() {
        DataType::Date32 | DataType::Date64 => {
            let days = spark_cast(column, &DataType::Date32)?;
            let days = days.as_primitive::<Date32Type>();
            days.unary(|d| d as f64)
        }
        DataType::Timestamp(_, zone) => {
            let micros = spark_cast(
                column,
                &DataType::Timestamp(TimeUnit::Microsecond, zone.clone()),
            )?;
            micros
                .as_primitive::<TimestampMicrosecondType>()
                .unary(|t| t as f64)
        }
        _ => spark_cast(column, &DataType::Float64)?
            .as_primitive::<Float64Type>()
            .clone(),
    })
}

/// The rows of a partition kept in the quantile sample: each with probability
/// `keep_rate`, decided by its table-wide number only (the same rows for every column, so
/// decided once per partition).
pub fn sampled_rows(len: usize, first_row: u64, keep_rate: f64) -> Vec<u32> {
    (0..len as u32)
        .filter(|&i| unit(0, Stream::ProfileSample, first_row + u64::from(i)) < keep_rate)
        .collect()
}

/// The usable (not NULL, not NaN) values of the sampled rows.
fn sample(column: &ArrayRef, values: &Float64Array, rows: &[u32]) -> Vec<f64> {
    rows.iter()
        .map(|&i| i as usize)
        .filter(|&i| column.is_valid(i) && !values.value(i).is_nan())
        .map(|i| values.value(i))
        .collect()
}

/// Whether a column of `data_type` holds whole numbers only (as [`as_numbers`] gives
/// them: integers, days, microseconds), so never a NaN or a fraction.
fn whole_numbers(data_type: &DataType) -> bool {
    data_type.is_integer() || matches!(data_type, DataType::Date32 | DataType::Date64)
}

/// Calls `f` with every value that is not NULL, in order.
fn for_each_valid(values: &Float64Array, mut f: impl FnMut(f64)) {
    match values.nulls() {
        None => values.values().iter().for_each(|&v| f(v)),
        Some(valid) => valid.valid_indices().for_each(|i| f(values.value(i))),
    }
}

/// The values that are not NULL, in order.
fn valid_values(values: &Float64Array) -> Vec<f64> {
    match values.nulls() {
        None => values.values().to_vec(),
        Some(_) => {
            let mut valid = Vec::with_capacity(values.len() - values.null_count());
            for_each_valid(values, |v| valid.push(v));
            valid
        }
    }
}

/// The smallest and largest of `values` (infinities when there are none).
fn min_max(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        })
}

/// A partition's values counted for the distinct count and the most frequent values.
struct Counted {
    hll: HyperLogLog,
    frequent: Frequent<u64>,
    state: FixedState,
}

impl Counted {
    fn new(values: usize) -> Self {
        Counted {
            hll: HyperLogLog::default(),
            frequent: Frequent::for_values(FREQUENT_CAPACITY, values),
            state: hasher(),
        }
    }

    /// Counts `n` occurrences of `v`.
    #[inline]
    fn add_n(&mut self, v: f64, n: u64) {
        let key = (v + 0.0).to_bits();
        let hash = self.state.hash_one(key);
        self.hll.add_hash(hash);
        self.frequent.add_n(key, hash, n);
    }

    #[inline]
    fn add(&mut self, v: f64) {
        self.add_n(v, 1);
    }

    /// Counts whole numbers. When they span fewer values than the summary has counters
    /// (ages, counts, dates of a partition), they are tallied by their offset from the
    /// smallest first, and each distinct value is hashed and counted once: the summary
    /// is then exact whatever the order, so it is the one counting them one by one gives
    /// (HyperLogLog's registers are the same too: adding a hash again changes nothing).
    fn add_whole_numbers(&mut self, values: &[f64], (min, max): (f64, f64)) {
        if values.is_empty() || max - min >= FREQUENT_CAPACITY as f64 {
            values.iter().for_each(|&v| self.add(v));
            return;
        }
        let mut tally = vec![0u32; (max - min) as usize + 1];
        for &v in values {
            tally[(v - min) as usize] += 1;
        }
        for (offset, &n) in tally.iter().enumerate() {
            if n > 0 {
                self.add_n(min + offset as f64, u64::from(n));
            }
        }
    }
}

/// One partition's summary of one column.
pub struct ColumnSummary<'a> {
    nulls: u64,
    nans: u64,
    body: Part<'a>,
}

enum Part<'a> {
    Number(NumberPart),
    Text(TextPart<'a>),
    Bool { trues: u64, falses: u64 },
    Other,
}

/// A numeric column's summary: of one partition, or merged over all of them.
struct NumberPart {
    moments: Moments,
    min: f64,
    max: f64,
    /// Values kept for quantiles (all, or the sampled rows').
    kept: Vec<f64>,
    hll: HyperLogLog,
    frequent: Frequent<u64>,
}

impl NumberPart {
    fn empty() -> Self {
        NumberPart {
            moments: Moments::default(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            kept: Vec::new(),
            hll: HyperLogLog::default(),
            frequent: Frequent::new(FREQUENT_CAPACITY),
        }
    }

    fn merge(&mut self, other: &NumberPart) {
        self.moments.merge(&other.moments);
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
        self.kept.extend_from_slice(&other.kept);
        self.hll.merge(&other.hll);
        self.frequent.merge_from(&other.frequent, |k| *k);
    }
}

struct TextPart<'a> {
    hll: HyperLogLog,
    frequent: Frequent<&'a str>,
    min_len: u64,
    max_len: u64,
}

/// NULLs of a compact string column: rows whose code is NULL's.
fn compact_nulls(column: &ArrayRef) -> u64 {
    let dictionary = column.as_dictionary::<UInt8Type>();
    let values = dictionary.values();
    if values.null_count() == 0 {
        return 0;
    }
    dictionary
        .keys()
        .values()
        .iter()
        .filter(|&&k| values.is_null(usize::from(k)))
        .count() as u64
}

impl<'a> ColumnSummary<'a> {
    /// Summarises a partition's column; `sampled` are the rows kept for quantiles
    /// ([`sampled_rows`]), `None` to keep them all.
    pub fn of(column: &'a ArrayRef, sampled: Option<&[u32]>) -> Result<Self> {
        let compact = is_compact(column.as_ref());
        let nulls = if compact {
            compact_nulls(column)
        } else {
            column.logical_null_count() as u64
        };
        let mut nans = 0;
        let kind = if compact {
            Kind::String
        } else {
            Kind::of(column.data_type())
        };
        let body = match kind {
            Kind::Numeric | Kind::Temporal => {
                let values = as_numbers(column)?;
                let mut counted = Counted::new(values.len());
                let (usable, (min, max)) = if whole_numbers(column.data_type()) {
                    // No NaN among them: every value is usable.
                    let usable = valid_values(&values);
                    let range = min_max(&usable);
                    counted.add_whole_numbers(&usable, range);
                    (usable, range)
                } else {
                    // Every value (NaN included) is counted; the others are summarised.
                    let mut usable = Vec::with_capacity(values.len());
                    for_each_valid(&values, |v| {
                        counted.add(v);
                        if !v.is_nan() {
                            usable.push(v);
                        }
                    });
                    let range = min_max(&usable);
                    (usable, range)
                };
                let Counted { hll, frequent, .. } = counted;
                nans = (values.len() - values.null_count() - usable.len()) as u64;
                let kept = sampled.map(|rows| sample(column, &values, rows));
                let moments = Moments::of(&usable);
                Part::Number(NumberPart {
                    moments,
                    min,
                    max,
                    kept: kept.unwrap_or(usable),
                    hll,
                    frequent,
                })
            }
            Kind::String => {
                let state = hasher();
                let mut part = TextPart {
                    hll: HyperLogLog::default(),
                    frequent: Frequent::for_values(FREQUENT_CAPACITY, column.len()),
                    min_len: u64::MAX,
                    max_len: 0,
                };
                // Lengths in characters; for ASCII text (checked once) that is the byte length.
                let ascii = match column.data_type() {
                    DataType::Utf8 => column.as_string::<i32>().values().is_ascii(),
                    _ if compact => column
                        .as_dictionary::<UInt8Type>()
                        .values()
                        .as_string::<i32>()
                        .values()
                        .is_ascii(),
                    _ => false,
                };
                // `n` occurrences of `s`.
                let mut add = |s: &'a str, n: u64| {
                    let hash = state.hash_one(s);
                    part.hll.add_hash(hash);
                    part.frequent.add_n(s, hash, n);
                    let len = if ascii { s.len() } else { s.chars().count() } as u64;
                    part.min_len = part.min_len.min(len);
                    part.max_len = part.max_len.max(len);
                };
                let kept = match column.data_type() {
                    DataType::Utf8 => kept_value_counts(column),
                    _ => None,
                };
                match (column.data_type(), kept) {
                    // A compact column (a large table's, `frame::compact`): counted from
                    // its codes, each distinct string looked at once.
                    _ if compact => {
                        let dictionary = column.as_dictionary::<UInt8Type>();
                        let strings = dictionary.values().as_string::<i32>();
                        let mut counts = vec![0u64; strings.len()];
                        for &key in dictionary.keys().values().iter() {
                            counts[usize::from(key)] += 1;
                        }
                        for (k, &n) in counts.iter().enumerate() {
                            if n > 0 && strings.is_valid(k) {
                                add(strings.value(k), n);
                            }
                        }
                    }
                    // A key-like column (few distinct values) counted from its kept codes:
                    // each distinct string is looked at once.
                    (DataType::Utf8, Some((counts, firsts))) => {
                        let strings = column.as_string::<i32>();
                        for (&n, &row) in counts.iter().zip(&firsts) {
                            if strings.is_valid(row as usize) {
                                add(strings.value(row as usize), n);
                            }
                        }
                    }
                    (DataType::Utf8, None) => {
                        let strings = column.as_string::<i32>();
                        if strings.null_count() == 0 {
                            (0..strings.len()).for_each(|i| add(strings.value(i), 1));
                        } else {
                            strings.iter().flatten().for_each(|s| add(s, 1));
                        }
                    }
                    (DataType::LargeUtf8, _) => column
                        .as_string::<i64>()
                        .iter()
                        .flatten()
                        .for_each(|s| add(s, 1)),
                    _ => column
                        .as_string_view()
                        .iter()
                        .flatten()
                        .for_each(|s| add(s, 1)),
                }
                Part::Text(part)
            }
            Kind::Boolean => {
                let values = column.as_boolean();
                let trues = values.true_count() as u64;
                Part::Bool {
                    trues,
                    falses: (values.len() - values.null_count()) as u64 - trues,
                }
            }
            Kind::Other => Part::Other,
        };
        Ok(ColumnSummary { nulls, nans, body })
    }
}

/// A column's summaries merged over partitions.
pub struct Total {
    data_type: DataType,
    nulls: u64,
    nans: u64,
    body: TotalBody,
}

enum TotalBody {
    Number(NumberPart),
    Text {
        hll: HyperLogLog,
        frequent: Frequent<String>,
        min_len: u64,
        max_len: u64,
    },
    Bool {
        trues: u64,
        falses: u64,
    },
    Other,
}

impl Total {
    pub fn new(data_type: &DataType) -> Self {
        let body = match Kind::of(data_type) {
            Kind::Numeric | Kind::Temporal => TotalBody::Number(NumberPart::empty()),
            Kind::String => TotalBody::Text {
                hll: HyperLogLog::default(),
                frequent: Frequent::new(FREQUENT_CAPACITY),
                min_len: u64::MAX,
                max_len: 0,
            },
            Kind::Boolean => TotalBody::Bool {
                trues: 0,
                falses: 0,
            },
            Kind::Other => TotalBody::Other,
        };
        Total {
            data_type: data_type.clone(),
            nulls: 0,
            nans: 0,
            body,
        }
    }

    pub fn merge(&mut self, part: &ColumnSummary<'_>) {
        self.nulls += part.nulls;
        self.nans += part.nans;
        match (&mut self.body, &part.body) {
            (TotalBody::Number(total), Part::Number(p)) => total.merge(p),
            (
                TotalBody::Text {
                    hll,
                    frequent,
                    min_len,
                    max_len,
                },
                Part::Text(p),
            ) => {
                hll.merge(&p.hll);
                frequent.merge_from(&p.frequent, |s| s.to_string());
                *min_len = (*min_len).min(p.min_len);
                *max_len = (*max_len).max(p.max_len);
            }
            (
                TotalBody::Bool { trues, falses },
                Part::Bool {
                    trues: t,
                    falses: f,
                },
            ) => {
                *trues += t;
                *falses += f;
            }
            _ => {}
        }
    }

    pub fn finish(self, name: &str, spark_type: &str, sampled: bool) -> Result<ColumnProfile> {
        let data_type = self.data_type.clone();
        let kind = Kind::of(&data_type);
        let mut profile = ColumnProfile {
            name: name.to_string(),
            data_type: spark_type.to_string(),
            kind,
            nulls: self.nulls,
            nans: self.nans,
            distinct: 0,
            distinct_exact: true,
            numbers: None,
            top_values: Vec::new(),
            top_exact: true,
            lengths: None,
        };
        match self.body {
            TotalBody::Number(NumberPart {
                moments,
                min,
                max,
                kept,
                hll,
                frequent,
            }) => {
                (profile.distinct, profile.distinct_exact) = distinct(&frequent, &hll);
                let top = frequent.top(TOP_VALUES, |a, b| {
                    f64::from_bits(*a).total_cmp(&f64::from_bits(*b))
                });
                let shown = show(
                    &data_type,
                    &top.iter()
                        .map(|(k, _)| f64::from_bits(*k))
                        .collect::<Vec<_>>(),
                )?;
                profile.top_values = top_values(shown, &top);
                profile.top_exact = frequent.is_exact();
                if moments.n > 0.0 {
                    let sampled = sampled && !kept.is_empty();
                    let integers = matches!(kind, Kind::Temporal) || data_type.is_integer();
                    // Every value counted exactly: read the distribution off the counts.
                    let (histogram, quantiles) = if frequent.is_exact() && !sampled {
                        let mut counts: Vec<(f64, u64)> = frequent
                            .counts()
                            .map(|(&bits, n)| (f64::from_bits(bits), n))
                            .filter(|(v, _)| !v.is_nan())
                            .collect();
                        counts.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                        let h = histogram(counts.iter().copied(), min, max, integers, 1.0);
                        (h, quantiles_of_counts(&counts))
                    } else {
                        let scale = if sampled {
                            moments.n / kept.len() as f64
                        } else {
                            1.0
                        };
                        let h = histogram(kept.iter().map(|&v| (v, 1)), min, max, integers, scale);
                        (h, quantiles(&kept))
                    };
                    let mut texts = show(&data_type, &[min, max])?;
                    let quantile_texts = show(
                        &data_type,
                        &quantiles.iter().map(|q| q.value).collect::<Vec<_>>(),
                    )?;
                    let max_text = texts.pop().unwrap_or_default();
                    let min_text = texts.pop().unwrap_or_default();
                    profile.numbers = Some(NumberProfile {
                        min,
                        max,
                        mean: moments.mean,
                        std: moments.sample_std(),
                        quantiles,
                        histogram,
                        min_text,
                        max_text,
                        quantile_texts,
                        sampled,
                    });
                }
            }
            TotalBody::Text {
                hll,
                frequent,
                min_len,
                max_len,
            } => {
                (profile.distinct, profile.distinct_exact) = distinct(&frequent, &hll);
                let top = frequent.top(TOP_VALUES, String::cmp);
                profile.top_values = top
                    .into_iter()
                    .map(|(value, count)| TopValue { value, count })
                    .collect();
                profile.top_exact = frequent.is_exact();
                if max_len >= min_len {
                    profile.lengths = Some([min_len, max_len]);
                }
            }
            TotalBody::Bool { trues, falses } => {
                let mut top = vec![("true", trues), ("false", falses)];
                top.retain(|(_, n)| *n > 0);
                top.sort_by_key(|t| std::cmp::Reverse(t.1));
                profile.distinct = top.len() as u64;
                profile.top_values = top
                    .into_iter()
                    .map(|(v, count)| TopValue {
                        value: v.to_string(),
                        count,
                    })
                    .collect();
            }
            TotalBody::Other => {
                profile.distinct_exact = false;
                profile.top_exact = false;
            }
        }
        Ok(profile)
    }
}

/// Numbers of a column of `data_type` shown as the grid shows its values.
fn show(data_type: &DataType, values: &[f64]) -> Result<Vec<String>> {
    let array: ArrayRef = match data_type {
        DataType::Date32 | DataType::Date64 => Arc::new(Date32Array::from(
            values.iter().map(|&v| v as i32).collect::<Vec<_>>(),
        )),
        DataType::Timestamp(_, zone) => Arc::new(
            TimestampMicrosecondArray::from(values.iter().map(|&v| v as i64).collect::<Vec<_>>())
                .with_timezone_opt(zone.clone()),
        ),
        t if t.is_integer() => Arc::new(Int64Array::from(
            values.iter().map(|&v| v as i64).collect::<Vec<_>>(),
        )),
        _ => Arc::new(Float64Array::from(values.to_vec())),
    };
    let shown = display_array(&array)?;
    Ok(shown.iter().map(|s| s.unwrap_or("").to_string()).collect())
}

/// The exact distinct count while every value was counted, else HyperLogLog's estimate.
fn distinct<K: Eq + std::hash::Hash + Clone>(
    frequent: &Frequent<K>,
    hll: &HyperLogLog,
) -> (u64, bool) {
    if frequent.is_exact() {
        (frequent.len() as u64, true)
    } else {
        (hll.estimate().max(frequent.len() as u64), false)
    }
}

fn top_values<K>(shown: Vec<String>, top: &[(K, u64)]) -> Vec<TopValue> {
    shown
        .into_iter()
        .zip(top)
        .map(|(value, (_, count))| TopValue {
            value,
            count: *count,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(counted: &Counted) -> Vec<(u64, u64)> {
        let mut all: Vec<(u64, u64)> = counted.frequent.counts().map(|(k, n)| (*k, n)).collect();
        all.sort_unstable();
        all
    }

    #[test]
    fn whole_numbers_tallied_by_offset_count_as_one_by_one() {
        // A narrow range (tallied), a range as wide as the counters (one by one) and
        // negative numbers; each against the values counted one at a time.
        let narrow: Vec<f64> = (0..20_000).map(|i| f64::from((i * 37) % 91 - 40)).collect();
        let wide: Vec<f64> = (0..30_000)
            .map(|i| f64::from((i * 7919) % 20_011))
            .collect();
        for values in [narrow, wide] {
            let mut tallied = Counted::new(values.len());
            tallied.add_whole_numbers(&values, min_max(&values));
            let mut one_by_one = Counted::new(values.len());
            values.iter().for_each(|&v| one_by_one.add(v));
            assert_eq!(counts(&tallied), counts(&one_by_one));
            assert_eq!(tallied.frequent.is_exact(), one_by_one.frequent.is_exact());
            assert_eq!(tallied.hll.estimate(), one_by_one.hll.estimate());
        }
    }
}
