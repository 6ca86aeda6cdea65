//! Hash join: the smaller side (or the right side of a semi/anti join) is built into a
//! hash table of arrow-row encoded keys; the other side probes it partition by partition
//! in parallel. Outer joins keep unmatched rows of the preserved sides with NULLs. NULL
//! keys never match, as in SQL.

use std::hash::BuildHasher;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_row::{RowConverter, Rows, SortField};
use arrow_schema::SchemaRef;
use arrow_select::concat::concat_batches;
use arrow_select::take::take;
use hashbrown::{DefaultHashBuilder, HashTable};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::sql::exec::eval::{as_boolean, evaluate_array, kernel_error};
use crate::sql::exec::ExecContext;
use crate::sql::plan::expr::Expr;
use crate::sql::plan::logical::JoinKind;

pub struct JoinSpec<'a> {
    pub kind: JoinKind,
    pub on: &'a [(Expr, Expr)],
    pub filter: Option<&'a Expr>,
    pub left_schema: SchemaRef,
    pub right_schema: SchemaRef,
    pub output: SchemaRef,
}

/// Which input is hashed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Left,
    Right,
}

pub fn hash_join(
    left: &[RecordBatch],
    right: &[RecordBatch],
    spec: &JoinSpec,
    ctx: &ExecContext,
) -> Result<Vec<RecordBatch>> {
    let rows = |p: &[RecordBatch]| p.iter().map(RecordBatch::num_rows).sum::<usize>();
    let build_side = match spec.kind {
        JoinKind::LeftSemi | JoinKind::LeftAnti => Side::Right,
        _ if rows(left) < rows(right) => Side::Left,
        _ => Side::Right,
    };
    let (build_parts, probe_parts, build_schema) = match build_side {
        Side::Left => (left, right, &spec.left_schema),
        Side::Right => (right, left, &spec.right_schema),
    };
    let build_batch = concat_batches(build_schema, build_parts).map_err(kernel_error)?;
    let key_of = |pair: &(Expr, Expr), side: Side| match side {
        Side::Left => pair.0.clone(),
        Side::Right => pair.1.clone(),
    };
    let probe_side = if build_side == Side::Left {
        Side::Right
    } else {
        Side::Left
    };
    let build_keys: Vec<Expr> = spec.on.iter().map(|p| key_of(p, build_side)).collect();
    let probe_keys: Vec<Expr> = spec.on.iter().map(|p| key_of(p, probe_side)).collect();
    let table = BuildTable::new(&build_batch, &build_keys)?;

    let preserve_probe = matches!(
        (spec.kind, probe_side),
        (JoinKind::Left | JoinKind::Full, Side::Left)
            | (JoinKind::Right | JoinKind::Full, Side::Right)
    );
    let preserve_build = matches!(
        (spec.kind, build_side),
        (JoinKind::Left | JoinKind::Full, Side::Left)
            | (JoinKind::Right | JoinKind::Full, Side::Right)
    );

    let probed: Vec<(RecordBatch, Vec<bool>)> = probe_parts
        .par_iter()
        .map(|probe| {
            ctx.check()?;
            let result = probe_partition(
                probe,
                &probe_keys,
                &table,
                &build_batch,
                spec,
                probe_side,
                preserve_probe,
                preserve_build,
            );
            ctx.advance();
            result
        })
        .collect::<Result<_>>()?;
    let mut matched = vec![false; build_batch.num_rows()];
    let mut output = Vec::with_capacity(probed.len() + 1);
    for (batch, partition_matched) in probed {
        for (m, p) in matched.iter_mut().zip(partition_matched) {
            *m |= p;
        }
        output.push(batch);
    }
    if preserve_build {
        let unmatched: Vec<u32> = (0..build_batch.num_rows() as u32)
            .filter(|&i| !matched[i as usize])
            .collect();
        let build_rows = UInt32Array::from(unmatched);
        let probe_rows = UInt32Array::new_null(build_rows.len());
        let probe_template = match probe_side {
            Side::Left => RecordBatch::new_empty(spec.left_schema.clone()),
            Side::Right => RecordBatch::new_empty(spec.right_schema.clone()),
        };
        output.push(assemble(
            spec,
            build_side,
            &build_batch,
            &build_rows,
            &probe_template,
            &probe_rows,
        )?);
    }
    Ok(output)
}

/// Build rows by encoded key: `heads` finds a key's last row, `next` chains to the
/// previous row with the same key. With no keys (a cross join) every row matches.
struct BuildTable {
    converter: Option<RowConverter>,
    hasher: DefaultHashBuilder,
    rows: Option<Rows>,
    heads: HashTable<u32>,
    next: Vec<u32>,
    total: usize,
}

const END: u32 = u32::MAX;

impl BuildTable {
    fn new(batch: &RecordBatch, keys: &[Expr]) -> Result<Self> {
        let total = batch.num_rows();
        if keys.is_empty() {
            return Ok(BuildTable {
                converter: None,
                hasher: DefaultHashBuilder::default(),
                rows: None,
                heads: HashTable::new(),
                next: vec![],
                total,
            });
        }
        let arrays = keys
            .iter()
            .map(|k| evaluate_array(k, batch))
            .collect::<Result<Vec<_>>>()?;
        let converter = RowConverter::new(
            arrays
                .iter()
                .map(|a| SortField::new(a.data_type().clone()))
                .collect(),
        )
        .map_err(kernel_error)?;
        let rows = converter.convert_columns(&arrays).map_err(kernel_error)?;
        let valid = all_valid(&arrays);
        let hasher = DefaultHashBuilder::default();
        let mut heads: HashTable<u32> = HashTable::with_capacity(total);
        let mut next = vec![END; total];
        for i in 0..total {
            if !valid.as_ref().is_none_or(|v| v[i]) {
                continue;
            }
            let key = rows.row(i);
            let hash = hasher.hash_one(key.data());
            match heads.find_mut(hash, |&h| rows.row(h as usize) == key) {
                Some(head) => {
                    next[i] = *head;
                    *head = i as u32;
                }
                None => {
                    heads.insert_unique(hash, i as u32, |&h| {
                        hasher.hash_one(rows.row(h as usize).data())
                    });
                }
            }
        }
        Ok(BuildTable {
            converter: Some(converter),
            hasher,
            rows: Some(rows),
            heads,
            next,
            total,
        })
    }

    /// Calls `f` with every build row matching probe row `i`.
    fn matches(&self, probe_rows: Option<&Rows>, i: usize, mut f: impl FnMut(u32)) {
        let (Some(rows), Some(probe)) = (&self.rows, probe_rows) else {
            (0..self.total as u32).for_each(f);
            return;
        };
        let key = probe.row(i);
        let hash = self.hasher.hash_one(key.data());
        let Some(&head) = self.heads.find(hash, |&h| rows.row(h as usize) == key) else {
            return;
        };
        let mut at = head;
        while at != END {
            f(at);
            at = self.next[at as usize];
        }
    }
}

/// Which rows have no NULL key (`None`: all of them).
fn all_valid(arrays: &[ArrayRef]) -> Option<Vec<bool>> {
    if arrays.iter().all(|a| a.null_count() == 0) {
        return None;
    }
    let len = arrays.first().map_or(0, |a| a.len());
    Some(
        (0..len)
            .map(|i| arrays.iter().all(|a| a.is_valid(i)))
            .collect(),
    )
}

#[allow(clippy::too_many_arguments)]
fn probe_partition(
    probe: &RecordBatch,
    keys: &[Expr],
    table: &BuildTable,
    build: &RecordBatch,
    spec: &JoinSpec,
    probe_side: Side,
    preserve_probe: bool,
    track_build: bool,
) -> Result<(RecordBatch, Vec<bool>)> {
    let build_side = if probe_side == Side::Left {
        Side::Right
    } else {
        Side::Left
    };
    let probe_rows = match &table.converter {
        None => None,
        Some(converter) => {
            let arrays = keys
                .iter()
                .map(|k| evaluate_array(k, probe))
                .collect::<Result<Vec<_>>>()?;
            let valid = all_valid(&arrays);
            let rows = converter.convert_columns(&arrays).map_err(kernel_error)?;
            Some((rows, valid))
        }
    };
    // Candidate pairs (probe row, build row).
    let mut probe_idx: Vec<u32> = Vec::new();
    let mut build_idx: Vec<u32> = Vec::new();
    for i in 0..probe.num_rows() {
        if let Some((_, Some(valid))) = &probe_rows {
            if !valid[i] {
                continue;
            }
        }
        table.matches(probe_rows.as_ref().map(|(r, _)| r), i, |b| {
            probe_idx.push(i as u32);
            build_idx.push(b);
        });
    }
    // The residual ON condition decides which candidates match.
    let (probe_idx, build_idx) = match spec.filter {
        None => (probe_idx, build_idx),
        Some(filter) => {
            let candidates = assemble(
                &JoinSpec {
                    kind: JoinKind::Inner,
                    ..clone_spec(spec)
                },
                build_side,
                build,
                &UInt32Array::from(build_idx.clone()),
                probe,
                &UInt32Array::from(probe_idx.clone()),
            )?;
            let keep = evaluate_array(filter, &candidates)?;
            let keep = as_boolean(&keep)?;
            let kept: Vec<usize> = (0..keep.len())
                .filter(|&i| keep.is_valid(i) && keep.value(i))
                .collect();
            (
                kept.iter().map(|&i| probe_idx[i]).collect(),
                kept.iter().map(|&i| build_idx[i]).collect(),
            )
        }
    };
    let mut build_matched = vec![false; if track_build { build.num_rows() } else { 0 }];
    if track_build {
        for &b in &build_idx {
            build_matched[b as usize] = true;
        }
    }
    if matches!(spec.kind, JoinKind::LeftSemi | JoinKind::LeftAnti) {
        let mut has_match = vec![false; probe.num_rows()];
        for &p in &probe_idx {
            has_match[p as usize] = true;
        }
        let want = spec.kind == JoinKind::LeftSemi;
        let mask: BooleanArray = has_match.into_iter().map(|m| Some(m == want)).collect();
        let batch =
            arrow_select::filter::filter_record_batch(probe, &mask).map_err(kernel_error)?;
        let batch = RecordBatch::try_new_with_options(
            spec.output.clone(),
            batch.columns().to_vec(),
            &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
        )
        .map_err(kernel_error)?;
        return Ok((batch, build_matched));
    }
    let (mut probe_out, mut build_out): (Vec<Option<u32>>, Vec<Option<u32>>) = (
        probe_idx.iter().map(|&p| Some(p)).collect(),
        build_idx.iter().map(|&b| Some(b)).collect(),
    );
    if preserve_probe {
        let mut has_match = vec![false; probe.num_rows()];
        for &p in &probe_idx {
            has_match[p as usize] = true;
        }
        for (i, m) in has_match.into_iter().enumerate() {
            if !m {
                probe_out.push(Some(i as u32));
                build_out.push(None);
            }
        }
    }
    let batch = assemble(
        spec,
        build_side,
        build,
        &UInt32Array::from(build_out),
        probe,
        &UInt32Array::from(probe_out),
    )?;
    Ok((batch, build_matched))
}

fn clone_spec<'a>(spec: &JoinSpec<'a>) -> JoinSpec<'a> {
    JoinSpec {
        kind: spec.kind,
        on: spec.on,
        filter: spec.filter,
        left_schema: spec.left_schema.clone(),
        right_schema: spec.right_schema.clone(),
        output: Arc::new(arrow_schema::Schema::new(
            spec.left_schema
                .fields()
                .iter()
                .chain(spec.right_schema.fields())
                .map(|f| f.as_ref().clone().with_nullable(true))
                .collect::<Vec<_>>(),
        )),
    }
}

/// Output rows: left columns then right columns, taken at the given indices (a NULL index
/// gives a row of NULLs for that side).
fn assemble(
    spec: &JoinSpec,
    build_side: Side,
    build: &RecordBatch,
    build_rows: &UInt32Array,
    probe: &RecordBatch,
    probe_rows: &UInt32Array,
) -> Result<RecordBatch> {
    let take_all = |batch: &RecordBatch, indices: &UInt32Array| -> Result<Vec<ArrayRef>> {
        batch
            .columns()
            .iter()
            .map(|c| {
                if c.is_empty() {
                    // An empty side (or all-NULL indices into it): a column of NULLs.
                    Ok(arrow_array::new_null_array(c.data_type(), indices.len()))
                } else {
                    take(c, indices, None).map_err(kernel_error)
                }
            })
            .collect()
    };
    let (left, right) = match build_side {
        Side::Left => (take_all(build, build_rows)?, take_all(probe, probe_rows)?),
        Side::Right => (take_all(probe, probe_rows)?, take_all(build, build_rows)?),
    };
    let columns: Vec<ArrayRef> = left.into_iter().chain(right).collect();
    let rows = probe_rows.len();
    RecordBatch::try_new_with_options(
        spec.output.clone(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(rows)),
    )
    .map_err(|e| Error::internal("assembling joined rows", e))
}
