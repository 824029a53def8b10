//! Which column holds what: header names recognised in English or Spanish,
//! whatever their case, accents, punctuation or camelCase, or named by the
//! caller.

use serde::Serialize;

/// What a column may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The counterparty's whole name.
    Name,
    /// Given names, when the name is split over several columns.
    GivenName,
    /// A surname (paternal, maternal, or all of them).
    Surname,
    Kind,
    Country,
    Dob,
    Identifier,
    Address,
    Reference,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::GivenName => "given name",
            Field::Surname => "surname",
            Field::Kind => "type",
            Field::Country => "country",
            Field::Dob => "dob",
            Field::Identifier => "identifier",
            Field::Address => "address",
            Field::Reference => "reference",
        }
    }
}

/// Words dropped from header keys: `fecha de nacimiento` and `fecha
/// nacimiento` are the same column.
const STOPWORDS: &[&str] = &["de", "del", "la", "el", "los", "las", "o", "y", "e", "of", "the", "or", "and"];

/// Recognised headers, as keys (see [`header_key`]), with the field and a
/// rank: when several columns hold the same field, the lower rank is tried
/// first.
const SYNONYMS: &[(&str, Field, u8)] = &[
    // The whole name, whoever the party is.
    ("nombre razon social", Field::Name, 0),
    ("razon social nombre", Field::Name, 0),
    ("nombre completo", Field::Name, 0),
    ("nombre completo razon social", Field::Name, 0),
    ("nombre apellidos", Field::Name, 0),
    ("full name", Field::Name, 0),
    ("fullname", Field::Name, 0),
    ("name company name", Field::Name, 0),
    ("nombre denominacion", Field::Name, 0),
    ("nombre denominacion razon social", Field::Name, 0),
    // A company's legal name.
    ("razon social", Field::Name, 1),
    ("razonsocial", Field::Name, 1),
    ("razon social cliente", Field::Name, 1),
    ("razon social proveedor", Field::Name, 1),
    ("denominacion", Field::Name, 1),
    ("denominacion social", Field::Name, 1),
    ("denominacion razon social", Field::Name, 1),
    ("company name", Field::Name, 1),
    ("company", Field::Name, 1),
    ("legal name", Field::Name, 1),
    ("business name", Field::Name, 1),
    ("entity name", Field::Name, 1),
    ("organization name", Field::Name, 1),
    ("organisation name", Field::Name, 1),
    ("empresa", Field::Name, 1),
    ("nombre empresa", Field::Name, 1),
    // A name column of no particular kind.
    ("name", Field::Name, 2),
    ("nombre", Field::Name, 2),
    ("nombres", Field::Name, 2),
    ("customer name", Field::Name, 2),
    ("client name", Field::Name, 2),
    ("supplier name", Field::Name, 2),
    ("vendor name", Field::Name, 2),
    ("counterparty", Field::Name, 2),
    ("counterparty name", Field::Name, 2),
    ("party name", Field::Name, 2),
    ("beneficiary", Field::Name, 2),
    ("beneficiary name", Field::Name, 2),
    ("account name", Field::Name, 2),
    ("account holder", Field::Name, 2),
    ("nombre cliente", Field::Name, 2),
    ("nombre proveedor", Field::Name, 2),
    ("nombre beneficiario", Field::Name, 2),
    ("nombre titular", Field::Name, 2),
    ("nombre contraparte", Field::Name, 2),
    ("contraparte", Field::Name, 2),
    ("beneficiario", Field::Name, 2),
    ("titular", Field::Name, 2),
    // A trade name: the last resort.
    ("nombre comercial", Field::Name, 3),
    ("trade name", Field::Name, 3),
    ("dba", Field::Name, 3),
    ("doing business as", Field::Name, 3),
    // A name in parts.
    ("first name", Field::GivenName, 0),
    ("firstname", Field::GivenName, 0),
    ("given name", Field::GivenName, 0),
    ("given names", Field::GivenName, 0),
    ("forename", Field::GivenName, 0),
    ("primer nombre", Field::GivenName, 0),
    ("middle name", Field::GivenName, 1),
    ("segundo nombre", Field::GivenName, 1),
    ("apellido paterno", Field::Surname, 0),
    ("primer apellido", Field::Surname, 0),
    ("paterno", Field::Surname, 0),
    ("apellido materno", Field::Surname, 1),
    ("segundo apellido", Field::Surname, 1),
    ("materno", Field::Surname, 1),
    ("apellidos", Field::Surname, 0),
    ("apellido", Field::Surname, 0),
    ("last name", Field::Surname, 0),
    ("lastname", Field::Surname, 0),
    ("surname", Field::Surname, 0),
    ("family name", Field::Surname, 0),
    // Kind.
    ("type", Field::Kind, 0),
    ("tipo", Field::Kind, 0),
    ("tipo persona", Field::Kind, 0),
    ("persona", Field::Kind, 0),
    ("entity type", Field::Kind, 0),
    ("party type", Field::Kind, 0),
    ("person type", Field::Kind, 0),
    ("kind", Field::Kind, 0),
    ("tipo entidad", Field::Kind, 0),
    ("tipo contribuyente", Field::Kind, 0),
    // Country.
    ("country", Field::Country, 0),
    ("pais", Field::Country, 0),
    ("country code", Field::Country, 0),
    ("codigo pais", Field::Country, 0),
    ("clave pais", Field::Country, 0),
    ("pais residencia", Field::Country, 1),
    ("country residence", Field::Country, 1),
    ("nacionalidad", Field::Country, 2),
    ("nationality", Field::Country, 2),
    ("citizenship", Field::Country, 2),
    ("ciudadania", Field::Country, 2),
    ("pais origen", Field::Country, 3),
    ("country origin", Field::Country, 3),
    ("country incorporation", Field::Country, 3),
    ("pais constitucion", Field::Country, 3),
    ("pais nacimiento", Field::Country, 4),
    ("country birth", Field::Country, 4),
    // Date of birth.
    ("dob", Field::Dob, 0),
    ("date birth", Field::Dob, 0),
    ("birth date", Field::Dob, 0),
    ("birthdate", Field::Dob, 0),
    ("birthday", Field::Dob, 0),
    ("fecha nacimiento", Field::Dob, 0),
    ("fecha nac", Field::Dob, 0),
    ("fec nac", Field::Dob, 0),
    ("f nacimiento", Field::Dob, 0),
    ("nacimiento", Field::Dob, 0),
    ("fecha nacimiento dd mm aaaa", Field::Dob, 0),
    ("fecha nacimiento aaaa mm dd", Field::Dob, 0),
    // Identifiers: every column found is used.
    ("rfc", Field::Identifier, 0),
    ("curp", Field::Identifier, 0),
    ("id", Field::Identifier, 0),
    ("identificador", Field::Identifier, 0),
    ("identifier", Field::Identifier, 0),
    ("identification", Field::Identifier, 0),
    ("identificacion", Field::Identifier, 0),
    ("tax id", Field::Identifier, 0),
    ("taxid", Field::Identifier, 0),
    ("tax id number", Field::Identifier, 0),
    ("tin", Field::Identifier, 0),
    ("nit", Field::Identifier, 0),
    ("passport", Field::Identifier, 0),
    ("passport number", Field::Identifier, 0),
    ("passport no", Field::Identifier, 0),
    ("pasaporte", Field::Identifier, 0),
    ("numero pasaporte", Field::Identifier, 0),
    ("no pasaporte", Field::Identifier, 0),
    ("rfc homoclave", Field::Identifier, 0),
    ("rfc con homoclave", Field::Identifier, 0),
    ("rfc cliente", Field::Identifier, 0),
    ("rfc proveedor", Field::Identifier, 0),
    ("curp cliente", Field::Identifier, 0),
    ("national id", Field::Identifier, 0),
    ("ine", Field::Identifier, 0),
    ("ife", Field::Identifier, 0),
    ("clave elector", Field::Identifier, 0),
    ("cedula", Field::Identifier, 0),
    ("id number", Field::Identifier, 0),
    ("numero identificacion", Field::Identifier, 0),
    ("ssn", Field::Identifier, 0),
    ("ein", Field::Identifier, 0),
    ("imo", Field::Identifier, 0),
    ("registration number", Field::Identifier, 0),
    ("folio mercantil", Field::Identifier, 0),
    ("vat", Field::Identifier, 0),
    ("vat number", Field::Identifier, 0),
    ("lei", Field::Identifier, 0),
    // Address.
    ("address", Field::Address, 0),
    ("domicilio", Field::Address, 0),
    ("direccion", Field::Address, 0),
    ("domicilio fiscal", Field::Address, 0),
    ("domicilio completo", Field::Address, 0),
    ("direccion completa", Field::Address, 0),
    ("full address", Field::Address, 0),
    ("street address", Field::Address, 0),
    ("registered address", Field::Address, 0),
    // The caller's own reference.
    ("reference", Field::Reference, 0),
    ("ref", Field::Reference, 0),
    ("referencia", Field::Reference, 0),
    ("id cliente", Field::Reference, 0),
    ("idcliente", Field::Reference, 0),
    ("cliente", Field::Reference, 0),
    ("cliente id", Field::Reference, 0),
    ("numero cliente", Field::Reference, 0),
    ("num cliente", Field::Reference, 0),
    ("no cliente", Field::Reference, 0),
    ("clave", Field::Reference, 0),
    ("clave cliente", Field::Reference, 0),
    ("clave proveedor", Field::Reference, 0),
    ("id proveedor", Field::Reference, 0),
    ("numero proveedor", Field::Reference, 0),
    ("customer id", Field::Reference, 0),
    ("customerid", Field::Reference, 0),
    ("customer number", Field::Reference, 0),
    ("customer no", Field::Reference, 0),
    ("client id", Field::Reference, 0),
    ("supplier id", Field::Reference, 0),
    ("vendor id", Field::Reference, 0),
    ("counterparty id", Field::Reference, 0),
    ("record id", Field::Reference, 0),
    ("external id", Field::Reference, 0),
    ("codigo cliente", Field::Reference, 0),
    ("codigo", Field::Reference, 1),
    ("folio", Field::Reference, 1),
];

/// The form headers are compared in: accents dropped, lower case, camelCase
/// split, punctuation as spaces, and small words (`de`, `of`, `o`...)
/// dropped. `Fecha de Nacimiento` → `fecha nacimiento`; `id_cliente` →
/// `id cliente`; `Nombre(s)` → `nombres`; `Nº Cliente` → `no cliente`.
pub fn header_key(header: &str) -> String {
    let h = header.trim().trim_start_matches('\u{feff}').replace("(s)", "s").replace("(S)", "S");
    // Split camelCase before case is lost: `razonSocial`, `CustomerID`.
    let mut split = String::with_capacity(h.len() + 4);
    let mut prev: Option<char> = None;
    for c in h.chars() {
        if let Some(p) = prev {
            if c.is_uppercase() && p.is_lowercase() {
                split.push(' ');
            }
        }
        split.push(match c {
            '°' | 'º' => 'o',
            _ => c,
        });
        prev = Some(c);
    }
    let folded = deunicode::deunicode(&split).to_lowercase();
    let spaced: String = folded.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    spaced.split_whitespace().filter(|w| !STOPWORDS.contains(w)).collect::<Vec<_>>().join(" ")
}

/// The field a header names, and its rank among columns of that field.
pub fn classify(header: &str) -> Option<(Field, u8)> {
    let key = header_key(header);
    SYNONYMS.iter().find(|(k, _, _)| *k == key).map(|&(_, f, r)| (f, r))
}

/// Columns named by the caller, by header (compared as [`header_key`]s
/// when not exact) or by 1-based position. An empty string turns the
/// field off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnOverrides {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub country: Option<String>,
    pub dob: Option<String>,
    /// Replaces every identifier column found when not empty.
    pub ids: Vec<String>,
    pub address: Option<String>,
    pub reference: Option<String>,
}

/// Where each field is read from (0-based column positions).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    /// Whole-name columns, best first; the first that is not empty in a
    /// row is the name.
    pub name: Vec<usize>,
    /// Given-name and surname columns joined, in that order, when every
    /// whole-name column is empty.
    pub given: Vec<usize>,
    pub surnames: Vec<usize>,
    pub kind: Option<usize>,
    /// Best first; the first that is not empty is used.
    pub country: Vec<usize>,
    pub dob: Option<usize>,
    pub ids: Vec<usize>,
    pub address: Option<usize>,
    pub reference: Option<usize>,
}

/// Why a header cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    #[error("no name column in the header (columns: {}); name one `name`, `nombre` or `razón social`, or pass --name-col", list(.headers))]
    NoNameColumn { headers: Vec<String> },
    #[error("--{flag} `{wanted}`: no such column (columns: {})", list(.headers))]
    UnknownColumn { flag: &'static str, wanted: String, headers: Vec<String> },
}

fn list(headers: &[String]) -> String {
    if headers.is_empty() {
        return "none".into();
    }
    let shown: Vec<String> = headers.iter().take(30).map(|h| format!("`{h}`")).collect();
    let more = if headers.len() > 30 { format!(" and {} more", headers.len() - 30) } else { String::new() };
    format!("{}{more}", shown.join(", "))
}

fn resolve(flag: &'static str, wanted: &str, headers: &[String]) -> Result<Option<usize>, MappingError> {
    if wanted.trim().is_empty() {
        return Ok(None);
    }
    if let Some(i) = headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == wanted.trim()) {
        return Ok(Some(i));
    }
    let key = header_key(wanted);
    if let Some(i) = headers.iter().position(|h| header_key(h) == key) {
        return Ok(Some(i));
    }
    if let Ok(n) = wanted.trim().trim_start_matches('#').parse::<usize>() {
        if (1..=headers.len()).contains(&n) {
            return Ok(Some(n - 1));
        }
    }
    Err(MappingError::UnknownColumn { flag, wanted: wanted.to_string(), headers: headers.to_vec() })
}

impl ColumnMap {
    /// Maps `headers`, then applies the caller's `overrides`.
    ///
    /// # Errors
    ///
    /// [`MappingError`] when no column holds names, or an override names a column the header lacks.
    pub fn build(headers: &[String], overrides: &ColumnOverrides) -> Result<ColumnMap, MappingError> {
        let mut found: Vec<(Field, u8, usize)> =
            headers.iter().enumerate().filter_map(|(i, h)| classify(h).map(|(f, r)| (f, r, i))).collect();
        found.sort();
        let of = |field: Field| found.iter().filter(move |(f, _, _)| *f == field).map(|&(_, r, i)| (r, i));
        let mut m = ColumnMap {
            name: of(Field::Name).map(|(_, i)| i).collect(),
            given: of(Field::GivenName).map(|(_, i)| i).collect(),
            surnames: of(Field::Surname).map(|(_, i)| i).collect(),
            kind: of(Field::Kind).map(|(_, i)| i).next(),
            country: of(Field::Country).map(|(_, i)| i).collect(),
            dob: of(Field::Dob).map(|(_, i)| i).next(),
            ids: {
                let mut v: Vec<usize> = of(Field::Identifier).map(|(_, i)| i).collect();
                v.sort_unstable();
                v
            },
            address: of(Field::Address).map(|(_, i)| i).next(),
            reference: of(Field::Reference).map(|(_, i)| i).next(),
        };
        // Surnames in their own columns: a bare `nombre`/`name` column
        // holds the given names.
        if !m.surnames.is_empty() && m.given.is_empty() {
            let bare = |i: &usize| matches!(header_key(&headers[*i]).as_str(), "nombre" | "nombres" | "name");
            if let Some(pos) = m.name.iter().position(bare) {
                m.given.push(m.name.remove(pos));
            }
        }
        if m.given.is_empty() {
            // Surnames alone are no name.
            m.surnames.clear();
        }
        if let Some(w) = &overrides.name {
            m.name = resolve("name-col", w, headers)?.into_iter().collect();
            m.given.clear();
            m.surnames.clear();
        }
        if let Some(w) = &overrides.kind {
            m.kind = resolve("type-col", w, headers)?;
        }
        if let Some(w) = &overrides.country {
            m.country = resolve("country-col", w, headers)?.into_iter().collect();
        }
        if let Some(w) = &overrides.dob {
            m.dob = resolve("dob-col", w, headers)?;
        }
        if !overrides.ids.is_empty() {
            m.ids.clear();
            for w in &overrides.ids {
                if let Some(i) = resolve("id-col", w, headers)? {
                    if !m.ids.contains(&i) {
                        m.ids.push(i);
                    }
                }
            }
        }
        if let Some(w) = &overrides.address {
            m.address = resolve("address-col", w, headers)?;
        }
        if let Some(w) = &overrides.reference {
            m.reference = resolve("ref-col", w, headers)?;
        }
        if m.name.is_empty() && m.given.is_empty() {
            return Err(MappingError::NoNameColumn { headers: headers.to_vec() });
        }
        Ok(m)
    }

    /// Field → header names, for reports (`name ← Razón social, Nombre`).
    pub fn describe(&self, headers: &[String]) -> Vec<(String, Vec<String>)> {
        let names = |v: &[usize]| v.iter().map(|&i| headers[i].trim_start_matches('\u{feff}').to_string()).collect();
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        let mut push = |label: &str, v: Vec<usize>| {
            if !v.is_empty() {
                out.push((label.to_string(), names(&v)));
            }
        };
        push("name", self.name.clone());
        push("given_names", self.given.clone());
        push("surnames", self.surnames.clone());
        push("type", self.kind.into_iter().collect());
        push("country", self.country.clone());
        push("dob", self.dob.into_iter().collect());
        push("identifiers", self.ids.clone());
        push("address", self.address.into_iter().collect());
        push("reference", self.reference.into_iter().collect());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keys() {
        assert_eq!(header_key("Fecha de Nacimiento"), "fecha nacimiento");
        assert_eq!(header_key("  RAZÓN_SOCIAL "), "razon social");
        assert_eq!(header_key("\u{feff}Nombre o Razón Social"), "nombre razon social");
        assert_eq!(header_key("Nombre/Razón social"), "nombre razon social");
        assert_eq!(header_key("id_cliente"), "id cliente");
        assert_eq!(header_key("Nombre(s)"), "nombres");
        assert_eq!(header_key("Nº Cliente"), "no cliente");
        assert_eq!(header_key("customerName"), "customer name");
        assert_eq!(header_key("CustomerID"), "customer id");
        assert_eq!(header_key("PAÍS"), "pais");
        assert_eq!(header_key("Número de cliente"), "numero cliente");
    }

    #[test]
    fn english_and_spanish_headers() {
        let m = ColumnMap::build(
            &h(&["Customer ID", "Full Name", "Type", "Country", "Date of Birth", "Tax ID", "Passport", "Address"]),
            &ColumnOverrides::default(),
        )
        .unwrap();
        assert_eq!(m.reference, Some(0));
        assert_eq!(m.name, vec![1]);
        assert_eq!(m.kind, Some(2));
        assert_eq!(m.country, vec![3]);
        assert_eq!(m.dob, Some(4));
        assert_eq!(m.ids, vec![5, 6]);
        assert_eq!(m.address, Some(7));
        let m = ColumnMap::build(
            &h(&[
                "Clave",
                "Nombre o razón social",
                "Tipo de persona",
                "País",
                "Fecha de nacimiento",
                "RFC",
                "CURP",
                "Domicilio",
            ]),
            &ColumnOverrides::default(),
        )
        .unwrap();
        assert_eq!((m.reference, m.name.clone(), m.kind, m.dob), (Some(0), vec![1], Some(2), Some(4)));
        assert_eq!(m.country, vec![3]);
        assert_eq!(m.ids, vec![5, 6]);
        assert_eq!(m.address, Some(7));
    }

    #[test]
    fn legal_name_before_a_plain_name_and_nationality_after_country() {
        let m = ColumnMap::build(&h(&["Nombre", "Nacionalidad", "Razón Social", "País"]), &ColumnOverrides::default())
            .unwrap();
        assert_eq!(m.name, vec![2, 0]);
        assert_eq!(m.country, vec![3, 1]);
    }

    #[test]
    fn names_split_over_columns() {
        let m = ColumnMap::build(
            &h(&["Nombre(s)", "Apellido paterno", "Apellido materno", "Razón social"]),
            &ColumnOverrides::default(),
        )
        .unwrap();
        assert_eq!(m.name, vec![3]);
        assert_eq!(m.given, vec![0]);
        assert_eq!(m.surnames, vec![1, 2]);
        let m = ColumnMap::build(&h(&["First Name", "Middle Name", "Last Name"]), &ColumnOverrides::default()).unwrap();
        assert!(m.name.is_empty());
        assert_eq!(m.given, vec![0, 1]);
        assert_eq!(m.surnames, vec![2]);
    }

    #[test]
    fn no_name_column() {
        let e = ColumnMap::build(&h(&["Apellido paterno", "RFC", "País"]), &ColumnOverrides::default()).unwrap_err();
        assert!(matches!(e, MappingError::NoNameColumn { .. }));
        assert!(e.to_string().contains("`RFC`"), "{e}");
        assert!(ColumnMap::build(&[], &ColumnOverrides::default()).is_err());
    }

    #[test]
    fn overrides() {
        let headers = h(&["Proveedor", "Pais", "Tipo", "Doc 1", "Doc 2", "Notas"]);
        assert!(ColumnMap::build(&headers, &ColumnOverrides::default()).is_err());
        let o = ColumnOverrides {
            name: Some("proveedor".into()),
            kind: Some(String::new()),
            ids: vec!["Doc 1".into(), "5".into()],
            reference: Some("#6".into()),
            ..ColumnOverrides::default()
        };
        let m = ColumnMap::build(&headers, &o).unwrap();
        assert_eq!(m.name, vec![0]);
        assert_eq!(m.kind, None);
        assert_eq!(m.country, vec![1]);
        assert_eq!(m.ids, vec![3, 4]);
        assert_eq!(m.reference, Some(5));
        let o = ColumnOverrides { name: Some("Nombre".into()), ..ColumnOverrides::default() };
        let e = ColumnMap::build(&headers, &o).unwrap_err();
        assert!(e.to_string().contains("--name-col `Nombre`"), "{e}");
    }

    #[test]
    fn every_synonym_is_its_own_key() {
        for (k, _, _) in SYNONYMS {
            assert_eq!(header_key(k), *k, "synonym `{k}` is not in key form");
        }
        let mut keys: Vec<&str> = SYNONYMS.iter().map(|s| s.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "a synonym is listed twice");
    }

    proptest! {
        #[test]
        fn case_accents_and_separators_do_not_matter(
            i in 0usize..SYNONYMS.len(),
            upper in any::<bool>(),
            sep in prop::sample::select(vec![" ", "_", "-", ".", "  ", " / "]),
            pad in prop::sample::select(vec!["", " ", "\u{feff}", "\t"]),
        ) {
            let (key, field, rank) = SYNONYMS[i];
            let accented = key.replace("razon", "razón").replace("pais", "país").replace("numero", "número");
            let mut header = accented.split(' ').collect::<Vec<_>>().join(sep);
            if upper {
                header = header.to_uppercase();
            }
            let header = format!("{pad}{header}");
            prop_assert_eq!(classify(&header), Some((field, rank)));
        }

        #[test]
        fn mapping_never_panics(headers in proptest::collection::vec("\\PC{0,20}", 0..12)) {
            let _ = ColumnMap::build(&headers, &ColumnOverrides::default());
        }

        #[test]
        fn a_name_column_is_found_wherever_it_is(
            others in proptest::collection::vec("[a-z]{3,10}x", 0..8),
            at in 0usize..9,
            name in prop::sample::select(vec!["Nombre", "NAME", "Razón Social", "razon_social", "Nombre o razón social", "Full name", "Company Name", "denominación"]),
        ) {
            let mut headers = others.clone();
            let at = at.min(headers.len());
            headers.insert(at, name.to_string());
            let m = ColumnMap::build(&headers, &ColumnOverrides::default()).unwrap();
            prop_assert_eq!(m.name, vec![at]);
        }
    }
}
