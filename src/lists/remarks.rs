//! Structured facts from the free-text remarks of OFAC entries.
//!
//! OFAC's legacy CSVs put most of what is known about an entry into one
//! `Remarks` field: `;`-separated statements such as `DOB 17 Jul 1966`,
//! `R.F.C. CORA-650228-4Q0 (Mexico)`, `a.k.a. 'El Mencho'` or
//! `Linked To: CARTEL DE JALISCO NUEVA GENERACION.` (the last statement ends
//! with a period). [`parse_remarks`] turns the statements it recognises into
//! [`RemarkFacts`]; everything else is ignored here and stays readable in the
//! remarks text kept on the entity. [`apply`] merges the facts into an
//! [`Entity`].
//!
//! The parser is hand-written (no regexes) because it runs on every entry of
//! every load, and it never panics whatever the input.

use std::sync::OnceLock;

use crate::engine::model::{BirthDate, Entity, EntityKind, IdScheme, Identifier, Link, NameRole};

/// What the remarks of one entry state, in the order the statements appear.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemarkFacts {
    /// `DOB ...` and `alt. DOB ...`.
    pub birth_dates: Vec<BirthDate>,
    /// `POB ...` and `alt. POB ...`, as written.
    pub birth_places: Vec<String>,
    /// `nationality ...` and `alt. nationality ...`.
    pub nationalities: Vec<String>,
    /// `citizen ...` and `alt. citizen ...`.
    pub citizenships: Vec<String>,
    /// `Gender Male`.
    pub gender: Option<String>,
    /// Identity documents and registration numbers.
    pub identifiers: Vec<Identifier>,
    /// Quoted aliases: `a.k.a. 'X'` is a [`NameRole::WeakAlias`] (OFAC's
    /// "low quality" alias), `f.k.a. 'X'` a [`NameRole::Fka`] and
    /// `n.k.a. 'X'` a [`NameRole::Nka`].
    pub aliases: Vec<(String, NameRole)>,
    /// `Linked To: NAME.`, names as written (unresolved).
    pub links: Vec<Link>,
    /// `Secondary sanctions risk: ...`, the text after the colon.
    pub secondary_sanctions_risk: Vec<String>,
    /// `Website ...`.
    pub websites: Vec<String>,
    /// `Email Address ...` / `Email: ...`.
    pub emails: Vec<String>,
    /// `Phone Number ...`, `Phone: ...`, `Telephone ...`.
    pub phones: Vec<String>,
    /// `Organization Type: ...` (an economic activity such as `Activities of
    /// holding companies`, or `Transnational Terrorist Group`).
    pub organization_types: Vec<String>,
    /// `Target Type ...` (`Criminal Organization`, `Private Company`, ...).
    pub target_types: Vec<String>,
}

impl RemarkFacts {
    /// The kind the remarks imply for an entry whose `SDN_Type` is empty:
    /// criminal, terrorist, governmental and charitable targets are
    /// organizations; private companies, state-owned enterprises, financial
    /// institutions and anything with an economic `Organization Type` are
    /// companies. `None` when the remarks say nothing about it.
    pub fn kind_hint(&self) -> Option<EntityKind> {
        const ORG_WORDS: [&str; 6] = ["criminal", "terror", "government", "charity", "nonprofit", "organization"];
        let is_org = |s: &String| {
            let l = s.to_ascii_lowercase();
            ORG_WORDS.iter().any(|w| l.contains(w))
        };
        if self.target_types.iter().any(is_org) || self.organization_types.iter().any(is_org) {
            return Some(EntityKind::Organization);
        }
        if !self.target_types.is_empty() || !self.organization_types.is_empty() {
            return Some(EntityKind::Company);
        }
        None
    }

    fn statement(&mut self, raw: &str, last: bool) {
        let st = strip_alt(raw);
        if st.is_empty() {
            return;
        }
        // The period that ends the whole remarks text is not part of the
        // last statement.
        let clean = if last { st.strip_suffix('.').unwrap_or(st).trim_end() } else { st };

        if let Some(rest) = after_label(clean, "DOB") {
            if let Some(d) = parse_dob(rest) {
                push_unique(&mut self.birth_dates, d);
            }
        } else if let Some(rest) = after_label(clean, "POB") {
            push_text(&mut self.birth_places, rest);
        } else if let Some(rest) = after_label(clean, "nationality") {
            // `Nationality of Registration` is a vessel's flag, not a person's.
            if strip_prefix_ci(rest, "of Registration").is_none() {
                push_text(&mut self.nationalities, rest);
            }
        } else if let Some(rest) = after_word(clean, "citizen") {
            push_text(&mut self.citizenships, rest);
        } else if let Some(rest) = after_label(clean, "Gender") {
            let g = rest.trim();
            if !g.is_empty() && self.gender.is_none() {
                self.gender = Some(g.to_string());
            }
        } else if let Some((alias, role)) = parse_alias(clean) {
            if !self.aliases.iter().any(|(n, _)| n == &alias) {
                self.aliases.push((alias, role));
            }
        } else if let Some(rest) = strip_prefix_ci(st, "Linked To:") {
            let mut name = rest.trim();
            if last && name.ends_with('.') && !ends_with_legal_abbreviation(name) {
                name = name[..name.len() - 1].trim_end();
            }
            if !name.is_empty() && !self.links.iter().any(|l| l.name == name) {
                self.links.push(Link {
                    name: name.to_string(),
                    target: None,
                    via: crate::engine::model::LinkVia::LinkedTo,
                });
            }
        } else if let Some(rest) = strip_prefix_ci(clean, "Secondary sanctions risk:") {
            push_text(&mut self.secondary_sanctions_risk, rest);
        } else if let Some(rest) = after_label(clean, "Website") {
            push_text(&mut self.websites, rest);
        } else if let Some(rest) = after_label(clean, "Email Address").or_else(|| after_label(clean, "Email")) {
            push_text(&mut self.emails, rest);
        } else if let Some(rest) = after_label(clean, "Phone Number")
            .or_else(|| after_label(clean, "Telephone Number"))
            .or_else(|| after_label(clean, "Telephone"))
            .or_else(|| after_label(clean, "Phone"))
        {
            push_text(&mut self.phones, rest);
        } else if let Some(rest) = strip_prefix_ci(clean, "Organization Type:") {
            push_text(&mut self.organization_types, rest);
        } else if let Some(rest) = after_label(clean, "Target Type") {
            push_text(&mut self.target_types, rest);
        } else if let Some(id) = parse_identifier(clean) {
            if !self.identifiers.iter().any(|x| x.scheme == id.scheme && x.key() == id.key()) {
                self.identifiers.push(id);
            }
        }
    }
}

/// Parses the remarks of one entry. Never panics; statements it does not
/// recognise are skipped.
pub fn parse_remarks(text: &str) -> RemarkFacts {
    let mut facts = RemarkFacts::default();
    let statements: Vec<&str> = text.split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
    let n = statements.len();
    for (i, st) in statements.into_iter().enumerate() {
        facts.statement(st, i + 1 == n);
    }
    facts
}

/// Merges the facts into the entity, skipping values it already carries.
/// Quoted aliases go through [`Entity::add_name`], so a weak alias never
/// demotes a strong name of the same spelling.
pub fn apply(facts: RemarkFacts, entity: &mut Entity) {
    for d in facts.birth_dates {
        push_unique(&mut entity.birth_dates, d);
    }
    for p in facts.birth_places {
        push_unique(&mut entity.birth_places, p);
    }
    for n in facts.nationalities {
        push_unique(&mut entity.nationalities, n);
    }
    for c in facts.citizenships {
        push_unique(&mut entity.citizenships, c);
    }
    if entity.gender.is_none() {
        entity.gender = facts.gender;
    }
    for id in facts.identifiers {
        let key = id.key();
        if !entity.identifiers.iter().any(|x| x.scheme == id.scheme && x.key() == key) {
            entity.identifiers.push(id);
        }
    }
    for (name, role) in facts.aliases {
        entity.add_name(&name, role);
    }
    for l in facts.links {
        if !entity.links.iter().any(|x| x.name == l.name) {
            entity.links.push(l);
        }
    }
    for s in facts.secondary_sanctions_risk {
        push_unique(&mut entity.secondary_sanctions_risk, s);
    }
    for w in facts.websites {
        push_unique(&mut entity.websites, w);
    }
    for e in facts.emails {
        push_unique(&mut entity.emails, e);
    }
    for p in facts.phones {
        push_unique(&mut entity.phones, p);
    }
}

// ---------------------------------------------------------------------------
// Legal forms
// ---------------------------------------------------------------------------

/// Legal forms that are abbreviated with a period (`LTD.`, `CO.`); full
/// words (`COMPANY`, `LIMITED`) and acronyms written without periods
/// (`LLC`, `JSC`, `OOO`) are not among them.
const ABBREVIATED_FORMS: &[&str] = &["LTD", "LTDA", "INC", "CO", "CORP", "CIA", "BHD", "PTE", "PTY"];

/// Whether a name that ends in a period ends in an abbreviation whose period
/// belongs to it (`S.A.`, `C.V.`, `R.L.`, `L.L.C.`, `LTD.`, `INC.`, `CO.`),
/// so that the period is not the one ending a sentence.
pub fn ends_with_legal_abbreviation(name: &str) -> bool {
    let name = name.trim_end();
    let Some(stem) = name.strip_suffix('.') else {
        return false;
    };
    let last = stem.rsplit(|c: char| c.is_whitespace() || c == ',').next().unwrap_or("");
    if last.is_empty() || !last.is_ascii() {
        return false;
    }
    // `S.A`, `C.V`, `R.L`: an internal period marks an initialism.
    (last.contains('.') && last.bytes().any(|b| b.is_ascii_alphabetic()))
        || ABBREVIATED_FORMS.iter().any(|f| f.eq_ignore_ascii_case(last))
}

// ---------------------------------------------------------------------------
// Small text helpers
// ---------------------------------------------------------------------------

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

fn push_text(v: &mut Vec<String>, s: &str) {
    let s = s.trim();
    if !s.is_empty() && !v.iter().any(|x| x == s) {
        v.push(s.to_string());
    }
}

/// `s` without an ASCII prefix `p`, compared case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.as_bytes().get(..p.len())?;
    if head.eq_ignore_ascii_case(p.as_bytes()) {
        // The prefix matched ASCII bytes, so `p.len()` is a char boundary.
        s.get(p.len()..)
    } else {
        None
    }
}

/// The text after `label` when the label is followed by a space or a colon
/// (`DOB 1966`, `POB: Culiacan`), trimmed and without the colon.
fn after_label<'a>(s: &'a str, label: &str) -> Option<&'a str> {
    let rest = strip_prefix_ci(s, label)?;
    match rest.as_bytes().first() {
        Some(b' ') | Some(b':') | Some(b'\t') => Some(rest.trim_start_matches([' ', ':', '\t']).trim()),
        _ => None,
    }
}

/// Like [`after_label`] but only a space may follow (`citizen Mexico`, not
/// `Citizen's Card Number`).
fn after_word<'a>(s: &'a str, word: &str) -> Option<&'a str> {
    let rest = strip_prefix_ci(s, word)?;
    rest.starts_with(' ').then(|| rest.trim())
}

/// Drops the `alt.` of `alt. DOB 1962`, `alt. Passport ...`.
fn strip_alt(s: &str) -> &str {
    let s = s.trim();
    match strip_prefix_ci(s, "alt.") {
        Some(rest) => rest.trim_start(),
        None => s,
    }
}

// ---------------------------------------------------------------------------
// Aliases
// ---------------------------------------------------------------------------

fn parse_alias(s: &str) -> Option<(String, NameRole)> {
    let (rest, role) = if let Some(r) = strip_prefix_ci(s, "a.k.a.") {
        (r, NameRole::WeakAlias)
    } else if let Some(r) = strip_prefix_ci(s, "f.k.a.") {
        (r, NameRole::Fka)
    } else if let Some(r) = strip_prefix_ci(s, "n.k.a.") {
        (r, NameRole::Nka)
    } else {
        return None;
    };
    let rest = rest.trim_start_matches([' ', ':']).trim();
    const QUOTES: [char; 6] = ['\'', '"', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}'];
    let name = match rest.chars().next() {
        // `'El Mencho'`; quotes inside the name (`'ABU 'ABDALLAH'`) are kept.
        Some(q) if QUOTES.contains(&q) => {
            let inner = &rest[q.len_utf8()..];
            // No closing quote: the alias was cut (a remarks field cut at
            // 1,000 characters without its continuation); drop it.
            inner.strip_suffix(QUOTES)?
        }
        Some(_) => rest,
        None => return None,
    };
    let mut name = name.trim();
    // `''FOOPIE''`: a nickname quoted twice.
    if name.len() > 2 && name.starts_with('\'') && name.ends_with('\'') {
        name = name[1..name.len() - 1].trim();
    }
    (!name.is_empty()).then(|| (name.to_string(), role))
}

// ---------------------------------------------------------------------------
// Dates of birth
// ---------------------------------------------------------------------------

/// English month names, shared with the UN reader.
pub(crate) const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month_number(token: &str) -> Option<u8> {
    let t = token.trim_end_matches('.');
    if t.len() < 3 || t.len() > 9 || !t.is_ascii() {
        return None;
    }
    let lower = t.to_ascii_lowercase();
    MONTHS.iter().position(|m| m.starts_with(&lower)).map(|i| i as u8 + 1)
}

fn year_number(token: &str) -> Option<i32> {
    if token.len() != 4 || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let y: i32 = token.parse().ok()?;
    (1000..=2999).contains(&y).then_some(y)
}

/// `17 Jul 1966`, `Jul 1966`, `1966` (or an ISO date): year, month, day.
fn parse_date_text(s: &str) -> Option<(i32, Option<u8>, Option<u8>)> {
    let tokens: Vec<&str> = s.split_whitespace().collect();
    match tokens.as_slice() {
        [y] => match year_number(y) {
            Some(y) => Some((y, None, None)),
            None => BirthDate::parse_iso(y).map(|d| (d.year, d.month, d.day)),
        },
        [m, y] => Some((year_number(y)?, Some(month_number(m)?), None)),
        [d, m, y] => {
            let day: u8 = d.trim_end_matches(',').parse().ok()?;
            if !(1..=31).contains(&day) {
                return None;
            }
            Some((year_number(y)?, Some(month_number(m)?), Some(day)))
        }
        _ => None,
    }
}

/// Parses what follows `DOB`: `17 Jul 1966`, `Jul 1966`, `1966`,
/// `circa 1960`, `1960 to 1962`, `01 Jan 1961 to 31 Dec 1962`,
/// `circa 1979-1982`.
pub fn parse_dob(s: &str) -> Option<BirthDate> {
    let mut s = s.trim().trim_end_matches('.').trim();
    let mut circa = false;
    if let Some(rest) = strip_prefix_ci(s, "circa") {
        circa = true;
        s = rest.trim();
    }
    let (from, to) = match s.find(" to ") {
        Some(i) => (&s[..i], Some(s[i + 4..].trim())),
        None => match s.split_once('-') {
            Some((a, b)) if year_number(a.trim()).is_some() && year_number(b.trim()).is_some() => (a, Some(b.trim())),
            _ => (s, None),
        },
    };
    let (year, month, day) = parse_date_text(from)?;
    let mut d = BirthDate { year, month, day, to_year: None, circa };
    if let Some(to) = to {
        let (to_year, to_month, to_day) = parse_date_text(to)?;
        if to_year != year {
            // A range of years: the start's month and day would mislead.
            d.year = year.min(to_year);
            d.to_year = Some(year.max(to_year));
            d.month = None;
            d.day = None;
        } else if (to_month, to_day) != (month, day) {
            // `01 Jan 1970 to 31 Dec 1970`: the year is what is known.
            d.month = None;
            d.day = None;
        }
    }
    Some(d)
}

// ---------------------------------------------------------------------------
// Identifiers
// ---------------------------------------------------------------------------

/// Remark labels of identifiers and the scheme they map to (a scheme key of
/// [`scheme_for`]). Matched case-insensitively at the start of a statement,
/// longest label first, and followed by a non-alphanumeric character.
const ID_LABELS: &[(&str, &str)] = &[
    ("R.F.C.", "rfc"),
    ("RFC", "rfc"),
    ("C.U.R.P.", "curp"),
    ("CURP", "curp"),
    ("Passport No.", "passport"),
    ("Passport Booklet", "passport"),
    ("Diplomatic Passport", "passport"),
    ("Passport", "passport"),
    ("Cedula No.", "cedula"),
    ("Cedula", "cedula"),
    ("Folio Mercantil No.", "folio_mercantil"),
    ("Folio Mercantil", "folio_mercantil"),
    ("Matricula Mercantil No.", "matricula_mercantil"),
    ("Matricula Mercantil No", "matricula_mercantil"),
    ("Electoral Registry No.", "electoral_registry"),
    ("Electoral Registry", "electoral_registry"),
    ("I.F.E.", "electoral_registry"),
    ("IFE", "electoral_registry"),
    ("Credencial electoral", "electoral_registry"),
    ("NIT", "nit"),
    ("Tax ID No.", "tax_id"),
    ("Tax ID", "tax_id"),
    ("Registration Number", "registration"),
    ("Registration ID", "registration"),
    ("Registration No.", "registration"),
    ("Business Registration Number", "registration"),
    ("Business Registration Document", "registration"),
    ("Company Number", "registration"),
    ("UK Company Number", "registration"),
    ("Commercial Registry Number", "registration"),
    ("Certificate of Incorporation Number", "registration"),
    ("Public Registration Number", "registration"),
    ("National ID No.", "national_id"),
    ("National ID", "national_id"),
    ("D.N.I.", "national_id"),
    ("Identification Number", "national_id"),
    ("Personal ID Card", "national_id"),
    ("Turkish Identification Number", "national_id"),
    ("Kenyan ID No.", "national_id"),
    ("Numero de Identidad", "national_id"),
    ("C.U.I.", "national_id"),
    ("Tazkira National ID Card", "national_id"),
    ("Citizen's Card Number", "national_id"),
    ("Vessel Registration Identification IMO", "imo"),
    ("Identification Number IMO", "imo"),
    ("Company Number IMO", "imo"),
    ("IMO", "imo"),
    ("Vessel Registration Identification", "vessel_registration"),
    ("MMSI", "mmsi"),
    ("SSN", "ssn"),
    ("Driver's License No.", "drivers_license"),
    ("Driver's License", "drivers_license"),
    ("Legal Entity Number", "lei"),
    ("Unified Social Credit Code (USCC)", "uscc"),
    ("United Social Credit Code Certificate (USCCC)", "uscc"),
    ("RUC", "ruc"),
    ("RIF", "rif"),
    ("C.U.I.T.", "cuit"),
    ("C.U.I.P.", "cuip"),
    ("SWIFT/BIC", "swift_bic"),
    ("V.A.T. Number", "vat"),
    ("Government Gazette Number", "government_gazette"),
    ("D-U-N-S Number", "duns"),
    ("ISIN", "isin"),
    ("Trade License No.", "trade_license"),
    ("Chamber of Commerce Number", "chamber_of_commerce"),
    ("Economic Register Number (CBLS)", "economic_register"),
    ("C.R. No.", "commercial_registration"),
    ("Aircraft Manufacturer's Serial Number (MSN)", "aircraft_msn"),
    ("Aircraft Serial Identification", "aircraft_msn"),
    ("Aircraft Tail Number", "aircraft_tail_number"),
    ("Previous Aircraft Tail Number", "aircraft_tail_number"),
    ("Aircraft Mode S Transponder Code", "aircraft_mode_s"),
    ("Central Registration System Number", "central_registration"),
    ("Enterprise Number", "enterprise_number"),
    ("Business Number", "business_number"),
    ("Birth Certificate Number", "birth_certificate"),
    ("Residency Number", "residency"),
    ("Travel Document Number", "travel_document"),
    ("Cartilla de Servicio Militar Nacional", "military_service"),
    ("Italian Fiscal Code", "fiscal_code"),
    ("US FEIN", "fein"),
    ("BIK (RU)", "bik"),
    ("Registered Charity No.", "charity_number"),
    ("Refugee ID Card", "refugee_id"),
    ("VisaNumberID", "visa"),
    ("C.I.F.", "cif"),
];

/// Labels that carry a number but never an identifier, for the generic
/// `Label Value (Country)` rule.
const NOT_ID_LABELS: &[&str] = &[
    "DOB",
    "POB",
    "Linked To",
    "Executive Order",
    "Secondary",
    "Listing Date",
    "Effective Date",
    "Organization Established",
    "Aircraft Manufacture",
    "Aircraft Model",
    "Phone",
    "Telephone",
    "Fax",
    "CAATSA",
    "Purchase/Sales",
    "Vessel Year of Build",
    "Equity Ticker",
    "Issuer Name",
    "Nationality",
    "Citizen",
    "Gender",
];

fn scheme_for(key: &str) -> IdScheme {
    match key {
        "rfc" => IdScheme::Rfc,
        "curp" => IdScheme::Curp,
        "passport" => IdScheme::Passport,
        "cedula" => IdScheme::Cedula,
        "folio_mercantil" => IdScheme::FolioMercantil,
        "electoral_registry" => IdScheme::ElectoralRegistry,
        "nit" => IdScheme::Nit,
        "tax_id" => IdScheme::TaxId,
        "registration" => IdScheme::Registration,
        "national_id" => IdScheme::NationalId,
        "imo" => IdScheme::Imo,
        "mmsi" => IdScheme::Mmsi,
        other => IdScheme::Other(other.to_string()),
    }
}

/// The label table sorted longest label first, bucketed by the label's
/// first byte (upper case) so a statement is compared with a few labels.
fn label_index() -> &'static [Vec<(&'static str, &'static str)>; 128] {
    static INDEX: OnceLock<[Vec<(&'static str, &'static str)>; 128]> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut idx: [Vec<(&'static str, &'static str)>; 128] = std::array::from_fn(|_| Vec::new());
        for &(label, key) in ID_LABELS {
            let first = label.as_bytes()[0].to_ascii_uppercase() as usize;
            idx[first & 127].push((label, key));
        }
        for bucket in idx.iter_mut() {
            bucket.sort_by_key(|(label, _)| std::cmp::Reverse(label.len()));
        }
        idx
    })
}

/// An identifier statement: `Passport 1084010 (Egypt) issued 2010`,
/// `R.F.C. # IES-870805 (Mexico)`, `Vessel Registration Identification IMO
/// 9187629`, `Digital Currency Address - XBT 1A2b...`, or an unknown
/// `Label Value (Country)` with a digit in the value.
pub fn parse_identifier(st: &str) -> Option<Identifier> {
    let st = st.trim();
    let first = *st.as_bytes().first()?;
    if !first.is_ascii() {
        return None;
    }
    if let Some(rest) = strip_prefix_ci(st, "Digital Currency Address -") {
        let mut parts = rest.split_whitespace();
        let (code, addr) = (parts.next()?, parts.next()?);
        if !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let addr = addr.trim_end_matches(['.', ',']);
        return (!addr.is_empty()).then(|| Identifier {
            scheme: IdScheme::Other(format!("digital_currency_address_{}", code.to_ascii_lowercase())),
            value: addr.to_string(),
            country: None,
        });
    }
    for &(label, key) in &label_index()[(first.to_ascii_uppercase() & 127) as usize] {
        let Some(rest) = strip_prefix_ci(st, label) else {
            continue;
        };
        if rest.chars().next().is_some_and(|c| c.is_alphanumeric()) {
            continue; // `RFC` must not match `RFCX`.
        }
        let (value, country) = id_value(rest)?;
        if key != "swift_bic" && !value.bytes().any(|b| b.is_ascii_digit()) {
            return None;
        }
        let (scheme, value) = match (key, strip_prefix_ci(&value, "IMO ")) {
            // `Vessel Registration Identification IMO  8730455` spacing.
            ("vessel_registration", Some(v)) => (IdScheme::Imo, v.trim().to_string()),
            _ => (scheme_for(key), value),
        };
        return Some(Identifier { scheme, value, country });
    }
    generic_identifier(st)
}

/// The value after a label, up to the issuing country in parentheses or a
/// lower-case note (`issued ...`, `expires ...`, `and ...`), and that
/// country: the last of the parenthesised groups right after the value
/// (`HRA 738077 (Stuttgart) (Germany)` gives `Germany`).
fn id_value(rest: &str) -> Option<(String, Option<String>)> {
    let rest = rest.trim_start_matches([' ', ':', '#', '.', '\t']);
    let mut end = 0;
    let mut pos = 0;
    for token in rest.split(' ') {
        let start = pos;
        pos += token.len() + 1;
        if token.is_empty() {
            continue;
        }
        if token.starts_with('(') || is_note_word(token) {
            break;
        }
        end = start + token.len();
    }
    let value = rest[..end].trim().trim_end_matches([',', '.', ';', ':']).trim();
    if value.is_empty() || value.len() > 64 || !value.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut after = rest[end..].trim_start();
    let mut country = None;
    while let Some(inner) = after.strip_prefix('(') {
        let Some(close) = inner.find(')') else {
            break;
        };
        let group = inner[..close].trim();
        if !group.is_empty() && !group.bytes().any(|b| b.is_ascii_digit()) {
            country = Some(group.to_string());
        }
        after = inner[close + 1..].trim_start();
    }
    Some((value.to_string(), country))
}

/// `issued`, `expires`, `and`, `under`: a lower-case word ends a value.
fn is_note_word(token: &str) -> bool {
    token.len() >= 2 && token.bytes().all(|b| b.is_ascii_lowercase())
}

/// `Label Value (Country)` with an unknown label: the label is the words
/// before the first word holding a digit, it starts with a capital letter,
/// is short and holds no punctuation a sentence would; the value holds a
/// digit; the issuing country must be given.
fn generic_identifier(st: &str) -> Option<Identifier> {
    if !st.as_bytes().first()?.is_ascii_uppercase() {
        return None;
    }
    let mut label_end = None;
    let mut pos = 0;
    for (i, token) in st.split(' ').enumerate() {
        if i > 6 {
            return None;
        }
        if token.bytes().any(|b| b.is_ascii_digit()) {
            label_end = Some(pos);
            break;
        }
        pos += token.len() + 1;
    }
    let label_end = label_end?;
    let label = st[..label_end].trim();
    if label.is_empty()
        || label.len() > 50
        || label.contains([',', ':', ';', '(', ')', '\''])
        || NOT_ID_LABELS.iter().any(|p| strip_prefix_ci(label, p).is_some())
    {
        return None;
    }
    let (value, country) = id_value(&st[label_end..])?;
    if !value.bytes().any(|b| b.is_ascii_digit()) || value.len() > 40 {
        return None;
    }
    let country = country?;
    Some(Identifier { scheme: IdScheme::parse(label), value, country: Some(country) })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_id(text: &str) -> Identifier {
        let f = parse_remarks(text);
        assert_eq!(f.identifiers.len(), 1, "{text}: {:?}", f.identifiers);
        f.identifiers.into_iter().next().unwrap()
    }

    fn id(scheme: IdScheme, value: &str, country: Option<&str>) -> Identifier {
        Identifier { scheme, value: value.to_string(), country: country.map(str::to_string) }
    }

    #[test]
    fn dob_forms() {
        let d = |s: &str| parse_remarks(s).birth_dates;
        assert_eq!(d("DOB 17 Jul 1966."), vec![BirthDate::ymd(1966, 7, 17)]);
        assert_eq!(d("DOB Jul 1966"), vec![BirthDate { month: Some(7), ..BirthDate::year(1966) }]);
        assert_eq!(d("DOB 1966"), vec![BirthDate::year(1966)]);
        assert_eq!(d("DOB circa 1960"), vec![BirthDate { circa: true, ..BirthDate::year(1960) }]);
        assert_eq!(d("DOB 1960 to 1962"), vec![BirthDate { to_year: Some(1962), ..BirthDate::year(1960) }]);
        assert_eq!(
            d("DOB 01 Jan 1961 to 31 Dec 1962"),
            vec![BirthDate { to_year: Some(1962), ..BirthDate::year(1961) }]
        );
        assert_eq!(d("DOB 01 Jan 1970 to 31 Dec 1970"), vec![BirthDate::year(1970)]);
        assert_eq!(d("DOB Mar 1962 to Feb 1963"), vec![BirthDate { to_year: Some(1963), ..BirthDate::year(1962) }]);
        assert_eq!(
            d("DOB circa 1979-1982"),
            vec![BirthDate { to_year: Some(1982), circa: true, ..BirthDate::year(1979) }]
        );
        assert_eq!(d("DOB circa 07 Jul 1966"), vec![BirthDate { circa: true, ..BirthDate::ymd(1966, 7, 7) }]);
        assert_eq!(
            d("DOB 04 Mar 1970; alt. DOB 1971; alt. DOB 04 Mar 1970."),
            vec![BirthDate::ymd(1970, 3, 4), BirthDate::year(1971)]
        );
        assert_eq!(d("DOB 10 October 1969"), vec![BirthDate::ymd(1969, 10, 10)]);
        assert!(d("DOB unknown; DOB 45 Jul 1966; DOB 12 Foo 1966; DOB 123").is_empty());
    }

    #[test]
    fn places_nationality_gender() {
        let f = parse_remarks(
            "DOB 1970; POB Uruapan, Michoacan, Mexico; alt. POB Tepic, Nayarit; nationality Mexico; \
             alt. nationality Guatemala; citizen Mexico; Gender Male; Citizen's Card Number 12345 (Ruritania).",
        );
        assert_eq!(f.birth_places, vec!["Uruapan, Michoacan, Mexico", "Tepic, Nayarit"]);
        assert_eq!(f.nationalities, vec!["Mexico", "Guatemala"]);
        assert_eq!(f.citizenships, vec!["Mexico"]);
        assert_eq!(f.gender.as_deref(), Some("Male"));
        assert_eq!(f.identifiers, vec![id(IdScheme::NationalId, "12345", Some("Ruritania"))]);
        let v = parse_remarks("Nationality of Registration Panama; nationality Peru");
        assert_eq!(v.nationalities, vec!["Peru"]);
    }

    #[test]
    fn identifier_forms() {
        assert_eq!(one_id("R.F.C. ZAPE-700101-AB1 (Mexico)"), id(IdScheme::Rfc, "ZAPE-700101-AB1", Some("Mexico")));
        assert_eq!(one_id("R.F.C. # ZAP-700101 (Mexico)."), id(IdScheme::Rfc, "ZAP-700101", Some("Mexico")));
        assert_eq!(one_id("RFC ZAPE700101 (Mexico)"), id(IdScheme::Rfc, "ZAPE700101", Some("Mexico")));
        assert_eq!(
            one_id("C.U.R.P. ZAPE700101HSLRRR09 (Mexico) issued 1990"),
            id(IdScheme::Curp, "ZAPE700101HSLRRR09", Some("Mexico"))
        );
        assert_eq!(
            one_id("Passport G 123456 issued 08 Sep 2006 expires 17 Jul 2011"),
            id(IdScheme::Passport, "G 123456", None)
        );
        assert_eq!(
            one_id("alt. Passport E590976 (Tunisia) issued 19 Jun 1987 expires 18 Jun 1992"),
            id(IdScheme::Passport, "E590976", Some("Tunisia"))
        );
        assert_eq!(one_id("Cedula No. 71234567 (Colombia)"), id(IdScheme::Cedula, "71234567", Some("Colombia")));
        assert_eq!(
            one_id("Folio Mercantil No. 12345 (Mexico) issued 14 Dec 2005"),
            id(IdScheme::FolioMercantil, "12345", Some("Mexico"))
        );
        assert_eq!(
            one_id("Electoral Registry No. 07385114 (Mexico)"),
            id(IdScheme::ElectoralRegistry, "07385114", Some("Mexico"))
        );
        assert_eq!(
            one_id("I.F.E. 05116040222575 (Mexico)"),
            id(IdScheme::ElectoralRegistry, "05116040222575", Some("Mexico"))
        );
        assert_eq!(one_id("NIT # 800123456-7 (Colombia)"), id(IdScheme::Nit, "800123456-7", Some("Colombia")));
        assert_eq!(one_id("Tax ID No. AABA 670850 Y"), id(IdScheme::TaxId, "AABA 670850 Y", None));
        assert_eq!(
            one_id("Registration Number HRA 738077 (Stuttgart) (Germany)"),
            id(IdScheme::Registration, "HRA 738077", Some("Germany"))
        );
        assert_eq!(one_id("Registration ID 14063277"), id(IdScheme::Registration, "14063277", None));
        assert_eq!(
            one_id("Business Registration Number 1037739709138 (Russia)"),
            id(IdScheme::Registration, "1037739709138", Some("Russia"))
        );
        assert_eq!(
            one_id("Company Number 01074897 (United Kingdom)"),
            id(IdScheme::Registration, "01074897", Some("United Kingdom"))
        );
        assert_eq!(one_id("National ID No. 216040 (Yemen)"), id(IdScheme::NationalId, "216040", Some("Yemen")));
        assert_eq!(one_id("D.N.I. 78.865.882 (Spain)"), id(IdScheme::NationalId, "78.865.882", Some("Spain")));
        assert_eq!(
            one_id("Identification Number AO 2879097 (Italy) expires 30 Oct 2012"),
            id(IdScheme::NationalId, "AO 2879097", Some("Italy"))
        );
        assert_eq!(one_id("Vessel Registration Identification IMO 9187629."), id(IdScheme::Imo, "9187629", None));
        assert_eq!(one_id("Vessel Registration Identification IMO  8730455"), id(IdScheme::Imo, "8730455", None));
        assert_eq!(
            one_id("Vessel Registration Identification 15411 (Malta)"),
            id(IdScheme::Other("vessel_registration".into()), "15411", Some("Malta"))
        );
        assert_eq!(one_id("Identification Number IMO 5848165"), id(IdScheme::Imo, "5848165", None));
        assert_eq!(one_id("MMSI 572469210"), id(IdScheme::Mmsi, "572469210", None));
        assert_eq!(
            one_id("SSN 123-45-6789 (United States)"),
            id(IdScheme::Other("ssn".into()), "123-45-6789", Some("United States"))
        );
        assert_eq!(
            one_id("Driver's License No. 180839 (Mexico)"),
            id(IdScheme::Other("drivers_license".into()), "180839", Some("Mexico"))
        );
        assert_eq!(
            one_id("Digital Currency Address - XBT 1FakeAddr9xyz."),
            id(IdScheme::Other("digital_currency_address_xbt".into()), "1FakeAddr9xyz", None)
        );
        assert_eq!(one_id("SWIFT/BIC FAKEMXMM"), id(IdScheme::Other("swift_bic".into()), "FAKEMXMM", None));
    }

    #[test]
    fn unknown_labels_become_other() {
        assert_eq!(
            one_id("Istanbul Chamber of Comm. No. 537070 (Turkey)"),
            id(IdScheme::Other("istanbul chamber of comm. no.".into()), "537070", Some("Turkey"))
        );
        assert_eq!(
            one_id("alt. Widget Permit 7A-99 (Ruritania) issued 2001"),
            id(IdScheme::Other("widget permit".into()), "7A-99", Some("Ruritania"))
        );
        // No country, no digit, sentence-like labels, dates and phones: not identifiers.
        for text in [
            "Widget Permit 7A-99",
            "Member of Parliament for Kilome (Kenya)",
            "Judge, Head of Tehran Revolutionary Court, Branch 15",
            "Organization Established Date 1969",
            "Telephone (98)(21)(66153220)",
            "Listing Date (EO 14024 Directive 2): 24 Feb 2022",
            "Commander of the 555th Regiment and Director (Ruritania)",
            "Passport issued in Sarajevo, Bosnia-Herzegovina",
            "Passport and National ID were issued in Ulm, Germany",
        ] {
            assert!(parse_remarks(text).identifiers.is_empty(), "{text}");
        }
    }

    #[test]
    fn aliases() {
        let f = parse_remarks(
            "a.k.a. 'El Flaco'; f.k.a. 'VIEJO NOMBRE S.A.'; n.k.a. 'NUEVO NOMBRE'; a.k.a. 'ABU 'ABDALLAH'; \
             a.k.a. ''EL DOBLE''; a.k.a. ''ABD AL-FALSO'; a.k.a. 'EL CORTADO",
        );
        assert_eq!(
            f.aliases,
            vec![
                ("El Flaco".to_string(), NameRole::WeakAlias),
                ("VIEJO NOMBRE S.A.".to_string(), NameRole::Fka),
                ("NUEVO NOMBRE".to_string(), NameRole::Nka),
                ("ABU 'ABDALLAH".to_string(), NameRole::WeakAlias),
                ("EL DOBLE".to_string(), NameRole::WeakAlias),
                ("'ABD AL-FALSO".to_string(), NameRole::WeakAlias),
            ]
        );
        let last = parse_remarks("DOB 1970; a.k.a. 'El Gordo'.");
        assert_eq!(last.aliases, vec![("El Gordo".to_string(), NameRole::WeakAlias)]);
    }

    #[test]
    fn linked_to() {
        let links = |s: &str| -> Vec<String> { parse_remarks(s).links.into_iter().map(|l| l.name).collect() };
        assert_eq!(links("Linked To: CARTEL DE PRUEBA DEL SUR."), vec!["CARTEL DE PRUEBA DEL SUR"]);
        assert_eq!(
            links("Linked To: EMPRESA UNO, S.A. DE C.V.; Linked To: GRUPO DOS, S.A.; Linked To: ORGANIZACION TRES."),
            vec!["EMPRESA UNO, S.A. DE C.V.", "GRUPO DOS, S.A.", "ORGANIZACION TRES"]
        );
        assert_eq!(links("Linked To: EMPRESA UNO, S.A. DE C.V."), vec!["EMPRESA UNO, S.A. DE C.V."]);
        assert_eq!(links("Linked To: FAKE TRADING CO., LTD."), vec!["FAKE TRADING CO., LTD."]);
        assert_eq!(links("Linked To: GANADERA S. DE P.R. DE R.L."), vec!["GANADERA S. DE P.R. DE R.L."]);
        assert_eq!(links("Linked To: ZETA TCO."), vec!["ZETA TCO"]);
        assert_eq!(links("Linked To: FAKE TANKER COMPANY."), vec!["FAKE TANKER COMPANY"]);
        assert_eq!(links("Linked To: FAKE LLC."), vec!["FAKE LLC"]);
        assert_eq!(links("Linked To: A; Linked To: A"), vec!["A"]);
    }

    #[test]
    fn other_statements() {
        let f = parse_remarks(
            "Secondary sanctions risk: section 1(b) of Executive Order 13224, as amended by Executive Order 13886; \
             Website www.fake-example.mx; alt. Website http://fake.example; Email Address x@fake.example; \
             Email:y@fake.example; Organization Type: Transnational Terrorist Group; Target Type Criminal Organization; \
             Listing Date (EO 14024 Directive 2): 24 Feb 2022; Executive Order 13662 Directive Determination.",
        );
        assert_eq!(
            f.secondary_sanctions_risk,
            vec!["section 1(b) of Executive Order 13224, as amended by Executive Order 13886"]
        );
        assert_eq!(f.websites, vec!["www.fake-example.mx", "http://fake.example"]);
        assert_eq!(f.emails, vec!["x@fake.example", "y@fake.example"]);
        let p = parse_remarks("Phone Number 982188526300; alt. Telephone: +52 33 1234 5678; Fax 1.");
        assert_eq!(p.phones, vec!["982188526300", "+52 33 1234 5678"]);
        assert_eq!(f.organization_types, vec!["Transnational Terrorist Group"]);
        assert_eq!(f.target_types, vec!["Criminal Organization"]);
        assert_eq!(f.kind_hint(), Some(EntityKind::Organization));
        assert!(f.identifiers.is_empty() && f.birth_dates.is_empty());
        let c = parse_remarks("Organization Type: Activities of holding companies");
        assert_eq!(c.kind_hint(), Some(EntityKind::Company));
        assert_eq!(parse_remarks("Target Type Private Company.").kind_hint(), Some(EntityKind::Company));
        assert_eq!(parse_remarks("DOB 1970").kind_hint(), None);
    }

    #[test]
    fn legal_abbreviations_end_names() {
        assert!(ends_with_legal_abbreviation("X S.A."));
        assert!(ends_with_legal_abbreviation("X INC."));
        assert!(!ends_with_legal_abbreviation("X GROUP."));
        assert!(!ends_with_legal_abbreviation("X LTD"));
        assert!(!ends_with_legal_abbreviation("."));
        assert!(ends_with_legal_abbreviation("X CO., LTD."));
        assert!(ends_with_legal_abbreviation("X L.L.C."));
        assert!(!ends_with_legal_abbreviation("X COMPANY."));
        assert!(!ends_with_legal_abbreviation("X LIMITED."));
        assert!(!ends_with_legal_abbreviation("X LLC."));
    }

    #[test]
    fn apply_merges_without_duplicates() {
        let mut e = Entity::new("ofac-1", "us_ofac_sdn", EntityKind::Person);
        e.add_name("FALSO PEREZ, Juan", NameRole::Primary);
        e.add_name("El Flaco", NameRole::Aka);
        let f = parse_remarks(
            "DOB 1970; alt. DOB 1970; a.k.a. 'El Flaco'; a.k.a. 'Juanito'; R.F.C. FAPJ-700101-AB1 (Mexico); \
             alt. R.F.C. FAPJ700101AB1 (Mexico); Gender Male.",
        );
        apply(f.clone(), &mut e);
        apply(f, &mut e);
        assert_eq!(e.birth_dates, vec![BirthDate::year(1970)]);
        assert_eq!(e.identifiers.len(), 1);
        assert_eq!(e.names.len(), 3);
        assert_eq!(e.names[1].role, NameRole::Aka);
        assert_eq!(e.names[2].role, NameRole::WeakAlias);
        assert_eq!(e.gender.as_deref(), Some("Male"));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        for s in [
            "",
            ";",
            ";;;",
            ".",
            "a.k.a.",
            "a.k.a. '",
            "a.k.a. ''",
            "DOB",
            "DOB ",
            "Linked To:",
            "Linked To: .",
            "Passport",
            "Passport (",
            "Passport 1 (",
            "R.F.C. ñ1 (México)",
            "DOB circa",
            "DOB 1 to",
            "ÉDOB 1966",
            "Digital Currency Address -",
            "Digital Currency Address - XBT",
            "Z 1 (",
            "Label 9 ()",
        ] {
            let _ = parse_remarks(s);
        }
    }

    proptest::proptest! {
        #[test]
        fn parse_remarks_never_panics(s in "\\PC*") {
            let _ = parse_remarks(&s);
        }

        #[test]
        fn parse_remarks_never_panics_on_remark_like_text(
            parts in proptest::collection::vec(
                "(alt\\. )?(DOB|POB|a\\.k\\.a\\.|Linked To:|Passport|R\\.F\\.C\\.|Label|nationality|Website|Digital Currency Address -)? ?[ -~éñ]{0,30}",
                0..8,
            )
        ) {
            let text = parts.join("; ");
            let _ = parse_remarks(&text);
            let _ = parse_remarks(&format!("{text}."));
        }
    }
}
