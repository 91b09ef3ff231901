//! The Terraform front end and the rules on one `.tf` (or, with a leading `{`, `.tf.json`) file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        idlint::check::fuzz_terraform(text);
    }
});
