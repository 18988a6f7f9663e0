//! Where the walker is: the execution context of the code being read (an async body, a sync
//! function, or a closure handed to another thread) and the local variables visible there
//! with their types.

use std::collections::HashMap;

use syn::Pat;

use super::types::{OPTION, RESULT, Ty};

/// The kind of async body a blocking call was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AsyncKind {
    Fn,
    Block,
    Closure,
}

impl AsyncKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AsyncKind::Fn => "async fn",
            AsyncKind::Block => "async block",
            AsyncKind::Closure => "async closure",
        }
    }
}

/// The execution context of the code being read.
#[derive(Debug, Clone)]
pub(crate) enum Ctx {
    /// Runs on an async runtime worker: blocking calls here are findings.
    Async {
        kind: AsyncKind,
        /// The function the body belongs to (`handler`, `Server::handle`).
        function: String,
    },
    /// A sync function's body: blocking calls here make the function blocking.
    SyncFn { key: String },
    /// A closure handed to `spawn_blocking`, `block_in_place` or a thread: blocking is fine.
    Offloaded,
}

impl Ctx {
    /// How the context is named in a chain: `handler`, `main (async block)`.
    pub(crate) fn chain_name(&self) -> String {
        match self {
            Ctx::Async {
                kind: AsyncKind::Fn,
                function,
            } => function.clone(),
            Ctx::Async { kind, function } => format!("{function} ({})", kind.as_str()),
            Ctx::SyncFn { key } => key.clone(),
            Ctx::Offloaded => "offloaded closure".to_string(),
        }
    }

    /// How the context is described in a message: "async fn `handler`".
    pub(crate) fn describe(&self) -> String {
        match self {
            Ctx::Async {
                kind: AsyncKind::Fn,
                function,
            } => format!("async fn `{function}`"),
            Ctx::Async { kind, function } => format!("{} in `{function}`", kind.as_str()),
            Ctx::SyncFn { key } => format!("fn `{key}`"),
            Ctx::Offloaded => "an offloaded closure".to_string(),
        }
    }
}

/// Where a local's value visibly comes from, as far as the conditional-chain and bounded-channel
/// rules need it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Nothing evident (or the local is `mut`, so it may have changed since).
    #[default]
    Unknown,
    /// The function's parameter at this position (the receiver is position 0 of a method).
    Param(usize),
    /// Built by a chain of same-crate calls: a constructor then builder methods taking and
    /// returning the value (`Config::new().with_x(..)`), by their function keys.
    Built(std::rc::Rc<[String]>),
    /// `None` or `false`: an optional input that is off.
    Off,
    /// The sender of a local `sync_channel(n)` whose sends in that scope are at most `n`, none
    /// of them repeated (no loop or repeatable closure around it): its sends never wait.
    BoundedSender,
}

/// Local variables, their types and origins, innermost frame last.
#[derive(Default)]
pub(crate) struct Locals {
    frames: Vec<HashMap<String, (Ty, Origin)>>,
}

impl Locals {
    pub(crate) fn push(&mut self) {
        self.frames.push(HashMap::new());
    }

    pub(crate) fn pop(&mut self) {
        self.frames.pop();
    }

    pub(crate) fn get(&self, name: &str) -> Option<&Ty> {
        self.frames
            .iter()
            .rev()
            .find_map(|f| f.get(name))
            .map(|(ty, _)| ty)
    }

    /// Where the local `name` (the innermost one of that name) comes from.
    pub(crate) fn origin(&self, name: &str) -> Origin {
        self.frames
            .iter()
            .rev()
            .find_map(|f| f.get(name))
            .map(|(_, origin)| origin.clone())
            .unwrap_or_default()
    }

    /// Sets the origin of the innermost local `name`, if it is bound.
    pub(crate) fn set_origin(&mut self, name: &str, origin: Origin) {
        if let Some(entry) = self.frames.iter_mut().rev().find_map(|f| f.get_mut(name)) {
            entry.1 = origin;
        }
    }

    /// Binds one name in the innermost frame.
    pub(crate) fn set(&mut self, name: &str, ty: Ty) {
        self.insert(name.to_string(), ty);
    }

    fn insert(&mut self, name: String, ty: Ty) {
        if self.frames.is_empty() {
            self.frames.push(HashMap::new());
        }
        if let Some(frame) = self.frames.last_mut() {
            frame.insert(name, (ty, Origin::Unknown));
        }
    }

    /// Binds the names of `pat` matched against a value of type `ty`. Every name is bound,
    /// `Unknown` where the type is not evident, so that shadowing hides outer types.
    /// `declared` turns a written type into a [`Ty`]; `struct_field` gives the type of a field
    /// of a struct pattern: given the struct's type (or its pattern's path when the value's
    /// type is unknown) and the field's name.
    pub(crate) fn bind(
        &mut self,
        pat: &Pat,
        ty: Ty,
        declared: &mut dyn FnMut(&syn::Type) -> Ty,
        struct_field: &mut dyn FnMut(&Ty, &syn::Path, &str) -> Ty,
    ) {
        match pat {
            Pat::Ident(p) => {
                if let Some((_, sub)) = &p.subpat {
                    self.bind(sub, ty.clone(), declared, struct_field);
                }
                self.insert(p.ident.to_string(), ty);
            }
            Pat::Type(p) => {
                let ty = declared(&p.ty);
                self.bind(&p.pat, ty, declared, struct_field);
            }
            Pat::Reference(p) => self.bind(&p.pat, ty, declared, struct_field),
            Pat::Paren(p) => self.bind(&p.pat, ty, declared, struct_field),
            Pat::Tuple(t) => {
                let elems = match ty {
                    Ty::Tuple(elems) => elems,
                    _ => Vec::new(),
                };
                for (i, p) in t.elems.iter().enumerate() {
                    self.bind(
                        p,
                        elems.get(i).cloned().unwrap_or(Ty::Unknown),
                        declared,
                        struct_field,
                    );
                }
            }
            Pat::TupleStruct(t) => {
                let variant = t.path.segments.last().map(|s| s.ident.to_string());
                let wraps = matches!(&ty, Ty::Named(n, _) if n == RESULT || n == OPTION);
                let inner = match variant.as_deref() {
                    Some("Ok" | "Some") if wraps => ty.unwrapped(),
                    _ => Ty::Unknown,
                };
                for p in &t.elems {
                    self.bind(p, inner.clone(), declared, struct_field);
                }
            }
            Pat::Struct(s) => {
                for field in &s.fields {
                    let field_ty = match &field.member {
                        syn::Member::Named(name) => struct_field(&ty, &s.path, &name.to_string()),
                        syn::Member::Unnamed(i) => struct_field(&ty, &s.path, &i.index.to_string()),
                    };
                    self.bind(&field.pat, field_ty, declared, struct_field);
                }
            }
            Pat::Slice(s) => {
                for p in &s.elems {
                    self.bind(p, Ty::Unknown, declared, struct_field);
                }
            }
            Pat::Or(o) => {
                for p in &o.cases {
                    self.bind(p, ty.clone(), declared, struct_field);
                }
            }
            _ => {}
        }
    }
}
