//! The analysts' web workspace, served by the same binary under `/ui` (and
//! `/` redirects there): sign in with an API key, screen, read an entry and
//! its cartel network, review alerts and record dispositions, run a batch
//! file, print the evidence of a screening, see the lists in service, and
//! (administrators) reload them and search the audit trail — in Spanish or
//! English.
//!
//! Every page is HTML rendered on the server (maud, which escapes every
//! value) under a Content-Security-Policy that allows no script at all;
//! forms carry a per-session CSRF token; pages and actions obey the key's
//! scopes as the API does, and call the API's operations, so a screening
//! here is the same recorded screening as on `POST /v1/screen`.

pub mod batch;
pub mod entity;
pub mod evidence;
pub mod graph;
pub mod i18n;
pub mod lists;
pub mod page;
pub mod pdf;
pub mod queue;
pub mod render;
pub mod screen;
pub mod session;
pub mod signin;

use actix_web::http::header;
use actix_web::{web, HttpResponse};

/// The workspace's stylesheet (screen and print).
const STYLE_CSS: &str = include_str!("style.css");

/// Registers the workspace's routes.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/").get(|| async { redirect("/ui/") }))
        .service(web::resource("/ui").get(|| async { redirect("/ui/") }))
        .service(
            web::scope("/ui")
                .service(web::resource("/").get(screen::home))
                .service(web::resource("/signin").get(signin::form).post(signin::sign_in))
                .service(web::resource("/signout").post(signin::sign_out))
                .service(web::resource("/lang").get(signin::switch))
                .service(web::resource("/screen").get(screen::screen))
                .service(web::resource("/entities/{id}").get(entity::entity))
                .service(web::resource("/queue").get(queue::queue))
                .service(web::resource("/dispositions").post(queue::record))
                .service(web::resource("/dispositions/{id}/revoke").post(queue::revoke_form))
                .service(web::resource("/evidence/{request_id}").get(evidence::evidence))
                .service(web::resource("/evidence/{request_id}/pdf").get(evidence::evidence_pdf))
                .service(web::resource("/lists").get(lists::lists))
                .service(web::resource("/lists/reload").post(lists::reload))
                .service(web::resource("/audit").get(lists::audit))
                .service(web::resource("/batch").get(batch::page).post(batch::upload))
                .service(web::resource("/batch/{id}").get(batch::status))
                .service(web::resource("/batch/{id}/result").get(batch::result))
                .service(web::resource("/static/style.css").get(style)),
        );
}

fn redirect(to: &'static str) -> HttpResponse {
    HttpResponse::Found().insert_header((header::LOCATION, to)).finish()
}

async fn style() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(STYLE_CSS)
}
