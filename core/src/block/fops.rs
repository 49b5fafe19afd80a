//! block/fops.c: the block device's own mapping (`bdev->bd_mapping`) and
//! its `def_blk_aops`: buffer heads over the device's blocks, read and
//! written at their fixed place, released by `try_to_free_buffers()`
//! under `i_private_lock`, migrated by `buffer_migrate_folio_norefs()`.

use crate::exec::poll::Cond;
use crate::fs::aops::{AddressSpaceOps, FaultLock, MigrateKind, SetattrLocks};
use crate::fs::buffer::{
    spin_lock_private, spin_unlock_private, try_to_free_buffers, write_full_folio_buffers,
};
use crate::fs::mkwrite::{FsMkwrite, MkwriteHow};
use crate::fs::read::{ReadFolio, ReadHow};
use crate::fs::vfs::WriteIter;
use crate::mm::filemap::BufferedWrite;
use crate::world::{FolioRef, World};

/// `filemap_release_folio()` on a device folio: no `->release_folio`, so
/// `try_to_free_buffers()`, which takes `i_private_lock`.
fn release_folio(w: &mut World, r: FolioRef) -> Result<bool, Cond> {
    spin_lock_private(w)?;
    let freed = try_to_free_buffers(w, r);
    spin_unlock_private(w);
    Ok(freed)
}

/// `def_blk_aops`.
pub const DEF_BLK_AOPS: AddressSpaceOps = AddressSpaceOps {
    name: "bdev",
    direct_io: crate::fs::direct_io::DioHow::Simple,
    write_iter: |_, file, unit, len| WriteIter::Generic(BufferedWrite::pages(file, unit, len)),
    read_lock: None,
    partial_uptodate: false,
    read_folio: |file, r, sync| ReadFolio::new(file, r, sync, ReadHow::FixedBlocks),
    map_blocks: None,
    writepage_buffers: write_full_folio_buffers,
    release_folio,
    migrate_folio: MigrateKind::BuffersNorefs,
    end_io: |_, _| Ok(()),
    setattr: SetattrLocks {
        inode_lock: None,
        invalidate_lock: false,
    },
    truncate_blocks: |_, _, _| Ok(()),
    fault_lock: FaultLock::None,
    mkwrite_lock: FaultLock::None,
    invalidate_lock_since: None,
    page_mkwrite: |file, index| FsMkwrite::new(file, index, MkwriteHow::Generic),
    dirty_folio: |_, _, _, _| {},
};
