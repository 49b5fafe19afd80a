//! What the fuzz targets share beyond `pagelife_engine::harness`: the
//! interleaving coverage map in libFuzzer's extra-counters section, and the
//! switch that turns it off for comparisons.
//!
//! libFuzzer reads extra counters from the `__libfuzzer_extra_counters`
//! section (the linker provides `__start_`/`__stop_` symbols for it); AFL++
//! targets write into AFL's own shared map instead (see `afl/`).

use std::sync::OnceLock;

use pagelife_engine::cov::{MapSink, MAP_SIZE};
use pagelife_engine::harness::fuzz_one;
use pagelife_engine::target::Target;

#[used]
#[link_section = "__libfuzzer_extra_counters"]
static mut EXTRA_COUNTERS: [u8; MAP_SIZE] = [0; MAP_SIZE];

/// Whether the interleaving signal is on (`PAGELIFE_NO_INTERLEAVING_COV=1` turns it off).
pub fn interleaving_cov() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("PAGELIFE_NO_INTERLEAVING_COV").is_none_or(|v| v == "0"))
}

/// The libFuzzer entry point of every target.
pub fn libfuzzer_one(target: Target, data: &[u8]) {
    if interleaving_cov() {
        // SAFETY: libFuzzer runs the target on one thread; the counters are
        // only touched from here, between libFuzzer's reads.
        let map: &mut [u8] = unsafe { &mut *std::ptr::addr_of_mut!(EXTRA_COUNTERS) };
        fuzz_one(target, data, Some(&mut MapSink(map)));
    } else {
        fuzz_one::<MapSink>(target, data, None);
    }
}
