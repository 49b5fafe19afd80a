//! Every operation on `mainline`: a finding is a model bug or an open race.
#![no_main]
use libfuzzer_sys::fuzz_target;
use pagelife_engine::target::Target;

fuzz_target!(|data: &[u8]| pagelife_fuzz::libfuzzer_one(Target::Mainline, data));
