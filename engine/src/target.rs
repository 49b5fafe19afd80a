//! Fuzz targets: which profiles and operations a target explores.
//!
//! One target per subsystem, on the profiles where its races exist, and
//! `mainline`, where a finding means a model bug or a race the kernel still
//! has. Bytes decode to the same case everywhere (libFuzzer, AFL, the
//! built-in engine, `pagelife replay`); a target puts a case whose profile
//! it does not cover on one of its own ([`Target::prepare`]), and its crash
//! message names the profile it ran.

use pagelife_core::case::Case;
use pagelife_core::profile::{Profile, Toggles};

/// A fuzz target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// PG_writeback wakeups, truncation, reclaim (Case 1) on the kernels that had the races.
    Writeback,
    /// Buffer heads, the bh LRU and norefs migration (Cases 2 and 3) on the
    /// kernels and proposals that had the races.
    Migration,
    /// Extent-mapped filesystems (Cases 4, 5): iomap's cached mappings on
    /// XFS, ext4 delalloc and the extent-status cache, gfs2 journaled data —
    /// on the kernels that had the races.
    Iomap,
    /// Everything the model has, on `mainline`.
    Mainline,
    /// The end of life: inode eviction, reclaim and migration of the last
    /// pages, and the journal's buffer references (jbd2), on `mainline`.
    Lifecycle,
    /// User mappings: faults, loads and stores through PTEs against
    /// writeback, truncation, hole punching, reclaim and eviction.
    Mappings,
}

impl Target {
    /// Every target.
    pub const ALL: &'static [Target] = &[
        Target::Writeback,
        Target::Migration,
        Target::Iomap,
        Target::Mainline,
        Target::Lifecycle,
        Target::Mappings,
    ];

    /// Its name (the cargo-fuzz target name).
    pub fn name(self) -> &'static str {
        match self {
            Target::Writeback => "writeback",
            Target::Migration => "migration",
            Target::Iomap => "iomap",
            Target::Mainline => "mainline",
            Target::Lifecycle => "lifecycle",
            Target::Mappings => "mappings",
        }
    }

    /// Look a target up by name.
    pub fn from_name(s: &str) -> Option<Target> {
        Target::ALL.iter().copied().find(|t| t.name() == s)
    }

    /// The profiles it runs cases on.
    pub fn profiles(self) -> &'static [&'static str] {
        match self {
            Target::Writeback => &["v5.8", "v5.10", "v5.7"],
            Target::Migration => &["v5.0", "v6.15rc1", "luis_v2", "willy_per_bh"],
            Target::Iomap => &["v6.1", "v6.7", "v5.0"],
            Target::Mainline | Target::Lifecycle | Target::Mappings => &["mainline"],
        }
    }

    /// One line: what it looks for.
    pub fn about(self) -> &'static str {
        match self {
            Target::Writeback => {
                "PG_writeback wakeups, page reuse, truncate and reclaim on v5.7-v5.10 (Case 1)"
            }
            Target::Migration => {
                "buffer heads, bh LRU and norefs migration on v5.0, v6.15-rc1 and the 2025 proposals (Cases 2, 3)"
            }
            Target::Iomap => {
                "XFS stale iomaps and writeback mappings, ext4 delalloc, gfs2 page_done on v5.0, v6.1, v6.7 (Cases 4, 5)"
            }
            Target::Mainline => {
                "every operation on mainline: a finding is a model bug or an open race"
            }
            Target::Lifecycle => {
                "inode eviction, reclaim and migration of last pages, jbd2's buffer references, on mainline"
            }
            Target::Mappings => {
                "page faults, loads and stores through PTEs against writeback, truncation, punch, reclaim and eviction, on mainline"
            }
        }
    }

    /// Whether it runs kernels from before the fixes (every target but the
    /// ones on `mainline`, where a finding is a model bug or an open race).
    pub fn racy(self) -> bool {
        !matches!(
            self,
            Target::Mainline | Target::Lifecycle | Target::Mappings
        )
    }

    /// Whether the target runs `case` (its base profile is one of the target's).
    pub fn accepts(self, case: &Case) -> bool {
        self.profiles().contains(&case.profile.base_profile().name)
    }

    /// Put `case` on one of the target's profiles: its own if the target has
    /// it, otherwise the one its profile byte picks. Extra toggles are dropped.
    pub fn prepare(self, case: &mut Case) {
        let ps = self.profiles();
        let own = case.profile.base_profile().name;
        let name = if ps.contains(&own) {
            own
        } else {
            ps[case.profile.base as usize % ps.len()]
        };
        case.profile = Profile::named(name).unwrap_or_default();
        case.profile.add = Toggles::NONE;
        case.profile.remove = Toggles::NONE;
    }
}
