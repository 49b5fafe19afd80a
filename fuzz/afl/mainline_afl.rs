//! AFL++ target: everything on mainline, same harness and bytes as libFuzzer's `mainline`.
mod common;

fn main() {
    afl::fuzz!(|data: &[u8]| common::run(pagelife_engine::target::Target::Mainline, data));
}
