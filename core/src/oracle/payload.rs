//! What a finding saw beyond its frame, typed, and the phrases reports use
//! for it.

use crate::world::{ctx_name, ext, token, NO_PBLK};

/// What a finding says beyond its frame. Each oracle's declaration names the
/// formatter that reads it ([`super::OracleId::detail`]).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Payload {
    /// Nothing more.
    None,
    /// The incarnation of the frame involved (see [`crate::world::Frame::inc`]).
    Incarnation(u16),
    /// A pointer (or waiter, or bio) taken on incarnation `held` met the
    /// frame at incarnation `now` (0: the frame is free).
    Incarnations {
        /// The incarnation the reference was taken on.
        held: u16,
        /// The frame's incarnation now, 0 when it is free.
        now: u16,
    },
    /// Data `found` where at least `promised` was promised (tokens, see
    /// [`crate::world::token`]).
    Data {
        /// What was read, or is on disk.
        found: u32,
        /// What was promised.
        promised: u32,
    },
    /// A context (task or bio).
    Context(u8),
    /// A task left blocked in a quiet world, and what on: the condition,
    /// and its wait entry's frame and bit (for a folio-bit sleep).
    Hung {
        /// The task.
        ctx: u8,
        /// What it is blocked on.
        cond: crate::exec::poll::Cond,
        /// The frame of its wait entry.
        frame: u8,
        /// The bit of its wait entry.
        bit: u16,
    },
    /// A buffer head, by slot.
    Bh(u8),
    /// Block `lblk` of a file was used through a view that says disk block
    /// `used` ([`NO_PBLK`]: zeroes or a hole) while the extent map has it
    /// in state `now` (see [`crate::world::ext`]).
    StaleMap {
        /// The file's logical block.
        lblk: u8,
        /// The disk block the stale view used, or `NO_PBLK`.
        used: u8,
        /// The block's extent state now.
        now: u8,
    },
    /// ext4's extent-status invariants: `over` is the first delayed entry
    /// over an allocated block, if any; `delayed` entries; `reserved` blocks.
    Es {
        /// First delayed entry over an allocated block.
        over: Option<u8>,
        /// Delayed extent-status entries.
        delayed: u8,
        /// `i_reserved_data_blocks`.
        reserved: u8,
    },
    /// File `file` still has `blocks` reserved (or delalloc) blocks.
    Reserved {
        /// The file.
        file: u8,
        /// Blocks left.
        blocks: u8,
    },
    /// Data `token` written over disk block `pblk`, which `owners` files map.
    Shared {
        /// The data block.
        pblk: u8,
        /// How many files map it (its refcount).
        owners: u8,
        /// What was written.
        token: u32,
    },
    /// File `file`'s mapping still holds `pages` pages.
    Pages {
        /// The file.
        file: u8,
        /// Pages left (`nrpages`).
        pages: u8,
    },
}

/// Formatters the oracle declarations name.
pub mod fmt {
    use super::*;

    /// No detail.
    pub fn none(_: &Payload, _: &[String]) -> String {
        String::new()
    }

    /// `frame at #3`, `buffer head 2`, or two incarnations.
    pub fn frame(p: &Payload, names: &[String]) -> String {
        incarnations(p, names, "held", "now")
    }

    /// Two incarnations with the given words.
    pub fn incarnations(p: &Payload, _: &[String], held: &str, now: &str) -> String {
        match *p {
            Payload::Incarnations { held: h, now: 0 } => format!("{held} #{h}, frame since freed"),
            Payload::Incarnations { held: h, now: n } => format!("{held} #{h}, {now} #{n}"),
            Payload::Incarnation(i) => format!("frame at #{i}"),
            Payload::Bh(b) => format!("buffer head {b}"),
            _ => String::new(),
        }
    }

    /// `disk has f0:1v2, promised f0:1v3`.
    pub fn data(p: &Payload, what: &str, promised: &str) -> String {
        match *p {
            Payload::Data {
                found,
                promised: want,
            } => format!(
                "{what} {}, {promised} {}",
                token::show(found),
                token::show(want)
            ),
            _ => String::new(),
        }
    }

    /// `A never finishes: asleep on PG_writeback of frame0`.
    pub fn hung(p: &Payload, names: &[String]) -> String {
        match *p {
            Payload::Hung {
                ctx,
                cond,
                frame,
                bit,
            } => format!(
                "{} never finishes: {}",
                ctx_name(ctx, names),
                cond.describe(frame, bit)
            ),
            _ => context(p, names, "never finishes"),
        }
    }

    /// `A never finishes`.
    pub fn context(p: &Payload, names: &[String], what: &str) -> String {
        match *p {
            Payload::Context(c) => format!("{} {what}", ctx_name(c, names)),
            _ => String::new(),
        }
    }

    /// `block 2 through a view of disk block 5; extent now hole`.
    pub fn stale_map(p: &Payload, _: &[String]) -> String {
        match *p {
            Payload::StaleMap { lblk, used, now } => {
                let used = if used == NO_PBLK {
                    "zeroes/hole".to_string()
                } else {
                    format!("disk block {used}")
                };
                let now = ext::NAMES.get(now as usize).copied().unwrap_or("?");
                format!("block {lblk} through a view of {used}; extent now {now}")
            }
            _ => String::new(),
        }
    }

    /// `wrote f0:1v3 over disk block 2, which 2 files map`.
    pub fn shared(p: &Payload, _: &[String]) -> String {
        match *p {
            Payload::Shared {
                pblk,
                owners,
                token: t,
            } => format!(
                "wrote {} over disk block {pblk}, which {owners} files map",
                token::show(t)
            ),
            _ => String::new(),
        }
    }

    /// The extent-status counts.
    pub fn es(p: &Payload, _: &[String]) -> String {
        match *p {
            Payload::Es {
                over: Some(b),
                reserved,
                ..
            } => format!("delayed entry over allocated block {b}; {reserved} reserved"),
            Payload::Es {
                delayed, reserved, ..
            } => format!("{delayed} delayed entries, {reserved} reserved"),
            _ => String::new(),
        }
    }

    /// `f0: 2 block(s) still reserved`.
    pub fn reserved(p: &Payload, _: &[String]) -> String {
        match *p {
            Payload::Reserved { file, blocks } => {
                format!("f{file}: {blocks} block(s) still reserved")
            }
            _ => String::new(),
        }
    }

    /// `f0: 1 page(s) left in the mapping`.
    pub fn pages(p: &Payload, _: &[String]) -> String {
        match *p {
            Payload::Pages { file, pages } => {
                format!("f{file}: {pages} page(s) left in the mapping")
            }
            _ => String::new(),
        }
    }
}
