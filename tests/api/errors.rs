//! Every way a request can be wrong gets JSON with a stable code.

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn bad_names_have_their_own_codes() {
    let app = spawn_app().await;
    let cases = [
        (json!({}), "missing_name"),
        (json!({"name": null}), "missing_name"),
        (json!({"name": ""}), "empty_name"),
        (json!({"name": "   \t "}), "empty_name"),
        (json!({"name": "x".repeat(10_000)}), "name_too_long"),
        (json!({"name": "Juan\u{0000}Perez"}), "invalid_name"),
        (json!({"name": "Juan\u{001b}[31mPerez"}), "invalid_name"),
        (json!({"name": "---"}), "invalid_name"),
        (json!({"name": 12}), "invalid_field"),
        (json!({"name": ["a"]}), "invalid_field"),
        (json!({"name": "Acme", "type": "spaceship"}), "invalid_type"),
        (json!({"name": "Acme", "dob": "yesterday"}), "invalid_dob"),
        (json!({"name": "Acme", "identifiers": "RFC"}), "invalid_field"),
        (json!({"name": "Acme", "colour": "red"}), "invalid_field"),
        (json!({"name": "Acme", "reference": "r".repeat(201)}), "field_too_long"),
        (json!({"name": "Acme", "identifiers": vec!["X"; 51]}), "too_many_identifiers"),
    ];
    for (body, code) in cases {
        let r = app.post("/v1/screen", &body).await;
        let status = r.status().as_u16();
        let (_, v) = parts(r).await;
        assert_eq!((status, v["error"]["code"].as_str().unwrap()), (422, code), "{body}: {v}");
    }
}

#[actix_web::test]
async fn whitespace_only_names_are_refused() {
    let app = spawn_app().await;
    // Tabs are control characters; plain spaces make an empty name.
    expect_error(app.post("/v1/screen", &json!({"name": "     "})).await, 422, "empty_name").await;
}

#[actix_web::test]
async fn malformed_bodies_are_400_and_wrong_media_types_415() {
    let app = spawn_app().await;
    expect_error(app.post_body("/v1/screen", "application/json", "{\"name\": ").await, 400, "invalid_json").await;
    expect_error(app.post_body("/v1/screen", "application/json", "not json").await, 400, "invalid_json").await;
    expect_error(app.post_body("/v1/screen", "application/json", "").await, 400, "invalid_json").await;
    expect_error(app.post_body("/v1/screen", "application/json", vec![0xff, 0xfe, 0x00]).await, 400, "invalid_json")
        .await;
    expect_error(app.post_body("/v1/screen", "text/plain", "{\"name\":\"x\"}").await, 415, "unsupported_media_type")
        .await;
    expect_error(app.post_body("/v1/screen", "text/csv", "name\nx\n").await, 415, "unsupported_media_type").await;
    let r = app.client.post(app.url("/v1/screen")).bearer_auth(&app.screen_key).body("{}").send().await.unwrap();
    expect_error(r, 415, "unsupported_media_type").await;
}

#[actix_web::test]
async fn oversized_bodies_are_413_with_or_without_a_length() {
    let app = spawn_app_with(|s| s.server.max_body_bytes = 1000).await;
    let big = json!({"name": "a".repeat(2000)}).to_string();
    expect_error(app.post_body("/v1/screen", "application/json", big.clone()).await, 413, "payload_too_large").await;
    // Chunked, so the server only learns the size while reading.
    let stream = futures_util::stream::iter(
        big.into_bytes().chunks(100).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>(),
    );
    let r = app.post_body("/v1/screen", "application/json", reqwest::Body::wrap_stream(stream)).await;
    expect_error(r, 413, "payload_too_large").await;
}

#[actix_web::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let app = spawn_app().await;
    expect_error(app.get("/v1/nothing").await, 404, "not_found").await;
    expect_error(app.get("/").await, 404, "not_found").await;
    let r = app.get("/v1/screen").await;
    assert_eq!(r.headers()["allow"], "POST");
    expect_error(r, 405, "method_not_allowed").await;
    let r = app.client.delete(app.url("/v1/entities/cs-cjng")).bearer_auth(&app.screen_key).send().await.unwrap();
    expect_error(r, 405, "method_not_allowed").await;
    expect_error(app.post("/healthz", &json!({})).await, 405, "method_not_allowed").await;
}

#[actix_web::test]
async fn too_many_requests_are_429_with_retry_after_per_key() {
    let app = spawn_app_with(|s| {
        s.rate_limit.per_second = 1;
        s.rate_limit.burst = 2;
    })
    .await;
    let body = json!({"name": "Acme"});
    assert_eq!(app.post("/v1/screen", &body).await.status(), 200);
    assert_eq!(app.post("/v1/screen", &body).await.status(), 200);
    let r = app.post("/v1/screen", &body).await;
    let retry: u64 = r.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1);
    expect_error(r, 429, "rate_limited").await;
    // Another key has its own allowance.
    let r = app.client.post(app.url("/v1/screen")).bearer_auth(&app.admin_key).json(&body).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[actix_web::test]
async fn a_request_over_the_deadline_is_503_timeout() {
    let app = spawn_app_with(|s| s.server.request_timeout_millis = 1).await;
    let text = "Transportes Ejemplo Carteles Unidos Los Zetas Golfo Sinaloa Jalisco ".repeat(250);
    let body = json!({"parties": [{"role": "applicant", "name": "Acme"}], "texts": {"goods_description": text}});
    let r = app.post("/v1/screen/transaction", &body).await;
    assert!(r.headers().contains_key("retry-after"));
    expect_error(r, 503, "timeout").await;
}

#[actix_web::test]
async fn over_long_texts_in_a_transaction_are_refused() {
    let app = spawn_app_with(|s| s.server.max_text_chars = 100).await;
    let body = json!({"parties": [], "texts": {"goods_description": "x ".repeat(60)}});
    expect_error(app.post("/v1/screen/transaction", &body).await, 422, "field_too_long").await;
}

#[actix_web::test]
async fn query_string_and_path_garbage_never_breaks_the_server() {
    let app = spawn_app().await;
    for path in ["/v1/entities/%FF%FE", "/v1/entities/..%2F..%2Fetc%2Fpasswd", "/v1/entities/a%00b"] {
        let r = app.get(path).await;
        let s = r.status().as_u16();
        let (_, v) = parts(r).await;
        assert!(s == 404 || s == 400, "{path}: {s}");
        assert!(v["error"]["code"].is_string());
    }
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}
