//! Same-crate sync functions, what each blocks on directly and which others it calls, and for
//! each the heaviest blocking operation it reaches, through the shortest chain of calls.
//!
//! A step (a blocking operation, or a call) that runs only when an optional input of its
//! function is set (`if let Some(path) = config.key_log { File::create(path) }`, `if self.verbose`)
//! is *conditional* on that input: the function blocks only when its caller sets it. The
//! condition is carried up through callers that pass the input on (`new(config)` calling
//! `new_impl(config)`), and a call site whose argument visibly leaves it unset (`None`, `false`,
//! or a value built by same-crate constructors and builder methods none of which sets it) does
//! not block through that chain. A function that blocks unconditionally is always preferred to a
//! conditional way of blocking, whatever their weights.

use std::collections::HashMap;
use std::rc::Rc;

use super::Location;
use super::ops::{OpId, OpTable};

/// A condition on a function's input: the parameter at position `param` (a method's receiver
/// is position 0), through the fields `fields` (none: the parameter itself), is `Some(..)` or
/// `true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cond {
    pub(crate) param: usize,
    pub(crate) fields: Vec<String>,
}

/// A call from one sync function to another.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) callee: String,
    pub(crate) at: Location,
    /// The condition the call runs under, if any.
    pub(crate) guard: Option<Rc<Cond>>,
    /// For each of the callee's parameters (by position), the caller's parameter and fields it
    /// is passed (`new_impl(config)` inside `new(config: Config)`), if it is one.
    pub(crate) args: Vec<Option<(usize, Vec<String>)>>,
}

/// One sync function's body, as the walker saw it.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// How the function is named in chains: `load_config`, `Config::load`.
    pub(crate) label: String,
    /// Blocking operations called directly, in source order, each with the condition it runs
    /// under.
    pub(crate) direct: Vec<(OpId, Location, Option<Rc<Cond>>)>,
    /// Same-crate functions called, in source order.
    pub(crate) calls: Vec<Call>,

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

#[derive(Debug, Clone)]
struct Best {
    weight: u32,
    len: usize,
    via: Via,
    /// The condition on the function's inputs under which it blocks this way.
    cond: Option<Rc<Cond>>,
}

impl Best {
    /// Unconditional before conditional, then heavier, then shorter.
    fn beats(&self, other: Option<&Best>) -> bool {
        other.is_none_or(|o| match (self.cond.is_some(), o.cond.is_some()) {
            (false, true) => true,
            (true, false) => false,
            _ => self.weight > o.weight || (self.weight == o.weight && self.len < o.len),
        })
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
    /// The condition on the called function's inputs under which the chain is taken.
    pub(crate) cond: Option<Rc<Cond>>,
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
            for call in &self.nodes[key].calls {
                callers
                    .entry(call.callee.as_str())
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
            cond: None,
        });
        for (i, (op, _, guard)) in node.direct.iter().enumerate() {
            let b = Best {
                weight: ops.op(*op).weight,
                len: 1,
                via: Via::Op(*op, i),
                cond: guard.clone(),
            };
            if b.beats(candidate.as_ref()) {
                candidate = Some(b);
            }
        }
        for (i, call) in node.calls.iter().enumerate() {
            if let Some(c) = best.get(&call.callee) {
                // The call's own guard, else the callee's condition on what this function
                // passes it: on one of this function's inputs when it passes one on, else
                // (a value of its own making) unconditional.
                let cond = call.guard.clone().or_else(|| {
                    let inner = c.cond.as_ref()?;
                    let (param, prefix) = call.args.get(inner.param)?.as_ref()?;
                    let mut fields = prefix.clone();
                    fields.extend(inner.fields.iter().cloned());
                    Some(Rc::new(Cond {
                        param: *param,
                        fields,
                    }))
                });
                let b = Best {
                    weight: c.weight,
                    len: c.len + 1,
                    via: Via::Call(i),
                    cond,
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
        let cond = self.best.get(key)?.cond.clone();
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
                        cond,
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
                        cond,
                    });
                }
                Via::Call(i) => {
                    let call = &node.calls[i];
                    at = Some(call.at.clone());
                    current = &call.callee;
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
