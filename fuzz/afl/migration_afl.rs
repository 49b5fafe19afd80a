//! AFL++ target: buffer heads and norefs migration, same harness and bytes as libFuzzer's `migration`.
mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::run(pagelife_engine::target::Target::Migration, data));
}
