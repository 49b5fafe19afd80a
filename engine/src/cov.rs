//! Interleaving coverage: a signal for new abstract states and new pairs of
//! racing steps, which code coverage cannot see.
//!
//! After every step two features are hashed into a counter map:
//! - the step and the abstract state of the frame it touched: flags ×
//!   refcount bucket (0, 1, 2, 3+) × whether a waiter for it is queued ×
//!   whether a bio for it is in flight × whether the incarnation changed
//!   since the previous toucher saw it;
//! - Krace-style pairs (Xu et al., S&P 2020): the previous step another
//!   context took on the same frame, and this one;
//! - for extent-mapped files, the step of another context that changed an
//!   extent map (bumped `if_seq`) since this context's previous step, paired
//!   with this step: the window every stale-cached-mapping race (Case 4)
//!   lives in, which frame state alone does not show.
//!
//! libFuzzer reads the map from its `__libfuzzer_extra_counters` section,
//! AFL++ from its shared map, the built-in engine from [`CovMap`].

use pagelife_core::exec::replay::Observer;
use pagelife_core::step::StepId;
use pagelife_core::world::{CtxId, World, MAX_CTX, MAX_FILES, MAX_FRAMES, NO_FRAME};

/// Size of the feature map (a power of two).
pub const MAP_SIZE: usize = 1 << 16;

#[inline]
fn mix(mut h: u64) -> usize {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    (h as usize) & (MAP_SIZE - 1)
}

/// Something that receives feature indices.
pub trait FeatureSink {
    /// Feature `idx` (< MAP_SIZE) was hit.
    fn hit(&mut self, idx: usize);
}

/// The observer computing the features of a run.
pub struct InterleavingCov<'s, S: FeatureSink> {
    sink: &'s mut S,
    last: [(CtxId, u8, u16); MAX_FRAMES],
    /// The extent maps' sequence numbers, summed, after the last step.
    seq: u32,
    /// Who changed an extent map last: (context, step).
    changed_by: (CtxId, u8),
    /// `seq` as each context last saw it.
    seen: [u32; MAX_CTX],
}

impl<'s, S: FeatureSink> InterleavingCov<'s, S> {
    /// Features go to `sink`.
    pub fn new(sink: &'s mut S) -> Self {
        InterleavingCov {
            sink,
            last: [(u8::MAX, 0, 0); MAX_FRAMES],
            seq: 0,
            changed_by: (u8::MAX, 0),
            seen: [0; MAX_CTX],
        }
    }
}

impl<S: FeatureSink> Observer for InterleavingCov<'_, S> {
    #[inline]
    fn on_step(&mut self, w: &World, ctx: CtxId, id: StepId) {
        self.extent_window(w, ctx, id);
        let f = w.touched;
        if f == NO_FRAME {
            self.sink.hit(mix(0x1000 | id as u64));
            return;
        }
        let fr = &w.frames[f as usize];
        let b = w.wq.bucket(f);
        let queued =
            w.wq.entries(b)
                .iter()
                .any(|&t| w.sched[t as usize].wait.frame == f);
        let bio = w.bios[..w.nbios as usize]
            .iter()
            .any(|x| x.live && x.folio.frame == f);
        let (pctx, pstep, pinc) = self.last[f as usize];
        let reused = pctx != u8::MAX && pinc != fr.inc;
        let state = (fr.flags as u64)
            | ((fr.refcount.clamp(0, 3) as u64) << 10)
            | ((queued as u64) << 12)
            | ((bio as u64) << 13)
            | ((reused as u64) << 14)
            | ((fr.free as u64) << 15);
        self.sink.hit(mix(((id as u64) << 20) | state));
        if pctx != u8::MAX && pctx != ctx {
            self.sink.hit(mix(0xA5A5_0000_0000
                | ((pstep as u64) << 8)
                | id as u64
                | ((reused as u64) << 16)));
        }
        self.last[f as usize] = (ctx, id as u8, fr.inc);
    }
}

impl<S: FeatureSink> InterleavingCov<'_, S> {
    /// The extent-map feature: a change by another context between two
    /// steps of this one.
    #[inline]
    fn extent_window(&mut self, w: &World, ctx: CtxId, id: StepId) {
        let seq = w.inodes[..MAX_FILES]
            .iter()
            .fold(0u32, |a, i| a.wrapping_add(i.if_seq as u32));
        let c = (ctx as usize) % MAX_CTX;
        if seq != self.seq {
            self.seq = seq;
            self.changed_by = (ctx, id as u8);
        } else if self.seen[c] != seq && self.changed_by.0 != ctx {
            self.sink.hit(mix(0x5E0_0000_0000
                | ((self.changed_by.1 as u64) << 8)
                | id as u64));
        }
        self.seen[c] = seq;
    }
}

/// The built-in engine's map: hit counts of one run, and the best bucket
/// ever seen per feature.
pub struct CovMap {
    run: Vec<u8>,
    touched: Vec<u16>,
    best: Vec<u8>,
    /// Features ever seen.
    pub features: usize,
}

impl Default for CovMap {
    fn default() -> Self {
        CovMap {
            run: vec![0; MAP_SIZE],
            touched: Vec::with_capacity(512),
            best: vec![0; MAP_SIZE],
            features: 0,
        }
    }
}

impl FeatureSink for CovMap {
    #[inline]
    fn hit(&mut self, idx: usize) {
        let c = &mut self.run[idx];
        if *c == 0 {
            self.touched.push(idx as u16);
        }
        *c = c.saturating_add(1);
    }
}

/// AFL-style hit-count buckets.
#[inline]
fn bucket(c: u8) -> u8 {
    match c {
        0 => 0,
        1 => 1,
        2 => 2,
        3 => 4,
        4..=7 => 8,
        8..=15 => 16,
        16..=31 => 32,
        32..=127 => 64,
        _ => 128,
    }
}

impl CovMap {
    /// Fold the last run into the global map; returns whether it reached a
    /// feature (or a hit-count bucket) never seen before. Clears the run.
    pub fn commit(&mut self) -> bool {
        let mut new = false;
        for &i in &self.touched {
            let i = i as usize;
            let b = bucket(self.run[i]);
            self.run[i] = 0;
            if self.best[i] & b == 0 {
                if self.best[i] == 0 {
                    self.features += 1;
                }
                self.best[i] |= b;
                new = true;
            }
        }
        self.touched.clear();
        new
    }

    /// Forget the last run without folding it in.
    pub fn discard(&mut self) {
        for &i in &self.touched {
            self.run[i as usize] = 0;
        }
        self.touched.clear();
    }
}

/// A sink that ignores everything (coverage off).
pub struct NoSink;

impl FeatureSink for NoSink {
    #[inline]
    fn hit(&mut self, _: usize) {}
}

/// A sink that bumps counters in a caller's map (libFuzzer's extra counters, AFL's map).
pub struct MapSink<'m>(pub &'m mut [u8]);

impl FeatureSink for MapSink<'_> {
    #[inline]
    fn hit(&mut self, idx: usize) {
        let n = self.0.len();
        if n > 0 {
            let c = &mut self.0[idx % n];
            *c = c.wrapping_add(1);
        }
    }
}
