//! An entry's page (`GET /ui/entities/{id}`): every fact the list gives
//! (names by role, identifiers, dates, addresses, programs, remarks), the
//! list version it came from and its age, its cartel ties with their
//! sources, and its network drawn as a graph.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde_json::Value;

use super::graph;
use super::page::{label_of, or_answer, serde_name, Cx};
use super::render;
use crate::config::Scope;
use crate::engine::model::today_days;
use crate::http::state::AppState;

/// A fact made of several fields (an identifier, an address) as one line.
fn fact_line(v: &Value) -> String {
    match v {
        Value::Object(o) => o
            .iter()
            .filter(|(_, x)| !x.is_null() && x.as_array().is_none_or(|a| !a.is_empty()))
            .map(|(k, x)| match x {
                Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn facts(cx: &Cx, label: &str, items: &[Value]) -> Markup {
    html! {
        @if !items.is_empty() {
            dt { (cx.t(label)) }
            dd { ul { @for i in items { li { (fact_line(i)) } } } }
        }
    }
}

/// `GET /ui/entities/{id}`.
pub async fn entity(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let generation = state.lists.current();
    let s = &generation.screener;
    let Some(e) = s.entity(&id) else {
        return cx.error(StatusCode::NOT_FOUND, &format!("{} {:?}", cx.t("entity.none"), id.as_str()));
    };
    let ties = s.cartel_ties(&e.id);
    let linked = s.linked(&e.id);
    let version = s.lists().iter().find(|l| l.dataset == e.list);
    let kind_of = |id: &str| s.entity(id).map(|x| x.kind);
    let picture = graph::draw(e, ties, &linked, &kind_of, cx.t("entity.graph"));
    let ids: Vec<Value> = e.identifiers.iter().filter_map(|i| serde_json::to_value(i).ok()).collect();
    let dobs: Vec<Value> = e.birth_dates.iter().filter_map(|i| serde_json::to_value(i).ok()).collect();
    let addresses: Vec<Value> = e.addresses.iter().filter_map(|i| serde_json::to_value(i).ok()).collect();
    let strings = |v: &[String]| v.iter().map(|x| Value::String(x.clone())).collect::<Vec<_>>();
    let vessel: Vec<Value> = e.vessel.iter().filter_map(|v| serde_json::to_value(v).ok()).collect();
    let title = e.caption().to_string();
    let body = html! {
        h1 #entity-name { (title) }
        p.meta { code { (e.id) } " · " (label_of(cx.lang, "kind", &serde_name(&e.kind))) " · " code { (e.list) } }
        section.ties {
            h2 { (cx.t("entity.ties")) }
            @if ties.is_empty() { p #no-ties { (cx.t("entity.no_ties")) } }
            @for t in ties { (render::tie(cx.lang, s.registry(), t)) }
        }
        @if let Some(svg) = picture {
            section.graph {
                h2 { (cx.t("entity.graph")) }
                div.svg-wrap { (svg) }
                ul.legend {
                    @for k in ["person", "organization", "company", "vessel"] {
                        li { span class=(format!("swatch kind-{k}")) {} (label_of(cx.lang, "kind", k)) }
                    }
                    li { span.swatch-line.basis-list {} (label_of(cx.lang, "basis", "list")) }
                    li { span.swatch-line.basis-source {} (label_of(cx.lang, "basis", "source")) }
                    li { span.swatch-line.on-path {} (cx.t("tie.path")) }
                }
                @if linked.len() > graph::MAX_NEIGHBOURS { p.note { (cx.t("entity.more_links")) " " (linked.len()) } }
            }
        }
        section.facts {
            h2 { (cx.t("entity.facts")) }
            dl {
                dt { (cx.t("entity.names")) }
                dd { ul.names { @for n in &e.names {
                    li { (n.full) " " small.role { "(" (label_of(cx.lang, "role", &serde_name(&n.role))) ")" } }
                } } }
                @if !e.programs.is_empty() { dt { (cx.t("match.programs")) } dd { (e.programs.join(", ")) } }
                (facts(&cx, "entity.identifiers", &ids))
                (facts(&cx, "entity.birth_dates", &dobs))
                (facts(&cx, "entity.birth_places", &strings(&e.birth_places)))
                (facts(&cx, "entity.nationalities", &strings(&e.nationalities)))
                (facts(&cx, "entity.citizenships", &strings(&e.citizenships)))
                (facts(&cx, "entity.addresses", &addresses))
                (facts(&cx, "entity.vessel", &vessel))
                (facts(&cx, "entity.websites", &strings(&e.websites)))
                (facts(&cx, "entity.emails", &strings(&e.emails)))
                (facts(&cx, "entity.phones", &strings(&e.phones)))
                (facts(&cx, "entity.secondary", &strings(&e.secondary_sanctions_risk)))
                @if let Some(d) = &e.listed_on { dt { (cx.t("entity.listed_on")) } dd { (cx.lang.date(d)) } }
                @if let Some(r) = &e.remarks { dt { (cx.t("entity.remarks")) } dd.remarks { (r) } }
                @if let Some(v) = version {
                    dt { (cx.t("entity.list_version")) }
                    dd #list-version { (v.title) " · " code { (v.sha256.get(..12).unwrap_or(&v.sha256)) }
                        @if let Some(p) = &v.published { " · " (cx.t("lists.published")) " " (cx.lang.date(p)) }
                        @if let Some(a) = v.age_days(today_days()) { " · " (cx.t("lists.age")) " " (a) " " (cx.t("lists.days")) } }
                }
            }
        }
    };
    cx.page(&title, body)
}
