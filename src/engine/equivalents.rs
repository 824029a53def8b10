//! Given names that are the same name in Spanish and English (and a few
//! other languages): a record may write `John Doe` for a listed `Juan Doe`,
//! or `Guillermo` for `William`. Kept small and certain: only names that are
//! standard translations of each other, and a few business words that are
//! one word in both languages (`Grupo`/`Group`). And nicknames: the familiar
//! forms of given names (`Pepe` for José, `Bill` for William), kept as data
//! with their sources in `lists/reference/nicknames.csv`.

use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The nickname table: `nickname,names,language,source` (see the file's
/// header).
pub const NICKNAMES_CSV: &str = include_str!("../../lists/reference/nicknames.csv");

/// Groups of equivalent given names, normalised (lower case, no accents).
const GROUPS: &[&[&str]] = &[
    &["juan", "john", "johann", "johannes", "jean", "giovanni", "ivan", "joao"],
    &["jose", "joseph", "josef", "giuseppe"],
    &["miguel", "michael", "michel", "mikhail", "michele"],
    &["guillermo", "william", "wilhelm", "guillaume"],
    &["pedro", "peter", "pierre", "pietro", "pyotr"],
    &["jorge", "george", "georg", "georges", "giorgio"],
    &["enrique", "henry", "heinrich", "henri", "enrico"],
    &["carlos", "charles", "karl", "carlo"],
    &["francisco", "francis", "franz", "francois", "francesco"],
    &["alejandro", "alexander", "alexandre", "alessandro", "aleksandr", "alexandros", "aleksandar"],
    &["jaime", "james", "giacomo"],
    &["luis", "louis", "ludwig", "luigi"],
    &["antonio", "anthony", "anton", "antoine"],
    &["andres", "andrew", "andreas", "andre", "andrei"],
    &["esteban", "stephen", "steven", "stefan", "etienne"],
    &["mateo", "matthew", "matthias", "matteo"],
    &["tomas", "thomas"],
    &["pablo", "paul", "paolo"],
    &["felipe", "philip", "phillip", "philippe", "filippo"],
    &["ricardo", "richard"],
    &["roberto", "robert"],
    &["eduardo", "edward"],
    &["alfonso", "alphonse"],
    &["ignacio", "ignatius"],
    &["maria", "mary", "marie", "mariya"],
    &["juana", "jane", "joan", "jeanne", "giovanna"],
    &["josefina", "josephine"],
    &["teresa", "theresa", "therese"],
    &["isabel", "elizabeth", "elisabeth", "isabelle"],
    &["catalina", "catherine", "katherine", "katharina", "caterina", "ekaterina", "yekaterina"],
    &["margarita", "margaret", "marguerite", "margherita"],
    &["elena", "helen", "helena", "helene", "yelena"],
    // Business words that are one word in Spanish and English (`GRP` is
    // written out as `group`, and a Mexican list writes `GRUPO`).
    &["grupo", "group"],
    &["compania", "company"],
    &["servicios", "services"],
    &["internacional", "international"],
    &["corporacion", "corporation"],
];

fn group_of(t: &str) -> Option<usize> {
    static INDEX: OnceLock<FxHashMap<&'static str, usize>> = OnceLock::new();
    INDEX
        .get_or_init(|| GROUPS.iter().enumerate().flat_map(|(g, names)| names.iter().map(move |n| (*n, g))).collect())
        .get(t)
        .copied()
}

/// Nickname → given names and given name → nicknames, both ways.
fn nickname_pairs() -> &'static FxHashMap<&'static str, Vec<&'static str>> {
    static PAIRS: OnceLock<FxHashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut m: FxHashMap<&'static str, Vec<&'static str>> = FxHashMap::default();
        for row in crate::engine::reference::rows(NICKNAMES_CSV) {
            let [nick, names, ..] = row[..] else { continue };
            for name in names.split('|').filter(|n| !n.is_empty()) {
                m.entry(nick).or_default().push(name);
                m.entry(name).or_default().push(nick);
            }
        }
        m
    })
}

/// Every name equivalent to `t` (not `t` itself): its translations, then
/// its nicknames or the names it is a nickname of.
pub fn equivalents_of(t: &str) -> impl Iterator<Item = &'static str> + '_ {
    group_of(t)
        .into_iter()
        .flat_map(|g| GROUPS[g].iter().copied())
        .filter(move |n| *n != t)
        .chain(nickname_pairs().get(t).into_iter().flatten().copied())
}

/// Whether `a` is a nickname of given name `b`, or the reverse (`pepe` and
/// `jose`).
pub fn nickname_of(a: &str, b: &str) -> bool {
    nickname_pairs().get(a).is_some_and(|ns| ns.contains(&b))
}

/// Whether `a` and `b` are different spellings of one given name across
/// languages.
pub fn equivalent_given_names(a: &str, b: &str) -> bool {
    a != b && group_of(a).is_some_and(|g| group_of(b) == Some(g))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_and_english_forms_are_equivalent() {
        assert!(equivalent_given_names("juan", "john"));
        assert!(equivalent_given_names("guillermo", "william"));
        assert!(!equivalent_given_names("juan", "jose"));
        assert!(!equivalent_given_names("juan", "juan"));
        assert!(equivalents_of("john").any(|n| n == "juan"));
    }

    #[test]
    fn nicknames_pair_with_their_names_only() {
        assert!(nickname_of("pepe", "jose") && nickname_of("jose", "pepe"));
        assert!(nickname_of("ted", "edward") && nickname_of("ted", "theodore"));
        assert!(!nickname_of("edward", "theodore"));
        assert!(!nickname_of("pepe", "juan"));
        assert!(equivalents_of("francisco").any(|n| n == "paco"));
        assert!(equivalents_of("francisco").any(|n| n == "francis"));
        // Every row has a nickname, at least one name and a source.
        for row in NICKNAMES_CSV.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).skip(1) {
            let f: Vec<&str> = row.split(',').collect();
            assert_eq!(f.len(), 4, "{row}");
            assert!(f[0].bytes().all(|b| b.is_ascii_lowercase()), "{row}");
            assert!(f[3].starts_with("http"), "{row}");
        }
    }
}
