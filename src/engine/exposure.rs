//! Indirect exposure: a counterparty that is on no list but shares an
//! identifier, a phone, an e-mail, a website or an address with an entry
//! tied to a cartel.
//!
//! Front companies are replaced faster than lists are updated; the new one
//! often keeps the old one's telephone, RFC, web domain or office. Those
//! facts are on the SDN list (remarks `Phone Number`, `Email Address`,
//! `Website`, `R.F.C.`; `add.csv` addresses), so a counterparty that shares
//! one with a tied entry is worth an analyst's look even when its name
//! matches nothing. Only entries tied to a cartel (see
//! [`crate::engine::network`]) are indexed: sharing a phone with any listed
//! entry is not this signal.
//!
//! Comparison keys:
//! - identifiers (RFC, CURP, passport…): letters and digits, upper case
//!   ([`crate::engine::model::identifier_key`]), at least 4 characters;
//! - e-mail: the address, lower case;
//! - website: lower case, without scheme, `www.` and trailing `/`;
//! - phone: its last 10 digits (a Mexican national number is 10 digits,
//!   so `+52 33 1234 5678` and `(33) 1234-5678` agree); fewer than 10
//!   digits is not compared;
//! - address: see [`AddressKey`].

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::engine::model::{identifier_key, Address, Entity};
use crate::engine::network::{CartelTie, Network};
use crate::engine::normalize::fold;

/// What a counterparty shares with a tied entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shared {
    /// An identity or registration number (RFC, CURP, passport…).
    Identifier,
    /// A telephone number.
    Phone,
    /// An e-mail address.
    Email,
    /// A website.
    Website,
    /// A street address.
    Address,
}

impl Shared {
    /// As the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Shared::Identifier => "identifier",
            Shared::Phone => "phone",
            Shared::Email => "email",
            Shared::Website => "website",
            Shared::Address => "address",
        }
    }
}

/// One shared fact: the counterparty's value, the tied entry's, and the
/// entry with its cartel ties.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Exposure {
    /// What is shared.
    pub shared: Shared,
    /// The counterparty's value, as submitted.
    pub value: String,
    /// The tied entry's value, as its list writes it.
    pub entry_value: String,
    /// The tied entry's id.
    pub entity_id: String,
    /// Its primary name.
    pub caption: String,
    /// Its list's dataset name.
    pub list: String,
    /// How the entry is tied to a cartel (at least one).
    pub cartel_ties: Vec<CartelTie>,
}

/// An address reduced to what identifies a place: the street line's words
/// and numbers, and the colonia, city and postal code that confirm it.
///
/// Rules (Mexican forms, after accents and case are folded): the markers
/// `Calle`/`C.`, `Avenida`/`Av.`/`Ave.` (kept as `av`), `Núm.`/`No.`/`#`,
/// `Colonia`/`Col.`, `C.P.`/`Código Postal`, `Int.`/`Ext.`, and the words
/// `de`, `del`, `la`, `las`, `los`, `el`, `y` are dropped; a single letter is
/// dropped. The street line is the first comma-separated part of the
/// street; the other parts (colonia, building) and the city are the
/// confirming words; a five-digit number anywhere is a postal code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressKey {
    /// Words of the street line.
    pub street_words: Vec<String>,
    /// Numbers of the street line.
    pub street_numbers: Vec<String>,
    /// Words of the colonia, building and city.
    pub place_words: Vec<String>,
    /// Five-digit postal codes.
    pub postal_codes: Vec<String>,
}

const DROPPED: [&str; 24] = [
    "calle", "avenida", "ave", "numero", "num", "no", "nro", "colonia", "col", "cp", "codigo", "postal", "int",
    "interior", "ext", "exterior", "de", "del", "la", "las", "los", "el", "y", "sn",
];
/// City words too common to confirm a place.
const GENERIC_PLACE: [&str; 10] = ["mexico", "mx", "df", "cdmx", "ciudad", "city", "estado", "state", "edo", "mex"];

fn address_tokens(s: &str) -> Vec<String> {
    let (folded, _) = fold(s);
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(|t| if t == "avenida" || t == "ave" { "av".to_string() } else { t.to_string() })
        .filter(|t| t.len() > 1 || t.bytes().all(|b| b.is_ascii_digit()))
        .filter(|t| !DROPPED.contains(&t.as_str()))
        .collect()
}

impl AddressKey {
    /// The key of a listed address: `street` (its first comma part is the
    /// street line) and `city`. `None` when the street line has no number
    /// or no word: such an address cannot name one place.
    pub fn of_listed(a: &Address) -> Option<AddressKey> {
        let street = a.street.as_deref()?;
        let mut parts = street.split(',');
        let line = address_tokens(parts.next().unwrap_or(""));
        let mut key = AddressKey::default();
        for t in line {
            if t.bytes().all(|b| b.is_ascii_digit()) {
                if t.len() == 5 {
                    key.postal_codes.push(t.clone());
                }
                key.street_numbers.push(t);
            } else {
                key.street_words.push(t);
            }
        }
        let rest: Vec<&str> = parts.chain(a.city.as_deref()).collect();
        for t in address_tokens(&rest.join(" ")) {
            if t.bytes().all(|b| b.is_ascii_digit()) {
                if t.len() == 5 {
                    key.postal_codes.push(t);
                }
            } else if !GENERIC_PLACE.contains(&t.as_str()) {
                key.place_words.push(t);
            }
        }
        (!key.street_words.is_empty() && !key.street_numbers.is_empty()).then_some(key)
    }

    /// Whether a submitted address (its tokens) names this place: every
    /// word and number of the street line is in it, and so is a postal
    /// code or a confirming word (when the listed address has any).
    fn matches(&self, tokens: &[String]) -> bool {
        let has = |t: &String| tokens.contains(t);
        self.street_words.iter().all(has)
            && self.street_numbers.iter().all(has)
            && ((self.place_words.is_empty() && self.postal_codes.is_empty())
                || self.postal_codes.iter().any(has)
                || self.place_words.iter().any(has))
    }
}

/// The comparison keys of a submitted identifier: its identifier key, and
/// its e-mail, website or phone key when it reads as one.
fn query_keys(raw: &str) -> Vec<(Shared, String)> {
    let mut keys = Vec::new();
    let t = raw.trim();
    if t.contains('@') {
        keys.push((Shared::Email, t.to_lowercase()));
        return keys;
    }
    if let Some(p) = phone_key(t) {
        keys.push((Shared::Phone, p));
    }
    if !t.contains(' ') && t.contains('.') && t.chars().any(|c| c.is_ascii_alphabetic()) {
        keys.push((Shared::Website, website_key(t)));
    }
    let k = identifier_key(t);
    if k.len() >= 4 {
        keys.push((Shared::Identifier, k));
    }
    keys
}

fn website_key(s: &str) -> String {
    let s = s.trim().to_lowercase();
    let s = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://")).unwrap_or(&s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    s.trim_end_matches('/').to_string()
}

/// The last 10 digits of a text made of digits and phone punctuation
/// only; `None` when it has other characters or fewer than 10 digits.
fn phone_key(s: &str) -> Option<String> {
    if !s.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
        return None;
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 10).then(|| digits[digits.len() - 10..].to_string())
}

/// Contact and address keys of every entry tied to a cartel.
#[derive(Debug, Default)]
pub struct ExposureIndex {
    /// (what, key) → (entity index, the entry's value).
    contacts: FxHashMap<(Shared, String), Vec<(u32, String)>>,
    /// A street-line number → (entity index, key, the address as listed).
    addresses: FxHashMap<String, Vec<(u32, AddressKey, String)>>,
}

impl ExposureIndex {
    /// Indexes the entries `network` ties to a cartel (the cartels' own
    /// entries included).
    pub fn build(entities: &[Entity], network: &Network) -> ExposureIndex {
        let mut ix = ExposureIndex::default();
        for (i, _) in network.tied() {
            let e = &entities[i as usize];
            let mut add = |what: Shared, key: String, value: &str| {
                let v = ix.contacts.entry((what, key)).or_default();
                if !v.iter().any(|(j, _)| *j == i) {
                    v.push((i, value.to_string()));
                }
            };
            for id in &e.identifiers {
                let k = id.key();
                if k.len() >= 4 {
                    add(Shared::Identifier, k, &id.value);
                }
            }
            for m in &e.emails {
                add(Shared::Email, m.trim().to_lowercase(), m);
            }
            for w in &e.websites {
                add(Shared::Website, website_key(w), w);
            }
            for p in &e.phones {
                if let Some(k) = phone_key(p) {
                    add(Shared::Phone, k, p);
                }
            }
            for a in &e.addresses {
                if let Some(key) = AddressKey::of_listed(a) {
                    let shown = [a.street.as_deref(), a.city.as_deref(), a.country.as_deref()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(", ");
                    ix.addresses.entry(key.street_numbers[0].clone()).or_default().push((i, key, shown));
                }
            }
        }
        ix
    }

    /// Keys indexed: (contact keys, addresses).
    pub fn len(&self) -> (usize, usize) {
        (self.contacts.len(), self.addresses.values().map(Vec::len).sum())
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.contacts.is_empty() && self.addresses.is_empty()
    }

    /// What the counterparty's `identifiers` and `address` share with tied
    /// entries, in that order, each entry and fact once.
    pub fn find(
        &self,
        identifiers: &[String],
        address: Option<&str>,
        entities: &[Entity],
        network: &Network,
    ) -> Vec<Exposure> {
        let mut out: Vec<Exposure> = Vec::new();
        let mut push = |shared: Shared, value: &str, i: u32, entry_value: &str| {
            let e = &entities[i as usize];
            if out.iter().any(|x| x.shared == shared && x.entity_id == e.id) {
                return;
            }
            out.push(Exposure {
                shared,
                value: value.to_string(),
                entry_value: entry_value.to_string(),
                entity_id: e.id.clone(),
                caption: e.caption().to_string(),
                list: e.list.clone(),
                cartel_ties: network.ties_of(i).to_vec(),
            });
        };
        for raw in identifiers {
            for key in query_keys(raw) {
                for (i, v) in self.contacts.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                    push(key.0, raw, *i, v);
                }
            }
        }
        if let Some(a) = address {
            let tokens = address_tokens(a);
            for t in tokens.iter().filter(|t| t.bytes().all(|b| b.is_ascii_digit())) {
                for (i, key, shown) in self.addresses.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                    if key.matches(&tokens) {
                        push(Shared::Address, a, *i, shown);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(street: &str, city: &str) -> Address {
        Address { street: Some(street.into()), city: Some(city.into()), country: Some("Mexico".into()) }
    }

    fn toks(s: &str) -> Vec<String> {
        address_tokens(s)
    }

    #[test]
    fn mexican_address_forms_reduce_to_one_key() {
        let k = AddressKey::of_listed(&addr("Calle Emerson No. 148 Piso 7", "Mexico, D.F. 11570")).unwrap();
        assert_eq!(k.street_words, ["emerson", "piso"]);
        assert_eq!(k.street_numbers, ["148", "7"]);
        assert_eq!(k.postal_codes, ["11570"]);
        assert!(k.matches(&toks("C. Emerson Núm. 148, piso 7, C.P. 11570, CDMX")));
        assert!(k.matches(&toks("Emerson #148 Piso 7 Polanco 11570")));
        assert!(!k.matches(&toks("Emerson 148 Piso 7, CDMX")), "no postal code or place word");
        assert!(!k.matches(&toks("Emerson 184 Piso 7, 11570")), "another number");
        let a = AddressKey::of_listed(&addr("Avenida Adolfo Prieto 1649, Colonia del Valle", "Mexico City")).unwrap();
        assert_eq!(a.place_words, ["valle"]);
        assert!(a.matches(&toks("Av. Adolfo Prieto #1649, Col. Del Valle, Ciudad de México")));
        assert!(!a.matches(&toks("Av. Adolfo Prieto #1649, Col. Narvarte")));
    }

    #[test]
    fn an_address_without_number_or_street_names_no_place() {
        assert_eq!(AddressKey::of_listed(&addr("Colonia Centro", "Culiacan, Sinaloa")), None);
        assert_eq!(AddressKey::of_listed(&addr("148", "Culiacan")), None);
        assert_eq!(AddressKey::of_listed(&Address { street: None, city: Some("X".into()), country: None }), None);
    }

    #[test]
    fn identifiers_are_read_as_phones_mails_and_sites() {
        assert_eq!(
            query_keys("+52 (33) 1234-5678"),
            [(Shared::Phone, "3312345678".into()), (Shared::Identifier, "523312345678".into())]
        );
        assert_eq!(query_keys("Ventas@Fake.Example"), [(Shared::Email, "ventas@fake.example".into())]);
        assert_eq!(query_keys("https://www.fake-example.mx/")[0], (Shared::Website, "fake-example.mx".into()));
        assert_eq!(query_keys("CORA-650228-4Q0"), [(Shared::Identifier, "CORA6502284Q0".into())]);
        assert_eq!(phone_key("12345"), None);
        assert_eq!(phone_key("33 1234 5678 ext"), None);
    }
}
