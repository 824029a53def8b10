//! A counterparty to screen, parsed once.
//!
//! Every front end (the HTTP API, batch rows, the command line, the
//! OpenSanctions-compatible routes, monitoring) receives a counterparty as
//! text and hands it to [`Query::parse`], so one set of rules and one set of
//! limits decides what can be screened. The limits bound what one query
//! costs and what an error message can echo.
//!
//! Two ways to treat an optional field that cannot be used: the API and the
//! command line refuse it ([`Query::parse`]), so a caller never believes a
//! fact was used when it was not; a batch file drops it and screens the row
//! on what remains ([`Query::parse_lenient`]), so a bad date never hides a
//! listed name.

use crate::engine::country;
use crate::engine::model::{BirthDate, EntityKind};

/// Longest name accepted, in characters. Real names are far shorter; the
/// bound keeps one query's cost bounded.
pub const MAX_NAME_CHARS: usize = 1000;
/// Longest identifier accepted, in characters.
pub const MAX_ID_CHARS: usize = 100;
/// Most identifiers per counterparty.
pub const MAX_IDENTIFIERS: usize = 50;
/// Longest country accepted, in characters.
pub const MAX_COUNTRY_CHARS: usize = 100;
/// Longest address accepted, in characters.
pub const MAX_ADDRESS_CHARS: usize = 2000;
/// Longest caller reference accepted, in characters.
pub const MAX_REFERENCE_CHARS: usize = 200;
/// Longest kind (`type`) accepted, in characters.
pub const MAX_KIND_CHARS: usize = 100;
/// Longest birth date accepted, in characters.
pub const MAX_DOB_CHARS: usize = 100;
/// Longest call sign accepted, in characters (real ones have 3 to 7).
pub const MAX_CALL_SIGN_CHARS: usize = 20;

/// A counterparty to screen, with every fact in the form the engine
/// compares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// The name as submitted (trimmed; line breaks and tabs read as spaces).
    pub name: String,
    /// `None` matches entries of any kind.
    pub kind: Option<EntityKind>,
    /// ISO 3166-1 alpha-2 code, upper case.
    pub country: Option<String>,
    /// A calendar-valid date of birth, not in the future.
    pub dob: Option<BirthDate>,
    /// Identifiers such as RFC or CURP, phones, e-mails and websites, as
    /// submitted (compared by key).
    pub identifiers: Vec<String>,
    /// The street address, as submitted (compared with the addresses of
    /// entries tied to a cartel; see [`crate::engine::exposure`]).
    pub address: Option<String>,
    /// A vessel's IMO number: 7 digits whose check digit is right. Looked
    /// up exactly among listed IMO numbers; a hit blocks.
    pub imo: Option<String>,
    /// A ship radio's MMSI: 9 digits. Looked up exactly among listed MMSIs;
    /// a hit blocks.
    pub mmsi: Option<String>,
    /// A bank's SWIFT/BIC, upper case, 8 or 11 characters. Looked up
    /// exactly among listed BICs (an 11-character BIC also as its
    /// 8-character institution code); a hit blocks.
    pub bic: Option<String>,
    /// A vessel's flag state, ISO 3166-1 alpha-2: supporting evidence,
    /// compared with a listed vessel's flag.
    pub flag: Option<String>,
    /// A vessel's radio call sign, letters and digits upper case:
    /// supporting evidence, compared with a listed vessel's call sign.
    pub call_sign: Option<String>,
    /// A vessel's registered owner or operator, as submitted: compared
    /// with a listed vessel's owner, and screened as a name of its own.
    pub owner: Option<String>,
}

impl Query {
    /// A query of a name alone, unchecked (tests, generators and tools
    /// that build queries from list data).
    pub fn name(name: impl Into<String>) -> Query {
        Query { name: name.into(), ..Query::default() }
    }

    /// Parses a submitted counterparty strictly: any field that cannot be
    /// used is an error.
    ///
    /// # Errors
    /// The first field that cannot be used, as a [`QueryError`] whose
    /// [`QueryError::code`] is the stable error code of the README.
    pub fn parse(s: &Submitted<'_>) -> Result<Query, QueryError> {
        let name = match parse_name(s.name, Mode::Strict) {
            // Screening by identifier alone.
            Err(QueryError::MissingName | QueryError::EmptyName) if has_identifier(s) => String::new(),
            r => r?,
        };
        let kind = s.kind.map(parse_kind).transpose()?.flatten();
        let dob = s.dob.map(parse_dob).transpose()?.flatten();
        let identifiers = parse_identifiers(&s.identifiers, Mode::Strict)?;
        let address = match s.address {
            Some(a) => {
                limit("address", a, MAX_ADDRESS_CHARS)?;
                // Addresses come on several lines: line breaks read as spaces.
                Some(clean("address", a, Mode::Lenient)?).filter(|a| !a.is_empty())
            }
            None => None,
        };
        let country = match s.country.map(|c| parse_country(c, Mode::Strict)).transpose()?.flatten() {
            Some(c) => Some(c),
            None => address.as_deref().and_then(country_of_address),
        };
        let imo = s.imo.map(parse_imo).transpose()?.flatten();
        let mmsi = s.mmsi.map(parse_mmsi).transpose()?.flatten();
        let bic = s.bic.map(parse_bic).transpose()?.flatten();
        let flag = s.flag.map(|c| parse_country(c, Mode::Strict)).transpose()?.flatten();
        let call_sign = match s.call_sign {
            Some(c) => {
                limit("call_sign", c, MAX_CALL_SIGN_CHARS)?;
                Some(crate::engine::model::identifier_key(&clean("call_sign", c, Mode::Strict)?))
                    .filter(|c| !c.is_empty())
            }
            None => None,
        };
        let owner = s.owner.map(parse_owner).transpose()?.flatten();
        Ok(Query { name, kind, country, dob, identifiers, address, imo, mmsi, bic, flag, call_sign, owner })
    }

    /// Parses a submitted counterparty as a file row: the name must be
    /// usable; an optional field that is not is dropped, and each drop is
    /// returned as a warning.
    ///
    /// # Errors
    /// Only when the name cannot be screened.
    pub fn parse_lenient(s: &Submitted<'_>) -> Result<(Query, Vec<QueryError>), QueryError> {
        let name = match parse_name(s.name, Mode::Lenient) {
            Err(QueryError::MissingName | QueryError::EmptyName) if has_identifier(s) => String::new(),
            r => r?,
        };
        let mut warnings = Vec::new();
        fn keep<T>(r: Result<Option<T>, QueryError>, warnings: &mut Vec<QueryError>) -> Option<T> {
            r.unwrap_or_else(|e| {
                warnings.push(e);
                None
            })
        }
        let kind = s.kind.and_then(|k| keep(parse_kind(k), &mut warnings));
        let dob = s.dob.and_then(|d| keep(parse_dob(d), &mut warnings));
        let mut country = s.country.and_then(|c| keep(parse_country(c, Mode::Lenient), &mut warnings));
        let identifiers = match parse_identifiers(&s.identifiers, Mode::Lenient) {
            Ok(ids) => ids,
            Err(_) => {
                // Keep each usable identifier; report the others one by one.
                let mut ids = Vec::new();
                for raw in s.identifiers.iter().take(MAX_IDENTIFIERS) {
                    match parse_identifiers(std::slice::from_ref(raw), Mode::Lenient) {
                        Ok(mut one) => ids.append(&mut one),
                        Err(e) => warnings.push(e),
                    }
                }
                if s.identifiers.len() > MAX_IDENTIFIERS {
                    warnings.push(QueryError::TooManyIdentifiers { max: MAX_IDENTIFIERS });
                }
                ids
            }
        };
        let address = s.address.and_then(|a| {
            keep(
                limit("address", a, MAX_ADDRESS_CHARS)
                    .and_then(|()| clean("address", a, Mode::Lenient))
                    .map(|a| Some(a).filter(|a| !a.is_empty())),
                &mut warnings,
            )
        });
        if country.is_none() {
            country = address.as_deref().and_then(country_of_address);
        }
        Ok((Query { name, kind, country, dob, identifiers, address, ..Query::default() }, warnings))
    }
}

/// A counterparty as a front end received it: every field still text.
/// `None` (or blank) means not given.
#[derive(Debug, Clone, Default)]
pub struct Submitted<'a> {
    /// The name.
    pub name: Option<&'a str>,
    /// `person`, `company`, `organization`, `vessel`, `aircraft`, `any`, or
    /// a Spanish form (`persona física`, `persona moral`…).
    pub kind: Option<&'a str>,
    /// ISO code or country name, in English or Spanish.
    pub country: Option<&'a str>,
    /// A birth date in one of the forms [`parse_birth_date`] reads.
    pub dob: Option<&'a str>,
    /// Identifiers in any spelling.
    pub identifiers: Vec<&'a str>,
    /// A postal address; its last comma-separated part supplies a missing
    /// country.
    pub address: Option<&'a str>,
    /// A vessel's IMO number, with or without the label `IMO` (strict
    /// parsing only; file rows do not carry it).
    pub imo: Option<&'a str>,
    /// A ship radio's MMSI, 9 digits (strict parsing only).
    pub mmsi: Option<&'a str>,
    /// A bank's SWIFT/BIC, 8 or 11 characters (strict parsing only).
    pub bic: Option<&'a str>,
    /// A vessel's flag state: ISO code or country name (strict parsing
    /// only).
    pub flag: Option<&'a str>,
    /// A vessel's radio call sign (strict parsing only).
    pub call_sign: Option<&'a str>,
    /// A vessel's registered owner or operator (strict parsing only).
    pub owner: Option<&'a str>,
}

/// Why a submitted counterparty, or one of its fields, cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    /// No name was given (and no identifier to screen by).
    #[error("name is required")]
    MissingName,
    /// The name is blank.
    #[error("name is empty")]
    EmptyName,
    /// The name has no letter or digit left to match on.
    #[error("name has no letters or digits to match on")]
    NoTokens,
    /// The name is longer than [`MAX_NAME_CHARS`].
    #[error("name is longer than {max} characters")]
    NameTooLong {
        /// The limit, in characters.
        max: usize,
    },
    /// A field holds control characters (other than line breaks and tabs
    /// in a name, which read as spaces).
    #[error("{field} contains control characters")]
    ControlCharacters {
        /// The field's name (`name`, `country`, `identifiers[]`…).
        field: &'static str,
    },
    /// A field is longer than its limit.
    #[error("{field} is longer than {max} characters")]
    FieldTooLong {
        /// The field's name.
        field: &'static str,
        /// The limit, in characters.
        max: usize,
    },
    /// More identifiers than [`MAX_IDENTIFIERS`].
    #[error("at most {max} identifiers")]
    TooManyIdentifiers {
        /// The limit.
        max: usize,
    },
    /// The kind is not one the engine knows.
    #[error("type {0:?} is not one of person, company, organization, vessel, aircraft, any (or persona física, persona moral)")]
    InvalidKind(String),
    /// The birth date cannot be read, is not a calendar date, or lies in
    /// the future.
    #[error("dob {value:?}: {reason}")]
    InvalidDob {
        /// The submitted text (cut to 200 characters).
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The country is not a known country name or ISO code.
    #[error("country {0:?} is not an ISO 3166 code or a country name")]
    InvalidCountry(String),
    /// An identifier breaks the scheme its label names (an IMO number with
    /// a wrong check digit, a CURP that is not 18 characters…).
    #[error("identifier {value:?}: {reason}")]
    InvalidIdentifier {
        /// The submitted text (cut to 200 characters).
        value: String,
        /// Why it cannot be used.
        reason: String,
    },
    /// The vessel's `owner` has no letter or digit to screen.
    #[error("owner has no letters or digits to match on")]
    InvalidOwner,
    /// A screening option is out of range or empty (see
    /// [`crate::engine::options::ScreeningOptions::check`]).
    #[error("{0}")]
    InvalidOption(String),
    /// `lists` names a dataset that is not in service.
    #[error("list {value:?} is not in service (lists in service: {known})")]
    UnknownList {
        /// The submitted name (cut to 200 characters).
        value: String,
        /// The datasets in service, comma-separated.
        known: String,
    },
}

impl QueryError {
    /// The stable error code of the README's table for this failure.
    pub fn code(&self) -> &'static str {
        match self {
            QueryError::MissingName => "missing_name",
            QueryError::EmptyName => "empty_name",
            QueryError::NoTokens => "invalid_name",
            QueryError::NameTooLong { .. } => "name_too_long",
            QueryError::ControlCharacters { field: "name" } => "invalid_name",
            QueryError::ControlCharacters { .. } => "invalid_field",
            QueryError::FieldTooLong { .. } => "field_too_long",
            QueryError::TooManyIdentifiers { .. } => "too_many_identifiers",
            QueryError::InvalidKind(_) => "invalid_type",
            QueryError::InvalidDob { .. } => "invalid_dob",
            QueryError::InvalidCountry(_) => "invalid_country",
            QueryError::InvalidIdentifier { .. } => "invalid_identifier",
            QueryError::InvalidOwner => "invalid_field",
            QueryError::InvalidOption(_) => "invalid_option",
            QueryError::UnknownList { .. } => "unknown_list",
        }
    }
}

/// Cuts a value quoted in an error to 200 characters, with an ellipsis and
/// the total length, so an error never echoes unbounded input.
pub fn quote_bounded(value: &str) -> String {
    const MAX: usize = 200;
    let n = value.chars().count();
    if n <= MAX {
        value.to_string()
    } else {
        let head: String = value.chars().take(MAX).collect();
        format!("{head}… ({n} characters)")
    }
}

fn limit(field: &'static str, value: &str, max: usize) -> Result<(), QueryError> {
    if value.chars().count() > max {
        return Err(QueryError::FieldTooLong { field, max });
    }
    Ok(())
}

/// How strictly text fields are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The API and the command line: any control character is refused.
    Strict,
    /// File rows: line breaks and tabs inside a cell (Alt+Enter in a
    /// spreadsheet) read as spaces; other control characters are refused.
    Lenient,
}

/// Trims a field and checks it for control characters.
fn clean(field: &'static str, value: &str, mode: Mode) -> Result<String, QueryError> {
    if !value.chars().any(char::is_control) {
        return Ok(value.trim().to_string());
    }
    if mode == Mode::Strict || value.chars().any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Err(QueryError::ControlCharacters { field });
    }
    Ok(value.split(|c: char| c.is_whitespace()).filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" "))
}

/// Whether an identifier that can be looked up was submitted (4 letters or
/// digits at least, the shortest key the identifier index holds): then the
/// name may be left out and the counterparty is screened by identifier
/// alone.
fn has_identifier(s: &Submitted<'_>) -> bool {
    let usable = |i: &str| crate::engine::model::identifier_key(i).len() >= 4;
    s.identifiers.iter().any(|i| usable(i)) || [s.imo, s.mmsi, s.bic].into_iter().flatten().any(usable)
}

/// What the `imo` field accepts (ECMA-262 and Rust `regex` syntax alike;
/// at most [`MAX_ID_CHARS`] characters):
/// 7 digits, optionally after the label `IMO` (any case) and separators;
/// spaces around; blank is not given. The OpenAPI document publishes it and
/// [`Query::parse`] enforces exactly it (a test compares the two).
pub const IMO_PATTERN: &str = "^ *(([Ii][Mm][Oo][ .:#-]*)?[0-9]{7})? *$";
/// What the `mmsi` field accepts: 9 digits, optionally after `MMSI`, as
/// [`IMO_PATTERN`].
pub const MMSI_PATTERN: &str = "^ *(([Mm][Mm][Ss][Ii][ .:#-]*)?[0-9]{9})? *$";
/// What the `bic` field accepts: a BIC of 8 or 11 (ISO 9362: 6 letters,
/// then letters or digits), optionally after `SWIFT/BIC`, `SWIFTBIC`,
/// `SWIFT` or `BIC`, as [`IMO_PATTERN`].
pub const BIC_PATTERN: &str = concat!(
    "^ *((([Ss][Ww][Ii][Ff][Tt]/[Bb][Ii][Cc]|[Ss][Ww][Ii][Ff][Tt][Bb][Ii][Cc]|[Ss][Ww][Ii][Ff][Tt]|[Bb][Ii][Cc])",
    "[ .:#-]*)?[A-Za-z]{6}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?)? *$"
);

/// The value of a dedicated identifier field, read by the grammar its
/// pattern states: spaces around, then the bare value that `core` accepts,
/// or one of `labels` (any case), separators (` .:#-`) and that value.
/// `Ok(None)` when blank; the bare value otherwise.
fn field_key<'a>(
    field: &'static str,
    raw: &'a str,
    labels: &[&str],
    core: fn(&str) -> bool,
    reason: &str,
) -> Result<Option<&'a str>, QueryError> {
    limit(field, raw, MAX_ID_CHARS)?;
    clean(field, raw, Mode::Strict)?;
    let v = raw.trim_matches(' ');
    if v.is_empty() {
        return Ok(None);
    }
    if core(v) {
        return Ok(Some(v));
    }
    for label in labels {
        let Some(head) = v.get(..label.len()) else { continue };
        if head.eq_ignore_ascii_case(label) {
            let rest = v[label.len()..].trim_start_matches([' ', '.', ':', '#', '-']);
            if core(rest) {
                return Ok(Some(rest));
            }
        }
    }
    Err(QueryError::InvalidIdentifier { value: quote_bounded(v), reason: reason.into() })
}

/// Whether `v` is `n` ASCII digits.
fn digits(v: &str, n: usize) -> bool {
    v.len() == n && v.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `v` has the shape of a BIC (ISO 9362): 4 letters of institution,
/// 2 of country, 2 letters or digits of location, optionally 3 of branch.
fn bic_shape(v: &str) -> bool {
    let b = v.as_bytes();
    (b.len() == 8 || b.len() == 11)
        && b[..6].iter().all(u8::is_ascii_alphabetic)
        && b.iter().all(u8::is_ascii_alphanumeric)
}

/// An IMO number (`9187629`, `IMO 9187629`): 7 digits, the check digit of
/// IMO Resolution A.1117(30).
fn parse_imo(raw: &str) -> Result<Option<String>, QueryError> {
    let Some(k) = field_key("imo", raw, &["IMO"], |v| digits(v, 7), "an IMO number has 7 digits")? else {
        return Ok(None);
    };
    crate::engine::model::query_identifier_keys(&format!("IMO {k}"))
        .map_err(|e| QueryError::InvalidIdentifier { value: quote_bounded(raw.trim()), reason: e.0 })?;
    Ok(Some(k.to_string()))
}

/// An MMSI (ITU-R M.585): 9 digits.
fn parse_mmsi(raw: &str) -> Result<Option<String>, QueryError> {
    let k = field_key("mmsi", raw, &["MMSI"], |v| digits(v, 9), "an MMSI has 9 digits")?;
    Ok(k.map(str::to_string))
}

/// A SWIFT/BIC (ISO 9362), upper case.
fn parse_bic(raw: &str) -> Result<Option<String>, QueryError> {
    let k = field_key(
        "bic",
        raw,
        &["SWIFT/BIC", "SWIFTBIC", "SWIFT", "BIC"],
        bic_shape,
        "a BIC has 8 or 11 letters and digits, the first 6 letters",
    )?;
    Ok(k.map(str::to_ascii_uppercase))
}

/// A vessel owner's name: screened as a name, so it needs something to
/// match on.
fn parse_owner(raw: &str) -> Result<Option<String>, QueryError> {
    if raw.chars().count() > MAX_NAME_CHARS {
        return Err(QueryError::FieldTooLong { field: "owner", max: MAX_NAME_CHARS });
    }
    let v = clean("owner", raw, Mode::Strict)?;
    if v.is_empty() {
        return Ok(None);
    }
    let norm = crate::engine::normalize::normalize_name(&v, crate::engine::model::KindFamily::Organization);
    if norm.is_empty() {
        return Err(QueryError::InvalidOwner);
    }
    Ok(Some(v))
}

fn parse_name(name: Option<&str>, mode: Mode) -> Result<String, QueryError> {
    let name = name.ok_or(QueryError::MissingName)?;
    if name.trim().is_empty() {
        return Err(QueryError::EmptyName);
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(QueryError::NameTooLong { max: MAX_NAME_CHARS });
    }
    clean("name", name, mode)
}

/// Reads a counterparty kind in English or Spanish; blank, `any` and
/// `unknown` mean none.
///
/// # Errors
/// [`QueryError::InvalidKind`] for anything else.
pub fn parse_kind(s: &str) -> Result<Option<EntityKind>, QueryError> {
    limit("type", s, MAX_KIND_CHARS)?;
    let key: String = crate::engine::normalize::fold(s).0;
    let kind = match key.as_str() {
        "" | "any" | "unknown" | "desconocido" | "na" | "n a" => return Ok(None),
        "persona fisica" | "fisica" | "pf" | "p f" | "individual" | "individuo" | "natural person" | "person"
        | "persona" | "natural" | "individual person" => EntityKind::Person,
        "persona moral" | "moral" | "pm" | "p m" | "company" | "empresa" | "sociedad" | "corporation" | "corporate"
        | "business" | "legal entity" | "legal person" | "persona juridica" | "entity" | "compania" => {
            EntityKind::Company
        }
        "organization" | "organisation" | "organizacion" | "group" | "grupo" => EntityKind::Organization,
        "vessel" | "ship" | "buque" | "barco" | "embarcacion" => EntityKind::Vessel,
        "aircraft" | "airplane" | "aeronave" | "avion" => EntityKind::Aircraft,
        _ => match EntityKind::parse(s) {
            Some(EntityKind::Unknown) => return Ok(None),
            Some(k) => k,
            None => return Err(QueryError::InvalidKind(quote_bounded(s.trim()))),
        },
    };
    Ok(Some(kind))
}

fn parse_dob(s: &str) -> Result<Option<BirthDate>, QueryError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    parse_birth_date(s, today())
        .map(Some)
        .map_err(|reason| QueryError::InvalidDob { value: quote_bounded(s), reason: reason.to_string() })
}

fn parse_country(s: &str, mode: Mode) -> Result<Option<String>, QueryError> {
    limit("country", s, MAX_COUNTRY_CHARS)?;
    let c = clean("country", s, mode)?;
    if c.is_empty() {
        return Ok(None);
    }
    match country::iso2(&c) {
        Some(code) => Ok(Some(code.to_string())),
        None => Err(QueryError::InvalidCountry(quote_bounded(&c))),
    }
}

/// The last part of an address is usually its country.
fn country_of_address(address: &str) -> Option<String> {
    address.rsplit([',', '\n']).next().and_then(|last| country::iso2(last.trim())).map(str::to_string)
}

fn parse_identifiers(raw: &[&str], mode: Mode) -> Result<Vec<String>, QueryError> {
    if raw.len() > MAX_IDENTIFIERS {
        return Err(QueryError::TooManyIdentifiers { max: MAX_IDENTIFIERS });
    }
    let mut ids = Vec::with_capacity(raw.len());
    for r in raw {
        limit("identifiers[]", r, MAX_ID_CHARS)?;
        let v = clean("identifiers[]", r, mode)?;
        if !v.is_empty() {
            crate::engine::model::query_identifier_keys(&v)
                .map_err(|e| QueryError::InvalidIdentifier { value: quote_bounded(&v), reason: e.0 })?;
            ids.push(v);
        }
    }
    Ok(ids)
}

/// Today as (year, month, day), UTC.
pub fn today() -> (i32, u8, u8) {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| (d.as_secs() / 86_400) as i64)
        .unwrap_or(0);
    civil_from_days(days)
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (the
/// algorithm of H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
pub fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Days in a month of the Gregorian calendar.
pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Month names and abbreviations, Spanish and English, lower case without
/// accents.
const MONTHS: &[(&str, u8)] = &[
    ("enero", 1),
    ("ene", 1),
    ("january", 1),
    ("jan", 1),
    ("febrero", 2),
    ("feb", 2),
    ("february", 2),
    ("marzo", 3),
    ("mar", 3),
    ("march", 3),
    ("abril", 4),
    ("abr", 4),
    ("april", 4),
    ("apr", 4),
    ("mayo", 5),
    ("may", 5),
    ("junio", 6),
    ("jun", 6),
    ("june", 6),
    ("julio", 7),
    ("jul", 7),
    ("july", 7),
    ("agosto", 8),
    ("ago", 8),
    ("august", 8),
    ("aug", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("sept", 9),
    ("sep", 9),
    ("set", 9),
    ("september", 9),
    ("octubre", 10),
    ("oct", 10),
    ("october", 10),
    ("noviembre", 11),
    ("nov", 11),
    ("november", 11),
    ("diciembre", 12),
    ("dic", 12),
    ("december", 12),
    ("dec", 12),
];

fn month_of(word: &str) -> Option<u8> {
    let w = crate::engine::normalize::fold(word).0;
    let w = w.trim_end_matches('.');
    MONTHS.iter().find(|(n, _)| *n == w).map(|&(_, m)| m)
}

/// Reads a birth date as people and exports write it, and checks it is a
/// real calendar date not after `today` (year, month, day).
///
/// Forms: `YYYY`, `YYYY-MM`, `YYYY-MM-DD` (also with `/` or `.`),
/// `YYYYMMDD`; day first `DD/MM/YYYY`, `DD-MM-YYYY`, `DD.MM.YYYY` (a first
/// number ≤ 12 and a second > 12 is read month first, as US exports write
/// it); a two-digit year `DD/MM/YY` is the latest year ending so that is
/// not after this year (pivot: `66` is 1966, `24` is 2024); a month by name
/// or abbreviation in Spanish or English, `22-feb-1966`, `22 Feb 1966`,
/// `22-ene-66`, `Feb 22, 1966`; a time after the date (`T00:00:00`,
/// ` 00:00`) is ignored.
///
/// # Errors
/// A short reason: not a date form, not a calendar date, or in the future.
pub fn parse_birth_date(s: &str, today: (i32, u8, u8)) -> Result<BirthDate, &'static str> {
    let s = s.trim();
    // A time after the date.
    let date = match s.find(['T', ' ']) {
        Some(i) if s[i + 1..].contains(':') => &s[..i],
        _ => s,
    };
    let date = date.trim().trim_end_matches(',');
    let parts: Vec<&str> = date.split(['-', '/', '.', ' ', ',']).filter(|p| !p.is_empty()).collect();
    let num = |p: &str| -> Option<i32> {
        if p.chars().all(|c| c.is_ascii_digit()) && !p.is_empty() && p.len() <= 4 {
            p.parse().ok()
        } else {
            None
        }
    };
    let year_of = |p: &str| -> Option<i32> {
        let y = num(p)?;
        match p.len() {
            4 => Some(y),
            2 => {
                let this = today.0 % 100;
                Some(if y <= this { today.0 - this + y } else { today.0 - this - 100 + y })
            }
            _ => None,
        }
    };
    let (year, month, day) = match parts.as_slice() {
        [y] if y.len() == 8 && y.chars().all(|c| c.is_ascii_digit()) => {
            let (yy, rest) = y.split_at(4);
            let (mm, dd) = rest.split_at(2);
            (
                yy.parse().map_err(|_| "not a date")?,
                Some(mm.parse().map_err(|_| "not a date")?),
                Some(dd.parse().map_err(|_| "not a date")?),
            )
        }
        [y] if y.len() == 4 => (num(y).ok_or("not a date")?, None, None),
        [y, m] if y.len() == 4 => {
            (num(y).ok_or("not a date")?, Some(num(m).or(month_of(m).map(i32::from)).ok_or("not a date")?), None)
        }
        [y, m, d] if y.len() == 4 => {
            let m = num(m).or(month_of(m).map(i32::from)).ok_or("not a date")?;
            (num(y).ok_or("not a date")?, Some(m), Some(num(d).ok_or("not a date")?))
        }
        [a, b, y] if y.len() == 4 || y.len() == 2 => {
            let year = year_of(y).ok_or("not a date")?;
            match (num(a), num(b), month_of(a), month_of(b)) {
                (Some(d), None, None, Some(m)) => (year, Some(i32::from(m)), Some(d)),
                (None, Some(d), Some(m), None) => (year, Some(i32::from(m)), Some(d)),
                (Some(x), Some(y2), _, _) if x <= 12 && y2 > 12 => (year, Some(x), Some(y2)),
                (Some(d), Some(m), _, _) => (year, Some(m), Some(d)),
                _ => return Err("not a date"),
            }
        }
        _ => return Err("not a date (use YYYY-MM-DD, DD/MM/YYYY or YYYY)"),
    };
    if !(1800..=2999).contains(&year) {
        return Err("the year is not plausible");
    }
    let month = match month {
        Some(m) if (1..=12).contains(&m) => Some(m as u8),
        Some(_) => return Err("there is no such month"),
        None => None,
    };
    let day = match (day, month) {
        (Some(d), Some(m)) if d >= 1 && d <= i32::from(days_in_month(year, m)) => Some(d as u8),
        (Some(_), _) => return Err("there is no such day in that month"),
        (None, _) => None,
    };
    let given = (year, month.unwrap_or(1), day.unwrap_or(1));
    if given > today {
        return Err("it lies in the future");
    }
    Ok(BirthDate { year, month, day, to_year: None, circa: false })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: (i32, u8, u8) = (2026, 11, 29);

    fn d(s: &str) -> Result<String, &'static str> {
        parse_birth_date(s, TODAY).map(|d| d.to_string())
    }

    #[test]
    fn reads_the_forms_exports_use() {
        assert_eq!(d("1966-02-22"), Ok("1966-02-22".into()));
        assert_eq!(d("22/02/1966"), Ok("1966-02-22".into()));
        assert_eq!(d("22-02-1966"), Ok("1966-02-22".into()));
        assert_eq!(d("22.02.1966"), Ok("1966-02-22".into()));
        assert_eq!(d("02/22/1966"), Ok("1966-02-22".into()), "US month-first when unambiguous");
        assert_eq!(d("22/02/66"), Ok("1966-02-22".into()));
        assert_eq!(d("01/02/24"), Ok("2024-02-01".into()));
        assert_eq!(d("22-feb-1966"), Ok("1966-02-22".into()));
        assert_eq!(d("22-ene-1966"), Ok("1966-01-22".into()));
        assert_eq!(d("22 Dic 1966"), Ok("1966-12-22".into()));
        assert_eq!(d("Feb 22, 1966"), Ok("1966-02-22".into()));
        assert_eq!(d("19660222"), Ok("1966-02-22".into()));
        assert_eq!(d("1966"), Ok("1966".into()));
        assert_eq!(d("1966-07"), Ok("1966-07".into()));
        assert_eq!(d("1966-07-17T00:00:00"), Ok("1966-07-17".into()));
        assert_eq!(d("17/07/1966 00:00"), Ok("1966-07-17".into()));
    }

    #[test]
    fn refuses_what_is_not_a_calendar_date_or_lies_ahead() {
        assert!(d("1966-02-31").is_err());
        assert!(d("31/02/1966").is_err());
        assert!(d("1966-13-45").is_err());
        assert!(d("1967-02-29").is_err());
        assert_eq!(d("1968-02-29"), Ok("1968-02-29".into()));
        assert!(d("2030-01-01").is_err());
        assert!(d("2026-11-30").is_err());
        assert!(d("24160").is_err(), "an Excel serial is not a date in text");
        assert!(d("garbage").is_err());
    }

    #[test]
    fn civil_dates_from_day_counts() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_786), (2026, 11, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn strict_parse_names_the_field_lenient_parse_drops_it() {
        let s = Submitted {
            name: Some("Juan Perez"),
            dob: Some("1966-02-31"),
            country: Some("Narnia"),
            ..Default::default()
        };
        assert_eq!(Query::parse(&s).unwrap_err().code(), "invalid_dob");
        let (q, warnings) = Query::parse_lenient(&s).unwrap();
        assert_eq!(q.name, "Juan Perez");
        assert!(q.dob.is_none() && q.country.is_none());
        let codes: Vec<_> = warnings.iter().map(QueryError::code).collect();
        assert_eq!(codes, ["invalid_dob", "invalid_country"]);
    }

    #[test]
    fn names_and_fields_are_checked() {
        let code = |s: Submitted| Query::parse(&s).unwrap_err().code();
        assert_eq!(code(Submitted::default()), "missing_name");
        assert_eq!(code(Submitted { name: Some("  "), ..Default::default() }), "empty_name");
        let long = "a".repeat(1001);
        assert_eq!(code(Submitted { name: Some(&long), ..Default::default() }), "name_too_long");
        assert_eq!(code(Submitted { name: Some("a\u{7}b"), ..Default::default() }), "invalid_name");
        assert_eq!(code(Submitted { name: Some("x"), kind: Some("boat"), ..Default::default() }), "invalid_type");
        assert_eq!(
            code(Submitted { name: Some("x"), country: Some("M\u{7}X"), ..Default::default() }),
            "invalid_field"
        );
        assert_eq!(code(Submitted { name: Some("Juan\nPerez"), ..Default::default() }), "invalid_name");
        let (q, _) = Query::parse_lenient(&Submitted { name: Some("Juan\nPerez"), ..Default::default() }).unwrap();
        assert_eq!(q.name, "Juan Perez");
        let q = Query::parse(&Submitted {
            name: Some("Juan Perez"),
            kind: Some("Persona Física"),
            country: Some(" méxico "),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.name, "Juan Perez");
        assert_eq!(q.kind, Some(EntityKind::Person));
        assert_eq!(q.country.as_deref(), Some("MX"));
        let q = Query::parse(&Submitted {
            name: Some("x"),
            address: Some("Calle 5 de Mayo 10, Culiacán, México"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.country.as_deref(), Some("MX"));
    }

    #[test]
    fn vessel_and_bank_fields_are_checked_by_scheme() {
        let parse = |s: Submitted| Query::parse(&s);
        let q = parse(Submitted {
            imo: Some("IMO 9187629"),
            mmsi: Some(" 572469210 "),
            bic: Some("SWIFT/BIC: havigb2lxxx"),
            flag: Some("Iran"),
            call_sign: Some("t2-eu4"),
            owner: Some("Naviera Ejemplo"),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(q.name, "", "an IMO, MMSI or BIC alone is enough to screen");
        assert_eq!(q.imo.as_deref(), Some("9187629"));
        assert_eq!(q.mmsi.as_deref(), Some("572469210"));
        assert_eq!(q.bic.as_deref(), Some("HAVIGB2LXXX"));
        assert_eq!(q.flag.as_deref(), Some("IR"));
        assert_eq!(q.call_sign.as_deref(), Some("T2EU4"));
        assert_eq!(parse(Submitted { imo: Some("IMO9187629"), ..Default::default() }).unwrap().imo.unwrap(), "9187629");
        assert_eq!(parse(Submitted { bic: Some("BICFUS33"), ..Default::default() }).unwrap().bic.unwrap(), "BICFUS33");
        let code = |s: Submitted| Query::parse(&s).unwrap_err().code();
        assert_eq!(code(Submitted { imo: Some("9187628"), ..Default::default() }), "invalid_identifier");
        assert_eq!(code(Submitted { mmsi: Some("57246921"), ..Default::default() }), "invalid_identifier");
        assert_eq!(code(Submitted { bic: Some("12345678"), ..Default::default() }), "invalid_identifier");
        assert_eq!(code(Submitted { name: Some("x"), flag: Some("Narnia"), ..Default::default() }), "invalid_country");
        assert_eq!(code(Submitted { name: Some("x"), owner: Some("!!!"), ..Default::default() }), "invalid_field");
        assert_eq!(code(Submitted { flag: Some("IR"), ..Default::default() }), "missing_name");
    }

    /// The published patterns and the parser accept the same values.
    mod patterns {
        use super::super::*;
        use proptest::prelude::*;

        fn grammar(field: &str, v: &str) -> bool {
            let r = match field {
                "imo" => field_key("imo", v, &["IMO"], |v| digits(v, 7), ""),
                "mmsi" => field_key("mmsi", v, &["MMSI"], |v| digits(v, 9), ""),
                _ => field_key("bic", v, &["SWIFT/BIC", "SWIFTBIC", "SWIFT", "BIC"], bic_shape, ""),
            };
            r.is_ok()
        }

        fn agree(field: &str, pattern: &str, v: &str) {
            let re = regex::Regex::new(pattern).unwrap();
            let published = re.is_match(v) && v.chars().count() <= MAX_ID_CHARS;
            assert_eq!(published, grammar(field, v), "{field} {v:?}");
        }

        #[test]
        fn on_known_values() {
            for v in [
                "",
                "  ",
                "9187629",
                " IMO 9187629 ",
                "imo:9187629",
                "IMO-#9187629",
                "IMO",
                "IMO 918762",
                "IMO 3874103*",
                "91876290",
                "\u{a0}9187629",
                "9187629\t",
            ] {
                agree("imo", IMO_PATTERN, v);
            }
            for v in [
                "BNMXMXMM",
                "bnmxmxmmxxx",
                "SWIFT/BIC: havigb2lxxx",
                "BICFUS33",
                "BIC BICFUS33",
                "SWIFT BIC X",
                "BNMX MX MM",
                "12345678",
                "BNMXMXM",
                "swiftbic.BNMXMXMM",
            ] {
                agree("bic", BIC_PATTERN, v);
            }
            for v in ["572469210", "MMSI 572469210", "57246921", "mmsi#572469210 "] {
                agree("mmsi", MMSI_PATTERN, v);
            }
        }

        proptest! {
            #[test]
            fn on_generated_values(v in "[ IiMmOoSsWwFfTtBbCc/.:#*0-9A-Za-z\u{a0}-]{0,16}",
                                   imo in IMO_PATTERN.trim_start_matches('^').trim_end_matches('$'),
                                   bic in BIC_PATTERN.trim_start_matches('^').trim_end_matches('$')) {
                for (field, pattern) in [("imo", IMO_PATTERN), ("mmsi", MMSI_PATTERN), ("bic", BIC_PATTERN)] {
                    agree(field, pattern, &v);
                }
                for (field, pattern, v) in [("imo", IMO_PATTERN, &imo), ("bic", BIC_PATTERN, &bic)] {
                    agree(field, pattern, v);
                    prop_assert!(v.chars().count() > MAX_ID_CHARS || grammar(field, v), "{v:?}");
                }
            }
        }
    }

    #[test]
    fn quoted_values_are_bounded() {
        let long = "x".repeat(5000);
        let q = quote_bounded(&long);
        assert!(q.chars().count() < 230 && q.ends_with("(5000 characters)"));
    }
}
