//! AFL++ target: PG_writeback wakeups on v5.7–v5.10, same harness and bytes as libFuzzer's `writeback`.
mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::run(pagelife_engine::target::Target::Writeback, data));
}
