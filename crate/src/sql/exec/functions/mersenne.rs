//! The Mersenne Twister (MT19937) as Apache Commons Math 3's `MersenneTwister` runs it:
//! the generator behind Spark's `shuffle(array, seed)` (its `RandomIndicesGenerator`).
//! A `long` seed is split into two 32-bit words and fed to `init_by_array`; `next_int(n)`
//! is `BitsStreamGenerator.nextInt(n)`, which draws 31 bits at a time. With the same seed
//! the stream is Spark's.

const N: usize = 624;
const M: usize = 397;
const MAG01: [u32; 2] = [0, 0x9908_b0df];

pub struct MersenneTwister {
    mt: Box<[u32; N]>,
    index: usize,
}

impl MersenneTwister {
    /// Commons Math's `new MersenneTwister(long seed)`: `setSeed(int[] {high, low})`.
    pub fn new(seed: i64) -> MersenneTwister {
        let seed = seed as u64;
        let key = [(seed >> 32) as u32, seed as u32];
        let mut mt = Box::new([0u32; N]);
        // `setSeed(19650218)`, the start of `init_by_array`.
        mt[0] = 19_650_218;
        for i in 1..N {
            let prev = mt[i - 1];
            mt[i] = 1_812_433_253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        let (mut i, mut j) = (1usize, 0usize);
        for _ in 0..N.max(key.len()) {
            let prev = mt[i - 1];
            mt[i] = (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_664_525))
                .wrapping_add(key[j])
                .wrapping_add(j as u32);
            i += 1;
            j += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if j >= key.len() {
                j = 0;
            }
        }
        for _ in 0..N - 1 {
            let prev = mt[i - 1];
            mt[i] =
                (mt[i] ^ (prev ^ (prev >> 30)).wrapping_mul(1_566_083_941)).wrapping_sub(i as u32);
            i += 1;
            if i >= N {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        // The most significant bit set: the state is never all zeros.
        mt[0] = 0x8000_0000;
        MersenneTwister { mt, index: N }
    }

    /// The next `bits` random bits (1 to 32), as `next(bits)`.
    fn next(&mut self, bits: u32) -> u32 {
        if self.index >= N {
            self.twist();
        }
        let mut y = self.mt[self.index];
        self.index += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^= y >> 18;
        y >> (32 - bits)
    }

    /// The next `N` words of the state at once.
    fn twist(&mut self) {
        let mt = &mut self.mt;
        for k in 0..N {
            let y = (mt[k] & 0x8000_0000) | (mt[(k + 1) % N] & 0x7fff_ffff);
            mt[k] = mt[(k + M) % N] ^ (y >> 1) ^ MAG01[(y & 1) as usize];
        }
        self.index = 0;
    }

    /// A uniform int in `[0, n)` for `n > 0`, as `BitsStreamGenerator.nextInt(n)`: a power
    /// of two takes the high bits, other bounds reject the draws that would bias the
    /// remainder.
    pub fn next_int(&mut self, n: i32) -> i32 {
        debug_assert!(n > 0);
        if n & n.wrapping_neg() == n {
            return ((n as i64 * self.next(31) as i64) >> 31) as i32;
        }
        loop {
            let bits = self.next(31) as i32;
            let val = bits % n;
            if bits.wrapping_sub(val).wrapping_add(n - 1) >= 0 {
                return val;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws stay in `[0, n)` for every bound, powers of two or not (the permutations
    /// Spark gives, which pin the stream itself, are checked in `shuffle`'s tests).
    #[test]
    fn draws_are_in_range() {
        let mut rng = MersenneTwister::new(42);
        for n in 1..100 {
            let v = rng.next_int(n);
            assert!((0..n).contains(&v));
        }
        let mut big = MersenneTwister::new(i64::MIN);
        assert!((0..i32::MAX).contains(&big.next_int(i32::MAX)));
    }
}
