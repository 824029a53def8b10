//! Proof that the trail is whole: the hash chain recomputed record by
//! record ([`verify`]), and checkpoints of its head kept outside the
//! database ([`Checkpoint`]), against which a deleted tail shows.
//!
//! The chain itself is described in [`crate::record::chain`]. What a
//! verification finds, in the order it looks:
//!
//! | break | meaning |
//! | --- | --- |
//! | `unlinked` | the first record kept links neither to the start of the chain nor to a retention purge: records before it were removed |
//! | `missing_records` | a gap in `seq`: records were removed from the middle |
//! | `not_chained` | a record without a hash after the chain began |
//! | `changed` | a record's recomputed hash differs: its content was edited, or records were reordered |
//! | `tail_missing` | the chain's head (or a checkpoint) names records past the last one: the tail was removed |
//! | `head_mismatch` | the head row disagrees with the last record |
//! | `checkpoint_mismatch` | a checkpoint's hash differs from the record at its `seq` |

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::record::chain::{canonical, link, GENESIS};
use crate::record::store::{AuditFilter, AuditRecord, Store, StoreError};

/// Records read per query while verifying.
const PAGE: usize = 2000;

/// The head of the chain at one moment, as kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Checkpoint {
    /// The last record's `seq`.
    pub seq: i64,
    /// Its hash, 64 lower-case hex digits.
    pub hash: String,
    /// When the checkpoint was taken, RFC 3339 UTC.
    pub at: String,
}

/// Why verification stopped at a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The first record kept links neither to the start nor to a purge.
    Unlinked,
    /// A gap in `seq`.
    MissingRecords,
    /// A record without a hash after the chain began.
    NotChained,
    /// A record whose recomputed hash differs.
    Changed,
    /// The head or a checkpoint names records past the last one.
    TailMissing,
    /// The head row disagrees with the last record.
    HeadMismatch,
    /// A checkpoint's hash differs from its record's.
    CheckpointMismatch,
}

impl BreakKind {
    /// The name of the kind, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakKind::Unlinked => "unlinked",
            BreakKind::MissingRecords => "missing_records",
            BreakKind::NotChained => "not_chained",
            BreakKind::Changed => "changed",
            BreakKind::TailMissing => "tail_missing",
            BreakKind::HeadMismatch => "head_mismatch",
            BreakKind::CheckpointMismatch => "checkpoint_mismatch",
        }
    }
}

/// The first place the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Break {
    pub kind: BreakKind,
    /// The `seq` where it shows: the first missing, changed or unlinked
    /// record.
    pub seq: i64,
    /// What was found, in words.
    pub message: String,
}

/// The result of a verification.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Verification {
    /// No break found.
    pub intact: bool,
    /// Chained records checked.
    pub records: u64,
    /// Records written before the chain began (no hash), not covered.
    pub unchained: u64,
    pub first_seq: Option<i64>,
    pub last_seq: Option<i64>,
    /// The head as the database states it: `seq` and hash.
    pub head_seq: i64,
    pub head_hash: String,
    /// Checkpoints compared.
    pub checkpoints: u64,
    /// The first break, when not intact.
    #[serde(rename = "break", default, skip_serializing_if = "Option::is_none")]
    pub broken: Option<Break>,
}

/// Which part of the trail to verify, and against which checkpoints.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// First `seq` checked (its link to the record before it included);
    /// the start of the trail when `None`.
    pub from: Option<i64>,
    /// Last `seq` checked; the head when `None` (then a removed tail is
    /// found against the head and the checkpoints).
    pub to: Option<i64>,
    pub checkpoints: Vec<Checkpoint>,
}

/// One end of a verification range: a record's `seq`, or a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Seq(i64),
    /// [`crate::record::store::Millis`].
    Time(i64),
}

impl Bound {
    /// A `seq` (digits only) or a time (RFC 3339, or YYYY-MM-DD for
    /// midnight UTC); `None` for anything else.
    pub fn parse(s: &str) -> Option<Bound> {
        let s = s.trim();
        if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
            return s.parse().ok().map(Bound::Seq);
        }
        super::export::parse_time(s).map(Bound::Time)
    }
}

/// The `seq` range of `from` (included) and `to` (included for a `seq`,
/// excluded for a time, as in `audit export`): a time becomes the first
/// record at or after it, in `seq` order.
///
/// # Errors
///
/// [`StoreError`] when the database cannot be read.
pub fn seq_range(
    store: &dyn Store,
    from: Option<Bound>,
    to: Option<Bound>,
) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let first_at = |t: i64| -> Result<Option<i64>, StoreError> {
        let page = store.audit(&AuditFilter { from: Some(t), limit: 1, ..AuditFilter::default() })?;
        Ok(page.records.first().and_then(|r| r.seq))
    };
    let from = match from {
        None => None,
        Some(Bound::Seq(s)) => Some(s),
        Some(Bound::Time(t)) => Some(first_at(t)?.unwrap_or(i64::MAX)),
    };
    let to = match to {
        None => None,
        Some(Bound::Seq(s)) => Some(s),
        Some(Bound::Time(t)) => first_at(t)?.map(|s| s - 1),
    };
    Ok((from, to))
}

/// Recomputes the chain over the records `options` names and compares it
/// with the head and the checkpoints. Reads every record of the range.
///
/// # Errors
///
/// [`StoreError`] when the database cannot be read. A broken chain is not
/// an error: it is a [`Verification`] with `intact: false`.
pub fn verify(store: &dyn Store, options: &VerifyOptions) -> Result<Verification, StoreError> {
    let (head_seq, head_hash) = store.chain_head()?;
    let mut v = Verification {
        intact: true,
        records: 0,
        unchained: 0,
        first_seq: None,
        last_seq: None,
        head_seq,
        head_hash: head_hash.clone(),
        checkpoints: 0,
        broken: None,
    };
    let purges = purges(store)?;
    let wanted: BTreeMap<i64, &Checkpoint> = options.checkpoints.iter().map(|c| (c.seq, c)).collect();
    let mut seen: BTreeMap<i64, String> = BTreeMap::new();

    // The link into the range: the record before `from`, taken as it is.
    let mut prev: Option<(i64, String)> = None;
    let mut filter = AuditFilter { after: None, limit: PAGE, ..AuditFilter::default() };
    if let Some(from) = options.from.filter(|f| *f > 1) {
        let before = store.audit(&AuditFilter { after: Some(from - 2), limit: 1, ..AuditFilter::default() })?;
        if let Some(r) = before.records.first().filter(|r| r.seq == Some(from - 1)) {
            prev = r.hash.clone().map(|h| (from - 1, h));
        }
        filter.after = Some(from - 1);
    }
    'pages: loop {
        let page = store.audit(&filter)?;
        for r in &page.records {
            let seq = r.seq.unwrap_or_default();
            // Records past the head read first were appended while this
            // verification ran: the next one checks them.
            if seq > head_seq || options.to.is_some_and(|to| seq > to) {
                break 'pages;
            }
            v.first_seq.get_or_insert(seq);
            v.last_seq = Some(seq);
            let Some(stored) = r.hash.as_deref() else {
                if prev.is_some() {
                    return Ok(broken(
                        v,
                        BreakKind::NotChained,
                        seq,
                        format!("record {seq} has no hash after the chain began"),
                    ));
                }
                v.unchained += 1;
                continue;
            };
            let computed = match &prev {
                Some((p, _)) if seq != p + 1 => {
                    let message = if seq - 1 == p + 1 {
                        format!("record {} is missing", p + 1)
                    } else {
                        format!("records {} to {} are missing", p + 1, seq - 1)
                    };
                    return Ok(broken(v, BreakKind::MissingRecords, p + 1, message));
                }
                Some((_, h)) => link(h, &content(r)),
                None => match first_link(r, &purges) {
                    Some(h) => h,
                    None => {
                        let message = format!(
                            "record {seq} links neither to the start of the chain nor to a retention purge: \
                             the records before it were removed"
                        );
                        return Ok(broken(v, BreakKind::Unlinked, seq, message));
                    }
                },
            };
            if computed != stored {
                let message = format!(
                    "record {seq} does not match its hash: its content was changed or records were reordered \
                     (stored {stored}, recomputed {computed})"
                );
                return Ok(broken(v, BreakKind::Changed, seq, message));
            }
            if wanted.contains_key(&seq) {
                seen.insert(seq, stored.to_string());
            }
            v.records += 1;
            prev = Some((seq, stored.to_string()));
        }
        match page.next {
            Some(n) => filter.after = Some(n),
            None => break,
        }
    }

    let last = prev.as_ref().map(|(s, _)| *s);
    if options.to.is_none() {
        match &prev {
            Some((s, _)) if head_seq > *s => {
                let message =
                    format!("the chain's head is at {head_seq} but the trail ends at {s}: the tail was removed");
                return Ok(broken(v, BreakKind::TailMissing, s + 1, message));
            }
            Some((s, h)) if head_seq < *s || head_hash != *h => {
                let message = format!("the chain's head ({head_seq}, {head_hash}) is not the last record ({s}, {h})");
                return Ok(broken(v, BreakKind::HeadMismatch, *s, message));
            }
            None if head_hash != GENESIS => {
                let message = format!("the chain's head is at {head_seq} but no chained record is left");
                return Ok(broken(v, BreakKind::TailMissing, head_seq, message));
            }
            _ => {}
        }
    }
    for c in &options.checkpoints {
        let outside = options.from.is_some_and(|f| c.seq < f) || options.to.is_some_and(|t| c.seq > t);
        if outside || (c.seq == 0 && c.hash == GENESIS) {
            continue;
        }
        v.checkpoints += 1;
        if let Some(h) = seen.get(&c.seq) {
            if *h != c.hash {
                let message = format!(
                    "the checkpoint of {} names hash {} for record {}, the record has {h}",
                    c.at, c.hash, c.seq
                );
                return Ok(broken(v, BreakKind::CheckpointMismatch, c.seq, message));
            }
            continue;
        }
        match last {
            Some(l) if c.seq <= l => {
                // Before the first chained record kept: fine only if purged.
                if !purges.iter().any(|p| p.last_seq >= c.seq) {
                    let message =
                        format!("the checkpoint of {} names record {}, which is gone and was not purged", c.at, c.seq);
                    return Ok(broken(v, BreakKind::MissingRecords, c.seq, message));
                }
            }
            _ => {
                let end =
                    last.map_or_else(|| "no chained record is left".to_string(), |l| format!("the trail ends at {l}"));
                let message =
                    format!("the checkpoint of {} names record {} but {end}: the tail was removed", c.at, c.seq);
                return Ok(broken(v, BreakKind::TailMissing, c.seq, message));
            }
        }
    }
    Ok(v)
}

fn broken(mut v: Verification, kind: BreakKind, seq: i64, message: String) -> Verification {
    v.intact = false;
    v.broken = Some(Break { kind, seq, message });
    v
}

/// A record's canonical content: as stored, without its hash (which the
/// canonical form never includes, so the record is not copied).
fn content(r: &AuditRecord) -> String {
    canonical(r)
}

/// The hash the first record kept recomputes to, when it links to the
/// start of the chain or to the last record a retention purge removed.
fn first_link(r: &AuditRecord, purges: &[PurgeSeen]) -> Option<String> {
    let c = content(r);
    let seq = r.seq.unwrap_or_default();
    let stored = r.hash.as_deref()?;
    let from_genesis = link(GENESIS, &c);
    if from_genesis == stored {
        return Some(from_genesis);
    }
    purges
        .iter()
        .filter(|p| p.last_seq + 1 == seq)
        .filter_map(|p| p.last_hash.as_deref())
        .map(|h| link(h, &c))
        .find(|h| h == stored)
}

/// What a `retention_purge` record states.
#[derive(Debug, Deserialize)]
struct PurgeSeen {
    last_seq: i64,
    last_hash: Option<String>,
}

fn purges(store: &dyn Store) -> Result<Vec<PurgeSeen>, StoreError> {
    let mut out = Vec::new();
    let mut filter = AuditFilter { kind: Some("retention_purge".into()), limit: PAGE, ..AuditFilter::default() };
    loop {
        let page = store.audit(&filter)?;
        out.extend(page.records.iter().filter_map(|r| serde_json::from_value(r.subject.clone()).ok()));
        match page.next {
            Some(n) => filter.after = Some(n),
            None => return Ok(out),
        }
    }
}

/// The head of the chain now, as a checkpoint.
///
/// # Errors
///
/// [`StoreError`] when the database cannot be read.
pub fn checkpoint(store: &dyn Store) -> Result<Checkpoint, StoreError> {
    let (seq, hash) = store.chain_head()?;
    let at = super::export::format_time(crate::record::store::now_millis());
    Ok(Checkpoint { seq, hash, at })
}

/// Appends `c` as one JSON line to `path` (creating it and its folder).
///
/// # Errors
///
/// The I/O error when the file cannot be written.
pub fn append_checkpoint(path: &Path, c: &Checkpoint) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    let line = serde_json::to_string(c).map_err(std::io::Error::other)?;
    writeln!(f, "{line}")?;
    f.sync_all()
}

/// Reads a checkpoint file: one JSON object per line (`seq`, `hash`, `at`),
/// blank lines skipped.
///
/// # Errors
///
/// The I/O error when the file cannot be read, or `InvalidData` naming the
/// first line that is not a checkpoint.
pub fn read_checkpoints(path: &Path) -> std::io::Result<Vec<Checkpoint>> {
    let f = std::io::BufReader::new(std::fs::File::open(path)?);
    let mut out = Vec::new();
    for (i, line) in f.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let c: Checkpoint = serde_json::from_str(&line).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, format!("line {} is not a checkpoint: {e}", i + 1))
        })?;
        out.push(c);
    }
    Ok(out)
}
