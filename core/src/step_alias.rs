//! The names the steps had in earlier releases, as the seed mails spell
//! them (`end_page_writeback`, `wake_up_page`, `lock_page`,
//! `buffer_migrate_page_norefs`, `spin_unlock(&mapping->private_lock)`), so
//! a litmus file can be typed from a mail. Each alias names the step it
//! means today and the tree it comes from; a trailing `()` is ignored.
//!
//! Where one old name means different steps in different paths (the mails'
//! `spin_unlock(&mapping->private_lock)` is the norefs check's unlock on the
//! migration side and `__find_get_block()`'s on the other), the alias lists
//! one entry per operation, and the context's operations pick it
//! ([`resolve`]).

use crate::step::StepId;

/// One old name.
#[derive(Clone, Copy, Debug)]
pub struct Alias {
    /// The old name.
    pub name: &'static str,
    /// The step it means.
    pub step: StepId,
    /// Only for a context running this operation (its litmus keyword).
    pub op: Option<&'static str>,
    /// Where the old name comes from.
    pub from: &'static str,
}

const fn a(name: &'static str, step: StepId, from: &'static str) -> Alias {
    Alias {
        name,
        step,
        op: None,
        from,
    }
}

const fn in_op(name: &'static str, op: &'static str, step: StepId, from: &'static str) -> Alias {
    Alias {
        name,
        step,
        op: Some(op),
        from,
    }
}

/// Every alias. Names as in the v5.0–v5.10 trees (mm/filemap.c,
/// mm/page-writeback.c, mm/migrate.c, fs/buffer.c) before the folio
/// conversion (v5.16–v6.x).
pub const ALIASES: &[Alias] = &[
    a(
        "end_page_writeback",
        StepId::FolioEndWritebackClear,
        "v5.10 mm/filemap.c end_page_writeback()",
    ),
    a(
        "test_clear_page_writeback",
        StepId::FolioEndWritebackClear,
        "v5.10 mm/page-writeback.c",
    ),
    a(
        "TestClearPageWriteback",
        StepId::FolioEndWritebackClear,
        "v5.10 test_clear_page_writeback()",
    ),
    a(
        "wake_up_page",
        StepId::EndWritebackWake,
        "v5.10 mm/filemap.c wake_up_page()",
    ),
    a(
        "wake_up_page_bit",
        StepId::EndWritebackWake,
        "v5.10 mm/filemap.c",
    ),
    a(
        "wait_on_page_writeback",
        StepId::FolioWaitWriteback,
        "v5.10 mm/page-writeback.c",
    ),
    a(
        "wait_on_page_bit",
        StepId::FolioWaitBitCommon,
        "v5.10 mm/filemap.c",
    ),
    a(
        "wait_on_page_bit_common",
        StepId::FolioWaitBitCommon,
        "v5.10 mm/filemap.c",
    ),
    a(
        "lock_page",
        StepId::FolioLock,
        "v5.10 include/linux/pagemap.h",
    ),
    a("__lock_page", StepId::FolioLock, "v5.10 mm/filemap.c"),
    a(
        "trylock_page",
        StepId::FolioTrylock,
        "v5.10 include/linux/pagemap.h",
    ),
    a("unlock_page", StepId::FolioUnlock, "v5.10 mm/filemap.c"),
    a(
        "clear_page_dirty_for_io",
        StepId::FolioClearDirtyForIo,
        "v5.10 mm/page-writeback.c",
    ),
    a(
        "set_page_writeback",
        StepId::FolioStartWriteback,
        "v5.10 include/linux/page-flags.h",
    ),
    a(
        "__test_set_page_writeback",
        StepId::FolioStartWriteback,
        "v5.10 mm/page-writeback.c",
    ),
    a(
        "pagevec_release",
        StepId::FolioBatchRelease,
        "v5.10 include/linux/pagevec.h",
    ),
    a(
        "pagevec_lookup_range_tag",
        StepId::FilemapGetFoliosTag,
        "v5.10 mm/swap.c",
    ),
    a(
        "find_get_pages_range_tag",
        StepId::FilemapGetFoliosTag,
        "v5.10 mm/filemap.c",
    ),
    a(
        "find_get_entry",
        StepId::FilemapGetEntry,
        "v5.10 mm/filemap.c",
    ),
    a(
        "page_cache_get_speculative",
        StepId::FolioTryGet,
        "v5.10 include/linux/pagemap.h",
    ),
    a(
        "__page_cache_alloc",
        StepId::FilemapAllocFolio,
        "v5.10 mm/filemap.c",
    ),
    a(
        "add_to_page_cache_lru",
        StepId::FilemapAddFolio,
        "v5.10 mm/filemap.c",
    ),
    a(
        "__SetPageLocked",
        StepId::SetLockedLoad,
        "v5.10 include/linux/page-flags.h",
    ),
    a(
        "__ClearPageLocked",
        StepId::ClearLockedLoad,
        "v5.10 include/linux/page-flags.h",
    ),
    a(
        "truncate_inode_page",
        StepId::TruncateInodeFolio,
        "v5.10 mm/truncate.c",
    ),
    a(
        "isolate_lru_page",
        StepId::FolioIsolateLru,
        "v5.10 mm/vmscan.c",
    ),
    a(
        "putback_lru_page",
        StepId::FolioPutbackLru,
        "v5.10 mm/vmscan.c",
    ),
    a(
        "free_unref_page_list",
        StepId::FreeUnrefFolios,
        "v5.10 mm/page_alloc.c",
    ),
    a(
        "copy_page_to_iter",
        StepId::CopyFolioToIter,
        "v5.10 lib/iov_iter.c",
    ),
    a(
        "iov_iter_copy_from_user_atomic",
        StepId::CopyFolioFromIter,
        "v5.10 lib/iov_iter.c",
    ),
    a(
        "set_page_dirty",
        StepId::FolioMarkDirty,
        "v5.10 mm/page-writeback.c",
    ),
    a("put_page", StepId::FolioPut, "v5.10 include/linux/mm.h"),
    a(
        "migrate_page_move_mapping",
        StepId::FolioMigrateMapping,
        "v5.0 mm/migrate.c",
    ),
    a(
        "buffer_migrate_page_norefs",
        StepId::BufferMigrateFolio,
        "v5.0 mm/migrate.c",
    ),
    a(
        "__buffer_migrate_page",
        StepId::BufferMigrateFolio,
        "v5.0 mm/migrate.c",
    ),
    a("set_bh_page", StepId::FolioSetBh, "v5.0 fs/buffer.c"),
    a(
        "__find_get_block",
        StepId::LookupBhLru,
        "v5.0 fs/buffer.c (the LRU first)",
    ),
    in_op(
        "spin_lock(&mapping->private_lock)",
        "bh-write",
        StepId::FindGetBlockLock,
        "v5.0 fs/buffer.c __find_get_block_slow()",
    ),
    in_op(
        "spin_unlock(&mapping->private_lock)",
        "migrate",
        StepId::NorefsCheck,
        "v5.0 mm/migrate.c __buffer_migrate_page() (89cb0888ca14)",
    ),
    in_op(
        "spin_unlock(&mapping->private_lock)",
        "bh-write",
        StepId::FindGetBlockUnlock,
        "v5.0 fs/buffer.c __find_get_block_slow()",
    ),
];

/// `name` without a trailing `()`.
fn bare(name: &str) -> &str {
    name.strip_suffix("()").unwrap_or(name)
}

/// The step `name` means: today's label, or an old name; for an old name
/// that depends on the path, the entry for one of `ops` (the context's
/// operations' keywords), else the first entry.
pub fn resolve(name: &str, ops: &[&str]) -> Option<StepId> {
    let name = bare(name);
    if let Some(id) = StepId::from_name(name) {
        return Some(id);
    }
    let mut all = ALIASES.iter().filter(|al| al.name == name);
    let first = all.clone().next()?;
    let fits = all.find(|al| al.op.is_some_and(|o| ops.contains(&o)));
    Some(fits.unwrap_or(first).step)
}

/// Whether `name` is an old name whose step depends on the context.
pub fn depends_on_context(name: &str) -> bool {
    let name = bare(name);
    ALIASES.iter().any(|al| al.name == name && al.op.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_names_mean_todays_steps() {
        assert_eq!(
            resolve("end_page_writeback()", &[]),
            Some(StepId::FolioEndWritebackClear)
        );
        assert_eq!(
            resolve("folio_wake_bit", &[]),
            Some(StepId::EndWritebackWake)
        );
        let unlock = "spin_unlock(&mapping->private_lock)";
        assert_eq!(resolve(unlock, &["migrate"]), Some(StepId::NorefsCheck));
        assert_eq!(
            resolve(unlock, &["bh-write"]),
            Some(StepId::FindGetBlockUnlock)
        );
        assert!(depends_on_context(unlock));
        assert_eq!(resolve("no_such_function", &[]), None);
    }

    #[test]
    fn no_alias_shadows_a_current_label() {
        for al in ALIASES {
            assert!(
                StepId::from_name(al.name).is_none(),
                "{} is a current label",
                al.name
            );
        }
    }
}
