//! The lists page (`GET /ui/lists`): each list in service with its version
//! and age, the last reload's outcome, each cartel's network size, and for
//! an administrator the reload button (the operation of
//! `POST /v1/lists/reload`). The audit search (`GET /ui/audit`,
//! administrators) takes the filters of `GET /v1/audit`.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::page::{given, label_of, or_answer, serde_name, urlencode, Cx};
use super::render;
use crate::config::Scope;
use crate::http::records::{blocking, time_param};
use crate::http::state::AppState;
use crate::http::v1::lists::{lists_response, reload_lists};
use crate::record::audit::export::format_time;
use crate::record::store::AuditFilter;

#[derive(Debug, Default, Deserialize)]
pub struct ListsQuery {
    /// The outcome of a reload just asked for.
    #[serde(default)]
    reloaded: String,
}

/// `GET /ui/lists`.
pub async fn lists(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let q = web::Query::<ListsQuery>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let info = lists_response(&state);
    let generation = state.lists.current();
    let s = &generation.screener;
    let sizes = s.network().sizes(s.registry());
    let body = html! {
        h1 { (cx.t("lists.title")) }
        @if !q.reloaded.is_empty() { p.notice #notice role="status" { (cx.t("lists.reloaded")) ": " (label_of(cx.lang, "outcome", &q.reloaded)) } }
        p.meta { (cx.t("lists.entities")) " " strong #entity-count { (cx.lang.int(info.entities as u64)) } " · "
            (cx.t("lists.generation")) " " (info.generation) " · " (cx.t("lists.loaded_at")) " " (cx.lang.date(&info.loaded_at)) }
        table #lists-table {
            thead { tr {
                th scope="col" { (cx.t("lists.dataset")) } th scope="col" { (cx.t("lists.name")) }
                th scope="col" { (cx.t("lists.published")) } th scope="col" { (cx.t("lists.age")) }
                th scope="col" { (cx.t("lists.entries")) } th scope="col" { (cx.t("lists.state")) }
            } }
            tbody { @for l in &info.lists {
                tr data-dataset=(l.version.dataset) {
                    td { code { (l.version.dataset) } } td { (l.version.title) }
                    td { (l.version.published.as_deref().map(|p| cx.lang.date(p)).unwrap_or_else(|| "—".into())) }
                    td { (l.age_days.map(|a| format!("{a} {}", cx.t("lists.days"))).unwrap_or_else(|| "—".into())) }
                    td.num { (cx.lang.int(l.version.entries as u64)) }
                    td { @if l.stale { span.warn { (cx.t("lists.stale")) } } @else if l.version.partial { span.warn { (cx.t("lists.partial")) } } @else { (cx.t("lists.ok")) } }
                }
            } }
        }
        h2 { (cx.t("lists.reload")) }
        dl.facts {
            dt { (cx.t("lists.last_attempt")) } dd { (info.reload.last_attempt_at.as_deref().map(|t| cx.lang.date(t)).unwrap_or_else(|| "—".into())) }
            dt { (cx.t("lists.last_success")) } dd { (info.reload.last_success_at.as_deref().map(|t| cx.lang.date(t)).unwrap_or_else(|| "—".into())) }
            @if let Some(e) = &info.reload.last_error { dt { (cx.t("lists.last_error")) } dd.error { (e) } }
            dt { (cx.t("lists.reload_counts")) } dd { (info.reload.succeeded) " / " (info.reload.failed) }
        }
        @if cx.may(Scope::Admin) {
            form method="post" action="/ui/lists/reload" {
                (cx.csrf_field())
                label { input type="checkbox" name="accept_shrink" value="true"; " " (cx.t("lists.accept_shrink")) }
                button #reload type="submit" { (cx.t("lists.reload_now")) }
            }
        }
        h2 { (cx.t("lists.networks")) }
        table #networks {
            thead { tr { th scope="col" { (cx.t("tie.cartel")) } th scope="col" { (cx.t("lists.network_total")) }
                th scope="col" { (label_of(cx.lang, "basis", "list")) } th scope="col" { (label_of(cx.lang, "basis", "source")) } } }
            tbody { @for (c, size) in s.registry().cartels.iter().zip(&sizes) {
                tr data-cartel=(c.code) {
                    td { (render::entity_link(&c.ofac_id(), &format!("{} — {}", c.code, c.name))) }
                    td.num { (size.total) } td.num { (size.by_list) } td.num { (size.by_source) }
                }
            } }
        }
    };
    cx.page(cx.t("lists.title"), body)
}

#[derive(Debug, Deserialize)]
pub struct ReloadForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    accept_shrink: Option<String>,
}

/// `POST /ui/lists/reload` (administrators).
pub async fn reload(req: HttpRequest, state: web::Data<AppState>, f: web::Form<ReloadForm>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Admin));
    or_answer!(cx.check_csrf(&f.csrf));
    match reload_lists(&state, f.accept_shrink.as_deref() == Some("true")).await {
        Ok(outcome) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/ui/lists?reloaded={}", urlencode(&serde_name(&outcome)))))
            .finish(),
        Err(e) => cx.error(e.status, &format!("{}: {}", e.code.as_str(), e.message)),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct AuditForm {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    caller: String,
    #[serde(default)]
    request_id: String,
}

/// Records shown by the audit search, newest first.
const SHOWN: usize = 200;

/// `GET /ui/audit` (administrators): the newest [`SHOWN`] records matching.
pub async fn audit(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Admin));
    let f = web::Query::<AuditForm>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let (from, to) = match (time_param("from", &given(&f.from)), time_param("to", &given(&f.to))) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return cx.error(StatusCode::UNPROCESSABLE_ENTITY, &e.message),
    };
    let filter = AuditFilter {
        from,
        to,
        kind: given(&f.kind),
        decision: given(&f.decision),
        entity_id: given(&f.entity_id),
        reference: given(&f.reference),
        caller: given(&f.caller),
        request_id: given(&f.request_id),
        after: None,
        limit: SHOWN,
        newest_first: true,
    };
    let store = state.records.store().clone();
    let page = match blocking(move || Ok(store.audit(&filter)?)).await {
        Ok(p) => p,
        Err(e) => return cx.error(e.status, &e.message),
    };
    let field = |id: &str, name: &str, label: &str, v: &str, kind: &str| {
        html! { div.field { label for=(id) { (cx.t(label)) } input id=(id) type=(kind) name=(name) value=(v); } }
    };
    let body = html! {
        h1 { (cx.t("audit.title")) }
        form.filters method="get" action="/ui/audit" {
            (field("from", "from", "filter.from", &f.from, "date"))
            (field("to", "to", "filter.to", &f.to, "date"))
            div.field { label for="kind" { (cx.t("audit.kind")) }
                select #kind name="kind" { option value="" { (cx.t("filter.any")) }
                    @for k in ["screening", "disposition_recorded", "disposition_revoked", "monitoring_removed"] {
                        option value=(k) selected[f.kind == k] { (label_of(cx.lang, "record", k)) } } } }
            div.field { label for="decision" { (cx.t("filter.decision")) }
                select #decision name="decision" { option value="" { (cx.t("filter.any")) }
                    @for d in ["clear", "review", "block"] { option value=(d) selected[f.decision == d] { (label_of(cx.lang, "decision", d)) } } } }
            (field("entity_id", "entity_id", "match.entity", &f.entity_id, "text"))
            (field("reference", "reference", "filter.reference", &f.reference, "text"))
            (field("caller", "caller", "evidence.who", &f.caller, "text"))
            (field("request_id", "request_id", "screen.request", &f.request_id, "text"))
            button type="submit" { (cx.t("filter.apply")) }
        }
        table #audit-table {
            thead { tr { th { "#" } th { (cx.t("evidence.when")) } th { (cx.t("audit.kind")) } th { (cx.t("evidence.channel")) }
                th { (cx.t("evidence.who")) } th { (cx.t("filter.reference")) } th { (cx.t("filter.decision")) } th { (cx.t("audit.hits")) } } }
            tbody { @for r in &page.records {
                tr {
                    td { (r.seq.unwrap_or(0)) }
                    td { (cx.lang.date(&format_time(r.at))) }
                    td { (label_of(cx.lang, "record", &r.kind)) }
                    td { (label_of(cx.lang, "channel", &r.channel)) }
                    td { (r.caller) }
                    td { (r.reference.as_deref().unwrap_or("—")) }
                    td { @if let Some(d) = &r.decision { span class=(format!("decision {d}")) { (label_of(cx.lang, "decision", d)) } } }
                    td { @for h in &r.hits { (render::entity_link(&h.entity_id, &h.entity_id)) " " }
                        @if r.kind == "screening" { " · " a href=(format!("/ui/evidence/{}", urlencode(&r.request_id))) { (cx.t("screen.evidence")) } } }
                }
            } }
        }
    };
    cx.page(cx.t("audit.title"), body)
}
