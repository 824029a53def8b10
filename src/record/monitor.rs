//! Ongoing monitoring: when the lists change, re-screen every monitored
//! counterparty against the entries the change added or altered, and raise
//! an alert for each new hit.
//!
//! The state the last check saw (a signature per entry, see [`delta`]) is
//! kept in the store, not in memory: a change made while the service was
//! down is found at the next start, and replicas sharing a PostgreSQL store
//! raise each alert once ([`Store::commit_list_change`] lets only the first
//! one record the change).

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{json, Value};

use crate::engine::model::{BirthDate, EntityKind};
use crate::engine::{Query, Screener};
use crate::record::audit::{AuditError, Origin};
use crate::record::delta::{self, Snapshot};
use crate::record::screening::{DispositionPolicy, Recorder, Subject};
use crate::record::store::{now_millis, Alert, ListState, Millis, Monitored, StoreError};
use crate::record::Records;

/// Monitored counterparties re-screened per page.
const PAGE: usize = 1000;

/// The fields of a monitored counterparty, as stored.
pub fn counterparty_json(q: &Query) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("name".into(), json!(q.name));
    if let Some(k) = q.kind {
        o.insert("type".into(), json!(k.as_str()));
    }
    if let Some(c) = &q.country {
        o.insert("country".into(), json!(c));
    }
    if let Some(d) = &q.dob {
        o.insert("dob".into(), json!(d.to_string()));
    }
    if !q.identifiers.is_empty() {
        o.insert("identifiers".into(), json!(q.identifiers));
    }
    if let Some(a) = &q.address {
        o.insert("address".into(), json!(a));
    }
    Value::Object(o)
}

/// The query a stored counterparty screens as.
pub fn query_of(v: &Value) -> Option<Query> {
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    Some(Query {
        name: s("name")?,
        kind: s("type").and_then(|k| EntityKind::parse(&k)).filter(|k| *k != EntityKind::Unknown),
        country: s("country"),
        dob: s("dob").and_then(|d| BirthDate::parse_iso(&d)),
        identifiers: v
            .get("identifiers")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
        address: s("address"),
        ..Query::default()
    })
}

/// Why a check could not finish; the stored state is then left as it was,
/// so the next check covers the same change again.
#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Audit(#[from] AuditError),
}

/// What a check found.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CheckOutcome {
    /// No state was stored yet: these lists are the baseline.
    Baseline { entries: usize },
    /// The lists are the ones last checked.
    Unchanged,
    /// The lists changed; monitored counterparties were re-screened.
    Changed { added: usize, removed: usize, changed: usize, rescreened: u64, alerts: usize },
    /// Another instance recorded this change first.
    Superseded,
}

/// Where monitoring stands, for `GET /v1/alerts`.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct MonitorStatus {
    pub checks: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_check_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_outcome: Option<CheckOutcome>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// Fingerprint of the list versions last checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lists_fingerprint: Option<String>,
}

/// Registration, checks and alerts.
pub struct Monitor {
    /// One check at a time in this process.
    checking: Mutex<()>,
    status: Mutex<MonitorStatus>,
    /// Told when alerts were raised (the webhook sender).
    on_alerts: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Monitor {
    /// A monitor that tells `on_alerts` when it raised alerts.
    pub fn new(on_alerts: Option<Box<dyn Fn() + Send + Sync>>) -> Monitor {
        Monitor { checking: Mutex::new(()), status: Mutex::default(), on_alerts }
    }

    pub fn status(&self) -> MonitorStatus {
        self.status.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Compares the lists of `screener` with the state last recorded and,
    /// if they changed, re-screens every monitored counterparty against the
    /// added and changed entries and records the alerts with the new state.
    ///
    /// # Errors
    ///
    /// [`MonitorError`] when the store cannot be read or written; nothing is recorded and the next
    /// check tries again.
    pub fn check(&self, records: &Records, screener: &Screener) -> Result<CheckOutcome, MonitorError> {
        let _one = self.checking.lock().unwrap_or_else(|p| p.into_inner());
        let result = self.check_locked(records, screener);
        let mut st = self.status.lock().unwrap_or_else(|p| p.into_inner());
        st.checks += 1;
        st.last_check_at = Some(crate::live::rfc3339(std::time::SystemTime::now()));
        match &result {
            Ok(o) => {
                st.last_outcome = Some(o.clone());
                st.last_error = None;
                st.lists_fingerprint = Some(crate::engine::model::fingerprint(screener.lists()));
            }
            Err(e) => st.last_error = Some(e.to_string()),
        }
        result
    }

    fn check_locked(&self, records: &Records, screener: &Screener) -> Result<CheckOutcome, MonitorError> {
        let store = records.audit.store();
        let deployment = records.deployment();
        let fingerprint = crate::engine::model::fingerprint(screener.lists());
        let stored = store.list_state(&deployment)?;
        if stored.as_ref().is_some_and(|s| s.fingerprint == fingerprint) {
            return Ok(CheckOutcome::Unchanged);
        }
        let snapshot = Snapshot::of(screener.entities());
        let state = ListState {
            fingerprint: fingerprint.clone(),
            versions: records.list_set(screener).versions.clone(),
            updated_at: now_millis(),
            entities: snapshot.pairs(),
        };
        let Some(old) = stored else {
            let entries = snapshot.len();
            if !store.commit_list_change(&deployment, None, &state, &[])? {
                return Ok(CheckOutcome::Superseded);
            }
            record_served(records, &deployment, None, &state, entries, &[])?;
            return Ok(CheckOutcome::Baseline { entries });
        };
        let d = delta::diff(&Snapshot::from_pairs(old.entities.clone()), &snapshot);
        let touched: Vec<&str> = d.touched().collect();
        let parts: HashMap<&str, &[&'static str]> = d.changed.iter().map(|c| (c.id.as_str(), &c.parts[..])).collect();
        let mut alerts = Vec::new();
        let mut rescreened = 0u64;
        if !touched.is_empty() {
            let origin =
                Origin::new(format!("monitor-{}", uuid::Uuid::now_v7().simple()), "system:monitoring", "monitoring");
            let recorder = Recorder::new(records, screener, origin, DispositionPolicy::Apply);
            let mut after: Option<String> = None;
            loop {
                let page = store.monitored(after.as_deref(), PAGE)?;
                let Some(last) = page.last() else { break };
                after = Some(last.reference.clone());
                let now = now_millis();
                let base = rescreened as i64;
                let results: Vec<(Option<crate::record::store::AuditRecord>, Vec<Alert>)> = page
                    .par_iter()
                    .enumerate()
                    .filter_map(|(i, m)| {
                        let q = query_of(&m.counterparty)?;
                        let subject = Subject::item(base + i as i64, Some(&m.reference), m.counterparty.clone());
                        let recorded = recorder.screen_among(&q, touched.iter().copied(), subject);
                        let mut raised = Vec::new();
                        if let Ok(s) = &recorded.outcome {
                            for hit in s.matches.iter().filter(|h| h.decision.is_alert()) {
                                let changed = parts.get(hit.entity_id.as_str());
                                raised.push(Alert {
                                    id: format!("alert_{}", uuid::Uuid::now_v7().simple()),
                                    created_at: now,
                                    reference: m.reference.clone(),
                                    entity_id: hit.entity_id.clone(),
                                    list: hit.list.clone(),
                                    caption: hit.caption.clone(),
                                    score: crate::record::audit::recorded_score(hit.score),
                                    decision: hit.decision.as_str().to_string(),
                                    flags: hit.flags.iter().map(|f| f.as_str().to_string()).collect(),
                                    change: if changed.is_some() { "changed" } else { "added" }.to_string(),
                                    changed: changed
                                        .map(|p| p.iter().map(|s| s.to_string()).collect())
                                        .unwrap_or_default(),
                                    from_lists: old.fingerprint.clone(),
                                    to_lists: fingerprint.clone(),
                                });
                            }
                        }
                        Some((recorded.record, raised))
                    })
                    .collect();
                rescreened += page.len() as u64;
                let mut records_made = Vec::with_capacity(results.len());
                for (r, a) in results {
                    records_made.extend(r);
                    alerts.extend(a);
                }
                records.commit_blocking(std::mem::take(&mut records_made))?;
                if page.len() < PAGE {
                    break;
                }
            }
        }
        if !store.commit_list_change(&deployment, Some(&old.fingerprint), &state, &alerts)? {
            return Ok(CheckOutcome::Superseded);
        }
        record_served(records, &deployment, Some(&old.fingerprint), &state, snapshot.len(), &alerts)?;
        tracing::info!(
            added = d.added.len(),
            removed = d.removed.len(),
            changed = d.changed.len(),
            rescreened,
            alerts = alerts.len(),
            "list change checked against monitored counterparties"
        );
        if !alerts.is_empty() {
            if let Some(wake) = &self.on_alerts {
                wake();
            }
        }
        Ok(CheckOutcome::Changed {
            added: d.added.len(),
            removed: d.removed.len(),
            changed: d.changed.len(),
            rescreened,
            alerts: alerts.len(),
        })
    }
}

/// A registration as stored, stamped now.
pub fn registration(reference: &str, counterparty: Value, by: &str, at: Millis) -> Monitored {
    Monitored { reference: reference.to_string(), registered_at: at, registered_by: by.to_string(), counterparty }
}

/// Records in the audit trail that `deployment` now serves the list
/// versions of `state` (kind `lists_served`: deployment, the fingerprint
/// before and now, the versions, the entries) and each alert it raised
/// (kind `alert_raised`, the alert as its subject), so the chain covers
/// them.
fn record_served(
    records: &Records,
    deployment: &str,
    from: Option<&str>,
    state: &ListState,
    entries: usize,
    alerts: &[Alert],
) -> Result<(), MonitorError> {
    let origin = Origin::new(format!("lists-{}", uuid::Uuid::now_v7().simple()), "system:monitoring", "monitoring");
    let context = records.audit.context();
    let served = serde_json::json!({
        "deployment": deployment,
        "from": from,
        "to": state.fingerprint,
        "versions": state.versions,
        "entries": entries,
        "alerts": alerts.len(),
    });
    let mut made = vec![context.change(&origin, "lists_served", None, served)];
    for a in alerts {
        let subject = serde_json::to_value(a).unwrap_or_default();
        made.push(context.change(&origin, "alert_raised", Some(&a.reference), subject));
    }
    // One uid per record: the request id, and the alert's place.
    for (i, r) in made.iter_mut().enumerate().skip(1) {
        r.uid = format!("{}/{i}", r.request_id);
        r.item = Some(i as i64);
    }
    records.audit.append_changes_blocking(made)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_counterparty_survives_the_round_trip_through_json() {
        let q = Query {
            name: "Transportes Halcon".into(),
            kind: Some(EntityKind::Company),
            country: Some("MX".into()),
            dob: Some(BirthDate::ymd(1970, 1, 2)),
            identifiers: vec!["THA700102AB1".into()],
            address: Some("Calle 1, Culiacan".into()),
            ..Query::default()
        };
        assert_eq!(query_of(&counterparty_json(&q)), Some(q));
        assert_eq!(query_of(&json!({"type": "company"})), None, "a name is required");
    }
}
