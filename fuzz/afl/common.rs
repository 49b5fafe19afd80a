// Shared by the AFL++ targets: the interleaving signal goes into AFL's own
// coverage map (`__afl_area_ptr`, `__afl_map_size` from AFL++'s runtime),
// at indices hashed past the instrumented edges.

use pagelife_engine::cov::FeatureSink;

extern "C" {
    static __afl_area_ptr: *mut u8;
    static __afl_map_size: u32;
}

/// Bumps AFL's shared map.
pub struct AflSink;

impl FeatureSink for AflSink {
    #[inline]
    fn hit(&mut self, idx: usize) {
        // SAFETY: AFL++'s runtime sets the pointer and size before the first input;
        // the index is reduced below the map size.
        unsafe {
            let n = __afl_map_size as usize;
            if n > 0 && !__afl_area_ptr.is_null() {
                let p = __afl_area_ptr.add(idx % n);
                *p = (*p).wrapping_add(1);
            }
        }
    }
}

pub fn run(target: pagelife_engine::target::Target, data: &[u8]) {
    if pagelife_fuzz::interleaving_cov() {
        pagelife_engine::harness::fuzz_one(target, data, Some(&mut AflSink));
    } else {
        pagelife_engine::harness::fuzz_one::<AflSink>(target, data, None);
    }
}
