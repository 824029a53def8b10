//! `cartelscreen bench`: in-process screening latency over a query mix,
//! with load time and resident memory.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Result};
use clap::Args;

use super::{load, outln, print_json, read_file};
use cartelscreen::config::Settings;
use cartelscreen::quality::eval::read_cases;

/// `bench` options.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Query mix (the eval cases format); every case's name, type, dob,
    /// country and identifier are screened.
    #[arg(long, value_name = "FILE")]
    pub cases: PathBuf,
    /// Passes over the query mix.
    #[arg(long, default_value_t = 5)]
    pub passes: usize,
    #[arg(long)]
    pub json: bool,
}

fn rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Runs the benchmark.
pub fn run(settings: &Settings, extra: &[PathBuf], a: BenchArgs) -> Result<ExitCode> {
    let (cases, _) = read_cases(read_file(&a.cases)?)?;
    if cases.is_empty() {
        bail!("{} holds no cases", a.cases.display());
    }
    let t = Instant::now();
    let screener = load(settings, extra)?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let rss_after_load = rss_mb();
    // The first pass meets every query token for the first time (cold
    // caches); later passes show a service that has seen such names before.
    let mut cold: Vec<f64> = Vec::with_capacity(cases.len());
    let mut warm: Vec<f64> = Vec::with_capacity(cases.len() * a.passes);
    for pass in 0..a.passes.max(1) {
        for c in &cases {
            let t = Instant::now();
            let r = screener.screen(&c.query);
            let us = t.elapsed().as_secs_f64() * 1e6;
            std::hint::black_box(r.ok());
            if pass == 0 {
                cold.push(us)
            } else {
                warm.push(us)
            }
        }
    }
    let stats = |mut v: Vec<f64>| {
        if v.is_empty() {
            return serde_json::Value::Null;
        }
        v.sort_by(f64::total_cmp);
        let q = |p: f64| v[((v.len() - 1) as f64 * p).round() as usize];
        serde_json::json!({
            "queries": v.len(),
            "median_us": q(0.5),
            "p90_us": q(0.9),
            "p99_us": q(0.99),
            "max_us": v[v.len() - 1],
            "mean_us": v.iter().sum::<f64>() / v.len() as f64,
        })
    };
    let report = serde_json::json!({
        "entities": screener.entities().len(),
        "load_ms": load_ms,
        "rss_mb_after_load": rss_after_load,
        "rss_mb_after_queries": rss_mb(),
        "first_pass": stats(cold),
        "later_passes": stats(warm),
    });
    if a.json {
        print_json(&report)?;
    } else {
        outln!("entities loaded      {}", screener.entities().len());
        outln!("load + index         {load_ms:.0} ms");
        let mb = |v: &serde_json::Value| v.as_f64().map(|m| format!("{m:.0} MB")).unwrap_or_else(|| "-".into());
        outln!("resident after load  {}", mb(&report["rss_mb_after_load"]));
        outln!("resident at the end  {}", mb(&report["rss_mb_after_queries"]));
        for (label, key) in [("first pass", "first_pass"), ("later passes", "later_passes")] {
            let s = &report[key];
            if s.is_null() {
                continue;
            }
            let f = |k: &str| s[k].as_f64().unwrap_or(0.0);
            outln!(
                "{label:<20} {} queries, one thread: median {:.1} µs, p90 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
                s["queries"],
                f("median_us"),
                f("p90_us"),
                f("p99_us"),
                f("max_us")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
