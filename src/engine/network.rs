//! The six FTO-designated cartels and the networks around them.
//!
//! Since the 2025-02-20 designations, dealing with a cartel's member or
//! front company may be material support to a Foreign Terrorist
//! Organization, so every hit must say which cartel, how, and on what
//! authority. Two kinds of evidence tie an entry to a cartel:
//!
//! - **`list`**: the lists' own `Linked To:` relations. OFAC writes them on
//!   whichever side it chooses (a person names the cartel *and* the person's
//!   companies), so they are read as associations both ways, each step
//!   keeping the direction as published. Links name their targets by primary
//!   name and are resolved by normalised name, a target on the same list
//!   preferred, aliases as a fallback.
//! - **`source`**: the affiliations registry ([`Affiliation`]): an entry the
//!   public record (Treasury, State, Justice releases, or a faithful report
//!   of one) names as a cartel's leader, member, faction, front or
//!   associate, with that source.
//!
//! A breadth-first walk from each cartel's own entries, and from its
//! registry rows, ties every entry within `depth` links ([`NetworkSettings`])
//! and keeps the shortest path. An entry named a faction passes its tie on as
//! the cartel itself does (its own links count from it). A hub, an entry with
//! more links than `hub_degree`, can be reached but is not walked through,
//! so one bank or holding linked to hundreds of unrelated entries does not
//! tie them all.

use std::collections::VecDeque;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::engine::model::{Entity, KindFamily, LinkVia, LoadedList};
use crate::engine::normalize::normalize_name;
use crate::engine::settings::NetworkSettings;

/// One cartel: a `[[cartel]]` table of the registry file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Cartel {
    /// Abbreviation: CDS, CJNG, CDN, CDG, LNFM, CU.
    pub code: String,
    /// Canonical name.
    pub name: String,
    /// Id of the cartel's entry in the registry list.
    pub entity: String,
    /// Its entry number on OFAC's SDN list.
    pub ofac_ent_num: u32,
    /// Date of the FTO/SDGT designation, `YYYY-MM-DD` (2025-02-20 for all
    /// six).
    pub designated: String,
    /// What it was designated as: `FTO`, `SDGT`.
    pub designations: Vec<String>,
    /// The public release of the designation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub designation_source: Option<Source>,
}

impl Cartel {
    /// The id its SDN entry has once loaded: `ofac-<ofac_ent_num>`.
    pub fn ofac_id(&self) -> String {
        format!("ofac-{}", self.ofac_ent_num)
    }
}

/// What the public record says an entry is to a cartel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Called its leader, head, co-founder or a plaza boss.
    Leader,
    /// An operative, lieutenant, money launderer… named as part of it.
    Member,
    /// An organisation that is a faction, cell or group of it; its tie
    /// passes on through its own links as the cartel's does.
    Faction,
    /// A company used by it or its members.
    Front,
    /// Tied to it without being called a member (an ally, a supplier).
    Associate,
}

impl Relation {
    /// Every relation, in order.
    pub const ALL: [Relation; 5] =
        [Relation::Leader, Relation::Member, Relation::Faction, Relation::Front, Relation::Associate];

    /// The relation as the registry and the API write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Leader => "leader",
            Relation::Member => "member",
            Relation::Faction => "faction",
            Relation::Front => "front",
            Relation::Associate => "associate",
        }
    }

    /// Reads a relation as the registry writes it.
    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

/// What kind of publication a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A U.S. Treasury (OFAC) press release.
    TreasuryRelease,
    /// A State Department FTO/SDGT designation.
    StateDesignation,
    /// A State Department Narcotics Rewards Program notice.
    StateReward,
    /// A Justice Department (or DEA, U.S. Attorney) press release.
    DojRelease,
    /// A Justice Department indictment.
    DojIndictment,
    /// A news or law-firm report of a named U.S. government release, cited
    /// as such.
    SecondaryReport,
}

impl SourceKind {
    /// Every kind, in order.
    pub const ALL: [SourceKind; 6] = [
        SourceKind::TreasuryRelease,
        SourceKind::StateDesignation,
        SourceKind::StateReward,
        SourceKind::DojRelease,
        SourceKind::DojIndictment,
        SourceKind::SecondaryReport,
    ];

    /// The kind as the registry writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::TreasuryRelease => "treasury_release",
            SourceKind::StateDesignation => "state_designation",
            SourceKind::StateReward => "state_reward",
            SourceKind::DojRelease => "doj_release",
            SourceKind::DojIndictment => "doj_indictment",
            SourceKind::SecondaryReport => "secondary_report",
        }
    }

    /// Reads a kind as the registry writes it.
    pub fn parse(s: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// The public source of an affiliation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Source {
    /// What kind of publication it is.
    pub kind: SourceKind,
    /// Who issued it (`U.S. Department of the Treasury`), or for a report
    /// the publisher and the body reported.
    pub issuer: String,
    /// Its title.
    pub title: String,
    /// The release's date, `YYYY-MM-DD`.
    pub date: String,
    /// Where it can be read.
    pub url: String,
    /// The release's number (`jl10020`, `sb0159`), when it states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// One row of the affiliations registry: an entry, the cartel the public
/// record ties it to, how, and on what authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Affiliation {
    /// The entry's id (`ofac-17674`).
    pub entity: String,
    /// The entry's name as the list spells it, for people reading the file.
    pub listed_name: String,
    /// The cartel's code.
    pub cartel: String,
    /// What the source says the entry is to the cartel.
    pub relation: Relation,
    /// The source.
    #[schema(value_type = Source)]
    pub source: Arc<Source>,
    /// How the party the source names was resolved to the entry (birth
    /// date, place, identifiers checked).
    pub resolution: String,
    /// What the source says, in short.
    pub evidence: String,
    /// Where the row was read: `file:line`.
    pub origin: String,
}

/// The registry: the six cartels, the list of their own entries, and the
/// sourced affiliations.
#[derive(Debug, Clone)]
pub struct CartelRegistry {
    /// In file order: CDS, CJNG, CDN, CDG, LNFM, CU.
    pub cartels: Vec<Cartel>,
    /// The registry as a screening list (the embedded default).
    pub list: LoadedList,
    /// Sourced affiliations, in file order (several rows may name one
    /// entry: one per source).
    pub affiliations: Vec<Affiliation>,
}

impl CartelRegistry {
    /// The cartel an entity id stands for directly, if any: the registry's
    /// own entry or the cartel's OFAC entry.
    pub fn cartel_of_id(&self, id: &str) -> Option<&Cartel> {
        self.cartels.iter().find(|c| c.entity == id || c.ofac_id() == id)
    }

    /// The cartel with this abbreviation, compared case-insensitively.
    pub fn by_code(&self, code: &str) -> Option<&Cartel> {
        self.cartels.iter().find(|c| c.code.eq_ignore_ascii_case(code))
    }
}

/// What a tie rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The lists' own `Linked To:` relations alone.
    List,
    /// A row of the affiliations registry, with its public source (and
    /// possibly list links before it).
    Source,
}

impl Basis {
    /// The basis as the API and the batch output write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::List => "list",
            Basis::Source => "source",
        }
    }
}

/// Which side of a `Linked To:` relation wrote it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// This step's entry names the next (`Linked To: NEXT` in its remarks).
    LinksTo,
    /// The next step's entry names this one.
    LinkedFrom,
}

/// How one step of a path reaches the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Edge {
    /// `list` for a `Linked To:` relation, `source` for a registry row.
    pub basis: Basis,
    /// For `list`: which side published the link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub direction: Option<Direction>,
    /// For `list`: how the list states it (`linked_to`, or `care_of` for an
    /// address `c/o NAME`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<LinkVia>,
    /// For `source`: what the source says the entry is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// For `source`: the public source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Source>)]
    pub source: Option<Arc<Source>>,
}

impl Edge {
    /// The edge as one line of text: `links to`, `linked from`, `c/o`
    /// (in care of) for a list link; the relation and its source
    /// (`member per U.S. Department of the Treasury 2025-06-18 <url>`)
    /// for a registry row or a list link a row corroborates.
    pub fn describe(&self) -> String {
        let list = match (self.basis, self.via, self.direction) {
            (Basis::Source, _, _) => None,
            (_, Some(LinkVia::CareOf), Some(Direction::LinksTo)) => Some("c/o"),
            (_, Some(LinkVia::CareOf), _) => Some("named c/o by"),
            (_, _, Some(Direction::LinkedFrom)) => Some("linked from"),
            _ => Some("links to"),
        };
        let source = self.source.as_ref().map(|s| {
            let r = self.relation.map_or("", Relation::as_str);
            format!("{r} per {} {} {}", s.issuer, s.date, s.url)
        });
        match (list, source) {
            (Some(l), Some(s)) => format!("{l}; {s}"),
            (Some(l), None) => l.to_string(),
            (None, Some(s)) => s,
            (None, None) => "source".to_string(),
        }
    }
}

/// One step of a path through the network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct PathStep {
    /// The entry's id.
    pub id: String,
    /// Its primary name.
    pub name: String,
    /// How this entry reaches the next step; absent on the last step (the
    /// cartel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edge: Option<Edge>,
}

/// What an entry is to the cartel it is tied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TieRelation {
    /// The entry is the cartel.
    Cartel,
    /// Named its leader by a source.
    Leader,
    /// Named a member by a source.
    Member,
    /// Named a faction by a source.
    Faction,
    /// Named a front by a source.
    Front,
    /// Named an associate by a source.
    Associate,
    /// Tied through links to the cartel or to one of the above.
    Linked,
}

impl TieRelation {
    /// The relation as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TieRelation::Cartel => "cartel",
            TieRelation::Leader => "leader",
            TieRelation::Member => "member",
            TieRelation::Faction => "faction",
            TieRelation::Front => "front",
            TieRelation::Associate => "associate",
            TieRelation::Linked => "linked",
        }
    }
}

impl From<Relation> for TieRelation {
    fn from(r: Relation) -> TieRelation {
        match r {
            Relation::Leader => TieRelation::Leader,
            Relation::Member => TieRelation::Member,
            Relation::Faction => TieRelation::Faction,
            Relation::Front => TieRelation::Front,
            Relation::Associate => TieRelation::Associate,
        }
    }
}

/// How an entity is tied to a cartel.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CartelTie {
    /// The cartel's abbreviation.
    pub cartel: String,
    /// The cartel's canonical name.
    pub cartel_name: String,
    /// 0 for the cartel itself, else the number of steps to it (a
    /// registry row is one step).
    pub depth: usize,
    /// What the entry is to the cartel.
    pub relation: TieRelation,
    /// `list` when the lists' own links reach the cartel (a registry row
    /// may corroborate a step), `source` when a registry row is needed.
    pub basis: Basis,
    /// From the entity to the cartel, both included; each step but the
    /// last says how it reaches the next.
    pub path: Vec<PathStep>,
}

impl CartelTie {
    /// The path as one line: `A (id) --[links to]--> B (id) --[member per
    /// …]--> CARTEL (id)`.
    pub fn path_text(&self) -> String {
        let mut out = String::new();
        for step in &self.path {
            out.push_str(&format!("{} ({})", step.name, step.id));
            if let Some(e) = &step.edge {
                out.push_str(&format!(" --[{}]--> ", e.describe()));
            }
        }
        out
    }

    /// The public sources on the path, nearest the entity first.
    pub fn sources(&self) -> impl Iterator<Item = &Source> {
        self.path.iter().filter_map(|s| s.edge.as_ref()?.source.as_deref())
    }
}

/// An entry with more links than the hub degree: reached, not walked
/// through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Hub {
    /// The entry's id.
    pub id: String,
    /// Its primary name.
    pub name: String,
    /// Its resolved links, both directions counted.
    pub degree: usize,
}

/// Entries tied to one cartel, by depth and basis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NetworkSize {
    /// The cartel's code.
    pub cartel: String,
    /// Entries tied (the cartel's own entries excluded).
    pub total: usize,
    /// Of those, tied by list links alone.
    pub by_list: usize,
    /// Of those, tied through a registry row.
    pub by_source: usize,
    /// Entries at each depth, from depth 1.
    pub by_depth: Vec<usize>,
}

/// Cartel ties of every entity, and what could not be resolved.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Ties of the entities that have any, by entity index (the index into
    /// the entity slice the network was built over), sorted by depth then
    /// cartel.
    ties: FxHashMap<u32, Box<[CartelTie]>>,
    /// Undirected adjacency: each entity's linked entities, which side
    /// wrote the link, and how.
    adjacency: FxHashMap<u32, Vec<(u32, Direction, LinkVia)>>,
    /// Links whose target name matched no entry.
    pub unresolved_links: usize,
    /// Links resolved to an entry.
    pub resolved_links: usize,
    /// Entries with more links than the hub degree, most linked first.
    pub hubs: Vec<Hub>,
    /// Registry rows whose entry is not in the loaded lists (entity ids, in
    /// file order, once each).
    pub absent_affiliations: Vec<String>,
    /// Registry rows whose entry is loaded.
    pub resolved_affiliations: usize,
}

const NO_TIES: &[CartelTie] = &[];

/// A step of the walk: how a node was reached.
#[derive(Clone)]
struct Reached {
    depth: usize,
    /// Links walked since the cartel or a faction; the walk goes on while
    /// it is below the depth limit.
    budget: usize,
    /// The next step towards the cartel, and the edge to it.
    next: Option<(u32, Edge)>,
    relation: TieRelation,
    basis: Basis,
}

impl Network {
    /// Resolves links (filling `Link::target`) and computes every entity's
    /// ties as `settings` says.
    pub fn build(entities: &mut [Entity], registry: &CartelRegistry, settings: &NetworkSettings) -> Network {
        let (adjacency, resolved, unresolved) = resolve_links(entities);
        let by_id: FxHashMap<&str, u32> = entities.iter().enumerate().map(|(i, e)| (e.id.as_str(), i as u32)).collect();
        let degree = |i: u32| adjacency.get(&i).map_or(0, Vec::len);
        let mut hubs: Vec<Hub> = adjacency
            .iter()
            .filter(|(_, n)| n.len() > settings.hub_degree)
            .map(|(&i, n)| Hub {
                id: entities[i as usize].id.clone(),
                name: entities[i as usize].caption().to_string(),
                degree: n.len(),
            })
            .collect();
        hubs.sort_by(|a, b| b.degree.cmp(&a.degree).then_with(|| a.id.cmp(&b.id)));

        let mut absent: Vec<String> = Vec::new();
        let mut resolved_affiliations = 0;
        for a in &registry.affiliations {
            if by_id.contains_key(a.entity.as_str()) {
                resolved_affiliations += 1;
            } else if !absent.contains(&a.entity) {
                absent.push(a.entity.clone());
            }
        }

        let mut ties: FxHashMap<u32, Vec<CartelTie>> = FxHashMap::default();
        for cartel in &registry.cartels {
            let ofac = cartel.ofac_id();
            let roots: Vec<u32> = entities
                .iter()
                .enumerate()
                .filter(|(_, e)| {
                    e.id == cartel.entity || e.id == ofac || e.same_as.iter().any(|s| *s == ofac || *s == cartel.entity)
                })
                .map(|(i, _)| i as u32)
                .collect();
            // The cartel node a registry row points at: its SDN entry when
            // loaded, else the registry's own entry.
            let Some(&target) = roots.iter().find(|&&r| entities[r as usize].id == ofac).or(roots.first()) else {
                continue;
            };
            let mut reached: FxHashMap<u32, Reached> = FxHashMap::default();
            let mut queue = VecDeque::new();
            let root = Reached { depth: 0, budget: 0, next: None, relation: TieRelation::Cartel, basis: Basis::List };
            for &r in &roots {
                reached.insert(r, root.clone());
            }
            // The cartel's own list links first: where the list itself ties
            // an entry, that is the authority; a registry row for it only
            // corroborates (its relation and source ride on the edge).
            for &r in &roots {
                expand(r, &root, &adjacency, &mut reached, &mut queue);
            }
            // Registry rows: one step from the cartel, the first source of
            // an entry kept (the file lists the strongest first).
            for a in registry.affiliations.iter().filter(|a| a.cartel == cartel.code) {
                let Some(&i) = by_id.get(a.entity.as_str()) else { continue };
                let budget = if a.relation == Relation::Faction { 0 } else { 1 };
                match reached.get_mut(&i) {
                    Some(r) if r.depth == 1 && r.relation == TieRelation::Linked => {
                        r.relation = a.relation.into();
                        r.budget = budget;
                        if let Some((_, edge)) = r.next.as_mut() {
                            edge.relation = Some(a.relation);
                            edge.source = Some(a.source.clone());
                        }
                    }
                    Some(_) => {}
                    None => {
                        let edge = Edge {
                            basis: Basis::Source,
                            direction: None,
                            via: None,
                            relation: Some(a.relation),
                            source: Some(a.source.clone()),
                        };
                        let next = Some((target, edge));
                        let relation = a.relation.into();
                        reached.insert(i, Reached { depth: 1, budget, next, relation, basis: Basis::Source });
                        queue.push_back(i);
                    }
                }
            }
            // Breadth-first: nearest first, so each entry keeps its
            // shortest path.
            while let Some(n) = queue.pop_front() {
                let here = reached[&n].clone();
                // A cartel and its factions always pass their tie on; an
                // associate (an ally, a supplier) never does; any other
                // entry does unless it is a hub.
                let walkable = match here.relation {
                    TieRelation::Cartel | TieRelation::Faction => true,
                    TieRelation::Associate => false,
                    _ => degree(n) <= settings.hub_degree,
                };
                if here.budget >= settings.depth || !walkable {
                    continue;
                }
                expand(n, &here, &adjacency, &mut reached, &mut queue);
            }
            for (&n, r) in &reached {
                // Towards the cartel, each step with the edge that leaves it.
                let mut path = Vec::with_capacity(r.depth + 1);
                let mut cur = Some(n);
                while let Some(c) = cur {
                    let e = &entities[c as usize];
                    let step = reached.get(&c).and_then(|x| x.next.clone());
                    path.push(PathStep {
                        id: e.id.clone(),
                        name: e.caption().to_string(),
                        edge: step.as_ref().map(|(_, edge)| edge.clone()),
                    });
                    cur = step.map(|(next, _)| next);
                }
                ties.entry(n).or_default().push(CartelTie {
                    cartel: cartel.code.clone(),
                    cartel_name: cartel.name.clone(),
                    depth: r.depth,
                    relation: r.relation,
                    basis: r.basis,
                    path,
                });
            }
        }
        let ties = ties
            .into_iter()
            .map(|(i, mut t)| {
                t.sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.cartel.cmp(&b.cartel)));
                (i, t.into_boxed_slice())
            })
            .collect();
        Network {
            ties,
            adjacency,
            unresolved_links: unresolved,
            resolved_links: resolved,
            hubs,
            absent_affiliations: absent,
            resolved_affiliations,
        }
    }

    /// The ties of the entity at index `i` (empty when it has none).
    pub fn ties_of(&self, i: u32) -> &[CartelTie] {
        self.ties.get(&i).map_or(NO_TIES, |t| t)
    }

    /// Every tied entity's index and its ties, in no particular order.
    pub fn tied(&self) -> impl Iterator<Item = (u32, &[CartelTie])> {
        self.ties.iter().map(|(&i, t)| (i, &t[..]))
    }

    /// The entities linked to the entity at index `i`, and which side wrote
    /// each link.
    pub fn links_of(&self, i: u32) -> &[(u32, Direction, LinkVia)] {
        self.adjacency.get(&i).map_or(&[], Vec::as_slice)
    }

    /// Entries tied to each cartel (the cartel's own entries excluded), by
    /// depth and basis, in registry order.
    pub fn sizes(&self, registry: &CartelRegistry) -> Vec<NetworkSize> {
        registry
            .cartels
            .iter()
            .map(|c| {
                let mut s = NetworkSize { cartel: c.code.clone(), ..NetworkSize::default() };
                for ts in self.ties.values() {
                    if let Some(t) = ts.iter().find(|t| t.cartel == c.code && t.depth > 0) {
                        s.total += 1;
                        match t.basis {
                            Basis::List => s.by_list += 1,
                            Basis::Source => s.by_source += 1,
                        }
                        if s.by_depth.len() < t.depth {
                            s.by_depth.resize(t.depth, 0);
                        }
                        s.by_depth[t.depth - 1] += 1;
                    }
                }
                s
            })
            .collect()
    }
}

/// One cartel's network as a graph: every entry tied to it, and the edges of
/// their shortest paths to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CartelNetwork {
    /// The cartel's code.
    pub cartel: String,
    /// The cartel's canonical name.
    pub cartel_name: String,
    /// The cartel's own entries, then every tied entry by depth and id.
    pub nodes: Vec<NetworkNode>,
    /// One edge per tied entry: from it to the next step of its path.
    pub edges: Vec<NetworkEdge>,
    /// Sizes by depth and basis.
    pub size: NetworkSize,
}

/// An entry of a cartel's network.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkNode {
    /// The entry's id.
    pub id: String,
    /// Its primary name.
    pub name: String,
    /// `person`, `organization`, `company`, `vessel`, `aircraft`, `unknown`.
    pub kind: crate::engine::model::EntityKind,
    /// Its dataset.
    pub list: String,
    /// Steps to the cartel (0: the cartel).
    pub depth: usize,
    /// What it is to the cartel.
    pub relation: TieRelation,
    /// What its tie rests on.
    pub basis: Basis,
    /// Whether it is a hub (reached, not walked through).
    pub hub: bool,
}

/// An edge of a cartel's network: the first step of a node's path.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NetworkEdge {
    /// The entry it leaves.
    pub from: String,
    /// The entry it reaches (one step nearer the cartel).
    pub to: String,
    /// How: a list link (with its direction) or a registry row (with its
    /// relation and source).
    #[serde(flatten)]
    pub edge: Edge,
}

impl Network {
    /// The network of the cartel with code `code` over `entities` (the
    /// slice the network was built over), or `None` for an unknown code.
    pub fn cartel_network(&self, registry: &CartelRegistry, entities: &[Entity], code: &str) -> Option<CartelNetwork> {
        let cartel = registry.by_code(code)?;
        let hubs: rustc_hash::FxHashSet<&str> = self.hubs.iter().map(|h| h.id.as_str()).collect();
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for (i, ts) in self.tied() {
            let Some(t) = ts.iter().find(|t| t.cartel == cartel.code) else { continue };
            let e = &entities[i as usize];
            nodes.push(NetworkNode {
                id: e.id.clone(),
                name: e.caption().to_string(),
                kind: e.kind,
                list: e.list.clone(),
                depth: t.depth,
                relation: t.relation,
                basis: t.basis,
                hub: hubs.contains(e.id.as_str()),
            });
            if let (Some(first), Some(next)) = (t.path.first(), t.path.get(1)) {
                if let Some(edge) = &first.edge {
                    edges.push(NetworkEdge { from: first.id.clone(), to: next.id.clone(), edge: edge.clone() });
                }
            }
        }
        nodes.sort_by(|a, b| a.depth.cmp(&b.depth).then_with(|| a.id.cmp(&b.id)));
        edges.sort_by(|a, b| a.from.cmp(&b.from));
        let size = self.sizes(registry).into_iter().find(|s| s.cartel == cartel.code).unwrap_or_default();
        Some(CartelNetwork { cartel: cartel.code.clone(), cartel_name: cartel.name.clone(), nodes, edges, size })
    }
}

/// Resolves every `Linked To:` to an entry (by id, else by normalised
/// primary name, else alias; a target on the same list preferred), fills
/// `Link::target`, and returns the undirected adjacency with the resolved
/// and unresolved counts.
type Adjacency = FxHashMap<u32, Vec<(u32, Direction, LinkVia)>>;

/// Reaches every unreached list neighbour of `n` one step further out.
fn expand(
    n: u32,
    here: &Reached,
    adjacency: &Adjacency,
    reached: &mut FxHashMap<u32, Reached>,
    queue: &mut VecDeque<u32>,
) {
    for &(m, dir, via) in adjacency.get(&n).map(Vec::as_slice).unwrap_or(&[]) {
        if reached.contains_key(&m) {
            continue;
        }
        // `dir` is as seen from n; the edge goes from m to n.
        let direction = match dir {
            Direction::LinksTo => Direction::LinkedFrom,
            Direction::LinkedFrom => Direction::LinksTo,
        };
        let edge =
            Edge { basis: Basis::List, direction: Some(direction), via: Some(via), relation: None, source: None };
        reached.insert(
            m,
            Reached {
                depth: here.depth + 1,
                budget: here.budget + 1,
                next: Some((n, edge)),
                relation: TieRelation::Linked,
                basis: here.basis,
            },
        );
        queue.push_back(m);
    }
}

fn resolve_links(entities: &mut [Entity]) -> (Adjacency, usize, usize) {
    let key = |s: &str| normalize_name(s, KindFamily::Organization).joined();
    let mut primary: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    let mut alias: FxHashMap<String, Vec<u32>> = FxHashMap::default();
    let linked: Vec<bool> = entities.iter().map(|e| !e.links.is_empty()).collect();
    if !linked.iter().any(|&l| l) {
        return (FxHashMap::default(), 0, 0);
    }
    for (i, e) in entities.iter().enumerate() {
        for (k, n) in e.names.iter().enumerate() {
            let map = if k == 0 { &mut primary } else { &mut alias };
            map.entry(key(&n.full)).or_default().push(i as u32);
        }
    }
    let by_id: FxHashMap<&str, u32> = entities.iter().enumerate().map(|(i, e)| (e.id.as_str(), i as u32)).collect();
    let mut adjacency: Adjacency = FxHashMap::default();
    let (mut resolved, mut unresolved) = (0, 0);
    let mut targets: Vec<(usize, usize, String)> = Vec::new();
    for (i, e) in entities.iter().enumerate() {
        for (li, link) in e.links.iter().enumerate() {
            let target = by_id.get(link.name.as_str()).copied().or_else(|| {
                let k = key(&link.name);
                let pick = |cands: &Vec<u32>| {
                    cands
                        .iter()
                        .copied()
                        .filter(|&c| c as usize != i)
                        .min_by_key(|&c| (entities[c as usize].list != e.list, c))
                };
                primary.get(&k).and_then(pick).or_else(|| alias.get(&k).and_then(pick))
            });
            match target {
                Some(t) if t as usize != i => {
                    resolved += 1;
                    let from = i as u32;
                    let out = adjacency.entry(from).or_default();
                    if !out.iter().any(|&(m, _, _)| m == t) {
                        out.push((t, Direction::LinksTo, link.via));
                    }
                    let back = adjacency.entry(t).or_default();
                    if !back.iter().any(|&(m, _, _)| m == from) {
                        back.push((from, Direction::LinkedFrom, link.via));
                    }
                    targets.push((i, li, entities[t as usize].id.clone()));
                }
                _ => unresolved += 1,
            }
        }
    }
    for (i, li, id) in targets {
        entities[i].links[li].target = Some(id);
    }
    for n in adjacency.values_mut() {
        n.sort_unstable_by_key(|&(m, _, _)| m);
    }
    (adjacency, resolved, unresolved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{EntityKind, Link, NameRole};

    fn ent(id: &str, list: &str, name: &str, links: &[&str]) -> Entity {
        let mut e = Entity::new(id, list, EntityKind::Organization);
        e.add_name(name, NameRole::Primary);
        e.links = links
            .iter()
            .map(|l| Link { name: l.to_string(), target: None, via: crate::engine::model::LinkVia::LinkedTo })
            .collect();
        e
    }

    fn settings(depth: usize) -> NetworkSettings {
        NetworkSettings { depth, hub_degree: 3 }
    }

    fn source() -> Arc<Source> {
        Arc::new(Source {
            kind: SourceKind::TreasuryRelease,
            issuer: "U.S. Department of the Treasury".into(),
            title: "Example release".into(),
            date: "2015-04-08".into(),
            url: "https://home.treasury.gov/example".into(),
            reference: Some("jl0000".into()),
        })
    }

    fn affiliation(entity: &str, cartel: &str, relation: Relation) -> Affiliation {
        Affiliation {
            entity: entity.into(),
            listed_name: entity.into(),
            cartel: cartel.into(),
            relation,
            source: source(),
            resolution: "test".into(),
            evidence: "test".into(),
            origin: "test:1".into(),
        }
    }

    fn ids(t: &CartelTie) -> Vec<&str> {
        t.path.iter().map(|s| s.id.as_str()).collect()
    }

    #[test]
    fn registry_names_the_six_cartels() {
        let r = crate::lists::registry::embedded();
        let codes: Vec<&str> = r.cartels.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["CDS", "CJNG", "CDN", "CDG", "LNFM", "CU"]);
        let nums: Vec<u32> = r.cartels.iter().map(|c| c.ofac_ent_num).collect();
        assert_eq!(nums, [11440, 17671, 11438, 10386, 39376, 52892]);
        assert!(r.cartels.iter().all(|c| c.designated == "2025-02-20"));
        assert_eq!(r.cartel_of_id("ofac-17671").unwrap().code, "CJNG");
        assert_eq!(r.list.entities.len(), 6);
    }

    #[test]
    fn links_are_walked_both_ways_with_their_direction() {
        let mut r = crate::lists::registry::embedded();
        r.affiliations.clear();
        // OFAC writes the links on the person: the person names the cartel
        // and their company; the company names nothing.
        let mut es = vec![
            ent("ofac-17671", "sdn", "CARTEL DE JALISCO NUEVA GENERACION", &[]),
            ent("p1", "sdn", "PEREZ, Juan", &["CARTEL DE JALISCO NUEVA GENERACION.", "FRONT CO S.A. de C.V."]),
            ent("c1", "sdn", "FRONT CO, S.A. DE C.V.", &[]),
            ent("c2", "sdn", "FAR AWAY", &["FRONT CO, S.A. DE C.V."]),
            ent("p4", "sdn", "NOBODY", &["SOMETHING UNLISTED"]),
        ];
        let net = Network::build(&mut es, &r, &settings(2));
        assert_eq!(net.ties_of(0)[0].relation, TieRelation::Cartel);
        let p1 = &net.ties_of(1)[0];
        assert_eq!((p1.depth, p1.basis), (1, Basis::List));
        let c1 = &net.ties_of(2)[0];
        assert_eq!((c1.cartel.as_str(), c1.depth, c1.relation), ("CJNG", 2, TieRelation::Linked));
        assert_eq!(ids(c1), ["c1", "p1", "ofac-17671"]);
        // The company is named by the person: linked from the next step.
        assert_eq!(c1.path[0].edge.as_ref().unwrap().direction, Some(Direction::LinkedFrom));
        assert_eq!(c1.path[1].edge.as_ref().unwrap().direction, Some(Direction::LinksTo));
        assert!(c1.path[2].edge.is_none());
        assert!(net.ties_of(3).is_empty(), "depth 3 is beyond the limit of 2");
        assert!(net.ties_of(4).is_empty());
        assert_eq!(net.unresolved_links, 1);
        assert_eq!(es[1].links[1].target.as_deref(), Some("c1"));
        let size = net.sizes(&r).into_iter().find(|s| s.cartel == "CJNG").unwrap();
        assert_eq!((size.total, size.by_list, size.by_depth.clone()), (2, 2, vec![1, 1]));
    }

    #[test]
    fn registry_rows_tie_with_their_source_and_factions_pass_it_on() {
        let mut r = crate::lists::registry::embedded();
        r.affiliations = vec![
            affiliation("ofac-6861", "CDS", Relation::Leader),
            affiliation("f1", "CDS", Relation::Faction),
            affiliation("absent-1", "CDS", Relation::Member),
        ];
        let mut es = vec![
            ent("ofac-11440", "sdn", "SINALOA CARTEL", &[]),
            ent("ofac-6861", "sdn", "GUZMAN LOERA, Joaquin", &[]),
            ent("w1", "sdn", "WIFE, Of Leader", &["GUZMAN LOERA, Joaquin"]),
            ent("f1", "sdn", "LOS EJEMPLOS", &[]),
            ent("m1", "sdn", "MEMBER, Of Faction", &["LOS EJEMPLOS"]),
            ent("m2", "sdn", "FRIEND, Of Member", &["MEMBER, Of Faction"]),
        ];
        let net = Network::build(&mut es, &r, &settings(2));
        let leader = &net.ties_of(1)[0];
        assert_eq!((leader.depth, leader.relation, leader.basis), (1, TieRelation::Leader, Basis::Source));
        assert_eq!(ids(leader), ["ofac-6861", "ofac-11440"]);
        let edge = leader.path[0].edge.as_ref().unwrap();
        assert_eq!((edge.basis, edge.relation), (Basis::Source, Some(Relation::Leader)));
        assert_eq!(leader.sources().next().unwrap().reference.as_deref(), Some("jl0000"));
        let wife = &net.ties_of(2)[0];
        assert_eq!((wife.depth, wife.relation, wife.basis), (2, TieRelation::Linked, Basis::Source));
        // The faction passes the tie on as the cartel does: two links from it.
        assert_eq!(net.ties_of(4)[0].depth, 2);
        let friend = &net.ties_of(5)[0];
        assert_eq!(friend.depth, 3);
        assert_eq!(ids(friend), ["m2", "m1", "f1", "ofac-11440"]);
        assert_eq!(net.absent_affiliations, ["absent-1"]);
        assert_eq!(net.resolved_affiliations, 2);
    }

    #[test]
    fn hubs_are_reached_but_not_walked_through() {
        let mut r = crate::lists::registry::embedded();
        r.affiliations.clear();
        let mut es = vec![
            ent("ofac-17671", "sdn", "CARTEL DE JALISCO NUEVA GENERACION", &[]),
            ent("h", "sdn", "BIG HOLDING", &["CARTEL DE JALISCO NUEVA GENERACION"]),
            ent("a", "sdn", "A CO", &["BIG HOLDING"]),
            ent("b", "sdn", "B CO", &["BIG HOLDING"]),
            ent("c", "sdn", "C CO", &["BIG HOLDING"]),
        ];
        let net = Network::build(&mut es, &r, &settings(2));
        assert_eq!(net.ties_of(1)[0].depth, 1, "the hub itself is reached");
        assert!(net.ties_of(2).is_empty(), "but not walked through");
        assert_eq!(net.hubs.len(), 1);
        assert_eq!((net.hubs[0].id.as_str(), net.hubs[0].degree), ("h", 4));
    }
}
