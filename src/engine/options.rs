//! Per-request screening options: a report threshold (`min_score`), the
//! lists to screen against (`lists`) and the kinds of entries to compare
//! with (`kinds`).
//!
//! A caller sends [`ScreeningOptions`]; [`ScreeningOptions::check`] turns
//! them into [`Options`] against the lists of a [`Screener`], refusing an
//! unknown list or kind and raising a `min_score` below the configured
//! report threshold to it. The two filters act during candidate selection
//! ([`Screener::screen_with_options`]), so an entry of a list or kind left
//! out can never decide a result. `min_score` acts after the decision
//! ([`Options::report`]): the decision and flags stay those of every match
//! at or above the configured thresholds, and matches under `min_score` are
//! only left out of the list reported (and counted in
//! [`Screening::withheld`]). So a `min_score` above the block threshold never
//! turns a listed name into `clear`.

use serde::{Deserialize, Serialize};

use crate::engine::model::{Entity, EntityKind};
use crate::engine::query::{quote_bounded, QueryError};
use crate::engine::screen::{Screener, Screening};

/// Most entries accepted in `lists` or `kinds`.
pub const MAX_OPTION_VALUES: usize = 50;

/// The options as a caller sends them, unchecked. Every field is optional;
/// none given screens as configured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningOptions {
    /// Report threshold in [0, 1]: matches scoring below it are left out of
    /// `matches` (and counted in `withheld_matches`). Below the configured
    /// `matching.report_threshold` it is raised to it (and the answer's
    /// `options` says so). It never changes the decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.9)]
    pub min_score: Option<f64>,
    /// Datasets to screen against, as `GET /v1/lists` names them
    /// (`us_ofac_sdn`, `us_ofac_cons`, `un_sc_sanctions`,
    /// `cartelscreen_fto_cartels`, an own list's name); case-insensitive.
    /// Absent: every list in service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["us_ofac_sdn"]))]
    pub lists: Option<Vec<String>>,
    /// Kinds of entries to compare with: `person`, `company`,
    /// `organization`, `vessel`, `aircraft`. Absent: every kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["vessel"]))]
    pub kinds: Option<Vec<String>>,
}

/// Checked options, as applied and echoed back (`options` in an answer and
/// in each audit record). [`Options::default`] screens as configured.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Options {
    /// The report threshold applied, in [0, 1]; absent when none was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_score: Option<f64>,
    /// The `min_score` asked for, present only when it was under the
    /// configured report threshold and `min_score` was raised to it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_score_requested: Option<f64>,
    /// The datasets screened against, as the lists name themselves;
    /// absent: every list in service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lists: Option<Vec<String>>,
    /// The kinds of entries compared with; absent: every kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kinds: Option<Vec<EntityKind>>,
}

impl ScreeningOptions {
    /// Whether no option was given.
    pub fn is_empty(&self) -> bool {
        self.min_score.is_none() && self.lists.is_none() && self.kinds.is_none()
    }

    /// Checks the options against the lists `screener` serves.
    ///
    /// # Errors
    /// [`QueryError::InvalidOption`] (`invalid_option`) for a `min_score`
    /// outside [0, 1] (or not a number) and for an empty `lists` or
    /// `kinds` or one with more than [`MAX_OPTION_VALUES`] entries;
    /// [`QueryError::UnknownList`] (`unknown_list`) for a dataset not in
    /// service; [`QueryError::InvalidKind`] (`invalid_type`) for a kind
    /// that is not `person`, `company`, `organization`, `vessel` or
    /// `aircraft`.
    pub fn check(&self, screener: &Screener) -> Result<Options, QueryError> {
        let floor = screener.settings().report_threshold;
        let (min_score, min_score_requested) = match self.min_score {
            None => (None, None),
            Some(s) if !(0.0..=1.0).contains(&s) => {
                return Err(QueryError::InvalidOption(format!("min_score {s} is not in [0, 1]")));
            }
            Some(s) if s < floor => (Some(floor), Some(s)),
            Some(s) => (Some(s), None),
        };
        let bounded = |name: &str, v: &[String]| {
            if v.is_empty() {
                Err(QueryError::InvalidOption(format!("{name} is empty: leave it out to use every {name}")))
            } else if v.len() > MAX_OPTION_VALUES {
                Err(QueryError::InvalidOption(format!("{name} has more than {MAX_OPTION_VALUES} entries")))
            } else {
                Ok(())
            }
        };
        let lists = match &self.lists {
            None => None,
            Some(asked) => {
                bounded("lists", asked)?;
                let mut out: Vec<String> = Vec::new();
                for a in asked {
                    let found = screener.lists().iter().find(|l| l.dataset.eq_ignore_ascii_case(a.trim()));
                    match found {
                        Some(l) if !out.contains(&l.dataset) => out.push(l.dataset.clone()),
                        Some(_) => {}
                        None => {
                            let known: Vec<&str> = screener.lists().iter().map(|l| l.dataset.as_str()).collect();
                            return Err(QueryError::UnknownList { value: quote_bounded(a), known: known.join(", ") });
                        }
                    }
                }
                Some(out)
            }
        };
        let kinds = match &self.kinds {
            None => None,
            Some(asked) => {
                bounded("kinds", asked)?;
                let mut out: Vec<EntityKind> = Vec::new();
                for a in asked {
                    let k = match a.trim().to_ascii_lowercase().as_str() {
                        "person" => EntityKind::Person,
                        "company" => EntityKind::Company,
                        "organization" => EntityKind::Organization,
                        "vessel" => EntityKind::Vessel,
                        "aircraft" => EntityKind::Aircraft,
                        _ => return Err(QueryError::InvalidKind(quote_bounded(a.trim()))),
                    };
                    if !out.contains(&k) {
                        out.push(k);
                    }
                }
                Some(out)
            }
        };
        Ok(Options { min_score, min_score_requested, lists, kinds })
    }
}

impl Options {
    /// Whether these options change nothing (none was asked).
    pub fn is_default(&self) -> bool {
        *self == Options::default()
    }

    /// Whether an entry may be compared with: its list and kind are among
    /// those asked (entries whose kind a list does not state are left out
    /// when `kinds` is given).
    pub fn admits(&self, e: &Entity) -> bool {
        self.lists.as_ref().is_none_or(|l| l.contains(&e.list))
            && self.kinds.as_ref().is_none_or(|k| k.contains(&e.kind))
    }

    /// Leaves out of `s.matches` those scoring under `min_score`, counting
    /// them in [`Screening::withheld`]; the decision and flags are left as
    /// they are. Call it after the screening is recorded, so that the
    /// audit record keeps every hit.
    pub fn report(&self, s: &mut Screening) {
        if let Some(min) = self.min_score {
            let before = s.matches.len();
            s.matches.retain(|m| m.score as f64 >= min);
            s.withheld += before - s.matches.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{IdScheme, Identifier, LoadedList, NameRole};
    use crate::engine::settings::EngineSettings;
    use crate::engine::{Decision, Query};

    fn entity(id: &str, list: &str, kind: EntityKind, name: &str) -> Entity {
        let mut e = Entity::new(id, list, kind);
        e.add_name(name, NameRole::Primary);
        e
    }

    fn list(dataset: &str, entities: Vec<Entity>) -> LoadedList {
        LoadedList::new(
            dataset,
            dataset,
            crate::engine::model::ListFormat::Cartelscreen,
            "t".into(),
            "0".into(),
            None,
            entities,
            vec![],
        )
    }

    fn screener() -> Screener {
        let registry = crate::lists::registry::embedded();
        let mut ship = entity("s1", "alpha", EntityKind::Vessel, "MARIA LUISA");
        ship.identifiers.push(Identifier { scheme: IdScheme::Imo, value: "9187629".into(), country: None });
        let lists = vec![
            registry.list.clone(),
            list("alpha", vec![entity("a1", "alpha", EntityKind::Company, "TRANSPORTES EJEMPLO SA"), ship]),
            list("beta", vec![entity("b1", "beta", EntityKind::Person, "MARIA LUISA")]),
        ];
        Screener::build(lists, registry, EngineSettings::default())
    }

    fn opts(s: &Screener, min: Option<f64>, lists: Option<&[&str]>, kinds: Option<&[&str]>) -> Options {
        let v = |x: &[&str]| x.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        ScreeningOptions { min_score: min, lists: lists.map(v), kinds: kinds.map(v) }.check(s).unwrap()
    }

    #[test]
    fn a_list_left_out_never_decides() {
        let s = screener();
        let q = Query::name("Cartel de Jalisco Nueva Generacion");
        assert_eq!(s.screen(&q).unwrap().decision, Decision::Block);
        let r = s.screen_with_options(&q, &opts(&s, None, Some(&["ALPHA"]), None)).unwrap();
        assert_eq!(r.decision, Decision::Clear, "the cartel registry was left out: {:?}", r.matches);
        assert!(r.matches.iter().all(|m| m.list == "alpha"));
        let r = s.screen_with_options(&q, &opts(&s, None, Some(&["cartelscreen_fto_cartels"]), None)).unwrap();
        assert_eq!(r.decision, Decision::Block);
    }

    #[test]
    fn kinds_choose_the_entries_compared() {
        let s = screener();
        let q = Query::name("Maria Luisa");
        let all: Vec<String> = s.screen(&q).unwrap().matches.into_iter().map(|m| m.entity_id).collect();
        assert!(all.contains(&"s1".to_string()) && all.contains(&"b1".to_string()), "{all:?}");
        let r = s.screen_with_options(&q, &opts(&s, None, None, Some(&["person"]))).unwrap();
        assert_eq!(r.matches.iter().map(|m| m.entity_id.as_str()).collect::<Vec<_>>(), ["b1"]);
        // An identifier hit on an entry of another kind is left out too.
        let q = Query { identifiers: vec!["IMO 9187629".into()], ..Query::name("") };
        assert_eq!(s.screen(&q).unwrap().decision, Decision::Block);
        let r = s.screen_with_options(&q, &opts(&s, None, None, Some(&["person"]))).unwrap();
        assert_eq!(r.decision, Decision::Clear);
    }

    #[test]
    fn min_score_trims_the_report_not_the_decision() {
        let s = screener();
        let o = opts(&s, Some(1.0), None, None);
        let mut r = s.screen_with_options(&Query::name("Cartel de Jalisco Nueva Generacin"), &o).unwrap();
        let decision = r.decision;
        let n = r.matches.len();
        assert!(n > 0 && r.matches.iter().any(|m| m.score < 1.0));
        o.report(&mut r);
        assert_eq!(r.decision, decision, "min_score never changes the decision");
        assert!(r.matches.iter().all(|m| m.score >= 1.0));
        assert_eq!(r.withheld, n - r.matches.len());
        assert!(r.withheld > 0);
    }

    #[test]
    fn options_are_checked() {
        let s = screener();
        let check = |o: ScreeningOptions| o.check(&s);
        let low = check(ScreeningOptions { min_score: Some(0.1), ..Default::default() }).unwrap();
        assert_eq!((low.min_score, low.min_score_requested), (Some(0.65), Some(0.1)), "raised to the floor");
        let code = |o: ScreeningOptions| check(o).unwrap_err().code();
        assert_eq!(code(ScreeningOptions { min_score: Some(1.5), ..Default::default() }), "invalid_option");
        assert_eq!(code(ScreeningOptions { lists: Some(vec!["nope".into()]), ..Default::default() }), "unknown_list");
        assert_eq!(code(ScreeningOptions { lists: Some(vec![]), ..Default::default() }), "invalid_option");
        assert_eq!(code(ScreeningOptions { kinds: Some(vec!["boat".into()]), ..Default::default() }), "invalid_type");
        assert_eq!(code(ScreeningOptions { kinds: Some(vec!["any".into()]), ..Default::default() }), "invalid_type");
        let o = check(ScreeningOptions { lists: Some(vec!["Beta".into(), "beta".into()]), ..Default::default() });
        assert_eq!(o.unwrap().lists, Some(vec!["beta".to_string()]));
        assert!(check(ScreeningOptions::default()).unwrap().is_default());
    }
}
