//! The names a monitored function binds or declares, and what they tell the rewriter.
//!
//! One set, gathered before any call is rewritten from the parameters and the whole body (not
//! scoped: a name bound anywhere counts everywhere). It answers three questions: does a path call
//! start at a name that shadows std's (`read(x)` with `let read = |x| ..`), is an argument a place
//! rooted at a binding (shown by value), and may a place be borrowed with `&raw const`.

use std::collections::HashSet;

use syn::visit::Visit;
use syn::{Block, Expr, Ident};

/// Names the parameters and the body bind or declare: a call through one of them (`read(x)` with
/// `let read = |x| ..`, `sleep(d)` with a parameter `sleep: impl Fn(Duration)`, `sleep(d)` after
/// `use tokio::time::sleep`, `fs::read(p)` with a nested `mod fs`) is not std's.
#[derive(Default)]
pub(super) struct Bindings(HashSet<String>);

impl Bindings {
    /// The names `sig`'s parameters and `block` bind or declare.
    pub(super) fn of(sig: &syn::Signature, block: &Block) -> Self {
        let mut bindings = Bindings::default();
        for input in &sig.inputs {
            if let syn::FnArg::Typed(typed) = input {
                bindings.visit_pat(&typed.pat);
            }
        }
        bindings.visit_block(block);
        bindings
    }

    /// Whether `name` is bound or declared in the function.
    pub(super) fn contains(&self, name: &str) -> bool {
        self.0.contains(name)
    }

    fn add(&mut self, ident: &Ident) {
        self.0.insert(ident.to_string());
    }

    /// The names a nested `use` brings in, unless they come from std (`use std::thread::sleep`).
    fn add_use(&mut self, tree: &syn::UseTree, from_std: Option<bool>) {
        let std_root =
            |ident: &Ident| matches!(ident.to_string().as_str(), "std" | "core" | "alloc");
        match tree {
            syn::UseTree::Path(path) => {
                let from_std = from_std.unwrap_or_else(|| std_root(&path.ident));
                self.add_use(&path.tree, Some(from_std));
            }
            syn::UseTree::Name(name) => {
                if !from_std.unwrap_or_else(|| std_root(&name.ident)) {
                    self.add(&name.ident);
                }
            }
            syn::UseTree::Rename(rename) => self.add(&rename.rename),
            syn::UseTree::Group(group) => {
                for tree in &group.items {
                    self.add_use(tree, from_std);
                }
            }
            syn::UseTree::Glob(_) => {}
        }
    }

    /// Whether the place `expr` starts at a parameter, a local binding or a constant.
    pub(super) fn roots(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Path(p) => {
                let Some(last) = p.path.segments.last() else {
                    return false;
                };
                let name = last.ident.to_string();
                let constant = name.chars().any(|c| c.is_ascii_uppercase())
                    && !name.chars().any(|c| c.is_lowercase());
                constant || (p.path.segments.len() == 1 && (name == "self" || self.contains(&name)))
            }
            Expr::Field(f) => self.roots(&f.base),
            Expr::Paren(p) => self.roots(&p.expr),
            Expr::Unary(u) => self.roots(&u.expr),
            Expr::Index(i) => self.roots(&i.expr),
            _ => false,
        }
    }

    /// Whether `&raw const place` is allowed: the place ends in a dereference or in a binding,
    /// not in a temporary or a constant (error E0745).
    pub(super) fn raw_borrowable(&self, place: &Expr) -> bool {
        match place {
            Expr::Path(path) => {
                path.qself.is_none()
                    && path.path.segments.len() == 1
                    && (path.path.segments[0].ident == "self"
                        || self.contains(&path.path.segments[0].ident.to_string()))
            }
            Expr::Field(field) => self.raw_borrowable(&field.base),
            Expr::Index(index) => self.raw_borrowable(&index.expr),
            Expr::Paren(paren) => self.raw_borrowable(&paren.expr),
            Expr::Unary(unary) => matches!(unary.op, syn::UnOp::Deref(_)),
            _ => false,
        }
    }
}

impl<'ast> Visit<'ast> for Bindings {
    fn visit_pat_ident(&mut self, pat: &'ast syn::PatIdent) {
        self.add(&pat.ident);
        syn::visit::visit_pat_ident(self, pat);
    }

    // A nested item shadows a std name of the same name; its own body is not monitored.
    fn visit_item(&mut self, item: &'ast syn::Item) {
        match item {
            syn::Item::Fn(f) => self.add(&f.sig.ident),
            syn::Item::Mod(m) => self.add(&m.ident),
            syn::Item::Struct(s) => self.add(&s.ident),
            syn::Item::Enum(e) => self.add(&e.ident),
            syn::Item::Union(u) => self.add(&u.ident),
            syn::Item::Type(t) => self.add(&t.ident),
            syn::Item::Trait(t) => self.add(&t.ident),
            syn::Item::Const(c) => self.add(&c.ident),
            syn::Item::Static(s) => self.add(&s.ident),
            syn::Item::Use(u) => self.add_use(&u.tree, None),
            _ => {}
        }
    }
}
