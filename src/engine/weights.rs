//! How much a token says about identity.
//!
//! A match on `García` or `Servicios` is no evidence on its own: thousands of
//! unrelated Mexicans and companies share them. Every token gets a weight in
//! [0.15, 1]: the lower of a built-in prior for names and words known to be
//! common in Mexico and Latin America, and the token's rarity among the names
//! on the loaded lists (inverse document frequency).

use crate::engine::reference::business_word;

/// Weight of tokens nothing marks as common.
pub const RARE: f32 = 1.0;
/// Weight of a single letter (an initial).
pub const INITIAL: f32 = 0.2;

/// Floor of any weight, so no token is worth nothing.
pub const FLOOR: f32 = 0.12;

/// The prior weight of a normalised token, from what is known to be common
/// in the population being screened.
pub fn prior_weight(t: &str) -> f32 {
    if t.len() == 1 {
        return INITIAL;
    }
    if let Some(w) = business_word(t) {
        return w.weight;
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return 0.5;
    }
    if let Some(w) = common_name_weight(t) {
        return w;
    }
    if is_common_place(t) {
        return 0.5;
    }
    if is_patronymic(t) {
        return PATRONYMIC;
    }
    RARE
}

/// Weight of an East Slavic patronymic (`Viktorovich`, `Oleksandrivna`): a
/// father's given name, shared by his children and often left out of a name
/// written abroad, so its absence should cost less than a given name's.
const PATRONYMIC: f32 = 0.5;

/// Whether `t` has the ending of an East Slavic patronymic: `-ovich`/`-evich`
/// (Russian, Belarusian), `-ovych`/`-evych` (Ukrainian), `-ovna`/`-evna`/`-ivna`
/// and `-ichna` (their feminines). Serbian and Croatian `-ović` surnames end
/// in `-ovic` and are not matched.
fn is_patronymic(t: &str) -> bool {
    t.len() >= 8 && ["ovich", "evich", "ovych", "evych", "ovna", "evna", "ivna", "ichna"].iter().any(|e| t.ends_with(e))
}

/// Weight from rarity on the lists, in [0.2, 1]: a token in one name out of
/// `n` weighs 1; one in every name weighs 0.2. `df` (at most `n`) is the
/// number of names holding the token.
pub fn idf_weight(df: usize, n: usize) -> f32 {
    if df <= 1 || n <= 1 {
        return RARE;
    }
    let r = ((n as f32) / (df as f32)).ln() / (n as f32).ln();
    (0.2 + 0.8 * r).clamp(FLOOR, RARE)
}

/// Whether `t` is one of the most frequent given names or surnames in
/// Mexico or the United States (the tables behind [`prior_weight`]).
pub fn is_common_name(t: &str) -> bool {
    common_name_weight(t).is_some()
}

/// The most frequent given names and surnames in Mexico, with weights that
/// fall with their frequency. Approximate; only the ordering matters.
fn common_name_weight(t: &str) -> Option<f32> {
    const VERY_COMMON: &[&str] = &[
        // surnames
        "hernandez",
        "garcia",
        "martinez",
        "lopez",
        "gonzalez",
        "perez",
        "rodriguez",
        "sanchez",
        "ramirez",
        "cruz",
        "flores",
        "gomez", // given names
        "jose",
        "juan",
        "maria",
        "luis",
        "carlos",
        "jesus",
        "guadalupe",
        "miguel",
        "francisco",
        "antonio",
        "alejandro",
        "manuel",
    ];
    const COMMON: &[&str] = &[
        // surnames
        "morales",
        "vazquez",
        "reyes",
        "jimenez",
        "torres",
        "diaz",
        "gutierrez",
        "ruiz",
        "mendoza",
        "aguilar",
        "ortiz",
        "moreno",
        "castillo",
        "romero",
        "alvarez",
        "mendez",
        "chavez",
        "rivera",
        "juarez",
        "ramos",
        "dominguez",
        "herrera",
        "medina",
        "castro",
        "vargas",
        "guzman",
        "velazquez",
        "munoz",
        "rojas",
        "contreras",
        "salazar",
        "luna",
        "ortega",
        "santiago",
        "guerrero",
        "estrada",
        "bautista",
        "cortes",
        "soto",
        "alvarado",
        "espinoza",
        "lara",
        "avila",
        "rios",
        "silva",
        "delgado",
        "vega",
        "marquez",
        "sandoval",
        "fernandez",
        "leon",
        "carrillo",
        "mejia",
        "solis",
        "nunez",
        "rosas",
        "valdez",
        "ibarra",
        "campos",
        "cabrera",
        "camacho",
        "navarro",
        "pena",
        "molina",
        "fuentes",
        "acosta",
        "gallegos",
        "villa",
        "meza",
        "trejo",
        "aguirre",
        "rangel",
        "zamora",
        "benitez",
        "padilla",
        "salinas",
        "maldonado",
        "cervantes",
        "rosales",
        "pacheco",
        "robles",
        "figueroa",
        "arellano",
        "montes",
        "ayala",
        "escobar",
        "cardenas",
        "garza",
        "ochoa",
        "valencia",
        "miranda",
        "velasco",
        "osorio",
        "beltran",
        "rubio",
        "zuniga",
        "orozco",
        "lozano",
        "quintero",
        "gil",
        "nava",
        "duran",
        "ponce",
        "villarreal",
        "salas",
        "tapia",
        "barrera",
        "serrano",
        "cano",
        "pineda",
        "smith",
        "johnson",
        "williams",
        "brown",
        "jones",
        "miller",
        "davis",
        "wilson",
        "anderson",
        "taylor",
        "thomas",
        "moore",
        "jackson",
        "martin",
        "lee",
        "thompson",
        "white",
        "harris",
        "clark",
        "lewis",
        "robinson",
        "walker",
        "young",
        "allen",
        "king",
        "wright",
        "scott",
        "hill",
        "green",
        "adams",
        "baker",
        "nelson",
        "mitchell",
        "roberts",
        "carter",
        "phillips",
        "evans",
        "turner",
        "parker",
        "collins",
        "edwards",
        "stewart",
        "morris",
        "murphy",
        "cook",
        "rogers",
        "morgan",
        "cooper",
        "peterson",
        "bailey",
        "reed",
        "kelly",
        "howard",
        "ward",
        "cox",
        "richardson",
        "wood",
        "watson",
        "brooks",
        "bennett",
        "gray",
        "james",
        "hughes",
        "price",
        "sanders",
        "myers",
        "long",
        "ross",
        "foster",
        "powell",
        "jenkins",
        "perry",
        "russell",
        "sullivan",
        "bell",
        "coleman",
        "butler",
        "henderson",
        "barnes",
        "fisher",
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "kim",
        "park",
        "nguyen",
        "tran",
        "khan",
        "ali",
        "ahmed",
        "singh",
        "kumar",
        "shah",
        "mohammad",
        "mohammed",
        "muhammad",
        "mohamed",
        "ahmad",
        "hassan",
        "hussein",
        "hussain",
        "abdul",
        "abdullah",
        "abd",
        "abu",
        "bin",
        "ibn",
        // given names
        "pedro",
        "ricardo",
        "fernando",
        "javier",
        "roberto",
        "jorge",
        "eduardo",
        "rafael",
        "daniel",
        "sergio",
        "mario",
        "arturo",
        "raul",
        "alberto",
        "ramon",
        "enrique",
        "martin",
        "oscar",
        "hector",
        "victor",
        "david",
        "angel",
        "jaime",
        "armando",
        "gerardo",
        "alfredo",
        "salvador",
        "pablo",
        "ernesto",
        "rodolfo",
        "guillermo",
        "rogelio",
        "gabriel",
        "andres",
        "adrian",
        "ignacio",
        "cesar",
        "hugo",
        "julio",
        "ruben",
        "marco",
        "marcos",
        "jaime",
        "margarita",
        "rosa",
        "ana",
        "elena",
        "patricia",
        "leticia",
        "josefina",
        "teresa",
        "alejandra",
        "veronica",
        "martha",
        "marta",
        "laura",
        "silvia",
        "gabriela",
        "claudia",
        "juana",
        "luz",
        "sofia",
        "isabel",
        "carmen",
        "lucia",
        "fernanda",
        "daniela",
        "monica",
        "adriana",
        "elizabeth",
        "andrea",
        "beatriz",
        "susana",
        "alicia",
        "yolanda",
        "araceli",
        "norma",
        "irma",
        "francisca",
        "angelica",
        "gloria",
        "graciela",
        "sandra",
        "rocio",
        "cristina",
        "ivan",
        "diego",
        "jorge",
        "omar",
        "alfonso",
        "felipe",
        "gustavo",
        "cristian",
        "christian",
        "edgar",
        "santiago",
        "mateo",
        "emiliano",
        "leonardo",
        "samuel",
        "saul",
        "james",
        "john",
        "robert",
        "michael",
        "william",
        "richard",
        "joseph",
        "charles",
        "christopher",
        "matthew",
        "anthony",
        "mark",
        "donald",
        "steven",
        "paul",
        "andrew",
        "joshua",
        "kenneth",
        "kevin",
        "brian",
        "george",
        "timothy",
        "ronald",
        "jason",
        "edward",
        "jeffrey",
        "ryan",
        "jacob",
        "gary",
        "nicholas",
        "eric",
        "jonathan",
        "stephen",
        "larry",
        "justin",
        "scott",
        "brandon",
        "benjamin",
        "frank",
        "gregory",
        "raymond",
        "alexander",
        "patrick",
        "jack",
        "dennis",
        "jerry",
        "tyler",
        "aaron",
        "henry",
        "adam",
        "douglas",
        "nathan",
        "peter",
        "zachary",
        "kyle",
        "walter",
        "harold",
        "jeremy",
        "ethan",
        "carl",
        "keith",
        "roger",
        "gerald",
        "christian",
        "terry",
        "sean",
        "arthur",
        "austin",
        "noah",
        "lawrence",
        "jesse",
        "joe",
        "bryan",
        "billy",
        "jordan",
        "albert",
        "dylan",
        "bruce",
        "willie",
        "gabriel",
        "alan",
        "juan",
        "logan",
        "wayne",
        "ralph",
        "roy",
        "eugene",
        "randy",
        "vincent",
        "russell",
        "louis",
        "philip",
        "bobby",
        "johnny",
        "bradley",
        "mary",
        "jennifer",
        "linda",
        "susan",
        "jessica",
        "sarah",
        "karen",
        "nancy",
        "lisa",
        "betty",
        "sandra",
        "ashley",
        "kimberly",
        "emily",
        "donna",
        "michelle",
        "carol",
        "amanda",
        "melissa",
        "deborah",
        "stephanie",
        "rebecca",
        "sharon",
        "cynthia",
        "kathleen",
        "amy",
        "angela",
        "shirley",
        "anna",
        "brenda",
        "pamela",
        "emma",
        "nicole",
        "helen",
        "samantha",
        "katherine",
        "christine",
        "debra",
        "rachel",
        "catherine",
        "carolyn",
        "janet",
        "ruth",
        "heather",
    ];
    static WEIGHTS: std::sync::OnceLock<rustc_hash::FxHashMap<&'static str, f32>> = std::sync::OnceLock::new();
    let weights = WEIGHTS.get_or_init(|| {
        let mut w = rustc_hash::FxHashMap::default();
        for (names, weight) in [(VERY_COMMON, 0.25), (COMMON, 0.45)] {
            for &n in names {
                w.entry(n).or_insert(weight);
            }
        }
        w
    });
    weights.get(t).copied()
}

/// Mexican states, large cities and geographic words common in trade names
/// (`Distribuidora del Golfo`, `Transportes de Sinaloa`).
fn is_common_place(t: &str) -> bool {
    matches!(
        t,
        "mexico"
            | "mexicana"
            | "mexicano"
            | "mexicanos"
            | "sinaloa"
            | "jalisco"
            | "michoacan"
            | "michoacana"
            | "sonora"
            | "chihuahua"
            | "durango"
            | "coahuila"
            | "tamaulipas"
            | "nuevo"
            | "nueva"
            | "leon"
            | "zacatecas"
            | "guerrero"
            | "oaxaca"
            | "chiapas"
            | "veracruz"
            | "puebla"
            | "tabasco"
            | "campeche"
            | "yucatan"
            | "quintana"
            | "roo"
            | "hidalgo"
            | "queretaro"
            | "guanajuato"
            | "aguascalientes"
            | "colima"
            | "nayarit"
            | "morelos"
            | "tlaxcala"
            | "baja"
            | "california"
            | "sur"
            | "norte"
            | "noreste"
            | "noroeste"
            | "sureste"
            | "centro"
            | "occidente"
            | "pacifico"
            | "golfo"
            | "bajio"
            | "guadalajara"
            | "monterrey"
            | "tijuana"
            | "culiacan"
            | "mazatlan"
            | "hermosillo"
            | "juarez"
            | "cancun"
            | "merida"
            | "acapulco"
            | "toluca"
            | "morelia"
            | "laredo"
            | "reynosa"
            | "matamoros"
            | "mexicali"
            | "ensenada"
            | "manzanillo"
            | "lazaro"
            | "azteca"
            | "maya"
            | "real"
            | "san"
            | "santa"
            | "del"
            | "valle"
            | "sierra"
            | "madre"
            | "costa"
            | "rio"
            | "bravo"
            | "grande"
            | "nuevo_leon"
            | "america"
            | "latina"
            | "latinoamericana"
            | "colombia"
            | "guatemala"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_and_generic_tokens_weigh_less() {
        assert!(prior_weight("garcia") < prior_weight("oseguera"));
        assert!(prior_weight("servicios") < prior_weight("garcia"));
        assert_eq!(prior_weight("oseguera"), RARE);
        assert!(prior_weight("sinaloa") < RARE);
    }

    #[test]
    fn patronymics_weigh_less_than_given_names() {
        for t in ["viktorovich", "oleksandrovych", "sergeyevna", "ivanivna", "ilyichna"] {
            assert_eq!(prior_weight(t), PATRONYMIC, "{t}");
        }
        for t in ["milosevic", "petrovic", "ivanov", "novna"] {
            assert_eq!(prior_weight(t), RARE, "{t}");
        }
    }

    #[test]
    fn idf_falls_with_frequency() {
        assert_eq!(idf_weight(1, 50_000), RARE);
        assert!(idf_weight(100, 50_000) < idf_weight(10, 50_000));
        assert!(idf_weight(50_000, 50_000) >= FLOOR);
    }
}
