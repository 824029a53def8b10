//! `POST /v1/screen/message`: SWIFT MT and ISO 20022 messages written by
//! hand (`tests/data/messages/`), screened against the real OFAC SDN list
//! through the real server.

use serde_json::Value;

use crate::helpers::{expect_error, fixture, parts, shared, spawn_app_with, TestApp};

async fn app() -> TestApp {
    spawn_app_with(|s| s.lists.paths.push(shared("ofac/current"))).await
}

fn message(name: &str) -> String {
    std::fs::read_to_string(fixture(&format!("messages/{name}"))).unwrap()
}

async fn screen(app: &TestApp, name: &str) -> Value {
    let ct = if name.ends_with(".xml") { "application/xml" } else { "text/plain" };
    let (s, v) = parts(app.post_body("/v1/screen/message", ct, message(name)).await).await;
    assert_eq!(s, 200, "{name}: {v}");
    v
}

fn reasons(v: &Value) -> Vec<(String, String, String)> {
    v["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["source"].as_str().unwrap().into(),
                r["at"].as_str().unwrap().into(),
                r["entity_id"].as_str().unwrap().into(),
            )
        })
        .collect()
}

fn has(v: &Value, source: &str, at: &str, entity: &str) -> bool {
    reasons(v).iter().any(|(s, a, e)| s == source && a == at && e == entity)
}

#[actix_web::test]
async fn an_mt700_gives_every_listed_party_bank_and_vessel_by_field() {
    let app = app().await;
    let v = screen(&app, "mt700_listed.fin").await;
    assert_eq!(v["message"]["type"], "MT700");
    assert_eq!(v["message"]["format"], "swift_mt");
    assert_eq!(v["reference"], "LC-2026-0042");
    assert_eq!(v["decision"], "block", "{v}");
    // The beneficiary, cut over two 35-character lines, is a Sinaloa Cartel front.
    assert!(has(&v, "party", "59", "ofac-10366"), "{:?}", reasons(&v));
    let r = v["reasons"].as_array().unwrap().iter().find(|r| r["at"] == "59").unwrap();
    assert_eq!(r["cartels"][0], "CDS", "{r}");
    let b = v["parties"].as_array().unwrap().iter().find(|p| p["at"] == "59").unwrap();
    assert_eq!(b["role"], "beneficiary");
    // The listed bank, by its BIC, as the receiver, the available-with bank and the advise-through bank.
    for at in ["block 2", "41A", "57A"] {
        assert!(has(&v, "identifier", at, "ofac-906"), "{at}: {:?}", reasons(&v));
    }
    // The listed vessel named in 47A.
    assert!(v["text_hits"].as_array().unwrap().iter().any(|h| h["field"] == "47A" && h["text"] == "ARTAVIL"), "{v}");
    // The ordinary wording of the credit raises nothing else.
    let texts: Vec<&str> = v["text_hits"].as_array().unwrap().iter().map(|h| h["field"].as_str().unwrap()).collect();
    assert_eq!(texts, ["47A"], "{v}");
    assert!(v["goods_hits"].as_array().unwrap().is_empty());
}

#[actix_web::test]
async fn clean_messages_clear() {
    let app = app().await;
    for name in ["mt700_clean.fin", "mt103_50f_clean.fin", "pacs008_clean.xml"] {
        let v = screen(&app, name).await;
        assert_eq!(v["decision"], "clear", "{name}: {v}");
        assert!(v["reasons"].as_array().unwrap().is_empty(), "{name}: {v}");
        assert!(v["parties"].as_array().unwrap().len() >= 3, "{name}");
    }
}

#[actix_web::test]
async fn an_amendment_a_guarantee_and_customer_transfers() {
    let app = app().await;
    let v = screen(&app, "mt707_listed.fin").await;
    assert_eq!(v["message"]["type"], "MT707");
    assert!(v["text_hits"].as_array().unwrap().iter().any(|h| h["field"] == "47B" && h["text"] == "ARTAVIL"), "{v}");
    let g = &v["goods_hits"][0];
    assert_eq!(
        (g["field"].as_str(), g["item"].as_str(), g["category"].as_str()),
        (Some("45B"), Some("npp"), Some("precursor_chemical"))
    );
    assert_eq!(g["decision"], "review");

    let v = screen(&app, "mt760_listed.fin").await;
    assert_eq!(v["message"]["type"], "MT760");
    assert_eq!(v["reference"], "GTEE-2026-0007");
    assert!(has(&v, "party", "59", "ofac-10999"), "{:?}", reasons(&v));
    assert!(has(&v, "identifier", "56A", "ofac-906"), "{:?}", reasons(&v));

    let v = screen(&app, "mt103_50k_listed.fin").await;
    assert_eq!(v["message"]["type"], "MT103");
    assert_eq!(v["message"]["uetr"], "0f4c2e6a-7d1b-4a2f-9c3e-5b8d7a6e1f20");
    assert_eq!(v["message"]["sender"], "CHASUS33XXX");
    assert!(has(&v, "party", "50K", "ofac-10999"), "{:?}", reasons(&v));
    assert!(has(&v, "identifier", "57A", "ofac-13134"), "{:?}", reasons(&v));

    let v = screen(&app, "mt103_50f_listed.fin").await;
    let o = v["parties"].as_array().unwrap().iter().find(|p| p["at"] == "50F").unwrap();
    assert_eq!(o["role"], "ordering_customer");
    assert_eq!(o["decision"], "block", "{o}");
    assert!(reasons(&v).iter().any(|(s, a, _)| s == "party" && a == "50F"));

    let v = screen(&app, "mt202cov_listed.fin").await;
    assert_eq!(v["message"]["type"], "MT202 COV");
    assert_eq!(v["message"]["related_reference"], "PAY-2026-0311");
    assert!(has(&v, "party", "B/59", "ofac-10366"), "{:?}", reasons(&v));
}

#[actix_web::test]
async fn iso_20022_payments_by_element_path() {
    let app = app().await;
    let v = screen(&app, "pacs008_listed.xml").await;
    assert_eq!(v["message"]["type"], "pacs.008.001.08");
    assert_eq!(v["message"]["format"], "iso20022");
    assert_eq!(v["message"]["end_to_end_id"], "E2E-INV-7781");
    assert_eq!(v["message"]["uetr"], "7c9e2f4a-1b3d-4e5f-8a6b-9c0d1e2f3a4b");
    assert_eq!(v["reference"], "PACS8-2026-0500");
    assert!(has(&v, "party", "CdtTrfTxInf/Cdtr", "ofac-10366"), "{:?}", reasons(&v));
    assert!(has(&v, "identifier", "CdtTrfTxInf/IntrmyAgt1", "ofac-906"), "{:?}", reasons(&v));
    assert_eq!(v["decision"], "block");

    let v = screen(&app, "pacs009cov_listed.xml").await;
    assert_eq!(v["message"]["type"], "pacs.009.001.08 COV");
    assert!(has(&v, "identifier", "CdtTrfTxInf/Cdtr", "ofac-13134"), "{:?}", reasons(&v));
    assert!(has(&v, "party", "CdtTrfTxInf/UndrlygCstmrCdtTrf/Cdtr", "ofac-10999"), "{:?}", reasons(&v));
    let goods: Vec<&str> = v["goods_hits"].as_array().unwrap().iter().map(|g| g["item"].as_str().unwrap()).collect();
    assert_eq!(goods, ["tablet-press", "punch-die-set"], "{v}");
    assert_eq!(v["goods_hits"][0]["category"], "pill_press_equipment");

    let v = screen(&app, "pacs008_goods.xml").await;
    assert_eq!(v["decision"], "review", "{v}");
    let goods: Vec<(&str, &str)> = v["goods_hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["item"].as_str().unwrap(), g["matched_by"].as_str().unwrap()))
        .collect();
    assert_eq!(goods, [("anpp", "synonym"), ("propionyl-chloride", "name"), ("propionyl-chloride", "cas")], "{v}");
    let r = v["reasons"].as_array().unwrap().iter().find(|r| r["source"] == "goods").unwrap();
    assert_eq!(r["at"], "CdtTrfTxInf/RmtInf/Ustrd");
    assert!(v["goods_hits"][0]["source"]["url"].as_str().unwrap().starts_with("http"));
}

#[actix_web::test]
async fn bad_messages_are_refused_with_where_and_why() {
    let app = app().await;
    let post = |body: &str, ct: &'static str| {
        let body = body.to_string();
        let app = &app;
        async move { app.post_body("/v1/screen/message", ct, body).await }
    };
    let v =
        expect_error(post(":20:X\n:52A:NOT A BIC\n:40A:IRREVOCABLE\n", "text/plain").await, 422, "malformed_message")
            .await;
    assert!(v["error"]["message"].as_str().unwrap().contains("block 4, field 52A, line 2"), "{v}");
    let v =
        expect_error(post("<Document><FIToFICstmrCdtTrf>", "application/xml").await, 422, "malformed_message").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("line 1"), "{v}");
    let mt940 = "{1:F01BNMXMXMMAXXX0000000000}{2:I940HAVIGB2LXXXXN}{4:\n:20:X\n-}";
    let v = expect_error(post(mt940, "text/plain").await, 422, "unsupported_message_type").await;
    let m = v["error"]["message"].as_str().unwrap();
    assert!(m.contains("MT940") && m.contains("MT700") && m.contains("pacs.008"), "{m}");
    expect_error(post("", "text/plain").await, 422, "malformed_message").await;
    expect_error(post("{}", "application/json").await, 415, "unsupported_media_type").await;
    // A party that cannot be screened fails the whole message.
    let bad_country = message("pacs008_clean.xml").replace("<Ctry>DE</Ctry>", "<Ctry>ZZ</Ctry>");
    let v = expect_error(post(&bad_country, "application/xml").await, 422, "invalid_country").await;
    assert!(v["error"]["message"].as_str().unwrap().contains("CdtTrfTxInf/Cdtr"), "{v}");
}

#[actix_web::test]
async fn a_message_is_audited_like_a_transaction() {
    let app = app().await;
    let v = screen(&app, "mt103_50k_listed.fin").await;
    let rid = v["request_id"].as_str().unwrap();
    let (s, a) = parts(app.get_as(&app.admin_key, &format!("/v1/audit?request_id={rid}&limit=100")).await).await;
    assert_eq!(s, 200, "{a}");
    let records = a["records"].as_array().unwrap();
    // One record per party, and one of the message with its texts and decision.
    assert_eq!(records.len(), v["parties"].as_array().unwrap().len() + 1, "{a}");
    assert!(records.iter().all(|r| r["channel"] == "message"), "{a}");
    let note = records.iter().find(|r| r["subject"]["message"]["type"] == "MT103").unwrap_or_else(|| panic!("{a}"));
    assert_eq!(note["decision"], "block");
    assert_eq!(note["reference"], "PAY-2026-0311");
    assert!(records.iter().any(|r| r["subject"]["at"] == "50K" && r["decision"] == "block"), "{a}");
}
