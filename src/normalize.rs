//! Name normalisation for matching.
//!
//! Lists and counterparty files spell the same party in many ways: accents
//! or none, `SURNAME, Given` or `Given Surname`, `S.A. de C.V.` or `SA DE CV`,
//! and evaders add zero-width characters or swap Latin letters for Cyrillic
//! lookalikes. Everything here maps those spellings to one token sequence
//! and says what it had to neutralise, so the scorer compares like with like
//! and the result can report possible evasion.

use serde::Serialize;

use crate::model::KindFamily;

/// Why a counterparty name looks manipulated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum EvasionSign {
    /// Zero-width characters, soft hyphens, direction marks.
    InvisibleCharacter,
    /// Non-breaking, thin or other unusual spaces.
    UnusualSpace,
    /// Cyrillic or Greek letters that look like Latin ones, mixed into Latin
    /// text.
    Homoglyph,
    /// Control characters.
    ControlCharacter,
}

impl EvasionSign {
    pub fn as_str(self) -> &'static str {
        match self {
            EvasionSign::InvisibleCharacter => "invisible_character",
            EvasionSign::UnusualSpace => "unusual_space",
            EvasionSign::Homoglyph => "homoglyph",
            EvasionSign::ControlCharacter => "control_character",
        }
    }
}

/// A name reduced to the tokens that identify it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalizedName {
    /// Significant tokens, lower-case ASCII letters and digits, in the
    /// original order (particles and legal forms removed).
    pub tokens: Vec<String>,
    /// The legal form found at the end of a company name, canonical
    /// (`sadecv`), if any.
    pub legal_form: Option<&'static str>,
    /// Evasion signs found, each once, sorted.
    pub evasion: Vec<EvasionSign>,
}

impl NormalizedName {
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The tokens joined by single spaces.
    pub fn joined(&self) -> String {
        self.tokens.join(" ")
    }
}

/// Normalises a name for matching. `family` decides whether a trailing legal
/// form is stripped (never for a person: `Juan Sa` keeps its `sa`).
pub fn normalize_name(raw: &str, family: KindFamily) -> NormalizedName {
    let (folded, evasion) = fold(raw);
    let mut tokens: Vec<String> = folded.split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect();
    // `C.J.N.G.` is the acronym `cjng`, not four initials.
    if tokens.len() >= 2 && tokens.iter().all(|t| t.len() == 1) {
        tokens = vec![tokens.concat()];
    }
    let mut legal_form = None;
    if family != KindFamily::Person {
        legal_form = strip_legal_form(&mut tokens);
    }
    // Particles carry no identity; but a name made only of particles keeps
    // them (`LA LA` is still a name).
    if tokens.iter().any(|t| !is_particle(t)) {
        tokens.retain(|t| !is_particle(t));
    }
    NormalizedName { tokens, legal_form, evasion }
}

/// Folds raw text to lower-case ASCII words separated by single spaces and
/// reports what had to be neutralised on the way.
///
/// Invisible characters are dropped; unusual spaces become spaces;
/// Cyrillic/Greek lookalikes inside otherwise Latin text become their Latin
/// twins (a wholly Cyrillic or Greek name is transliterated instead, which is
/// not evasion); everything else non-ASCII is transliterated. Apostrophes
/// join (`O'Brien` → `obrien`); other punctuation separates.
pub fn fold(raw: &str) -> (String, Vec<EvasionSign>) {
    let mut evasion = Vec::new();
    let note = |s: EvasionSign, ev: &mut Vec<EvasionSign>| {
        if !ev.contains(&s) {
            ev.push(s);
        }
    };
    let has_latin = raw.chars().any(|c| c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c));
    let mut out = String::with_capacity(raw.len());
    let mut pending_space = false;
    let mut buf = [0u8; 4];
    for c in raw.chars() {
        let c = if is_invisible(c) {
            note(EvasionSign::InvisibleCharacter, &mut evasion);
            continue;
        } else if is_unusual_space(c) {
            note(EvasionSign::UnusualSpace, &mut evasion);
            ' '
        } else if c.is_control() {
            if c != '\t' && c != '\n' && c != '\r' {
                note(EvasionSign::ControlCharacter, &mut evasion);
            }
            ' '
        } else if let Some(latin) = has_latin.then(|| homoglyph(c)).flatten() {
            note(EvasionSign::Homoglyph, &mut evasion);
            latin
        } else {
            c
        };
        if c.is_ascii() {
            push_ascii(&mut out, c as u8, &mut pending_space);
        } else if is_cjk(c) {
            // One syllable a character: each is a token of its own.
            pending_space = true;
            for b in deunicode::deunicode(c.encode_utf8(&mut buf)).bytes() {
                push_ascii(&mut out, b, &mut pending_space);
            }
            pending_space = true;
        } else {
            let s: &str = c.encode_utf8(&mut buf);
            for b in deunicode::deunicode(s).bytes() {
                push_ascii(&mut out, b, &mut pending_space);
            }
        }
    }
    evasion.sort();
    (out, evasion)
}

#[inline]
fn push_ascii(out: &mut String, b: u8, pending_space: &mut bool) {
    if b.is_ascii_alphanumeric() {
        if *pending_space && !out.is_empty() {
            out.push(' ');
        }
        *pending_space = false;
        out.push(b.to_ascii_lowercase() as char);
    } else if b == b'\'' || b == b'`' {
        // Apostrophes join: O'Brien, D'Angelo.
    } else {
        *pending_space = true;
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}')
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}' | '\u{FFA0}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}')
}

fn is_unusual_space(c: char) -> bool {
    matches!(c, '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}')
}

/// Cyrillic and Greek letters that render like Latin ones.
fn homoglyph(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic capitals
        'А' => 'A', 'В' => 'B', 'Е' => 'E', 'Ѕ' => 'S', 'І' => 'I', 'Ј' => 'J', 'К' => 'K',
        'М' => 'M', 'Н' => 'H', 'О' => 'O', 'Р' => 'P', 'С' => 'C', 'Т' => 'T', 'Х' => 'X',
        'У' => 'Y', 'Ԁ' => 'D', 'Ԍ' => 'G', 'Ԛ' => 'Q', 'Ԝ' => 'W', 'Ү' => 'Y', 'Ӏ' => 'I',
        // Cyrillic small
        'а' => 'a', 'в' => 'b', 'е' => 'e', 'ѕ' => 's', 'і' => 'i', 'ј' => 'j', 'к' => 'k',
        'м' => 'm', 'н' => 'h', 'о' => 'o', 'р' => 'p', 'с' => 'c', 'т' => 't', 'х' => 'x',
        'у' => 'y', 'ԁ' => 'd', 'ԛ' => 'q', 'ԝ' => 'w', 'һ' => 'h', 'ӏ' => 'l', 'ү' => 'y',
        'ё' => 'e', 'ї' => 'i',
        // Greek capitals
        'Α' => 'A', 'Β' => 'B', 'Ε' => 'E', 'Ζ' => 'Z', 'Η' => 'H', 'Ι' => 'I', 'Κ' => 'K',
        'Μ' => 'M', 'Ν' => 'N', 'Ο' => 'O', 'Ρ' => 'P', 'Τ' => 'T', 'Υ' => 'Y', 'Χ' => 'X',
        // Greek small
        'ο' => 'o', 'ν' => 'v', 'ι' => 'i', 'κ' => 'k', 'ρ' => 'p', 'τ' => 't', 'υ' => 'u',
        'χ' => 'x', 'α' => 'a', 'ε' => 'e',
        // Letter-like symbols
        'ℓ' => 'l', 'ı' => 'i',
        _ => return None,
    })
}

/// Words that connect names and carry no identity.
pub fn is_particle(t: &str) -> bool {
    matches!(
        t,
        "de" | "del" | "la" | "las" | "los" | "lo" | "y" | "e" | "da" | "das" | "do" | "dos" | "di"
            | "du" | "van" | "von" | "der" | "den" | "le" | "el" | "al" | "the" | "of" | "and"
            | "et" | "und"
    )
}

/// Legal forms as their tokens joined with nothing: `S.A. de C.V.`,
/// `SA DE CV` and `S. A. DE C. V.` all join to `sadecv`.
const LEGAL_FORMS: &[&str] = &[
    // Mexico and Latin America
    "sadecv", "sabdecv", "sapidecv", "sapibdecv", "sderldecv", "sdeprlderl", "sderl", "srldecv",
    "sdeprderl", "sdeprderi", "sdeprdeil", "sprderl", "sprderi", "sprdeil", "spr", "scdecv", "scderl",
    "scderldecv", "sc", "ac", "iap", "abp", "scl", "scp", "sa", "sas", "sasdecv", "sdesdecv", "ltda",
    "sencsa", "senc", "senca", "scs", "eirl", "saa", "sac", "srl", "sociedadanonima",
    "sociedadanonimadecapitalvariable", "sociedadderesponsabilidadlimitada",
    "sociedadderesponsabilidadlimitadadecapitalvariable", "sociedadcivil", "asociacioncivil",
    "cia", "ciasa", "cialtda",
    // English-speaking and elsewhere
    "llc", "lllp", "llp", "lp", "ltd", "limited", "coltd", "colimited", "inc", "incorporated",
    "coinc", "corp", "corporation", "co", "plc", "pllc", "pte", "ptyltd", "pteltd", "pty", "gmbh",
    "gmbhcokg", "ag", "kg", "bv", "nv", "sarl", "spa", "oy", "ab", "as", "asa", "kft", "ooo", "oao",
    "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "fze", "fzco", "fzc", "fzllc", "fzcllc", "sl",
    "sll", "sro", "doo", "dooel", "bhd", "sdnbhd", "tbk", "pt", "jsc", "llcfz",
];

fn legal_form_canonical(joined: &str) -> Option<&'static str> {
    LEGAL_FORMS.iter().find(|f| f.eq_ignore_ascii_case(joined)).copied()
}

/// Removes legal forms from the end of a company's tokens (repeatedly:
/// `... S.A. de C.V. LLC`), returning the last one found. Never removes the
/// last remaining token.
fn strip_legal_form(tokens: &mut Vec<String>) -> Option<&'static str> {
    let mut found = None;
    loop {
        let mut best: Option<(usize, &'static str)> = None;
        let max_k = tokens.len().saturating_sub(1).min(8);
        let mut joined = String::new();
        for k in 1..=max_k {
            let t = &tokens[tokens.len() - k];
            // Legal forms are made of short pieces; a long word ends the search.
            if t.len() > 12 {
                break;
            }
            joined.insert_str(0, t);
            if let Some(f) = legal_form_canonical(&joined) {
                best = Some((k, f));
            }
        }
        match best {
            Some((k, f)) => {
                tokens.truncate(tokens.len() - k);
                found = found.or(Some(f));
            }
            None => return found,
        }
    }
}

/// Business words so common in company names that they cannot identify one
/// alone (`Grupo`, `Comercializadora`, `Servicios`...).
pub fn is_generic_business_word(t: &str) -> bool {
    matches!(
        t,
        "grupo" | "group" | "comercializadora" | "comercializacion" | "comercial" | "comercio"
            | "servicios" | "servicio" | "services" | "service" | "inmobiliaria" | "inmobiliarias"
            | "transportes" | "transporte" | "autotransportes" | "transport" | "transportation"
            | "constructora" | "construcciones" | "construccion" | "construction" | "distribuidora"
            | "distribuidor" | "distribuciones" | "distribution" | "internacional" | "international"
            | "nacional" | "national" | "corporativo" | "corporacion" | "compania" | "company"
            | "empresa" | "empresas" | "enterprises" | "enterprise" | "industrias" | "industrial"
            | "industries" | "industria" | "productos" | "productora" | "products" | "importadora"
            | "exportadora" | "import" | "export" | "importaciones" | "exportaciones" | "trading"
            | "traders" | "holding" | "holdings" | "global" | "inversiones" | "inversora"
            | "investments" | "investment" | "desarrollos" | "desarrolladora" | "desarrollo"
            | "consultores" | "consultoria" | "consulting" | "asociados" | "associates"
            | "logistica" | "logistics" | "agricola" | "agropecuaria" | "ganadera" | "gasolinera"
            | "estacion" | "estaciones" | "farmacia" | "farmacias" | "abarrotes" | "hotel"
            | "restaurante" | "restaurant" | "casa" | "centro" | "sociedad" | "negocios"
            | "soluciones" | "integrales" | "integral" | "tecnologia" | "sistemas" | "proyectos"
            | "administradora" | "arrendadora" | "financiera" | "capital" | "general" | "shipping"
            | "maritime" | "marine" | "airlines" | "aviation" | "petroleum" | "energy" | "trade"
            | "comercializadores" | "materiales" | "alimentos" | "bienes" | "raices" | "union"
            | "operadora" | "promotora" | "multiservicios" | "corporation" | "fabrica"
            | "manufacturing" | "manufacturera" | "bank" | "banco" | "management" | "partners"
            | "network" | "solutions" | "systems" | "technology" | "technologies" | "digital"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str, f: KindFamily) -> Vec<String> {
        normalize_name(s, f).tokens
    }

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(toks("Rubén OSEGUERA-Cervantes", KindFamily::Person), ["ruben", "oseguera", "cervantes"]);
        assert_eq!(toks("OSEGUERA CERVANTES, Ruben", KindFamily::Person), ["oseguera", "cervantes", "ruben"]);
        assert_eq!(toks("Nuñez O'Brien", KindFamily::Person), ["nunez", "obrien"]);
    }

    #[test]
    fn joins_dotted_acronyms() {
        assert_eq!(toks("C.J.N.G.", KindFamily::Any), ["cjng"]);
        assert_eq!(toks("J. R. Smith", KindFamily::Person), ["j", "r", "smith"]);
    }

    #[test]
    fn drops_particles_but_not_whole_names() {
        assert_eq!(toks("Cártel de Jalisco Nueva Generación", KindFamily::Any), ["cartel", "jalisco", "nueva", "generacion"]);
        assert_eq!(toks("El Mencho", KindFamily::Any), ["mencho"]);
        assert_eq!(toks("de la", KindFamily::Any), ["de", "la"]);
    }

    #[test]
    fn strips_mexican_and_foreign_legal_forms() {
        let want = ["impergoza"];
        for v in [
            "GRUPO IMPERGOZA, S.A. DE C.V.",
            "Grupo Impergoza SA de CV",
            "Grupo Impergoza S. A. de C. V.",
            "Grupo Impergoza, S. de R.L. de C.V.",
            "Grupo Impergoza SAPI de CV",
            "Grupo Impergoza S.A.P.I. de C.V.",
            "Grupo Impergoza LLC",
            "Grupo Impergoza, Inc.",
        ] {
            let n = normalize_name(v, KindFamily::Organization);
            assert_eq!(n.tokens[1..], want, "{v}");
            assert!(n.legal_form.is_some(), "{v}");
        }
        assert_eq!(
            normalize_name("AGRICOLA BOREAL S.P.R. DE R.L.", KindFamily::Organization).legal_form,
            Some("sprderl")
        );
        assert_eq!(toks("Ltd", KindFamily::Organization), ["ltd"]);
        // A person's name keeps a token that looks like a legal form.
        assert_eq!(toks("Juan Sa", KindFamily::Person), ["juan", "sa"]);
    }

    #[test]
    fn neutralises_and_reports_evasion() {
        let n = normalize_name("O\u{200B}seguera C\u{00AD}ervantes", KindFamily::Person);
        assert_eq!(n.tokens, ["oseguera", "cervantes"]);
        assert_eq!(n.evasion, [EvasionSign::InvisibleCharacter]);
        // Cyrillic о and е inside Latin text.
        let n = normalize_name("\u{041E}segu\u{0435}ra Cervantes", KindFamily::Person);
        assert_eq!(n.tokens, ["oseguera", "cervantes"]);
        assert_eq!(n.evasion, [EvasionSign::Homoglyph]);
        let n = normalize_name("Ruben\u{00A0}Oseguera", KindFamily::Person);
        assert_eq!(n.tokens, ["ruben", "oseguera"]);
        assert_eq!(n.evasion, [EvasionSign::UnusualSpace]);
    }

    #[test]
    fn transliterates_other_scripts_without_flagging() {
        let n = normalize_name("Владимир Путин", KindFamily::Person);
        assert_eq!(n.tokens, ["vladimir", "putin"]);
        assert!(n.evasion.is_empty());
        assert_eq!(toks("習近平", KindFamily::Person), ["xi", "jin", "ping"]);
    }
}
