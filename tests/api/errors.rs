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
        // Emoji and symbols are stripped as evasion: nothing is left.
        (json!({"name": "\u{1F984}\u{1F525} \u{2764}\u{FE0F}"}), "invalid_name"),
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
    expect_error(app.get("/nothing-here").await, 404, "not_found").await;
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

/// Sends raw bytes on a fresh connection and reads until the server closes.
async fn raw_exchange(app: &TestApp, bytes: &[u8], wait_before_close: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let read = tokio::time::timeout(wait_before_close, stream.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the server did not answer and close in time");
    String::from_utf8_lossy(&out).into_owned()
}

fn json_body(response: &str) -> serde_json::Value {
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_else(|| panic!("no body: {response}"));
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {response}"))
}

#[actix_web::test]
async fn a_client_that_never_finishes_its_headers_gets_json_408() {
    let app = spawn_app_with(|s| s.server.client_timeout_secs = 1).await;
    let answer =
        raw_exchange(&app, b"POST /v1/screen HTTP/1.1\r\nhost: x\r\ncontent-ty", std::time::Duration::from_secs(5))
            .await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("content-type: application/json"), "{answer}");
    assert_eq!(json_body(&answer)["error"]["code"], "request_timeout");
}

#[actix_web::test]
async fn a_head_that_is_not_http_gets_json_400_and_too_many_headers_431() {
    let app = spawn_app().await;
    let answer = raw_exchange(&app, b"HELLO THERE\x01\x02\r\n\r\n", std::time::Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");
    assert_eq!(json_body(&answer)["error"]["code"], "bad_request");
    let mut head = b"GET /healthz HTTP/1.1\r\nhost: x\r\n".to_vec();
    for i in 0..200 {
        head.extend_from_slice(format!("x-h{i}: 1\r\n").as_bytes());
    }
    head.extend_from_slice(b"\r\n");
    let answer = raw_exchange(&app, &head, std::time::Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 431 "), "{answer}");
    assert_eq!(json_body(&answer)["error"]["code"], "headers_too_large");
    // A normal request still works on a new connection.
    assert_eq!(app.client.get(app.url("/healthz")).send().await.unwrap().status(), 200);
}

#[actix_web::test]
async fn a_limit_that_is_not_a_number_is_invalid_limit() {
    let app = spawn_app().await;
    for path in ["/v1/audit?limit=abc", "/v1/audit?limit=0", "/v1/audit?limit=1001", "/v1/audit?limit=-3"] {
        expect_error(app.get_as(&app.admin_key, path).await, 422, "invalid_limit").await;
    }
    for path in ["/v1/alerts?limit=abc", "/v1/monitored?limit=x"] {
        let key = if path.starts_with("/v1/alerts") { &app.analyst_key } else { &app.screen_key };
        expect_error(app.get_as(key, path).await, 422, "invalid_limit").await;
    }
    let (status, _) = parts(app.get_as(&app.admin_key, "/v1/audit?limit=").await).await;
    assert_eq!(status, 200, "an empty limit is the default page");
}
