//! block/: bios, the device, and completion.

pub mod bio;
pub mod fops;
