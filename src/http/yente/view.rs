//! The loaded lists as yente sees them: entries merged by `same_as` into
//! entities, each with its schema, topics, countries, and the links that
//! point at it. Building one walks every entry, so it is built once per
//! generation of the lists and cached (`view_of`); the handlers only read it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use rustc_hash::FxHashMap;
use sha2::{Digest, Sha256};

use super::ftm::{
    country_code, entity_topics, ftm_dates, identifier_prop, merge_schema, normalize_timestamp, program_label,
    publisher_of, schema_of, source_url, FtmEntity, Props,
};
use crate::engine::model::{Entity, NameRole};
use crate::engine::screen::Screener;
use crate::live::{rfc3339, Generation};

pub(super) struct ListInfo {
    pub(super) dataset: String,
    pub(super) title: String,
    pub(super) version: String,
    /// Publication time, normalised, when the list states it.
    pub(super) published: Option<String>,
    pub(super) entries: usize,
}

pub(super) struct SearchName {
    pub(super) entity: u32,
    pub(super) primary: bool,
    pub(super) tokens: Vec<String>,
}

/// The loaded lists as yente sees them: entities merged by `same_as`, their
/// schemata, topics and countries, and who links to whom. Built once per
/// generation of the lists.
pub(super) struct View {
    pub(super) ids: FxHashMap<String, u32>,
    /// Entity index → index of its canonical entity.
    pub(super) canonical: Vec<u32>,
    /// For a canonical entity, its entries (itself first); empty otherwise.
    members: Vec<Vec<u32>>,
    /// For a canonical entity, its other ids, sorted.
    pub(super) referents: Vec<Vec<String>>,
    /// Referent id → canonical entity.
    redirects: FxHashMap<String, u32>,
    /// For a canonical entity, the schema of the merged entity.
    pub(super) schema: Vec<&'static str>,
    topics: Vec<Vec<&'static str>>,
    /// Lower-case ISO codes of each entry's countries.
    countries: Vec<Vec<String>>,
    /// Entries whose resolved links point at each entry: (source, link index).
    incoming: Vec<Vec<(u32, u32)>>,
    pub(super) lists: Vec<ListInfo>,
    list_pos: FxHashMap<String, usize>,
    pub(super) loaded_at: String,
    pub(super) version: String,
    pub(super) clusters: usize,
    pub(super) search: OnceLock<Vec<SearchName>>,
}

fn find(parent: &mut [u32], mut x: u32) -> u32 {
    while parent[x as usize] != x {
        let up = parent[parent[x as usize] as usize];
        parent[x as usize] = up;
        x = up;
    }
    x
}

impl View {
    fn build(generation: &Generation) -> View {
        View::of_screener(&generation.screener, &rfc3339(generation.loaded_at))
    }

    pub(super) fn of_screener(s: &Screener, loaded_at: &str) -> View {
        let es = s.entities();
        let n = es.len();
        let ids: FxHashMap<String, u32> = es.iter().enumerate().map(|(i, e)| (e.id.clone(), i as u32)).collect();
        // Entries and the ids they name in `same_as`, joined.
        let mut parent: Vec<u32> = (0..n as u32).collect();
        let mut dangling: FxHashMap<String, u32> = FxHashMap::default();
        for (i, e) in es.iter().enumerate() {
            for other in e.same_as.iter().map(|s| s.trim()).filter(|s| !s.is_empty() && *s != e.id) {
                let j = match ids.get(other) {
                    Some(&j) => j,
                    None => match dangling.get(other) {
                        Some(&j) => j,
                        None => {
                            let j = parent.len() as u32;
                            parent.push(j);
                            dangling.insert(other.to_string(), j);
                            j
                        }
                    },
                };
                let (a, b) = (find(&mut parent, i as u32), find(&mut parent, j));
                if a != b {
                    parent[a.max(b) as usize] = a.min(b);
                }
            }
        }
        // The canonical entry: the first that declares `same_as`, else the first.
        let mut root_canonical: FxHashMap<u32, u32> = FxHashMap::default();
        for (i, e) in es.iter().enumerate() {
            if !e.same_as.is_empty() {
                let r = find(&mut parent, i as u32);
                root_canonical.entry(r).or_insert(i as u32);
            }
        }
        let mut canonical = vec![0u32; n];
        let mut members: Vec<Vec<u32>> = vec![Vec::new(); n];
        for (i, slot) in canonical.iter_mut().enumerate() {
            let r = find(&mut parent, i as u32);
            let c = *root_canonical.entry(r).or_insert(i as u32);
            *slot = c;
            members[c as usize].push(i as u32);
        }
        for (c, m) in members.iter_mut().enumerate() {
            m.sort_by_key(|&x| (x as usize != c, x));
        }
        let mut referents: Vec<Vec<String>> = vec![Vec::new(); n];
        let mut redirects: FxHashMap<String, u32> = FxHashMap::default();
        for (i, &c) in canonical.iter().enumerate() {
            if i as u32 != c {
                referents[c as usize].push(es[i].id.clone());
                redirects.insert(es[i].id.clone(), c);
            }
        }
        for (id, node) in dangling {
            let r = find(&mut parent, node);
            if let Some(&c) = root_canonical.get(&r) {
                referents[c as usize].push(id.clone());
                redirects.insert(id, c);
            }
        }
        for r in &mut referents {
            r.sort();
            r.dedup();
        }
        let mut schema: Vec<&'static str> = es.iter().map(|e| schema_of(e.kind)).collect();
        for (c, m) in members.iter().enumerate() {
            let merged =
                m.iter().fold(schema_of(es[c].kind), |acc, &x| merge_schema(acc, schema_of(es[x as usize].kind)));
            schema[c] = merged;
        }
        let network = s.network();
        let topics = es.iter().enumerate().map(|(i, e)| entity_topics(e, network.ties_of(i as u32))).collect();
        let countries = es
            .iter()
            .map(|e| {
                let mut v: Vec<String> = e.countries().filter_map(country_code).collect();
                v.sort();
                v.dedup();
                v
            })
            .collect();
        let mut incoming: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (i, e) in es.iter().enumerate() {
            for (li, link) in e.links.iter().enumerate() {
                if let Some(&t) = link.target.as_deref().and_then(|t| ids.get(t)) {
                    if t as usize != i {
                        incoming[t as usize].push((i as u32, li as u32));
                    }
                }
            }
        }
        let lists: Vec<ListInfo> = s
            .lists()
            .iter()
            .map(|l| ListInfo {
                dataset: l.dataset.clone(),
                title: l.title.clone(),
                version: l.published.clone().unwrap_or_else(|| l.sha256.chars().take(12).collect()),
                published: l.published.as_deref().and_then(normalize_timestamp),
                entries: l.entries,
            })
            .collect();
        let list_pos = lists.iter().enumerate().map(|(i, l)| (l.dataset.clone(), i)).collect();
        let loaded_at = normalize_timestamp(loaded_at).unwrap_or_else(|| loaded_at.to_string());
        let mut hasher = Sha256::new();
        for l in s.lists() {
            hasher.update(l.dataset.as_bytes());
            hasher.update(l.sha256.as_bytes());
        }
        let digest: String = hasher.finalize().iter().take(4).map(|b| format!("{b:02x}")).collect();
        let stamp: String = loaded_at.chars().filter(char::is_ascii_digit).collect();
        let clusters = canonical.iter().enumerate().filter(|(i, &c)| *i as u32 == c).count();
        View {
            ids,
            canonical,
            members,
            referents,
            redirects,
            schema,
            topics,
            countries,
            incoming,
            lists,
            list_pos,
            loaded_at,
            version: format!("{stamp}-{digest}"),
            clusters,
            search: OnceLock::new(),
        }
    }

    /// Canonical entity indices, in list order.
    pub(super) fn canonicals(&self) -> impl Iterator<Item = u32> + '_ {
        self.canonical.iter().enumerate().filter(|(i, &c)| *i as u32 == c).map(|(_, &c)| c)
    }

    pub(super) fn cluster_lists(&self, s: &Screener, c: u32) -> Vec<String> {
        let es = s.entities();
        let mut v: Vec<&str> = self.members[c as usize].iter().map(|&m| es[m as usize].list.as_str()).collect();
        v.sort_by_key(|d| (self.list_pos.get(*d).copied().unwrap_or(usize::MAX), *d));
        v.dedup();
        v.into_iter().map(str::to_string).collect()
    }

    pub(super) fn cluster_topics(&self, c: u32) -> Vec<&'static str> {
        let mut v: Vec<&'static str> =
            self.members[c as usize].iter().flat_map(|&m| self.topics[m as usize].iter().copied()).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub(super) fn cluster_countries(&self, c: u32) -> Vec<&str> {
        let mut v: Vec<&str> = self.members[c as usize]
            .iter()
            .flat_map(|&m| self.countries[m as usize].iter().map(String::as_str))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub(super) fn list_info(&self, dataset: &str) -> Option<&ListInfo> {
        self.list_pos.get(dataset).map(|&i| &self.lists[i])
    }

    /// The latest publication date among the entity's lists, when stated.
    pub(super) fn last_change(&self, s: &Screener, c: u32) -> Option<String> {
        let es = s.entities();
        self.members[c as usize]
            .iter()
            .filter_map(|&m| self.list_info(&es[m as usize].list).and_then(|l| l.published.clone()))
            .max()
    }

    /// The earliest listing date among the entity's entries, when stated.
    fn first_seen(&self, s: &Screener, c: u32) -> Option<String> {
        let es = s.entities();
        self.members[c as usize]
            .iter()
            .filter_map(|&m| es[m as usize].listed_on.as_deref().and_then(normalize_timestamp))
            .min()
    }

    /// Whether any entry of the entity is on a dataset in `scope`.
    pub(super) fn in_scope(&self, s: &Screener, c: u32, scope: &BTreeSet<String>) -> bool {
        let es = s.entities();
        self.members[c as usize].iter().any(|&m| scope.contains(&es[m as usize].list))
    }

    fn caption(e: &Entity) -> String {
        let c = e.caption().trim();
        if c.is_empty() {
            e.id.clone()
        } else {
            c.to_string()
        }
    }

    /// The entity whose canonical index is `c`, with adjacent entities
    /// inlined when `nested`.
    pub(super) fn entity(&self, s: &Screener, c: u32, nested: bool) -> FtmEntity {
        let es = s.entities();
        let schema = self.schema[c as usize];
        let mut p = Props::default();
        for &m in &self.members[c as usize] {
            self.entry_props(s, m, c, schema, nested, &mut p);
        }
        FtmEntity {
            id: es[c as usize].id.clone(),
            caption: View::caption(&es[c as usize]),
            schema: schema.to_string(),
            properties: p.0,
            datasets: self.cluster_lists(s, c),
            referents: self.referents[c as usize].clone(),
            target: true,
            first_seen: self.first_seen(s, c),
            last_seen: Some(self.loaded_at.clone()),
            last_change: self.last_change(s, c),
        }
    }

    /// A short form of an entity, for the far end of a link.
    fn brief(&self, s: &Screener, c: u32) -> FtmEntity {
        let es = s.entities();
        let mut p = Props::default();
        p.text("name", View::caption(&es[c as usize]));
        for t in self.cluster_topics(c) {
            p.text("topics", t);
        }
        for country in self.cluster_countries(c) {
            p.text("country", country);
        }
        FtmEntity {
            id: es[c as usize].id.clone(),
            caption: View::caption(&es[c as usize]),
            schema: self.schema[c as usize].to_string(),
            properties: p.0,
            datasets: self.cluster_lists(s, c),
            referents: Vec::new(),
            target: true,
            first_seen: None,
            last_seen: None,
            last_change: None,
        }
    }

    fn entry_props(&self, s: &Screener, m: u32, c: u32, schema: &str, nested: bool, p: &mut Props) {
        let es = s.entities();
        let e = &es[m as usize];
        let person = schema == "Person";
        let vehicle = matches!(schema, "Vessel" | "Airplane");
        for n in &e.names {
            let prop = match n.role {
                NameRole::Primary => "name",
                NameRole::Aka | NameRole::Nka => "alias",
                NameRole::Fka => "previousName",
                NameRole::WeakAlias => "weakAlias",
            };
            p.text(prop, &n.full);
        }
        for code in &e.programs {
            p.text("program", program_label(code));
            p.text("programId", code);
        }
        for t in &self.topics[m as usize] {
            p.text("topics", t);
        }
        if person {
            for d in &e.birth_dates {
                for v in ftm_dates(d) {
                    p.text("birthDate", v);
                }
            }
            for place in &e.birth_places {
                p.text("birthPlace", place);
            }
            for n in &e.nationalities {
                if let Some(code) = country_code(n) {
                    p.text("nationality", code);
                }
            }
            for n in &e.citizenships {
                if let Some(code) = country_code(n) {
                    p.text("citizenship", code);
                }
            }
            if let Some(g) = e.gender.as_deref().map(|g| g.trim().to_ascii_lowercase()) {
                if matches!(g.as_str(), "male" | "female" | "other") {
                    p.text("gender", g);
                }
            }
        }
        for code in &self.countries[m as usize] {
            p.text("country", code);
        }
        for (ai, a) in e.addresses.iter().enumerate() {
            let country_name = a.country.as_deref().map(|c| {
                country_code(c)
                    .and_then(|k| crate::engine::country::name(&k))
                    .map(str::to_string)
                    .unwrap_or_else(|| c.to_string())
            });
            let parts: Vec<&str> = [a.street.as_deref(), a.city.as_deref(), country_name.as_deref()]
                .into_iter()
                .flatten()
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .collect();
            let full = parts.join(", ");
            p.text("address", &full);
            if nested && !full.is_empty() {
                let mut ap = Props::default();
                ap.text("full", &full);
                if let Some(street) = &a.street {
                    ap.text("street", street);
                }
                if let Some(city) = &a.city {
                    ap.text("city", city);
                }
                if let Some(code) = a.country.as_deref().and_then(country_code) {
                    ap.text("country", code);
                }
                p.entity(
                    "addressEntity",
                    nested_entity(format!("{}-address-{ai}", e.id), full, "Address", ap, &e.list),
                );
            }
        }
        for id in &e.identifiers {
            p.text(identifier_prop(&id.scheme, schema), &id.value);
        }
        if !vehicle {
            for w in &e.websites {
                p.text("website", w);
            }
            for mail in &e.emails {
                p.text("email", mail);
            }
        }
        if let Some(v) = e.vessel.as_ref().filter(|_| schema == "Vessel") {
            if let Some(cs) = &v.call_sign {
                p.text("callSign", cs);
            }
            if let Some(t) = &v.vessel_type {
                p.text("type", t);
            }
            if let Some(code) = v.flag.as_deref().and_then(country_code) {
                p.text("flag", code);
            }
            if let Some(t) = &v.tonnage {
                p.text("tonnage", t);
            }
        }
        if let Some(r) = &e.remarks {
            p.text("notes", r);
        }
        for link in e.links.iter().filter(|l| l.target.is_none()) {
            p.text("notes", format!("Linked To: {}", link.name));
        }
        if let Some(url) = source_url(e) {
            p.text("sourceUrl", url);
        }
        if !nested {
            return;
        }
        p.entity("sanctions", self.sanction(e, c, s));
        for (li, link) in e.links.iter().enumerate() {
            let Some(&t) = link.target.as_deref().and_then(|t| self.ids.get(t)) else { continue };
            let tc = self.canonical[t as usize];
            if tc == c {
                continue;
            }
            let mut lp = Props::default();
            lp.text("subject", &es[c as usize].id);
            lp.entity("object", self.brief(s, tc));
            lp.text("role", "Linked To");
            p.entity(
                "unknownLinkTo",
                nested_entity(format!("{}-link-{li}", e.id), "Linked To".into(), "UnknownLink", lp, &e.list),
            );
        }
        for &(src, li) in &self.incoming[m as usize] {
            let sc = self.canonical[src as usize];
            if sc == c {
                continue;
            }
            let source = &es[src as usize];
            let mut lp = Props::default();
            lp.entity("subject", self.brief(s, sc));
            lp.text("object", &es[c as usize].id);
            lp.text("role", "Linked To");
            p.entity(
                "unknownLinkFrom",
                nested_entity(format!("{}-link-{li}", source.id), "Linked To".into(), "UnknownLink", lp, &source.list),
            );
        }
    }

    fn sanction(&self, e: &Entity, c: u32, s: &Screener) -> FtmEntity {
        let es = s.entities();
        let title = self.list_info(&e.list).map(|l| l.title.clone()).unwrap_or_else(|| e.list.clone());
        let publisher = publisher_of(&e.list);
        let mut sp = Props::default();
        sp.text("entity", &es[c as usize].id);
        sp.text("authority", publisher.as_ref().map(|p| p.authority).unwrap_or(title.as_str()));
        if let Some(country) = publisher.as_ref().and_then(|p| p.country) {
            sp.text("country", country);
        }
        for code in &e.programs {
            sp.text("program", program_label(code));
            sp.text("programId", code);
        }
        if let Some(d) = e.listed_on.as_deref().and_then(normalize_timestamp) {
            sp.text("listingDate", &d[..10]);
            sp.text("startDate", &d[..10]);
        }
        if let Some(url) = source_url(e).or_else(|| publisher.map(|p| p.list_url.to_string())) {
            sp.text("sourceUrl", url);
        }
        for risk in &e.secondary_sanctions_risk {
            sp.text("provisions", risk);
        }
        nested_entity(format!("{}-sanction", e.id), title, "Sanction", sp, &e.list)
    }
}

fn nested_entity(id: String, caption: String, schema: &str, p: Props, dataset: &str) -> FtmEntity {
    FtmEntity {
        id,
        caption,
        schema: schema.to_string(),
        properties: p.0,
        datasets: vec![dataset.to_string()],
        referents: Vec::new(),
        target: false,
        first_seen: None,
        last_seen: None,
        last_change: None,
    }
}

/// What an entity id resolves to.
#[derive(Debug)]
pub(super) enum Lookup {
    Found(Box<FtmEntity>),
    /// A referent: the canonical id.
    Moved(String),
    Missing,
}

impl View {
    pub(super) fn lookup(&self, s: &Screener, id: &str, nested: bool) -> Lookup {
        let es = s.entities();
        match self.ids.get(id) {
            Some(&i) if self.canonical[i as usize] == i => Lookup::Found(Box::new(self.entity(s, i, nested))),
            Some(&i) => Lookup::Moved(es[self.canonical[i as usize] as usize].id.clone()),
            None => match self.redirects.get(id) {
                Some(&c) => Lookup::Moved(es[c as usize].id.clone()),
                None => Lookup::Missing,
            },
        }
    }
}

/// Views of the generations in service, keyed by the generation itself: a
/// `Weak` keeps its allocation, so a live key is never confused with a new one.
static VIEWS: Mutex<Vec<(Weak<Generation>, Arc<View>)>> = Mutex::new(Vec::new());
const MAX_VIEWS: usize = 8;

/// The view of `generation`, built on first use. Blocking: call it off the
/// request threads.
pub(super) fn view_of(generation: &Arc<Generation>) -> Arc<View> {
    let key = Arc::downgrade(generation);
    {
        let mut views = VIEWS.lock().unwrap_or_else(|p| p.into_inner());
        views.retain(|(w, _)| w.strong_count() > 0);
        if let Some((_, v)) = views.iter().find(|(w, _)| w.ptr_eq(&key)) {
            return v.clone();
        }
    }
    let view = Arc::new(View::build(generation));
    let mut views = VIEWS.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, v)) = views.iter().find(|(w, _)| w.ptr_eq(&key)) {
        return v.clone();
    }
    if views.len() >= MAX_VIEWS {
        views.remove(0);
    }
    views.push((key, view.clone()));
    view
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::yente::fixtures::view;
    use crate::http::yente::PropValue;

    #[test]
    fn same_as_merges_entries_into_one_entity() {
        let (s, v) = view();
        let Lookup::Found(e) = v.lookup(&s, "cs-cjng", true) else { panic!("cs-cjng is canonical") };
        assert_eq!(e.schema, "Organization");
        assert_eq!(e.referents, ["ofac-17671"]);
        assert_eq!(e.datasets, ["cartelscreen_fto_cartels", "us_ofac_sdn"]);
        let names = e.texts("name");
        assert!(names.contains(&"CARTEL DE JALISCO NUEVA GENERACION"), "{names:?}");
        assert!(e.texts("alias").contains(&"CJNG"));
        assert!(e.texts("topics").contains(&"crime.terror") && e.texts("topics").contains(&"sanction"));
        assert_eq!(e.texts("country"), ["mx"]);
        assert_eq!(e.first_seen.as_deref(), Some("2025-02-20T00:00:00"));
        assert_eq!(e.last_change.as_deref(), Some("2025-02-20T00:00:00"));
        assert_eq!(e.last_seen.as_deref(), Some("2026-01-02T03:04:05"));
        assert!(e.texts("sourceUrl").iter().any(|u| u.ends_with("id=17671")));
        // Nested: the sanctions of both entries and who links to the cartel.
        let sanctions = &e.properties["sanctions"];
        assert_eq!(sanctions.len(), 2);
        let from = &e.properties["unknownLinkFrom"];
        assert!(from.iter().any(|l| matches!(l, PropValue::Entity(l) if l.properties["subject"].iter().any(
            |s| matches!(s, PropValue::Entity(p) if p.id == "ofac-17674")))));
        assert!(matches!(v.lookup(&s, "ofac-17671", true), Lookup::Moved(ref c) if c == "cs-cjng"));
        assert!(matches!(v.lookup(&s, "nope", true), Lookup::Missing));
        let Lookup::Found(flat) = v.lookup(&s, "cs-cjng", false) else { panic!() };
        assert!(!flat.properties.contains_key("sanctions") && !flat.properties.contains_key("unknownLinkFrom"));
    }

    #[test]
    fn person_facts_become_properties() {
        let (s, v) = view();
        let Lookup::Found(e) = v.lookup(&s, "ofac-17674", true) else { panic!() };
        assert_eq!(e.schema, "Person");
        assert_eq!(e.texts("birthDate"), ["1966-07-17"]);
        assert_eq!(e.texts("nationality"), ["mx"]);
        assert_eq!(e.texts("gender"), ["male"]);
        assert_eq!(e.texts("idNumber"), ["OECN660717HMNSRM07"]);
        assert_eq!(e.texts("weakAlias"), ["EL MENCHO"]);
        assert_eq!(e.texts("address"), ["Guadalajara, Mexico"]);
        assert_eq!(e.texts("programId"), ["SDNTK"]);
        assert!(e.texts("program")[0].contains("Kingpin"));
        assert!(e.texts("topics").contains(&"crime.traffick.drug"));
        assert!(e.properties.contains_key("addressEntity") && e.properties.contains_key("unknownLinkTo"));
        // The JSON form: every property a list of strings or entities.
        let j = serde_json::to_value(&*e).unwrap();
        for (_, vals) in j["properties"].as_object().unwrap() {
            assert!(vals.as_array().unwrap().iter().all(|x| x.is_string() || x["caption"].is_string()));
        }
        assert!(j.get("first_seen").is_none(), "no null timestamps");
        let Lookup::Found(ship) = v.lookup(&s, "ofac-99002", false) else { panic!() };
        assert_eq!(ship.schema, "Vessel");
        assert_eq!(ship.texts("imoNumber"), ["9187629"]);
        let Lookup::Found(co) = v.lookup(&s, "ofac-99001", false) else { panic!() };
        assert_eq!(co.texts("taxNumber"), ["GIM-140402-AB1"]);
    }
}
