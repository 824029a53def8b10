//! Trade screening: the parties of a trade transaction or a bank message,
//! each screened by role, and its free texts searched for listed names and
//! controlled goods, answered in one shape ([`TradeResponse`]) whichever
//! channel asked (`POST /v1/screen/transaction`, `POST /v1/screen/message`,
//! `cartelscreen message`).
//!
//! [`screen`] is the operation: it screens through the one recorded
//! screening ([`Recorder`]), so every party gets its audit record and the
//! whole gets a record of its texts, hits and decision.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::engine::goods::GoodsHit;
use crate::engine::model::EntityKind;
use crate::engine::text_scan::{scan_text_with, TextHit};
use crate::engine::{Decision, Flag, Match, Options, Screener};
use crate::error::Code;
use crate::http::error::ApiError;
use crate::http::v1::{list_refs, subject_of, ListRef, ScreenRequest, ScreenResult};
use crate::messages::{Message, MessageRef};
use crate::record::screening::{Recorder, Subject};
use crate::record::store::AuditRecord;

/// The part a party plays in a transaction or message.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// MT700 field 50: the buyer who asks for the credit.
    Applicant,
    /// MT700/MT760 field 59, MT103 field 59a: who is paid.
    Beneficiary,
    /// MT700 field 52a, MT760 field 52a (the issuer).
    IssuingBank,
    /// MT760 field 56a.
    AdvisingBank,
    /// MT760 field 58a.
    ConfirmingBank,
    Shipper,
    Consignee,
    NotifyParty,
    Carrier,
    Vessel,
    #[default]
    Other,
    /// MT700 field 51a.
    ApplicantBank,
    /// MT700 field 41a: the bank with which the credit is available.
    AvailableWith,
    /// MT700 field 42a.
    Drawee,
    /// MT700 field 53a.
    ReimbursingBank,
    /// MT700 field 57a, MT760 field 57a.
    AdviseThroughBank,
    /// MT700 field 58a.
    RequestedConfirmationParty,
    /// MT720 field 50: the first beneficiary, who transfers the credit.
    FirstBeneficiary,
    /// MT720 field 59: the second beneficiary.
    SecondBeneficiary,
    /// MT760 field 51: the party obliged to reimburse the issuer.
    Obligor,
    /// MT103 field 50a (and sequence B of an MT202 COV).
    OrderingCustomer,
    /// Field 52a of MT103/MT202.
    OrderingInstitution,
    /// Field 53a.
    SendersCorrespondent,
    /// Field 54a.
    ReceiversCorrespondent,
    /// Field 55a.
    ThirdReimbursementInstitution,
    /// Field 56a of MT103/MT202.
    Intermediary,
    /// Field 57a of MT103/MT202.
    AccountWithInstitution,
    /// MT202 field 58a.
    BeneficiaryInstitution,
    /// ISO 20022 `Dbtr`.
    Debtor,
    /// ISO 20022 `Cdtr`.
    Creditor,
    /// ISO 20022 `UltmtDbtr`.
    UltimateDebtor,
    /// ISO 20022 `UltmtCdtr`.
    UltimateCreditor,
    /// ISO 20022 `InitgPty`.
    InitiatingParty,
    /// ISO 20022 `DbtrAgt`.
    DebtorAgent,
    /// ISO 20022 `CdtrAgt`.
    CreditorAgent,
    /// ISO 20022 `IntrmyAgt1`–`3`.
    IntermediaryAgent,
    /// ISO 20022 `InstgAgt`.
    InstructingAgent,
    /// ISO 20022 `InstdAgt`.
    InstructedAgent,
    /// ISO 20022 `PrvsInstgAgt1`–`3`.
    PreviousInstructingAgent,
    /// The message's sender: the BIC of the FIN header (block 1 of an
    /// input message, block 2 of an output one) or of the `AppHdr/Fr`.
    Sender,
    /// The message's receiver: FIN block 2 of an input message (block 1 of
    /// an output one) or `AppHdr/To`.
    Receiver,
}

impl PartyRole {
    /// The kind of party a role implies when none is given.
    pub fn implied_kind(self) -> Option<EntityKind> {
        use PartyRole::*;
        match self {
            IssuingBank
            | AdvisingBank
            | ConfirmingBank
            | Carrier
            | ApplicantBank
            | AvailableWith
            | Drawee
            | ReimbursingBank
            | AdviseThroughBank
            | RequestedConfirmationParty
            | OrderingInstitution
            | SendersCorrespondent
            | ReceiversCorrespondent
            | ThirdReimbursementInstitution
            | Intermediary
            | AccountWithInstitution
            | BeneficiaryInstitution
            | DebtorAgent
            | CreditorAgent
            | IntermediaryAgent
            | InstructingAgent
            | InstructedAgent
            | PreviousInstructingAgent
            | Sender
            | Receiver => Some(EntityKind::Company),
            Vessel => Some(EntityKind::Vessel),
            _ => None,
        }
    }

    /// The role as the answer names it (snake_case).
    pub fn as_str(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
    }
}

/// A party to screen: its role, where the message gave it, and the
/// counterparty fields.
#[derive(Debug, Clone)]
pub struct TradeParty {
    pub role: PartyRole,
    /// The field tag or element path (messages only).
    pub at: Option<String>,
    pub party: ScreenRequest,
}

/// What [`screen`] screens.
#[derive(Debug, Clone, Default)]
pub struct TradeInput {
    /// The caller's reference (a transaction's `reference`, a message's
    /// field 20 or `MsgId`).
    pub reference: Option<String>,
    /// A transaction's free `type` label.
    pub kind: Option<String>,
    pub parties: Vec<TradeParty>,
    /// Free texts by field: a transaction's `texts`, a message's narrative
    /// fields (a field may repeat).
    pub texts: Vec<(String, String)>,
    /// The message's identification, for messages.
    pub message: Option<MessageRef>,
}

impl TradeInput {
    /// A message's parties and texts. BICs become the `bic` of the party
    /// (looked up exactly among listed SWIFT/BIC codes, BIC11 also as its
    /// BIC8); institutions are screened as companies.
    pub fn of_message(m: Message) -> TradeInput {
        let parties = m
            .parties
            .into_iter()
            .map(|p| TradeParty {
                role: p.role,
                at: Some(p.at),
                party: ScreenRequest {
                    name: p.name,
                    kind: p.institution.then(|| "company".to_string()),
                    country: p.country,
                    dob: p.dob,
                    identifiers: p.identifiers,
                    address: p.address,
                    bic: p.bic,
                    ..ScreenRequest::default()
                },
            })
            .collect();
        TradeInput {
            reference: m.reference.reference.clone(),
            kind: None,
            parties,
            texts: m.texts.into_iter().map(|t| (t.at, t.text)).collect(),
            message: Some(m.reference),
        }
    }
}

/// A screened party.
#[derive(Debug, Serialize, ToSchema)]
pub struct PartyResult {
    /// Position among the parties, from 0.
    pub index: usize,
    pub role: PartyRole,
    /// The field tag (`59`, `50K`, `B/59F`) or ISO 20022 element path
    /// (`CdtTrfTxInf/Cdtr`) of the party; absent for a transaction's parties.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The name as screened (normalised); empty when screened by BIC alone.
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// The BIC screened as an identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bic: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identifiers: Vec<String>,
    /// The screening.
    #[serde(flatten)]
    pub result: ScreenResult,
}

/// A listed name found in a text field.
#[derive(Debug, Serialize, ToSchema)]
pub struct TextResult {
    /// The text field (`goods_description`, `47A`, `CdtTrfTxInf/RmtInf/Ustrd`).
    pub field: String,
    #[serde(flatten)]
    pub hit: TextHit,
}

/// A controlled good found in a text field.
#[derive(Debug, Serialize, ToSchema)]
pub struct GoodsResult {
    /// The text field.
    pub field: String,
    /// `review`: a controlled good is always reviewed.
    pub decision: Decision,
    #[serde(flatten)]
    pub hit: GoodsHit,
}

/// Why the whole got its decision: one line per alerting party match, text
/// hit or good.
#[derive(Debug, Serialize, ToSchema)]
pub struct Reason {
    /// `party` (a name matched), `identifier` (a BIC or other identifier
    /// matched exactly), `text` (a listed name in free text) or `goods` (a
    /// controlled good).
    pub source: &'static str,
    /// Where: the field tag or element path of a message, the role of a
    /// transaction's party, or the text field.
    pub at: String,
    pub decision: Decision,
    /// The list entry, or the good's id.
    pub entity_id: String,
    /// The entry's name, or the good's name.
    pub caption: String,
    /// In [0, 1]; 1 for goods.
    pub score: f32,
    /// Cartels the matched entry ties to.
    pub cartels: Vec<String>,
    /// The reason in one sentence.
    pub message: String,
}

/// The answer to a trade screening: a transaction or a message.
#[derive(Debug, Serialize, ToSchema)]
pub struct TradeResponse {
    pub request_id: String,
    /// RFC 3339, UTC.
    pub screened_at: String,
    /// The caller's reference, or the message's own (field 20, `MsgId`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// A transaction's `type` label.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// The message's type and references (messages only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<MessageRef>,
    /// The worst decision over parties, text hits and goods.
    pub decision: Decision,
    pub reasons: Vec<Reason>,
    pub parties: Vec<PartyResult>,
    pub text_hits: Vec<TextResult>,
    pub goods_hits: Vec<GoodsResult>,
    /// The options applied (absent when none was given).
    #[serde(skip_serializing_if = "Options::is_default")]
    pub options: Options,
    pub lists: Vec<ListRef>,
}

fn reason(source: &'static str, at: &str, m: &Match) -> Reason {
    let cartels: Vec<String> = m.cartel_ties.iter().map(|t| t.cartel.clone()).collect();
    let tie = if cartels.is_empty() { String::new() } else { format!(", tied to {}", cartels.join(", ")) };
    Reason {
        source,
        at: at.to_string(),
        decision: m.decision,
        entity_id: m.entity_id.clone(),
        caption: m.caption.clone(),
        score: m.score,
        message: format!(
            "{source} {at} matches {} \"{}\" on {} at {:.2}{tie}: {}",
            m.entity_id,
            m.caption,
            m.list,
            m.score,
            m.decision.as_str()
        ),
        cartels,
    }
}

fn goods_reason(at: &str, h: &GoodsHit) -> Reason {
    Reason {
        source: "goods",
        at: at.to_string(),
        decision: Decision::Review,
        entity_id: h.item.clone(),
        caption: h.item_name.clone(),
        score: 1.0,
        cartels: Vec::new(),
        message: format!(
            "goods {at} names {} \"{}\" ({}, by {} `{}`; {}; source: {}, {}): review",
            h.item,
            h.item_name,
            h.category.as_str(),
            serde_json::to_value(h.matched_by).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default(),
            h.matched_term,
            h.controls.join(", "),
            h.source.issuer,
            h.source.title,
        ),
    }
}

/// How [`screen`] counts and limits.
pub struct Limits<'a> {
    /// `server.max_text_chars`: a longer text refuses the whole.
    pub max_text_chars: usize,
    /// Told how many listed names each text scan found.
    pub text_hits: &'a (dyn Fn(usize) + Sync),
}

/// Screens a transaction or message: every party (all must be screenable,
/// or nothing is screened), every text for listed names and controlled
/// goods. Returns the answer and the audit records to commit before
/// answering.
///
/// # Errors
/// [`ApiError`] with the code of the first party that cannot be screened
/// (its message names the party's field or index), `field_too_long` for a
/// text over `max_text_chars`, or the code of a failed screening.
pub fn screen(
    recorder: &Recorder<'_>,
    screener: &Screener,
    input: TradeInput,
    options: Options,
    limits: &Limits<'_>,
) -> Result<(TradeResponse, Vec<AuditRecord>), ApiError> {
    let place = |i: usize, p: &TradeParty| match &p.at {
        Some(at) => format!("field {at} ({})", p.role.as_str()),
        None => format!("parties[{i}]"),
    };
    for (field, text) in &input.texts {
        if text.chars().count() > limits.max_text_chars {
            return Err(ApiError::new(
                Code::FieldTooLong,
                format!("text {field} is longer than {} characters", limits.max_text_chars),
            ));
        }
    }
    // Every party must be screenable: a transaction half screened is not screened.
    let mut queries = Vec::with_capacity(input.parties.len());
    for (i, p) in input.parties.iter().enumerate() {
        let mut q = p.party.to_query().map_err(|e| e.at(place(i, p)))?;
        if q.kind.is_none() {
            q.kind = p.role.implied_kind();
        }
        queries.push(q);
    }
    let mut records = Vec::new();
    let mut decision = Decision::Clear;
    let mut reasons = Vec::new();
    let mut parties = Vec::with_capacity(queries.len());
    for (index, (p, q)) in input.parties.iter().zip(&queries).enumerate() {
        let reference = p.party.reference.as_deref();
        let mut submitted = subject_of(&p.party);
        if let (serde_json::Value::Object(o), Some(at)) = (&mut submitted, &p.at) {
            o.insert("role".into(), p.role.as_str().into());
            o.insert("at".into(), at.clone().into());
        }
        let recorded = recorder.screen_with(q, &options, Subject::item(index as i64, reference, submitted));
        let s = recorded.outcome.map_err(|e| ApiError::from(e).at(place(index, p)))?;
        records.extend(recorded.record);
        decision = decision.max(s.decision);
        let at = p.at.clone().unwrap_or_else(|| p.role.as_str());
        for m in s.matches.iter().filter(|m| m.decision.is_alert()) {
            let source = if m.flags.contains(&Flag::IdentifierMatch) { "identifier" } else { "party" };
            reasons.push(reason(source, &at, m));
        }
        parties.push(PartyResult {
            index,
            role: p.role,
            at: p.at.clone(),
            name: q.name.clone(),
            address: p.party.address.clone(),
            country: p.party.country.clone(),
            bic: p.party.bic.clone(),
            identifiers: p.party.identifiers.clone(),
            result: ScreenResult::new(p.party.reference.clone(), s),
        });
    }
    let goods = crate::lists::goods::embedded();
    let mut text_hits = Vec::new();
    let mut goods_hits = Vec::new();
    for (field, text) in &input.texts {
        let hits = scan_text_with(screener, text, &options)?;
        (limits.text_hits)(hits.len());
        for hit in hits {
            decision = decision.max(hit.decision);
            if let Some(m) = hit.matches.first() {
                reasons.push(reason("text", field, m));
            }
            text_hits.push(TextResult { field: field.clone(), hit });
        }
        for hit in goods.scan(text) {
            decision = decision.max(Decision::Review);
            reasons.push(goods_reason(field, &hit));
            goods_hits.push(GoodsResult { field: field.clone(), decision: Decision::Review, hit });
        }
    }
    // The whole: its texts, their hits, the overall decision.
    let texts: serde_json::Map<String, serde_json::Value> = input
        .texts
        .iter()
        .enumerate()
        .map(|(i, (f, t))| {
            let key =
                if input.texts.iter().filter(|(g, _)| g == f).count() > 1 { format!("{f}#{i}") } else { f.clone() };
            (key, serde_json::Value::String(t.clone()))
        })
        .collect();
    let mut content = serde_json::json!({"type": input.kind, "texts": texts, "parties": input.parties.len()});
    if let Some(m) = &input.message {
        content["message"] = serde_json::json!(m);
    }
    if !goods_hits.is_empty() {
        content["goods_hits"] = goods_hits
            .iter()
            .map(|g| serde_json::json!({"field": g.field, "item": g.hit.item, "matched_by": g.hit.matched_by, "text": g.hit.text}))
            .collect();
    }
    if !options.is_default() {
        content["options"] = serde_json::json!(options);
    }
    let hits = text_hits.iter().filter_map(|h| h.hit.matches.first()).map(crate::record::audit::hit_of).collect();
    records.extend(recorder.note(input.reference.as_deref(), content, decision, hits));
    let response = TradeResponse {
        request_id: recorder.origin().request_id.clone(),
        screened_at: crate::live::rfc3339(std::time::SystemTime::now()),
        reference: input.reference,
        kind: input.kind,
        message: input.message,
        decision,
        reasons,
        parties,
        text_hits,
        goods_hits,
        options,
        lists: list_refs(screener),
    };
    Ok((response, records))
}
