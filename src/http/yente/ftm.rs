//! The FollowTheMoney side of the API: the model's schemata and how they
//! descend from each other (so a query's schema can be checked against an
//! entity's), the topics an entry carries, and how an entry's facts map to
//! FtM properties. Apart from the view, so the mapping reads and tests
//! without building one.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::engine::model::{BirthDate, Entity, EntityKind, IdScheme};
use crate::engine::network::CartelTie;

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

/// Every schema name, or only those `/match` accepts, in the model's order.
pub(super) fn schema_names(matchable_only: bool) -> Vec<&'static str> {
    SCHEMATA.iter().filter(|(_, m, _)| *m || !matchable_only).map(|(n, _, _)| *n).collect()
}

/// The model's spelling of a schema name, matched exactly.
pub(super) fn known_schema(name: &str) -> Option<&'static str> {
    SCHEMATA.iter().find(|(n, _, _)| *n == name).map(|(n, _, _)| *n)
}

pub(super) fn matchable_schema(name: &str) -> bool {
    SCHEMATA.iter().any(|(n, m, _)| *n == name && *m)
}

/// `schema` is `ancestor` or descends from it.
pub(super) fn is_a(schema: &str, ancestor: &str) -> bool {
    schema == ancestor || SCHEMATA.iter().any(|(n, _, anc)| *n == schema && anc.contains(&ancestor))
}

/// A query of schema `query` may be answered by an entity of schema
/// `candidate`: one is the other or descends from it.
pub(super) fn schemata_match(query: &str, candidate: &str) -> bool {
    is_a(candidate, query) || is_a(query, candidate)
}

/// The more specific of two schemata when one descends from the other, else `a`.
pub(super) fn merge_schema(a: &'static str, b: &'static str) -> &'static str {
    if b != a && is_a(b, a) {
        b
    } else {
        a
    }
}

/// The FollowTheMoney schema of a kind of entry.
pub(super) fn schema_of(kind: EntityKind) -> &'static str {
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
pub(super) fn kind_of_schema(schema: &str) -> Option<EntityKind> {
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
pub(super) const ENTITY_SCHEMATA: [&str; 6] =
    ["Person", "Organization", "Company", "Vessel", "Airplane", "LegalEntity"];

// ------------------------------------------------------------ topics

/// FollowTheMoney topics of one entry: `sanction` for every entry (all
/// lists are sanctions lists), and the crimes its programmes and cartel
/// ties speak of.
pub(super) fn entity_topics(e: &Entity, ties: &[CartelTie]) -> Vec<&'static str> {
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

pub(super) fn topic_label(topic: &str) -> &str {
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
pub(super) fn program_label(code: &str) -> String {
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
pub(super) fn identifier_prop(scheme: &IdScheme, schema: &str) -> &'static str {
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
pub(super) fn ftm_dates(d: &BirthDate) -> Vec<String> {
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
pub(super) fn country_code(s: &str) -> Option<String> {
    crate::engine::country::iso2(s).map(str::to_ascii_lowercase)
}

/// `2025-02-20`, `2025-02-20T10:11:12[.123][Z|+01:00]` or with a space →
/// `2025-02-20T10:11:12`; anything else `None`. Offsets are dropped.
pub(super) fn normalize_timestamp(s: &str) -> Option<String> {
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
    pub(super) fn texts(&self, prop: &str) -> Vec<&str> {
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
pub(super) struct Props(pub(super) BTreeMap<String, Vec<PropValue>>);

impl Props {
    pub(super) fn text(&mut self, prop: &str, value: impl AsRef<str>) {
        let v = value.as_ref().trim();
        if v.is_empty() {
            return;
        }
        let list = self.0.entry(prop.to_string()).or_default();
        if !list.iter().any(|x| matches!(x, PropValue::Text(t) if t == v)) {
            list.push(PropValue::Text(v.to_string()));
        }
    }

    pub(super) fn entity(&mut self, prop: &str, e: FtmEntity) {
        self.0.entry(prop.to_string()).or_default().push(PropValue::Entity(Box::new(e)));
    }
}

/// What a dataset is, for the catalog and nested sanctions.
pub(super) struct Publisher {
    pub(super) name: &'static str,
    pub(super) acronym: &'static str,
    pub(super) country: Option<&'static str>,
    pub(super) url: &'static str,
    pub(super) official: bool,
    /// Who imposes the listing.
    pub(super) authority: &'static str,
    /// The page describing the list.
    pub(super) list_url: &'static str,
}

pub(super) fn publisher_of(dataset: &str) -> Option<Publisher> {
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
pub(super) fn source_url(e: &Entity) -> Option<String> {
    let num = e.id.strip_prefix("ofac-")?;
    (e.list.starts_with("us_ofac") && !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("https://sanctionssearch.ofac.treas.gov/Details.aspx?id={num}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::network::{Basis, TieRelation};
    use crate::http::yente::fixtures::org;

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
        let tie = |depth| CartelTie {
            cartel: "CJNG".into(),
            cartel_name: "x".into(),
            depth,
            relation: TieRelation::Linked,
            basis: Basis::List,
            path: vec![],
        };
        e.programs.clear();
        assert_eq!(entity_topics(&e, &[tie(0)]), ["crime.terror", "crime.traffick.drug", "sanction"]);
        assert_eq!(entity_topics(&e, &[tie(2)]), ["crime.traffick.drug", "sanction"]);
    }
}
