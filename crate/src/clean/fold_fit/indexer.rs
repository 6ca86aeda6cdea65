//! The StringIndexer's share of the pass: each partition codes its rows against its own
//! distinct values and counts each value per group; the codes are then merged into one
//! set of values for the whole table, a fit's labels are ordered from its training
//! groups' counts, and applying a fit's indexer to a row is a lookup of the row's code,
//! not a second hashing of its string.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch};
use arrow_schema::SchemaRef;

use crate::clean::indexer::{as_strings, order_labels};
use crate::clean::spec::{HandleInvalid, StringIndexerFitted, StringOrderType};
use crate::error::{Error, Result};

use super::{filter, FitRows};

/// One partition's statistics for one StringIndexer.
pub(super) struct IndexerStats {
    /// Per input column.
    coded: Vec<Coded>,
    /// Per group: whether a row that reaches the step has a NULL input.
    nulls: Vec<bool>,
}

/// One partition's values of a column coded against the partition's distinct values.
pub(super) struct Coded {
    dictionary: Vec<String>,
    /// `counts[code * groups + group]`: rows reaching the step with that value.
    counts: Vec<u64>,
    /// Every row's code ([`NULL_CODE`] for NULL).
    codes: Vec<u32>,
}

const NULL_CODE: u32 = u32::MAX;

/// The values of one StringIndexer input over the whole table.
pub(super) struct Labels {
    /// By global id, first seen first.
    values: Vec<String>,
    /// `counts[id * groups + group]`.
    counts: Vec<u64>,
    /// Per partition: each local code's global id.
    ids: Vec<Vec<u32>>,
}

/// One partition's coded inputs, over the rows that reach the step; with `skips`, also
/// the rows the step drops for a NULL input (`None` when it drops none).
pub(super) fn gather(
    batch: &RecordBatch,
    columns: &[usize],
    skips: bool,
    groups: &[u16],
    num_groups: usize,
    reaches: &dyn Fn(usize) -> bool,
) -> Result<(IndexerStats, Option<Vec<bool>>)> {
    let mut nulls = vec![false; num_groups];
    let mut null_rows: Vec<bool> = Vec::new();
    let mut coded = Vec::with_capacity(columns.len());
    for &c in columns {
        let strings = as_strings(batch.column(c))?;
        let mut dictionary: Vec<String> = Vec::new();
        let mut counts: Vec<u64> = Vec::new();
        let mut codes = Vec::with_capacity(groups.len());
        let mut index: foldhash::HashMap<&str, u32> = foldhash::HashMap::default();
        for (i, value) in strings.iter().enumerate() {
            let Some(value) = value else {
                codes.push(NULL_CODE);
                if reaches(i) {
                    nulls[groups[i] as usize] = true;
                    if skips {
                        if null_rows.is_empty() {
                            null_rows = vec![false; groups.len()];
                        }
                        null_rows[i] = true;
                    }
                }
                continue;
            };
            let next = index.len() as u32;
            let code = *index.entry(value).or_insert(next);
            if code == next {
                dictionary.push(value.to_string());
                counts.extend(std::iter::repeat_n(0, num_groups));
            }
            if reaches(i) {
                counts[code as usize * num_groups + groups[i] as usize] += 1;
            }
            codes.push(code);
        }
        coded.push(Coded {
            dictionary,
            counts,
            codes,
        });
    }
    let dropped = (!null_rows.is_empty()).then_some(null_rows);
    Ok((IndexerStats { coded, nulls }, dropped))
}

/// Each input's values of one StringIndexer over the whole table, from each partition's
/// [`gather`] in partition order (moving the partitions' codes out of them); and per
/// partition, per input, the rows' codes.
pub(super) fn merge_codes<'a>(
    partitions: impl Iterator<Item = &'a mut IndexerStats>,
    num_groups: usize,
) -> (Vec<Labels>, Vec<Vec<Vec<u32>>>) {
    let mut step_labels: Vec<Labels> = Vec::new();
    let mut step_codes: Vec<Vec<Vec<u32>>> = Vec::new();
    for IndexerStats { coded, .. } in partitions {
        if step_labels.is_empty() {
            step_labels = (0..coded.len())
                .map(|_| Labels {
                    values: Vec::new(),
                    counts: Vec::new(),
                    ids: Vec::new(),
                })
                .collect();
        }
        let mut partition_codes = Vec::with_capacity(coded.len());
        for (merged, c) in step_labels.iter_mut().zip(coded.iter_mut()) {
            let mut id_of: HashMap<&str, u32> = merged
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| (v.as_str(), i as u32))
                .collect();
            let mut new_values = Vec::new();
            let ids: Vec<u32> = c
                .dictionary
                .iter()
                .map(|v| {
                    let next = (merged.values.len() + new_values.len()) as u32;
                    let id = *id_of.entry(v.as_str()).or_insert(next);
                    if id == next {
                        new_values.push(v.clone());
                    }
                    id
                })
                .collect();
            drop(id_of);
            merged.values.extend(new_values);
            merged.counts.resize(merged.values.len() * num_groups, 0);
            for (code, &id) in ids.iter().enumerate() {
                for g in 0..num_groups {
                    merged.counts[id as usize * num_groups + g] += c.counts[code * num_groups + g];
                }
            }
            merged.ids.push(ids);
            partition_codes.push(std::mem::take(&mut c.codes));
        }
        step_codes.push(partition_codes);
    }
    (step_labels, step_codes)
}

/// A fit's labels from its training groups' counts (`None` when a training row has a
/// NULL input in one of the `partitions` and the indexer errors on it, as the fit's own
/// run would).
pub(super) fn fitted(
    partitions: &[&IndexerStats],
    labels: &[Labels],
    num_groups: usize,
    rows: &FitRows,
    string_order_type: StringOrderType,
    handle_invalid: HandleInvalid,
) -> Option<StringIndexerFitted> {
    let null_in_training = partitions.iter().any(|p| {
        p.nulls
            .iter()
            .enumerate()
            .any(|(g, &n)| n && rows.trains(g as u16))
    });
    if null_in_training && handle_invalid == HandleInvalid::Error {
        return None;
    }
    let labels = labels
        .iter()
        .map(|l| {
            let counted = l
                .values
                .iter()
                .enumerate()
                .filter_map(|(id, v)| {
                    let n: u64 = (0..num_groups)
                        .filter(|&g| rows.trains(g as u16))
                        .map(|g| l.counts[id * num_groups + g])
                        .sum();
                    (n > 0).then(|| (v.clone(), n))
                })
                .collect();
            order_labels(counted, string_order_type)
        })
        .collect();
    Some(StringIndexerFitted { labels })
}

/// A fit's indexer ready to apply: per input, the index of each global id (NaN: not a
/// label of this fit).
pub(super) struct Indexing {
    by_id: Vec<Vec<f64>>,
    unknown: Vec<f64>,
    handle_invalid: HandleInvalid,
    schema: SchemaRef,
}

impl Indexing {
    /// The index of each of `labels`' global ids under `fitted`, writing `schema`.
    pub(super) fn new(
        labels: &[Labels],
        fitted: &StringIndexerFitted,
        handle_invalid: HandleInvalid,
        schema: SchemaRef,
    ) -> Indexing {
        let by_id: Vec<Vec<f64>> = labels
            .iter()
            .zip(&fitted.labels)
            .map(|(values, labels)| {
                let position: HashMap<&str, f64> = labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (l.as_str(), i as f64))
                    .collect();
                values
                    .values
                    .iter()
                    .map(|v| position.get(v.as_str()).copied().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        Indexing {
            by_id,
            unknown: fitted.labels.iter().map(|l| l.len() as f64).collect(),
            handle_invalid,
            schema,
        }
    }

    /// `batch` (the partition's rows `rows`, by their row number in partition `p`) with
    /// each input's index appended from the rows' codes; a skipping indexer drops the
    /// rows it cannot index from the batch and from `rows`.
    pub(super) fn apply(
        &self,
        batch: &RecordBatch,
        rows: &mut Vec<u32>,
        codes: &[Vec<u32>],
        labels: &[Labels],
        p: usize,
    ) -> Result<RecordBatch> {
        let mut dropped: Option<Vec<bool>> = None;
        let mut columns = batch.columns().to_vec();
        for (j, index) in self.by_id.iter().enumerate() {
            let codes = &codes[j];
            let ids = &labels[j].ids[p];
            let mut out = Vec::with_capacity(rows.len());
            for (i, &r) in rows.iter().enumerate() {
                let code = codes[r as usize];
                let value = match code {
                    NULL_CODE => f64::NAN,
                    c => index[ids[c as usize] as usize],
                };
                if !value.is_nan() {
                    out.push(value);
                    continue;
                }
                match self.handle_invalid {
                    HandleInvalid::Error => return Err(Error::clean("an invalid value to index")),
                    HandleInvalid::Skip => {
                        dropped.get_or_insert_with(|| vec![true; rows.len()])[i] = false
                    }
                    HandleInvalid::Keep => {}
                }
                out.push(self.unknown[j]);
            }
            columns.push(Arc::new(Float64Array::from(out)) as ArrayRef);
        }
        let out = RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| Error::internal("indexing strings", e))?;
        match dropped {
            None => Ok(out),
            Some(kept) => {
                *rows = rows
                    .iter()
                    .zip(&kept)
                    .filter(|(_, &k)| k)
                    .map(|(&r, _)| r)
                    .collect();
                filter(&out, &BooleanArray::from(kept))
            }
        }
    }
}
