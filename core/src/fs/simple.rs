//! The simple filesystem of Cases 1–3: ext2-like, one block per page at a
//! fixed place on the disk (`Disk::block_of`), `generic_perform_write()`
//! with `block_write_begin()`, `mpage_read_folio()`, `block_write_full_folio()`,
//! `block_page_mkwrite()`, `ext2_truncate_blocks()`; no `->fallocate`.

use super::aops::{AddressSpaceOps, FaultLock, MigrateKind, SetattrLocks};
use super::mkwrite::{FsMkwrite, MkwriteHow};
use super::read::{ReadFolio, ReadHow};
use super::vfs::WriteIter;
use crate::exec::poll::Cond;
use crate::mm::filemap::BufferedWrite;
use crate::world::{Disk, World, MAX_INDEX};

/// `ext2_truncate_blocks()` from page `size` on: the blocks past EOF are
/// freed; a later read of the hole gets zeroes.
fn truncate_blocks(w: &mut World, file: u8, size: u8) -> Result<(), Cond> {
    for i in size..MAX_INDEX as u8 {
        w.disk.blocks[Disk::block_of(file, i, 0)] = 0;
    }
    Ok(())
}

/// The simple filesystem's operations.
pub const SIMPLE_AOPS: AddressSpaceOps = AddressSpaceOps {
    name: "simple",
    direct_io: crate::fs::direct_io::DioHow::Simple,
    write_iter: |_, file, unit, len| WriteIter::Generic(BufferedWrite::pages(file, unit, len)),
    read_lock: None,
    partial_uptodate: false,
    read_folio: |file, r, sync| ReadFolio::new(file, r, sync, ReadHow::FixedBlocks),
    map_blocks: None,
    writepage_buffers: super::buffer::write_full_folio_buffers,
    release_folio: |w, r| Ok(super::buffer::try_to_free_buffers(w, r)),
    migrate_folio: MigrateKind::Folio,
    end_io: |_, _| Ok(()),
    setattr: SetattrLocks {
        inode_lock: None,
        invalidate_lock: false,
    },
    truncate_blocks,
    fault_lock: FaultLock::None,
    mkwrite_lock: FaultLock::None,
    invalidate_lock_since: None,
    page_mkwrite: |file, index| FsMkwrite::new(file, index, MkwriteHow::Generic),
    dirty_folio: |_, _, _, _| {},
};
