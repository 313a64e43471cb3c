//! Fuzz target: see `qunce::fuzzing::front_matter`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| qunce::fuzzing::front_matter(data));
