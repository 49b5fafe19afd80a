//! AFL++ target: extent-mapped filesystems, same harness and bytes as libFuzzer's `iomap`.
mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::run(pagelife_engine::target::Target::Iomap, data));
}
