//! Items: functions (free, in impls, trait defaults, nested in blocks), impl blocks, traits and
//! inline modules, each function body walked in its own context; and the scope a block's own
//! items and imports open.

use syn::{Attribute, Block, FnArg, ImplItem, Item, Signature, Stmt, TraitItem};

use super::declared::declared_blocking;
use super::index::type_path;
use super::resolve::Scope;
use super::scope::{AsyncKind, Ctx, Origin};
use super::suppress;
use super::types::Ty;
use super::walk::Walker;
use syn::visit::Visit;

impl Walker<'_, '_> {
    /// Applies an item's `allow_blocking` attribute; returns whether it allows blocking (then
    /// [`Self::end_allow`] closes it after the item).
    pub(super) fn item_allow(&mut self, attrs: &[Attribute]) -> bool {
        let allow = suppress::item_allow(attrs, &self.resolver());
        if let Some(at) = allow.at {
            let at = self.location(at.0, at.1);
            let line = self.file.line(at.line);
            let id = self
                .out
                .suppression(at, line, "`#[aiocop::allow_blocking]`");
            self.allow_stack.push(id);
            self.allowed_depth += 1;
        }
        if let Some(m) = allow.missing_reason {
            self.missing_reason(
                m,
                "`#[aiocop::allow_blocking]` needs a reason: `#[aiocop::allow_blocking(reason = \"...\")]`",
            );
        }
        allow.allowed
    }

    /// Closes what [`Self::item_allow`] opened.
    pub(super) fn end_allow(&mut self, allowed: bool) {
        if allowed {
            self.allowed_depth -= 1;
            self.allow_stack.pop();
        }
    }

    pub(super) fn walk_item(&mut self, item: &Item) {
        let in_block = !self.blocks.is_empty();
        match item {
            Item::Fn(f) => {
                let name = f.sig.ident.to_string();
                let key = if in_block {
                    self.blocks
                        .last()
                        .and_then(|b| b.items.get(&name))
                        .map(|p| p.join("::"))
                        .unwrap_or_else(|| format!("{}::{name}", self.module.join("::")))
                } else {
                    format!("{}::{name}", self.module.join("::"))
                };
                // Crate-level functions are named by their path from the crate root.
                let label = if in_block {
                    name
                } else {
                    self.module[1..]
                        .iter()
                        .map(String::as_str)
                        .chain([name.as_str()])
                        .collect::<Vec<_>>()
                        .join("::")
                };
                self.walk_fn(key, label, &f.sig, &f.block, &f.attrs, None);
            }
            Item::Impl(imp) => {
                let allowed = self.item_allow(&imp.attrs);
                let ty = type_path(&imp.self_ty)
                    .and_then(|segs| self.resolver().resolve(&segs))
                    .map(|p| p.join("::"));
                if let Some(ty) = ty {
                    let short = ty.rsplit("::").next().unwrap_or(&ty).to_string();
                    for it in &imp.items {
                        if let ImplItem::Fn(f) = it {
                            let name = f.sig.ident.to_string();
                            self.walk_fn(
                                format!("{ty}::{name}"),
                                format!("{short}::{name}"),
                                &f.sig,
                                &f.block,
                                &f.attrs,
                                Some(ty.clone()),
                            );
                        }
                    }
                }
                self.end_allow(allowed);
            }
            Item::Trait(t) => {
                let allowed = self.item_allow(&t.attrs);
                let ty = format!("{}::{}", self.module.join("::"), t.ident);
                for it in &t.items {
                    if let TraitItem::Fn(f) = it
                        && let Some(body) = &f.default
                    {
                        let name = f.sig.ident.to_string();
                        self.walk_fn(
                            format!("{ty}::{name}"),
                            format!("{}::{name}", t.ident),
                            &f.sig,
                            body,
                            &f.attrs,
                            None,
                        );
                    }
                }
                self.end_allow(allowed);
            }
            Item::Mod(m) => {
                let Some((_, items)) = &m.content else { return };
                if in_block {
                    return;
                }
                let allowed = self.item_allow(&m.attrs);
                self.module.push(m.ident.to_string());
                for item in items {
                    self.walk_item(item);
                }
                self.module.pop();
                self.end_allow(allowed);
            }
            _ => {}
        }
    }

    pub(super) fn walk_fn(
        &mut self,
        key: String,
        label: String,
        sig: &Signature,
        body: &Block,
        attrs: &[Attribute],
        self_ty: Option<String>,
    ) {
        let allowed = self.item_allow(attrs);
        let saved_locals = std::mem::take(&mut self.locals);
        let saved_ctx = std::mem::take(&mut self.ctx);
        let saved_self = std::mem::replace(&mut self.self_ty, self_ty);
        let saved_guards = std::mem::take(&mut self.guards);
        if sig.asyncness.is_some() {
            self.ctx.push(Ctx::Async {
                kind: AsyncKind::Fn,
                function: label.clone(),
            });
        } else {
            let configured = self.ops.is_allowed(&key);
            let declared = declared_blocking(attrs, &self.resolver());
            let node = self.out.graph.node(&key, &label);
            node.allowed |= allowed || configured;
            if let Some(d) = declared {
                node.declared = Some((d.name.unwrap_or_else(|| key.clone()), d.weight));
            }
            self.ctx.push(Ctx::SyncFn { key: key.clone() });
        }
        self.labels.push(label);
        self.keys.push(key);
        self.locals.push();
        for (position, input) in sig.inputs.iter().enumerate() {
            match input {
                FnArg::Receiver(_) => {
                    let ty = self
                        .self_ty
                        .as_deref()
                        .map(Ty::named)
                        .unwrap_or(Ty::Unknown);
                    self.locals.set("self", ty);
                    self.locals.set_origin("self", Origin::Param(position));
                }
                FnArg::Typed(pt) => {
                    let ty = self.declared(&pt.ty);
                    self.bind(&pt.pat, ty);
                    if let syn::Pat::Ident(p) = &*pt.pat {
                        self.locals
                            .set_origin(&p.ident.to_string(), Origin::Param(position));
                    }
                }
            }
        }
        self.visit_block(body);
        self.keys.pop();
        self.labels.pop();
        self.end_allow(allowed);
        self.self_ty = saved_self;
        self.guards = saved_guards;
        self.ctx = saved_ctx;
        self.locals = saved_locals;
    }

    /// Builds the scope of a block: its `use` declarations and the items defined in it.
    pub(super) fn block_scope(
        &mut self,
        block: &Block,
    ) -> (Scope, Vec<(String, bool, Option<syn::Type>)>) {
        let mut scope = Scope::default();
        let mut fns = Vec::new();
        let prefix = self
            .keys
            .last()
            .cloned()
            .unwrap_or_else(|| self.module.join("::"));
        let mut tag = None;
        for stmt in &block.stmts {
            let Stmt::Item(item) = stmt else { continue };
            let tag = *tag.get_or_insert_with(|| {
                self.out.blocks_seen += 1;
                self.out.blocks_seen
            });
            let name = match item {
                Item::Use(u) => {
                    scope.add_use(&u.tree, u.leading_colon.is_some());
                    continue;
                }
                Item::Fn(f) => {
                    let name = f.sig.ident.to_string();
                    let output = match &f.sig.output {
                        syn::ReturnType::Type(_, ty) => Some((**ty).clone()),
                        syn::ReturnType::Default => None,
                    };
                    fns.push((
                        format!("{prefix}::{{{tag}}}::{name}"),
                        f.sig.asyncness.is_some(),
                        output,
                    ));
                    name
                }
                Item::Struct(s) => s.ident.to_string(),
                Item::Enum(e) => e.ident.to_string(),
                Item::Const(c) => c.ident.to_string(),
                Item::Static(s) => s.ident.to_string(),
                Item::Mod(m) => m.ident.to_string(),
                Item::Trait(t) => t.ident.to_string(),
                _ => continue,
            };
            let path: Vec<String> = format!("{prefix}::{{{tag}}}::{name}")
                .split("::")
                .map(str::to_string)
                .collect();
            scope.items.insert(name, path);
        }
        (scope, fns)
    }
}
