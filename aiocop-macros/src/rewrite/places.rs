//! The shapes of expressions the rewriter tells apart, by syntax alone: places and what they are
//! made of (a binding, fields, indexes, dereferences), constants Rust may promote to `'static`,
//! arrays written out, and expressions that can be repeated in a never-taken branch.
//!
//! Nothing here knows the catalog or the function's bindings: the receivers' classification
//! ([`super::receivers`]) and the arguments' rendering ([`super::render`]) build on these.

use syn::visit::Visit;
use syn::{Expr, Ident};

/// A place expression without side effects: `x`, `self.file`, `*guard`, `items[0]`, `(x)`.
pub(super) fn is_place(expr: &Expr) -> bool {
    match expr {
        Expr::Path(p) => p.qself.is_none(),
        Expr::Field(f) => is_place(&f.base),
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)) && is_place(&u.expr),
        Expr::Index(i) => is_place(&i.expr) && matches!(&*i.index, Expr::Lit(_) | Expr::Path(_)),
        _ => false,
    }
}

/// The last segment of a path written without a qualified self (`<T as Trait>::x`).
fn last_segment(path: &syn::ExprPath) -> Option<&syn::PathSegment> {
    path.qself
        .is_none()
        .then(|| path.path.segments.last())
        .flatten()
}

/// A place made of a binding (or `self`, a constant, a static), its fields, what it dereferences
/// and literal indexes: read again by reference, it is the same place, its second reading borrows
/// nothing for longer than the probe and moves nothing.
pub(super) fn is_rooted_place(expr: &Expr) -> bool {
    match expr {
        // A binding or `self`, or a static or constant (by its module path).
        Expr::Path(path) => {
            last_segment(path).is_some_and(|s| s.arguments.is_none() && !is_camel_case(&s.ident))
        }
        Expr::Field(field) => is_rooted_place(&field.base),
        Expr::Paren(paren) => is_rooted_place(&paren.expr),
        Expr::Unary(unary) => {
            matches!(unary.op, syn::UnOp::Deref(_)) && is_rooted_place(&unary.expr)
        }
        Expr::Index(index) => matches!(&*index.index, Expr::Lit(_)) && is_rooted_place(&index.expr),
        _ => false,
    }
}

/// The innermost expression under a place's projections (fields, indexes, dereferences,
/// parentheses): `self.codec.get_mut()` in `self.codec.get_mut().inner`.
pub(super) fn place_base(mut expr: &Expr) -> &Expr {
    loop {
        expr = match expr {
            Expr::Field(field) => &field.base,
            Expr::Index(index) => &index.expr,
            Expr::Paren(paren) => &paren.expr,
            Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => &unary.expr,
            _ => return expr,
        };
    }
}

/// [`place_base`], to replace it.
pub(super) fn place_base_mut(expr: &mut Expr) -> &mut Expr {
    let projection = match &*expr {
        Expr::Field(_) | Expr::Index(_) | Expr::Paren(_) => true,
        Expr::Unary(unary) => matches!(unary.op, syn::UnOp::Deref(_)),
        _ => false,
    };
    if !projection {
        return expr;
    }
    match expr {
        Expr::Field(field) => place_base_mut(&mut field.base),
        Expr::Index(index) => place_base_mut(&mut index.expr),
        Expr::Paren(paren) => place_base_mut(&mut paren.expr),
        Expr::Unary(unary) => place_base_mut(&mut unary.expr),
        other => other,
    }
}

/// Whether a place's projections can be applied again without effect: every index is a literal.
pub(super) fn plain_projections(expr: &Expr) -> bool {
    match expr {
        Expr::Field(field) => plain_projections(&field.base),
        Expr::Index(index) => {
            matches!(&*index.index, Expr::Lit(_)) && plain_projections(&index.expr)
        }
        Expr::Paren(paren) => plain_projections(&paren.expr),
        Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => {
            plain_projections(&unary.expr)
        }
        _ => true,
    }
}

/// A place expression of any shape: a field, an index or a dereference of anything
/// (`self.codec.get_mut().inner`, `bufs[..n]`, `*v.as_ref()`), in parentheses or not. A path is
/// left out: it may name a constant, a value.
pub(super) fn is_place_expression(expr: &Expr) -> bool {
    match expr {
        Expr::Field(_) | Expr::Index(_) => true,
        Expr::Unary(u) => matches!(u.op, syn::UnOp::Deref(_)),
        Expr::Paren(p) => is_place_expression(&p.expr),
        _ => false,
    }
}

/// `expr` without the parentheses around it.
pub(super) fn unparenthesized(mut expr: &Expr) -> &Expr {
    while let Expr::Paren(inner) = expr {
        expr = &inner.expr;
    }
    expr
}

/// A constant expression, which Rust may promote to a `'static` value when it is borrowed: a
/// literal, a path to a constant or a unit variant (`None`), and tuples, arrays, references,
/// operations, tuple-struct constructors (`Some(3)`) and struct literals of constants.
pub(super) fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(_) => true,
        Expr::Path(path) => {
            last_segment(path).is_some_and(|s| is_camel_case(&s.ident)) || is_screaming(path)
        }
        Expr::Paren(p) => is_constant(&p.expr),
        Expr::Group(g) => is_constant(&g.expr),
        Expr::Reference(r) => r.mutability.is_none() && is_constant(&r.expr),
        Expr::Unary(u) => !matches!(u.op, syn::UnOp::Deref(_)) && is_constant(&u.expr),
        Expr::Binary(b) => is_constant(&b.left) && is_constant(&b.right),
        Expr::Tuple(t) => t.elems.iter().all(is_constant),
        Expr::Array(a) => a.elems.iter().all(is_constant),
        Expr::Call(call) => {
            matches!(&*call.func, Expr::Path(path) if path.qself.is_none()
                && path.path.segments.last().is_some_and(|s| is_camel_case(&s.ident)))
                && call.args.iter().all(is_constant)
        }
        Expr::Struct(s) => s.rest.is_none() && s.fields.iter().all(|f| is_constant(&f.expr)),
        _ => false,
    }
}

/// `CamelCase`: a type, a variant or a unit struct, by Rust's naming conventions.
fn is_camel_case(ident: &Ident) -> bool {
    let name = ident.to_string();
    let name = name.trim_start_matches("r#");
    name.starts_with(|c: char| c.is_ascii_uppercase()) && name.chars().any(|c| c.is_lowercase())
}

/// A path whose last segment is `SCREAMING_CASE`: a constant or a static.
pub(super) fn is_screaming(path: &syn::ExprPath) -> bool {
    path.qself.is_none()
        && path.path.segments.last().is_some_and(|s| {
            let name = s.ident.to_string();
            name.chars().any(|c| c.is_ascii_uppercase()) && !name.chars().any(|c| c.is_lowercase())
        })
}

/// Whether `expr` can be repeated in a never-taken branch without changing what the code around
/// it is: no `.await` (a suspension point, even dead, changes the future's type), no async block,
/// no assignment (the liveness lints would see it).
pub(super) fn repeatable(expr: &Expr) -> bool {
    struct Finder(bool);
    impl<'ast> Visit<'ast> for Finder {
        fn visit_expr(&mut self, expr: &'ast Expr) {
            match expr {
                Expr::Await(_) | Expr::Async(_) | Expr::Assign(_) | Expr::Yield(_) => {
                    self.0 = false;
                }
                // Anything inside a macro's tokens is out of syn's sight: an `.await` may hide
                // there.
                Expr::Macro(mac) if mac.mac.tokens.to_string().contains("await") => {
                    self.0 = false;
                }
                Expr::Binary(binary) if is_compound_assignment(&binary.op) => self.0 = false,
                _ => syn::visit::visit_expr(self, expr),
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut finder = Finder(true);
    finder.visit_expr(expr);
    finder.0
}

/// `+=`, `-=`, ...
fn is_compound_assignment(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(
        op,
        AddAssign(_)
            | SubAssign(_)
            | MulAssign(_)
            | DivAssign(_)
            | RemAssign(_)
            | BitXorAssign(_)
            | BitAndAssign(_)
            | BitOrAssign(_)
            | ShlAssign(_)
            | ShrAssign(_)
    )
}

/// An array written out (`[1, 2, 3]`, `&[a, b]`, `[0; 4]`): no std blocking method has an array
/// receiver, and passing one through a probe would turn a promoted constant into a temporary that
/// a result borrowing from it (`[1, 2, 3].iter()`) would outlive.
pub(super) fn is_array_expression(expr: &Expr) -> bool {
    match expr {
        Expr::Array(_) | Expr::Repeat(_) => true,
        Expr::Paren(paren) => is_array_expression(&paren.expr),
        Expr::Reference(reference) => is_array_expression(&reference.expr),
        _ => false,
    }
}
