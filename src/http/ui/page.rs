//! What every page shares: who is signed in (and may do what), the
//! language, the frame (navigation, language switch, sign-out), the
//! security headers, and the error pages.

use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::{header, StatusCode};
use actix_web::{HttpMessage, HttpRequest, HttpResponse, HttpResponseBuilder};
use maud::{html, Markup, DOCTYPE};

use super::i18n::Lang;
use super::session::{same_token, Session, SESSION_COOKIE};
use crate::config::Scope;
use crate::http::auth::{request_id, Caller, CallerId};
use crate::http::state::AppState;
use crate::record::audit::Origin;

/// The policy of every page: no script at all, styles and images from the
/// service only, forms posting to it only, never framed.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                       frame-ancestors 'none'; base-uri 'none'";

/// An answer given before the page's work: the sign-in page, or an error
/// page.
pub type Early = Box<HttpResponse>;

/// The value of a `Result<_, Early>`, or the handler returns the early
/// answer.
macro_rules! or_answer {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(early) => return *early,
        }
    };
}
pub(crate) use or_answer;

/// The request's context: its language, and the analyst signed in.
pub struct Cx<'a> {
    pub lang: Lang,
    pub session: Session,
    pub req: &'a HttpRequest,
    pub state: &'a AppState,
}

/// The session of the request's cookie, if live.
pub fn session_of(req: &HttpRequest, state: &AppState) -> Option<(String, Session)> {
    let token = req.cookie(SESSION_COOKIE)?.value().to_string();
    let session = state.sessions.find(&token)?;
    Some((token, session))
}

/// Where to send the browser to sign in, coming back to this page after.
pub fn to_sign_in(req: &HttpRequest) -> HttpResponse {
    let back = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/ui/");
    let to = format!("/ui/signin?next={}", urlencode(back));
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

/// A form field, trimmed; `None` when blank (a field left empty is not given).
pub fn given(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// `s` percent-encoded for a query value.
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A path inside the workspace to go back to; anything else (another
/// site, a scheme, `//host`) becomes `/ui/`.
pub fn local_path(next: &str) -> &str {
    if next.starts_with("/ui") && !next.starts_with("//") && !next.contains(['\\', '\r', '\n']) {
        next
    } else {
        "/ui/"
    }
}

impl<'a> Cx<'a> {
    /// The context of a signed-in analyst whose key has `scope`.
    ///
    /// # Errors
    /// A ready answer: the sign-in page for no live session, a 403 page
    /// without the scope, a 429 page over the key's rate.
    pub fn signed_in(req: &'a HttpRequest, state: &'a AppState, scope: Scope) -> Result<Cx<'a>, Early> {
        let lang = Lang::of(req);
        let Some((_, session)) = session_of(req, state) else { return Err(Box::new(to_sign_in(req))) };
        req.extensions_mut().insert(CallerId(session.key_id.clone()));
        let cx = Cx { lang, session, req, state };
        if !cx.session.allows(scope) {
            let msg = format!("{} {}", lang.t("error.scope"), scope.as_str());
            return Err(Box::new(cx.error(StatusCode::FORBIDDEN, &msg)));
        }
        if let Some(limiter) = &state.limiter {
            if limiter.check(&cx.session.key_id).is_err() {
                return Err(Box::new(cx.error(StatusCode::TOO_MANY_REQUESTS, lang.t("error.rate"))));
            }
        }
        Ok(cx)
    }

    /// Who acts, for the records: the key's id and the request's id.
    pub fn caller(&self) -> Caller {
        Caller { key_id: self.session.key_id.clone(), request_id: request_id(self.req) }
    }

    /// The records' origin of what this page does.
    pub fn origin(&self) -> Origin {
        self.caller().origin("ui")
    }

    /// The label `key`.
    pub fn t<'k>(&self, key: &'k str) -> &'k str {
        self.lang.t(key)
    }

    /// Whether the analyst may do what `scope` allows.
    pub fn may(&self, scope: Scope) -> bool {
        self.session.allows(scope)
    }

    /// Checks a posted form's CSRF token against the session's.
    ///
    /// # Errors
    /// A 403 page when it differs or is missing.
    pub fn check_csrf(&self, posted: &str) -> Result<(), Early> {
        if same_token(posted, &self.session.csrf) {
            Ok(())
        } else {
            Err(Box::new(self.error(StatusCode::FORBIDDEN, self.t("error.csrf"))))
        }
    }

    /// The hidden CSRF field of a form.
    pub fn csrf_field(&self) -> Markup {
        html! { input type="hidden" name="csrf" value=(self.session.csrf); }
    }

    /// A page: the frame around `body`, with the security headers.
    pub fn page(&self, title: &str, body: Markup) -> HttpResponse {
        self.page_with(StatusCode::OK, title, body)
    }

    /// A page with `status`.
    pub fn page_with(&self, status: StatusCode, title: &str, body: Markup) -> HttpResponse {
        let nav = self.nav();
        let markup = frame(self.lang, title, Some(nav), body);
        respond(status, markup)
    }

    /// An error page: `status` and what went wrong.
    pub fn error(&self, status: StatusCode, message: &str) -> HttpResponse {
        let title = self.t("error.title").to_string();
        let body = html! {
            h1 { (title) }
            p.error role="alert" { (status.as_u16()) " — " (message) }
            p { a href="/ui/" { (self.t("nav.home")) } }
        };
        self.page_with(status, &title, body)
    }

    fn nav(&self) -> Markup {
        let here = self.req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/ui/");
        let other = self.lang.other();
        html! {
            header.top {
                a.brand href="/ui/" { "cartelscreen" }
                nav aria-label=(self.t("nav.label")) {
                    a href="/ui/" { (self.t("nav.screen")) }
                    @if self.may(Scope::Analyst) { a href="/ui/queue" { (self.t("nav.queue")) } }
                    a href="/ui/batch" { (self.t("nav.batch")) }
                    a href="/ui/lists" { (self.t("nav.lists")) }
                    @if self.may(Scope::Admin) { a href="/ui/audit" { (self.t("nav.audit")) } }
                }
                div.who {
                    a #lang-switch lang=(other.tag()) hreflang=(other.tag())
                        href=(format!("/ui/lang?to={}&next={}", other.code(), urlencode(here))) {
                        (other.t("lang.name"))
                    }
                    span.key { (self.session.key_id) }
                    form method="post" action="/ui/signout" {
                        (self.csrf_field())
                        button #signout type="submit" { (self.t("nav.signout")) }
                    }
                }
            }
        }
    }
}

/// The HTML document around `body`.
pub fn frame(lang: Lang, title: &str, nav: Option<Markup>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · cartelscreen" }
                link rel="stylesheet" href="/ui/static/style.css";
            }
            body {
                @if let Some(nav) = nav { (nav) }
                main #main { (body) }
            }
        }
    }
}

/// `markup` as a response with the workspace's headers.
pub fn respond(status: StatusCode, markup: Markup) -> HttpResponse {
    let mut b = HttpResponseBuilder::new(status);
    headers(&mut b);
    b.content_type("text/html; charset=utf-8").body(markup.into_string())
}

/// The security headers of every page and download.
pub fn headers(b: &mut HttpResponseBuilder) {
    b.insert_header((header::CONTENT_SECURITY_POLICY, CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::CACHE_CONTROL, "no-store"));
}

/// A cookie of the workspace: `HttpOnly`, `SameSite=Strict`, path `/ui`,
/// `Secure` when the request came over TLS (directly or, per
/// `X-Forwarded-Proto`, through a proxy).
pub fn cookie<'c>(req: &HttpRequest, name: &'c str, value: String) -> Cookie<'c> {
    let secure = req.connection_info().scheme() == "https";
    Cookie::build(name, value).path("/ui").http_only(true).same_site(SameSite::Strict).secure(secure).finish()
}

/// A cookie that ends `name`.
pub fn removal(req: &HttpRequest, name: &'static str) -> Cookie<'static> {
    let mut c = cookie(req, name, String::new());
    c.make_removal();
    c
}

/// A `snake_case` enum value as serde writes it.
pub fn serde_name<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// A label made from data: `prefix.value` when the table has it, else the
/// value with `_` as spaces.
pub fn label_of(lang: Lang, prefix: &str, value: &str) -> String {
    let key = format!("{prefix}.{value}");
    if lang.has(&key) {
        lang.t(&key).to_string()
    } else {
        value.replace('_', " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_workspace_paths_are_gone_back_to() {
        assert_eq!(local_path("/ui/queue?from=2026-01-01"), "/ui/queue?from=2026-01-01");
        for bad in
            ["https://evil.example/", "//evil.example/ui", "/v1/audit", "/ui\\..\\x", "/ui/\r\nSet-Cookie: x", ""]
        {
            assert_eq!(local_path(bad), "/ui/", "{bad:?}");
        }
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(urlencode("W&G Arquitectos/ñ"), "W%26G%20Arquitectos%2F%C3%B1");
        assert_eq!(urlencode("a-b_c.d~"), "a-b_c.d~");
    }

    #[test]
    fn data_labels_fall_back_to_the_value() {
        assert_eq!(label_of(Lang::Es, "decision", "block"), "Bloquear");
        assert_eq!(label_of(Lang::En, "flag", "some_new_flag"), "some new flag");
    }
}
