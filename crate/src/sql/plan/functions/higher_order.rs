//! Higher-order functions: the functions that take lambdas, with how many values and
//! lambdas each takes and how many parameters its lambdas have. Their planning (typing
//! the lambdas) is in `plan::lambda`, their code in `exec::lambda`.

/// A function that takes lambdas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HigherOrderFunction {
    /// `transform(array, x -> f)` or `(x, i) -> f` with the 0-based index.
    Transform,
    /// `filter(array, x -> p)` / `(x, i) -> p`: the elements where `p` is true.
    Filter,
    /// `exists(array, x -> p)`: three-valued (NULL when no element is true but one is NULL).
    Exists,
    /// `forall(array, x -> p)`: three-valued (NULL when none is false but one is NULL).
    Forall,
    /// `aggregate(array, zero, (acc, x) -> merge[, acc -> finish])`, also `reduce`.
    Aggregate,
    /// `zip_with(a, b, (x, y) -> f)`: the shorter array padded with NULLs.
    ZipWith,
    /// `array_sort(array, (l, r) -> int)`: a stable sort by the comparator.
    ArraySort,
    /// `map_filter(map, (k, v) -> p)`.
    MapFilter,
    /// `transform_keys(map, (k, v) -> new key)`: NULL or repeated keys are errors.
    TransformKeys,
    /// `transform_values(map, (k, v) -> new value)`.
    TransformValues,
    /// `map_zip_with(m1, m2, (k, v1, v2) -> f)`: over the union of the keys.
    MapZipWith,
}

use HigherOrderFunction::*;

const NAMES: &[(&str, HigherOrderFunction)] = &[
    ("transform", Transform),
    ("filter", Filter),
    ("exists", Exists),
    ("forall", Forall),
    ("aggregate", Aggregate),
    ("reduce", Aggregate),
    ("zip_with", ZipWith),
    ("array_sort", ArraySort),
    ("map_filter", MapFilter),
    ("transform_keys", TransformKeys),
    ("transform_values", TransformValues),
    ("map_zip_with", MapZipWith),
];

impl HigherOrderFunction {
    pub fn from_name(name: &str) -> Option<Self> {
        super::signature::lookup(NAMES, name)
    }

    pub fn name(self) -> &'static str {
        super::signature::name_of(NAMES, self)
    }

    pub fn names() -> impl Iterator<Item = &'static str> {
        NAMES.iter().map(|(n, _)| *n)
    }

    /// How many value arguments come before the lambdas.
    pub fn values(self) -> usize {
        match self {
            Aggregate => 2,
            ZipWith | MapZipWith => 2,
            _ => 1,
        }
    }

    /// The lambdas it takes, at least and at most.
    pub fn lambdas(self) -> (usize, usize) {
        match self {
            Aggregate => (1, 2),
            _ => (1, 1),
        }
    }

    /// The parameter counts lambda `which` may have.
    pub fn arities(self, which: usize) -> &'static [usize] {
        match (self, which) {
            (Transform | Filter, _) => &[1, 2],
            (Exists | Forall, _) => &[1],
            (Aggregate, 0) => &[2],
            (Aggregate, _) => &[1],
            (MapZipWith, _) => &[3],
            _ => &[2],
        }
    }

    /// Whether the function reads maps (else arrays).
    pub fn over_maps(self) -> bool {
        matches!(
            self,
            MapFilter | TransformKeys | TransformValues | MapZipWith
        )
    }
}
