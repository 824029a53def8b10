//! The workspace's two languages, Spanish (es-MX) and English. Labels are
//! data (`labels.csv`: key, English, Spanish), so a translator edits one
//! file; a unit test holds every key to both languages.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::HttpRequest;

/// The cookie holding the language an analyst switched to.
pub const LANG_COOKIE: &str = "cs_lang";

/// A language of the workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

/// The label table: key → [English, Spanish].
static LABELS: LazyLock<HashMap<String, [String; 2]>> = LazyLock::new(|| {
    let mut reader = csv::ReaderBuilder::new().comment(Some(b'#')).from_reader(include_str!("labels.csv").as_bytes());
    reader.records().filter_map(Result::ok).map(|r| (r[0].to_string(), [r[1].to_string(), r[2].to_string()])).collect()
});

impl Lang {
    /// `en` or `es`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The BCP 47 tag of the page (`en`, `es-MX`).
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es-MX",
        }
    }

    /// `en` / `es` (any case, with or without a region).
    pub fn parse(s: &str) -> Option<Lang> {
        let primary = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The other language (the switch's target).
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Es,
            Lang::Es => Lang::En,
        }
    }

    /// The request's language: the `cs_lang` cookie, else the first of
    /// `Accept-Language` (by quality) that is Spanish or English, else English.
    pub fn of(req: &HttpRequest) -> Lang {
        if let Some(l) = req.cookie(LANG_COOKIE).and_then(|c| Lang::parse(c.value())) {
            return l;
        }
        let accept = req.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("");
        Lang::from_accept(accept).unwrap_or(Lang::En)
    }

    /// The preferred of Spanish and English in an `Accept-Language` value
    /// (RFC 9110 §12.5.4), or `None` when it names neither.
    pub fn from_accept(accept: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in accept.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Lang::parse) else { continue };
            let q = pieces
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// The label `key` in this language; the key itself when the table
    /// lacks it (a test keeps that from shipping).
    pub fn t(self, key: &str) -> &str {
        match LABELS.get(key) {
            Some(both) => match self {
                Lang::En => &both[0],
                Lang::Es => &both[1],
            },
            None => {
                debug_assert!(false, "no label {key:?}");
                key
            }
        }
    }

    /// Whether the table has `key` (for labels made from data, such as a
    /// flag's name).
    pub fn has(self, key: &str) -> bool {
        LABELS.contains_key(key)
    }

    /// A date `YYYY-MM-DD` as the language writes it: `30/11/2026` in
    /// Spanish (Mexico), `Nov 30, 2026` in English; other text unchanged.
    pub fn date(self, iso: &str) -> String {
        let parts: Vec<&str> = iso.get(..10).unwrap_or(iso).split('-').collect();
        let [y, m, d] = parts.as_slice() else { return iso.to_string() };
        let Ok(month) = m.parse::<usize>() else { return iso.to_string() };
        if y.len() != 4 || d.len() != 2 || !(1..=12).contains(&month) {
            return iso.to_string();
        }
        // The time to the second: fractions and the `Z` left out.
        let rest = iso.get(10..).unwrap_or("").replace('T', " ");
        let rest = rest.trim_end_matches('Z');
        let rest = rest.split('.').next().unwrap_or(rest);
        match self {
            Lang::Es => format!("{d}/{m}/{y}{rest}"),
            Lang::En => {
                const MONTHS: [&str; 12] =
                    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
                format!("{} {}, {y}{rest}", MONTHS[month - 1], d.trim_start_matches('0'))
            }
        }
    }

    /// A whole number with thousands grouped (`12,345` in both: Mexico
    /// groups with a comma as the US does).
    pub fn int(self, n: u64) -> String {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// A score in [0, 1] with two decimals (`0.93`).
    pub fn score(self, s: f32) -> String {
        format!("{s:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_label_has_both_languages() {
        assert!(LABELS.len() > 50, "labels.csv read: {}", LABELS.len());
        for (k, [en, es]) in LABELS.iter() {
            assert!(!en.trim().is_empty() && !es.trim().is_empty(), "label {k} lacks a language");
        }
    }

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(Lang::from_accept("es-MX,es;q=0.9,en;q=0.8"), Some(Lang::Es));
        assert_eq!(Lang::from_accept("en-US,en;q=0.9,es;q=0.8"), Some(Lang::En));
        assert_eq!(Lang::from_accept("fr-FR, es;q=0.5, en;q=0.7"), Some(Lang::En));
        assert_eq!(Lang::from_accept("de, fr"), None);
        assert_eq!(Lang::from_accept("es;q=0, en;q=0.1"), Some(Lang::En));
        assert_eq!(Lang::from_accept(""), None);
    }

    #[test]
    fn dates_and_numbers_per_language() {
        assert_eq!(Lang::Es.date("2025-02-20"), "20/02/2025");
        assert_eq!(Lang::En.date("2025-02-20"), "Feb 20, 2025");
        assert_eq!(Lang::Es.date("2026-11-30T08:55:38Z"), "30/11/2026 08:55:38");
        assert_eq!(Lang::En.date("2026-11-30T08:55:38.123Z"), "Nov 30, 2026 08:55:38");
        assert_eq!(Lang::En.date("circa 1966"), "circa 1966");
        assert_eq!(Lang::En.int(1234567), "1,234,567");
        assert_eq!(Lang::Es.int(999), "999");
        assert_eq!(Lang::En.score(0.934), "0.93");
    }
}
