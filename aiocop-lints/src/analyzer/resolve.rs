//! Name resolution: flattening `use` trees into scopes, and turning a path as written
//! (`fs::read`, `self::util::load`, `super::Config`, `Self::new`) into a full path
//! (`std::fs::read`, `crate::util::load`) through block scopes, the module's items and imports,
//! glob imports and re-exports.

use std::collections::{HashMap, HashSet};

use syn::UseTree;

use super::index::CrateIndex;
use super::ops::OpTable;
use super::types;

/// Marks a path written with a leading `::` (always an external crate).
pub(crate) const ABSOLUTE: &str = "::";

/// The names one module or block brings into scope.
#[derive(Debug, Default)]
pub(crate) struct Scope {
    /// Items defined here: name → full path (for functions nested in blocks, their key).
    pub(crate) items: HashMap<String, Vec<String>>,
    /// Modules defined here.
    pub(crate) modules: HashSet<String>,
    /// `use` imports: name → the path as written.
    pub(crate) uses: HashMap<String, Vec<String>>,
    /// Glob imports: the paths before `::*`, as written.
    pub(crate) globs: Vec<Vec<String>>,
    /// `use path as _` imports (traits brought in for their methods only).
    pub(crate) anonymous: Vec<Vec<String>>,
    /// The `pub use` re-exports among `uses` (by name) and `globs`: paths the crate's users
    /// can write.
    pub(crate) reexports: Vec<(Option<String>, Vec<String>)>,
}

impl Scope {
    /// Adds the imports of one `use` declaration.
    pub(crate) fn add_use(&mut self, tree: &UseTree, leading_colon: bool) {
        let mut prefix = Vec::new();
        if leading_colon {
            prefix.push(ABSOLUTE.to_string());
        }
        self.add_use_tree(tree, &mut prefix);
    }

    /// Adds what another file of the same module defines and imports (a file pulled in with
    /// `include!`).
    pub(crate) fn merge(&mut self, other: Scope) {
        self.items.extend(other.items);
        self.modules.extend(other.modules);
        self.uses.extend(other.uses);
        self.globs.extend(other.globs);
        self.anonymous.extend(other.anonymous);
        self.reexports.extend(other.reexports);
    }

    /// Adds the imports of a `pub use` declaration, also as re-exports.
    pub(crate) fn add_reexport(&mut self, tree: &UseTree, leading_colon: bool) {
        let mut public = Scope::default();
        public.add_use(tree, leading_colon);
        let mut named: Vec<(String, Vec<String>)> = public.uses.into_iter().collect();
        named.sort();
        for (name, path) in named {
            self.reexports.push((Some(name.clone()), path.clone()));
            self.uses.insert(name, path);
        }
        for base in public.globs {
            self.reexports.push((None, base.clone()));
            self.globs.push(base);
        }
        self.anonymous.extend(public.anonymous);
    }

    fn add_use_tree(&mut self, tree: &UseTree, prefix: &mut Vec<String>) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.add_use_tree(&p.tree, prefix);
                prefix.pop();
            }
            UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    // `use a::b::{self}` imports `b`.
                    if let Some(last) = prefix.last().cloned() {
                        self.uses.insert(last, prefix.clone());
                    }
                } else {
                    let mut path = prefix.clone();
                    path.push(name.clone());
                    self.uses.insert(name, path);
                }
            }
            UseTree::Rename(r) => {
                let mut path = prefix.clone();
                if r.ident != "self" {
                    path.push(r.ident.to_string());
                }
                if r.rename == "_" {
                    self.anonymous.push(path);
                } else {
                    self.uses.insert(r.rename.to_string(), path);
                }
            }
            UseTree::Glob(_) => self.globs.push(prefix.clone()),
            UseTree::Group(g) => {
                for item in &g.items {
                    self.add_use_tree(item, prefix);
                }
            }
        }
    }
}

/// Resolves paths as seen from one place in the code: a module, the blocks around the place,
/// and the `Self` type of the surrounding impl.
pub(crate) struct Resolver<'r> {
    pub(crate) index: &'r CrateIndex<'r>,
    pub(crate) ops: &'r OpTable,
    pub(crate) module: &'r [String],
    pub(crate) blocks: &'r [Scope],
    pub(crate) self_ty: Option<&'r str>,
}

const MAX_DEPTH: usize = 24;

impl Resolver<'_> {
    /// The full path `segs` names here (an external path if nothing in the crate matches).
    pub(crate) fn resolve(&self, segs: &[String]) -> Option<Vec<String>> {
        self.resolve_in(segs, self.module, self.blocks.len(), 0, true)
    }

    /// Resolves `segs` as seen from `module`, with the innermost `blocks` block scopes visible.
    /// Import targets and glob bases are resolved without consulting globs (`globs` false):
    /// a glob reaching through another glob is rare, and allowing it makes resolution
    /// exponential in the number of globs.
    fn resolve_in(
        &self,
        segs: &[String],
        module: &[String],
        blocks: usize,
        depth: usize,
        globs: bool,
    ) -> Option<Vec<String>> {
        if depth > MAX_DEPTH {
            return None;
        }
        // Import targets and glob bases (module level, no globs) depend on nothing but the
        // path and the module: each is resolved once per crate. A cycle of imports finds its
        // own entry in progress and stops.
        if blocks == 0 && !globs {
            let key = format!("{}|{}", module.join("::"), segs.join("::"));
            if let Some(done) = self.index.memo.borrow().get(&key) {
                return done.clone();
            }
            self.index.memo.borrow_mut().insert(key.clone(), None);
            let resolved = self.resolve_uncached(segs, module, 0, depth, false);
            self.index.memo.borrow_mut().insert(key, resolved.clone());
            return resolved;
        }
        self.resolve_uncached(segs, module, blocks, depth, globs)
    }

    fn resolve_uncached(
        &self,
        segs: &[String],
        module: &[String],
        blocks: usize,
        depth: usize,
        globs: bool,
    ) -> Option<Vec<String>> {
        let (first, rest) = segs.split_first()?;
        match first.as_str() {
            ABSOLUTE => Some(rest.to_vec()),
            "crate" => Some(self.canonical(segs.to_vec(), depth)),
            "self" => Some(self.canonical(join(module, rest), depth)),
            "super" => {
                let ups = segs.iter().take_while(|s| *s == "super").count();
                let keep = module.len().checked_sub(ups).filter(|k| *k >= 1)?;
                Some(self.canonical(join(&module[..keep], &segs[ups..]), depth))
            }
            "Self" => {
                let ty: Vec<String> = self.self_ty?.split("::").map(str::to_string).collect();
                Some(join(&ty, rest))
            }
            _ => {
                for i in (0..blocks).rev() {
                    let scope = &self.blocks[i];
                    if let Some(path) = scope.items.get(first) {
                        return Some(join(path, rest));
                    }
                    if let Some(target) = scope.uses.get(first) {
                        let target = self.resolve_in(target, module, i, depth + 1, false)?;
                        return Some(self.canonical(join(&target, rest), depth + 1));
                    }
                }
                if let Some(scope) = self.index.module(module) {
                    if scope.items.contains_key(first) || scope.modules.contains(first) {
                        return Some(self.canonical(join(module, segs), depth));
                    }
                    if let Some(target) = scope.uses.get(first) {
                        let target = self.resolve_in(target, module, 0, depth + 1, false)?;
                        return Some(self.canonical(join(&target, rest), depth + 1));
                    }
                }
                if !globs {
                    return Some(segs.to_vec());
                }
                let block_globs = self.blocks[..blocks]
                    .iter()
                    .rev()
                    .enumerate()
                    .flat_map(|(i, scope)| scope.globs.iter().map(move |g| (blocks - 1 - i, g)));
                let module_globs = self
                    .index
                    .module(module)
                    .into_iter()
                    .flat_map(|scope| scope.globs.iter().map(|g| (0, g)));
                for (visible, base) in block_globs.chain(module_globs) {
                    let Some(base) = self.resolve_in(base, module, visible, depth + 1, false)
                    else {
                        continue;
                    };
                    let candidate = self.canonical(join(&base, segs), depth + 1);
                    if self.exists(&candidate) {
                        return Some(candidate);
                    }
                }
                Some(segs.to_vec())
            }
        }
    }

    /// Follows a `crate::` path through modules and re-exports to where its item is defined.
    /// Memoized per crate; a path whose resolution is in progress (a cycle) stays as it is.
    fn canonical(&self, path: Vec<String>, depth: usize) -> Vec<String> {
        if path.first().map(String::as_str) != Some("crate") || depth > MAX_DEPTH {
            return path;
        }
        let key = path.join("::");
        if let Some(done) = self.index.canonical_memo.borrow().get(&key) {
            return done.clone();
        }
        self.index
            .canonical_memo
            .borrow_mut()
            .insert(key.clone(), path.clone());
        let resolved = self.canonical_uncached(path, depth);
        self.index
            .canonical_memo
            .borrow_mut()
            .insert(key, resolved.clone());
        resolved
    }

    fn canonical_uncached(&self, path: Vec<String>, depth: usize) -> Vec<String> {
        let mut i = 1;
        while i < path.len() {
            let module = &path[..i];
            let Some(scope) = self.index.module(module) else {
                return path;
            };
            let name = &path[i];
            if scope.modules.contains(name) {
                i += 1;
                continue;
            }
            if scope.items.contains_key(name) {
                return path;
            }
            if let Some(target) = scope.uses.get(name) {
                return match self.resolve_in(target, module, 0, depth + 1, false) {
                    Some(target) => self.canonical(join(&target, &path[i + 1..]), depth + 1),
                    None => path,
                };
            }
            for base in &scope.globs {
                if let Some(base) = self.resolve_in(base, module, 0, depth + 1, false) {
                    // Canonical first: the name may itself come from a glob of that module.
                    let candidate = self.canonical(join(&base, &path[i..]), depth + 1);
                    if self.exists(&candidate) {
                        return candidate;
                    }
                }
            }
            return path;
        }
        path
    }

    /// Whether a full path names something: a crate item, or a path the catalog or the type
    /// table knows.
    fn exists(&self, path: &[String]) -> bool {
        if path.first().map(String::as_str) == Some("crate") {
            let (last, parent) = match path.split_last() {
                Some(split) => split,
                None => return false,
            };
            if let Some(scope) = self.index.module(parent) {
                return scope.items.contains_key(last) || scope.modules.contains(last);
            }
            // `Type::item` under a crate type.
            return self.index.has_item(&path.join("::"));
        }
        let joined = path.join("::");
        self.ops.knows(&joined) || types::knows(&joined)
    }

    /// Whether the trait with full path `tr` is in scope here (imported by name, as `_`, by a
    /// glob of its module or of a `prelude` module next to it).
    pub(crate) fn trait_in_scope(&self, tr: &str) -> bool {
        let matches = |segs: &Vec<String>, module: &[String], blocks: usize| {
            self.resolve_in(segs, module, blocks, 0, false)
                .is_some_and(|p| p.join("::") == tr)
        };
        let parent = tr.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
        let glob_matches = |segs: &Vec<String>, module: &[String], blocks: usize| {
            self.resolve_in(segs, module, blocks, 0, false)
                .is_some_and(|p| {
                    let base = p.join("::");
                    base == parent || base == format!("{parent}::prelude")
                })
        };
        let check = |scope: &Scope, blocks: usize| {
            scope.uses.values().any(|u| matches(u, self.module, blocks))
                || scope
                    .anonymous
                    .iter()
                    .any(|u| matches(u, self.module, blocks))
                || scope
                    .globs
                    .iter()
                    .any(|g| glob_matches(g, self.module, blocks))
        };
        self.blocks
            .iter()
            .enumerate()
            .any(|(i, scope)| check(scope, i))
            || self
                .index
                .module(self.module)
                .is_some_and(|scope| check(scope, 0))
    }
}

fn join(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    out.extend_from_slice(a);
    out.extend_from_slice(b);
    out
}

/// The segments of a syn path, with [`ABSOLUTE`] first for `::a::b`.
pub(crate) fn path_segments(path: &syn::Path) -> Vec<String> {
    let mut segs = Vec::with_capacity(path.segments.len() + 1);
    if path.leading_colon.is_some() {
        segs.push(ABSOLUTE.to_string());
    }
    segs.extend(path.segments.iter().map(|s| s.ident.to_string()));
    segs
}
