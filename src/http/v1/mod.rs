//! The native API under `/v1`: screening one counterparty, a batch and a
//! trade transaction ([`screen`], [`transaction`]), list entries
//! ([`entities`]) and the lists in service ([`lists`]).
//!
//! Handlers parse the request into the engine's [`Query`] once
//! ([`ScreenRequest::to_query`]) and screen through the one recorded
//! screening ([`crate::record::screening::Recorder`]).

pub mod cartels;
pub mod entities;
pub mod lists;
pub mod message;
pub mod screen;
pub mod transaction;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::engine::exposure::Exposure;
use crate::engine::normalize::EvasionSign;
use crate::engine::query::{Submitted, MAX_REFERENCE_CHARS};
use crate::engine::{Decision, Flag, Match, Query, Screener, Screening};
use crate::error::Code;
use crate::http::error::ApiError;

/// One counterparty to screen.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreenRequest {
    /// The name as the counterparty gave it. Required unless an identifier
    /// (`identifiers`, `imo`, `mmsi` or `bic`) is given.
    #[schema(example = "Cartel de Jalisco Nueva Generacion")]
    pub name: Option<String>,
    /// `person`, `company`, `organization`, `vessel`, `aircraft` or `any` (the default).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// ISO 3166 alpha-2 code or country name.
    pub country: Option<String>,
    /// Date of birth: `YYYY-MM-DD`, `DD/MM/YYYY` or `YYYY`.
    pub dob: Option<String>,
    /// Identifiers such as RFC, CURP, passport or IMO numbers, in any spelling.
    #[serde(default)]
    pub identifiers: Vec<String>,
    /// Postal address; its country is used when `country` is not given.
    pub address: Option<String>,
    /// A vessel's IMO number (`9187629` or `IMO 9187629`): 7 digits with a
    /// valid check digit; looked up exactly among listed IMO numbers.
    #[schema(example = "IMO 9187629")]
    pub imo: Option<String>,
    /// A ship radio's MMSI, 9 digits; looked up exactly among listed MMSIs.
    pub mmsi: Option<String>,
    /// A bank's SWIFT/BIC, 8 or 11 characters; looked up exactly among
    /// listed BICs (an 11-character BIC also as its 8-character institution
    /// code).
    pub bic: Option<String>,
    /// A vessel's flag state (ISO code or country name): supporting
    /// evidence, compared with a listed vessel's flag.
    pub flag: Option<String>,
    /// A vessel's radio call sign: supporting evidence, compared with a
    /// listed vessel's call sign.
    pub call_sign: Option<String>,
    /// A vessel's registered owner or operator: compared with a listed
    /// vessel's owner and screened as a name of its own (its matches carry
    /// the flag `via_owner`).
    pub owner: Option<String>,
    /// The caller's own id for the counterparty, echoed back.
    pub reference: Option<String>,
}

/// A submitted counterparty as the audit trail keeps it: the fields given.
pub fn subject_of<T: Serialize>(submitted: &T) -> serde_json::Value {
    let mut v = serde_json::to_value(submitted).unwrap_or(serde_json::Value::Null);
    if let serde_json::Value::Object(o) = &mut v {
        o.retain(|_, x| !x.is_null() && x.as_array().is_none_or(|a| !a.is_empty()));
    }
    v
}

impl ScreenRequest {
    /// The counterparty as the engine reads it ([`Query::parse`]): every
    /// field checked, an unusable one refused with its code.
    ///
    /// # Errors
    /// The first field that cannot be used, with its code.
    pub fn to_query(&self) -> Result<Query, ApiError> {
        if let Some(r) = &self.reference {
            if r.chars().count() > MAX_REFERENCE_CHARS {
                return Err(ApiError::new(
                    Code::FieldTooLong,
                    format!("reference is longer than {MAX_REFERENCE_CHARS} characters"),
                ));
            }
        }
        Ok(Query::parse(&self.submitted())?)
    }

    /// The fields as text, for [`Query::parse`].
    pub fn submitted(&self) -> Submitted<'_> {
        Submitted {
            name: self.name.as_deref(),
            kind: self.kind.as_deref(),
            country: self.country.as_deref(),
            dob: self.dob.as_deref(),
            identifiers: self.identifiers.iter().map(String::as_str).collect(),
            address: self.address.as_deref(),
            imo: self.imo.as_deref(),
            mmsi: self.mmsi.as_deref(),
            bic: self.bic.as_deref(),
            flag: self.flag.as_deref(),
            call_sign: self.call_sign.as_deref(),
            owner: self.owner.as_deref(),
        }
    }
}

/// The version of a list a result was reached with, and its age.
pub use crate::lists::ListRef;

/// The versions of the lists `screener` holds, as answers name them, aged
/// today.
pub fn list_refs(screener: &Screener) -> Vec<ListRef> {
    crate::lists::list_refs(screener.lists(), crate::engine::model::today_days())
}

/// The result of screening one counterparty.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScreenResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    pub decision: Decision,
    pub flags: Vec<Flag>,
    /// Matches above the report threshold, strongest first.
    pub matches: Vec<Match>,
    /// What the normaliser neutralised in the submitted name.
    pub evasion: Vec<EvasionSign>,
    /// Identifiers, phones, e-mails, websites and addresses shared with
    /// entries tied to a cartel that are not among `matches`; absent when
    /// none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exposures: Vec<Exposure>,
    /// Matches found but left out of `matches` because they score under
    /// the request's `min_score`; they count in `decision` and `flags`
    /// (and are in the audit record when they alert). Absent when none.
    #[serde(skip_serializing_if = "is_zero")]
    pub withheld_matches: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl ScreenResult {
    pub fn new(reference: Option<String>, s: Screening) -> ScreenResult {
        ScreenResult {
            reference,
            decision: s.decision,
            flags: s.flags,
            matches: s.matches,
            evasion: s.evasion,
            exposures: s.exposures,
            withheld_matches: s.withheld,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{BirthDate, EntityKind};

    fn req(name: &str) -> ScreenRequest {
        ScreenRequest { name: Some(name.into()), ..ScreenRequest::default() }
    }

    #[::core::prelude::v1::test]
    fn a_request_becomes_the_engine_query() {
        let r = ScreenRequest {
            kind: Some("Company".into()),
            country: Some(" MX ".into()),
            dob: Some("17/07/1966".into()),
            identifiers: vec!["OECR660717HMNSRB00".into()],
            ..req("Grupo Impergoza")
        };
        let q = r.to_query().unwrap();
        assert_eq!(q.kind, Some(EntityKind::Company));
        assert_eq!(q.country.as_deref(), Some("MX"));
        assert_eq!(q.dob, Some(BirthDate::ymd(1966, 7, 17)));
        assert_eq!(q.identifiers.len(), 1);
        assert_eq!(ScreenRequest { kind: Some("any".into()), ..req("x") }.to_query().unwrap().kind, None);
    }

    #[::core::prelude::v1::test]
    fn the_address_supplies_a_missing_country() {
        let r = ScreenRequest { address: Some("Calle 5 de Mayo 10, Culiacán, Sinaloa, México".into()), ..req("x") };
        assert_eq!(r.to_query().unwrap().country.as_deref(), Some("MX"));
        let r = ScreenRequest { address: Some("somewhere".into()), ..req("x") };
        assert_eq!(r.to_query().unwrap().country, None);
    }

    #[::core::prelude::v1::test]
    fn bad_fields_are_named_by_code() {
        let code = |r: ScreenRequest| r.to_query().unwrap_err().code.as_str();
        assert_eq!(code(ScreenRequest::default()), "missing_name");
        assert_eq!(code(req(" ")), "empty_name");
        assert_eq!(code(req(&"a".repeat(1001))), "name_too_long");
        assert_eq!(code(req("a\u{7}b")), "invalid_name");
        assert_eq!(code(ScreenRequest { kind: Some("boat".into()), ..req("x") }), "invalid_type");
        assert_eq!(code(ScreenRequest { dob: Some("1966-13-01".into()), ..req("x") }), "invalid_dob");
        assert_eq!(code(ScreenRequest { country: Some("M\nX".into()), ..req("x") }), "invalid_field");
    }
}
