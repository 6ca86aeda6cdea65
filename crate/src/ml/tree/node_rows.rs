//! Each node's rows as a list (LightGBM's data partition): per partition, the rows of a
//! level's nodes node by node, each node's in ascending order.
//!
//! A level's pass then reads only the rows of the nodes still being split: a row that
//! reached a leaf (or that a forest's bootstrap never drew) is never visited again, and
//! a node's histogram is filled from its own rows, one small histogram at a time, rather
//! than every row looking up its node's histogram among all the level's.
//!
//! Moving a node's rows to its children is a stable, branch-free partition of its list
//! (each row written to both sides' next free place, the side it belongs to advanced),
//! so the rows of every node stay in row order and the histograms add them in the same
//! order as a pass over the partition would.

use super::binning::{BinnedData, Code};

/// A level's rows, per partition, grouped by the slot of their node in the level.
pub struct NodeRows {
    pub parts: Vec<PartRows>,
}

/// One partition's rows of a level.
#[derive(Default)]
pub struct PartRows {
    /// The rows (numbered in the partition) of slot 0, then of slot 1, ...; each
    /// slot's ascending.
    pub order: Vec<u32>,
    /// Where each slot's rows start in `order`, then the end: `slots + 1` values.
    pub starts: Vec<usize>,
}

impl PartRows {
    /// The slots whose rows overlap positions `range` of `order`, each with the part of
    /// its rows inside it (empty slots left out).
    pub fn segments(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = (usize, &[u32])> + '_ {
        let first = self.starts.partition_point(|&s| s <= range.start);
        let first = first.saturating_sub(1);
        (first..self.starts.len().saturating_sub(1))
            .take_while(move |&slot| self.starts[slot] < range.end)
            .filter_map(move |slot| {
                let from = self.starts[slot].max(range.start);
                let to = self.starts[slot + 1].min(range.end);
                (from < to).then(|| (slot, &self.order[from..to]))
            })
    }
}

impl NodeRows {
    /// The root's rows: every row of every partition, or, with a forest's bootstrap
    /// `counts`, the rows drawn at least once.
    pub fn root(data: &BinnedData, counts: Option<&[Vec<u16>]>) -> NodeRows {
        let parts = match counts {
            Some(counts) => counts.iter().map(|c| drawn_rows(c)).collect::<Vec<_>>(),
            None => data
                .parts
                .iter()
                .map(|p| (0..p.len() as u32).collect())
                .collect(),
        };
        NodeRows {
            parts: parts
                .into_iter()
                .map(|order| PartRows {
                    starts: vec![0, order.len()],
                    order,
                })
                .collect(),
        }
    }
}

/// The rows drawn at least once, ascending, without a branch per row (about a third of
/// a bootstrap's counts are 0, at random).
fn drawn_rows(counts: &[u16]) -> Vec<u32> {
    let mut rows = vec![0u32; counts.len()];
    let mut n = 0;
    for (i, &count) in counts.iter().enumerate() {
        rows[n] = i as u32;
        n += usize::from(count > 0);
    }
    rows.truncate(n);
    rows
}

/// Splits `rows` (ascending) by the bin of `feature`: those whose bin `go_left` marks
/// into `left`, the others into `right`, both ascending. No branch on the side: which
/// way a row goes is as good as random.
pub fn split_rows<C: Code>(
    codes: &[C],
    features: usize,
    feature: usize,
    go_left: &[bool],
    rows: &[u32],
) -> (Vec<u32>, Vec<u32>) {
    let mut left = vec![0u32; rows.len()];
    let mut right = vec![0u32; rows.len()];
    let (mut l, mut r) = (0usize, 0usize);
    for &row in rows {
        let goes_left = go_left[codes[row as usize * features + feature].index()] as usize;
        left[l] = row;
        right[r] = row;
        l += goes_left;
        r += 1 - goes_left;
    }
    left.truncate(l);
    right.truncate(r);
    (left, right)
}

#[cfg(test)]
mod tests {
    use super::{drawn_rows, split_rows, PartRows};

    #[test]
    fn drawn_rows_leave_out_the_zero_counts() {
        assert_eq!(drawn_rows(&[0, 2, 1, 0, 0, 3]), vec![1, 2, 5]);
        assert_eq!(drawn_rows(&[0, 0]), Vec::<u32>::new());
    }

    #[test]
    fn a_split_keeps_row_order_on_both_sides() {
        // Two features per row; rows go left when feature 1's bin is 0 or 2.
        let codes: Vec<u8> = vec![9, 0, 9, 1, 9, 2, 9, 1, 9, 0];
        let go_left = [true, false, true];
        let (left, right) = split_rows(&codes, 2, 1, &go_left, &[0, 1, 3, 4]);
        assert_eq!(left, vec![0, 4]);
        assert_eq!(right, vec![1, 3]);
    }

    #[test]
    fn segments_cut_slots_at_the_range() {
        let rows = PartRows {
            order: vec![1, 5, 7, 2, 3, 8],
            starts: vec![0, 3, 3, 6],
        };
        let slot_2: Vec<u32> = rows
            .segments(0..6)
            .filter(|&(s, _)| s == 2)
            .flat_map(|(_, r)| r.to_vec())
            .collect();
        assert_eq!(slot_2, vec![2, 3, 8]);
        let seen: Vec<(usize, Vec<u32>)> =
            rows.segments(2..5).map(|(s, r)| (s, r.to_vec())).collect();
        assert_eq!(seen, vec![(0, vec![7]), (2, vec![2, 3])]);
        let all: Vec<usize> = rows.segments(0..6).map(|(s, _)| s).collect();
        assert_eq!(all, vec![0, 2]);
    }
}
