//! The one entity model every list format is loaded into.
//!
//! OFAC, the UN and cartelscreen's own lists describe the same things in
//! different shapes; the matcher, the cartel network and the CLI only ever see
//! [`Entity`]. Facts are kept as structured values (dates, identifiers,
//! countries) because the scorer compares them, and as the source's own text
//! where an analyst needs to read them.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What kind of party an entry describes. Screening never matches a person
/// against a vessel, so the kind is always known (or `Unknown`, which matches
/// any query kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// A natural person: OFAC `SDN_Type` `individual`, a UN `INDIVIDUAL`.
    Person,
    /// A group that is not a registered company (a cartel, an armed group);
    /// also an OFAC entry with no `SDN_Type`, no kind hint in its remarks
    /// and no legal form in its name.
    Organization,
    /// A registered business: a name with a legal form (`S.A. de C.V.`,
    /// `LLC`), or a list that says so.
    Company,
    /// A ship: OFAC `SDN_Type` `vessel`; particulars in [`Entity::vessel`].
    Vessel,
    /// OFAC `SDN_Type` `aircraft`.
    Aircraft,
    /// Not stated (a cartelscreen list entry without `kind`).
    Unknown,
}

impl EntityKind {
    /// The snake_case label of JSON output and of [`ListVersion::by_kind`];
    /// [`EntityKind::parse`] reads it back.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "person",
            EntityKind::Organization => "organization",
            EntityKind::Company => "company",
            EntityKind::Vessel => "vessel",
            EntityKind::Aircraft => "aircraft",
            EntityKind::Unknown => "unknown",
        }
    }

    /// Parses the kinds used by cartelscreen lists, OFAC's `SDN_Type` and
    /// FollowTheMoney schema names, case-insensitively.
    pub fn parse(s: &str) -> Option<EntityKind> {
        let s = s.trim().to_ascii_lowercase();
        Some(match s.as_str() {
            "person" | "individual" | "natural_person" => EntityKind::Person,
            "organization" | "organisation" | "entity" | "group" => EntityKind::Organization,
            "company" | "legalentity" | "legal_entity" | "business" => EntityKind::Company,
            "vessel" | "ship" => EntityKind::Vessel,
            "aircraft" | "airplane" => EntityKind::Aircraft,
            "unknown" | "any" | "" => EntityKind::Unknown,
            _ => return None,
        })
    }

    /// Persons and non-persons are told apart; organizations and companies
    /// are the same family because lists disagree on which is which.
    pub fn family(self) -> KindFamily {
        match self {
            EntityKind::Person => KindFamily::Person,
            EntityKind::Organization | EntityKind::Company => KindFamily::Organization,
            EntityKind::Vessel => KindFamily::Vessel,
            EntityKind::Aircraft => KindFamily::Aircraft,
            EntityKind::Unknown => KindFamily::Any,
        }
    }
}

/// The kinds screening tells apart. A person is never matched against a
/// vessel or an aircraft unless an identifier matches; other mismatched
/// families lower the score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFamily {
    /// [`EntityKind::Person`].
    Person,
    /// [`EntityKind::Organization`] and [`EntityKind::Company`].
    Organization,
    /// [`EntityKind::Vessel`].
    Vessel,
    /// [`EntityKind::Aircraft`].
    Aircraft,
    /// [`EntityKind::Unknown`]: compatible with every family.
    Any,
}

/// The standing of a name. OFAC distinguishes strong aliases (`aka`, `fka`,
/// `nka` rows of `alt.csv`) from weak ones (nicknames quoted in remarks); a
/// match on a weak alias alone is flagged because it is poor evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NameRole {
    /// The entry's main name: OFAC `SDN_Name`, UN `FIRST_NAME` (persons:
    /// `FIRST_NAME` to `FOURTH_NAME` joined), a cartelscreen list's `name`.
    Primary,
    /// A strong alias, "also known as": OFAC `alt_type` `aka`, UN alias
    /// `QUALITY` `Good` or `a.k.a.`, a cartelscreen list's `aliases`.
    Aka,
    /// A former name, "formerly known as" (`fka`); strong.
    Fka,
    /// A new name, "now known as" (`nka`); strong.
    Nka,
    /// A nickname: `a.k.a. 'El Mencho'` quoted in OFAC remarks, UN alias
    /// `QUALITY` `Low`, a cartelscreen list's `weak_aliases`.
    WeakAlias,
}

impl NameRole {
    /// The snake_case label of JSON output (`matched_role`).
    pub fn as_str(self) -> &'static str {
        match self {
            NameRole::Primary => "primary",
            NameRole::Aka => "aka",
            NameRole::Fka => "fka",
            NameRole::Nka => "nka",
            NameRole::WeakAlias => "weak_alias",
        }
    }

    /// Whether this is [`NameRole::WeakAlias`], which alone never blocks.
    pub fn is_weak(self) -> bool {
        self == NameRole::WeakAlias
    }

    /// Reads a role case-insensitively: the [`NameRole::as_str`] labels,
    /// `a.k.a.`/`f.k.a.`/`n.k.a.`, and alias qualities (`good`, `strong`
    /// are `Aka`; `low`, `weak` are `WeakAlias`). Blank is `Primary`; `None`
    /// for anything else.
    pub fn parse(s: &str) -> Option<NameRole> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "primary" | "" => NameRole::Primary,
            "aka" | "a.k.a." | "strong" | "good quality" | "good" => NameRole::Aka,
            "fka" | "f.k.a." => NameRole::Fka,
            "nka" | "n.k.a." => NameRole::Nka,
            "weak" | "weak_alias" | "low quality" | "low" => NameRole::WeakAlias,
            _ => return None,
        })
    }
}

/// One name of an entry and its standing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Name {
    /// The name exactly as the list spells it.
    pub full: String,
    /// Primary, strong or weak alias: a match on a weak alias alone never
    /// blocks.
    pub role: NameRole,
}

/// Identifier schemes the scorer and the API know by name; anything else is
/// kept with the label the source used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdScheme {
    /// Mexico's taxpayer registry number (Registro Federal de
    /// Contribuyentes): 13 characters for a person, 12 for a company.
    Rfc,
    /// Mexico's population registry key (Clave Única de Registro de
    /// Población), 18 characters.
    Curp,
    /// A passport number, any country.
    Passport,
    /// A cédula de ciudadanía or identidad (OFAC `Cedula No.`).
    Cedula,
    /// Mexico's commercial registry folio (OFAC `Folio Mercantil No.`).
    FolioMercantil,
    /// Mexico's voter credential (IFE/INE; OFAC `Electoral Registry No.`).
    ElectoralRegistry,
    /// Colombia's tax number (Número de Identificación Tributaria; OFAC
    /// `NIT #`).
    Nit,
    /// Another country's tax number (OFAC `Tax ID No.`).
    TaxId,
    /// A company registration number (OFAC `Registration Number`,
    /// `Registration ID`).
    Registration,
    /// A national identity number (OFAC `National ID No.`, UN documents
    /// of type "National Identification").
    NationalId,
    /// A ship's IMO number (OFAC `Vessel Registration Identification`).
    Imo,
    /// A ship radio's Maritime Mobile Service Identity.
    Mmsi,
    /// Any other scheme, with the source's label trimmed and lower-cased.
    Other(String),
}

impl IdScheme {
    /// The snake_case label (`rfc`, `tax_id`), or the kept label of
    /// `Other`; [`IdScheme::parse`] reads it back.
    pub fn label(&self) -> &str {
        match self {
            IdScheme::Rfc => "rfc",
            IdScheme::Curp => "curp",
            IdScheme::Passport => "passport",
            IdScheme::Cedula => "cedula",
            IdScheme::FolioMercantil => "folio_mercantil",
            IdScheme::ElectoralRegistry => "electoral_registry",
            IdScheme::Nit => "nit",
            IdScheme::TaxId => "tax_id",
            IdScheme::Registration => "registration",
            IdScheme::NationalId => "national_id",
            IdScheme::Imo => "imo",
            IdScheme::Mmsi => "mmsi",
            IdScheme::Other(s) => s,
        }
    }

    /// Reads a scheme case-insensitively from a [`IdScheme::label`] or a
    /// label as OFAC remarks and the UN write it (`R.F.C.`, `NIT #`,
    /// `Cedula No.`, `Pasaporte`). Never fails: unknown labels are `Other`.
    pub fn parse(label: &str) -> IdScheme {
        match label.trim().to_ascii_lowercase().as_str() {
            "rfc" | "r.f.c." => IdScheme::Rfc,
            "curp" | "c.u.r.p." => IdScheme::Curp,
            "passport" | "pasaporte" => IdScheme::Passport,
            "cedula" | "cedula no." => IdScheme::Cedula,
            "folio_mercantil" | "folio mercantil" | "folio mercantil no." => IdScheme::FolioMercantil,
            "electoral_registry" | "ife" | "i.f.e." | "electoral registry no." => IdScheme::ElectoralRegistry,
            "nit" | "nit #" => IdScheme::Nit,
            "tax_id" | "tax id no." => IdScheme::TaxId,
            "registration" | "registration number" | "registration id" => IdScheme::Registration,
            "national_id" | "national id no." => IdScheme::NationalId,
            "imo" | "vessel registration identification" => IdScheme::Imo,
            "mmsi" => IdScheme::Mmsi,
            other => IdScheme::Other(other.to_string()),
        }
    }
}

/// An identity document or registration number of an entry: OFAC remarks
/// (`R.F.C. CORA-650228-4Q0 (Mexico)`), UN `INDIVIDUAL_DOCUMENT`, a
/// cartelscreen list's `identifiers`. A submitted identifier with the same
/// [`Identifier::key`] (four characters or more) makes a match block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Identifier {
    /// What kind of number it is.
    pub scheme: IdScheme,
    /// As the source prints it (`CORA-650228-4Q0`).
    pub value: String,
    /// Issuing country as the source names it, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

impl Identifier {
    /// The comparison key: letters and digits only, upper case, so that
    /// `CORA-650228-4Q0` and `cora 650228 4q0` are the same identifier.
    pub fn key(&self) -> String {
        identifier_key(&self.value)
    }
}

/// Whether `key` (an [`identifier_key`]: upper case, letters and digits
/// only) has the shape of a Mexican RFC: 3 letters (a company) or 4 (a
/// person; one fewer when an `&` or `Ñ` was dropped from the key), the 6
/// digits of a date (`YYMMDD`), then a homoclave of up to 3 letters or
/// digits. The SAT gives every RFC a 3-character homoclave; OFAC's SDN list
/// also writes RFCs without it (`ABCD720913`, 58 of 330 on the current list)
/// and once cut to two characters (`PCW010604T1`). A labelled RFC is
/// accepted with this shape or with a length of 9, 10, 12 or 13, so that
/// every RFC the list publishes, typos included (`METM46111BF4`,
/// `LW1760923BT6`), can be screened as written.
pub fn is_rfc_shaped(key: &str) -> bool {
    let letters = key.bytes().take_while(u8::is_ascii_alphabetic).count();
    let rest = &key.as_bytes()[letters..];
    (2..=4).contains(&letters)
        && (6..=9).contains(&rest.len())
        && rest[..6].iter().all(u8::is_ascii_digit)
        && rest[6..].iter().all(u8::is_ascii_alphanumeric)
}

/// See [`Identifier::key`].
pub fn identifier_key(value: &str) -> String {
    value.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// Labels a submitted identifier may carry before its value (`IMO 7406784`,
/// `R.F.C. CORA-650228-4Q0`, `SWIFT/BIC: BNMXMXMM`), as their keys.
const ID_LABELS: [&str; 37] = [
    "IMO",
    "MMSI",
    "RFC",
    "CURP",
    "BIC",
    "SWIFT",
    "SWIFTBIC",
    "PASSPORT",
    "PASAPORTE",
    "NO",
    "NUM",
    "NUMBER",
    "NUMERO",
    "NIT",
    "CEDULA",
    "CI",
    "RIF",
    "TAXID",
    "TAX",
    "ID",
    "NATIONAL",
    "NACIONAL",
    // Mexican voter cards (`INE clave …`, `Electoral Registry No. …`),
    // military service cards (`Cartilla SMN …`, `Cartilla de Servicio
    // Militar Nacional …`) and police registry keys (`C.U.I.P.`).
    "INE",
    "IFE",
    "CLAVE",
    "ELECTOR",
    "ELECTORAL",
    "REGISTRY",
    "CREDENCIAL",
    "PARA",
    "VOTAR",
    "CARTILLA",
    "SMN",
    "DE",
    "SERVICIO",
    "MILITAR",
    "CUIP",
];

/// Why a submitted identifier cannot be what its label says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidIdentifier(pub String);

/// The comparison keys of a submitted identifier: its [`identifier_key`],
/// and the same without a leading label (`IMO`, `R.F.C.`, `CURP`, `BIC`,
/// `Pasaporte`…); for a Venezuelan cédula `V-5.892.464` its digits; for an
/// 11-character BIC its 8-character institution code. Listed identifiers
/// are compared by [`Identifier::key`] with each.
///
/// # Errors
/// [`InvalidIdentifier`] when a label names a scheme the value breaks: an
/// IMO number whose check digit is wrong (IMO Resolution A.1117(30): the
/// first six digits weighted 7 to 2, summed, modulo 10), a CURP that is not
/// 18 characters, an RFC neither 9, 10, 12 or 13 characters long nor shaped
/// as one ([`is_rfc_shaped`]).
pub fn query_identifier_keys(raw: &str) -> Result<Vec<String>, InvalidIdentifier> {
    let mut keys = vec![identifier_key(raw)];
    let words: Vec<String> = raw
        .split(|c: char| c.is_whitespace() || c == ':' || c == '#')
        .map(identifier_key)
        .filter(|w| !w.is_empty())
        .collect();
    let labelled = words.iter().take_while(|w| ID_LABELS.contains(&w.as_str())).count();
    let label = words.first().filter(|_| labelled > 0).cloned();
    let mut value: String = words[labelled..].concat();
    // `IMO7406784`, `RFCCORA6502284Q0`: a label joined to its value.
    let mut label = label;
    if labelled == 0 {
        for l in ["IMO", "MMSI", "CURP", "RFC"] {
            if let Some(rest) = value.strip_prefix(l) {
                if rest.len() >= 7 && rest.bytes().any(|b| b.is_ascii_digit()) {
                    label = Some(l.to_string());
                    value = rest.to_string();
                    break;
                }
            }
        }
    }
    match label.as_deref() {
        Some("IMO") => {
            let ok = value.len() == 7 && value.bytes().all(|b| b.is_ascii_digit()) && {
                let d: Vec<u32> = value.bytes().map(|b| (b - b'0') as u32).collect();
                (0..6).map(|i| d[i] * (7 - i as u32)).sum::<u32>() % 10 == d[6]
            };
            if !ok {
                return Err(InvalidIdentifier(format!("IMO {value} is not 7 digits with a valid check digit")));
            }
        }
        Some("CURP") if value.len() != 18 => {
            return Err(InvalidIdentifier(format!("a CURP has 18 characters; {value} has {}", value.len())));
        }
        // 12 or 13 characters, 9 or 10 without the homoclave (as OFAC often
        // writes them), or any other length with an RFC's shape.
        Some("RFC") if !matches!(value.len(), 9 | 10 | 12 | 13) && !is_rfc_shaped(&value) => {
            return Err(InvalidIdentifier(format!(
                "an RFC has 12 or 13 characters (9 or 10 without its homoclave): 3 (company) or 4 (person) \
                 letters, 6 digits of a date and the homoclave; {value} has {}",
                value.len()
            )));
        }
        _ => {}
    }
    let mut push = |k: String| {
        if k.len() >= 4 && !keys.contains(&k) {
            keys.push(k);
        }
    };
    push(value.clone());
    // Venezuelan and other cédulas: a nationality letter before the digits.
    let t = raw.trim();
    if let Some(rest) = t.strip_prefix(['V', 'E', 'v', 'e']).map(|r| r.trim_start_matches(['-', ' '])) {
        if !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
            push(rest.chars().filter(char::is_ascii_digit).collect());
        }
    }
    // A BIC11 (branch) whose BIC8 (institution) is listed.
    let is_bic = |v: &str| {
        let b = v.as_bytes();
        (v.len() == 8 || v.len() == 11) && b[..6].iter().all(u8::is_ascii_alphabetic)
    };
    if value.len() == 11 && is_bic(&value) && !value.bytes().all(|b| b.is_ascii_digit()) {
        push(value[..8].to_string());
    }
    Ok(keys)
}

/// A date of birth as lists give it: a full date, a month or year alone,
/// `circa` a year, or a range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BirthDate {
    /// The year, or the first year of a range; the loaders accept 1000 to
    /// 2999.
    pub year: i32,
    /// 1 to 12, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
    /// 1 to 31, when known (only with a month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day: Option<u8>,
    /// Last year of a `1960 to 1962` range; `year` is the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_year: Option<i32>,
    /// `circa 1960`: the year is approximate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub circa: bool,
}

impl BirthDate {
    /// A date known to the year only.
    pub fn year(year: i32) -> BirthDate {
        BirthDate { year, month: None, day: None, to_year: None, circa: false }
    }

    /// A full date. Not validated: `month` should be 1–12 and `day` 1–31
    /// ([`BirthDate::parse_iso`] checks both).
    pub fn ymd(year: i32, month: u8, day: u8) -> BirthDate {
        BirthDate { year, month: Some(month), day: Some(day), to_year: None, circa: false }
    }

    /// Parses `1966-07-17`, `1966-07`, `1966`, `17/07/1966` and `17.07.1966`
    /// (the last two day first, as Mexico writes dates). `None` unless the
    /// year is 1000–2999, the month 1–12 and the day 1–31.
    pub fn parse_iso(s: &str) -> Option<BirthDate> {
        let s = s.trim();
        let parts: Vec<&str> = s.split(['-', '/', '.']).collect();
        let num = |p: &str| p.trim().parse::<i32>().ok();
        let valid = |d: BirthDate| {
            let month_ok = d.month.is_none_or(|m| (1..=12).contains(&m));
            let day_ok = d.day.is_none_or(|x| (1..=31).contains(&x));
            ((1000..=2999).contains(&d.year) && month_ok && day_ok).then_some(d)
        };
        match parts.as_slice() {
            [y] if y.len() == 4 => valid(BirthDate::year(num(y)?)),
            [y, m] if y.len() == 4 => valid(BirthDate { month: Some(num(m)? as u8), ..BirthDate::year(num(y)?) }),
            [y, m, d] if y.len() == 4 => valid(BirthDate::ymd(num(y)?, num(m)? as u8, num(d)? as u8)),
            [d, m, y] if y.len() == 4 => valid(BirthDate::ymd(num(y)?, num(m)? as u8, num(d)? as u8)),
            _ => None,
        }
    }

    /// The years this date may fall in, widened by one either side for
    /// `circa`.
    pub fn year_span(&self) -> (i32, i32) {
        let (lo, hi) = (self.year, self.to_year.unwrap_or(self.year));
        if self.circa {
            (lo - 1, hi + 1)
        } else {
            (lo, hi)
        }
    }
}

impl std::fmt::Display for BirthDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.circa {
            write!(f, "circa ")?;
        }
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        if let Some(to) = self.to_year {
            write!(f, " to {to:04}")?;
        }
        Ok(())
    }
}

/// An address as the source gives it: an OFAC `add.csv` row, a UN
/// `INDIVIDUAL_ADDRESS`/`ENTITY_ADDRESS`, a cartelscreen list's `addresses`
/// (its `countries` become addresses with a country only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    /// OFAC `address` column, UN `STREET`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    /// OFAC `city_state_zip` column; UN `CITY`, `STATE_PROVINCE` and
    /// `ZIP_CODE` joined by `, `.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// As the source names it (OFAC `country` column, UN `COUNTRY`);
    /// screening compares it through [`crate::engine::country::iso2`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A relation to another entry, named the way the source names it
/// (`Linked To: CARTEL DE JALISCO NUEVA GENERACION.` names the primary name of
/// another entry). `target` is filled in when the link is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Link {
    /// The target as written: a primary name (OFAC remarks, trailing period
    /// removed) or, in a cartelscreen list, a name or an entry id.
    pub name: String,
    /// Id of the entry the link resolved to, set by
    /// [`crate::engine::network::Network::build`]; `None` until then, or
    /// when no entry carries that name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// How the list states the relation.
    #[serde(default, skip_serializing_if = "LinkVia::is_linked_to")]
    pub via: LinkVia,
}

/// How a list states a relation between two entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkVia {
    /// `Linked To: NAME` in the remarks (or `links` in a cartelscreen list).
    #[default]
    LinkedTo,
    /// An address `c/o NAME`: the entry is reached in care of the named one
    /// (OFAC's older way of recording a person's companies).
    CareOf,
}

impl LinkVia {
    /// Whether it is the default, `Linked To:`.
    pub fn is_linked_to(&self) -> bool {
        *self == LinkVia::LinkedTo
    }
}

/// The vessel columns of an OFAC `sdn.csv`/`cons_prim.csv` row, as printed;
/// OFAC fills some of them for aircraft too. `None` where OFAC prints `-0-`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VesselInfo {
    /// `Call_Sign` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sign: Option<String>,
    /// `Vess_type` column (`Tug`, `Crude Oil Tanker`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel_type: Option<String>,
    /// `Vess_flag` column: the flag state as OFAC names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    /// `Vess_owner` column.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// `Tonnage` (deadweight) column, or `GRT` (gross registered tonnage)
    /// when that is empty; text as printed (`1,200`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tonnage: Option<String>,
}

/// One list entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Entity {
    /// Stable id: `ofac-<ent_num>`, `un-<REFERENCE_NUMBER>`, or the id a
    /// cartelscreen list gives.
    pub id: String,
    /// The dataset name of the list it came from (`us_ofac_sdn`, ...).
    pub list: String,
    /// What the entry describes.
    pub kind: EntityKind,
    /// The primary name comes first.
    pub names: Vec<Name>,
    /// Sanctions program codes: OFAC `Program` column split (`SDNTK`,
    /// `FTO`, `SDGT`), UN `UN_LIST_TYPE`, a cartelscreen list's `programs`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    /// Identity documents and registration numbers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    /// OFAC remarks `DOB`/`alt. DOB`, UN `INDIVIDUAL_DATE_OF_BIRTH` (and
    /// aliases' `DATE_OF_BIRTH`), a cartelscreen list's `birth_dates`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<BirthDate>,
    /// As written (OFAC remarks `POB`, UN `INDIVIDUAL_PLACE_OF_BIRTH` parts
    /// joined by `, `); not compared.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_places: Vec<String>,
    /// Countries as written (OFAC remarks `nationality`, UN
    /// `NATIONALITY/VALUE`, a cartelscreen list's `nationalities`); compared
    /// through
    /// [`crate::engine::country::iso2`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    /// Countries as written (OFAC remarks `citizen`, a cartelscreen list's
    /// `citizenships`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citizenships: Vec<String>,
    /// As written (OFAC remarks `Gender Male`, UN `GENDER`); not compared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    /// Postal addresses, without duplicates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    /// Relations to other entries (OFAC remarks `Linked To:`, a
    /// cartelscreen list's `links`): what ties an entry to a cartel.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// `Secondary sanctions risk:` statements, verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_sanctions_risk: Vec<String>,
    /// OFAC remarks `Website ...`, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    /// OFAC remarks `Email Address ...`, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    /// OFAC remarks `Phone Number ...` / `Telephone ...`, as written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<String>,
    /// OFAC's vessel columns; `None` when all are empty and on other lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel: Option<VesselInfo>,
    /// Date of listing: UN `LISTED_ON` (`YYYY-MM-DD`), a cartelscreen list's
    /// `listed_on` as written. OFAC's CSVs carry none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listed_on: Option<String>,
    /// The source's free-text remarks, whole (continuations appended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remarks: Option<String>,
    /// Ids of entries on other lists that describe the same party (a
    /// cartelscreen list pointing at `ofac-17671`, say).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub same_as: Vec<String>,
}

impl Entity {
    /// An entry with no name and no facts, for a loader to fill in (the
    /// primary name first, through [`Entity::add_name`]).
    pub fn new(id: impl Into<String>, list: impl Into<String>, kind: EntityKind) -> Entity {
        Entity {
            id: id.into(),
            list: list.into(),
            kind,
            names: Vec::new(),
            programs: Vec::new(),
            identifiers: Vec::new(),
            birth_dates: Vec::new(),
            birth_places: Vec::new(),
            nationalities: Vec::new(),
            citizenships: Vec::new(),
            gender: None,
            addresses: Vec::new(),
            links: Vec::new(),
            secondary_sanctions_risk: Vec::new(),
            websites: Vec::new(),
            emails: Vec::new(),
            phones: Vec::new(),
            vessel: None,
            listed_on: None,
            remarks: None,
            same_as: Vec::new(),
        }
    }

    /// The primary name (the first name; every loader puts it first).
    pub fn caption(&self) -> &str {
        self.names.first().map(|n| n.full.as_str()).unwrap_or("")
    }

    /// Adds a name unless the entity already carries the same spelling; a
    /// stronger role wins over a weaker duplicate.
    pub fn add_name(&mut self, full: &str, role: NameRole) {
        let full = full.trim();
        if full.is_empty() {
            return;
        }
        if let Some(existing) = self.names.iter_mut().find(|n| n.full.eq_ignore_ascii_case(full)) {
            if existing.role.is_weak() && !role.is_weak() {
                existing.role = role;
            }
            return;
        }
        self.names.push(Name { full: full.to_string(), role });
    }

    /// Every country the entry is tied to (nationality, citizenship,
    /// addresses, birth places are not included: they are free text).
    pub fn countries(&self) -> impl Iterator<Item = &str> {
        self.nationalities
            .iter()
            .chain(self.citizenships.iter())
            .map(String::as_str)
            .chain(self.addresses.iter().filter_map(|a| a.country.as_deref()))
    }
}

/// Which format a list was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListFormat {
    /// OFAC SDN legacy CSVs: `sdn.csv`, `alt.csv`, `add.csv`,
    /// `sdn_comments.csv`.
    OfacSdn,
    /// OFAC Consolidated (non-SDN) CSVs: `cons_prim.csv`, `cons_alt.csv`,
    /// `cons_add.csv`, `cons_comments.csv`.
    OfacConsolidated,
    /// The UN Security Council Consolidated List XML.
    UnConsolidated,
    /// cartelscreen's own TOML, JSON or CSV list.
    Cartelscreen,
}

impl ListFormat {
    /// The snake_case label of JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ListFormat::OfacSdn => "ofac_sdn",
            ListFormat::OfacConsolidated => "ofac_consolidated",
            ListFormat::UnConsolidated => "un_consolidated",
            ListFormat::Cartelscreen => "cartelscreen",
        }
    }
}

/// What a loaded list reports about itself: enough for an examiner to know
/// exactly which publication a screening ran against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ListVersion {
    /// Dataset name: `us_ofac_sdn`, `us_ofac_cons`, `un_sc_sanctions`, or the
    /// name a cartelscreen list gives itself.
    pub dataset: String,
    /// Human-readable title: OFAC's or the UN's name for the list, or a
    /// cartelscreen list's `title` (its dataset when absent).
    pub title: String,
    /// The format it was read from.
    pub format: ListFormat,
    /// Where it was read from (a folder or file, or `embedded`).
    pub source: String,
    /// sha256 over the content of every file read, in a fixed order.
    pub sha256: String,
    /// Publication date: where the source states it (`dateGenerated` for
    /// the UN list, the `version` field of a cartelscreen list), else the
    /// date of the embedded snapshot's manifest, of the download, or of the
    /// files (OFAC's CSV exports state none); `published_from` says which.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Where `published` comes from: `list` (the file states it),
    /// `manifest` (the embedded snapshot's manifest), `download` (the day
    /// `lists fetch` downloaded it) or `file_time` (the files' modification
    /// time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_from: Option<String>,
    /// How many entities the list loaded.
    pub entries: usize,
    /// Entries by kind, for `lists show`.
    pub by_kind: std::collections::BTreeMap<String, usize>,
    /// The set lacks a file it normally has (`alt.csv`, `add.csv`,
    /// `sdn_comments.csv` of an OFAC SDN set; the `cons_` files likewise):
    /// names, addresses or remarks of its entries are missing.
    #[serde(default)]
    pub partial: bool,
    /// The files a partial set lacks.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_files: Vec<String>,
}

impl ListVersion {
    /// Whether this is an official sanctions list (OFAC or UN), as opposed
    /// to the cartel registry or a firm's own list.
    pub fn is_sanctions_list(&self) -> bool {
        matches!(self.format, ListFormat::OfacSdn | ListFormat::OfacConsolidated | ListFormat::UnConsolidated)
    }

    /// Whole days from `published` to `today` (a day count since
    /// 1970-01-01, see [`today_days`]); `None` when the publication date is
    /// unknown or not a `YYYY-MM-DD` date.
    pub fn age_days(&self, today: i64) -> Option<i64> {
        let p = self.published.as_deref()?;
        let date = p.get(..10)?;
        let (y, m, d) = (date.get(..4)?.parse().ok()?, date.get(5..7)?.parse().ok()?, date.get(8..10)?.parse().ok()?);
        if date.as_bytes()[4] != b'-' || date.as_bytes()[7] != b'-' || !(1..=12).contains(&m) || !(1..=31).contains(&d)
        {
            return None;
        }
        Some((today - days_from_civil(y, m, d)).max(0))
    }
}

/// Today as a day count since 1970-01-01, UTC.
pub fn today_days() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0)
}

/// The day count since 1970-01-01 of a proleptic Gregorian date (the
/// inverse of [`crate::engine::query::civil_from_days`]).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(if m <= 2 { y - 1 } else { y });
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A list after parsing: its entities, its version, and what the loader had
/// to skip or repair (orphan alias rows and the like), for the log.
#[derive(Debug, Clone)]
pub struct LoadedList {
    /// What was loaded; its counts are those of `entities`.
    pub version: ListVersion,
    /// In source order, ids unique within the list.
    pub entities: Vec<Entity>,
    /// One sentence per problem skipped or repaired; empty for a clean
    /// source.
    pub warnings: Vec<String>,
}

impl LoadedList {
    /// Builds the version's counts from the entities; loaders call this last.
    // Every argument is a distinct fact of the version; a builder would only
    // restate them.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        dataset: &str,
        title: &str,
        format: ListFormat,
        source: String,
        sha256: String,
        published: Option<String>,
        entities: Vec<Entity>,
        warnings: Vec<String>,
    ) -> LoadedList {
        let mut by_kind = std::collections::BTreeMap::new();
        for e in &entities {
            *by_kind.entry(e.kind.as_str().to_string()).or_insert(0) += 1;
        }
        LoadedList {
            version: ListVersion {
                dataset: dataset.to_string(),
                title: title.to_string(),
                format,
                source,
                sha256,
                published_from: published.as_ref().map(|_| "list".to_string()),
                published,
                entries: entities.len(),
                by_kind,
                partial: false,
                missing_files: Vec::new(),
            },
            entities,
            warnings,
        }
    }
}

/// Identifies a whole set of list versions: SHA-256 (hex) over each
/// version's dataset and content sha256, in the order given.
pub fn fingerprint(versions: &[ListVersion]) -> String {
    let mut h = Sha256::new();
    h.update((versions.len() as u64).to_le_bytes());
    for v in versions {
        for field in [&v.dataset, &v.sha256] {
            h.update((field.len() as u64).to_le_bytes());
            h.update(field.as_bytes());
        }
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labelled_identifiers_are_read_by_scheme() {
        let keys = |raw: &str| query_identifier_keys(raw).unwrap();
        assert!(keys("R.F.C. ABCD720913").contains(&"ABCD720913".to_string()));
        assert!(keys("R.F.C. XYZ-870805").contains(&"XYZ870805".to_string()));
        assert!(keys("Electoral Registry No. ABCDEF66022328H401").contains(&"ABCDEF66022328H401".to_string()));
        assert!(keys("Cartilla de Servicio Militar Nacional B1234567").contains(&"B1234567".to_string()));
        assert!(keys("INE clave QWERTY46070425H400").contains(&"QWERTY46070425H400".to_string()));
        assert!(keys("CUIP ABCD640326H14500000").contains(&"ABCD640326H14500000".to_string()));
        assert!(keys("National ID No. 12345678901").contains(&"12345678901".to_string()));
        assert!(query_identifier_keys("RFC ABCD7209").is_err());
        // As OFAC publishes them: without the homoclave, or cut short.
        for listed in ["R.F.C. PCW010604T1", "R.F.C. AUAM-530929", "R.F.C. PMA-910805", "RFC CORA-650228-4Q0"] {
            assert!(query_identifier_keys(listed).is_ok(), "{listed}");
        }
        assert!(query_identifier_keys("R.F.C. LW1760923BT6").is_ok(), "a typo the list publishes");
        for bad in ["RFC 12345678", "RFC ABCDE650228", "RFC ABC65022", "RFC ABCD650228ABCD", "RFC ABC-65A228-11"] {
            assert!(query_identifier_keys(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn identifier_key_ignores_separators_and_case() {
        assert_eq!(identifier_key("CORA-650228-4Q0"), "CORA6502284Q0");
        assert_eq!(identifier_key(" cora 650228 4q0 "), "CORA6502284Q0");
    }

    #[test]
    fn birth_date_parses_common_forms() {
        assert_eq!(BirthDate::parse_iso("1966-07-17"), Some(BirthDate::ymd(1966, 7, 17)));
        assert_eq!(BirthDate::parse_iso("17/07/1966"), Some(BirthDate::ymd(1966, 7, 17)));
        assert_eq!(BirthDate::parse_iso("1966"), Some(BirthDate::year(1966)));
        assert_eq!(BirthDate::parse_iso("1966-13-01"), None);
        assert_eq!(BirthDate::parse_iso("garbage"), None);
        assert_eq!(BirthDate::ymd(1966, 7, 17).to_string(), "1966-07-17");
    }

    #[test]
    fn add_name_deduplicates_and_promotes() {
        let mut e = Entity::new("x", "l", EntityKind::Person);
        e.add_name("EL MENCHO", NameRole::WeakAlias);
        e.add_name("El Mencho", NameRole::Aka);
        assert_eq!(e.names.len(), 1);
        assert_eq!(e.names[0].role, NameRole::Aka);
    }

    fn version(dataset: &str, sha: &str, entries: usize) -> ListVersion {
        ListVersion {
            dataset: dataset.into(),
            title: String::new(),
            format: ListFormat::Cartelscreen,
            source: String::new(),
            sha256: sha.into(),
            published: None,
            published_from: None,
            entries,
            by_kind: Default::default(),
            partial: false,
            missing_files: Vec::new(),
        }
    }

    #[test]
    fn age_counts_whole_days_from_the_publication_date() {
        let mut v = version("us_ofac_sdn", "aa", 1);
        assert_eq!(v.age_days(today_days()), None);
        v.published = Some("2026-02-25".into());
        let day = days_from_civil(2026, 2, 25);
        assert_eq!(crate::engine::query::civil_from_days(day), (2026, 2, 25));
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(v.age_days(day), Some(0));
        assert_eq!(v.age_days(day + 8), Some(8));
        v.published = Some("2026-02-27T00:00:09.554Z".into());
        assert_eq!(v.age_days(day + 2), Some(0));
        v.published = Some("v7".into());
        assert_eq!(v.age_days(day), None);
    }

    #[test]
    fn fingerprint_identifies_the_set_of_versions() {
        let a = version("us_ofac_sdn", "aa", 1);
        let b = version("un_sc_sanctions", "bb", 2);
        let f = fingerprint(&[a.clone(), b.clone()]);
        assert_eq!(f.len(), 64);
        assert_eq!(f, fingerprint(&[a.clone(), b.clone()]));
        assert_ne!(f, fingerprint(&[b.clone(), a.clone()]));
        assert_ne!(f, fingerprint(std::slice::from_ref(&a)));
        assert_ne!(fingerprint(&[version("us_ofac_sdn", "ab", 1)]), fingerprint(&[version("us_ofac_sdnab", "", 1)]));
        // The entry count and title are not part of the identity.
        let mut a2 = a.clone();
        a2.entries = 7;
        assert_eq!(fingerprint(&[a]), fingerprint(&[a2]));
    }
}
