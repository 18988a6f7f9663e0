//! Same-crate sync functions, what each blocks on directly and which others it calls, and for
//! each the heaviest blocking operation it reaches, through the shortest chain of calls.

use std::collections::HashMap;

use super::Location;
use super::ops::{OpId, OpTable};

/// One sync function's body, as the walker saw it.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// How the function is named in chains: `load_config`, `Config::load`.
    pub(crate) label: String,
    /// Blocking operations called directly, in source order.
    pub(crate) direct: Vec<(OpId, Location)>,
    /// Same-crate functions called, in source order.
    pub(crate) calls: Vec<(String, Location)>,
    /// Whether the function is allowed to block (attribute or configuration).
    pub(crate) allowed: bool,
    /// Set when the function is declared blocking with `#[aiocop::blocking]`: its event name
    /// and weight.
    pub(crate) declared: Option<(String, u32)>,
}

/// How a function reaches its heaviest blocking operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Op(OpId, usize),
    Call(usize),
    Declared,
}

#[derive(Debug, Clone, Copy)]
struct Best {
    weight: u32,
    len: usize,
    via: Via,
}

impl Best {
    fn beats(&self, other: Option<&Best>) -> bool {
        other
            .is_none_or(|o| self.weight > o.weight || (self.weight == o.weight && self.len < o.len))
    }
}

/// One step of a chain: the name of a function or operation, and where the step is taken.
#[derive(Debug, Clone)]
pub(crate) struct Hop {
    pub(crate) name: String,
    pub(crate) at: Location,
}

/// The operation a chain ends in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Terminal {
    /// A catalog or configured operation.
    Op(OpId),
    /// A function declared blocking with `#[aiocop::blocking]`: its event name and weight.
    Declared(String, u32),
}

/// A blocking chain from a function to an operation.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub(crate) terminal: Terminal,
    /// The functions called, then the operation; each with the location of the call into it.
    pub(crate) hops: Vec<Hop>,
}

/// The sync functions of one crate.
#[derive(Debug, Default)]
pub(crate) struct CallGraph {
    nodes: HashMap<String, Node>,
    best: HashMap<String, Best>,
}

impl CallGraph {
    pub(crate) fn node(&mut self, key: &str, label: &str) -> &mut Node {
        self.nodes.entry(key.to_string()).or_insert_with(|| Node {
            label: label.to_string(),
            ..Node::default()
        })
    }

    /// Computes every function's heaviest reachable operation (a fixpoint: cycles are fine).
    pub(crate) fn solve(&mut self, ops: &OpTable) {
        let mut keys: Vec<&String> = self.nodes.keys().collect();
        keys.sort();
        let keys: Vec<String> = keys.into_iter().cloned().collect();
        let mut best: HashMap<String, Best> = HashMap::new();
        loop {
            let mut changed = false;
            for key in &keys {
                let node = &self.nodes[key];
                if node.allowed {
                    continue;
                }
                let mut candidate: Option<Best> = node.declared.as_ref().map(|(_, weight)| Best {
                    weight: *weight,
                    len: 1,
                    via: Via::Declared,
                });
                for (i, (op, _)) in node.direct.iter().enumerate() {
                    let b = Best {
                        weight: ops.op(*op).weight,
                        len: 1,
                        via: Via::Op(*op, i),
                    };
                    if b.beats(candidate.as_ref()) {
                        candidate = Some(b);
                    }
                }
                for (i, (callee, _)) in node.calls.iter().enumerate() {
                    if let Some(c) = best.get(callee) {
                        let b = Best {
                            weight: c.weight,
                            len: c.len + 1,
                            via: Via::Call(i),
                        };
                        if b.beats(candidate.as_ref()) {
                            candidate = Some(b);
                        }
                    }
                }
                if let Some(c) = candidate
                    && c.beats(best.get(key))
                {
                    best.insert(key.clone(), c);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        self.best = best;
    }

    /// The chain by which the function `key`, called at `entry`, blocks, if it does.
    pub(crate) fn chain(&self, key: &str, entry: &Location, ops: &OpTable) -> Option<Chain> {
        let mut hops = Vec::new();
        let mut current = key;
        let mut at = Some(entry.clone());
        // A chain is never longer than the graph; the bound guards against a corrupt `best`.
        for _ in 0..=self.nodes.len() {
            let best = self.best.get(current)?;
            let node = &self.nodes[current];
            if let Some(at) = at.take() {
                hops.push(Hop {
                    name: node.label.clone(),
                    at,
                });
            }
            match best.via {
                Via::Op(op, i) => {
                    hops.push(Hop {
                        name: ops.op(op).event.clone(),
                        at: node.direct[i].1.clone(),
                    });
                    return Some(Chain {
                        terminal: Terminal::Op(op),
                        hops,
                    });
                }
                Via::Declared => {
                    let (event, weight) = node.declared.clone()?;
                    if let Some(last) = hops.last_mut() {
                        // The declared function is the operation: its hop takes the event name.
                        last.name = event.clone();
                    }
                    return Some(Chain {
                        terminal: Terminal::Declared(event, weight),
                        hops,
                    });
                }
                Via::Call(i) => {
                    let (callee, loc) = &node.calls[i];
                    at = Some(loc.clone());
                    current = callee;
                }
            }
        }
        None
    }

    pub(crate) fn label(&self, key: &str) -> Option<&str> {
        self.nodes.get(key).map(|n| n.label.as_str())
    }
}
