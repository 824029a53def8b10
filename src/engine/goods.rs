//! Controlled goods found in free text: the precursor chemicals of fentanyl
//! and methamphetamine and the equipment that presses pills, by name,
//! synonym or trade name (English and Spanish), CAS number or HS code.
//!
//! The list ([`GoodsList`]) is data with a public source on every row (see
//! `lists/controlled_goods.csv` and [`crate::lists::goods`]). Matching is
//! tolerant of the usual trade spellings: case, accents, hyphens, spaces and
//! brackets are ignored (`4-ANPP`, `4 ANPP`, `4ANPP`; `N-Phenethyl-4-Piperidinone`),
//! and `piperidinone`/`piperidinona` are read as `piperidone`/`piperidona`
//! (the same compound). A term matches only whole words of the text. Short
//! acronyms (`NPP`, `P2P`, `PPA`, `MAPA`: five letters and digits or fewer)
//! count only in a text that also speaks of chemicals or quantities
//! ([`CHEMICAL_CONTEXT`]), so that `MAPA` (Spanish for map) or `P2P` (a
//! payment) in other texts does not alert; a CAS number only in its hyphenated
//! form; an HS code only in a text that names a tariff code
//! ([`TARIFF_CONTEXT`]).

use serde::Serialize;

/// The kind of a controlled good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoodsCategory {
    /// A precursor or immediate precursor of fentanyl or methamphetamine.
    PrecursorChemical,
    /// Tablet presses, encapsulating machines, punches and dies.
    PillPressEquipment,
}

impl GoodsCategory {
    /// `precursor_chemical` or `pill_press_equipment`.
    pub fn as_str(self) -> &'static str {
        match self {
            GoodsCategory::PrecursorChemical => "precursor_chemical",
            GoodsCategory::PillPressEquipment => "pill_press_equipment",
        }
    }
}

/// How a good was recognised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    /// The item's name (or a part of it between brackets or slashes).
    Name,
    /// One of its synonyms or trade names.
    Synonym,
    /// Its CAS registry number.
    Cas,
    /// Its HS (or HTSUS) tariff code.
    HsCode,
}

/// The public source of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct GoodsSource {
    /// `federal_register`, `cfr`, `secondary_report`…
    pub kind: String,
    /// Who published it (`U.S. DEA`), with the mirror when read from one.
    pub issuer: String,
    /// The document's title.
    pub title: String,
    /// `YYYY-MM-DD`, absent when the page showed none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Where it was read.
    pub url: String,
    /// Citation: `72 FR 20039`, `21 CFR 1310.02(a)(…)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// One controlled good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoodsItem {
    /// Stable id: `npp`, `anpp`, `tablet-press`.
    pub id: String,
    /// A chemical or equipment.
    pub category: GoodsCategory,
    /// The name as the source gives it.
    pub name: String,
    /// Other names and trade names, English and Spanish.
    pub synonyms: Vec<String>,
    /// CAS registry numbers, `39742-60-4`.
    pub cas: Vec<String>,
    /// HS / HTSUS codes, `2933.37`.
    pub hs_codes: Vec<String>,
    /// How it is controlled: `DEA List I`, `UN 1988 Table I`…
    pub controls: Vec<String>,
    /// The public source of the row.
    pub source: GoodsSource,
}

/// A controlled good found in a text.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GoodsHit {
    /// Offset of the first character of the words matched, in characters.
    pub start: usize,
    /// Offset just past them, in characters.
    pub end: usize,
    /// The words as written.
    pub text: String,
    /// A chemical or equipment.
    pub category: GoodsCategory,
    /// The item's id (`anpp`).
    pub item: String,
    /// The item's name.
    pub item_name: String,
    /// How it matched.
    pub matched_by: MatchedBy,
    /// The list's term that matched (a synonym, a CAS number…).
    pub matched_term: String,
    /// How the item is controlled.
    pub controls: Vec<String>,
    /// The public source of the item's row.
    pub source: GoodsSource,
}

/// Words that make a short acronym count: the text speaks of chemicals or
/// of quantities of goods.
pub const CHEMICAL_CONTEXT: &[&str] = &[
    "chemical",
    "chemicals",
    "quimico",
    "quimicos",
    "quimica",
    "quimicas",
    "precursor",
    "precursors",
    "precursores",
    "reagent",
    "reagents",
    "reactivo",
    "reactivos",
    "solvent",
    "solvente",
    "cas",
    "purity",
    "pureza",
    "powder",
    "polvo",
    "liquid",
    "liquido",
    "kg",
    "kgs",
    "kilo",
    "kilos",
    "kilogram",
    "kilograms",
    "kilogramos",
    "drum",
    "drums",
    "tambor",
    "tambores",
    "litre",
    "litres",
    "liter",
    "liters",
    "litros",
    "barrel",
    "barrels",
    "bidon",
    "bidones",
    "grade",
    "pharmaceutical",
    "farmaceutico",
    "compound",
    "compuesto",
    "msds",
    "sds",
    "hs",
    "hts",
];

/// Words that make an HS code count.
pub const TARIFF_CONTEXT: &[&str] = &[
    "hs",
    "hts",
    "htsus",
    "tariff",
    "arancel",
    "arancelaria",
    "fraccion",
    "commodity",
    "harmonized",
    "nico",
    "customs",
];

/// A term of the list, prepared for matching.
#[derive(Debug, Clone)]
struct Term {
    item: usize,
    /// The term as the list writes it.
    written: String,
    /// Its words, normalised.
    words: Vec<String>,
    /// The words joined.
    compact: String,
    by: MatchedBy,
    /// Counts only with [`CHEMICAL_CONTEXT`].
    needs_context: bool,
}

/// The controlled goods, ready to scan texts.
#[derive(Debug, Clone)]
pub struct GoodsList {
    items: Vec<GoodsItem>,
    terms: Vec<Term>,
    /// The distinct compact spellings of the name and synonym terms, found
    /// in one pass over a text.
    spellings: aho_corasick::AhoCorasick,
    /// For each spelling (pattern id), the terms written so (indices into
    /// `terms`, ascending).
    spelled_by: Vec<Vec<usize>>,
}

/// Text reduced to words: lower-case ASCII letters and digits, each word
/// with the span (in characters) it came from.
struct Words {
    words: Vec<String>,
    spans: Vec<(usize, usize)>,
}

fn fold(word: &mut String) {
    for (from, to) in [("piperidinone", "piperidone"), ("piperidinona", "piperidona")] {
        if word.contains(from) {
            *word = word.replace(from, to);
        }
    }
}

fn words(text: &str) -> Words {
    let mut w = Words { words: Vec::new(), spans: Vec::new() };
    let mut cur = String::new();
    let mut start = 0;
    let mut pos = 0;
    let mut one = [0u8; 4];
    for c in text.chars() {
        let ascii: &str =
            if c.is_ascii() { c.encode_utf8(&mut one) } else { deunicode::deunicode_char(c).unwrap_or("") };
        let alnum = !ascii.is_empty() && ascii.bytes().all(|a| a.is_ascii_alphanumeric());
        if alnum {
            if cur.is_empty() {
                start = pos;
            }
            cur.extend(ascii.chars().map(|a| a.to_ascii_lowercase()));
        } else if !cur.is_empty() {
            fold(&mut cur);
            w.words.push(std::mem::take(&mut cur));
            w.spans.push((start, pos));
        }
        pos += 1;
    }
    if !cur.is_empty() {
        fold(&mut cur);
        w.words.push(cur);
        w.spans.push((start, pos));
    }
    w
}

/// The terms a name yields: the name cut before `, its` or ` and its`,
/// its last bracketed group read apart, each part split at `, ` and ` / `,
/// `e.g.` dropped.
fn name_terms(name: &str) -> Vec<String> {
    let mut n = name.trim();
    for cut in [", its ", " and its ", " for tablet"] {
        if let Some(i) = n.find(cut) {
            n = &n[..i];
        }
    }
    let mut parts = vec![n];
    if let (true, Some(open)) = (n.ends_with(')'), n.rfind(" (")) {
        parts = vec![&n[..open], &n[open + 2..n.len() - 1]];
    }
    let mut out = Vec::new();
    for piece in parts.iter().flat_map(|p| p.split(", ")).flat_map(|p| p.split(" / ")) {
        let p = piece.trim().trim_start_matches("e.g.").trim();
        if !p.is_empty() {
            out.push(p.to_string());
        }
    }
    out
}

impl GoodsList {
    /// Prepares `items` for scanning.
    pub fn new(items: Vec<GoodsItem>) -> GoodsList {
        let mut terms = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let mut add = |written: &str, by: MatchedBy| {
                let w = words(written).words;
                let compact: String = w.concat();
                if compact.len() < 3 {
                    return;
                }
                let needs_context = matches!(by, MatchedBy::Name | MatchedBy::Synonym) && compact.len() <= 5;
                if terms.iter().any(|t: &Term| t.item == i && t.compact == compact) {
                    return;
                }
                terms.push(Term { item: i, written: written.to_string(), words: w, compact, by, needs_context });
            };
            for n in name_terms(&item.name) {
                add(&n, MatchedBy::Name);
            }
            for s in &item.synonyms {
                add(s, MatchedBy::Synonym);
            }
            for c in &item.cas {
                add(c, MatchedBy::Cas);
            }
            for h in &item.hs_codes {
                add(h, MatchedBy::HsCode);
            }
        }
        let mut spelling_ids: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        let mut spelled_by: Vec<Vec<usize>> = Vec::new();
        let mut spellings: Vec<&str> = Vec::new();
        for (k, t) in terms.iter().enumerate() {
            if matches!(t.by, MatchedBy::Name | MatchedBy::Synonym) {
                let id = *spelling_ids.entry(t.compact.as_str()).or_insert_with(|| {
                    spellings.push(t.compact.as_str());
                    spelled_by.push(Vec::new());
                    spellings.len() - 1
                });
                spelled_by[id].push(k);
            }
        }
        // Plain ASCII patterns of three bytes or more: building cannot fail.
        let spellings = aho_corasick::AhoCorasick::new(&spellings).expect("goods spellings build an automaton");
        GoodsList { items, terms, spellings, spelled_by }
    }

    /// The items, in list order.
    pub fn items(&self) -> &[GoodsItem] {
        &self.items
    }

    /// The controlled goods named in `text`, in text order; where matches
    /// overlap, the one covering more words is kept.
    pub fn scan(&self, text: &str) -> Vec<GoodsHit> {
        let w = words(text);
        if w.words.is_empty() {
            return Vec::new();
        }
        let has = |set: &[&str]| w.words.iter().any(|x| set.contains(&x.as_str()));
        let chemical = has(CHEMICAL_CONTEXT);
        let tariff = has(TARIFF_CONTEXT);
        let mut compact = String::new();
        let mut starts = Vec::with_capacity(w.words.len());
        for x in &w.words {
            starts.push(compact.len());
            compact.push_str(x);
        }
        let word_at = |offset: usize| starts.binary_search(&offset).ok();
        let word_ending = |offset: usize| starts.iter().enumerate().position(|(k, s)| s + w.words[k].len() == offset);
        // (first word, last word, term index)
        let mut found: Vec<(usize, usize, usize)> = Vec::new();
        for (k, t) in self.terms.iter().enumerate() {
            if t.needs_context && !chemical {
                continue;
            }
            match t.by {
                MatchedBy::Cas => {
                    let n = t.words.len();
                    for i in 0..w.words.len().saturating_sub(n - 1) {
                        if w.words[i..i + n] == t.words[..] {
                            found.push((i, i + n - 1, k));
                        }
                    }
                }
                MatchedBy::HsCode => {
                    if !tariff {
                        continue;
                    }
                    let n = t.words.len();
                    for i in 0..w.words.len() {
                        if i + n <= w.words.len() && w.words[i..i + n] == t.words[..] {
                            found.push((i, i + n - 1, k));
                        } else if w.words[i] == t.compact
                            || (w.words[i].len() > t.compact.len()
                                && w.words[i].starts_with(&t.compact)
                                && w.words[i].bytes().all(|b| b.is_ascii_digit())
                                && matches!(w.words[i].len(), 6 | 8 | 10))
                        {
                            found.push((i, i, k));
                        }
                    }
                }
                MatchedBy::Name | MatchedBy::Synonym => {}
            }
        }
        // Names and synonyms: every place a spelling occurs that starts a
        // word and ends one.
        for m in self.spellings.find_overlapping_iter(&compact) {
            let (off, end) = (m.start(), m.end());
            let Some(i) = word_at(off) else { continue };
            // The plural as written in Spanish and English (`ENCAPSULADORAS`).
            let last = word_ending(end).or_else(|| {
                ["s", "es"]
                    .iter()
                    .find_map(|p| compact[end..].starts_with(p).then(|| word_ending(end + p.len())).flatten())
            });
            let Some(j) = last else { continue };
            for &k in &self.spelled_by[m.pattern().as_usize()] {
                if chemical || !self.terms[k].needs_context {
                    found.push((i, j, k));
                }
            }
        }
        // Longest first, then earliest; a match inside a kept one is dropped.
        let item_of = |k: usize| self.terms[k].item;
        found.sort_by(|a, b| {
            (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)).then(item_of(a.2).cmp(&item_of(b.2))).then(a.2.cmp(&b.2))
        });
        found.dedup();
        let mut taken = vec![false; w.words.len()];
        let mut hits = Vec::new();
        for (i, j, k) in found {
            let t = &self.terms[k];
            if taken[i..=j].iter().any(|x| *x) {
                continue;
            }
            taken[i..=j].iter_mut().for_each(|x| *x = true);
            let item = &self.items[t.item];
            let (s, e) = (w.spans[i].0, w.spans[j].1);
            hits.push(GoodsHit {
                start: s,
                end: e,
                text: text.chars().skip(s).take(e - s).collect(),
                category: item.category,
                item: item.id.clone(),
                item_name: item.name.clone(),
                matched_by: t.by,
                matched_term: t.written.clone(),
                controls: item.controls.clone(),
                source: item.source.clone(),
            });
        }
        hits.sort_by_key(|h| h.start);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> &'static GoodsList {
        crate::lists::goods::embedded()
    }

    fn items(text: &str) -> Vec<(String, MatchedBy)> {
        list().scan(text).into_iter().map(|h| (h.item, h.matched_by)).collect()
    }

    #[test]
    fn trade_spellings_of_fentanyl_precursors() {
        for t in [
            "500 KG 4-ANPP",
            "500 kg 4 ANPP powder",
            "4-anilino-N-phenethylpiperidine 99 pct",
            "N-Phenethyl-4-Piperidinone, 200 KG",
            "N-PHENETHYL-4-PIPERIDONE",
            "NPP 25 KG DRUMS",
            "1-BOC-4-AP",
            "tert-butyl 4-(phenylamino)piperidine-1-carboxylate",
            "NORFENTANYL",
            "PROPIONYL CHLORIDE 200 L",
            "4-anilinopiperidine",
            "CAS 39742-60-4",
        ] {
            assert!(!list().scan(t).is_empty(), "{t}");
        }
        assert_eq!(items("N-Phenethyl-4-Piperidinone"), [("npp".to_string(), MatchedBy::Name)]);
        assert_eq!(items("100 KG OF 4-ANPP"), [("anpp".to_string(), MatchedBy::Synonym)]);
        assert_eq!(items("CAS NO. 21409-26-7"), [("anpp".to_string(), MatchedBy::Cas)]);
    }

    #[test]
    fn methamphetamine_precursors_and_presses() {
        assert_eq!(items("PHENYL-2-PROPANONE")[0].0, "p2p");
        assert_eq!(items("20 DRUMS P2P")[0].0, "p2p");
        assert_eq!(
            items("EFEDRINA Y PSEUDOEFEDRINA"),
            [("ephedrine".to_string(), MatchedBy::Synonym), ("pseudoephedrine".to_string(), MatchedBy::Synonym)]
        );
        assert_eq!(items("METHYLAMINE 40 PCT SOLUTION")[0].0, "methylamine");
        assert_eq!(items("ONE (1) ROTARY TABLET PRESS MODEL ZP-35")[0].0, "tablet-press");
        assert_eq!(items("2 ENCAPSULADORAS AUTOMATICAS")[0].0, "encapsulating-machine");
        assert_eq!(items("MAQUINA TABLETEADORA")[0].1, MatchedBy::Synonym);
        assert_eq!(items("HS CODE 2939.41.00")[0], ("ephedrine".to_string(), MatchedBy::HsCode));
        assert_eq!(items("HS 293941")[0].0, "ephedrine");
    }

    #[test]
    fn ordinary_words_do_not_alert() {
        for t in [
            "MAPA DE RUTA DEL EMBARQUE",
            "P2P TRANSFER FOR RENT",
            "PPA ADJUSTMENT INVOICE 12",
            "INVOICE 39742604",
            "2939.41 USD",
            "APPLE JUICE CONCENTRATE, FOB MANZANILLO",
            "PRINTING PRESS SPARE PARTS AND TABLET COMPUTERS",
        ] {
            assert!(list().scan(t).is_empty(), "{t}: {:?}", list().scan(t));
        }
    }

    #[test]
    fn names_yield_their_parts() {
        assert_eq!(
            name_terms("Phenylacetone (phenyl-2-propanone, P2P)"),
            ["Phenylacetone", "phenyl-2-propanone", "P2P"]
        );
        assert_eq!(
            name_terms("tert-butyl 4-(phenylamino)piperidine-1-carboxylate (1-boc-4-AP)"),
            ["tert-butyl 4-(phenylamino)piperidine-1-carboxylate", "1-boc-4-AP"]
        );
        assert_eq!(name_terms("Ephedrine, its salts, optical isomers"), ["Ephedrine"]);
        assert_eq!(name_terms("Punches and dies / die molds for tablet presses"), ["Punches and dies", "die molds"]);
    }

    #[test]
    fn a_hit_has_its_source_and_offsets() {
        let t = "Goods: 200 kg N-fenetil-4-piperidona, CIF Manzanillo";
        let h = &list().scan(t)[0];
        assert_eq!(h.text, "N-fenetil-4-piperidona");
        assert_eq!(t.chars().skip(h.start).take(h.end - h.start).collect::<String>(), h.text);
        assert_eq!(h.category, GoodsCategory::PrecursorChemical);
        assert!(h.source.url.starts_with("http"));
        assert!(h.controls.iter().any(|c| c == "DEA List I"));
    }
}
