//! The web workspace over plain HTTP (the browser tests are in
//! `tests/ui/`): sessions, CSRF, headers, escaping and scopes, checked on
//! the wire.

use crate::helpers::spawn_app;

/// A client that keeps cookies and does not follow redirects.
fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a CSRF field") + 19;
    page[at..at + 64].to_string()
}

/// Signs in with `key`; returns the session's CSRF token (from the home page).
async fn sign_in(c: &reqwest::Client, base: &str, key: &str) -> String {
    let page = c.get(format!("{base}/ui/signin")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&page);
    let r = c
        .post(format!("{base}/ui/signin"))
        .form(&[("csrf", token.as_str()), ("key", key), ("next", "/ui/")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>();
    let session = cookie.iter().find(|c| c.starts_with("cs_session=")).expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Strict") && session.contains("Path=/ui"),
        "{session}"
    );
    assert!(!session.contains("Secure"), "not over plain HTTP");
    let home = c.get(format!("{base}/ui/")).send().await.unwrap().text().await.unwrap();
    csrf_of(&home)
}

#[actix_web::test]
async fn root_redirects_and_pages_need_a_session() {
    let app = spawn_app().await;
    let c = browser();
    let r = c.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], "/ui/");
    let r = c.get(app.url("/ui/screen?name=x")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/ui/signin?next=%2Fui%2Fscreen%3Fname%3Dx");
    // The API key alone does not open the pages: they take a session.
    let r = c.get(app.url("/ui/")).bearer_auth(&app.screen_key).send().await.unwrap();
    assert_eq!(r.status(), 303);
}

#[actix_web::test]
async fn sign_in_refuses_unknown_keys_and_forged_forms() {
    let app = spawn_app().await;
    let c = browser();
    let page = c.get(app.url("/ui/signin")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&page);
    let r = c.post(app.url("/ui/signin")).form(&[("csrf", token.as_str()), ("key", "csk_wrong")]).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("signin-error"));
    // A form posted from elsewhere carries no matching token.
    let other = browser();
    let r = other
        .post(app.url("/ui/signin"))
        .form(&[("csrf", token.as_str()), ("key", app.screen_key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "no sign-in cookie, no session");
}

#[actix_web::test]
async fn pages_carry_a_strict_policy_and_escape_every_value() {
    let app = spawn_app().await;
    let c = browser();
    sign_in(&c, &app.address, &app.screen_key).await;
    let r = c.get(app.url("/ui/screen?name=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'none'") && !csp.contains("script-src"), "no script allowed: {csp}");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body = r.text().await.unwrap();
    assert!(!body.contains("<script>alert(1)"), "the name is escaped");
    assert!(body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!body.contains("<script"), "no page carries a script");
}

#[actix_web::test]
async fn a_screening_on_the_page_is_recorded_like_the_api() {
    let app = spawn_app().await;
    let c = browser();
    sign_in(&c, &app.address, &app.analyst_key).await;
    let page = c
        .get(app.url("/ui/screen?name=Cartel+de+Jalisco+Nueva+Generacion&reference=ui-ref-1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-decision=\"block\""));
    let r = app.get_as(&app.admin_key, "/v1/audit?reference=ui-ref-1").await;
    let v: serde_json::Value = r.json().await.unwrap();
    let rec = &v["records"][0];
    assert_eq!(rec["channel"], "ui");
    assert_eq!(rec["caller"], "analyst-key");
    assert_eq!(rec["decision"], "block");
    assert_eq!(rec["subject"]["name"], "Cartel de Jalisco Nueva Generacion");

    // Its evidence, as a page and as a PDF, names who screened and the result.
    let request_id = rec["request_id"].as_str().unwrap();
    let page = c.get(app.url(&format!("/ui/evidence/{request_id}"))).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"evidence-caller\">analyst-key<"), "{page}");
    let r = c.get(app.url(&format!("/ui/evidence/{request_id}/pdf"))).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("analyst-key") && text.contains("cs-cjng"), "the PDF holds the caller and the hit");
    // Another key's screening is not shown to a key without `admin`.
    let other = browser();
    sign_in(&other, &app.address, &app.screen_key).await;
    let r = other.get(app.url(&format!("/ui/evidence/{request_id}/pdf"))).send().await.unwrap();
    assert_eq!(r.status(), 403);
}

#[actix_web::test]
async fn forms_without_the_session_token_change_nothing() {
    let app = spawn_app().await;
    let c = browser();
    let csrf = sign_in(&c, &app.address, &app.analyst_key).await;
    let form = |token: &str| {
        vec![
            ("csrf", token.to_string()),
            ("reference", "ui-ref-2".to_string()),
            ("entity_id", "cs-cjng".to_string()),
            ("verdict", "false_positive".to_string()),
            ("reason", "test".to_string()),
        ]
    };
    let r = c.post(app.url("/ui/dispositions")).form(&form("0".repeat(64).as_str())).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = app.get_as(&app.analyst_key, "/v1/dispositions?reference=ui-ref-2").await;
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["dispositions"].as_array().map(Vec::len), Some(0), "{v}");
    // With it, the disposition is recorded by the signed-in key.
    let r = c.post(app.url("/ui/dispositions")).form(&form(&csrf)).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert!(r.headers()["location"].to_str().unwrap().starts_with("/ui/queue?done="));
    let r = app.get_as(&app.analyst_key, "/v1/dispositions?reference=ui-ref-2").await;
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["dispositions"][0]["analyst"], "analyst-key", "{v}");
    // The API's rules hold: an unknown verdict is refused with its code.
    let mut bad = form(&csrf);
    bad[3].1 = "maybe".into();
    let r = c.post(app.url("/ui/dispositions")).form(&bad).send().await.unwrap();
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("invalid_verdict"));
}

#[actix_web::test]
async fn scopes_hold_on_pages_as_on_the_api() {
    let app = spawn_app().await;
    let c = browser();
    let csrf = sign_in(&c, &app.address, &app.screen_key).await;
    for path in ["/ui/queue", "/ui/audit"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    }
    let r = c.post(app.url("/ui/lists/reload")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let r = c.get(app.url("/ui/entities/cs-cjng")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let r = c.get(app.url("/ui/entities/no-such-entry")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // Sign-out ends the session on the server, not only in the browser.
    let r = c.post(app.url("/ui/signout")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(app.app_state.sessions.len(), 0);
}
