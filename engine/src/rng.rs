//! The engine's randomness: a PCG generator seeded from (seed, job), so a
//! run is deterministic per seed and job.

use rand::{Rng as _, RngCore, SeedableRng};
use rand_pcg::Pcg64Mcg;

/// A deterministic generator.
pub struct Rng(Pcg64Mcg);

impl Rng {
    /// The generator for `seed` and `job`.
    pub fn new(seed: u64, job: u64) -> Rng {
        let s = seed ^ job.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17);
        Rng(Pcg64Mcg::seed_from_u64(s))
    }

    /// A number in `0..n` (0 when `n` is 0).
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.0.random_range(0..n)
        }
    }

    /// A byte in `0..n`.
    #[inline]
    pub fn byte(&mut self, n: u8) -> u8 {
        self.below(n as usize) as u8
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.0.random_bool(p.clamp(0.0, 1.0))
    }

    /// A raw 64-bit value.
    #[inline]
    pub fn u64(&mut self) -> u64 {
        self.0.next_u64()
    }
}
