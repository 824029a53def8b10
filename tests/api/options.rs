//! Per-request screening options (`min_score`, `lists`, `kinds`) and the
//! vessel and bank facts of a counterparty (`imo`, `mmsi`, `bic`, `flag`,
//! `call_sign`, `owner`), on the real OFAC SDN and UN lists.

use serde_json::{json, Value};

use crate::helpers::*;

async fn on_official_lists() -> TestApp {
    spawn_app_with(|s| {
        s.lists.paths = vec![shared("ofac/current"), shared("un/2026-02-27/consolidated.xml")];
    })
    .await
}

async fn ok(r: reqwest::Response) -> Value {
    let (s, v) = parts(r).await;
    assert_eq!(s, 200, "{v}");
    v
}

fn ids(v: &Value) -> Vec<String> {
    v["matches"].as_array().unwrap().iter().map(|m| m["entity_id"].as_str().unwrap().to_string()).collect()
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

async fn audit_of(app: &TestApp, request_id: &str) -> Vec<Value> {
    let (s, v) = parts(app.get_as(&app.admin_key, &format!("/v1/audit?request_id={request_id}")).await).await;
    assert_eq!(s, 200, "{v}");
    v["records"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn lists_and_kinds_choose_what_is_screened_and_are_echoed_and_audited() {
    let app = on_official_lists().await;
    let (_, lists) = parts(app.get("/v1/lists").await).await;
    let served: Vec<&str> = lists["lists"].as_array().unwrap().iter().filter_map(|l| l["dataset"].as_str()).collect();
    assert!(served.contains(&"us_ofac_sdn") && served.contains(&"un_sc_sanctions"), "{lists}");

    let name = "Cartel de Jalisco Nueva Generacion";
    let all = ok(app.post("/v1/screen", &json!({"name": name})).await).await;
    assert_eq!(all["decision"], "block");
    assert!(ids(&all).contains(&"ofac-17671".to_string()), "{all}");
    assert!(all.get("options").is_none(), "no options asked, none echoed");

    // Only the UN list: neither the SDN entry nor the cartel registry can decide.
    let body =
        json!({"name": name, "lists": ["UN_SC_SANCTIONS"], "min_score": 0.5, "kinds": ["organization", "company"]});
    let un = ok(app.post("/v1/screen", &body).await).await;
    assert_eq!(un["decision"], "clear", "{un}");
    assert!(un["matches"].as_array().unwrap().iter().all(|m| m["list"] == "un_sc_sanctions"), "{un}");
    assert_eq!(
        un["options"],
        json!({"min_score": 0.65, "min_score_requested": 0.5, "lists": ["un_sc_sanctions"], "kinds": ["organization", "company"]}),
        "the low min_score is raised to the configured report threshold, and says so"
    );
    let recs = audit_of(&app, un["request_id"].as_str().unwrap()).await;
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["subject"]["options"], un["options"], "{}", recs[0]);
    assert_eq!(recs[0]["subject"]["name"], name);
    assert_eq!(recs[0]["decision"], "clear");

    // Kinds: a vessel-only screening of a person's name finds no person.
    let body = json!({"name": "Rafael Caro Quintero", "kinds": ["vessel"]});
    let v = ok(app.post("/v1/screen", &body).await).await;
    assert!(v["matches"].as_array().unwrap().iter().all(|m| m["kind"] == "vessel"), "{v}");
    assert_eq!(v["decision"], "clear");
}

#[actix_web::test]
async fn min_score_trims_the_report_but_never_the_decision_or_the_audit() {
    let app = on_official_lists().await;
    // A misspelt leader blocks at 0.98 (SDN 17674); three entries review for `Caro Quintero`.
    for (name, min_score, decision) in [("Ruben Oseguera Cervantez", 0.99, "block"), ("Caro Quintero", 0.87, "review")]
    {
        let all = ok(app.post("/v1/screen", &json!({"name": name})).await).await;
        assert_eq!(all["decision"], decision, "{all}");
        let alerting = all["matches"].as_array().unwrap().iter().filter(|m| m["decision"] != "clear").count();
        let under =
            all["matches"].as_array().unwrap().iter().filter(|m| m["score"].as_f64().unwrap() < min_score).count();
        assert!(under > 0, "{all}");
        let trimmed = ok(app.post("/v1/screen", &json!({"name": name, "min_score": min_score})).await).await;
        assert_eq!(trimmed["decision"], decision, "min_score never changes the decision: {trimmed}");
        assert_eq!(trimmed["flags"], all["flags"]);
        assert!(trimmed["matches"].as_array().unwrap().iter().all(|m| m["score"].as_f64().unwrap() >= min_score));
        assert_eq!(trimmed["withheld_matches"].as_u64(), Some(under as u64), "{trimmed}");
        assert_eq!(trimmed["options"], json!({"min_score": min_score}));
        // The trail keeps every alerting hit, listed or not.
        let recs = audit_of(&app, trimmed["request_id"].as_str().unwrap()).await;
        assert_eq!(recs[0]["hits"].as_array().unwrap().len(), alerting, "{}", recs[0]);
        assert_eq!(recs[0]["decision"], decision);
        assert_eq!(recs[0]["subject"]["options"]["min_score"], min_score);
    }
}

#[actix_web::test]
async fn options_that_cannot_be_used_are_refused_with_their_code() {
    let app = spawn_app().await;
    let e =
        expect_error(app.post("/v1/screen", &json!({"name": "x", "lists": ["ofac-sdn"]})).await, 422, "unknown_list")
            .await;
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("ofac-sdn") && msg.contains("cartelscreen_fto_cartels"), "names the lists in service: {msg}");
    expect_error(app.post("/v1/screen", &json!({"name": "x", "kinds": ["boat"]})).await, 422, "invalid_type").await;
    expect_error(app.post("/v1/screen", &json!({"name": "x", "min_score": 1.5})).await, 422, "invalid_option").await;
    expect_error(app.post("/v1/screen", &json!({"name": "x", "lists": []})).await, 422, "invalid_option").await;
    let batch = json!({"items": [{"name": "x"}], "lists": ["nope"]});
    expect_error(app.post("/v1/screen/batch", &batch).await, 422, "unknown_list").await;
    let t = json!({"parties": [{"role": "applicant", "name": "x"}], "kinds": ["ship"]});
    expect_error(app.post("/v1/screen/transaction", &t).await, 422, "invalid_type").await;
}

#[actix_web::test]
async fn batch_and_transaction_options_apply_to_every_item_and_party() {
    let app = spawn_app().await;
    let body = json!({
        "items": [{"name": "Carteles Unidos"}, {"name": "Transportes Ejemplo", "lists": ["acme_blocklist"]}],
        "lists": ["acme_blocklist"],
    });
    let v = ok(app.post("/v1/screen/batch", &body).await).await;
    assert_eq!(v["options"], json!({"lists": ["acme_blocklist"]}));
    // The registry is left out for every item: the cartel's own name no longer blocks.
    assert_eq!(v["results"][0]["decision"], "clear", "{v}");
    // An item cannot carry options of its own.
    assert_eq!(v["results"][1]["status"], "error");
    assert_eq!(v["results"][1]["error"]["code"], "invalid_field");
    let recs = audit_of(&app, v["request_id"].as_str().unwrap()).await;
    assert_eq!(recs.len(), 2);
    assert!(recs.iter().all(|r| r["subject"]["options"]["lists"] == json!(["acme_blocklist"])), "{recs:?}");

    let t = json!({
        "parties": [{"role": "beneficiary", "name": "Carteles Unidos"}],
        "texts": {"goods_description": "payment for Carteles Unidos"},
        "lists": ["cartelscreen_fto_cartels"], "kinds": ["organization"],
    });
    let v = ok(app.post("/v1/screen/transaction", &t).await).await;
    assert_eq!(v["decision"], "block");
    assert_eq!(v["options"]["kinds"], json!(["organization"]));
    let t = json!({
        "parties": [{"role": "beneficiary", "name": "Carteles Unidos"}],
        "texts": {"goods_description": "payment for Carteles Unidos"},
        "kinds": ["vessel"],
    });
    let v = ok(app.post("/v1/screen/transaction", &t).await).await;
    assert_eq!(v["decision"], "clear", "no vessel is named: {v}");
    assert!(v["text_hits"].as_array().unwrap().is_empty());
    let recs = audit_of(&app, v["request_id"].as_str().unwrap()).await;
    assert!(recs.len() == 2 && recs.iter().all(|r| r["subject"]["options"]["kinds"] == json!(["vessel"])), "{recs:?}");
}

#[actix_web::test]
async fn a_listed_vessel_is_found_by_imo_or_mmsi_alone() {
    let app = on_official_lists().await;
    // ARTAVIL, SDN 15036: `Vessel Registration Identification IMO 9187629; MMSI 572469210`.
    for body in [json!({"imo": "9187629"}), json!({"imo": "IMO 9187629"}), json!({"mmsi": "572469210"})] {
        let v = ok(app.post("/v1/screen", &body).await).await;
        assert_eq!(v["decision"], "block", "{body}: {v}");
        assert_eq!(ids(&v), ["ofac-15036"], "{body}");
        let flags = strs(&v["flags"]);
        assert!(flags.contains(&"identifier_match") && flags.contains(&"identifier_only"), "{flags:?}");
    }
    expect_error(app.post("/v1/screen", &json!({"imo": "9187628"})).await, 422, "invalid_identifier").await;
    expect_error(app.post("/v1/screen", &json!({"mmsi": "5724692"})).await, 422, "invalid_identifier").await;
    expect_error(app.post("/v1/screen", &json!({"bic": "1234"})).await, 422, "invalid_identifier").await;
    let flagged = json!({"name": "Artavil", "flag": "Narnia"});
    expect_error(app.post("/v1/screen", &flagged).await, 422, "invalid_country").await;
    // A transaction party carries the same facts.
    let t = json!({"parties": [{"role": "vessel", "name": "Unknown Carrier", "imo": "9187629"}]});
    let v = ok(app.post("/v1/screen/transaction", &t).await).await;
    assert_eq!(v["decision"], "block");
    assert_eq!(v["parties"][0]["matches"][0]["entity_id"], "ofac-15036");
}

#[actix_web::test]
async fn a_bank_is_found_by_its_branch_bic() {
    let app = on_official_lists().await;
    // HAVIN BANK LIMITED, SDN 906: `SWIFT/BIC HAVIGB2L`.
    let v = ok(app.post("/v1/screen", &json!({"name": "Havana Intl Bank London", "bic": "HAVIGB2LXXX"})).await).await;
    assert_eq!(v["decision"], "block", "{v}");
    let m = &v["matches"][0];
    assert_eq!(m["entity_id"], "ofac-906");
    let adj = m["explanation"]["adjustments"].as_array().unwrap();
    assert!(
        adj.iter().any(|a| a["feature"] == "identifier" && a["detail"].as_str().unwrap().contains("HAVIGB2LXXX")),
        "{m}"
    );
}

#[actix_web::test]
async fn flag_call_sign_and_owner_are_compared_and_the_owner_is_screened() {
    let app = on_official_lists().await;
    // ARTAVIL: call sign T2EU4, flag Iran.
    let body = json!({"name": "Artavil", "type": "vessel", "flag": "IR", "call_sign": "T2EU4"});
    let v = ok(app.post("/v1/screen", &body).await).await;
    let m = v["matches"].as_array().unwrap().iter().find(|m| m["entity_id"] == "ofac-15036").expect("ARTAVIL");
    let features: Vec<&str> =
        m["explanation"]["adjustments"].as_array().unwrap().iter().filter_map(|a| a["feature"].as_str()).collect();
    assert!(features.contains(&"flag") && features.contains(&"call_sign"), "{m}");
    let body = json!({"name": "Artavil", "type": "vessel", "flag": "Panama"});
    let v = ok(app.post("/v1/screen", &body).await).await;
    let flag = v["matches"][0]["explanation"]["adjustments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["feature"] == "flag")
        .cloned()
        .unwrap();
    assert_eq!(flag["effect"], 0.0, "a flag that differs is explained, not held against the name: {flag}");

    // The owner of an unlisted vessel is itself a listed company (SDN 37924).
    let body = json!({"name": "Estrella del Golfo", "type": "vessel",
                      "owner": "Truong Phat Loc Shipping Trading Joint Stock Company"});
    let v = ok(app.post("/v1/screen", &body).await).await;
    let m = v["matches"].as_array().unwrap().iter().find(|m| m["entity_id"] == "ofac-37924").expect("owner match");
    assert!(strs(&m["flags"]).contains(&"via_owner"), "{m}");
    assert!(strs(&v["flags"]).contains(&"via_owner"));
    assert_ne!(v["decision"], "clear");
    let recs = audit_of(&app, v["request_id"].as_str().unwrap()).await;
    assert!(recs[0]["hits"].as_array().unwrap().iter().any(|h| h["entity_id"] == "ofac-37924"), "{}", recs[0]);
    assert_eq!(recs[0]["subject"]["owner"], "Truong Phat Loc Shipping Trading Joint Stock Company");
    // The listed vessel whose owner is named as listed: the owner agrees.
    let body = json!({"name": "BS Bravo", "type": "vessel", "owner": "Truong Phat Loc Shipping Trading"});
    let v = ok(app.post("/v1/screen", &body).await).await;
    let m = v["matches"].as_array().unwrap().iter().find(|m| m["entity_id"] == "ofac-37933").expect("BS BRAVO");
    let owner = m["explanation"]["adjustments"].as_array().unwrap().iter().find(|a| a["feature"] == "owner").unwrap();
    assert!(owner["effect"].as_f64().unwrap() > 0.0, "{owner}");
}
