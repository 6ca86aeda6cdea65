//! The most frequent values of a column, with the Misra–Gries summary: at most
//! `capacity` counters, mergeable across partitions (Agarwal et al., "Mergeable
//! summaries"). While a column has no more distinct values than counters the counts are
//! exact, and so is the number of distinct values; past that, every value more frequent
//! than n / (capacity + 1) is kept and its count is low by at most that much.

use std::hash::Hash;

use hashbrown::HashTable;

#[derive(Debug, Clone)]
pub struct Frequent<K> {
    capacity: usize,
    /// (key, hash, count).
    table: HashTable<(K, u64, u64)>,
    exact: bool,
    /// The counters that outlive a reduction, while the table is rebuilt (kept to spare an
    /// allocation per reduction).
    survivors: Vec<(K, u64, u64)>,
}

/// Counters a summary starts with room for. Tables grow as keys come: most columns have a
/// few distinct values, and a table sized for [`Frequent::capacity`] up front (16,384
/// buckets) cost every partition's column ~0.4 MB of memory touched for the first time
/// and its lookups a cache miss.
const INITIAL_COUNTERS: usize = 64;

impl<K: Eq + Hash + Clone> Frequent<K> {
    pub fn new(capacity: usize) -> Self {
        Self::for_values(capacity, 0)
    }

    /// A summary for about `values` values: room for [`INITIAL_COUNTERS`] of them, or all
    /// if fewer, growing as keys come.
    pub fn for_values(capacity: usize, values: usize) -> Self {
        Frequent {
            capacity,
            table: HashTable::with_capacity(capacity.min(values).min(INITIAL_COUNTERS)),
            exact: true,
            survivors: Vec::new(),
        }
    }

    /// Counts `key`, whose hash the caller computed once (it also feeds the distinct
    /// count).
    #[inline]
    pub fn add(&mut self, key: K, hash: u64) {
        self.add_n(key, hash, 1);
    }

    /// Counts `n` occurrences of `key` at once (a value's count from elsewhere).
    pub fn add_n(&mut self, key: K, hash: u64, n: u64) {
        if let Some(entry) = self.table.find_mut(hash, |e| e.0 == key) {
            entry.2 += n;
            return;
        }
        if self.table.len() < self.capacity {
            self.table.insert_unique(hash, (key, hash, n), |e| e.1);
            return;
        }
        // Full: take the smallest of the counters and the newcomer from everyone.
        self.exact = false;
        let (least, at_least) =
            self.table
                .iter()
                .fold((u64::MAX, 0usize), |(least, at), e| match e.2.cmp(&least) {
                    std::cmp::Ordering::Less => (e.2, 1),
                    std::cmp::Ordering::Equal => (least, at + 1),
                    std::cmp::Ordering::Greater => (least, at),
                });
        let smallest = least.min(n);
        let dropped = if smallest == least { at_least } else { 0 };
        self.take_from_all(smallest, dropped);
        if n > smallest {
            self.table
                .insert_unique(hash, (key, hash, n - smallest), |e| e.1);
        }
    }

    /// Takes `amount` from every counter; `dropped` of them reach zero and go.
    ///
    /// When most go (a column of mostly distinct values, where every reduction empties the
    /// table), the few left are put in a cleared table: erasing entries one at a time
    /// checks each one's neighbours, and was most of the cost of profiling such a column.
    fn take_from_all(&mut self, amount: u64, dropped: usize) {
        if dropped * 2 < self.table.len() {
            self.table.retain(|e| {
                e.2 = e.2.saturating_sub(amount);
                e.2 > 0
            });
            return;
        }
        self.survivors.clear();
        self.survivors
            .extend(self.table.drain().filter_map(|(key, hash, count)| {
                (count > amount).then_some((key, hash, count - amount))
            }));
        for entry in self.survivors.drain(..) {
            self.table.insert_unique(entry.1, entry, |e| e.1);
        }
    }

    /// Folds `other` in (keys converted by `own`, e.g. `&str` to `String`).
    pub fn merge_from<J>(&mut self, other: &Frequent<J>, own: impl Fn(&J) -> K) {
        self.exact &= other.exact;
        for (key, hash, n) in other.table.iter() {
            let key = own(key);
            if let Some(entry) = self.table.find_mut(*hash, |e| e.0 == key) {
                entry.2 += n;
            } else {
                self.table.insert_unique(*hash, (key, *hash, *n), |e| e.1);
            }
        }
        if self.table.len() > self.capacity {
            let mut counts: Vec<u64> = self.table.iter().map(|e| e.2).collect();
            let cut = counts.len() - self.capacity - 1;
            let (_, &mut threshold, _) = counts.select_nth_unstable(cut);
            let dropped = counts.iter().filter(|&&n| n <= threshold).count();
            self.take_from_all(threshold, dropped);
            self.exact = false;
        }
    }

    /// Whether every count (and the number of keys) is exact.
    pub fn is_exact(&self) -> bool {
        self.exact
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Every key with its count.
    pub fn counts(&self) -> impl Iterator<Item = (&K, u64)> + '_ {
        self.table.iter().map(|e| (&e.0, e.2))
    }

    /// The `k` most frequent keys, most frequent first (ties in `order`).
    pub fn top(&self, k: usize, order: impl Fn(&K, &K) -> std::cmp::Ordering) -> Vec<(K, u64)> {
        let mut all: Vec<(K, u64)> = self.table.iter().map(|e| (e.0.clone(), e.2)).collect();
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| order(&a.0, &b.0)));
        all.truncate(k);
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(k: u64) -> u64 {
        k.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    #[test]
    fn exact_while_keys_fit() {
        let mut f = Frequent::new(4);
        for k in [1u64, 2, 1, 3, 1, 2] {
            f.add(k, h(k));
        }
        assert!(f.is_exact());
        assert_eq!(f.top(2, u64::cmp), [(1, 3), (2, 2)]);
    }

    /// Misra–Gries as defined, on a sorted map: the counts every summary must give.
    fn reference(capacity: usize, keys: &[u64]) -> std::collections::BTreeMap<u64, u64> {
        let mut counts = std::collections::BTreeMap::new();
        for &k in keys {
            if let Some(n) = counts.get_mut(&k) {
                *n += 1;
            } else if counts.len() < capacity {
                counts.insert(k, 1);
            } else {
                // Every counter and the newcomer lose the smallest of them: the newcomer's
                // count, 1, as every counter holds at least 1.
                counts.retain(|_, n| {
                    *n -= 1;
                    *n > 0
                });
            }
        }
        counts
    }

    #[test]
    fn reductions_keep_the_counts_of_the_definition() {
        // Mostly distinct keys (every reduction empties the table: rebuilt), a few heavy
        // keys among many light ones (most counters survive: erased in place), and a mix.
        let mut state = 7u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let distinct: Vec<u64> = (0..5_000).collect();
        let skewed: Vec<u64> = (0..5_000).map(|_| next() % 40).collect();
        let mixed: Vec<u64> = (0..5_000)
            .map(|i| {
                if i % 3 == 0 {
                    next() % 5
                } else {
                    1000 + next() % 100_000
                }
            })
            .collect();
        for keys in [distinct, skewed, mixed] {
            for capacity in [1, 8, 33] {
                let mut f = Frequent::for_values(capacity, keys.len());
                for &k in &keys {
                    f.add(k, h(k));
                }
                let got: std::collections::BTreeMap<u64, u64> =
                    f.counts().map(|(k, n)| (*k, n)).collect();
                assert_eq!(got, reference(capacity, &keys), "capacity {capacity}");
            }
        }
    }

    #[test]
    fn keeps_heavy_hitters_past_capacity_and_merges() {
        let mut a = Frequent::new(3);
        let mut b = Frequent::new(3);
        for i in 0..1000u64 {
            let k = if i % 2 == 0 { 7 } else { 100 + i };
            a.add(k, h(k));
            let k2 = if i % 3 == 0 { 7 } else { 5000 + i };
            b.add(k2, h(k2));
        }
        a.merge_from(&b, |k| *k);
        assert!(!a.is_exact());
        let top = a.top(1, u64::cmp);
        assert_eq!(top[0].0, 7);
        // True count 500 + 334; the summary is low by at most n / (capacity + 1).
        assert!(
            top[0].1 <= 834 && top[0].1 >= 834 - 2000 / 4,
            "{}",
            top[0].1
        );
    }
}
