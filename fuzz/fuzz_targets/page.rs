//! Fuzz target: see `qunce::fuzzing::page`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qunce::fuzzing::page(data));
