//! AFL++ target: user mappings on mainline, same harness and bytes as libFuzzer's `mappings`.
mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::run(pagelife_engine::target::Target::Mappings, data));
}
