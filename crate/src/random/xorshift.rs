//! Spark's `XORShiftRandom`, the generator behind `rand(seed)` and `randn(seed)`: the seed
//! is hashed with Scala's MurmurHash3, each draw is a xorshift step, doubles and Gaussians
//! are built as `java.util.Random` builds them. With the same seed and partition index the
//! stream is Spark's.

pub struct XorShiftRandom {
    seed: i64,
    next_gaussian: Option<f64>,
}

const ARRAY_SEED: u32 = 0x3c07_4a61;

fn mix_last(hash: u32, data: u32) -> u32 {
    hash ^ data
        .wrapping_mul(0xcc9e_2d51)
        .rotate_left(15)
        .wrapping_mul(0x1b87_3593)
}

fn mix(hash: u32, data: u32) -> u32 {
    mix_last(hash, data)
        .rotate_left(13)
        .wrapping_mul(5)
        .wrapping_add(0xe654_6b64)
}

fn avalanche(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// Scala's `MurmurHash3.bytesHash` of 8 bytes (two whole blocks, no tail).
fn bytes_hash(bytes: &[u8; 8], seed: u32) -> u32 {
    let mut h = seed;
    for block in bytes.chunks_exact(4) {
        h = mix(
            h,
            u32::from_le_bytes([block[0], block[1], block[2], block[3]]),
        );
    }
    avalanche(h ^ 8)
}

impl XorShiftRandom {
    pub fn new(seed: i64) -> XorShiftRandom {
        let bytes = seed.to_be_bytes();
        let low = bytes_hash(&bytes, ARRAY_SEED);
        let high = bytes_hash(&bytes, low);
        XorShiftRandom {
            seed: ((high as u64) << 32 | low as u64) as i64,
            next_gaussian: None,
        }
    }

    fn next(&mut self, bits: u32) -> i64 {
        let mut s = self.seed ^ (self.seed << 21);
        s ^= ((s as u64) >> 35) as i64;
        s ^= s << 4;
        self.seed = s;
        s & ((1i64 << bits) - 1)
    }

    /// `java.util.Random.nextInt()`: 32 random bits.
    pub fn next_int(&mut self) -> i32 {
        self.next(32) as i32
    }

    /// `java.util.Random.nextLong`.
    pub fn next_long(&mut self) -> i64 {
        (self.next(32) << 32).wrapping_add(self.next(32) as i32 as i64)
    }

    /// Spark's `RandomUUIDGenerator`: a version 4 UUID from two longs.
    pub fn next_uuid(&mut self) -> String {
        let most = (self.next_long() & !0xF000) | 0x4000;
        let least = (self.next_long() | i64::MIN) & !0x4000_0000_0000_0000;
        let (m, l) = (most as u64, least as u64);
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            m >> 32,
            (m >> 16) & 0xFFFF,
            m & 0xFFFF,
            l >> 48,
            l & 0xFFFF_FFFF_FFFF
        )
    }

    /// `java.util.Random.nextDouble`: 53 random bits.
    pub fn next_double(&mut self) -> f64 {
        let high = self.next(26) << 27;
        (high + self.next(27)) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `java.util.Random.nextGaussian`: the polar method, two values per round.
    pub fn next_gaussian(&mut self) -> f64 {
        if let Some(g) = self.next_gaussian.take() {
            return g;
        }
        loop {
            let v1 = 2.0 * self.next_double() - 1.0;
            let v2 = 2.0 * self.next_double() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s < 1.0 && s != 0.0 {
                let multiplier = (-2.0 * s.ln() / s).sqrt();
                self.next_gaussian = Some(v2 * multiplier);
                return v1 * multiplier;
            }
        }
    }
}
