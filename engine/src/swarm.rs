//! Swarm configurations (Groce, Zhang, Eide, Chen and Regehr, "Swarm
//! Testing", ISSTA 2012): instead of one fixed menu per target, a job draws
//! a random subset of the target's operations and faults, and pins parts of
//! the machine's configuration, and draws again on every restart. A race
//! that needs some operation to be *absent* (a reclaim that would free the
//! folio first, a sync that would clean it) or a configuration the target
//! rarely draws (two buffers per page and one hashed waitqueue) becomes
//! common in some configurations.
//!
//! [`Menu::full`] is the target's own menu; the generator and mutator draw
//! exactly as before under it.

use pagelife_core::case::OpKind;
use pagelife_core::world::{Config, MAX_FRAMES};

use crate::rng::Rng;
use crate::target::Target;

/// The fault kinds, in [`crate::generate::random_fault`]'s order.
pub const FAULT_KINDS: usize = 4;

const _: () = assert!(OpKind::ALL.len() <= 64, "Menu::ops is a u64");

/// What a job draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Menu {
    /// The target (its profiles, domain mix and case shapes).
    pub target: Target,
    /// Operation kinds that may be drawn by weight (bit i: `OpKind::ALL[i]`);
    /// the target's fixed idioms and setups are not filtered.
    pub ops: u64,
    /// Fault kinds that may be drawn (bit k: io-error, alloc-fail, signal, reclaim).
    pub faults: u8,
    /// Pinned buffers per block-device page (0: drawn as the target does).
    pub bh_per_page: u8,
    /// Pinned frame count (0: drawn).
    pub frames: u8,
    /// Pinned hashed-waitqueue buckets (0: drawn).
    pub wq_buckets: u8,
    /// Pinned `vm.page_lock_unfairness` (`u8::MAX`: drawn).
    pub unfairness: u8,
}

impl From<Target> for Menu {
    fn from(t: Target) -> Menu {
        Menu::full(t)
    }
}

impl Menu {
    /// The target's whole menu, nothing pinned.
    pub fn full(target: Target) -> Menu {
        Menu {
            target,
            ops: u64::MAX,
            faults: u8::MAX,
            bh_per_page: 0,
            frames: 0,
            wq_buckets: 0,
            unfairness: u8::MAX,
        }
    }

    /// A swarm configuration: each operation kind and fault kind kept with
    /// probability 1/2, each configuration field pinned with probability
    /// 1/2 to a value the target could draw.
    pub fn swarm(rng: &mut Rng, target: Target) -> Menu {
        let mut m = Menu::full(target);
        m.ops = 0;
        for i in 0..OpKind::ALL.len() {
            if rng.chance(0.5) {
                m.ops |= 1 << i;
            }
        }
        m.faults = 0;
        for k in 0..FAULT_KINDS {
            if rng.chance(0.5) {
                m.faults |= 1 << k;
            }
        }
        if rng.chance(0.5) {
            m.bh_per_page = [1, 2, 4][rng.below(3)];
        }
        if rng.chance(0.5) {
            m.frames = 2 + rng.byte(MAX_FRAMES as u8 - 3);
        }
        if rng.chance(0.5) {
            m.wq_buckets = 1 + rng.byte(2);
        }
        if rng.chance(0.5) {
            m.unfairness = [0, 1, 5][rng.below(3)];
        }
        m
    }

    /// Whether operations of kind `k` may be drawn.
    pub fn allows(&self, k: OpKind) -> bool {
        let i = OpKind::ALL.iter().position(|&x| x == k).unwrap_or(0);
        self.allows_index(i)
    }

    /// Whether operations of kind `OpKind::ALL[i]` may be drawn.
    #[inline]
    pub fn allows_index(&self, i: usize) -> bool {
        self.ops & (1 << i) != 0
    }

    /// Whether fault kind `k` (0..[`FAULT_KINDS`]) may be drawn.
    #[inline]
    pub fn allows_fault(&self, k: usize) -> bool {
        self.faults & (1 << k) != 0
    }

    /// Impose the pinned configuration on `c`.
    pub fn pin(&self, c: &mut Config) {
        if self.bh_per_page != 0 {
            c.bh_per_page = self.bh_per_page;
        }
        if self.frames != 0 {
            c.frames = self.frames;
        }
        if self.wq_buckets != 0 {
            c.wq_buckets = self.wq_buckets;
        }
        if self.unfairness != u8::MAX {
            c.page_lock_unfairness = self.unfairness;
        }
    }

    /// One line for a progress display: kinds kept, pins.
    pub fn describe(&self) -> String {
        let ops: Vec<&str> = OpKind::ALL
            .iter()
            .filter(|&&k| self.allows(k))
            .map(|k| k.spec().keyword)
            .collect();
        format!(
            "ops {}; faults {:04b}; bh {} frames {} buckets {} unfairness {}",
            ops.join(","),
            self.faults & 0xf,
            self.bh_per_page,
            self.frames,
            self.wq_buckets,
            self.unfairness
        )
    }
}
