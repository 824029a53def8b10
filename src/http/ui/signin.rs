//! Signing in with an API key, signing out, and the language switch.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use maud::html;
use serde::Deserialize;

use super::i18n::{Lang, LANG_COOKIE};
use super::page::{cookie, frame, local_path, removal, respond, session_of};
use super::session::{random_token, same_token, SESSION_COOKIE, SIGNIN_COOKIE};
use crate::config::Scope;
use crate::http::state::AppState;

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

/// `GET /ui/signin`: the sign-in form (a live session goes straight on).
pub async fn form(req: HttpRequest, state: web::Data<AppState>, q: web::Query<NextQuery>) -> HttpResponse {
    let next = local_path(q.next.as_deref().unwrap_or("/ui/")).to_string();
    if session_of(&req, &state).is_some() {
        return HttpResponse::SeeOther().insert_header((header::LOCATION, next)).finish();
    }
    sign_in_page(&req, &state, &next, None)
}

fn sign_in_page(req: &HttpRequest, state: &AppState, next: &str, failed: Option<&str>) -> HttpResponse {
    let lang = Lang::of(req);
    let Ok(token) = random_token() else {
        return respond(StatusCode::INTERNAL_SERVER_ERROR, html! { p { (lang.t("error.random")) } });
    };
    let keyed = state.settings.auth.required;
    let other = lang.other();
    let body = html! {
        section.signin {
            h1 { (lang.t("signin.title")) }
            p { (lang.t("signin.intro")) }
            @if let Some(msg) = failed { p.error #signin-error role="alert" { (msg) } }
            form method="post" action="/ui/signin" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="next" value=(next);
                @if keyed {
                    label for="key" { (lang.t("signin.key")) }
                    input #key type="password" name="key" autocomplete="current-password" required;
                } @else {
                    p.note { (lang.t("signin.open")) }
                }
                button #signin type="submit" { (lang.t("signin.submit")) }
            }
            p { a #lang-switch href=(format!("/ui/lang?to={}&next=/ui/signin", other.code())) { (other.t("lang.name")) } }
        }
    };
    let mut resp = respond(
        if failed.is_some() { StatusCode::UNAUTHORIZED } else { StatusCode::OK },
        frame(lang, lang.t("signin.title"), None, body),
    );
    let _ = resp.add_cookie(&cookie(req, SIGNIN_COOKIE, token));
    resp
}

/// `POST /ui/signin`: exchanges the key for a session.
pub async fn sign_in(req: HttpRequest, state: web::Data<AppState>, form: web::Form<SignInForm>) -> HttpResponse {
    let lang = Lang::of(&req);
    let form = form.into_inner();
    let next = local_path(form.next.as_deref().unwrap_or("/ui/")).to_string();
    let expected = req.cookie(SIGNIN_COOKIE).map(|c| c.value().to_string()).unwrap_or_default();
    if !same_token(&form.csrf, &expected) {
        return sign_in_page(&req, &state, &next, Some(lang.t("error.csrf")));
    }
    let (key_id, scopes) = if state.settings.auth.required {
        match state.keys.lookup(form.key.trim()) {
            Some(info) => (info.id.clone(), info.scopes.clone()),
            None => {
                tracing::info!(target: "ui", "sign-in refused: unknown key");
                return sign_in_page(&req, &state, &next, Some(lang.t("signin.unknown")));
            }
        }
    } else {
        let peer = req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into());
        (format!("anonymous@{peer}"), vec![Scope::Screen, Scope::Analyst, Scope::Admin])
    };
    let Ok((token, _)) = state.sessions.start(&key_id, &scopes) else {
        return respond(StatusCode::INTERNAL_SERVER_ERROR, html! { p { (lang.t("error.random")) } });
    };
    tracing::info!(target: "ui", key_id = %key_id, "signed in");
    let mut resp = HttpResponse::SeeOther().insert_header((header::LOCATION, next)).finish();
    let _ = resp.add_cookie(&cookie(&req, SESSION_COOKIE, token));
    let _ = resp.add_removal_cookie(&removal(&req, SIGNIN_COOKIE));
    resp
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /ui/signout`: ends the session.
pub async fn sign_out(req: HttpRequest, state: web::Data<AppState>, form: web::Form<CsrfForm>) -> HttpResponse {
    if let Some((token, session)) = session_of(&req, &state) {
        if !same_token(&form.csrf, &session.csrf) {
            return HttpResponse::Forbidden().finish();
        }
        state.sessions.end(&token);
        tracing::info!(target: "ui", key_id = %session.key_id, "signed out");
    }
    let mut resp = HttpResponse::SeeOther().insert_header((header::LOCATION, "/ui/signin")).finish();
    let _ = resp.add_removal_cookie(&removal(&req, SESSION_COOKIE));
    resp
}

#[derive(Debug, Deserialize)]
pub struct LangQuery {
    to: Option<String>,
    next: Option<String>,
}

/// `GET /ui/lang?to=es&next=/ui/...`: switches the language and goes back.
pub async fn switch(req: HttpRequest, q: web::Query<LangQuery>) -> HttpResponse {
    let lang = q.to.as_deref().and_then(Lang::parse).unwrap_or_else(|| Lang::of(&req).other());
    let next = local_path(q.next.as_deref().unwrap_or("/ui/")).to_string();
    let mut resp = HttpResponse::SeeOther().insert_header((header::LOCATION, next)).finish();
    let mut c = cookie(&req, LANG_COOKIE, lang.code().to_string());
    c.set_max_age(actix_web::cookie::time::Duration::days(365));
    let _ = resp.add_cookie(&c);
    resp
}
