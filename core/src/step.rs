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
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, )*) => {
        /// Every step the model can take, named after the kernel function it models.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum StepId {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl StepId {
            /// All steps, in declaration order (the order of their `u8` values).
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
    DmaTransfer = "dma_transfer",
    /// The device's DMA for a read bio: copies the disk block into the frame.
    DmaRead = "dma_read",
    /// mm/filemap.c `folio_end_writeback()` up to and including
    /// `__folio_end_writeback()` (mm/page-writeback.c): `VM_BUG_ON(!PG_writeback)`,
    /// PG_reclaim rotation, then — with toggle 073861ed77b6 — `folio_get()`, then
    /// the clear of PG_writeback and of the WRITEBACK mark under `xa_lock`. Before
    /// 073861ed77b6 this is `end_page_writeback()` → `test_clear_page_writeback()`
    /// with no reference held.
    FolioEndWritebackClear = "__folio_end_writeback",
    /// mm/filemap.c `folio_wake_bit(folio, PG_writeback)`; before the folio
    /// conversion `wake_up_page()` → `wake_up_page_bit()`, which first reads
    /// `PageWaiters(page)` on a page it may no longer own.
    EndWritebackWake = "folio_wake_bit",
    /// The `folio_put()` at the end of `folio_end_writeback()` (073861ed77b6).
    EndWritebackPut = "folio_end_writeback:put",
    /// Read completion (`mpage_read_end_io` / `end_buffer_async_read`): set
    /// uptodate and `folio_unlock()`.
    ReadEndio = "folio_end_read",

    // ---- waiting on a folio bit: mm/filemap.c ------------------------------------------
    /// mm/filemap.c `folio_wait_bit_common()` up to `spin_unlock_irq(&q->lock)`:
    /// set PG_waiters, `folio_trylock_flag()`, add to the tail of the hashed
    /// waitqueue (2a9127fcf229 and later). Before 2a9127fcf229 (v5.7
    /// `wait_on_page_bit_common()`): add to the queue if not on it,
    /// `SetPageWaiters`, `set_current_state()`.
    FolioWaitBitCommon = "folio_wait_bit_common",
    /// v5.7 `wait_on_page_bit_common()`: `bit_is_set = test_bit()` after dropping
    /// the queue lock, then `io_schedule()` if it was set (before 2a9127fcf229).
    IoSchedule = "io_schedule",
    /// After waking: the loop in `folio_wait_bit_common()` (for a SHARED waiter,
    /// woken means done, no re-test of the bit; an EXCLUSIVE one takes the bit
    /// or goes back to `repeat`), then `finish_wait()`. Before 2a9127fcf229:
    /// re-test the bit (`test_and_set_bit_lock` / `test_bit`) and loop.
    FinishWait = "finish_wait",
    /// include/linux/pagemap.h `folio_lock()`: `might_sleep()`, `folio_trylock()`;
    /// on failure `__folio_lock()` = `folio_wait_bit_common(EXCLUSIVE)`.
    FolioLock = "folio_lock",
    /// include/linux/pagemap.h `folio_trylock()` (reclaim, `find_lock_entries`).
    FolioTrylock = "folio_trylock",
    /// mm/filemap.c `folio_unlock()`: clear PG_locked and test PG_waiters in one
    /// atomic op, then `folio_wake_bit(folio, PG_locked)` if there were waiters.
    FolioUnlock = "folio_unlock",
    /// mm/page-writeback.c `folio_wait_writeback()`: the test of PG_writeback at
    /// the loop head. `while` since c2407cf7d22d; `if` before.
    FolioWaitWriteback = "folio_wait_writeback",

    // ---- page cache: mm/filemap.c --------------------------------------------------------
    /// mm/filemap.c `filemap_get_entry()`: lockless `xas_load()`,
    /// `folio_try_get()` (fails on a frozen refcount: retry), `xas_reload()`.
    FilemapGetEntry = "filemap_get_entry",
    /// mm/filemap.c `__filemap_get_folio(FGP_LOCK)`: after `folio_lock()`,
    /// re-check `folio->mapping` (truncated meanwhile: unlock, put, retry).
    FilemapGetFolioRecheck = "__filemap_get_folio",
    /// mm/filemap.c `filemap_alloc_folio()` → mm/page_alloc.c: take the most
    /// recently freed frame (per-cpu lists are LIFO), bump its incarnation.
    FilemapAllocFolio = "filemap_alloc_folio",
    /// include/linux/page-flags.h `__folio_set_locked()`: a *non-atomic*
    /// read-modify-write of `folio->flags`: the load half.
    SetLockedLoad = "__folio_set_locked:load",
    /// `__folio_set_locked()`: the store half (writes back what was loaded,
    /// losing any concurrent atomic change).
    SetLockedStore = "__folio_set_locked:store",
    /// mm/filemap.c `filemap_add_folio()` → `__filemap_add_folio()`: take the
    /// page-cache reference, insert under `xa_lock`; `-EEXIST` if raced.
    FilemapAddFolio = "filemap_add_folio",
    /// mm/filemap.c `generic_perform_write()`: `copy_folio_from_iter_atomic()`
    /// into the locked folio.
    CopyFolioFromIter = "copy_folio_from_iter",
    /// fs/buffer.c / fs/libfs.c `generic_write_end()` → `folio_mark_dirty()`
    /// (PG_dirty and the DIRTY mark) and `i_size_write()` if extending.
    FolioMarkDirty = "folio_mark_dirty",
    /// include/linux/mm.h `folio_put()`: drop a reference; free at zero.
    FolioPut = "folio_put",
    /// mm/filemap.c `filemap_read()` → `copy_folio_to_iter()`.
    CopyFolioToIter = "copy_folio_to_iter",
    /// mm/filemap.c `filemap_read_folio()` on a new locked folio: submit the read.
    FilemapReadFolio = "filemap_read_folio",
    /// include/linux/fs.h `inode_lock()`: `down_write(&inode->i_rwsem)`.
    InodeLock = "inode_lock",
    /// include/linux/fs.h `inode_unlock()`; for a write, the syscall returns here.
    InodeUnlock = "inode_unlock",

    // ---- writeback: mm/page-writeback.c ------------------------------------------------------
    /// mm/page-writeback.c `tag_pages_for_writeback()` (WB_SYNC_ALL): set TOWRITE on
    /// every DIRTY entry.
    TagPagesForWriteback = "tag_pages_for_writeback",
    /// mm/filemap.c `filemap_get_folios_tag()`: a batch of tagged folios, a
    /// reference on each (`writeback_iter()` / `write_cache_pages()`).
    FilemapGetFoliosTag = "filemap_get_folios_tag",
    /// mm/page-writeback.c `folio_prepare_writeback()` (v6.8+; the same tests
    /// are inline in `write_cache_pages()` before): `folio->mapping` still ours,
    /// PG_dirty set, and if PG_writeback: skip (WB_SYNC_NONE) or
    /// `folio_wait_writeback()` (WB_SYNC_ALL).
    FolioPrepareWriteback = "folio_prepare_writeback",
    /// mm/page-writeback.c: `BUG_ON(folio_test_writeback(folio))` after the wait,
    /// then `folio_clear_dirty_for_io()`.
    FolioClearDirtyForIo = "folio_clear_dirty_for_io",
    /// mm/page-writeback.c `__folio_start_writeback()`: set PG_writeback and the
    /// WRITEBACK mark, clear TOWRITE, under `xa_lock` (caller holds the lock).
    FolioStartWriteback = "__folio_start_writeback",
    /// block/blk-core.c `submit_bio()`: the bio is handed to the device.
    SubmitBio = "submit_bio",
    /// include/linux/pagevec.h `folio_batch_release()`: put every reference of the batch.
    FolioBatchRelease = "folio_batch_release",
    /// mm/filemap.c `filemap_check_errors()`: the end of `file_write_and_wait_range()`;
    /// fsync returns here.
    FilemapCheckErrors = "filemap_check_errors",

    // ---- truncate: mm/truncate.c -------------------------------------------------------------
    /// mm/truncate.c `truncate_setsize()` → `i_size_write()`.
    TruncateSetsize = "truncate_setsize",
    /// mm/filemap.c `find_lock_entries()`, one entry: `folio_try_get()`,
    /// `folio_trylock()`, skip if truncated or under writeback.
    FindLockEntries = "find_lock_entries",
    /// mm/truncate.c `truncate_inode_pages_range()` pass 1: `truncate_cleanup_folio()`
    /// on the batch and `delete_from_page_cache_batch()` under `xa_lock`.
    DeleteFromPageCacheBatch = "delete_from_page_cache_batch",
    /// mm/filemap.c `find_get_entries()`: the batch of pass 2, a reference each.
    FindGetEntries = "find_get_entries",
    /// mm/truncate.c `truncate_inode_folio()`: `truncate_cleanup_folio()` and
    /// `filemap_remove_folio()` (drops the page-cache reference).
    TruncateInodeFolio = "truncate_inode_folio",

    // ---- reclaim: mm/vmscan.c ----------------------------------------------------------------
    /// mm/vmscan.c `folio_isolate_lru()`: take a folio off the LRU, with a reference.
    FolioIsolateLru = "folio_isolate_lru",
    /// mm/vmscan.c `shrink_folio_list()`: the PG_writeback / PG_dirty / mapped tests
    /// on a locked folio (writeback: set PG_reclaim and keep it).
    ShrinkFolioList = "shrink_folio_list",
    /// mm/vmscan.c `__remove_mapping()`: `folio_ref_freeze(folio, 1 + nr)` and the
    /// removal from the page cache under `xa_lock`.
    RemoveMapping = "__remove_mapping",
    /// `__folio_clear_locked()` in `shrink_folio_list()` (non-atomic): the load.
    ClearLockedLoad = "__folio_clear_locked:load",
    /// `__folio_clear_locked()`: the store.
    ClearLockedStore = "__folio_clear_locked:store",
    /// mm/page_alloc.c `free_unref_folios()`: the frozen folio goes back to the allocator.
    FreeUnrefFolios = "free_unref_folios",
    /// mm/vmscan.c `folio_putback_lru()`: unlock and drop the isolation reference.
    FolioPutbackLru = "folio_putback_lru",

    // ---- buffer heads: fs/buffer.c ----------------------------------------------------------------
    /// fs/buffer.c `lookup_bh_lru()`: this CPU's bh LRU, irqs off; a hit takes
    /// `get_bh()` with no lock at all.
    LookupBhLru = "lookup_bh_lru",
    /// fs/buffer.c `__find_get_block_slow()`: `__filemap_get_folio()` of the
    /// block device folio (a folio reference for the lookup's duration).
    FindGetBlockSlow = "__find_get_block_slow",
    /// `__find_get_block_slow()`: `spin_lock(&bd_mapping->i_private_lock)` for
    /// atomic lookups; `folio_lock()` for sleeping ones (7ffe3de53a88).
    FindGetBlockLock = "__find_get_block_slow:lock",
    /// `__find_get_block_slow()`: `folio_buffers()`, the BH_Migrate bail-out
    /// (2d900efff915), walk `b_this_page`, `get_bh()`, unlock, `folio_put()`.
    FindGetBlockWalk = "__find_get_block_slow:walk",
    /// fs/buffer.c `bh_lru_install()`: take an LRU reference (refused while
    /// `lru_cache_disabled()`, 8cc621d2f45d), evict and `brelse()` the last slot.
    BhLruInstall = "bh_lru_install",
    /// fs/buffer.c `__getblk_slow()` → `grow_dev_folio()`: the block device folio,
    /// locked (`__filemap_get_folio(FGP_LOCK | FGP_CREAT)`).
    GetblkSlow = "__getblk_slow",
    /// fs/buffer.c `folio_create_empty_buffers()` + `link_dev_buffers()`: a ring
    /// of buffer heads attached under `i_private_lock`, mapped to their blocks.
    CreateEmptyBuffers = "create_empty_buffers",
    /// A metadata user's update of `bh->b_data` (the folio memory the pointer
    /// it read at lookup designates), under its own lock only.
    BhDataWrite = "b_data:write",
    /// fs/buffer.c `mark_buffer_dirty()`: BH_Dirty, then `folio_mark_dirty(bh->b_folio)`.
    MarkBufferDirty = "mark_buffer_dirty",
    /// fs/buffer.c `__brelse()`: drop `b_count`.
    Brelse = "brelse",
    /// fs/buffer.c `try_to_free_buffers()`: under `i_private_lock`, free the ring
    /// unless a buffer is busy (`b_count`, dirty or locked).
    TryToFreeBuffers = "try_to_free_buffers",
    /// fs/buffer.c `invalidate_bh_lrus()`: every CPU drops its LRU references (IPI).
    InvalidateBhLrus = "invalidate_bh_lrus",

    // ---- migration: mm/migrate.c -------------------------------------------------------------------
    /// mm/migrate.c `migrate_folio_unmap()` → `alloc_migration_target()`: the destination folio.
    AllocMigrationTarget = "alloc_migration_target",
    /// mm/migrate.c `__buffer_migrate_folio()`: no buffers → `migrate_folio()`;
    /// `folio_ref_count(src) != expected` → -EAGAIN; Luis Chamberlain's v2 1/8:
    /// `buffer_meta(head)` → -EAGAIN.
    BufferMigrateFolio = "__buffer_migrate_folio",
    /// mm/migrate.c `buffer_migrate_lock_buffers()`, one buffer: `trylock_buffer()`
    /// or `lock_buffer()` (MIGRATE_SYNC); Matthew Wilcox's per-bh variant:
    /// `buffer_meta(bh)` → unlock and fail.
    LockBuffer = "buffer_migrate_lock_buffers",
    /// 2d900efff915: `test_and_set_bit_lock(BH_Migrate, &head->b_state)`.
    SetBhMigrate = "BH_Migrate:set",
    /// The norefs check: `spin_lock(&mapping->i_private_lock)`, every `b_count`
    /// zero? `spin_unlock()` right after (89cb0888ca14, 2d900efff915), or only at
    /// the end (ebdf4de5642f).
    NorefsCheck = "__buffer_migrate_folio:check",
    /// mm/util.c `folio_mc_copy()` (before the mapping move since 060913999d7a):
    /// copies page by page with `cond_resched()` — a sleep for a large folio.
    FolioMcCopy = "folio_mc_copy",
    /// mm/migrate.c `__folio_migrate_mapping()`: `folio_ref_freeze(src, expected)`,
    /// replace the xarray entry, move `private`, unfreeze.
    FolioMigrateMapping = "__folio_migrate_mapping",
    /// fs/buffer.c `folio_set_bh()` for every buffer: `b_folio` / `b_data` now in dst.
    FolioSetBh = "folio_set_bh",
    /// The copy after the move (v5.x `migrate_page_copy()`, before 060913999d7a).
    MigratePageCopy = "migrate_page_copy",
    /// `__buffer_migrate_folio()` `unlock_buffers:`: clear BH_Migrate (2d900efff915),
    /// `spin_unlock()` (ebdf4de5642f), `unlock_buffer()` each buffer.
    UnlockBuffers = "unlock_buffer",
    /// mm/migrate.c `migrate_folio_move()` done: unlock both folios, the source's
    /// last reference goes (it is freed), the destination goes on the LRU.
    MigrateFolioDone = "migrate_folio_done",
    /// mm/migrate.c `migrate_folio_undo_src()` / `_dst()`: the attempt failed
    /// (-EAGAIN): put the source back, free the destination.
    MigrateFolioUndo = "migrate_folio_undo_src",

    // ---- iomap buffered writes and reads (fs/iomap/buffered-io.c) -------------------
    /// fs/xfs/xfs_iomap.c `xfs_buffered_write_iomap_begin()`: under ILOCK_EXCL,
    /// look the data fork up; a hole gets a delalloc reservation
    /// (`xfs_bmapi_reserve_delalloc()`, `if_seq` bumped) and `IOMAP_F_NEW`; the
    /// cookie `xfs_iomap_inode_sequence()` is sampled, ILOCK dropped. The
    /// mapping the write then uses for every folio it covers.
    XfsBufferedWriteIomapBegin = "xfs_buffered_write_iomap_begin",
    /// fs/xfs/xfs_iomap.c `xfs_iomap_valid()` called from `iomap_write_begin()`
    /// once the folio is locked (d7b64041164c, 304a68b9c63b): a cookie that
    /// differs from `if_seq` sets `IOMAP_F_STALE`. Before v6.2 nothing is checked.
    XfsIomapValid = "xfs_iomap_valid",
    /// fs/iomap/buffered-io.c `__iomap_write_begin()`: for each block the write
    /// covers only in part and that is not uptodate, `iomap_block_needs_zeroing()`
    /// decides: zero it (hole, delalloc, unwritten, new, beyond EOF) or read it
    /// from disk.
    IomapWriteBegin = "__iomap_write_begin",
    /// fs/iomap/buffered-io.c `__iomap_write_end()`: the written range uptodate
    /// and dirty (`iomap_set_range_dirty()`, `filemap_dirty_folio()`), `i_size_write()`.
    IomapWriteEnd = "__iomap_write_end",
    /// fs/iomap/buffered-io.c `iomap_write_delalloc_release()` from
    /// `xfs_buffered_write_iomap_end()`: after a short write, the delalloc
    /// blocks the mapping reserved past the written range are punched, except
    /// where dirty page cache still needs them (f43dc4dc3eff, v6.2; under
    /// `invalidate_lock` with 198dd8aedee6).
    IomapWriteDelallocRelease = "iomap_write_delalloc_release",
    /// fs/buffer.c `__block_write_begin_int()` (gfs2's `IOMAP_F_BUFFER_HEAD`
    /// path, ext4's `ext4_da_write_begin()`): buffers created if the folio has
    /// none, then the same zero-or-read decision per partially written buffer.
    BlockWriteBegin = "__block_write_begin_int",
    /// fs/buffer.c `block_write_end()` → `__block_commit_write()`:
    /// `mark_buffer_dirty()` on the written buffers (PG_dirty is set directly,
    /// not through `->dirty_folio`), `i_size` if extended.
    BlockWriteEnd = "block_write_end",
    /// fs/iomap/buffered-io.c `iomap_read_folio()`: the folio's blocks mapped;
    /// holes, delalloc and unwritten blocks zeroed, written ones read by a bio
    /// (or synchronously, for a cached folio that is only partly uptodate).
    IomapReadFolio = "iomap_read_folio",
    /// mm/filemap.c `filemap_fault()` (the read fault before a write fault):
    /// the page is found or read in, uptodate, with a reference.
    FilemapFault = "filemap_fault",
    /// fs/buffer.c `block_page_mkwrite()` (and `iomap_page_mkwrite()`): with the
    /// folio locked, check it was not truncated since the fault.
    BlockPageMkwrite = "block_page_mkwrite",
    /// mm/memory.c: the user's store through the writable PTE and
    /// `fault_dirty_shared_page()` (the folio dirty).
    FaultDirtySharedPage = "fault_dirty_shared_page",
    /// mm/filemap.c `filemap_invalidate_lock_shared()` (ext4's page fault; XFS's
    /// `XFS_MMAPLOCK_SHARED`).
    FilemapInvalidateLockShared = "filemap_invalidate_lock_shared",
    /// `filemap_invalidate_unlock_shared()`.
    FilemapInvalidateUnlockShared = "filemap_invalidate_unlock_shared",
    /// `filemap_invalidate_lock()`: hole punching excludes page faults.
    FilemapInvalidateLock = "filemap_invalidate_lock",
    /// `filemap_invalidate_unlock()`.
    FilemapInvalidateUnlock = "filemap_invalidate_unlock",

    // ---- XFS writeback and space management ------------------------------------------
    /// fs/xfs/xfs_aops.c `xfs_map_blocks()` for each dirty block of a folio under
    /// writeback: `xfs_imap_valid()` (range, and with d9252d526ba6 `data_seq` ==
    /// `if_seq`) or a new lookup under ILOCK_SHARED, converting delalloc with
    /// `xfs_bmapi_convert_delalloc()` (unwritten extents since a5949d3faedf).
    XfsMapBlocks = "xfs_map_blocks",
    /// fs/xfs/xfs_aops.c `xfs_end_ioend_write()` → fs/xfs/xfs_iomap.c
    /// `xfs_iomap_write_unwritten()` (ext4: `ext4_convert_unwritten_io_end_vec()`):
    /// after the DMA, in the ioend workqueue, before `folio_end_writeback()`,
    /// unwritten extents the bio wrote become written (`if_seq` bumped).
    XfsEndIoendConvert = "xfs_iomap_write_unwritten",
    /// fs/xfs/xfs_bmap_util.c `xfs_alloc_file_space()`: preallocation, holes and
    /// delalloc become unwritten extents.
    XfsAllocFileSpace = "xfs_alloc_file_space",
    /// fs/xfs/libxfs/xfs_bmap.c `xfs_bunmapi()` from `xfs_free_file_space()`:
    /// the punched range's extents are freed.
    XfsBunmapi = "xfs_bunmapi",
    /// fs/open.c `vfs_fallocate()`: the filesystem has no `->fallocate`.
    VfsFallocate = "vfs_fallocate",

    // ---- ext4 delalloc ---------------------------------------------------------------
    /// fs/ext4/extents_status.c `ext4_es_lookup_extent()`: the extent-status
    /// cache, without `i_data_sem`.
    Ext4EsLookupExtent = "ext4_es_lookup_extent",
    /// kernel/locking/rwsem.c `down_read(&EXT4_I(inode)->i_data_sem)`.
    DownRead = "down_read",
    /// `up_read(&EXT4_I(inode)->i_data_sem)`.
    UpRead = "up_read",
    /// `down_write(&EXT4_I(inode)->i_data_sem)`.
    DownWrite = "down_write",
    /// `up_write(&EXT4_I(inode)->i_data_sem)`.
    UpWrite = "up_write",
    /// fs/ext4/inode.c `ext4_map_query_blocks()` (before 8e4e5cdf2fde the same
    /// `ext4_ext_map_blocks(NULL, inode, map, 0)` inline): the extent tree under
    /// `i_data_sem`; a mapped block is cached in the extent-status tree.
    Ext4MapQueryBlocks = "ext4_map_query_blocks",
    /// fs/ext4/extents.c `ext4_ext_put_gap_in_cache()` (v6.8+:
    /// `ext4_ext_determine_insert_hole()`): `ext4_es_find_extent_range()` looks for
    /// a delayed entry in the hole and shortens the gap before it.
    Ext4EsFindExtentRange = "ext4_es_find_extent_range",
    /// fs/ext4/extents_status.c `ext4_es_insert_extent(..., EXTENT_STATUS_HOLE)`:
    /// the gap is cached as a hole, replacing whatever entries are there now.
    Ext4EsInsertExtent = "ext4_es_insert_extent",
    /// fs/ext4/inode.c `ext4_insert_delayed_block()`: `ext4_da_reserve_space()`
    /// (`i_reserved_data_blocks++`), `ext4_es_insert_delayed_block()`.
    Ext4InsertDelayedBlock = "ext4_insert_delayed_block",
    /// fs/ext4/extents.c `ext4_ext_map_blocks()` with
    /// `EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT` (fallocate): a hole is allocated as an
    /// unwritten extent and cached; a delayed block's reservation is claimed.
    Ext4ExtMapBlocks = "ext4_ext_map_blocks",
    /// fs/ext4/inode.c `mpage_map_one_extent()` → `ext4_map_blocks()` under
    /// `down_write(i_data_sem)`: writeback allocates the BH_Delay blocks
    /// (unwritten, dioread_nolock) and claims their reservations.
    Ext4MpageMapOneExtent = "mpage_map_one_extent",
    /// fs/ext4/readpage.c `ext4_mpage_readpages()`: the read bio for the blocks
    /// `ext4_map_blocks()` found written.
    Ext4MpageReadpages = "ext4_mpage_readpages",
    /// fs/ext4/extents.c `ext4_ext_remove_space()` + `ext4_es_remove_extent()`:
    /// a punched range's blocks and extent-status entries go.
    Ext4ExtRemoveSpace = "ext4_ext_remove_space",

    // ---- gfs2 journaled data ---------------------------------------------------------
    /// fs/gfs2/bmap.c `gfs2_iomap_begin()` → `gfs2_iomap_write_alloc()`: holes are
    /// allocated at write time (`IOMAP_F_NEW`).
    Gfs2IomapBegin = "gfs2_iomap_begin",
    /// fs/gfs2/glock.c `gfs2_glock_nq()` on the inode glock: shared for a read
    /// (`gfs2_file_read_iter()`), exclusive for a write, truncate, fallocate or
    /// write fault. Within one node it orders them like a reader-writer lock.
    Gfs2GlockNq = "gfs2_glock_nq",
    /// `gfs2_glock_dq()`.
    Gfs2GlockDq = "gfs2_glock_dq",
    /// fs/gfs2/bmap.c `gfs2_iomap_page_prepare()` (v6.3+: `gfs2_iomap_get_folio()`):
    /// `gfs2_trans_begin()`.
    Gfs2TransBegin = "gfs2_trans_begin",
    /// fs/gfs2/aops.c `gfs2_page_add_databufs()` (later `gfs2_trans_add_databufs()`):
    /// walk the folio's buffers (`page_buffers()`) and add the written ones to the
    /// current transaction. Before 80baab88bb93 it runs after `folio_unlock()`.
    Gfs2PageAddDatabufs = "gfs2_page_add_databufs",
    /// fs/gfs2/bmap.c end of `->page_done()` / `->put_folio()`:
    /// `__mark_inode_dirty(I_DIRTY_DATASYNC)` if the transaction has new buffers,
    /// `gfs2_trans_end()`.
    Gfs2TransEnd = "gfs2_trans_end",
    /// fs/gfs2/aops.c `gfs2_write_jdata_folio()` → `__block_write_full_folio()`:
    /// the folio's dirty buffers written in place.
    Gfs2WriteJdataFolio = "gfs2_write_jdata_folio",
    /// fs/gfs2/log.c `gfs2_log_flush()` (from `gfs2_jdata_writepages()` with
    /// WB_SYNC_ALL): committed transactions unpin their buffers.
    Gfs2LogFlush = "gfs2_log_flush",
    /// fs/gfs2/file.c `__gfs2_fallocate()`: blocks allocated and zeroed (gfs2
    /// has no unwritten extents).
    Gfs2Fallocate = "__gfs2_fallocate",
    /// fs/gfs2/bmap.c `punch_hole()`: the range's blocks are freed.
    Gfs2PunchHole = "punch_hole",
    /// fs/gfs2/bmap.c `gfs2_iomap_end()` after a short write: the blocks
    /// `->iomap_begin` allocated (`IOMAP_F_NEW`) past what was written are
    /// deallocated (`truncate_pagecache_range()`, `punch_hole()`). Followed
    /// in the v7.0 tree (julianw1010/WASP-linux-7.0.0 @1d9f96d2d248).
    Gfs2IomapEnd = "gfs2_iomap_end",
    /// fs/iomap/buffered-io.c `iomap_write_delalloc_scan()`: one folio of a
    /// short write's range, locked (`filemap_lock_folio()`); if dirty, the
    /// delalloc blocks before it are punched and its own are kept. Added by
    /// f43dc4dc3eff (v6.2, "iomap: buffered write failure should not
    /// truncate the page cache"); followed in the v7.0 tree.
    IomapWriteDelallocScan = "iomap_write_delalloc_scan",
}

impl StepId {
    /// Look a step up by its litmus label.
    pub fn from_name(s: &str) -> Option<StepId> {
        StepId::ALL.iter().copied().find(|id| id.name() == s)
    }

    /// The step with this `u8` value, if any (byte encoding of litmus labels).
    pub fn from_u8(b: u8) -> Option<StepId> {
        StepId::ALL.get(b as usize).copied()
    }
}

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
        for (i, id) in StepId::ALL.iter().enumerate() {
            assert_eq!(*id as usize, i);
            assert_eq!(StepId::from_name(id.name()), Some(*id));
            assert_eq!(StepId::from_u8(i as u8), Some(*id));
            assert!(!id.doc().trim().is_empty(), "{} has no doc", id.name());
        }
    }
}
