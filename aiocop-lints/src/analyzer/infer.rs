//! The type of an expression, as far as the source makes it evident: locals, `self`, calls to
//! std constructors and same-crate functions, builder methods, `?`, fields.

use syn::{Expr, Lit, Member};

use super::index::CrateIndex;
use super::ops::OpTable;
use super::resolve::{Resolver, path_segments};
use super::types::{self, Ty};
use super::walk::{Walker, addr};

/// The type of the field `name` of a value of type `ty`: a field of a crate struct (through
/// `Box`, `Arc`, `Cow` and other dereferences) or a public field of a std type.
pub(super) fn field_type(index: &CrateIndex<'_>, ops: &OpTable, ty: &Ty, name: &str) -> Ty {
    let mut current = Some(ty.clone());
    let mut steps = 0;
    while let Some(t) = current {
        if let Some(path) = t.path() {
            if let Some(field) = index.field(path, name) {
                return types::from_syn(
                    field.ty,
                    &Resolver {
                        index,
                        ops,
                        module: &field.module,
                        blocks: &[],
                        self_ty: Some(path),
                    },
                );
            }
            let std_field = types::field_type(path, name);
            if std_field != Ty::Unknown {
                return std_field;
            }
        }
        steps += 1;
        current = if steps < 8 { t.deref() } else { None };
    }
    Ty::Unknown
}

impl Walker<'_, '_> {
    /// The output type of a same-crate function.
    pub(super) fn fn_output(&self, key: &str) -> Ty {
        if let Some(info) = self.index.fns.get(key) {
            return match info.output {
                syn::ReturnType::Default => Ty::Unknown,
                syn::ReturnType::Type(_, ty) => types::from_syn(
                    ty,
                    &Resolver {
                        index: self.index,
                        ops: self.ops,
                        module: &info.module,
                        blocks: &[],
                        self_ty: info.self_ty.as_deref(),
                    },
                ),
            };
        }
        self.out
            .local_fns
            .get(key)
            .map(|f| f.output.clone())
            .unwrap_or(Ty::Unknown)
    }

    /// The type of a method call's result. A chain `a.b().c()` is typed from its start in a
    /// loop, each call's type remembered, so that typing every call of a long chain stays
    /// linear and shallow.
    fn method_chain_type(&self, call: &syn::ExprMethodCall) -> Ty {
        let mut chain = Vec::new();
        let mut current = call;
        let mut ty = loop {
            if let Some(known) = self.method_types.borrow().get(&addr(current)) {
                break known.clone();
            }
            chain.push(current);
            match &*current.receiver {
                Expr::MethodCall(inner) => current = inner,
                other => break self.type_of(other),
            }
        };
        for call in chain.into_iter().rev() {
            ty = self.method_result(&ty, &call.method.to_string());
            self.method_types
                .borrow_mut()
                .insert(addr(call), ty.clone());
        }
        ty
    }

    /// What calling `method` on a `recv` returns.
    fn method_result(&self, recv: &Ty, method: &str) -> Ty {
        let mut ty = Some(recv.clone());
        let mut steps = 0;
        while let Some(t) = ty {
            if let Some(path) = t.path()
                && let Some(key) = self.index.method(path, method)
            {
                return self.fn_output(key);
            }
            steps += 1;
            ty = if steps < 8 { t.deref() } else { None };
        }
        types::method_returns(recv, method)
    }

    /// The type of an expression, as far as the source makes it evident.
    pub(super) fn type_of(&self, e: &Expr) -> Ty {
        match e {
            Expr::Path(p) if p.qself.is_none() => {
                if p.path.leading_colon.is_none()
                    && let Some(ident) = p.path.get_ident()
                {
                    if ident == "self" {
                        return self
                            .self_ty
                            .as_deref()
                            .map(Ty::named)
                            .unwrap_or(Ty::Unknown);
                    }
                    if let Some(ty) = self.locals.get(&ident.to_string()) {
                        return ty.clone();
                    }
                }
                Ty::Unknown
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return Ty::Unknown;
                };
                if p.qself.is_some() {
                    return Ty::Unknown;
                }
                let Some(full) = self.resolver().resolve(&path_segments(&p.path)) else {
                    return Ty::Unknown;
                };
                let full = full.join("::");
                if self.is_crate_fn(&full) {
                    return self.fn_output(&full);
                }
                let args: Vec<Ty> = c.args.iter().map(|a| self.type_of(a)).collect();
                types::function_returns(&full, &args)
            }
            Expr::MethodCall(m) => self.method_chain_type(m),
            Expr::Try(t) => self.type_of(&t.expr).unwrapped(),
            Expr::Await(a) => self.type_of(&a.base),
            Expr::Field(f) => {
                let base = self.type_of(&f.base);
                match &f.member {
                    Member::Named(name) => {
                        field_type(self.index, self.ops, &base, &name.to_string())
                    }
                    Member::Unnamed(i) => match base {
                        Ty::Tuple(elems) => {
                            elems.get(i.index as usize).cloned().unwrap_or(Ty::Unknown)
                        }
                        _ => Ty::Unknown,
                    },
                }
            }
            Expr::Index(i) => types::index_type(&self.type_of(&i.expr)),
            Expr::Reference(r) => self.type_of(&r.expr),
            Expr::Paren(p) => self.type_of(&p.expr),
            Expr::Group(g) => self.type_of(&g.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.type_of(&u.expr),
            Expr::Lit(l) if matches!(l.lit, Lit::Str(_)) => Ty::named("str"),
            Expr::Tuple(t) => Ty::Tuple(t.elems.iter().map(|e| self.type_of(e)).collect()),
            Expr::Struct(s) if s.qself.is_none() => self
                .resolver()
                .resolve(&path_segments(&s.path))
                .map(|p| Ty::named(&p.join("::")))
                .unwrap_or(Ty::Unknown),
            Expr::Cast(c) => self.declared(&c.ty),
            _ => Ty::Unknown,
        }
    }
}
