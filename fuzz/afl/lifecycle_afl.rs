//! AFL++ target: eviction and the journal on mainline, same harness and bytes as libFuzzer's `lifecycle`.
mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::run(pagelife_engine::target::Target::Lifecycle, data));
}
