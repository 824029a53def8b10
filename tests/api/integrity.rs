//! No broken, partial or shrunken list is ever served without an operator's
//! decision: reloads of copies of the real files, cut, unmarked, missing a
//! file, shrunk, quirky or malformed; and the age and state of the lists on
//! every answer, `/readyz` and the metrics.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::helpers::*;

const OFAC_FILES: [&str; 4] = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];

/// A copy of the whole OFAC SDN set of `../shared/data/ofac/current` in
/// `dir/ofac`.
fn ofac_copy(dir: &Path) -> PathBuf {
    let to = dir.join("ofac");
    std::fs::create_dir_all(&to).unwrap();
    for f in OFAC_FILES {
        std::fs::copy(shared("ofac/current").join(f), to.join(f)).unwrap();
    }
    to
}

async fn app_on(paths: Vec<PathBuf>) -> TestApp {
    spawn_app_with(move |s| s.lists.paths = paths).await
}

fn flags(v: &Value) -> Vec<String> {
    v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()).collect()
}

fn list<'a>(v: &'a Value, dataset: &str) -> &'a Value {
    v["lists"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["dataset"] == dataset)
        .unwrap_or_else(|| panic!("no {dataset}: {v}"))
}

async fn metrics(app: &TestApp) -> String {
    app.client.get(app.url("/metrics")).send().await.unwrap().text().await.unwrap()
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    parts(app.client.get(app.url("/readyz")).send().await.unwrap()).await
}

/// The lists in service did not move: generation 1, the SDN set whole, El
/// Mencho still blocked; the rejection is reported with its kind in
/// `/v1/lists`, `/readyz` and the metric.
async fn assert_refused_and_kept(app: &TestApp, sha: &str, kind: &str, needle: &str) {
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    assert_eq!(lists["generation"], 1, "{lists}");
    let sdn = list(&lists, "us_ofac_sdn");
    assert_eq!(sdn["sha256"], sha, "the version in service stays");
    assert_eq!(sdn["entries"], 14_972);
    assert_eq!(lists["reload"]["last_error_kind"], kind, "{lists}");
    assert!(lists["reload"]["last_error"].as_str().unwrap().contains(needle), "{lists}");
    let (status, ready) = readyz(app).await;
    assert_eq!(status, 200, "the old lists still serve: {ready}");
    assert!(ready["last_reload_error"].as_str().unwrap().contains(needle), "{ready}");
    let m = metrics(app).await;
    assert!(m.contains(&format!("cartelscreen_list_reload_rejected{{reason=\"{kind}\"}} 1")), "{m}");
    assert!(m.contains("cartelscreen_list_reload_failing 1"), "{m}");
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "Ruben Oseguera Cervantes"})).await).await;
    assert_eq!(v["decision"], "block", "{v}");
    assert_eq!(list(&v, "us_ofac_sdn")["sha256"], sha);
}

/// `sdn.csv` cut at a line end after 8,000 of its 14,972 entries (a download
/// that stopped), cut inside a record, and whole but without its 0x1A: each
/// refused, the whole set staying in service; restored, it reloads.
#[actix_web::test]
async fn a_cut_or_unmarked_sdn_csv_is_refused_and_the_set_in_service_stays() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = ofac_copy(dir.path());
    let app = app_on(vec![ofac.clone()]).await;
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let sha = list(&lists, "us_ofac_sdn")["sha256"].as_str().unwrap().to_string();
    let full = std::fs::read(ofac.join("sdn.csv")).unwrap();
    assert_eq!(full.last(), Some(&0x1A));
    let line_ends: Vec<usize> = full.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i).collect();

    let at_line_end = &full[..line_ends[7_999] + 1];
    let mid_record = &full[..line_ends[9_999] + 20];
    let unmarked = &full[..full.len() - 1];
    for (what, bytes, needle) in [
        ("cut at a line end", at_line_end, "line 8001: the file ends without OFAC's end-of-file marker"),
        ("cut inside a record", mid_record, "end-of-file marker"),
        ("without its 0x1A", unmarked, "end-of-file marker"),
    ] {
        std::fs::write(ofac.join("sdn.csv"), bytes).unwrap();
        let v = expect_error(app.post_admin("/v1/lists/reload").await, 422, "list_rejected").await;
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains("sdn.csv") && message.contains(needle), "{what}: {v}");
        assert_refused_and_kept(&app, &sha, "integrity", needle).await;
    }

    std::fs::write(ofac.join("sdn.csv"), &full).unwrap();
    let (status, v) = parts(app.post_admin("/v1/lists/reload").await).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outcome"], "unchanged");
    assert!(v["reload"]["last_error"].is_null() && v["reload"]["failed"] == 3, "{v}");
    assert!(metrics(&app).await.contains("cartelscreen_list_reload_rejected{reason=\"integrity\"} 0"));
}

/// A set that lost `alt.csv` never replaces the whole one: "Chapo Guzman"
/// (an alias of `alt.csv`) keeps being found.
#[actix_web::test]
async fn a_set_that_lost_alt_csv_is_refused_by_a_reload() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = ofac_copy(dir.path());
    let app = app_on(vec![ofac.clone()]).await;
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let sha = list(&lists, "us_ofac_sdn")["sha256"].as_str().unwrap().to_string();
    let chapo = json!({"name": "Chapo Guzman"});
    let (_, before) = parts(app.post("/v1/screen", &chapo).await).await;
    assert_eq!(before["matches"][0]["entity_id"], "ofac-6861", "{before}");

    std::fs::remove_file(ofac.join("alt.csv")).unwrap();
    let v = expect_error(app.post_admin("/v1/lists/reload").await, 422, "list_rejected").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("lost alt.csv"), "{v}");
    assert_refused_and_kept(&app, &sha, "integrity", "lost alt.csv").await;
    let (_, after) = parts(app.post("/v1/screen", &chapo).await).await;
    assert_eq!(after["matches"][0]["entity_id"], "ofac-6861", "{after}");
    assert!(!flags(&after).contains(&"partial_lists".to_string()));
}

/// Started on a set without `alt.csv` (nothing whole to keep), the set is
/// served, and said partial everywhere.
#[actix_web::test]
async fn a_partial_set_at_start_is_served_and_said_partial_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = ofac_copy(dir.path());
    std::fs::remove_file(ofac.join("alt.csv")).unwrap();
    let app = app_on(vec![ofac]).await;
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let sdn = list(&lists, "us_ofac_sdn");
    assert_eq!(sdn["partial"], true, "{sdn}");
    assert_eq!(sdn["missing_files"], json!(["alt.csv"]));
    assert_eq!(lists["health"]["partial"], json!(["us_ofac_sdn"]), "{lists}");
    let (status, ready) = readyz(&app).await;
    assert_eq!(status, 200);
    // Copied today, the files are dated today: partial, not stale.
    assert_eq!(ready["status"], "partial", "{ready}");
    assert_eq!(ready["partial_lists"], json!(["us_ofac_sdn"]));
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "Panaderia Santa Fe"})).await).await;
    assert!(flags(&v).contains(&"partial_lists".to_string()), "{v}");
    assert_eq!(list(&v, "us_ofac_sdn")["partial"], true, "{v}");
    let (_, batch) =
        parts(app.post("/v1/screen/batch", &json!({"items": [{"name": "Panaderia Santa Fe"}]})).await).await;
    assert!(flags(&batch["results"][0]).contains(&"partial_lists".to_string()), "{batch}");
    assert!(metrics(&app).await.contains("cartelscreen_list_partial{dataset=\"us_ofac_sdn\"} 1"));
}

/// 30% of the entries gone (the file still well formed): refused unless
/// the operator accepts it.
#[actix_web::test]
async fn a_thirty_percent_shrink_is_refused_unless_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = ofac_copy(dir.path());
    let app = app_on(vec![ofac.clone()]).await;
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let sha = list(&lists, "us_ofac_sdn")["sha256"].as_str().unwrap().to_string();
    let full = std::fs::read(ofac.join("sdn.csv")).unwrap();
    assert_eq!(full.windows(2).filter(|w| w == b"\r\n").count(), 14_972);
    // Records 0, 3 and 7 of each ten dropped: 30%, El Mencho kept.
    let shrunk = crate::common::shrunk_sdn(&full, Some("17674,"));
    std::fs::write(ofac.join("sdn.csv"), &shrunk).unwrap();

    let v = expect_error(app.post_admin("/v1/lists/reload").await, 422, "list_shrunk").await;
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("14972") && message.contains("30.0% fewer"), "{v}");
    assert!(message.contains("accept_shrink=true"), "the way out is named: {v}");
    assert_refused_and_kept(&app, &sha, "shrunk", "fewer").await;

    let r = app.client.post(app.url("/v1/lists/reload?accept_shrink=true")).bearer_auth(&app.admin_key).send().await;
    let (status, v) = parts(r.unwrap()).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outcome"], "swapped");
    let entries = list(&v, "us_ofac_sdn")["entries"].as_u64().unwrap();
    assert!((10_400..10_500).contains(&entries), "{entries}");
    expect_error(
        app.client.post(app.url("/v1/lists/reload?accept=yes")).bearer_auth(&app.admin_key).send().await.unwrap(),
        422,
        "invalid_query",
    )
    .await;
}

/// Upper-case names, a bare quote inside a field, a byte-order mark and LF
/// line ends: all read, the set whole, swapped in.
#[actix_web::test]
async fn publisher_quirks_reload_and_serve() {
    let dir = tempfile::tempdir().unwrap();
    let ofac = ofac_copy(dir.path());
    let app = app_on(vec![ofac.clone()]).await;
    for f in OFAC_FILES {
        std::fs::rename(ofac.join(f), ofac.join(f.to_ascii_uppercase())).unwrap();
    }
    let comments = std::fs::read(ofac.join("SDN_COMMENTS.CSV")).unwrap();
    let text = String::from_utf8_lossy(&comments).into_owned();
    // A bare quote in the first quoted remark, as OFAC has published.
    let at = text.find(",\"").expect("a quoted field") + 5;
    let quirky = format!("\u{feff}{}\"Q\"{}", &text[..at], &text[at..]).replace("\r\n", "\n");
    std::fs::write(ofac.join("SDN_COMMENTS.CSV"), quirky).unwrap();
    let (status, v) = parts(app.post_admin("/v1/lists/reload").await).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["outcome"], "swapped", "{v}");
    let sdn = list(&v, "us_ofac_sdn");
    assert_eq!(sdn["entries"], 14_972);
    assert_eq!(sdn["partial"], false, "{sdn}");
    assert!(v["warnings"].as_u64().unwrap() > 0);
    let (_, ruben) = parts(app.post("/v1/screen", &json!({"name": "Ruben Oseguera Cervantes"})).await).await;
    assert_eq!(ruben["decision"], "block");
}

/// A UN list with one malformed element is refused with its line.
#[actix_web::test]
async fn a_un_list_with_a_malformed_element_is_refused_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let un = dir.path().join("un");
    std::fs::create_dir_all(&un).unwrap();
    let xml = std::fs::read_to_string(shared("un/2026-02-27/consolidated.xml")).unwrap();
    std::fs::write(un.join("consolidated.xml"), &xml).unwrap();
    let app = app_on(vec![un.clone()]).await;
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let sha = list(&lists, "un_sc_sanctions")["sha256"].as_str().unwrap().to_string();

    // The 100th individual's first name closed by the wrong tag.
    let at = xml.match_indices("</FIRST_NAME>").nth(99).unwrap().0;
    let line = xml[..at].matches('\n').count() + 1;
    let broken = format!("{}</FIRST_NAM>{}", &xml[..at], &xml[at + "</FIRST_NAME>".len()..]);
    std::fs::write(un.join("consolidated.xml"), broken).unwrap();
    let v = expect_error(app.post_admin("/v1/lists/reload").await, 422, "list_rejected").await;
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("malformed XML at line {line}, byte")), "line {line}: {v}");
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    assert_eq!(list(&lists, "un_sc_sanctions")["sha256"], sha);
    assert_eq!(lists["reload"]["last_error_kind"], "format");
    assert!(metrics(&app).await.contains("cartelscreen_list_reload_rejected{reason=\"format\"} 1"));
}

/// An official list older than `lists.max_age_days`: every answer is
/// flagged, its age named; `/readyz` says stale (503 when so configured);
/// the metric holds the age.
#[actix_web::test]
async fn stale_lists_are_said_on_every_answer_and_by_readyz() {
    let un = shared("un/2026-02-27/consolidated.xml");
    let app = app_on(vec![un.clone()]).await;
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "Panaderia Santa Fe"})).await).await;
    assert_eq!(v["decision"], "clear");
    assert!(flags(&v).contains(&"stale_lists".to_string()), "{v}");
    let un_ref = list(&v, "un_sc_sanctions");
    let age = un_ref["age_days"].as_i64().unwrap();
    assert!(age > 7, "{un_ref}");
    assert!(un_ref["published"].as_str().unwrap().starts_with("2026-02-27"));
    let (status, ready) = readyz(&app).await;
    assert_eq!(status, 200);
    assert_eq!(ready["status"], "stale", "{ready}");
    assert_eq!(ready["stale_lists"], json!(["un_sc_sanctions"]));
    assert_eq!(ready["oldest_list_age_days"], age);
    let m = metrics(&app).await;
    assert!(m.contains(&format!("cartelscreen_list_age_days{{dataset=\"un_sc_sanctions\"}} {age}")), "{m}");
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let entry = list(&lists, "un_sc_sanctions");
    assert_eq!((entry["stale"].as_bool(), entry["age_days"].as_i64()), (Some(true), Some(age)));
    assert_eq!(entry["published_from"], "list");
    // The audit record names the versions with their age.
    let (_, audit) = parts(app.get_as(&app.admin_key, "/v1/audit?kind=screening&limit=1").await).await;
    let recorded = &audit["records"][0]["lists"];
    let un_rec = recorded.as_array().unwrap().iter().find(|l| l["dataset"] == "un_sc_sanctions").unwrap();
    assert_eq!(un_rec["age_days"], age, "{audit}");

    let strict = spawn_app_with(move |s| {
        s.lists.paths = vec![un];
        s.lists.stale_is_unready = true;
    })
    .await;
    let v = expect_error(strict.client.get(strict.url("/readyz")).send().await.unwrap(), 503, "lists_stale").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("un_sc_sanctions"), "{v}");

    let lenient = spawn_app_with(move |s| {
        s.lists.paths = vec![shared("un/2026-02-27/consolidated.xml")];
        s.lists.max_age_days = 100_000;
    })
    .await;
    let (status, ready) = readyz(&lenient).await;
    assert_eq!((status, ready["status"].as_str()), (200, Some("ok")), "{ready}");
    let (_, v) = parts(lenient.post("/v1/screen", &json!({"name": "Panaderia Santa Fe"})).await).await;
    assert!(!flags(&v).contains(&"stale_lists".to_string()), "{v}");
}

/// With only the cartel registry and a firm's own list: a `clear` is not a
/// real clear, and says so; `/readyz` is not ok.
#[actix_web::test]
async fn without_a_sanctions_list_answers_are_flagged_and_readyz_is_not_ok() {
    let app = spawn_app().await;
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "Panaderia Santa Fe"})).await).await;
    assert_eq!(v["decision"], "clear");
    assert!(flags(&v).contains(&"no_sanctions_lists".to_string()), "{v}");
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "Cartel de Jalisco Nueva Generacion"})).await).await;
    assert_eq!(v["decision"], "block", "a cartel of the registry still blocks: {v}");
    assert!(flags(&v).contains(&"no_sanctions_lists".to_string()), "{v}");
    let v = expect_error(app.client.get(app.url("/readyz")).send().await.unwrap(), 503, "no_sanctions_lists").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("a clear is not a clear"), "{v}");
    assert!(metrics(&app).await.contains("cartelscreen_sanctions_lists 0"));
}

/// `/v1/batch` streams rows; its header names the list versions and their
/// age, and every row carries the lists' own flags.
#[actix_web::test]
async fn a_batch_upload_names_its_lists_in_a_header() {
    let app = app_on(vec![shared("un/2026-02-27/consolidated.xml")]).await;
    let r = app.post_body("/v1/batch", "text/csv", "name\nPanaderia Santa Fe\n").await;
    assert_eq!(r.status(), 200);
    let header = r.headers()["x-cartelscreen-lists"].to_str().unwrap().to_string();
    assert!(header.contains("un_sc_sanctions; published=2026-02-27; age_days="), "{header}");
    let body = r.text().await.unwrap();
    assert!(body.lines().nth(1).unwrap().contains("stale_lists"), "{body}");
}
