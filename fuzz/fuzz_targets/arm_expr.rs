//! The ARM expression parser, and the evaluator on what it parses: the input is the text
//! between `[` and `]`, placed in a variable, a resource name and a property of a template.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        idlint::check::fuzz_arm_expression(text);
    }
});
