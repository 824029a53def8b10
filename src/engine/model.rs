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
    Person,
    Organization,
    Company,
    Vessel,
    Aircraft,
    Unknown,
}

impl EntityKind {
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindFamily {
    Person,
    Organization,
    Vessel,
    Aircraft,
    Any,
}

/// The standing of a name. OFAC distinguishes strong aliases (`aka`, `fka`,
/// `nka` rows of `alt.csv`) from weak ones (nicknames quoted in remarks); a
/// match on a weak alias alone is flagged because it is poor evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NameRole {
    Primary,
    Aka,
    Fka,
    Nka,
    WeakAlias,
}

impl NameRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NameRole::Primary => "primary",
            NameRole::Aka => "aka",
            NameRole::Fka => "fka",
            NameRole::Nka => "nka",
            NameRole::WeakAlias => "weak_alias",
        }
    }

    pub fn is_weak(self) -> bool {
        self == NameRole::WeakAlias
    }

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Name {
    /// The name exactly as the list spells it.
    pub full: String,
    pub role: NameRole,
}

/// Identifier schemes the scorer and the API know by name; anything else is
/// kept with the label the source used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdScheme {
    Rfc,
    Curp,
    Passport,
    Cedula,
    FolioMercantil,
    ElectoralRegistry,
    Nit,
    TaxId,
    Registration,
    NationalId,
    Imo,
    Mmsi,
    Other(String),
}

impl IdScheme {
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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Identifier {
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

/// See [`Identifier::key`].
pub fn identifier_key(value: &str) -> String {
    value.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_uppercase()).collect()
}

/// A date of birth as lists give it: a full date, a month or year alone,
/// `circa` a year, or a range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BirthDate {
    pub year: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u8>,
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
    pub fn year(year: i32) -> BirthDate {
        BirthDate { year, month: None, day: None, to_year: None, circa: false }
    }

    pub fn ymd(year: i32, month: u8, day: u8) -> BirthDate {
        BirthDate { year, month: Some(month), day: Some(day), to_year: None, circa: false }
    }

    /// Parses `1966-07-17`, `1966-07`, `1966`, `17/07/1966` and `17.07.1966`.
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

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// A relation to another entry, named the way the source names it
/// (`Linked To: CARTEL DE JALISCO NUEVA GENERACION.` names the primary name of
/// another entry). `target` is filled in when the link is resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Link {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct VesselInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_sign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
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
    pub kind: EntityKind,
    /// The primary name comes first.
    pub names: Vec<Name>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub programs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_dates: Vec<BirthDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub birth_places: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nationalities: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub citizenships: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// `Secondary sanctions risk:` statements, verbatim.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub secondary_sanctions_risk: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub websites: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vessel: Option<VesselInfo>,
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
    OfacSdn,
    OfacConsolidated,
    UnConsolidated,
    Cartelscreen,
}

impl ListFormat {
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
    pub title: String,
    pub format: ListFormat,
    /// Where it was read from (a folder or file, or `embedded`).
    pub source: String,
    /// sha256 over the content of every file read, in a fixed order.
    pub sha256: String,
    /// Publication date where the source states it (`dateGenerated` for
    /// the UN list, the `version` field of a cartelscreen list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    pub entries: usize,
    /// Entries by kind, for `lists show`.
    pub by_kind: std::collections::BTreeMap<String, usize>,
}

/// A list after parsing: its entities, its version, and what the loader had
/// to skip or repair (orphan alias rows and the like), for the log.
#[derive(Debug, Clone)]
pub struct LoadedList {
    pub version: ListVersion,
    pub entities: Vec<Entity>,
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
                published,
                entries: entities.len(),
                by_kind,
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
            entries,
            by_kind: Default::default(),
        }
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
