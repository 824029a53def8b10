//! Counterparties that are on no list: Mexican persons and companies, and a
//! few US persons, spelled the way customer records spell them. Every alert
//! on one of them is a false positive.
//!
//! The names are drawn from the tables in [`super::names`]; a draw can by
//! chance resemble a listed name (these are common names), which is what a
//! real customer base looks like too.

use std::collections::HashSet;

use super::names::{
    self, BRAND_HEADS, BRAND_TAILS, BUSINESS_WORDS, MX_CITIES, MX_REGIONS, MX_STATES, PRODUCTS, SHOP_NAMES,
};
use super::{fold, Case, Rng};
use crate::engine::model::EntityKind;

pub const NEG_PERSON_MX: &str = "neg_person_mx";
pub const NEG_COMPANY_MX: &str = "neg_company_mx";
pub const NEG_PERSON_US: &str = "neg_person_us";

/// `n` counterparties that must not alert (`expected` empty): about 55%
/// Mexican persons, 37% Mexican companies and 8% US persons, classed
/// [`NEG_PERSON_MX`], [`NEG_COMPANY_MX`] and [`NEG_PERSON_US`]. Names are
/// distinct (ignoring case and accents) as long as the tables allow.
pub fn negative_cases(n: usize, seed: u64) -> Vec<Case> {
    let mut rng = Rng::derive(seed, &[0x4E45_4741_5449_5645]);
    let mut seen: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(n);
    let max_attempts = n.saturating_mul(20).max(1000);
    let mut attempts = 0usize;
    while out.len() < n {
        attempts += 1;
        let case = match rng.weighted_index(&[55, 37, 8]) {
            0 => mx_person_case(&mut rng),
            1 => mx_company_case(&mut rng),
            _ => us_person_case(&mut rng),
        };
        let key: String = fold(&case.name).to_lowercase().split_whitespace().collect();
        if seen.insert(key) || attempts > max_attempts {
            out.push(case);
        }
    }
    out
}

fn mx_person_case(rng: &mut Rng) -> Case {
    let name = mx_person_name(rng);
    let dob = rng.chance(0.35).then(|| random_dob(rng));
    let country = (dob.is_some() || rng.chance(0.15)).then(|| "MX".to_string());
    Case {
        name,
        kind: rng.chance(0.7).then_some(EntityKind::Person),
        country,
        dob,
        identifier: None,
        expected: Vec::new(),
        class: NEG_PERSON_MX.to_string(),
    }
}

fn mx_company_case(rng: &mut Rng) -> Case {
    let name = mx_company_name(rng);
    Case {
        name,
        kind: rng.chance(0.7).then_some(EntityKind::Company),
        country: rng.chance(0.25).then(|| "MX".to_string()),
        dob: None,
        identifier: None,
        expected: Vec::new(),
        class: NEG_COMPANY_MX.to_string(),
    }
}

fn us_person_case(rng: &mut Rng) -> Case {
    let given = rng.weighted(names::US_GIVEN);
    let surname = rng.weighted(names::US_SURNAMES);
    let middle = rng.chance(0.25).then(|| rng.pick(&['A', 'B', 'C', 'D', 'E', 'J', 'L', 'M', 'R', 'S', 'T', 'W']));
    let natural = match middle {
        Some(m) => format!("{given} {m}. {surname}"),
        None => format!("{given} {surname}"),
    };
    let name = match rng.weighted_index(&[55, 15, 15, 15]) {
        0 => natural,
        1 => format!("{}, {}", surname.to_uppercase(), given.to_uppercase()),
        2 => natural.to_uppercase(),
        _ => format!("{surname}, {given}"),
    };
    let dob = rng.chance(0.3).then(|| random_dob(rng));
    Case {
        name,
        kind: rng.chance(0.7).then_some(EntityKind::Person),
        country: rng.chance(0.4).then(|| "US".to_string()),
        dob,
        identifier: None,
        expected: Vec::new(),
        class: NEG_PERSON_US.to_string(),
    }
}

/// A date of birth between 1940 and 2004, most often around 1970:
/// `YYYY-MM-DD`, sometimes the year alone.
pub(crate) fn random_dob(rng: &mut Rng) -> String {
    let spread = (rng.unit() + rng.unit()) / 2.0;
    let year = 1940 + (spread * 65.0) as i32;
    let year = year.clamp(1940, 2004);
    if rng.chance(0.08) {
        return format!("{year:04}");
    }
    let month = rng.range(1, 12) as u32;
    let days = match month {
        2 if year % 4 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    let day = rng.range(1, days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A Mexican person's name as a record writes it: one or two given names,
/// usually two surnames, accents most of the time, sometimes in capitals or
/// in `SURNAME SURNAME, Given` order.
pub(crate) fn mx_person_name(rng: &mut Rng) -> String {
    let table = if rng.chance(0.5) { names::MX_GIVEN_MALE } else { names::MX_GIVEN_FEMALE };
    let first = rng.weighted(table);
    let mut given = first.to_string();
    if !first.contains(' ') && rng.chance(0.4) {
        let second = rng.weighted(table);
        if second != first && !second.contains(' ') {
            given = format!("{first} {second}");
        }
    }
    let s1 = rng.weighted(names::MX_SURNAMES);
    let mut surnames = s1.to_string();
    if rng.chance(0.9) {
        let mut s2 = rng.weighted(names::MX_SURNAMES);
        if s2 == s1 && rng.chance(0.85) {
            s2 = rng.weighted(names::MX_SURNAMES);
        }
        surnames = format!("{s1} {s2}");
    }
    let text = match rng.weighted_index(&[75, 20, 5]) {
        0 => format!("{given} {surnames}"),
        1 => format!("{surnames}, {given}"),
        _ => format!("{surnames} {given}"),
    };
    finish(text, 0.8, &[65, 32, 3], rng)
}

/// Writes accents with probability `accents`, then applies title (as
/// built), upper or lower case by `case_weights`.
fn finish(text: String, accents: f64, case_weights: &[u32; 3], rng: &mut Rng) -> String {
    let text = if rng.chance(accents) { text } else { fold(&text) };
    match rng.weighted_index(case_weights) {
        0 => text,
        1 => text.to_uppercase(),
        _ => text.to_lowercase(),
    }
}

/// An invented brand-like word: `Servimex`, `Agrosur`, `Tecnoplus`.
fn brand(rng: &mut Rng) -> String {
    let head = rng.pick(BRAND_HEADS);
    let tail = rng.pick(BRAND_TAILS);
    format!("{head}{tail}")
}

fn surname(rng: &mut Rng) -> &'static str {
    rng.weighted(names::MX_SURNAMES)
}

/// A distinctive word for a trade name.
fn word(rng: &mut Rng) -> String {
    match rng.weighted_index(&[50, 30, 20]) {
        0 => rng.pick(BUSINESS_WORDS).to_string(),
        1 => brand(rng),
        _ => surname(rng).to_string(),
    }
}

fn given_short(rng: &mut Rng) -> &'static str {
    let table = if rng.chance(0.5) { names::MX_GIVEN_MALE } else { names::MX_GIVEN_FEMALE };
    rng.weighted(table)
}

/// A shop's name: `La Güera`, a saint, a given name.
fn shop(rng: &mut Rng) -> String {
    match rng.weighted_index(&[55, 25, 20]) {
        0 => rng.pick(SHOP_NAMES).to_string(),
        1 => given_short(rng).to_string(),
        _ => rng.pick(BUSINESS_WORDS).to_string(),
    }
}

/// Which legal forms a kind of business carries.
#[derive(Clone, Copy)]
enum Forms {
    /// Most companies: S.A. de C.V., S. de R.L. de C.V., sometimes none.
    Company,
    /// Developers and builders: often S.A.P.I. de C.V.
    Investment,
    /// Professional firms: S.C.
    Civil,
    /// Farms: S.P.R. de R.L.
    Rural,
    /// Corner shops: usually none.
    Shop,
}

fn legal_form(forms: Forms, rng: &mut Rng) -> Option<&'static str> {
    const COMPANY: &[(&str, u32)] = &[
        ("S.A. de C.V.", 40),
        ("S. de R.L. de C.V.", 14),
        ("S.A.P.I. de C.V.", 5),
        ("SA DE CV", 8),
        ("SA de CV", 3),
        ("S.A.", 2),
        ("", 25),
    ];
    const INVESTMENT: &[(&str, u32)] = &[("S.A.P.I. de C.V.", 40), ("S.A. de C.V.", 35), ("SAPI DE CV", 5), ("", 20)];
    const CIVIL: &[(&str, u32)] = &[("S.C.", 60), ("SC", 10), ("S.A. de C.V.", 10), ("", 20)];
    const RURAL: &[(&str, u32)] = &[
        ("S.P.R. de R.L.", 45),
        ("S.P.R. de R.L. de C.V.", 15),
        ("S.P.R. de R.I.", 10),
        ("S.A. de C.V.", 10),
        ("", 20),
    ];
    const SHOP: &[(&str, u32)] = &[("", 80), ("S.A. de C.V.", 12), ("S. de R.L. de C.V.", 8)];
    let table = match forms {
        Forms::Company => COMPANY,
        Forms::Investment => INVESTMENT,
        Forms::Civil => CIVIL,
        Forms::Rural => RURAL,
        Forms::Shop => SHOP,
    };
    let form = rng.weighted(table);
    (!form.is_empty()).then_some(form)
}

/// A Mexican trade name with its legal form, as a record writes it.
pub(crate) fn mx_company_name(rng: &mut Rng) -> String {
    const SERVICE_KINDS: &[&str] = &[
        "Administrativos",
        "Contables",
        "Logísticos",
        "Profesionales",
        "Industriales",
        "Médicos",
        "Turísticos",
        "Aduanales",
        "Portuarios",
        "Agrícolas",
    ];
    let (core, forms) = match rng.weighted_index(&[10, 6, 9, 9, 9, 8, 7, 5, 6, 5, 6, 7, 7, 8]) {
        0 => {
            let s = surname(rng);
            let core = match rng.below(4) {
                0 => format!("Transportes {s} Hermanos"),
                1 => format!("Transportes {s} e Hijos"),
                _ => format!("Transportes {s}"),
            };
            (core, Forms::Company)
        }
        1 => {
            let core = if rng.chance(0.5) {
                format!("Autotransportes {} del {}", word(rng), rng.pick(MX_REGIONS))
            } else {
                format!("Autotransportes {} de {}", surname(rng), rng.pick(MX_CITIES))
            };
            (core, Forms::Company)
        }
        2 => {
            let core = if rng.chance(0.6) {
                format!("Comercializadora {} del {}", word(rng), rng.pick(MX_REGIONS))
            } else {
                format!("Comercializadora {}", brand(rng))
            };
            (core, Forms::Company)
        }
        3 => {
            let core = match rng.below(3) {
                0 => format!("Grupo {} {}", surname(rng), surname(rng)),
                1 => format!("Grupo {}", brand(rng)),
                _ => format!("Grupo Empresarial {}", word(rng)),
            };
            (core, Forms::Company)
        }
        4 => {
            let core = if rng.chance(0.6) {
                format!("Distribuidora de {} de {}", rng.pick(PRODUCTS), rng.pick(MX_CITIES))
            } else {
                format!("Distribuidora de {} {}", rng.pick(PRODUCTS), word(rng))
            };
            (core, Forms::Company)
        }
        5 => {
            let core = if rng.chance(0.5) {
                format!("Servicios Integrales {}", word(rng))
            } else {
                format!("Servicios {} de {}", rng.pick(SERVICE_KINDS), rng.pick(MX_CITIES))
            };
            (core, Forms::Company)
        }
        6 => {
            let core = match rng.below(3) {
                0 => format!("Constructora {}", word(rng)),
                1 => format!("Constructora y Edificadora {}", brand(rng)),
                _ => format!("Constructora {} {}", surname(rng), surname(rng)),
            };
            (core, Forms::Investment)
        }
        7 => {
            let place = match rng.below(4) {
                0 => rng.pick(BUSINESS_WORDS).to_string(),
                1 => format!("Valle de {}", rng.pick(MX_CITIES)),
                2 => format!("Los {}", rng.pick(&["Nogales", "Pinos", "Sauces", "Mezquites", "Olivos"])),
                _ => format!("{} de {}", rng.pick(&["Rancho", "Hacienda", "Huertas"]), word(rng)),
            };
            (format!("Agrícola {place}"), Forms::Rural)
        }
        8 => {
            let core = match rng.below(4) {
                0 => format!("{} y Asociados", surname(rng)),
                1 => format!("{} {} y Asociados", surname(rng), surname(rng)),
                2 => format!("Despacho {} {}", surname(rng), surname(rng)),
                _ => format!("Consultores {} {}", surname(rng), surname(rng)),
            };
            (core, Forms::Civil)
        }
        9 => (format!("Abarrotes {}", shop(rng)), Forms::Shop),
        10 => {
            let core = if rng.chance(0.6) {
                format!("Farmacia {}", shop(rng))
            } else {
                format!("Farmacias {} de {}", word(rng), rng.pick(MX_STATES))
            };
            let forms = if core.starts_with("Farmacias") { Forms::Company } else { Forms::Shop };
            (core, forms)
        }
        11 => {
            let core = match rng.below(3) {
                0 => format!("Inmobiliaria {}", word(rng)),
                1 => format!("Inmobiliaria {} de {}", word(rng), rng.pick(MX_CITIES)),
                _ => format!("Desarrollos Inmobiliarios {}", word(rng)),
            };
            (core, Forms::Investment)
        }
        12 => match rng.below(5) {
            0 => (format!("Ferretería {}", shop(rng)), Forms::Shop),
            1 => (format!("Materiales para Construcción {}", surname(rng)), Forms::Company),
            2 => (format!("Tortillería {}", shop(rng)), Forms::Shop),
            3 => (format!("Panadería {}", shop(rng)), Forms::Shop),
            _ => (format!("Taller Mecánico {}", given_short(rng)), Forms::Shop),
        },
        _ => match rng.below(8) {
            0 => (format!("Logística {} del {}", brand(rng), rng.pick(MX_REGIONS)), Forms::Company),
            1 => (format!("Importadora y Exportadora {}", brand(rng)), Forms::Company),
            2 => (format!("Empacadora {} de {}", word(rng), rng.pick(MX_STATES)), Forms::Company),
            3 => (format!("Productos Lácteos {}", word(rng)), Forms::Company),
            4 => (format!("Laboratorios {}", brand(rng)), Forms::Company),
            5 => (format!("Hotel {} de {}", word(rng), rng.pick(MX_CITIES)), Forms::Company),
            6 => (format!("Restaurante {}", shop(rng)), Forms::Shop),
            _ => (format!("Clínica {}", word(rng)), Forms::Company),
        },
    };
    let text = match legal_form(forms, rng) {
        Some(form) if rng.chance(0.4) => format!("{core}, {form}"),
        Some(form) => format!("{core} {form}"),
        None => core,
    };
    finish(text, 0.8, &[62, 35, 3], rng)
}
