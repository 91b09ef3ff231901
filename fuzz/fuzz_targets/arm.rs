//! The ARM front end and the rules on one template; the JSON parser's direct path against
//! jsonc-parser's `parse_to_ast`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        idlint::arm::parse::check_direct_path(text);
        idlint::check::fuzz_arm(text);
    }
});
