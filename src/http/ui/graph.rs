//! An entry's cartel network as an SVG picture: the entry on the left, each
//! path to a cartel running right step by step (highlighted), the entries
//! the lists link it to beside it. Nodes are coloured by kind; an edge is
//! solid when the lists' own links carry it and dashed when a public
//! source does. Every node links to its page. Drawn on the server: no
//! script, nothing fetched.

use std::collections::HashMap;

use maud::{html, Markup};

use super::page::urlencode;
use crate::engine::model::{EntityKind, LinkVia};
use crate::engine::network::{Basis, CartelTie, Direction};
use crate::engine::Entity;

/// Node box width and height, and the gaps between columns and rows, in
/// SVG user units (pixels at 100%).
const NODE_W: i32 = 220;
const NODE_H: i32 = 40;
const COL_GAP: i32 = 60;
const ROW_GAP: i32 = 16;
/// At most this many linked entries are drawn; the rest are counted.
pub const MAX_NEIGHBOURS: usize = 24;
/// A label longer than this many characters is cut (the full name is the
/// node's tooltip).
const LABEL_CHARS: usize = 30;

struct Node {
    id: String,
    name: String,
    kind: &'static str,
    col: i32,
    row: i32,
    on_path: bool,
    cartel: bool,
}

struct Line {
    from: usize,
    to: usize,
    basis: &'static str,
    on_path: bool,
}

#[derive(Default)]
struct Layout {
    nodes: Vec<Node>,
    at: HashMap<String, usize>,
    rows_used: HashMap<i32, i32>,
    lines: Vec<Line>,
}

impl Layout {
    /// The node of `id`, placed in column `col` (the next free row) unless
    /// already placed.
    fn place(&mut self, id: &str, name: &str, kind: &'static str, col: i32, on_path: bool) -> usize {
        if let Some(&i) = self.at.get(id) {
            self.nodes[i].on_path |= on_path;
            return i;
        }
        let row = self.rows_used.entry(col).or_insert(0);
        self.nodes.push(Node { id: id.into(), name: name.into(), kind, col, row: *row, on_path, cartel: false });
        *row += 1;
        self.at.insert(id.into(), self.nodes.len() - 1);
        self.nodes.len() - 1
    }
}

fn kind_class(k: EntityKind) -> &'static str {
    match k {
        EntityKind::Person => "person",
        EntityKind::Organization => "organization",
        EntityKind::Company => "company",
        EntityKind::Vessel => "vessel",
        EntityKind::Aircraft => "aircraft",
        _ => "unknown",
    }
}

fn cut(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(LABEL_CHARS - 1).collect();
        t.push('…');
        t
    }
}

/// The picture of `entity`'s ties and links. `kind_of` gives an entry's
/// kind by id (for path steps). Returns `None` when the entry has neither.
pub fn draw(
    entity: &Entity,
    ties: &[CartelTie],
    linked: &[(&Entity, Direction, LinkVia)],
    kind_of: &dyn Fn(&str) -> Option<EntityKind>,
    label: &str,
) -> Option<Markup> {
    if ties.is_empty() && linked.is_empty() {
        return None;
    }
    let mut g = Layout::default();
    let root = g.place(&entity.id, entity.caption(), kind_class(entity.kind), 0, true);
    for t in ties {
        let mut prev: Option<(usize, &'static str)> = None;
        for (k, step) in t.path.iter().enumerate() {
            let kind = kind_of(&step.id).map(kind_class).unwrap_or("unknown");
            let i = if k == 0 { root } else { g.place(&step.id, &step.name, kind, k as i32, true) };
            if k + 1 == t.path.len() {
                g.nodes[i].cartel = true;
            }
            if let Some((p, basis)) = prev {
                if !g.lines.iter().any(|l| l.from == p && l.to == i) {
                    g.lines.push(Line { from: p, to: i, basis, on_path: true });
                }
            }
            let basis = match step.edge.as_ref().map(|e| e.basis) {
                Some(Basis::Source) => "source",
                _ => "list",
            };
            prev = Some((i, basis));
        }
    }
    let mut more = 0;
    for (n, _, _) in linked {
        if g.at.contains_key(&n.id) {
            if let Some(&i) = g.at.get(&n.id) {
                if !g.lines.iter().any(|l| (l.from == root && l.to == i) || (l.from == i && l.to == root)) {
                    g.lines.push(Line { from: root, to: i, basis: "list", on_path: false });
                }
            }
            continue;
        }
        if g.at.len() > MAX_NEIGHBOURS + ties.iter().map(|t| t.path.len()).sum::<usize>() {
            more += 1;
            continue;
        }
        let i = g.place(&n.id, n.caption(), kind_class(n.kind), 1, false);
        g.lines.push(Line { from: root, to: i, basis: "list", on_path: false });
    }
    let cols = g.nodes.iter().map(|n| n.col).max().unwrap_or(0) + 1;
    let rows = g.nodes.iter().map(|n| n.row).max().unwrap_or(0) + 1 + i32::from(more > 0);
    let width = cols * (NODE_W + COL_GAP) - COL_GAP + 20;
    let height = rows * (NODE_H + ROW_GAP) - ROW_GAP + 20;
    let xy = |n: &Node| (10 + n.col * (NODE_W + COL_GAP), 10 + n.row * (NODE_H + ROW_GAP));
    Some(html! {
        svg.network #network xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(label)
            width=(width) height=(height) viewBox=(format!("0 0 {width} {height}")) {
            title { (label) }
            @for l in &g.lines {
                @let (x1, y1) = xy(&g.nodes[l.from]);
                @let (x2, y2) = xy(&g.nodes[l.to]);
                @let (ax, ay, bx, by) = if g.nodes[l.to].col > g.nodes[l.from].col {
                    (x1 + NODE_W, y1 + NODE_H / 2, x2, y2 + NODE_H / 2)
                } else {
                    (x1 + NODE_W / 2, y1 + NODE_H, x2 + NODE_W / 2, y2)
                };
                line class=(format!("edge basis-{}{}", l.basis, if l.on_path { " on-path" } else { "" }))
                    x1=(ax) y1=(ay) x2=(bx) y2=(by) data-from=(g.nodes[l.from].id) data-to=(g.nodes[l.to].id) {}
            }
            @for n in &g.nodes {
                @let (x, y) = xy(n);
                a href=(format!("/ui/entities/{}", urlencode(&n.id))) {
                    g class=(format!("node kind-{}{}{}", n.kind, if n.on_path { " on-path" } else { "" }, if n.cartel { " cartel" } else { "" }))
                        data-id=(n.id) {
                        title { (n.name) " (" (n.id) ")" }
                        rect x=(x) y=(y) width=(NODE_W) height=(NODE_H) rx="6" {}
                        text x=(x + 8) y=(y + 17) { (cut(&n.name)) }
                        text.id x=(x + 8) y=(y + 33) { (n.id) }
                    }
                }
            }
            @if more > 0 {
                text.more x="10" y=(height - 10) { "+" (more) }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::network::{Edge, PathStep, TieRelation};

    fn entity(id: &str, name: &str, kind: EntityKind) -> Entity {
        let mut e = Entity::new(id, "test", kind);
        e.names.push(crate::engine::model::Name { full: name.into(), role: crate::engine::model::NameRole::Primary });
        e
    }

    fn step(id: &str, basis: Option<Basis>) -> PathStep {
        PathStep {
            id: id.into(),
            name: format!("<{id}>"),
            edge: basis.map(|b| Edge { basis: b, direction: None, via: None, relation: None, source: None }),
        }
    }

    #[test]
    fn the_path_runs_right_and_links_sit_beside_the_entry() {
        let e = entity("a", "A & Co <b>", EntityKind::Company);
        let tie = CartelTie {
            cartel: "CJNG".into(),
            cartel_name: "CJNG".into(),
            depth: 2,
            relation: TieRelation::Linked,
            basis: Basis::Source,
            path: vec![step("a", Some(Basis::List)), step("p", Some(Basis::Source)), step("c", None)],
        };
        let n = entity("n", "Neighbour", EntityKind::Person);
        let p = entity("p", "Person on path", EntityKind::Person);
        let linked = vec![(&n, Direction::LinksTo, LinkVia::LinkedTo), (&p, Direction::LinkedFrom, LinkVia::LinkedTo)];
        let kinds = |id: &str| match id {
            "c" => Some(EntityKind::Organization),
            _ => Some(EntityKind::Person),
        };
        let svg = draw(&e, &[tie], &linked, &kinds, "net").unwrap().into_string();
        assert_eq!(svg.matches("<g class=\"node").count(), 4, "a, p, c and the neighbour, each once: {svg}");
        assert_eq!(svg.matches("on-path\" x1").count(), 2, "two highlighted edges");
        assert!(svg.contains("edge basis-source on-path"), "the registry step is drawn dashed");
        assert!(svg.contains("class=\"node kind-organization on-path cartel\" data-id=\"c\""));
        assert!(svg.contains("A &amp; Co &lt;b&gt;"), "labels are escaped");
        assert!(svg.contains("href=\"/ui/entities/n\""));
    }

    #[test]
    fn nothing_to_draw_without_ties_or_links() {
        let e = entity("a", "A", EntityKind::Company);
        assert!(draw(&e, &[], &[], &|_| None, "net").is_none());
    }
}
