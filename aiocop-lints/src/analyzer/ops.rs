//! The operations the analyzer reports: every catalog entry plus the user's extra blocking paths,
//! minus the allowed ones, indexed the two ways calls are looked up (by full path, by method name).

use std::collections::{HashMap, HashSet};

use crate::catalog::{self, Callee};

use super::config::{Config, ExtraBlocking};
use super::summary::DepSummary;

/// Index of an operation in an [`OpTable`].
pub(crate) type OpId = usize;

/// One operation the analyzer knows blocks.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    /// Event name: the catalog's, or the configured path.
    pub(crate) event: String,
    pub(crate) weight: u32,
    /// Catalog category name, or `custom` for configured paths.
    pub(crate) category: String,
    /// What to use instead, when known.
    pub(crate) alternative: Option<String>,
    /// For a dependency's function that blocks: the chain inside the dependency.
    pub(crate) via: Option<Box<DepSummary>>,
}

/// A method operation's receiver rule.
#[derive(Debug, Clone)]
struct MethodOp {
    op: OpId,
    receiver: String,
    via_trait: Option<String>,
}

/// The lookup structure the walker consults for every call.
#[derive(Debug, Default)]
pub(crate) struct OpTable {
    ops: Vec<Op>,
    by_path: HashMap<String, OpId>,
    by_method: HashMap<String, Vec<MethodOp>>,
    /// Every known path and each of its prefixes (`std`, `std::fs`, `std::fs::File`), so that
    /// a glob import can tell whether `std::fs::*` brings a name in.
    known_prefixes: HashSet<String>,
    /// Traits whose methods are reported on any receiver once the trait is in scope
    /// (catalog entries whose receiver is the trait itself).
    receiver_traits: HashSet<String>,
    allowed: HashSet<String>,
    /// Functions and methods whose closure arguments run off the async worker.
    offloaders: HashSet<String>,
    /// Operations whose only possible wait is resolving a host name in their address argument
    /// (binds, a UDP connect): never reported on a literal address.
    address_ops: HashSet<OpId>,
}

/// Operations that take an address and wait only if it names a host to resolve.
const ADDRESS_OPS: &[&str] = &[
    "std::net::TcpListener::bind",
    "std::net::UdpSocket::bind",
    "std::net::UdpSocket::connect",
];

impl OpTable {
    /// The catalog, extended and filtered by `config`.
    pub(crate) fn new(config: &Config) -> Self {
        let mut table = OpTable {
            allowed: config.allow.iter().cloned().collect(),
            offloaders: catalog::KNOWN_OFFLOADERS
                .iter()
                .map(|p| p.to_string())
                .chain(config.offload.iter().cloned())
                .collect(),
            ..OpTable::default()
        };
        let report_trivial = config.report_trivial.unwrap_or(false);
        for entry in catalog::CATALOG {
            if table.allowed.contains(entry.event) {
                continue;
            }
            let weight = if catalog::NEVER_WAITS.contains(&entry.event) {
                catalog::WEIGHT_TRIVIAL
            } else {
                entry.weight
            };
            // Trivial operations are not findings unless asked for: a default run reports
            // what blocks and nothing else.
            if weight == catalog::WEIGHT_TRIVIAL && !report_trivial {
                continue;
            }
            let op = table.push(Op {
                event: entry.event.to_string(),
                weight,
                category: entry.category.as_str().to_string(),
                alternative: Some(entry.alternative.to_string()),
                via: None,
            });
            match entry.callee {
                Callee::Function { path } => table.add_path(path, op),
                Callee::Method {
                    receiver,
                    method,
                    via_trait,
                } => table.add_method(receiver, method, via_trait, op),
            }
            if ADDRESS_OPS.contains(&entry.event) {
                table.address_ops.insert(op);
            }
        }
        // Known dependency operations first, so that a configured entry for the same path
        // (a new weight, say) replaces them.
        for extra in super::deps::dependency_ops() {
            table.add_extra(&extra);
        }
        for extra in &config.blocking {
            table.add_extra(extra);
        }
        table
    }

    fn push(&mut self, op: Op) -> OpId {
        self.ops.push(op);
        self.ops.len() - 1
    }

    fn add_path(&mut self, path: &str, op: OpId) {
        self.by_path.entry(path.to_string()).or_insert(op);
        self.add_prefixes(path);
    }

    fn add_method(&mut self, receiver: &str, method: &str, via_trait: Option<&str>, op: OpId) {
        if via_trait == Some(receiver) {
            self.receiver_traits.insert(receiver.to_string());
        }
        self.by_method
            .entry(method.to_string())
            .or_default()
            .push(MethodOp {
                op,
                receiver: receiver.to_string(),
                via_trait: via_trait.map(str::to_string),
            });
        // `Type::method(&value)` and `Trait::method(&value)` call the same operation.
        let ufcs = format!("{receiver}::{method}");
        self.by_path.entry(ufcs.clone()).or_insert(op);
        self.add_prefixes(&ufcs);
        if let Some(tr) = via_trait {
            self.add_prefixes(&format!("{tr}::{method}"));
        }
    }

    fn add_extra(&mut self, extra: &ExtraBlocking) {
        if self.allowed.contains(&extra.path) {
            return;
        }
        let op = self.push(Op {
            event: extra.event.clone().unwrap_or_else(|| extra.path.clone()),
            weight: extra.weight,
            category: extra
                .category
                .clone()
                .unwrap_or_else(|| "custom".to_string()),
            alternative: extra.alternative.clone(),
            via: None,
        });
        // A configured path is a function (`reqwest::blocking::get`) or a method on a type
        // (`mylib::Client::query`); the syntax cannot tell, so it is indexed both ways.
        self.by_path.insert(extra.path.clone(), op);
        self.add_prefixes(&extra.path);
        if let Some((receiver, method)) = extra.path.rsplit_once("::") {
            self.by_method
                .entry(method.to_string())
                .or_default()
                .insert(
                    0,
                    MethodOp {
                        op,
                        receiver: receiver.to_string(),
                        via_trait: None,
                    },
                );
        }
    }

    /// Adds a dependency's blocking function under each of its paths (as a function, and as a
    /// method of the type its path names). Entries already known for a path (the catalog, the
    /// configuration, the dependency table) keep it.
    pub(crate) fn add_dependency(&mut self, summary: &DepSummary) {
        if summary.paths.iter().any(|p| self.allowed.contains(p)) {
            return;
        }
        let op = self.push(Op {
            event: summary.event.clone(),
            weight: summary.weight,
            category: summary.category.clone(),
            alternative: summary.alternative.clone(),
            via: Some(Box::new(summary.clone())),
        });
        for path in &summary.paths {
            if self.by_path.contains_key(path) {
                continue;
            }
            self.by_path.insert(path.clone(), op);
            self.add_prefixes(path);
            if let Some((receiver, method)) = path.rsplit_once("::") {
                self.by_method
                    .entry(method.to_string())
                    .or_default()
                    .push(MethodOp {
                        op,
                        receiver: receiver.to_string(),
                        via_trait: None,
                    });
            }
        }
    }

    fn add_prefixes(&mut self, path: &str) {
        let mut end = 0;
        for seg in path.split("::") {
            end += seg.len();
            self.known_prefixes.insert(path[..end].to_string());
            end += 2;
        }
    }

    pub(crate) fn op(&self, id: OpId) -> &Op {
        &self.ops[id]
    }

    /// The operation called by this full path: a function, or a method called by path.
    pub(crate) fn by_path(&self, path: &str) -> Option<OpId> {
        self.by_path.get(path).copied()
    }

    /// Whether `path` names something the table knows (an operation or a module/type on the
    /// way to one).
    pub(crate) fn knows(&self, path: &str) -> bool {
        self.known_prefixes.contains(path)
    }

    /// The operation `method` names on a receiver of type `receiver` (a full type path).
    pub(crate) fn method_on(&self, receiver: &str, method: &str) -> Option<OpId> {
        self.by_method
            .get(method)?
            .iter()
            .find(|m| m.receiver == receiver)
            .map(|m| m.op)
    }

    /// The operation called as `Trait::method(first_arg, ..)`, given the first argument's type.
    pub(crate) fn trait_call(
        &self,
        tr: &str,
        method: &str,
        receiver: Option<&str>,
    ) -> Option<OpId> {
        self.by_method.get(method)?.iter().find_map(|m| {
            let trait_matches = m.via_trait.as_deref() == Some(tr);
            let receiver_matches = m.receiver == tr || Some(m.receiver.as_str()) == receiver;
            (trait_matches && receiver_matches).then_some(m.op)
        })
    }

    /// The operation `method` names on any receiver once `in_scope` says its trait is imported
    /// (catalog entries whose receiver is the trait itself, such as `ToSocketAddrs`).
    pub(crate) fn trait_method(
        &self,
        method: &str,
        in_scope: impl Fn(&str) -> bool,
    ) -> Option<OpId> {
        self.by_method.get(method)?.iter().find_map(|m| {
            let tr = m.via_trait.as_deref()?;
            (m.receiver == tr && self.receiver_traits.contains(tr) && in_scope(tr)).then_some(m.op)
        })
    }

    /// Whether calling `path` (a function, or `Type::method`) runs its closure arguments off
    /// the async worker: a known executor's call or one declared in the configuration.
    pub(crate) fn is_offloader(&self, path: &str) -> bool {
        self.offloaders.contains(path)
    }

    /// Whether configured offloaders include methods named `method` (then the receiver's type
    /// is worth working out).
    pub(crate) fn offloads_some_method(&self, method: &str) -> bool {
        self.offloaders
            .iter()
            .any(|p| p.rsplit_once("::").is_some_and(|(_, m)| m == method))
    }

    /// Whether the operation waits only to resolve its address argument.
    pub(crate) fn takes_address(&self, op: OpId) -> bool {
        self.address_ops.contains(&op)
    }

    /// Whether a same-crate function or method path is allowed by the configuration.
    pub(crate) fn is_allowed(&self, path: &str) -> bool {
        self.allowed.contains(path)
    }
}
