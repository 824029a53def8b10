//! How screenings, explanations and evaluation reports read on a terminal.

use super::outln;
use cartelscreen::engine::{Match, Screening};
use cartelscreen::quality::eval::{CasesReport, PairsReport};

fn flags_text(m: &Match) -> String {
    m.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(",")
}

fn ties_text(m: &Match) -> String {
    let mut parts: Vec<String> = Vec::new();
    for t in &m.cartel_ties {
        let s = if t.depth == 0 {
            format!("{} (the cartel)", t.cartel)
        } else {
            format!("{} ({} link{})", t.cartel, t.depth, if t.depth == 1 { "" } else { "s" })
        };
        if !parts.contains(&s) {
            parts.push(s);
        }
    }
    if parts.is_empty() {
        "-".into()
    } else {
        parts.join("; ")
    }
}

pub(super) fn print_screening(name: &str, s: &Screening) {
    outln!("{name}: {}", s.decision.as_str().to_uppercase());
    if !s.flags.is_empty() {
        outln!("flags: {}", s.flags.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", "));
    }
    if !s.evasion.is_empty() {
        outln!("evasion: {}", s.evasion.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", "));
    }
    for x in &s.exposures {
        outln!(
            "shares {} with {} — {} ({}): {:?} (listed {:?})",
            x.shared.as_str(),
            x.entity_id,
            x.caption,
            x.list,
            x.value,
            x.entry_value
        );
        for t in x.cartel_ties.iter().take(3) {
            outln!("   {} {} ({} basis): {}", t.cartel, t.relation.as_str(), t.basis.as_str(), t.path_text());
        }
    }
    if s.matches.is_empty() {
        outln!("no match on the loaded lists");
        return;
    }
    outln!();
    outln!(
        "{:>2}  {:>5}  {:<8} {:<14} {:<26} {:<44} cartel",
        "#",
        "score",
        "decision",
        "entity",
        "list",
        "matched name (role)"
    );
    for (i, m) in s.matches.iter().enumerate() {
        let matched = format!("{} ({})", m.matched_name, m.matched_role.as_str());
        outln!(
            "{:>2}  {:>5.3}  {:<8} {:<14} {:<26} {:<44} {}",
            i + 1,
            m.score,
            m.decision.as_str(),
            m.entity_id,
            m.list,
            truncate(&matched, 44),
            ties_text(m)
        );
    }
    for (i, m) in s.matches.iter().enumerate().filter(|(_, m)| m.decision.is_alert()) {
        outln!();
        outln!("#{} {} — {}", i + 1, m.entity_id, m.caption);
        outln!("   flags: {}", flags_text(m));
        if !m.programs.is_empty() {
            outln!("   programs: {}", m.programs.join(", "));
        }
        for t in m.cartel_ties.iter().filter(|t| t.depth > 0).take(3) {
            outln!("   {} {} ({} basis): {}", t.cartel, t.relation.as_str(), t.basis.as_str(), t.path_text());
        }
        outln!("   why: {}", explanation_line(m));
    }
}

fn explanation_line(m: &Match) -> String {
    let mut parts: Vec<String> = m
        .explanation
        .name
        .tokens
        .iter()
        .map(|t| format!("{}~{} {:.2} {}", t.query, t.listed, t.similarity, t.how.as_str()))
        .collect();
    for a in &m.explanation.adjustments {
        parts.push(format!("{} {:+.2}", a.feature, a.effect));
    }
    parts.join("; ")
}

pub(super) fn print_explanation(name: &str, m: &Match) {
    outln!("query:        {name}");
    outln!("entity:       {} — {} ({}, {})", m.entity_id, m.caption, m.kind.as_str(), m.list);
    outln!("matched name: {} ({})", m.matched_name, m.matched_role.as_str());
    outln!("score:        {:.3}  decision: {}", m.score, m.decision.as_str());
    let n = &m.explanation.name;
    outln!(
        "name score:   {:.3} (query covered {:.0}%, listed name covered {:.0}%)",
        n.score,
        n.query_coverage * 100.0,
        n.listed_coverage * 100.0
    );
    outln!();
    outln!("  {:<20} {:<20} {:>10} {:>7}  how", "query token", "listed token", "similarity", "weight");
    for t in &n.tokens {
        outln!("  {:<20} {:<20} {:>10.3} {:>7.2}  {}", t.query, t.listed, t.similarity, t.weight, t.how.as_str());
    }
    for t in &n.unmatched_query {
        outln!("  {:<20} {:<20} {:>10} {:>7}  unmatched", t, "-", "-", "-");
    }
    for t in &n.unmatched_listed {
        outln!("  {:<20} {:<20} {:>10} {:>7}  unmatched", "-", t, "-", "-");
    }
    if !m.explanation.adjustments.is_empty() {
        outln!();
        for a in &m.explanation.adjustments {
            outln!("  {:<10} {:+.3}  {}", a.feature, a.effect, a.detail);
        }
    }
    outln!();
    outln!("flags: {}", flags_text(m));
    outln!("cartel: {}", ties_text(m));
    for t in m.cartel_ties.iter().filter(|t| t.depth > 0) {
        outln!("  {} {} ({} basis): {}", t.cartel, t.relation.as_str(), t.basis.as_str(), t.path_text());
    }
}

pub(super) fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

pub(super) fn pct(x: Option<f64>) -> String {
    x.map(|v| format!("{:.2}%", v * 100.0)).unwrap_or_else(|| "-".into())
}

pub(super) fn print_cases(r: &CasesReport, show_failures: bool) {
    outln!("{:<24} {:>7} {:>9} {:>9} {:>11}", "class", "cases", "recall", "top1", "alert_rate");
    for (c, s) in &r.classes {
        outln!("{:<24} {:>7} {:>9} {:>9} {:>11}", c, s.n, pct(s.recall), pct(s.top1), pct(s.alert_rate));
    }
    outln!("{:<24} {:>7} {:>9} {:>9} {:>11}", "ALL", r.cases, pct(r.recall), pct(r.top1), pct(r.alert_rate));
    outln!("positives {}, negatives {}", r.positives, r.negatives);
    let failures: Vec<_> =
        r.outcomes.iter().filter(|o| (o.positive && !o.caught) || (!o.positive && o.alerted)).collect();
    let shown = if show_failures { failures.len() } else { failures.len().min(10) };
    if !failures.is_empty() {
        outln!();
        outln!(
            "failures ({}{}):",
            failures.len(),
            if shown < failures.len() { ", first 10; --show-failures for all" } else { "" }
        );
        for o in failures.iter().take(shown) {
            let what = if o.positive { "missed" } else { "false alert" };
            let best =
                o.best.as_ref().map(|(id, s, d)| format!("best {id} {s:.3} {d}")).unwrap_or_else(|| "no match".into());
            let err = o.error.as_deref().map(|e| format!(" error: {e}")).unwrap_or_default();
            outln!("  line {} [{}] {what}: {} — {best}{err}", o.line, o.class, o.name);
        }
    }
}

pub(super) fn print_pairs(r: &PairsReport, show_failures: bool) {
    outln!("threshold {:.2}", r.threshold);
    outln!("{:<20} {:>6} {:>10} {:>8} {:>8}", "group", "pairs", "precision", "recall", "f1");
    for (g, s) in &r.groups {
        outln!("{:<20} {:>6} {:>10.3} {:>8.3} {:>8.3}", g, s.pairs, s.precision, s.recall, s.f1);
    }
    outln!("{:<20} {:>6} {:>10.3} {:>8.3} {:>8.3}", "ALL", r.pairs, r.precision, r.recall, r.f1);
    if show_failures {
        for (p, s) in &r.scored {
            let predicted = *s as f64 >= r.threshold;
            if predicted != p.is_match {
                outln!("  {:.3} {} | {} | {} (expected {})", s, p.group, p.a, p.b, p.is_match);
            }
        }
    }
}
