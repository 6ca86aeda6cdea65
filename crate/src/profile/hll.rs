//! HyperLogLog: a distinct count in 4 KiB per column, mergeable across partitions, for
//! columns with more distinct values than [`super::frequent`] counts exactly.
//! Standard error about 1.04/√4096 ≈ 1.6%; small counts use linear counting.

/// Register index bits: 2^12 registers.
const P: u32 = 12;
const M: usize = 1 << P;

#[derive(Debug, Clone)]
pub struct HyperLogLog {
    registers: Box<[u8; M]>,
}

impl Default for HyperLogLog {
    fn default() -> Self {
        HyperLogLog {
            registers: Box::new([0; M]),
        }
    }
}

impl HyperLogLog {
    /// Adds a value by its (well-mixed, 64-bit) hash.
    #[inline]
    pub fn add_hash(&mut self, hash: u64) {
        let index = (hash >> (64 - P)) as usize;
        // The remaining bits, with a stop bit so the rank is at most 64 - P + 1.
        let rest = (hash << P) | (1 << (P - 1));
        let rank = rest.leading_zeros() as u8 + 1;
        let register = &mut self.registers[index];
        if rank > *register {
            *register = rank;
        }
    }

    pub fn merge(&mut self, other: &HyperLogLog) {
        for (mine, theirs) in self.registers.iter_mut().zip(other.registers.iter()) {
            *mine = (*mine).max(*theirs);
        }
    }

    /// The estimated number of distinct values added.
    pub fn estimate(&self) -> u64 {
        let m = M as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let (sum, zeros) = self
            .registers
            .iter()
            .fold((0.0, 0usize), |(sum, zeros), &r| {
                (sum + 2f64.powi(-(r as i32)), zeros + (r == 0) as usize)
            });
        let raw = alpha * m * m / sum;
        let estimate = if raw <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            raw
        };
        estimate.round() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn estimates_within_a_few_percent_and_merges() {
        let state = foldhash::quality::FixedState::with_seed(7);
        for n in [10u64, 1_000, 100_000] {
            let (mut a, mut b) = (HyperLogLog::default(), HyperLogLog::default());
            for i in 0..n {
                let h = state.hash_one(i);
                if i % 2 == 0 {
                    a.add_hash(h)
                } else {
                    b.add_hash(h)
                }
                // Duplicates change nothing.
                a.add_hash(h);
            }
            a.merge(&b);
            let e = a.estimate() as f64;
            assert!((e - n as f64).abs() / n as f64 <= 0.05, "{n}: {e}");
        }
    }
}
