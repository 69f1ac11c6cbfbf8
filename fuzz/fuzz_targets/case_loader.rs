//! Arbitrary bytes as a case file: the loader must refuse or accept, never
//! panic, hang or blow up memory; whatever it accepts must round-trip; and
//! the fast reader of the index must decline or agree with the full parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() as u64 > tickets::store::MAX_FILE_BYTES {
        return;
    }
    let path = Path::new("RC-FUZZ.yaml");
    let parsed = tickets::store::parse_case(path, text, None);
    if let Some(fast) = tickets::format::fast_reader::read_digest(text) {
        let case = parsed.as_ref().expect("the fast reader accepted what the parser refuses");
        assert_eq!(fast, tickets::digest::Digest::of(case), "the fast reader disagrees with the parser");
    }
    if let Ok(case) = parsed {
        // What the program writes, it must read back the same.
        let written = tickets::store::to_yaml(&case).expect("a parsed case serializes");
        let again = tickets::store::parse_case(path, &written, None).expect("a written case parses");
        assert_eq!(again, case);
        let _ = tickets::lifecycle::replay(&case);
    }
    let _ = tickets::store::parse_yaml::<tickets::config::Config>(Path::new("config.yaml"), text);
});
