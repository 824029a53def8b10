//! Screening a counterparty against the loaded lists.
//!
//! [`Screener`] owns the entities of every loaded list, their cartel ties and
//! the name index. A screening retrieves candidate names through the index,
//! scores each, adjusts the best name score of each entity with the other
//! facts (identifiers, birth date, country, kind), and turns scores into
//! flags and a decision an analyst can act on.

use std::cell::RefCell;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use crate::engine::country;
use crate::engine::exposure::{Exposure, ExposureIndex, Shared};
use crate::engine::index::{first_letter_bit, NameEntry, NameIndex, Near};
use crate::engine::model::{
    identifier_key, query_identifier_keys, BirthDate, Entity, EntityKind, IdScheme, KindFamily, ListVersion,
    LoadedList, NameRole,
};
use crate::engine::network::{CartelRegistry, CartelTie, Network};
use crate::engine::normalize::{normalize_name, EvasionSign};
use crate::engine::options::Options;
use crate::engine::phonetic::phonetic_key;
use crate::engine::query::{Query, QueryError, MAX_NAME_CHARS};
use crate::engine::score::{score_name, score_only, score_upper_bound, ListedToken, NameScore, QueryToken};
use crate::engine::settings::{EngineSettings, MatchSettings};
use crate::engine::similarity::is_squeezed;
use crate::engine::weights::prior_weight;

/// What to do about a counterparty. Ordered `Clear < Review < Block`, so the
/// worst of several decisions is their maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// Below `review_threshold`, or suppressed by an analyst's
    /// false-positive disposition.
    Clear,
    /// At or above `review_threshold`, or a weak-alias-only match at or
    /// above `block_threshold`: an analyst must look.
    Review,
    /// An identifier matched exactly, a primary name or strong alias
    /// reached `block_threshold`, or an analyst confirmed the match.
    Block,
}

impl Decision {
    /// The stable code of the API and the audit trail (`clear`, `review`,
    /// `block`).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Clear => "clear",
            Decision::Review => "review",
            Decision::Block => "block",
        }
    }

    /// Whether an analyst must see it: `Review` or `Block`.
    pub fn is_alert(self) -> bool {
        self != Decision::Clear
    }
}

/// Stable risk flags, documented in the README. They sort in declaration
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Hash, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The counterparty matches a sanctions list entry (on every match).
    SanctionsMatch,
    /// The matched entry is one of the six FTO-designated cartels (a tie at
    /// depth 0).
    FtoCartel,
    /// The matched entry is linked to one of the cartels (a tie at depth 1
    /// or more; see [`Match::cartel_ties`]).
    CartelNetwork,
    /// An identifier (RFC, CURP, passport...) matched exactly: the score is
    /// 1 and the match blocks.
    IdentifierMatch,
    /// Only a weak alias (a nickname) matched: score × 0.92, and the match
    /// never blocks.
    WeakAliasOnly,
    /// The entry carries a `Secondary sanctions risk:` statement (OFAC
    /// remarks).
    SecondarySanctionsRisk,
    /// The birth date is a listed one (+0.05) or falls in a listed year or
    /// range (+0.03).
    DobMatch,
    /// The birth date is more than a year away from every listed one
    /// (−0.15).
    DobMismatch,
    /// The country is among the entry's nationalities, citizenships or
    /// address countries (+0.02).
    CountryMatch,
    /// The entry lists countries and the given one is not among them
    /// (−0.05).
    CountryMismatch,
    /// The name holds invisible characters, odd spaces or lookalike letters,
    /// neutralised before matching.
    PossibleEvasion,
    /// An analyst recorded this match as a false positive; it does not alert.
    SuppressedFalsePositive,
    /// An analyst's false-positive disposition no longer holds: the list
    /// entry changed since (a new alias, identifier, program...).
    ListEntryChanged,
    /// An analyst confirmed this match as true: it blocks.
    ConfirmedMatch,
    /// The counterparty shares an identifier, phone, e-mail or website
    /// with an entry tied to a cartel (see [`Screening::exposures`]): at
    /// least `review`.
    SharesIdentifierWithCartelNetwork,
    /// The counterparty's address is that of an entry tied to a cartel: at
    /// least `review`.
    SharesAddressWithCartelNetwork,
    /// The match is of the vessel's submitted `owner`, screened as a name
    /// of its own, not of the counterparty itself.
    ViaOwner,
    /// No name was submitted: the counterparty was screened by its
    /// identifiers alone, so a `clear` says only that no identifier is
    /// listed.
    IdentifierOnly,
    /// On a screening: an official list in service is older than
    /// `lists.max_age_days`.
    StaleLists,
    /// On a screening: a list in service is a partial set (a file it
    /// normally has is missing).
    PartialLists,
    /// On a screening: no official sanctions list is in service (only the
    /// cartel registry or a firm's own lists), so a `clear` is not a clear
    /// against the sanctions lists.
    NoSanctionsLists,
}

impl Flag {
    /// The stable snake_case code of the API, the CSV output and the audit
    /// trail.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::SanctionsMatch => "sanctions_match",
            Flag::FtoCartel => "fto_cartel",
            Flag::CartelNetwork => "cartel_network",
            Flag::IdentifierMatch => "identifier_match",
            Flag::WeakAliasOnly => "weak_alias_only",
            Flag::SecondarySanctionsRisk => "secondary_sanctions_risk",
            Flag::DobMatch => "dob_match",
            Flag::DobMismatch => "dob_mismatch",
            Flag::CountryMatch => "country_match",
            Flag::CountryMismatch => "country_mismatch",
            Flag::PossibleEvasion => "possible_evasion",
            Flag::SuppressedFalsePositive => "suppressed_false_positive",
            Flag::ListEntryChanged => "list_entry_changed",
            Flag::ConfirmedMatch => "confirmed_match",
            Flag::SharesIdentifierWithCartelNetwork => "shares_identifier_with_cartel_network",
            Flag::SharesAddressWithCartelNetwork => "shares_address_with_cartel_network",
            Flag::ViaOwner => "via_owner",
            Flag::IdentifierOnly => "identifier_only",
            Flag::StaleLists => "stale_lists",
            Flag::PartialLists => "partial_lists",
            Flag::NoSanctionsLists => "no_sanctions_lists",
        }
    }

    /// Every flag, in declaration (and sort) order.
    pub const ALL: [Flag; 21] = [
        Flag::SanctionsMatch,
        Flag::FtoCartel,
        Flag::CartelNetwork,
        Flag::IdentifierMatch,
        Flag::WeakAliasOnly,
        Flag::SecondarySanctionsRisk,
        Flag::DobMatch,
        Flag::DobMismatch,
        Flag::CountryMatch,
        Flag::CountryMismatch,
        Flag::PossibleEvasion,
        Flag::SuppressedFalsePositive,
        Flag::ListEntryChanged,
        Flag::ConfirmedMatch,
        Flag::SharesIdentifierWithCartelNetwork,
        Flag::SharesAddressWithCartelNetwork,
        Flag::ViaOwner,
        Flag::IdentifierOnly,
        Flag::StaleLists,
        Flag::PartialLists,
        Flag::NoSanctionsLists,
    ];
}

/// One factor beyond the name that moved the score.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Adjustment {
    /// `identifier`, `dob`, `country`, `kind` or `weak_alias`.
    pub feature: &'static str,
    /// Added to the score (negative lowers it); for `weak_alias` the factor
    /// minus one; for an `identifier` hit, what raised the score to 1.
    pub effect: f32,
    /// A sentence for the analyst (`1966-07-17 is a listed birth date`).
    pub detail: String,
}

/// Why an entity matched.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Explanation {
    /// The name comparison behind the score.
    pub name: NameScore,
    /// In the order applied: kind, weak alias, birth date, country,
    /// identifier. Empty when no fact moved the score.
    pub adjustments: Vec<Adjustment>,
}

/// One list entry that matched.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Match {
    /// The entry's [`Entity::id`] (`ofac-17674`, `cs-cjng`).
    pub entity_id: String,
    /// The dataset of the entry's list (`us_ofac_sdn`).
    pub list: String,
    /// The entry's primary name.
    pub caption: String,
    /// The entry's kind.
    pub kind: EntityKind,
    /// The listed name that scored best, as the list spells it; the primary
    /// name when only an identifier matched.
    pub matched_name: String,
    /// The standing of `matched_name`.
    pub matched_role: NameRole,
    /// In [0, 1]: the name score moved by the adjustments, clamped; 1 when
    /// an identifier matched.
    pub score: f32,
    /// From `score` and `flags` against [`MatchSettings`]; an analyst's
    /// disposition may change it afterwards.
    pub decision: Decision,
    /// Sorted, each once.
    pub flags: Vec<Flag>,
    /// The entry's program codes ([`Entity::programs`]).
    pub programs: Vec<String>,
    /// The entry's ties to the cartels, nearest first; empty when none.
    pub cartel_ties: Vec<CartelTie>,
    /// Why it matched.
    pub explanation: Explanation,
}

/// The outcome of screening one counterparty.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Screening {
    /// The worst decision among `matches`; `Clear` when there are none.
    pub decision: Decision,
    /// The flags of the alerting matches, plus `SuppressedFalsePositive`
    /// when a match was suppressed and `PossibleEvasion` when `evasion` is
    /// not empty; sorted, each once.
    pub flags: Vec<Flag>,
    /// Highest score first (equal scores by entity id), at most
    /// `max_results`; none below `report_threshold` unless an identifier
    /// matched.
    pub matches: Vec<Match>,
    /// What the normaliser neutralised in the submitted name.
    pub evasion: Vec<EvasionSign>,
    /// Identifiers, phones, e-mails, websites and addresses the
    /// counterparty shares with entries tied to a cartel that are not among
    /// `matches` (indirect exposure; see [`crate::engine::exposure`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exposures: Vec<Exposure>,
    /// Matches left out of `matches` because they score under the
    /// caller's `min_score` (see [`crate::engine::options::Options::report`]);
    /// they still count in `decision` and `flags`.
    #[serde(rename = "withheld_matches", default, skip_serializing_if = "is_zero")]
    pub withheld: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Screening {
    /// The decision and flags a set of matches adds up to: the worst match
    /// decides, and the flags are those of the matches that alert. Called
    /// again after analyst dispositions change a match.
    pub fn conclude(matches: Vec<Match>, evasion: Vec<EvasionSign>, exposures: Vec<Exposure>) -> Screening {
        let mut decision = matches.iter().map(|m| m.decision).max().unwrap_or(Decision::Clear);
        if !exposures.is_empty() {
            decision = decision.max(Decision::Review);
        }
        let mut flags: Vec<Flag> =
            matches.iter().filter(|m| m.decision.is_alert()).flat_map(|m| m.flags.iter().copied()).collect();
        if matches.iter().any(|m| m.flags.contains(&Flag::SuppressedFalsePositive)) {
            flags.push(Flag::SuppressedFalsePositive);
        }
        if !evasion.is_empty() {
            flags.push(Flag::PossibleEvasion);
        }
        for x in &exposures {
            flags.push(match x.shared {
                Shared::Address => Flag::SharesAddressWithCartelNetwork,
                _ => Flag::SharesIdentifierWithCartelNetwork,
            });
        }
        flags.sort();
        flags.dedup();
        Screening { decision, flags, matches, evasion, exposures, withheld: 0 }
    }
}

/// Query tokens beyond this are ignored (the candidate mask is 64 bits).
const MAX_QUERY_TOKENS: usize = 64;
/// A cut last query token retrieves the listed tokens it begins when they
/// are at most this many; otherwise it only adds to the scores of names
/// found by other tokens.
const MAX_PREFIX_RETRIEVAL: usize = 64;

/// Score factor for a match on a weak alias (a nickname) only.
const WEAK_ALIAS_FACTOR: f32 = 0.92;
/// Bonus and penalty sizes for the facts beyond the name.
const DOB_EXACT_BONUS: f32 = 0.05;
const DOB_YEAR_BONUS: f32 = 0.03;
const DOB_MISMATCH_PENALTY: f32 = -0.15;
const COUNTRY_MATCH_BONUS: f32 = 0.02;
const COUNTRY_MISMATCH_PENALTY: f32 = -0.05;
const KIND_MISMATCH_PENALTY: f32 = -0.15;
/// A company or organization against a vessel or aircraft (or the reverse)
/// costs more: a legal person is never a craft, and craft are often named
/// for words that companies use (`MAGNOLIA`). A whole-name coincidence still
/// reaches `review`.
const CRAFT_MISMATCH_PENALTY: f32 = -0.25;
/// A vessel's flag, call sign and owner are supporting evidence: each adds
/// when it agrees with the listed one, and only explains when it does not
/// (vessels change flag, call sign and owner to evade sanctions).
const FLAG_MATCH_BONUS: f32 = 0.02;
const CALL_SIGN_MATCH_BONUS: f32 = 0.05;
const OWNER_MATCH_BONUS: f32 = 0.03;
const IDENTIFIER_MISMATCH_PENALTY: f32 = -0.10;
/// The most the facts beyond the name can add; bounds candidate pruning.
const MAX_BONUS: f32 = DOB_EXACT_BONUS + COUNTRY_MATCH_BONUS;

/// The loaded lists, ready to screen against. Immutable once built: a reload
/// builds a new one beside it.
pub struct Screener {
    entities: Vec<Entity>,
    by_id: FxHashMap<String, u32>,
    identifiers: FxHashMap<String, Vec<u32>>,
    /// ISO codes of each entity's countries.
    countries: Vec<Vec<&'static str>>,
    network: Network,
    /// Contact and address keys of the entries tied to a cartel.
    exposure: ExposureIndex,
    index: NameIndex,
    lists: Vec<ListVersion>,
    /// [`crate::engine::model::fingerprint`] of `lists`.
    fingerprint: String,
    registry: CartelRegistry,
    settings: MatchSettings,
    network_settings: crate::engine::settings::NetworkSettings,
    warnings: Vec<String>,
    /// Near tokens of query tokens already seen: a pure function of the
    /// index, and names repeat (José, García, Servicios...).
    near_cache: std::sync::RwLock<FxHashMap<Box<str>, std::sync::Arc<[Near]>>>,
}

/// Query tokens whose near tokens are remembered; past this the cache
/// starts again empty.
const NEAR_CACHE_MAX: usize = 200_000;

/// The query tokens a listed token may stand for, as bit masks.
#[derive(Debug, Clone, Copy, Default)]
struct Serves {
    /// The listed token's weight.
    weight: f32,
    /// Query tokens it is near.
    near: u64,
    /// Query tokens that write it and the next listed word together.
    joined: u64,
}

/// Calls `f` with the position of every set bit of `mask`.
fn for_bits(mut mask: u64, mut f: impl FnMut(usize)) {
    while mask != 0 {
        f(mask.trailing_zeros() as usize);
        mask &= mask - 1;
    }
}

struct Scratch {
    epoch: u32,
    seen: Vec<u32>,
    touched: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = const { RefCell::new(Scratch { epoch: 0, seen: Vec::new(), touched: Vec::new() }) };
}

impl Screener {
    /// Builds the screener over `lists`, resolving cartel networks as
    /// `settings.network` says. Entities whose id repeats an earlier one are
    /// skipped with a warning.
    pub fn build(lists: Vec<LoadedList>, registry: CartelRegistry, settings: EngineSettings) -> Screener {
        let mut entities = Vec::new();
        let mut versions = Vec::new();
        let mut warnings = Vec::new();
        let mut by_id: FxHashMap<String, u32> = FxHashMap::default();
        for list in lists {
            versions.push(list.version);
            warnings.extend(list.warnings);
            for e in list.entities {
                if by_id.contains_key(&e.id) {
                    warnings.push(format!("{}: duplicate entity id {} (later one skipped)", e.list, e.id));
                    continue;
                }
                by_id.insert(e.id.clone(), entities.len() as u32);
                entities.push(e);
            }
        }
        let network = Network::build(&mut entities, &registry, &settings.network);
        if !network.absent_affiliations.is_empty() {
            let shown: Vec<&str> = network.absent_affiliations.iter().take(10).map(String::as_str).collect();
            warnings.push(format!(
                "{} affiliation rows name entries that are not in the loaded lists (lists change): {}{}",
                network.absent_affiliations.len(),
                shown.join(", "),
                if network.absent_affiliations.len() > shown.len() { ", ..." } else { "" }
            ));
        }
        let index = NameIndex::build(&entities);
        let exposure = ExposureIndex::build(&entities, &network);
        let mut identifiers: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (i, e) in entities.iter().enumerate() {
            for id in &e.identifiers {
                let k = id.key();
                if k.len() >= 4 {
                    let v = identifiers.entry(k).or_default();
                    if !v.contains(&(i as u32)) {
                        v.push(i as u32);
                    }
                }
            }
        }
        let countries = entities
            .iter()
            .map(|e| {
                let mut v: Vec<&'static str> = e.countries().filter_map(country::iso2).collect();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        let fingerprint = crate::engine::model::fingerprint(&versions);
        Screener {
            entities,
            by_id,
            identifiers,
            countries,
            network,
            exposure,
            index,
            lists: versions,
            fingerprint,
            registry,
            settings: settings.matching,
            network_settings: settings.network,
            warnings,
            near_cache: Default::default(),
        }
    }

    /// The name index screening retrieves candidates from.
    pub(crate) fn index(&self) -> &NameIndex {
        &self.index
    }

    /// The versions of the lists screened against, in load order.
    pub fn lists(&self) -> &[ListVersion] {
        &self.lists
    }

    /// Identifies the set of list versions (64 hex characters): equal for
    /// two screeners built from the same files.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// What the loaders skipped or repaired, list by list, each list's
    /// repeated entity ids after its own warnings; for the log.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Every entity in service, lists in load order. A position here is
    /// the entity index of [`Network::ties`].
    pub fn entities(&self) -> &[Entity] {
        &self.entities
    }

    /// The cartel registry the ties were computed from.
    pub fn registry(&self) -> &CartelRegistry {
        &self.registry
    }

    /// The cartel ties of every entity, by entity index.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The thresholds and result size decisions are made with.
    pub fn settings(&self) -> &MatchSettings {
        &self.settings
    }

    /// The entity in service with this [`Entity::id`].
    pub fn entity(&self, id: &str) -> Option<&Entity> {
        self.by_id.get(id).map(|&i| &self.entities[i as usize])
    }

    /// How the cartel networks were built.
    pub fn network_settings(&self) -> &crate::engine::settings::NetworkSettings {
        &self.network_settings
    }

    /// The network of one cartel by its code (`CJNG`, case-insensitive), or
    /// `None` for a code the registry does not know.
    pub fn cartel_network(&self, code: &str) -> Option<crate::engine::network::CartelNetwork> {
        self.network.cartel_network(&self.registry, &self.entities, code)
    }

    /// The cartel ties of the entity with this id, nearest first; empty for
    /// an id not in service.
    pub fn cartel_ties(&self, id: &str) -> &[CartelTie] {
        self.by_id.get(id).map(|&i| self.network.ties_of(i)).unwrap_or(&[])
    }

    /// The entries linked to the entry with this id by the lists' own
    /// `Linked To:` and `c/o` relations, with which side wrote each link;
    /// empty for an id not in service.
    pub fn linked(&self, id: &str) -> Vec<(&Entity, crate::engine::network::Direction, crate::engine::model::LinkVia)> {
        let Some(&i) = self.by_id.get(id) else { return Vec::new() };
        self.network.links_of(i).iter().map(|&(j, dir, via)| (&self.entities[j as usize], dir, via)).collect()
    }

    /// Screens one counterparty.
    ///
    /// # Errors
    /// [`QueryError::EmptyName`] when the name is blank and no identifier is
    /// given, [`QueryError::NameTooLong`] when it is over [`MAX_NAME_CHARS`]
    /// characters, [`QueryError::NoTokens`] when normalisation leaves nothing
    /// to match and no identifier is given.
    pub fn screen(&self, q: &Query) -> Result<Screening, QueryError> {
        self.screen_with(q, Retrieval::Index, None, &Options::default())
    }

    /// Screens one counterparty against the lists and kinds of entries
    /// `options` admit (see [`crate::engine::options`]): entries left out
    /// are never candidates, so they can never decide. `min_score` is not
    /// applied here but by [`Options::report`], once the screening is
    /// recorded.
    ///
    /// # Errors
    /// As [`Screener::screen`].
    pub fn screen_with_options(&self, q: &Query, options: &Options) -> Result<Screening, QueryError> {
        self.screen_with(q, Retrieval::Index, None, options)
    }

    /// Screens one counterparty against the entries `ids` only (ids not in
    /// service are ignored): monitoring re-screens against what a list
    /// update added or changed, and the rest cannot crowd those out of the
    /// `max_results` reported.
    ///
    /// # Errors
    /// [`QueryError::EmptyName`] when the name is blank and no identifier is
    /// given, [`QueryError::NameTooLong`] when it is over [`MAX_NAME_CHARS`]
    /// characters, [`QueryError::NoTokens`] when normalisation leaves nothing
    /// to match and no identifier is given.
    pub fn screen_among<'a>(&self, q: &Query, ids: impl IntoIterator<Item = &'a str>) -> Result<Screening, QueryError> {
        let only: FxHashSet<u32> = ids.into_iter().filter_map(|id| self.by_id.get(id).copied()).collect();
        self.screen_with(q, Retrieval::Index, Some(&only), &Options::default())
    }

    /// Screens one counterparty against the entities holding the names
    /// `names` only (name ids of the screener's name index; ids out of
    /// range are ignored): every name of each such entity that has a name
    /// which may pair every query token ([`Screener::may_fill`]) is scored.
    /// The free-text scan screens a run of words against the entries whose
    /// names can fill it.
    ///
    /// # Errors
    /// As [`Screener::screen`].
    pub(crate) fn screen_entities_of(
        &self,
        q: &Query,
        names: &[u32],
        options: &Options,
    ) -> Result<Screening, QueryError> {
        self.screen_with(q, Retrieval::EntitiesOf(names), None, options)
    }

    /// Screens one counterparty by scoring every listed name, without the
    /// index or any pruning. Slow; it exists to prove that [`Screener::screen`]
    /// loses nothing against it.
    ///
    /// # Errors
    /// [`QueryError::EmptyName`] when the name is blank and no identifier is
    /// given, [`QueryError::NameTooLong`] when it is over [`MAX_NAME_CHARS`]
    /// characters, [`QueryError::NoTokens`] when normalisation leaves nothing
    /// to match and no identifier is given.
    pub fn screen_exhaustive(&self, q: &Query) -> Result<Screening, QueryError> {
        self.screen_with(q, Retrieval::Scan, None, &Options::default())
    }

    fn screen_with(
        &self,
        q: &Query,
        retrieval: Retrieval<'_>,
        only: Option<&FxHashSet<u32>>,
        options: &Options,
    ) -> Result<Screening, QueryError> {
        let mut prepared = self.prepare_tokens(q)?;
        if matches!(retrieval, Retrieval::Index) {
            self.join_parts(&mut prepared);
        }
        let filtered = !options.is_default();
        let admitted =
            |e: u32| only.is_none_or(|o| o.contains(&e)) && (!filtered || options.admits(&self.entities[e as usize]));
        let mut best: FxHashMap<u32, (u32, f32)> = FxHashMap::default();
        let mut consider = |name: u32| {
            let entry = &self.index.names()[name as usize];
            if !admitted(entry.entity) {
                return;
            }
            let score = self.score_entry_fast(&prepared, entry);
            if score <= 0.0 {
                return;
            }
            // At equal scores the earlier name wins (primary names and strong
            // aliases come first), whatever order the candidates came in.
            match best.get(&entry.entity) {
                Some(&(n, b)) if b > score || (b == score && n < name) => {}
                _ => {
                    best.insert(entry.entity, (name, score));
                }
            }
        };
        match retrieval {
            Retrieval::Scan => (0..self.index.names().len() as u32).for_each(&mut consider),
            Retrieval::Index => self.candidates(&prepared, &mut consider),
            Retrieval::EntitiesOf(names) => {
                let mut entities: Vec<u32> =
                    names.iter().filter_map(|&n| self.index.names().get(n as usize)).map(|e| e.entity).collect();
                entities.sort_unstable();
                entities.dedup();
                entities
                    .into_iter()
                    .filter(|&e| self.index.entity_names(e).any(|n| self.may_fill(&prepared, n)))
                    .flat_map(|e| self.index.entity_names(e))
                    .for_each(&mut consider);
            }
        }
        // Facts beyond the name add at most MAX_BONUS: the rest cannot be
        // reported and is not explained.
        let floor = self.settings.report_threshold as f32 - MAX_BONUS - vessel_bonus(q);
        best.retain(|_, (_, score)| *score >= floor);
        // Entities reached by identifier alone.
        let mut id_hits: FxHashMap<u32, String> = FxHashMap::default();
        for raw in &q.identifiers {
            for k in query_identifier_keys(raw).unwrap_or_default() {
                if let Some(es) = self.identifiers.get(&k) {
                    for &e in es.iter().filter(|&&e| admitted(e)) {
                        id_hits.insert(e, raw.clone());
                    }
                }
            }
        }
        // IMO, MMSI and BIC fields: exact, and only among listed
        // identifiers of that scheme.
        for (value, scheme) in [(&q.imo, Scheme::Imo), (&q.mmsi, Scheme::Mmsi), (&q.bic, Scheme::Bic)] {
            let Some(v) = value else { continue };
            for (e, raw) in self.scheme_hits(v, scheme) {
                if admitted(e) {
                    id_hits.insert(e, raw);
                }
            }
        }
        let mut matches = Vec::new();
        let mut cands: Vec<u32> = best.keys().copied().chain(id_hits.keys().copied()).collect();
        cands.sort_unstable();
        cands.dedup();
        for e in cands {
            let (name_idx, ns) = match best.remove(&e) {
                Some((n, _)) => (Some(n), Some(self.score_entry(&prepared, &self.index.names()[n as usize]))),
                None => (None, None),
            };
            if let Some(m) = self.build_match(q, &prepared, e, name_idx, ns, id_hits.get(&e)) {
                if (m.score as f64 * 1000.0).round() / 1000.0 >= self.settings.report_threshold
                    || m.flags.contains(&Flag::IdentifierMatch)
                {
                    matches.push(m);
                }
            }
        }
        if let Some(owner) = q.owner.as_deref() {
            // An entry the counterparty itself matched is reported once, as its own match.
            let own: FxHashSet<String> = matches.iter().map(|m| m.entity_id.clone()).collect();
            matches.extend(
                self.screen_owner(owner, q, only, options)?.into_iter().filter(|m| !own.contains(&m.entity_id)),
            );
        }
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.entity_id.cmp(&b.entity_id)));
        matches.truncate(self.settings.max_results);
        let mut exposures = self.exposure.find(&q.identifiers, q.address.as_deref(), &self.entities, &self.network);
        exposures.retain(|x| !matches.iter().any(|m| m.entity_id == x.entity_id));
        exposures.retain(|x| self.by_id.get(&x.entity_id).is_some_and(|&i| admitted(i)));
        let mut screening = Screening::conclude(matches, prepared.evasion, exposures);
        if q.name.trim().is_empty() {
            screening.flags.push(Flag::IdentifierOnly);
            screening.flags.sort();
        }
        Ok(screening)
    }

    /// The entries listing `value` under `scheme`, each with the value as
    /// its explanation names it.
    fn scheme_hits(&self, value: &str, scheme: Scheme) -> Vec<(u32, String)> {
        let mut keys = vec![value.to_string()];
        if scheme == Scheme::Bic {
            // A BIC11 (branch) whose BIC8 (institution) is listed, and a
            // BIC8 listed with the head office's `XXX`.
            if value.len() == 11 {
                keys.push(value[..8].to_string());
            } else {
                keys.push(format!("{value}XXX"));
            }
        }
        let mut hits = Vec::new();
        for k in &keys {
            for &e in self.identifiers.get(k).map(Vec::as_slice).unwrap_or_default() {
                let listed =
                    self.entities[e as usize].identifiers.iter().any(|i| i.key() == *k && scheme.is(&i.scheme));
                if listed && !hits.iter().any(|(x, _)| *x == e) {
                    hits.push((e, format!("{} {value}", scheme.label())));
                }
            }
        }
        hits
    }

    /// The matches of a vessel's owner screened as a name of its own,
    /// against the same lists, flagged [`Flag::ViaOwner`].
    fn screen_owner(
        &self,
        owner: &str,
        q: &Query,
        only: Option<&FxHashSet<u32>>,
        options: &Options,
    ) -> Result<Vec<Match>, QueryError> {
        // The owner is a company or a person, whatever kinds the caller
        // chose for the counterparty; the lists chosen still hold.
        let owner_options = Options { kinds: None, ..options.clone() };
        let oq = Query { name: owner.to_string(), country: q.country.clone(), ..Query::default() };
        let s = self.screen_with(&oq, Retrieval::Index, only, &owner_options)?;
        Ok(s.matches
            .into_iter()
            .map(|mut m| {
                m.flags.push(Flag::ViaOwner);
                m.flags.sort();
                m.explanation.adjustments.push(Adjustment {
                    feature: "owner",
                    effect: 0.0,
                    detail: format!("the submitted owner '{owner}' matched this entry, not the counterparty itself"),
                });
                m
            })
            .collect())
    }

    /// Feeds `consider` every name that may reach the report threshold:
    /// names holding a token near a query token (or, for a long query token,
    /// a token it may be two words written together of), minus those whose
    /// best possible score stays below the threshold.
    ///
    /// A frequent listed token ([`NameIndex::is_frequent`]) whose query
    /// tokens cannot reach the threshold alone finds names only through the
    /// pair postings, together with a listed token standing for another
    /// query token; a name holding rare tokens is found through those.
    /// Either way every name that may reach the threshold is considered
    /// (the index-versus-scan tests check this).
    fn candidates(&self, prepared: &Prepared, consider: &mut impl FnMut(u32)) {
        let floor = (self.settings.report_threshold as f32 - MAX_BONUS - prepared.vessel_bonus).max(0.0);
        // A cut last token (two or three letters) may match any listed
        // token it begins: those retrieve when they are few.
        let cut_prefixes: Vec<(usize, Vec<u32>)> = prepared
            .tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| t.last && (2..crate::engine::similarity::MIN_PREFIX).contains(&t.text.len()))
            .filter_map(|(i, t)| self.index.tokens_with_prefix(&t.text, MAX_PREFIX_RETRIEVAL).map(|ts| (i, ts)))
            .collect();
        // Initials (one letter, or two written together) and a cut last
        // token beginning too many listed tokens never retrieve a name but
        // may add to its score; count them as matched in the bound.
        let bound_only: Vec<&QueryToken> = prepared
            .tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| {
                t.text.len() == 1
                    || crate::engine::score::initials_together(&t.text)
                    || (t.last
                        && t.text.len() < crate::engine::similarity::MIN_PREFIX
                        && !cut_prefixes.iter().any(|(k, _)| k == i))
            })
            .map(|(_, t)| t)
            .collect();
        let always: f32 = bound_only.iter().map(|t| t.weight).sum();
        // Those tokens meet only listed tokens beginning with their letter.
        let always_letters = bound_only.iter().fold(0u32, |m, t| m | first_letter_bit(&t.text));
        // Listed token → the query tokens it may stand for: near them, or
        // the first of two listed words a query token writes together.
        let mut serves: FxHashMap<u32, Serves> = FxHashMap::default();
        for (qi, near) in prepared.near.iter().enumerate() {
            // A single letter or digit would touch half the names; it is
            // counted in the bound instead.
            if prepared.tokens[qi].text.len() > 1 {
                for n in near.iter() {
                    serves.entry(n.token).or_default().near |= 1u64 << qi;
                }
            }
            for &t in &prepared.joined_parts[qi] {
                serves.entry(t).or_default().joined |= 1u64 << qi;
            }
        }
        for (qi, ts) in &cut_prefixes {
            for &t in ts {
                serves.entry(t).or_default().near |= 1u64 << qi;
            }
        }
        // Whether a name holding these listed tokens (weight, what it
        // serves) may reach the threshold.
        for (&t, sv) in serves.iter_mut() {
            sv.weight = self.index.token(t).weight;
        }
        let reaches_with = |hits: &[Serves], listed_share: f32| {
            let mask = hits.iter().fold(0u64, |m, sv| m | sv.near | sv.joined);
            let (mut matched, mut evidence) = (always, always);
            for_bits(mask, |i| {
                let w = prepared.tokens[i].weight;
                // The rarest listed token standing for query token `i`; two
                // listed words written together may weigh more than the
                // first, so they cap nothing.
                let listed = hits.iter().fold(0f32, |best, sv| {
                    if sv.joined & (1u64 << i) != 0 {
                        f32::INFINITY
                    } else if sv.near & (1u64 << i) != 0 {
                        best.max(sv.weight)
                    } else {
                        best
                    }
                });
                matched += w;
                evidence += w.min(listed);
            });
            score_upper_bound(matched, evidence, prepared.total_weight, listed_share) >= floor
        };
        let reaches = |hits: &[Serves]| reaches_with(hits, 1.0);
        SCRATCH.with(|cell| {
            let mut s = cell.borrow_mut();
            let n_names = self.index.names().len();
            if s.seen.len() < n_names {
                s.seen.resize(n_names, 0);
            }
            s.epoch = s.epoch.wrapping_add(1);
            if s.epoch == 0 {
                s.seen.iter_mut().for_each(|x| *x = 0);
                s.epoch = 1;
            }
            let epoch = s.epoch;
            s.touched.clear();
            let add = |s: &mut Scratch, names: &[u32]| {
                for &name in names {
                    let seen = &mut s.seen[name as usize];
                    if *seen != epoch {
                        *seen = epoch;
                        s.touched.push(name);
                    }
                }
            };
            let mut frequent: Vec<(u32, u64, bool)> = Vec::new();
            let mut strong: Vec<(u32, Serves)> = Vec::new();
            for (&t, &sv) in &serves {
                if !self.index.is_frequent(t) {
                    add(&mut s, self.index.postings(t));
                    continue;
                }
                let alone = reaches(&[sv]);
                if alone {
                    strong.push((t, sv));
                }
                frequent.push((t, sv.near | sv.joined, alone));
            }
            // A name holding frequent tokens only reaches the threshold
            // with two of them standing for different query tokens, or with
            // one that may reach it alone (the pair then adds listed weight).
            // A pair that cannot reach it alone either is needed only for
            // names with a third such token, which another pair of theirs
            // finds: of such pairs sharing no token (a matching), the
            // largest are skipped.
            let mut pairs: Vec<(&[u32], bool, u32, u32)> = Vec::new();
            for (i, &(a, ma, sa)) in frequent.iter().enumerate() {
                for &(b, mb, sb) in &frequent[i + 1..] {
                    if sa || sb || (ma | mb).count_ones() >= 2 {
                        let both = Serves { weight: f32::INFINITY, near: ma | mb, joined: 0 };
                        pairs.push((self.index.pair_postings(a, b), !sa && !sb && !reaches(&[both]), a, b));
                    }
                }
            }
            pairs.sort_by_key(|p| std::cmp::Reverse(p.0.len()));
            let mut matched: Vec<u32> = Vec::new();
            for (names, fails, a, b) in pairs {
                if fails && !matched.contains(&a) && !matched.contains(&b) {
                    matched.extend([a, b]);
                    continue;
                }
                add(&mut s, names);
            }
            // Names holding a frequent token that may reach the threshold
            // alone, and no other token standing for a query token (those
            // are found above): only those whose weight the token covers
            // enough, or that hold a token an initial or a cut token of the
            // query may meet (it begins with the same letter). With a
            // joined word, every name holding the token.
            for (t, sv) in strong {
                let postings = self.index.postings(t);
                if sv.joined != 0 {
                    add(&mut s, postings);
                    continue;
                }
                // The bound grows with the share: the least share that may do.
                let least = (0..=255u8).find(|&x| reaches_with(&[sv], x as f32 / 255.0)).unwrap_or(u8::MAX);
                let shares = self.index.shares(t);
                let letters = self.index.letters(t);
                for (k, &name) in postings.iter().enumerate() {
                    if shares[k] >= least || letters[k] & always_letters != 0 {
                        add(&mut s, std::slice::from_ref(&name));
                    }
                }
            }
            let touched = std::mem::take(&mut s.touched);
            // Gathered first: the reads do not wait on each other, so the
            // processor overlaps their cache misses.
            let names = self.index.names();
            let entries: Vec<NameEntry> = touched.iter().map(|&n| names[n as usize]).collect();
            let mut hits: Vec<Serves> = Vec::new();
            for (&name, entry) in touched.iter().zip(&entries) {
                hits.clear();
                hits.extend(self.index.tokens_of(entry).iter().filter_map(|t| serves.get(t).copied()));
                if reaches(&hits) {
                    consider(name);
                }
            }
            s.touched = touched;
        });
    }

    /// The full breakdown of one query against one entity, whatever its
    /// score: every name of the entity is scored and the best reported.
    /// `None` for an id not in service, or a person query against a vessel
    /// or aircraft (or the reverse) with no identifier in common.
    ///
    /// # Errors
    /// [`QueryError::EmptyName`] when the name is blank and no identifier is
    /// given, [`QueryError::NameTooLong`] when it is over [`MAX_NAME_CHARS`]
    /// characters, [`QueryError::NoTokens`] when normalisation leaves nothing
    /// to match and no identifier is given.
    pub fn explain(&self, q: &Query, entity_id: &str) -> Result<Option<Match>, QueryError> {
        let prepared = self.prepare(q)?;
        let Some(&e) = self.by_id.get(entity_id) else { return Ok(None) };
        let mut best: Option<(u32, NameScore)> = None;
        for (ni, entry) in self.index.names().iter().enumerate() {
            if entry.entity != e {
                continue;
            }
            let ns = self.score_entry(&prepared, entry);
            if best.as_ref().is_none_or(|(_, b)| ns.score > b.score) {
                best = Some((ni as u32, ns));
            }
        }
        let id_hit = q.identifiers.iter().find(|raw| {
            let keys = query_identifier_keys(raw).unwrap_or_default();
            self.entities[e as usize].identifiers.iter().any(|i| keys.contains(&i.key()))
        });
        let (name_idx, ns) = match best {
            Some((n, s)) => (Some(n), Some(s)),
            None => (None, None),
        };
        let m = self.build_match(q, &prepared, e, name_idx, ns, id_hit).map(|mut m| {
            m.decision = self.decide(&m);
            m
        });
        Ok(m)
    }

    /// Whether listed name `name` (a name id) may pair every token of `p`
    /// as the scorer pairs tokens, initials and cut prefixes aside: a near
    /// listed token, or two words written as one or with their space moved
    /// on either side (the query token begins or ends a listed one, or a
    /// listed one begins or ends it). A name that cannot leaves a query
    /// token unmatched; so does a name of fewer than half as many tokens as
    /// the query, since an aligned pair holds at most two query tokens.
    fn may_fill(&self, p: &Prepared, name: u32) -> bool {
        let listed = self.index.tokens_of(&self.index.names()[name as usize]);
        if p.tokens.len() > 2 * listed.len().min(crate::engine::score::MAX_TOKENS) {
            return false;
        }
        p.tokens.iter().zip(&p.near).all(|(t, near)| {
            let t = t.text.as_str();
            t.len() == 1
                || listed.iter().any(|&l| near.binary_search_by_key(&l, |n| n.token).is_ok())
                || listed.iter().any(|&l| {
                    let l: &str = &self.index.token(l).text;
                    (t.len() >= 3 && l.len() > t.len() && (l.starts_with(t) || l.ends_with(t)))
                        || (l.len() >= 3 && t.len() > l.len() && (t.starts_with(l) || t.ends_with(l)))
                })
        })
    }

    fn prepare(&self, q: &Query) -> Result<Prepared, QueryError> {
        let mut p = self.prepare_tokens(q)?;
        self.join_parts(&mut p);
        Ok(p)
    }

    /// Adds to `p` the listed tokens each query token may be part of (two
    /// words written as one, or two whose space moved), for retrieval from
    /// the index.
    fn join_parts(&self, p: &mut Prepared) {
        let tokens = &p.tokens;
        let mut joined_parts: Vec<Vec<u32>> = tokens.iter().map(|t| self.index.leading_parts(&t.text)).collect();
        let mut buf = String::new();
        // Two query tokens that a list writes as one (`Tai Pen`/`TAIPEN`).
        for k in 0..tokens.len().saturating_sub(1) {
            for (a, b) in [(k, k + 1), (k + 1, k)] {
                let (ta, tb) = (&tokens[a].text, &tokens[b].text);
                if ta.len() < 3 || tb.len() < 3 {
                    continue;
                }
                buf.clear();
                buf.push_str(ta);
                buf.push_str(tb);
                if let Some(t) = self.index.token_id(&buf) {
                    joined_parts[a].push(t);
                    joined_parts[b].push(t);
                }
            }
        }
        // Two query tokens whose space moved (`Arefullaha Ref`/`AREFULLAH AREF`).
        for k in 0..tokens.len().saturating_sub(1) {
            crate::engine::score::for_each_unshifted(&tokens[k].text, &tokens[k + 1].text, &mut buf, |la, lb| {
                if let (Some(a), Some(b)) = (self.index.token_id(la), self.index.token_id(lb)) {
                    joined_parts[k].push(a);
                    joined_parts[k + 1].push(b);
                }
            });
        }
        p.joined_parts = joined_parts;
    }

    /// The query's tokens, weighed, with their near listed tokens.
    fn prepare_tokens(&self, q: &Query) -> Result<Prepared, QueryError> {
        let by_id = !q.identifiers.is_empty() || q.imo.is_some() || q.mmsi.is_some() || q.bic.is_some();
        if q.name.trim().is_empty() && !by_id {
            return Err(QueryError::EmptyName);
        }
        if q.name.chars().count() > MAX_NAME_CHARS {
            return Err(QueryError::NameTooLong { max: MAX_NAME_CHARS });
        }
        let family = match q.kind.map(|k| k.family()) {
            Some(KindFamily::Person) => KindFamily::Person,
            // Untyped: legal forms are set aside, but single letters are
            // read as initials unless the name reads as a company's.
            None | Some(KindFamily::Any) => KindFamily::Any,
            _ => KindFamily::Organization,
        };
        let norm = normalize_name(&q.name, family);
        if norm.is_empty() && !by_id {
            return Err(QueryError::NoTokens);
        }
        let mut tokens = Vec::new();
        let mut near = Vec::new();
        let n_tokens = norm.tokens.len().min(MAX_QUERY_TOKENS);
        for (ti, t) in norm.tokens.iter().take(MAX_QUERY_TOKENS).enumerate() {
            let found = self.near_of(t);
            // A query token weighs what the listed token it stands for weighs
            // (a typo of `Hernández` is as common as `Hernández`); an unknown
            // token weighs its prior.
            let weight = match self.index.token_id(t) {
                Some(id) => self.index.token(id).weight,
                None => found
                    .iter()
                    .filter(|n| n.similarity >= 0.8)
                    // Among equally near tokens (a squeezed `tqn` is
                    // `toquin` or `taquin`), the rarest.
                    .max_by(|a, b| {
                        a.similarity
                            .total_cmp(&b.similarity)
                            .then(self.index.token(a.token).weight.total_cmp(&self.index.token(b.token).weight))
                    })
                    .map(|n| self.index.token(n.token).weight)
                    .unwrap_or_else(|| prior_weight(t)),
            };
            // A short cut-off last token is only part of a name.
            let last = ti + 1 == n_tokens && ti > 0;
            // A squeezed token (`tqn` for `toquin`) is whole, not cut.
            let cut = last && t.len() < crate::engine::similarity::MIN_PREFIX && !is_squeezed(t);
            let weight = if cut { weight.min(0.3) } else { weight };
            tokens.push(QueryToken { text: t.clone(), weight, last });
            near.push(found);
        }
        let total_weight = tokens.iter().map(|t| t.weight).sum();
        // A name with a legal form or a business word is a company's, even
        // when the caller did not say so.
        let looks_like_company = norm.legal_form.is_some()
            || norm.tokens.iter().any(|t| crate::engine::reference::is_generic_business_word(t));
        // Two or more of the commonest given names and surnames, and nothing
        // of a company: a person's name, when the caller did not say.
        let looks_like_person = !looks_like_company
            && norm.tokens.iter().filter(|t| crate::engine::weights::is_common_name(t)).count() >= 2;
        Ok(Prepared {
            tokens,
            near,
            total_weight,
            evasion: norm.evasion,
            looks_like_company,
            looks_like_person,
            joined_parts: Vec::new(),
            vessel_bonus: vessel_bonus(q),
        })
    }

    /// The listed tokens near query token `t`, sorted by token so scoring
    /// finds a pair by binary search.
    pub(crate) fn near_of(&self, t: &str) -> std::sync::Arc<[Near]> {
        if let Some(hit) = self.near_cache.read().unwrap_or_else(|e| e.into_inner()).get(t) {
            return hit.clone();
        }
        let mut found = Vec::new();
        self.index.near_tokens(t, &phonetic_key(t), &mut found);
        found.sort_unstable_by_key(|n| n.token);
        let found: std::sync::Arc<[Near]> = found.into();
        let mut cache = self.near_cache.write().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= NEAR_CACHE_MAX {
            cache.clear();
        }
        cache.insert(t.into(), found.clone());
        found
    }

    fn score_entry_fast(&self, p: &Prepared, entry: &crate::engine::index::NameEntry) -> f32 {
        let mut listed: [ListedToken; 16] = std::array::from_fn(|_| ListedToken { text: "", weight: 0.0 });
        let tokens = self.index.tokens_of(entry);
        if tokens.len() > listed.len() {
            return self.score_entry(p, entry).score;
        }
        for (slot, &t) in listed.iter_mut().zip(tokens.iter()) {
            let info = self.index.token(t);
            *slot = ListedToken { text: &info.text, weight: info.weight };
        }
        score_only(&p.tokens, &listed[..tokens.len()], |i, j| {
            let t = tokens[j];
            p.near[i].binary_search_by_key(&t, |n| n.token).ok().map(|k| (p.near[i][k].similarity, p.near[i][k].how))
        })
    }

    fn score_entry(&self, p: &Prepared, entry: &crate::engine::index::NameEntry) -> NameScore {
        let tokens = self.index.tokens_of(entry);
        let listed: Vec<ListedToken> = tokens
            .iter()
            .map(|&t| {
                let info = self.index.token(t);
                ListedToken { text: &info.text, weight: info.weight }
            })
            .collect();
        score_name(&p.tokens, &listed, |i, j| {
            let t = tokens[j];
            p.near[i].binary_search_by_key(&t, |n| n.token).ok().map(|k| (p.near[i][k].similarity, p.near[i][k].how))
        })
    }

    fn build_match(
        &self,
        q: &Query,
        p: &Prepared,
        e: u32,
        name_idx: Option<u32>,
        ns: Option<NameScore>,
        id_hit: Option<&String>,
    ) -> Option<Match> {
        let ent = &self.entities[e as usize];
        let mut flags = vec![Flag::SanctionsMatch];
        let mut adjustments = Vec::new();
        let (matched_name, matched_role) = match name_idx {
            Some(n) => {
                let entry = &self.index.names()[n as usize];
                let name = &ent.names[entry.name as usize];
                (name.full.clone(), name.role)
            }
            None => (ent.caption().to_string(), NameRole::Primary),
        };
        let ns = ns.unwrap_or(NameScore {
            score: 0.0,
            query_coverage: 0.0,
            listed_coverage: 0.0,
            tokens: Vec::new(),
            unmatched_query: p.tokens.iter().map(|t| t.text.clone()).collect(),
            unmatched_listed: Vec::new(),
        });
        let mut score = ns.score;
        // Kind: a person is never a vessel or an aircraft.
        let qf = match q.kind.map(|k| k.family()) {
            Some(f) => f,
            None if p.looks_like_company => KindFamily::Organization,
            None => KindFamily::Any,
        };
        let ef = ent.kind.family();
        if qf != KindFamily::Any && ef != KindFamily::Any && qf != ef {
            let person_vs_craft = matches!(
                (qf, ef),
                (KindFamily::Person, KindFamily::Vessel | KindFamily::Aircraft)
                    | (KindFamily::Vessel | KindFamily::Aircraft, KindFamily::Person)
            );
            if person_vs_craft && id_hit.is_none() {
                return None;
            }
            let craft = |f: KindFamily| matches!(f, KindFamily::Vessel | KindFamily::Aircraft);
            let effect = if craft(qf) != craft(ef) { CRAFT_MISMATCH_PENALTY } else { KIND_MISMATCH_PENALTY };
            adjustments.push(Adjustment {
                feature: "kind",
                effect,
                detail: match q.kind {
                    Some(k) => format!("query is a {}, entry is a {}", k.as_str(), ent.kind.as_str()),
                    None => format!("query looks like a company's name, entry is a {}", ent.kind.as_str()),
                },
            });
            score += effect;
        } else if q.kind.is_none()
            && p.looks_like_person
            && matches!(ef, KindFamily::Vessel | KindFamily::Aircraft)
            && !ns.unmatched_query.is_empty()
            && id_hit.is_none()
        {
            // `Mariana Camacho Hernández` is not the vessel `MARIANA`; the
            // vessel `MARIA GUADALUPE` may still be written without its type.
            adjustments.push(Adjustment {
                feature: "kind",
                effect: CRAFT_MISMATCH_PENALTY,
                detail: format!(
                    "query looks like a person's name, of which the {}'s name is only a part",
                    ent.kind.as_str()
                ),
            });
            score += CRAFT_MISMATCH_PENALTY;
        }
        if matched_role.is_weak() && id_hit.is_none() {
            flags.push(Flag::WeakAliasOnly);
            adjustments.push(Adjustment {
                feature: "weak_alias",
                effect: WEAK_ALIAS_FACTOR - 1.0,
                detail: format!("only the weak alias '{matched_name}' matched"),
            });
            score *= WEAK_ALIAS_FACTOR;
        }
        if let Some(dob) = q.dob {
            if !ent.birth_dates.is_empty() {
                match compare_dob(&dob, &ent.birth_dates) {
                    DobAgreement::Exact => {
                        flags.push(Flag::DobMatch);
                        score += DOB_EXACT_BONUS;
                        adjustments.push(Adjustment {
                            feature: "dob",
                            effect: DOB_EXACT_BONUS,
                            detail: format!("{dob} is a listed birth date"),
                        });
                    }
                    DobAgreement::Year => {
                        flags.push(Flag::DobMatch);
                        score += DOB_YEAR_BONUS;
                        adjustments.push(Adjustment {
                            feature: "dob",
                            effect: DOB_YEAR_BONUS,
                            detail: format!("{dob} falls in a listed birth year"),
                        });
                    }
                    DobAgreement::Near => {}
                    DobAgreement::Mismatch => {
                        flags.push(Flag::DobMismatch);
                        score += DOB_MISMATCH_PENALTY;
                        let listed: Vec<String> = ent.birth_dates.iter().map(|d| d.to_string()).collect();
                        adjustments.push(Adjustment {
                            feature: "dob",
                            effect: DOB_MISMATCH_PENALTY,
                            detail: format!("{dob} contradicts listed {}", listed.join(", ")),
                        });
                    }
                }
            }
        }
        if let Some(c) = q.country.as_deref().and_then(country::iso2) {
            let listed = &self.countries[e as usize];
            if !listed.is_empty() {
                if listed.contains(&c) {
                    flags.push(Flag::CountryMatch);
                    score += COUNTRY_MATCH_BONUS;
                    adjustments.push(Adjustment {
                        feature: "country",
                        effect: COUNTRY_MATCH_BONUS,
                        detail: format!("{c} is a listed country"),
                    });
                } else {
                    flags.push(Flag::CountryMismatch);
                    score += COUNTRY_MISMATCH_PENALTY;
                    adjustments.push(Adjustment {
                        feature: "country",
                        effect: COUNTRY_MISMATCH_PENALTY,
                        detail: format!("{c} is not among listed {}", listed.join(", ")),
                    });
                }
            }
        }
        if let Some(v) = &ent.vessel {
            self.compare_vessel(q, v, &mut score, &mut adjustments);
        }
        if let Some(raw) = id_hit {
            flags.push(Flag::IdentifierMatch);
            let keys = query_identifier_keys(raw).unwrap_or_default();
            let id = ent.identifiers.iter().find(|i| keys.contains(&i.key()));
            let label = id.map(|i| i.scheme.label().to_string()).unwrap_or_default();
            adjustments.push(Adjustment {
                feature: "identifier",
                // Other facts may have pushed the score past 1 already.
                effect: (1.0 - score).max(0.0),
                detail: format!("{label} {raw} is listed for this entry"),
            });
            score = 1.0;
        } else if !q.identifiers.is_empty() && !ent.identifiers.is_empty() {
            // A national identifier of the same kind that differs points to
            // another person (RFC and CURP are derived from name and birth).
            let contradicted = q.identifiers.iter().any(|raw| {
                let k = query_identifier_keys(raw).ok().and_then(|k| k.last().cloned()).unwrap_or_default();
                let class = mexican_id_class(&k);
                class.is_some() && ent.identifiers.iter().any(|i| mexican_id_class(&i.key()) == class)
            });
            if contradicted {
                score += IDENTIFIER_MISMATCH_PENALTY;
                adjustments.push(Adjustment {
                    feature: "identifier",
                    effect: IDENTIFIER_MISMATCH_PENALTY,
                    detail: "the submitted RFC/CURP differs from the listed one".to_string(),
                });
            }
        }
        if !p.evasion.is_empty() {
            flags.push(Flag::PossibleEvasion);
        }
        let ties = self.network.ties_of(e).to_vec();
        if ties.iter().any(|t| t.depth == 0) {
            flags.push(Flag::FtoCartel);
        }
        if ties.iter().any(|t| t.depth > 0) {
            flags.push(Flag::CartelNetwork);
        }
        if !ent.secondary_sanctions_risk.is_empty() {
            flags.push(Flag::SecondarySanctionsRisk);
        }
        flags.sort();
        flags.dedup();
        let mut m = Match {
            entity_id: ent.id.clone(),
            list: ent.list.clone(),
            caption: ent.caption().to_string(),
            kind: ent.kind,
            matched_name,
            matched_role,
            // Shown and decided on the same value: three decimals.
            score: round_score(score.clamp(0.0, 1.0)),
            decision: Decision::Clear,
            flags,
            programs: ent.programs.clone(),
            cartel_ties: ties,
            explanation: Explanation { name: ns, adjustments },
        };
        m.decision = self.decide(&m);
        Some(m)
    }

    /// A vessel's flag, call sign and owner against the listed ones: each
    /// fact compared gives an adjustment, which adds when they agree.
    fn compare_vessel(
        &self,
        q: &Query,
        v: &crate::engine::model::VesselInfo,
        score: &mut f32,
        adjustments: &mut Vec<Adjustment>,
    ) {
        let mut note = |feature: &'static str, effect: f32, detail: String| {
            *score += effect;
            adjustments.push(Adjustment { feature, effect, detail });
        };
        if let (Some(f), Some(listed)) = (q.flag.as_deref(), v.flag.as_deref()) {
            match country::iso2(listed) {
                Some(l) if l == f => note("flag", FLAG_MATCH_BONUS, format!("flag {f} is the listed flag ({listed})")),
                _ => note("flag", 0.0, format!("flag {f} is not the listed flag {listed} (vessels change flag)")),
            }
        }
        if let (Some(c), Some(listed)) = (q.call_sign.as_deref(), v.call_sign.as_deref()) {
            if identifier_key(listed) == c {
                note("call_sign", CALL_SIGN_MATCH_BONUS, format!("call sign {c} is the listed call sign"));
            } else {
                note("call_sign", 0.0, format!("call sign {c} is not the listed call sign {listed}"));
            }
        }
        if let (Some(o), Some(listed)) = (q.owner.as_deref(), v.owner.as_deref()) {
            if same_party(o, listed) {
                note("owner", OWNER_MATCH_BONUS, format!("owner '{o}' is the listed owner '{listed}'"));
            } else {
                note("owner", 0.0, format!("owner '{o}' is not the listed owner '{listed}'"));
            }
        }
    }

    fn decide(&self, m: &Match) -> Decision {
        if m.flags.contains(&Flag::IdentifierMatch) {
            return Decision::Block;
        }
        // The threshold is compared with the score as it is shown (three
        // decimals): a score printed 0.950 blocks.
        let s = (m.score as f64 * 1000.0).round() / 1000.0;
        if s >= self.settings.block_threshold && !m.flags.contains(&Flag::WeakAliasOnly) {
            Decision::Block
        } else if s >= self.settings.review_threshold {
            Decision::Review
        } else {
            Decision::Clear
        }
    }
}

/// A score rounded to the three decimals it is shown with.
fn round_score(s: f32) -> f32 {
    ((s as f64 * 1000.0).round() / 1000.0) as f32
}

#[derive(Clone, Copy)]
enum Retrieval<'a> {
    Index,
    Scan,
    /// The names of the entities holding these names (name ids), of those
    /// entities that have a name which may pair every query token.
    EntitiesOf(&'a [u32]),
}

struct Prepared {
    looks_like_company: bool,
    looks_like_person: bool,
    /// Per query token, listed tokens that may be the first of two words
    /// the query wrote together (`sergeilavrov` → `sergei`), one word of two
    /// the query wrote apart, or of two whose space moved; filled only for
    /// retrieval from the index ([`Screener::join_parts`]).
    joined_parts: Vec<Vec<u32>>,
    tokens: Vec<QueryToken>,
    near: Vec<std::sync::Arc<[Near]>>,
    total_weight: f32,
    evasion: Vec<EvasionSign>,
    /// The most a vessel's flag, call sign and owner can add.
    vessel_bonus: f32,
}

/// The most the vessel facts of `q` can add to a score.
fn vessel_bonus(q: &Query) -> f32 {
    let mut b = 0.0;
    if q.flag.is_some() {
        b += FLAG_MATCH_BONUS;
    }
    if q.call_sign.is_some() {
        b += CALL_SIGN_MATCH_BONUS;
    }
    if q.owner.is_some() {
        b += OWNER_MATCH_BONUS;
    }
    b
}

/// The identifier schemes a request names in fields of their own.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Imo,
    Mmsi,
    Bic,
}

impl Scheme {
    fn is(self, s: &IdScheme) -> bool {
        match self {
            Scheme::Imo => *s == IdScheme::Imo,
            Scheme::Mmsi => *s == IdScheme::Mmsi,
            Scheme::Bic => matches!(s, IdScheme::Other(l) if l == "swift_bic" || l == "bic" || l == "swift"),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Scheme::Imo => "IMO",
            Scheme::Mmsi => "MMSI",
            Scheme::Bic => "BIC",
        }
    }
}

enum DobAgreement {
    Exact,
    Year,
    Near,
    Mismatch,
}

fn compare_dob(q: &BirthDate, listed: &[BirthDate]) -> DobAgreement {
    let mut best = DobAgreement::Mismatch;
    for d in listed {
        let (lo, hi) = d.year_span();
        let (qlo, qhi) = q.year_span();
        if qhi < lo - 1 || qlo > hi + 1 {
            continue;
        }
        if qlo > hi || qhi < lo {
            if matches!(best, DobAgreement::Mismatch) {
                best = DobAgreement::Near;
            }
            continue;
        }
        let full = d.to_year.is_none() && !d.circa && d.day.is_some() && q.day.is_some();
        if full {
            if d.month == q.month && d.day == q.day && d.year == q.year {
                return DobAgreement::Exact;
            }
            // Same year, other day: day and month swapped or mistyped.
            if !matches!(best, DobAgreement::Year) {
                best = DobAgreement::Near;
            }
            continue;
        }
        best = DobAgreement::Year;
    }
    best
}

/// Whether two names of a party agree: the normalised words of one are all
/// among those of the other (`TRUONG PHAT LOC SHIPPING TRADING` and
/// `Truong Phat Loc Shipping Trading Joint Stock Company`).
fn same_party(a: &str, b: &str) -> bool {
    let words =
        |s: &str| -> FxHashSet<String> { normalize_name(s, KindFamily::Organization).tokens.into_iter().collect() };
    let (a, b) = (words(a), words(b));
    !a.is_empty() && !b.is_empty() && (a.is_subset(&b) || b.is_subset(&a))
}

/// `curp` or `rfc` when a key has the shape of a Mexican CURP or RFC.
fn mexican_id_class(k: &str) -> Option<&'static str> {
    let b = k.as_bytes();
    let letters = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_uppercase);
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    match b.len() {
        18 if letters(0..4) && digits(4..10) && matches!(b[10], b'H' | b'M' | b'X') => Some("curp"),
        13 if letters(0..4) && digits(4..10) => Some("rfc"),
        12 if letters(0..3) && digits(3..9) => Some("rfc"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{IdScheme, Identifier};

    fn screener(extra: Vec<Entity>) -> Screener {
        let registry = crate::lists::registry::embedded();
        let mut lists = vec![registry.list.clone()];
        let list = LoadedList::new(
            "test",
            "test",
            crate::engine::model::ListFormat::Cartelscreen,
            "t".into(),
            "0".into(),
            None,
            extra,
            vec![],
        );
        lists.push(list);
        Screener::build(lists, registry, EngineSettings::default())
    }

    /// Screening against the entities of some names scores only entities
    /// with a name that may pair every query token: a word no name of
    /// theirs holds leaves them out, where the index still reports them.
    #[test]
    fn entities_of_names_need_a_name_that_fills_the_query() {
        let mut e = Entity::new("t-1", "test", EntityKind::Organization);
        e.add_name("TAIPEN TRADING COMPANY", NameRole::Primary);
        e.add_name("ACME INTERNATIONAL HOLDINGS", NameRole::Aka);
        let mut p = Entity::new("t-2", "test", EntityKind::Person);
        p.add_name("RAZUKI ABD TIKRITI", NameRole::Primary);
        let s = screener(vec![e, p]);
        let entity = s.by_id["t-1"];
        let names: Vec<u32> = s.index.entity_names(entity).collect();
        assert_eq!(names.len(), 2);
        let person: Vec<u32> = s.index.entity_names(s.by_id["t-2"]).collect();
        let ids = |q: &str, among: &[u32]| -> Vec<String> {
            let screening = s.screen_entities_of(&Query::name(q), among, &Options::default()).unwrap();
            screening.matches.into_iter().map(|m| m.entity_id).collect()
        };
        // Every word pairs a token of one name: near, or two words the list
        // writes as one (`TAI PEN`).
        assert_eq!(ids("TAIPEN TRADING", &names[..1]), ["t-1"]);
        assert_eq!(ids("TAI PEN TRADING", &names[..1]), ["t-1"]);
        // A moved space: `IABD` ends the listed `ABD`, `RAZUK` begins `RAZUKI`.
        assert_eq!(ids("RAZUK IABD TIKRITI", &person), ["t-2"]);
        // Any name of the entity brings all of them.
        assert_eq!(ids("ACME INTERNATIONAL HOLDINGS", &names[..1]), ["t-1"]);
        // `FRESH` pairs no token of either name: the entity is not scored,
        // though the index reports the partial match.
        assert!(ids("ACME INTERNATIONAL HOLDINGS FRESH", &names).is_empty());
        let indexed = s.screen(&Query::name("ACME INTERNATIONAL HOLDINGS FRESH")).unwrap();
        assert!(indexed.matches.iter().any(|m| m.entity_id == "t-1"), "{:?}", indexed.matches);
    }

    /// A screener over `n` generated Mexican persons and companies whose
    /// tokens held by more than `frequent_above` names are frequent.
    fn crowded(n: usize, frequent_above: usize) -> Screener {
        let ents = crate::quality::synth::negative_cases(n, 11)
            .into_iter()
            .enumerate()
            .map(|(i, c)| {
                let mut e = Entity::new(format!("g-{i}"), "test", c.kind.unwrap_or(EntityKind::Unknown));
                e.add_name(&c.name, NameRole::Primary);
                e
            })
            .collect();
        let mut s = screener(ents);
        s.index = NameIndex::build_with(&s.entities, frequent_above);
        s
    }

    /// A frequent token that may match alone: only the names it covers
    /// enough are read, and none that may match is lost.
    #[test]
    fn a_frequent_token_alone_finds_the_names_it_covers() {
        let mut ents = Vec::new();
        let rare = |i: usize| format!("Zq{}x{}", (b'a' + (i % 26) as u8) as char, i);
        for i in 0..400 {
            ents.push(person(&format!("f-{i}"), &format!("{} {}", rare(i), rare(i + 1000))));
        }
        for i in 0..40 {
            ents.push(person(&format!("x-{i}"), &format!("Xochitl {}", rare(i + 2000))));
        }
        ents.push(person("c-all", "Xochitl Lopez Garcia Hernandez Perez"));
        for (i, common) in ["Lopez", "Garcia", "Hernandez", "Perez"].iter().enumerate() {
            ents.push(person(&format!("c-{i}"), &format!("Xochitl {common}")));
            for k in 0..30 {
                ents.push(person(&format!("c-{i}-{k}"), &format!("{common} {}", rare(3000 + 40 * i + k))));
            }
        }
        let mut s = screener(ents);
        s.index = NameIndex::build_with(&s.entities, 10);
        let t = s.index.token_id("xochitl").unwrap();
        assert!(s.index.is_frequent(t));
        for q in ["Xochitl", "Xochilt", "Lopez Xochitl", "Xochitl Lopes", "Xochitl L G H P", "X Xochitl L"] {
            let q = Query::name(q);
            let fast: Vec<String> = s.screen(&q).unwrap().matches.into_iter().map(|m| m.entity_id).collect();
            let slow: Vec<String> = s.screen_exhaustive(&q).unwrap().matches.into_iter().map(|m| m.entity_id).collect();
            assert_eq!(fast, slow, "{}", q.name);
            if q.name == "Xochitl" {
                assert!(fast.iter().any(|id| id.starts_with("c-")), "{fast:?}");
            }
        }
    }

    #[test]
    fn pair_retrieval_loses_nothing() {
        let s = crowded(4_000, 6);
        let frequent = (0..s.index.token_count() as u32).filter(|&t| s.index.is_frequent(t)).count();
        assert!(frequent > 100, "{frequent} frequent tokens: the test would not exercise pair retrieval");
        let mut queries: Vec<String> =
            crate::quality::synth::negative_cases(300, 12).into_iter().map(|c| c.name).collect();
        // Listed names, cut, shortened, reordered and misspelt.
        for e in s.entities().iter().skip(7).step_by(20) {
            let name = &e.names[0].full;
            let words: Vec<&str> = name.split_whitespace().collect();
            queries.push(name.clone());
            queries.push(words.iter().rev().copied().collect::<Vec<_>>().join(" "));
            queries.push(words[..words.len().saturating_sub(1).max(1)].join(" "));
            queries.push(words.first().copied().unwrap_or_default().to_string());
            queries.push(name.replacen('a', "e", 1).replacen('o', "", 1));
        }
        let key =
            |r: &Screening| r.matches.iter().map(|m| (m.entity_id.clone(), m.score.to_bits())).collect::<Vec<_>>();
        let mut differ = Vec::new();
        for q in &queries {
            let q = Query::name(q);
            let (Ok(fast), Ok(slow)) = (s.screen(&q), s.screen_exhaustive(&q)) else { continue };
            if key(&fast) != key(&slow) {
                differ.push(format!("{}: {:?} vs {:?}", q.name, key(&fast), key(&slow)));
            }
        }
        assert!(queries.len() > 800);
        assert!(
            differ.is_empty(),
            "{} of {} differ: {:?}",
            differ.len(),
            queries.len(),
            &differ[..differ.len().min(3)]
        );
    }

    fn person(id: &str, name: &str) -> Entity {
        let mut e = Entity::new(id, "test", EntityKind::Person);
        e.add_name(name, NameRole::Primary);
        e
    }

    #[test]
    fn screens_the_embedded_cartels() {
        let s = screener(vec![]);
        let r = s.screen(&Query::name("CJNG")).unwrap();
        assert_eq!(r.decision, Decision::Block);
        assert_eq!(r.matches[0].entity_id, "cs-cjng");
        assert!(r.flags.contains(&Flag::FtoCartel));
        let r = s.screen(&Query::name("Cartel de Sinaloa")).unwrap();
        assert_eq!(r.matches[0].entity_id, "cs-cds");
        let r = s.screen(&Query::name("Panadería La Esperanza")).unwrap();
        assert_eq!(r.decision, Decision::Clear);
    }

    #[test]
    fn person_facts_move_the_score() {
        let mut e = person("p1", "OSEGUERA CERVANTES, Ruben");
        e.birth_dates.push(BirthDate::ymd(1966, 7, 17));
        e.nationalities.push("Mexico".into());
        e.identifiers.push(Identifier { scheme: IdScheme::Curp, value: "OECR660717HMNSRB00".into(), country: None });
        let s = screener(vec![e]);
        let base = s.screen(&Query::name("Ruben Oseguera")).unwrap().matches[0].score;
        let q = Query { dob: BirthDate::parse_iso("1966-07-17"), ..Query::name("Ruben Oseguera") };
        let m = &s.screen(&q).unwrap().matches[0];
        assert!(m.score > base && m.flags.contains(&Flag::DobMatch));
        let q = Query { dob: BirthDate::parse_iso("1990-01-01"), ..Query::name("Ruben Oseguera") };
        let r = s.screen(&q).unwrap();
        assert!(r.matches.first().is_none_or(|m| m.score < base));
        // Identifier alone is definitive.
        let q = Query { identifiers: vec!["oecr-660717-hmnsrb00".into()], ..Query::name("Someone Else") };
        let r = s.screen(&q).unwrap();
        assert_eq!(r.decision, Decision::Block);
        assert!(r.flags.contains(&Flag::IdentifierMatch));
    }

    #[test]
    fn a_person_never_matches_a_vessel() {
        let mut v = Entity::new("v1", "test", EntityKind::Vessel);
        v.add_name("MARIA LUISA", NameRole::Primary);
        let s = screener(vec![v]);
        let q = Query { kind: Some(EntityKind::Person), ..Query::name("Maria Luisa") };
        assert!(s.screen(&q).unwrap().matches.is_empty());
        assert!(!s.screen(&Query::name("Maria Luisa")).unwrap().matches.is_empty());
    }

    #[test]
    fn an_untyped_persons_name_is_not_the_vessel_named_after_part_of_it() {
        let mut v = Entity::new("v1", "test", EntityKind::Vessel);
        v.add_name("MARIANA", NameRole::Primary);
        let s = screener(vec![v]);
        let whole = s.screen(&Query::name("Mariana")).unwrap();
        assert_eq!(whole.matches[0].entity_id, "v1");
        let person = s.screen(&Query::name("Mariana Camacho Hernández")).unwrap();
        assert!(!person.decision.is_alert(), "{person:?}");
        let m = s.explain(&Query::name("Mariana Camacho Hernández"), "v1").unwrap().unwrap();
        let kind = m.explanation.adjustments.iter().find(|a| a.feature == "kind").unwrap();
        assert_eq!(kind.effect, CRAFT_MISMATCH_PENALTY);
        // A vessel named after a person, written whole, is still that vessel.
        let mut v = Entity::new("v2", "test", EntityKind::Vessel);
        v.add_name("MARIA GUADALUPE", NameRole::Primary);
        let s = screener(vec![v]);
        assert!(s.screen(&Query::name("Maria Guadalupe")).unwrap().decision.is_alert());
    }

    fn vessel() -> Entity {
        let mut v = Entity::new("v9", "test", EntityKind::Vessel);
        v.add_name("ARTAVIL", NameRole::Primary);
        v.identifiers.push(Identifier { scheme: IdScheme::Imo, value: "9187629".into(), country: None });
        v.identifiers.push(Identifier { scheme: IdScheme::Mmsi, value: "572469210".into(), country: None });
        v.vessel = Some(crate::engine::model::VesselInfo {
            call_sign: Some("T2EU4".into()),
            flag: Some("Iran".into()),
            owner: Some("Naviera Ejemplo S.A.".into()),
            ..Default::default()
        });
        v
    }

    #[test]
    fn vessel_identifiers_are_exact_by_scheme() {
        let mut p = person("p9", "SOMEONE ELSE");
        // The same digits as a passport: an MMSI field must not find it.
        p.identifiers.push(Identifier { scheme: IdScheme::Passport, value: "9187629".into(), country: None });
        let mut bank = Entity::new("b9", "test", EntityKind::Company);
        bank.add_name("BANCO EJEMPLO", NameRole::Primary);
        bank.identifiers.push(Identifier {
            scheme: IdScheme::Other("swift_bic".into()),
            value: "HAVIGB2L".into(),
            country: None,
        });
        let s = screener(vec![vessel(), p, bank]);
        let by = |q: Query| s.screen(&q).unwrap();
        let r = by(Query { imo: Some("9187629".into()), ..Query::name("") });
        assert_eq!(r.decision, Decision::Block);
        assert_eq!(r.matches.iter().map(|m| m.entity_id.as_str()).collect::<Vec<_>>(), ["v9"], "not the passport");
        assert!(r.flags.contains(&Flag::IdentifierMatch) && r.flags.contains(&Flag::IdentifierOnly));
        let r = by(Query { mmsi: Some("572469210".into()), ..Query::name("") });
        assert_eq!(r.matches[0].entity_id, "v9");
        let r = by(Query { mmsi: Some("187629000".into()), ..Query::name("") });
        assert!(r.matches.is_empty());
        let r = by(Query { bic: Some("HAVIGB2LXXX".into()), ..Query::name("") });
        assert_eq!(r.matches[0].entity_id, "b9");
        let detail = &r.matches[0].explanation.adjustments.last().unwrap().detail;
        assert!(detail.contains("HAVIGB2LXXX"), "{detail}");
    }

    #[test]
    fn flag_call_sign_and_owner_are_explained() {
        let s = screener(vec![vessel()]);
        let base = s.screen(&Query::name("Artavil")).unwrap().matches[0].score;
        let q = Query {
            kind: Some(EntityKind::Vessel),
            flag: Some("IR".into()),
            call_sign: Some("T2EU4".into()),
            owner: Some("NAVIERA EJEMPLO".into()),
            ..Query::name("Artavil")
        };
        let m = s.screen(&q).unwrap().matches.into_iter().find(|m| m.entity_id == "v9").unwrap();
        let features: Vec<(&str, f32)> = m.explanation.adjustments.iter().map(|a| (a.feature, a.effect)).collect();
        assert!(features.contains(&("flag", FLAG_MATCH_BONUS)), "{features:?}");
        assert!(features.contains(&("call_sign", CALL_SIGN_MATCH_BONUS)), "{features:?}");
        assert!(features.contains(&("owner", OWNER_MATCH_BONUS)), "{features:?}");
        assert!(m.score >= base);
        // Disagreeing facts are explained and move nothing.
        let q = Query { flag: Some("PA".into()), call_sign: Some("XYZ1".into()), ..Query::name("Artavil") };
        let m = &s.screen(&q).unwrap().matches[0];
        assert_eq!(m.score, base);
        let flag = m.explanation.adjustments.iter().find(|a| a.feature == "flag").unwrap();
        assert!(flag.effect == 0.0 && flag.detail.contains("Iran"), "{flag:?}");
    }

    #[test]
    fn a_vessels_owner_is_screened_as_a_name() {
        let s = screener(vec![vessel()]);
        let q = Query { owner: Some("Cartel de Jalisco Nueva Generacion".into()), ..Query::name("Mar Azul") };
        let r = s.screen(&q).unwrap();
        assert_eq!(r.decision, Decision::Block);
        let m = r.matches.iter().find(|m| m.entity_id == "cs-cjng").unwrap();
        assert!(m.flags.contains(&Flag::ViaOwner) && r.flags.contains(&Flag::ViaOwner));
        assert!(m.explanation.adjustments.iter().any(|a| a.feature == "owner"));
    }

    #[test]
    fn evasion_is_flagged() {
        let s = screener(vec![]);
        let r = s.screen(&Query::name("C\u{200B}JNG")).unwrap();
        assert!(r.flags.contains(&Flag::PossibleEvasion));
        assert_eq!(r.decision, Decision::Block);
        // A right-to-left override or an emoji inside a listed name.
        for name in ["CJ\u{202E}NG", "CJNG \u{1F480}", "C\u{1F480}JNG"] {
            let r = s.screen(&Query::name(name)).unwrap();
            assert!(r.flags.contains(&Flag::PossibleEvasion), "{name}");
            assert_eq!(r.decision, Decision::Block, "{name}");
        }
        assert_eq!(s.screen(&Query::name("\u{1F480}\u{1F52B}")), Err(QueryError::NoTokens));
    }

    #[test]
    fn thresholds_are_compared_on_the_shown_score() {
        let s = screener(vec![]);
        let mut m = s.screen(&Query::name("CJNG")).unwrap().matches.remove(0);
        m.flags.retain(|f| *f != Flag::IdentifierMatch);
        // 0.95 as an f32 is 0.949999988…: shown as 0.950, it blocks.
        m.score = 0.949_999_9;
        assert_eq!(s.decide(&m), Decision::Block);
        m.score = 0.949_4;
        assert_eq!(s.decide(&m), Decision::Review);
        assert_eq!(round_score(0.749_999_9), 0.75);
    }

    #[test]
    fn bad_queries_are_errors_not_panics() {
        let s = screener(vec![]);
        assert_eq!(s.screen(&Query::name("   ")), Err(QueryError::EmptyName));
        assert_eq!(s.screen(&Query::name("!!!")), Err(QueryError::NoTokens));
        assert!(matches!(s.screen(&Query::name("a".repeat(5000))), Err(QueryError::NameTooLong { .. })));
    }
}
