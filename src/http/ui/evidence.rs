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

use super::page::{label_of, or_answer, serde_name, urlencode, Cx, Early};
use super::pdf::{self, Block};
use super::render;
use crate::config::Scope;
use crate::engine::{Decision, Match, Screener};
use crate::http::records::blocking;
use crate::http::state::AppState;
use crate::http::v1::ScreenRequest;
use crate::record::audit::export::format_time;
use crate::record::audit::ENGINE_VERSION;
use crate::record::dispositions::{name_key, reference_key};
use crate::record::store::{AuditFilter, AuditHit, AuditRecord, Disposition};

/// A screening's records and what else its evidence shows.
struct Evidence {
    request_id: String,
    records: Vec<AuditRecord>,
    dispositions: Vec<Disposition>,
}

/// Reads the screening's records.
///
/// # Errors
/// A ready page: 404 when no screening has that request id, 403 when it
/// is another key's and the session is not an administrator's, or the
/// store's error.
async fn load(cx: &Cx<'_>, state: &web::Data<AppState>, request_id: String) -> Result<Evidence, Early> {
    let store = state.records.store().clone();
    let filter = AuditFilter { request_id: Some(request_id.clone()), limit: 1000, ..AuditFilter::default() };
    let page = match blocking(move || Ok(store.audit(&filter)?)).await {
        Ok(p) => p,
        Err(e) => return Err(Box::new(cx.error(e.status, &e.message))),
    };
    let records: Vec<AuditRecord> = page.records.into_iter().filter(|r| r.kind == "screening").collect();
    if records.is_empty() {
        return Err(Box::new(cx.error(StatusCode::NOT_FOUND, &format!("{} {request_id:?}", cx.t("evidence.none")))));
    }
    // Only the caller's own screenings, unless the key may read the trail.
    if !cx.may(Scope::Admin) && records.iter().any(|r| r.caller != cx.session.key_id) {
        return Err(Box::new(cx.error(StatusCode::FORBIDDEN, cx.t("evidence.not_yours"))));
    }
    let dispositions = state.records.dispositions.all().unwrap_or_default();
    Ok(Evidence { request_id, records, dispositions })
}

/// The keys a disposition on the record's counterparty is filed under.
fn keys_of(r: &AuditRecord) -> Vec<String> {
    r.reference
        .iter()
        .map(|x| reference_key(x))
        .chain(r.subject.get("name").and_then(Value::as_str).map(|n| name_key(n, &ids(&r.subject))))
        .collect()
}

/// What is in service, read once per page: the lists, engine and
/// configuration a record's hits are explained against.
struct InService<'a> {
    screener: &'a Screener,
    fingerprint: String,
    config_hash: String,
}

impl<'a> InService<'a> {
    fn of(state: &AppState, screener: &'a Screener) -> InService<'a> {
        InService {
            screener,
            fingerprint: state.records.list_set(screener).fingerprint.clone(),
            config_hash: state.records.audit.context().config_hash.clone(),
        }
    }

    /// Whether the record was screened by what is in service (so its hits
    /// can be explained again).
    fn unchanged(&self, r: &AuditRecord) -> bool {
        r.lists.fingerprint == self.fingerprint
            && r.config_hash == self.config_hash
            && r.engine_version == ENGINE_VERSION
    }

    /// The hit's explanation, while [`InService::unchanged`], with the
    /// decision as recorded (after any analyst's disposition), not as the
    /// engine alone would give it.
    fn explained(&self, r: &AuditRecord, hit: &AuditHit) -> Option<Match> {
        if !self.unchanged(r) {
            return None;
        }
        let q = serde_json::from_value::<ScreenRequest>(r.subject.clone()).ok()?.to_query().ok()?;
        let mut m = self.screener.explain(&q, &hit.entity_id).ok().flatten()?;
        m.decision = match hit.decision.as_str() {
            "clear" => Decision::Clear,
            "review" => Decision::Review,
            "block" => Decision::Block,
            _ => return None,
        };
        Some(m)
    }
}

/// `GET /ui/evidence/{request_id}`.
pub async fn evidence(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let ev = or_answer!(load(&cx, &state, id.into_inner()).await);
    let Evidence { request_id, records, dispositions } = &ev;
    let request_id = request_id.clone();
    let generation = state.lists.current();
    let now = InService::of(&state, &generation.screener);
    let title = format!("{} {request_id}", cx.t("evidence.title"));
    let body = html! {
        h1 { (cx.t("evidence.title")) }
        p.meta { (cx.t("screen.request")) " " code #evidence-request { (request_id) } " · "
            a #evidence-pdf href=(format!("/ui/evidence/{}/pdf", urlencode(&request_id))) download { (cx.t("evidence.pdf")) } }
        @for r in records {
            @let keys = keys_of(r);
            @let same = now.unchanged(r);
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
                    @match now.explained(r, h) {
                        Some(m) => (render::one_match(cx.lang, now.screener.registry(), 0, &m, None)),
                        None => p.hit data-unexplained=(true) { (render::entity_link(&h.entity_id, &h.entity_id)) " · " (h.list) " · "
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

/// The evidence as document blocks, for the PDF.
fn blocks(cx: &Cx, now: &InService, ev: &Evidence) -> Vec<Block> {
    let lang = cx.lang;
    let field = |k: &str, v: String| Block::Field(cx.t(k).to_string(), v);
    let mut b = vec![
        Block::Title(cx.t("evidence.title").to_string()),
        field("screen.request", ev.request_id.clone()),
        Block::Gap,
    ];
    for r in &ev.records {
        b.push(field("evidence.when", format!("{} (UTC)", lang.date(&format_time(r.at)))));
        b.push(field("evidence.who", r.caller.clone()));
        b.push(field("evidence.channel", label_of(lang, "channel", &r.channel)));
        if let Some(x) = &r.reference {
            b.push(field("form.reference", x.clone()));
        }
        b.push(field("evidence.record", format!("#{} · {}", r.seq.unwrap_or(0), r.hash.as_deref().unwrap_or("—"))));
        b.push(field("evidence.engine", format!("{} · {}", r.engine_version, r.config_hash)));
        b.push(Block::Heading(cx.t("evidence.submitted").to_string()));
        if let Value::Object(o) = &r.subject {
            for (k, v) in o {
                b.push(Block::Field(k.clone(), v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())));
            }
        }
        b.push(Block::Heading(cx.t("evidence.lists").to_string()));
        for v in r.lists.versions.as_array().into_iter().flatten() {
            let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("—").to_string();
            let age = v.get("age_days").map(|a| format!("{a} {}", cx.t("lists.days"))).unwrap_or_else(|| "—".into());
            b.push(Block::Field(
                text("dataset"),
                format!(
                    "{} {} · {} {age} · sha256 {}",
                    cx.t("lists.published"),
                    lang.date(&text("published")),
                    cx.t("lists.age"),
                    text("sha256")
                ),
            ));
        }
        let decision = r.decision.as_deref().unwrap_or("clear");
        b.push(Block::Heading(format!("{}: {}", cx.t("evidence.result"), label_of(lang, "decision", decision))));
        for f in &r.flags {
            b.push(Block::Text(format!("• {}", label_of(lang, "flag", f))));
        }
        let keys = keys_of(r);
        for h in &r.hits {
            b.push(Block::Gap);
            match now.explained(r, h) {
                Some(m) => match_blocks(cx, &m, &mut b),
                None => b.push(Block::Field(
                    h.entity_id.clone(),
                    format!(
                        "{} · {} {:.2} · {}",
                        h.list,
                        cx.t("match.score"),
                        h.score,
                        label_of(lang, "decision", &h.decision)
                    ),
                )),
            }
            for d in ev.dispositions.iter().filter(|d| d.entity_id == h.entity_id && keys.contains(&d.counterparty_key))
            {
                let mut t = format!(
                    "{}: {} — {} · {} · {}",
                    cx.t("dispose.verdict"),
                    label_of(lang, "verdict", &serde_name(&d.verdict)),
                    d.reason,
                    d.analyst,
                    lang.date(&format_time(d.recorded_at))
                );
                if let Some(rv) = &d.revoked {
                    t.push_str(&format!(" · {} {}", cx.t("dispose.revoked"), lang.date(&format_time(rv.at))));
                }
                b.push(Block::Text(t));
            }
        }
        if !now.unchanged(r) {
            b.push(Block::Text(cx.t("evidence.changed").to_string()));
        }
        b.push(Block::Gap);
    }
    b
}

/// One explained match as blocks: the entry, the names aligned, the
/// adjustments, the ties with their sources.
fn match_blocks(cx: &Cx, m: &Match, b: &mut Vec<Block>) {
    let lang = cx.lang;
    b.push(Block::Field(
        format!("{} ({})", m.caption, m.entity_id),
        format!(
            "{} · {} {} · {}",
            m.list,
            cx.t("match.score"),
            lang.score(m.score),
            label_of(lang, "decision", &serde_name(&m.decision))
        ),
    ));
    b.push(Block::Text(format!(
        "{}: {} ({})",
        cx.t("match.matched_name"),
        m.matched_name,
        label_of(lang, "role", &serde_name(&m.matched_role))
    )));
    let words: Vec<String> = m
        .explanation
        .name
        .tokens
        .iter()
        .map(|t| {
            format!(
                "{} → {} ({}, {})",
                t.query,
                t.listed,
                label_of(lang, "how", t.how.as_str()),
                lang.score(t.similarity)
            )
        })
        .collect();
    if !words.is_empty() {
        b.push(Block::Text(format!("{}: {}", cx.t("match.tokens"), words.join("; "))));
    }
    for a in &m.explanation.adjustments {
        b.push(Block::Text(format!("{} {:+.2}: {}", label_of(lang, "feature", a.feature), a.effect, a.detail)));
    }
    for t in &m.cartel_ties {
        b.push(Block::Text(format!(
            "{}: {} ({}) · {} · {} {} · {}",
            cx.t("tie.cartel"),
            t.cartel_name,
            t.cartel,
            label_of(lang, "relation", &serde_name(&t.relation)),
            cx.t("tie.depth"),
            t.depth,
            t.path_text()
        )));
        for s in t.sources() {
            b.push(Block::Text(format!("{}: {}, {} ({}) {}", cx.t("tie.sources"), s.issuer, s.title, s.date, s.url)));
        }
    }
}

/// `GET /ui/evidence/{request_id}/pdf`: the evidence as a PDF download.
pub async fn evidence_pdf(req: HttpRequest, state: web::Data<AppState>, id: web::Path<String>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let ev = or_answer!(load(&cx, &state, id.into_inner()).await);
    let generation = state.lists.current();
    let doc = blocks(&cx, &InService::of(&state, &generation.screener), &ev);
    let title = format!("{} {}", cx.t("evidence.title"), ev.request_id);
    let footer = format!("cartelscreen · {} {}", cx.t("screen.request"), ev.request_id);
    // pdf-canvas writes to a file: a private scratch file, read back and removed.
    let written = web::block(move || -> std::io::Result<Vec<u8>> {
        let path = std::env::temp_dir().join(format!("cartelscreen-evidence-{}.pdf", uuid::Uuid::now_v7()));
        let result = std::fs::File::create(&path)
            .and_then(|f| pdf::write(f, &title, &footer, &doc))
            .and_then(|()| std::fs::read(&path));
        let _ = std::fs::remove_file(&path);
        result
    })
    .await;
    let bytes = match written {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return cx.error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(e) => return cx.error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let name: String = ev.request_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    let mut b = HttpResponse::Ok();
    super::page::headers(&mut b);
    b.content_type("application/pdf")
        .insert_header(("content-disposition", format!("attachment; filename=\"evidence-{name}.pdf\"")))
        .body(bytes)
}
