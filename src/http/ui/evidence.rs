//! The evidence of one screening (`GET /ui/evidence/{request_id}`), as an
//! examiner asks for it: who screened, when and on which channel, the
//! counterparty as submitted, the list versions with their age, the
//! decision and every hit as recorded in the audit trail (with the record's
//! sequence number and hash), the dispositions on the counterparty, and,
//! when the lists, engine and configuration in service are still those of
//! the record, each hit's explanation. Printable (a print stylesheet
//! leaves the navigation out).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde_json::Value;

use super::page::{label_of, Cx};
use super::render;
use crate::config::Scope;
use crate::http::records::blocking;
use crate::http::state::AppState;
use crate::http::v1::ScreenRequest;
use crate::record::audit::export::format_time;
use crate::record::audit::ENGINE_VERSION;
use crate::record::dispositions::{name_key, reference_key};
use crate::record::store::AuditFilter;

/// `GET /ui/evidence/{request_id}`.
pub async fn evidence(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let cx = match Cx::signed_in(&req, &state, Scope::Screen) {
        Ok(cx) => cx,
        Err(r) => return *r,
    };
    let request_id = id.into_inner();
    let store = state.records.store().clone();
    let filter = AuditFilter { request_id: Some(request_id.clone()), limit: 1000, ..AuditFilter::default() };
    let page = match blocking(move || Ok(store.audit(&filter)?)).await {
        Ok(p) => p,
        Err(e) => return cx.error(e.status, &e.message),
    };
    let records: Vec<_> = page.records.into_iter().filter(|r| r.kind == "screening").collect();
    if records.is_empty() {
        return cx.error(StatusCode::NOT_FOUND, &format!("{} {request_id:?}", cx.t("evidence.none")));
    }
    // Only the caller's own screenings, unless the key may read the trail.
    if !cx.may(Scope::Admin) && records.iter().any(|r| r.caller != cx.session.key_id) {
        return cx.error(StatusCode::FORBIDDEN, cx.t("evidence.not_yours"));
    }
    let dispositions = state.records.dispositions.all().unwrap_or_default();
    let generation = state.lists.current();
    let screener = &generation.screener;
    let current = state.records.list_set(screener);
    let config_hash = &state.records.audit.context().config_hash;
    let title = format!("{} {request_id}", cx.t("evidence.title"));
    let body = html! {
        h1 { (cx.t("evidence.title")) }
        p.meta { (cx.t("screen.request")) " " code #evidence-request { (request_id) } }
        @for r in &records {
            @let same = r.lists.fingerprint == current.fingerprint && &r.config_hash == config_hash
                && r.engine_version == ENGINE_VERSION;
            @let keys: Vec<String> = r.reference.iter().map(|x| reference_key(x))
                .chain(r.subject.get("name").and_then(Value::as_str).map(|n| name_key(n, &ids(&r.subject))))
                .collect();
            section.record data-seq=(r.seq.unwrap_or(0)) {
                dl.facts {
                    dt { (cx.t("evidence.when")) } dd { (cx.lang.date(&format_time(r.at))) " (UTC)" }
                    dt { (cx.t("evidence.who")) } dd #evidence-caller { (r.caller) }
                    dt { (cx.t("evidence.channel")) } dd { (label_of(cx.lang, "channel", &r.channel)) }
                    @if let Some(x) = &r.reference { dt { (cx.t("form.reference")) } dd { (x) } }
                    dt { (cx.t("evidence.record")) } dd { "#" (r.seq.unwrap_or(0)) " · " code.hash { (r.hash.as_deref().unwrap_or("—")) } }
                    dt { (cx.t("evidence.engine")) } dd { (r.engine_version) " · " code { (r.config_hash.get(..12).unwrap_or(&r.config_hash)) } }
                }
                h2 { (cx.t("evidence.submitted")) }
                dl.submitted { @if let Value::Object(o) = &r.subject { @for (k, v) in o {
                    dt { (k) } dd { (v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())) }
                } } }
                h2 { (cx.t("evidence.lists")) }
                table.lists { thead { tr { th { (cx.t("lists.dataset")) } th { (cx.t("lists.published")) } th { (cx.t("lists.age")) } th { "sha256" } } }
                    tbody { @for v in r.lists.versions.as_array().into_iter().flatten() {
                        tr {
                            td { (v.get("dataset").and_then(Value::as_str).unwrap_or("—")) }
                            td { (v.get("published").and_then(Value::as_str).map(|p| cx.lang.date(p)).unwrap_or_else(|| "—".into())) }
                            td { (v.get("age_days").map(|a| format!("{a} {}", cx.t("lists.days"))).unwrap_or_else(|| "—".into())) }
                            td { code { (v.get("sha256").and_then(Value::as_str).map(|h| h.get(..16).unwrap_or(h)).unwrap_or("—")) } }
                        }
                    } } }
                h2 { (cx.t("evidence.result")) " "
                    span class=(format!("decision {}", r.decision.as_deref().unwrap_or("clear"))) #evidence-decision
                        { (label_of(cx.lang, "decision", r.decision.as_deref().unwrap_or("clear"))) } }
                @if !r.flags.is_empty() { ul.flags { @for f in &r.flags { li { (label_of(cx.lang, "flag", f)) } } } }
                @if r.hits.is_empty() { p { (cx.t("result.none")) } }
                @for h in &r.hits {
                    @let explained = if same {
                        serde_json::from_value::<ScreenRequest>(r.subject.clone()).ok()
                            .and_then(|s| s.to_query().ok())
                            .and_then(|q| screener.explain(&q, &h.entity_id).ok().flatten())
                    } else { None };
                    @match explained {
                        Some(m) => (render::one_match(cx.lang, screener.registry(), 0, &m, None)),
                        None => p.hit { (render::entity_link(&h.entity_id, &h.entity_id)) " · " (h.list) " · "
                            (cx.t("match.score")) " " (format!("{:.2}", h.score)) " · " (label_of(cx.lang, "decision", &h.decision)) },
                    }
                    @for d in dispositions.iter().filter(|d| d.entity_id == h.entity_id && keys.contains(&d.counterparty_key)) {
                        p.disposition { strong { (label_of(cx.lang, "verdict", &super::page::serde_name(&d.verdict))) } " — "
                            (d.reason) " · " (d.analyst) " · " (cx.lang.date(&format_time(d.recorded_at)))
                            @if let Some(rv) = &d.revoked { " · " (cx.t("dispose.revoked")) " " (cx.lang.date(&format_time(rv.at))) } }
                    }
                }
                @if !same { p.note { (cx.t("evidence.changed")) } }
            }
        }
        p.print-hint { (cx.t("evidence.print")) }
    };
    cx.page(&title, body)
}

fn ids(subject: &Value) -> Vec<String> {
    subject
        .get("identifiers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}
