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
    ($( $(#[doc = $doc:literal])* $variant:ident = ($code:literal, $name:literal) {
        locks: $locks:literal, state: $state:literal $(,)?
    } )*) => {
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

            /// The locks held across the whole step — what makes it atomic
            /// where it touches several things (empty: none, the step is one
            /// atomic access or touches only the context's own state).
            pub fn locks(self) -> &'static str {
                match self { $(StepId::$variant => $locks,)* }
            }

            /// The shared state the step reads and writes (`r:` / `w:`).
            pub fn state(self) -> &'static str {
                match self { $(StepId::$variant => $state,)* }
            }
        }
    };
}

steps! {
    // ---- page tables: mm/memory.c, mm/rmap.c, mm/mmap.c ---------------------------------
    /// The CPU's load through a present PTE (the accessed bit set): the data
    /// is checked against what was promised to the page (`stale-read`).
    UserLoad = (152, "user_load") { locks: "", state: "r: PTE, folio data, shadow; w: PTE young" }
    /// The CPU's store through a writable PTE: the dirty and accessed bits
    /// set, a new version of the page's data.
    UserStore = (153, "user_store") { locks: "", state: "r: PTE; w: PTE dirty/young, folio data, shadow" }
    /// mm/filemap.c `filemap_fault()` with the folio locked: `folio->mapping`
    /// rechecked (truncated: unlock, put, look up again), uptodate, `index >=
    /// max_idx` (SIGBUS); then the filesystem's `->fault` lock is released.
    FilemapFaultRecheck = (154, "filemap_fault:recheck") { locks: "folio lock", state: "r: folio->mapping, PG_uptodate, i_size; w: ->fault lock (released)" }
    /// mm/memory.c `finish_fault()` → `set_pte_range()`: under the PTE lock,
    /// `folio_add_file_rmap_ptes()` and `set_pte_at()` (read-only for a read
    /// fault; writable and dirty for `do_shared_fault()`, whose
    /// `fault_dirty_shared_page()` then dirties the folio, under the same
    /// folio lock).
    FinishFault = (155, "finish_fault") { locks: "PTE lock, folio lock", state: "r: PTE; w: PTE, _mapcount (PG_dirty, DIRTY mark, bh/ifs dirty on a write)" }
    /// mm/memory.c `do_wp_page()` → `wp_page_shared()`: under the PTE lock the
    /// PTE still maps the folio read-only (else the access retries), and
    /// `folio_get()`. In a private mapping: an exclusive anonymous folio is
    /// reused (`wp_page_reuse()`: dirty and young, writable only with
    /// `VM_WRITE`), another gets the `folio_get()` for `wp_page_copy()`.
    DoWpPage = (156, "do_wp_page") { locks: "PTE lock", state: "r: PTE; w: refcount" }
    /// mm/memory.c `finish_mkwrite_fault()` (`pte_same()` against the PTE
    /// `do_wp_page()` saw, else retry) → `wp_page_reuse()` (writable, dirty,
    /// young), then `fault_dirty_shared_page()` dirties the folio.
    WpPageReuse = (157, "wp_page_reuse") { locks: "PTE lock, folio lock", state: "r: PTE; w: PTE, PG_dirty, DIRTY mark, bh/ifs dirty" }
    /// mm/memory.c `zap_pte_range()` of one mm: each present PTE in the range
    /// cleared (`ptep_get_and_clear_full()`), a dirty one dirtying its folio
    /// (`folio_mark_dirty()`), `folio_remove_rmap_ptes()`; the references
    /// wait in the mmu_gather.
    ZapPteRange = (158, "zap_pte_range") { locks: "PTE lock", state: "r: PTE; w: PTE, _mapcount, PG_dirty, DIRTY mark" }
    /// mm/mmu_gather.c `tlb_finish_mmu()`: after the TLB flush, the zapped
    /// PTEs' references are dropped (`free_pages_and_swap_cache()`).
    TlbFinishMmu = (159, "tlb_finish_mmu") { locks: "", state: "w: refcount" }
    /// mm/memory.c `zap_pte_range()` after its PTE loop, for an mm with
    /// threads: `tlb_flush_mmu_tlbonly()` (every CPU of the mm drops its
    /// entries for the zapped pages) and, with 5df397dec7c4 (v6.2),
    /// `tlb_flush_rmaps()` (the rmap of each dirty file PTE removed only
    /// now), then `pte_unmap_unlock()`. A separate step from the loop
    /// because `folio_remove_rmap_ptes()` is an atomic update that
    /// `folio_mkclean()` reads locklessly (`folio_mapped()`).
    TlbFlushMmuTlbonly = (199, "tlb_flush_mmu_tlbonly") { locks: "PTE lock", state: "w: TLB, _mapcount, PTE lock" }
    /// kernel/fork.c `dup_mmap()`: `mmap_write_lock_killable()` of the
    /// parent's mm (a thread's fault, `mmap()` or `munmap()` holding it waits
    /// or is waited for), then each VMA duplicated for the child
    /// (`vm_area_dup()`: the child's VMAs, their file references, and what
    /// each page promises its loads, as they are now).
    DupMmap = (200, "dup_mmap") { locks: "mmap_lock (write)", state: "r: VMAs, promises; w: child VMAs, mmap_lock" }
    /// mm/memory.c `copy_pte_range()` of one VMA, under the parent's and
    /// the child's PTE locks: each present PTE copied (`copy_present_pte()`);
    /// an anonymous page shared (`folio_try_dup_anon_rmap_pte()`: reference,
    /// mapcount, PG_anon_exclusive cleared) and write-protected in both, or,
    /// if it may be DMA-pinned, copied for the child at once (70e806e4e645's
    /// `copy_present_page()`); then the parent's TLBs flushed (`dup_mmap()`'s
    /// `flush_tlb_mm()` after the loop: here in the same step, so that no
    /// thread stores through a stale writable entry into a page the child
    /// now shares).
    CopyPteRange = (201, "copy_pte_range") { locks: "PTE lock (parent and child)", state: "r: PTEs, refcount; w: PTEs, refcount, _mapcount, PG_anon_exclusive, TLB" }
    /// mm/memory.c `copy_pte_range()` → `folio_prealloc()` after
    /// `copy_present_page()` asked for a page (-EAGAIN): the allocation
    /// outside the PTE locks, then the VMA's copy runs again.
    PageCopyPrealloc = (202, "page_copy_prealloc") { locks: "", state: "w: frame allocator" }
    /// kernel/fork.c `dup_mmap()`'s end: `mmap_write_unlock()` of the
    /// parent's mm; the child can run (`wake_up_new_task()`).
    DupMmapDone = (203, "dup_mmap:unlock") { locks: "", state: "w: mmap_lock, the child runnable" }
    /// A device's DMA through a long-term pin (an RDMA read or write of a
    /// registered buffer, a pipe's reader of a `vmsplice()`d page): it reads
    /// the pinned folio's data (`pin-incoherent` checks it) or writes a new
    /// version into it.
    DevicePinnedAccess = (204, "dma_pinned_page") { locks: "", state: "r/w: pinned folio data" }
    /// mm/gup.c `unpin_user_pages_dirty_lock()` (a device write) or
    /// `unpin_user_page()`: `folio_mark_dirty()` under the folio lock for a
    /// write, then the pin's references dropped (`gup_put_folio()`).
    UnpinUserPage = (205, "unpin_user_page") { locks: "", state: "w: PG_dirty, refcount" }
    /// mm/rmap.c `page_vma_mkclean_one()` from `folio_mkclean()`: one mm's PTE
    /// of the folio, if writable or dirty, write-protected and cleaned.
    PageVmaMkcleanOne = (160, "page_vma_mkclean_one") { locks: "PTE lock", state: "r: PTE; w: PTE write/dirty" }
    /// mm/rmap.c `folio_referenced_one()`: one mm's PTE of the folio, its
    /// accessed bit tested and cleared.
    FolioReferencedOne = (161, "folio_referenced_one") { locks: "PTE lock", state: "r: PTE; w: PTE young" }
    /// mm/rmap.c `try_to_unmap_one()` of a file folio: one mm's PTE cleared,
    /// its dirty bit moved to the folio, `folio_remove_rmap_pte()`,
    /// `folio_put()`.
    TryToUnmapOne = (162, "try_to_unmap_one") { locks: "PTE lock", state: "r: PTE; w: PTE, _mapcount, refcount, PG_dirty" }
    /// mm/vma.c `mmap_region()`: the VMA linked into the file's `i_mmap`,
    /// `get_file()`.
    MmapRegion = (163, "mmap_region") { locks: "mmap_lock, i_mmap_rwsem", state: "w: VMA, i_count" }
    /// mm/filemap.c `filemap_map_pages()` (fault-around, under
    /// `rcu_read_lock()`, no filesystem lock): `next_uptodate_folio()`'s
    /// `xas_next_entry()` of the faulting page's slot (then `folio_try_get()`,
    /// and `folio_test_locked()`, `xas_reload()`, `folio_test_uptodate()`
    /// under the `xas_reload` label).
    FilemapMapPages = (165, "filemap_map_pages") { locks: "", state: "r: slot" }
    /// mm/filemap.c `next_uptodate_folio()`: `folio_trylock()`, then under
    /// the folio lock `folio->mapping`, `folio_test_uptodate()` and `index
    /// >= max_idx` (any failing: unlock, put, skip).
    NextUptodateFolio = (166, "next_uptodate_folio") { locks: "folio lock", state: "r: folio->mapping, PG_uptodate, i_size; w: PG_locked" }
    /// mm/filemap.c `filemap_map_order0_folio()` under the PTE lock: a
    /// `pte_none()` PTE is set read-only (`set_pte_range()`), the PTE keeps
    /// the reference; VM_FAULT_NOPAGE for the faulting address.
    FilemapMapOrder0Folio = (167, "filemap_map_order0_folio") { locks: "PTE lock, folio lock", state: "r: PTE; w: PTE, _mapcount" }
    /// mm/vma.c `remove_vma()`: `fput()` of the unmapped VMA's file.
    RemoveVma = (164, "remove_vma") { locks: "mmap_lock", state: "w: VMA, i_count" }
    // ---- anonymous memory, GUP, direct I/O: mm/memory.c, mm/madvise.c, mm/gup.c, block/
    /// mm/memory.c `do_anonymous_page()` → `alloc_anon_folio()`: a zeroed
    /// folio (`vma_alloc_zeroed_movable_folio()`), `__folio_mark_uptodate()`.
    AllocAnonFolio = (168, "alloc_anon_folio") { locks: "", state: "w: free list, folio data" }
    /// mm/memory.c `do_anonymous_page()` under the PTE lock: a PTE still none
    /// gets the new folio (`folio_add_new_anon_rmap()`: anonymous,
    /// PG_swapbacked; `folio_add_lru_vma()`; `set_pte_at()` writable, dirty);
    /// else the folio is put.
    DoAnonymousPage = (169, "do_anonymous_page") { locks: "PTE lock", state: "r: PTE; w: PTE, _mapcount, PG_swapbacked, PG_lru" }
    /// mm/madvise.c `madvise_free_pte_range()` on one PTE under the PTE lock:
    /// an exclusively mapped folio's PG_dirty cleared (under
    /// `folio_trylock()`), the PTE made old and clean, `folio_mark_lazyfree()`
    /// clears PG_swapbacked.
    MadviseFreePteRange = (170, "madvise_free_pte_range") { locks: "PTE lock", state: "r: PTE, _mapcount; w: PTE dirty/young, PG_dirty, PG_swapbacked" }
    /// mm/madvise.c `madvise_cold_or_pageout_pte_range()` for
    /// `MADV_PAGEOUT`: a present PTE's folio, mapped by this mm alone and on
    /// the LRU, isolated (`folio_isolate_lru()`) for `reclaim_pages()`;
    /// before 2864f3d0f583 the PTE made old first.
    MadvisePageoutPteRange = (206, "madvise_cold_or_pageout_pte_range") { locks: "PTE lock", state: "r: PTE, _mapcount, PG_lru; w: PTE young, PG_lru, refcount" }
    /// mm/gup.c `gup_fast_pte_range()`: `ptep_get_lockless()`, with no PTE
    /// lock (a none or read-only PTE goes to the slow path).
    GupFastPteRange = (171, "gup_fast_pte_range") { locks: "", state: "r: PTE" }
    /// mm/gup.c `try_grab_folio_fast()`: the reference (or `FOLL_PIN`'s
    /// bias) added unless the refcount is zero.
    TryGrabFolioFast = (172, "try_grab_folio_fast") { locks: "", state: "r/w: refcount" }
    /// mm/gup.c `gup_fast_pte_range()`'s recheck: `pte_val(pte) !=
    /// pte_val(ptep_get(ptep))` drops the reference (`gup_put_folio()`) and
    /// falls back to the slow path.
    GupFastPteRecheck = (173, "gup_fast_pte_range:recheck") { locks: "", state: "r: PTE; w: refcount" }
    /// mm/gup.c `follow_page_pte()` under the PTE lock: a present, writable
    /// PTE's folio grabbed (`try_grab_folio()`); else `faultin_page()`.
    FollowPagePte = (174, "follow_page_pte") { locks: "PTE lock", state: "r: PTE; w: refcount" }
    /// mm/memory.c `folio_prealloc()`: the private copy a write fault in a
    /// private mapping makes (`do_cow_fault()`, `wp_page_copy()`).
    FolioPrealloc = (192, "folio_prealloc") { locks: "", state: "w: free list" }
    /// mm/memory.c `copy_mc_user_highpage()` (`do_cow_fault()`, under the
    /// page-cache folio's lock) or `__wp_page_copy_user()` (`wp_page_copy()`,
    /// no lock): the page's data into the private copy.
    CopyUserHighpage = (193, "copy_mc_user_highpage") { locks: "", state: "r: folio data; w: the copy's data" }
    /// mm/memory.c `wp_page_copy()` under the PTE lock: if `pte_same()`,
    /// the private copy replaces the folio (`folio_add_new_anon_rmap()`,
    /// `set_pte_at()` dirty, `folio_remove_rmap_pte()` of the old one).
    WpPageCopy = (194, "wp_page_copy") { locks: "PTE lock", state: "r: PTE; w: PTE, _mapcount, PG_swapbacked" }
    /// mm/memory.c `__access_remote_vm()`: `mmap_read_lock_killable()` of
    /// the target's address space and the VMA lookup (`find_vma()` in
    /// `__get_user_pages()`).
    MmapReadLock = (195, "mmap_read_lock") { locks: "mmap_lock (shared)", state: "r: VMA" }
    /// mm/memory.c `__access_remote_vm()` → `copy_to_user_page()`: the data
    /// written into the page GUP returned, through the kernel's mapping.
    CopyToUserPage = (196, "copy_to_user_page") { locks: "", state: "w: folio data" }
    /// mm/page-writeback.c `set_page_dirty_lock()` with the folio locked:
    /// `folio_mark_dirty()`, then `folio_unlock()`.
    SetPageDirtyLock = (197, "set_page_dirty_lock") { locks: "folio lock", state: "w: PG_dirty, DIRTY mark, PG_locked" }
    /// mm/memory.c `__access_remote_vm()`: `mmap_read_unlock()`.
    MmapReadUnlock = (198, "mmap_read_unlock") { locks: "", state: "w: mmap_lock" }
    /// block/bio.c `bio_set_pages_dirty()` under the folio lock:
    /// `folio_mark_dirty()`, `folio_unlock()` (before an iomap direct read
    /// is submitted).
    BioSetPagesDirty = (175, "bio_set_pages_dirty") { locks: "folio lock", state: "w: PG_dirty, PG_locked" }
    /// block/bio.c `__bio_release_pages(bio, true)` for one page, after
    /// `submit_bio_wait()`: under the folio lock `folio_mark_dirty()`,
    /// `folio_unlock()`, then `bio_release_page()` (unpin or put).
    BioReleasePages = (176, "__bio_release_pages") { locks: "folio lock", state: "w: PG_dirty, PG_locked, refcount" }
    /// fs/iomap/direct-io.c `iomap_dio_complete()`: the read returns, the
    /// filesystem drops `i_rwsem` (`xfs_iunlock()`, `inode_unlock_shared()`).
    IomapDioComplete = (177, "iomap_dio_complete") { locks: "", state: "w: i_rwsem (released)" }
    /// fs/iomap/direct-io.c `iomap_dio_submit_bio()` from
    /// `iomap_dio_bio_iter()`.
    IomapDioSubmitBio = (178, "iomap_dio_submit_bio") { locks: "i_rwsem (shared)", state: "w: bio" }
    /// block/bio.c `submit_bio_wait()` from `__blkdev_direct_IO_simple()`:
    /// the bio submitted, the task sleeps until it completes.
    SubmitBioWait = (179, "submit_bio_wait") { locks: "", state: "w: bio" }
    /// fs/iomap/direct-io.c `iomap_dio_bio_end_io()` →
    /// `bio_check_pages_dirty()` (a cleaned page dirtied again) →
    /// `bio_release_pages()`; the submitter woken.
    IomapDioBioEndIo = (180, "iomap_dio_bio_end_io") { locks: "", state: "r/w: PG_dirty, refcount" }
    /// block/bio.c `submit_bio_wait_endio()`: `complete()` wakes the submitter.
    SubmitBioWaitEndio = (181, "submit_bio_wait_endio") { locks: "", state: "w: bio" }
    /// fs/ext4/file.c `ext4_dio_read_iter()`: `inode_lock_shared()`.
    InodeLockShared = (182, "inode_lock_shared") { locks: "", state: "w: i_rwsem (shared)" }
    /// mm/vmscan.c `shrink_folio_list()` of an unmapped lazily freed folio:
    /// `folio_ref_freeze(folio, 1)` (only the isolation's reference is
    /// left: else keep it).
    ShrinkFolioLazyfree = (183, "shrink_folio_list:lazyfree") { locks: "folio lock", state: "r/w: refcount" }
    /// mm/truncate.c `folio_unmap_invalidate()` (`invalidate_complete_folio2()`
    /// before 4a9e23159fd3) from `invalidate_inode_pages2_range()`: the
    /// filesystem's `->release_folio`, then under `xa_lock` a dirty folio
    /// refused (`-EBUSY`), else `__filemap_remove_folio()` and
    /// `filemap_free_folio()` whatever other references the folio has.
    FolioUnmapInvalidate = (184, "folio_unmap_invalidate") { locks: "folio lock, xa_lock", state: "r: PG_dirty, PG_private; w: slot, nrpages, refcount" }
    /// fs/xfs/xfs_iomap.c `xfs_direct_write_iomap_begin()` under
    /// `XFS_ILOCK_EXCL`: the page's blocks mapped, a hole or delalloc
    /// allocated unwritten (`xfs_iomap_write_direct()`).
    XfsDirectWriteIomapBegin = (185, "xfs_direct_write_iomap_begin") { locks: "XFS_ILOCK_EXCL", state: "r/w: data fork, block allocator" }
    /// fs/xfs/xfs_file.c `xfs_dio_write_end_io()` from
    /// `iomap_dio_complete()`: the unwritten extents the write went to
    /// converted (`xfs_iomap_write_unwritten()`), `i_size` extended.
    XfsDioWriteEndIo = (186, "xfs_dio_write_end_io") { locks: "XFS_ILOCK_EXCL", state: "w: data fork, if_seq, i_size" }
    /// fs/ext4/file.c `ext4_dio_write_checks()`: `ext4_extending_io()` and
    /// `ext4_overwrite_io()` (`ext4_map_blocks(NULL, inode, &map, 0)`,
    /// under `down_read(i_data_sem)` when the extent-status cache misses);
    /// a shared `i_rwsem` dropped to be taken exclusive (`goto restart`).
    Ext4DioWriteChecks = (207, "ext4_dio_write_checks") { locks: "i_rwsem, i_data_sem (read)", state: "r: i_size, extent tree; w: i_rwsem (upgrade)" }
    /// fs/ext4/inode.c `ext4_iomap_begin()` → `ext4_iomap_alloc()` →
    /// `ext4_map_blocks()` under `down_write(i_data_sem)`: holes allocated,
    /// written past `i_size` (`EXT4_GET_BLOCKS_CREATE`), unwritten inside it
    /// (`EXT4_GET_BLOCKS_IO_CREATE_EXT`).
    Ext4IomapBegin = (208, "ext4_iomap_begin") { locks: "i_rwsem, i_data_sem (write)", state: "r/w: extent tree, extent status, block allocator" }
    /// fs/ext4/file.c `ext4_dio_write_end_io()` from `iomap_dio_complete()`:
    /// unwritten extents converted (`ext4_convert_unwritten_extents()`,
    /// `down_write(i_data_sem)`), `i_size` extended since 91562895f803.
    Ext4DioWriteEndIo = (209, "ext4_dio_write_end_io") { locks: "i_rwsem, i_data_sem (write)", state: "w: extent tree, extent status, i_size" }
    /// fs/ext4/file.c `ext4_handle_inode_extension()` after `iomap_dio_rw()`
    /// returned (before 91562895f803): `i_size` extended under the
    /// exclusive `i_rwsem`, then `inode_unlock()`.
    Ext4HandleInodeExtension = (210, "ext4_handle_inode_extension") { locks: "i_rwsem", state: "w: i_size, i_rwsem (released)" }
    /// fs/namei.c `vfs_unlink()`: `inode_lock(target)` (the unlinked
    /// file's `i_rwsem`; the parent directory is not modelled).
    VfsUnlink = (211, "vfs_unlink") { locks: "i_rwsem", state: "w: i_rwsem (held)" }
    /// fs/namei.c `vfs_unlink()` → `dir->i_op->unlink()`: `drop_nlink()`
    /// of the file's one name, then `inode_unlock(target)` and
    /// `d_delete()`; `open()` of the name now fails.
    DropNlink = (212, "drop_nlink") { locks: "i_rwsem", state: "w: i_nlink, i_rwsem (released)" }
    /// mm/filemap.c `kiocb_invalidate_post_direct_write()` (inline in
    /// `iomap_dio_complete()` before c402a9a9430b): `if (mapping->nrpages)`,
    /// a lockless read; with pages, `invalidate_inode_pages2_range()`.
    KiocbInvalidatePostDirectWrite = (187, "kiocb_invalidate_post_direct_write") { locks: "", state: "r: nrpages" }
    /// mm/truncate.c `mapping_evict_folio()` on a locked folio from
    /// `mapping_try_invalidate()`: skip it if dirty, under writeback or
    /// referenced beyond the page cache, its private data and the lookup
    /// (`folio_ref_count() > nr + folio_has_private() + 1`: mapped, pinned,
    /// isolated), lockless reads under the folio lock.
    MappingEvictFolio = (188, "mapping_evict_folio") { locks: "folio lock", state: "r: PG_dirty, PG_writeback, PG_private, refcount" }
    /// mm/truncate.c `remove_mapping()`: after `__remove_mapping()` took
    /// the folio out, `folio_ref_unfreeze(folio, 1)` drops the page
    /// cache's reference (the lookup's stays).
    RemoveMappingUnfreeze = (189, "remove_mapping:unfreeze") { locks: "", state: "w: refcount" }
    /// fs/drop_caches.c `drop_pagecache_sb()`, one inode: under
    /// `s_inode_list_lock` and `i_lock`, skip one `I_FREEING`, `I_WILL_FREE`
    /// or `I_NEW`, or with no pages; else `__iget()`.
    DropPagecacheSb = (190, "drop_pagecache_sb") { locks: "s_inode_list_lock, i_lock", state: "r: i_state, nrpages; w: i_count" }
    /// fs/inode.c `iput()`: `i_count` decremented (`atomic_add_unless()`);
    /// the last reference of an unlinked inode goes on to `iput_final()`.
    Iput = (191, "iput") { locks: "", state: "w: i_count" }
    // ---- block layer: a bio's own context --------------------------------------------
    /// The device's DMA for a write bio: reads the frame's memory *at transfer
    /// time* and writes it to the disk block the bio was submitted for.
    /// Model of what happens between `submit_bio()` (block/blk-core.c) and the
    /// device raising the completion; the frame is whatever the physical page
    /// holds now, which is how a stale-page DMA write happens (seed 003,
    /// Matthew Wilcox, 24 Nov 2020).
    DmaTransfer = (0, "dma_transfer") { locks: "", state: "r: folio data, inc (at transfer time); w: disk blocks" }
    /// The device's DMA for a read bio: copies the disk block into the frame.
    DmaRead = (1, "dma_read") { locks: "", state: "r: disk blocks; w: folio data" }
    /// mm/filemap.c `folio_end_writeback()` up to and including
    /// `__folio_end_writeback()` (mm/page-writeback.c): `VM_BUG_ON(!PG_writeback)`,
    /// PG_reclaim rotation, then — with toggle 073861ed77b6 — `folio_get()`, then
    /// the clear of PG_writeback and of the WRITEBACK mark under `xa_lock`. Before
    /// 073861ed77b6 this is `end_page_writeback()` → `test_clear_page_writeback()`
    /// with no reference held.
    FolioEndWritebackClear = (2, "__folio_end_writeback") { locks: "", state: "r: PG_waiters; w: PG_writeback, PG_reclaim, AS_EIO, refcount, WB mark" }
    /// mm/filemap.c `folio_wake_bit(folio, PG_writeback)`; before the folio
    /// conversion `wake_up_page()` → `wake_up_page_bit()`, which first reads
    /// `PageWaiters(page)` on a page it may no longer own.
    EndWritebackWake = (3, "folio_wake_bit") { locks: "q->lock (v5.x: PageWaiters read first)", state: "r: PG_waiters (v5.x), waitqueue; w: waiters' wait flags, PG_waiters" }
    /// The `folio_put()` at the end of `folio_end_writeback()` (073861ed77b6).
    EndWritebackPut = (4, "folio_end_writeback:put") { locks: "", state: "w: refcount (at 0: PG_lru, free list)" }
    /// Read completion (`mpage_read_end_io` / `end_buffer_async_read`): set
    /// uptodate and `folio_unlock()`.
    ReadEndio = (5, "folio_end_read") { locks: "", state: "w: PG_uptodate, ifs uptodate, PG_locked; r: PG_waiters; wake" }

    // ---- waiting on a folio bit: mm/filemap.c ------------------------------------------
    /// mm/filemap.c `folio_wait_bit_common()` up to `spin_unlock_irq(&q->lock)`:
    /// set PG_waiters, `folio_trylock_flag()`, add to the tail of the hashed
    /// waitqueue (2a9127fcf229 and later). Before 2a9127fcf229 (v5.7
    /// `wait_on_page_bit_common()`): add to the queue if not on it,
    /// `SetPageWaiters`, `set_current_state()`.
    FolioWaitBitCommon = (6, "folio_wait_bit_common") { locks: "q->lock (hashed waitqueue)", state: "r/w: PG_waiters, the bit (trylock); w: waitqueue, own wait entry" }
    /// v5.7 `wait_on_page_bit_common()`: `bit_is_set = test_bit()` after dropping
    /// the queue lock, then `io_schedule()` if it was set (before 2a9127fcf229).
    IoSchedule = (7, "io_schedule") { locks: "", state: "r: the bit; own task state" }
    /// After waking: the loop in `folio_wait_bit_common()` (for a SHARED waiter,
    /// woken means done, no re-test of the bit; an EXCLUSIVE one takes the bit
    /// or goes back to `repeat`), then `finish_wait()`. Before 2a9127fcf229:
    /// `finish_wait()` alone, after the re-test (`folio_wait_bit_common:retest`)
    /// decided to leave.
    FinishWait = (8, "finish_wait") { locks: "", state: "r: own wait->flags; r/w: PG_locked (unfair retake); w: waitqueue" }
    /// include/linux/pagemap.h `folio_lock()`: `might_sleep()`, `folio_trylock()`;
    /// on failure `__folio_lock()` = `folio_wait_bit_common(EXCLUSIVE)`.
    FolioLock = (9, "folio_lock") { locks: "", state: "r/w: PG_locked (test_and_set_bit_lock)" }
    /// include/linux/pagemap.h `folio_trylock()` (reclaim, `find_lock_entries`).
    FolioTrylock = (10, "folio_trylock") { locks: "", state: "r/w: PG_locked" }
    /// mm/filemap.c `folio_unlock()`: clear PG_locked and test PG_waiters in one
    /// atomic op, then `folio_wake_bit(folio, PG_locked)` if there were waiters.
    FolioUnlock = (11, "folio_unlock") { locks: "", state: "w: PG_locked; r: PG_waiters; waitqueue, waiters (wake)" }
    /// mm/page-writeback.c `folio_wait_writeback()`: the test of PG_writeback at
    /// the loop head. `while` since c2407cf7d22d; `if` before.
    FolioWaitWriteback = (12, "folio_wait_writeback") { locks: "", state: "r: PG_writeback" }

    // ---- page cache: mm/filemap.c --------------------------------------------------------
    /// mm/filemap.c `filemap_get_entry()`: the lockless `xas_load()` of the
    /// slot under `rcu_read_lock()` (the read path also tests `i_size` here).
    FilemapGetEntry = (13, "filemap_get_entry") { locks: "", state: "r: slot, i_size" }
    /// include/linux/page_ref.h `folio_try_get()` in `filemap_get_entry()`:
    /// an atomic increment unless zero, on the folio loaded a step before
    /// (frozen or free: `goto repeat`; reused meanwhile: a speculative
    /// reference on its new owner).
    FolioTryGet = (127, "folio_try_get") { locks: "", state: "r/w: refcount" }
    /// mm/filemap.c `filemap_get_entry()`: `xas_reload()`; a changed slot
    /// drops the speculative reference (`folio_put()`, perhaps the last) and repeats.
    XasReload = (128, "xas_reload") { locks: "", state: "r: slot; repeat: w: refcount (put)" }
    /// mm/filemap.c `__filemap_get_folio(FGP_LOCK)`: after `folio_lock()`,
    /// re-check `folio->mapping` (truncated meanwhile: unlock, put, retry).
    FilemapGetFolioRecheck = (14, "__filemap_get_folio") { locks: "folio lock", state: "r: folio->mapping, index; retry: w: PG_locked, refcount" }
    /// mm/filemap.c `filemap_alloc_folio()` → mm/page_alloc.c: take the most
    /// recently freed frame (per-cpu lists are LIFO), bump its incarnation.
    FilemapAllocFolio = (15, "filemap_alloc_folio") { locks: "zone->lock / pcp lock", state: "r/w: free list; w: new folio (inc, refcount, flags)" }
    /// include/linux/page-flags.h `__folio_set_locked()`: a *non-atomic*
    /// read-modify-write of `folio->flags`: the load half.
    SetLockedLoad = (16, "__folio_set_locked:load") { locks: "", state: "r: folio->flags (non-atomic load)" }
    /// `__folio_set_locked()`: the store half (writes back what was loaded,
    /// losing any concurrent atomic change).
    SetLockedStore = (17, "__folio_set_locked:store") { locks: "", state: "w: folio->flags (whole word, non-atomic)" }
    /// mm/filemap.c `filemap_add_folio()` → `__filemap_add_folio()`: take the
    /// page-cache reference, insert under `xa_lock`; `-EEXIST` if raced.
    FilemapAddFolio = (18, "filemap_add_folio") { locks: "xa_lock (insert only, not ref/LRU)", state: "r/w: slot, nrpages; w: mapping, index, refcount, PG_lru" }
    /// mm/filemap.c `generic_perform_write()`: `copy_folio_from_iter_atomic()`
    /// into the locked folio.
    CopyFolioFromIter = (19, "copy_folio_from_iter") { locks: "folio lock, i_rwsem", state: "w: folio data (simple fs: + PG_uptodate)" }
    /// fs/buffer.c / fs/libfs.c `generic_write_end()` → `folio_mark_dirty()`
    /// (PG_dirty and the DIRTY mark) and `i_size_write()` if extending.
    FolioMarkDirty = (20, "folio_mark_dirty") { locks: "folio lock, i_rwsem", state: "w: PG_dirty, DIRTY mark, i_size" }
    /// include/linux/mm.h `folio_put()`: drop a reference; free at zero.
    FolioPut = (21, "folio_put") { locks: "", state: "w: refcount (at 0: PG_lru, free list)" }
    /// mm/filemap.c `filemap_read()` → `copy_folio_to_iter()`.
    CopyFolioToIter = (22, "copy_folio_to_iter") { locks: "", state: "r: folio data (uptodate folio, reference held)" }
    /// mm/filemap.c `filemap_read_folio()` on a new locked folio: submit the read.
    FilemapReadFolio = (23, "filemap_read_folio") { locks: "folio lock", state: "r: folio->mapping, index; w: read bio" }
    /// include/linux/fs.h `inode_lock()`: `down_write(&inode->i_rwsem)`.
    InodeLock = (24, "inode_lock") { locks: "", state: "w: i_rwsem (truncate, fallocate: + inode glock)" }
    /// include/linux/fs.h `inode_unlock()`; for a write, the syscall returns here.
    InodeUnlock = (25, "inode_unlock") { locks: "", state: "w: i_rwsem (+ glock, invalidate_lock; truncate: fs blocks)" }

    // ---- writeback: mm/page-writeback.c ------------------------------------------------------
    /// mm/page-writeback.c `tag_pages_for_writeback()` (WB_SYNC_ALL): set TOWRITE on
    /// every DIRTY entry.
    TagPagesForWriteback = (26, "tag_pages_for_writeback") { locks: "xa_lock", state: "r: DIRTY marks; w: TOWRITE marks" }
    /// mm/filemap.c `filemap_get_folios_tag()`: a batch of tagged folios, a
    /// reference on each (`writeback_iter()` / `write_cache_pages()`).
    FilemapGetFoliosTag = (27, "filemap_get_folios_tag") { locks: "", state: "r: slots, tag marks; w: refcount of each folio (try_get)" }
    /// mm/page-writeback.c `folio_prepare_writeback()` (v6.8+; the same tests
    /// are inline in `write_cache_pages()` before): `folio->mapping` still ours,
    /// PG_dirty set, and if PG_writeback: skip (WB_SYNC_NONE) or
    /// `folio_wait_writeback()` (WB_SYNC_ALL).
    FolioPrepareWriteback = (28, "folio_prepare_writeback") { locks: "folio lock", state: "r: folio->mapping, PG_dirty, PG_writeback" }
    /// mm/page-writeback.c: `BUG_ON(folio_test_writeback(folio))` after the wait,
    /// then `folio_clear_dirty_for_io()`.
    FolioClearDirtyForIo = (29, "folio_clear_dirty_for_io") { locks: "folio lock", state: "r: PG_writeback; w: PG_dirty, BH_Dirty (gfs2: r: JLOGGED)" }
    /// mm/page-writeback.c `__folio_start_writeback()`: set PG_writeback and the
    /// WRITEBACK mark, clear TOWRITE, under `xa_lock` (caller holds the lock).
    FolioStartWriteback = (30, "__folio_start_writeback") { locks: "xa_lock, folio lock", state: "r: PG_dirty; w: PG_writeback, WRITEBACK/DIRTY/TOWRITE marks" }
    /// block/blk-core.c `submit_bio()`: the bio is handed to the device.
    SubmitBio = (31, "submit_bio") { locks: "folio lock", state: "r: folio->mapping, index; w: bio" }
    /// include/linux/pagevec.h `folio_batch_release()`: put every reference of the batch.
    FolioBatchRelease = (32, "folio_batch_release") { locks: "", state: "w: refcount of each folio (at 0: PG_lru, free list)" }
    /// mm/filemap.c `filemap_check_errors()`: the end of `file_write_and_wait_range()`;
    /// fsync returns here.
    FilemapCheckErrors = (33, "filemap_check_errors") { locks: "", state: "r/w: AS_EIO (test and clear)" }

    // ---- truncate: mm/truncate.c -------------------------------------------------------------
    /// mm/truncate.c `truncate_setsize()` → `i_size_write()`.
    TruncateSetsize = (34, "truncate_setsize") { locks: "i_rwsem (+ invalidate_lock, glock)", state: "w: i_size" }
    /// mm/filemap.c `find_lock_entries()`, one entry: `folio_try_get()`,
    /// `folio_trylock()`, skip if truncated or under writeback.
    FindLockEntries = (35, "find_lock_entries") { locks: "", state: "r: slot, folio->mapping, PG_writeback; w: refcount, PG_locked" }
    /// mm/truncate.c `truncate_inode_pages_range()` pass 1: `truncate_cleanup_folio()`
    /// on the batch and `delete_from_page_cache_batch()` under `xa_lock`.
    DeleteFromPageCacheBatch = (36, "delete_from_page_cache_batch") { locks: "folio locks (xa_lock: delete only)", state: "w: PG_dirty, buffers, slots, marks, mapping, nrpages, refcounts" }
    /// mm/filemap.c `find_get_entries()`: the batch of pass 2, a reference each.
    FindGetEntries = (37, "find_get_entries") { locks: "", state: "r: slots; w: refcount of each folio (try_get)" }
    /// mm/truncate.c `truncate_inode_folio()`: `truncate_cleanup_folio()` and
    /// `filemap_remove_folio()` (drops the page-cache reference).
    TruncateInodeFolio = (38, "truncate_inode_folio") { locks: "folio lock (xa_lock: delete only)", state: "r: folio->mapping; w: PG_dirty, buffers, slot, nrpages, refcount" }

    // ---- reclaim: mm/vmscan.c ----------------------------------------------------------------
    /// mm/vmscan.c `folio_isolate_lru()`: take a folio off the LRU, with a reference.
    FolioIsolateLru = (39, "folio_isolate_lru") { locks: "lruvec->lru_lock", state: "r/w: refcount, PG_lru (migration: + lru_disable_count, bh LRUs)" }
    /// mm/vmscan.c `shrink_folio_list()`: the PG_writeback / PG_dirty / mapped tests
    /// on a locked folio (writeback: set PG_reclaim and keep it).
    ShrinkFolioList = (40, "shrink_folio_list") { locks: "folio lock", state: "r: PG_writeback, PG_dirty, PG_private, mapping; w: PG_reclaim" }
    /// mm/vmscan.c `__remove_mapping()`: `folio_ref_freeze(folio, 1 + nr)` and the
    /// removal from the page cache under `xa_lock`.
    RemoveMapping = (41, "__remove_mapping") { locks: "xa_lock (taken at its start)", state: "r: PG_dirty; r/w: refcount (freeze)" }
    /// mm/filemap.c `page_cache_delete()` from `__remove_mapping()`, xa_lock
    /// held: `xas_store(&xas, NULL)`, `xas_init_marks()` — lockless lookups
    /// no longer find the folio.
    PageCacheDelete = (115, "page_cache_delete") { locks: "xa_lock", state: "w: slot, marks" }
    /// The rest of `page_cache_delete()` — `folio->mapping = NULL;
    /// mapping->nrpages -= nr;` — and `xa_unlock_irq()` in
    /// `__remove_mapping()`. Apart from the store because a lockless reader
    /// (a truncation's `find_get_entries()`, then `clear_inode()`'s
    /// `nrpages` test) can see the slots empty and the count not yet
    /// updated (08142579b6ca).
    PageCacheDeleteAccount = (116, "page_cache_delete:nrpages") { locks: "xa_lock (released at its end)", state: "w: folio->mapping, nrpages" }
    /// Before 9a1ea439b16b (v5.0): `__folio_clear_locked()` in
    /// `shrink_folio_list()` (non-atomic) on the frozen folio: the load.
    ClearLockedLoad = (42, "__folio_clear_locked:load") { locks: "", state: "r: folio->flags (non-atomic load)" }
    /// Before 9a1ea439b16b: `__folio_clear_locked()`: the store.
    ClearLockedStore = (43, "__folio_clear_locked:store") { locks: "", state: "w: folio->flags (whole word, non-atomic)" }
    /// mm/page_alloc.c `free_unref_folios()`: the frozen folio goes back to the allocator.
    FreeUnrefFolios = (44, "free_unref_folios") { locks: "zone->lock / pcp lock", state: "r: flags (check at free); w: frame, free list" }
    /// mm/vmscan.c `folio_putback_lru()`: unlock and drop the isolation reference.
    FolioPutbackLru = (45, "folio_putback_lru") { locks: "", state: "w: PG_locked (+ wake), PG_lru, refcount" }

    // ---- buffer heads: fs/buffer.c ----------------------------------------------------------------
    /// fs/buffer.c `lookup_bh_lru()`: this CPU's bh LRU, irqs off; a hit takes
    /// `get_bh()` with no lock at all.
    LookupBhLru = (46, "lookup_bh_lru") { locks: "bh_lru_lock (local irqs off)", state: "r/w: this CPU's bh LRU; r: b_blocknr; w: b_count" }
    /// fs/buffer.c `__find_get_block_slow()`: `__filemap_get_folio()` of the
    /// block device folio, its `filemap_get_entry()` `xas_load()` (the
    /// try-get and reload are the next steps; the folio reference is held
    /// for the lookup's duration).
    FindGetBlockSlow = (47, "__find_get_block_slow") { locks: "", state: "r: bdev slot" }
    /// `__find_get_block_slow()`: `spin_lock(&bd_mapping->i_private_lock)` for
    /// atomic lookups; `folio_lock()` for sleeping ones (7ffe3de53a88).
    FindGetBlockLock = (48, "__find_get_block_slow:lock") { locks: "", state: "w: i_private_lock, or PG_locked (folio_lock)" }
    /// `__find_get_block_slow()`: `folio_buffers()`, the BH_Migrate bail-out
    /// (2d900efff915), the walk of `b_this_page` (under the lock taken in
    /// the step before; `get_bh()` is the next step).
    FindGetBlockWalk = (49, "__find_get_block_slow:walk") { locks: "i_private_lock or folio lock", state: "r: folio->private, BH_Migrate, b_this_page, b_blocknr" }
    /// fs/buffer.c `bh_lru_install()`: take an LRU reference (refused while
    /// `lru_cache_disabled()`, 8cc621d2f45d), evict and `brelse()` the last slot.
    BhLruInstall = (50, "bh_lru_install") { locks: "bh_lru_lock (irqs off; not the brelse)", state: "r: lru_disable_count; r/w: CPU's bh LRU; w: b_count (+ evictee)" }
    /// fs/buffer.c `__getblk_slow()` → `grow_dev_folio()`: the block device folio,
    /// locked (`__filemap_get_folio(FGP_LOCK | FGP_CREAT)`).
    GetblkSlow = (51, "__getblk_slow") { locks: "", state: "as __filemap_get_folio's last step: slot, refcount, PG_locked" }
    /// fs/buffer.c `folio_create_empty_buffers()` + `link_dev_buffers()`: a ring
    /// of buffer heads attached under `i_private_lock`, mapped to their blocks.
    CreateEmptyBuffers = (52, "create_empty_buffers") { locks: "folio lock (i_private_lock inside)", state: "r: disk; w: data, PG_uptodate, bh ring, private; PG_locked, ref" }
    /// A metadata user's update of `bh->b_data` (the folio memory the pointer
    /// it read at lookup designates), under its own lock only.
    BhDataWrite = (53, "b_data:write") { locks: "", state: "w: folio data through b_data, BH_Meta" }
    /// fs/buffer.c `mark_buffer_dirty()`: BH_Dirty, then `folio_mark_dirty(bh->b_folio)`.
    MarkBufferDirty = (54, "mark_buffer_dirty") { locks: "", state: "w: BH_Dirty, PG_dirty, DIRTY mark" }
    /// fs/buffer.c `__brelse()`: drop `b_count`.
    Brelse = (55, "brelse") { locks: "", state: "w: b_count" }
    /// fs/buffer.c `try_to_free_buffers()`: under `i_private_lock`, free the ring
    /// unless a buffer is busy (`b_count`, dirty or locked).
    TryToFreeBuffers = (56, "try_to_free_buffers") { locks: "folio lock, i_private_lock", state: "r: b_count, BH_Dirty/Lock (gfs2: bd_tr); w: ring, private, ref" }
    /// fs/buffer.c `invalidate_bh_lrus()`: every CPU drops its LRU references (IPI).
    InvalidateBhLrus = (57, "invalidate_bh_lrus") { locks: "", state: "w: every CPU's bh LRU, b_count" }

    // ---- migration: mm/migrate.c -------------------------------------------------------------------
    /// mm/migrate.c `migrate_folio_unmap()` → `alloc_migration_target()`: the destination folio.
    AllocMigrationTarget = (58, "alloc_migration_target") { locks: "src folio lock", state: "r/w: free list; r: src folio->private; w: dst folio" }
    /// mm/migrate.c `__buffer_migrate_folio()`: no buffers → `migrate_folio()`;
    /// `folio_ref_count(src) != expected` → -EAGAIN; Luis Chamberlain's v2 1/8:
    /// `buffer_meta(head)` → -EAGAIN.
    BufferMigrateFolio = (59, "__buffer_migrate_folio") { locks: "src folio lock", state: "r: src refcount, folio->private, head BH_Meta" }
    /// mm/migrate.c `buffer_migrate_lock_buffers()`, one buffer: `trylock_buffer()`
    /// or `lock_buffer()` (MIGRATE_SYNC); Matthew Wilcox's per-bh variant:
    /// `buffer_meta(bh)` → unlock and fail.
    LockBuffer = (60, "buffer_migrate_lock_buffers") { locks: "", state: "r/w: BH_Lock of one buffer; r: BH_Meta (per-bh variant)" }
    /// 2d900efff915: `test_and_set_bit_lock(BH_Migrate, &head->b_state)`.
    SetBhMigrate = (61, "BH_Migrate:set") { locks: "", state: "r/w: head BH_Migrate" }
    /// The norefs check: `spin_lock(&mapping->i_private_lock)`, every `b_count`
    /// zero? `spin_unlock()` right after (89cb0888ca14, 2d900efff915), or only at
    /// the end (ebdf4de5642f).
    NorefsCheck = (62, "__buffer_migrate_folio:check") { locks: "i_private_lock", state: "r: b_count of every buffer of the ring" }
    /// mm/util.c `folio_mc_copy()` (before the mapping move since 060913999d7a):
    /// copies page by page with `cond_resched()` — a sleep for a large folio.
    FolioMcCopy = (63, "folio_mc_copy") { locks: "src and dst folio locks", state: "r: src data, PG_uptodate, ifs; w: dst data, flags" }
    /// mm/migrate.c `__folio_migrate_mapping()`: `folio_ref_freeze(src, expected)`,
    /// replace the xarray entry, move `private`, unfreeze.
    FolioMigrateMapping = (64, "__folio_migrate_mapping") { locks: "xa_lock, src+dst folio locks", state: "r/w: src refcount (freeze), slot; w: dst mapping, ref, flags, private" }
    /// fs/buffer.c `folio_set_bh()` for every buffer: `b_folio` / `b_data` now in dst.
    FolioSetBh = (65, "folio_set_bh") { locks: "BH_Lock (all), src+dst folio locks", state: "w: b_folio, b_data of every buffer" }
    /// The copy after the move (v5.x `migrate_page_copy()`, before 060913999d7a).
    MigratePageCopy = (66, "migrate_page_copy") { locks: "src and dst folio locks", state: "r: src data; w: dst data, PG_uptodate, ifs" }
    /// `__buffer_migrate_folio()` `unlock_buffers:`: clear BH_Migrate (2d900efff915),
    /// `spin_unlock()` (ebdf4de5642f), `unlock_buffer()` each buffer.
    UnlockBuffers = (67, "unlock_buffer") { locks: "", state: "w: BH_Migrate, i_private_lock, BH_Lock of every buffer" }
    /// mm/migrate.c `migrate_folio_move()` done: unlock both folios, the source's
    /// last reference goes (it is freed), the destination goes on the LRU.
    MigrateFolioDone = (68, "migrate_folio_done") { locks: "", state: "w: PG_locked (src, dst), refcounts, dst PG_lru" }
    /// mm/migrate.c `migrate_folio_undo_src()` / `_dst()`: the attempt failed
    /// (-EAGAIN): put the source back, free the destination.
    MigrateFolioUndo = (69, "migrate_folio_undo_src") { locks: "", state: "w: PG_locked, PG_lru, refcounts (src, dst), lru_disable_count" }

    // ---- iomap buffered writes and reads (fs/iomap/buffered-io.c) -------------------
    /// fs/xfs/xfs_iomap.c `xfs_buffered_write_iomap_begin()`: under ILOCK_EXCL,
    /// look the data fork up; a hole gets a delalloc reservation
    /// (`xfs_bmapi_reserve_delalloc()`, `if_seq` bumped) and `IOMAP_F_NEW`; the
    /// cookie `xfs_iomap_inode_sequence()` is sampled, ILOCK dropped. The
    /// mapping the write then uses for every folio it covers.
    XfsBufferedWriteIomapBegin = (70, "xfs_buffered_write_iomap_begin") { locks: "XFS_ILOCK_EXCL", state: "r/w: data fork (delalloc), if_seq" }
    /// fs/xfs/xfs_iomap.c `xfs_iomap_valid()` called from `iomap_write_begin()`
    /// once the folio is locked (d7b64041164c, 304a68b9c63b): a cookie that
    /// differs from `if_seq` sets `IOMAP_F_STALE`. Before v6.2 nothing is checked.
    XfsIomapValid = (71, "xfs_iomap_valid") { locks: "", state: "r: if_seq (lockless)" }
    /// fs/iomap/buffered-io.c `__iomap_write_begin()`: for each block the write
    /// covers only in part and that is not uptodate, `iomap_block_needs_zeroing()`
    /// decides: zero it (hole, delalloc, unwritten, new, beyond EOF) or read it
    /// from disk.
    IomapWriteBegin = (72, "__iomap_write_begin") { locks: "folio lock, i_rwsem", state: "r: i_size, disk (read); w: folio data, ifs uptodate" }
    /// fs/iomap/buffered-io.c `__iomap_write_end()`: the written range uptodate
    /// and dirty (`iomap_set_range_dirty()`, `filemap_dirty_folio()`), `i_size_write()`.
    IomapWriteEnd = (73, "__iomap_write_end") { locks: "folio lock, i_rwsem", state: "w: ifs uptodate/dirty, PG_uptodate, PG_dirty, DIRTY mark, i_size" }
    /// fs/iomap/buffered-io.c `iomap_write_delalloc_release()` from
    /// `xfs_buffered_write_iomap_end()`: after a short write, the delalloc
    /// blocks the mapping reserved past the written range are punched, except
    /// where dirty page cache still needs them (f43dc4dc3eff, v6.2; under
    /// `invalidate_lock` with 198dd8aedee6).
    IomapWriteDelallocRelease = (74, "iomap_write_delalloc_release") { locks: "XFS_ILOCK_EXCL, i_rwsem", state: "r/w: data fork (delalloc to hole), if_seq" }
    /// fs/buffer.c `__block_write_begin_int()` (gfs2's `IOMAP_F_BUFFER_HEAD`
    /// path, ext4's `ext4_da_write_begin()`): buffers created if the folio has
    /// none, then the same zero-or-read decision per partially written buffer.
    BlockWriteBegin = (75, "__block_write_begin_int") { locks: "folio lock, i_rwsem, inode glock", state: "r: i_size, disk; w: bh ring, folio data, uptodate bits" }
    /// fs/buffer.c `block_write_end()` → `__block_commit_write()`:
    /// `mark_buffer_dirty()` on the written buffers (PG_dirty is set directly,
    /// not through `->dirty_folio`), `i_size` if extended.
    BlockWriteEnd = (76, "block_write_end") { locks: "folio lock, i_rwsem", state: "w: uptodate/dirty bits, BH_Dirty, PG_dirty, DIRTY mark, i_size" }
    /// fs/iomap/buffered-io.c `iomap_read_folio()`: the folio's blocks mapped;
    /// holes, delalloc and unwritten blocks zeroed, written ones read by a bio
    /// (or synchronously, for a cached folio that is only partly uptodate).
    IomapReadFolio = (77, "iomap_read_folio") { locks: "folio lock", state: "r: extent map, disk (sync); w: data, uptodate, bio, PG_locked" }
    /// mm/filemap.c `filemap_fault()` (the read fault before a write fault):
    /// the page is found or read in, uptodate, with a reference.
    FilemapFault = (78, "filemap_fault") { locks: "", state: "w: invalidate_lock (shared; ->fault's, released)" }
    /// fs/buffer.c `block_page_mkwrite()` (and `iomap_page_mkwrite()`): with the
    /// folio locked, check it was not truncated since the fault.
    BlockPageMkwrite = (79, "block_page_mkwrite") { locks: "folio lock", state: "r: folio->mapping, i_size" }
    /// mm/memory.c: the user's store through the writable PTE and
    /// `fault_dirty_shared_page()` (the folio dirty).
    FaultDirtySharedPage = (80, "fault_dirty_shared_page") { locks: "folio lock", state: "w: folio data, ifs/bh dirty, PG_uptodate, PG_dirty, DIRTY mark" }
    /// mm/filemap.c `filemap_invalidate_lock_shared()` (ext4's page fault; XFS's
    /// `XFS_MMAPLOCK_SHARED`).
    FilemapInvalidateLockShared = (81, "filemap_invalidate_lock_shared") { locks: "", state: "w: invalidate_lock (shared)" }
    /// `filemap_invalidate_unlock_shared()`.
    FilemapInvalidateUnlockShared = (82, "filemap_invalidate_unlock_shared") { locks: "", state: "w: invalidate_lock (shared) (fault end: gfs2 glock)" }
    /// `filemap_invalidate_lock()`: hole punching excludes page faults.
    FilemapInvalidateLock = (83, "filemap_invalidate_lock") { locks: "", state: "w: invalidate_lock (exclusive)" }
    /// `filemap_invalidate_unlock()`.
    FilemapInvalidateUnlock = (84, "filemap_invalidate_unlock") { locks: "", state: "w: invalidate_lock" }

    // ---- XFS writeback and space management ------------------------------------------
    /// fs/xfs/xfs_aops.c `xfs_map_blocks()` for a dirty block of a folio
    /// under writeback: the lockless `xfs_imap_valid()` of the cached
    /// mapping (range, and with d9252d526ba6 `data_seq` == `if_seq`); a
    /// valid one is used at once, else the lookup follows
    /// (`xfs_map_blocks:lookup`).
    XfsMapBlocks = (85, "xfs_map_blocks") { locks: "folio lock", state: "r: if_seq (lockless), ifs dirty/uptodate; w: ifs dirty" }
    /// fs/xfs/xfs_aops.c `xfs_end_ioend_write()` → fs/xfs/xfs_iomap.c
    /// `xfs_iomap_write_unwritten()` (ext4: `ext4_convert_unwritten_io_end_vec()`):
    /// after the DMA, in the ioend workqueue, before `folio_end_writeback()`,
    /// unwritten extents the bio wrote become written (`if_seq` bumped).
    XfsEndIoendConvert = (86, "xfs_iomap_write_unwritten") { locks: "XFS_ILOCK_EXCL / i_data_sem (write)", state: "r: bio blocks; r/w: data fork, if_seq (ext4: es entries)" }
    /// fs/xfs/xfs_bmap_util.c `xfs_alloc_file_space()`: preallocation, holes and
    /// delalloc become unwritten extents.
    XfsAllocFileSpace = (87, "xfs_alloc_file_space") { locks: "XFS_ILOCK_EXCL, i_rwsem", state: "r/w: data fork, if_seq, block allocator; w: i_size" }
    /// fs/xfs/libxfs/xfs_bmap.c `xfs_bunmapi()` from `xfs_free_file_space()`:
    /// the punched range's extents are freed.
    XfsBunmapi = (88, "xfs_bunmapi") { locks: "XFS_ILOCK_EXCL, i_rwsem, invalidate_lock", state: "r/w: data fork, if_seq, block allocator" }
    /// fs/open.c `vfs_fallocate()`: the filesystem has no `->fallocate`.
    VfsFallocate = (89, "vfs_fallocate") { locks: "", state: "none (-EOPNOTSUPP)" }

    // ---- ext4 delalloc ---------------------------------------------------------------
    /// fs/ext4/extents_status.c `ext4_es_lookup_extent()`: the extent-status
    /// cache, without `i_data_sem`.
    Ext4EsLookupExtent = (90, "ext4_es_lookup_extent") { locks: "i_es_lock", state: "r: es entry (recheck: + extent tree; w: es entry)" }
    /// kernel/locking/rwsem.c `down_read(&EXT4_I(inode)->i_data_sem)`.
    DownRead = (91, "down_read") { locks: "", state: "w: i_data_sem (shared)" }
    /// `up_read(&EXT4_I(inode)->i_data_sem)`.
    UpRead = (92, "up_read") { locks: "", state: "w: i_data_sem (shared)" }
    /// `down_write(&EXT4_I(inode)->i_data_sem)`.
    DownWrite = (93, "down_write") { locks: "", state: "w: i_data_sem (exclusive)" }
    /// `up_write(&EXT4_I(inode)->i_data_sem)`.
    UpWrite = (94, "up_write") { locks: "", state: "w: i_data_sem" }
    /// fs/ext4/inode.c `ext4_map_query_blocks()` (before 8e4e5cdf2fde the same
    /// `ext4_ext_map_blocks(NULL, inode, map, 0)` inline): the extent tree under
    /// `i_data_sem`; a mapped block is cached in the extent-status tree.
    Ext4MapQueryBlocks = (95, "ext4_map_query_blocks") { locks: "i_data_sem (read)", state: "r: extent tree; w: es entry" }
    /// fs/ext4/extents.c `ext4_ext_put_gap_in_cache()` (v6.8+:
    /// `ext4_ext_determine_insert_hole()`): `ext4_es_find_extent_range()` looks for
    /// a delayed entry in the hole and shortens the gap before it.
    Ext4EsFindExtentRange = (96, "ext4_es_find_extent_range") { locks: "i_data_sem (read), i_es_lock", state: "r: es entries over the hole" }
    /// fs/ext4/extents_status.c `ext4_es_insert_extent(..., EXTENT_STATUS_HOLE)`:
    /// the gap is cached as a hole, replacing whatever entries are there now.
    Ext4EsInsertExtent = (97, "ext4_es_insert_extent") { locks: "i_data_sem (read), i_es_lock", state: "w: es entries (hole)" }
    /// fs/ext4/inode.c `ext4_insert_delayed_block()` (since v6.11
    /// `ext4_insert_delayed_blocks()`, 1850d76c1b78, calling
    /// `ext4_es_insert_delayed_extent()`, 12eba993b94c): `ext4_da_reserve_space()`
    /// (`i_reserved_data_blocks++`), `ext4_es_insert_delayed_block()`.
    Ext4InsertDelayedBlock = (98, "ext4_insert_delayed_block") { locks: "i_data_sem (write; v6.7: read)", state: "w: i_reserved_data_blocks, es entry (delayed)" }
    /// fs/ext4/extents.c `ext4_ext_map_blocks()` with
    /// `EXT4_GET_BLOCKS_CREATE_UNWRIT_EXT` (fallocate): a hole is allocated as an
    /// unwritten extent and cached; a delayed block's reservation is claimed.
    Ext4ExtMapBlocks = (99, "ext4_ext_map_blocks") { locks: "i_data_sem (write)", state: "r/w: extent tree, block allocator, reserved, es entry" }
    /// fs/ext4/inode.c `mpage_map_one_extent()` → `ext4_map_blocks()` under
    /// `down_write(i_data_sem)`: writeback allocates the BH_Delay blocks
    /// (unwritten, dioread_nolock) and claims their reservations.
    Ext4MpageMapOneExtent = (100, "mpage_map_one_extent") { locks: "i_data_sem (write), folio lock", state: "r/w: extent tree, allocator, reserved, es; w: BH_Delay, dirty bits" }
    /// fs/ext4/readpage.c `ext4_mpage_readpages()`: the read bio for the blocks
    /// `ext4_map_blocks()` found written.
    Ext4MpageReadpages = (101, "ext4_mpage_readpages") { locks: "folio lock", state: "r: disk (sync); w: folio data, uptodate, bio, PG_locked" }
    /// fs/ext4/extents.c `ext4_ext_remove_space()` + `ext4_es_remove_extent()`:
    /// a punched range's blocks and extent-status entries go.
    Ext4ExtRemoveSpace = (102, "ext4_ext_remove_space") { locks: "i_data_sem (write), invalidate_lock", state: "r/w: extent tree, block allocator, es entries, reserved" }

    // ---- gfs2 journaled data ---------------------------------------------------------
    /// fs/gfs2/bmap.c `gfs2_iomap_begin()` → `gfs2_iomap_begin_write()` →
    /// `__gfs2_iomap_alloc()`: holes are
    /// allocated at write time (`IOMAP_F_NEW`).
    Gfs2IomapBegin = (103, "gfs2_iomap_begin") { locks: "inode glock (EX), rgrp glock", state: "r/w: extent map, if_seq, block allocator" }
    /// fs/gfs2/glock.c `gfs2_glock_nq()` on the inode glock: shared for a read
    /// (`gfs2_file_read_iter()`), exclusive for a write, truncate, fallocate or
    /// write fault. Within one node it orders them like a reader-writer lock.
    Gfs2GlockNq = (104, "gfs2_glock_nq") { locks: "", state: "w: inode glock (shared or exclusive)" }
    /// `gfs2_glock_dq()`.
    Gfs2GlockDq = (105, "gfs2_glock_dq") { locks: "", state: "w: inode glock" }
    /// fs/gfs2/bmap.c `gfs2_iomap_page_prepare()` (v6.3+: `gfs2_iomap_get_folio()`):
    /// `gfs2_trans_begin()`.
    Gfs2TransBegin = (106, "gfs2_trans_begin") { locks: "inode glock (EX)", state: "w: own transaction (mkwrite: extent map, allocator, bh ring)" }
    /// fs/gfs2/aops.c `gfs2_page_add_databufs()` (later `gfs2_trans_add_databufs()`):
    /// walk the folio's buffers (`page_buffers()`) and add the written ones to the
    /// current transaction. Before 80baab88bb93 it runs after `folio_unlock()`.
    Gfs2PageAddDatabufs = (107, "gfs2_page_add_databufs") { locks: "glock EX, folio lock (80baab88bb93+)", state: "r: folio->private, bh ring; w: BH_Uptodate, bd_tr, JLOGGED" }
    /// fs/gfs2/bmap.c end of `->page_done()` / `->put_folio()`:
    /// `__mark_inode_dirty(I_DIRTY_DATASYNC)` if the transaction has new buffers,
    /// `gfs2_trans_end()`.
    Gfs2TransEnd = (108, "gfs2_trans_end") { locks: "inode glock (EX)", state: "w: own transaction" }
    /// fs/gfs2/aops.c `gfs2_write_jdata_folio()` → `__block_write_full_folio()`:
    /// the folio's dirty buffers written in place.
    Gfs2WriteJdataFolio = (109, "gfs2_write_jdata_folio") { locks: "folio lock", state: "r: extent map, ifs dirty; w: ifs dirty/delay bits" }
    /// fs/gfs2/log.c `gfs2_log_flush()` (from `gfs2_jdata_writepages()` with
    /// WB_SYNC_ALL): committed transactions unpin their buffers.
    Gfs2LogFlush = (110, "gfs2_log_flush") { locks: "sd_log_flush_lock (write)", state: "r: buffers' folio->mapping; w: bd_tr of the file's buffers" }
    /// fs/gfs2/file.c `__gfs2_fallocate()`: blocks allocated and zeroed (gfs2
    /// has no unwritten extents).
    Gfs2Fallocate = (111, "__gfs2_fallocate") { locks: "inode glock (EX), i_rwsem", state: "r/w: extent map, block allocator; w: disk (zeroes), i_size" }
    /// fs/gfs2/bmap.c `punch_hole()`: the range's blocks are freed.
    Gfs2PunchHole = (112, "punch_hole") { locks: "inode glock (EX), i_rwsem", state: "r/w: extent map, if_seq, block allocator" }
    /// fs/gfs2/bmap.c `gfs2_iomap_end()` after a short write: the blocks
    /// `->iomap_begin` allocated (`IOMAP_F_NEW`) past what was written are
    /// deallocated (`truncate_pagecache_range()`, `punch_hole()`). Followed
    /// in the v7.0 tree (julianw1010/WASP-linux-7.0.0 @1d9f96d2d248).
    Gfs2IomapEnd = (113, "gfs2_iomap_end") { locks: "inode glock (EX), i_rwsem", state: "r/w: extent map, if_seq, block allocator" }
    /// fs/iomap/buffered-io.c `iomap_write_delalloc_scan()`: one folio of a
    /// short write's range, locked (`filemap_lock_folio()`); if dirty, the
    /// delalloc blocks before it are punched and its own are kept. Added by
    /// f43dc4dc3eff (v6.2, "iomap: buffered write failure should not
    /// truncate the page cache"); followed in the v7.0 tree.
    IomapWriteDelallocScan = (114, "iomap_write_delalloc_scan") { locks: "folio lock, i_rwsem (+ ILOCK_EXCL)", state: "r: mapping, PG_dirty, ifs dirty; w: data fork, PG_locked, ref" }

    // ---- inode eviction: fs/inode.c ----------------------------------------------------
    /// fs/inode.c `iput()` → `iput_final()` for the last reference of an
    /// unlinked inode: `inode->i_state |= I_FREEING` under `i_lock`, then
    /// `evict()` (`inode_io_list_del()`, `inode_sb_list_del()`).
    IputFinal = (117, "iput_final") { locks: "i_lock", state: "w: i_state (I_FREEING)" }
    /// mm/truncate.c `truncate_inode_pages_final()`: `mapping_set_exiting()`;
    /// if the xarray is not empty, cycle the xa_lock ("any ongoing tree
    /// modification that does not see AS_EXITING is completed",
    /// 91b0abe36a7b); then `truncate_inode_pages(mapping, 0)`.
    TruncateInodePagesFinal = (118, "truncate_inode_pages_final") { locks: "", state: "r: slots (mapping_empty); xa_lock cycled" }
    /// `->evict_inode` of an unlinked inode (`ext2_evict_inode()`,
    /// `ext4_evict_inode()`, `xfs_fs_evict_inode()` + inactivation, gfs2's
    /// `gfs2_evict_inode()`): its blocks are freed.
    EvictInode = (119, "evict_inode") { locks: "ILOCK_EXCL / i_data_sem (w) / glock", state: "r/w: extent map, block allocator (simple fs: disk blocks)" }
    /// fs/inode.c `clear_inode()`: `BUG_ON(inode->i_data.nrpages)` — inside
    /// `xa_lock_irq()` since 08142579b6ca (v3.0), so a reclaim still in its
    /// xa_lock section is waited for — then `I_FREEING | I_CLEAR`.
    ClearInode = (120, "clear_inode") { locks: "xa_lock (08142579b6ca)", state: "r: nrpages; w: i_state" }

    // ---- XFS reads ---------------------------------------------------------------------
    /// fs/xfs/xfs_file.c `xfs_file_buffered_read()` → `xfs_ilock_iocb(iocb,
    /// XFS_IOLOCK_SHARED)`: `inode->i_rwsem` shared around
    /// `filemap_read()`, so a read(2) never overlaps a write, truncate or
    /// hole punch (all of which take it exclusive) — in every release the
    /// model has.
    XfsIlockIocb = (121, "xfs_ilock_iocb") { locks: "", state: "w: i_rwsem (shared)" }
    /// v5.7 mm/filemap.c `wait_on_page_bit_common()` after `io_schedule()`:
    /// `test_and_set_bit_lock()` (EXCLUSIVE) or `test_bit()` (SHARED), and
    /// `signal_pending_state()` — the decision to leave the loop, a
    /// lockless read of the page's flags. `finish_wait()` is the next step.
    FolioWaitBitRetest = (122, "folio_wait_bit_common:retest") { locks: "", state: "r/w: the bit (test_and_set_bit_lock / test_bit)" }
    /// fs/buffer.c `__find_get_block_slow()`: `get_bh(bh)` on the buffer
    /// the walk found — an atomic increment of `b_count`, ordered against
    /// migration's norefs check only by `i_private_lock` (or the folio lock
    /// for a sleeping lookup).
    GetBh = (123, "get_bh") { locks: "i_private_lock or folio lock", state: "w: b_count" }
    /// `__find_get_block_slow()` `out_unlock:`: `spin_unlock(&i_private_lock)`
    /// (or `folio_unlock()`), `folio_put()`.
    FindGetBlockUnlock = (124, "__find_get_block_slow:unlock") { locks: "", state: "w: i_private_lock or PG_locked, refcount" }
    /// fs/xfs/xfs_aops.c `xfs_map_blocks()` under `XFS_ILOCK_SHARED`: the
    /// data fork lookup (`xfs_iext_lookup_extent()`) and `data_seq`; the
    /// ILOCK is dropped after it.
    XfsMapBlocksLookup = (125, "xfs_map_blocks:lookup") { locks: "XFS_ILOCK_SHARED", state: "r: data fork, if_seq; w: own writeback mapping" }
    /// fs/xfs/libxfs/xfs_bmap.c `xfs_bmapi_convert_delalloc()` from
    /// `xfs_map_blocks()` (via `xfs_convert_blocks()`), in its own
    /// transaction under `XFS_ILOCK_EXCL`: the delalloc extent is allocated
    /// (unwritten with a5949d3faedf) and the mapping and `data_seq` taken
    /// from it.
    XfsBmapiConvertDelalloc = (126, "xfs_bmapi_convert_delalloc") { locks: "XFS_ILOCK_EXCL", state: "r/w: data fork, if_seq, block allocator" }
    /// fs/xfs/xfs_reflink.c `xfs_reflink_remap_extent()` of one block, in
    /// a transaction under the destination's `XFS_ILOCK_EXCL` (the source's
    /// extent read under its ILOCK just before, nothing else changing it
    /// while both files' IOLOCK and MMAPLOCK are held): the destination's
    /// old block unmapped, the source's mapped with one more reference.
    XfsReflinkRemapExtent = (213, "xfs_reflink_remap_extent") { locks: "XFS_ILOCK_EXCL", state: "r: source data fork; w: destination data fork, if_seq, refcounts, promises" }
    /// fs/xfs/xfs_reflink.c `xfs_reflink_update_dest()`: the destination's
    /// `i_size` grows to the end of the clone, in a transaction under its
    /// `XFS_ILOCK_EXCL`.
    XfsReflinkUpdateDest = (214, "xfs_reflink_update_dest") { locks: "XFS_ILOCK_EXCL", state: "w: i_size" }
    /// fs/xfs/xfs_aops.c `xfs_map_blocks()` under `XFS_ILOCK_SHARED`, on a
    /// file with COW data: the COW fork lookup at the offset
    /// (`xfs_iext_lookup_extent(ip, ip->i_cowfp, …)`) and `cow_seq`; a COW
    /// extent there is the mapping (`IOMAP_F_SHARED`), converted if delalloc.
    XfsMapBlocksCow = (215, "xfs_map_blocks:cow") { locks: "XFS_ILOCK_SHARED", state: "r: COW fork, cow_seq; w: own writeback mapping" }
    /// fs/xfs/xfs_reflink.c `xfs_reflink_end_cow()` from `xfs_end_ioend()`
    /// (a writeback ioend with `IOMAP_F_SHARED`) or `xfs_dio_write_end_io()`:
    /// each block's COW extent remapped into the data fork, the old block's
    /// reference dropped, in a transaction under `XFS_ILOCK_EXCL`.
    XfsReflinkEndCow = (216, "xfs_reflink_end_cow") { locks: "XFS_ILOCK_EXCL", state: "r/w: data fork, COW fork, if_seq, cow_seq, refcounts, block allocator" }

    // ---- jbd2 (fs/jbd2/, v6.x; see crate::fs::jbd2) -------------------------------
    /// fs/jbd2/transaction.c `jbd2__journal_start()` → `start_this_handle()`:
    /// under `j_state_lock`, a running transaction is created if none
    /// (`jbd2_get_transaction()`), a `T_LOCKED` one is waited for
    /// (`wait_transaction_locked()`), and `t_updates` is raised.
    JournalStart = (129, "jbd2__journal_start") { locks: "j_state_lock", state: "r: T_LOCKED; w: j_running_transaction, t_updates" }
    /// fs/jbd2/transaction.c `jbd2_write_access_granted()`: under RCU, with no
    /// lock, the buffer already belongs to the handle's transaction
    /// (`b_transaction` or `b_next_transaction`): write access without `lock_buffer()`.
    WriteAccessGranted = (130, "jbd2_write_access_granted") { locks: "rcu_read_lock", state: "r: BH_JBD, b_transaction, b_next_transaction" }
    /// fs/jbd2/journal.c `jbd2_journal_add_journal_head()`: under
    /// `jbd_lock_bh_journal_head()`, attach a journal head if none (`BH_JBD`,
    /// `bh->b_private`, `get_bh()`), and take the caller's `b_jcount`.
    AddJournalHead = (131, "jbd2_journal_add_journal_head") { locks: "BH_JournalHead bit lock", state: "w: BH_JBD, b_count, b_jcount" }
    /// fs/jbd2/transaction.c `do_get_write_access()` `repeat:` `lock_buffer(bh)`:
    /// sleeps while the buffer is locked (a migration holds every buffer lock
    /// of its folio until `unlock_buffers`).
    GwaLockBuffer = (132, "do_get_write_access:lock_buffer") { locks: "", state: "r/w: BH_Lock" }
    /// fs/jbd2/transaction.c `do_get_write_access()` under `b_state_lock`: a dirty
    /// buffer becomes `BH_JBDDirty`, `unlock_buffer()`; then file the buffer
    /// on the running transaction (`BJ_Reserved`), or, if the committing one
    /// owns it, wait on `BH_Shadow` or freeze a copy of `b_data`
    /// (`jbd2_freeze_jh_data()`, when it is on `BJ_Metadata`) and set
    /// `b_next_transaction`; `jbd2_journal_put_journal_head()`. The frozen
    /// buffer's allocation (`jbd2_alloc(GFP_NOFS | __GFP_NOFAIL)` with the
    /// lock dropped, then `goto repeat`) is not a step of its own: the
    /// state is read again under the lock after it.
    DoGetWriteAccess = (133, "do_get_write_access") { locks: "b_state_lock, j_list_lock", state: "r: b_folio data, BH_Shadow, b_transaction, b_jlist; w: BH_Dirty/JBDDirty, BH_Lock, b_transaction, b_next_transaction, b_frozen_data, b_modified, b_jcount" }
    /// fs/ext4/ext4_jbd2.c `__ext4_handle_dirty_metadata()` (`set_buffer_meta()`,
    /// `set_buffer_prio()`) → fs/jbd2/transaction.c `jbd2_journal_dirty_metadata()`
    /// under `b_state_lock`: `b_modified` (a credit), `BH_JBDDirty`, and the
    /// buffer filed on the running transaction's `BJ_Metadata` unless the
    /// committing one still owns it (refiled at commit).
    DirtyMetadata = (134, "jbd2_journal_dirty_metadata") { locks: "b_state_lock, j_list_lock", state: "w: BH_Meta, b_modified, BH_JBDDirty, b_jlist, b_transaction" }
    /// fs/jbd2/transaction.c `jbd2_journal_stop()` → `stop_this_handle()`:
    /// `atomic_dec_and_test(&transaction->t_updates)` and the wakeup of
    /// `j_wait_updates`.
    JournalStop = (135, "jbd2_journal_stop") { locks: "", state: "w: t_updates" }
    /// fs/jbd2/commit.c `jbd2_journal_commit_transaction()`: under
    /// `j_state_lock`, `t_state = T_LOCKED` (new handles wait).
    CommitLock = (136, "jbd2_journal_commit_transaction:T_LOCKED") { locks: "j_state_lock", state: "r: j_running_transaction; w: t_state" }
    /// fs/jbd2/commit.c `jbd2_journal_commit_transaction()`: after
    /// `jbd2_journal_wait_updates()`, still under `j_state_lock`: `T_SWITCH`, the
    /// reserved list refiled (`jbd2_journal_refile_buffer()`), `T_FLUSH`:
    /// the transaction becomes `j_committing_transaction`, no transaction runs.
    CommitSwitch = (137, "jbd2_journal_commit_transaction:T_FLUSH") { locks: "j_state_lock, j_list_lock", state: "r: t_updates; w: j_running/committing_transaction, reserved buffers" }
    /// fs/jbd2/commit.c: `atomic_inc(&bh->b_count)` for the shadowed buffer,
    /// then fs/jbd2/journal.c `jbd2_journal_write_metadata_buffer()` under
    /// `b_state_lock`: the log buffer aliases `b_frozen_data` if there is
    /// one, else `bh_in->b_folio` at `b_data`'s offset (no copy, no folio
    /// lock or reference); `BJ_Shadow`, `set_buffer_shadow()`.
    WriteMetadataBuffer = (138, "jbd2_journal_write_metadata_buffer") { locks: "b_state_lock, j_list_lock", state: "r: b_frozen_data, b_folio; w: b_count, b_jlist, BH_Shadow" }
    /// fs/jbd2/commit.c: `lock_buffer()`, `clear_buffer_dirty()`,
    /// `submit_bh(REQ_OP_WRITE | REQ_SYNC)` of a log buffer.
    LogSubmit = (139, "jbd2_journal_commit_transaction:submit_bh") { locks: "", state: "w: bio" }
    /// fs/jbd2/commit.c: `wait_on_buffer()` of a log buffer, `__brelse()` and
    /// `free_buffer_head()` of it; the shadowed buffer filed on `BJ_Forget`
    /// and its extra `b_count` dropped.
    LogWait = (140, "jbd2_journal_commit_transaction:wait_on_buffer") { locks: "b_state_lock, j_list_lock", state: "r: bio; w: b_jlist, b_count" }
    /// fs/jbd2/commit.c `journal_submit_commit_record()` and
    /// `journal_wait_on_commit_record()`: the transaction is committed, its
    /// updates what recovery replays. (The commit block lives in the log,
    /// outside the model's disk; its I/O is one step.)
    CommitRecord = (141, "journal_submit_commit_record") { locks: "", state: "w: committed contents" }
    /// fs/jbd2/commit.c, the forget list: `b_frozen_data` freed, an older
    /// checkpoint entry removed, a `BH_JBDDirty` buffer put on this
    /// transaction's checkpoint list (`__jbd2_journal_insert_checkpoint()`),
    /// then `__jbd2_journal_refile_buffer()`: to `b_next_transaction`, or
    /// unfiled with `mark_buffer_dirty()` and the transaction's journal-head
    /// reference dropped.
    CommitForget = (142, "jbd2_journal_commit_transaction:forget") { locks: "b_state_lock, j_list_lock", state: "w: b_frozen_data, b_cp_transaction, b_transaction, BH_JBDDirty, BH_Dirty, PG_dirty, b_jcount, BH_JBD, b_count" }
    /// fs/jbd2/commit.c: `T_FINISHED`, `j_committing_transaction = NULL`.
    CommitDone = (143, "jbd2_journal_commit_transaction:T_FINISHED") { locks: "j_state_lock", state: "w: j_committing_transaction" }
    /// fs/jbd2/commit.c `journal_end_buffer_io_sync()`: the log buffer's
    /// `clear_bit_unlock(BH_Shadow)` on the original buffer, `wake_up_bit()`,
    /// `unlock_buffer()` of the log buffer.
    JournalEndIo = (144, "journal_end_buffer_io_sync") { locks: "", state: "w: BH_Shadow; wake" }
    /// fs/buffer.c `end_buffer_write_sync()`: `unlock_buffer()`, `put_bh()`.
    EndBufferWriteSync = (145, "end_buffer_write_sync") { locks: "", state: "w: BH_Lock, b_count" }
    /// fs/jbd2/checkpoint.c `jbd2_log_do_checkpoint()` under `j_list_lock`: the
    /// next buffer on a checkpoint list (since e34c8dd238d0 tested with
    /// `trylock_buffer()`, the rest under that lock; before it with the
    /// lockless `buffer_locked()` only, the rest a step later in
    /// `jbd2_log_do_checkpoint:buffer_dirty`): locked → wait; in a live transaction
    /// (`jh->b_transaction`) → `jbd2_log_start_commit()` and wait for the
    /// commit ("Waiting for Godot"); dirty → queue it for
    /// writing (`get_bh()`); clean → `__jbd2_journal_remove_checkpoint()`
    /// (`b_cp_transaction = NULL`, `jbd2_journal_put_journal_head()`: the last
    /// reference detaches the head and drops its `b_count`).
    CheckpointScan = (146, "jbd2_log_do_checkpoint") { locks: "j_list_lock", state: "r: BH_Lock, BH_Dirty, disk; w: b_cp_transaction, b_jcount, BH_JBD, b_count" }
    /// fs/jbd2/checkpoint.c `jbd2_log_do_checkpoint()` before e34c8dd238d0
    /// (v6.4 and earlier): after the lockless `buffer_locked(bh)` test of
    /// the step before, `jh->b_transaction` and then `buffer_dirty(bh)`,
    /// another lockless read: dirty → queue it, clean →
    /// `__jbd2_journal_remove_checkpoint()`.
    CheckpointDirty = (148, "jbd2_log_do_checkpoint:buffer_dirty") { locks: "j_list_lock", state: "r: b_transaction, BH_Dirty, disk; w: b_cp_transaction, b_jcount, BH_JBD, b_count" }
    /// fs/jbd2/checkpoint.c `jbd2_log_do_checkpoint()` before c2d6fd9d6f35
    /// (v6.4 and earlier), the `t_checkpoint_io_list` pass (`restart2:`): a
    /// buffer queued for writing, once unlocked, is removed from the
    /// checkpoint list (`__jbd2_journal_remove_checkpoint()`) whatever its state.
    CheckpointIoList = (149, "jbd2_log_do_checkpoint:t_checkpoint_io_list") { locks: "j_list_lock", state: "r: BH_Lock, disk; w: b_cp_transaction, b_jcount, BH_JBD, b_count" }
    /// fs/jbd2/checkpoint.c `journal_shrink_one_cp_list()` (the shrinker,
    /// 4ba3fcdde7e3), one checkpoint buffer: since 46f881b5b175
    /// `jbd2_journal_try_remove_checkpoint()` — busy if in a live transaction
    /// (590a809ff743), if `trylock_buffer()` fails, or if dirty under that
    /// lock — else `__jbd2_journal_remove_checkpoint()`; before it,
    /// `__cp_buffer_busy()`'s `b_transaction` and `buffer_locked()` reads
    /// (the dirty read is the next step).
    JournalShrink = (150, "journal_shrink_one_cp_list") { locks: "j_list_lock", state: "r: b_transaction, BH_Lock, BH_Dirty, disk; w: b_cp_transaction, b_jcount, BH_JBD, b_count" }
    /// `__cp_buffer_busy()`'s `buffer_dirty()` read before 46f881b5b175, a
    /// lockless read apart from the lock test; clean → `__jbd2_journal_remove_checkpoint()`.
    ShrinkDirty = (151, "journal_shrink_one_cp_list:buffer_dirty") { locks: "j_list_lock", state: "r: BH_Dirty, disk; w: b_cp_transaction, b_jcount, BH_JBD, b_count" }
    /// fs/jbd2/checkpoint.c `__flush_batch()` → fs/buffer.c `write_dirty_buffer()`:
    /// `lock_buffer()`, `test_clear_buffer_dirty()`, `get_bh()`, `submit_bh()`
    /// of `bh->b_folio`'s block; `__brelse()` of the batch's reference.
    WriteDirtyBuffer = (147, "write_dirty_buffer") { locks: "", state: "r: b_folio; w: BH_Lock, BH_Dirty, b_count, bio" }
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
