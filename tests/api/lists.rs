//! The lists in service: versions, reloads under load, rejected updates,
//! reloads on file change.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn lists_report_versions_and_counts() {
    let app = spawn_app().await;
    let (s, v) = parts(app.get("/v1/lists").await).await;
    assert_eq!(s, 200);
    let lists = v["lists"].as_array().unwrap();
    assert_eq!(lists.len(), 3);
    let registry = lists.iter().find(|l| l["dataset"] == "cartelscreen_affiliations").unwrap();
    assert!(registry["entries"].as_u64().unwrap() >= 200, "one entry per affiliations row");
    let acme = lists.iter().find(|l| l["dataset"] == "acme_blocklist").unwrap();
    assert_eq!(acme["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(acme["published"], "2025-03-01");
    assert!(acme["entries"].as_u64().unwrap() >= 2);
    assert!(acme["loaded_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(v["generation"], 1);
    assert!(v["reload"]["last_error"].is_null());
}

/// Points `link` at `target` atomically, as a deployment would.
fn repoint(link: &Path, target: &Path) {
    let tmp = link.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(target, &tmp).unwrap();
    std::fs::rename(&tmp, link).unwrap();
}

#[actix_web::test]
async fn a_reload_under_load_fails_no_request_and_switches_versions() {
    let dir = tempfile::tempdir().unwrap();
    let current = dir.path().join("ofac");
    repoint(&current, &shared("ofac/2024-04-26"));
    let watched = current.clone();
    let app = spawn_app_with(move |s| {
        s.lists.paths = vec![watched];
    })
    .await;
    // Designated on 2024-05-03 (SDN entry 46633).
    let added = json!({"name": "Wuhan Global Sensor Technology Co., Ltd.", "type": "company"});
    let (_, before) = parts(app.post("/v1/screen", &added).await).await;
    assert_eq!(before["decision"], "clear", "{before}");
    let old_sha = before["lists"][1]["sha256"].as_str().unwrap().to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for w in 0..4 {
        let (client, url, key) = (app.client.clone(), app.url("/v1/screen"), app.screen_key.clone());
        let (stop, sent, failed) = (stop.clone(), sent.clone(), failed.clone());
        workers.push(actix_web::rt::spawn(async move {
            let names = ["Ruben Oseguera Cervantes", "Cartel de Sinaloa", "Panaderia Santa Fe", "Los Zetas"];
            let mut i = w;
            while !stop.load(Ordering::Relaxed) {
                let body = json!({"name": names[i % names.len()]});
                i += 1;
                let ok = match client.post(&url).bearer_auth(&key).json(&body).send().await {
                    Ok(r) => r.status() == 200 && r.json::<serde_json::Value>().await.is_ok(),
                    Err(_) => false,
                };
                sent.fetch_add(1, Ordering::Relaxed);
                if !ok {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    repoint(&current, &shared("ofac/2024-05-03"));
    let (s, v) = parts(app.post_admin("/v1/lists/reload").await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["outcome"], "swapped");
    assert_eq!(v["generation"], 2);
    actix_web::rt::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.await.unwrap();
    }
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent > 20, "the load kept flowing ({sent} requests)");
    assert_eq!(failed.load(Ordering::Relaxed), 0, "no request failed during the reload ({sent} sent)");

    let (_, after) = parts(app.post("/v1/screen", &added).await).await;
    assert_eq!(after["matches"][0]["entity_id"], "ofac-46633", "{after}");
    assert!(after["decision"] != "clear");
    assert_ne!(after["lists"][1]["sha256"], old_sha);
}

#[actix_web::test]
async fn a_broken_list_is_rejected_and_the_old_one_stays_in_service() {
    let dir = tempfile::tempdir().unwrap();
    let sdn = dir.path().join("sdn.csv");
    std::fs::copy(shared("ofac/2024-04-26/sdn.csv"), &sdn).unwrap();
    let path = dir.path().to_path_buf();
    let app = spawn_app_with(move |s| s.lists.paths = vec![path]).await;
    let ruben = json!({"name": "Nemesio Oseguera Cervantes"});
    let (_, v) = parts(app.post("/v1/screen", &ruben).await).await;
    assert_eq!(v["decision"], "block");

    // Cut in the middle of a record, as an interrupted download leaves it.
    let full = std::fs::read(&sdn).unwrap();
    std::fs::write(&sdn, &full[..full.len() / 2 + 7]).unwrap();
    let v = expect_error(app.post_admin("/v1/lists/reload").await, 422, "list_rejected").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("sdn.csv"), "{v}");

    let (_, v) = parts(app.post("/v1/screen", &ruben).await).await;
    assert_eq!(v["decision"], "block", "the old lists still screen");
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    assert_eq!(lists["generation"], 1);
    assert_eq!(lists["reload"]["failed"], 1);
    assert!(lists["reload"]["last_error"].as_str().unwrap().contains("sdn.csv"));
    let (s, ready) = parts(app.client.get(app.url("/readyz")).send().await.unwrap()).await;
    assert_eq!(s, 200, "the old lists still serve");
    assert!(ready["last_reload_error"].as_str().unwrap().contains("sdn.csv"));
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap();
    assert!(metrics.contains("cartelscreen_list_reload_failing 1"));

    // Repaired: the next reload goes through and clears the error.
    std::fs::write(&sdn, &full).unwrap();
    let (s, v) = parts(app.post_admin("/v1/lists/reload").await).await;
    assert_eq!(s, 200);
    assert!(v["reload"]["last_error"].is_null());
}

#[actix_web::test]
async fn a_changed_list_file_is_picked_up_without_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("blocklist.toml");
    let list = |name: &str| {
        format!("[list]\ndataset = \"watch_test\"\ntitle = \"Watch test\"\n\n[[entity]]\nid = \"w-1\"\nkind = \"company\"\nname = \"{name}\"\n")
    };
    std::fs::write(&file, list("Comercializadora Aurora Boreal")).unwrap();
    let path = dir.path().to_path_buf();
    let app = spawn_app_with(move |s| {
        s.lists.paths = vec![path];
        s.reload.watch = true;
        s.reload.debounce_millis = 200;
    })
    .await;
    let probe = json!({"name": "Distribuidora Cenit Austral"});
    let (_, v) = parts(app.post("/v1/screen", &probe).await).await;
    assert_eq!(v["decision"], "clear");

    std::fs::write(&file, list("Distribuidora Cenit Austral")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (_, lists) = parts(app.get("/v1/lists").await).await;
        if lists["generation"] == 2 {
            break;
        }
        assert!(Instant::now() < deadline, "the change was not picked up: {lists}");
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, v) = parts(app.post("/v1/screen", &probe).await).await;
    assert_eq!(v["matches"][0]["entity_id"], "w-1");
    assert_eq!(app.app_state.lists.status().failed, 0);
}
