//! The SWIFT MT and ISO 20022 message parsers, and the goods scan, on
//! arbitrary input: never panic; a message read has a type and a
//! reference, and every party something to screen; splitting a file
//! yields pieces of it.
#![no_main]

use cartelscreen::messages::{parse, split};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(m) = parse(&text) {
        assert!(!m.reference.kind.is_empty());
        assert!(m.reference.reference.is_some());
        assert!(m.parties.iter().all(|p| p.is_screenable()));
    }
    for (line, piece) in split(&text) {
        assert!(line >= 1);
        assert!(text.contains(piece));
        let _ = parse(piece);
    }
    let _ = cartelscreen::lists::goods::embedded().scan(&text);
});
