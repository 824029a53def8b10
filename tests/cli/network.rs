//! Cartel networks on the real SDN list (`../shared/data/ofac/current`):
//! the listed leaders and front companies tied to their cartels with path
//! and source, each network above a floor, and `cartels` in its formats.

use std::process::Command;

use serde_json::Value;

use crate::common::{bin, shared};

fn sdn() -> String {
    shared("ofac/current")
}

fn json(c: &mut Command) -> Value {
    let out = c.output().unwrap();
    let so = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{so}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(&so).unwrap_or_else(|e| panic!("not JSON ({e}): {so}"))
}

/// The top match of a screening and its first tie to `cartel`.
fn tie(name: &str, id: &str, cartel: &str) -> Value {
    let v = json(bin().args(["--lists", &sdn(), "screen", name, "--json"]));
    let m = v["matches"].as_array().unwrap().iter().find(|m| m["entity_id"] == id);
    let m = m.unwrap_or_else(|| panic!("{name}: {id} not matched: {v}"));
    let ties = m["cartel_ties"].as_array().unwrap();
    ties.iter()
        .find(|t| t["cartel"] == cartel)
        .unwrap_or_else(|| panic!("{name} not tied to {cartel}: {ties:?}"))
        .clone()
}

fn sources(tie: &Value) -> Vec<String> {
    tie["path"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["edge"]["source"]["url"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn the_listed_leaders_are_tied_to_their_cartels_with_a_source() {
    for (name, id, cartel) in [
        ("Joaquin Guzman Loera", "ofac-6861", "CDS"),
        ("Ismael Zambada Garcia", "ofac-7226", "CDS"),
        ("Ivan Archivaldo Guzman Salazar", "ofac-13148", "CDS"),
        ("Miguel Trevino Morales", "ofac-11528", "CDN"),
        ("Osiel Cardenas Guillen", "ofac-6857", "CDG"),
    ] {
        let t = tie(name, id, cartel);
        assert_eq!(t["depth"], 1, "{name}: {t}");
        assert_eq!(t["relation"], "leader", "{name}: {t}");
        let urls = sources(&t);
        assert!(urls.iter().any(|u| u.starts_with("http")), "{name} has no source: {t}");
    }
}

#[test]
fn front_companies_reach_cjng_through_the_people_whose_links_name_them() {
    let t = tie("W&G ARQUITECTOS", "ofac-18130", "CJNG");
    let ids: Vec<&str> = t["path"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["ofac-18130", "ofac-20110", "ofac-17671"], "{t}");
    assert_eq!(t["basis"], "list", "OFAC's own links reach the cartel: {t}");
    assert_eq!(t["path"][0]["edge"]["direction"], "linked_from", "CASTILLO RODRIGUEZ names W&G, not the reverse");
    assert_eq!(t["path"][1]["edge"]["direction"], "links_to");
    let cuinis = tie("LOS CUINIS", "ofac-17672", "CJNG");
    assert_eq!((cuinis["depth"].as_u64(), cuinis["relation"].as_str()), (Some(1), Some("faction")), "{cuinis}");
    assert!(!sources(&cuinis).is_empty());
}

#[test]
fn every_cartel_has_a_network_above_its_floor() {
    let v = json(bin().args(["--lists", &sdn(), "cartels", "--json"]));
    let sizes = v.as_array().unwrap();
    // Floors under the figures measured on the snapshot (CDS 80, CJNG 83,
    // CDN 15, CDG 14, LNFM 3, CU 1): Carteles Unidos' leaders were
    // designated after it.
    for (code, floor) in [("CDS", 60), ("CJNG", 60), ("CDN", 10), ("CDG", 10), ("LNFM", 3), ("CU", 1)] {
        let n = sizes.iter().find(|s| s["cartel"] == code).unwrap();
        assert!(n["total"].as_u64().unwrap() >= floor, "{code}: {n}");
        let by_basis = n["by_list"].as_u64().unwrap() + n["by_source"].as_u64().unwrap();
        assert_eq!(by_basis, n["total"].as_u64().unwrap(), "{n}");
    }
}

#[test]
fn cartels_show_prints_text_json_and_dot_and_refuses_an_unknown_code() {
    let out = bin().args(["--lists", &sdn(), "cartels", "show", "cjng"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.starts_with("CJNG Cártel de Jalisco Nueva Generación:"), "{text}");
    assert!(text.contains("ofac-18130") && text.contains("linked from"), "{text}");
    let v = json(bin().args(["--lists", &sdn(), "cartels", "show", "CJNG", "--format", "json"]));
    let edges = v["edges"].as_array().unwrap();
    assert!(edges.iter().any(|e| e["from"] == "ofac-18130" && e["to"] == "ofac-20110"), "{v}");
    assert!(edges.iter().any(|e| e["basis"] == "source" && e["source"]["url"].is_string()));
    let out = bin().args(["--lists", &sdn(), "cartels", "show", "CJNG", "--format", "dot"]).output().unwrap();
    let dot = String::from_utf8_lossy(&out.stdout);
    assert!(dot.starts_with("digraph \"CJNG\" {") && dot.trim_end().ends_with('}'), "{dot}");
    assert!(dot.contains("\"ofac-18130\" -> \"ofac-20110\""), "{dot}");

    let out = bin().args(["cartels", "show", "ZETAS"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown cartel code `ZETAS`") && err.contains("CDN"), "{err}");
}

#[test]
fn a_malformed_affiliations_file_stops_the_start_with_its_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let reg = dir.path().join("mine.csv");
    std::fs::write(
        &reg,
        "entity,listed_name,cartel,relation,source_kind,source_issuer,source_title,source_date,source_url,source_ref,resolution,evidence\n\
         ofac-6861,X,CDS,boss,treasury_release,T,T,2025-01-01,https://x.example,,,\n",
    )
    .unwrap();
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, format!("[lists]\naffiliations = [{:?}]\n", reg.to_str().unwrap())).unwrap();
    let out = bin().args(["--config", cfg.to_str().unwrap(), "serve", "--check-config"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mine.csv") && err.contains("line 2") && err.contains("unknown relation \"boss\""), "{err}");
}

#[test]
fn lists_show_names_the_hubs_and_counts_absent_affiliation_rows() {
    let out = bin().args(["--lists", &sdn(), "lists", "show"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(text.contains("hubs"), "{text}");
    assert!(text.contains("NATIONAL IRANIAN TANKER COMPANY"), "the most linked entry is named: {text}");
    let v = json(bin().args(["--lists", &sdn(), "lists", "show", "--json"]));
    assert!(v["hubs"].as_array().unwrap().iter().all(|h| h["degree"].as_u64().unwrap() > 25));
}
