//! What the fuzz targets share beyond `pagelife_engine::harness`: the
//! interleaving coverage map in libFuzzer's extra-counters section, and the
//! switch that turns it off for comparisons.
//!
//! libFuzzer reads extra counters from the `__libfuzzer_extra_counters`
//! section (the linker provides `__start_`/`__stop_` symbols for it); AFL++
//! targets write into AFL's own shared map instead (see `afl/`).

use std::sync::OnceLock;

use pagelife_core::profile::Profile;
use pagelife_engine::cov::{MapSink, MAP_SIZE};
use pagelife_engine::harness::{fuzz_one, fuzz_one_want};
use pagelife_engine::target::Target;

#[used]
#[link_section = "__libfuzzer_extra_counters"]
static mut EXTRA_COUNTERS: [u8; MAP_SIZE] = [0; MAP_SIZE];

/// Whether the interleaving signal is on (`PAGELIFE_NO_INTERLEAVING_COV=1` turns it off).
pub fn interleaving_cov() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PAGELIFE_NO_INTERLEAVING_COV").is_none_or(|v| v == "0"))
}

/// Benchmark mode: `PAGELIFE_BENCH_WANT=<signature key>` makes a target
/// crash only on that race, and `PAGELIFE_BENCH_PROFILE=<name>` runs every
/// input on that profile (what `pagelife bench` does for its own engine).
struct BenchWant {
    want: String,
    profile: Option<Profile>,
}

fn bench_want() -> Option<&'static BenchWant> {
    static W: OnceLock<Option<BenchWant>> = OnceLock::new();
    W.get_or_init(|| {
        let want = std::env::var("PAGELIFE_BENCH_WANT").ok()?;
        let profile = std::env::var("PAGELIFE_BENCH_PROFILE")
            .ok()
            .and_then(|p| Profile::named(&p));
        Some(BenchWant { want, profile })
    })
    .as_ref()
}

/// The libFuzzer entry point of every target.
pub fn libfuzzer_one(target: Target, data: &[u8]) {
    let map = if interleaving_cov() {
        // SAFETY: libFuzzer runs the target on one thread; the counters are
        // only touched from here, between libFuzzer's reads.
        Some(unsafe { &mut *std::ptr::addr_of_mut!(EXTRA_COUNTERS) } as &mut [u8])
    } else {
        None
    };
    let mut sink = map.map(MapSink);
    match bench_want() {
        Some(b) => fuzz_one_want(target, data, sink.as_mut(), b.profile, &b.want),
        None => fuzz_one(target, data, sink.as_mut()),
    }
}

/// libFuzzer's custom mutator for every target (`fuzz_mutator!` in
/// `fuzz_targets/*.rs`, feature `custom-mutator`, on by default): the
/// built-in engine's structure-aware mutation of the decoded case
/// ([`pagelife_engine::bytes::mutate_bytes`]); libFuzzer's own byte
/// mutation when the mutated case does not fit in `max_size`.
#[cfg(feature = "libfuzzer")]
pub fn libfuzzer_mutate(
    target: Target,
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
) -> usize {
    pagelife_engine::bytes::mutate_bytes(target, data, size, max_size, seed)
        .unwrap_or_else(|| libfuzzer_sys::fuzzer_mutate(data, size, max_size))
}

/// libFuzzer's custom cross-over: [`pagelife_engine::bytes::crossover_bytes`].
#[cfg(feature = "libfuzzer")]
pub fn libfuzzer_crossover(target: Target, a: &[u8], b: &[u8], out: &mut [u8], seed: u32) -> usize {
    pagelife_engine::bytes::crossover_bytes(target, a, b, out, seed)
}

/// One libFuzzer target: `fuzz_target!` over [`libfuzzer_one`], and (feature
/// `custom-mutator`) `fuzz_mutator!` and `fuzz_crossover!` over
/// [`libfuzzer_mutate`] and [`libfuzzer_crossover`]. `$t` names a
/// [`Target`] variant.
#[cfg(feature = "libfuzzer")]
#[macro_export]
macro_rules! libfuzzer_target {
    ($t:ident) => {
        libfuzzer_sys::fuzz_target!(|data: &[u8]| $crate::libfuzzer_one(
            pagelife_engine::target::Target::$t,
            data
        ));

        #[cfg(feature = "custom-mutator")]
        libfuzzer_sys::fuzz_mutator!(|data: &mut [u8], size: usize, max_size: usize, seed: u32| {
            $crate::libfuzzer_mutate(pagelife_engine::target::Target::$t, data, size, max_size, seed)
        });

        #[cfg(feature = "custom-mutator")]
        libfuzzer_sys::fuzz_crossover!(|data1: &[u8], data2: &[u8], out: &mut [u8], seed: u32| {
            $crate::libfuzzer_crossover(pagelife_engine::target::Target::$t, data1, data2, out, seed)
        });
    };
}
