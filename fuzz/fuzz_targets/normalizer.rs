//! The name normaliser on arbitrary text, for every kind of party: never
//! panics, and yields lower-case ASCII tokens only.
#![no_main]

use cartelscreen::engine::model::KindFamily;
use cartelscreen::engine::normalize::{fold, normalize_name};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = fold(&text);
    for family in [KindFamily::Person, KindFamily::Organization, KindFamily::Vessel, KindFamily::Aircraft, KindFamily::Any] {
        let n = normalize_name(&text, family);
        for t in &n.tokens {
            assert!(!t.is_empty(), "empty token from {text:?}");
            assert!(t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "token {t:?} from {text:?}");
        }
    }
});
