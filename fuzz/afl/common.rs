// Shared by the AFL++ targets: the interleaving features go into AFL++'s
// shared map *after* the instrumented code edges, in the region AFL++'s
// runtime reserves for IJON (`MAP_SIZE_IJON_MAP` bytes at
// `__afl_area_ptr + __afl_cov_map_size`; afl-compiler-rt.o.c, `ijon_inc`).
// Defining `__afl_ijon_enabled` (a weak symbol, 0, in the runtime) as 1 makes
// the runtime size the map `edges + 64 KiB + 4 KiB` and announce it to
// afl-fuzz (`FS_OPT_IJON` in the forkserver handshake), so features never
// collide with edges. `AFL_NO_IJON=1` turns it off; the features then fold
// onto the edge map as before (`idx % __afl_map_size`).

use pagelife_engine::cov::FeatureSink;

/// The IJON coverage region's size in AFL++ 4.40c (`MAP_SIZE_IJON_MAP`,
/// include/config.h); the engine's feature space (`cov::MAP_SIZE`) is the same.
const IJON_MAP: usize = 65536;
const _: () = assert!(pagelife_engine::cov::MAP_SIZE <= IJON_MAP);

/// Overrides the runtime's weak `u32 __afl_ijon_enabled = 0`. Mutable: the
/// runtime clears it when `AFL_NO_IJON` is set.
#[no_mangle]
#[used]
pub static mut __afl_ijon_enabled: u32 = 1;

extern "C" {
    static __afl_area_ptr: *mut u8;
    static __afl_map_size: u32;
    static __afl_cov_map_size: u32;
}

/// Bumps AFL's shared map: the IJON region when the runtime reserved it,
/// else the edge map.
pub struct AflSink;

impl FeatureSink for AflSink {
    #[inline]
    fn hit(&mut self, idx: usize) {
        // SAFETY: AFL++'s runtime sets the pointer and sizes before the first
        // input; every index is checked against the mapped size.
        unsafe {
            let map = __afl_map_size as usize;
            let cov = __afl_cov_map_size as usize;
            if map == 0 || __afl_area_ptr.is_null() {
                return;
            }
            let ijon = std::ptr::read_volatile(&raw const __afl_ijon_enabled) != 0;
            let at = if ijon && cov + IJON_MAP <= map {
                cov + idx % IJON_MAP
            } else {
                idx % map
            };
            let p = __afl_area_ptr.add(at);
            *p = (*p).wrapping_add(1);
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
