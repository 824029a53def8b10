//! Analyst dispositions: a recorded verdict that a counterparty is not (or
//! is) a given list entry, applied to every later screening of it.
//!
//! A false positive stays suppressed only while the entry is the one the
//! analyst looked at: each disposition keeps the entry's signature
//! ([`crate::record::delta::signature`]), and when the entry gains an alias, an
//! identifier or a program (a new `FTO` designation, say), the match alerts
//! again, flagged `list_entry_changed`. A confirmed true match blocks.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::engine::model::{identifier_key, KindFamily};
use crate::engine::normalize::normalize_name;
use crate::engine::{Decision, Flag, Query, QueryError, Screener, Screening};
use crate::record::store::{now_millis, Disposition, Millis, Revocation, Store, StoreError, Verdict};

/// The key a disposition recorded by reference is filed under.
pub fn reference_key(reference: &str) -> String {
    format!("ref:{}", reference.trim())
}

/// The key a disposition recorded by name is filed under: the normalized
/// name and the sorted identifier keys, so spelling, accents, case and
/// separators do not matter.
pub fn name_key(name: &str, identifiers: &[String]) -> String {
    let n = normalize_name(name, KindFamily::Any).joined();
    let mut ids: Vec<String> = identifiers.iter().map(|i| identifier_key(i)).filter(|k| !k.is_empty()).collect();
    ids.sort();
    ids.dedup();
    format!("name:{n}|{}", ids.join(","))
}

/// The dispositions in force, indexed for screening.
#[derive(Default)]
pub struct DispositionBook {
    by_key: HashMap<String, Vec<Disposition>>,
    entities: HashSet<String>,
    has_name_keys: bool,
}

impl DispositionBook {
    /// The book of the dispositions not revoked (expired ones are skipped
    /// when applied, as expiry is a matter of time, not of record).
    pub fn new(all: Vec<Disposition>) -> DispositionBook {
        let mut book = DispositionBook::default();
        for d in all.into_iter().filter(|d| d.revoked.is_none()) {
            book.entities.insert(d.entity_id.clone());
            book.has_name_keys |= d.counterparty_key.starts_with("name:");
            book.by_key.entry(d.counterparty_key.clone()).or_default().push(d);
        }
        book
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    /// Screens `q` and applies the dispositions recorded for it.
    ///
    /// # Errors
    ///
    /// [`QueryError`] when the query cannot be screened.
    pub fn screen(&self, screener: &Screener, q: &Query, reference: Option<&str>) -> Result<Screening, QueryError> {
        let s = screener.screen(q)?;
        Ok(self.apply(screener, q, reference, s, now_millis()))
    }

    /// Applies the dispositions on record for this counterparty to its
    /// screening.
    pub fn apply(
        &self,
        screener: &Screener,
        q: &Query,
        reference: Option<&str>,
        s: Screening,
        now: Millis,
    ) -> Screening {
        if self.is_empty() || !s.matches.iter().any(|m| self.entities.contains(&m.entity_id)) {
            return s;
        }
        let mut found: Vec<&Disposition> = Vec::new();
        if let Some(r) = reference.filter(|r| !r.trim().is_empty()) {
            found.extend(self.by_key.get(&reference_key(r)).into_iter().flatten());
        }
        if self.has_name_keys {
            found.extend(self.by_key.get(&name_key(&q.name, &q.identifiers)).into_iter().flatten());
        }
        found.retain(|d| d.expires_at.is_none_or(|e| e > now));
        if found.is_empty() {
            return s;
        }
        let Screening { mut matches, evasion, exposures, .. } = s;
        for m in &mut matches {
            let mine: Vec<&&Disposition> = found.iter().filter(|d| d.entity_id == m.entity_id).collect();
            if mine.iter().any(|d| d.verdict == Verdict::TrueMatch) {
                m.decision = Decision::Block;
                m.flags.push(Flag::ConfirmedMatch);
            } else if let Some(d) = mine.first() {
                let current = screener.entity(&m.entity_id).map(crate::record::delta::signature);
                if current.as_deref() == Some(d.entity_signature.as_str()) {
                    m.decision = Decision::Clear;
                    m.flags.push(Flag::SuppressedFalsePositive);
                } else {
                    m.flags.push(Flag::ListEntryChanged);
                }
            }
            m.flags.sort();
            m.flags.dedup();
        }
        Screening::conclude(matches, evasion, exposures)
    }
}

/// A disposition as an analyst submits it.
#[derive(Debug, Clone, Default)]
pub struct NewDisposition {
    pub reference: Option<String>,
    pub name: Option<String>,
    pub identifiers: Vec<String>,
    pub entity_id: String,
    pub verdict: Option<Verdict>,
    pub reason: String,
    pub analyst: String,
    pub expires_at: Option<Millis>,
}

/// Why a disposition was refused.
#[derive(Debug, thiserror::Error)]
pub enum DispositionError {
    #[error("a disposition needs the counterparty's reference or its name")]
    NoCounterparty,
    #[error("entity {0:?} is not on the lists in service")]
    UnknownEntity(String),
    #[error("{0} is required")]
    Missing(&'static str),
    #[error("expires_at is in the past")]
    ExpiryInPast,
    #[error("no disposition {0:?} in force")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The dispositions on record, with the book screenings read.
pub struct Dispositions {
    store: Arc<dyn Store>,
    book: ArcSwap<DispositionBook>,
}

impl Dispositions {
    /// # Errors
    ///
    /// [`StoreError`] when the dispositions cannot be read.
    pub fn load(store: Arc<dyn Store>) -> Result<Dispositions, StoreError> {
        let book = DispositionBook::new(store.dispositions()?);
        Ok(Dispositions { store, book: ArcSwap::from_pointee(book) })
    }

    /// The book in force; cheap, hold it for one screening or one batch.
    pub fn book(&self) -> Arc<DispositionBook> {
        self.book.load_full()
    }

    /// Reads the dispositions again, for those other replicas recorded.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the dispositions cannot be read; the book in force stays.
    pub fn refresh(&self) -> Result<(), StoreError> {
        let book = DispositionBook::new(self.store.dispositions()?);
        self.book.store(Arc::new(book));
        Ok(())
    }

    /// # Errors
    ///
    /// [`StoreError`] when the dispositions cannot be read.
    pub fn all(&self) -> Result<Vec<Disposition>, StoreError> {
        self.store.dispositions()
    }

    /// Checks and records a disposition against the entry as it is in
    /// `screener`, and puts it in force.
    ///
    /// # Errors
    ///
    /// [`DispositionError`] when the counterparty has neither reference nor name, the entry is not
    /// on the lists in service, a required field is empty, `expires_at` is past, or the store
    /// fails.
    pub fn record(
        &self,
        new: NewDisposition,
        screener: &Screener,
        recorded_by: &str,
    ) -> Result<Disposition, DispositionError> {
        let reference = new.reference.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        let name = new.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let counterparty_key = match (&reference, &name) {
            (Some(r), _) => reference_key(r),
            (None, Some(n)) => name_key(n, &new.identifiers),
            (None, None) => return Err(DispositionError::NoCounterparty),
        };
        let verdict = new.verdict.ok_or(DispositionError::Missing("verdict"))?;
        if new.reason.trim().is_empty() {
            return Err(DispositionError::Missing("reason"));
        }
        if new.analyst.trim().is_empty() {
            return Err(DispositionError::Missing("analyst"));
        }
        let now = now_millis();
        if new.expires_at.is_some_and(|e| e <= now) {
            return Err(DispositionError::ExpiryInPast);
        }
        let entity =
            screener.entity(&new.entity_id).ok_or_else(|| DispositionError::UnknownEntity(new.entity_id.clone()))?;
        let d = Disposition {
            id: format!("disp_{}", uuid::Uuid::now_v7().simple()),
            recorded_at: now,
            counterparty_key,
            reference,
            name,
            identifiers: new.identifiers,
            entity_id: new.entity_id,
            entity_signature: crate::record::delta::signature(entity),
            verdict,
            reason: new.reason.trim().to_string(),
            analyst: new.analyst.trim().to_string(),
            recorded_by: recorded_by.to_string(),
            expires_at: new.expires_at,
            revoked: None,
        };
        self.store.add_disposition(&d)?;
        self.refresh()?;
        Ok(d)
    }

    /// Withdraws a disposition; it stays on record, revoked.
    ///
    /// # Errors
    ///
    /// [`DispositionError`] when no disposition `id` is in force, or the store fails.
    pub fn revoke(&self, id: &str, by: &str, reason: &str) -> Result<Disposition, DispositionError> {
        let revocation = Revocation { at: now_millis(), by: by.to_string(), reason: reason.trim().to_string() };
        if !self.store.revoke_disposition(id, &revocation)? {
            return Err(DispositionError::NotFound(id.to_string()));
        }
        self.refresh()?;
        let mut d = self
            .store
            .dispositions()?
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| DispositionError::NotFound(id.to_string()))?;
        d.revoked.get_or_insert(revocation);
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{Entity, EntityKind, ListFormat, LoadedList, NameRole};

    fn screener(extra_alias: Option<&str>) -> Screener {
        let mut e = Entity::new("t-1", "test", EntityKind::Company);
        e.add_name("Transportes Halcon Dorado", NameRole::Primary);
        if let Some(a) = extra_alias {
            e.add_name(a, NameRole::Aka);
        }
        e.programs.push("SDNTK".into());
        let list =
            LoadedList::new("test", "Test", ListFormat::Cartelscreen, "t".into(), "0".into(), None, vec![e], vec![]);
        Screener::build(vec![list], crate::lists::registry::embedded(), Default::default())
    }

    fn disposition(verdict: Verdict, key: String, s: &Screener) -> Disposition {
        Disposition {
            id: "d1".into(),
            recorded_at: 0,
            counterparty_key: key,
            reference: None,
            name: None,
            identifiers: vec![],
            entity_id: "t-1".into(),
            entity_signature: crate::record::delta::signature(s.entity("t-1").unwrap()),
            verdict,
            reason: "checked".into(),
            analyst: "ana".into(),
            recorded_by: "k".into(),
            expires_at: None,
            revoked: None,
        }
    }

    #[test]
    fn name_keys_ignore_spelling_and_identifier_order() {
        assert_eq!(
            name_key("Transportes Halcón Dorado", &["ABC-123".into(), "x 9".into()]),
            name_key("  TRANSPORTES halcon dorado ", &["X9".into(), "abc123".into()])
        );
        assert_ne!(name_key("Transportes Halcon", &[]), name_key("Transportes Halcon", &["1".into()]));
    }

    #[test]
    fn a_false_positive_is_suppressed_until_the_entry_changes() {
        let s = screener(None);
        let q = Query::name("Transportes Halcon Dorado");
        let before = s.screen(&q).unwrap();
        assert!(before.decision.is_alert());
        let book = DispositionBook::new(vec![disposition(Verdict::FalsePositive, reference_key("C-1"), &s)]);
        let after = book.apply(&s, &q, Some("C-1"), before.clone(), 0);
        assert_eq!(after.decision, Decision::Clear);
        assert!(after.flags.contains(&Flag::SuppressedFalsePositive));
        assert!(after.matches[0].flags.contains(&Flag::SuppressedFalsePositive));
        // Another counterparty is not covered.
        assert_eq!(book.apply(&s, &q, Some("C-2"), before.clone(), 0).decision, before.decision);
        // The entry gains an alias: the alert is back, flagged.
        let changed = screener(Some("Halcon Dorado Logistics"));
        let again = book.apply(&changed, &q, Some("C-1"), changed.screen(&q).unwrap(), 0);
        assert!(again.decision.is_alert());
        assert!(again.flags.contains(&Flag::ListEntryChanged));
    }

    #[test]
    fn a_true_match_blocks_and_expired_or_revoked_dispositions_do_nothing() {
        let s = screener(None);
        let q = Query::name("Transportes Halcon Dorad");
        let base = s.screen(&q).unwrap();
        let key = name_key("transportes halcon dorad", &[]);
        let book = DispositionBook::new(vec![disposition(Verdict::TrueMatch, key.clone(), &s)]);
        let r = book.apply(&s, &q, None, base.clone(), 0);
        assert_eq!(r.decision, Decision::Block);
        assert!(r.flags.contains(&Flag::ConfirmedMatch));

        let mut expired = disposition(Verdict::FalsePositive, key.clone(), &s);
        expired.expires_at = Some(10);
        let book = DispositionBook::new(vec![expired]);
        assert_eq!(book.apply(&s, &q, None, base.clone(), 5).decision, Decision::Clear);
        assert_eq!(book.apply(&s, &q, None, base.clone(), 11), base);

        let mut revoked = disposition(Verdict::TrueMatch, key, &s);
        revoked.revoked = Some(Revocation { at: 1, by: "k".into(), reason: "wrong".into() });
        assert!(DispositionBook::new(vec![revoked]).is_empty());
    }
}
