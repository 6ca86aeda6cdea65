//! `array_sort(array, (l, r) -> int)`: a stable sort by a comparator lambda, as Spark's
//! (Java's `TimSort`) gives for a consistent comparator (ties keep their input order).
//!
//! A bottom-up merge sort over every array of the batch at once. Each round merges
//! neighbouring runs of width `w` of all arrays in lock-step, and every comparator call
//! of a step is one evaluation of the lambda over the whole batch:
//!
//! 1. merges whose left run's last element does not sort after the right run's first
//!    are already in order and are copied (one evaluation for all merges);
//! 2. the others are cut into pieces of at most `p ≈ log2(2w)` outputs by a binary
//!    search along each cut's diagonal ("merge path"): about `log2(w)` evaluations, each
//!    over all cuts (`n / p` of them);
//! 3. all pieces are merged a step at a time: at most `p` evaluations, each over the
//!    head pair of every unfinished piece.
//!
//! So a round calls the comparator about `n` times in `O(log w)` evaluations, and the
//! whole sort `O(n log n)` times in `O(log² n)` evaluations. An inconsistent comparator
//! gets some permutation of the array (never an error or a panic), as Java may.

use arrow_array::cast::AsArray;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, ListArray, UInt32Array};

use super::{list_array, Closure, Flat};
use crate::error::{Error, ErrorCode, Result};
use crate::sql::exec::value::kernel_error;
use crate::sql::plan::expr::Lambda;

pub fn array_sort(lists: &ListArray, lambda: &Lambda, closure: &Closure) -> Result<ArrayRef> {
    let flat = Flat::of_lists(lists)?;
    let values = &flat.children[0];
    let sorter = Sorter {
        values,
        lambda,
        closure,
    };
    // The arrays worth sorting: (their range in the flat elements, their row).
    let arrays: Vec<(usize, usize, u32)> = (0..lists.len())
        .map(|i| (flat.range(i), i as u32))
        .filter(|(r, _)| r.len() > 1)
        .map(|(r, i)| (r.start, r.end, i))
        .collect();
    let mut cur: Vec<u32> = (0..values.len() as u32).collect();
    let mut next = cur.clone();
    let longest = arrays.iter().map(|&(s, e, _)| e - s).max().unwrap_or(0);
    let mut width = 1usize;
    while width < longest {
        sorter.round(&arrays, width, &cur, &mut next)?;
        std::mem::swap(&mut cur, &mut next);
        width = width.saturating_mul(2);
    }
    let sorted = arrow_select::take::take(values.as_ref(), &UInt32Array::from(cur), None)
        .map_err(kernel_error)?;
    list_array(lists.data_type(), sorted, flat.offsets, flat.nulls)
}

/// One merge of the sorted runs `cur[a..mid]` and `cur[mid..end]` into `next[a..end]`.
struct Merge {
    a: usize,
    mid: usize,
    end: usize,
    row: u32,
}

/// A piece of a merge: `next[out..]` gets `cur[a..a_end]` merged with `cur[b..b_end]`.
struct Piece {
    out: usize,
    a: usize,
    a_end: usize,
    b: usize,
    b_end: usize,
    row: u32,
}

struct Sorter<'a> {
    values: &'a ArrayRef,
    lambda: &'a Lambda,
    closure: &'a Closure<'a>,
}

impl Sorter<'_> {
    /// Whether the element `left` may come before `right` (the comparator's answer for
    /// them is at most 0) for each `(left, right, row)`, in one evaluation.
    fn in_order(&self, pairs: &[(u32, u32, u32)]) -> Result<Vec<bool>> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let take = |pick: fn(&(u32, u32, u32)) -> u32| {
            arrow_select::take::take(
                self.values.as_ref(),
                &UInt32Array::from_iter_values(pairs.iter().map(pick)),
                None,
            )
            .map_err(kernel_error)
        };
        let params = vec![take(|p| p.0)?, take(|p| p.1)?];
        let rows = UInt32Array::from_iter_values(pairs.iter().map(|p| p.2));
        let order = self.closure.apply(self.lambda, Some(&rows), params)?;
        let order = order
            .as_primitive_opt::<Int32Type>()
            .ok_or_else(|| Error::new(ErrorCode::Internal, "a comparator that is not an int"))?;
        if order.null_count() > 0 {
            return Err(Error::new(
                ErrorCode::SqlExecution,
                "the comparator of array_sort returned NULL; it must return a negative \
                 int, 0 or a positive int (Spark's COMPARATOR_RETURNS_NULL)",
            ));
        }
        Ok(order.values().iter().map(|&o| o <= 0).collect())
    }

    /// Merges the runs of width `width` of every array from `cur` into `next`.
    fn round(
        &self,
        arrays: &[(usize, usize, u32)],
        width: usize,
        cur: &[u32],
        next: &mut [u32],
    ) -> Result<()> {
        let mut merges = Vec::new();
        for &(start, end, row) in arrays {
            let mut a = start;
            while a < end {
                let mid = a.saturating_add(width).min(end);
                let stop = mid.saturating_add(width).min(end);
                if mid == stop {
                    next[a..stop].copy_from_slice(&cur[a..stop]);
                } else {
                    merges.push(Merge {
                        a,
                        mid,
                        end: stop,
                        row,
                    });
                }
                a = stop;
            }
        }
        // 1. Runs already in order are copied.
        let pairs: Vec<_> = merges
            .iter()
            .map(|m| (cur[m.mid - 1], cur[m.mid], m.row))
            .collect();
        let ordered = self.in_order(&pairs)?;
        let merges: Vec<Merge> = merges
            .into_iter()
            .zip(ordered)
            .filter_map(|(m, ordered)| {
                if ordered {
                    next[m.a..m.end].copy_from_slice(&cur[m.a..m.end]);
                    None
                } else {
                    Some(m)
                }
            })
            .collect();
        // 2. Cut each merge into pieces of at most `step` outputs.
        let step = (usize::BITS - (2 * width).leading_zeros()) as usize;
        let pieces = self.cut(&merges, step, cur)?;
        // 3. Merge all pieces a step at a time.
        self.merge(pieces, cur, next)
    }

    /// The pieces of `merges`: for each diagonal `d` (a multiple of `step`), how many of
    /// the first `d` outputs come from the left run, by binary searches in lock-step.
    fn cut(&self, merges: &[Merge], step: usize, cur: &[u32]) -> Result<Vec<Piece>> {
        // (merge, d, lo, hi): the split is in lo..=hi.
        let mut searches: Vec<(usize, usize, usize, usize)> = Vec::new();
        for (k, m) in merges.iter().enumerate() {
            let (na, nb) = (m.mid - m.a, m.end - m.mid);
            let mut d = step;
            while d < na + nb {
                searches.push((k, d, d.saturating_sub(nb), d.min(na)));
                d += step;
            }
        }
        loop {
            let open: Vec<usize> = (0..searches.len())
                .filter(|&s| searches[s].2 < searches[s].3)
                .collect();
            if open.is_empty() {
                break;
            }
            // Does the left run's element `mid` come before the right run's `d - mid - 1`?
            let pairs: Vec<_> = open
                .iter()
                .map(|&s| {
                    let (k, d, lo, hi) = searches[s];
                    let m = &merges[k];
                    let mid = (lo + hi) / 2;
                    (cur[m.a + mid], cur[m.mid + d - mid - 1], m.row)
                })
                .collect();
            for (&s, before) in open.iter().zip(self.in_order(&pairs)?) {
                let (_, _, lo, hi) = &mut searches[s];
                let mid = (*lo + *hi) / 2;
                if before {
                    *lo = mid + 1;
                } else {
                    *hi = mid;
                }
            }
        }
        let mut pieces = Vec::new();
        let mut searches = searches.into_iter().peekable();
        for (k, m) in merges.iter().enumerate() {
            let (na, nb) = (m.mid - m.a, m.end - m.mid);
            // (outputs, of which from the left run) at the previous cut.
            let (mut d0, mut i0) = (0usize, 0usize);
            loop {
                let (d, i) = match searches.next_if(|s| s.0 == k) {
                    Some((_, d, split, _)) => {
                        // Cuts must not cross (an inconsistent comparator could make them).
                        let low = i0.max(d.saturating_sub(nb));
                        (d, split.clamp(low, (i0 + d - d0).min(na).min(d).max(low)))
                    }
                    None => (na + nb, na),
                };
                pieces.push(Piece {
                    out: m.a + d0,
                    a: m.a + i0,
                    a_end: m.a + i,
                    b: m.mid + (d0 - i0),
                    b_end: m.mid + (d - i),
                    row: m.row,
                });
                if d == na + nb {
                    break;
                }
                (d0, i0) = (d, i);
            }
        }
        Ok(pieces)
    }

    /// Merges every piece into `next`, one comparator evaluation per step over the head
    /// pairs of all pieces with both sides left.
    fn merge(&self, mut pieces: Vec<Piece>, cur: &[u32], next: &mut [u32]) -> Result<()> {
        loop {
            pieces.retain(|p| {
                if p.a < p.a_end && p.b < p.b_end {
                    return true;
                }
                let rest = if p.a < p.a_end {
                    &cur[p.a..p.a_end]
                } else {
                    &cur[p.b..p.b_end]
                };
                next[p.out..p.out + rest.len()].copy_from_slice(rest);
                false
            });
            if pieces.is_empty() {
                return Ok(());
            }
            let pairs: Vec<_> = pieces.iter().map(|p| (cur[p.a], cur[p.b], p.row)).collect();
            for (p, left_first) in pieces.iter_mut().zip(self.in_order(&pairs)?) {
                if left_first {
                    next[p.out] = cur[p.a];
                    p.a += 1;
                } else {
                    next[p.out] = cur[p.b];
                    p.b += 1;
                }
                p.out += 1;
            }
        }
    }
}
