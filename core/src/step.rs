//! Step labels.
//!
//! A *step* is the code a kernel path runs between two points where another
//! CPU, an interrupt or a preemption can come in. Every step the model can
//! take has a [`StepId`]; its name is the kernel function it models (so a
//! litmus file can say `io0 __folio_end_writeback`), and its doc comment says
//! which file, function and commit it follows.
//!
//! Commit ids cited as "mainline" refer to the torvalds/linux tree read for
//! this model (snapshot `b6273b55d885`, v6.18 era); older behaviour is cited
//! by the commit that changed it, and switched by a toggle in
//! [`crate::profile`].

macro_rules! steps {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($code:literal, $name:literal), )*) => {
        /// Every step the model can take, named after the kernel function it
        /// models. The discriminant is the step's byte code in fuzzer inputs:
        /// explicit, so declaring a step anywhere never renumbers the others
        /// (the compiler rejects a code used twice).
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum StepId {
            $( $(#[doc = $doc])* $variant = $code, )*
        }

        impl StepId {
            /// All steps, in declaration order.
            pub const ALL: &'static [StepId] = &[$(StepId::$variant),*];

            /// The label used in litmus files, traces and tables.
            pub fn name(self) -> &'static str {
                match self { $(StepId::$variant => $name,)* }
            }

            /// The doc comment: what the step models and where it comes from.
            pub fn doc(self) -> &'static str {
                match self { $(StepId::$variant => concat!($($doc, "\n"),*),)* }
            }
        }
    };
}

steps! {
    // ---- block layer: a bio's own context --------------------------------------------
    /// The device's DMA for a write bio: reads the frame's memory *at transfer
    /// time* and writes it to the disk block the bio was submitted for.
    /// Model of what happens between `submit_bio()` (block/blk-core.c) and the
    /// device raising the completion; the frame is whatever the physical page
    /// holds now, which is how a stale-page DMA write happens (seed 003,
    /// Matthew Wilcox, 24 Nov 2020).
    DmaTransfer = (0, "dma_transfer"),
    /// The device's DMA for a read bio: copies the disk block into the frame.
    DmaRead = (1, "dma_read"),
    /// mm/filemap.c `folio_end_writeback()` up to and including
    /// `__folio_end_writeback()` (mm/page-writeback.c): `VM_BUG_ON(!PG_writeback)`,
    /// PG_reclaim rotation, then — with toggle 073861ed77b6 — `folio_get()`, then
    /// the clear of PG_writeback and of the WRITEBACK mark under `xa_lock`. Before
    /// 073861ed77b6 this is `end_page_writeback()` → `test_clear_page_writeback()`
    /// with no reference held.
    FolioEndWritebackClear = (2, "__folio_end_writeback"),
    /// mm/filemap.c `folio_wake_bit(folio, PG_writeback)`; before the folio
    /// conversion `wake_up_page()` → `wake_up_page_bit()`, which first reads
    /// `PageWaiters(page)` on a page it may no longer own.
    EndWritebackWake = (3, "folio_wake_bit"),
    /// The `folio_put()` at the end of `folio_end_writeback()` (073861ed77b6).
    EndWritebackPut = (4, "folio_end_writeback:put"),
    /// Read completion (`mpage_read_end_io` / `end_buffer_async_read`): set
    /// uptodate and `folio_unlock()`.
    ReadEndio = (5, "folio_end_read"),

    // ---- waiting on a folio bit: mm/filemap.c ------------------------------------------
    /// mm/filemap.c `folio_wait_bit_common()` up to `spin_unlock_irq(&q->lock)`:
    /// set PG_waiters, `folio_trylock_flag()`, add to the tail of the hashed
    /// waitqueue (2a9127fcf229 and later). Before 2a9127fcf229 (v5.7
    /// `wait_on_page_bit_common()`): add to the queue if not on it,
    /// `SetPageWaiters`, `set_current_state()`.
    FolioWaitBitCommon = (6, "folio_wait_bit_common"),
    /// v5.7 `wait_on_page_bit_common()`: `bit_is_set = test_bit()` after dropping
    /// the queue lock, then `io_schedule()` if it was set (before 2a9127fcf229).
    IoSchedule = (7, "io_schedule"),
    /// After waking: the loop in `folio_wait_bit_common()` (for a SHARED waiter,
    /// woken means done, no re-test of the bit; an EXCLUSIVE one takes the bit
    /// or goes back to `repeat`), then `finish_wait()`. Before 2a9127fcf229:
    /// `finish_wait()` alone, after the re-test (`folio_wait_bit_common:retest`)
    /// decided to leave.
    FinishWait = (8, "finish_wait"),
    /// include/linux/pagemap.h `folio_lock()`: `might_sleep()`, `folio_trylock()`;
    /// on failure `__folio_lock()` = `folio_wait_bit_common(EXCLUSIVE)`.
    FolioLock = (9, "folio_lock"),
    /// include/linux/pagemap.h `folio_trylock()` (reclaim, `find_lock_entries`).
    FolioTrylock = (10, "folio_trylock"),
    /// mm/filemap.c `folio_unlock()`: clear PG_locked and test PG_waiters in one
    /// atomic op, then `folio_wake_bit(folio, PG_locked)` if there were waiters.
    FolioUnlock = (11, "folio_unlock"),
    /// mm/page-writeback.c `folio_wait_writeback()`: the test of PG_writeback at
    /// the loop head. `while` since c2407cf7d22d; `if` before.
    FolioWaitWriteback = (12, "folio_wait_writeback"),

    // ---- page cache: mm/filemap.c --------------------------------------------------------
    /// mm/filemap.c `filemap_get_entry()`: lockless `xas_load()`,
    /// `folio_try_get()` (fails on a frozen refcount: retry), `xas_reload()`.
    FilemapGetEntry = (13, "filemap_get_entry"),
    /// mm/filemap.c `__filemap_get_folio(FGP_LOCK)`: after `folio_lock()`,
    /// re-check `folio->mapping` (truncated meanwhile: unlock, put, retry).
    FilemapGetFolioRecheck = (14, "__filemap_get_folio"),
    /// mm/filemap.c `filemap_alloc_folio()` → mm/page_alloc.c: take the most
    /// recently freed frame (per-cpu lists are LIFO), bump its incarnation.
    FilemapAllocFolio = (15, "filemap_alloc_folio"),
    /// include/linux/page-flags.h `__folio_set_locked()`: a *non-atomic*
    /// read-modify-write of `folio->flags`: the load half.
    SetLockedLoad = (16, "__folio_set_locked:load"),
    /// `__folio_set_locked()`: the store half (writes back what was loaded,
    /// losing any concurrent atomic change).
    SetLockedStore = (17, "__folio_set_locked:store"),
    /// mm/filemap.c `filemap_add_folio()` → `__filemap_add_folio()`: take the
    /// page-cache reference, insert under `xa_lock`; `-EEXIST` if raced.
    FilemapAddFolio = (18, "filemap_add_folio"),
    /// mm/filemap.c `generic_perform_write()`: `copy_folio_from_iter_atomic()`
    /// into the locked folio.
    CopyFolioFromIter = (19, "copy_folio_from_iter"),
    /// fs/buffer.c / fs/libfs.c `generic_write_end()` → `folio_mark_dirty()`
    /// (PG_dirty and the DIRTY mark) and `i_size_write()` if extending.
    FolioMarkDirty = (20, "folio_mark_dirty"),
    /// include/linux/mm.h `folio_put()`: drop a reference; free at zero.
    FolioPut = (21, "folio_put"),
    /// mm/filemap.c `filemap_read()` → `copy_folio_to_iter()`.
    CopyFolioToIter = (22, "copy_folio_to_iter"),
    /// mm/filemap.c `filemap_read_folio()` on a new locked folio: submit the read.
    FilemapReadFolio = (23, "filemap_read_folio"),
    /// include/linux/fs.h `inode_lock()`: `down_write(&inode->i_rwsem)`.
    InodeLock = (24, "inode_lock"),
    /// include/linux/fs.h `inode_unlock()`; for a write, the syscall returns here.
    InodeUnlock = (25, "inode_unlock"),

    // ---- writeback: mm/page-writeback.c ------------------------------------------------------
    /// mm/page-writeback.c `tag_pages_for_writeback()` (WB_SYNC_ALL): set TOWRITE on
    /// every DIRTY entry.
    TagPagesForWriteback = (26, "tag_pages_for_writeback"),
    /// mm/filemap.c `filemap_get_folios_tag()`: a batch of tagged folios, a
    /// reference on each (`writeback_iter()` / `write_cache_pages()`).
    FilemapGetFoliosTag = (27, "filemap_get_folios_tag"),
    /// mm/page-writeback.c `folio_prepare_writeback()` (v6.8+; the same tests
    /// are inline in `write_cache_pages()` before): `folio->mapping` still ours,
    /// PG_dirty set, and if PG_writeback: skip (WB_SYNC_NONE) or
    /// `folio_wait_writeback()` (WB_SYNC_ALL).
    FolioPrepareWriteback = (28, "folio_prepare_writeback"),
    /// mm/page-writeback.c: `BUG_ON(folio_test_writeback(folio))` after the wait,
    /// then `folio_clear_dirty_for_io()`.
    FolioClearDirtyForIo = (29, "folio_clear_dirty_for_io"),
    /// mm/page-writeback.c `__folio_start_writeback()`: set PG_writeback and the
    /// WRITEBACK mark, clear TOWRITE, under `xa_lock` (caller holds the lock).
    FolioStartWriteback = (30, "__folio_start_writeback"),
    /// block/blk-core.c `submit_bio()`: the bio is handed to the device.
    SubmitBio = (31, "submit_bio"),
    /// include/linux/pagevec.h `folio_batch_release()`: put every reference of the batch.
    FolioBatchRelease = (32, "folio_batch_release"),
    /// mm/filemap.c `filemap_check_errors()`: the end of `file_write_and_wait_range()`;
    /// fsync returns here.
    FilemapCheckErrors = (33, "filemap_check_errors"),

    // ---- truncate: mm/truncate.c -------------------------------------------------------------
    /// mm/truncate.c `truncate_setsize()` → `i_size_write()`.
    TruncateSetsize = (34, "truncate_setsize"),
    /// mm/filemap.c `find_lock_entries()`, one entry: `folio_try_get()`,
    /// `folio_trylock()`, skip if truncated or under writeback.
    FindLockEntries = (35, "find_lock_entries"),
    /// mm/truncate.c `truncate_inode_pages_range()` pass 1: `truncate_cleanup_folio()`
    /// on the batch and `delete_from_page_cache_batch()` under `xa_lock`.
    DeleteFromPageCacheBatch = (36, "delete_from_page_cache_batch"),
    /// mm/filemap.c `find_get_entries()`: the batch of pass 2, a reference each.
    FindGetEntries = (37, "find_get_entries"),
    /// mm/truncate.c `truncate_inode_folio()`: `truncate_cleanup_folio()` and
    /// `filemap_remove_folio()` (drops the page-cache reference).
    TruncateInodeFolio = (38, "truncate_inode_folio"),

    // ---- reclaim: mm/vmscan.c ----------------------------------------------------------------
    /// mm/vmscan.c `folio_isolate_lru()`: take a folio off the LRU, with a reference.
    FolioIsolateLru = (39, "folio_isolate_lru"),
    /// mm/vmscan.c `shrink_folio_list()`: the PG_writeback / PG_dirty / mapped tests
    /// on a locked folio (writeback: set PG_reclaim and keep it).
    ShrinkFolioList = (40, "shrink_folio_list"),
    /// mm/vmscan.c `__remove_mapping()`: `folio_ref_freeze(folio, 1 + nr)` and the
    /// removal from the page cache under `xa_lock`.
    RemoveMapping = (41, "__remove_mapping"),
    /// mm/filemap.c `page_cache_delete()` from `__remove_mapping()`, xa_lock
    /// held: `xas_store(&xas, NULL)`, `xas_init_marks()` — lockless lookups
    /// no longer find the folio.
    PageCacheDelete = (115, "page_cache_delete"),
    /// The rest of `page_cache_delete()` — `folio->mapping = NULL;
    /// mapping->nrpages -= nr;` — and `xa_unlock_irq()` in
    /// `__remove_mapping()`. Apart from the store because a lockless reader
    /// (a truncation's `find_get_entries()`, then `clear_inode()`'s
    /// `nrpages` test) can see the slots empty and the count not yet
    /// updated (08142579b6ca).
    PageCacheDeleteAccount = (116, "page_cache_delete:nrpages"),
    /// Before 9a1ea439b16b (v5.0): `__folio_clear_locked()` in
    /// `shrink_folio_list()` (non-atomic) on the frozen folio: the load.
    ClearLockedLoad = (42, "__folio_clear_locked:load"),
    /// Before 9a1ea439b16b: `__folio_clear_locked()`: the store.
    ClearLockedStore = (43, "__folio_clear_locked:store"),
    /// mm/page_alloc.c `free_unref_folios()`: the frozen folio goes back to the allocator.
    FreeUnrefFolios = (44, "free_unref_folios"),
    /// mm/vmscan.c `folio_putback_lru()`: unlock and drop the isolation reference.
    FolioPutbackLru = (45, "folio_putback_lru"),

    // ---- buffer heads: fs/buffer.c ----------------------------------------------------------------
    /// fs/buffer.c `lookup_bh_lru()`: this CPU's bh LRU, irqs off; a hit takes
    /// `get_bh()` with no lock at all.
    LookupBhLru = (46, "lookup_bh_lru"),
    /// fs/buffer.c `__find_get_block_slow()`: `__filemap_get_folio()` of the
    /// block device folio (a folio reference for the lookup's duration).
    FindGetBlockSlow = (47, "__find_get_block_slow"),
    /// `__find_get_block_slow()`: `spin_lock(&bd_mapping->i_private_lock)` for
    /// atomic lookups; `folio_lock()` for sleeping ones (7ffe3de53a88).
    FindGetBlockLock = (48, "__find_get_block_slow:lock"),
    /// `__find_get_block_slow()`: `folio_buffers()`, the BH_Migrate bail-out
    /// (2d900efff915), the walk of `b_this_page` (under the lock taken in
    /// the step before; `get_bh()` is the next step).
    FindGetBlockWalk = (49, "__find_get_block_slow:walk"),
    /// fs/buffer.c `bh_lru_install()`: take an LRU reference (refused while
    /// `lru_cache_disabled()`, 8cc621d2f45d), evict and `brelse()` the last slot.
    BhLruInstall = (50, "bh_lru_install"),
    /// fs/buffer.c `__getblk_slow()` → `grow_dev_folio()`: the block device folio,
    /// locked (`__filemap_get_folio(FGP_LOCK | FGP_CREAT)`).
    GetblkSlow = (51, "__getblk_slow"),
    /// fs/buffer.c `folio_create_empty_buffers()` + `link_dev_buffers()`: a ring
    /// of buffer heads attached under `i_private_lock`, mapped to their blocks.
    CreateEmptyBuffers = (52, "create_empty_buffers"),
    /// A metadata user's update of `bh->b_data` (the folio memory the pointer
    /// it read at lookup designates), under its own lock only.
    BhDataWrite = (53, "b_data:write"),
    /// fs/buffer.c `mark_buffer_dirty()`: BH_Dirty, then `folio_mark_dirty(bh->b_folio)`.
    MarkBufferDirty = (54, "mark_buffer_dirty"),
    /// fs/buffer.c `__brelse()`: drop `b_count`.
    Brelse = (55, "brelse"),
    /// fs/buffer.c `try_to_free_buffers()`: under `i_private_lock`, free the ring
    /// unless a buffer is busy (`b_count`, dirty or locked).
    TryToFreeBuffers = (56, "try_to_free_buffers"),
    /// fs/buffer.c `invalidate_bh_lrus()`: every CPU drops its LRU references (IPI).
    InvalidateBhLrus = (57, "invalidate_bh_lrus"),

    // ---- migration: mm/migrate.c -------------------------------------------------------------------
    /// mm/migrate.c `migrate_folio_unmap()` → `alloc_migration_target()`: the destination folio.
    AllocMigrationTarget = (58, "alloc_migration_target"),
    /// mm/migrate.c `__buffer_migrate_folio()`: no buffers → `migrate_folio()`;
    /// `folio_ref_count(src) != expected` → -EAGAIN; Luis Chamberlain's v2 1/8:
    /// `buffer_meta(head)` → -EAGAIN.
    BufferMigrateFolio = (59, "__buffer_migrate_folio"),
    /// mm/migrate.c `buffer_migrate_lock_buffers()`, one buffer: `trylock_buffer()`
    /// or `lock_buffer()` (MIGRATE_SYNC); Matthew Wilcox's per-bh variant:
    /// `buffer_meta(bh)` → unlock and fail.
    LockBuffer = (60, "buffer_migrate_lock_buffers"),
    /// 2d900efff915: `test_and_set_bit_lock(BH_Migrate, &head->b_state)`.
    SetBhMigrate = (61, "BH_Migrate:set"),
    /// The norefs check: `spin_lock(&mapping->i_private_lock)`, every `b_count`
    /// zero? `spin_unlock()` right after (89cb0888ca14, 2d900efff915), or only at
    /// the end (ebdf4de5642f).
    NorefsCheck = (62, "__buffer_migrate_folio:check"),
    /// mm/util.c `folio_mc_copy()` (before the mapping move since 060913999d7a):
    /// copies page by page with `cond_resched()` — a sleep for a large folio.
    FolioMcCopy = (63, "folio_mc_copy"),
    /// mm/migrate.c `__folio_migrate_mapping()`: `folio_ref_freeze(src, expected)`,
    /// replace the xarray entry, move `private`, unfreeze.
    FolioMigrateMapping = (64, "__folio_migrate_mapping"),
    /// fs/buffer.c `folio_set_bh()` for every buffer: `b_folio` / `b_data` now in dst.
    FolioSetBh = (65, "folio_set_bh"),
    /// The copy after the move (v5.x `migrate_page_copy()`, before 060913999d7a).
    MigratePageCopy = (66, "migrate_page_copy"),
    /// `__buffer_migrate_folio()` `unlock_buffers:`: clear BH_Migrate (2d900efff915),
    /// `spin_unlock()` (ebdf4de5642f), `unlock_buffer()` each buffer.
    UnlockBuffers = (67, "unlock_buffer"),
    /// mm/migrate.c `migrate_folio_move()` done: unlock both folios, the source's
    /// last reference goes (it is freed), the destination goes on the LRU.
    MigrateFolioDone = (68, "migrate_folio_done"),
    /// mm/migrate.c `migrate_folio_undo_src()` / `_dst()`: the attempt failed
    /// (-EAGAIN): put the source back, free the destination.
    MigrateFolioUndo = (69, "migrate_folio_undo_src"),

    // ---- iomap buffered writes and reads (fs/iomap/buffered-io.c) -------------------
    /// fs/xfs/xfs_iomap.c `xfs_buffered_write_iomap_begin()`: under ILOCK_EXCL,
    /// look the data fork up; a hole gets a delalloc reservation
    /// (`xfs_bmapi_reserve_delalloc()`, `if_seq` bumped) and `IOMAP_F_NEW`; the
    /// cookie `xfs_iomap_inode_sequence()` is sampled, ILOCK dropped. The
    /// mapping the write then uses for every folio it covers.
    XfsBufferedWriteIomapBegin = (70, "xfs_buffered_write_iomap_begin"),
    /// fs/xfs/xfs_iomap.c `xfs_iomap_valid()` called from `iomap_write_begin()`
    /// once the folio is locked (d7b64041164c, 304a68b9c63b): a cookie that
    /// differs from `if_seq` sets `IOMAP_F_STALE`. Before v6.2 nothing is checked.
    XfsIomapValid = (71, "xfs_iomap_valid"),
    /// fs/iomap/buffered-io.c `__iomap_write_begin()`: for each block the write
    /// covers only in part and that is not uptodate, `iomap_block_needs_zeroing()`
    /// decides: zero it (hole, delalloc, unwritten, new, beyond EOF) or read it
    /// from disk.
    IomapWriteBegin = (72, "__iomap_write_begin"),
    /// fs/iomap/buffered-io.c `__iomap_write_end()`: the written range uptodate
    /// and dirty (`iomap_set_range_dirty()`, `filemap_dirty_folio()`), `i_size_write()`.
    IomapWriteEnd = (73, "__iomap_write_end"),
    /// fs/iomap/buffered-io.c `iomap_write_delalloc_release()` from
    /// `xfs_buffered_write_iomap_end()`: after a short write, the delalloc
    /// blocks the mapping reserved past the written range are punched, except
    /// where dirty page cache still needs them (f43dc4dc3eff, v6.2; under
    /// `invalidate_lock` with 198dd8aedee6).
    IomapWriteDelallocRelease = (74, "iomap_write_delalloc_release"),
    /// fs/buffer.c `__block_write_begin_int()` (gfs2's `IOMAP_F_BUFFER_HEAD`
    /// path, ext4's `ext4_da_write_begin()`): buffers created if the folio has
    /// none, then the same zero-or-read decision per partially written buffer.
    BlockWriteBegin = (75, "__block_write_begin_int"),
    /// fs/buffer.c `block_write_end()` → `__block_commit_write()`:
    /// `mark_buffer_dirty()` on the written buffers (PG_dirty is set directly,
    /// not through `->dirty_folio`), `i_size` if extended.
    BlockWriteEnd = (76, "block_write_end"),
    /// fs/iomap/buffered-io.c `iomap_read_folio()`: the folio's blocks mapped;
    /// holes, delalloc and unwritten blocks zeroed, written ones read by a bio
    /// (or synchronously, for a cached folio that is only partly uptodate).
    IomapReadFolio = (77, "iomap_read_folio"),
    /// mm/filemap.c `filemap_fault()` (the read fault before a write fault):
    /// the page is found or read in, uptodate, with a reference.
    FilemapFault = (78, "filemap_fault"),
    /// fs/buffer.c `block_page_mkwrite()` (and `iomap_page_mkwrite()`): with the
    /// folio locked, check it was not truncated since the fault.
    BlockPageMkwrite = (79, "block_page_mkwrite"),
    /// mm/memory.c: the user's store through the writable PTE and
    /// `fault_dirty_shared_page()` (the folio dirty).
    FaultDirtySharedPage = (80, "fault_dirty_shared_page"),
    /// mm/filemap.c `filemap_invalidate_lock_shared()` (ext4's page fault; XFS's
    /// `XFS_MMAPLOCK_SHARED`).
    FilemapInvalidateLockShared = (81, "filemap_invalidate_lock_shared"),
    /// `filemap_invalidate_unlock_shared()`.
    FilemapInvalidateUnlockShared = (82, "filemap_invalidate_unlock_shared"),
    /// `filemap_invalidate_lock()`: hole punching excludes page faults.
    FilemapInvalidateLock = (83, "filemap_invalidate_lock"),
    /// `filemap_invalidate_unlock()`.
    FilemapInvalidateUnlock = (84, "filemap_invalidate_unlock"),

    // ---- XFS writeback and space management ------------------------------------------
    /// fs/xfs/xfs_aops.c `xfs_map_blocks()` for a dirty block of a folio
    /// under writeback: the lockless `xfs_imap_valid()` of the cached
    /// mapping (range, and with d9252d526ba6 `data_seq` == `if_seq`); a
    /// valid one is used at once, else the lookup follows
    /// (`xfs_map_blocks:lookup`).
    XfsMapBlocks = (85, "xfs_map_blocks"),
    /// fs/xfs/xfs_aops.c `xfs_end_ioend_write()` → fs/xfs/xfs_iomap.c
    /// `xfs_iomap_write_unwritten()` (ext4: `ext4_convert_unwritten_io_end_vec()`):
    /// after the DMA, in the ioend workqueue, before `folio_end_writeback()`,
    /// unwritten extents the bio wrote become written (`if_seq` bumped).
    XfsEndIoendConvert = (86, "xfs_iomap_write_unwritten"),
    /// fs/xfs/xfs_bmap_util.c `xfs_alloc_file_space()`: preallocation, holes and
    /// delalloc become unwritten extents.
    XfsAllocFileSpace = (87, "xfs_alloc_file_space"),
    /// fs/xfs/libxfs/xfs_bmap.c `xfs_bunmapi()` from `xfs_free_file_space()`:
    /// the punched range's extents are freed.
    XfsBunmapi = (88, "xfs_bunmapi"),
    /// fs/open.c `vfs_fallocate()`: the filesystem has no `->fallocate`.
    VfsFallocate = (89, "vfs_fallocate"),

    // ---- ext4 delalloc ---------------------------------------------------------------
    /// fs/ext4/extents_status.c `ext4_es_lookup_extent()`: the extent-status
    /// cache, without `i_data_sem`.
    Ext4EsLookupExtent = (90, "ext4_es_lookup_extent"),
    /// kernel/locking/rwsem.c `down_read(&EXT4_I(inode)->i_data_sem)`.
    DownRead = (91, "down_read"),
    /// `up_read(&EXT4_I(inode)->i_data_sem)`.
    UpRead = (92, "up_read"),
    /// `down_write(&EXT4_I(inode)->i_data_sem)`.
    DownWrite = (93, "down_write"),
    /// `up_write(&EXT4_I(inode)->i_data_sem)`.
    UpWrite = (94, "up_write"),
    /// fs/ext4/inode.c `ext4_map_query_blocks()` (before 8e4e5cdf2fde the same
    /// `ext4_ext_map_blocks(NULL, inode, map, 0)` inline): the extent tree under
    /// `i_data_sem`; a mapped block is cached in the extent-status tree.
    Ext4MapQueryBlocks = (95, "ext4_map_query_blocks"),
    /// fs/ext4/extents.c `ext4_ext_put_gap_in_cache()` (v6.8+:
    /// `ext4_ext_determine_insert_hole()`): `ext4_es_find_extent_range()` looks for
    /// a delayed entry in the hole and shortens the gap before it.
    Ext4EsFindExtentRange = (96, "ext4_es_find_extent_range"),
    /// fs/ext4/extents_status.c `ext4_es_insert_extent(..., EXTENT_STATUS_HOLE)`:
    /// the gap is cached as a hole, replacing whatever entries are there now.
    Ext4EsInsertExtent = (97, "ext4_es_insert_extent"),
    /// fs/ext4/inode.c `ext4_insert_delayed_block()` (since v6.11
    /// `ext4_insert_delayed_blocks()`, 1850d76c1b78, calling
    /// `ext4_es_insert_delayed_extent()`, 12eba993b94c): `ext4_da_reserve_space()`
    /// (`i_reserved_data_blocks++`), `ext4_es_insert_delayed_block()`.
    Ext4InsertDelayedBlock = (98, "ext4_insert_delayed_block"),
    /// fs/ext4/extents.c `ext4_ext_map_blocks()` with
    /// `EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT` (fallocate): a hole is allocated as an
    /// unwritten extent and cached; a delayed block's reservation is claimed.
    Ext4ExtMapBlocks = (99, "ext4_ext_map_blocks"),
    /// fs/ext4/inode.c `mpage_map_one_extent()` → `ext4_map_blocks()` under
    /// `down_write(i_data_sem)`: writeback allocates the BH_Delay blocks
    /// (unwritten, dioread_nolock) and claims their reservations.
    Ext4MpageMapOneExtent = (100, "mpage_map_one_extent"),
    /// fs/ext4/readpage.c `ext4_mpage_readpages()`: the read bio for the blocks
    /// `ext4_map_blocks()` found written.
    Ext4MpageReadpages = (101, "ext4_mpage_readpages"),
    /// fs/ext4/extents.c `ext4_ext_remove_space()` + `ext4_es_remove_extent()`:
    /// a punched range's blocks and extent-status entries go.
    Ext4ExtRemoveSpace = (102, "ext4_ext_remove_space"),

    // ---- gfs2 journaled data ---------------------------------------------------------
    /// fs/gfs2/bmap.c `gfs2_iomap_begin()` → `gfs2_iomap_begin_write()` →
    /// `__gfs2_iomap_alloc()`: holes are
    /// allocated at write time (`IOMAP_F_NEW`).
    Gfs2IomapBegin = (103, "gfs2_iomap_begin"),
    /// fs/gfs2/glock.c `gfs2_glock_nq()` on the inode glock: shared for a read
    /// (`gfs2_file_read_iter()`), exclusive for a write, truncate, fallocate or
    /// write fault. Within one node it orders them like a reader-writer lock.
    Gfs2GlockNq = (104, "gfs2_glock_nq"),
    /// `gfs2_glock_dq()`.
    Gfs2GlockDq = (105, "gfs2_glock_dq"),
    /// fs/gfs2/bmap.c `gfs2_iomap_page_prepare()` (v6.3+: `gfs2_iomap_get_folio()`):
    /// `gfs2_trans_begin()`.
    Gfs2TransBegin = (106, "gfs2_trans_begin"),
    /// fs/gfs2/aops.c `gfs2_page_add_databufs()` (later `gfs2_trans_add_databufs()`):
    /// walk the folio's buffers (`page_buffers()`) and add the written ones to the
    /// current transaction. Before 80baab88bb93 it runs after `folio_unlock()`.
    Gfs2PageAddDatabufs = (107, "gfs2_page_add_databufs"),
    /// fs/gfs2/bmap.c end of `->page_done()` / `->put_folio()`:
    /// `__mark_inode_dirty(I_DIRTY_DATASYNC)` if the transaction has new buffers,
    /// `gfs2_trans_end()`.
    Gfs2TransEnd = (108, "gfs2_trans_end"),
    /// fs/gfs2/aops.c `gfs2_write_jdata_folio()` → `__block_write_full_folio()`:
    /// the folio's dirty buffers written in place.
    Gfs2WriteJdataFolio = (109, "gfs2_write_jdata_folio"),
    /// fs/gfs2/log.c `gfs2_log_flush()` (from `gfs2_jdata_writepages()` with
    /// WB_SYNC_ALL): committed transactions unpin their buffers.
    Gfs2LogFlush = (110, "gfs2_log_flush"),
    /// fs/gfs2/file.c `__gfs2_fallocate()`: blocks allocated and zeroed (gfs2
    /// has no unwritten extents).
    Gfs2Fallocate = (111, "__gfs2_fallocate"),
    /// fs/gfs2/bmap.c `punch_hole()`: the range's blocks are freed.
    Gfs2PunchHole = (112, "punch_hole"),
    /// fs/gfs2/bmap.c `gfs2_iomap_end()` after a short write: the blocks
    /// `->iomap_begin` allocated (`IOMAP_F_NEW`) past what was written are
    /// deallocated (`truncate_pagecache_range()`, `punch_hole()`). Followed
    /// in the v7.0 tree (julianw1010/WASP-linux-7.0.0 @1d9f96d2d248).
    Gfs2IomapEnd = (113, "gfs2_iomap_end"),
    /// fs/iomap/buffered-io.c `iomap_write_delalloc_scan()`: one folio of a
    /// short write's range, locked (`filemap_lock_folio()`); if dirty, the
    /// delalloc blocks before it are punched and its own are kept. Added by
    /// f43dc4dc3eff (v6.2, "iomap: buffered write failure should not
    /// truncate the page cache"); followed in the v7.0 tree.
    IomapWriteDelallocScan = (114, "iomap_write_delalloc_scan"),

    // ---- inode eviction: fs/inode.c ----------------------------------------------------
    /// fs/inode.c `iput()` → `iput_final()` for the last reference of an
    /// unlinked inode: `inode->i_state |= I_FREEING` under `i_lock`, then
    /// `evict()` (`inode_io_list_del()`, `inode_sb_list_del()`).
    IputFinal = (117, "iput_final"),
    /// mm/truncate.c `truncate_inode_pages_final()`: `mapping_set_exiting()`;
    /// if the xarray is not empty, cycle the xa_lock ("any ongoing tree
    /// modification that does not see AS_EXITING is completed",
    /// 91b0abe36a7b); then `truncate_inode_pages(mapping, 0)`.
    TruncateInodePagesFinal = (118, "truncate_inode_pages_final"),
    /// `->evict_inode` of an unlinked inode (`ext2_evict_inode()`,
    /// `ext4_evict_inode()`, `xfs_fs_evict_inode()` + inactivation, gfs2's
    /// `gfs2_evict_inode()`): its blocks are freed.
    EvictInode = (119, "evict_inode"),
    /// fs/inode.c `clear_inode()`: `BUG_ON(inode->i_data.nrpages)` — inside
    /// `xa_lock_irq()` since 08142579b6ca (v3.0), so a reclaim still in its
    /// xa_lock section is waited for — then `I_FREEING | I_CLEAR`.
    ClearInode = (120, "clear_inode"),

    // ---- XFS reads ---------------------------------------------------------------------
    /// fs/xfs/xfs_file.c `xfs_file_buffered_read()` → `xfs_ilock_iocb(iocb,
    /// XFS_IOLOCK_SHARED)`: `inode->i_rwsem` shared around
    /// `filemap_read()`, so a read(2) never overlaps a write, truncate or
    /// hole punch (all of which take it exclusive) — in every release the
    /// model has.
    XfsIlockIocb = (121, "xfs_ilock_iocb"),
    /// v5.7 mm/filemap.c `wait_on_page_bit_common()` after `io_schedule()`:
    /// `test_and_set_bit_lock()` (EXCLUSIVE) or `test_bit()` (SHARED), and
    /// `signal_pending_state()` — the decision to leave the loop, a
    /// lockless read of the page's flags. `finish_wait()` is the next step.
    FolioWaitBitRetest = (122, "folio_wait_bit_common:retest"),
    /// fs/buffer.c `__find_get_block_slow()`: `get_bh(bh)` on the buffer
    /// the walk found — an atomic increment of `b_count`, ordered against
    /// migration's norefs check only by `i_private_lock` (or the folio lock
    /// for a sleeping lookup).
    GetBh = (123, "get_bh"),
    /// `__find_get_block_slow()` `out_unlock:`: `spin_unlock(&i_private_lock)`
    /// (or `folio_unlock()`), `folio_put()`.
    FindGetBlockUnlock = (124, "__find_get_block_slow:unlock"),
    /// fs/xfs/xfs_aops.c `xfs_map_blocks()` under `XFS_ILOCK_SHARED`: the
    /// data fork lookup (`xfs_iext_lookup_extent()`) and `data_seq`; the
    /// ILOCK is dropped after it.
    XfsMapBlocksLookup = (125, "xfs_map_blocks:lookup"),
    /// fs/xfs/libxfs/xfs_bmap.c `xfs_bmapi_convert_delalloc()` from
    /// `xfs_map_blocks()` (via `xfs_convert_blocks()`), in its own
    /// transaction under `XFS_ILOCK_EXCL`: the delalloc extent is allocated
    /// (unwritten with a5949d3faedf) and the mapping and `data_seq` taken
    /// from it.
    XfsBmapiConvertDelalloc = (126, "xfs_bmapi_convert_delalloc"),
}

impl StepId {
    /// Look a step up by its litmus label.
    pub fn from_name(s: &str) -> Option<StepId> {
        StepId::ALL.iter().copied().find(|id| id.name() == s)
    }

    /// The step's stable byte code (fuzzer inputs, coverage features).
    #[inline]
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The step with byte code `b`, if any.
    #[inline]
    pub const fn from_code(b: u8) -> Option<StepId> {
        BY_CODE[b as usize]
    }
}

/// Steps by byte code.
const BY_CODE: [Option<StepId>; 256] = {
    let mut t = [None; 256];
    let mut i = 0;
    while i < StepId::ALL.len() {
        t[StepId::ALL[i] as usize] = Some(StepId::ALL[i]);
        i += 1;
    }
    t
};

impl std::fmt::Display for StepId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_round_trip() {
        for id in StepId::ALL {
            assert_eq!(StepId::from_name(id.name()), Some(*id));
            assert_eq!(StepId::from_code(id.code()), Some(*id));
            assert_eq!(
                StepId::ALL.iter().filter(|s| s.name() == id.name()).count(),
                1,
                "{} twice",
                id.name()
            );
            assert!(!id.doc().trim().is_empty(), "{} has no doc", id.name());
        }
    }
}
