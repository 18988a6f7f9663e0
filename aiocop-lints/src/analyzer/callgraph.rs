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

    /// Computes every function's heaviest reachable operation, through the shortest chain.
    ///
    /// A worklist: a function is re-evaluated only when one it calls improves, so the work is
    /// linear in the size of the graph for chains however deep (and cycles end, since a
    /// function's best only ever improves). Once stable, each function's step is picked again
    /// as the first in source order that reaches the best, so the result does not depend on
    /// the order the worklist ran in.
    pub(crate) fn solve(&mut self, ops: &OpTable) {
        let mut keys: Vec<&String> = self.nodes.keys().collect();
        keys.sort();
        let keys: Vec<String> = keys.into_iter().cloned().collect();
        let mut callers: HashMap<&str, Vec<&str>> = HashMap::new();
        for key in &keys {
            for (callee, _) in &self.nodes[key].calls {
                callers
                    .entry(callee.as_str())
                    .or_default()
                    .push(key.as_str());
            }
        }
        let mut best: HashMap<String, Best> = HashMap::new();
        let mut queue: std::collections::VecDeque<&str> = keys.iter().map(String::as_str).collect();
        let mut queued: std::collections::HashSet<&str> = queue.iter().copied().collect();
        while let Some(key) = queue.pop_front() {
            queued.remove(key);
            let Some(candidate) = self.evaluate(key, &best, ops) else {
                continue;
            };
            if candidate.beats(best.get(key)) {
                best.insert(key.to_string(), candidate);
                for caller in callers.get(key).into_iter().flatten() {
                    if queued.insert(caller) {
                        queue.push_back(caller);
                    }
                }
            }
        }
        for key in &keys {
            if let Some(b) = self.evaluate(key, &best, ops) {
                best.insert(key.clone(), b);
            }
        }
        self.best = best;
    }

    /// The best way `key` blocks given what the functions it calls are known to reach: the
    /// first in source order (declared, then direct operations, then calls) of the heaviest
    /// and shortest.
    fn evaluate(&self, key: &str, best: &HashMap<String, Best>, ops: &OpTable) -> Option<Best> {
        let node = &self.nodes[key];
        if node.allowed {
            return None;
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
        candidate
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

    /// The keys of the functions that block, sorted.
    pub(crate) fn blocking_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.best.keys().cloned().collect();
        keys.sort();
        keys
    }

    /// The functions declared `#[aiocop::blocking]`: key, event name, weight.
    pub(crate) fn declared(&self) -> Vec<(String, String, u32)> {
        let mut out: Vec<(String, String, u32)> = self
            .nodes
            .iter()
            .filter_map(|(key, node)| {
                let (event, weight) = node.declared.clone()?;
                Some((key.clone(), event, weight))
            })
            .collect();
        out.sort();
        out
    }

    pub(crate) fn label(&self, key: &str) -> Option<&str> {
        self.nodes.get(key).map(|n| n.label.as_str())
    }
}
