//! fs/ext4: delayed allocation through buffer heads — the extent-status
//! cache, `i_data_sem`, `ext4_da_map_blocks()` as `ext4_da_write_begin()`
//! and `ext4_page_mkwrite()` call it, the read path's
//! `ext4_ext_put_gap_in_cache()`, `ext4_alloc_file_blocks()` for fallocate,
//! and writeback's allocation of delayed blocks (Case 4C).
//!
//! Followed: fs/ext4/inode.c `ext4_da_map_blocks()` (linux-fsdevel/vfs
//! @0154227e0a91, 7.0 era) and its history in acf795dc161f and 0ea6560abb3b
//! (diffs quoted in the seed notes), `ext4_page_mkwrite()`,
//! fs/ext4/extents.c `ext4_alloc_file_blocks()`. The extent-status cache is
//! per block here (`es`), and its lookups are lockless, as
//! `ext4_es_lookup_extent()` is (it takes only `i_es_lock`, inside one step).
//! The on-disk extent tree is the file's extent map, which for ext4 never
//! holds delalloc: a delayed block is an extent-status entry, a reservation
//! (`i_reserved_data_blocks`) and a BH_Delay buffer.
//!
//! Not modelled: bigalloc clusters and pending reservations, the journal,
//! inline data, `ext4_nonda_switch()`.

use crate::exec::poll::{Cond, Poll};
use crate::oracle::{OracleId, Payload};
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::{es, ext, lock, Extent, World, FILE_LBLKS, NO_OWNER, NO_PBLK};

use super::set_extent;

/// Set the extent-status entry of `lblk` (`ext4_es_insert_extent()` /
/// `ext4_es_insert_delayed_block()`), then check the cache's invariants.
pub fn es_set(w: &mut World, file: u8, lblk: usize, state: u8) {
    es_set_quiet(w, file, lblk, state);
    check_es(w, file);
}

/// Set an extent-status entry without checking (the caller checks once
/// after a range).
fn es_set_quiet(w: &mut World, file: u8, lblk: usize, state: u8) {
    let ino = &mut w.inodes[file as usize];
    ino.es[lblk] = state;
    let reserved = ino.reserved;
    w.note(Event::Es {
        file,
        lblk: lblk as u8,
        state,
        reserved,
    });
}

/// `ext4_es_remove_extent()` on one block: a delayed entry's reservation is
/// released (`ext4_da_release_space()`).
pub fn es_remove(w: &mut World, file: u8, lblk: usize) {
    let ino = &mut w.inodes[file as usize];
    if ino.es[lblk] == es::DELAYED {
        ino.reserved = ino.reserved.saturating_sub(1);
    }
    ino.es[lblk] = es::NONE;
}

/// The extent-status invariants: no delayed entry over a block the extent
/// tree has allocated, and one reservation per delayed entry
/// (`es-inconsistent`).
pub fn check_es(w: &mut World, file: u8) {
    if w.findings.has(OracleId::EsInconsistent) {
        return;
    }
    let ino = &w.inodes[file as usize];
    let mut delayed = 0u8;
    let mut over = None;
    for lblk in 0..FILE_LBLKS {
        if ino.es[lblk] == es::DELAYED {
            delayed += 1;
            if ino.map[lblk].allocated() && over.is_none() {
                over = Some(lblk);
            }
        }
    }
    let reserved = ino.reserved;
    if let Some(lblk) = over {
        w.note(Event::Note(
            "delayed extent-status entry over an allocated block",
        ));
        w.fire(
            OracleId::EsInconsistent,
            w.touched,
            Payload::Es {
                over: Some(lblk as u8),
                delayed,
                reserved,
            },
        );
    } else if delayed != reserved {
        w.note(Event::Note("i_reserved_data_blocks != delayed blocks"));
        w.fire(
            OracleId::EsInconsistent,
            w.touched,
            Payload::Es {
                over: None,
                delayed,
                reserved,
            },
        );
    }
}

/// The extent-status entry for an on-disk extent state.
pub fn es_of(state: u8) -> u8 {
    match state {
        ext::UNWRITTEN => es::UNWRITTEN,
        ext::WRITTEN => es::WRITTEN,
        _ => es::HOLE,
    }
}

/// What a block lookup found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Found {
    /// Not yet known.
    None,
    /// A hole (reads as zeroes).
    Hole,
    /// Delayed: reserved, not allocated (`EXT4_MAP_DELAYED`, BH_Delay).
    Delayed,
    /// Unwritten at this disk block (`EXT4_MAP_UNWRITTEN`).
    Unwritten(u8),
    /// Written at this disk block (`EXT4_MAP_MAPPED`).
    Written(u8),
}

impl Found {
    fn of(e: Extent) -> Found {
        match e.state {
            ext::UNWRITTEN => Found::Unwritten(e.pblk),
            ext::WRITTEN => Found::Written(e.pblk),
            _ => Found::Hole,
        }
    }

    fn of_es(w: &World, file: u8, lblk: usize) -> Found {
        let e = w.inodes[file as usize].map[lblk];
        match w.inodes[file as usize].es[lblk] {
            es::DELAYED => Found::Delayed,
            es::HOLE => Found::Hole,
            es::UNWRITTEN => Found::Unwritten(e.pblk),
            es::WRITTEN => Found::Written(e.pblk),
            _ => Found::None,
        }
    }
}

/// Which `ext4_map_blocks()` caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MapMode {
    /// `ext4_da_map_blocks()` from `ext4_da_get_block_prep()`: find the
    /// mapping, or reserve and insert a delayed block.
    Da,
    /// `ext4_map_blocks(NULL, inode, map, 0)` from the read path: find the
    /// mapping; a hole is cached with `ext4_ext_put_gap_in_cache()`.
    Read,
    /// `ext4_map_blocks(EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT)` from
    /// `ext4_alloc_file_blocks()`: allocate an unwritten extent.
    Create,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum MbPc {
    Lookup,
    DownRead,
    Query,
    GapFind,
    GapInsert,
    UpRead,
    DownWrite,
    Recheck,
    Insert,
    Alloc,
    UpWrite,
}

/// The lookup (and reservation, or allocation) of one block:
/// `ext4_da_map_blocks()`, `ext4_map_blocks()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ext4MapBlocks {
    file: u8,
    lblk: u8,
    mode: MapMode,
    pc: MbPc,
    /// `i_data_sem` is held shared by this lookup.
    read_held: bool,
    /// The lockless lookup found a hole entry (v6.7: `goto add_delayed` under `down_read`).
    es_hole: bool,
    gap: (u8, u8),
    /// The result, once done.
    pub found: Found,
    /// ENOSPC.
    pub err: i8,
}

impl Ext4MapBlocks {
    /// Map block `lblk` of `file` for `mode`.
    pub fn new(file: u8, lblk: u8, mode: MapMode) -> Ext4MapBlocks {
        Ext4MapBlocks {
            file,
            lblk,
            mode,
            pc: MbPc::Lookup,
            read_held: false,
            es_hole: false,
            gap: (0, 0),
            found: Found::None,
            err: 0,
        }
    }

    fn sem(&self) -> crate::world::LockId {
        lock::i_data_sem(self.file)
    }

    fn up_read(&mut self, w: &mut World) {
        let s = &mut w.locks[self.sem() as usize];
        s.readers = s.readers.saturating_sub(1);
        self.read_held = false;
    }

    /// Take one step; `Done` when `found` (or `err`) is set.
    pub fn step(&mut self, w: &mut World) -> Poll {
        let sem = self.sem();

        match self.pc {
            MbPc::Lookup => self.lookup(w),
            MbPc::DownRead => self.down_read(w),
            MbPc::Query => self.query(w),
            MbPc::GapFind => self.gap_find(w),
            MbPc::GapInsert => self.gap_insert(w),
            MbPc::UpRead => self.step_up_read(w),
            MbPc::DownWrite => self.down_write(w),
            MbPc::Recheck => self.recheck(w),
            MbPc::Insert => self.insert(w),
            MbPc::Alloc => self.alloc(w),
            MbPc::UpWrite => {
                w.locks[sem as usize].owner = NO_OWNER;
                Poll::Done(StepId::UpWrite)
            }
        }
    }

    fn lookup(&mut self, w: &mut World) -> Poll {
        let (f, lblk) = (self.file, self.lblk as usize);
        // ext4_es_lookup_extent(): lockless (i_es_lock inside).
        let hit = Found::of_es(w, f, lblk);
        match (self.mode, hit) {
            (MapMode::Create, Found::Written(_) | Found::Unwritten(_)) => {
                self.found = hit;
                Poll::Done(StepId::Ext4EsLookupExtent)
            }
            (MapMode::Create, _) => {
                self.pc = MbPc::DownWrite;
                Poll::Ran(StepId::Ext4EsLookupExtent)
            }
            (MapMode::Da, Found::Hole) => {
                // goto add_delayed (v6.7: down_read first, the insert runs under it).
                self.es_hole = true;
                self.pc = if w.has(Toggle::Ext4DaExclusive) {
                    MbPc::DownWrite
                } else {
                    MbPc::DownRead
                };
                Poll::Ran(StepId::Ext4EsLookupExtent)
            }
            (_, Found::None) => {
                self.pc = MbPc::DownRead;
                Poll::Ran(StepId::Ext4EsLookupExtent)
            }
            (_, hit) => {
                self.found = hit;
                Poll::Done(StepId::Ext4EsLookupExtent)
            }
        }
    }

    fn down_read(&mut self, w: &mut World) -> Poll {
        let sem = self.sem();
        if !w.lock_shared_ok(sem) {
            return Poll::Block(Cond::LockShared(sem));
        }
        w.locks[sem as usize].readers += 1;
        self.read_held = true;
        // v6.7 add_delayed straight after an ES hole: insert under the read lock.
        self.pc = if self.mode == MapMode::Da && self.es_hole && !w.has(Toggle::Ext4DaExclusive) {
            MbPc::Insert
        } else {
            MbPc::Query
        };
        Poll::Ran(StepId::DownRead)
    }

    fn query(&mut self, w: &mut World) -> Poll {
        let (f, lblk) = (self.file, self.lblk as usize);
        // ext4_map_query_blocks() → ext4_ext_map_blocks(NULL, inode, map, 0).
        let e = w.inodes[f as usize].map[lblk];
        if e.allocated() {
            es_set(w, f, lblk, es_of(e.state));
            self.found = Found::of(e);
            self.pc = MbPc::UpRead;
            return Poll::Ran(StepId::Ext4MapQueryBlocks);
        }
        match self.mode {
            MapMode::Da if !w.has(Toggle::Ext4DaExclusive) => {
                // v6.7: add_delayed under the same down_read.
                self.pc = MbPc::Insert;
            }
            MapMode::Da => {
                self.pc = MbPc::UpRead;
            }
            _ => {
                self.gap = ext_determine_hole(w, f, lblk);
                self.pc = MbPc::GapFind;
            }
        }
        Poll::Ran(StepId::Ext4MapQueryBlocks)
    }

    fn gap_find(&mut self, w: &mut World) -> Poll {
        let f = self.file;
        // ext4_ext_put_gap_in_cache(): ext4_es_find_extent_range(delayed)
        // over the hole; stop before the first delayed entry.
        let (hs, he) = self.gap;
        let first_delayed =
            (hs as usize..he as usize).find(|&b| w.inodes[f as usize].es[b] == es::DELAYED);
        self.gap = match first_delayed {
            Some(b) if b <= hs as usize => (hs, hs),
            Some(b) => (hs, b as u8),
            None => (hs, he),
        };
        self.pc = MbPc::GapInsert;
        Poll::Ran(StepId::Ext4EsFindExtentRange)
    }

    fn gap_insert(&mut self, w: &mut World) -> Poll {
        let f = self.file;
        // ext4_es_insert_extent(hole_start, hole_len, EXTENT_STATUS_HOLE):
        // whatever the entries say now is replaced.
        let (hs, he) = self.gap;
        for b in hs as usize..he as usize {
            let ino = &mut w.inodes[f as usize];
            if ino.es[b] == es::DELAYED {
                // The insert drops a delayed entry without releasing its reservation.
                ino.es[b] = es::NONE;
            }
            es_set_quiet(w, f, b, es::HOLE);
        }
        check_es(w, f);
        self.found = Found::Hole;
        self.pc = MbPc::UpRead;
        Poll::Ran(StepId::Ext4EsInsertExtent)
    }

    fn step_up_read(&mut self, w: &mut World) -> Poll {
        self.up_read(w);
        if self.found != Found::None {
            return Poll::Done(StepId::UpRead);
        }
        // ext4_da_map_blocks(): a hole; add_delayed under down_write.
        self.pc = MbPc::DownWrite;
        Poll::Ran(StepId::UpRead)
    }

    fn down_write(&mut self, w: &mut World) -> Poll {
        let sem = self.sem();
        if !w.lock_free(sem) {
            return Poll::Block(Cond::Lock(sem));
        }
        w.locks[sem as usize].owner = w.me;
        self.pc = match self.mode {
            MapMode::Create => MbPc::Alloc,
            _ if w.has(Toggle::Ext4DaRecheck) => MbPc::Recheck,
            _ => MbPc::Insert,
        };
        Poll::Ran(StepId::DownWrite)
    }

    fn recheck(&mut self, w: &mut World) -> Poll {
        let (f, lblk) = (self.file, self.lblk as usize);
        // 0ea6560abb3b: look the extent status (or the tree) up again.
        let hit = Found::of_es(w, f, lblk);
        match hit {
            Found::None => {
                let e = w.inodes[f as usize].map[lblk];
                if e.allocated() {
                    es_set(w, f, lblk, es_of(e.state));
                    self.found = Found::of(e);
                    self.pc = MbPc::UpWrite;
                } else {
                    self.pc = MbPc::Insert;
                }
            }
            Found::Hole => self.pc = MbPc::Insert,
            other => {
                self.found = other;
                self.pc = MbPc::UpWrite;
            }
        }
        Poll::Ran(StepId::Ext4EsLookupExtent)
    }

    fn insert(&mut self, w: &mut World) -> Poll {
        let (f, lblk) = (self.file, self.lblk as usize);
        // ext4_insert_delayed_block() (v6.11: ext4_insert_delayed_blocks()):
        // ext4_da_reserve_space() (one more
        // reserved block), ext4_es_insert_delayed_block() (the entry
        // becomes delayed, whatever it was).
        w.inodes[f as usize].reserved += 1;
        es_set(w, f, lblk, es::DELAYED);
        self.found = Found::Delayed;
        self.pc = if self.read_held {
            MbPc::UpRead
        } else {
            MbPc::UpWrite
        };
        Poll::Ran(StepId::Ext4InsertDelayedBlock)
    }

    fn alloc(&mut self, w: &mut World) -> Poll {
        let (f, lblk) = (self.file, self.lblk as usize);
        // ext4_ext_map_blocks(CREATE | UNWRIT): allocate if the tree has a hole.
        let e = w.inodes[f as usize].map[lblk];
        if e.allocated() {
            self.found = Found::of(e);
        } else {
            let Some(p) = w.balloc.alloc() else {
                self.err = -28;
                self.pc = MbPc::UpWrite;
                return Poll::Ran(StepId::Ext4ExtMapBlocks);
            };
            set_extent(
                w,
                f,
                lblk,
                Extent {
                    state: ext::UNWRITTEN,
                    pblk: p,
                },
            );
            // "Reduce the reserved cluster count to reflect … direct
            // allocation of clusters discovered to be delayed allocated".
            let ino = &mut w.inodes[f as usize];
            if ino.es[lblk] == es::DELAYED {
                ino.reserved = ino.reserved.saturating_sub(1);
            }
            self.found = Found::Unwritten(p);
        }
        let st = if let Found::Written(_) = self.found {
            es::WRITTEN
        } else {
            es::UNWRITTEN
        };
        es_set(w, f, lblk, st);
        self.pc = MbPc::UpWrite;
        Poll::Ran(StepId::Ext4ExtMapBlocks)
    }
}

/// `ext4_ext_determine_hole()`: the on-disk hole around `lblk`.
fn ext_determine_hole(w: &World, file: u8, lblk: usize) -> (u8, u8) {
    let map = &w.inodes[file as usize].map;
    let mut hs = lblk;
    while hs > 0 && !map[hs - 1].allocated() {
        hs -= 1;
    }
    let mut he = lblk + 1;
    while he < FILE_LBLKS && !map[he].allocated() {
        he += 1;
    }
    (hs as u8, he as u8)
}

/// ext4 writeback of one dirty block (`mpage_map_one_extent()` →
/// `ext4_map_blocks(EXT4_GET_BLOCKS_CREATE | DELALLOC_RESERVE | IO_CREATE_EXT)`
/// under `down_write(i_data_sem)`): a BH_Delay block is allocated as
/// unwritten (dioread_nolock) and its reservation claimed
/// (`ext4_da_update_reserve_space()`) — unless the tree already has the
/// block, in which case nothing is allocated and nothing claimed. Returns
/// the disk block (`NO_PBLK` for a hole) and whether the ioend converts it.
/// The caller holds `i_data_sem` (checked by [`data_sem_free`]).
pub fn writeback_map_block(w: &mut World, file: u8, lblk: usize, delay: bool) -> (u8, bool) {
    let f = file as usize;
    let e = w.inodes[f].map[lblk];
    if delay && !e.allocated() {
        let Some(p) = w.balloc.alloc() else {
            w.note(Event::Note("ENOSPC"));
            return (NO_PBLK, false);
        };
        set_extent(
            w,
            file,
            lblk,
            Extent {
                state: ext::UNWRITTEN,
                pblk: p,
            },
        );
        let ino = &mut w.inodes[f];
        ino.reserved = ino.reserved.saturating_sub(1);
        ino.es[lblk] = es::NONE;
        es_set(w, file, lblk, es::UNWRITTEN);
        return (p, true);
    }
    if delay {
        w.note(Event::Note(
            "delayed block already allocated: nothing claimed",
        ));
        if w.inodes[f].es[lblk] == es::DELAYED {
            w.inodes[f].es[lblk] = es::NONE;
            es_set(w, file, lblk, es_of(e.state));
        }
    }
    if !e.allocated() {
        return (NO_PBLK, false);
    }
    (e.pblk, e.state == ext::UNWRITTEN)
}

/// Whether writeback can take `i_data_sem` for writing now.
pub fn data_sem_free(w: &World, file: u8) -> bool {
    w.lock_free(lock::i_data_sem(file))
}

/// `down_write(i_data_sem)` of a path whose whole section under it is one
/// step: `Err` with the wait while another context holds it.
pub fn data_sem_wait(w: &World, file: u8) -> Result<(), Cond> {
    if data_sem_free(w, file) {
        Ok(())
    } else {
        Err(Cond::Lock(lock::i_data_sem(file)))
    }
}

// ---------------------------------------------------------------------------
// The buffered write: ext4_buffered_write_iter() → generic_perform_write()
// with ext4_da_write_begin() / ext4_da_write_end()
// ---------------------------------------------------------------------------

use crate::mm::filemap::{folio_mark_dirty, folio_unlock, GetLockedFolio};
use crate::mm::swap::folio_put;
use crate::world::{pg, FolioRef, MAX_LBLK, UPB};

use super::iomap::{prepare_block, Iomap};

/// The single-block mapping `__block_write_begin()` works with after
/// `ext4_da_get_block_prep()`: a delayed or unwritten block is BH_New
/// (zeroed around a partial write), a written one is read.
pub fn found_as_iomap(found: Found, lblk: usize) -> Iomap {
    let (typ, pblk, new) = match found {
        Found::Written(p) => (ext::WRITTEN, p, false),
        Found::Unwritten(p) => (ext::UNWRITTEN, p, true),
        _ => (ext::DELALLOC, NO_PBLK, true),
    };
    Iomap {
        off: lblk as u8,
        len: 1,
        typ,
        pblk,
        new,
        ..Iomap::NONE
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum EwPc {
    InodeLock,
    Get,
    Map,
    Copy,
    End,
    Unlock,
    Put,
    InodeUnlock,
}

/// A `pwrite()` of data units `unit..unit+len` on ext4 with delalloc:
/// `inode_lock()`, then per folio `ext4_da_write_begin()` (find or create
/// and lock the folio; `__block_write_begin()` calling
/// `ext4_da_get_block_prep()` → `ext4_da_map_blocks()` for each block,
/// zeroing or reading the part of a partially written block), the copy,
/// `ext4_da_write_end()` (dirty, `i_size`), unlock, put.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ext4Write {
    file: u8,
    start: u8,
    pos: u8,
    end: u8,
    to: u8,
    pc: EwPc,
    get: GetLockedFolio,
    blk: u8,
    map: Option<Ext4MapBlocks>,
    vers: [u16; MAX_LBLK],
    /// 0 or a negative errno.
    pub err: i8,
}

impl Ext4Write {
    /// Write units `unit..unit + len` of `file`.
    pub fn new(file: u8, unit: u8, len: u8) -> Ext4Write {
        Ext4Write {
            file,
            start: unit,
            pos: unit,
            end: unit.saturating_add(len).min(MAX_LBLK as u8),
            to: 0,
            pc: EwPc::InodeLock,
            get: GetLockedFolio::new(file, 0, true, false),
            blk: 0,
            map: None,
            vers: [0; MAX_LBLK],
            err: 0,
        }
    }

    fn folio_range(&mut self, w: &World) {
        let upp = w.cfg.upp(self.file);
        let page = self.pos as usize / upp;
        self.to = (self.end as usize).min((page + 1) * upp) as u8;
        self.get = GetLockedFolio::new(self.file, page as u8, true, false);
        self.blk = self.pos / UPB as u8;
        self.map = None;
    }

    /// Take one step.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.pc {
            EwPc::InodeLock => self.inode_lock(w),
            EwPc::Get => match self.get.step(w) {
                Poll::Done(id) => {
                    if self.get.err != 0 {
                        self.err = self.get.err;
                        self.pc = EwPc::InodeUnlock;
                    } else {
                        self.pc = EwPc::Map;
                    }
                    Poll::Ran(id)
                }
                p => p,
            },
            EwPc::Map => self.map(w),
            EwPc::Copy => self.copy(w),
            EwPc::End => self.end(w),
            EwPc::Unlock => {
                folio_unlock(w, self.get.folio);
                self.pc = EwPc::Put;
                Poll::Ran(StepId::FolioUnlock)
            }
            EwPc::Put => self.put(w),
            EwPc::InodeUnlock => self.inode_unlock(w),
        }
    }

    fn inode_lock(&mut self, w: &mut World) -> Poll {
        let rw = lock::i_rwsem(self.file);
        if !w.lock_free(rw) {
            return Poll::Block(Cond::Lock(rw));
        }
        w.locks[rw as usize].owner = w.me;
        self.folio_range(w);
        self.pc = if self.pos >= self.end {
            EwPc::InodeUnlock
        } else {
            EwPc::Get
        };
        Poll::Ran(StepId::InodeLock)
    }

    fn map(&mut self, w: &mut World) -> Poll {
        // __block_write_begin(): ext4_da_get_block_prep() for each block
        // the write touches, then zero or read its uncovered part.
        if self.blk as usize >= (self.to as usize).div_ceil(UPB) {
            self.pc = EwPc::Copy;
            return self.step(w);
        }
        let lblk = self.blk;
        let m = self
            .map
            .get_or_insert_with(|| Ext4MapBlocks::new(self.file, lblk, MapMode::Da));
        match m.step(w) {
            Poll::Done(id) => {
                let found = m.found;
                self.map = None;
                let folio = self.get.folio;
                w.check_ref(folio);
                let bpp = w.cfg.bpp(self.file);
                if found == Found::Delayed {
                    w.frame_mut(folio).blk_delay |= 1 << (lblk as usize % bpp);
                }
                let im = found_as_iomap(found, lblk as usize);
                prepare_block(
                    w,
                    self.file,
                    folio,
                    lblk as usize,
                    self.pos as usize,
                    self.to as usize,
                    &im,
                );
                self.blk += 1;
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn copy(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        let folio = self.get.folio;
        w.check_ref(folio);
        let upp = w.cfg.upp(self.file);
        let base = (self.pos as usize / upp) * upp;
        for u in self.pos as usize..self.to as usize {
            let v = w.shadow.next[f][u];
            w.shadow.next[f][u] = v.wrapping_add(1).max(1);
            self.vers[u] = v;
            w.frame_mut(folio).data[u - base] = super::unit_token(self.file, u, v);
        }
        self.pc = EwPc::End;
        Poll::Ran(StepId::CopyFolioFromIter)
    }

    fn end(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        // ext4_da_write_end() → block_write_end(): buffers uptodate and
        // dirty, the folio dirty; i_size if extended.
        let folio = self.get.folio;
        let bpp = w.cfg.bpp(self.file);
        let mut bits = 0u8;
        for lblk in self.pos as usize / UPB..(self.to as usize).div_ceil(UPB) {
            bits |= 1 << (lblk % bpp);
        }
        let fr = w.frame_mut(folio);
        fr.blk_uptodate |= bits;
        fr.blk_dirty |= bits;
        let all = ((1u16 << bpp) - 1) as u8;
        if fr.blk_uptodate & all == all {
            fr.flags |= pg::UPTODATE;
        }
        let page = fr.index;
        folio_mark_dirty(w, folio);
        if w.mappings[f].i_size <= page {
            w.mappings[f].i_size = page + 1;
        }
        self.pc = EwPc::Unlock;
        Poll::Ran(StepId::BlockWriteEnd)
    }

    fn put(&mut self, w: &mut World) -> Poll {
        folio_put(w, self.get.folio);
        self.pos = self.to;
        if self.pos >= self.end {
            self.pc = EwPc::InodeUnlock;
        } else {
            self.folio_range(w);
            self.pc = EwPc::Get;
        }
        Poll::Ran(StepId::FolioPut)
    }

    fn inode_unlock(&mut self, w: &mut World) -> Poll {
        let f = self.file as usize;
        let rw = lock::i_rwsem(self.file);
        w.locks[rw as usize].owner = NO_OWNER;
        for u in self.start as usize..self.pos as usize {
            w.shadow.wrote(f, u, self.vers[u]);
        }
        Poll::Done(StepId::InodeUnlock)
    }
}

/// Whether folio `r` is still the page-cache folio the fault looked up.
pub fn folio_still_mapped(w: &World, r: FolioRef, file: u8) -> bool {
    w.frame(r).mapping == file
}

// ---------------------------------------------------------------------------
// The operations table
// ---------------------------------------------------------------------------

use super::aops::{AddressSpaceOps, FaultLock, MapStep, MigrateKind, SetattrLocks};
use super::mkwrite::{FsMkwrite, MkwriteHow};
use super::read::{ReadFolio, ReadHow};
use super::vfs::{clamp_units, WriteIter};
use super::writeback::{map_folio_blocks, WbCtx};

/// ext4's `->writepages` mapping of a folio (`mpage_map_one_extent()`,
/// which needs `i_data_sem` for writing): every dirty block, BH_Delay ones
/// allocated.
fn writeback_map(w: &mut World, file: u8, r: FolioRef, _: &mut WbCtx) -> MapStep {
    if !data_sem_free(w, file) {
        return MapStep::Wait(Cond::Lock(lock::i_data_sem(file)));
    }
    let write = w.frame(r).blk_dirty;
    let (units, convert) = map_folio_blocks(w, file, r, write, |w, lblk, delay| {
        writeback_map_block(w, file, lblk, delay)
    });
    MapStep::Done(units, convert, StepId::Ext4MpageMapOneExtent)
}

/// ext4's operations (`ext4_da_aops`, `ext4_file_operations`,
/// `ext4_file_vm_ops`, `ext4_setattr()`).
pub const EXT4_AOPS: AddressSpaceOps = AddressSpaceOps {
    name: "ext4",
    direct_io: crate::fs::direct_io::DioHow::Iomap(
        StepId::InodeLockShared,
        crate::fs::direct_io::DioWrites::Ext4,
    ),
    write_iter: |cfg, file, unit, len| {
        let (unit, len) = clamp_units(cfg, file, unit, len);
        WriteIter::Ext4(Ext4Write::new(file, unit, len))
    },
    read_lock: None,
    partial_uptodate: true,
    read_folio: |file, r, sync| ReadFolio::new(file, r, sync, ReadHow::Ext4),
    map_blocks: Some(writeback_map),
    writepage_buffers: super::buffer::write_full_folio_buffers,
    release_folio: |w, r| Ok(super::buffer::try_to_free_buffers(w, r)),
    migrate_folio: MigrateKind::Folio,
    // ext4_end_io_rsv_work() → ext4_convert_unwritten_extents():
    // ext4_map_blocks(EXT4_GET_BLOCKS_IO_CONVERT_EXT), down_write(i_data_sem).
    end_io: |w, b| {
        data_sem_wait(w, b.mapping)?;
        super::iomap::end_ioend_convert(w, b, |w, f, l| es_set(w, f, l, es::WRITTEN));
        Ok(())
    },
    // ext4_setattr(): filemap_invalidate_lock() (i_mmap_sem before
    // d4f5258eae7b) over i_size_write() and truncate_pagecache().
    setattr: SetattrLocks {
        inode_lock: None,
        invalidate_lock: true,
    },
    // ext4_truncate() → ext4_ext_truncate() under down_write(i_data_sem).
    truncate_blocks: |w, file, size| {
        data_sem_wait(w, file)?;
        let bpp = w.cfg.bpp(file);
        super::free_file_blocks(w, file, size as usize * bpp, FILE_LBLKS);
        Ok(())
    },
    // ->fault: ext4_filemap_fault() (i_mmap_sem, ea3d7209ca01) /
    // __xfs_filemap_fault() (XFS_MMAPLOCK_SHARED) around filemap_fault(),
    // until filemap_fault() took invalidate_lock itself (730633f0b7f9,
    // d4f5258eae7b, v5.15).
    fault_lock: FaultLock::InvalidateSharedUntil(crate::profile::Toggle::InvalidateLockRead),
    mkwrite_lock: FaultLock::InvalidateShared,
    invalidate_lock_since: Some(crate::profile::Toggle::Ext4MmapSem),
    page_mkwrite: |file, index| FsMkwrite::new(file, index, MkwriteHow::Ext4),
    dirty_folio: super::iomap::mark_range_dirty,
};

crate::impl_step!(Ext4MapBlocks, Ext4Write);
