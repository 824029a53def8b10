use crate::helpers::*;

#[actix_web::test]
async fn probes_answer_without_a_key() {
    let app = spawn_app_with(|s| {
        s.lists.paths.push(shared("un/2026-02-27/consolidated.xml"));
        s.lists.max_age_days = 100_000;
    })
    .await;
    let (s, v) = parts(app.client.get(app.url("/healthz")).send().await.unwrap()).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("ok")));
    let (s, v) = parts(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    assert_eq!(v["status"], "ok", "{v}");
    assert_eq!(v["lists"], 4, "cartel names, the fixture list, the UN list and the affiliations registry");
    assert!(v["entities"].as_u64().unwrap() > 1_000);
    // Without an official list the service runs but is not ready.
    let bare = spawn_app().await;
    expect_error(bare.client.get(bare.url("/readyz")).send().await.unwrap(), 503, "no_sanctions_lists").await;
}

#[actix_web::test]
async fn closed_probes_and_metrics_need_a_key() {
    let app = spawn_app_with(|s| {
        s.auth.open_health = false;
        s.auth.open_metrics = false;
    })
    .await;
    expect_error(app.client.get(app.url("/healthz")).send().await.unwrap(), 401, "unauthorized").await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    // Metrics then need the admin scope.
    expect_error(app.get("/metrics").await, 403, "forbidden").await;
    let r = app.client.get(app.url("/metrics")).bearer_auth(&app.admin_key).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

#[actix_web::test]
async fn metrics_count_requests_decisions_and_lists() {
    let app = spawn_app().await;
    for name in ["Cartel de Jalisco Nueva Generacion", "Panaderia Santa Fe", "Los Zetas"] {
        assert_eq!(app.post("/v1/screen", &serde_json::json!({ "name": name })).await.status(), 200);
    }
    app.post("/v1/screen", &serde_json::json!({ "nom": "x" })).await;
    let r = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(
        text.contains("cartelscreen_http_requests_total{route=\"/v1/screen\",method=\"POST\",status=\"2xx\"} 3"),
        "{text}"
    );
    assert!(
        text.contains("cartelscreen_http_requests_total{route=\"/v1/screen\",method=\"POST\",status=\"4xx\"} 1"),
        "{text}"
    );
    assert!(text.contains("cartelscreen_decisions_total{decision=\"block\"} 2"), "{text}");
    assert!(text.contains("cartelscreen_decisions_total{decision=\"clear\"} 1"), "{text}");
    assert!(
        text.contains("cartelscreen_http_request_duration_seconds_count{route=\"/v1/screen\",method=\"POST\"} 4"),
        "{text}"
    );
    assert!(text.contains("cartelscreen_list_entries{dataset=\"acme_blocklist\""), "{text}");
    assert!(text.contains("cartelscreen_list_reloads_total{result=\"error\"} 0"), "{text}");
}

#[actix_web::test]
async fn openapi_lists_every_native_route_and_docs_are_served() {
    let app = spawn_app().await;
    let (s, v) = parts(app.client.get(app.url("/openapi.json")).send().await.unwrap()).await;
    assert_eq!(s, 200);
    for p in [
        "/v1/screen",
        "/v1/screen/batch",
        "/v1/screen/transaction",
        "/v1/batch",
        "/v1/entities/{id}",
        "/match/{dataset}",
        "/search/{dataset}",
        "/entities/{id}",
        "/catalog",
        "/algorithms",
        "/v1/lists",
        "/v1/lists/reload",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(v["paths"][p].is_object(), "{p} missing from the OpenAPI document");
    }
    assert!(v["components"]["schemas"]["ScreenRequest"].is_object());
    // The vessel and bank facts, and the options of a screening, are declared.
    let request = &v["components"]["schemas"]["ScreenRequest"]["properties"];
    for f in ["imo", "mmsi", "bic", "flag", "call_sign", "owner"] {
        assert!(request[f].is_object(), "ScreenRequest lacks {f}");
    }
    let options = &v["components"]["schemas"]["ScreeningOptions"]["properties"];
    for f in ["min_score", "lists", "kinds"] {
        assert!(options[f].is_object(), "ScreeningOptions lacks {f}");
        assert!(v["components"]["schemas"]["BatchRequest"]["properties"][f].is_object(), "BatchRequest lacks {f}");
        assert!(v["components"]["schemas"]["TransactionRequest"]["properties"][f].is_object());
    }
    let text = v.to_string();
    assert!(text.contains("withheld_matches") && text.contains("min_score_requested"), "answers declare them");
    let r = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("swagger"));
}

/// The codes a served operation declares under a status.
fn declared_codes(doc: &serde_json::Value, path: &str, method: &str, status: u16) -> Vec<String> {
    let codes = &doc["paths"][path][method]["responses"][status.to_string()]["content"]["application/json"]["schema"]
        ["properties"]["error"]["properties"]["code"]["enum"];
    codes.as_array().map(|a| a.iter().filter_map(|c| c.as_str().map(str::to_string)).collect()).unwrap_or_default()
}

#[actix_web::test]
async fn the_served_document_declares_what_the_server_answers() {
    let app = spawn_app().await;
    let (_, doc) = parts(app.client.get(app.url("/openapi.json")).send().await.unwrap()).await;
    // Refusals the server really gives are declared, with their codes, on the route that gave them.
    let cases: [(&str, serde_json::Value, u16, &str); 4] = [
        ("/v1/screen", serde_json::json!({}), 422, "missing_name"),
        ("/v1/screen", serde_json::json!({"name": "x", "colour": "red"}), 422, "invalid_field"),
        ("/v1/screen/batch", serde_json::json!({"items": []}), 422, "empty_batch"),
        ("/v1/screen/transaction", serde_json::json!({"parties": []}), 422, "empty_transaction"),
    ];
    for (path, body, status, code) in cases {
        let (s, v) = parts(app.post(path, &body).await).await;
        assert_eq!((s, v["error"]["code"].as_str().unwrap()), (status, code), "{path} {body}");
        assert!(declared_codes(&doc, path, "post", status).contains(&code.to_string()), "{path} {status} {code}");
    }
    // A body without its content type: refused by the JSON extractor, declared all the same.
    let r = app.client.post(app.url("/v1/screen")).bearer_auth(&app.screen_key).body("{}").send().await.unwrap();
    let (s, v) = parts(r).await;
    assert_eq!((s, v["error"]["code"].as_str().unwrap()), (415, "unsupported_media_type"));
    assert!(declared_codes(&doc, "/v1/screen", "post", 415).contains(&"unsupported_media_type".to_string()));
    let r = app.client.get(app.url("/v1/lists")).send().await.unwrap();
    assert_eq!(r.status(), 401, "no key");
    assert_eq!(declared_codes(&doc, "/v1/lists", "get", 401), ["unauthorized"]);
    // The schema requires what the server requires: a name or an identifier.
    let single = &doc["components"]["schemas"]["SingleScreenRequest"];
    assert_eq!(single["if"]["not"]["required"], serde_json::json!(["name"]), "{single}");
    assert_eq!(single["additionalProperties"], false);
    // Unique operationIds: client generators refuse duplicates.
    let mut ids = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()), "{method} {path}");
        }
    }
}

#[actix_web::test]
async fn every_response_carries_a_request_id_and_echoes_a_sane_one() {
    let app = spawn_app().await;
    let r = app.client.get(app.url("/healthz")).header("x-request-id", "trade-42").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "trade-42");
    let r = app.client.get(app.url("/healthz")).header("x-request-id", "bad id with spaces").send().await.unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a fresh UUID replaces an unusable id: {id}");
    let r = app.post("/v1/screen", &serde_json::json!({"name": "CJNG"})).await;
    let header = r.headers()["x-request-id"].to_str().unwrap().to_string();
    let (_, v) = parts(r).await;
    assert_eq!(v["request_id"], header);
}
