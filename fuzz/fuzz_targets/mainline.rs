//! Every operation on `mainline`: a finding is a model bug or an open race.
#![no_main]

pagelife_fuzz::libfuzzer_target!(Mainline);
