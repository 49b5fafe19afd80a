//! fs/buffer.c: buffer heads on block-device folios, the per-CPU bh LRU,
//! `__find_get_block()` / `__find_get_block_nonatomic()` / `bdev_getblk()`,
//! `try_to_free_buffers()`, and a metadata user of them.
//!
//! Followed: fs/buffer.c of v7.0 (intel-lab-lkp/linux @0056892cdb50) for
//! `__find_get_block_slow()` with its `atomic` argument and BH_Migrate
//! bail-out (7ffe3de53a88, 2d900efff915), and of v5.x (torvalds/linux
//! @01950a349ec2) for the private_lock-only lookup; `bh_lru_install()`'s
//! `lru_cache_disabled()` refusal is 8cc621d2f45d.

use crate::exec::poll::{Cond, Poll};
use crate::mm::filemap::{folio_mark_dirty, folio_unlock, GetEntry, GetLockedFolio, LockFolio};
use crate::mm::swap::{folio_get, folio_put};
use crate::oracle::OracleId;
use crate::profile::Toggle;
use crate::step::StepId;
use crate::trace::Event;
use crate::world::lock::PRIVATE_LOCK;
use crate::world::{
    bs, pg, token, BhRef, Disk, FolioRef, FrameId, World, BDEV, BH_LRU_SIZE, MAX_BH, NCPUS, NO_BH,
    NO_FRAME, NO_OWNER,
};

/// The head of the buffer ring attached to frame `f` (`folio_buffers()`), or `NO_BH`.
pub fn folio_buffers(w: &World, f: FrameId) -> u8 {
    w.frames[f as usize].bh_head
}

/// The buffer heads of the ring starting at `head`, in `b_this_page` order.
pub fn ring(w: &World, head: u8) -> impl Iterator<Item = u8> + '_ {
    let mut cur = head;
    let mut n = 0;
    std::iter::from_fn(move || {
        if cur == NO_BH || n >= MAX_BH || !w.bhs[cur as usize].live {
            return None;
        }
        let id = cur;
        n += 1;
        cur = w.bhs[id as usize].next;
        if cur == head {
            cur = NO_BH;
        }
        Some(id)
    })
}

/// The ring at `head` collected into a fixed array, so the caller can change
/// the buffers while walking them: the ids, and how many there are.
pub fn ring_ids(w: &World, head: u8) -> ([u8; MAX_BH], usize) {
    let mut ids = [NO_BH; MAX_BH];
    let mut n = 0;
    for id in ring(w, head) {
        ids[n] = id;
        n += 1;
    }
    (ids, n)
}

/// A fresh ring of `blocks.len()` buffer heads in `state`, buffer `k` mapping
/// `blocks[k]`, attached to folio `r` through `folio->private` (which holds a
/// folio reference): `folio_create_empty_buffers()`. False when the model's
/// pool has fewer free buffer heads than that.
pub fn attach_new_buffers(w: &mut World, r: FolioRef, state: u16, blocks: &[u8]) -> bool {
    let bpp = blocks.len();
    let mut ids = [NO_BH; MAX_BH];
    let mut n = 0;
    for (i, b) in w.bhs.iter().enumerate() {
        if !b.live && n < bpp {
            ids[n] = i as u8;
            n += 1;
        }
    }
    if n < bpp {
        return false;
    }
    for (k, &blocknr) in blocks.iter().enumerate() {
        let b = &mut w.bhs[ids[k] as usize];
        b.live = true;
        b.inc = b.inc.wrapping_add(1);
        b.b_count = 0;
        b.state = state;
        b.folio = r;
        b.offset = k as u8;
        b.blocknr = blocknr;
        b.next = ids[(k + 1) % bpp];
        // A new buffer head: no journal head, no BH_Write_EIO.
        *w.journal.jh_mut(ids[k]) = crate::world::JournalHead::default();
    }
    let fr = w.frame_mut(r);
    fr.bh_head = ids[0];
    fr.flags |= pg::PRIVATE;
    folio_get(w, r);
    true
}

/// Free the ring at `head` and detach it from folio `r` (`drop_buffers()`'s
/// end: `folio_detach_private()` drops the reference the ring held).
pub fn detach_buffers(w: &mut World, r: FolioRef, head: u8) {
    let (ids, n) = ring_ids(w, head);
    for &id in &ids[..n] {
        w.bhs[id as usize].live = false;
    }
    let fr = w.frame_mut(r);
    fr.bh_head = NO_BH;
    fr.flags &= !pg::PRIVATE;
    folio_put(w, r);
}

/// A pointer to buffer head `id` as it is now.
pub fn bh_ref(w: &World, id: u8) -> BhRef {
    BhRef {
        id,
        inc: w.bhs[id as usize].inc,
    }
}

/// Check that `r` still designates the buffer head it was taken on; fire
/// `bh-use-after-free` if it was freed (`try_to_free_buffers()`) or reused.
pub fn bh_check(w: &mut World, r: BhRef) -> bool {
    if r.is_none() {
        return false;
    }
    let b = w.bhs[r.id as usize];
    if !b.live || b.inc != r.inc {
        w.fire(
            OracleId::BhUseAfterFree,
            b.folio.frame,
            crate::oracle::Payload::Bh(r.id),
        );
        return false;
    }
    true
}

/// `get_bh()`: take a `b_count` reference. Fires `bh-ref-during-migration` if
/// the buffer's folio is inside a norefs migration's checked window.
pub fn get_bh(w: &mut World, id: u8) {
    let b = &mut w.bhs[id as usize];
    b.b_count += 1;
    let f = b.folio.frame;
    if f != NO_FRAME && w.norefs_window == f {
        w.fire(
            OracleId::BhRefDuringMigration,
            f,
            crate::oracle::Payload::Bh(id),
        );
    }
}

/// `brelse()` / `put_bh()`: drop a `b_count` reference.
pub fn brelse(w: &mut World, r: BhRef) {
    if !bh_check(w, r) {
        return;
    }
    let b = &mut w.bhs[r.id as usize];
    if b.b_count <= 0 {
        let f = b.folio.frame;
        w.fire(
            OracleId::RefcountUnderflow,
            f,
            crate::oracle::Payload::Bh(r.id),
        );
        return;
    }
    b.b_count -= 1;
}

/// fs/buffer.c `mark_buffer_dirty()`: BH_Dirty, then
/// `folio_mark_dirty(bh->b_folio)` (`bh-use-after-free` if that folio is gone).
pub fn mark_buffer_dirty(w: &mut World, id: u8) {
    let b = &mut w.bhs[id as usize];
    b.state |= bs::DIRTY;
    let f = b.folio;
    if w.check_ref(f) {
        folio_mark_dirty(w, f);
    } else {
        w.fire(
            OracleId::BhUseAfterFree,
            f.frame,
            crate::oracle::Payload::Incarnation(f.inc),
        );
    }
}

/// fs/buffer.c `end_buffer_write_sync()`: on an error
/// `mark_buffer_write_io_error()` (the write is not promised any more: the
/// error is reported), then `unlock_buffer()`, `put_bh()` of the reference
/// `write_dirty_buffer()` took for the I/O.
pub fn end_buffer_write_sync(w: &mut World, id: u8, error: bool) {
    if id == NO_BH {
        return;
    }
    if error {
        let blk = (w.bhs[id as usize].blocknr as usize).min(crate::world::MAX_LBLK - 1);
        let m = BDEV as usize;
        w.shadow.void_below[m][blk] = w.shadow.next[m][blk];
        w.journal.jh_mut(id).write_io_error = true;
        w.note(Event::Note("buffer write I/O error (BH_Write_EIO)"));
    }
    w.bhs[id as usize].state &= !bs::LOCK;
    let r = bh_ref(w, id);
    brelse(w, r);
}

/// `lookup_bh_lru()`: this CPU's LRU, with no lock; a hit moves to the front
/// and takes a reference.
pub fn lookup_bh_lru(w: &mut World, cpu: u8, block: u8) -> Option<BhRef> {
    let lru = &w.bh_lru[cpu as usize % NCPUS];
    let pos = lru.iter().position(|r| {
        !r.is_none() && w.bhs[r.id as usize].live && w.bhs[r.id as usize].blocknr == block
    })?;
    let r = lru[pos];
    let l = &mut w.bh_lru[cpu as usize % NCPUS];
    l.copy_within(0..pos, 1);
    l[0] = r;
    get_bh(w, r.id);
    Some(r)
}

/// `bh_lru_install()`: take an LRU reference on `r` and put it first; the
/// last entry falls out and is released. Refused while `lru_cache_disabled()`
/// (8cc621d2f45d).
pub fn bh_lru_install(w: &mut World, cpu: u8, r: BhRef) {
    if w.has(Toggle::BhLruMigration) && w.lru_disabled > 0 {
        w.note(Event::Note("lru_cache_disabled(): not installed"));
        return;
    }
    let c = cpu as usize % NCPUS;
    if w.bh_lru[c].contains(&r) {
        return;
    }
    get_bh(w, r.id);
    let evictee = w.bh_lru[c][BH_LRU_SIZE - 1];
    w.bh_lru[c].copy_within(0..BH_LRU_SIZE - 1, 1);
    w.bh_lru[c][0] = r;
    if !evictee.is_none() {
        brelse(w, evictee);
    }
}

/// `invalidate_bh_lrus()`: every CPU empties its LRU (an IPI in the kernel).
pub fn invalidate_bh_lrus(w: &mut World) {
    for c in 0..NCPUS {
        for k in 0..BH_LRU_SIZE {
            let r = w.bh_lru[c][k];
            if !r.is_none() {
                w.bh_lru[c][k] = BhRef::NONE;
                brelse(w, r);
            }
        }
    }
}

/// `folio_create_empty_buffers()` + `link_dev_buffers()`: a ring of
/// `bh_per_page` mapped, uptodate buffer heads for the block-device folio
/// `r`, attached through `folio->private` (which holds a folio reference).
/// Returns false when no buffer head slot is free.
pub fn create_empty_buffers(w: &mut World, r: FolioRef) -> bool {
    let bpp = w.cfg.bpp(BDEV);
    let index = w.frame(r).index as usize;
    let mut blocks = [0u8; MAX_BH];
    for (k, b) in blocks.iter_mut().enumerate().take(bpp) {
        *b = (index * bpp + k) as u8;
    }
    attach_new_buffers(w, r, bs::MAPPED | bs::UPTODATE, &blocks[..bpp])
}

/// `drop_buffers()` as `try_to_free_buffers()` does it, the caller holding
/// the folio lock and `i_private_lock`: fails if a buffer is busy
/// (`b_count`, dirty or locked); otherwise the ring is freed and detached.
pub fn try_to_free_buffers(w: &mut World, r: FolioRef) -> bool {
    let head = folio_buffers(w, r.frame);
    if head == NO_BH {
        return true;
    }
    let busy = ring(w, head).any(|id| {
        let b = &w.bhs[id as usize];
        b.b_count != 0 || b.state & (bs::DIRTY | bs::LOCK) != 0
    });
    if busy {
        return false;
    }
    detach_buffers(w, r, head);
    true
}

/// `folio_invalidate()` → `block_invalidate_folio()` on a whole folio being
/// truncated: its buffers are cleaned and, unless one is referenced, freed
/// (`filemap_release_folio()`).
pub fn invalidate_folio_buffers(w: &mut World, r: FolioRef) {
    let head = folio_buffers(w, r.frame);
    if head == NO_BH || w.frame(r).mapping == BDEV {
        return;
    }
    if ring(w, head).any(|id| w.bhs[id as usize].b_count != 0) {
        return;
    }
    detach_buffers(w, r, head);
}

/// `buffer_locked(bh)`: BH_Lock (a page writeback bio holds it on every
/// buffer it writes, BH_Async_Write, until `end_buffer_async_write()`).
pub fn buffer_locked(w: &World, id: u8) -> bool {
    w.bhs[id as usize].state & bs::LOCK != 0
}

/// `__block_write_full_folio()`'s pass over a folio's buffers once
/// `folio_clear_dirty_for_io()` succeeded: each dirty buffer is locked,
/// `test_clear_buffer_dirty()` and `mark_buffer_async_write()` (unlocked by
/// the bio's completion, [`end_buffer_async_write`]). A buffer someone else
/// holds locked (a jbd2 handle in `do_get_write_access()`, a checkpoint's
/// write) stays dirty and the folio is redirtied
/// (`redirty_page_for_writepage()`, as `WB_SYNC_NONE`'s trylock does; the
/// model's device bio still carries the whole page, its data as it is).
pub fn write_full_folio_buffers(w: &mut World, r: FolioRef) {
    let head = w.frame(r).bh_head;
    let (ids, n) = ring_ids(w, head);
    let mut redirty = false;
    for &id in &ids[..n] {
        let b = &mut w.bhs[id as usize];
        if b.state & bs::LOCK != 0 {
            redirty |= b.state & bs::DIRTY != 0;
        } else if b.state & bs::DIRTY != 0 {
            b.state &= !bs::DIRTY;
            b.state |= bs::LOCK | bs::ASYNC_WRITE;
        }
    }
    if redirty {
        folio_mark_dirty(w, r);
    }
}

/// fs/buffer.c `end_buffer_async_write()` for each buffer of a device
/// folio's writeback bio: BH_Async_Write cleared, `unlock_buffer()`.
pub fn end_buffer_async_write(w: &mut World, frame: FrameId) {
    let head = folio_buffers(w, frame);
    let (ids, n) = ring_ids(w, head);
    for &id in &ids[..n] {
        let b = &mut w.bhs[id as usize];
        if b.state & bs::ASYNC_WRITE != 0 {
            b.state &= !(bs::ASYNC_WRITE | bs::LOCK);
        }
    }
}

/// Take `i_private_lock` (a spinlock) for the current context, or say what to wait for.
pub fn spin_lock_private(w: &mut World) -> Result<(), Cond> {
    if !w.lock_free(PRIVATE_LOCK) {
        return Err(Cond::Lock(PRIVATE_LOCK));
    }
    w.locks[PRIVATE_LOCK as usize].owner = w.me;
    let me = (w.me as usize).min(w.sched.len() - 1);
    if (w.me as usize) < w.sched.len() {
        w.sched[me].spin_held += 1;
    }
    Ok(())
}

/// Release `i_private_lock`.
pub fn spin_unlock_private(w: &mut World) {
    w.locks[PRIVATE_LOCK as usize].owner = NO_OWNER;
    if (w.me as usize) < w.sched.len() {
        let s = &mut w.sched[w.me as usize];
        s.spin_held = s.spin_held.saturating_sub(1);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum BhPc {
    Lru,
    Slow,
    SlowLock,
    SlowWalk,
    /// `get_bh()` on the buffer the walk found.
    SlowGet(u8),
    /// `spin_unlock()` / `folio_unlock()`, `folio_put()`; the buffer found, if any.
    SlowUnlock(u8),
    Install,
    Getblk,
    Create,
    Write,
    Dirty,
    Brelse,
    /// jbd2: `jbd2__journal_start()`.
    Start,
    /// jbd2: `jbd2_write_access_granted()`.
    Granted,
    /// jbd2: `jbd2_journal_add_journal_head()`.
    Attach,
    /// jbd2: `do_get_write_access()`'s `lock_buffer()`.
    GwaLock,
    /// jbd2: `do_get_write_access()` under `b_state_lock`.
    Access,
    /// jbd2: `wait_on_bit_io(BH_Shadow)`, then `goto repeat`.
    ShadowWait,
    /// jbd2: `jbd2_journal_dirty_metadata()`.
    DirtyMeta,
    /// jbd2: `jbd2_journal_stop()`.
    Stop,
}

/// A metadata user: `__find_get_block()` (or `__find_get_block_nonatomic()`,
/// or `bdev_getblk()`), read `bh->b_data`, modify it under its own lock only,
/// `mark_buffer_dirty()`, `brelse()`. The write is promised when it returns.
/// A lookup that misses (a false miss is allowed: 2d900efff915's atomic
/// lookups bail out during migration) ends the operation without a write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BhWrite {
    block: u8,
    getblk: bool,
    meta: bool,
    nonatomic: bool,
    cpu: u8,
    pc: BhPc,
    folio: FolioRef,
    lock: Option<LockFolio>,
    entry: Option<GetEntry>,
    get: Option<GetLockedFolio>,
    bh: BhRef,
    /// `bh->b_data` as read at lookup: the folio memory the write goes to.
    data: FolioRef,
    version: u16,
    tries: u8,
    /// In a jbd2 handle (`jbd2-update`): the transaction's tid once started.
    journal: bool,
    tid: u8,
}

impl BhWrite {
    /// The user of `block`, running on `cpu`.
    pub fn new(block: u8, getblk: bool, meta: bool, nonatomic: bool, cpu: u8) -> BhWrite {
        BhWrite {
            block,
            getblk,
            meta,
            nonatomic,
            cpu,
            pc: BhPc::Lru,
            folio: FolioRef::NONE,
            lock: None,
            entry: None,
            get: None,
            bh: BhRef::NONE,
            data: FolioRef::NONE,
            version: 0,
            tries: 0,
            journal: false,
            tid: 0,
        }
    }

    /// A journalled metadata update of `block` (ext4's path through jbd2):
    /// `jbd2__journal_start()`, the lookup, `jbd2_journal_get_write_access()`,
    /// the update through `b_data` (dereferenced after write access was
    /// granted), `jbd2_journal_dirty_metadata()` (which sets BH_Meta),
    /// `brelse()`, `jbd2_journal_stop()`.
    pub fn journalled(block: u8, getblk: bool, nonatomic: bool, cpu: u8) -> BhWrite {
        BhWrite {
            journal: true,
            pc: BhPc::Start,
            ..BhWrite::new(block, getblk, false, nonatomic, cpu)
        }
    }

    /// After the lookup found the buffer.
    fn found_pc(&self) -> BhPc {
        if self.journal {
            BhPc::Granted
        } else {
            BhPc::Write
        }
    }

    fn sleeping_lookup(&self, w: &World) -> bool {
        self.nonatomic && w.has(Toggle::SleepingLookup)
    }

    fn found(&mut self, w: &World, id: u8) {
        self.bh = bh_ref(w, id);
        self.data = w.bhs[id as usize].folio;
    }

    fn miss(&mut self, w: &mut World) -> Option<Poll> {
        if self.getblk && self.tries < 3 {
            self.tries += 1;
            self.pc = BhPc::Getblk;
            None
        } else {
            w.note(Event::Note("lookup missed: no write"));
            Some(Poll::Done(StepId::FindGetBlockWalk))
        }
    }

    /// Take one step. In a handle, the lookup or update ending the
    /// operation (a miss, the `brelse()`) goes on to `jbd2_journal_stop()`.
    pub fn step(&mut self, w: &mut World) -> Poll {
        match self.step_buffer(w) {
            Poll::Done(id) if self.journal && self.pc != BhPc::Stop && self.tid != 0 => {
                self.pc = BhPc::Stop;
                Poll::Ran(id)
            }
            p => p,
        }
    }

    fn step_buffer(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(BDEV);
        let index = self.block / bpp as u8;

        match self.pc {
            BhPc::Lru => self.lru(w),
            BhPc::Slow => {
                let make = GetEntry::new(BDEV, index, StepId::FindGetBlockSlow);
                let (id, g) = crate::nested!(self.entry, w, make);
                match g.folio {
                    None => match self.miss(w) {
                        Some(_) => Poll::Done(id),
                        None => Poll::Ran(id),
                    },
                    Some(r) => {
                        self.folio = r;
                        self.pc = BhPc::SlowLock;
                        Poll::Ran(id)
                    }
                }
            }
            BhPc::SlowLock => self.slow_lock(w),
            BhPc::SlowWalk => self.slow_walk(w),
            BhPc::SlowGet(id) => {
                get_bh(w, id);
                self.pc = BhPc::SlowUnlock(id);
                Poll::Ran(StepId::GetBh)
            }
            BhPc::SlowUnlock(hit) => self.slow_unlock(w, hit),
            BhPc::Install => {
                bh_lru_install(w, self.cpu, self.bh);
                self.pc = self.found_pc();
                Poll::Ran(StepId::BhLruInstall)
            }
            BhPc::Getblk => self.getblk(w),
            BhPc::Create => self.create(w),
            BhPc::Write => self.write(w),
            BhPc::Dirty => self.dirty(w),
            BhPc::Brelse => self.brelse(w),
            BhPc::Start
            | BhPc::Granted
            | BhPc::Attach
            | BhPc::GwaLock
            | BhPc::Access
            | BhPc::ShadowWait
            | BhPc::DirtyMeta
            | BhPc::Stop => self.step_handle(w),
        }
    }

    /// The jbd2 handle's steps (crate::fs::jbd2::handle).
    fn step_handle(&mut self, w: &mut World) -> Poll {
        use crate::fs::jbd2::handle as h;
        let id = self.bh.id;
        match self.pc {
            BhPc::Start => match h::journal_start(w) {
                Err(c) => Poll::Block(c),
                Ok(tid) => {
                    self.tid = tid;
                    self.pc = BhPc::Lru;
                    Poll::Ran(StepId::JournalStart)
                }
            },
            BhPc::Granted => {
                self.pc = if h::write_access_granted(w, id, self.tid) {
                    self.data = w.bhs[id as usize].folio;
                    BhPc::Write
                } else {
                    BhPc::Attach
                };
                Poll::Ran(StepId::WriteAccessGranted)
            }
            BhPc::Attach => {
                h::attach(w, id);
                self.pc = BhPc::GwaLock;
                Poll::Ran(StepId::AddJournalHead)
            }
            BhPc::GwaLock => match h::lock_buffer(w, id) {
                Err(c) => Poll::Block(c),
                Ok(()) => {
                    self.pc = BhPc::Access;
                    Poll::Ran(StepId::GwaLockBuffer)
                }
            },
            BhPc::Access => {
                self.pc = match h::do_get_write_access(w, id, self.tid) {
                    h::Access::Shadow => BhPc::ShadowWait,
                    h::Access::Granted => {
                        self.data = w.bhs[id as usize].folio;
                        BhPc::Write
                    }
                };
                Poll::Ran(StepId::DoGetWriteAccess)
            }
            BhPc::ShadowWait => {
                if w.journal.jh(id).shadow {
                    return Poll::Block(Cond::BhShadowClear(id));
                }
                self.pc = BhPc::GwaLock;
                self.step_handle(w)
            }
            BhPc::DirtyMeta => {
                h::dirty_metadata(w, id, self.tid, self.block, self.version);
                self.pc = BhPc::Brelse;
                Poll::Ran(StepId::DirtyMetadata)
            }
            _ => {
                h::journal_stop(w);
                Poll::Done(StepId::JournalStop)
            }
        }
    }

    fn lru(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(BDEV);
        let index = self.block / bpp as u8;
        if (index as usize) >= crate::world::MAX_INDEX {
            w.note(Event::Note("block beyond the device"));
            return Poll::Done(StepId::LookupBhLru);
        }
        match lookup_bh_lru(w, self.cpu, self.block) {
            Some(r) => {
                w.touched = w.bhs[r.id as usize].folio.frame;
                self.found(w, r.id);
                self.pc = self.found_pc();
            }
            None => self.pc = BhPc::Slow,
        }
        Poll::Ran(StepId::LookupBhLru)
    }

    fn slow_lock(&mut self, w: &mut World) -> Poll {
        if self.sleeping_lookup(w) {
            // 7ffe3de53a88: "Folio lock protects the buffers".
            let lk = self
                .lock
                .get_or_insert_with(|| LockFolio::new(self.folio, false));
            return match lk.step(w) {
                Poll::Done(_) => {
                    self.lock = None;
                    self.pc = BhPc::SlowWalk;
                    Poll::Ran(StepId::FindGetBlockLock)
                }
                p => p,
            };
        }
        if let Err(c) = spin_lock_private(w) {
            return Poll::Block(c);
        }
        w.touched = self.folio.frame;
        self.pc = BhPc::SlowWalk;
        Poll::Ran(StepId::FindGetBlockLock)
    }

    /// Under the lock: `folio_buffers()`, the BH_Migrate bail-out
    /// (2d900efff915), the walk of `b_this_page` for the block. The
    /// reference (`get_bh()`) is the next step: only the lock orders the
    /// two against migration's reference check.
    fn slow_walk(&mut self, w: &mut World) -> Poll {
        w.check_ref(self.folio);
        let head = folio_buffers(w, self.folio.frame);
        let mut hit = NO_BH;
        if head == NO_BH {
            w.note(Event::Note("no buffers"));
        } else if w.has(Toggle::BhMigrate)
            && w.bhs[head as usize].state & bs::MIGRATE != 0
            && !self.sleeping_lookup(w)
        {
            // "Upon a noref migration, the folio lock serializes here; otherwise bail."
            w.note(Event::Note("BH_Migrate: bail out"));
        } else if let Some(id) = ring(w, head).find(|&id| w.bhs[id as usize].blocknr == self.block)
        {
            hit = id;
        }
        self.pc = if hit == NO_BH {
            BhPc::SlowUnlock(NO_BH)
        } else {
            BhPc::SlowGet(hit)
        };
        Poll::Ran(StepId::FindGetBlockWalk)
    }

    /// `out_unlock:` the lock the lookup took, then `folio_put()`.
    fn slow_unlock(&mut self, w: &mut World, hit: u8) -> Poll {
        if self.sleeping_lookup(w) {
            folio_unlock(w, self.folio);
        } else {
            spin_unlock_private(w);
        }
        folio_put(w, self.folio);
        if hit == NO_BH {
            return match self.miss(w) {
                Some(_) => Poll::Done(StepId::FindGetBlockUnlock),
                None => Poll::Ran(StepId::FindGetBlockUnlock),
            };
        }
        self.found(w, hit);
        self.pc = BhPc::Install;
        Poll::Ran(StepId::FindGetBlockUnlock)
    }

    fn getblk(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(BDEV);
        let index = self.block / bpp as u8;
        let g = self
            .get
            .get_or_insert_with(|| GetLockedFolio::new(BDEV, index, true, false));
        match g.step(w) {
            Poll::Done(_) => {
                if g.err != 0 {
                    w.note(Event::Note("__getblk_slow: no memory"));
                    return Poll::Done(StepId::GetblkSlow);
                }
                self.folio = g.folio;
                self.get = None;
                self.pc = BhPc::Create;
                Poll::Ran(StepId::GetblkSlow)
            }
            p => p,
        }
    }

    fn create(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(BDEV);
        let index = self.block / bpp as u8;
        if folio_buffers(w, self.folio.frame) == NO_BH {
            if let Err(c) = spin_lock_private(w) {
                return Poll::Block(c);
            }
            // A new folio reads its blocks (sb_bread): the disk's contents.
            let f = self.folio.frame as usize;
            if w.frames[f].flags & pg::UPTODATE == 0 {
                for k in 0..bpp {
                    w.frames[f].data[k] = w.disk.blocks[Disk::block_of(BDEV, index, k)];
                }
                w.frames[f].flags |= pg::UPTODATE;
            }
            let ok = create_empty_buffers(w, self.folio);
            spin_unlock_private(w);
            if !ok {
                w.note(Event::Note("no buffer head slot free"));
            }
        }
        folio_unlock(w, self.folio);
        folio_put(w, self.folio);
        self.pc = BhPc::Lru;
        Poll::Ran(StepId::CreateEmptyBuffers)
    }

    fn write(&mut self, w: &mut World) -> Poll {
        let bpp = w.cfg.bpp(BDEV);
        if w.journal.foreign(self.block, self.journal) {
            // The other kind of user took the block since this one started.
            w.note(Event::Note(
                "the block is another metadata user's: no write",
            ));
            self.pc = BhPc::Brelse;
            return Poll::Ran(StepId::BhDataWrite);
        }
        w.journal.claim(self.block, self.journal);
        // The metadata update: into the memory b_data pointed at when read.
        bh_check(w, self.bh);
        let d = self.data;
        let fr = w.frames[d.frame as usize];
        w.touched = d.frame;
        if fr.free || fr.inc != d.inc {
            w.fire(
                OracleId::BhUseAfterFree,
                d.frame,
                crate::oracle::Payload::Incarnation(d.inc),
            );
        }
        let b = (self.block as usize) % bpp;
        let next = &mut w.shadow.next[BDEV as usize][self.block as usize];
        self.version = *next;
        *next = next.wrapping_add(1).max(1);
        w.frames[d.frame as usize].data[b] = token::make(BDEV, self.block, self.version);
        if self.meta {
            w.bhs[self.bh.id as usize].state |= bs::META;
        }
        self.pc = if self.journal {
            BhPc::DirtyMeta
        } else {
            BhPc::Dirty
        };
        Poll::Ran(StepId::BhDataWrite)
    }

    fn dirty(&mut self, w: &mut World) -> Poll {
        if bh_check(w, self.bh) {
            mark_buffer_dirty(w, self.bh.id);
        }
        self.pc = BhPc::Brelse;
        Poll::Ran(StepId::MarkBufferDirty)
    }

    /// `brelse()`. A plain user's update is promised now (an fsync of the
    /// device writes it); a journalled one when its commit hands the buffer
    /// to writeback (`crate::fs::jbd2::refile_buffer()`).
    fn brelse(&mut self, w: &mut World) -> Poll {
        brelse(w, self.bh);
        if !self.journal && self.version != 0 {
            let (m, b) = (BDEV as usize, self.block as usize);
            w.shadow.latest[m][b] = self.version;
        }
        Poll::Done(StepId::Brelse)
    }
}

crate::impl_step!(BhWrite);
