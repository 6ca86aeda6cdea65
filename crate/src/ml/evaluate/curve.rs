//! Two small tools for curves given point by point: the area under them (trapezoidal
//! rule, as Spark's `AreaUnderCurve`) and thinning to a drawable number of points.

/// The area under a polyline whose points arrive in order, by the trapezoidal rule:
/// `Σ (x₂ − x₁)(y₁ + y₂)/2` over consecutive points, as Spark's `AreaUnderCurve.of`.
#[derive(Debug, Default)]
pub(super) struct TrapezoidArea {
    last: Option<(f64, f64)>,
    area: f64,
}

impl TrapezoidArea {
    pub fn push(&mut self, x: f64, y: f64) {
        if let Some((x0, y0)) = self.last {
            self.area += (x - x0) * (y0 + y) / 2.0;
        }
        self.last = Some((x, y));
    }

    pub fn area(&self) -> f64 {
        self.area
    }
}

/// Keeps at most `max` of `len` items offered in order, evenly spread, always the first
/// and the last: a curve of a million thresholds is drawn from a few hundred points
/// without ever holding the million.
#[derive(Debug)]
pub(super) struct Thinning<T> {
    len: u64,
    keep: u64,
    /// How many of the `keep` points are taken so far.
    taken: u64,
    kept: Vec<T>,
}

impl<T> Thinning<T> {
    pub fn new(len: usize, max: usize) -> Self {
        let keep = len.min(max.max(2)) as u64;
        Thinning {
            len: len as u64,
            keep,
            taken: 0,
            kept: Vec::with_capacity(keep as usize),
        }
    }

    /// The index of the `k`-th kept item: `round(k·(len−1)/(keep−1))`.
    fn index_of(&self, k: u64) -> u64 {
        if self.keep <= 1 {
            return 0;
        }
        let span = self.keep - 1;
        // u128: `k·(len−1)` overflows u64 only for absurd sizes, but costs nothing to rule out.
        ((k as u128 * (self.len - 1) as u128 + (span / 2) as u128) / span as u128) as u64
    }

    /// Offers item `index` (offered in increasing order); `item` is only built when kept.
    pub fn offer(&mut self, index: usize, item: impl FnOnce() -> T) {
        if self.taken < self.keep && index as u64 == self.index_of(self.taken) {
            self.kept.push(item());
            self.taken += 1;
        }
    }

    pub fn into_vec(self) -> Vec<T> {
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trapezoid_area_of_a_triangle_and_a_square() {
        let mut area = TrapezoidArea::default();
        for (x, y) in [(0.0, 0.0), (1.0, 1.0)] {
            area.push(x, y);
        }
        assert_eq!(area.area(), 0.5);
        let mut area = TrapezoidArea::default();
        for (x, y) in [(0.0, 1.0), (0.5, 1.0), (1.0, 1.0)] {
            area.push(x, y);
        }
        assert_eq!(area.area(), 1.0);
    }

    fn thin(len: usize, max: usize) -> Vec<usize> {
        let mut thinning = Thinning::new(len, max);
        for i in 0..len {
            thinning.offer(i, || i);
        }
        thinning.into_vec()
    }

    #[test]
    fn thinning_keeps_the_ends_and_at_most_max_points() {
        assert_eq!(thin(5, 10), vec![0, 1, 2, 3, 4]);
        assert_eq!(thin(11, 3), vec![0, 5, 10]);
        assert_eq!(thin(1, 500), vec![0]);
        assert_eq!(thin(0, 500), Vec::<usize>::new());
        let many = thin(1_000_003, 500);
        assert_eq!(many.len(), 500);
        assert_eq!((many[0], many[499]), (0, 1_000_002));
        assert!(many.windows(2).all(|w| w[0] < w[1]));
        // A max below 2 still keeps both ends.
        assert_eq!(thin(7, 0), vec![0, 6]);
    }
}
