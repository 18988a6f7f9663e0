//! The crate-wide index, built before any body is analyzed: every module's scope, every
//! function with a body (free functions, inherent and trait-impl methods, trait default
//! methods), methods by their `Self` type, and struct fields by type.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use syn::visit::Visit;
use syn::{
    Block, Expr, Fields, FnArg, ImplItem, Item, Pat, ReturnType, Signature, TraitItem, Type,
};

use super::ops::OpTable;
use super::resolve::{Resolver, Scope, path_segments};
use super::source::CrateSources;

/// What the index knows of one function.
pub(crate) struct FnInfo<'a> {
    pub(crate) is_async: bool,
    /// The module whose names its signature uses.
    pub(crate) module: Vec<String>,
    /// Its `Self` type, for methods.
    pub(crate) self_ty: Option<String>,
    pub(crate) output: &'a ReturnType,
    /// Its body (none for a trait method without a default).
    pub(crate) body: Option<&'a Block>,
}

/// A struct field's declared type and where it was declared.
pub(crate) struct FieldInfo<'a> {
    pub(crate) ty: &'a Type,
    pub(crate) module: Vec<String>,
}

/// Everything the analysis of one body may need to know about the rest of the crate.
#[derive(Default)]
pub(crate) struct CrateIndex<'a> {
    modules: HashMap<String, Scope>,
    items: HashSet<String>,
    pub(crate) fns: HashMap<String, FnInfo<'a>>,
    /// Type key → method name → function key.
    methods: HashMap<String, HashMap<String, String>>,
    /// Type key → field name → field.
    fields: HashMap<String, HashMap<String, FieldInfo<'a>>>,
    /// Module-level path resolutions (`module|path` → full path), filled by the resolver.
    pub(crate) memo: RefCell<HashMap<String, Option<Vec<String>>>>,
    /// Canonical forms of `crate::` paths, filled by the resolver.
    pub(crate) canonical_memo: RefCell<HashMap<String, Vec<String>>>,
    /// Functions that hand a closure parameter to `spawn_blocking` and the like (tokio's own
    /// `asyncify`): closures passed to them are offloaded too.
    offloaders: HashSet<String>,
}

impl<'a> CrateIndex<'a> {
    /// Indexes every file of `sources`.
    pub(crate) fn build(sources: &'a CrateSources, ops: &OpTable) -> CrateIndex<'a> {
        let mut index = CrateIndex::default();
        for file in &sources.files {
            index.add_module_scope(&file.module, &file.file.ast.items);
        }
        let mut impls = Vec::new();
        for file in &sources.files {
            collect_impls(&file.module, &file.file.ast.items, &mut impls);
        }
        let mut resolved = Vec::with_capacity(impls.len());
        for (module, item) in &impls {
            resolved.push(index.impl_key(module, item, ops));
        }
        for ((module, item), key) in impls.into_iter().zip(resolved) {
            index.add_definitions(&module, item, key);
        }
        index
    }

    /// The scope of the module with this full path.
    pub(crate) fn module(&self, path: &[String]) -> Option<&Scope> {
        self.modules.get(&path.join("::"))
    }

    /// Every module's full path (`crate::a::b`) and scope.
    pub(crate) fn modules(&self) -> impl Iterator<Item = (&str, &Scope)> {
        self.modules.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Whether a crate item exists at this full path (`crate::Config::load`).
    pub(crate) fn has_item(&self, path: &str) -> bool {
        self.items.contains(path) || self.fns.contains_key(path)
    }

    /// The function key of method `name` on the type `ty`.
    pub(crate) fn method(&self, ty: &str, name: &str) -> Option<&str> {
        self.methods.get(ty)?.get(name).map(String::as_str)
    }

    /// Whether the function `key` runs closures passed to it off the async worker.
    pub(crate) fn is_offloader(&self, key: &str) -> bool {
        self.offloaders.contains(key)
    }

    /// The field `name` of struct `ty`.
    pub(crate) fn field(&self, ty: &str, name: &str) -> Option<&FieldInfo<'a>> {
        self.fields.get(ty)?.get(name)
    }

    fn add_module_scope(&mut self, module: &[String], items: &'a [Item]) {
        let key = module.join("::");
        let mut scope = Scope::default();
        let mut inline = Vec::new();
        for item in items {
            let name = match item {
                Item::Use(u) => {
                    if matches!(u.vis, syn::Visibility::Public(_)) {
                        scope.add_reexport(&u.tree, u.leading_colon.is_some());
                    } else {
                        scope.add_use(&u.tree, u.leading_colon.is_some());
                    }
                    continue;
                }
                Item::Mod(m) => {
                    let name = m.ident.to_string();
                    scope.modules.insert(name.clone());
                    if let Some((_, inner)) = &m.content {
                        inline.push((name, inner));
                    }
                    continue;
                }
                Item::Fn(f) => {
                    let name = f.sig.ident.to_string();
                    let fn_key = format!("{key}::{name}");
                    if offloads_a_parameter(&f.sig, &f.block) {
                        self.offloaders.insert(fn_key.clone());
                    }
                    self.fns.insert(
                        fn_key,
                        FnInfo {
                            is_async: f.sig.asyncness.is_some(),
                            module: module.to_vec(),
                            self_ty: None,
                            output: &f.sig.output,
                            body: Some(&f.block),
                        },
                    );
                    name
                }
                Item::Struct(s) => s.ident.to_string(),
                Item::Enum(e) => e.ident.to_string(),
                Item::Union(u) => u.ident.to_string(),
                Item::Trait(t) => t.ident.to_string(),
                Item::Type(t) => t.ident.to_string(),
                Item::Const(c) => c.ident.to_string(),
                Item::Static(s) => s.ident.to_string(),
                Item::Macro(m) => match &m.ident {
                    Some(ident) => ident.to_string(),
                    None => continue,
                },
                _ => continue,
            };
            let mut path = module.to_vec();
            path.push(name.clone());
            self.items.insert(path.join("::"));
            scope.items.insert(name, path);
        }
        // A module may span several files (`include!("generated.rs")`): their scopes add up.
        self.modules.entry(key).or_default().merge(scope);
        for (name, inner) in inline {
            let mut child = module.to_vec();
            child.push(name);
            self.add_module_scope(&child, inner);
        }
    }

    /// The type key of an `impl` block's self type, or of a trait's default methods.
    fn impl_key(&self, module: &[String], item: &Item, ops: &OpTable) -> Option<String> {
        let resolver = Resolver {
            index: self,
            ops,
            module,
            blocks: &[],
            self_ty: None,
        };
        match item {
            Item::Impl(imp) => type_path(&imp.self_ty)
                .and_then(|segs| resolver.resolve(&segs))
                .map(|p| p.join("::")),
            Item::Trait(t) => Some(format!("{}::{}", module.join("::"), t.ident)),
            Item::Struct(s) => Some(format!("{}::{}", module.join("::"), s.ident)),
            _ => None,
        }
    }

    fn add_definitions(&mut self, module: &[String], item: &'a Item, key: Option<String>) {
        let Some(key) = key else { return };
        match item {
            Item::Impl(imp) => {
                for it in &imp.items {
                    let ImplItem::Fn(f) = it else { continue };
                    self.add_method(&key, module, &f.sig, Some(&f.block));
                    if offloads_a_parameter(&f.sig, &f.block) {
                        self.offloaders.insert(format!("{key}::{}", f.sig.ident));
                    }
                }
            }
            Item::Trait(t) => {
                for it in &t.items {
                    let TraitItem::Fn(f) = it else { continue };
                    if let Some(body) = &f.default {
                        self.add_method(&key, module, &f.sig, Some(body));
                    }
                }
            }
            Item::Struct(s) => {
                if let Fields::Named(named) = &s.fields {
                    let fields = self.fields.entry(key).or_default();
                    for field in &named.named {
                        if let Some(ident) = &field.ident {
                            fields.insert(
                                ident.to_string(),
                                FieldInfo {
                                    ty: &field.ty,
                                    module: module.to_vec(),
                                },
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn add_method(
        &mut self,
        ty: &str,
        module: &[String],
        sig: &'a syn::Signature,
        body: Option<&'a Block>,
    ) {
        let name = sig.ident.to_string();
        let fn_key = format!("{ty}::{name}");
        self.methods
            .entry(ty.to_string())
            .or_default()
            .insert(name, fn_key.clone());
        self.fns.insert(
            fn_key,
            FnInfo {
                is_async: sig.asyncness.is_some(),
                module: module.to_vec(),
                self_ty: Some(ty.to_string()),
                output: &sig.output,
                body,
            },
        );
    }
}

/// The path of a type written as a path (`Foo`, `crate::a::Foo<T>`, `&mut Foo`).
pub(crate) fn type_path(ty: &Type) -> Option<Vec<String>> {
    match ty {
        Type::Path(p) if p.qself.is_none() => Some(path_segments(&p.path)),
        Type::Reference(r) => type_path(&r.elem),
        Type::Paren(p) => type_path(&p.elem),
        Type::Group(g) => type_path(&g.elem),
        _ => None,
    }
}

fn collect_impls<'a>(module: &[String], items: &'a [Item], out: &mut Vec<(Vec<String>, &'a Item)>) {
    for item in items {
        match item {
            Item::Impl(_) | Item::Trait(_) | Item::Struct(_) => out.push((module.to_vec(), item)),
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let mut child = module.to_vec();
                    child.push(m.ident.to_string());
                    collect_impls(&child, inner, out);
                }
            }
            _ => {}
        }
    }
}

/// Calls that run a closure argument off the async worker.
pub(crate) fn is_offload_name(name: &str) -> bool {
    crate::catalog::OFFLOADING_NAMES.contains(&name)
}

/// Whether the function passes one of its parameters to an offloading call
/// (`spawn_blocking(f)`): then it is itself a way to offload a closure.
fn offloads_a_parameter(sig: &Signature, body: &Block) -> bool {
    let params: HashSet<String> = sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            FnArg::Typed(t) => match &*t.pat {
                Pat::Ident(p) => Some(p.ident.to_string()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    if params.is_empty() {
        return false;
    }
    struct Finder<'p> {
        params: &'p HashSet<String>,
        found: bool,
    }
    impl Finder<'_> {
        fn check(
            &mut self,
            name: Option<String>,
            args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
        ) {
            if name.as_deref().is_some_and(is_offload_name)
                && args.iter().any(|a| {
                    matches!(a, Expr::Path(p) if p.path.get_ident().is_some_and(|i| self.params.contains(&i.to_string())))
                })
            {
                self.found = true;
            }
        }
    }
    impl<'ast> Visit<'ast> for Finder<'_> {
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            if let Expr::Path(p) = &*call.func {
                let name = p.path.segments.last().map(|s| s.ident.to_string());
                self.check(name, &call.args);
            }
            syn::visit::visit_expr_call(self, call);
        }
        fn visit_expr_method_call(&mut self, call: &'ast syn::ExprMethodCall) {
            self.check(Some(call.method.to_string()), &call.args);
            syn::visit::visit_expr_method_call(self, call);
        }
        fn visit_item(&mut self, _: &'ast Item) {}
    }
    let mut finder = Finder {
        params: &params,
        found: false,
    };
    finder.visit_block(body);
    finder.found
}
