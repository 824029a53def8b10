//! How a screening reads on a page: the decision, its flags, each match
//! with the token-by-token alignment of the names, the adjustments by
//! birth date, country and identifier, and the cartel tie with its path and
//! public source. Shared by the result page and the evidence page.

use maud::{html, Markup};

use super::i18n::Lang;
use super::page::{label_of, serde_name, urlencode};
use crate::engine::network::{CartelRegistry, CartelTie, Edge, PathStep, Source};
use crate::engine::{Decision, Match};
use crate::http::v1::ScreenResult;

/// The decision as a badge (`clear`, `review`, `block`).
pub fn decision(lang: Lang, d: Decision) -> Markup {
    let name = serde_name(&d);
    html! { span class=(format!("decision {name}")) data-decision=(name) { (label_of(lang, "decision", &name)) } }
}

/// A flag with its description.
pub fn flag(lang: Lang, f: &impl serde::Serialize) -> Markup {
    let name = serde_name(f);
    html! { li.flag data-flag=(name) title=(name) { (label_of(lang, "flag", &name)) } }
}

/// An entry's page link.
pub fn entity_link(id: &str, text: &str) -> Markup {
    html! { a.entity href=(format!("/ui/entities/{}", urlencode(id))) { (text) } }
}

/// The whole result: decision, flags, evasion signs, every match, the
/// exposures.
pub fn result(
    lang: Lang,
    reg: &CartelRegistry,
    r: &ScreenResult,
    dispose: &dyn Fn(&Match) -> Option<Markup>,
) -> Markup {
    html! {
        section.result aria-labelledby="result-h" {
            h2 #result-h { (lang.t("result.title")) " " (decision(lang, r.decision)) }
            @if !r.flags.is_empty() {
                ul.flags aria-label=(lang.t("result.flags")) { @for f in &r.flags { (flag(lang, f)) } }
            }
            @if !r.evasion.is_empty() {
                p.evasion { (lang.t("result.evasion")) ": "
                    @for (i, e) in r.evasion.iter().enumerate() {
                        @if i > 0 { ", " } (label_of(lang, "evasion", &serde_name(e)))
                    }
                }
            }
            @if r.matches.is_empty() {
                p.nomatch #no-matches { (lang.t("result.none")) }
            }
            @if r.withheld_matches > 0 {
                p.note { (lang.t("result.withheld")) ": " (r.withheld_matches) }
            }
            @for (i, m) in r.matches.iter().enumerate() {
                (one_match(lang, reg, i, m, dispose(m)))
            }
            @if !r.exposures.is_empty() {
                section.exposures {
                    h3 { (lang.t("result.exposures")) }
                    ul { @for x in &r.exposures {
                        li {
                            (label_of(lang, "shared", &serde_name(&x.shared))) ": " code { (x.value) }
                            " — " (entity_link(&x.entity_id, &x.caption))
                            @for t in &x.cartel_ties { " · " (t.cartel) }
                        }
                    } }
                }
            }
        }
    }
}

/// One match: its header, the names aligned, the adjustments, the ties.
pub fn one_match(lang: Lang, reg: &CartelRegistry, i: usize, m: &Match, dispose: Option<Markup>) -> Markup {
    let name = &m.explanation.name;
    html! {
        article.match id=(format!("match-{i}")) data-entity=(m.entity_id) {
            header {
                h3 { (entity_link(&m.entity_id, &m.caption)) }
                (decision(lang, m.decision))
                span.score title=(lang.t("match.score")) { (lang.t("match.score")) " " strong.score-value { (lang.score(m.score)) } }
            }
            dl.facts {
                dt { (lang.t("match.list")) } dd { code { (m.list) } }
                dt { (lang.t("match.matched_name")) } dd { (m.matched_name) " (" (label_of(lang, "role", &serde_name(&m.matched_role))) ")" }
                dt { (lang.t("match.kind")) } dd { (label_of(lang, "kind", &serde_name(&m.kind))) }
                @if !m.programs.is_empty() { dt { (lang.t("match.programs")) } dd { (m.programs.join(", ")) } }
            }
            @if !m.flags.is_empty() { ul.flags { @for f in &m.flags { (flag(lang, f)) } } }
            @if !name.tokens.is_empty() || !name.unmatched_query.is_empty() || !name.unmatched_listed.is_empty() {
                table.tokens {
                    caption { (lang.t("match.tokens")) " — " (lang.t("match.name_score")) " " (lang.score(name.score))
                        " (" (lang.t("match.query_cov")) " " (lang.score(name.query_coverage)) ", "
                        (lang.t("match.listed_cov")) " " (lang.score(name.listed_coverage)) ")" }
                    thead { tr {
                        th scope="col" { (lang.t("match.submitted")) }
                        th scope="col" { (lang.t("match.listed")) }
                        th scope="col" { (lang.t("match.how")) }
                        th scope="col" { (lang.t("match.similarity")) }
                        th scope="col" { (lang.t("match.weight")) }
                    } }
                    tbody {
                        @for t in &name.tokens {
                            tr class=(format!("how-{}", t.how.as_str())) {
                                td { (t.query) } td { (t.listed) }
                                td { (label_of(lang, "how", t.how.as_str())) }
                                td.num { (lang.score(t.similarity)) } td.num { (lang.score(t.weight)) }
                            }
                        }
                        @for q in &name.unmatched_query {
                            tr.unmatched { td { (q) } td { "—" } td { (lang.t("match.unmatched")) } td {} td {} }
                        }
                        @for l in &name.unmatched_listed {
                            tr.unmatched { td { "—" } td { (l) } td { (lang.t("match.unmatched")) } td {} td {} }
                        }
                    }
                }
            }
            @if !m.explanation.adjustments.is_empty() {
                ul.adjustments aria-label=(lang.t("match.adjustments")) {
                    @for a in &m.explanation.adjustments {
                        li { strong { (label_of(lang, "feature", a.feature)) } " "
                            span class=(if a.effect < 0.0 { "down" } else { "up" }) { (format!("{:+.2}", a.effect)) }
                            " — " (a.detail) }
                    }
                }
            }
            @for t in &m.cartel_ties { (tie(lang, reg, t)) }
            @if let Some(form) = dispose { (form) }
        }
    }
}

/// A cartel tie: the cartel, how, and the path with each step's basis and
/// source; for the cartel itself, its designation and the release of it.
pub fn tie(lang: Lang, reg: &CartelRegistry, t: &CartelTie) -> Markup {
    let cartel = reg.by_code(&t.cartel);
    html! {
        div.tie data-cartel=(t.cartel) {
            p.tie-head {
                strong { (lang.t("tie.cartel")) ": " (t.cartel_name) " (" (t.cartel) ")" } " · "
                (label_of(lang, "relation", &serde_name(&t.relation))) " · "
                (lang.t("tie.depth")) " " (t.depth) " · "
                span class=(format!("basis {}", serde_name(&t.basis))) { (label_of(lang, "basis", &serde_name(&t.basis))) }
            }
            @if t.path.len() > 1 { ol.path aria-label=(lang.t("tie.path")) { @for s in &t.path { (step(lang, s)) } } }
            @if let Some(c) = cartel.filter(|_| t.depth == 0) {
                p.designation { (lang.t("tie.designated")) " " (c.designations.join(", ")) " · " (lang.date(&c.designated)) }
            }
            @let designation = cartel.filter(|_| t.depth == 0).and_then(|c| c.designation_source.as_ref());
            @let sources: Vec<&Source> = t.sources().chain(designation).collect();
            @if !sources.is_empty() {
                ul.sources aria-label=(lang.t("tie.sources")) {
                    @for s in sources {
                        li.source { (s.issuer) ", " a href=(s.url) rel="noreferrer noopener" { (s.title) }
                            " (" (lang.date(&s.date)) @if let Some(r) = &s.reference { ", " (r) } ")" }
                    }
                }
            }
        }
    }
}

fn step(lang: Lang, s: &PathStep) -> Markup {
    html! {
        li { (entity_link(&s.id, &s.name)) " " small { "(" (s.id) ")" }
            @if let Some(e) = &s.edge { " " span.edge { "→ " (edge(lang, e)) } } }
    }
}

/// How a step reaches the next: a list link or a source's relation.
pub fn edge(lang: Lang, e: &Edge) -> String {
    let mut parts = Vec::new();
    if let Some(d) = e.direction {
        let key = if e.via.is_some_and(|v| serde_name(&v) == "care_of") { "care_of" } else { &serde_name(&d) };
        parts.push(label_of(lang, "edge", key));
    }
    if let Some(r) = e.relation {
        parts.push(label_of(lang, "relation", r.as_str()));
    }
    if let Some(s) = &e.source {
        parts.push(format!("{} {} ({})", lang.t("edge.per"), s.issuer, lang.date(&s.date)));
    }
    if parts.is_empty() {
        parts.push(label_of(lang, "basis", &serde_name(&e.basis)));
    }
    parts.join("; ")
}
