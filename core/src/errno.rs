//! The errno values the modelled paths return (include/uapi/asm-generic/errno-base.h,
//! errno.h): a step machine's `err` holds the negative value, as the kernel's
//! functions return it (`-ENOMEM`).

/// No such file or directory (a lookup without `FGP_CREAT` found nothing).
pub const ENOENT: i8 = 2;
/// Interrupted: a fatal signal ended a killable sleep.
pub const EINTR: i8 = 4;
/// I/O error.
pub const EIO: i8 = 5;
/// Try again (migration: the folio is busy).
pub const EAGAIN: i8 = 11;
/// Out of memory (an allocation failed).
pub const ENOMEM: i8 = 12;
/// Bad address (a fault beyond EOF: SIGBUS).
pub const EFAULT: i8 = 14;
/// No space left on the device.
pub const ENOSPC: i8 = 28;
/// The operation is not supported (no `->fallocate`).
pub const EOPNOTSUPP: i8 = 95;
