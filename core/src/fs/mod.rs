//! fs/: the VFS entry points the model's tasks call.

pub mod buffer;
pub mod sync;
