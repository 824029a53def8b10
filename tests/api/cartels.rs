//! Cartel networks over HTTP: `GET /v1/cartels`, `GET
//! /v1/cartels/{code}/network`, ties on screening answers, indirect exposure
//! through shared identifiers and addresses, and affiliation files of the
//! user's own.

use serde_json::{json, Value};

use crate::helpers::*;

/// A list of invented entries (none is a real party) and an affiliations
/// file tying one of them to Carteles Unidos, as a compliance team would
/// write them for its own intelligence.
fn own_intelligence(dir: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let list = dir.join("intel.toml");
    std::fs::write(
        &list,
        r#"[list]
dataset = "acme_intel"
version = "2026-11-01"

[[entity]]
id = "intel-001"
kind = "person"
name = "Aurelio Inventado Ejemplar"

[[entity]]
id = "intel-002"
kind = "company"
name = "Empacadora Ficticia del Valle, S.A. de C.V."
links = ["intel-001"]
phones = ["+52 443 555 0101"]
emails = ["ventas@empacadora-ficticia.example"]
addresses = [{ street = "Calle Inventada No. 77, Col. Centro", city = "Apatzingan, Michoacan C.P. 60600", country = "Mexico" }]
"#,
    )
    .unwrap();
    let reg = dir.join("affiliations.csv");
    std::fs::write(
        &reg,
        "entity,listed_name,cartel,relation,source_kind,source_issuer,source_title,source_date,source_url,source_ref,resolution,evidence\n\
         intel-001,Aurelio Inventado Ejemplar,CU,leader,secondary_report,Acme intelligence desk,Invented test source,2026-11-01,https://intel.example/cu/1,,test row,test row\n\
         ofac-99999999,Nobody,CU,member,secondary_report,Acme intelligence desk,Invented test source,2026-11-01,https://intel.example/cu/2,,test row,test row\n",
    )
    .unwrap();
    (list, reg)
}

/// The service with [`own_intelligence`] loaded; the folder lives as long
/// as the returned guard.
async fn spawn_with_own_intelligence() -> (tempfile::TempDir, TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let (list, reg) = own_intelligence(dir.path());
    let app = spawn_app_with(move |s| {
        s.lists.paths.push(list);
        s.lists.affiliations = vec![reg];
    })
    .await;
    (dir, app)
}

fn flags(v: &Value) -> Vec<&str> {
    v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect()
}

#[actix_web::test]
async fn cartels_lists_the_six_with_their_network_sizes() {
    let app = spawn_app().await;
    let (s, v) = parts(app.get("/v1/cartels").await).await;
    assert_eq!(s, 200, "{v}");
    let codes: Vec<&str> = v["cartels"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["CDS", "CJNG", "CDN", "CDG", "LNFM", "CU"]);
    let cjng = &v["cartels"][1];
    assert_eq!(cjng["designated"], "2025-02-20");
    assert!(cjng["network"]["total"].as_u64().unwrap() >= 2, "the fixture list's entries are tied: {cjng}");
}

#[actix_web::test]
async fn a_network_has_nodes_and_edges_with_their_basis() {
    let app = spawn_app().await;
    let (s, v) = parts(app.get("/v1/cartels/cjng/network").await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["cartel"], "CJNG");
    let node = v["nodes"].as_array().unwrap().iter().find(|n| n["id"] == "acme-001").expect("acme-001 is a node");
    assert_eq!((node["depth"].as_u64(), node["basis"].as_str()), (Some(1), Some("list")));
    let edge = v["edges"].as_array().unwrap().iter().find(|e| e["from"] == "acme-001").unwrap();
    assert_eq!(edge["basis"], "list");
    assert_eq!(edge["direction"], "links_to");
    let v = expect_error(app.get("/v1/cartels/XYZ/network").await, 404, "cartel_not_found").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("CJNG"), "{v}");
}

#[actix_web::test]
async fn a_registry_of_ones_own_ties_a_test_list_to_carteles_unidos_with_its_source() {
    let (_dir, app) = spawn_with_own_intelligence().await;
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "Empacadora Ficticia del Valle"})).await).await;
    assert!(flags(&v).contains(&"cartel_network"), "{v}");
    let tie = &v["matches"][0]["cartel_ties"][0];
    assert_eq!((tie["cartel"].as_str(), tie["depth"].as_u64()), (Some("CU"), Some(2)), "{tie}");
    assert_eq!(tie["basis"], "source");
    let ids: Vec<&str> = tie["path"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["intel-002", "intel-001", "cs-cu"]);
    assert_eq!(tie["path"][1]["edge"]["source"]["url"], "https://intel.example/cu/1");
    assert_eq!(tie["path"][1]["edge"]["relation"], "leader");

    let (_, network) = parts(app.get("/v1/cartels/CU/network").await).await;
    assert_eq!(network["size"]["by_source"], 2, "{network}");
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let registry =
        lists["lists"].as_array().unwrap().iter().find(|l| l["dataset"] == "cartelscreen_affiliations").unwrap();
    assert!(registry["source"].as_str().unwrap().contains("affiliations.csv"), "{registry}");
}

#[actix_web::test]
async fn sharing_a_phone_mail_or_address_with_a_tied_entry_is_reviewed() {
    let (_dir, app) = spawn_with_own_intelligence().await;
    let body = json!({"name": "Frutas Selectas Norteñas", "identifiers": ["(443) 555-0101"]});
    let (s, v) = parts(app.post("/v1/screen", &body).await).await;
    assert_eq!(s, 200);
    assert_eq!(v["decision"], "review", "{v}");
    // The test lists hold no official sanctions list: every answer says so.
    assert_eq!(flags(&v), ["shares_identifier_with_cartel_network", "no_sanctions_lists"]);
    let x = &v["exposures"][0];
    assert_eq!((x["shared"].as_str(), x["entity_id"].as_str()), (Some("phone"), Some("intel-002")));
    assert_eq!(x["entry_value"], "+52 443 555 0101");
    assert_eq!(x["cartel_ties"][0]["cartel"], "CU");

    let body = json!({"name": "Frutas Selectas Norteñas", "address": "C. Inventada #77, Col. Centro, C.P. 60600, Apatzingán, Mich."});
    let (_, v) = parts(app.post("/v1/screen", &body).await).await;
    assert_eq!(v["decision"], "review", "{v}");
    assert_eq!(flags(&v), ["shares_address_with_cartel_network", "no_sanctions_lists"]);

    // Same street, another number; same number, another town: no exposure.
    for address in ["Calle Inventada 78, Col. Centro, C.P. 60600", "Calle Inventada 77, Uruapan"] {
        let (_, v) =
            parts(app.post("/v1/screen", &json!({"name": "Frutas Selectas Norteñas", "address": address})).await).await;
        assert_eq!(v["decision"], "clear", "{address}: {v}");
    }
    // The tied entry itself is a match, not an exposure.
    let body = json!({"name": "Empacadora Ficticia del Valle", "identifiers": ["ventas@empacadora-ficticia.example"]});
    let (_, v) = parts(app.post("/v1/screen", &body).await).await;
    assert!(v.get("exposures").is_none(), "{v}");
}

#[actix_web::test]
async fn a_malformed_affiliations_file_is_refused_with_its_line_and_the_lists_in_service_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (list, reg) = own_intelligence(dir.path());
    let reg2 = reg.clone();
    let app = spawn_app_with(move |s| {
        s.lists.paths.push(list);
        s.lists.affiliations = vec![reg2];
    })
    .await;
    let good = std::fs::read_to_string(&reg).unwrap();
    std::fs::write(&reg, good.replacen(",CU,leader,", ",XX,leader,", 1)).unwrap();
    let v = expect_error(app.post_admin("/v1/lists/reload").await, 422, "list_rejected").await;
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("affiliations.csv") && message.contains("line 2"), "{message}");
    assert!(message.contains("unknown cartel code"), "{message}");
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "Empacadora Ficticia del Valle"})).await).await;
    assert_eq!(v["matches"][0]["cartel_ties"][0]["cartel"], "CU", "the registry in service stays: {v}");
}
