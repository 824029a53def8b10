//! Spelling variants of listed names: what a counterparty record, a clerk or
//! an evader would write for a listed party, each labelled with the entry it
//! must match.

use std::collections::HashSet;

use super::{
    entity_country, fold, fold_char, hash_str, is_particle, is_upper_word, mostly_upper, negatives, recase, squash,
    Case, Casing, Rng,
};
use crate::engine::model::{BirthDate, Entity, EntityKind, IdScheme, Identifier};

/// The kinds of variant [`variant_cases`] produces; [`VariantKind::as_str`]
/// is the case's `class`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VariantKind {
    /// The primary name exactly as the list writes it.
    Exact,
    /// `Ruben Oseguera Cervantes` for `OSEGUERA CERVANTES, Ruben`; company
    /// words moved (`SINALOA CARTEL` for `CARTEL DE SINALOA`).
    Reordered,
    /// Lower or title case with Spanish accents written (`Rubén`).
    CaseAccents,
    /// One letter substituted, inserted or deleted in a word of 5+ letters.
    Typo,
    /// OCR confusions: O/0, I/1/l, S/5, B/8, rn/m, cl/d.
    Ocr,
    /// Two adjacent letters swapped.
    Transposition,
    /// The last word cut short, or the whole string cut at 75%+ of its
    /// length, always keeping two whole words.
    Truncation,
    /// 1-3 Latin letters replaced by Cyrillic or Greek lookalikes.
    Homoglyph,
    /// Zero-width characters, soft hyphens or non-breaking/thin spaces.
    Invisible,
    /// 1-2 vowels dropped from a word of 6+ letters.
    VowelDrop,
    /// Given names reduced to initials (`R. Oseguera Cervantes`).
    Initials,
    /// A middle given name, or a generic company word, left out.
    DroppedToken,
    /// Only the first surname (`Ruben Oseguera`).
    OneSurname,
    /// A strong or weak alias of the entry.
    Alias,
    /// The company's legal form changed, respelled or dropped.
    LegalForm,
    /// Another name altogether, with the entry's R.F.C. or C.U.R.P.
    IdentifierOnly,
    /// A near-exact name with the entry's date of birth and country.
    WithDob,
    /// Squeezed into a short field: the vowels after the first letter of
    /// most words dropped (`Jse Gzmn Lr`, `CMRCLZDR DL NRT`).
    Squeezed,
    /// A company's business words abbreviated as `lists/reference/business_words.csv`
    /// lists them (`GPO`, `HNOS`, `SERVS.`), or its legal form cut short
    /// (`S.A. DE C.`).
    BusinessAbbrev,
    /// A company name with one generic business word added (`TRADING`,
    /// `GROUP`, `SERVICIOS`).
    ExtraGenericWord,
    /// Another name, with the entry's identifier written with its label
    /// (`R.F.C. …`, `CURP: …`, `Pasaporte No. …`).
    LabelledIdentifier,
}

impl VariantKind {
    pub const ALL: [VariantKind; 21] = [
        VariantKind::Exact,
        VariantKind::Reordered,
        VariantKind::CaseAccents,
        VariantKind::Typo,
        VariantKind::Ocr,
        VariantKind::Transposition,
        VariantKind::Truncation,
        VariantKind::Homoglyph,
        VariantKind::Invisible,
        VariantKind::VowelDrop,
        VariantKind::Initials,
        VariantKind::DroppedToken,
        VariantKind::OneSurname,
        VariantKind::Alias,
        VariantKind::LegalForm,
        VariantKind::IdentifierOnly,
        VariantKind::WithDob,
        VariantKind::Squeezed,
        VariantKind::BusinessAbbrev,
        VariantKind::ExtraGenericWord,
        VariantKind::LabelledIdentifier,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VariantKind::Exact => "exact",
            VariantKind::Reordered => "reordered",
            VariantKind::CaseAccents => "case_accents",
            VariantKind::Typo => "typo",
            VariantKind::Ocr => "ocr",
            VariantKind::Transposition => "transposition",
            VariantKind::Truncation => "truncation",
            VariantKind::Homoglyph => "homoglyph",
            VariantKind::Invisible => "invisible",
            VariantKind::VowelDrop => "vowel_drop",
            VariantKind::Initials => "initials",
            VariantKind::DroppedToken => "dropped_token",
            VariantKind::OneSurname => "one_surname",
            VariantKind::Alias => "alias",
            VariantKind::LegalForm => "legal_form",
            VariantKind::IdentifierOnly => "identifier_only",
            VariantKind::WithDob => "with_dob",
            VariantKind::Squeezed => "squeezed",
            VariantKind::BusinessAbbrev => "business_abbrev",
            VariantKind::ExtraGenericWord => "extra_generic_word",
            VariantKind::LabelledIdentifier => "labelled_identifier",
        }
    }

    pub fn parse(s: &str) -> Option<VariantKind> {
        VariantKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether the variant only changes the spelling of the primary name, so
    /// that returning the name unchanged is a failure.
    fn must_differ(self) -> bool {
        !matches!(
            self,
            VariantKind::Exact
                | VariantKind::Alias
                | VariantKind::IdentifierOnly
                | VariantKind::WithDob
                | VariantKind::LabelledIdentifier
        )
    }
}

impl std::fmt::Display for VariantKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Generates up to `per_entity` variant cases for each entity, each
/// expecting that entity's id and labelled with its [`VariantKind`].
///
/// The kinds that apply to an entity are visited in an order shuffled per
/// entity, then again for further rounds, so every applicable kind appears
/// once before any appears twice; a kind that does not apply (no alias, no
/// R.F.C., a one-word name...) is skipped silently. Duplicate spellings are
/// dropped, so an entity with few possible variants may yield fewer than
/// `per_entity` cases. Each entity's cases depend only on `seed` and the
/// entity itself, not on the other entities or their order.
pub fn variant_cases(entities: &[Entity], per_entity: usize, seed: u64) -> Vec<Case> {
    entities.iter().flat_map(|e| entity_variants(e, per_entity, seed)).collect()
}

/// A kind is given up after this many failed or duplicate attempts in a row.
const MAX_FAILURES: u8 = 4;

/// The variants of one entity; see [`variant_cases`].
pub fn entity_variants(e: &Entity, per_entity: usize, seed: u64) -> Vec<Case> {
    let mut out = Vec::new();
    if per_entity == 0 {
        return out;
    }
    let ctx = Ctx::new(e);
    let id_hash = hash_str(&e.id);
    let mut kinds = VariantKind::ALL.to_vec();
    Rng::derive(seed, &[id_hash]).shuffle(&mut kinds);
    let mut failures = [0u8; VariantKind::ALL.len()];
    let mut seen: HashSet<(String, Option<String>, Option<String>)> = HashSet::new();
    let mut round = 0u64;
    loop {
        let mut alive = false;
        for &kind in &kinds {
            if out.len() >= per_entity {
                return out;
            }
            let slot = kind as usize;
            if failures[slot] >= MAX_FAILURES {
                continue;
            }
            alive = true;
            let mut rng = Rng::derive(seed, &[id_hash, slot as u64 + 1, round]);
            let draft = generate(kind, &ctx, &mut rng).filter(|d| {
                let unchanged = kind.must_differ() && d.name == ctx.primary;
                !d.name.trim().is_empty() && !unchanged
            });
            match draft {
                Some(d) if seen.insert((d.name.clone(), d.dob.clone(), d.identifier.clone())) => {
                    failures[slot] = 0;
                    out.push(ctx.case(kind, d, &mut rng));
                }
                _ => failures[slot] += 1,
            }
        }
        if !alive {
            return out;
        }
        round += 1;
    }
}

// ---------------------------------------------------------------------------
// The entity, taken apart.

/// A person's name split the way OFAC writes it: `SURNAME1 SURNAME2, Given
/// Names`. Without a comma the last two words are taken as the surnames.
#[derive(Debug, Clone)]
struct PersonName {
    given: Vec<String>,
    surnames: Vec<String>,
    comma: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    /// `OSEGUERA CERVANTES, Ruben` (or as the list wrote it, without a comma).
    AsWritten,
    /// `Ruben Oseguera Cervantes`.
    Natural,
    /// `OSEGUERA CERVANTES Ruben`.
    SurnameFirst,
}

impl PersonName {
    fn parse(full: &str) -> PersonName {
        if let Some((sur, given)) = full.split_once(',') {
            let surnames: Vec<String> = sur.split_whitespace().map(str::to_string).collect();
            let given: Vec<String> =
                given.split([',', ' ']).filter(|t| !t.trim().is_empty()).map(str::to_string).collect();
            if !surnames.is_empty() && !given.is_empty() {
                return PersonName { given, surnames, comma: true };
            }
        }
        let tokens: Vec<String> = full.split([',', ' ']).filter(|t| !t.trim().is_empty()).map(str::to_string).collect();
        let split = match tokens.len() {
            0 | 1 => 0,
            2 => 1,
            n => n - 2,
        };
        PersonName { given: tokens[..split].to_vec(), surnames: tokens[split..].to_vec(), comma: false }
    }

    fn given_units(&self) -> Vec<String> {
        units(&self.given)
    }

    fn surname_units(&self) -> Vec<String> {
        units(&self.surnames)
    }

    /// Surname words that are not particles.
    fn full_surnames(&self) -> usize {
        self.surnames.iter().filter(|t| !is_particle(t)).count()
    }

    fn render(&self, order: Order) -> String {
        let (g, s) = (self.given.join(" "), self.surnames.join(" "));
        let parts = match order {
            Order::AsWritten if self.comma => return format!("{s}, {g}"),
            Order::AsWritten | Order::Natural => [g, s],
            Order::SurnameFirst => [s, g],
        };
        squash(&parts.join(" "))
    }
}

/// Groups particles with the word they precede: `Jose de Jesus` → `Jose`,
/// `de Jesus`; trailing particles stay with the last unit.
fn units(tokens: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut pending: Vec<&str> = Vec::new();
    for t in tokens {
        pending.push(t);
        if !is_particle(t) {
            out.push(pending.join(" "));
            pending.clear();
        }
    }
    if !pending.is_empty() {
        match out.last_mut() {
            Some(last) => {
                last.push(' ');
                last.push_str(&pending.join(" "));
            }
            None => out.push(pending.join(" ")),
        }
    }
    out
}

/// A non-person name: its words and its legal form, if any.
#[derive(Debug, Clone)]
struct OrgName {
    base: Vec<String>,
    /// As written (`S.A. DE C.V.`).
    legal: Option<String>,
    /// A comma stood between the name and the legal form.
    comma: bool,
}

/// Legal forms by their letters alone: Mexican forms first, then what other
/// lists use.
const LEGAL_FORMS: &[&str] = &[
    "SADECV",
    "SAPIDECV",
    "SABDECV",
    "SDERLDECV",
    "SRLDECV",
    "SDERL",
    "SDERLMI",
    "SC",
    "SCDERLDECV",
    "SCDERL",
    "SPRDERL",
    "SPRDERLDECV",
    "SPRDERI",
    "SDEPRDERLDECV",
    "SA",
    "SAC",
    "AC",
    "IAP",
    "SOCIEDADANONIMADECAPITALVARIABLE",
    "SOCIEDADANOMINADECAPITALVARIABLE",
    "SOCIEDADANONIMA",
    "SOCIEDADCIVIL",
    "ASOCIACIONCIVIL",
    "INC",
    "LLC",
    "LTD",
    "LIMITED",
    "CORP",
    "CORPORATION",
    "CO",
    "CA",
    "SAS",
    "SRL",
    "GMBH",
    "BV",
    "NV",
    "PLC",
    "LLP",
    "LP",
];

fn compact(s: &str) -> String {
    fold(s).chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect()
}

impl OrgName {
    fn parse(full: &str) -> OrgName {
        let tokens: Vec<&str> = full.split_whitespace().collect();
        let mut best = 0;
        for k in 1..=tokens.len().saturating_sub(1).min(6) {
            let suffix = tokens[tokens.len() - k..].join(" ");
            if LEGAL_FORMS.contains(&compact(&suffix).as_str()) {
                best = k;
            }
        }
        if best == 0 {
            return OrgName { base: tokens.iter().map(|t| t.to_string()).collect(), legal: None, comma: false };
        }
        let split = tokens.len() - best;
        let mut base: Vec<String> = tokens[..split].iter().map(|t| t.to_string()).collect();
        let mut legal = tokens[split..].join(" ");
        let mut comma = false;
        if let Some(last) = base.last_mut() {
            if last.ends_with(',') {
                comma = true;
                last.pop();
            }
        }
        if legal.starts_with(',') {
            comma = true;
            legal = legal.trim_start_matches(',').trim().to_string();
        }
        base.retain(|t| !t.is_empty());
        OrgName { base, legal: Some(legal), comma }
    }

    fn render_with(base: &str, legal: Option<&str>, comma: bool) -> String {
        match legal {
            Some(l) if !base.is_empty() => {
                format!("{base}{} {l}", if comma { "," } else { "" })
            }
            Some(l) => l.to_string(),
            None => base.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
enum Shape {
    Person(PersonName),
    Org(OrgName),
}

struct Ctx<'a> {
    e: &'a Entity,
    /// The primary name, whitespace squashed.
    primary: String,
    shape: Shape,
    country: Option<&'static str>,
}

/// What a generator returns: the case minus its labels.
#[derive(Debug, Clone, Default)]
struct Draft {
    name: String,
    dob: Option<String>,
    identifier: Option<String>,
    country: Option<String>,
}

impl Draft {
    fn name(name: String) -> Draft {
        Draft { name, ..Draft::default() }
    }
}

impl<'a> Ctx<'a> {
    fn new(e: &'a Entity) -> Ctx<'a> {
        let primary = squash(e.caption());
        let shape = match e.kind {
            EntityKind::Person => Shape::Person(PersonName::parse(&primary)),
            _ => Shape::Org(OrgName::parse(&primary)),
        };
        Ctx { e, primary, shape, country: entity_country(e) }
    }

    fn case(&self, kind: VariantKind, d: Draft, rng: &mut Rng) -> Case {
        let case_kind = match self.e.kind {
            EntityKind::Person | EntityKind::Company | EntityKind::Organization | EntityKind::Vessel => {
                Some(self.e.kind)
            }
            EntityKind::Aircraft | EntityKind::Unknown => None,
        };
        Case {
            name: d.name,
            kind: case_kind.filter(|_| rng.chance(0.7)),
            country: d.country,
            dob: d.dob,
            identifier: d.identifier,
            expected: vec![self.e.id.clone()],
            class: kind.as_str().to_string(),
        }
    }

    /// The name a noisy variant starts from: as written, or for persons
    /// often in natural order, the way most records hold them.
    fn noise_base(&self, rng: &mut Rng) -> String {
        match &self.shape {
            Shape::Person(p) => match rng.below(10) {
                0..=4 => self.primary.clone(),
                5..=7 => recase(&p.render(Order::Natural), Casing::Title, 0.0, rng),
                _ => recase(&p.render(Order::Natural), Casing::Upper, 0.0, rng),
            },
            Shape::Org(_) => {
                if rng.chance(0.25) && mostly_upper(&self.primary) {
                    title_org(&self.primary, rng)
                } else {
                    self.primary.clone()
                }
            }
        }
    }

    /// A near-exact rendering: as written, or a person in natural order.
    fn plain_name(&self, rng: &mut Rng) -> String {
        match &self.shape {
            Shape::Person(p) => match rng.below(10) {
                0..=4 => self.primary.clone(),
                5..=7 => recase(&p.render(Order::Natural), Casing::Title, 0.0, rng),
                _ => recase(&p.render(Order::Natural), Casing::Upper, 0.0, rng),
            },
            Shape::Org(_) => self.primary.clone(),
        }
    }
}

/// Title case for a company name, legal form included (`Grupo Ejemplo,
/// S.A. de C.V.`).
fn title_org(name: &str, rng: &mut Rng) -> String {
    let org = OrgName::parse(name);
    let base = recase(&org.base.join(" "), Casing::Title, 0.0, rng);
    let legal = org.legal.as_deref().map(|l| legal_case(l, Casing::Title));
    OrgName::render_with(&base, legal.as_deref(), org.comma)
}

/// A legal form in title case (`S.A. de C.V.`, `SA de CV`) or lower case.
fn legal_case(legal: &str, casing: Casing) -> String {
    match casing {
        Casing::Lower => legal.to_lowercase(),
        Casing::Upper => legal.to_uppercase(),
        Casing::Keep => legal.to_string(),
        Casing::Title => legal
            .split_whitespace()
            .map(|t| if t.eq_ignore_ascii_case("de") { "de".to_string() } else { t.to_uppercase() })
            .collect::<Vec<_>>()
            .join(" "),
    }
}

// ---------------------------------------------------------------------------
// The generators. Each returns `None` when its kind does not apply.

fn generate(kind: VariantKind, ctx: &Ctx, rng: &mut Rng) -> Option<Draft> {
    match kind {
        VariantKind::Exact => Some(Draft::name(ctx.primary.clone())),
        VariantKind::Reordered => reordered(ctx, rng).map(Draft::name),
        VariantKind::CaseAccents => case_accents(ctx, rng).map(Draft::name),
        VariantKind::Typo => noisy(ctx, rng, typo),
        VariantKind::Ocr => noisy(ctx, rng, ocr),
        VariantKind::Transposition => noisy(ctx, rng, transposition),
        VariantKind::Truncation => noisy(ctx, rng, truncation),
        VariantKind::Homoglyph => noisy(ctx, rng, homoglyph),
        VariantKind::Invisible => noisy(ctx, rng, invisible),
        VariantKind::VowelDrop => noisy(ctx, rng, vowel_drop),
        VariantKind::Initials => initials(ctx, rng).map(Draft::name),
        VariantKind::DroppedToken => dropped_token(ctx, rng).map(Draft::name),
        VariantKind::OneSurname => one_surname(ctx, rng).map(Draft::name),
        VariantKind::Alias => alias(ctx, rng).map(Draft::name),
        VariantKind::LegalForm => legal_form(ctx, rng).map(Draft::name),
        VariantKind::IdentifierOnly => identifier_only(ctx, rng),
        VariantKind::WithDob => with_dob(ctx, rng),
        VariantKind::Squeezed => noisy(ctx, rng, squeezed),
        VariantKind::BusinessAbbrev => business_abbrev(ctx, rng).map(Draft::name),
        VariantKind::ExtraGenericWord => extra_generic_word(ctx, rng).map(Draft::name),
        VariantKind::LabelledIdentifier => labelled_identifier(ctx, rng),
    }
}

/// Drops the vowels after the first letter of about four words in five of
/// three letters or more (all of them when that changed too few).
fn squeezed(s: &str, rng: &mut Rng) -> Option<String> {
    let squeeze = |w: &str| -> String {
        w.chars().enumerate().filter(|(i, c)| *i == 0 || !is_vowel(*c)).map(|(_, c)| c).collect()
    };
    let words: Vec<&str> = s.split(' ').collect();
    let long = |w: &str| w.chars().filter(|c| c.is_alphabetic()).count() >= 3;
    let mut out: Vec<String> =
        words.iter().map(|w| if long(w) && rng.chance(0.8) { squeeze(w) } else { w.to_string() }).collect();
    let changed = out.iter().zip(&words).filter(|(a, b)| a != *b).count();
    if changed * 2 < words.iter().filter(|w| long(w)).count() {
        out = words.iter().map(|w| if long(w) { squeeze(w) } else { w.to_string() }).collect();
    }
    Some(out.join(" "))
}

/// Abbreviates the business words of a company's name, or cuts its legal
/// form short after at least two of its parts.
fn business_abbrev(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let Shape::Org(o) = &ctx.shape else {
        return None;
    };
    let table = crate::engine::reference::abbreviations();
    let mut base: Vec<String> = o.base.clone();
    let mut changed = false;
    for w in base.iter_mut() {
        let folded = fold(w).to_lowercase();
        let abbrs: Vec<&str> = table.iter().filter(|(_, word)| *word == folded).map(|(a, _)| *a).collect();
        if let Some(a) = rng.choose(&abbrs) {
            let dot = if rng.chance(0.5) { "." } else { "" };
            *w = if is_upper_word(w) { format!("{}{dot}", a.to_uppercase()) } else { format!("{}{dot}", title(a)) };
            changed = true;
        }
    }
    let mut legal = o.legal.clone();
    if let Some(l) = &o.legal {
        let parts: Vec<&str> = l.split_whitespace().collect();
        if parts.len() >= 3 && (!changed || rng.chance(0.4)) {
            // Keep two parts or more, and cut the next one inside it.
            let keep = rng.range(2, parts.len() - 1);
            let next = parts[keep];
            let cut: String = next.chars().take(next.chars().count().div_ceil(2)).collect();
            let mut kept = parts[..keep].to_vec();
            kept.push(&cut);
            legal = Some(kept.join(" "));
            changed = true;
        }
    }
    changed.then(|| OrgName::render_with(&base.join(" "), legal.as_deref(), o.comma))
}

fn title(w: &str) -> String {
    let mut c = w.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// Generic words a record adds to a company's name.
const EXTRA_GENERIC: &[&str] = &["GROUP", "TRADING", "HOLDING", "SERVICIOS", "COMERCIAL", "INTERNACIONAL", "GLOBAL"];

/// Adds one generic business word the name does not hold, at the end of
/// its base or (a third of the time) at the front.
fn extra_generic_word(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let Shape::Org(o) = &ctx.shape else {
        return None;
    };
    if o.base.iter().filter(|t| is_distinctive(t)).count() < 1 {
        return None;
    }
    let held: Vec<String> = o.base.iter().map(|t| fold(t).to_uppercase()).collect();
    let options: Vec<&&str> = EXTRA_GENERIC.iter().filter(|w| !held.iter().any(|h| h == **w)).collect();
    let word = **rng.choose(&options)?;
    let word = if is_upper_word(&o.base.join("")) { word.to_string() } else { title(&word.to_lowercase()) };
    let mut base = o.base.clone();
    if rng.chance(0.33) {
        base.insert(0, word);
    } else {
        base.push(word);
    }
    Some(OrgName::render_with(&base.join(" "), o.legal.as_deref(), o.comma))
}

/// [`identifier_only`] with the identifier's label written before it.
fn labelled_identifier(ctx: &Ctx, rng: &mut Rng) -> Option<Draft> {
    let mut d = identifier_only(ctx, rng)?;
    let id = d.identifier.take()?;
    let key: String = id.chars().filter(char::is_ascii_alphanumeric).collect();
    let labels: &[&str] = if key.len() == 18 {
        &["CURP ", "CURP: ", "C.U.R.P. ", "curp "]
    } else {
        &["RFC ", "R.F.C. ", "RFC: ", "rfc ", "R.F.C.: "]
    };
    d.identifier = Some(format!("{}{id}", rng.pick(labels)));
    Some(d)
}

/// Applies a spelling change to the noise base, falling back to the primary
/// name when the base offers nothing to change.
fn noisy(ctx: &Ctx, rng: &mut Rng, f: fn(&str, &mut Rng) -> Option<String>) -> Option<Draft> {
    let base = ctx.noise_base(rng);
    let changed = f(&base, rng).filter(|n| *n != base);
    let changed = match changed {
        Some(n) => Some(n),
        None if base != ctx.primary => f(&ctx.primary, rng).filter(|n| *n != ctx.primary),
        None => None,
    };
    changed.map(Draft::name)
}

fn reordered(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    match &ctx.shape {
        Shape::Person(p) => {
            if p.given.is_empty() || p.surnames.is_empty() {
                return None;
            }
            let casing = [Casing::Title, Casing::Upper, Casing::Keep][rng.weighted_index(&[50, 35, 15])];
            let text = if p.comma {
                p.render(Order::Natural)
            } else if rng.chance(0.5) {
                format!("{}, {}", p.surnames.join(" "), p.given.join(" "))
            } else {
                p.render(Order::SurnameFirst)
            };
            Some(recase(&text, casing, 0.0, rng))
        }
        Shape::Org(o) => {
            let distinct: HashSet<String> = o.base.iter().map(|t| fold(t).to_uppercase()).collect();
            if distinct.len() < 2 {
                return None;
            }
            let mut tokens = o.base.clone();
            if rng.chance(0.6) {
                tokens.rotate_left(1);
            } else {
                for _ in 0..6 {
                    rng.shuffle(&mut tokens);
                    if tokens != o.base {
                        break;
                    }
                }
            }
            let tokens = trim_connectors(tokens);
            if tokens.is_empty() || tokens == o.base {
                return None;
            }
            Some(OrgName::render_with(&tokens.join(" "), o.legal.as_deref(), o.comma))
        }
    }
}

/// Drops particles and connectors left at either end of a word list.
fn trim_connectors(mut tokens: Vec<String>) -> Vec<String> {
    while tokens.first().is_some_and(|t| is_particle(t)) {
        tokens.remove(0);
    }
    while tokens.last().is_some_and(|t| is_particle(t)) {
        tokens.pop();
    }
    tokens
}

fn case_accents(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let title = rng.chance(0.65);
    for casing in if title { [Casing::Title, Casing::Lower] } else { [Casing::Lower, Casing::Title] } {
        let text = match &ctx.shape {
            Shape::Person(p) => {
                let order = if rng.chance(0.5) { Order::AsWritten } else { Order::Natural };
                recase(&p.render(order), casing, 0.9, rng)
            }
            Shape::Org(o) => {
                let base = recase(&o.base.join(" "), casing, 0.9, rng);
                let legal = o.legal.as_deref().map(|l| legal_case(l, casing));
                OrgName::render_with(&base, legal.as_deref(), o.comma)
            }
        };
        if text != ctx.primary && !text.trim().is_empty() {
            return Some(text);
        }
    }
    None
}

fn initials(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let Shape::Person(p) = &ctx.shape else {
        return None;
    };
    let given = p.given_units();
    if given.is_empty() || p.full_surnames() < 2 {
        return None;
    }
    let initial = |unit: &str| -> Option<String> {
        let word = unit.split_whitespace().find(|w| !is_particle(w)).unwrap_or(unit);
        word.chars().find(|c| c.is_alphabetic()).map(|c| c.to_uppercase().collect())
    };
    let inits: Vec<String> = given.iter().filter_map(|u| initial(u)).collect();
    if inits.is_empty() {
        return None;
    }
    let surnames = p.surnames.join(" ");
    let dotted = inits.iter().map(|i| format!("{i}.")).collect::<Vec<_>>().join(" ");
    let style = rng.weighted_index(&[45, 20, 20, 15]);
    let text = match style {
        0 => recase(&format!("{dotted} {surnames}"), Casing::Title, 0.0, rng),
        1 => recase(&format!("{} {surnames}", inits.join(" ")), Casing::Upper, 0.0, rng),
        2 => format!("{surnames}, {dotted}"),
        _ if given.len() >= 2 => {
            let rest = inits[1..].iter().map(|i| format!("{i}.")).collect::<Vec<_>>().join(" ");
            recase(&format!("{} {rest} {surnames}", given[0]), Casing::Title, 0.0, rng)
        }
        _ => recase(&format!("{dotted} {surnames}"), Casing::Title, 0.0, rng),
    };
    Some(text)
}

/// Generic words of company names, which a record may leave out.
const GENERIC_WORDS: &[&str] = &[
    "GRUPO",
    "GROUP",
    "COMERCIALIZADORA",
    "DISTRIBUIDORA",
    "SERVICIOS",
    "SERVICIO",
    "INMOBILIARIA",
    "OPERADORA",
    "ADMINISTRADORA",
    "CONSTRUCTORA",
    "CORPORATIVO",
    "CORPORACION",
    "COMPANIA",
    "EMPRESA",
    "EMPRESAS",
    "INTERNACIONAL",
    "INTERNATIONAL",
    "NACIONAL",
    "INDUSTRIAS",
    "INDUSTRIAL",
    "TRANSPORTES",
    "AUTOTRANSPORTES",
    "IMPORTADORA",
    "EXPORTADORA",
    "CONSULTORES",
    "CONSULTORIA",
    "ASOCIADOS",
    "INVERSIONES",
    "DESARROLLOS",
    "DESARROLLADORA",
    "PROMOTORA",
    "ARRENDADORA",
    "COMERCIAL",
    "GLOBAL",
    "HOLDING",
    "HOLDINGS",
    "TRADING",
    "COMPANY",
    "ENTERPRISES",
    "SERVICES",
    "INTEGRALES",
    "SOLUCIONES",
    "NEGOCIOS",
    "INVESTMENTS",
    "CARTEL",
    "ORGANIZACION",
    "ORGANIZATION",
    "COMPLEJO",
    "CENTRO",
    "PRODUCTOS",
];

fn is_generic(word: &str) -> bool {
    let key = fold(word).to_uppercase();
    GENERIC_WORDS.contains(&key.trim_matches(|c: char| !c.is_alphanumeric()))
}

/// A word that identifies the party: not a particle, not generic, not an
/// initial.
fn is_distinctive(word: &str) -> bool {
    !is_particle(word) && !is_generic(word) && word.chars().filter(|c| c.is_alphanumeric()).count() >= 2
}

fn dropped_token(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    match &ctx.shape {
        Shape::Person(p) => {
            let given = p.given_units();
            if given.len() < 2 {
                return None;
            }
            let drop = rng.range(1, given.len() - 1);
            let kept: Vec<String> =
                given.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, u)| u.clone()).collect();
            let reduced = PersonName {
                given: kept.join(" ").split_whitespace().map(str::to_string).collect(),
                surnames: p.surnames.clone(),
                comma: p.comma,
            };
            let distinctive = reduced.given.iter().chain(&reduced.surnames).filter(|t| !is_particle(t)).count();
            if distinctive < 2 {
                return None;
            }
            Some(match rng.weighted_index(&[50, 30, 20]) {
                0 => reduced.render(Order::AsWritten),
                1 => recase(&reduced.render(Order::Natural), Casing::Title, 0.0, rng),
                _ => recase(&reduced.render(Order::Natural), Casing::Upper, 0.0, rng),
            })
        }
        Shape::Org(o) => {
            let candidates: Vec<usize> = (0..o.base.len()).filter(|&i| is_generic(&o.base[i])).collect();
            let &drop = rng.choose(&candidates)?;
            let kept: Vec<String> =
                o.base.iter().enumerate().filter(|(i, _)| *i != drop).map(|(_, t)| t.clone()).collect();
            let kept = trim_connectors(kept);
            if kept.iter().filter(|t| is_distinctive(t)).count() < 2 {
                return None;
            }
            Some(OrgName::render_with(&kept.join(" "), o.legal.as_deref(), o.comma))
        }
    }
}

fn one_surname(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let Shape::Person(p) = &ctx.shape else {
        return None;
    };
    let surnames = p.surname_units();
    if surnames.len() < 2 || p.given.is_empty() {
        return None;
    }
    let given = p.given.join(" ");
    let first = &surnames[0];
    Some(match rng.weighted_index(&[50, 25, 25]) {
        0 => recase(&format!("{given} {first}"), Casing::Title, 0.0, rng),
        1 => recase(&format!("{given} {first}"), Casing::Upper, 0.0, rng),
        _ => format!("{first}, {given}"),
    })
}

fn alias(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let primary_key = fold(&ctx.primary).to_uppercase();
    let aliases: Vec<String> = ctx
        .e
        .names
        .iter()
        .skip(1)
        .map(|n| squash(&n.full))
        .filter(|n| !n.is_empty() && fold(n).to_uppercase() != primary_key)
        .collect();
    let chosen = rng.choose(&aliases)?.clone();
    // Acronyms (`CJNG`) stay as they are.
    let acronym = !chosen.contains(' ') && chosen.chars().count() <= 5;
    if !acronym && rng.chance(0.3) && mostly_upper(&chosen) {
        let titled = if matches!(ctx.shape, Shape::Person(_)) || ctx.e.kind == EntityKind::Person {
            recase(&chosen, Casing::Title, 0.0, rng)
        } else {
            title_org(&chosen, rng)
        };
        return Some(titled);
    }
    Some(chosen)
}

/// Legal forms a Mexican record writes, as (spelling, letters).
const FORM_SPELLINGS: &[(&str, &str)] = &[
    ("S.A. de C.V.", "SADECV"),
    ("S.A. DE C.V.", "SADECV"),
    ("SA DE CV", "SADECV"),
    ("SA de CV", "SADECV"),
    ("S.A.P.I. de C.V.", "SAPIDECV"),
    ("SAPI DE CV", "SAPIDECV"),
    ("S. de R.L. de C.V.", "SDERLDECV"),
    ("S DE RL DE CV", "SDERLDECV"),
    ("S.C.", "SC"),
    ("SC", "SC"),
];

fn legal_form(ctx: &Ctx, rng: &mut Rng) -> Option<String> {
    let Shape::Org(o) = &ctx.shape else {
        return None;
    };
    if o.legal.is_none() && ctx.e.kind != EntityKind::Company {
        return None;
    }
    if o.base.is_empty() {
        return None;
    }
    let base = o.base.join(" ");
    let upper = is_upper_word(&base.replace(' ', ""));
    let current = o.legal.as_deref().map(compact);
    for _ in 0..8 {
        let drop = o.legal.is_some() && rng.chance(0.15);
        let text = if drop {
            base.clone()
        } else {
            // Half the time respell the same form, when there is one.
            let same: Vec<&(&str, &str)> = FORM_SPELLINGS.iter().filter(|f| Some(f.1) == current.as_deref()).collect();
            let (spelling, _) =
                if !same.is_empty() && rng.chance(0.5) { **rng.choose(&same)? } else { rng.pick(FORM_SPELLINGS) };
            let spelling = if upper && rng.chance(0.7) { spelling.to_uppercase() } else { spelling.to_string() };
            OrgName::render_with(&base, Some(&spelling), rng.chance(0.5))
        };
        if text != ctx.primary {
            return Some(text);
        }
    }
    None
}

fn identifier_only(ctx: &Ctx, rng: &mut Rng) -> Option<Draft> {
    let ids: Vec<&Identifier> = ctx
        .e
        .identifiers
        .iter()
        .filter(|i| matches!(i.scheme, IdScheme::Rfc | IdScheme::Curp) && i.key().len() >= 8)
        .collect();
    let id = *rng.choose(&ids)?;
    let person = ctx.e.kind == EntityKind::Person;
    // The stand-in name shares no word with any of the entity's names, so
    // that only the identifier can tie the case to the entity.
    let words = |s: &str| -> HashSet<String> {
        fold(s)
            .to_uppercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3)
            .map(str::to_string)
            .collect()
    };
    let taken: HashSet<String> = ctx.e.names.iter().flat_map(|n| words(&n.full)).collect();
    let mut name = String::new();
    for _ in 0..16 {
        name = if person { negatives::mx_person_name(rng) } else { negatives::mx_company_name(rng) };
        if words(&name).is_disjoint(&taken) {
            break;
        }
    }
    Some(Draft { name, identifier: Some(format_identifier(id, rng)), ..Draft::default() })
}

/// An R.F.C. or C.U.R.P. as a record may hold it: as printed, run
/// together, in groups split by spaces or hyphens, or in lower case.
fn format_identifier(id: &Identifier, rng: &mut Rng) -> String {
    let key = id.key();
    let cuts: &[usize] = match (&id.scheme, key.len()) {
        (IdScheme::Rfc, 13) => &[4, 10],
        (IdScheme::Rfc, 12) => &[3, 9],
        (IdScheme::Rfc, 10) => &[4],
        (IdScheme::Curp, 18) => &[4, 10],
        _ => &[],
    };
    let mut groups = Vec::new();
    let mut start = 0;
    for &c in cuts {
        groups.push(&key[start..c]);
        start = c;
    }
    groups.push(&key[start..]);
    match rng.weighted_index(&[30, 35, 20, 10, 5]) {
        0 if !id.value.trim().is_empty() => id.value.trim().to_string(),
        2 => groups.join(" "),
        3 => groups.join("-"),
        4 => key.to_lowercase(),
        _ => key,
    }
}

fn with_dob(ctx: &Ctx, rng: &mut Rng) -> Option<Draft> {
    let dob = rng.choose(&ctx.e.birth_dates)?;
    Some(Draft {
        name: ctx.plain_name(rng),
        dob: Some(format_dob(dob, rng)),
        country: Some(ctx.country.unwrap_or("MX").to_string()),
        identifier: None,
    })
}

/// `YYYY-MM-DD` for a full date, the year alone otherwise (a year of the
/// range for `1960 to 1962`).
fn format_dob(d: &BirthDate, rng: &mut Rng) -> String {
    if let Some(to) = d.to_year.filter(|&to| to > d.year) {
        let span = (to - d.year).min(50) as usize;
        return format!("{:04}", d.year + rng.range(0, span) as i32);
    }
    match (d.month, d.day) {
        (Some(m), Some(day)) if !d.circa => format!("{:04}-{m:02}-{day:02}", d.year),
        _ => format!("{:04}", d.year),
    }
}

// ---------------------------------------------------------------------------
// Spelling changes on a string.

/// Maximal runs of letters, as `[start, end)` char indices.
fn letter_runs(chars: &[char]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in chars.iter().enumerate() {
        match (c.is_alphabetic(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, chars.len()));
    }
    runs
}

/// `c` written in the case of `model`.
fn with_case_of(c: char, model: char) -> char {
    if model.is_uppercase() {
        c.to_uppercase().next().unwrap_or(c)
    } else if model.is_lowercase() {
        c.to_lowercase().next().unwrap_or(c)
    } else {
        c
    }
}

fn keyboard_neighbours(c: char) -> &'static str {
    match c {
        'q' => "wa",
        'w' => "qase",
        'e' => "wsdr",
        'r' => "edft",
        't' => "rfgy",
        'y' => "tghu",
        'u' => "yhji",
        'i' => "ujko",
        'o' => "iklp",
        'p' => "ol",
        'a' => "qwsz",
        's' => "awedxz",
        'd' => "serfcx",
        'f' => "drtgvc",
        'g' => "ftyhbv",
        'h' => "gyujnb",
        'j' => "huikmn",
        'k' => "jiolm",
        'l' => "kop",
        'z' => "asx",
        'x' => "zsdc",
        'c' => "xdfv",
        'v' => "cfgb",
        'b' => "vghn",
        'n' => "bhjm",
        'm' => "njk",
        _ => "",
    }
}

/// Spelling mistakes a Spanish speaker makes by ear.
fn phonetic_neighbours(c: char) -> &'static str {
    match c {
        'b' => "v",
        'v' => "b",
        's' => "zc",
        'z' => "s",
        'c' => "sk",
        'k' => "c",
        'y' => "i",
        'i' => "y",
        'j' => "g",
        'g' => "j",
        'n' => "m",
        'm' => "n",
        _ => "",
    }
}

/// A plausible wrong letter for `c`, in its case; `None` for non-ASCII.
fn substitute(c: char, rng: &mut Rng) -> Option<char> {
    if !c.is_ascii_alphabetic() {
        return None;
    }
    let lower = c.to_ascii_lowercase();
    let phonetic = phonetic_neighbours(lower);
    let pool = if !phonetic.is_empty() && rng.chance(0.35) { phonetic } else { keyboard_neighbours(lower) };
    let chars: Vec<char> = pool.chars().collect();
    let n = *rng.choose(&chars)?;
    Some(with_case_of(n, c))
}

fn typo(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let runs: Vec<(usize, usize)> = letter_runs(&chars).into_iter().filter(|(a, b)| b - a >= 5).collect();
    let &(a, b) = rng.choose(&runs)?;
    match rng.weighted_index(&[45, 25, 30]) {
        0 => {
            let i = rng.range(a + 1, b - 1);
            match substitute(chars[i], rng) {
                Some(n) => chars[i] = n,
                None => {
                    chars.remove(i);
                }
            }
        }
        1 => {
            let i = rng.range(a + 1, b);
            let prev = chars[i - 1];
            let new = if rng.chance(0.5) { prev } else { substitute(prev, rng).unwrap_or(prev) };
            chars.insert(i, new);
        }
        _ => {
            let i = rng.range(a + 1, b - 1);
            chars.remove(i);
        }
    }
    Some(chars.into_iter().collect())
}

fn ocr(s: &str, rng: &mut Rng) -> Option<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut cands: Vec<(usize, usize, &'static str)> = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        match c {
            'O' | 'o' => cands.push((i, 1, "0")),
            '0' => cands.push((i, 1, "O")),
            'I' => {
                cands.push((i, 1, "1"));
                cands.push((i, 1, "l"));
            }
            'l' => {
                cands.push((i, 1, "1"));
                cands.push((i, 1, "I"));
            }
            '1' => {
                cands.push((i, 1, "l"));
                cands.push((i, 1, "I"));
            }
            'S' => cands.push((i, 1, "5")),
            '5' => cands.push((i, 1, "S")),
            'B' => cands.push((i, 1, "8")),
            '8' => cands.push((i, 1, "B")),
            'm' => cands.push((i, 1, "rn")),
            'd' => cands.push((i, 1, "cl")),
            'r' if next == Some('n') => cands.push((i, 2, "m")),
            'c' if next == Some('l') => cands.push((i, 2, "d")),
            _ => {}
        }
    }
    let first = *rng.choose(&cands)?;
    let mut chosen = vec![first];
    if rng.chance(0.35) {
        let rest: Vec<_> = cands.iter().copied().filter(|c| c.0 + c.1 <= first.0 || c.0 >= first.0 + first.1).collect();
        if let Some(&second) = rng.choose(&rest) {
            chosen.push(second);
        }
    }
    chosen.sort_by_key(|c| std::cmp::Reverse(c.0));
    let mut out = chars;
    for (pos, len, rep) in chosen {
        out.splice(pos..pos + len, rep.chars());
    }
    Some(out.into_iter().collect())
}

fn transposition(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let runs = letter_runs(&chars);
    let differ = |chars: &[char], i: usize| chars[i].to_lowercase().ne(chars[i + 1].to_lowercase());
    let mut cands: Vec<usize> = runs
        .iter()
        .filter(|(a, b)| b - a >= 4)
        .flat_map(|&(a, b)| (a + 1)..(b - 1))
        .filter(|&i| differ(&chars, i))
        .collect();
    if cands.is_empty() {
        cands = runs
            .iter()
            .filter(|(a, b)| b - a >= 2)
            .flat_map(|&(a, b)| a..(b - 1))
            .filter(|&i| differ(&chars, i))
            .collect();
    }
    let &i = rng.choose(&cands)?;
    let (x, y) = (chars[i], chars[i + 1]);
    chars[i] = with_case_of(y, x);
    chars[i + 1] = with_case_of(x, y);
    Some(chars.into_iter().collect())
}

fn truncation(s: &str, rng: &mut Rng) -> Option<String> {
    let last_word = |s: &str, rng: &mut Rng| -> Option<String> {
        let tokens: Vec<&str> = s.split(' ').filter(|t| !t.is_empty()).collect();
        let (last, before) = tokens.split_last()?;
        if before.iter().filter(|t| t.chars().any(char::is_alphabetic)).count() < 2 {
            return None;
        }
        let core: Vec<char> = last.trim_end_matches(|c: char| !c.is_alphanumeric()).chars().collect();
        if core.len() < 5 || !core.iter().all(|c| c.is_alphabetic()) {
            return None;
        }
        let keep = rng.range(4, core.len() - 1);
        Some(format!("{} {}", before.join(" "), core[..keep].iter().collect::<String>()))
    };
    let whole = |s: &str, rng: &mut Rng| -> Option<String> {
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        // The end of the second word: a cut may not come before it.
        let mut words = 0;
        let mut end2 = None;
        let mut in_word = false;
        for (i, c) in chars.iter().enumerate() {
            let w = !c.is_whitespace();
            if w && !in_word {
                words += 1;
            }
            if !w && in_word && words == 2 {
                end2 = Some(i);
                break;
            }
            in_word = w;
        }
        let lo = end2?.max((3 * n).div_ceil(4));
        if lo > n - 1 {
            return None;
        }
        let cut = rng.range(lo, n - 1);
        let out: String = chars[..cut].iter().collect();
        let out = out.trim_end_matches(|c: char| c.is_whitespace() || c == ',' || c == '-');
        Some(out.to_string())
    };
    if rng.chance(0.5) {
        last_word(s, rng).or_else(|| whole(s, rng))
    } else {
        whole(s, rng).or_else(|| last_word(s, rng))
    }
}

fn homoglyphs(c: char) -> &'static [char] {
    match c {
        'A' => &['\u{0410}', '\u{0391}'],
        'B' => &['\u{0412}', '\u{0392}'],
        'C' => &['\u{0421}'],
        'E' => &['\u{0415}', '\u{0395}'],
        'H' => &['\u{041D}', '\u{0397}'],
        'I' => &['\u{0406}', '\u{0399}'],
        'J' => &['\u{0408}'],
        'K' => &['\u{041A}', '\u{039A}'],
        'M' => &['\u{041C}', '\u{039C}'],
        'N' => &['\u{039D}'],
        'O' => &['\u{041E}', '\u{039F}'],
        'P' => &['\u{0420}', '\u{03A1}'],
        'S' => &['\u{0405}'],
        'T' => &['\u{0422}', '\u{03A4}'],
        'X' => &['\u{0425}', '\u{03A7}'],
        'Y' => &['\u{03A5}', '\u{04AE}'],
        'Z' => &['\u{0396}'],
        'a' => &['\u{0430}'],
        'c' => &['\u{0441}'],
        'e' => &['\u{0435}'],
        'o' => &['\u{043E}', '\u{03BF}'],
        'p' => &['\u{0440}'],
        'x' => &['\u{0445}'],
        'y' => &['\u{0443}'],
        'i' => &['\u{0456}'],
        's' => &['\u{0455}'],
        'j' => &['\u{0458}'],
        'h' => &['\u{04BB}'],
        _ => &[],
    }
}

fn homoglyph(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let mut positions: Vec<usize> = (0..chars.len()).filter(|&i| !homoglyphs(chars[i]).is_empty()).collect();
    if positions.is_empty() {
        return None;
    }
    let count = (rng.weighted_index(&[50, 35, 15]) + 1).min(positions.len());
    rng.shuffle(&mut positions);
    for &i in &positions[..count] {
        chars[i] = rng.pick(homoglyphs(chars[i]));
    }
    Some(chars.into_iter().collect())
}

const ZERO_WIDTH: [char; 5] = ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}'];
const ODD_SPACES: [char; 3] = ['\u{00A0}', '\u{2009}', '\u{202F}'];
const SOFT_HYPHEN: char = '\u{00AD}';

fn invisible(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 2 {
        return None;
    }
    let count = if rng.chance(0.7) { 1 } else { 2 };
    for _ in 0..count {
        let spaces: Vec<usize> = (0..chars.len()).filter(|&i| chars[i] == ' ').collect();
        let hyphen_spots: Vec<usize> = (1..chars.len())
            .filter(|&i| chars[i].is_alphabetic() && is_vowel(chars[i - 1]) && i >= 2 && chars[i - 2].is_alphabetic())
            .collect();
        let roll = rng.below(10);
        if roll < 4 && !spaces.is_empty() {
            let &i = rng.choose(&spaces)?;
            chars[i] = rng.pick(&ODD_SPACES);
        } else if roll < 7 && !hyphen_spots.is_empty() {
            let &i = rng.choose(&hyphen_spots)?;
            chars.insert(i, SOFT_HYPHEN);
        } else {
            let i = rng.range(1, chars.len() - 1);
            chars.insert(i, rng.pick(&ZERO_WIDTH));
        }
    }
    Some(chars.into_iter().collect())
}

fn is_vowel(c: char) -> bool {
    matches!(fold_char(c).to_ascii_lowercase(), 'a' | 'e' | 'i' | 'o' | 'u')
}

fn vowel_drop(s: &str, rng: &mut Rng) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    let runs: Vec<Vec<usize>> = letter_runs(&chars)
        .into_iter()
        .filter(|(a, b)| b - a >= 6)
        .map(|(a, b)| ((a + 1)..b).filter(|&i| is_vowel(chars[i])).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .collect();
    let mut vowels = rng.choose(&runs)?.clone();
    let count = if vowels.len() >= 2 && rng.chance(0.35) { 2 } else { 1 };
    rng.shuffle(&mut vowels);
    let mut drop = vowels[..count].to_vec();
    drop.sort_unstable_by_key(|&i| std::cmp::Reverse(i));
    for i in drop {
        chars.remove(i);
    }
    Some(chars.into_iter().collect())
}
