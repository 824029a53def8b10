use serde_json::json;

use crate::helpers::*;

#[actix_web::test]
async fn screens_a_cartel_front_company_with_its_tie_and_path() {
    let app = spawn_app().await;
    let body = json!({
        "name": "Transportes Ejemplo SA de CV",
        "type": "company",
        "country": "MX",
        "identifiers": ["TEJ120101AB1"],
        "reference": "supplier-0042"
    });
    let (s, v) = parts(app.post("/v1/screen", &body).await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["decision"], "block");
    assert_eq!(v["reference"], "supplier-0042");
    assert!(v["request_id"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(v["screened_at"].as_str().unwrap().ends_with('Z'));
    let m = &v["matches"][0];
    assert_eq!(m["entity_id"], "acme-001");
    assert_eq!(m["list"], "acme_blocklist");
    assert!(m["score"].as_f64().unwrap() >= 0.95);
    assert!(m["explanation"]["name"]["tokens"].is_array());
    let flags: Vec<&str> = v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(flags.contains(&"identifier_match") && flags.contains(&"cartel_network"), "{flags:?}");
    let tie = &m["cartel_ties"][0];
    assert_eq!(tie["cartel"], "CJNG");
    assert_eq!(tie["basis"], "list");
    assert_eq!(tie["path"][0]["id"], "acme-001");
    assert_eq!(tie["path"].as_array().unwrap().last().unwrap()["id"], "cs-cjng");
    let datasets: Vec<&str> = v["lists"].as_array().unwrap().iter().map(|l| l["dataset"].as_str().unwrap()).collect();
    assert_eq!(datasets, ["cartelscreen_fto_cartels", "acme_blocklist", "cartelscreen_affiliations"]);
    assert_eq!(v["lists"][0]["sha256"].as_str().unwrap().len(), 64);
}

#[actix_web::test]
async fn an_ordinary_business_is_clear() {
    let app = spawn_app().await;
    let (s, v) = parts(app.post("/v1/screen", &json!({"name": "Panadería Santa Fe", "type": "company"})).await).await;
    assert_eq!(s, 200);
    assert_eq!(v["decision"], "clear");
    // Only the lists' own flag: the test lists hold no official sanctions list.
    assert_eq!(v["flags"], json!(["no_sanctions_lists"]), "{v}");
}

#[actix_web::test]
async fn the_country_of_an_address_is_used_when_no_country_is_given() {
    let app = spawn_app().await;
    let body = json!({"name": "Transportes Ejemplo", "address": "Av. Inventada 100, Guadalajara, Mexico"});
    let (_, v) = parts(app.post("/v1/screen", &body).await).await;
    let flags: Vec<&str> = v["matches"][0]["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(flags.contains(&"country_match"), "{v}");
}

#[actix_web::test]
async fn a_batch_answers_every_item_in_order_and_isolates_bad_ones() {
    let app = spawn_app().await;
    let body = json!({"items": [
        {"name": "CJNG", "reference": "a"},
        {"name": ""},
        {"name": "Panaderia Santa Fe", "reference": "c"},
        {"name": 42},
        {"nombre": "x"},
        {"name": "Los Zetas", "type": "organization", "reference": "f"}
    ]});
    let (s, v) = parts(app.post("/v1/screen/batch", &body).await).await;
    assert_eq!(s, 200, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 6);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r["index"], i);
    }
    assert_eq!(results[0]["status"], "ok");
    assert_eq!(results[0]["decision"], "block");
    assert_eq!(results[0]["reference"], "a");
    assert_eq!(results[1]["error"]["code"], "empty_name");
    assert_eq!(results[2]["decision"], "clear");
    assert_eq!(results[3]["error"]["code"], "invalid_field");
    assert_eq!(results[4]["error"]["code"], "invalid_field");
    assert_eq!(results[5]["matches"][0]["entity_id"], "cs-cdn");
    assert_eq!(v["decision"], "block");
    assert_eq!(v["counts"]["error"], 3);
    assert_eq!(v["counts"]["block"], 2);
    assert_eq!(v["counts"]["clear"], 1);
}

#[actix_web::test]
async fn a_batch_over_the_configured_size_is_refused_whole() {
    let app = spawn_app_with(|s| s.server.max_batch_items = 3).await;
    let items: Vec<_> = (0..4).map(|i| json!({"name": format!("Empresa {i}")})).collect();
    expect_error(app.post("/v1/screen/batch", &json!({ "items": items })).await, 422, "too_many_items").await;
    expect_error(app.post("/v1/screen/batch", &json!({"items": []})).await, 422, "empty_batch").await;
}

#[actix_web::test]
async fn a_transaction_is_as_bad_as_its_worst_party_or_text() {
    let app = spawn_app().await;
    let body = json!({
        "reference": "LC-2025-0917",
        "type": "letter_of_credit",
        "parties": [
            {"role": "applicant", "name": "Importadora del Bajio SA de CV", "country": "MX"},
            {"role": "beneficiary", "name": "Transportes Ejemplo S.A. de C.V.", "country": "MX"},
            {"role": "issuing_bank", "name": "Banco Mercantil del Norte"},
            {"role": "vessel", "name": "Maersk Kowloon"}
        ],
        "texts": {
            "goods_description": "2,000 cartons of frozen avocados, HS 0804.40",
            "remittance_information": "final payment, attn Carteles Unidos logistics"
        }
    });
    let (s, v) = parts(app.post("/v1/screen/transaction", &body).await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["reference"], "LC-2025-0917");
    assert_eq!(v["type"], "letter_of_credit");
    assert_eq!(v["decision"], "block");
    let parties = v["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 4);
    assert_eq!(parties[0]["role"], "applicant");
    assert_eq!(parties[0]["decision"], "clear");
    assert_eq!(parties[1]["role"], "beneficiary");
    assert_eq!(parties[1]["decision"], "block");
    let hits = v["text_hits"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["field"], "remittance_information");
    assert_eq!(hits[0]["text"], "Carteles Unidos");
    assert_eq!(hits[0]["matches"][0]["entity_id"], "cs-cu");
    let reasons = v["reasons"].as_array().unwrap();
    assert!(reasons.iter().any(|r| r["source"] == "party" && r["at"] == "beneficiary" && r["entity_id"] == "acme-001"));
    assert!(reasons
        .iter()
        .any(|r| r["source"] == "text" && r["at"] == "remittance_information" && r["cartels"][0] == "CU"));
}

#[actix_web::test]
async fn a_transaction_with_an_unscreenable_party_is_refused_whole() {
    let app = spawn_app().await;
    let body = json!({"parties": [{"role": "applicant", "name": "Acme"}, {"role": "consignee", "name": "  "}]});
    let v = expect_error(app.post("/v1/screen/transaction", &body).await, 422, "empty_name").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("parties[1]"));
    let body = json!({"parties": [{"role": "smuggler", "name": "Acme"}]});
    expect_error(app.post("/v1/screen/transaction", &body).await, 422, "invalid_field").await;
    expect_error(app.post("/v1/screen/transaction", &json!({"parties": []})).await, 422, "empty_transaction").await;
}

#[actix_web::test]
async fn an_entity_comes_with_its_facts_and_cartel_ties() {
    let app = spawn_app().await;
    let (s, v) = parts(app.get("/v1/entities/acme-001").await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["id"], "acme-001");
    assert_eq!(v["list"], "acme_blocklist");
    assert_eq!(v["identifiers"][0]["value"], "TEJ-120101-AB1");
    assert_eq!(v["cartel_ties"][0]["cartel"], "CJNG");
    assert_eq!(v["list_version"]["dataset"], "acme_blocklist");
    let (_, v) = parts(app.get("/v1/entities/cs-cjng").await).await;
    assert_eq!(v["cartel_ties"][0]["depth"], 0);
    expect_error(app.get("/v1/entities/ofac-0").await, 404, "entity_not_found").await;
}

#[actix_web::test]
async fn an_identifier_alone_is_screened_and_says_so() {
    let app = spawn_app().await;
    // Listed as `TEJ-120101-AB1` on the fixture list; sent with its label.
    let (s, v) = parts(app.post("/v1/screen", &json!({"identifiers": ["R.F.C. TEJ 120101 AB1"]})).await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["decision"], "block", "{v}");
    assert_eq!(v["matches"][0]["entity_id"], "acme-001");
    let flags: Vec<&str> = v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(flags.contains(&"identifier_only") && flags.contains(&"identifier_match"), "{flags:?}");
    let (_, v) = parts(app.post("/v1/screen", &json!({"name": "", "identifiers": ["XAXX010101000"]})).await).await;
    assert_eq!(v["decision"], "clear");
    let flags: Vec<&str> = v["flags"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(flags.contains(&"identifier_only"), "a clear that screened no name says so: {flags:?}");
    // No name and no identifier is still refused.
    expect_error(app.post("/v1/screen", &json!({"identifiers": ["  "]})).await, 422, "missing_name").await;
    // The search route finds entries by identifier too.
    let (s, v) = parts(app.get("/search/default?q=TEJ120101AB1").await).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["results"][0]["id"], "acme-001", "{v}");
}

#[actix_web::test]
async fn an_identifier_that_breaks_its_labelled_scheme_is_refused() {
    let app = spawn_app().await;
    for bad in ["IMO 7406785", "CURP OESR660717HMN", "R.F.C. TEJ-1201"] {
        let v = expect_error(
            app.post("/v1/screen", &json!({"name": "X", "identifiers": [bad]})).await,
            422,
            "invalid_identifier",
        )
        .await;
        assert!(v["error"]["message"].as_str().unwrap().contains(bad), "{v}");
    }
    let (s, _) = parts(app.post("/v1/screen", &json!({"name": "X", "identifiers": ["IMO 7406784"]})).await).await;
    assert_eq!(s, 200, "a valid check digit passes");
}
