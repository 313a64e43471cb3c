//! Fuzz target: see `qunce::fuzzing::link_targets`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qunce::fuzzing::link_targets(data));
