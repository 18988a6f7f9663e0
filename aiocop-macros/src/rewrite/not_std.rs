//! Method calls the syntax shows are not std's, known from where they stand.
//!
//! A routed method whose std forms all return `()` (or a `Result` of `()`) cannot be std's when
//! its unwrapped result is used as a value with members: `mutex.lock().unwrap().insert(..)` is not
//! `File::lock`. Such a call keeps no probe: it would cost compile time and never record.
//!
//! The visitor learns this on its way down: each expression is visited with the [`ValueUse`] its
//! parent makes of it, and an expression hands the next one down to the operand it uses as a value
//! (a method's receiver, a field's or an index's base, what `*` dereferences), through
//! parentheses, `?`, `.unwrap()` and `.expect(..)`.

use syn::visit_mut::{self, VisitMut};
use syn::{Expr, ExprMethodCall};

use super::Rewriter;
use crate::routes;

/// What the expression being visited is used for, as far as its members go: the context the
/// visitor carries from a parent to the operand the parent uses as a value.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub(super) enum ValueUse {
    /// Nothing known: a statement, an argument, a binding's initializer, and so on.
    #[default]
    Unknown,
    /// Used as a value with members (`c.f()`, `c.field`, `c[i]`, `*c`), possibly through
    /// parentheses, but through no `?`, `.unwrap()` or `.expect(..)` yet.
    Member,
    /// Used as a value with members through at least one `?`, `.unwrap()` or `.expect(..)`
    /// (`c.unwrap().f()`, `c?[i]`, `*c.unwrap()`): a call whose std forms all return `()` is
    /// not std's.
    Unwrapped,
}

impl ValueUse {
    /// Whether `call`, used this way, is no std method although its name is routed.
    pub(super) fn rules_out_std(self, call: &ExprMethodCall) -> bool {
        self == ValueUse::Unwrapped
            && !unwraps(call)
            && routes::method(&call.method.to_string()).is_some_and(|m| m.returns_unit)
    }

    /// The use `expr`, itself used this way, makes of the operand it uses as a value; `Unknown`
    /// if it has none.
    fn of_operand(self, expr: &Expr) -> ValueUse {
        let through = if self == ValueUse::Unknown {
            ValueUse::Unknown
        } else {
            ValueUse::Unwrapped
        };
        match expr {
            // Every method is called on its receiver; `.unwrap()` also unwraps what reaches it.
            Expr::MethodCall(call) if unwraps(call) && self != ValueUse::Unknown => {
                ValueUse::Unwrapped
            }
            Expr::MethodCall(_) | Expr::Field(_) | Expr::Index(_) => ValueUse::Member,
            Expr::Unary(unary) if matches!(unary.op, syn::UnOp::Deref(_)) => ValueUse::Member,
            Expr::Try(_) => through,
            Expr::Paren(_) => self,
            _ => ValueUse::Unknown,
        }
    }
}

/// `.unwrap()` or `.expect(..)`: the value of what it is called on, if any.
fn unwraps(call: &ExprMethodCall) -> bool {
    matches!(
        (call.method.to_string().as_str(), call.args.len()),
        ("unwrap", 0) | ("expect", 1)
    )
}

impl Rewriter {
    /// Visits the parts of `expr`, itself used as `used`, handing the operand it uses as a value
    /// the use it makes of it (every other part is visited as `Unknown`). The parts are visited in
    /// the order of syn's own `visit_mut`, which this replaces for these six kinds of expression:
    /// the order is the order of the `deny` errors.
    pub(super) fn visit_parts(&mut self, expr: &mut Expr, used: ValueUse) {
        let operand = used.of_operand(expr);
        if operand == ValueUse::Unknown {
            visit_mut::visit_expr_mut(self, expr);
            return;
        }
        match expr {
            Expr::MethodCall(call) => {
                self.visit_attributes(&mut call.attrs);
                self.visit_expr_used(&mut call.receiver, operand);
                self.visit_ident_mut(&mut call.method);
                if let Some(turbofish) = &mut call.turbofish {
                    self.visit_angle_bracketed_generic_arguments_mut(turbofish);
                }
                for arg in call.args.iter_mut() {
                    self.visit_expr_mut(arg);
                }
            }
            Expr::Field(field) => {
                self.visit_attributes(&mut field.attrs);
                self.visit_expr_used(&mut field.base, operand);
                self.visit_member_mut(&mut field.member);
            }
            Expr::Index(index) => {
                self.visit_attributes(&mut index.attrs);
                self.visit_expr_used(&mut index.expr, operand);
                self.visit_expr_mut(&mut index.index);
            }
            Expr::Unary(unary) => {
                self.visit_attributes(&mut unary.attrs);
                self.visit_un_op_mut(&mut unary.op);
                self.visit_expr_used(&mut unary.expr, operand);
            }
            Expr::Try(tried) => {
                self.visit_attributes(&mut tried.attrs);
                self.visit_expr_used(&mut tried.expr, operand);
            }
            Expr::Paren(paren) => {
                self.visit_attributes(&mut paren.attrs);
                self.visit_expr_used(&mut paren.expr, operand);
            }
            _ => visit_mut::visit_expr_mut(self, expr),
        }
    }

    fn visit_attributes(&mut self, attrs: &mut [syn::Attribute]) {
        for attr in attrs {
            self.visit_attribute_mut(attr);
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use crate::rewrite::tests::probes_of;

    #[test]
    fn an_unwrapped_unit_result_used_as_a_value_is_no_std_call() {
        let item = quote! {
            async fn f(m: &std::sync::Mutex<Vec<u32>>, v: &std::sync::RwLock<Vec<u32>>) -> usize {
                m.lock().unwrap().push(1);
                let n = m.lock().expect("not poisoned").len();
                *m.lock().unwrap() = vec![n as u32];
                let first = (m.lock().unwrap())[0];
                let tried = m.try_lock().unwrap().len() + m.lock().unwrap().iter().count();
                let held = (m.lock().unwrap()).capacity();
                v.read().unwrap().len() + first as usize + tried + held
            }
        };
        assert_eq!(probes_of("lock", item.clone()), 0);
        assert_eq!(probes_of("try_lock", item), 0);
    }

    #[test]
    fn a_unit_result_unwrapped_and_dropped_is_still_probed() {
        let item = quote! {
            async fn f(file: &std::fs::File, m: &std::sync::Mutex<u32>) -> std::io::Result<u32> {
                file.lock()?;
                file.lock().unwrap();
                let () = file.lock().expect("locked");
                let _ = file.try_lock();
                let held = file.lock().is_ok();
                let guard = m.lock().unwrap();
                Ok(*guard + u32::from(held))
            }
        };
        assert_eq!(probes_of("lock", item.clone()), 5);
        assert_eq!(probes_of("try_lock", item), 1);
    }

    #[test]
    fn methods_that_return_values_keep_their_probe_when_unwrapped_and_used() {
        // `read_to_string` returns a count: `file.read_to_string(..)?.max(1)` may well be std's.
        let item = quote! {
            async fn f(file: &mut std::fs::File) -> std::io::Result<usize> {
                let mut text = String::new();
                Ok(std::io::Read::by_ref(file).read_to_string(&mut text)?.max(1))
            }
        };
        assert_eq!(probes_of("read_to_string", item), 1);
    }

    #[test]
    fn the_use_of_a_result_reaches_the_call_through_parentheses_and_unwrapping_only() {
        // Each line holds one `lock` call, ruled out as std's or not.
        let ruled_out = quote! {
            async fn f(file: &std::fs::File, files: &[u32]) -> std::io::Result<()> {
                (file.lock()).unwrap().len();
                ((file.lock())?).len();
                *(file.lock()?);
                file.lock().unwrap().unwrap()[0];
                files[file.lock().unwrap().len()];
                file.lock().expect("locked").0;
                Ok(())
            }
        };
        assert_eq!(probes_of("lock", ruled_out), 0);
        let kept = quote! {
            async fn f(file: &std::fs::File, files: &[u32]) -> std::io::Result<()> {
                (file.lock()).len();
                file.lock().expect("a", "b").len();
                file.lock().unwrap(0).len();
                -file.lock()?;
                file.lock().unwrap().f(file.lock().unwrap());
                files[0].f(file.lock()?);
                file.lock().unwrap().g().await;
                file.lock().unwrap().await.h;
                Ok(())
            }
        };
        assert_eq!(probes_of("lock", kept), 8);
    }
}
