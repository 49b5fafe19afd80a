//! The built-in engine's structure-aware mutation for byte-level fuzzers:
//! libFuzzer's custom mutator and cross-over (`fuzz/src/lib.rs`) decode the
//! bytes to a case, change the case as the built-in engine does
//! ([`crate::mutate`]; now and then a fresh case from [`crate::generate`]),
//! put it on the target's profiles and encode it back. libFuzzer then
//! searches cases, not bytes: random bytes mostly decode to cases on
//! kernels the target does not run or that never existed.

use pagelife_core::case::Case;
use pagelife_core::codec;

use crate::generate::random_case;
use crate::mutate::{crossover, mutate};
use crate::rng::Rng;
use crate::target::Target;

/// How often (in 1/16) a mutation starts from a fresh case instead.
const FRESH_IN_16: usize = 2;
/// Tries before giving up on a mutation that does not fit `max_size`.
const TRIES: usize = 4;

/// Mutate the case in `data[..size]` in place; returns its new size, or
/// `None` when no mutation fits in `max_size` (the caller then falls back to
/// byte-level mutation). Deterministic in `seed`.
pub fn mutate_bytes(
    target: Target,
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
) -> Option<usize> {
    let mut rng = Rng::new(u64::from(seed), target as u64);
    let base = codec::decode(&data[..size.min(data.len())]).ok();
    for _ in 0..TRIES {
        let case = match &base {
            Some(c) if rng.below(16) >= FRESH_IN_16 => {
                let mut c = c.clone();
                mutate(&mut rng, &mut c, target);
                c
            }
            _ => random_case(&mut rng, target),
        };
        if let Some(n) = put(&case, data, max_size) {
            return Some(n);
        }
    }
    None
}

/// Cross two cases over into `out` (tasks, setup and schedule from both, as
/// [`crossover`] does); returns the size written (0 if neither decodes or
/// nothing fits).
pub fn crossover_bytes(target: Target, a: &[u8], b: &[u8], out: &mut [u8], seed: u32) -> usize {
    let mut rng = Rng::new(u64::from(seed), 0x5eed ^ target as u64);
    let (Ok(x), Ok(y)) = (codec::decode(a), codec::decode(b)) else {
        return 0;
    };
    let mut c = crossover(&mut rng, &x, &y);
    target.prepare(&mut c);
    let max = out.len();
    put(&c, out, max).unwrap_or(0)
}

fn put(case: &Case, out: &mut [u8], max_size: usize) -> Option<usize> {
    let bytes = codec::encode(case);
    if bytes.len() > max_size.min(out.len()) {
        return None;
    }
    out[..bytes.len()].copy_from_slice(&bytes);
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pagelife_core::profile::Toggles;

    #[test]
    fn mutations_decode_on_the_targets_profiles_and_repeat_by_seed() {
        for &t in Target::ALL {
            let mut buf = vec![0u8; 4096];
            let mut size = 0;
            for seed in 0..300u32 {
                let mut again = buf.clone();
                let n = mutate_bytes(t, &mut buf, size, 4096, seed).expect("fits");
                assert_eq!(mutate_bytes(t, &mut again, size, 4096, seed), Some(n));
                assert_eq!(&buf[..n], &again[..n], "deterministic in the seed");
                let c = codec::decode(&buf[..n]).expect("decodes");
                assert!(t.accepts(&c), "{}: {}", t.name(), c.profile);
                assert!(c.profile.add == Toggles::NONE && c.profile.remove == Toggles::NONE);
                size = n;
            }
        }
    }

    #[test]
    fn crossover_mixes_two_cases() {
        let t = Target::Writeback;
        let mut rng = Rng::new(7, 0);
        let (a, b) = (random_case(&mut rng, t), random_case(&mut rng, t));
        let (ea, eb) = (codec::encode(&a), codec::encode(&b));
        let mut out = vec![0u8; 4096];
        let n = crossover_bytes(t, &ea, &eb, &mut out, 3);
        assert!(n > 0);
        assert!(t.accepts(&codec::decode(&out[..n]).unwrap()));
        assert_eq!(crossover_bytes(t, &[], &eb, &mut out, 3), 0);
    }
}
