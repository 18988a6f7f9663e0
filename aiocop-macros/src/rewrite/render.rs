//! Arguments as a report shows them: the `shown([..])` expression a probe is handed, and the
//! source text of an expression as written.
//!
//! An argument that can be read again without effect (a literal, a place rooted at a binding) is
//! shown by value; any other by its source text, taken before the arguments themselves are
//! rewritten, since evaluating it twice could change what the code does.

use proc_macro2::{Delimiter, Spacing, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote_spanned};
use syn::Expr;

use super::bindings::Bindings;
use super::places::is_place;

/// `shown([arg(&x, "x"), source("f(y)")])`: the arguments' text, formatted only when a probe
/// would record. Arguments that are plain places or literals are shown by value; others by
/// their source text, since evaluating them twice could change what the code does.
pub(super) fn shown<'a>(
    args: impl Iterator<Item = (&'a Expr, &'a String)>,
    bindings: &Bindings,
    span: Span,
) -> TokenStream {
    let shown: Vec<TokenStream> = args
        .map(|(arg, source)| match pure_operand(arg, bindings) {
            Some(value) => quote_spanned! {span=>
                ::aiocop::__private::probe::arg(&#value, #source)
            },
            None => quote_spanned!(span=> ::aiocop::__private::probe::source(#source)),
        })
        .collect();
    if shown.is_empty() {
        return quote_spanned!(span=> ::core::option::Option::None);
    }
    quote_spanned! {span=>
        ::aiocop::__private::probe::shown([#(#shown),*])
    }
}

/// The expression to show for an argument that can be read again without side effects, and
/// whose second reading has the type of the first: a literal, or a place rooted at a
/// parameter or local binding or at a constant (`SCREAMING_CASE`), through `&`/`&mut` (read
/// through a shared reference). Any other path may be generic (`None`, a generic fn item): a
/// second mention of it would be a new value whose type nothing infers.
fn pure_operand(expr: &Expr, bindings: &Bindings) -> Option<TokenStream> {
    match expr {
        Expr::Lit(_) => Some(expr.to_token_stream()),
        Expr::Reference(r) => pure_operand(&r.expr, bindings),
        Expr::Paren(p) => pure_operand(&p.expr, bindings),
        _ if is_place(expr) && bindings.roots(expr) => Some(expr.to_token_stream()),
        _ => None,
    }
}

/// Source text of an expression, spaced the way people write it.
pub(super) fn source_text(expr: &Expr) -> String {
    let mut tokens = Vec::new();
    flatten(expr.to_token_stream(), &mut tokens);
    let mut out = String::new();
    // Inside a closure's parameter list (`|a, b|`), between its pipes.
    let mut in_params = false;
    for (i, token) in tokens.iter().enumerate() {
        let prev = if i > 0 { tokens[i - 1].as_str() } else { "" };
        let before_prev = if i > 1 { tokens[i - 2].as_str() } else { "" };
        let closing_pipe = in_params && token == "|";
        // `&`, `*` after an operand are binary (`i * 2`), elsewhere unary (`&x`, `*guard`).
        let unary = matches!(prev, "&" | "*") && !ends_an_operand(before_prev);
        let glue = i == 0
            || closing_pipe
            || unary
            || (in_params && prev == "|")
            || matches!(
                token.as_str(),
                "::" | "." | ".." | "..=" | "(" | ")" | "," | "[" | "]" | "?" | ";"
            )
            || matches!(prev, "::" | "." | ".." | "..=" | "(" | "[" | "!");
        if !glue {
            out.push(' ');
        }
        out.push_str(token);
        if closing_pipe {
            in_params = false;
        } else if token == "|" && matches!(prev, "" | "(" | "," | "move" | "=" | "{" | ";") {
            in_params = true;
        }
    }
    out
}

/// Whether a token can end an operand: a name, a literal, a closing bracket.
fn ends_an_operand(token: &str) -> bool {
    matches!(token, ")" | "]" | "}" | "?")
        || token.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '"' || c == '\'')
            && !matches!(token, "return" | "in" | "mut" | "move" | "break" | "else")
}

/// The tokens of `stream` as text, a group's delimiters as tokens of their own and joint
/// punctuation (`::`, `..`) as one token; literals stay whole, spaces and all.
fn flatten(stream: TokenStream, out: &mut Vec<String>) {
    let mut joining = false;
    for tree in stream {
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::None => ("", ""),
                };
                if !open.is_empty() {
                    out.push(open.to_owned());
                }
                flatten(group.stream(), out);
                if !close.is_empty() {
                    out.push(close.to_owned());
                }
                joining = false;
            }
            TokenTree::Punct(punct) => {
                match out.last_mut() {
                    Some(last) if joining => last.push(punct.as_char()),
                    _ => out.push(punct.as_char().to_string()),
                }
                joining = punct.spacing() == Spacing::Joint;
            }
            other => {
                match out.last_mut() {
                    // A lifetime: `'a`.
                    Some(last) if joining && last == "'" => last.push_str(&other.to_string()),
                    _ => out.push(other.to_string()),
                }
                joining = false;
            }
        }
    }
}
