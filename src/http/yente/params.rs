//! What a request asks for besides its body: the query string (whose keys
//! repeat, which serde's struct extractors would lose), the datasets in
//! scope, and the matching algorithm. Every route reads them here, so a bad
//! value gets the same error wherever it is sent.

use std::collections::BTreeSet;

use actix_web::web;
use serde_json::{json, Value};

use super::ftm::{known_schema, normalize_timestamp};
use super::{bad_request, ALGORITHM, ALGORITHM_NAME_ONLY, DEFAULT_DATASET};
use crate::engine::screen::Screener;
use crate::error::Code;
use crate::http::error::ApiError;

/// Largest `limit` on `/match` and `/search`.
pub(super) const MAX_LIMIT: usize = 500;

/// The parameters that take one value; the others may repeat.
const SINGLE_VALUED: [&str; 9] =
    ["algorithm", "changed_since", "cutoff", "limit", "nested", "offset", "q", "schema", "threshold"];

/// The query string, with its repeated keys.
#[derive(Debug, Default)]
pub(super) struct Params(pub(super) Vec<(String, String)>);

impl Params {
    /// # Errors
    /// `invalid_query` when the query string cannot be decoded or a key of
    /// [`SINGLE_VALUED`] is given more than once (which one was meant is
    /// not guessed).
    pub(super) fn parse(query_string: &str) -> Result<Params, ApiError> {
        let params = web::Query::<Vec<(String, String)>>::from_query(query_string)
            .map(|q| Params(q.into_inner()))
            .map_err(|e| ApiError::new(Code::InvalidQuery, e.to_string()))?;
        for key in SINGLE_VALUED {
            let n = params.0.iter().filter(|(k, _)| k == key).count();
            if n > 1 {
                return Err(bad_request(Code::InvalidQuery, format!("{key} is given {n} times; it takes one value")));
            }
        }
        Ok(params)
    }

    /// The last non-empty value of `key`.
    pub(super) fn one(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim())
    }

    /// Every non-empty value of `key`, in order.
    pub(super) fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, v)| k == key && !v.trim().is_empty()).map(|(_, v)| v.trim()).collect()
    }

    pub(super) fn number<T: std::str::FromStr>(&self, key: &str, default: T) -> Result<T, ApiError> {
        match self.one(key) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| ApiError::new(Code::InvalidQuery, format!("{key}={v:?} is not a number"))),
        }
    }

    pub(super) fn unit(&self, key: &str, default: f64) -> Result<f64, ApiError> {
        let x: f64 = self.number(key, default)?;
        if !(0.0..=1.0).contains(&x) {
            return Err(bad_request(Code::InvalidQuery, format!("{key} must lie between 0 and 1, not {x}")));
        }
        Ok(x)
    }

    pub(super) fn flag(&self, key: &str, default: bool) -> Result<bool, ApiError> {
        match self.one(key).map(str::to_ascii_lowercase).as_deref() {
            None => Ok(default),
            Some("true" | "1" | "yes" | "on") => Ok(true),
            Some("false" | "0" | "no" | "off") => Ok(false),
            Some(v) => Err(ApiError::new(Code::InvalidQuery, format!("{key}={v:?} is not true or false"))),
        }
    }

    pub(super) fn limit(&self, default: usize) -> Result<usize, ApiError> {
        let limit: usize = self.number("limit", default)?;
        if limit > MAX_LIMIT {
            return Err(bad_request(Code::InvalidQuery, format!("limit is at most {MAX_LIMIT}, not {limit}")));
        }
        Ok(limit)
    }

    pub(super) fn schemata(&self, key: &str) -> Result<Vec<&'static str>, ApiError> {
        self.all(key).into_iter().map(|s| parse_schema(key, s)).collect()
    }

    pub(super) fn changed_since(&self) -> Result<Option<String>, ApiError> {
        match self.one("changed_since") {
            None => Ok(None),
            Some(v) => normalize_timestamp(v).map(Some).ok_or_else(|| {
                bad_request(
                    Code::InvalidQuery,
                    format!("changed_since={v:?} is not a date (YYYY-MM-DD) or an ISO 8601 time"),
                )
            }),
        }
    }
}

pub(super) fn parse_schema(key: &str, s: &str) -> Result<&'static str, ApiError> {
    known_schema(s).ok_or_else(|| {
        bad_request(Code::InvalidSchema, format!("{key} {s:?} is not a FollowTheMoney schema (Person, Organization, Company, LegalEntity, Vessel, Airplane...)"))
    })
}

/// The datasets whose entries count for a request.
pub(super) fn dataset_scope(
    s: &Screener,
    dataset: &str,
    include: &[&str],
    exclude: &[&str],
) -> Result<BTreeSet<String>, ApiError> {
    let all: Vec<&str> = s.lists().iter().map(|l| l.dataset.as_str()).collect();
    let leaves = |name: &str| -> Result<BTreeSet<String>, ApiError> {
        if name == DEFAULT_DATASET {
            return Ok(all.iter().map(|d| d.to_string()).collect());
        }
        if all.contains(&name) {
            return Ok(BTreeSet::from([name.to_string()]));
        }
        Err(ApiError::new(
            Code::DatasetNotFound,
            format!("no dataset {name:?}; this server has {DEFAULT_DATASET}, {}", all.join(", ")),
        ))
    };
    let mut scope = leaves(dataset)?;
    if !include.is_empty() {
        let mut wanted = BTreeSet::new();
        for d in include {
            wanted.extend(leaves(d)?);
        }
        scope = scope.intersection(&wanted).cloned().collect();
    }
    for d in exclude {
        if let Ok(l) = leaves(d) {
            scope.retain(|x| !l.contains(x));
        }
    }
    Ok(scope)
}

/// The matching algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Algorithm {
    /// Names, identifiers, birth date, country, kind, weak aliases.
    Full,
    /// Names only.
    NameOnly,
}

impl Algorithm {
    /// Accepts every listed name and `best`, in any case.
    pub(super) fn parse(name: &str) -> Option<Algorithm> {
        let n = name.trim().to_ascii_lowercase();
        if n == "best" || n == ALGORITHM {
            Some(Algorithm::Full)
        } else if n == ALGORITHM_NAME_ONLY {
            Some(Algorithm::NameOnly)
        } else {
            None
        }
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Algorithm::Full => ALGORITHM,
            Algorithm::NameOnly => ALGORITHM_NAME_ONLY,
        }
    }

    pub(super) fn description(self) -> &'static str {
        match self {
            Algorithm::Full => {
                "cartelscreen's matcher: every query name against every listed name (primary names, aliases, weak \
                 aliases), token by token, order-free, tolerant of typos, OCR errors, transliteration, phonetic \
                 spellings, initials and legal forms, weighted by token rarity; then an identical identifier makes \
                 the score 1.0, an agreeing birth date or country raises it, a contradicting one or a different \
                 kind of party lowers it, and a match on a weak alias alone is discounted."
            }
            Algorithm::NameOnly => {
                "cartelscreen's name matcher alone: the same name comparison as cartelscreen-v1, with no identifier, \
                 birth date, country or kind adjustment."
            }
        }
    }

    pub(super) fn features(self) -> Value {
        let all = [
            ("name_match", "How well the best query name matches the best listed name, in [0, 1]."),
            ("identifier_match", "An identifier of the query equals a listed one: the score becomes 1.0."),
            ("identifier_mismatch", "A Mexican RFC or CURP of the query differs from the listed one."),
            ("dob_match", "The birth date agrees with a listed one (exact date or within a listed year)."),
            ("dob_mismatch", "The birth date contradicts every listed one."),
            ("country_match", "The country is among the entity's nationalities, citizenships or addresses."),
            ("country_mismatch", "The entity lists countries and the query's is not among them."),
            ("kind_mismatch", "The query's schema is another kind of party than the entity's."),
            ("weak_alias", "Only a weak alias (a nickname) matched; the score is discounted."),
        ];
        let keep = |f: &str| self == Algorithm::Full || f == "name_match";
        Value::Object(
            all.iter()
                .filter(|(f, _)| keep(f))
                .map(|(f, d)| (f.to_string(), json!({"description": d, "coefficient": 1.0, "url": null})))
                .collect(),
        )
    }
}

pub(super) const ALGORITHMS: [Algorithm; 2] = [Algorithm::Full, Algorithm::NameOnly];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::yente::fixtures::screener;
    use actix_web::http::StatusCode;

    #[test]
    fn algorithms_parse_listed_names_and_best() {
        for a in ALGORITHMS {
            assert_eq!(Algorithm::parse(a.name()), Some(a));
        }
        assert_eq!(Algorithm::parse("best"), Some(Algorithm::Full));
        assert_eq!(Algorithm::parse("BEST"), Some(Algorithm::Full));
        assert_eq!(Algorithm::parse("logic-v1"), None);
    }

    #[test]
    fn single_valued_parameters_are_given_once() {
        assert_eq!(Params::parse("q=a&topics=x&topics=y").unwrap().all("topics"), ["x", "y"]);
        let e = Params::parse("q=a&q=b").unwrap_err();
        assert_eq!((e.status, e.message.as_str()), (StatusCode::BAD_REQUEST, "q is given 2 times; it takes one value"));
        assert!(Params::parse("limit=&limit=5").is_err());
    }

    #[test]
    fn dataset_scopes() {
        let s = screener();
        let all = dataset_scope(&s, "default", &[], &[]).unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(dataset_scope(&s, "default", &["us_ofac_sdn"], &[]).unwrap().len(), 1);
        assert_eq!(dataset_scope(&s, "default", &[], &["us_ofac_sdn", "nope"]).unwrap().len(), 1);
        assert!(dataset_scope(&s, "us_ofac_sdn", &["cartelscreen_fto_cartels"], &[]).unwrap().is_empty());
        assert_eq!(dataset_scope(&s, "nope", &[], &[]).unwrap_err().status, StatusCode::NOT_FOUND);
        assert_eq!(dataset_scope(&s, "default", &["nope"], &[]).unwrap_err().status, StatusCode::NOT_FOUND);
    }
}
