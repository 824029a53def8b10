//! `cartelscreen cartels`: each cartel's network by depth and basis, and
//! `cartels show CODE` one network as text, JSON or a Graphviz graph.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};

use super::{load, outln, print_json};
use cartelscreen::config::Settings;
use cartelscreen::engine::network::{Basis, CartelNetwork};

/// `cartels` options.
#[derive(Args, Debug)]
pub struct CartelsArgs {
    #[command(subcommand)]
    pub command: Option<CartelsCommand>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `cartels` subcommands.
#[derive(Subcommand, Debug)]
pub enum CartelsCommand {
    /// One cartel's network: every tied entry with its path, source and basis.
    Show {
        /// The cartel's code: CDS, CJNG, CDN, CDG, LNFM or CU.
        code: String,
        /// text (a table), json (nodes and edges) or dot (Graphviz).
        #[arg(long, value_enum, default_value_t = NetworkFormat::Text)]
        format: NetworkFormat,
    },
}

/// How `cartels show` prints a network.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum NetworkFormat {
    /// A table, one tied entry a line.
    Text,
    /// Nodes and edges, as `GET /v1/cartels/{code}/network` answers.
    Json,
    /// A Graphviz graph (`dot -Tsvg`).
    Dot,
}

/// Runs `cartels`.
pub fn run(settings: &Settings, extra: &[PathBuf], a: CartelsArgs) -> Result<ExitCode> {
    let screener = load(settings, extra)?;
    match a.command {
        None => {
            let sizes = screener.network().sizes(screener.registry());
            if a.json {
                return print_json(&sizes).map(|_| ExitCode::SUCCESS);
            }
            outln!(
                "{:<5} {:<38} {:>7} {:>6} {:>7}  by depth (1, 2, ...)",
                "code",
                "cartel",
                "entries",
                "list",
                "source"
            );
            for (c, n) in screener.registry().cartels.iter().zip(&sizes) {
                let depths: Vec<String> = n.by_depth.iter().map(|d| d.to_string()).collect();
                outln!(
                    "{:<5} {:<38} {:>7} {:>6} {:>7}  {}",
                    c.code,
                    c.name,
                    n.total,
                    n.by_list,
                    n.by_source,
                    depths.join(", ")
                );
            }
        }
        Some(CartelsCommand::Show { code, format }) => {
            let Some(net) = screener.cartel_network(&code) else {
                let codes: Vec<&str> = screener.registry().cartels.iter().map(|c| c.code.as_str()).collect();
                bail!("unknown cartel code `{code}` (use one of {})", codes.join(", "));
            };
            match format {
                NetworkFormat::Json => print_json(&net)?,
                NetworkFormat::Dot => outln!("{}", dot(&net)),
                NetworkFormat::Text => text(&net),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn text(net: &CartelNetwork) {
    outln!(
        "{} {}: {} entries tied (list {}, source {})",
        net.cartel,
        net.cartel_name,
        net.size.total,
        net.size.by_list,
        net.size.by_source
    );
    outln!();
    outln!("{:>5}  {:<10} {:<7} {:<14} {:<44} next step", "depth", "relation", "basis", "entity", "name");
    for n in &net.nodes {
        let next = net.edges.iter().find(|e| e.from == n.id);
        let how = next.map_or("-".to_string(), |e| format!("{} {}", e.edge.describe(), e.to));
        let name: String = n.name.chars().take(44).collect();
        outln!(
            "{:>5}  {:<10} {:<7} {:<14} {:<44} {how}{}",
            n.depth,
            n.relation.as_str(),
            n.basis.as_str(),
            n.id,
            name,
            if n.hub { " (hub)" } else { "" }
        );
    }
}

/// The network as a Graphviz digraph: edges point towards the cartel,
/// solid for list links, dashed for registry rows labelled with their
/// relation.
fn dot(net: &CartelNetwork) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = format!("digraph \"{}\" {{\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n", esc(&net.cartel));
    for n in &net.nodes {
        let shape = match n.depth {
            0 => ", shape=doubleoctagon",
            _ if n.kind == cartelscreen::engine::model::EntityKind::Person => ", shape=ellipse",
            _ => "",
        };
        out.push_str(&format!("  \"{}\" [label=\"{}\\n{}\"{shape}];\n", esc(&n.id), esc(&n.name), esc(&n.id)));
    }
    for e in &net.edges {
        let (style, label) = match e.edge.basis {
            Basis::List => ("solid", "Linked To".to_string()),
            Basis::Source => ("dashed", e.edge.relation.map_or("source", |r| r.as_str()).to_string()),
        };
        out.push_str(&format!(
            "  \"{}\" -> \"{}\" [style={style}, label=\"{}\"];\n",
            esc(&e.from),
            esc(&e.to),
            esc(&label)
        ));
    }
    out.push('}');
    out
}
