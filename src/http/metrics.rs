//! Prometheus metrics, kept in atomics and rendered in the text format on
//! scrape. Routes are few and fixed (the matched pattern, not the path), so
//! label sets stay bounded whatever clients send.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::engine::screen::Decision;
use crate::live::{Generation, ReloadStatus};

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 14] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct RouteStats {
    /// By status class: 1xx..5xx at index 1..5.
    by_class: [AtomicU64; 6],
    buckets: [AtomicU64; BUCKETS.len()],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

#[derive(Default)]
pub struct Metrics {
    routes: RwLock<BTreeMap<(String, String), Arc<RouteStats>>>,
    decisions: [AtomicU64; 3],
    screened: AtomicU64,
    text_hits: AtomicU64,
}

fn decision_index(d: Decision) -> usize {
    match d {
        Decision::Clear => 0,
        Decision::Review => 1,
        Decision::Block => 2,
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        Metrics::default()
    }

    /// Records one finished request.
    pub fn observe(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let key = (route.to_string(), method.to_string());
        let stats = {
            let read = self.routes.read().unwrap_or_else(|p| p.into_inner());
            read.get(&key).cloned()
        };
        let stats = match stats {
            Some(s) => s,
            None => {
                let mut write = self.routes.write().unwrap_or_else(|p| p.into_inner());
                write.entry(key).or_default().clone()
            }
        };
        stats.by_class[usize::from(status / 100).min(5)].fetch_add(1, Relaxed);
        let secs = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            stats.buckets[i].fetch_add(1, Relaxed);
        }
        stats.count.fetch_add(1, Relaxed);
        stats.sum_nanos.fetch_add(elapsed.as_nanos().min(u128::from(u64::MAX)) as u64, Relaxed);
    }

    /// Records the decision of one screened counterparty.
    pub fn decision(&self, d: Decision) {
        self.decisions[decision_index(d)].fetch_add(1, Relaxed);
        self.screened.fetch_add(1, Relaxed);
    }

    /// Records the decisions of many counterparties at once (a batch file).
    pub fn decisions(&self, clear: u64, review: u64, block: u64) {
        for (i, n) in [clear, review, block].into_iter().enumerate() {
            self.decisions[i].fetch_add(n, Relaxed);
        }
        self.screened.fetch_add(clear + review + block, Relaxed);
    }

    pub fn text_hits(&self, n: usize) {
        self.text_hits.fetch_add(n as u64, Relaxed);
    }

    /// The text exposition format, version 0.0.4.
    pub fn render(&self, generation: &Generation, reload: &ReloadStatus) -> String {
        let mut out = String::with_capacity(8192);
        let routes = self.routes.read().unwrap_or_else(|p| p.into_inner());
        out.push_str("# HELP cartelscreen_http_requests_total HTTP requests by route, method and status class.\n");
        out.push_str("# TYPE cartelscreen_http_requests_total counter\n");
        for ((route, method), s) in routes.iter() {
            for class in 1..6 {
                let n = s.by_class[class].load(Relaxed);
                if n > 0 {
                    let _ = writeln!(
                        out,
                        "cartelscreen_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{class}xx\"}} {n}",
                        escape(route),
                        escape(method)
                    );
                }
            }
        }
        out.push_str("# HELP cartelscreen_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE cartelscreen_http_request_duration_seconds histogram\n");
        for ((route, method), s) in routes.iter() {
            let labels = format!("route=\"{}\",method=\"{}\"", escape(route), escape(method));
            let mut cumulative = 0;
            for (i, b) in BUCKETS.iter().enumerate() {
                cumulative += s.buckets[i].load(Relaxed);
                let _ = writeln!(
                    out,
                    "cartelscreen_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {cumulative}"
                );
            }
            let count = s.count.load(Relaxed);
            let _ = writeln!(out, "cartelscreen_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {count}");
            let sum = s.sum_nanos.load(Relaxed) as f64 / 1e9;
            let _ = writeln!(out, "cartelscreen_http_request_duration_seconds_sum{{{labels}}} {sum}");
            let _ = writeln!(out, "cartelscreen_http_request_duration_seconds_count{{{labels}}} {count}");
        }
        drop(routes);
        out.push_str("# HELP cartelscreen_decisions_total Screened counterparties by decision.\n");
        out.push_str("# TYPE cartelscreen_decisions_total counter\n");
        for d in [Decision::Clear, Decision::Review, Decision::Block] {
            let _ = writeln!(
                out,
                "cartelscreen_decisions_total{{decision=\"{}\"}} {}",
                d.as_str(),
                self.decisions[decision_index(d)].load(Relaxed)
            );
        }
        out.push_str("# HELP cartelscreen_text_hits_total Listed names found in transaction free text.\n");
        out.push_str("# TYPE cartelscreen_text_hits_total counter\n");
        let _ = writeln!(out, "cartelscreen_text_hits_total {}", self.text_hits.load(Relaxed));
        out.push_str("# HELP cartelscreen_list_entries Entries of each list in service, labelled with its version.\n");
        out.push_str("# TYPE cartelscreen_list_entries gauge\n");
        for l in generation.screener.lists() {
            let _ = writeln!(
                out,
                "cartelscreen_list_entries{{dataset=\"{}\",sha256=\"{}\",published=\"{}\"}} {}",
                escape(&l.dataset),
                escape(&l.sha256),
                escape(l.published.as_deref().unwrap_or("")),
                l.entries
            );
        }
        let today = crate::engine::model::today_days();
        out.push_str("# HELP cartelscreen_list_age_days Days since each list in service was published.\n");
        out.push_str("# TYPE cartelscreen_list_age_days gauge\n");
        for l in generation.screener.lists() {
            if let Some(a) = l.age_days(today) {
                let _ = writeln!(out, "cartelscreen_list_age_days{{dataset=\"{}\"}} {a}", escape(&l.dataset));
            }
        }
        out.push_str("# HELP cartelscreen_list_partial 1 for a list in service that is a partial set.\n");
        out.push_str("# TYPE cartelscreen_list_partial gauge\n");
        for l in generation.screener.lists() {
            let _ = writeln!(
                out,
                "cartelscreen_list_partial{{dataset=\"{}\"}} {}",
                escape(&l.dataset),
                u8::from(l.partial)
            );
        }
        let official = generation.screener.lists().iter().filter(|l| l.is_sanctions_list()).count();
        out.push_str(
            "# HELP cartelscreen_sanctions_lists Official (OFAC, UN) lists in service; 0 means no real clear.\n",
        );
        out.push_str("# TYPE cartelscreen_sanctions_lists gauge\n");
        let _ = writeln!(out, "cartelscreen_sanctions_lists {official}");
        out.push_str(
            "# HELP cartelscreen_lists_generation Counts list swaps since start (1 = the lists loaded at start).\n",
        );
        out.push_str("# TYPE cartelscreen_lists_generation gauge\n");
        let _ = writeln!(out, "cartelscreen_lists_generation {}", generation.number);
        let loaded = generation.loaded_at.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0);
        out.push_str("# HELP cartelscreen_lists_loaded_timestamp_seconds When the lists in service were loaded.\n");
        out.push_str("# TYPE cartelscreen_lists_loaded_timestamp_seconds gauge\n");
        let _ = writeln!(out, "cartelscreen_lists_loaded_timestamp_seconds {loaded}");
        out.push_str("# HELP cartelscreen_list_reloads_total List reload attempts by result.\n");
        out.push_str("# TYPE cartelscreen_list_reloads_total counter\n");
        let _ = writeln!(out, "cartelscreen_list_reloads_total{{result=\"ok\"}} {}", reload.succeeded);
        let _ = writeln!(out, "cartelscreen_list_reloads_total{{result=\"error\"}} {}", reload.failed);
        out.push_str("# HELP cartelscreen_list_reload_failing 1 while the last reload attempt failed.\n");
        out.push_str("# TYPE cartelscreen_list_reload_failing gauge\n");
        let _ = writeln!(out, "cartelscreen_list_reload_failing {}", u8::from(reload.last_error.is_some()));
        out.push_str("# HELP cartelscreen_list_reload_rejected 1 while the last reload was rejected, by reason.\n");
        out.push_str("# TYPE cartelscreen_list_reload_rejected gauge\n");
        for reason in ["format", "integrity", "shrunk", "io", "not_recognised", "invalid"] {
            let on = reload.last_error_kind.as_deref() == Some(reason);
            let _ = writeln!(out, "cartelscreen_list_reload_rejected{{reason=\"{reason}\"}} {}", u8::from(on));
        }
        out
    }
}

/// Escapes a label value.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_is_cumulative_and_counts_match() {
        let m = Metrics::new();
        m.observe("/v1/screen", "POST", 200, Duration::from_micros(50));
        m.observe("/v1/screen", "POST", 422, Duration::from_millis(3));
        m.observe("/v1/screen", "POST", 200, Duration::from_secs(9));
        let registry = crate::lists::registry::embedded();
        let screener =
            crate::engine::screen::Screener::build(vec![registry.list.clone()], registry, Default::default());
        let g = Generation { screener, loaded_at: std::time::SystemTime::now(), number: 1 };
        let text = m.render(&g, &ReloadStatus::default());
        assert!(
            text.contains("cartelscreen_http_requests_total{route=\"/v1/screen\",method=\"POST\",status=\"2xx\"} 2")
        );
        assert!(
            text.contains("cartelscreen_http_requests_total{route=\"/v1/screen\",method=\"POST\",status=\"4xx\"} 1")
        );
        assert!(text.contains("le=\"0.0001\"} 1\n"));
        assert!(text.contains("le=\"0.005\"} 2\n"));
        assert!(text.contains("le=\"5\"} 2\n"));
        assert!(text.contains("le=\"+Inf\"} 3\n"));
        assert!(text.contains("cartelscreen_list_entries{dataset=\"cartelscreen_fto_cartels\""));
    }
}
