//! Fuzz target: see `qunce::fuzzing::identifiers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qunce::fuzzing::identifiers(data));
