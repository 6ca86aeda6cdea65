//! The per-group state of the aggregates that fold a group's values pairwise with an
//! associative operation (`bool_and` / `bool_or`, `bit_and` / `bit_or` / `bit_xor`):
//! the fold so far, NULL for a group without values. Kept apart so that each of those
//! aggregates is only its operation and its types.

/// Each group's fold so far (`None` before its first value).
pub(super) struct Folds<T> {
    op: fn(T, T) -> T,
    results: Vec<Option<T>>,
}

impl<T: Copy> Folds<T> {
    pub fn new(op: fn(T, T) -> T) -> Self {
        Folds {
            op,
            results: vec![],
        }
    }

    pub fn resize(&mut self, n: usize) {
        self.results.resize(n, None);
    }

    /// Folds `v` into group `g`.
    pub fn offer(&mut self, g: usize, v: T) {
        let slot = &mut self.results[g];
        *slot = Some(match *slot {
            None => v,
            Some(current) => (self.op)(current, v),
        });
    }

    /// Folds another partial's groups in; its group `g` is this one's `mapping[g]`.
    pub fn merge(&mut self, other: Folds<T>, mapping: &[u32]) {
        for (g, v) in other.results.into_iter().enumerate() {
            if let Some(v) = v {
                self.offer(mapping[g] as usize, v);
            }
        }
    }

    pub fn into_results(self) -> Vec<Option<T>> {
        self.results
    }
}
