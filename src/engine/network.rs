//! The six FTO-designated cartels and the networks around them.
//!
//! The registry (`lists/fto_cartels.toml`, compiled in) names each cartel,
//! its abbreviation, its designation and its SDN entry. An entry is tied to a
//! cartel when it is the cartel, or when a chain of `Linked To:` relations
//! (person → front company → cartel) reaches the cartel within the configured
//! depth. Links name their targets by primary name, so they are resolved by
//! normalised name, preferring a target on the same list.

use std::collections::VecDeque;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::engine::model::{Entity, KindFamily, LoadedList};
use crate::engine::normalize::normalize_name;

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
}

impl Cartel {
    /// The id its SDN entry has once loaded: `ofac-<ofac_ent_num>`.
    pub fn ofac_id(&self) -> String {
        format!("ofac-{}", self.ofac_ent_num)
    }
}

/// The registry: the six cartels and the list of their entries.
#[derive(Debug, Clone)]
pub struct CartelRegistry {
    /// In file order: CDS, CJNG, CDN, CDG, LNFM, CU.
    pub cartels: Vec<Cartel>,
    /// The registry as a screening list (the embedded default).
    pub list: LoadedList,
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

/// One step of a path through the network.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct PathStep {
    /// The entry's [`Entity::id`].
    pub id: String,
    /// The entry's primary name.
    pub name: String,
}

/// How an entity is tied to a cartel.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CartelTie {
    /// The cartel's abbreviation.
    pub cartel: String,
    /// The cartel's canonical name ([`Cartel::name`]).
    pub cartel_name: String,
    /// 0 for the cartel itself (or an entry `same_as` it), else the number
    /// of links to it; at most the configured network depth.
    pub depth: usize,
    /// From the entity to the cartel, both included.
    pub path: Vec<PathStep>,
}

/// Cartel ties of every entity, and what could not be resolved.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Per entity (same index as the entity slice), at most one tie per
    /// cartel, sorted by depth then cartel code; empty when untied.
    pub ties: Vec<Vec<CartelTie>>,
    /// Links whose target name matched no entry.
    pub unresolved_links: usize,
    /// Links that named an entry, by id, primary name or alias.
    pub resolved_links: usize,
}

impl Network {
    /// Resolves links (filling `Link::target`) and computes every entity's
    /// ties up to `max_depth` links away.
    pub fn build(entities: &mut [Entity], registry: &CartelRegistry, max_depth: usize) -> Network {
        // Name → entities, primary names first; aliases are a fallback.
        let key = |s: &str| normalize_name(s, KindFamily::Organization).joined();
        let mut primary: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        let mut alias: FxHashMap<String, Vec<u32>> = FxHashMap::default();
        for (i, e) in entities.iter().enumerate() {
            for (k, n) in e.names.iter().enumerate() {
                let map = if k == 0 { &mut primary } else { &mut alias };
                map.entry(key(&n.full)).or_default().push(i as u32);
            }
        }
        let by_id: FxHashMap<&str, u32> = entities.iter().enumerate().map(|(i, e)| (e.id.as_str(), i as u32)).collect();
        let mut edges: Vec<Vec<u32>> = vec![Vec::new(); entities.len()];
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
                    Some(t) => {
                        resolved += 1;
                        edges[i].push(t);
                        targets.push((i, li, entities[t as usize].id.clone()));
                    }
                    None => unresolved += 1,
                }
            }
        }
        for (i, li, id) in targets {
            entities[i].links[li].target = Some(id);
        }
        // Reverse edges: who links to whom.
        let mut incoming: Vec<Vec<u32>> = vec![Vec::new(); entities.len()];
        for (from, outs) in edges.iter().enumerate() {
            for &to in outs {
                incoming[to as usize].push(from as u32);
            }
        }
        let mut ties: Vec<Vec<CartelTie>> = vec![Vec::new(); entities.len()];
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
            // Breadth-first from the cartel outwards; `next[i]` is the step
            // from i towards the cartel.
            let mut next: FxHashMap<u32, Option<u32>> = FxHashMap::default();
            let mut depth: FxHashMap<u32, usize> = FxHashMap::default();
            let mut queue = VecDeque::new();
            for &r in &roots {
                next.insert(r, None);
                depth.insert(r, 0);
                queue.push_back(r);
            }
            while let Some(n) = queue.pop_front() {
                let d = depth[&n];
                if d >= max_depth {
                    continue;
                }
                for &from in &incoming[n as usize] {
                    if let std::collections::hash_map::Entry::Vacant(v) = next.entry(from) {
                        v.insert(Some(n));
                        depth.insert(from, d + 1);
                        queue.push_back(from);
                    }
                }
            }
            for (&n, _) in next.iter() {
                let mut path = Vec::new();
                let mut cur = Some(n);
                while let Some(c) = cur {
                    let e = &entities[c as usize];
                    path.push(PathStep { id: e.id.clone(), name: e.caption().to_string() });
                    cur = next[&c];
                }
                ties[n as usize].push(CartelTie {
                    cartel: cartel.code.clone(),
                    cartel_name: cartel.name.clone(),
                    depth: depth[&n],
                    path,
                });
            }
        }
        for t in ties.iter_mut() {
            t.sort_by(|a, b| a.depth.cmp(&b.depth).then(a.cartel.cmp(&b.cartel)));
        }
        Network { ties, unresolved_links: unresolved, resolved_links: resolved }
    }

    /// Entities tied to each cartel (the cartel's own entries excluded).
    pub fn sizes(&self, registry: &CartelRegistry) -> Vec<(String, usize)> {
        registry
            .cartels
            .iter()
            .map(|c| {
                let n = self.ties.iter().filter(|ts| ts.iter().any(|t| t.cartel == c.code && t.depth > 0)).count();
                (c.code.clone(), n)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{EntityKind, Link, NameRole};

    fn ent(id: &str, list: &str, name: &str, links: &[&str]) -> Entity {
        let mut e = Entity::new(id, list, EntityKind::Organization);
        e.add_name(name, NameRole::Primary);
        e.links = links.iter().map(|l| Link { name: l.to_string(), target: None }).collect();
        e
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
    fn chains_of_links_reach_the_cartel_with_their_path() {
        let r = crate::lists::registry::embedded();
        let mut es = vec![
            ent("ofac-17671", "sdn", "CARTEL DE JALISCO NUEVA GENERACION", &[]),
            ent("p1", "sdn", "FRONT CO, S.A. DE C.V.", &["CARTEL DE JALISCO NUEVA GENERACION."]),
            ent("p2", "sdn", "PEREZ, Juan", &["FRONT CO S.A. de C.V."]),
            ent("p3", "sdn", "FAR AWAY", &["PEREZ, Juan"]),
            ent("p4", "sdn", "NOBODY", &["SOMETHING UNLISTED"]),
        ];
        let net = Network::build(&mut es, &r, 2);
        assert_eq!(net.ties[0][0].depth, 0);
        assert_eq!(net.ties[1][0].depth, 1);
        let t = &net.ties[2][0];
        assert_eq!((t.cartel.as_str(), t.depth), ("CJNG", 2));
        let ids: Vec<&str> = t.path.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["p2", "p1", "ofac-17671"]);
        assert!(net.ties[3].is_empty(), "depth 3 is beyond the limit of 2");
        assert!(net.ties[4].is_empty());
        assert_eq!(net.unresolved_links, 1);
        assert_eq!(es[2].links[0].target.as_deref(), Some("p1"));
        assert_eq!(net.sizes(&r).iter().find(|(c, _)| c == "CJNG").unwrap().1, 2);
    }
}
