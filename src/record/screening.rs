//! The one recorded screening, called by every channel.
//!
//! A screening a compliance function relies on is more than a match: the
//! analysts' dispositions are applied to it, its decision is counted, and
//! its audit record (who asked, what was submitted, against which list
//! versions, what the system said) is made durable before anyone is told
//! the answer. [`Recorder`] does those steps in that order for the HTTP API
//! (single, batch, transaction, message, upload, `/match`), monitoring and
//! the command line, so no channel can skip one or do it differently.
//!
//! A recorder is made per request (or per run), screens any number of
//! counterparties (from several threads at once), and hands back the records
//! for [`Records::commit`]: a caller answers only once that returns.

use std::sync::Arc;

use serde_json::Value;

use crate::engine::{Decision, Flag, Options, Query, QueryError, Screener, Screening};
use crate::record::audit::{AuditContext, Origin, Screened};
use crate::record::dispositions::DispositionBook;
use crate::record::store::{now_millis, AuditHit, AuditRecord, ListSet, Millis};
use crate::record::Records;

/// Whether a channel applies the analysts' dispositions. Chosen per channel
/// on purpose, and written in the README: every screening channel applies
/// them; only measurements (`eval`, `bench`) and `explain` ignore them, and
/// those are not recorded screenings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispositionPolicy {
    /// Suppress recorded false positives and block confirmed matches.
    Apply,
    /// Screen as if no analyst had decided anything.
    Ignore,
}

/// The counterparty a screening is about, as the audit trail keeps it.
#[derive(Debug, Clone)]
pub struct Subject<'a> {
    /// Index in a batch, row number of a file, or party index.
    pub item: Option<i64>,
    /// The caller's reference, which dispositions may be filed under.
    pub reference: Option<&'a str>,
    /// The counterparty as submitted (a JSON object of its fields).
    pub submitted: Value,
}

impl<'a> Subject<'a> {
    /// A single counterparty.
    pub fn one(reference: Option<&'a str>, submitted: Value) -> Subject<'a> {
        Subject { item: None, reference, submitted }
    }

    /// The `item`-th counterparty of a batch, file or transaction.
    pub fn item(item: i64, reference: Option<&'a str>, submitted: Value) -> Subject<'a> {
        Subject { item: Some(item), reference, submitted }
    }
}

/// A screening and its audit record (none when the trail is off).
#[derive(Debug)]
pub struct Recorded {
    /// The screening with dispositions applied, or why the query could not
    /// be screened.
    pub outcome: Result<Screening, QueryError>,
    /// To be committed with [`Records::commit`] before the outcome is told.
    pub record: Option<AuditRecord>,
}

/// Screens counterparties for one request or one run, the recorded way.
pub struct Recorder<'a> {
    screener: &'a Screener,
    records: Option<&'a Records>,
    audit: Option<&'a AuditContext>,
    lists: Arc<ListSet>,
    book: Option<Arc<DispositionBook>>,
    origin: Origin,
    at: Millis,
    count: Option<&'a (dyn Fn(Decision) + Sync)>,
    /// The flags of the lists themselves (stale, partial, none official),
    /// carried by every screening.
    list_flags: Vec<Flag>,
}

/// The flags the lists of `screener` give every screening, lists older
/// than `max_age_days` being stale.
pub fn list_flags(screener: &Screener, max_age_days: u32) -> Vec<Flag> {
    crate::lists::ListHealth::of(screener.lists(), max_age_days, crate::engine::model::today_days()).flags()
}

impl<'a> Recorder<'a> {
    /// A recorder that keeps no records and applies no dispositions: for
    /// tools that screen outside the service (and the batch pipeline's
    /// `--no-screen` floor).
    pub fn unrecorded(screener: &'a Screener, origin: Origin) -> Recorder<'a> {
        Recorder {
            screener,
            records: None,
            audit: None,
            lists: ListSet::empty(),
            book: None,
            origin,
            at: now_millis(),
            count: None,
            list_flags: list_flags(screener, crate::record::DEFAULT_MAX_AGE_DAYS),
        }
    }

    /// A recorder for `origin` on `screener`, keeping records in `records`
    /// (when its trail is on) and applying dispositions per `policy`.
    pub fn new(
        records: &'a Records,
        screener: &'a Screener,
        origin: Origin,
        policy: DispositionPolicy,
    ) -> Recorder<'a> {
        let audit = records.audit.enabled().then(|| records.audit.context());
        Recorder {
            screener,
            lists: if audit.is_some() { records.list_set(screener) } else { ListSet::empty() },
            records: Some(records),
            audit,
            book: (policy == DispositionPolicy::Apply).then(|| records.dispositions.book()),
            origin,
            at: now_millis(),
            count: None,
            list_flags: list_flags(screener, records.max_age_days),
        }
    }

    /// Calls `count` with the decision of every screening concluded (the
    /// service's metrics).
    pub fn counting(mut self, count: &'a (dyn Fn(Decision) + Sync)) -> Recorder<'a> {
        self.count = Some(count);
        self
    }

    /// The lists screened against.
    pub fn screener(&self) -> &'a Screener {
        self.screener
    }

    /// Who asked and how.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The record-keeping behind this recorder, if any.
    pub fn records(&self) -> Option<&'a Records> {
        self.records
    }

    /// Screens `q` with the dispositions applied, counts the decision and
    /// builds its record.
    pub fn screen(&self, q: &Query, subject: Subject<'_>) -> Recorded {
        self.screen_with(q, &Options::default(), subject)
    }

    /// [`Recorder::screen`] with the caller's options: only the lists and
    /// kinds of entries they admit are screened against; the record keeps
    /// the options (as `options` in its subject) and every hit at or above
    /// the review threshold; then matches under `min_score` are left out of
    /// the outcome ([`Options::report`]).
    pub fn screen_with(&self, q: &Query, options: &Options, mut subject: Subject<'_>) -> Recorded {
        let outcome = self.screener.screen_with_options(q, options).map(|s| self.apply(q, subject.reference, s));
        if !options.is_default() {
            if let Value::Object(o) = &mut subject.submitted {
                o.insert("options".into(), serde_json::to_value(options).unwrap_or(Value::Null));
            }
        }
        let record = self.conclude(subject, outcome.as_ref().map_err(|e| e.to_string()));
        let outcome = outcome.map(|mut s| {
            options.report(&mut s);
            s
        });
        Recorded { outcome, record }
    }

    /// [`Recorder::screen`] against the entries `ids` only (monitoring
    /// re-screens against what a list update added or changed).
    pub fn screen_among<'i>(
        &self,
        q: &Query,
        ids: impl IntoIterator<Item = &'i str>,
        subject: Subject<'_>,
    ) -> Recorded {
        let outcome = self.screener.screen_among(q, ids).map(|s| self.apply(q, subject.reference, s));
        let record = self.conclude(subject, outcome.as_ref().map_err(|e| e.to_string()));
        Recorded { outcome, record }
    }

    /// Screens `q` with the dispositions applied, without counting or
    /// recording it: for a channel that makes one screening out of several
    /// queries (the name variants of a `/match` query entity), which then
    /// calls [`Recorder::conclude`] once.
    ///
    /// # Errors
    /// When the query cannot be screened (no tokens, too long).
    pub fn screen_query(&self, q: &Query, reference: Option<&str>) -> Result<Screening, QueryError> {
        Ok(self.apply(q, reference, self.screener.screen(q)?))
    }

    fn apply(&self, q: &Query, reference: Option<&str>, s: Screening) -> Screening {
        let mut s = match &self.book {
            Some(book) => book.apply(self.screener, q, reference, s, now_millis()),
            None => s,
        };
        self.add_list_flags(&mut s.flags);
        s
    }

    /// Adds the lists' own flags (stale, partial, no official list) to a
    /// screening's flags, sorted, each once. Every screening carries them,
    /// whatever its decision.
    pub fn add_list_flags(&self, flags: &mut Vec<Flag>) {
        if self.list_flags.is_empty() {
            return;
        }
        flags.extend(self.list_flags.iter().copied());
        flags.sort();
        flags.dedup();
    }

    /// The lists' own flags on every screening of this recorder.
    pub fn list_flags(&self) -> &[Flag] {
        &self.list_flags
    }

    /// Counts a concluded screening's decision and builds its record; an
    /// `Err` records a counterparty that could not be screened, with why.
    pub fn conclude(&self, subject: Subject<'_>, outcome: Result<&Screening, String>) -> Option<AuditRecord> {
        if let (Some(count), Ok(s)) = (self.count, &outcome) {
            count(s.decision);
        }
        let audit = self.audit?;
        let screened =
            Screened { item: subject.item, reference: subject.reference, subject: subject.submitted, outcome };
        Some(audit.screening(&self.origin, &self.lists, self.at, screened))
    }

    /// The record of a screening that is not one counterparty's (the free
    /// text of a transaction or message): its content, the overall
    /// decision, and the matches found in it.
    pub fn note(
        &self,
        reference: Option<&str>,
        content: Value,
        decision: Decision,
        hits: Vec<AuditHit>,
    ) -> Option<AuditRecord> {
        let audit = self.audit?;
        let mut record = audit.change(&self.origin, "screening", reference, content);
        record.at = self.at;
        record.lists = self.lists.clone();
        record.decision = Some(decision.as_str().to_string());
        record.hits = hits;
        Some(record)
    }
}
