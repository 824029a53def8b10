//! `cartelscreen screen NAME` (one counterparty, recorded like an API
//! screening) and `cartelscreen explain NAME ENTITY_ID` (the full breakdown
//! of one pair, a measurement that is not recorded).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::Args;

use super::render::{print_explanation, print_screening};
use super::{cli_origin, load, open_records, print_json};
use cartelscreen::config::Settings;
use cartelscreen::engine::query::Submitted;
use cartelscreen::engine::{Query, Screener, Screening};
use cartelscreen::record::screening::{DispositionPolicy, Recorder, Subject};

/// `screen NAME`, or `screen --id ID` to screen by identifier alone.
#[derive(Args, Debug)]
pub struct ScreenArgs {
    /// The counterparty's name (may be left out when `--id`, `--imo`,
    /// `--mmsi` or `--bic` is given).
    #[arg(required_unless_present_any = ["ids", "imo", "mmsi", "bic"])]
    pub name: Option<String>,
    #[command(flatten)]
    pub facts: Facts,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `explain NAME ENTITY_ID`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The counterparty's name.
    pub name: String,
    /// The list entry to compare it with (`ofac-17674`, `un-QDi.123`...).
    pub entity_id: String,
    #[command(flatten)]
    pub facts: Facts,
    /// Print the match object as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Facts about the counterparty beyond its name.
#[derive(Args, Debug, Default)]
pub struct Facts {
    /// person, company, organization, vessel, aircraft or any.
    #[arg(long = "type", value_name = "TYPE",
          value_parser = ["person", "company", "organization", "vessel", "aircraft", "any"])]
    pub kind: Option<String>,
    /// Birth date: YYYY-MM-DD, DD/MM/YYYY, YYYY-MM or YYYY (a calendar date, not in the future).
    #[arg(long)]
    pub dob: Option<String>,
    /// Country: ISO code (MX) or name.
    #[arg(long)]
    pub country: Option<String>,
    /// An identifier: RFC, CURP, passport, phone, e-mail or website. Repeatable.
    #[arg(long = "id", value_name = "ID")]
    pub ids: Vec<String>,
    /// Street address (compared with the addresses of entries tied to a cartel).
    #[arg(long)]
    pub address: Option<String>,
    /// A vessel's IMO number, 7 digits with a valid check digit, with or
    /// without the label (`IMO 9187629`); matched exactly against listed IMOs.
    #[arg(long)]
    pub imo: Option<String>,
    /// A ship radio's MMSI, 9 digits; matched exactly against listed MMSIs.
    #[arg(long)]
    pub mmsi: Option<String>,
    /// A bank's SWIFT/BIC, 8 or 11 characters; a BIC11 matches its listed BIC8.
    #[arg(long)]
    pub bic: Option<String>,
    /// A vessel's flag state: ISO code or country name.
    #[arg(long)]
    pub flag: Option<String>,
    /// A vessel's radio call sign.
    #[arg(long = "call-sign", value_name = "CALL_SIGN")]
    pub call_sign: Option<String>,
    /// A vessel's registered owner or operator, screened as a party of its own.
    #[arg(long)]
    pub owner: Option<String>,
}

impl Facts {
    /// The query, checked by the same rules as the API's.
    fn query(&self, name: &str) -> Result<Query> {
        self.query_of(Some(name))
    }

    /// As [`Facts::query`], an empty name meaning none (screening by
    /// identifier alone).
    fn query_opt(&self, name: &str) -> Result<Query> {
        self.query_of(Some(name).filter(|n| !n.is_empty()))
    }

    fn query_of(&self, name: Option<&str>) -> Result<Query> {
        let submitted = Submitted {
            name,
            kind: self.kind.as_deref(),
            country: self.country.as_deref(),
            dob: self.dob.as_deref(),
            identifiers: self.ids.iter().map(String::as_str).collect(),
            address: self.address.as_deref(),
            imo: self.imo.as_deref(),
            mmsi: self.mmsi.as_deref(),
            bic: self.bic.as_deref(),
            flag: self.flag.as_deref(),
            call_sign: self.call_sign.as_deref(),
            owner: self.owner.as_deref(),
        };
        Query::parse(&submitted).map_err(|e| anyhow::anyhow!("{e} ({})", e.code()))
    }

    fn submitted_json(&self, name: &str) -> serde_json::Value {
        let mut o = serde_json::Map::new();
        if !name.is_empty() {
            o.insert("name".into(), name.into());
        }
        for (k, v) in [
            ("type", &self.kind),
            ("dob", &self.dob),
            ("country", &self.country),
            ("address", &self.address),
            ("imo", &self.imo),
            ("mmsi", &self.mmsi),
            ("bic", &self.bic),
            ("flag", &self.flag),
            ("call_sign", &self.call_sign),
            ("owner", &self.owner),
        ] {
            if let Some(v) = v {
                o.insert(k.into(), v.clone().into());
            }
        }
        if !self.ids.is_empty() {
            o.insert("identifiers".into(), self.ids.clone().into());
        }
        serde_json::Value::Object(o)
    }
}

/// Screens one counterparty with the dispositions applied, records it, and
/// prints the result.
pub fn run(settings: &Settings, extra: &[PathBuf], a: ScreenArgs) -> Result<ExitCode> {
    let name = a.name.unwrap_or_default();
    let q = a.facts.query_opt(&name)?;
    let screener = load(settings, extra)?;
    let records = open_records(settings)?;
    let recorder = Recorder::new(&records, &screener, cli_origin("cli"), DispositionPolicy::Apply);
    let recorded = recorder.screen(&q, Subject::one(None, a.facts.submitted_json(&name)));
    let s = recorded.outcome?;
    records.commit_blocking(recorded.record.into_iter().collect())?;
    if a.json {
        print_json(&screening_json(&q, &s, &screener))?;
    } else {
        let shown = if name.is_empty() {
            let f = &a.facts;
            f.ids.iter().chain([&f.imo, &f.mmsi, &f.bic].into_iter().flatten()).cloned().collect::<Vec<_>>().join(", ")
        } else {
            name
        };
        print_screening(&shown, &s);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the full breakdown of one name against one entity.
pub fn explain(settings: &Settings, extra: &[PathBuf], a: ExplainArgs) -> Result<ExitCode> {
    let q = a.facts.query(&a.name)?;
    let screener = load(settings, extra)?;
    let Some(m) = screener.explain(&q, &a.entity_id)? else {
        bail!("no entity `{}` in the loaded lists", a.entity_id);
    };
    if a.json {
        print_json(&m)?;
    } else {
        print_explanation(&a.name, &m);
    }
    Ok(ExitCode::SUCCESS)
}

fn screening_json(q: &Query, s: &Screening, screener: &Screener) -> serde_json::Value {
    serde_json::json!({
        "query": {
            "name": q.name,
            "type": q.kind.map(|k| k.as_str()),
            "country": q.country,
            "dob": q.dob.map(|d| d.to_string()),
            "identifiers": q.identifiers,
        },
        "decision": s.decision,
        "flags": s.flags,
        "evasion": s.evasion,
        "matches": s.matches,
        "lists": lists_json(screener),
    })
}

/// The versions screened against, each with its age in days.
pub(super) fn lists_json(screener: &Screener) -> serde_json::Value {
    let today = cartelscreen::engine::model::today_days();
    serde_json::Value::Array(
        screener
            .lists()
            .iter()
            .map(|l| {
                let mut v = serde_json::to_value(l).unwrap_or_default();
                if let (Some(a), Some(o)) = (l.age_days(today), v.as_object_mut()) {
                    o.insert("age_days".into(), a.into());
                }
                v
            })
            .collect(),
    )
}
