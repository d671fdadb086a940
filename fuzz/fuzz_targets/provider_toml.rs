//! Arbitrary text as a provider file: the reader of the TOML parser's events
//! (`src/load/events.rs`) either leaves it to `toml` or reads it as `toml`
//! does, every value and span the same.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    assert!(
        howtoreach::load::provider_readers_agree(text),
        "the event reader and toml read this file differently:\n{text}"
    );
});
