//! The review queue (`GET /ui/queue`): monitoring alerts and `review` or
//! `block` screenings from the audit trail that no disposition in force
//! covers yet, filterable by time, decision, cartel and reference; each hit
//! with the disposition form. Dispositions are recorded and revoked by the
//! same operations as `POST /v1/dispositions` (and its revoke), so the
//! rules are the API's.

use std::collections::HashSet;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;

use super::page::{given, label_of, or_answer, urlencode, Cx};
use super::render;
use super::screen::ScreenForm;
use crate::config::Scope;
use crate::engine::{Decision, Match};
use crate::http::records::{blocking, dispose, revoke, time_param, DispositionRequest, RevokeRequest};
use crate::http::state::AppState;
use crate::record::audit::export::format_time;
use crate::record::dispositions::{name_key, reference_key};
use crate::record::store::{now_millis, AlertFilter, AuditFilter, AuditRecord, Disposition, StoredAlert};

/// At most this many records of the trail and alerts are read per page,
/// newest first.
const SCAN: usize = 1000;
/// At most this many items are shown per section.
const SHOWN: usize = 100;

/// Who a disposition is about, as the form posts it.
pub struct Counterparty<'a> {
    pub reference: Option<&'a str>,
    pub name: Option<&'a str>,
    pub identifiers: Vec<String>,
}

/// The disposition form of one hit, for an analyst; `None` without the
/// `analyst` scope.
pub fn form(cx: &Cx, who: &Counterparty, entity_id: &str) -> Option<Markup> {
    if !cx.may(Scope::Analyst) {
        return None;
    }
    let id = format!("d-{}", entity_id.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    Some(html! {
        details.dispose {
            summary { (cx.t("dispose.open")) }
            form method="post" action="/ui/dispositions" {
                (cx.csrf_field())
                input type="hidden" name="entity_id" value=(entity_id);
                @if let Some(r) = who.reference { input type="hidden" name="reference" value=(r); }
                @if let Some(n) = who.name { input type="hidden" name="name" value=(n); }
                input type="hidden" name="identifiers" value=(who.identifiers.join("\n"));
                fieldset {
                    legend { (cx.t("dispose.verdict")) }
                    label { input type="radio" name="verdict" value="false_positive" required; " " (cx.t("verdict.false_positive")) }
                    label { input type="radio" name="verdict" value="true_match"; " " (cx.t("verdict.true_match")) }
                }
                label for=(format!("{id}-reason")) { (cx.t("dispose.reason")) }
                textarea id=(format!("{id}-reason")) name="reason" required maxlength="2000" {}
                label for=(format!("{id}-expires")) { (cx.t("dispose.expires")) }
                input id=(format!("{id}-expires")) type="date" name="expires_at";
                button.record type="submit" { (cx.t("dispose.submit")) }
            }
        }
    })
}

/// The form for a match on the result page of `f`.
pub fn disposition_form(cx: &Cx, f: &ScreenForm, m: &Match) -> Option<Markup> {
    if m.decision == Decision::Clear {
        return None;
    }
    let r = f.request();
    let who = Counterparty {
        reference: r.reference.as_deref().map(|_| f.reference.trim()),
        name: r.name.as_deref().map(|_| f.name.trim()),
        identifiers: r.identifiers.clone(),
    };
    form(cx, &who, &m.entity_id)
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueQuery {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// `review`, `block`, or empty for both.
    #[serde(default)]
    decision: String,
    /// A cartel's code.
    #[serde(default)]
    cartel: String,
    #[serde(default)]
    reference: String,
    /// The id of a disposition just recorded or revoked.
    #[serde(default)]
    done: String,
}

/// A queue item's hit, with what is known of its entry.
struct Hit {
    entity_id: String,
    caption: String,
    score: f64,
    decision: String,
    cartels: Vec<String>,
}

fn subject_field<'v>(v: &'v Value, k: &str) -> Option<&'v str> {
    v.get(k).and_then(Value::as_str)
}

fn subject_ids(v: &Value) -> Vec<String> {
    v.get("identifiers")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

/// `GET /ui/queue`.
pub async fn queue(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Analyst));
    let q = web::Query::<QueueQuery>::from_query(req.query_string()).map(|q| q.into_inner()).unwrap_or_default();
    let (from, to) = match (time_param("from", &Some(q.from.clone())), time_param("to", &Some(q.to.clone()))) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(e), _) | (_, Err(e)) => return cx.error(StatusCode::UNPROCESSABLE_ENTITY, &e.message),
    };
    let decision = match q.decision.as_str() {
        "review" | "block" => Some(q.decision.clone()),
        _ => None,
    };
    let reference = Some(q.reference.trim().to_string()).filter(|r| !r.is_empty());
    let store = state.records.store().clone();
    let dispositions = state.records.dispositions.all();
    let audit_filter = AuditFilter {
        from,
        to,
        kind: Some("screening".into()),
        decision: decision.clone(),
        reference: reference.clone(),
        limit: SCAN,
        newest_first: true,
        ..AuditFilter::default()
    };
    let alert_filter = AlertFilter { from, to, reference, limit: SCAN, newest_first: true, ..AlertFilter::default() };
    let read = blocking(move || Ok((store.audit(&audit_filter)?, store.alerts(&alert_filter)?))).await;
    let ((records, alerts), dispositions) = match (read, dispositions) {
        (Ok((r, a)), Ok(d)) => ((r.records, a.alerts), d),
        (Err(e), _) => return cx.error(e.status, &e.message),
        (_, Err(e)) => return cx.error(StatusCode::SERVICE_UNAVAILABLE, &e.to_string()),
    };
    let now = now_millis();
    let in_force: Vec<&Disposition> =
        dispositions.iter().filter(|d| d.revoked.is_none() && d.expires_at.is_none_or(|e| e > now)).collect();
    let decided: HashSet<(&str, &str)> =
        in_force.iter().map(|d| (d.counterparty_key.as_str(), d.entity_id.as_str())).collect();
    let generation = state.lists.current();
    let screener = &generation.screener;
    let cartel = q.cartel.trim().to_ascii_uppercase();
    let hit_of = |entity_id: &str, score: f64, decision: &str| {
        let cartels: Vec<String> = screener.cartel_ties(entity_id).iter().map(|t| t.cartel.clone()).collect();
        let caption = screener.entity(entity_id).map(|e| e.caption().to_string()).unwrap_or_else(|| entity_id.into());
        Hit { entity_id: entity_id.into(), caption, score, decision: decision.into(), cartels }
    };
    let wanted = |h: &Hit| {
        (cartel.is_empty() || h.cartels.contains(&cartel))
            && (h.decision == "review" || h.decision == "block")
            && decision.as_deref().is_none_or(|d| d == h.decision)
    };
    let open = |keys: &[String], entity: &str| !keys.iter().any(|k| decided.contains(&(k.as_str(), entity)));

    let mut screenings: Vec<(&AuditRecord, Vec<Hit>)> = Vec::new();
    for r in &records {
        let keys = counterparty_keys(r.reference.as_deref(), &r.subject);
        let hits: Vec<Hit> = r
            .hits
            .iter()
            .map(|h| hit_of(&h.entity_id, h.score, &h.decision))
            .filter(|h| wanted(h) && open(&keys, &h.entity_id))
            .collect();
        if !hits.is_empty() {
            screenings.push((r, hits));
        }
        if screenings.len() >= SHOWN {
            break;
        }
    }
    let mut pending_alerts: Vec<(&StoredAlert, Hit)> = Vec::new();
    for a in &alerts {
        let keys = vec![reference_key(&a.alert.reference)];
        let h = hit_of(&a.alert.entity_id, a.alert.score, &a.alert.decision);
        if wanted(&h) && open(&keys, &h.entity_id) {
            pending_alerts.push((a, h));
        }
        if pending_alerts.len() >= SHOWN {
            break;
        }
    }
    let cartels: Vec<(String, String)> =
        screener.registry().cartels.iter().map(|c| (c.code.clone(), c.name.clone())).collect();
    let body = html! {
        h1 { (cx.t("queue.title")) }
        @if !q.done.is_empty() { p.notice #notice role="status" { (cx.t("queue.done")) " " code { (q.done) } } }
        form.filters method="get" action="/ui/queue" {
            div.field { label for="from" { (cx.t("filter.from")) } input #from type="date" name="from" value=(q.from); }
            div.field { label for="to" { (cx.t("filter.to")) } input #to type="date" name="to" value=(q.to); }
            div.field { label for="decision" { (cx.t("filter.decision")) }
                select #decision name="decision" {
                    option value="" { (cx.t("filter.any")) }
                    @for d in ["review", "block"] { option value=(d) selected[q.decision == d] { (label_of(cx.lang, "decision", d)) } }
                } }
            div.field { label for="cartel" { (cx.t("filter.cartel")) }
                select #cartel name="cartel" {
                    option value="" { (cx.t("filter.any")) }
                    @for (code, name) in &cartels { option value=(code) selected[&cartel == code] { (code) " — " (name) } }
                } }
            div.field { label for="reference" { (cx.t("filter.reference")) } input #reference type="text" name="reference" value=(q.reference); }
            button type="submit" { (cx.t("filter.apply")) }
        }
        section #alerts {
            h2 { (cx.t("queue.alerts")) " (" (pending_alerts.len()) ")" }
            @if pending_alerts.is_empty() { p.empty { (cx.t("queue.empty")) } }
            @for (a, h) in &pending_alerts {
                @let who = Counterparty { reference: Some(&a.alert.reference), name: None, identifiers: vec![] };
                article.item.alert data-reference=(a.alert.reference) {
                    p { (cx.lang.date(&format_time(a.alert.created_at))) " · " strong { (a.alert.reference) } " · "
                        (label_of(cx.lang, "change", &a.alert.change)) }
                    (hit_line(&cx, h))
                    @if let Some(f) = form(&cx, &who, &h.entity_id) { (f) }
                }
            }
        }
        section #screenings {
            h2 { (cx.t("queue.screenings")) " (" (screenings.len()) ")" }
            @if screenings.is_empty() { p.empty { (cx.t("queue.empty")) } }
            @for (r, hits) in &screenings {
                @let name = subject_field(&r.subject, "name");
                @let who = Counterparty { reference: r.reference.as_deref(), name, identifiers: subject_ids(&r.subject) };
                article.item.screening data-request=(r.request_id) {
                    p { (cx.lang.date(&format_time(r.at))) " · " (label_of(cx.lang, "channel", &r.channel)) " · "
                        strong.subject { (name.unwrap_or("—")) }
                        @if let Some(rf) = &r.reference { " · " (rf) }
                        " · " a href=(format!("/ui/evidence/{}", urlencode(&r.request_id))) { (cx.t("screen.evidence")) } }
                    @for h in hits {
                        (hit_line(&cx, h))
                        @if let Some(f) = form(&cx, &who, &h.entity_id) { (f) }
                    }
                }
            }
        }
        section #dispositions {
            h2 { (cx.t("queue.in_force")) " (" (in_force.len()) ")" }
            @if !in_force.is_empty() {
                table {
                    thead { tr {
                        th scope="col" { (cx.t("dispose.who")) } th scope="col" { (cx.t("match.entity")) }
                        th scope="col" { (cx.t("dispose.verdict")) } th scope="col" { (cx.t("dispose.reason")) }
                        th scope="col" { (cx.t("dispose.by")) } th scope="col" { (cx.t("dispose.expires")) } th {}
                    } }
                    tbody { @for d in in_force.iter().rev().take(SHOWN) {
                        tr data-disposition=(d.id) {
                            td { (d.reference.as_deref().or(d.name.as_deref()).unwrap_or("—")) }
                            td { (render::entity_link(&d.entity_id, &d.entity_id)) }
                            td { (label_of(cx.lang, "verdict", &super::page::serde_name(&d.verdict))) }
                            td { (d.reason) }
                            td { (d.analyst) " · " (cx.lang.date(&format_time(d.recorded_at))) }
                            td { (d.expires_at.map(|e| cx.lang.date(&format_time(e))).unwrap_or_else(|| "—".into())) }
                            td { form method="post" action=(format!("/ui/dispositions/{}/revoke", urlencode(&d.id))) {
                                (cx.csrf_field())
                                label for=(format!("rv-{}", d.id)) { (cx.t("dispose.revoke_reason")) }
                                input id=(format!("rv-{}", d.id)) type="text" name="reason" required maxlength="2000";
                                button type="submit" { (cx.t("dispose.revoke")) }
                            } }
                        }
                    } }
                }
            }
        }
    };
    cx.page(cx.t("queue.title"), body)
}

fn hit_line(cx: &Cx, h: &Hit) -> Markup {
    html! {
        p.hit data-entity=(h.entity_id) {
            (render::entity_link(&h.entity_id, &h.caption)) " · "
            (cx.t("match.score")) " " (format!("{:.2}", h.score)) " · "
            span class=(format!("decision {}", h.decision)) { (label_of(cx.lang, "decision", &h.decision)) }
            @for c in &h.cartels { " · " span.cartel { (c) } }
        }
    }
}

/// The keys a disposition on this counterparty may be filed under.
fn counterparty_keys(reference: Option<&str>, subject: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(r) = reference {
        keys.push(reference_key(r));
    }
    if let Some(n) = subject_field(subject, "name") {
        keys.push(name_key(n, &subject_ids(subject)));
    }
    keys
}

#[derive(Debug, Deserialize)]
pub struct DisposeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    identifiers: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    expires_at: String,
}

/// `POST /ui/dispositions`: records the analyst's verdict (the analyst is
/// the signed-in key's id) and goes to the queue, which names it.
pub async fn record(req: HttpRequest, state: web::Data<AppState>, f: web::Form<DisposeForm>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Analyst));
    or_answer!(cx.check_csrf(&f.csrf));
    let f = f.into_inner();
    let body = DispositionRequest {
        reference: given(&f.reference),
        name: given(&f.name),
        identifiers: f.identifiers.lines().filter_map(given).collect(),
        entity_id: f.entity_id.trim().to_string(),
        verdict: f.verdict,
        reason: f.reason,
        analyst: cx.session.key_id.clone(),
        expires_at: given(&f.expires_at),
    };
    match dispose(&state, cx.origin(), body).await {
        Ok(d) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/ui/queue?done={}", urlencode(&d.id))))
            .finish(),
        Err(e) => cx.error(e.status, &format!("{}: {}", e.code.as_str(), e.message)),
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
}

/// `POST /ui/dispositions/{id}/revoke`.
pub async fn revoke_form(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    f: web::Form<RevokeForm>,
) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Analyst));
    or_answer!(cx.check_csrf(&f.csrf));
    let body = RevokeRequest { reason: f.into_inner().reason, analyst: cx.session.key_id.clone() };
    match revoke(&state, cx.origin(), id.into_inner(), body).await {
        Ok(d) => HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/ui/queue?done={}", urlencode(&d.id))))
            .finish(),
        Err(e) => cx.error(e.status, &format!("{}: {}", e.code.as_str(), e.message)),
    }
}
