//! The screening form (`GET /ui/`) and its result (`GET /ui/screen?name=…`):
//! the same recorded screening as `POST /v1/screen`, on the channel `ui`,
//! with analysts' dispositions applied. The result's address is its
//! permalink, and renders without JavaScript.

use std::time::SystemTime;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use maud::{html, Markup};
use serde::Deserialize;

use super::page::{given, label_of, or_answer, urlencode, Cx};
use super::render;
use crate::config::Scope;
use crate::engine::{Match, ScreeningOptions};
use crate::http::state::AppState;
use crate::http::v1::{subject_of, ScreenRequest, ScreenResult};
use crate::live::rfc3339;
use crate::record::screening::{DispositionPolicy, Recorder, Subject};

/// The form's fields, as the permalink carries them.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ScreenForm {
    #[serde(default)]
    pub name: String,
    #[serde(default, rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub dob: String,
    /// One or more, separated by commas, semicolons or line breaks.
    #[serde(default)]
    pub identifiers: String,
    #[serde(default)]
    pub reference: String,
}

impl ScreenForm {
    /// The API's request for these fields: blank ones are not given.
    pub fn request(&self) -> ScreenRequest {
        ScreenRequest {
            name: given(&self.name),
            kind: given(&self.kind),
            country: given(&self.country),
            dob: given(&self.dob),
            identifiers: self.identifiers.split([',', ';', '\n']).filter_map(given).collect(),
            reference: given(&self.reference),
            ..ScreenRequest::default()
        }
    }

    /// The permalink of this screening.
    pub fn permalink(&self) -> String {
        let mut q = format!("/ui/screen?name={}", urlencode(self.name.trim()));
        for (k, v) in [
            ("type", &self.kind),
            ("country", &self.country),
            ("dob", &self.dob),
            ("identifiers", &self.identifiers),
            ("reference", &self.reference),
        ] {
            if !v.trim().is_empty() {
                q.push_str(&format!("&{k}={}", urlencode(v.trim())));
            }
        }
        q
    }
}

/// The screening form, filled with `f`.
fn form(cx: &Cx, f: &ScreenForm) -> Markup {
    let kinds = ["any", "person", "company", "organization", "vessel", "aircraft"];
    let chosen = if f.kind.trim().is_empty() { "any" } else { f.kind.trim() };
    html! {
        form.screen method="get" action="/ui/screen" role="search" {
            div.field {
                label for="name" { (cx.t("form.name")) }
                input #name type="text" name="name" value=(f.name) required maxlength="500" autofocus;
            }
            div.field {
                label for="type" { (cx.t("form.type")) }
                select #type name="type" {
                    @for k in kinds {
                        option value=(k) selected[k == chosen] { (label_of(cx.lang, "kind", k)) }
                    }
                }
            }
            div.field {
                label for="country" { (cx.t("form.country")) }
                input #country type="text" name="country" value=(f.country) maxlength="100" placeholder="MX";
            }
            div.field {
                label for="dob" { (cx.t("form.dob")) }
                input #dob type="text" name="dob" value=(f.dob) maxlength="40" placeholder="1966-07-17";
            }
            div.field.wide {
                label for="identifiers" { (cx.t("form.identifiers")) }
                input #identifiers type="text" name="identifiers" value=(f.identifiers) maxlength="2000"
                    placeholder="RFC, CURP, IMO, BIC…";
            }
            div.field {
                label for="reference" { (cx.t("form.reference")) }
                input #reference type="text" name="reference" value=(f.reference) maxlength="200";
            }
            button #screen type="submit" { (cx.t("form.submit")) }
        }
    }
}

/// `GET /ui/`: the screening form.
pub async fn home(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let body = html! {
        h1 { (cx.t("screen.title")) }
        p.intro { (cx.t("screen.intro")) }
        (form(&cx, &ScreenForm::default()))
    };
    cx.page(cx.t("screen.title"), body)
}

/// `GET /ui/screen?name=…&type=…`: screens and shows the result.
pub async fn screen(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let cx = or_answer!(Cx::signed_in(&req, &state, Scope::Screen));
    let f = match web::Query::<ScreenForm>::from_query(req.query_string()) {
        Ok(q) => q.into_inner(),
        Err(e) => return cx.error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let party = f.request();
    let outcome = async {
        let q = party.to_query()?;
        let generation = state.lists.current();
        let options = ScreeningOptions::default().check(&generation.screener)?;
        let count = |d| state.metrics.decision(d);
        let recorder =
            Recorder::new(&state.records, &generation.screener, cx.origin(), DispositionPolicy::Apply).counting(&count);
        let recorded = recorder.screen_with(&q, &options, Subject::one(party.reference.as_deref(), subject_of(&party)));
        let screening = recorded.outcome?;
        state.records.commit(recorded.record.into_iter().collect()).await?;
        Ok::<_, crate::http::error::ApiError>(ScreenResult::new(party.reference.clone(), screening))
    }
    .await;
    let request_id = cx.caller().request_id;
    let title = format!("{} · {}", cx.t("screen.title"), f.name.trim());
    let body = match outcome {
        Ok(result) => {
            let dispose = |m: &Match| super::queue::disposition_form(&cx, &f, m);
            html! {
                h1 { (cx.t("screen.title")) }
                (form(&cx, &f))
                p.meta {
                    (cx.t("screen.at")) " " (cx.lang.date(&rfc3339(SystemTime::now()))) " · "
                    (cx.t("screen.request")) " " code #request-id { (request_id) } " · "
                    a #permalink href=(f.permalink()) { (cx.t("screen.permalink")) } " · "
                    a #evidence href=(format!("/ui/evidence/{}", urlencode(&request_id))) { (cx.t("screen.evidence")) }
                }
                (render::result(cx.lang, state.lists.current().screener.registry(), &result, &dispose))
            }
        }
        Err(e) => html! {
            h1 { (cx.t("screen.title")) }
            (form(&cx, &f))
            p.error #screen-error role="alert" { code { (e.code.as_str()) } " — " (e.message) }
        },
    };
    cx.page(&title, body)
}
