//! Counterparty files as a compliance team would feed `cartelscreen batch`:
//! Mexican and US persons and companies with a customer number, type,
//! country, date of birth, RFC and address, and a small share of rows that
//! are listed names or their variants.
//!
//! Rows are produced one at a time from one [`Rng`] stream, so a million
//! rows take no more memory than one, and a seed always gives the same file.

use std::io::{self, Write};

use super::names::{self, MX_CITIES, MX_STATES};
use super::negatives::{mx_company_name, mx_person_name, random_dob};
use super::{fold, Case, Rng};
use crate::engine::model::EntityKind;

/// The language of the header and of the type and country cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HeaderLang {
    En,
    /// Spanish, as a Mexican ERP exports it.
    #[default]
    Es,
    /// Spanish and English headers side by side.
    Mixed,
}

impl std::str::FromStr for HeaderLang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "en" | "english" => Ok(HeaderLang::En),
            "es" | "spanish" | "español" => Ok(HeaderLang::Es),
            "mixed" | "mix" => Ok(HeaderLang::Mixed),
            _ => Err(format!("unknown header language `{s}` (use en, es or mixed)")),
        }
    }
}

impl HeaderLang {
    pub fn header(self) -> [&'static str; 7] {
        match self {
            HeaderLang::En => ["customer_id", "name", "type", "country", "date_of_birth", "tax_id", "address"],
            HeaderLang::Es => [
                "id_cliente",
                "Nombre o razón social",
                "Tipo de persona",
                "País",
                "Fecha de nacimiento",
                "RFC",
                "Domicilio",
            ],
            HeaderLang::Mixed => ["Customer ID", "Razón Social", "type", "País", "DOB", "RFC", "Address"],
        }
    }

    fn spanish_cells(self) -> bool {
        self != HeaderLang::En
    }
}

/// The cells of one row, in [`HeaderLang::header`] order.
pub type Row = [String; 7];

/// Draws counterparty rows; see the module documentation.
pub struct Counterparties<'a> {
    rng: Rng,
    /// Listed names and their variants, drawn with probability `listed`.
    pool: &'a [Case],
    listed: f64,
    lang: HeaderLang,
    next: u64,
}

impl<'a> Counterparties<'a> {
    pub fn new(seed: u64, pool: &'a [Case], listed: f64, lang: HeaderLang) -> Self {
        Counterparties { rng: Rng::derive(seed, &[0x434F_554E_5445_5250]), pool, listed, lang, next: 1 }
    }

    fn reference(&self, n: u64) -> String {
        match self.lang {
            HeaderLang::En => format!("C{n:08}"),
            _ => format!("CLI-{n:08}"),
        }
    }

    fn kind_cell(&mut self, kind: Option<EntityKind>) -> String {
        let person = match kind {
            Some(EntityKind::Person) => true,
            Some(EntityKind::Company | EntityKind::Organization) => false,
            _ => return String::new(),
        };
        // Some records leave the type out.
        if self.rng.chance(0.05) {
            return String::new();
        }
        let s = match (self.lang.spanish_cells(), person) {
            (true, true) => "Persona Física",
            (true, false) => "Persona Moral",
            (false, true) => "person",
            (false, false) => "company",
        };
        s.to_string()
    }

    fn country_cell(&mut self, iso: Option<&str>) -> String {
        let Some(iso) = iso else { return String::new() };
        let forms: &[&str] = match (iso, self.lang.spanish_cells()) {
            ("MX", true) => &["MX", "México", "MEXICO", "Mexico"],
            ("MX", false) => &["MX", "Mexico", "MEX"],
            ("US", true) => &["US", "Estados Unidos", "EUA", "USA"],
            ("US", false) => &["US", "USA", "United States"],
            (other, _) => return other.to_string(),
        };
        self.rng.pick(forms).to_string()
    }

    fn dob_cell(&mut self, dob: Option<&str>) -> String {
        let Some(d) = dob else { return String::new() };
        // `YYYY-MM-DD`: Spanish files write `DD/MM/YYYY`.
        match d.split('-').collect::<Vec<_>>().as_slice() {
            [y, m, day] if self.lang.spanish_cells() => format!("{day}/{m}/{y}"),
            _ => d.to_string(),
        }
    }

    fn mx_address(&mut self) -> String {
        const STREETS: &[&str] = &[
            "Av. Juárez",
            "Calle Hidalgo",
            "Av. Insurgentes Sur",
            "Calle Morelos",
            "Blvd. Benito Juárez",
            "Av. Revolución",
            "Calle 5 de Mayo",
            "Av. Vallarta",
            "Calzada Independencia",
            "Calle Zaragoza",
            "Av. Constitución",
            "Privada Los Pinos",
        ];
        const COLONIAS: &[&str] =
            &["Centro", "Del Valle", "Las Américas", "Industrial", "Jardines del Sol", "San Rafael", "Moderna"];
        let street = self.rng.pick(STREETS);
        let number = self.rng.range(1, 4999);
        let colonia = self.rng.pick(COLONIAS);
        let city = self.rng.pick(MX_CITIES);
        let state = self.rng.pick(MX_STATES);
        let cp = self.rng.range(1000, 99999);
        // Some records keep the line breaks typed in the address box.
        let sep = if self.rng.chance(0.03) { "\n" } else { ", " };
        let country = if self.rng.chance(0.6) { ", México" } else { "" };
        format!("{street} {number}{sep}Col. {colonia}, C.P. {cp:05}, {city}, {state}{country}")
    }

    fn us_address(&mut self) -> String {
        const STREETS: &[&str] = &["Main St", "Oak Ave", "Commerce Blvd", "Industrial Pkwy", "Elm St", "Market St"];
        const CITIES: &[(&str, &str)] = &[
            ("Houston", "TX"),
            ("Laredo", "TX"),
            ("El Paso", "TX"),
            ("San Diego", "CA"),
            ("Los Angeles", "CA"),
            ("Phoenix", "AZ"),
            ("Tucson", "AZ"),
            ("Chicago", "IL"),
            ("Miami", "FL"),
        ];
        let (city, state) = self.rng.pick(CITIES);
        let n = self.rng.range(10, 9999);
        let zip = self.rng.range(10000, 99999);
        format!("{n} {}, {city}, {state} {zip}, USA", self.rng.pick(STREETS))
    }

    /// An RFC-shaped string (letters from the name, the date, a random
    /// three-character homoclave): right in form, on no list.
    fn rfc(&mut self, name: &str, person: bool, dob: Option<&str>) -> String {
        let upper = fold(name).to_uppercase();
        let words = |s: &str| -> Vec<String> {
            s.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() > 1).map(str::to_string).collect()
        };
        let letters: String = if person {
            // First surname's initial and first inner vowel, second
            // surname's initial, first given name's initial.
            let (surnames, given) = match upper.split_once(',') {
                Some((s, g)) => (words(s), words(g)),
                None => {
                    let w = words(&upper);
                    let cut = w.len().saturating_sub(2).max(1).min(w.len());
                    (w[cut..].to_vec(), w[..cut].to_vec())
                }
            };
            let first = |v: &[String]| v.first().and_then(|w| w.chars().next()).unwrap_or('X');
            let vowel = surnames.first().and_then(|w| w.chars().skip(1).find(|c| "AEIOU".contains(*c))).unwrap_or('X');
            let second = surnames.get(1).and_then(|w| w.chars().next()).unwrap_or('X');
            [first(&surnames), vowel, second, first(&given)].iter().collect()
        } else {
            upper.chars().filter(|c| c.is_ascii_alphabetic()).take(3).collect()
        };
        let date = match dob.map(|d| d.split('-').collect::<Vec<_>>()) {
            Some(p) if p.len() == 3 && p[0].len() == 4 => format!("{}{}{}", &p[0][2..], p[1], p[2]),
            _ => format!("{:02}{:02}{:02}", self.rng.range(0, 99), self.rng.range(1, 12), self.rng.range(1, 28)),
        };
        const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
        let homoclave: String = (0..3).map(|_| *self.rng.choose(ALNUM).unwrap_or(&b'A') as char).collect();
        format!("{letters}{date}{homoclave}")
    }

    fn us_company_name(&mut self) -> String {
        const HEADS: &[&str] = &["Summit", "Lone Star", "Pacific", "Gateway", "Border", "Eagle", "Liberty", "Frontier"];
        const TRADES: &[&str] = &[
            "Logistics",
            "Freight",
            "Trucking",
            "Produce",
            "Imports",
            "Steel Supply",
            "Auto Parts",
            "Distributors",
            "Holdings",
            "Packaging",
        ];
        const FORMS: &[&str] = &["LLC", "Inc.", "Corp.", "Co.", "L.L.C.", "INC"];
        let head = if self.rng.chance(0.5) {
            self.rng.weighted(names::US_SURNAMES).to_string()
        } else {
            self.rng.pick(HEADS).to_string()
        };
        let name = match self.rng.below(3) {
            0 => format!("{head} {} {}", self.rng.pick(TRADES), self.rng.pick(FORMS)),
            1 => format!("{head} & Sons {} {}", self.rng.pick(TRADES), self.rng.pick(FORMS)),
            _ => format!("{head} {}", self.rng.pick(TRADES)),
        };
        if self.rng.chance(0.3) {
            name.to_uppercase()
        } else {
            name
        }
    }

    fn us_person_name(&mut self) -> String {
        let given = self.rng.weighted(names::US_GIVEN);
        let surname = self.rng.weighted(names::US_SURNAMES);
        match self.rng.weighted_index(&[60, 25, 15]) {
            0 => format!("{given} {surname}"),
            1 => format!("{}, {}", surname.to_uppercase(), given.to_uppercase()),
            _ => format!("{given} {} {surname}", self.rng.pick(&['A', 'J', 'M', 'R', 'T'])),
        }
    }

    fn listed_row(&mut self, reference: String) -> Option<Row> {
        let case = self.rng.choose(self.pool)?.clone();
        let kind = self.kind_cell(case.kind);
        let country = self.country_cell(case.country.as_deref());
        let dob = self.dob_cell(case.dob.as_deref());
        let address = match case.country.as_deref() {
            Some("MX") if self.rng.chance(0.5) => self.mx_address(),
            _ => String::new(),
        };
        Some([reference, case.name, kind, country, dob, case.identifier.unwrap_or_default(), address])
    }

    fn unlisted_row(&mut self, reference: String) -> Row {
        // 50% Mexican persons, 35% Mexican companies, 8% US persons, 7% US
        // companies.
        match self.rng.weighted_index(&[50, 35, 8, 7]) {
            0 => {
                let name = mx_person_name(&mut self.rng);
                let dob = self.rng.chance(0.6).then(|| random_dob(&mut self.rng));
                let rfc = if self.rng.chance(0.7) { self.rfc(&name, true, dob.as_deref()) } else { String::new() };
                let country = self.rng.chance(0.8).then_some("MX");
                let address = if self.rng.chance(0.7) { self.mx_address() } else { String::new() };
                let kind = self.kind_cell(Some(EntityKind::Person));
                let country = self.country_cell(country);
                let dob = self.dob_cell(dob.as_deref());
                [reference, name, kind, country, dob, rfc, address]
            }
            1 => {
                let name = mx_company_name(&mut self.rng);
                let rfc = if self.rng.chance(0.85) { self.rfc(&name, false, None) } else { String::new() };
                let country = self.rng.chance(0.8).then_some("MX");
                let address = if self.rng.chance(0.8) { self.mx_address() } else { String::new() };
                let kind = self.kind_cell(Some(EntityKind::Company));
                let country = self.country_cell(country);
                [reference, name, kind, country, String::new(), rfc, address]
            }
            2 => {
                let name = self.us_person_name();
                let dob = self.rng.chance(0.4).then(|| random_dob(&mut self.rng));
                let address = if self.rng.chance(0.6) { self.us_address() } else { String::new() };
                let kind = self.kind_cell(Some(EntityKind::Person));
                let country = self.country_cell(Some("US"));
                let dob = self.dob_cell(dob.as_deref());
                [reference, name, kind, country, dob, String::new(), address]
            }
            _ => {
                let name = self.us_company_name();
                let address = if self.rng.chance(0.7) { self.us_address() } else { String::new() };
                let kind = self.kind_cell(Some(EntityKind::Company));
                let country = self.country_cell(Some("US"));
                [reference, name, kind, country, String::new(), String::new(), address]
            }
        }
    }
}

impl Iterator for Counterparties<'_> {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        let n = self.next;
        self.next += 1;
        let reference = self.reference(n);
        if !self.pool.is_empty() && self.rng.chance(self.listed) {
            if let Some(row) = self.listed_row(reference.clone()) {
                return Some(row);
            }
        }
        Some(self.unlisted_row(reference))
    }
}

/// Writes a header and `rows` rows as CSV (comma-separated, quoted as
/// needed, UTF-8), streaming.
///
/// # Errors
///
/// The writer's I/O error.
pub fn write_counterparties<W: Write>(w: W, rows: u64, gen: Counterparties<'_>) -> io::Result<()> {
    let lang = gen.lang;
    let mut out = csv::WriterBuilder::new().buffer_capacity(256 << 10).from_writer(w);
    out.write_record(lang.header())?;
    for row in gen.take(rows as usize) {
        out.write_record(&row)?;
    }
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Vec<Case> {
        vec![Case {
            name: "Listed Person Variant".into(),
            kind: Some(EntityKind::Person),
            country: Some("MX".into()),
            dob: Some("1966-07-17".into()),
            identifier: Some("ABCD660717XY1".into()),
            expected: vec!["x".into()],
            class: "exact".into(),
        }]
    }

    #[test]
    fn deterministic_and_streamed() {
        let p = pool();
        let write = |seed| {
            let mut buf = Vec::new();
            write_counterparties(&mut buf, 2000, Counterparties::new(seed, &p, 0.01, HeaderLang::Es)).unwrap();
            String::from_utf8(buf).unwrap()
        };
        let a = write(7);
        assert_eq!(a, write(7));
        assert_ne!(a, write(8));
        let mut r = csv::Reader::from_reader(a.as_bytes());
        assert_eq!(r.headers().unwrap().get(1), Some("Nombre o razón social"));
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(rows.len(), 2000);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.len(), 7);
            assert_eq!(&row[0], format!("CLI-{:08}", i + 1));
            assert!(!row[1].trim().is_empty());
        }
        let listed = rows.iter().filter(|r| &r[1] == "Listed Person Variant").count();
        assert!((5..=50).contains(&listed), "{listed} listed rows");
        assert!(rows.iter().any(|r| &r[2] == "Persona Moral"));
        assert!(rows.iter().any(|r| r[6].contains('\n')), "some addresses hold a line break");
    }

    #[test]
    fn english_cells() {
        let rows: Vec<Row> = Counterparties::new(1, &[], 0.0, HeaderLang::En).take(500).collect();
        assert!(rows.iter().all(|r| r[2].is_empty() || r[2] == "person" || r[2] == "company"));
        assert!(rows.iter().any(|r| r[3] == "US"));
        assert!(rows.iter().filter(|r| !r[4].is_empty()).all(|r| r[4].len() == 10 || r[4].len() == 4));
        assert_eq!(rows[0][0], "C00000001");
    }
}
