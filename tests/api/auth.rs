use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn no_key_or_a_wrong_key_is_401() {
    let app = spawn_app().await;
    let body = json!({"name": "CJNG"});
    let r = app.client.post(app.url("/v1/screen")).json(&body).send().await.unwrap();
    assert_eq!(r.headers()["www-authenticate"], "Bearer");
    expect_error(r, 401, "unauthorized").await;
    let r = app.client.post(app.url("/v1/screen")).bearer_auth("csk_0000").json(&body).send().await.unwrap();
    expect_error(r, 401, "unauthorized").await;
    let r = app
        .client
        .post(app.url("/v1/screen"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .json(&body)
        .send()
        .await
        .unwrap();
    expect_error(r, 401, "unauthorized").await;
    let r = app.client.post(app.url("/v1/screen")).header("authorization", "Bearer ").json(&body).send().await.unwrap();
    expect_error(r, 401, "unauthorized").await;
    // The hash in the configuration is not a key.
    let hash = cartelscreen::http::apikey::hash(&app.screen_key);
    let r = app.client.post(app.url("/v1/screen")).bearer_auth(hash).json(&body).send().await.unwrap();
    expect_error(r, 401, "unauthorized").await;
}

#[actix_web::test]
async fn bearer_and_apikey_schemes_are_both_accepted() {
    let app = spawn_app().await;
    let body = json!({"name": "CJNG"});
    for header in [
        format!("Bearer {}", app.screen_key),
        format!("ApiKey {}", app.screen_key),
        format!("apikey {}", app.screen_key),
    ] {
        let r = app
            .client
            .post(app.url("/v1/screen"))
            .header("authorization", header.clone())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{header}");
    }
}

#[actix_web::test]
async fn reloading_needs_the_admin_scope() {
    let app = spawn_app().await;
    let r = app.client.post(app.url("/v1/lists/reload")).bearer_auth(&app.screen_key).send().await.unwrap();
    let v = expect_error(r, 403, "forbidden").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("admin"));
    let (s, v) = parts(app.post_admin("/v1/lists/reload").await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["outcome"], "unchanged");
}

#[actix_web::test]
async fn auth_can_be_turned_off() {
    let app = spawn_app_with(|s| s.auth.required = false).await;
    let r = app.client.post(app.url("/v1/screen")).json(&json!({"name": "CJNG"})).send().await.unwrap();
    assert_eq!(r.status(), 200);
}
