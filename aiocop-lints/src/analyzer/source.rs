//! Reading and parsing source files, once each, and finding a crate's files from its root by
//! following `mod` declarations the way rustc does (`x.rs`, `x/mod.rs`, `#[path]`).

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use syn::{Item, Meta};

/// One parsed file.
pub(crate) struct SourceFile {
    /// The path shown in diagnostics.
    pub(crate) display: String,
    pub(crate) text: String,
    pub(crate) ast: syn::File,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub(crate) fn new(display: String, text: String, ast: syn::File) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            display,
            text,
            ast,
            line_starts,
        }
    }

    /// The text of 1-based line `line`, without its line ending.
    pub(crate) fn line(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// A file that could not be read or parsed; the run reports it and goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file, as shown in diagnostics.
    pub file: String,
    /// 1-based line of a parse error (0 for I/O errors).
    pub line: usize,
    /// 1-based column of a parse error (0 for I/O errors).
    pub column: usize,
    /// What went wrong.
    pub message: String,
}

/// A file of a crate, with the module it defines.
pub(crate) struct ModuleFile {
    pub(crate) file: Rc<SourceFile>,
    /// `["crate", "a", "b"]` for `crate::a::b`.
    pub(crate) module: Vec<String>,
}

/// Every file of one crate (one cargo target, or one root file given on the command line).
pub(crate) struct CrateSources {
    pub(crate) files: Vec<ModuleFile>,
}

/// Parsed files by path, so that a file shared by several targets is read and parsed once.
#[derive(Default)]
pub(crate) struct SourceCache {
    files: HashMap<PathBuf, Option<Rc<SourceFile>>>,
    base: Option<PathBuf>,
    pub(crate) errors: Vec<FileError>,
}

impl SourceCache {
    /// A cache showing paths relative to `base` where they lie under it.
    pub(crate) fn new(base: Option<PathBuf>) -> Self {
        SourceCache {
            base,
            ..SourceCache::default()
        }
    }

    fn display(&self, path: &Path) -> String {
        let shown = self
            .base
            .as_deref()
            .and_then(|base| path.strip_prefix(base).ok())
            .unwrap_or(path);
        shown.display().to_string()
    }

    /// Forgets the parsed files (not the errors), so that one crate's syntax trees are not
    /// held while the next is analyzed.
    pub(crate) fn clear_files(&mut self) {
        self.files.clear();
    }

    /// The parsed file at `path`, or None (recorded in `errors`) if it cannot be read or parsed.
    pub(crate) fn get(&mut self, path: &Path) -> Option<Rc<SourceFile>> {
        if let Some(cached) = self.files.get(path) {
            return cached.clone();
        }
        let display = self.display(path);
        let parsed = match fs::read_to_string(path) {
            Err(e) => {
                self.errors.push(FileError {
                    file: display,
                    line: 0,
                    column: 0,
                    message: format!("cannot read file: {e}"),
                });
                None
            }
            Ok(text) => match super::guard::parse_file(&text) {
                Err(e) => {
                    self.errors.push(FileError {
                        file: display,
                        line: e.line,
                        column: e.column,
                        message: e.message,
                    });
                    None
                }
                Ok(mut ast) => {
                    inline_item_macros(&mut ast.items);
                    Some(Rc::new(SourceFile::new(display, text, ast)))
                }
            },
        };
        self.files.insert(path.to_path_buf(), parsed.clone());
        parsed
    }

    /// The crate whose root file is `root`, with every module file reachable from it.
    pub(crate) fn load_crate(&mut self, root: &Path) -> CrateSources {
        let mut files = Vec::new();
        let mut queue = vec![(
            root.to_path_buf(),
            vec!["crate".to_string()],
            root.parent().map(Path::to_path_buf).unwrap_or_default(),
        )];
        let mut seen = std::collections::HashSet::new();
        while let Some((path, module, dir)) = queue.pop() {
            if !seen.insert(path.clone()) {
                continue;
            }
            let Some(file) = self.get(&path) else {
                continue;
            };
            let file_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            for decl in module_declarations(&file.ast.items, &dir, &file_dir, &module, false) {
                if let Some(child) = decl.file {
                    queue.push((child, decl.module, decl.dir));
                }
            }
            // A file pulled in with `include!("..")` holds items of the module it is included
            // in; its own `mod` declarations look where the including module's do.
            for (included, included_module) in included_files(&file.ast.items, &file_dir, &module) {
                let included_dir = if included_module == module {
                    dir.clone()
                } else {
                    included_module[module.len()..]
                        .iter()
                        .fold(dir.clone(), |d, m| d.join(m))
                };
                queue.push((included, included_module, included_dir));
            }
            files.push(ModuleFile { file, module });
        }
        files.reverse();
        CrateSources { files }
    }
}

/// A `mod name;` declaration and where its file is.
pub(crate) struct ModDecl {
    pub(crate) module: Vec<String>,
    /// The module's file, if one exists.
    pub(crate) file: Option<PathBuf>,
    /// Where the module's own `mod` declarations look for files.
    pub(crate) dir: PathBuf,
}

/// The out-of-line module declarations in `items` (also inside inline modules).
/// `dir` is where child module files of these items live; `file_dir` the declaring file's folder.
pub(crate) fn module_declarations(
    items: &[Item],
    dir: &Path,
    file_dir: &Path,
    module: &[String],
    inline: bool,
) -> Vec<ModDecl> {
    let mut out = Vec::new();
    for item in items {
        let Item::Mod(m) = item else { continue };
        let name = m.ident.to_string();
        let mut child_module = module.to_vec();
        child_module.push(name.clone());
        let path_attr = path_attribute(&m.attrs);
        match &m.content {
            Some((_, inner)) => {
                let inner_dir = match &path_attr {
                    Some(p) => file_dir.join(p),
                    None => dir.join(&name),
                };
                out.extend(module_declarations(
                    inner,
                    &inner_dir,
                    file_dir,
                    &child_module,
                    true,
                ));
            }
            None => {
                let (file, child_dir) = match path_attr {
                    Some(p) => {
                        // `#[path]` is relative to the declaring file's folder, or inside inline
                        // modules to the inline modules' folder.
                        let file = if inline {
                            dir.join(p)
                        } else {
                            file_dir.join(p)
                        };
                        let child_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
                        (Some(file).filter(|f| f.is_file()), child_dir)
                    }
                    None => {
                        let flat = dir.join(format!("{name}.rs"));
                        let nested = dir.join(&name).join("mod.rs");
                        let file = [flat, nested].into_iter().find(|f| f.is_file());
                        (file, dir.join(&name))
                    }
                };
                out.push(ModDecl {
                    module: child_module,
                    file,
                    dir: child_dir,
                });
            }
        }
    }
    out
}

/// The files that `items` (and inline modules among them) pull in with an item-position
/// `include!("path")` of a literal path, resolved against `file_dir` (the including file's
/// folder, as rustc does), each with the module it is included in. Paths built by macros
/// (`concat!(env!("OUT_DIR"), ..)`) name files cargo generates at build time: not followed.
pub(crate) fn included_files(
    items: &[Item],
    file_dir: &Path,
    module: &[String],
) -> Vec<(PathBuf, Vec<String>)> {
    let mut out = Vec::new();
    for item in items {
        match item {
            Item::Macro(m)
                if m.ident.is_none()
                    && m.mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "include") =>
            {
                if let Ok(lit) = m.mac.parse_body::<syn::LitStr>() {
                    let path = file_dir.join(lit.value());
                    if path.is_file() {
                        out.push((path, module.to_vec()));
                    }
                }
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &m.content {
                    let mut child = module.to_vec();
                    child.push(m.ident.to_string());
                    out.extend(included_files(inner, file_dir, &child));
                }
            }
            _ => {}
        }
    }
    out
}

fn path_attribute(attrs: &[syn::Attribute]) -> Option<String> {
    attrs.iter().find_map(|attr| match &attr.meta {
        Meta::NameValue(nv) if nv.path.is_ident("path") => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        },
        _ => None,
    })
}

/// Replaces item-position macro calls whose body is itself a list of items
/// (`cfg_fs! { pub mod fs; }`, `cfg_if`-free feature wrappers) by those items, so that the
/// modules, functions and imports they wrap are seen. Macro definitions and bodies that are
/// not items are left alone.
pub(crate) fn inline_item_macros(items: &mut Vec<Item>) {
    let mut i = 0;
    while i < items.len() {
        match &mut items[i] {
            Item::Macro(m) if m.ident.is_none() && !m.mac.tokens.is_empty() => {
                match syn::parse2::<syn::File>(m.mac.tokens.clone()) {
                    Ok(inner) if !inner.items.is_empty() => {
                        let mut inner = inner.items;
                        inline_item_macros(&mut inner);
                        let count = inner.len();
                        items.splice(i..=i, inner);
                        i += count;
                        continue;
                    }
                    _ => {}
                }
            }
            Item::Mod(m) => {
                if let Some((_, inner)) = &mut m.content {
                    inline_item_macros(inner);
                }
            }
            _ => {}
        }
        i += 1;
    }
}
