//! Fix toggles and named kernel profiles.
//!
//! A fix is a *toggle*, not a fork of the model: each one names the commit (or
//! the unmerged proposal) it models, and the steps consult it where the kernel
//! code differs. A *profile* is a named set of toggles — a kernel release or a
//! proposed patch — so the same case can be replayed against every profile.
//!
//! Profile expressions accepted everywhere a profile is named:
//! `NAME`, `NAME+TOGGLE`, `NAME-TOGGLE`, chained (`v5.8+073861ed77b6`), where
//! `TOGGLE` is a toggle's commit id or name.

use std::fmt;

macro_rules! toggles {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($bit:literal, $id:literal, $title:literal), )*) => {
        /// One fix (or one behaviour change) of the kernel, named after its commit.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        #[repr(u8)]
        pub enum Toggle {
            $( $(#[doc = $doc])* $variant = $bit, )*
        }

        const _: () = {
            let mut i = 0;
            while i < Toggle::ALL.len() {
                assert!((Toggle::ALL[i] as u32) < Toggles::BITS, "a toggle's bit must fit in Toggles");
                i += 1;
            }
        };

        impl Toggle {
            /// Every toggle, in declaration order.
            pub const ALL: &'static [Toggle] = &[$(Toggle::$variant),*];

            /// The commit id (12 hex digits) or the proposal's short name.
            pub fn id(self) -> &'static str {
                match self { $(Toggle::$variant => $id,)* }
            }

            /// The commit's or proposal's title.
            pub fn title(self) -> &'static str {
                match self { $(Toggle::$variant => $title,)* }
            }

            /// What the toggle changes in the model, and where the code is.
            pub fn doc(self) -> &'static str {
                match self { $(Toggle::$variant => concat!($($doc, "\n"),*),)* }
            }
        }
    };
}

toggles! {
    /// mm/filemap.c, 2a9127fcf229 (Linus Torvalds, v5.8): the rewrite of the page
    /// wait logic. On: the waker (`wake_page_function`) wakes a SHARED waiter
    /// without testing the bit and the waiter returns without re-testing it;
    /// EXCLUSIVE waiters get the bit handed over by the waker. Off (v5.7): the
    /// waker stops walking if the bit is set again, and every waiter loops
    /// re-testing the bit.
    WaitRewrite = (0, "2a9127fcf229", "mm: rewrite wait_on_page_bit_common() logic"),
    /// mm/filemap.c, 5ef64cc8987a (Linus Torvalds, v5.9): a controlled amount of
    /// unfairness in the page lock: EXCLUSIVE waiters take the lock themselves
    /// after waking, and ask for a handoff (`WQ_FLAG_CUSTOM`) only after
    /// `sysctl_page_lock_unfairness` (5) failed attempts.
    LockUnfairness = (1, "5ef64cc8987a", "mm: allow a controlled amount of unfairness in the page lock"),
    /// mm/filemap.c `end_page_writeback()`, 073861ed77b6 (Hugh Dickins, v5.10):
    /// `get_page()` before `test_clear_page_writeback()` and `put_page()` after
    /// `wake_up_page()`, so the page cannot be freed and reused between the
    /// clear and the wakeup.
    EndWritebackRef = (2, "073861ed77b6", "mm: fix VM_BUG_ON(PageTail) and BUG_ON(PageWriteback)"),
    /// mm/page-writeback.c `wait_on_page_writeback()`, c2407cf7d22d (Linus
    /// Torvalds, v5.11): `if (PageWriteback)` becomes `while`, so a waiter only
    /// returns after seeing PG_writeback clear.
    WaitWritebackLoop = (3, "c2407cf7d22d", "mm: make wait_on_page_writeback() wait for multiple pending writebacks"),
    /// mm/page-writeback.c `__folio_end_writeback()` clears PG_writeback and
    /// reads PG_waiters in one atomic operation (`folio_xor_flags_has_waiters()`)
    /// and returns it; `folio_end_writeback()` wakes only if it was set. Matthew
    /// Wilcox, 2580d554585c "mm: Use folio_xor_flags_has_waiters() in
    /// folio_end_writeback()", patch 17/17 of the folio_end_read series
    /// (<20230915183707.2707298-18-willy@infradead.org>), v6.7. Before it,
    /// `folio_wake()` / v5.x `wake_up_page()` read PageWaiters after the clear, as
    /// a separate access.
    XorHasWaiters = (4, "2580d554585c", "mm: Use folio_xor_flags_has_waiters() in folio_end_writeback()"),
    /// mm/migrate.c, 89cb0888ca14 (Jan Kara, v5.0): the block device's
    /// `migrate_folio` is `buffer_migrate_page_norefs()`: migrate a folio with
    /// buffers only if no buffer has a reference, checked under `private_lock`,
    /// which is dropped right after the check. Off: `buffer_migrate_page()`
    /// moves buffers with no reference check at all.
    Norefs = (5, "89cb0888ca14", "mm: migrate: provide buffer_migrate_page_norefs()"),
    /// mm/migrate.c, ebdf4de5642f (Jan Kara, v5.3): `private_lock` is held from
    /// the reference check until the buffers are unlocked, so a lookup's slow
    /// path cannot take a reference while the mapping moves.
    PrivateLockHeld = (6, "ebdf4de5642f", "mm: migrate: fix reference check race between __find_get_block() and migration"),
    /// fs/buffer.c `bh_lru_install()`, 8cc621d2f45d (Minchan Kim, v5.13): no LRU
    /// install while `lru_cache_disabled()` (migration callers disable it).
    BhLruMigration = (7, "8cc621d2f45d", "mm: fs: invalidate BH LRU during page migration"),
    /// mm/migrate.c `__migrate_folio()`, 060913999d7a (Kefeng Wang, v6.12): the
    /// data is copied (`folio_mc_copy()`) before the mapping moves; before, it was
    /// copied after `folio_set_bh()`.
    CopyBeforeMove = (8, "060913999d7a", "mm: migrate: support poisoned recover from migrate folio"),
    /// block/bdev.c, 3c20917120ce (Hannes Reinecke, v6.15-rc1): the block
    /// device's page cache uses large folios, whose `folio_mc_copy()` calls
    /// `cond_resched()` — a sleep.
    BdevLargeFolios = (9, "3c20917120ce", "block/bdev: enable large folio support for large logical block sizes"),
    /// fs/buffer.c, 7ffe3de53a88 + 2814a7d3d2ff (Davidlohr Bueso, v6.15-rc4):
    /// sleeping lookups (`__find_get_block_nonatomic()`) take the folio lock
    /// instead of `i_private_lock`.
    SleepingLookup = (10, "7ffe3de53a88", "fs/buffer: split locking for pagecache lookups"),
    /// mm/migrate.c, 2d900efff915 (Davidlohr Bueso, v6.15-rc4): BH_Migrate set
    /// on the head before the check, cleared at `unlock_buffers`; `i_private_lock`
    /// covers the check only; atomic lookups bail out when BH_Migrate is set.
    BhMigrate = (11, "2d900efff915", "mm/migrate: fix sleep in atomic for large folios and buffer heads"),
    /// Jan Kara's 2019 RFC (not merged): norefs migration writes out dirty
    /// folios, else frees the buffers with `try_to_release_page()` (one
    /// `invalidate_bh_lrus()` retry) and migrates without buffers.
    JanRfc = (12, "jan_rfc_2019", "mm: migrate: Fix races of __find_get_block() and page migration [RFC, not merged]"),
    /// Luis Chamberlain's "[PATCH v2 1/8] migrate: fix skipping metadata buffer
    /// heads on migration" (not merged): `if (buffer_meta(head)) return -EAGAIN;`
    /// and `spin_unlock(i_private_lock)` moved back to right after the check.
    LuisMetaHead = (13, "luis_v2_1of8", "migrate: fix skipping metadata buffer heads on migration [v2 1/8, not merged]"),
    /// Matthew Wilcox's review of v2 1/8 (not merged): test `buffer_meta(bh)` on
    /// every buffer inside `buffer_migrate_lock_buffers()` instead of the head only.
    WillyMetaPerBh = (14, "willy_per_bh_meta", "per-bh buffer_meta() check in buffer_migrate_lock_buffers() [review, not merged]"),
    /// fs/xfs/xfs_aops.c `xfs_imap_valid()`, d9252d526ba6 (Brian Foster, v5.1):
    /// the cached writeback mapping is reused only while the data fork's
    /// `if_seq` still equals the `data_seq` recorded with it. Off: only the
    /// offset range is checked.
    WbSeqCheck = (15, "d9252d526ba6", "xfs: validate writeback mapping using data fork seq counter"),
    /// fs/xfs/libxfs/xfs_bmap.c `xfs_bmapi_convert_delalloc()`, a5949d3faedf
    /// (Darrick J. Wong, v5.8): writeback converts delalloc to *unwritten*
    /// extents (`XFS_BMAPI_PREALLOC`), converted to written at I/O completion.
    /// Off: delalloc becomes a written extent at once.
    DelallocUnwritten = (16, "a5949d3faedf", "xfs: force writes to delalloc regions to unwritten"),
    /// fs/iomap/buffered-io.c `iomap_write_begin()`, d7b64041164c (Dave
    /// Chinner, v6.2): once the folio is locked, `->iomap_valid()` checks the
    /// cached iomap's `validity_cookie`; a stale iomap sets `IOMAP_F_STALE`,
    /// the folio is released untouched and `iomap_iter()` maps the rest of
    /// the write again.
    IomapValid = (17, "d7b64041164c", "iomap: write iomap validity checks"),
    /// fs/xfs/xfs_iomap.c, 304a68b9c63b (Dave Chinner, v6.2): XFS's iomaps
    /// carry `xfs_iomap_inode_sequence()` (the data fork's `if_seq`) as their
    /// cookie, and `xfs_iomap_valid()` compares it with the current one.
    XfsIomapValid = (18, "304a68b9c63b", "xfs: use iomap_valid method to detect stale cached iomaps"),
    /// fs/iomap/buffered-io.c + fs/gfs2/bmap.c, 80baab88bb93 (Andreas
    /// Gruenbacher, v6.3): the `->page_done()` (later `->put_folio()`) handler
    /// unlocks and puts the folio itself; gfs2 adds the buffers to the
    /// transaction while the folio is locked, then unlocks, then dirties the
    /// inode and ends the transaction. Off (v6.1/v6.2): iomap unlocks the folio
    /// first and calls `->page_done()` after.
    Gfs2PutFolio = (19, "80baab88bb93", "iomap/gfs2: Unlock and put folio in page_done handler"),
    /// Andreas Gruenbacher's v1 "iomap: Move page_done callback under the
    /// folio lock" (13 Dec 2022, not merged): the whole `->page_done()` —
    /// adding the buffers, `__mark_inode_dirty()`, `gfs2_trans_end()` — runs
    /// before `folio_unlock()`.
    Gfs2PageDoneLocked = (20, "gfs2_v1_2022", "iomap: Move page_done callback under the folio lock [v1, not merged]"),
    /// fs/ext4/inode.c `ext4_da_map_blocks()`, acf795dc161f (Zhang Yi, v6.8):
    /// the delalloc entry is inserted under `down_write(i_data_sem)`. Off: under
    /// the `down_read()` taken for the lookup, so a reader's
    /// `ext4_ext_put_gap_in_cache()` can overwrite it with a hole.
    Ext4DaExclusive = (21, "acf795dc161f", "ext4: convert to exclusive lock while inserting delalloc extents"),
    /// fs/ext4/inode.c `ext4_da_map_blocks()`, 0ea6560abb3b (Zhang Yi, v6.11):
    /// after `down_write(i_data_sem)` the extent status (or the extent tree)
    /// is looked up again; only a hole still there gets a delalloc entry.
    Ext4DaRecheck = (22, "0ea6560abb3b", "ext4: check the extent status again before inserting delalloc block"),
    /// fs/iomap/buffered-io.c, 4ce02c679722 (Ritesh Harjani, v6.6): per-block
    /// dirty bits in `iomap_folio_state`. Writeback (`iomap_writepage_map()`)
    /// maps only the dirty blocks of a folio, and a short write's delalloc
    /// release (`iomap_write_delalloc_ifs_punch()`) punches the clean blocks
    /// of a dirty folio "to avoid leaking any delalloc blocks". Off: every
    /// uptodate block of a dirty folio is written back, and a dirty folio
    /// keeps all of its delalloc blocks.
    IomapBlockDirty = (23, "4ce02c679722", "iomap: Add per-block dirty state tracking to improve performance"),
    /// fs/xfs/xfs_iomap.c `xfs_buffered_write_iomap_end()`, 198dd8aedee6
    /// (Dave Chinner, v6.2, the series of d7b64041164c): a short write's
    /// delalloc punch runs under `filemap_invalidate_lock()` "to avoid races
    /// with page faults re-instantiating folios and dirtying them via
    /// ->page_mkwrite". Off: only `i_rwsem` is held ("we don't need to care
    /// about racing delalloc as we hold i_mutex"), so a write fault that
    /// found the write's delalloc blocks can dirty a folio whose blocks are
    /// then punched.
    XfsPunchLocked = (24, "198dd8aedee6", "xfs: punching delalloc extents on write failure is racy"),
    /// mm/vmscan.c `shrink_page_list()`, 9a1ea439b16b (Hugh Dickins, v5.0,
    /// "mm: put_and_wait_on_page_locked() while page is migrated"): after a
    /// successful `__remove_mapping()` the page is unlocked with
    /// `unlock_page()` (mainline `folio_unlock()`: atomic, and it wakes any
    /// waiter), where it was `__ClearPageLocked()`, a non-atomic store that
    /// assumed nobody could be waiting on a frozen page.
    ReclaimUnlock = (33, "9a1ea439b16b", "mm: put_and_wait_on_page_locked() while page is migrated"),
    /// fs/inode.c `clear_inode()` (then `end_writeback()`), 08142579b6ca
    /// (Jan Kara, v3.0): `BUG_ON(inode->i_data.nrpages)` is tested under
    /// `xa_lock_irq(&inode->i_data.i_pages)` (then `tree_lock`): reclaim's
    /// `__remove_mapping()` clears the xarray slot before it decrements
    /// `nrpages`, and the evicting task's lockless truncation may have seen
    /// the slot empty in between. Off: the test is lockless.
    ClearInodeXaLock = (34, "08142579b6ca", "mm: fix assertion mapping->nrpages == 0 in end_writeback()"),
    /// mm/filemap.c and mm/readahead.c, 730633f0b7f9 (Jan Kara, v5.15,
    /// "mm: Protect operations adding pages to page cache with
    /// invalidate_lock"): `filemap_create_folio()` (then
    /// `filemap_create_page()`) takes `mapping->invalidate_lock` shared from
    /// before `filemap_add_folio()` until `filemap_read_folio()` returned,
    /// `filemap_update_page()` from before the folio lock until its read
    /// returned, `filemap_fault()` when it must create or read the folio,
    /// `page_cache_ra_unbounded()` around readahead. Off: nothing keeps a
    /// read from instantiating a folio between a hole punch's
    /// `truncate_pagecache_range()` and the freeing of the blocks, so the
    /// folio is read from blocks about to be freed and reused.
    InvalidateLockRead = (35, "730633f0b7f9", "mm: Protect operations adding pages to page cache with invalidate_lock"),
    /// fs/ext4/file.c, fs/ext4/inode.c, fs/ext4/extents.c, ea3d7209ca01 (Jan
    /// Kara, v4.5, "ext4: fix races between page faults and hole
    /// punching"): `ext4_filemap_fault()` and `ext4_page_mkwrite()` take
    /// `i_mmap_sem` shared, `ext4_punch_hole()`, `ext4_setattr()`'s
    /// truncation and zero range take it exclusive (d4f5258eae7b made it
    /// `mapping->invalidate_lock`). Off (v4.4): nothing keeps a page fault
    /// from instantiating a folio between the punch's
    /// `truncate_pagecache_range()` and the freeing of its blocks.
    Ext4MmapSem = (43, "ea3d7209ca01", "ext4: fix races between page faults and hole punching"),
    /// mm/rmap.c `try_to_unmap_one()`, 6c8e2a256915 (Mauricio Faria de
    /// Oliveira, v5.18): a lazily freed (`MADV_FREE`) anonymous folio is
    /// discarded only if its refcount is the isolation's plus its
    /// mappings' (`ref_count == 1 + map_count`, read after the PTE is
    /// cleared, paired with GUP-fast's "take a reference, then recheck the
    /// PTE"). Off (v5.17 and earlier): only `!PageDirty()` is tested, so a
    /// folio a direct-I/O read has taken with `get_user_pages_fast()` but
    /// not yet dirtied is discarded; the user's next access faults a zero
    /// page while the DMA goes to the discarded one.
    LazyfreeRefcount = (45, "6c8e2a256915", "mm: fix race between MADV_FREE reclaim and blkdev direct IO read"),
    /// block/bio.c `bio_iov_iter_get_pages()`, a7e689dd1c06 (David Howells,
    /// v6.4 cycle, "block: Convert bio_iov_iter_get_pages to use
    /// iov_iter_extract_pages"): a direct-I/O bio pins user pages
    /// (`FOLL_PIN`: `GUP_PIN_COUNTING_BIAS` added to the refcount, dropped
    /// by `unpin_user_page()`). Off: `get_user_pages_fast()` takes one
    /// plain reference per page. Either is an extra reference to every
    /// refcount test; only `folio_maybe_dma_pinned()` tells them apart.
    BioPinPages = (46, "a7e689dd1c06", "block: Convert bio_iov_iter_get_pages to use iov_iter_extract_pages"),
    /// fs/iomap/direct-io.c `iomap_dio_complete()`, 5e25c269e17d (Eryu
    /// Guan, v4.14, "fs: invalidate page cache after end_io() in dio
    /// completion"): `->end_io` (unwritten conversion) runs before the
    /// page-cache invalidation after a direct write. Off (332391a9935d's
    /// order, v4.14-rc): invalidation first, so a buffered read between it
    /// and the conversion caches the zeroes of the still-unwritten extent
    /// over data the write put on disk (fstests generic/418).
    DioEndIoFirst = (47, "5e25c269e17d", "fs: invalidate page cache after end_io() in dio completion"),
    /// fs/iomap/direct-io.c `iomap_dio_rw()` and fs/xfs/xfs_file.c,
    /// 60263d5889e6 and 80e543ae24db (Christoph Hellwig, v5.9, "iomap: fall
    /// back to buffered writes for invalidation failures"): when the
    /// invalidation before a direct write fails (a folio dirtied again
    /// since the flush), the write returns `-ENOTBLK` and XFS writes
    /// through the page cache instead. Off: a warning, and the direct write
    /// goes on under the dirty folio, whose writeback later puts the
    /// folio's data back over it. No oracle tells the two apart: the folio
    /// was dirtied by a store concurrent with the write, whose data may
    /// win either way; the toggle keeps each release's path.
    DioInvalidateFallback = (48, "60263d5889e6", "iomap: fall back to buffered writes for invalidation failures"),
    /// mm/gup.c `faultin_page()` and `follow_page_pte()`, 19be0eaffa3a
    /// (Linus Torvalds, v4.9, "mm: remove gup_flags FOLL_WRITE games from
    /// __get_user_pages()", CVE-2016-5195 "Dirty COW"): after a write fault
    /// that broke copy-on-write (`VM_FAULT_WRITE`) in a mapping without
    /// `VM_WRITE`, GUP sets `FOLL_COW` and follows the read-only PTE for
    /// writing only if it is dirty (`can_follow_write_pte()`), so a PTE
    /// zapped and faulted in again (the page-cache folio, clean) faults
    /// again. Off (v2.6.13 4ceb5db9757a's "games"): `FOLL_WRITE` is dropped
    /// and the next lookup takes whatever the PTE maps, the page-cache
    /// folio once `madvise(MADV_DONTNEED)` zapped the private copy: a
    /// `FOLL_FORCE` write lands in the file.
    FollCow = (49, "19be0eaffa3a", "mm: remove gup_flags FOLL_WRITE games from __get_user_pages()"),
    /// mm/gup.c `can_follow_write_pte()`, 5535be309971 (David Hildenbrand,
    /// v6.2, "mm/gup: fix FOLL_FORCE COW security issue and remove
    /// FOLL_COW"): a `FOLL_FORCE` write follows a read-only PTE of a
    /// private mapping without `VM_WRITE` only to an exclusive anonymous
    /// page (`PageAnonExclusive()`), not to any dirty PTE; `VM_FAULT_WRITE`
    /// is gone (cb8d86331343). Off: 19be0eaffa3a's `FOLL_COW` test.
    GupAnonExclusive = (50, "5535be309971", "mm/gup: fix FOLL_FORCE COW security issue and remove FOLL_COW"),
    /// mm/memory.c `zap_pte_range()`, mm/mmu_gather.c `tlb_flush_rmaps()`,
    /// 5df397dec7c4 (Linus Torvalds, v6.2, "mm: delay page_remove_rmap()
    /// until after the TLB has been flushed"): a dirty PTE of a file folio
    /// keeps its rmap until the TLB flush under the PTE lock. Before it the
    /// rmap went inside the PTE loop, so `folio_mkclean()` found the folio
    /// unmapped (`if (!folio_mapped(folio)) return 0`) and did not wait for
    /// the PTE lock while another CPU could still store through its stale,
    /// writable and dirty TLB entry: the folio is cleaned and written, the
    /// store after it lands in a clean folio and is lost ("a page that has
    /// been dirtied, but then marked clean again, all while another CPU
    /// might have dirtied it some more").
    TlbDelayRmap = (51, "5df397dec7c4", "mm: delay page_remove_rmap() until after the TLB has been flushed"),
    /// mm/gup.c `__get_user_pages()` and `internal_get_user_pages_fast()`,
    /// 17839856fd58 (Linus Torvalds, v5.8, "gup: document and work around
    /// 'COW can break either way' issue"), removed by a308c71bf1e6 (Peter
    /// Xu, v5.11, "mm/gup: Remove enfornced COW mechanism"): a GUP that
    /// takes a reference (`FOLL_GET` or `FOLL_PIN`) on a copy-on-write
    /// mapping without `FOLL_WRITE` breaks copy-on-write as a write would
    /// (`should_force_cow_break()` adds `FOLL_WRITE`), so the page it takes
    /// is the caller's own and no other process's write can land in it.
    /// Off: a read pin takes the page a `fork()` left shared
    /// (CVE-2020-29374: a child's `vmsplice()` of it reads what the parent
    /// writes later).
    GupCowBreak = (52, "17839856fd58", "gup: document and work around \"COW can break either way\" issue"),
    /// mm/memory.c `do_wp_page()`, 09854ba94c6a (Linus Torvalds, v5.9,
    /// "mm: do_wp_page() simplification"): an anonymous page is reused for
    /// a write only if nothing but its one mapping references it
    /// (`page_count(page) == 1`, under `trylock_page()`), so a page a GUP
    /// reference or pin holds is copied. Off (v5.0): `reuse_swap_page()`
    /// reuses it when its mapcount (with swap count) is 1, whatever other
    /// references it has.
    WpPageCount = (53, "09854ba94c6a", "mm: do_wp_page() simplification"),
    /// mm/memory.c `copy_present_pte()` / `copy_present_page()`,
    /// 70e806e4e645 (Peter Xu, v5.9, "mm: Do early cow for pinned pages
    /// during fork() for ptes"), with 008cfe4418b3's `mm->has_pinned`:
    /// `fork()` copies an anonymous page that may be DMA-pinned
    /// (`page_maybe_dma_pinned()`) into a new page for the child at once,
    /// and leaves the parent's PTE writable, so the pinned page stays the
    /// parent's. Off: it is shared and write-protected like any other, and
    /// the parent's next write copies it away from the pin: what the device
    /// writes after that reaches only the child.
    ForkEarlyCow = (54, "70e806e4e645", "mm: Do early cow for pinned pages during fork() for ptes"),
    /// mm/memory.c `do_wp_page()`, mm/gup.c `gup_must_unshare()`, the v5.19
    /// series "mm: COW fixes part 2: reliable GUP pins of anonymous pages":
    /// 6c287605fd56 keeps PG_anon_exclusive (set on a new anonymous page,
    /// cleared when `fork()` shares it: `page_try_dup_anon_rmap()`, which
    /// instead fails for a pinned exclusive page so `fork()` copies it) and
    /// `do_wp_page()` reuses an exclusive page at once, else only at
    /// `page_count() == 1`, marking it exclusive; a7f226604170 (David
    /// Hildenbrand, "mm/gup: trigger FAULT_FLAG_UNSHARE when R/O-pinning a
    /// possibly shared anonymous page") makes a `FOLL_PIN` without
    /// `FOLL_WRITE` of an anonymous page that is not exclusive fault with
    /// `FAULT_FLAG_UNSHARE` first, so the pinned page is one no later write
    /// of the process copies away. Off: a read-only pin of a page
    /// write-protected by an earlier `fork()` stays on the old page when
    /// the process writes (the write copies: the pin holds a reference).
    GupUnshare = (55, "a7f226604170", "mm/gup: trigger FAULT_FLAG_UNSHARE when R/O-pinning a possibly shared anonymous page"),
    /// fs/xfs/xfs_file.c, xfs_iops.c, xfs_bmap_util.c: Dave Chinner's
    /// XFS_MMAPLOCK series (v4.0): 653c60b633a9 "xfs: introduce
    /// mmap/truncate lock", de0e8c20ba3a and 075a924d45cc (read and write
    /// faults take it shared), e8e9ad42c1f1 (truncate, hole punching and
    /// the other extent manipulations take it exclusive, closing the race).
    /// Off (v3.19): a page fault can instantiate a folio between the
    /// punch's `truncate_pagecache_range()` and the freeing of its blocks.
    XfsMmapLock = (44, "e8e9ad42c1f1", "xfs: take i_mmap_lock on extent manipulation operations"),
    /// fs/iomap/buffered-io.c + fs/xfs/xfs_iomap.c, f43dc4dc3eff (Dave
    /// Chinner, v6.2, "iomap: buffered write failure should not truncate
    /// the page cache"): a short write's delalloc release walks the page
    /// cache (`iomap_write_delalloc_release()`) and punches only where no
    /// dirty folio needs the blocks. Off (v6.1 and earlier):
    /// `xfs_buffered_write_iomap_end()` truncates the page cache over the
    /// range — discarding data a racing `->page_mkwrite` stored there —
    /// and punches every delalloc block in it.
    IomapWriteFailureNoTruncate = (36, "f43dc4dc3eff", "iomap: buffered write failure should not truncate the page cache"),
    /// The candidate fix of docs/reports/gfs2-short-write-stale-data.md
    /// (pagelife, tried on Debian's 6.1 as a replacement module; not
    /// posted): in fs/gfs2/bmap.c `gfs2_iomap_end()`, when nothing was
    /// written, the new block holding `pos` — which the deallocation from
    /// `round_up(pos + written)` keeps — is zeroed on disk
    /// (`sb_issue_zeroout()`), so it no longer holds a deleted file's data.
    Gfs2ZeroKeptBlock = (37, "gfs2_zero_kept", "gfs2: zero the new block a short write keeps [candidate, not posted]"),
    /// fs/jbd2/checkpoint.c `jbd2_log_do_checkpoint()`, e34c8dd238d0
    /// (Zhihao Cheng, v6.5, "jbd2: Fix wrongly judgement for buffer head
    /// removing while doing checkpoint"; Fixes: 470decc613ab): a buffer on
    /// a checkpoint list is tested with `trylock_buffer()` and its dirty bit
    /// read under that lock, so writeback — which locks the buffer, then
    /// clears BH_Dirty, before its I/O completes — cannot slip between the
    /// two tests. Off (v6.4 and earlier): `buffer_locked(bh)` and then
    /// `buffer_dirty(bh)`, two lockless reads; a writeback in between
    /// leaves the buffer unlocked-then-clean with its write in flight, and
    /// the checkpoint forgets the transaction before the block is in place
    /// ("The bh won't be replayed in next mount").
    CheckpointTrylock = (38, "e34c8dd238d0", "jbd2: Fix wrongly judgement for buffer head removing while doing checkpoint"),
    /// fs/jbd2/checkpoint.c `jbd2_log_do_checkpoint()`, c2d6fd9d6f35 (Zhang
    /// Yi, v6.5, "jbd2: recheck chechpointing non-dirty buffer"): a buffer
    /// queued for writing stays on `t_checkpoint_list` and is examined again
    /// after `__flush_batch()` (a `do_get_write_access()` meanwhile may have
    /// cleared BH_Dirty and filed it in a new transaction, so
    /// `write_dirty_buffer()` wrote nothing). Off (v6.4 and earlier): it
    /// moves to `t_checkpoint_io_list`, and that list's pass removes every
    /// buffer that is no longer locked — "in whatever state the buffer
    /// currently is, we know that it has been written out" — though it was not.
    CheckpointRecheck = (39, "c2d6fd9d6f35", "jbd2: recheck chechpointing non-dirty buffer"),
    /// fs/jbd2/checkpoint.c, 4ba3fcdde7e3 (Zhang Yi, v5.14, "jbd2,ext4: add
    /// a shrinker to release checkpointed buffers"): `jbd2_journal_shrink_scan()`
    /// → `jbd2_journal_shrink_checkpoint_list()` removes written-back
    /// buffers from the checkpoint lists under memory pressure. Off: there is
    /// no shrinker (`jbd2-shrink` does nothing).
    CheckpointShrinker = (40, "4ba3fcdde7e3", "jbd2,ext4: add a shrinker to release checkpointed buffers"),
    /// fs/jbd2/checkpoint.c `journal_shrink_one_cp_list()`, 46f881b5b175
    /// (Zhang Yi, v6.5, "jbd2: fix a race when checking checkpoint buffer
    /// busy"): `jbd2_journal_try_remove_checkpoint()` tests BH_Dirty under
    /// `trylock_buffer()`. Off: `__cp_buffer_busy()` reads `b_transaction`,
    /// BH_Lock and BH_Dirty one after the other, and writeback can lock the
    /// buffer and clear BH_Dirty between the lock test and the dirty test.
    ShrinkTrylock = (41, "46f881b5b175", "jbd2: fix a race when checking checkpoint buffer busy"),
    /// fs/jbd2/checkpoint.c `jbd2_journal_try_remove_checkpoint()`,
    /// 590a809ff743 (Zhihao Cheng, v6.6, "jbd2: Check 'jh->b_transaction'
    /// before remove it from checkpoint"; Fixes: 46f881b5b175): a buffer a
    /// live transaction holds is busy. Off with 46f881b5b175 on (v6.5): a
    /// buffer re-journalled by `do_get_write_access()` (BH_Dirty cleared,
    /// BH_JBDDirty set) looks clean and leaves the older transaction's
    /// checkpoint list before the newer one commits.
    ShrinkTransactionBusy = (42, "590a809ff743", "jbd2: Check 'jh->b_transaction' before remove it from checkpoint"),
    /// mm/madvise.c, 1a4e58cce84e (Minchan Kim, v5.4, "mm: introduce
    /// MADV_PAGEOUT"): `madvise(MADV_PAGEOUT)` reclaims the pages of a range
    /// the caller alone maps ([`crate::mm::madvise`]). Off (v5.3 and
    /// earlier): the advice is unknown (`-EINVAL`); `madvise-pageout` and
    /// `anon-pageout` are skipped.
    MadvPageout = (56, "1a4e58cce84e", "mm: introduce MADV_PAGEOUT"),
    /// mm/madvise.c `madvise_cold_or_pageout_pte_range()` and mm/vmscan.c
    /// `reclaim_pages()`, 2864f3d0f583 (Barry Song, v6.9, "mm: madvise:
    /// pageout: ignore references rather than clearing young"):
    /// `shrink_folio_list()` is called with `ignore_references`, and the
    /// walk leaves the PTE young. Off (v5.4 to v6.8): the walk makes the PTE
    /// old and reclaim runs `folio_referenced()`, so an access between the
    /// walk and reclaim keeps the folio.
    PageoutIgnoreReferences = (57, "2864f3d0f583", "mm: madvise: pageout: ignore references rather than clearing young"),
    /// fs/ext4/file.c `ext4_dio_write_end_io()`, 5899593f51e6 (Jan Kara,
    /// v5.13, "ext4: Fix occasional generic/418 failure"): an extending
    /// direct write grows `i_size` in `->end_io`, which
    /// `iomap_dio_complete()` runs before it invalidates the page cache.
    /// Off (v5.5 to v5.12): `ext4_handle_inode_extension()` grows it after
    /// `iomap_dio_rw()` has returned, so a buffered read between the
    /// invalidation and the size update "will zero out tail of the page as
    /// it still sees smaller inode size" and caches it; every later read
    /// returns the zeroes over the data on disk. The model's sizes are in
    /// pages, so here the read that caches zeroes is one past EOF, which
    /// only reaches `->read_folio` before 8c8387ee3f55
    /// ([`Toggle::ReadEofCheckFirst`]).
    Ext4DioSizeInEndIo = (58, "5899593f51e6", "ext4: Fix occasional generic/418 failure"),
    /// mm/filemap.c `filemap_read()`, 8c8387ee3f55 (David Howells, v5.16,
    /// "mm: stop filemap_read() from grabbing a superfluous page"):
    /// `if (unlikely(iocb->ki_pos >= i_size_read(inode))) break;` before
    /// `filemap_get_pages()`. Off: a read at or past EOF still creates and
    /// reads a folio there (`filemap_create_folio()`; `->read_folio` zeroes
    /// what lies past `i_size`), caches it, and only then finds nothing to
    /// copy.
    ReadEofCheckFirst = (59, "8c8387ee3f55", "mm: stop filemap_read() from grabbing a superfluous page"),
    /// fs/ext4/file.c `ext4_dio_write_iter()`, aa9714d0e397 (Ritesh
    /// Harjani, v5.6, "ext4: Start with shared i_rwsem in case of DIO
    /// instead of exclusive"): a direct write inside `i_size` takes
    /// `i_rwsem` shared and `ext4_dio_write_checks()` restarts it exclusive
    /// unless it is an overwrite. Off (v5.5, 378f32bab371): `inode_lock()`,
    /// then `downgrade_write()` for an overwrite of written blocks (with
    /// dioread_nolock, which the model's ext4 has).
    Ext4DioSharedStart = (60, "aa9714d0e397", "ext4: Start with shared i_rwsem in case of DIO instead of exclusive"),
    /// fs/ext4/file.c `ext4_overwrite_io()`, 240930fb7e6b (Zhang Yi, v6.3,
    /// "ext4: dio take shared inode lock when overwriting preallocated
    /// blocks"): an overwrite of allocated unwritten blocks keeps the shared
    /// `i_rwsem` (with `ext4_iomap_ops`: `->end_io` converts them, "splitting
    /// extents … has been protected under i_data_sem"). Off: only written
    /// blocks are an overwrite; unwritten ones take it exclusive.
    Ext4DioUnwrittenShared = (61, "240930fb7e6b", "ext4: dio take shared inode lock when overwriting preallocated blocks"),
    /// fs/xfs/xfs_reflink.c `xfs_reflink_end_cow_extent()`, 55f669f34184
    /// (Christoph Hellwig, v6.7, "xfs: only remap the written blocks in
    /// xfs_reflink_end_cow_extent"): the COW extent found at the ioend's
    /// offset is trimmed to the ioend's range before it is remapped. Off
    /// (v5.19 to v6.6: df2fd88f8ac7, "xfs: rewrite xfs_reflink_end_cow to use
    /// intents", dropped the `xfs_trim_extent()` earlier releases had): the
    /// whole written COW extent is remapped into the data fork, blocks of
    /// another ioend still in flight too — whose failure then cancels
    /// nothing, leaving the data fork on a staging block never written.
    XfsEndCowTrim = (62, "55f669f34184", "xfs: only remap the written blocks in xfs_reflink_end_cow_extent"),
    /// fs/xfs/xfs_reflink.c `xfs_reflink_remap_prep()`, 5d888b481e6a
    /// (Darrick J. Wong, v5.3, "xfs: fix reflink source file racing with
    /// directio writes"): the source's IOLOCK and MMAPLOCK are taken
    /// exclusive. Off (v5.0–v5.2): shared (`inode_lock_shared()`,
    /// `XFS_MMAPLOCK_SHARED`) — "page_mkwrite and directio writes do not
    /// take the EXCL versions of those locks, this means that reflink can
    /// race with writer processes": a write fault or direct write decides
    /// on a block not yet shared, and its data goes there in place after
    /// the remap shared it.
    ReflinkSrcExcl = (63, "5d888b481e6a", "xfs: fix reflink source file racing with directio writes"),
}

impl Toggle {
    /// Look a toggle up by commit id (any unique prefix of at least 7 hex
    /// digits), proposal id, or Rust-style name (case-insensitive). Ids never
    /// contain `+` or `-`, which separate toggles in a profile expression.
    pub fn lookup(s: &str) -> Option<Toggle> {
        let lower = s.to_ascii_lowercase();
        Toggle::ALL.iter().copied().find(|t| {
            t.id() == lower
                || (lower.len() >= 7 && t.id().starts_with(&lower))
                || format!("{t:?}").to_ascii_lowercase() == lower
        })
    }

    /// Whether a later commit reverted the change (it landed, and mainline
    /// does not have it): 17839856fd58, removed by a308c71bf1e6.
    pub fn reverted(self) -> bool {
        matches!(self, Toggle::GupCowBreak)
    }

    /// Whether the change reached mainline (proposals are toggles too).
    pub fn landed(self) -> bool {
        !matches!(
            self,
            Toggle::JanRfc
                | Toggle::LuisMetaHead
                | Toggle::WillyMetaPerBh
                | Toggle::Gfs2PageDoneLocked
                | Toggle::Gfs2ZeroKeptBlock
        )
    }

    /// This toggle's bit in a [`Toggles`] set; also its stable code in
    /// fuzzer bytes.
    pub const fn bit(self) -> u128 {
        1 << (self as u8)
    }

    /// The toggle's stable code (its bit number).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The toggle with code `b`.
    pub fn from_code(b: u8) -> Option<Toggle> {
        Toggle::ALL.iter().copied().find(|t| t.code() == b)
    }
}

/// A set of toggles: which fixes the modelled kernel has.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Toggles(pub u128);

impl Toggles {
    /// No fix at all.
    pub const NONE: Toggles = Toggles(0);

    /// How many toggles a set can hold (every toggle's bit is below it).
    pub const BITS: u32 = u128::BITS;

    /// Whether `t` is on.
    #[inline]
    pub fn has(self, t: Toggle) -> bool {
        self.0 & t.bit() != 0
    }

    /// This set with `t` on.
    pub const fn with(self, t: Toggle) -> Toggles {
        Toggles(self.0 | t.bit())
    }

    /// This set with `t` off.
    pub const fn without(self, t: Toggle) -> Toggles {
        Toggles(self.0 & !t.bit())
    }

    /// The toggles that are on, in bit order.
    pub fn iter(self) -> impl Iterator<Item = Toggle> {
        Toggle::ALL.iter().copied().filter(move |t| self.has(*t))
    }

    /// Keep only bits that name a toggle (byte decoding).
    pub fn masked(self) -> Toggles {
        let all = Toggle::ALL.iter().fold(0, |m, t| m | t.bit());
        Toggles(self.0 & all)
    }
}

const fn set(list: &[Toggle]) -> Toggles {
    let mut t = Toggles::NONE;
    let mut i = 0;
    while i < list.len() {
        t = t.with(list[i]);
        i += 1;
    }
    t
}

/// A named set of toggles: a kernel release, or a proposal on top of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NamedProfile {
    /// The name used on the command line and in litmus files.
    pub name: &'static str,
    /// One line: what kernel or proposal this is.
    pub about: &'static str,
    /// Its fixes.
    pub toggles: Toggles,
}

use Toggle::*;

// Each release is the one before it plus its fixes; a proposal is the
// release it was posted against, with its change.
// Fixes from before v5.0 that every profile has.
const PRE_V5_0: Toggles = set(&[
    ReclaimUnlock,
    ClearInodeXaLock,
    Ext4MmapSem,
    XfsMmapLock,
    DioEndIoFirst,
    FollCow,
    XfsEndCowTrim,
]);
const V5_0: Toggles = PRE_V5_0.with(Norefs);
const V5_3: Toggles = V5_0
    .with(PrivateLockHeld)
    .with(WbSeqCheck)
    .with(ReflinkSrcExcl);
// v5.6 aa9714d0e397.
const V5_7: Toggles = V5_3.with(MadvPageout).with(Ext4DioSharedStart);
const V5_8: Toggles = V5_7
    .with(WaitRewrite)
    .with(DelallocUnwritten)
    .with(GupCowBreak);
const V5_9: Toggles = V5_8
    .with(LockUnfairness)
    .with(DioInvalidateFallback)
    .with(WpPageCount)
    .with(ForkEarlyCow)
    // a308c71bf1e6 removed 17839856fd58's forced COW break.
    .without(GupCowBreak);
const V5_10: Toggles = V5_9.with(EndWritebackRef);
const V5_11: Toggles = V5_10.with(WaitWritebackLoop);
// v5.13 8cc621d2f45d and 5899593f51e6, v5.15 730633f0b7f9, v5.16
// 8c8387ee3f55, v5.18 6c8e2a256915, v5.19 a7f226604170.
// v5.19 df2fd88f8ac7 dropped the end_cow trim 55f669f34184 restored.
const V6_1: Toggles = V5_11
    .without(XfsEndCowTrim)
    .with(Ext4DioSizeInEndIo)
    .with(ReadEofCheckFirst)
    .with(LazyfreeRefcount)
    .with(GupUnshare)
    .with(BhLruMigration)
    .with(InvalidateLockRead)
    .with(CheckpointShrinker);
const V6_2: Toggles = V6_1
    .with(IomapWriteFailureNoTruncate)
    .with(IomapValid)
    .with(XfsIomapValid)
    .with(XfsPunchLocked)
    .with(GupAnonExclusive)
    .with(TlbDelayRmap);
const V6_3: Toggles = V6_2.with(Gfs2PutFolio).with(Ext4DioUnwrittenShared);
const V6_7: Toggles = V6_3
    .with(XfsEndCowTrim)
    .with(BioPinPages)
    .with(XorHasWaiters)
    .with(IomapBlockDirty)
    .with(CheckpointTrylock)
    .with(CheckpointRecheck)
    .with(ShrinkTrylock)
    .with(ShrinkTransactionBusy);
const V6_8: Toggles = V6_7.with(Ext4DaExclusive);
// v6.9 2864f3d0f583.
const V6_11: Toggles = V6_8.with(Ext4DaRecheck).with(PageoutIgnoreReferences);
const V6_12: Toggles = V6_11.with(CopyBeforeMove);
const V6_15RC1: Toggles = V6_12.with(BdevLargeFolios);
const MAINLINE: Toggles = V6_15RC1.with(SleepingLookup).with(BhMigrate);
const JAN_RFC_2019: Toggles = V5_0.with(WbSeqCheck).with(JanRfc);
const LUIS_V2: Toggles = V6_15RC1.with(LuisMetaHead).without(PrivateLockHeld);
const WILLY_PER_BH: Toggles = V6_15RC1.with(WillyMetaPerBh).without(PrivateLockHeld);
const GFS2_V1: Toggles = V6_2.with(Gfs2PageDoneLocked);
const GFS2_ZERO_KEPT: Toggles = MAINLINE.with(Gfs2ZeroKeptBlock);
// Debian 12's 6.1.192-3: the model's toggles it backports, found by subject
// in its changelog (docs/real-kernel.md).
const DEBIAN12: Toggles = V6_1
    .with(IomapWriteFailureNoTruncate)
    .with(IomapValid)
    .with(XfsIomapValid)
    .with(XfsPunchLocked)
    .with(Ext4DaExclusive)
    .with(Ext4DaRecheck);

/// Every named profile, oldest first. `mainline` has every landed fix the model knows.
pub const PROFILES: &[NamedProfile] = &[
    NamedProfile {
        name: "v5.0",
        about: "89cb0888ca14 norefs buffer migration, private_lock dropped after the check",
        toggles: V5_0,
    },
    NamedProfile {
        name: "v5.3",
        about: "v5.0 + ebdf4de5642f private_lock held to the end of the norefs migration, d9252d526ba6 (v5.1) writeback if_seq check, 5d888b481e6a reflink locks its source exclusive",
        toggles: V5_3,
    },
    NamedProfile {
        name: "v5.7",
        about: "before 2a9127fcf229: the waker re-tests the bit, waiters loop; 1a4e58cce84e (v5.4) MADV_PAGEOUT; aa9714d0e397 (v5.6) ext4 direct writes start shared",
        toggles: V5_7,
    },
    NamedProfile {
        name: "v5.8",
        about: "2a9127fcf229 rewrite of the page wait logic, no fixes; a5949d3faedf delalloc to unwritten; 17839856fd58 read GUP breaks COW",
        toggles: V5_8,
    },
    NamedProfile {
        name: "v5.9",
        about: "v5.8 + 5ef64cc8987a page-lock unfairness, 60263d5889e6 direct-write fallback to buffered, 09854ba94c6a COW reuse at page_count() == 1 (a308c71bf1e6 reverts 17839856fd58), 70e806e4e645 fork copies pinned pages",
        toggles: V5_9,
    },
    NamedProfile {
        name: "v5.10",
        about: "v5.9 + Hugh Dickins' reference in end_page_writeback (073861ed77b6)",
        toggles: V5_10,
    },
    NamedProfile {
        name: "v5.11",
        about: "v5.10 + the while loop in wait_on_page_writeback (c2407cf7d22d)",
        toggles: V5_11,
    },
    NamedProfile {
        name: "v6.1",
        about: "v5.11 + 8cc621d2f45d (v5.13), 5899593f51e6 (v5.13) ext4 direct-write i_size in ->end_io, 8c8387ee3f55 (v5.16) no read past EOF, 4ba3fcdde7e3 (v5.14) jbd2 checkpoint shrinker, 6c8e2a256915 (v5.18) MADV_FREE refcount check, a7f226604170/6c287605fd56 (v5.19) R/O pins unshare, PG_anon_exclusive; df2fd88f8ac7 (v5.19) XFS COW remap untrimmed; iomap writes trust their cached mapping, gfs2 ->page_done() after folio_unlock()",
        toggles: V6_1,
    },
    NamedProfile {
        name: "v6.2",
        about: "v6.1 + d7b64041164c/304a68b9c63b iomap validity cookie, 5535be309971 GUP anon-exclusive, 5df397dec7c4 rmap after the TLB flush",
        toggles: V6_2,
    },
    NamedProfile {
        name: "v6.3",
        about: "v6.2 + 80baab88bb93 gfs2 adds buffers to the transaction under the folio lock, 240930fb7e6b ext4 overwrites of unwritten blocks stay shared",
        toggles: V6_3,
    },
    NamedProfile {
        name: "v6.7",
        about: "v6.3 + folio_xor_flags_has_waiters, a7e689dd1c06 (v6.4) direct I/O pins pages, 4ce02c679722 (v6.6) per-block dirty, e34c8dd238d0/c2d6fd9d6f35/46f881b5b175 (v6.5), 590a809ff743 (v6.6) jbd2 checkpoint and shrinker fixes, 55f669f34184 XFS COW remap trimmed again; ext4 delalloc inserted under a shared i_data_sem",
        toggles: V6_7,
    },
    NamedProfile {
        name: "v6.8",
        about: "v6.7 + acf795dc161f ext4 delalloc inserted under down_write(i_data_sem), no recheck",
        toggles: V6_8,
    },
    NamedProfile {
        name: "v6.11",
        about: "v6.8 + 0ea6560abb3b ext4 rechecks the extent status under the write lock, 2864f3d0f583 (v6.9) MADV_PAGEOUT ignores references",
        toggles: V6_11,
    },
    NamedProfile {
        name: "v6.12",
        about: "v6.11 + 060913999d7a copy before move",
        toggles: V6_12,
    },
    NamedProfile {
        name: "v6.15rc1",
        about: "v6.12 + 3c20917120ce large bdev folios: the norefs copy sleeps under private_lock",
        toggles: V6_15RC1,
    },
    NamedProfile {
        name: "mainline",
        about: "every landed fix the model knows (v7.0): + 7ffe3de53a88/2814a7d3d2ff, 2d900efff915",
        toggles: MAINLINE,
    },
    NamedProfile {
        name: "jan_rfc_2019",
        about: "proposal: v5.2 with Jan Kara's 2019 RFC (writeout / try_to_release_page) instead of ebdf4de5642f",
        toggles: JAN_RFC_2019,
    },
    NamedProfile {
        name: "luis_v2",
        about: "proposal: v6.15-rc1 with Luis Chamberlain's v2 1/8 (buffer_meta(head) check, early spin_unlock)",
        toggles: LUIS_V2,
    },
    NamedProfile {
        name: "willy_per_bh",
        about: "proposal: luis_v2 with Matthew Wilcox's per-bh buffer_meta() check instead of the head-only one",
        toggles: WILLY_PER_BH,
    },
    NamedProfile {
        name: "gfs2_v1",
        about: "proposal: v6.2 with Andreas Gruenbacher's v1 (the whole ->page_done() under the folio lock)",
        toggles: GFS2_V1,
    },
    NamedProfile {
        name: "debian12",
        about: "Debian 12's 6.1.192-3: v6.1 + the backports d7b64041164c/304a68b9c63b, 198dd8aedee6/f43dc4dc3eff, acf795dc161f, 0ea6560abb3b",
        toggles: DEBIAN12,
    },
    NamedProfile {
        name: "gfs2_zero_kept",
        about: "proposal: mainline with the gfs2 report's candidate fix (zero the new block a short write keeps)",
        toggles: GFS2_ZERO_KEPT,
    },
];

/// Errors in a profile expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// The base name is not a known profile.
    #[error("unknown profile `{0}` (known: {known})", known = PROFILES.iter().map(|p| p.name).collect::<Vec<_>>().join(", "))]
    UnknownProfile(String),
    /// A `+X` / `-X` names no toggle.
    #[error("unknown toggle `{0}` (see `pagelife profiles`)")]
    UnknownToggle(String),
}

/// A profile as a case carries it: a named base plus toggles added or removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Profile {
    /// Index into [`PROFILES`].
    pub base: u8,
    /// Toggles turned on beyond the base.
    pub add: Toggles,
    /// Toggles turned off from the base.
    pub remove: Toggles,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::named("mainline").expect("mainline profile exists")
    }
}

impl Profile {
    /// The profile called `name`, with no changes.
    pub fn named(name: &str) -> Option<Profile> {
        PROFILES
            .iter()
            .position(|p| p.name == name)
            .map(|i| Profile {
                base: i as u8,
                add: Toggles::NONE,
                remove: Toggles::NONE,
            })
    }

    /// Parse `NAME[+T][-T]...`.
    pub fn parse(expr: &str) -> Result<Profile, ProfileError> {
        let expr = expr.trim();
        let cut = expr.find(['+', '-'].as_slice()).unwrap_or(expr.len());
        // Profile names contain '.', never '+'/'-', so the first sign starts the toggles.
        let (name, mut rest) = expr.split_at(cut);
        let mut p =
            Profile::named(name).ok_or_else(|| ProfileError::UnknownProfile(name.to_string()))?;
        while !rest.is_empty() {
            let sign = rest.as_bytes()[0];
            let body = &rest[1..];
            let end = body.find(['+', '-'].as_slice()).unwrap_or(body.len());
            let tname = &body[..end];
            let t = Toggle::lookup(tname)
                .ok_or_else(|| ProfileError::UnknownToggle(tname.to_string()))?;
            if sign == b'+' {
                p.add = p.add.with(t);
                p.remove = p.remove.without(t);
            } else {
                p.remove = p.remove.with(t);
                p.add = p.add.without(t);
            }
            rest = &body[end..];
        }
        Ok(p.normalized())
    }

    /// Drop additions the base already has and removals it does not have,
    /// so equal toggle sets over the same base compare equal.
    pub fn normalized(mut self) -> Profile {
        let base = self.base_profile().toggles;
        self.add = Toggles(self.add.0 & !base.0).masked();
        self.remove = Toggles(self.remove.0 & base.0).masked();
        self
    }

    /// The named profile this one starts from.
    pub fn base_profile(&self) -> &'static NamedProfile {
        &PROFILES[(self.base as usize).min(PROFILES.len() - 1)]
    }

    /// The toggles in force.
    pub fn toggles(&self) -> Toggles {
        Toggles((self.base_profile().toggles.0 | self.add.0) & !self.remove.0)
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base_profile().name)?;
        for t in self.add.iter() {
            write!(f, "+{}", t.id())?;
        }
        for t in self.remove.iter() {
            write!(f, "-{}", t.id())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print_round_trip() {
        let p = Profile::parse("v5.8+073861ed77b6").unwrap();
        assert!(p.toggles().has(EndWritebackRef));
        assert!(p.toggles().has(WaitRewrite));
        assert_eq!(p.to_string(), "v5.8+073861ed77b6");
        assert_eq!(Profile::parse(&p.to_string()).unwrap(), p);
        let q = Profile::parse("mainline-c2407cf7d22d").unwrap();
        assert!(!q.toggles().has(WaitWritebackLoop));
        // Equal toggles over different bases are different profiles: compare toggles.
        assert_eq!(
            Profile::parse("v5.11").unwrap().toggles(),
            Profile::parse("v5.10+c2407cf").unwrap().toggles()
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(matches!(
            Profile::parse("v9"),
            Err(ProfileError::UnknownProfile(_))
        ));
        assert!(matches!(
            Profile::parse("v5.8+nope"),
            Err(ProfileError::UnknownToggle(_))
        ));
    }

    #[test]
    fn mainline_has_every_landed_fix_and_no_proposal() {
        let m = Profile::named("mainline").unwrap().toggles();
        for &t in Toggle::ALL {
            assert_eq!(m.has(t), t.landed() && !t.reverted(), "{t:?}");
        }
    }
}
