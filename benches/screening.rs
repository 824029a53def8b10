//! Criterion benchmarks of the engine: loading and indexing the real lists,
//! and single screening queries over a mix of listed names, variants and
//! non-listed names (the regression cases), and the cost of cartel ties and
//! indirect exposure at query time; and what the audit trail's hash chain
//! adds per record (`audit/chain_extend_32_records`: 32 records as one
//! group commit hands them to the store, numbered, made canonical and
//! hashed); and trade-finance messages screened whole (`message/*`: parsed,
//! every party and free-text field screened, goods scanned, as
//! `POST /v1/screen/message` does before its audit commit; and the clean
//! MT700's narrative fields alone, scanned as in service and with every run
//! screened against every entry, `message/mt700_clean_texts*`).
//!
//! `scale/*`: the held-out query mix against the same lists plus an
//! internal list of 400,000 generated Mexican and US persons and companies
//! (the `gen negatives` recipe, seed 18), as a bank's blocklists grow.
//!
//! Run: `cargo bench --bench screening` (needs ../shared beside the project).

use std::path::PathBuf;

use cartelscreen::config::Settings;
use cartelscreen::engine::text_scan::{scan_text, scan_text_exhaustive};
use cartelscreen::live::load_screener;
use cartelscreen::quality::eval::read_cases;
use criterion::{black_box, criterion_group, criterion_main, Criterion};

fn shared(p: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(p)
}

fn all_lists() -> Vec<PathBuf> {
    vec![shared("ofac/current"), shared("ofac-consolidated/2025-12-19"), shared("un/2026-02-27")]
}

fn bench(c: &mut Criterion) {
    let settings = Settings::defaults();
    let lists = all_lists();
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.bench_function("load_and_index_ofac_cons_un", |b| b.iter(|| load_screener(&settings, &lists).unwrap()));
    g.finish();

    let screener = load_screener(&settings, &lists).unwrap();
    let cases_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/regression/counterparties.csv");
    let (cases, _) = read_cases(std::fs::File::open(cases_path).unwrap()).unwrap();
    let queries: Vec<_> = cases.into_iter().map(|c| c.query).collect();
    let mut g = c.benchmark_group("screen");
    let mut i = 0;
    g.bench_function("one_query_mix", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            screener.screen(&queries[i]).ok()
        })
    });
    let exact = cartelscreen::engine::Query::name("OSEGUERA CERVANTES, Ruben");
    g.bench_function("listed_name", |b| b.iter(|| screener.screen(&exact).ok()));
    let neg = cartelscreen::engine::Query::name("María Guadalupe Hernández López");
    g.bench_function("common_mexican_name", |b| b.iter(|| screener.screen(&neg).ok()));
    g.finish();

    // Ties are looked up by entity index at query time; exposures add one
    // hash probe per identifier and per address number.
    let mut g = c.benchmark_group("network");
    g.bench_function("cartel_ties_lookup", |b| b.iter(|| screener.cartel_ties(black_box("ofac-18130")).len()));
    let plain = cartelscreen::engine::Query::name("Comercializadora Azteca Norte");
    let with_facts = cartelscreen::engine::Query {
        identifiers: vec!["+52 33 1234 5678".into(), "ventas@azteca-norte.example".into()],
        address: Some("Calle Alberta No. 2166, Col. Colomos Providencia, Guadalajara, Jal. C.P. 44660".into()),
        ..plain.clone()
    };
    g.bench_function("screen_name_only", |b| b.iter(|| screener.screen(&plain).ok()));
    g.bench_function("screen_with_phone_mail_address", |b| b.iter(|| screener.screen(&with_facts).ok()));
    g.finish();

    // Whole messages, parsed and screened: parties, free text, goods.
    let mut g = c.benchmark_group("message");
    let limits = cartelscreen::trade::Limits { max_text_chars: 65_536, text_hits: &|_| {} };
    let origin =
        cartelscreen::record::audit::Origin::new("0193a1b2-c3d4-7e5f-8a9b-000000000000".to_string(), "bench", "api");
    let recorder = cartelscreen::record::screening::Recorder::unrecorded(&screener, origin);
    for f in
        ["mt700_clean.fin", "mt700_listed.fin", "mt103_50k_listed.fin", "pacs008_clean.xml", "pacs009cov_listed.xml"]
    {
        let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/messages")).join(f);
        let text = std::fs::read_to_string(path).unwrap();
        g.bench_function(f, |b| {
            b.iter(|| {
                let m = cartelscreen::messages::parse(black_box(&text)).unwrap();
                let input = cartelscreen::trade::TradeInput::of_message(m);
                cartelscreen::trade::screen(&recorder, &screener, input, Default::default(), &limits).unwrap()
            })
        });
    }
    // The clean MT700's narrative fields alone: each run of words screened
    // against the entries whose names can fill it, and against every entry.
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/messages/mt700_clean.fin"));
    let mt700 = cartelscreen::messages::parse(&std::fs::read_to_string(path).unwrap()).unwrap();
    let texts: Vec<String> = mt700.texts.into_iter().map(|t| t.text).collect();
    g.bench_function("mt700_clean_texts", |b| {
        b.iter(|| texts.iter().map(|t| scan_text(&screener, black_box(t)).unwrap().len()).sum::<usize>())
    });
    g.bench_function("mt700_clean_texts_exhaustive", |b| {
        b.iter(|| texts.iter().map(|t| scan_text_exhaustive(&screener, black_box(t)).unwrap().len()).sum::<usize>())
    });
    g.finish();

    // The records of 32 `/v1/screen` requests against the lists loaded
    // above, as the audit writer commits them together.
    let lists = cartelscreen::record::audit::list_set(&screener);
    let lists = std::sync::Arc::new(lists);
    let context = cartelscreen::record::audit::AuditContext::new(&settings);
    let records: Vec<_> = (0..32)
        .map(|i| {
            let q = &queries[i * 7 % queries.len()];
            let s = screener.screen(q).unwrap();
            let origin =
                cartelscreen::record::audit::Origin::new(format!("0193a1b2-c3d4-7e5f-8a9b-{i:012}"), "bench", "api");
            let subject = serde_json::json!({"name": q.name, "country": "MX", "reference": format!("C-{i}")});
            let screened =
                cartelscreen::record::audit::Screened { item: None, reference: None, subject, outcome: Ok(&s) };
            context.screening(&origin, &lists, 1_764_460_800_000 + i as i64, screened)
        })
        .collect();
    let mut g = c.benchmark_group("audit");
    g.bench_function("chain_extend_32_records", |b| {
        b.iter(|| cartelscreen::record::chain::extend((41, cartelscreen::record::chain::GENESIS), black_box(&records)))
    });
    g.finish();
}

/// The query mix of the held-out cases against OFAC, the consolidated and
/// UN lists and a generated internal list of 400,000 entries.
fn bench_scale(c: &mut Criterion) {
    use std::io::Write;
    let settings = Settings::defaults();
    let dir = std::env::temp_dir().join(format!("cartelscreen-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("internal_400k.csv");
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(w, "id,kind,name,birth_dates,countries").unwrap();
        for (i, case) in cartelscreen::quality::synth::negative_cases(400_000, 18).iter().enumerate() {
            let kind = case.kind.map(|k| k.as_str()).unwrap_or("");
            let name = case.name.replace('"', "\"\"");
            let dob = case.dob.as_deref().unwrap_or("");
            let country = case.country.as_deref().unwrap_or("");
            writeln!(w, "int-{i},{kind},\"{name}\",{dob},{country}").unwrap();
        }
    }
    let mut lists = all_lists();
    lists.push(path);
    let screener = load_screener(&settings, &lists).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let cases_path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/heldout/heldout.csv");
    let (cases, _) = read_cases(std::fs::File::open(cases_path).unwrap()).unwrap();
    let queries: Vec<_> = cases.into_iter().map(|c| c.query).collect();
    let mut g = c.benchmark_group("scale");
    let mut i = 0;
    g.bench_function("heldout_mix_416k_entries", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            screener.screen(&queries[i]).ok()
        })
    });
    g.finish();
}

criterion_group!(benches, bench, bench_scale);
criterion_main!(benches);
