//! Hash join: the smaller side (or the right side of a semi/anti join) is built into a
//! hash table of its keys ([`crate::sql::exec::keys`]); the other side probes it partition by partition
//! in parallel. Outer joins keep unmatched rows of the preserved sides with NULLs. NULL
//! keys never match, as in SQL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, RecordBatchOptions, UInt32Array};
use arrow_buffer::NullBuffer;
use arrow_schema::SchemaRef;
use arrow_select::concat::concat_batches;
use arrow_select::take::take;
use hashbrown::HashTable;
use rayon::prelude::*;

use crate::error::{Error, ErrorCode, Result};
use crate::frame::float_keys::spark_normalized;
use crate::job::JobContext;
use crate::memory;
use crate::sql::exec::eval::evaluate_array;
use crate::sql::exec::keys::{group_rows_coded, hash_rows, RowEq};
use crate::sql::exec::value::{as_boolean, kernel_error, nulls_as_false};
use crate::sql::plan::expr::{BinaryOp, Expr};
use crate::sql::plan::logical::JoinKind;

pub struct JoinSpec<'a> {
    pub kind: JoinKind,
    pub on: &'a [(Expr, Expr)],
    pub filter: Option<&'a Expr>,
    pub left_schema: SchemaRef,
    pub right_schema: SchemaRef,
    /// The joined columns (left then right) to output; `None` is all of them. A
    /// projection over the join that only picks columns is fused into it this way, so
    /// columns read only by the keys or the residual filter are never copied.
    pub columns: Option<Vec<usize>>,
    /// The schema of the output columns.
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
    ctx: &JobContext,
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
    let budget = PairBudget::new(&build_batch, probe_parts);
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
                &budget,
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
        let pairs = Pairs {
            build_side,
            build: &build_batch,
            build_rows: &build_rows,
            probe: &probe_template,
            probe_rows: &probe_rows,
            probe_whole: false,
        };
        output.push(assemble(spec, &pairs)?);
    }
    Ok(output)
}

/// Build rows by key: `heads` finds a key's last row, `next` chains to the previous row
/// with the same key. With no keys (a cross join) every row matches.
struct BuildTable {
    keys: Vec<ArrayRef>,
    hashes: Vec<u64>,
    heads: HashTable<u32>,
    next: Vec<u32>,
    total: usize,
    /// Whether no two build rows share a key (a dimension table, an aggregate's output):
    /// each probe row then matches at most one build row.
    unique: bool,
}

const END: u32 = u32::MAX;

impl BuildTable {
    fn new(batch: &RecordBatch, keys: &[Expr]) -> Result<Self> {
        let total = batch.num_rows();
        let keys = keys
            .iter()
            // Keys matched as Spark matches floats: `-0.0` with `0.0`, NaN with NaN.
            .map(|k| evaluate_array(k, batch).map(|key| spark_normalized(&key)))
            .collect::<Result<Vec<_>>>()?;
        if keys.is_empty() {
            return Ok(BuildTable {
                keys,
                hashes: vec![],
                heads: HashTable::new(),
                next: vec![],
                total,
                unique: false,
            });
        }
        let hashes = hash_rows(&keys, total)?;
        let eq = RowEq::new(&keys, &keys)?;
        let valid = all_valid(&keys);
        let mut heads: HashTable<u32> = HashTable::with_capacity(total);
        let mut next = vec![END; total];
        for i in 0..total {
            if !valid.as_ref().is_none_or(|v| v[i]) {
                continue;
            }
            match heads.find_mut(hashes[i], |&h| eq.eq(h as usize, i)) {
                Some(head) => {
                    next[i] = *head;
                    *head = i as u32;
                }
                None => {
                    heads.insert_unique(hashes[i], i as u32, |&h| hashes[h as usize]);
                }
            }
        }
        let unique = next.iter().all(|&n| n == END);
        Ok(BuildTable {
            keys,
            hashes,
            heads,
            next,
            total,
            unique,
        })
    }

    /// Candidate pairs (probe row, build row) for the probe rows' keys, taken from
    /// `budget` as they are found.
    fn probe(
        &self,
        probe_keys: &[ArrayRef],
        rows: usize,
        budget: &PairBudget,
    ) -> Result<(Vec<u32>, Vec<u32>)> {
        let (mut probe_idx, mut build_idx) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        if self.keys.is_empty() {
            budget.take(rows.saturating_mul(self.total))?;
            for i in 0..rows as u32 {
                for b in 0..self.total as u32 {
                    probe_idx.push(i);
                    build_idx.push(b);
                }
            }
            return Ok((probe_idx, build_idx));
        }
        let heads = self.heads_of(probe_keys, rows)?;
        let mut taken = 0;
        for (i, &head) in heads.iter().enumerate() {
            while probe_idx.len() >= taken {
                budget.take(PairBudget::STEP)?;
                taken += PairBudget::STEP;
            }
            let mut at = head;
            while at != END {
                probe_idx.push(i as u32);
                build_idx.push(at);
                at = self.next[at as usize];
            }
        }
        // Steps are taken ahead of the pairs found: what this part did not use goes back.
        budget.give_back(taken.saturating_sub(probe_idx.len()));
        Ok((probe_idx, build_idx))
    }

    /// The head of each probe row's chain of matching build rows (`END` for none, and
    /// for a NULL key). Against a small build side the probe keys are coded first and
    /// each distinct key is looked up once: a dimension table's keys repeat on every
    /// probe row, and coding them is cheaper than probing the table per row.
    fn heads_of(&self, probe_keys: &[ArrayRef], rows: usize) -> Result<Vec<u32>> {
        if self.total <= CODED_PROBE_MAX_BUILD_ROWS {
            if let Some(distinct) = group_rows_coded(probe_keys, rows) {
                let firsts = UInt32Array::from(distinct.firsts);
                let distinct_keys = probe_keys
                    .iter()
                    .map(|k| take(k, &firsts, None).map_err(kernel_error))
                    .collect::<Result<Vec<_>>>()?;
                let heads = self.lookup(&distinct_keys, firsts.len())?;
                return Ok(distinct.ids.iter().map(|&g| heads[g as usize]).collect());
            }
        }
        self.lookup(probe_keys, rows)
    }

    /// The head of each row's chain, looking every row up.
    fn lookup(&self, probe_keys: &[ArrayRef], rows: usize) -> Result<Vec<u32>> {
        let hashes = hash_rows(probe_keys, rows)?;
        let eq = RowEq::new(probe_keys, &self.keys)?;
        let valid = all_valid(probe_keys);
        Ok(hashes
            .iter()
            .enumerate()
            .map(|(i, &hash)| {
                if !valid.as_ref().is_none_or(|v| v[i]) {
                    return END;
                }
                self.heads
                    .find(hash, |&b| {
                        self.hashes[b as usize] == hash && eq.eq(i, b as usize)
                    })
                    .copied()
                    .unwrap_or(END)
            })
            .collect())
    }
}

/// Build sides up to this many rows are probed by coded keys ([`BuildTable::heads_of`]).
const CODED_PROBE_MAX_BUILD_ROWS: usize = 4096;

/// How many (probe row, build row) pairs a join may still produce before its output would
/// not fit in memory: a join on a key most rows share, or a cross join of big tables,
/// is refused with a message instead of aborting the engine.
struct PairBudget {
    remaining: AtomicUsize,
    max_pairs: usize,
    /// Estimated bytes of one output row plus its two indices.
    pair_bytes: usize,
}

impl PairBudget {
    /// Pairs taken at a time while probing.
    const STEP: usize = 1 << 16;

    fn new(build: &RecordBatch, probe: &[RecordBatch]) -> Self {
        let row_bytes = |bytes: usize, rows: usize| bytes / rows.max(1);
        let probe_rows = probe.iter().map(RecordBatch::num_rows).sum();
        let probe_bytes = probe.iter().map(sliced_bytes).sum();
        let pair_bytes = 8
            + row_bytes(sliced_bytes(build), build.num_rows())
            + row_bytes(probe_bytes, probe_rows);
        let max_pairs = memory::available() / pair_bytes;
        PairBudget {
            remaining: AtomicUsize::new(max_pairs),
            max_pairs,
            pair_bytes,
        }
    }

    fn give_back(&self, pairs: usize) {
        self.remaining.fetch_add(pairs, Ordering::Relaxed);
    }

    fn take(&self, pairs: usize) -> Result<()> {
        self.remaining
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(pairs)
            })
            .map(|_| ())
            .map_err(|_| {
                Error::new(
                    ErrorCode::OutOfMemory,
                    format!(
                        "this join pairs more rows than the engine's memory can hold (about {} \
                         rows of {} each fit in the {} it has left of {}); add a join \
                         condition, or filter or aggregate the inputs first",
                        self.max_pairs,
                        memory::describe_bytes(self.pair_bytes),
                        memory::describe_bytes(self.max_pairs * self.pair_bytes),
                        memory::describe_bytes(memory::LIMIT),
                    ),
                )
            })
    }
}

/// Bytes of a batch's rows: partitions are often slices of one loaded buffer, whose
/// whole size `get_array_memory_size` would count once per slice.
fn sliced_bytes(batch: &RecordBatch) -> usize {
    batch
        .columns()
        .iter()
        .map(|column| {
            column
                .to_data()
                .get_slice_memory_size()
                .unwrap_or_else(|_| column.get_array_memory_size())
        })
        .sum()
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
    budget: &PairBudget,
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
    let probe_keys = keys
        .iter()
        .map(|k| evaluate_array(k, probe).map(|key| spark_normalized(&key)))
        .collect::<Result<Vec<_>>>()?;
    // The residual ON condition decides which candidates match.
    let (probe_idx, build_idx) = match spec.filter {
        Some(filter) if table.unique && raises_nothing(filter) => single_match_pairs(
            table,
            &probe_keys,
            probe,
            build,
            build_side,
            spec,
            filter,
            budget,
        )?,
        None => table.probe(&probe_keys, probe.num_rows(), budget)?,
        Some(filter) => {
            let (probe_idx, build_idx) = table.probe(&probe_keys, probe.num_rows(), budget)?;
            let (build_rows, probe_rows) =
                (UInt32Array::from(build_idx), UInt32Array::from(probe_idx));
            let candidates = Pairs {
                build_side,
                build,
                build_rows: &build_rows,
                probe,
                probe_rows: &probe_rows,
                probe_whole: false,
            };
            let (input, filter) = residual_input(spec, filter, &candidates)?;
            let keep = evaluate_array(&filter, &input)?;
            // NULL is not true: the pairs where the condition is true, read a word of
            // the mask at a time.
            let keep = nulls_as_false(as_boolean(&keep)?);
            let kept_len = keep.true_count();
            let mut kept = (Vec::with_capacity(kept_len), Vec::with_capacity(kept_len));
            let (probe_rows, build_rows) = (probe_rows.values(), build_rows.values());
            for i in keep.values().set_indices() {
                kept.0.push(probe_rows[i]);
                kept.1.push(build_rows[i]);
            }
            kept
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
        let columns = match &spec.columns {
            None => batch.columns().to_vec(),
            Some(wanted) => wanted.iter().map(|&c| batch.column(c).clone()).collect(),
        };
        let batch = RecordBatch::try_new_with_options(
            spec.output.clone(),
            columns,
            &RecordBatchOptions::new().with_row_count(Some(batch.num_rows())),
        )
        .map_err(kernel_error)?;
        return Ok((batch, build_matched));
    }
    let (mut probe_out, mut build_out) = (probe_idx, build_idx);
    // Unmatched probe rows of an outer join: their build side is NULL.
    let mut build_nulls: Option<Vec<bool>> = None;
    if preserve_probe {
        let mut has_match = vec![false; probe.num_rows()];
        for &p in &probe_out {
            has_match[p as usize] = true;
        }
        let mut valid = vec![true; probe_out.len()];
        for (i, m) in has_match.into_iter().enumerate() {
            if !m {
                probe_out.push(i as u32);
                build_out.push(0);
                valid.push(false);
            }
        }
        build_nulls = Some(valid);
    }
    let build_rows = UInt32Array::new(build_out.into(), build_nulls.map(NullBuffer::from));
    let pairs = Pairs {
        build_side,
        build,
        build_rows: &build_rows,
        probe,
        probe_rows: &UInt32Array::from(probe_out),
        probe_whole: false,
    };
    let batch = assemble(spec, &pairs)?;
    Ok((batch, build_matched))
}

/// Whether evaluating `expr` on any row raises nothing (comparisons and logic over
/// columns and constants), so it may be evaluated on rows that are not pairs.
fn raises_nothing(expr: &Expr) -> bool {
    match expr {
        Expr::Column { .. } | Expr::Literal(_) => true,
        Expr::Binary { op, left, right } => {
            (op.is_comparison() || matches!(op, BinaryOp::And | BinaryOp::Or))
                && raises_nothing(left)
                && raises_nothing(right)
        }
        Expr::Not(inner) => raises_nothing(inner),
        Expr::IsNull { expr, .. } => raises_nothing(expr),
        _ => false,
    }
}

/// The pairs a probe partition keeps when each probe row has at most one build row
/// (unique build keys) and the residual `filter` raises nothing on any row: the
/// condition is evaluated once over the probe rows as they are, beside the build
/// columns it reads taken per probe row (NULL where the row has no match), instead of
/// over copies of both sides' columns for every candidate pair. The same pairs, in the
/// same order (probe rows ascending), as probing then filtering the candidates.
#[allow(clippy::too_many_arguments)]
fn single_match_pairs(
    table: &BuildTable,
    probe_keys: &[ArrayRef],
    probe: &RecordBatch,
    build: &RecordBatch,
    build_side: Side,
    spec: &JoinSpec,
    filter: &Expr,
    budget: &PairBudget,
) -> Result<(Vec<u32>, Vec<u32>)> {
    let rows = probe.num_rows();
    let heads = table.heads_of(probe_keys, rows)?;
    let matched = arrow_buffer::BooleanBuffer::collect_bool(rows, |i| heads[i] != END);
    // The candidates count against the budget as the probe counts them.
    budget.take(matched.count_set_bits())?;
    if matched.count_set_bits() == 0 {
        return Ok((vec![], vec![]));
    }
    // A row without a match reads build row 0 under a NULL.
    let build_rows = UInt32Array::new(
        heads
            .iter()
            .map(|&h| if h == END { 0 } else { h })
            .collect(),
        Some(NullBuffer::new(matched.clone())),
    );
    let candidates = Pairs {
        build_side,
        build,
        build_rows: &build_rows,
        probe,
        probe_rows: &UInt32Array::from(Vec::<u32>::new()),
        probe_whole: true,
    };
    let (input, filter) = residual_input(spec, filter, &candidates)?;
    let keep = nulls_as_false(as_boolean(&evaluate_array(&filter, &input)?)?);
    // A row without a match is not a pair, whatever the condition gave on its NULLs.
    let pairs = keep.values() & &matched;
    let kept_len = pairs.count_set_bits();
    let mut kept = (Vec::with_capacity(kept_len), Vec::with_capacity(kept_len));
    for i in pairs.set_indices() {
        kept.0.push(i as u32);
        kept.1.push(heads[i]);
    }
    Ok(kept)
}

/// Joined rows by index: output row `i` pairs `probe_rows[i]` of the probe side with
/// `build_rows[i]` of the build side (a NULL index: that side is NULL).
struct Pairs<'a> {
    build_side: Side,
    build: &'a RecordBatch,
    build_rows: &'a UInt32Array,
    probe: &'a RecordBatch,
    probe_rows: &'a UInt32Array,
    /// Every probe row once, in order (`probe_rows` is then not read): the probe
    /// side's columns are used as they are.
    probe_whole: bool,
}

/// The arrays of joined columns `columns` (indices into left then right) for `pairs`.
fn take_joined(
    spec: &JoinSpec,
    pairs: &Pairs,
    columns: impl Iterator<Item = usize>,
) -> Result<Vec<ArrayRef>> {
    let split = spec.left_schema.fields().len();
    let (left, left_rows, right, right_rows) = match pairs.build_side {
        Side::Left => (pairs.build, pairs.build_rows, pairs.probe, pairs.probe_rows),
        Side::Right => (pairs.probe, pairs.probe_rows, pairs.build, pairs.build_rows),
    };
    let probe_is_left = pairs.build_side == Side::Right;
    columns
        .map(|c| {
            let (column, rows) = if c < split {
                (left.column(c), left_rows)
            } else {
                (right.column(c - split), right_rows)
            };
            if pairs.probe_whole && (c < split) == probe_is_left {
                return Ok(Arc::clone(column));
            }
            if column.is_empty() {
                // An empty side (or all-NULL indices into it): a column of NULLs.
                Ok(arrow_array::new_null_array(column.data_type(), rows.len()))
            } else if takes_every_row_in_order(rows, column.len()) {
                // Every row once, in order (each probe row matched one build row): the
                // column as it is, not a copy.
                Ok(Arc::clone(column))
            } else {
                take(column, rows, None).map_err(kernel_error)
            }
        })
        .collect()
}

/// Whether `rows` are exactly `0..len` in order, none NULL.
fn takes_every_row_in_order(rows: &UInt32Array, len: usize) -> bool {
    rows.len() == len
        && rows.null_count() == 0
        && rows
            .values()
            .iter()
            .enumerate()
            .all(|(i, &r)| r as usize == i)
}

/// The candidate pairs as rows for the residual filter, and the filter to evaluate on
/// them: only the columns the filter reads are taken, and the filter is renumbered to
/// read them there (a filter with lambdas, whose bodies name columns of their own,
/// reads them among NULL placeholders for every other joined column instead).
fn residual_input(spec: &JoinSpec, filter: &Expr, pairs: &Pairs) -> Result<(RecordBatch, Expr)> {
    let mut read = Vec::new();
    filter.columns(&mut read);
    read.sort_unstable();
    read.dedup();
    let fields: Vec<_> = spec
        .left_schema
        .fields()
        .iter()
        .chain(spec.right_schema.fields())
        .map(|f| f.as_ref().clone().with_nullable(true))
        .collect();
    let rows = pairs.build_rows.len();
    let options = RecordBatchOptions::new().with_row_count(Some(rows));
    let taken = take_joined(spec, pairs, read.iter().copied())?;
    if !filter.any(&|e| matches!(e, Expr::HigherOrder(_))) {
        let schema =
            arrow_schema::Schema::new(read.iter().map(|&c| fields[c].clone()).collect::<Vec<_>>());
        let batch = RecordBatch::try_new_with_options(Arc::new(schema), taken, &options)
            .map_err(kernel_error)?;
        let position = |c: usize| read.binary_search(&c).unwrap_or(0);
        return Ok((batch, filter.clone().remap_columns(&position)));
    }
    let mut taken: HashMap<usize, ArrayRef> = read.iter().copied().zip(taken).collect();
    let columns = fields
        .iter()
        .enumerate()
        .map(|(c, f)| {
            taken
                .remove(&c)
                .unwrap_or_else(|| arrow_array::new_null_array(f.data_type(), rows))
        })
        .collect();
    let batch = RecordBatch::try_new_with_options(
        Arc::new(arrow_schema::Schema::new(fields)),
        columns,
        &options,
    )
    .map_err(kernel_error)?;
    Ok((batch, filter.clone()))
}

/// Output rows: the join's output columns (all when the spec picks none) for `pairs`.
fn assemble(spec: &JoinSpec, pairs: &Pairs) -> Result<RecordBatch> {
    let width = spec.left_schema.fields().len() + spec.right_schema.fields().len();
    let columns = match &spec.columns {
        None => take_joined(spec, pairs, 0..width)?,
        Some(wanted) => take_joined(spec, pairs, wanted.iter().copied())?,
    };
    RecordBatch::try_new_with_options(
        spec.output.clone(),
        columns,
        &RecordBatchOptions::new().with_row_count(Some(pairs.probe_rows.len())),
    )
    .map_err(kernel_error)
}
