//! The audit trail, dispositions and monitoring over HTTP, on every audit
//! backend available (SQLite always, PostgreSQL in CI).

use std::sync::Arc;

use serde_json::{json, Value};

use crate::helpers::{backends, expect_error, parts, spawn_app, spawn_app_on, Backend, TestApp};

async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, v) = parts(app.get_as(&app.admin_key, &format!("/v1/audit?{query}")).await).await;
    assert_eq!(status, 200, "{v}");
    v["records"].as_array().unwrap().clone()
}

async fn screen(app: &TestApp, body: Value) -> Value {
    let (status, v) = parts(app.post("/v1/screen", &body).await).await;
    assert_eq!(status, 200, "{v}");
    v
}

#[actix_web::test]
async fn every_channel_is_recorded_before_it_answers() {
    for backend in backends() {
        let app = spawn_app_on(&backend, Arc::new(tempfile::tempdir().unwrap()), |_| {}).await;
        let one = screen(&app, json!({"name": "Transportes Ejemplo", "reference": "C-1", "country": "MX"})).await;
        let rid = one["request_id"].as_str().unwrap();
        let recs = audit(&app, &format!("request_id={rid}")).await;
        assert_eq!(recs.len(), 1, "{backend:?}: {recs:?}");
        let r = &recs[0];
        assert_eq!(r["kind"], "screening");
        assert_eq!(r["channel"], "api");
        assert_eq!(r["caller"], "screen-key");
        assert_eq!(r["reference"], "C-1");
        assert_eq!(r["subject"]["name"], "Transportes Ejemplo");
        assert_eq!(r["decision"], one["decision"]);
        assert_eq!(r["hits"][0]["entity_id"], "acme-001");
        assert_eq!(r["config_hash"].as_str().unwrap().len(), 64);
        assert!(r["engine_version"].as_str().unwrap().starts_with("cartelscreen "));
        let datasets: Vec<&str> =
            r["lists"].as_array().unwrap().iter().map(|l| l["dataset"].as_str().unwrap()).collect();
        assert!(datasets.contains(&"acme_blocklist"), "{datasets:?}");

        // A batch: one record per item, the bad one included.
        let (_, b) = parts(
            app.post("/v1/screen/batch", &json!({"items": [{"name": "Fulano de Tal Prueba"}, {"name": ""}]})).await,
        )
        .await;
        let recs = audit(&app, &format!("request_id={}", b["request_id"].as_str().unwrap())).await;
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0]["item"], 0);
        assert_eq!(recs[1]["decision"], "error");

        // A transaction: each party, and the transaction with its texts.
        let (_, t) = parts(
            app.post(
                "/v1/screen/transaction",
                &json!({"reference": "LC-9", "parties": [
                    {"role": "applicant", "name": "Panaderia La Esperanza"},
                    {"role": "beneficiary", "name": "Transportes Ejemplo SA de CV"}],
                    "texts": {"goods_description": "shipment for Fulano de Tal Prueba"}}),
            )
            .await,
        )
        .await;
        let recs = audit(&app, &format!("request_id={}", t["request_id"].as_str().unwrap())).await;
        assert_eq!(recs.len(), 3, "{recs:?}");
        assert_eq!(recs.iter().filter(|r| r["channel"] == "transaction").count(), 3);

        // A CSV upload: one record per row.
        let r = app
            .post_body("/v1/batch", "text/csv", "reference,name\nR1,Transportes Ejemplo\nR2,Juan Perez Lopez\n")
            .await;
        let upload_id = r.headers().get("x-request-id").unwrap().to_str().unwrap().to_string();
        assert_eq!(r.text().await.unwrap().lines().count(), 3);
        let recs = audit(&app, &format!("request_id={upload_id}")).await;
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0]["reference"], "R1");
        assert_eq!(recs[0]["subject"]["name"], "Transportes Ejemplo");

        // Filters and paging.
        let blocked = audit(&app, "entity_id=acme-001").await;
        assert!(blocked.len() >= 3, "{blocked:?}");
        assert!(blocked.iter().all(|r| r["hits"].as_array().unwrap().iter().any(|h| h["entity_id"] == "acme-001")));
        assert_eq!(audit(&app, "reference=C-1").await.len(), 1);
        assert!(audit(&app, "decision=error").await.iter().all(|r| r["decision"] == "error"));
        assert_eq!(audit(&app, "key=admin-key").await.len(), 0);
        let (_, page) = parts(app.get_as(&app.admin_key, "/v1/audit?limit=2").await).await;
        assert_eq!(page["records"].as_array().unwrap().len(), 2);
        let cursor = page["next_cursor"].as_str().unwrap();
        let (_, next) = parts(app.get_as(&app.admin_key, &format!("/v1/audit?limit=2&after={cursor}")).await).await;
        assert!(next["records"][0]["seq"].as_i64().unwrap() > page["records"][1]["seq"].as_i64().unwrap());
        assert_eq!(audit(&app, "from=2000-01-01&to=2000-01-02").await.len(), 0);

        // Only administrators read the trail; bad filters are named.
        expect_error(app.get("/v1/audit").await, 403, "forbidden").await;
        expect_error(app.get_as(&app.admin_key, "/v1/audit?from=yesterday").await, 422, "invalid_time").await;
        expect_error(app.get_as(&app.admin_key, "/v1/audit?limit=0").await, 422, "invalid_limit").await;
    }
}

#[actix_web::test]
async fn a_false_positive_is_suppressed_for_that_counterparty_until_revoked() {
    for backend in backends() {
        let app = spawn_app_on(&backend, Arc::new(tempfile::tempdir().unwrap()), |_| {}).await;
        let body = json!({"name": "Fulano de Tal Prueba", "reference": "CUST-7"});
        let before = screen(&app, body.clone()).await;
        assert_ne!(before["decision"], "clear");

        expect_error(
            app.post(
                "/v1/dispositions",
                &json!({"reference": "CUST-7", "entity_id": "acme-002",
                "verdict": "false_positive", "reason": "x", "analyst": "ana"}),
            )
            .await,
            403,
            "forbidden",
        )
        .await;
        let d = json!({"reference": "CUST-7", "entity_id": "acme-002", "verdict": "false_positive",
                       "reason": "different date of birth and RFC", "analyst": "ana.garcia"});
        let (status, rec) = parts(app.post_as(&app.analyst_key, "/v1/dispositions", &d).await).await;
        assert_eq!(status, 201, "{rec}");
        assert_eq!(rec["active"], true);
        let id = rec["id"].as_str().unwrap().to_string();

        let after = screen(&app, body.clone()).await;
        assert_eq!(after["decision"], "clear", "{after}");
        assert!(after["flags"].as_array().unwrap().contains(&json!("suppressed_false_positive")));
        assert!(after["matches"][0]["flags"].as_array().unwrap().contains(&json!("suppressed_false_positive")));
        // Another counterparty with the same name still alerts.
        let other = screen(&app, json!({"name": "Fulano de Tal Prueba", "reference": "CUST-8"})).await;
        assert_eq!(other["decision"], before["decision"]);

        let (status, revoked) = parts(
            app.post_as(
                &app.analyst_key,
                &format!("/v1/dispositions/{id}/revoke"),
                &json!({"reason": "new information", "analyst": "ana.garcia"}),
            )
            .await,
        )
        .await;
        assert_eq!(status, 200, "{revoked}");
        assert_eq!(revoked["active"], false);
        assert_eq!(screen(&app, body.clone()).await["decision"], before["decision"]);
        expect_error(
            app.post_as(
                &app.analyst_key,
                &format!("/v1/dispositions/{id}/revoke"),
                &json!({"reason": "again", "analyst": "a"}),
            )
            .await,
            404,
            "disposition_not_found",
        )
        .await;

        // A true match, recorded by name and identifiers, blocks.
        let t = json!({"name": "Fulano de Tal", "identifiers": ["X-1"], "entity_id": "acme-002",
                       "verdict": "true_match", "reason": "confirmed by KYC", "analyst": "ana.garcia"});
        assert_eq!(app.post_as(&app.analyst_key, "/v1/dispositions", &t).await.status(), 201);
        let blocked = screen(&app, json!({"name": "FULANO DE TAL", "identifiers": ["x1"]})).await;
        assert_eq!(blocked["decision"], "block", "{blocked}");
        assert!(blocked["flags"].as_array().unwrap().contains(&json!("confirmed_match")));

        // Refusals, and every change on record.
        expect_error(
            app.post_as(
                &app.analyst_key,
                "/v1/dispositions",
                &json!({"entity_id": "acme-002", "verdict": "true_match", "reason": "r", "analyst": "a"}),
            )
            .await,
            422,
            "missing_counterparty",
        )
        .await;
        expect_error(
            app.post_as(
                &app.analyst_key,
                "/v1/dispositions",
                &json!({"reference": "C", "entity_id": "nope", "verdict": "true_match", "reason": "r", "analyst": "a"}),
            )
            .await,
            422,
            "unknown_entity",
        )
        .await;
        expect_error(
            app.post_as(
                &app.analyst_key,
                "/v1/dispositions",
                &json!({"reference": "C", "entity_id": "acme-002", "verdict": "maybe", "reason": "r", "analyst": "a"}),
            )
            .await,
            422,
            "invalid_verdict",
        )
        .await;
        assert_eq!(audit(&app, "kind=disposition_recorded").await.len(), 2);
        let rev = audit(&app, "kind=disposition_revoked").await;
        assert_eq!(rev.len(), 1);
        assert_eq!(rev[0]["subject"]["id"], id);
        let (_, list) = parts(app.get_as(&app.analyst_key, "/v1/dispositions?all=true").await).await;
        assert_eq!(list["dispositions"].as_array().unwrap().len(), 2);
        let (_, active) = parts(app.get_as(&app.analyst_key, "/v1/dispositions").await).await;
        assert_eq!(active["dispositions"].as_array().unwrap().len(), 1);
    }
}

const LIST_V1: &str = r#"[list]
dataset = "watch_test"
title = "Watch test"

[[entity]]
id = "w-1"
kind = "company"
name = "Comercializadora Rio Bravo Norte"
programs = ["SDNTK"]
"#;

#[actix_web::test]
async fn a_suppression_lapses_when_the_entry_changes() {
    for backend in backends() {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let list = dir.path().join("watch.toml");
        std::fs::write(&list, LIST_V1).unwrap();
        let paths = vec![list.clone()];
        let app = spawn_app_on(&backend, dir.clone(), move |s| s.lists.paths = paths).await;
        let body = json!({"name": "Comercializadora Rio Bravo Norte", "reference": "S-1"});
        assert_ne!(screen(&app, body.clone()).await["decision"], "clear");
        let d = json!({"reference": "S-1", "entity_id": "w-1", "verdict": "false_positive",
                       "reason": "unrelated firm", "analyst": "ana"});
        assert_eq!(app.post_as(&app.analyst_key, "/v1/dispositions", &d).await.status(), 201);
        assert_eq!(screen(&app, body.clone()).await["decision"], "clear");

        // The entry is designated FTO: the disposition no longer hides it.
        std::fs::write(&list, LIST_V1.replace(r#"["SDNTK"]"#, r#"["SDNTK", "FTO"]"#)).unwrap();
        assert_eq!(app.post_as(&app.admin_key, "/v1/lists/reload", &json!({})).await.status(), 200);
        let again = screen(&app, body).await;
        assert_ne!(again["decision"], "clear", "{again}");
        assert!(again["flags"].as_array().unwrap().contains(&json!("list_entry_changed")), "{again}");
    }
}

/// Waits until monitoring has checked the lists whose fingerprint differs
/// from `old`, and returns the alerts.
async fn alerts_after_check(app: &TestApp, checks_before: u64) -> Value {
    for _ in 0..600 {
        let (status, v) = parts(app.get_as(&app.analyst_key, "/v1/alerts?limit=1000").await).await;
        assert_eq!(status, 200, "{v}");
        if v["monitoring"]["checks"].as_u64().unwrap_or(0) > checks_before {
            assert!(v["monitoring"]["last_error"].is_null(), "{v}");
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("monitoring did not check the new lists within 60 s");
}

#[actix_web::test]
async fn monitoring_alerts_on_a_listing_and_survives_a_restart() {
    for backend in backends() {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let list = dir.path().join("watch.toml");
        std::fs::write(&list, LIST_V1).unwrap();
        let paths = vec![list.clone()];
        let app = spawn_app_on(&backend, dir.clone(), {
            let paths = paths.clone();
            move |s| s.lists.paths = paths
        })
        .await;
        // The first check records the baseline.
        let base = alerts_after_check(&app, 0).await;
        assert_eq!(base["monitoring"]["last_outcome"]["outcome"], "baseline");
        assert!(base["alerts"].as_array().unwrap().is_empty());
        let items = json!({"items": [
            {"name": "Importadora Laguna Verde", "reference": "M-1", "type": "company"},
            {"name": "Juan Perez Lopez", "reference": "M-2"}]});
        let (status, reg) = parts(app.post("/v1/monitored", &items).await).await;
        assert_eq!(status, 201, "{reg}");
        assert_eq!(reg["registered"][0]["decision"], "clear");
        expect_error(app.post("/v1/monitored", &json!({"name": "x"})).await, 422, "missing_reference").await;

        // A new designation naming M-1.
        let v2 = format!(
            "{LIST_V1}\n[[entity]]\nid = \"w-2\"\nkind = \"company\"\nname = \"Importadora Laguna Verde\"\nprograms = [\"FTO\"]\n"
        );
        std::fs::write(&list, &v2).unwrap();
        let checks = base["monitoring"]["checks"].as_u64().unwrap();
        assert_eq!(app.post_as(&app.admin_key, "/v1/lists/reload", &json!({})).await.status(), 200);
        let after = alerts_after_check(&app, checks).await;
        let alerts = after["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 1, "{after}");
        assert_eq!(alerts[0]["reference"], "M-1");
        assert_eq!(alerts[0]["entity_id"], "w-2");
        assert_eq!(alerts[0]["change"], "added");
        assert_eq!(after["monitoring"]["last_outcome"]["added"], 1);

        // Changed while the service is down: found at the next start.
        drop(app);
        let v3 = v2.replace(
            "name = \"Comercializadora Rio Bravo Norte\"",
            "name = \"Comercializadora Rio Bravo Norte\"\naliases = [\"Juan Perez Lopez\"]",
        );
        std::fs::write(&list, &v3).unwrap();
        let app = spawn_app_on(&backend, dir.clone(), move |s| s.lists.paths = paths).await;
        let later = alerts_after_check(&app, 0).await;
        assert_eq!(later["monitoring"]["last_outcome"]["outcome"], "changed", "{later}");
        let alerts = later["alerts"].as_array().unwrap();
        assert_eq!(alerts.len(), 2, "{later}");
        let new = &alerts[1];
        assert_eq!(new["reference"], "M-2");
        assert_eq!(new["entity_id"], "w-1");
        assert_eq!(new["change"], "changed");
        assert_eq!(new["changed"], json!(["names"]));
        // Filters.
        let (_, only) = parts(app.get_as(&app.analyst_key, "/v1/alerts?reference=M-2").await).await;
        assert_eq!(only["alerts"].as_array().unwrap().len(), 1);
        expect_error(app.get("/v1/alerts").await, 403, "forbidden").await;
        let (_, listed) = parts(app.get("/v1/monitored").await).await;
        assert_eq!(listed["count"], 2);
    }
}

/// A webhook receiver on loopback: answers 500 to the first `fail_first`
/// deliveries, then 204, and keeps what it was sent.
/// Each delivery: its signature header and its body.
type Deliveries = Arc<std::sync::Mutex<Vec<(String, Vec<u8>)>>>;

struct Receiver {
    url: String,
    got: Deliveries,
}

fn receiver(fail_first: usize) -> Receiver {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Deliveries = Arc::default();
    let seen = got.clone();
    std::thread::spawn(move || {
        let mut count = 0usize;
        for conn in listener.incoming() {
            let Ok(conn) = conn else { return };
            let mut reader = BufReader::new(conn.try_clone().unwrap());
            let mut out = conn;
            loop {
                let mut signature = String::new();
                let mut length = 0usize;
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap_or((&h, ""));
                    match k.to_ascii_lowercase().as_str() {
                        "content-length" => length = v.trim().parse().unwrap_or(0),
                        "x-cartelscreen-signature" => signature = v.trim().to_string(),
                        _ => {}
                    }
                }
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    break;
                }
                count += 1;
                let status = if count <= fail_first { "500 Internal Server Error" } else { "204 No Content" };
                seen.lock().unwrap().push((signature, body));
                let _ = write!(out, "HTTP/1.1 {status}\r\ncontent-length: 0\r\n\r\n");
            }
        }
    });
    Receiver { url, got }
}

#[actix_web::test]
async fn alerts_reach_the_webhook_signed_after_retries() {
    let hook = receiver(2);
    let secret = "a-webhook-secret-for-tests";
    let dir = Arc::new(tempfile::tempdir().unwrap());
    let list = dir.path().join("watch.toml");
    std::fs::write(&list, LIST_V1).unwrap();
    let paths = vec![list.clone()];
    let url = hook.url.clone();
    let app = spawn_app_on(&Backend::Sqlite, dir.clone(), move |s| {
        s.lists.paths = paths;
        s.monitoring.webhook_url = url;
        s.monitoring.webhook_secret = secret.into();
        s.monitoring.retry_initial_millis = 200;
    })
    .await;
    let base = alerts_after_check(&app, 0).await;
    let (status, _) =
        parts(app.post("/v1/monitored", &json!({"name": "Importadora Laguna Verde", "reference": "M-1"})).await).await;
    assert_eq!(status, 201);
    std::fs::write(&list, format!("{LIST_V1}\n[[entity]]\nid = \"w-2\"\nname = \"Importadora Laguna Verde\"\n"))
        .unwrap();
    assert_eq!(app.post_as(&app.admin_key, "/v1/lists/reload", &json!({})).await.status(), 200);
    alerts_after_check(&app, base["monitoring"]["checks"].as_u64().unwrap()).await;
    let mut delivered = Value::Null;
    for _ in 0..100 {
        let (_, v) = parts(app.get_as(&app.analyst_key, "/v1/alerts").await).await;
        if v["alerts"][0]["delivery"]["delivered"] == true {
            delivered = v;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let a = &delivered["alerts"][0];
    assert_eq!(a["delivery"]["attempts"], 3, "two failures then success: {delivered}");
    assert_eq!(a["entity_id"], "w-2");
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    for (signature, body) in &got {
        assert_eq!(signature, &cartelscreen::record::webhook::sign(secret.as_bytes(), body));
        let v: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(v["reference"], "M-1");
        assert_eq!(v["id"], a["id"]);
    }
    assert!(!delivered.is_null());
}

/// Copies the files of a shared OFAC folder into `to` (a test's own
/// folder, so the lists can be switched under the service).
fn copy_list(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(to).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[actix_web::test]
async fn the_real_weekly_ofac_update_alerts_exactly_the_counterparties_it_lists() {
    let old = crate::helpers::shared("ofac/2024-04-26");
    let new = crate::helpers::shared("ofac/2024-05-03");
    // Counterparties named after entries the 2024-05-03 update added, and
    // ordinary ones it does not touch.
    let listed = [
        ("M-1", "Wuhan Global Sensor Technology Co., Ltd.", "ofac-46633"),
        ("M-2", "Artmarine LLC", "ofac-47987"),
        ("M-3", "Adnan Mahmoud Youssef", "ofac-48321"),
        ("M-4", "Firas Hasan Moukalled", "ofac-48325"),
        ("M-5", "Teleport Company SAL", "ofac-48329"),
    ];
    let ordinary = [
        ("N-1", "Panaderia La Esperanza SA de CV"),
        ("N-2", "Juan Perez Lopez"),
        ("N-3", "Distribuidora de Aceros de Puebla"),
    ];
    let delta = cartelscreen::record::delta::diff_paths(&old, &new).unwrap();
    assert_eq!((delta.added.len(), delta.removed.len()), (305, 8), "the publisher's figures");
    for (_, _, id) in &listed {
        assert!(delta.added.iter().any(|e| e.id == *id), "{id} is added by the update");
    }
    for backend in backends() {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let lists = dir.path().join("ofac");
        copy_list(&old, &lists);
        let paths = vec![lists.clone()];
        let app = spawn_app_on(&backend, dir.clone(), move |s| s.lists.paths = paths).await;
        let base = alerts_after_check(&app, 0).await;
        assert_eq!(base["monitoring"]["last_outcome"]["outcome"], "baseline", "{backend:?}");
        let items: Vec<Value> = listed
            .iter()
            .map(|(r, n, _)| json!({"reference": r, "name": n}))
            .chain(ordinary.iter().map(|(r, n)| json!({"reference": r, "name": n, "country": "MX"})))
            .collect();
        let (status, reg) = parts(app.post("/v1/monitored", &json!({ "items": items })).await).await;
        assert_eq!(status, 201, "{reg}");
        for r in reg["registered"].as_array().unwrap() {
            assert!(
                r["matches"].as_array().unwrap().iter().all(|m| !listed.iter().any(|(_, _, id)| m["entity_id"] == *id)),
                "not listed yet: {r}"
            );
        }

        copy_list(&new, &lists);
        let checks = base["monitoring"]["checks"].as_u64().unwrap();
        assert_eq!(app.post_as(&app.admin_key, "/v1/lists/reload", &json!({})).await.status(), 200);
        let after = alerts_after_check(&app, checks).await;
        let outcome = &after["monitoring"]["last_outcome"];
        assert_eq!(outcome["outcome"], "changed", "{after}");
        assert_eq!((outcome["added"].as_u64(), outcome["removed"].as_u64()), (Some(305), Some(8)));
        assert_eq!(outcome["rescreened"], 8);
        let mut got: Vec<(String, String, String)> = after["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["reference"].as_str().unwrap().to_string(),
                    a["entity_id"].as_str().unwrap().to_string(),
                    a["change"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        got.sort();
        let want: Vec<(String, String, String)> =
            listed.iter().map(|(r, _, id)| (r.to_string(), id.to_string(), "added".to_string())).collect();
        assert_eq!(got, want, "{backend:?}: exactly the listed counterparties alert, each on its new entry");
        // The re-screenings are on record, against the new versions.
        let recs = audit(&app, "kind=screening&key=system:monitoring&limit=1000").await;
        assert_eq!(recs.len(), 8);
    }
}

#[actix_web::test]
async fn the_opensanctions_match_honours_dispositions_by_name() {
    let app = spawn_app().await;
    let query = json!({"queries": {"q1": {"schema": "Person", "properties": {"name": ["Fulano de Tal Prueba"]}}}});
    let matched = |v: &Value| -> Value {
        v["responses"]["q1"]["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["cartelscreen"]["matched_entity"] == "acme-002")
            .cloned()
            .unwrap_or_else(|| panic!("acme-002 not among the results: {v}"))
    };
    let (status, before) = parts(app.post("/match/default", &query).await).await;
    assert_eq!(status, 200, "{before}");
    assert_ne!(matched(&before)["cartelscreen"]["decision"], "clear");

    // A false positive recorded by name (a /match query entity has no reference).
    let d = json!({"name": "Fulano de Tal Prueba", "entity_id": "acme-002", "verdict": "false_positive",
                   "reason": "another person: different birth date", "analyst": "ana.garcia"});
    let (status, rec) = parts(app.post_as(&app.analyst_key, "/v1/dispositions", &d).await).await;
    assert_eq!(status, 201, "{rec}");
    let (_, after) = parts(app.post("/match/default", &query).await).await;
    let m = matched(&after);
    assert_eq!(m["cartelscreen"]["decision"], "clear", "{after}");
    assert!(m["cartelscreen"]["flags"].as_array().unwrap().contains(&json!("suppressed_false_positive")), "{m}");
    // The trail records the screening as answered: clear.
    let records = audit(&app, "kind=screening").await;
    let last = records.iter().rev().find(|r| r["channel"] == "match").expect("the /match screening is recorded");
    assert_eq!(last["decision"], "clear", "{last}");
    assert!(!last["request_id"].as_str().unwrap().is_empty());
}

/// The false `added` alerts of a shared database: a second server started
/// on other lists (here the week-older export) used to overwrite the one
/// "last seen lists" record, and the next start of the real service then
/// alerted on entries listed for years. Each deployment now keeps its own
/// baseline, moved only by the lists it serves.
#[actix_web::test]
async fn a_server_on_other_lists_never_moves_another_deployments_baseline() {
    for backend in backends() {
        let dir = Arc::new(tempfile::tempdir().unwrap());
        let real = dir.path().join("ofac-real");
        copy_list(&crate::helpers::shared("ofac/2024-05-03"), &real);
        let real_paths = vec![real.clone()];
        let app = spawn_app_on(&backend, dir.clone(), {
            let paths = real_paths.clone();
            move |s| s.lists.paths = paths
        })
        .await;
        let base = alerts_after_check(&app, 0).await;
        assert_eq!(base["monitoring"]["last_outcome"]["outcome"], "baseline", "{backend:?}");
        // Listed on 2024-05-03: in the lists this deployment serves.
        let items = json!({"items": [{"reference": "M-1", "name": "Wuhan Global Sensor Technology Co., Ltd."}]});
        let (status, reg) = parts(app.post("/v1/monitored", &items).await).await;
        assert_eq!(status, 201, "{reg}");
        assert_eq!(reg["registered"][0]["matches"][0]["entity_id"], "ofac-46633", "{reg}");

        // Another server, on the same database, on other lists.
        let other = dir.path().join("ofac-other");
        copy_list(&crate::helpers::shared("ofac/2024-04-26"), &other);
        let second = spawn_app_on(&backend, dir.clone(), move |s| s.lists.paths = vec![other]).await;
        let seen = alerts_after_check(&second, 0).await;
        assert_eq!(seen["monitoring"]["last_outcome"]["outcome"], "baseline", "a baseline of its own: {seen}");
        drop(second);
        drop(app);

        // The real service starts again: nothing changed for it.
        let app = spawn_app_on(&backend, dir.clone(), move |s| s.lists.paths = real_paths).await;
        let again = alerts_after_check(&app, 0).await;
        assert_eq!(again["monitoring"]["last_outcome"]["outcome"], "unchanged", "{backend:?}: {again}");
        assert_eq!(again["alerts"], json!([]), "no false alert: {again}");
    }
}

#[actix_web::test]
async fn the_audit_chain_verifies_over_http_and_shows_in_the_metrics() {
    for backend in backends() {
        let app = spawn_app_on(&backend, Arc::new(tempfile::tempdir().unwrap()), |_| {}).await;
        let metrics = || async { app.get_as(&app.admin_key, "/metrics").await.text().await.unwrap() };
        assert!(metrics().await.contains("cartelscreen_audit_chain_intact -1"), "no verification has run yet");
        screen(&app, json!({"name": "Transportes Ejemplo"})).await;
        screen(&app, json!({"name": "Fulano de Tal Prueba"})).await;
        let (status, v) = parts(app.get_as(&app.admin_key, "/v1/audit/verify").await).await;
        assert_eq!(status, 200, "{backend:?}: {v}");
        assert_eq!(v["intact"], true, "{v}");
        assert!(v["records"].as_u64().unwrap() >= 2, "{v}");
        assert_eq!(v["last_seq"], v["head_seq"], "{v}");
        assert_eq!(v["head_hash"].as_str().unwrap().len(), 64);
        assert!(v.get("break").is_none());
        // Monitoring may record the lists served meanwhile: the head's
        // record is found by its seq.
        let recs = audit(&app, "limit=1000").await;
        let head = recs.iter().find(|r| r["seq"] == v["head_seq"]).unwrap();
        assert_eq!(head["hash"], v["head_hash"]);
        let m = metrics().await;
        assert!(m.contains("cartelscreen_audit_chain_intact 1"), "{m}");
        assert!(m.contains(&format!("cartelscreen_audit_chain_verified_records {}", v["records"])), "{m}");
        // The writer's counters: every record committed is counted, in at
        // least one transaction, with time spent on it.
        let counter = |name: &str| -> f64 {
            let line = m.lines().find(|l| l.starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name}: {m}"));
            line.split(' ').nth(1).unwrap().parse().unwrap()
        };
        let written = counter("cartelscreen_audit_records_written_total");
        assert!(written >= 2.0 && written <= v["head_seq"].as_f64().unwrap(), "{written}: {m}");
        let commits = counter("cartelscreen_audit_commits_total");
        assert!((1.0..=written).contains(&commits), "{commits}: {m}");
        assert!(counter("cartelscreen_audit_commit_seconds_total") > 0.0, "{m}");

        // A range, by seq; a bad bound; the admin scope.
        let (status, r) = parts(app.get_as(&app.admin_key, "/v1/audit/verify?from=1&to=1").await).await;
        assert_eq!((status, &r["intact"], &r["records"]), (200, &json!(true), &json!(1)), "{r}");
        expect_error(app.get_as(&app.admin_key, "/v1/audit/verify?from=someday").await, 422, "invalid_time").await;
        expect_error(app.get("/v1/audit/verify").await, 403, "forbidden").await;
    }
}
