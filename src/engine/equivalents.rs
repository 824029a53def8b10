//! Given names that are the same name in Spanish and English (and a few
//! other languages): a record may write `John Doe` for a listed `Juan Doe`,
//! or `Guillermo` for `William`. Kept small and certain: only names that are
//! standard translations of each other, and a few business words that are
//! one word in both languages (`Grupo`/`Group`).

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
    static INDEX: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, usize>> = std::sync::OnceLock::new();
    INDEX
        .get_or_init(|| GROUPS.iter().enumerate().flat_map(|(g, names)| names.iter().map(move |n| (*n, g))).collect())
        .get(t)
        .copied()
}

/// Every name equivalent to `t` (not `t` itself).
pub fn equivalents_of(t: &str) -> impl Iterator<Item = &'static &'static str> + '_ {
    group_of(t).into_iter().flat_map(|g| GROUPS[g].iter()).filter(move |n| **n != t)
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
        assert!(equivalents_of("john").any(|n| *n == "juan"));
    }
}
