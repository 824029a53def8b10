//! Any request body the HTTP layer can receive: decoded as each request
//! type, validated, and screened (names and free text) against the embedded
//! cartel registry. Nothing may panic.
#![no_main]

use std::sync::OnceLock;

use cartelscreen::engine::network::CartelRegistry;
use cartelscreen::config::Settings;
use cartelscreen::http::v1::{BatchRequest, ScreenRequest, TransactionRequest};
use cartelscreen::engine::screen::Screener;
use cartelscreen::engine::text_scan::scan_text;
use libfuzzer_sys::fuzz_target;

fn screener() -> &'static Screener {
    static S: OnceLock<Screener> = OnceLock::new();
    S.get_or_init(|| {
        let registry = cartelscreen::lists::registry::embedded();
        Screener::build(vec![registry.list.clone()], registry, Default::default())
    })
}

fn screen(item: &ScreenRequest) {
    if let Ok(q) = item.to_query() {
        let _ = screener().screen(&q);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(item) = serde_json::from_slice::<ScreenRequest>(data) {
        screen(&item);
    }
    if let Ok(batch) = serde_json::from_slice::<BatchRequest>(data) {
        for value in batch.items.into_iter().take(20) {
            if let Ok(item) = serde_json::from_value::<ScreenRequest>(value) {
                screen(&item);
            }
        }
    }
    if let Ok(t) = serde_json::from_slice::<TransactionRequest>(data) {
        for text in t.texts.values().take(4) {
            let short: String = text.chars().take(2000).collect();
            let _ = scan_text(screener(), &short);
        }
    }
    // Raw text as a name, too: the bytes a client may put in a JSON string.
    let name = String::from_utf8_lossy(data);
    let _ = screener().screen(&cartelscreen::engine::Query::name(name.as_ref()));
});
