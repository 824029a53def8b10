//! The OpenSanctions API as yente serves it, at the root of the service, so
//! that the official `yente-client` (and `yente-cli`) work against
//! cartelscreen unchanged:
//!
//! | route | what it does |
//! | --- | --- |
//! | `POST /match/{dataset}` | screens each query entity (FollowTheMoney form) and returns scored candidates |
//! | `GET /search/{dataset}` | name search (the screener plus token prefixes), filters, facets, paging |
//! | `GET /entities/{id}` | one entity in FollowTheMoney form; a referent id answers 308 to its canonical id |
//! | `GET /entities/{id}/adjacent[/{prop}]` | its sanctions, links and addresses by property, paged |
//! | `GET /catalog` | the datasets: `default` (every list) and one per loaded list |
//! | `GET /algorithms` | the matching algorithms `/match` accepts |
//!
//! **Datasets.** Each loaded list is a dataset named by its
//! [`ListVersion::dataset`](crate::model::ListVersion) (`us_ofac_sdn`,
//! `us_ofac_cons`, `un_sc_sanctions`, `cartelscreen_fto_cartels`...);
//! `default` holds them all. The path dataset, `include_dataset` (which
//! narrows it) and `exclude_dataset` decide which *list entries* count; an
//! unknown path or `include_dataset` dataset is a 404, an unknown
//! `exclude_dataset` is ignored.
//!
//! **Entities.** Entries that name each other in `same_as` (the cartel
//! registry's `cs-cjng` names OFAC's `ofac-17671`) are one entity, as on
//! OpenSanctions: the entry that declares `same_as` is canonical, the others
//! (and `same_as` ids of entries not loaded) are its `referents`, and its
//! properties and datasets are the union of its entries'. Fetching a referent
//! answers `308` with a relative `Location` to the canonical id. Kinds map to
//! schemata: person → `Person`, organization → `Organization`, company →
//! `Company`, vessel → `Vessel`, aircraft → `Airplane`, unknown →
//! `LegalEntity`. Every entity carries the topic `sanction`; drug-trafficking
//! programmes (SDNTK, SDNT, ILLICIT-DRUGS) and cartel ties add
//! `crime.traffick.drug`, terrorism programmes (SDGT, FTO) and the six FTO
//! cartels themselves add `crime.terror`.
//!
//! **Matching.** Every name-typed property of a query (`name`, `alias`,
//! `previousName`, `weakAlias`, `abbreviation`, or first and last names put
//! together) is screened with each `birthDate` and country (`country`,
//! `nationality`, `citizenship`, `jurisdiction`, `mainCountry`, `flag`, or the
//! last part of an `address`) and every identifier property (`idNumber`,
//! `taxNumber`, `registrationNumber`, `innCode`, `imoNumber`, ...); the best
//! score per entity is kept. Candidates whose schema cannot match the query's
//! (a `Person` query never returns an `Organization`) are dropped.
//! `threshold` (default 0.7) sets `match`, `cutoff` (default 0.5) drops weaker
//! candidates, `limit` (default 5, at most 500) caps the results. The engine
//! reports at most `matching.max_results` candidates per name, and none under
//! `matching.report_threshold` (0.65 by default) unless an identifier
//! matched, so a `cutoff` below that returns no more candidates than 0.65
//! would. `topics`, `exclude_schema`, `exclude_entity_ids` and
//! `changed_since` filter the candidates; `weights` and `config` in the body
//! are accepted and ignored. `changed_since` compares with the publication
//! date of the entity's lists when they state one (cartelscreen and UN lists);
//! entities of lists without one (OFAC) are kept.
//!
//! **Search.** `q` is screened (typos, transliterations, reordering), and
//! every entity with a name holding all the query's tokens (the last one as
//! a prefix) is added after the screener's hits. `schema` keeps the schema and
//! its descendants; `countries`, `topics`, `exclude_schema`, `changed_since`
//! and `filter=field:value` (`schema`, `countries`, `topics`, `datasets`,
//! `properties.<prop>`) filter; `facets` may ask for `countries`, `topics`,
//! `datasets` and `schema`. `sort`, `fuzzy` and `simple` are accepted and
//! ignored: results come strongest first and matching is always fuzzy.
//!
//! **Errors** keep the service's body `{"error": {"code", "message"}}` and add
//! yente's `"detail"` (the message), which the client shows.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, Next};
use actix_web::{web, HttpMessage, HttpRequest, HttpResponse};
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::cartels::CartelTie;
use crate::http::auth::ScreenAccess;
use crate::http::error::ApiError;
use crate::http::middleware::Outcome;
use crate::http::state::AppState;
use crate::live::{rfc3339, Generation};
use crate::model::{BirthDate, Entity, EntityKind, IdScheme, KindFamily, NameRole};
use crate::normalize::normalize_name;
use crate::screen::{Decision, Flag, Match, Query, QueryError, Screener};

/// The collection of every loaded list.
pub const DEFAULT_DATASET: &str = "default";
/// The full algorithm: names, identifiers, birth date, country and kind.
pub const ALGORITHM: &str = "cartelscreen-v1";
/// Names alone, no other fact moves the score.
pub const ALGORITHM_NAME_ONLY: &str = "cartelscreen-name-v1";
const DEFAULT_THRESHOLD: f64 = 0.7;
const DEFAULT_CUTOFF: f64 = 0.5;
const DEFAULT_MATCH_LIMIT: usize = 5;
const DEFAULT_SEARCH_LIMIT: usize = 10;
/// Largest `limit` on `/match` and `/search`.
pub const MAX_LIMIT: usize = 500;
/// Largest `offset` on `/search`.
pub const MAX_OFFSET: usize = 10_000;
/// Names (all name-typed properties together) per query entity.
const MAX_QUERY_NAMES: usize = 25;
const MAX_QUERY_IDENTIFIERS: usize = 50;
/// Name × birth date × country combinations screened per query entity;
/// later combinations are not screened.
const MAX_VARIANTS: usize = 50;
const MAX_FACET_VALUES: usize = 100;

/// Registers the routes, each wrapped so its errors carry `detail`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/match/{dataset}").wrap(from_fn(with_detail)).route(web::post().to(match_entities)))
        .service(web::resource("/search/{dataset}").wrap(from_fn(with_detail)).route(web::get().to(search)))
        .service(web::resource("/entities/{id}").wrap(from_fn(with_detail)).route(web::get().to(entity)))
        .service(web::resource("/entities/{id}/adjacent").wrap(from_fn(with_detail)).route(web::get().to(adjacent)))
        .service(
            web::resource("/entities/{id}/adjacent/{prop}")
                .wrap(from_fn(with_detail))
                .route(web::get().to(adjacent_property)),
        )
        .service(web::resource("/catalog").wrap(from_fn(with_detail)).route(web::get().to(catalog)))
        .service(web::resource("/algorithms").wrap(from_fn(with_detail)).route(web::get().to(algorithms)));
}

// ---------------------------------------------------------------- errors

/// Adds yente's `"detail"` to every error body of these routes, whatever
/// produced it (handler, extractor, a method the route does not take).
async fn with_detail(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let http_req = req.request().clone();
    let res = match next.call(req).await {
        Ok(res) => res.map_into_boxed_body(),
        Err(e) => ServiceResponse::new(http_req, e.error_response()),
    };
    let status = res.status();
    if !status.is_client_error() && !status.is_server_error() {
        return Ok(res);
    }
    let (req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
    let mut response = head.set_body(BoxBody::new(detailed_error_body(status, &bytes)));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(ServiceResponse::new(req, response))
}

/// The service's error body with `detail` added; a body that is not one
/// (actix's own 405, say) is replaced by the body for its status.
fn detailed_error_body(status: StatusCode, body: &[u8]) -> Vec<u8> {
    let mut v = serde_json::from_slice::<Value>(body)
        .ok()
        .filter(|v| v.get("error").and_then(|e| e.get("message")).and_then(Value::as_str).is_some())
        .unwrap_or_else(|| serde_json::to_value(ApiError::from_status(status).body()).unwrap_or_default());
    if v.get("detail").is_none() {
        let message = v["error"]["message"].as_str().unwrap_or_default().to_string();
        v["detail"] = Value::String(message);
    }
    serde_json::to_vec(&v).unwrap_or_default()
}

fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}

fn blocking_failed(e: actix_web::error::BlockingError) -> ApiError {
    ApiError::internal(e.to_string())
}

// ------------------------------------------------------------- schemata

/// Every schema of the FollowTheMoney model (4.9) the client knows: name,
/// whether `/match` accepts it, and its ancestors.
const SCHEMATA: &[(&str, bool, &[&str])] = &[
    ("Address", true, &["Thing"]),
    ("Airplane", true, &["Asset", "Thing", "Value", "Vehicle"]),
    ("Analyzable", false, &[]),
    ("Article", false, &["Analyzable", "Document", "Thing"]),
    ("Asset", false, &["Thing", "Value"]),
    ("Associate", false, &["Interval"]),
    ("Audio", false, &["Analyzable", "Document", "Thing"]),
    ("BankAccount", true, &["Asset", "Thing", "Value"]),
    ("Call", false, &["Interval"]),
    ("CallForTenders", false, &["Interval", "Thing"]),
    ("Company", true, &["Asset", "LegalEntity", "Organization", "Thing", "Value"]),
    ("Contract", false, &["Asset", "Thing", "Value"]),
    ("ContractAward", false, &["Interest", "Interval", "Value"]),
    ("CourtCase", false, &["Thing"]),
    ("CourtCaseParty", false, &["Interest", "Interval"]),
    ("CryptoWallet", true, &["Thing", "Value"]),
    ("Debt", false, &["Interval", "Value"]),
    ("Directorship", false, &["Interest", "Interval"]),
    ("Document", false, &["Analyzable", "Thing"]),
    ("Documentation", false, &["Interest", "Interval"]),
    ("EconomicActivity", false, &["Interval"]),
    ("Email", false, &["Analyzable", "Document", "Folder", "HyperText", "PlainText", "Thing"]),
    ("Employment", false, &["Interest", "Interval"]),
    ("Event", false, &["Analyzable", "Interval", "Thing"]),
    ("Family", false, &["Interval"]),
    ("Folder", false, &["Analyzable", "Document", "Thing"]),
    ("HyperText", false, &["Analyzable", "Document", "Thing"]),
    ("Identification", false, &["Interval"]),
    ("Image", false, &["Analyzable", "Document", "Thing"]),
    ("Interest", false, &["Interval"]),
    ("Interval", false, &[]),
    ("LegalEntity", true, &["Thing"]),
    ("License", false, &["Asset", "Contract", "Thing", "Value"]),
    ("Membership", false, &["Interest", "Interval"]),
    ("Mention", false, &[]),
    ("Message", false, &["Analyzable", "Document", "Folder", "HyperText", "Interval", "PlainText", "Thing"]),
    ("Note", false, &["Analyzable", "Thing"]),
    ("Occupancy", false, &["Interval"]),
    ("Organization", true, &["LegalEntity", "Thing"]),
    ("Ownership", false, &["Interest", "Interval"]),
    ("Package", false, &["Analyzable", "Document", "Folder", "Thing"]),
    ("Page", false, &[]),
    ("Pages", false, &["Analyzable", "Document", "Thing"]),
    ("Passport", false, &["Identification", "Interval"]),
    ("Payment", false, &["Interval", "Value"]),
    ("Person", true, &["LegalEntity", "Thing"]),
    ("PlainText", false, &["Analyzable", "Document", "Thing"]),
    ("Position", true, &["Thing"]),
    ("Project", false, &["Interval", "Thing", "Value"]),
    ("ProjectParticipant", false, &["Interest", "Interval"]),
    ("PublicBody", true, &["LegalEntity", "Organization", "Thing"]),
    ("RealEstate", false, &["Asset", "Thing", "Value"]),
    ("Representation", false, &["Interest", "Interval"]),
    ("Risk", false, &["Interval"]),
    ("Sanction", false, &["Interval"]),
    ("Security", true, &["Asset", "Thing", "Value"]),
    ("Similar", false, &[]),
    ("Succession", false, &["Interest", "Interval"]),
    ("Table", false, &["Analyzable", "Document", "Thing"]),
    ("TaxRoll", false, &["Interval"]),
    ("Thing", false, &[]),
    ("Trip", false, &["Analyzable", "Event", "Interval", "Thing"]),
    ("UnknownLink", false, &["Interest", "Interval"]),
    ("UserAccount", true, &["Thing"]),
    ("Value", false, &[]),
    ("Vehicle", true, &["Asset", "Thing", "Value"]),
    ("Vessel", true, &["Asset", "Thing", "Value", "Vehicle"]),
    ("Video", false, &["Analyzable", "Document", "Thing"]),
    ("Workbook", false, &["Analyzable", "Document", "Folder", "Thing"]),
];

/// The model's spelling of a schema name, matched exactly.
pub fn known_schema(name: &str) -> Option<&'static str> {
    SCHEMATA.iter().find(|(n, _, _)| *n == name).map(|(n, _, _)| *n)
}

fn matchable_schema(name: &str) -> bool {
    SCHEMATA.iter().any(|(n, m, _)| *n == name && *m)
}

/// `schema` is `ancestor` or descends from it.
pub fn is_a(schema: &str, ancestor: &str) -> bool {
    schema == ancestor || SCHEMATA.iter().any(|(n, _, anc)| *n == schema && anc.contains(&ancestor))
}

/// A query of schema `query` may be answered by an entity of schema
/// `candidate`: one is the other or descends from it.
pub fn schemata_match(query: &str, candidate: &str) -> bool {
    is_a(candidate, query) || is_a(query, candidate)
}

/// The more specific of two schemata when one descends from the other, else `a`.
fn merge_schema(a: &'static str, b: &'static str) -> &'static str {
    if b != a && is_a(b, a) {
        b
    } else {
        a
    }
}

/// The FollowTheMoney schema of a kind of entry.
pub fn schema_of(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Person => "Person",
        EntityKind::Organization => "Organization",
        EntityKind::Company => "Company",
        EntityKind::Vessel => "Vessel",
        EntityKind::Aircraft => "Airplane",
        EntityKind::Unknown => "LegalEntity",
    }
}

/// The kind a query schema tells the screener (`None`: any kind).
pub fn kind_of_schema(schema: &str) -> Option<EntityKind> {
    match schema {
        "Person" => Some(EntityKind::Person),
        "Organization" | "PublicBody" => Some(EntityKind::Organization),
        "Company" => Some(EntityKind::Company),
        "Vessel" => Some(EntityKind::Vessel),
        "Airplane" => Some(EntityKind::Aircraft),
        _ => None,
    }
}

/// The schemata cartelscreen entities take.
const ENTITY_SCHEMATA: [&str; 6] = ["Person", "Organization", "Company", "Vessel", "Airplane", "LegalEntity"];

// ------------------------------------------------------------ topics

/// FollowTheMoney topics of one entry: `sanction` for every entry (all
/// lists are sanctions lists), and the crimes its programmes and cartel
/// ties speak of.
pub fn entity_topics(e: &Entity, ties: &[CartelTie]) -> Vec<&'static str> {
    let mut t = vec!["sanction"];
    for p in &e.programs {
        let u = p.trim().to_ascii_uppercase();
        if u.starts_with("SDNT") || u.contains("ILLICIT-DRUGS") || u.contains("NARCOTIC") || u.contains("KINGPIN") {
            t.push("crime.traffick.drug");
        }
        if matches!(u.as_str(), "SDGT" | "FTO" | "SDT")
            || u.contains("TERROR")
            || u.contains("QAIDA")
            || u.contains("ISIL")
            || u.contains("TALIBAN")
        {
            t.push("crime.terror");
        }
        if u == "TCO" {
            t.push("crime");
        }
        if u.starts_with("CYBER") {
            t.push("crime.cyber");
        }
    }
    if ties.iter().any(|x| x.depth == 0) {
        t.extend(["crime.terror", "crime.traffick.drug"]);
    } else if !ties.is_empty() {
        t.push("crime.traffick.drug");
    }
    t.sort_unstable();
    t.dedup();
    t
}

fn topic_label(topic: &str) -> &str {
    match topic {
        "sanction" => "Sanctioned entity",
        "crime" => "Crime",
        "crime.terror" => "Terrorism",
        "crime.traffick.drug" => "Drug trafficking",
        "crime.cyber" => "Cyber crime",
        other => other,
    }
}

/// A readable name for the programme codes seen on cartel-related entries.
fn program_label(code: &str) -> String {
    let name = match code.trim().to_ascii_uppercase().as_str() {
        "SDNTK" => "Foreign Narcotics Kingpin Sanctions Regulations",
        "SDNT" => "Narcotics Trafficking Sanctions Regulations",
        "SDGT" => "Global Terrorism Sanctions Regulations",
        "FTO" => "Foreign Terrorist Organization designation",
        "ILLICIT-DRUGS-EO14059" => "Executive Order 14059: illicit drug trade",
        "TCO" => "Transnational Criminal Organizations Sanctions Regulations",
        _ => return code.trim().to_string(),
    };
    format!("{name} ({})", code.trim())
}

// ------------------------------------------------------------ properties

/// The property an identifier goes to, on an entity of `schema`.
pub fn identifier_prop(scheme: &IdScheme, schema: &str) -> &'static str {
    match schema {
        "Vessel" => match scheme {
            IdScheme::Imo => "imoNumber",
            IdScheme::Mmsi => "mmsi",
            _ => "registrationNumber",
        },
        "Airplane" => match scheme {
            IdScheme::Other(l) if l.contains("serial") => "serialNumber",
            _ => "registrationNumber",
        },
        _ => {
            let person = schema == "Person";
            let org = matches!(schema, "Organization" | "Company" | "PublicBody");
            match scheme {
                IdScheme::Rfc | IdScheme::Nit | IdScheme::TaxId => "taxNumber",
                IdScheme::Registration | IdScheme::FolioMercantil => "registrationNumber",
                IdScheme::Passport if person => "passportNumber",
                IdScheme::Imo if org => "imoNumber",
                IdScheme::Other(label) => other_identifier_prop(label, person),
                _ => "idNumber",
            }
        }
    }
}

fn other_identifier_prop(label: &str, person: bool) -> &'static str {
    let l = label.to_ascii_lowercase();
    let words: Vec<&str> = l.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    if has("swift") || has("bic") {
        "swiftBic"
    } else if has("lei") {
        "leiCode"
    } else if has("duns") || l.contains("d_u_n_s") || l.contains("d-u-n-s") {
        "dunsCode"
    } else if has("inn") {
        "innCode"
    } else if has("ogrn") {
        "ogrnCode"
    } else if has("okpo") {
        "okpoCode"
    } else if has("vat") {
        "vatCode"
    } else if person && has("ssn") {
        "socialSecurityNumber"
    } else if person && has("passport") {
        "passportNumber"
    } else if has("tax") || has("fein") || has("ein") || has("ruc") || has("nit") || has("rfc") {
        "taxNumber"
    } else if has("registration")
        || has("folio")
        || has("matricula")
        || has("license")
        || (has("company") && has("number"))
    {
        "registrationNumber"
    } else {
        "idNumber"
    }
}

/// A birth date as FollowTheMoney dates: `1966-07-17`, `1966-07`, `1966`; a
/// range gives each year.
pub fn ftm_dates(d: &BirthDate) -> Vec<String> {
    if let Some(to) = d.to_year {
        if to >= d.year && to - d.year <= 12 {
            return (d.year..=to).map(|y| format!("{y:04}")).collect();
        }
        return vec![format!("{:04}", d.year), format!("{to:04}")];
    }
    let mut s = format!("{:04}", d.year);
    if let Some(m) = d.month {
        s.push_str(&format!("-{m:02}"));
        if let Some(day) = d.day {
            s.push_str(&format!("-{day:02}"));
        }
    }
    vec![s]
}

/// Lower-case ISO code of a country name or code.
fn country_code(s: &str) -> Option<String> {
    crate::country::iso2(s).map(str::to_ascii_lowercase)
}

/// `2025-02-20`, `2025-02-20T10:11:12[.123][Z|+01:00]` or with a space →
/// `2025-02-20T10:11:12`; anything else `None`. Offsets are dropped.
pub fn normalize_timestamp(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.len() >= r.end && b[r].iter().all(u8::is_ascii_digit);
    if !(digits(0..4) && b.get(4) == Some(&b'-') && digits(5..7) && b.get(7) == Some(&b'-') && digits(8..10)) {
        return None;
    }
    let month: u8 = s[5..7].parse().ok()?;
    let day: u8 = s[8..10].parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    if b.len() == 10 {
        return Some(format!("{}T00:00:00", &s[..10]));
    }
    if !matches!(b[10], b'T' | b't' | b' ') || !digits(11..13) || b.get(13) != Some(&b':') || !digits(14..16) {
        return None;
    }
    let seconds = if b.get(16) == Some(&b':') && digits(17..19) { &s[17..19] } else { "00" };
    Some(format!("{}T{}:{}:{seconds}", &s[..10], &s[11..13], &s[14..16]))
}

/// One value of a property: text, or an adjacent entity inlined.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PropValue {
    Text(String),
    Entity(Box<FtmEntity>),
}

/// An entity in the FollowTheMoney form yente serves.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FtmEntity {
    pub id: String,
    pub caption: String,
    pub schema: String,
    /// Property name to values (strings, or nested entities with `nested=true`).
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Vec<PropValue>>,
    pub datasets: Vec<String>,
    /// Other ids of the same entity; fetching one redirects here.
    pub referents: Vec<String>,
    pub target: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_change: Option<String>,
}

impl FtmEntity {
    /// The text values of a property.
    pub fn texts(&self, prop: &str) -> Vec<&str> {
        self.properties
            .get(prop)
            .map(|vs| {
                vs.iter()
                    .filter_map(|v| match v {
                        PropValue::Text(t) => Some(t.as_str()),
                        PropValue::Entity(_) => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Default)]
struct Props(BTreeMap<String, Vec<PropValue>>);

impl Props {
    fn text(&mut self, prop: &str, value: impl AsRef<str>) {
        let v = value.as_ref().trim();
        if v.is_empty() {
            return;
        }
        let list = self.0.entry(prop.to_string()).or_default();
        if !list.iter().any(|x| matches!(x, PropValue::Text(t) if t == v)) {
            list.push(PropValue::Text(v.to_string()));
        }
    }

    fn entity(&mut self, prop: &str, e: FtmEntity) {
        self.0.entry(prop.to_string()).or_default().push(PropValue::Entity(Box::new(e)));
    }
}

/// What a dataset is, for the catalog and nested sanctions.
struct Publisher {
    name: &'static str,
    acronym: &'static str,
    country: Option<&'static str>,
    url: &'static str,
    official: bool,
    /// Who imposes the listing.
    authority: &'static str,
    /// The page describing the list.
    list_url: &'static str,
}

fn publisher_of(dataset: &str) -> Option<Publisher> {
    Some(match dataset {
        "us_ofac_sdn" | "us_ofac_cons" => Publisher {
            name: "Office of Foreign Assets Control",
            acronym: "OFAC",
            country: Some("us"),
            url: "https://ofac.treasury.gov/",
            official: true,
            authority: "Office of Foreign Assets Control",
            list_url: if dataset == "us_ofac_sdn" {
                "https://ofac.treasury.gov/specially-designated-nationals-and-blocked-persons-list-sdn-human-readable-lists"
            } else {
                "https://ofac.treasury.gov/consolidated-sanctions-list-non-sdn-lists"
            },
        },
        "un_sc_sanctions" => Publisher {
            name: "United Nations Security Council",
            acronym: "UNSC",
            country: None,
            url: "https://main.un.org/securitycouncil/",
            official: true,
            authority: "United Nations Security Council",
            list_url: "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list",
        },
        "cartelscreen_fto_cartels" => Publisher {
            name: "cartelscreen",
            acronym: "cartelscreen",
            country: None,
            url: "https://www.state.gov/foreign-terrorist-organizations/",
            official: false,
            authority: "U.S. Department of State",
            list_url: "https://www.state.gov/foreign-terrorist-organizations/",
        },
        _ => return None,
    })
}

/// OFAC's page for an entry, from its `ofac-<ent_num>` id.
fn source_url(e: &Entity) -> Option<String> {
    let num = e.id.strip_prefix("ofac-")?;
    (e.list.starts_with("us_ofac") && !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("https://sanctionssearch.ofac.treas.gov/Details.aspx?id={num}"))
}

// ------------------------------------------------------------------ view

struct ListInfo {
    dataset: String,
    title: String,
    version: String,
    /// Publication time, normalised, when the list states it.
    published: Option<String>,
    entries: usize,
}

struct SearchName {
    entity: u32,
    primary: bool,
    tokens: Vec<String>,
}

/// The loaded lists as yente sees them: entities merged by `same_as`, their
/// schemata, topics and countries, and who links to whom. Built once per
/// generation of the lists.
pub struct View {
    ids: FxHashMap<String, u32>,
    /// Entity index → index of its canonical entity.
    canonical: Vec<u32>,
    /// For a canonical entity, its entries (itself first); empty otherwise.
    members: Vec<Vec<u32>>,
    /// For a canonical entity, its other ids, sorted.
    referents: Vec<Vec<String>>,
    /// Referent id → canonical entity.
    redirects: FxHashMap<String, u32>,
    /// For a canonical entity, the schema of the merged entity.
    schema: Vec<&'static str>,
    topics: Vec<Vec<&'static str>>,
    /// Lower-case ISO codes of each entry's countries.
    countries: Vec<Vec<String>>,
    /// Entries whose resolved links point at each entry: (source, link index).
    incoming: Vec<Vec<(u32, u32)>>,
    lists: Vec<ListInfo>,
    list_pos: FxHashMap<String, usize>,
    loaded_at: String,
    version: String,
    clusters: usize,
    search: OnceLock<Vec<SearchName>>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

impl View {
    pub fn build(generation: &Generation) -> View {
        View::of_screener(&generation.screener, &rfc3339(generation.loaded_at))
    }

    fn of_screener(s: &Screener, loaded_at: &str) -> View {
        let es = s.entities();
        let n = es.len();
        let ids: FxHashMap<String, u32> = es.iter().enumerate().map(|(i, e)| (e.id.clone(), i as u32)).collect();
        // Entries and the ids they name in `same_as`, joined.
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut dangling: FxHashMap<String, u32> = FxHashMap::default();
        for (i, e) in es.iter().enumerate() {
            for other in e.same_as.iter().map(|s| s.trim()).filter(|s| !s.is_empty() && *s != e.id) {
                let j = match ids.get(other) {
                    Some(&j) => j,
                    None => match dangling.get(other) {
                        Some(&j) => j,
                        None => {
                            let j = parent.len() as u32;
                            parent.push(j);
                            dangling.insert(other.to_string(), j);
                            j
                        }
                    },
                };
                let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
            }
        }
        // The canonical entry: the first that declares `same_as`, else the first.
        let mut root_canonical: FxHashMap<u32, u32> = FxHashMap::default();
        for (i, e) in es.iter().enumerate() {
            if !e.same_as.is_empty() {
                let r = find(&mut parent, i as u32);
                root_canonical.entry(r).or_insert(i as u32);
            }
        }
        let mut canonical = vec![0u32; n];
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, slot) in canonical.iter_mut().enumerate() {
            let r = find(&mut parent, i as u32);
            let c = *root_canonical.entry(r).or_insert(i as u32);
            *slot = c;
            members[c as usize].push(i as u32);
        }
        for (c, m) in members.iter_mut().enumerate() {
            m.sort_by_key(|&x| (x as usize != c, x));
        }
        let mut referents: Vec<Vec<String>> = vec![Vec::new(); n];
        let mut redirects: FxHashMap<String, u32> = FxHashMap::default();
        for (i, &c) in canonical.iter().enumerate() {
            if i as u32 != c {
                referents[c as usize].push(es[i].id.clone());
                redirects.insert(es[i].id.clone(), c);
            }
        }
        for (id, node) in dangling {
            let r = find(&mut parent, node);
            if let Some(&c) = root_canonical.get(&r) {
                referents[c as usize].push(id.clone());
                redirects.insert(id, c);
            }
        }
        for r in &mut referents {
            r.sort();
            r.dedup();
        }
        let mut schema: Vec<&'static str> = es.iter().map(|e| schema_of(e.kind)).collect();
        for (c, m) in members.iter().enumerate() {
            let merged =
                m.iter().fold(schema_of(es[c].kind), |acc, &x| merge_schema(acc, schema_of(es[x as usize].kind)));
            schema[c] = merged;
        }
        let ties = &s.network().ties;
        let topics = es.iter().enumerate().map(|(i, e)| entity_topics(e, ties.get(i).map_or(&[][..], |t| t))).collect();
        let countries = es
            .iter()
            .map(|e| {
                let mut v: Vec<String> = e.countries().filter_map(country_code).collect();
                v.sort();
                v.dedup();
                v
            })
            .collect();
        let mut incoming: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (i, e) in es.iter().enumerate() {
            for (li, link) in e.links.iter().enumerate() {
                if let Some(&t) = link.target.as_deref().and_then(|t| ids.get(t)) {
                    if t as usize != i {
                        incoming[t as usize].push((i as u32, li as u32));
                    }
                }
            }
        }
        let lists: Vec<ListInfo> = s
            .lists()
            .iter()
            .map(|l| ListInfo {
                dataset: l.dataset.clone(),
                title: l.title.clone(),
                version: l.published.clone().unwrap_or_else(|| l.sha256.chars().take(12).collect()),
                published: l.published.as_deref().and_then(normalize_timestamp),
                entries: l.entries,
            })
            .collect();
        let list_pos = lists.iter().enumerate().map(|(i, l)| (l.dataset.clone(), i)).collect();
        let loaded_at = normalize_timestamp(loaded_at).unwrap_or_else(|| loaded_at.to_string());
        let mut hasher = Sha256::new();
        for l in s.lists() {
            hasher.update(l.dataset.as_bytes());
            hasher.update(l.sha256.as_bytes());
        }
        let digest: String = hasher.finalize().iter().take(4).map(|b| format!("{b:02x}")).collect();
        let stamp: String = loaded_at.chars().filter(char::is_ascii_digit).collect();
        let clusters = canonical.iter().enumerate().filter(|(i, &c)| *i as u32 == c).count();
        View {
            ids,
            canonical,
            members,
            referents,
            redirects,
            schema,
            topics,
            countries,
            incoming,
            lists,
            list_pos,
            loaded_at,
            version: format!("{stamp}-{digest}"),
            clusters,
            search: OnceLock::new(),
        }
    }

    /// Canonical entity indices, in list order.
    fn canonicals(&self) -> impl Iterator<Item = u32> + '_ {
        self.canonical.iter().enumerate().filter(|(i, &c)| *i as u32 == c).map(|(_, &c)| c)
    }

    fn cluster_lists(&self, s: &Screener, c: u32) -> Vec<String> {
        let es = s.entities();
        let mut v: Vec<&str> = self.members[c as usize].iter().map(|&m| es[m as usize].list.as_str()).collect();
        v.sort_by_key(|d| (self.list_pos.get(*d).copied().unwrap_or(usize::MAX), *d));
        v.dedup();
        v.into_iter().map(str::to_string).collect()
    }

    fn cluster_topics(&self, c: u32) -> Vec<&'static str> {
        let mut v: Vec<&'static str> =
            self.members[c as usize].iter().flat_map(|&m| self.topics[m as usize].iter().copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn cluster_countries(&self, c: u32) -> Vec<&str> {
        let mut v: Vec<&str> = self.members[c as usize]
            .iter()
            .flat_map(|&m| self.countries[m as usize].iter().map(String::as_str))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    fn list_info(&self, dataset: &str) -> Option<&ListInfo> {
        self.list_pos.get(dataset).map(|&i| &self.lists[i])
    }

    /// The latest publication date among the entity's lists, when stated.
    fn last_change(&self, s: &Screener, c: u32) -> Option<String> {
        let es = s.entities();
        self.members[c as usize]
            .iter()
            .filter_map(|&m| self.list_info(&es[m as usize].list).and_then(|l| l.published.clone()))
            .max()
    }

    /// The earliest listing date among the entity's entries, when stated.
    fn first_seen(&self, s: &Screener, c: u32) -> Option<String> {
        let es = s.entities();
        self.members[c as usize]
            .iter()
            .filter_map(|&m| es[m as usize].listed_on.as_deref().and_then(normalize_timestamp))
            .min()
    }

    /// Whether any entry of the entity is on a dataset in `scope`.
    fn in_scope(&self, s: &Screener, c: u32, scope: &BTreeSet<String>) -> bool {
        let es = s.entities();
        self.members[c as usize].iter().any(|&m| scope.contains(&es[m as usize].list))
    }

    fn caption(e: &Entity) -> String {
        let c = e.caption().trim();
        if c.is_empty() {
            e.id.clone()
        } else {
            c.to_string()
        }
    }

    /// The entity whose canonical index is `c`, with adjacent entities
    /// inlined when `nested`.
    pub fn entity(&self, s: &Screener, c: u32, nested: bool) -> FtmEntity {
        let es = s.entities();
        let schema = self.schema[c as usize];
        let mut p = Props::default();
        for &m in &self.members[c as usize] {
            self.entry_props(s, m, c, schema, nested, &mut p);
        }
        FtmEntity {
            id: es[c as usize].id.clone(),
            caption: View::caption(&es[c as usize]),
            schema: schema.to_string(),
            properties: p.0,
            datasets: self.cluster_lists(s, c),
            referents: self.referents[c as usize].clone(),
            target: true,
            first_seen: self.first_seen(s, c),
            last_seen: Some(self.loaded_at.clone()),
            last_change: self.last_change(s, c),
        }
    }

    /// A short form of an entity, for the far end of a link.
    fn brief(&self, s: &Screener, c: u32) -> FtmEntity {
        let es = s.entities();
        let mut p = Props::default();
        p.text("name", View::caption(&es[c as usize]));
        for t in self.cluster_topics(c) {
            p.text("topics", t);
        }
        for country in self.cluster_countries(c) {
            p.text("country", country);
        }
        FtmEntity {
            id: es[c as usize].id.clone(),
            caption: View::caption(&es[c as usize]),
            schema: self.schema[c as usize].to_string(),
            properties: p.0,
            datasets: self.cluster_lists(s, c),
            referents: Vec::new(),
            target: true,
            first_seen: None,
            last_seen: None,
            last_change: None,
        }
    }

    fn entry_props(&self, s: &Screener, m: u32, c: u32, schema: &str, nested: bool, p: &mut Props) {
        let es = s.entities();
        let e = &es[m as usize];
        let person = schema == "Person";
        let vehicle = matches!(schema, "Vessel" | "Airplane");
        for n in &e.names {
            let prop = match n.role {
                NameRole::Primary => "name",
                NameRole::Aka | NameRole::Nka => "alias",
                NameRole::Fka => "previousName",
                NameRole::WeakAlias => "weakAlias",
            };
            p.text(prop, &n.full);
        }
        for code in &e.programs {
            p.text("program", program_label(code));
            p.text("programId", code);
        }
        for t in &self.topics[m as usize] {
            p.text("topics", t);
        }
        if person {
            for d in &e.birth_dates {
                for v in ftm_dates(d) {
                    p.text("birthDate", v);
                }
            }
            for place in &e.birth_places {
                p.text("birthPlace", place);
            }
            for n in &e.nationalities {
                if let Some(code) = country_code(n) {
                    p.text("nationality", code);
                }
            }
            for n in &e.citizenships {
                if let Some(code) = country_code(n) {
                    p.text("citizenship", code);
                }
            }
            if let Some(g) = e.gender.as_deref().map(|g| g.trim().to_ascii_lowercase()) {
                if matches!(g.as_str(), "male" | "female" | "other") {
                    p.text("gender", g);
                }
            }
        }
        for code in &self.countries[m as usize] {
            p.text("country", code);
        }
        for (ai, a) in e.addresses.iter().enumerate() {
            let country_name = a.country.as_deref().map(|c| {
                country_code(c)
                    .and_then(|k| crate::country::name(&k))
                    .map(str::to_string)
                    .unwrap_or_else(|| c.to_string())
            });
            let parts: Vec<&str> = [a.street.as_deref(), a.city.as_deref(), country_name.as_deref()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .collect();
            let full = parts.join(", ");
            p.text("address", &full);
            if nested && !full.is_empty() {
                let mut ap = Props::default();
                ap.text("full", &full);
                if let Some(street) = &a.street {
                    ap.text("street", street);
                }
                if let Some(city) = &a.city {
                    ap.text("city", city);
                }
                if let Some(code) = a.country.as_deref().and_then(country_code) {
                    ap.text("country", code);
                }
                p.entity(
                    "addressEntity",
                    nested_entity(format!("{}-address-{ai}", e.id), full, "Address", ap, &e.list),
                );
            }
        }
        for id in &e.identifiers {
            p.text(identifier_prop(&id.scheme, schema), &id.value);
        }
        if !vehicle {
            for w in &e.websites {
                p.text("website", w);
            }
            for mail in &e.emails {
                p.text("email", mail);
            }
        }
        if let Some(v) = e.vessel.as_ref().filter(|_| schema == "Vessel") {
            if let Some(cs) = &v.call_sign {
                p.text("callSign", cs);
            }
            if let Some(t) = &v.vessel_type {
                p.text("type", t);
            }
            if let Some(code) = v.flag.as_deref().and_then(country_code) {
                p.text("flag", code);
            }
            if let Some(t) = &v.tonnage {
                p.text("tonnage", t);
            }
        }
        if let Some(r) = &e.remarks {
            p.text("notes", r);
        }
        for link in e.links.iter().filter(|l| l.target.is_none()) {
            p.text("notes", format!("Linked To: {}", link.name));
        }
        if let Some(url) = source_url(e) {
            p.text("sourceUrl", url);
        }
        if !nested {
            return;
        }
        p.entity("sanctions", self.sanction(e, c, s));
        for (li, link) in e.links.iter().enumerate() {
            let Some(&t) = link.target.as_deref().and_then(|t| self.ids.get(t)) else { continue };
            let tc = self.canonical[t as usize];
            if tc == c {
                continue;
            }
            let mut lp = Props::default();
            lp.text("subject", &es[c as usize].id);
            lp.entity("object", self.brief(s, tc));
            lp.text("role", "Linked To");
            p.entity(
                "unknownLinkTo",
                nested_entity(format!("{}-link-{li}", e.id), "Linked To".into(), "UnknownLink", lp, &e.list),
            );
        }
        for &(src, li) in &self.incoming[m as usize] {
            let sc = self.canonical[src as usize];
            if sc == c {
                continue;
            }
            let source = &es[src as usize];
            let mut lp = Props::default();
            lp.entity("subject", self.brief(s, sc));
            lp.text("object", &es[c as usize].id);
            lp.text("role", "Linked To");
            p.entity(
                "unknownLinkFrom",
                nested_entity(format!("{}-link-{li}", source.id), "Linked To".into(), "UnknownLink", lp, &source.list),
            );
        }
    }

    fn sanction(&self, e: &Entity, c: u32, s: &Screener) -> FtmEntity {
        let es = s.entities();
        let title = self.list_info(&e.list).map(|l| l.title.clone()).unwrap_or_else(|| e.list.clone());
        let publisher = publisher_of(&e.list);
        let mut sp = Props::default();
        sp.text("entity", &es[c as usize].id);
        sp.text("authority", publisher.as_ref().map(|p| p.authority).unwrap_or(title.as_str()));
        if let Some(country) = publisher.as_ref().and_then(|p| p.country) {
            sp.text("country", country);
        }
        for code in &e.programs {
            sp.text("program", program_label(code));
            sp.text("programId", code);
        }
        if let Some(d) = e.listed_on.as_deref().and_then(normalize_timestamp) {
            sp.text("listingDate", &d[..10]);
            sp.text("startDate", &d[..10]);
        }
        if let Some(url) = source_url(e).or_else(|| publisher.map(|p| p.list_url.to_string())) {
            sp.text("sourceUrl", url);
        }
        for risk in &e.secondary_sanctions_risk {
            sp.text("provisions", risk);
        }
        nested_entity(format!("{}-sanction", e.id), title, "Sanction", sp, &e.list)
    }
}

fn nested_entity(id: String, caption: String, schema: &str, p: Props, dataset: &str) -> FtmEntity {
    FtmEntity {
        id,
        caption,
        schema: schema.to_string(),
        properties: p.0,
        datasets: vec![dataset.to_string()],
        referents: Vec::new(),
        target: false,
        first_seen: None,
        last_seen: None,
        last_change: None,
    }
}

/// Views of the generations in service, keyed by the generation itself: a
/// `Weak` keeps its allocation, so a live key is never confused with a new one.
static VIEWS: Mutex<Vec<(Weak<Generation>, Arc<View>)>> = Mutex::new(Vec::new());
const MAX_VIEWS: usize = 8;

/// The view of `generation`, built on first use. Blocking: call it off the
/// request threads.
pub fn view_of(generation: &Arc<Generation>) -> Arc<View> {
    let key = Arc::downgrade(generation);
    {
        let mut views = VIEWS.lock().unwrap_or_else(|p| p.into_inner());
        views.retain(|(w, _)| w.strong_count() > 0);
        if let Some((_, v)) = views.iter().find(|(w, _)| w.ptr_eq(&key)) {
            return v.clone();
        }
    }
    let view = Arc::new(View::build(generation));
    let mut views = VIEWS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, v)) = views.iter().find(|(w, _)| w.ptr_eq(&key)) {
        return v.clone();
    }
    if views.len() >= MAX_VIEWS {
        views.remove(0);
    }
    views.push((key, view.clone()));
    view
}

// ----------------------------------------------------------- parameters

/// The query string, with its repeated keys.
#[derive(Debug, Default)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query_string: &str) -> Result<Params, ApiError> {
        web::Query::<Vec<(String, String)>>::from_query(query_string)
            .map(|q| Params(q.into_inner()))
            .map_err(|e| ApiError::invalid("invalid_query", e.to_string()))
    }

    /// The last non-empty value of `key`.
    fn one(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }

    /// Every non-empty value of `key`, in order.
    fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim()).collect()
    }

    fn number<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T, ApiError> {
        match self.one(key) {
            None => Ok(default),
            Some(v) => {
                v.parse().map_err(|_| ApiError::invalid("invalid_query", format!("{key}={v:?} is not a number")))
            }
        }
    }

    fn unit(&self, key: &str, default: f64) -> Result<f64, ApiError> {
        let x: f64 = self.number(key, default)?;
        if !(0.0..=1.0).contains(&x) {
            return Err(bad_request("invalid_query", format!("{key} must lie between 0 and 1, not {x}")));
        }
        Ok(x)
    }

    fn flag(&self, key: &str, default: bool) -> Result<bool, ApiError> {
        match self.one(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(v) => Err(ApiError::invalid("invalid_query", format!("{key}={v:?} is not true or false"))),
        }
    }

    fn limit(&self, default: usize) -> Result<usize, ApiError> {
        let limit: usize = self.number("limit", default)?;
        if limit > MAX_LIMIT {
            return Err(bad_request("invalid_query", format!("limit is at most {MAX_LIMIT}, not {limit}")));
        }
        Ok(limit)
    }

    fn schemata(&self, key: &str) -> Result<Vec<&'static str>, ApiError> {
        self.all(key).into_iter().map(|s| parse_schema(key, s)).collect()
    }

    fn changed_since(&self) -> Result<Option<String>, ApiError> {
        match self.one("changed_since") {
            None => Ok(None),
            Some(v) => normalize_timestamp(v).map(Some).ok_or_else(|| {
                bad_request(
                    "invalid_query",
                    format!("changed_since={v:?} is not a date (YYYY-MM-DD) or an ISO 8601 time"),
                )
            }),
        }
    }
}

fn parse_schema(key: &str, s: &str) -> Result<&'static str, ApiError> {
    known_schema(s).ok_or_else(|| {
        bad_request("invalid_schema", format!("{key} {s:?} is not a FollowTheMoney schema (Person, Organization, Company, LegalEntity, Vessel, Airplane...)"))
    })
}

/// The datasets whose entries count for a request.
pub fn dataset_scope(
    s: &Screener,
    dataset: &str,
    include: &[&str],
    exclude: &[&str],
) -> Result<BTreeSet<String>, ApiError> {
    let all: Vec<&str> = s.lists().iter().map(|l| l.dataset.as_str()).collect();
    let leaves = |name: &str| -> Result<BTreeSet<String>, ApiError> {
        if name == DEFAULT_DATASET {
            return Ok(all.iter().map(|d| d.to_string()).collect());
        }
        if all.contains(&name) {
            return Ok(BTreeSet::from([name.to_string()]));
        }
        Err(ApiError::not_found(
            "dataset_not_found",
            format!("no dataset {name:?}; this server has {DEFAULT_DATASET}, {}", all.join(", ")),
        ))
    };
    let mut scope = leaves(dataset)?;
    if !include.is_empty() {
        let mut wanted = BTreeSet::new();
        for d in include {
            wanted.extend(leaves(d)?);
        }
        scope = scope.intersection(&wanted).cloned().collect();
    }
    for d in exclude {
        if let Ok(l) = leaves(d) {
            scope.retain(|x| !l.contains(x));
        }
    }
    Ok(scope)
}

/// The matching algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// Names, identifiers, birth date, country, kind, weak aliases.
    Full,
    /// Names only.
    NameOnly,
}

impl Algorithm {
    /// Accepts every listed name and `best`, in any case.
    pub fn parse(name: &str) -> Option<Algorithm> {
        let n = name.trim().to_ascii_lowercase();
        if n == "best" || n == ALGORITHM {
            Some(Algorithm::Full)
        } else if n == ALGORITHM_NAME_ONLY {
            Some(Algorithm::NameOnly)
        } else {
            None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Full => ALGORITHM,
            Algorithm::NameOnly => ALGORITHM_NAME_ONLY,
        }
    }

    fn description(self) -> &'static str {
        match self {
            Algorithm::Full => {
                "cartelscreen's matcher: every query name against every listed name (primary names, aliases, weak \
                 aliases), token by token, order-free, tolerant of typos, OCR errors, transliteration, phonetic \
                 spellings, initials and legal forms, weighted by token rarity; then an identical identifier makes \
                 the score 1.0, an agreeing birth date or country raises it, a contradicting one or a different \
                 kind of party lowers it, and a match on a weak alias alone is discounted."
            }
            Algorithm::NameOnly => {
                "cartelscreen's name matcher alone: the same name comparison as cartelscreen-v1, with no identifier, \
                 birth date, country or kind adjustment."
            }
        }
    }

    fn features(self) -> Value {
        let all = [
            ("name_match", "How well the best query name matches the best listed name, in [0, 1]."),
            ("identifier_match", "An identifier of the query equals a listed one: the score becomes 1.0."),
            ("identifier_mismatch", "A Mexican RFC or CURP of the query differs from the listed one."),
            ("dob_match", "The birth date agrees with a listed one (exact date or within a listed year)."),
            ("dob_mismatch", "The birth date contradicts every listed one."),
            ("country_match", "The country is among the entity's nationalities, citizenships or addresses."),
            ("country_mismatch", "The entity lists countries and the query's is not among them."),
            ("kind_mismatch", "The query's schema is another kind of party than the entity's."),
            ("weak_alias", "Only a weak alias (a nickname) matched; the score is discounted."),
        ];
        let keep = |f: &str| self == Algorithm::Full || f == "name_match";
        Value::Object(
            all.iter()
                .filter(|(f, _)| keep(f))
                .map(|(f, d)| (f.to_string(), json!({"description": d, "coefficient": 1.0, "url": null})))
                .collect(),
        )
    }
}

const ALGORITHMS: [Algorithm; 2] = [Algorithm::Full, Algorithm::NameOnly];

// ----------------------------------------------------------------- match

/// `POST /match/{dataset}`: entities to screen, keyed by the caller.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MatchRequest {
    /// Query entities by a key of the caller's choice (yente-client sends one, keyed `q`).
    pub queries: BTreeMap<String, EntityExample>,
    /// Accepted and ignored.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub weights: Value,
    /// Accepted and ignored.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub config: Value,
}

/// A query entity in FollowTheMoney form.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct EntityExample {
    #[serde(default)]
    pub id: Option<String>,
    /// A matchable schema: Person, Organization, Company, LegalEntity, Vessel, Airplane...
    #[schema(example = "Organization")]
    pub schema: String,
    /// Property name to a list of strings (a single string is accepted).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub properties: BTreeMap<String, Value>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Total {
    pub value: usize,
    /// `eq`, or `gte` when there may be more.
    pub relation: &'static str,
}

/// Why a feature moved the score.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FeatureResult {
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// cartelscreen's own reading of a candidate (ignored by yente clients).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchDetail {
    /// The decision at the service's configured review and block thresholds.
    pub decision: Decision,
    pub flags: Vec<Flag>,
    /// The list entry that matched (the entity or one of its referents).
    pub matched_entity: String,
    pub list: String,
    pub matched_name: String,
    pub matched_role: NameRole,
    pub cartel_ties: Vec<CartelTie>,
}

/// A candidate with its score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoredEntity {
    #[serde(flatten)]
    pub entity: FtmEntity,
    pub score: f64,
    /// `score >= threshold`.
    #[serde(rename = "match")]
    pub is_match: bool,
    /// Non-zero feature contributions.
    pub features: BTreeMap<String, f64>,
    pub explanations: BTreeMap<String, FeatureResult>,
    pub cartelscreen: MatchDetail,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueryResponse {
    pub status: u16,
    /// The query as the server read it.
    #[schema(value_type = Object)]
    pub query: Value,
    pub results: Vec<ScoredEntity>,
    pub total: Total,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatcherInfo {
    pub name: &'static str,
    pub description: &'static str,
    #[schema(value_type = Object)]
    pub config: Value,
    #[schema(value_type = Object)]
    pub features: Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchResponse {
    pub responses: BTreeMap<String, QueryResponse>,
    pub matcher: MatcherInfo,
    pub limit: usize,
}

/// Rounded so that the score a client reads compares with the threshold as
/// the server compared it.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// The string values of one property of a query.
fn prop_values(prop: &str, v: &Value) -> Result<Vec<String>, String> {
    let one = |x: &Value| -> Result<Option<String>, String> {
        match x {
            Value::Null => Ok(None),
            Value::String(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
            Value::Number(n) => Ok(Some(n.to_string())),
            Value::Bool(b) => Ok(Some(b.to_string())),
            _ => Err(format!("properties.{prop} must be a list of strings")),
        }
    };
    match v {
        Value::Array(items) => items.iter().filter_map(|x| one(x).transpose()).collect(),
        other => Ok(one(other)?.into_iter().collect()),
    }
}

const NAME_PROPS: [&str; 5] = ["name", "alias", "previousName", "weakAlias", "abbreviation"];
const NAME_PART_PROPS: [&str; 6] = ["firstName", "secondName", "middleName", "fatherName", "lastName", "motherName"];
const COUNTRY_PROPS: [&str; 6] = ["country", "nationality", "citizenship", "jurisdiction", "mainCountry", "flag"];
const IDENTIFIER_PROPS: [&str; 25] = [
    "idNumber",
    "passportNumber",
    "socialSecurityNumber",
    "taxNumber",
    "vatCode",
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "okpoCode",
    "kppCode",
    "leiCode",
    "dunsCode",
    "swiftBic",
    "bikCode",
    "uniqueEntityId",
    "npiCode",
    "permId",
    "uscCode",
    "licenseNumber",
    "imoNumber",
    "mmsi",
    "serialNumber",
    "icaoCode",
    "crsNumber",
    "programId",
];

/// One query entity, ready to screen.
#[derive(Debug, Clone)]
pub struct PreparedQuery {
    /// The query as read, for the response.
    pub echo: Value,
    pub schema: &'static str,
    /// Whether any cartelscreen entity can have a schema that matches.
    pub answerable: bool,
    /// Each name × birth date × country combination.
    pub variants: Vec<Query>,
}

/// Reads a query entity: its schema, names, dates, countries, identifiers.
pub fn prepare_query(key: &str, ex: &EntityExample, algorithm: Algorithm) -> Result<PreparedQuery, ApiError> {
    let at = |m: String| bad_request("invalid_query_entity", format!("queries.{key}: {m}"));
    let schema = known_schema(ex.schema.trim())
        .ok_or_else(|| at(format!("schema {:?} is not a FollowTheMoney schema", ex.schema)))?;
    if !matchable_schema(schema) {
        return Err(at(format!(
            "schema {schema} cannot be matched; use Person, Organization, Company, LegalEntity, Vessel, Airplane..."
        )));
    }
    let mut props: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (k, v) in &ex.properties {
        let values = prop_values(k, v).map_err(at)?;
        if !values.is_empty() {
            props.insert(k.clone(), values);
        }
    }
    let get = |k: &str| props.get(k).map(Vec::as_slice).unwrap_or(&[]);
    let mut names: Vec<String> = Vec::new();
    for p in NAME_PROPS {
        for n in get(p) {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    if names.is_empty() {
        let parts: Vec<&str> = NAME_PART_PROPS.iter().filter_map(|p| get(p).first().map(String::as_str)).collect();
        if !parts.is_empty() {
            names.push(parts.join(" "));
        }
    }
    if names.len() > MAX_QUERY_NAMES {
        return Err(at(format!("{} names; at most {MAX_QUERY_NAMES} per query entity", names.len())));
    }
    if let Some(n) = names.iter().find(|n| n.chars().count() > crate::screen::MAX_NAME_CHARS) {
        let short: String = n.chars().take(40).collect();
        return Err(at(format!("name {short:?}... is longer than {} characters", crate::screen::MAX_NAME_CHARS)));
    }
    let mut dobs: Vec<BirthDate> = Vec::new();
    for d in get("birthDate").iter().filter_map(|d| BirthDate::parse_iso(d)) {
        if !dobs.contains(&d) {
            dobs.push(d);
        }
    }
    let mut countries: Vec<String> = Vec::new();
    let mut seen_countries: Vec<String> = Vec::new();
    for c in COUNTRY_PROPS.iter().flat_map(|p| get(p)) {
        let k = country_code(c).unwrap_or_else(|| c.to_lowercase());
        if !seen_countries.contains(&k) {
            seen_countries.push(k);
            countries.push(c.clone());
        }
    }
    if countries.is_empty() {
        // The last part of an address is usually its country.
        for a in get("address") {
            if let Some(code) = a.rsplit([',', '\n']).next().and_then(|last| crate::country::iso2(last.trim())) {
                if !countries.iter().any(|c| c == code) {
                    countries.push(code.to_string());
                }
            }
        }
    }
    let mut identifiers: Vec<String> = Vec::new();
    for i in IDENTIFIER_PROPS.iter().flat_map(|p| get(p)) {
        if !identifiers.contains(i) {
            identifiers.push(i.clone());
        }
    }
    if identifiers.len() > MAX_QUERY_IDENTIFIERS {
        return Err(at(format!("{} identifiers; at most {MAX_QUERY_IDENTIFIERS}", identifiers.len())));
    }
    let kind = kind_of_schema(schema);
    let answerable = ENTITY_SCHEMATA.iter().any(|c| schemata_match(schema, c));
    let mut variants = Vec::new();
    if algorithm == Algorithm::NameOnly {
        dobs.clear();
        countries.clear();
        identifiers.clear();
    }
    if names.is_empty() && !identifiers.is_empty() {
        names.push(String::new());
    }
    let dob_options: Vec<Option<BirthDate>> =
        if dobs.is_empty() { vec![None] } else { dobs.into_iter().map(Some).collect() };
    let country_options: Vec<Option<String>> =
        if countries.is_empty() { vec![None] } else { countries.into_iter().map(Some).collect() };
    'all: for name in &names {
        for dob in &dob_options {
            for country in &country_options {
                if variants.len() >= MAX_VARIANTS {
                    break 'all;
                }
                variants.push(Query {
                    name: name.clone(),
                    kind,
                    country: country.clone(),
                    dob: *dob,
                    identifiers: identifiers.clone(),
                });
            }
        }
    }
    let echo = json!({"id": ex.id, "schema": schema, "properties": props});
    Ok(PreparedQuery { echo, schema, answerable, variants })
}

/// The options of one `/match` request.
#[derive(Debug, Clone)]
pub struct MatchOptions {
    pub threshold: f64,
    pub cutoff: f64,
    pub limit: usize,
    pub algorithm: Algorithm,
    pub scope: BTreeSet<String>,
    pub topics: Vec<String>,
    pub exclude_schema: Vec<&'static str>,
    pub exclude_ids: FxHashSet<String>,
    pub changed_since: Option<String>,
}

impl MatchOptions {
    fn parse(params: &Params, s: &Screener, dataset: &str) -> Result<MatchOptions, ApiError> {
        let algorithm = match params.one("algorithm") {
            None => Algorithm::Full,
            Some(a) => Algorithm::parse(a).ok_or_else(|| {
                let names: Vec<&str> = ALGORITHMS.iter().map(|a| a.name()).collect();
                bad_request(
                    "invalid_algorithm",
                    format!("algorithm {a:?} is not offered; use {} or best (see GET /algorithms)", names.join(", ")),
                )
            })?,
        };
        Ok(MatchOptions {
            threshold: params.unit("threshold", DEFAULT_THRESHOLD)?,
            cutoff: params.unit("cutoff", DEFAULT_CUTOFF)?,
            limit: params.limit(DEFAULT_MATCH_LIMIT)?,
            algorithm,
            scope: dataset_scope(s, dataset, &params.all("include_dataset"), &params.all("exclude_dataset"))?,
            topics: params.all("topics").into_iter().map(str::to_string).collect(),
            exclude_schema: params.schemata("exclude_schema")?,
            exclude_ids: params.all("exclude_entity_ids").into_iter().map(str::to_string).collect(),
            changed_since: params.changed_since()?,
        })
    }
}

struct Candidate {
    m: Match,
    query_name: String,
    score: f64,
}

fn explanations(c: &Candidate) -> (BTreeMap<String, f64>, BTreeMap<String, FeatureResult>) {
    let mut features = BTreeMap::new();
    let mut expl = BTreeMap::new();
    let ns = &c.m.explanation.name;
    let mut detail = if c.query_name.trim().is_empty() {
        format!("the query has no name; {} on {} was reached by identifier", c.m.entity_id, c.m.list)
    } else {
        format!("{} name of {} on {}", c.m.matched_role.as_str(), c.m.entity_id, c.m.list)
    };
    if !ns.tokens.is_empty() {
        let pairs: Vec<String> = ns
            .tokens
            .iter()
            .map(|t| format!("{}~{} {} {:.2}", t.query, t.listed, t.how.as_str(), t.similarity))
            .collect();
        detail.push_str(&format!(": {}", pairs.join(", ")));
    }
    if !ns.unmatched_query.is_empty() {
        detail.push_str(&format!("; unmatched in query: {}", ns.unmatched_query.join(" ")));
    }
    if !ns.unmatched_listed.is_empty() {
        detail.push_str(&format!("; unmatched in listed name: {}", ns.unmatched_listed.join(" ")));
    }
    let name_score = round4(ns.score as f64);
    expl.insert(
        "name_match".to_string(),
        FeatureResult {
            score: name_score,
            detail: Some(detail),
            query: Some(c.query_name.clone()).filter(|q| !q.is_empty()),
            candidate: Some(c.m.matched_name.clone()),
            weight: Some(1.0),
        },
    );
    if name_score != 0.0 {
        features.insert("name_match".to_string(), name_score);
    }
    for a in &c.m.explanation.adjustments {
        let up = a.effect >= 0.0;
        let feature = match a.feature {
            "identifier" if up => "identifier_match",
            "identifier" => "identifier_mismatch",
            "dob" if up => "dob_match",
            "dob" => "dob_mismatch",
            "country" if up => "country_match",
            "country" => "country_mismatch",
            "kind" => "kind_mismatch",
            "weak_alias" => "weak_alias",
            other => other,
        };
        let score = round4(a.effect as f64);
        expl.insert(
            feature.to_string(),
            FeatureResult { score, detail: Some(a.detail.clone()), query: None, candidate: None, weight: Some(1.0) },
        );
        if score != 0.0 {
            features.insert(feature.to_string(), score);
        }
    }
    (features, expl)
}

/// Screens one prepared query and returns its response, and the worst
/// decision among its results.
pub fn run_query(
    view: &View,
    s: &Screener,
    pq: &PreparedQuery,
    o: &MatchOptions,
) -> Result<(QueryResponse, Decision), ApiError> {
    let es = s.entities();
    let mut best: FxHashMap<u32, Candidate> = FxHashMap::default();
    if pq.answerable {
        for q in &pq.variants {
            let screening = match s.screen(q) {
                Ok(r) => r,
                Err(QueryError::NameTooLong(n)) => {
                    return Err(bad_request("name_too_long", format!("name is longer than {n} characters")))
                }
                Err(_) => continue,
            };
            for m in screening.matches {
                let Some(&i) = view.ids.get(&m.entity_id) else { continue };
                if !o.scope.contains(&es[i as usize].list) {
                    continue;
                }
                let c = view.canonical[i as usize];
                let score = round4(m.score as f64);
                if best.get(&c).is_some_and(|b| b.score >= score) {
                    continue;
                }
                best.insert(c, Candidate { m, query_name: q.name.clone(), score });
            }
        }
    }
    let mut kept: Vec<(u32, Candidate)> = best
        .into_iter()
        .filter(|(c, cand)| {
            let schema = view.schema[*c as usize];
            cand.score >= o.cutoff
                && schemata_match(pq.schema, schema)
                && !o.exclude_schema.contains(&schema)
                && !o.exclude_ids.contains(&es[*c as usize].id)
                && !view.referents[*c as usize].iter().any(|r| o.exclude_ids.contains(r))
                && (o.topics.is_empty() || view.cluster_topics(*c).iter().any(|t| o.topics.iter().any(|w| w == t)))
                && o.changed_since.as_ref().is_none_or(|since| view.last_change(s, *c).is_none_or(|lc| lc >= *since))
        })
        .collect();
    kept.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then_with(|| es[a.0 as usize].id.cmp(&es[b.0 as usize].id)));
    let decision = kept.iter().map(|(_, c)| c.m.decision).max().unwrap_or(Decision::Clear);
    let total = Total { value: kept.len(), relation: "eq" };
    kept.truncate(o.limit);
    let results = kept
        .into_iter()
        .map(|(c, cand)| {
            let (features, explanations) = explanations(&cand);
            ScoredEntity {
                entity: view.entity(s, c, false),
                score: cand.score,
                is_match: cand.score >= o.threshold,
                features,
                explanations,
                cartelscreen: MatchDetail {
                    decision: cand.m.decision,
                    flags: cand.m.flags,
                    matched_entity: cand.m.entity_id,
                    list: cand.m.list,
                    matched_name: cand.m.matched_name,
                    matched_role: cand.m.matched_role,
                    cartel_ties: cand.m.cartel_ties,
                },
            }
        })
        .collect();
    Ok((QueryResponse { status: 200, query: pq.echo.clone(), results, total }, decision))
}

/// Match entities against a dataset (yente's `/match`).
#[utoipa::path(post, path = "/match/{dataset}", tag = "opensanctions", request_body = MatchRequest,
    params(
        ("dataset" = String, Path, description = "`default` or a list's dataset, e.g. us_ofac_sdn"),
        ("threshold" = Option<f64>, Query, description = "Score from which `match` is true (0.7)"),
        ("cutoff" = Option<f64>, Query, description = "Candidates scoring below are dropped (0.5)"),
        ("limit" = Option<usize>, Query, description = "Results per query (5, at most 500)"),
        ("algorithm" = Option<String>, Query, description = "cartelscreen-v1 (also `best`) or cartelscreen-name-v1"),
        ("include_dataset" = Option<Vec<String>>, Query, description = "Only these datasets"),
        ("exclude_dataset" = Option<Vec<String>>, Query, description = "Not these datasets"),
        ("topics" = Option<Vec<String>>, Query, description = "Only entities with one of these topics"),
        ("exclude_schema" = Option<Vec<String>>, Query, description = "Not entities of these schemata"),
        ("exclude_entity_ids" = Option<Vec<String>>, Query, description = "Not these entities"),
        ("changed_since" = Option<String>, Query, description = "Only entities of lists published since"),
    ),
    responses((status = 200, body = MatchResponse),
              (status = 400, body = crate::http::error::ErrorBody), (status = 404, body = crate::http::error::ErrorBody),
              (status = 422, body = crate::http::error::ErrorBody), (status = 401, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn match_entities(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    dataset: web::Path<String>,
    body: web::Json<MatchRequest>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    let body = body.into_inner();
    let max = state.settings.server.max_batch_items;
    if body.queries.len() > max {
        return Err(ApiError::invalid(
            "too_many_items",
            format!("{} queries; at most {max} per request", body.queries.len()),
        ));
    }
    let generation = state.lists.current();
    let options = MatchOptions::parse(&params, &generation.screener, &dataset)?;
    let prepared: Vec<(String, PreparedQuery)> = body
        .queries
        .iter()
        .map(|(k, ex)| prepare_query(k, ex, options.algorithm).map(|p| (k.clone(), p)))
        .collect::<Result<_, _>>()?;
    let worker_state = state.clone();
    let worker_options = options.clone();
    let outcome = web::block(move || {
        let view = view_of(&generation);
        prepared
            .par_iter()
            .map(|(k, pq)| {
                let (r, d) = run_query(&view, &generation.screener, pq, &worker_options)
                    .map_err(|e| ApiError { message: format!("queries.{k}: {}", e.message), ..e })?;
                worker_state.metrics.decision(d);
                Ok((k.clone(), r, d))
            })
            .collect::<Result<Vec<_>, ApiError>>()
    })
    .await
    .map_err(blocking_failed)??;
    let decision = outcome.iter().map(|(_, _, d)| *d).max().unwrap_or(Decision::Clear);
    req.extensions_mut().insert(Outcome(decision));
    let responses = outcome.into_iter().map(|(k, r, _)| (k, r)).collect();
    Ok(HttpResponse::Ok().json(MatchResponse {
        responses,
        matcher: MatcherInfo {
            name: options.algorithm.name(),
            description: options.algorithm.description(),
            config: json!({}),
            features: options.algorithm.features(),
        },
        limit: options.limit,
    }))
}

// ---------------------------------------------------------------- search

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetValue {
    pub name: String,
    pub label: String,
    pub count: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Facet {
    pub label: String,
    pub values: Vec<FacetValue>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    pub results: Vec<FtmEntity>,
    pub facets: BTreeMap<String, Facet>,
    pub total: Total,
    pub limit: usize,
    pub offset: usize,
}

/// One `filter=field:value`.
enum Filter {
    Schema(&'static str),
    Country(String),
    Topic(String),
    Dataset(String),
    Id(String),
    Property(String, String),
}

fn parse_filter(f: &str) -> Result<Filter, ApiError> {
    let (field, value) = f.split_once(':').ok_or_else(|| {
        bad_request("invalid_filter", format!("filter {f:?} is not field:value (e.g. properties.birthDate:1965)"))
    })?;
    let value = value.trim().to_string();
    Ok(match field.trim() {
        "schema" => Filter::Schema(parse_schema("filter schema", &value)?),
        "countries" | "country" => Filter::Country(country_code(&value).unwrap_or_else(|| value.to_lowercase())),
        "topics" => Filter::Topic(value),
        "datasets" => Filter::Dataset(value),
        "id" | "entity_id" => Filter::Id(value),
        other => match other.strip_prefix("properties.") {
            Some(prop) if !prop.is_empty() => Filter::Property(prop.to_string(), value),
            _ => {
                return Err(bad_request(
                    "invalid_filter",
                    format!(
                        "filter field {other:?} is not schema, countries, topics, datasets, id or properties.<name>"
                    ),
                ))
            }
        },
    })
}

impl View {
    fn search_names(&self, s: &Screener) -> &[SearchName] {
        self.search.get_or_init(|| {
            let mut out = Vec::new();
            for (i, e) in s.entities().iter().enumerate() {
                let family = if e.kind == EntityKind::Person { KindFamily::Person } else { KindFamily::Organization };
                for (k, n) in e.names.iter().enumerate() {
                    let tokens = normalize_name(&n.full, family).tokens;
                    if !tokens.is_empty() {
                        out.push(SearchName { entity: i as u32, primary: k == 0, tokens });
                    }
                }
            }
            out
        })
    }

    fn passes(&self, s: &Screener, c: u32, f: &Filter) -> bool {
        match f {
            Filter::Schema(x) => is_a(self.schema[c as usize], x),
            Filter::Country(x) => self.cluster_countries(c).iter().any(|k| k == x),
            Filter::Topic(x) => self.cluster_topics(c).iter().any(|t| t == x),
            Filter::Dataset(x) => self.cluster_lists(s, c).iter().any(|d| d == x),
            Filter::Id(x) => s.entities()[c as usize].id == *x || self.referents[c as usize].contains(x),
            Filter::Property(prop, value) => {
                let e = self.entity(s, c, false);
                let date = prop.ends_with("Date");
                e.texts(prop).iter().any(|v| v.eq_ignore_ascii_case(value) || (date && v.starts_with(value.as_str())))
            }
        }
    }
}

/// Full-text-like search (yente's `/search`).
#[utoipa::path(get, path = "/search/{dataset}", tag = "opensanctions",
    params(
        ("dataset" = String, Path, description = "`default` or a list's dataset"),
        ("q" = Option<String>, Query, description = "Name to search; empty lists every entity"),
        ("limit" = Option<usize>, Query, description = "Results per page (10, at most 500)"),
        ("offset" = Option<usize>, Query, description = "Results to skip (at most 10000)"),
        ("schema" = Option<String>, Query, description = "Only this schema and its descendants"),
        ("countries" = Option<Vec<String>>, Query, description = "Only entities tied to one of these countries"),
        ("topics" = Option<Vec<String>>, Query, description = "Only entities with one of these topics"),
        ("include_dataset" = Option<Vec<String>>, Query), ("exclude_dataset" = Option<Vec<String>>, Query),
        ("exclude_schema" = Option<Vec<String>>, Query), ("changed_since" = Option<String>, Query),
        ("filter" = Option<Vec<String>>, Query, description = "field:value; schema, countries, topics, datasets, id, properties.<prop>"),
        ("facets" = Option<Vec<String>>, Query, description = "countries, topics, datasets, schema"),
    ),
    responses((status = 200, body = SearchResponse), (status = 404, body = crate::http::error::ErrorBody),
              (status = 400, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn search(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    dataset: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    let generation = state.lists.current();
    let s = &generation.screener;
    let limit = params.limit(DEFAULT_SEARCH_LIMIT)?;
    let offset: usize = params.number("offset", 0)?;
    if offset > MAX_OFFSET {
        return Err(bad_request("invalid_query", format!("offset is at most {MAX_OFFSET}, not {offset}")));
    }
    let q = params.one("q").unwrap_or("").to_string();
    if q.chars().count() > crate::screen::MAX_NAME_CHARS {
        return Err(bad_request(
            "name_too_long",
            format!("q is longer than {} characters", crate::screen::MAX_NAME_CHARS),
        ));
    }
    let schema = params.one("schema").map(|x| parse_schema("schema", x)).transpose()?;
    let scope = dataset_scope(s, &dataset, &params.all("include_dataset"), &params.all("exclude_dataset"))?;
    let mut filters: Vec<Filter> = Vec::new();
    if let Some(x) = schema {
        filters.push(Filter::Schema(x));
    }
    let countries: Vec<String> =
        params.all("countries").iter().map(|c| country_code(c).unwrap_or_else(|| c.to_lowercase())).collect();
    let topics: Vec<String> = params.all("topics").into_iter().map(str::to_string).collect();
    let exclude_schema = params.schemata("exclude_schema")?;
    let changed_since = params.changed_since()?;
    for f in params.all("filter") {
        filters.push(parse_filter(f)?);
    }
    let facet_names: Vec<String> = if params.0.iter().any(|(k, _)| k == "facets") {
        params.all("facets").into_iter().map(str::to_string).collect()
    } else {
        vec!["countries".into(), "topics".into(), "datasets".into()]
    };
    let body = web::block(move || {
        let view = view_of(&generation);
        let s = &generation.screener;
        let es = s.entities();
        let mut order: Vec<u32> = Vec::new();
        let mut seen: FxHashSet<u32> = FxHashSet::default();
        let mut relation = "eq";
        if q.trim().is_empty() {
            order.extend(view.canonicals().filter(|&c| view.in_scope(s, c, &scope)));
        } else {
            let kind = schema.and_then(kind_of_schema);
            if let Ok(r) = s.screen(&Query { name: q.clone(), kind, ..Query::default() }) {
                if r.matches.len() >= s.settings().max_results {
                    relation = "gte";
                }
                for m in &r.matches {
                    let Some(&i) = view.ids.get(&m.entity_id) else { continue };
                    if scope.contains(&es[i as usize].list) && seen.insert(view.canonical[i as usize]) {
                        order.push(view.canonical[i as usize]);
                    }
                }
            }
            let family = if kind == Some(EntityKind::Person) { KindFamily::Person } else { KindFamily::Organization };
            let qt = normalize_name(&q, family).tokens;
            if !qt.is_empty() {
                let mut hits: FxHashMap<u32, (f32, bool, u32)> = FxHashMap::default();
                for n in view.search_names(s) {
                    if !scope.contains(&es[n.entity as usize].list) {
                        continue;
                    }
                    let all = qt.iter().enumerate().all(|(k, t)| {
                        let last = k + 1 == qt.len();
                        n.tokens.iter().any(|x| x == t || (last && t.len() >= 2 && x.starts_with(t.as_str())))
                    });
                    if !all {
                        continue;
                    }
                    let covered: usize = qt.iter().map(String::len).sum();
                    let length: usize = n.tokens.iter().map(String::len).sum();
                    let coverage = covered as f32 / length.max(1) as f32;
                    let c = view.canonical[n.entity as usize];
                    let rank = (coverage, n.primary, n.entity);
                    let better = hits.get(&c).is_none_or(|h| (rank.0, rank.1) > (h.0, h.1));
                    if better {
                        hits.insert(c, rank);
                    }
                }
                let mut hits: Vec<(u32, (f32, bool, u32))> =
                    hits.into_iter().filter(|(c, _)| !seen.contains(c)).collect();
                hits.sort_by(|a, b| {
                    b.1 .0.total_cmp(&a.1 .0).then_with(|| b.1 .1.cmp(&a.1 .1)).then_with(|| a.0.cmp(&b.0))
                });
                order.extend(hits.into_iter().map(|(c, _)| c));
            }
        }
        let filtered: Vec<u32> = order
            .into_iter()
            .filter(|&c| {
                let cs = view.schema[c as usize];
                !exclude_schema.contains(&cs)
                    && (countries.is_empty()
                        || view.cluster_countries(c).iter().any(|k| countries.iter().any(|w| w == k)))
                    && (topics.is_empty() || view.cluster_topics(c).iter().any(|t| topics.iter().any(|w| w == t)))
                    && changed_since.as_ref().is_none_or(|since| view.last_change(s, c).is_none_or(|lc| lc >= *since))
                    && filters.iter().all(|f| view.passes(s, c, f))
            })
            .collect();
        let facets = facets(&view, s, &filtered, &facet_names);
        let total = Total { value: filtered.len(), relation };
        let results = filtered.iter().skip(offset).take(limit).map(|&c| view.entity(s, c, false)).collect();
        SearchResponse { results, facets, total, limit, offset }
    })
    .await
    .map_err(blocking_failed)?;
    Ok(HttpResponse::Ok().json(body))
}

fn facets(view: &View, s: &Screener, found: &[u32], names: &[String]) -> BTreeMap<String, Facet> {
    let mut out = BTreeMap::new();
    for name in names {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let label = match name.as_str() {
            "countries" => {
                for &c in found {
                    for k in view.cluster_countries(c) {
                        *counts.entry(k.to_string()).or_default() += 1;
                    }
                }
                "Countries"
            }
            "topics" => {
                for &c in found {
                    for t in view.cluster_topics(c) {
                        *counts.entry(t.to_string()).or_default() += 1;
                    }
                }
                "Topics"
            }
            "datasets" => {
                for &c in found {
                    for d in view.cluster_lists(s, c) {
                        *counts.entry(d).or_default() += 1;
                    }
                }
                "Data sources"
            }
            "schema" => {
                for &c in found {
                    *counts.entry(view.schema[c as usize].to_string()).or_default() += 1;
                }
                "Entity types"
            }
            _ => continue,
        };
        let mut values: Vec<FacetValue> = counts
            .into_iter()
            .map(|(k, count)| {
                let label = match name.as_str() {
                    "countries" => crate::country::name(&k).map(str::to_string).unwrap_or_else(|| k.clone()),
                    "topics" => topic_label(&k).to_string(),
                    "datasets" => view.list_info(&k).map(|l| l.title.clone()).unwrap_or_else(|| k.clone()),
                    _ => k.clone(),
                };
                FacetValue { name: k, label, count }
            })
            .collect();
        values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        values.truncate(MAX_FACET_VALUES);
        out.insert(name.clone(), Facet { label: label.to_string(), values });
    }
    out
}

// -------------------------------------------------------------- entities

/// What an entity id resolves to.
#[derive(Debug)]
pub enum Lookup {
    Found(Box<FtmEntity>),
    /// A referent: the canonical id.
    Moved(String),
    Missing,
}

impl View {
    pub fn lookup(&self, s: &Screener, id: &str, nested: bool) -> Lookup {
        let es = s.entities();
        match self.ids.get(id) {
            Some(&i) if self.canonical[i as usize] == i => Lookup::Found(Box::new(self.entity(s, i, nested))),
            Some(&i) => Lookup::Moved(es[self.canonical[i as usize] as usize].id.clone()),
            None => match self.redirects.get(id) {
                Some(&c) => Lookup::Moved(es[c as usize].id.clone()),
                None => Lookup::Missing,
            },
        }
    }
}

/// Percent-encodes a path segment (all but unreserved characters).
fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One entity (yente's `/entities/{id}`); a referent answers 308 to its
/// canonical id, relative so it stays on the caller's origin and path.
#[utoipa::path(get, path = "/entities/{id}", tag = "opensanctions",
    params(("id" = String, Path, description = "Entity id, e.g. cs-cjng or ofac-17674"),
           ("nested" = Option<bool>, Query, description = "Inline sanctions, links and addresses (true)")),
    responses((status = 200, body = FtmEntity), (status = 308, description = "A referent: Location is the canonical entity"),
              (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn entity(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let params = Params::parse(req.query_string())?;
    let nested = params.flag("nested", true)?;
    let generation = state.lists.current();
    let id = id.into_inner();
    let wanted = id.clone();
    let found = web::block(move || view_of(&generation).lookup(&generation.screener, &wanted, nested))
        .await
        .map_err(blocking_failed)?;
    match found {
        Lookup::Found(e) => Ok(HttpResponse::Ok().json(e)),
        Lookup::Moved(c) => Ok(moved(format!("./{}?nested={nested}", encode_segment(&c)), &id, &c)),
        Lookup::Missing => Err(missing(&id)),
    }
}

/// The adjacent entities of one property, a page of them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdjacentProperty {
    #[schema(value_type = Vec<Object>)]
    pub results: Vec<PropValue>,
    pub total: Total,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdjacentResponse {
    pub entity: FtmEntity,
    pub adjacent: BTreeMap<String, AdjacentProperty>,
}

/// Splits an entity fetched with `nested` into the entity alone and its
/// adjacent entities by property, each paged.
fn split_adjacent(mut e: FtmEntity, limit: usize, offset: usize) -> AdjacentResponse {
    let mut adjacent = BTreeMap::new();
    for (prop, values) in std::mem::take(&mut e.properties) {
        let (entities, texts): (Vec<PropValue>, Vec<PropValue>) =
            values.into_iter().partition(|v| matches!(v, PropValue::Entity(_)));
        if !texts.is_empty() {
            e.properties.insert(prop.clone(), texts);
        }
        if !entities.is_empty() {
            let total = Total { value: entities.len(), relation: "eq" };
            let results = entities.into_iter().skip(offset).take(limit).collect();
            adjacent.insert(prop, AdjacentProperty { results, total, limit, offset });
        }
    }
    AdjacentResponse { entity: e, adjacent }
}

async fn lookup_for(state: &web::Data<AppState>, id: &str) -> Result<Lookup, ApiError> {
    let generation = state.lists.current();
    let wanted = id.to_string();
    web::block(move || view_of(&generation).lookup(&generation.screener, &wanted, true)).await.map_err(blocking_failed)
}

fn paging(params: &Params) -> Result<(usize, usize), ApiError> {
    let limit = params.limit(DEFAULT_SEARCH_LIMIT)?;
    let offset: usize = params.number("offset", 0)?;
    if offset > MAX_OFFSET {
        return Err(bad_request("invalid_query", format!("offset is at most {MAX_OFFSET}, not {offset}")));
    }
    Ok((limit, offset))
}

fn moved(location: String, id: &str, canonical: &str) -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, location))
        .json(json!({"id": canonical, "detail": format!("{id} is a referent of {canonical}")}))
}

fn missing(id: &str) -> ApiError {
    ApiError::not_found("entity_not_found", format!("no entity {id:?} in the lists in service"))
}

/// An entity and its adjacent entities (sanctions, links, addresses) by property.
#[utoipa::path(get, path = "/entities/{id}/adjacent", tag = "opensanctions",
    params(("id" = String, Path), ("limit" = Option<usize>, Query, description = "Per property (10)"),
           ("offset" = Option<usize>, Query)),
    responses((status = 200, body = AdjacentResponse), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn adjacent(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (limit, offset) = paging(&Params::parse(req.query_string())?)?;
    match lookup_for(&state, &id).await? {
        Lookup::Found(e) => Ok(HttpResponse::Ok().json(split_adjacent(*e, limit, offset))),
        Lookup::Moved(c) => Ok(moved(format!("../{}/adjacent", encode_segment(&c)), &id, &c)),
        Lookup::Missing => Err(missing(&id)),
    }
}

/// The adjacent entities of one property of an entity.
#[utoipa::path(get, path = "/entities/{id}/adjacent/{prop}", tag = "opensanctions",
    params(("id" = String, Path), ("prop" = String, Path, description = "sanctions, unknownLinkTo, unknownLinkFrom, addressEntity"),
           ("limit" = Option<usize>, Query), ("offset" = Option<usize>, Query)),
    responses((status = 200, body = AdjacentProperty), (status = 404, body = crate::http::error::ErrorBody)),
    security(("api_key" = ["screen"])))]
pub async fn adjacent_property(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, prop) = path.into_inner();
    let (limit, offset) = paging(&Params::parse(req.query_string())?)?;
    match lookup_for(&state, &id).await? {
        Lookup::Found(e) => {
            let mut all = split_adjacent(*e, limit, offset);
            let page = all.adjacent.remove(&prop).unwrap_or(AdjacentProperty {
                results: Vec::new(),
                total: Total { value: 0, relation: "eq" },
                limit,
                offset,
            });
            Ok(HttpResponse::Ok().json(page))
        }
        Lookup::Moved(c) => {
            Ok(moved(format!("../../{}/adjacent/{}", encode_segment(&c), encode_segment(&prop)), &id, &c))
        }
        Lookup::Missing => Err(missing(&id)),
    }
}

// --------------------------------------------------------------- catalog

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublisherInfo {
    pub name: String,
    pub acronym: String,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    pub official: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DatasetInfo {
    pub name: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub version: String,
    pub category: &'static str,
    pub tags: Vec<String>,
    pub entity_count: usize,
    pub thing_count: usize,
    /// When the lists went into service.
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_export: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub publisher: Option<PublisherInfo>,
    /// True for `default`, the collection indexed as a whole.
    pub load: bool,
    pub index_current: bool,
    pub index_version: String,
    pub children: Vec<String>,
    pub deprecated: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CatalogResponse {
    pub datasets: Vec<DatasetInfo>,
    pub current: Vec<String>,
    pub outdated: Vec<String>,
    pub index_stale: bool,
}

impl View {
    pub fn catalog(&self) -> CatalogResponse {
        let children: Vec<String> = self.lists.iter().map(|l| l.dataset.clone()).collect();
        let mut datasets = vec![DatasetInfo {
            name: DEFAULT_DATASET.to_string(),
            title: "All lists in service".to_string(),
            summary: Some(format!(
                "Every list cartelscreen screens against: {}. Entries naming each other (same_as) are merged.",
                children.join(", ")
            )),
            url: None,
            version: self.version.clone(),
            category: "collection",
            tags: Vec::new(),
            entity_count: self.clusters,
            thing_count: self.clusters,
            updated_at: self.loaded_at.clone(),
            last_export: None,
            publisher: None,
            load: true,
            index_current: true,
            index_version: self.version.clone(),
            children: children.clone(),
            deprecated: false,
        }];
        for l in &self.lists {
            let p = publisher_of(&l.dataset);
            datasets.push(DatasetInfo {
                name: l.dataset.clone(),
                title: l.title.clone(),
                summary: None,
                url: p.as_ref().map(|p| p.list_url.to_string()),
                version: l.version.clone(),
                category: "sanctions",
                tags: vec!["list.sanction".to_string()],
                entity_count: l.entries,
                thing_count: l.entries,
                updated_at: self.loaded_at.clone(),
                last_export: l.published.clone(),
                publisher: p.map(|p| PublisherInfo {
                    name: p.name.to_string(),
                    acronym: p.acronym.to_string(),
                    url: p.url.to_string(),
                    country: p.country.map(str::to_string),
                    official: p.official,
                }),
                load: false,
                index_current: true,
                index_version: self.version.clone(),
                children: Vec::new(),
                deprecated: false,
            });
        }
        let current = datasets.iter().map(|d| d.name.clone()).collect();
        CatalogResponse { datasets, current, outdated: Vec::new(), index_stale: false }
    }
}

/// The datasets (yente's `/catalog`); revalidates with `ETag`.
#[utoipa::path(get, path = "/catalog", tag = "opensanctions",
    responses((status = 200, body = CatalogResponse), (status = 304, description = "Unchanged since the ETag sent")),
    security(("api_key" = ["screen"])))]
pub async fn catalog(
    _access: ScreenAccess,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let generation = state.lists.current();
    let view = web::block(move || view_of(&generation)).await.map_err(blocking_failed)?;
    let etag = format!("\"{}\"", view.version);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*"));
    if unchanged {
        return Ok(HttpResponse::NotModified().insert_header((header::ETAG, etag)).finish());
    }
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag)).json(view.catalog()))
}

// ------------------------------------------------------------ algorithms

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlgorithmInfo {
    pub name: &'static str,
    pub description: &'static str,
    #[schema(value_type = Object)]
    pub features: Value,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlgorithmsResponse {
    pub algorithms: Vec<AlgorithmInfo>,
    pub default: &'static str,
    pub best: &'static str,
}

/// The matching algorithms `/match` accepts (besides `best`).
#[utoipa::path(get, path = "/algorithms", tag = "opensanctions",
    responses((status = 200, body = AlgorithmsResponse)), security(("api_key" = ["screen"])))]
pub async fn algorithms(_access: ScreenAccess) -> HttpResponse {
    HttpResponse::Ok().json(AlgorithmsResponse {
        algorithms: ALGORITHMS
            .iter()
            .map(|a| AlgorithmInfo { name: a.name(), description: a.description(), features: a.features() })
            .collect(),
        default: ALGORITHM,
        best: ALGORITHM,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cartels::CartelRegistry;
    use crate::config::Settings;
    use crate::http::metrics::Metrics;
    use crate::live::LiveLists;
    use crate::model::{Address, Identifier, Link, ListFormat, LoadedList};
    use actix_web::test as web_test;

    fn org(id: &str, list: &str, name: &str) -> Entity {
        let mut e = Entity::new(id, list, EntityKind::Organization);
        e.add_name(name, NameRole::Primary);
        e
    }

    /// The embedded cartels plus a small OFAC-like list.
    fn screener() -> Screener {
        let registry = CartelRegistry::embedded();
        let mut cjng = org("ofac-17671", "us_ofac_sdn", "CARTEL DE JALISCO NUEVA GENERACION");
        cjng.add_name("CJNG", NameRole::Aka);
        cjng.programs = vec!["SDNTK".into()];
        cjng.nationalities.push("Mexico".into());
        let mut mencho = Entity::new("ofac-17674", "us_ofac_sdn", EntityKind::Person);
        mencho.add_name("OSEGUERA CERVANTES, Nemesio Ruben", NameRole::Primary);
        mencho.add_name("EL MENCHO", NameRole::WeakAlias);
        mencho.birth_dates.push(BirthDate::ymd(1966, 7, 17));
        mencho.nationalities.push("Mexico".into());
        mencho.gender = Some("Male".into());
        mencho.programs = vec!["SDNTK".into()];
        mencho.identifiers.push(Identifier {
            scheme: IdScheme::Curp,
            value: "OECN660717HMNSRM07".into(),
            country: None,
        });
        mencho.links.push(Link { name: "CARTEL DE JALISCO NUEVA GENERACION".into(), target: None });
        mencho.addresses.push(Address {
            street: None,
            city: Some("Guadalajara".into()),
            country: Some("Mexico".into()),
        });
        let mut front = Entity::new("ofac-99001", "us_ofac_sdn", EntityKind::Company);
        front.add_name("GRUPO IMPERGOZA, S.A. DE C.V.", NameRole::Primary);
        front.identifiers.push(Identifier { scheme: IdScheme::Rfc, value: "GIM-140402-AB1".into(), country: None });
        front.links.push(Link { name: "OSEGUERA CERVANTES, Nemesio Ruben".into(), target: None });
        let mut ship = Entity::new("ofac-99002", "us_ofac_sdn", EntityKind::Vessel);
        ship.add_name("MARIA LUISA", NameRole::Primary);
        ship.identifiers.push(Identifier { scheme: IdScheme::Imo, value: "9187629".into(), country: None });
        let list = LoadedList::new(
            "us_ofac_sdn",
            "OFAC SDN",
            ListFormat::OfacSdn,
            "mem".into(),
            "abcdef0123456789".into(),
            None,
            vec![cjng, mencho, front, ship],
            vec![],
        );
        let lists = vec![registry.list.clone(), list];
        Screener::build(lists, registry, 3, Settings::defaults().matching)
    }

    fn view() -> (Screener, View) {
        let s = screener();
        let v = View::of_screener(&s, "2026-01-02T03:04:05.678Z");
        (s, v)
    }

    fn state() -> web::Data<AppState> {
        let mut settings = Settings::defaults();
        settings.auth.required = false;
        settings.server.max_batch_items = 3;
        let lists = Arc::new(LiveLists::with_screener(screener(), settings, vec![]));
        web::Data::new(AppState::new(lists, Arc::new(Metrics::new())))
    }

    macro_rules! app {
        () => {{
            let state = state();
            let settings = state.settings.clone();
            web_test::init_service(
                actix_web::App::new()
                    .app_data(state)
                    .configure(|c| crate::http::startup::extractor_config(c, &settings))
                    .configure(routes)
                    .wrap(
                        actix_web::middleware::ErrorHandlers::new()
                            .default_handler(crate::http::middleware::json_errors),
                    ),
            )
            .await
        }};
    }

    #[test]
    fn kinds_and_schemata_map_both_ways() {
        for k in [
            EntityKind::Person,
            EntityKind::Organization,
            EntityKind::Company,
            EntityKind::Vessel,
            EntityKind::Aircraft,
        ] {
            assert_eq!(kind_of_schema(schema_of(k)), Some(k));
            assert!(known_schema(schema_of(k)).is_some());
        }
        assert_eq!(schema_of(EntityKind::Unknown), "LegalEntity");
        assert_eq!(kind_of_schema("LegalEntity"), None);
        assert_eq!(kind_of_schema("PublicBody"), Some(EntityKind::Organization));
        assert!(known_schema("person").is_none(), "schema names are exact");
    }

    #[test]
    fn schema_compatibility_follows_the_model() {
        assert!(schemata_match("LegalEntity", "Person"));
        assert!(schemata_match("Company", "Organization"));
        assert!(schemata_match("Organization", "Company"));
        assert!(schemata_match("Company", "LegalEntity"));
        assert!(!schemata_match("Person", "Organization"));
        assert!(!schemata_match("LegalEntity", "Vessel"));
        assert!(schemata_match("Vehicle", "Airplane"));
        assert!(!schemata_match("Address", "Person"));
        assert!(is_a("Company", "Thing") && !is_a("Thing", "Company"));
        assert_eq!(merge_schema("Organization", "Company"), "Company");
        assert_eq!(merge_schema("Organization", "Person"), "Organization");
        assert_eq!(merge_schema("LegalEntity", "Person"), "Person");
        assert!(matchable_schema("LegalEntity") && !matchable_schema("Thing") && !matchable_schema("Sanction"));
    }

    #[test]
    fn identifiers_go_to_the_property_their_scheme_names() {
        assert_eq!(identifier_prop(&IdScheme::Rfc, "Company"), "taxNumber");
        assert_eq!(identifier_prop(&IdScheme::Curp, "Person"), "idNumber");
        assert_eq!(identifier_prop(&IdScheme::Passport, "Person"), "passportNumber");
        assert_eq!(identifier_prop(&IdScheme::Passport, "Organization"), "idNumber");
        assert_eq!(identifier_prop(&IdScheme::FolioMercantil, "Company"), "registrationNumber");
        assert_eq!(identifier_prop(&IdScheme::Imo, "Vessel"), "imoNumber");
        assert_eq!(identifier_prop(&IdScheme::Imo, "Company"), "imoNumber");
        assert_eq!(identifier_prop(&IdScheme::Imo, "Person"), "idNumber");
        assert_eq!(identifier_prop(&IdScheme::Mmsi, "Vessel"), "mmsi");
        assert_eq!(identifier_prop(&IdScheme::Curp, "Vessel"), "registrationNumber");
        assert_eq!(identifier_prop(&IdScheme::Other("swift_bic".into()), "Company"), "swiftBic");
        assert_eq!(identifier_prop(&IdScheme::Other("public_code".into()), "Company"), "idNumber");
        assert_eq!(identifier_prop(&IdScheme::Other("d_u_n_s_number".into()), "Company"), "dunsCode");
        assert_eq!(identifier_prop(&IdScheme::Other("us_fein".into()), "Company"), "taxNumber");
        assert_eq!(identifier_prop(&IdScheme::Other("aircraft_serial".into()), "Airplane"), "serialNumber");
    }

    #[test]
    fn dates_and_timestamps() {
        assert_eq!(ftm_dates(&BirthDate::ymd(1966, 7, 17)), ["1966-07-17"]);
        assert_eq!(ftm_dates(&BirthDate { month: Some(7), ..BirthDate::year(1966) }), ["1966-07"]);
        assert_eq!(ftm_dates(&BirthDate { circa: true, ..BirthDate::year(1960) }), ["1960"]);
        assert_eq!(ftm_dates(&BirthDate { to_year: Some(1962), ..BirthDate::year(1960) }), ["1960", "1961", "1962"]);
        assert_eq!(normalize_timestamp("2025-02-20").as_deref(), Some("2025-02-20T00:00:00"));
        assert_eq!(normalize_timestamp("2025-02-20T10:11:12.345Z").as_deref(), Some("2025-02-20T10:11:12"));
        assert_eq!(normalize_timestamp("2025-02-20 10:11").as_deref(), Some("2025-02-20T10:11:00"));
        assert_eq!(normalize_timestamp("2025-02-20T10:11:12+02:00").as_deref(), Some("2025-02-20T10:11:12"));
        for bad in ["2025", "2025-02", "", "v7", "2025-13-01", "2025-02-20X"] {
            assert_eq!(normalize_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn topics_follow_programs_and_cartel_ties() {
        let mut e = org("x", "l", "X");
        assert_eq!(entity_topics(&e, &[]), ["sanction"]);
        e.programs = vec!["SDNTK".into(), "SDGT".into()];
        assert_eq!(entity_topics(&e, &[]), ["crime.terror", "crime.traffick.drug", "sanction"]);
        let tie = |depth| CartelTie { cartel: "CJNG".into(), cartel_name: "x".into(), depth, path: vec![] };
        e.programs.clear();
        assert_eq!(entity_topics(&e, &[tie(0)]), ["crime.terror", "crime.traffick.drug", "sanction"]);
        assert_eq!(entity_topics(&e, &[tie(2)]), ["crime.traffick.drug", "sanction"]);
    }

    #[test]
    fn algorithms_parse_listed_names_and_best() {
        for a in ALGORITHMS {
            assert_eq!(Algorithm::parse(a.name()), Some(a));
        }
        assert_eq!(Algorithm::parse("best"), Some(Algorithm::Full));
        assert_eq!(Algorithm::parse("BEST"), Some(Algorithm::Full));
        assert_eq!(Algorithm::parse("logic-v1"), None);
    }

    #[test]
    fn same_as_merges_entries_into_one_entity() {
        let (s, v) = view();
        let Lookup::Found(e) = v.lookup(&s, "cs-cjng", true) else { panic!("cs-cjng is canonical") };
        assert_eq!(e.schema, "Organization");
        assert_eq!(e.referents, ["ofac-17671"]);
        assert_eq!(e.datasets, ["cartelscreen_fto_cartels", "us_ofac_sdn"]);
        let names = e.texts("name");
        assert!(names.contains(&"CARTEL DE JALISCO NUEVA GENERACION"), "{names:?}");
        assert!(e.texts("alias").contains(&"CJNG"));
        assert!(e.texts("topics").contains(&"crime.terror") && e.texts("topics").contains(&"sanction"));
        assert_eq!(e.texts("country"), ["mx"]);
        assert_eq!(e.first_seen.as_deref(), Some("2025-02-20T00:00:00"));
        assert_eq!(e.last_change.as_deref(), Some("2025-02-20T00:00:00"));
        assert_eq!(e.last_seen.as_deref(), Some("2026-01-02T03:04:05"));
        assert!(e.texts("sourceUrl").iter().any(|u| u.ends_with("id=17671")));
        // Nested: the sanctions of both entries and who links to the cartel.
        let sanctions = &e.properties["sanctions"];
        assert_eq!(sanctions.len(), 2);
        let from = &e.properties["unknownLinkFrom"];
        assert!(from.iter().any(|l| matches!(l, PropValue::Entity(l) if l.properties["subject"].iter().any(
            |s| matches!(s, PropValue::Entity(p) if p.id == "ofac-17674")))));
        assert!(matches!(v.lookup(&s, "ofac-17671", true), Lookup::Moved(ref c) if c == "cs-cjng"));
        assert!(matches!(v.lookup(&s, "nope", true), Lookup::Missing));
        let Lookup::Found(flat) = v.lookup(&s, "cs-cjng", false) else { panic!() };
        assert!(!flat.properties.contains_key("sanctions") && !flat.properties.contains_key("unknownLinkFrom"));
    }

    #[test]
    fn person_facts_become_properties() {
        let (s, v) = view();
        let Lookup::Found(e) = v.lookup(&s, "ofac-17674", true) else { panic!() };
        assert_eq!(e.schema, "Person");
        assert_eq!(e.texts("birthDate"), ["1966-07-17"]);
        assert_eq!(e.texts("nationality"), ["mx"]);
        assert_eq!(e.texts("gender"), ["male"]);
        assert_eq!(e.texts("idNumber"), ["OECN660717HMNSRM07"]);
        assert_eq!(e.texts("weakAlias"), ["EL MENCHO"]);
        assert_eq!(e.texts("address"), ["Guadalajara, Mexico"]);
        assert_eq!(e.texts("programId"), ["SDNTK"]);
        assert!(e.texts("program")[0].contains("Kingpin"));
        assert!(e.texts("topics").contains(&"crime.traffick.drug"));
        assert!(e.properties.contains_key("addressEntity") && e.properties.contains_key("unknownLinkTo"));
        // The JSON form: every property a list of strings or entities.
        let j = serde_json::to_value(&*e).unwrap();
        for (_, vals) in j["properties"].as_object().unwrap() {
            assert!(vals.as_array().unwrap().iter().all(|x| x.is_string() || x["caption"].is_string()));
        }
        assert!(j.get("first_seen").is_none(), "no null timestamps");
        let Lookup::Found(ship) = v.lookup(&s, "ofac-99002", false) else { panic!() };
        assert_eq!(ship.schema, "Vessel");
        assert_eq!(ship.texts("imoNumber"), ["9187629"]);
        let Lookup::Found(co) = v.lookup(&s, "ofac-99001", false) else { panic!() };
        assert_eq!(co.texts("taxNumber"), ["GIM-140402-AB1"]);
    }

    fn example(schema: &str, props: Value) -> EntityExample {
        EntityExample { id: None, schema: schema.into(), properties: serde_json::from_value(props).unwrap() }
    }

    #[test]
    fn queries_read_every_name_date_country_and_identifier() {
        let ex = example(
            "Person",
            json!({"name": ["Ruben Oseguera", "El Mencho"], "alias": "Nemesio Oseguera", "birthDate": ["1966-07-17", "bad"],
                   "nationality": ["Mexico"], "country": ["mx"], "idNumber": ["OECN660717HMNSRM07"], "notes": [""]}),
        );
        let pq = prepare_query("q", &ex, Algorithm::Full).unwrap();
        assert_eq!(pq.schema, "Person");
        assert!(pq.answerable);
        assert_eq!(pq.variants.len(), 3, "three names, one valid date, one country (mx twice)");
        assert!(pq.variants.iter().all(|q| q.kind == Some(EntityKind::Person) && q.dob.is_some()));
        assert_eq!(pq.variants[0].identifiers, ["OECN660717HMNSRM07"]);
        assert_eq!(pq.echo["schema"], "Person");
        assert_eq!(pq.echo["properties"]["alias"], json!(["Nemesio Oseguera"]));
        assert!(pq.echo["properties"].get("notes").is_none());
        let pq = prepare_query("q", &ex, Algorithm::NameOnly).unwrap();
        assert!(pq.variants.iter().all(|q| q.dob.is_none() && q.country.is_none() && q.identifiers.is_empty()));
        let parts = example("Person", json!({"firstName": ["Ruben"], "lastName": ["Oseguera"]}));
        assert_eq!(prepare_query("q", &parts, Algorithm::Full).unwrap().variants[0].name, "Ruben Oseguera");
        let ids_only = example("Company", json!({"taxNumber": ["GIM140402AB1"]}));
        let pq = prepare_query("q", &ids_only, Algorithm::Full).unwrap();
        assert_eq!(pq.variants.len(), 1);
        assert_eq!(pq.variants[0].name, "");
        let address = example("Company", json!({"name": ["X"], "address": ["Av. Juarez 1, Guadalajara, Mexico"]}));
        assert_eq!(prepare_query("q", &address, Algorithm::Full).unwrap().variants[0].country.as_deref(), Some("MX"));
        assert!(!prepare_query("q", &example("Address", json!({"full": ["x"]})), Algorithm::Full).unwrap().answerable);
        for bad in
            [example("Thing", json!({})), example("Persona", json!({})), example("Person", json!({"name": [{"a": 1}]}))]
        {
            let e = prepare_query("q", &bad, Algorithm::Full).unwrap_err();
            assert_eq!(e.status, StatusCode::BAD_REQUEST, "{e}");
            assert!(e.message.starts_with("queries.q: "), "{e}");
        }
    }

    fn options(s: &Screener) -> MatchOptions {
        MatchOptions::parse(&Params::default(), s, DEFAULT_DATASET).unwrap()
    }

    #[test]
    fn matching_merges_entries_and_explains() {
        let (s, v) = view();
        let pq = prepare_query(
            "q",
            &example("Organization", json!({"name": ["Cartel de Jalisco Nueva Generacion"]})),
            Algorithm::Full,
        )
        .unwrap();
        let (r, d) = run_query(&v, &s, &pq, &options(&s)).unwrap();
        assert_eq!(d, Decision::Block);
        assert_eq!(r.results[0].entity.id, "cs-cjng");
        assert!(r.results[0].is_match && r.results[0].score >= 0.95);
        assert_eq!(r.results.iter().filter(|x| x.entity.id == "cs-cjng").count(), 1, "one result per entity");
        assert!(r.results.iter().all(|x| x.entity.id != "ofac-17671"), "referents are not results");
        assert!(r.results.windows(2).all(|w| w[0].score >= w[1].score));
        let ex = &r.results[0].explanations["name_match"];
        assert!(ex.score > 0.9 && ex.detail.as_deref().unwrap().contains("~"));
        assert_eq!(r.results[0].features["name_match"], ex.score);
        // Only OFAC: the OFAC entry still finds the merged entity.
        let mut o = options(&s);
        o.scope = dataset_scope(&s, "us_ofac_sdn", &[], &[]).unwrap();
        let (r, _) = run_query(&v, &s, &pq, &o).unwrap();
        assert_eq!(r.results[0].entity.id, "cs-cjng");
        assert_eq!(r.results[0].cartelscreen.matched_entity, "ofac-17671");
        // A person query never returns the organization.
        let person = prepare_query(
            "q",
            &example("Person", json!({"name": ["Cartel de Jalisco Nueva Generacion"]})),
            Algorithm::Full,
        )
        .unwrap();
        let (r, _) = run_query(&v, &s, &person, &options(&s)).unwrap();
        assert!(
            r.results.iter().all(|x| x.entity.schema == "Person"),
            "{:?}",
            r.results.iter().map(|x| &x.entity.id).collect::<Vec<_>>()
        );
    }

    #[test]
    fn match_options_filter_and_threshold() {
        let (s, v) = view();
        let pq = prepare_query(
            "q",
            &example("Person", json!({"name": ["Nemesio Ruben Oseguera Cervantes"], "birthDate": ["1966-07-17"]})),
            Algorithm::Full,
        )
        .unwrap();
        let mut o = options(&s);
        let (r, _) = run_query(&v, &s, &pq, &o).unwrap();
        assert_eq!(r.results[0].entity.id, "ofac-17674");
        assert!(r.results[0].features.contains_key("dob_match"), "{:?}", r.results[0].features);
        o.threshold = 1.0;
        let (r, _) = run_query(&v, &s, &pq, &o).unwrap();
        assert!(r.results.iter().all(|x| x.is_match == (x.score >= 1.0)));
        o.exclude_ids.insert("ofac-17674".into());
        assert!(run_query(&v, &s, &pq, &o).unwrap().0.results.is_empty());
        let mut o = options(&s);
        o.exclude_schema = vec!["Person"];
        assert!(run_query(&v, &s, &pq, &o).unwrap().0.results.is_empty());
        let mut o = options(&s);
        o.topics = vec!["crime.cyber".into()];
        assert!(run_query(&v, &s, &pq, &o).unwrap().0.results.is_empty());
        let mut o = options(&s);
        o.changed_since = Some("2030-01-01T00:00:00".into());
        assert_eq!(run_query(&v, &s, &pq, &o).unwrap().0.results.len(), 1, "OFAC states no date: kept");
        let cjng = prepare_query("q", &example("Organization", json!({"name": ["CJNG"]})), Algorithm::Full).unwrap();
        assert!(run_query(&v, &s, &cjng, &o).unwrap().0.results.is_empty(), "the registry is older than 2030");
        // An identifier alone finds its entity.
        let by_id =
            prepare_query("q", &example("Company", json!({"taxNumber": ["gim140402ab1"]})), Algorithm::Full).unwrap();
        let (r, _) = run_query(&v, &s, &by_id, &options(&s)).unwrap();
        assert_eq!(r.results[0].entity.id, "ofac-99001");
        assert_eq!(r.results[0].score, 1.0);
        assert!(r.results[0].features.contains_key("identifier_match"));
        assert!(r.results[0].explanations["name_match"].detail.as_deref().unwrap().contains("by identifier"));
    }

    #[test]
    fn dataset_scopes() {
        let s = screener();
        let all = dataset_scope(&s, "default", &[], &[]).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(dataset_scope(&s, "default", &["us_ofac_sdn"], &[]).unwrap().len(), 1);
        assert_eq!(dataset_scope(&s, "default", &[], &["us_ofac_sdn", "nope"]).unwrap().len(), 1);
        assert!(dataset_scope(&s, "us_ofac_sdn", &["cartelscreen_fto_cartels"], &[]).unwrap().is_empty());
        assert_eq!(dataset_scope(&s, "nope", &[], &[]).unwrap_err().status, StatusCode::NOT_FOUND);
        assert_eq!(dataset_scope(&s, "default", &["nope"], &[]).unwrap_err().status, StatusCode::NOT_FOUND);
    }

    #[test]
    fn error_bodies_gain_detail() {
        let body = serde_json::to_vec(&ApiError::not_found("x", "no such thing").body()).unwrap();
        let v: Value = serde_json::from_slice(&detailed_error_body(StatusCode::NOT_FOUND, &body)).unwrap();
        assert_eq!(v["detail"], "no such thing");
        assert_eq!(v["error"]["code"], "x");
        let v: Value = serde_json::from_slice(&detailed_error_body(StatusCode::METHOD_NOT_ALLOWED, b"")).unwrap();
        assert_eq!(v["error"]["code"], "method_not_allowed");
        assert_eq!(v["detail"], v["error"]["message"]);
    }

    #[test]
    fn the_openapi_document_lists_the_routes() {
        use utoipa::OpenApi;
        let doc = crate::http::openapi::ApiDoc::openapi();
        for path in [
            "/match/{dataset}",
            "/search/{dataset}",
            "/entities/{id}",
            "/entities/{id}/adjacent",
            "/catalog",
            "/algorithms",
        ] {
            assert!(doc.paths.paths.contains_key(path), "{path}");
        }
        let json = serde_json::to_value(&doc).unwrap();
        assert!(json["components"]["schemas"]["ScoredEntity"].is_object());
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_segment("cs-cjng"), "cs-cjng");
        assert_eq!(encode_segment("NK-a/b c"), "NK-a%2Fb%20c");
        assert_eq!(encode_segment("un:x"), "un%3Ax");
    }

    async fn json_of<B: MessageBody>(resp: ServiceResponse<B>) -> Value {
        let bytes = web_test::read_body(resp).await;
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&bytes)))
    }

    #[actix_web::test]
    async fn match_route_speaks_yente() {
        let app = app!();
        let body = json!({"queries": {"q": {"schema": "Organization", "properties": {"name": ["Cártel de Jalisco"], "country": ["mx"]}}},
                          "weights": {}, "config": {}});
        let req = web_test::TestRequest::post()
            .uri("/match/default?threshold=0.7&cutoff=0.5&algorithm=best&limit=3&topics=sanction")
            .set_json(&body)
            .to_request();
        let resp = web_test::call_service(&app, req).await;
        assert_eq!(resp.status(), 200);
        let v = json_of(resp).await;
        assert_eq!(v["limit"], 3);
        assert_eq!(v["matcher"]["name"], ALGORITHM);
        let q = &v["responses"]["q"];
        assert_eq!(q["status"], 200);
        assert_eq!(q["query"]["schema"], "Organization");
        assert_eq!(q["total"]["relation"], "eq");
        let top = &q["results"][0];
        assert_eq!(top["id"], "cs-cjng");
        assert_eq!(top["match"], true);
        assert!(top["explanations"]["name_match"]["score"].is_number());
        assert!(top["features"].is_object());
        assert_eq!(top["cartelscreen"]["cartel_ties"][0]["cartel"], "CJNG");

        for (uri, status, code) in [
            ("/match/nope", 404, "dataset_not_found"),
            ("/match/default?algorithm=logic-v1", 400, "invalid_algorithm"),
            ("/match/default?limit=abc", 422, "invalid_query"),
            ("/match/default?limit=501", 400, "invalid_query"),
            ("/match/default?threshold=2", 400, "invalid_query"),
            ("/match/default?changed_since=yesterday", 400, "invalid_query"),
            ("/match/default?exclude_schema=Persona", 400, "invalid_schema"),
        ] {
            let req = web_test::TestRequest::post().uri(uri).set_json(&body).to_request();
            let resp = web_test::call_service(&app, req).await;
            assert_eq!(resp.status(), status, "{uri}");
            let v = json_of(resp).await;
            assert_eq!(v["error"]["code"], code, "{uri}: {v}");
            assert_eq!(v["detail"], v["error"]["message"], "{uri}");
        }
        let too_many = json!({"queries": {"a": {"schema": "Person"}, "b": {"schema": "Person"}, "c": {"schema": "Person"}, "d": {"schema": "Person"}}});
        let resp = web_test::call_service(
            &app,
            web_test::TestRequest::post().uri("/match/default").set_json(&too_many).to_request(),
        )
        .await;
        assert_eq!(resp.status(), 422);
        assert!(json_of(resp).await["detail"].as_str().unwrap().contains("at most 3"));
        let no_queries = json!({"weights": {}});
        let resp = web_test::call_service(
            &app,
            web_test::TestRequest::post().uri("/match/default").set_json(&no_queries).to_request(),
        )
        .await;
        assert_eq!(resp.status(), 422);
        assert!(json_of(resp).await["detail"].as_str().unwrap().contains("queries"));
        let resp = web_test::call_service(&app, web_test::TestRequest::get().uri("/match/default").to_request()).await;
        assert_eq!(resp.status(), 405);
        assert_eq!(json_of(resp).await["error"]["code"], "method_not_allowed");
        // An empty name with no identifier: nothing to match, not an error.
        let empty = json!({"queries": {"q": {"schema": "Person", "properties": {"country": ["mx"]}}}});
        let resp = web_test::call_service(
            &app,
            web_test::TestRequest::post().uri("/match/default").set_json(&empty).to_request(),
        )
        .await;
        assert_eq!(resp.status(), 200);
        assert_eq!(json_of(resp).await["responses"]["q"]["results"], json!([]));
    }

    #[actix_web::test]
    async fn search_entities_catalog_and_algorithms() {
        let app = app!();
        let get = |uri: &str| web_test::TestRequest::get().uri(uri).to_request();
        let v = json_of(web_test::call_service(&app, get("/search/default?q=Jalisco&offset=0")).await).await;
        assert_eq!(v["results"][0]["id"], "cs-cjng");
        assert_eq!(v["offset"], 0);
        assert_eq!(v["limit"], 10);
        assert!(v["facets"]["countries"]["values"][0]["count"].is_number());
        let v = json_of(web_test::call_service(&app, get("/search/default?q=Osegu&schema=LegalEntity")).await).await;
        assert_eq!(v["results"][0]["id"], "ofac-17674", "prefix of a token: {v}");
        let v =
            json_of(web_test::call_service(&app, get("/search/default?q=Oseguera&schema=Organization")).await).await;
        assert_eq!(v["total"]["value"], 0, "{v}");
        let v =
            json_of(web_test::call_service(&app, get("/search/default?q=&limit=2&offset=1&facets=schema")).await).await;
        assert_eq!(v["results"].as_array().unwrap().len(), 2);
        assert!(v["total"]["value"].as_u64().unwrap() >= 9);
        assert!(v["facets"]["schema"].is_object() && v["facets"].get("countries").is_none());
        let v = json_of(
            web_test::call_service(&app, get("/search/us_ofac_sdn?q=&countries=mx&topics=crime.traffick.drug")).await,
        )
        .await;
        let ids: Vec<&str> = v["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["cs-cjng", "ofac-17674"], "{v}");
        let v = json_of(web_test::call_service(&app, get("/search/default?q=&filter=properties.birthDate:1966")).await)
            .await;
        assert_eq!(v["results"][0]["id"], "ofac-17674");
        let resp = web_test::call_service(&app, get("/search/nope?q=x")).await;
        assert_eq!(resp.status(), 404);
        assert!(json_of(resp).await["detail"].as_str().unwrap().contains("us_ofac_sdn"));
        let resp = web_test::call_service(&app, get("/search/default?q=x&filter=nonsense")).await;
        assert_eq!(resp.status(), 400);

        let resp = web_test::call_service(&app, get("/entities/ofac-17671?nested=false")).await;
        assert_eq!(resp.status(), 308);
        assert_eq!(resp.headers().get(header::LOCATION).unwrap(), "./cs-cjng?nested=false");
        let resp = web_test::call_service(&app, get("/entities/cs-cjng?nested=true")).await;
        assert_eq!(resp.status(), 200);
        let v = json_of(resp).await;
        assert_eq!(v["referents"], json!(["ofac-17671"]));
        assert!(v["properties"]["sanctions"][0]["caption"].is_string());
        let v = json_of(web_test::call_service(&app, get("/entities/cs-cjng/adjacent?limit=1")).await).await;
        assert_eq!(v["entity"]["id"], "cs-cjng");
        assert!(v["entity"]["properties"].get("sanctions").is_none());
        assert_eq!(v["adjacent"]["sanctions"]["total"]["value"], 2);
        assert_eq!(v["adjacent"]["sanctions"]["results"].as_array().unwrap().len(), 1);
        let v = json_of(web_test::call_service(&app, get("/entities/cs-cjng/adjacent/unknownLinkFrom")).await).await;
        assert_eq!(v["results"][0]["properties"]["subject"][0]["id"], "ofac-17674");
        let resp = web_test::call_service(&app, get("/entities/ofac-17671/adjacent/sanctions")).await;
        assert_eq!(resp.status(), 308);
        assert_eq!(resp.headers().get(header::LOCATION).unwrap(), "../../cs-cjng/adjacent/sanctions");
        let resp = web_test::call_service(&app, get("/entities/no%2Fsuch%20id")).await;
        assert_eq!(resp.status(), 404);
        let v = json_of(resp).await;
        assert_eq!(v["detail"], "no entity \"no/such id\" in the lists in service");

        let resp = web_test::call_service(&app, get("/catalog")).await;
        assert_eq!(resp.status(), 200);
        let etag = resp.headers().get(header::ETAG).unwrap().clone();
        let v = json_of(resp).await;
        let names: Vec<&str> = v["datasets"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["default", "cartelscreen_fto_cartels", "us_ofac_sdn"]);
        assert_eq!(v["datasets"][0]["load"], true);
        assert_eq!(v["datasets"][0]["children"], json!(["cartelscreen_fto_cartels", "us_ofac_sdn"]));
        assert!(v["datasets"][2]["version"].is_string());
        let req =
            web_test::TestRequest::get().uri("/catalog").insert_header((header::IF_NONE_MATCH, etag)).to_request();
        assert_eq!(web_test::call_service(&app, req).await.status(), 304);

        let v = json_of(web_test::call_service(&app, get("/algorithms")).await).await;
        assert_eq!(v["default"], ALGORITHM);
        assert_eq!(v["best"], ALGORITHM);
        assert_eq!(v["algorithms"].as_array().unwrap().len(), 2);
    }

    #[actix_web::test]
    async fn routes_need_a_key_when_auth_is_on() {
        let mut settings = Settings::defaults();
        settings.auth.required = true;
        let lists = Arc::new(LiveLists::with_screener(screener(), settings, vec![]));
        let state = web::Data::new(AppState::new(lists, Arc::new(Metrics::new())));
        let app = web_test::init_service(actix_web::App::new().app_data(state).configure(routes)).await;
        for uri in ["/catalog", "/algorithms", "/search/default?q=x", "/entities/cs-cjng"] {
            let req = web_test::TestRequest::get()
                .uri(uri)
                .insert_header((header::AUTHORIZATION, "ApiKey wrong"))
                .to_request();
            let resp = web_test::call_service(&app, req).await;
            assert_eq!(resp.status(), 401, "{uri}");
            assert_eq!(json_of(resp).await["detail"], "unknown API key");
        }
    }
}
