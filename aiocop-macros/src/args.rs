//! Parsing of the attributes' arguments. Every error points at the offending token.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Ident, LitBool, LitStr, Token};

use aiocop_lints::catalog;

/// Arguments of `#[aiocop::monitor(...)]`.
#[derive(Default)]
pub(crate) struct MonitorArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) threshold_ms: Option<u64>,
    pub(crate) strict: bool,
    pub(crate) rewrite: bool,
    pub(crate) allow: Vec<String>,
    pub(crate) deny: bool,
}

/// One `key`, `key = value` or `key(list)` argument.
struct RawArg {
    key: Ident,
    value: RawValue,
}

enum RawValue {
    Flag,
    Assign(syn::Expr),
    List(TokenStream, Span),
}

impl Parse for RawArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let key: Ident = input.call(syn::ext::IdentExt::parse_any)?;
        let value = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            RawValue::Assign(input.parse()?)
        } else if input.peek(syn::token::Paren) {
            let content;
            let paren = syn::parenthesized!(content in input);
            RawValue::List(content.parse()?, paren.span.join())
        } else {
            RawValue::Flag
        };
        Ok(RawArg { key, value })
    }
}

fn parse_raw(args: TokenStream) -> syn::Result<Vec<RawArg>> {
    let parsed = Punctuated::<RawArg, Token![,]>::parse_terminated.parse2(args)?;
    let mut seen: Vec<String> = Vec::new();
    for arg in &parsed {
        let key = arg.key.to_string();
        if seen.contains(&key) {
            return Err(syn::Error::new(
                arg.key.span(),
                format!("duplicate argument `{key}`"),
            ));
        }
        seen.push(key);
    }
    Ok(parsed.into_iter().collect())
}

fn unknown(key: &Ident, expected: &str) -> syn::Error {
    syn::Error::new(
        key.span(),
        format!("unknown argument `{key}`; expected one of: {expected}"),
    )
}

fn expect_str(arg: &RawArg) -> syn::Result<LitStr> {
    match &arg.value {
        RawValue::Assign(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        })) => {
            if s.value().trim().is_empty() {
                Err(syn::Error::new(
                    s.span(),
                    format!("`{}` must not be empty", arg.key),
                ))
            } else {
                Ok(s.clone())
            }
        }
        RawValue::Assign(other) => Err(syn::Error::new_spanned(
            other,
            format!(
                "`{}` expects a string literal, e.g. `{} = \"...\"`",
                arg.key, arg.key
            ),
        )),
        _ => Err(syn::Error::new(
            arg.key.span(),
            format!("`{}` expects a value: `{} = \"...\"`", arg.key, arg.key),
        )),
    }
}

fn expect_bool_or_flag(arg: &RawArg) -> syn::Result<bool> {
    match &arg.value {
        RawValue::Flag => Ok(true),
        RawValue::Assign(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Bool(LitBool { value, .. }),
            ..
        })) => Ok(*value),
        RawValue::Assign(other) => Err(syn::Error::new_spanned(
            other,
            format!("`{}` expects `true` or `false`", arg.key),
        )),
        RawValue::List(_, span) => Err(syn::Error::new(
            *span,
            format!(
                "`{}` takes no list; write `{}` or `{} = true`",
                arg.key, arg.key, arg.key
            ),
        )),
    }
}

fn expect_bool(arg: &RawArg) -> syn::Result<bool> {
    match &arg.value {
        RawValue::Flag => Err(syn::Error::new(
            arg.key.span(),
            format!("`{}` expects a value: `{} = false`", arg.key, arg.key),
        )),
        _ => expect_bool_or_flag(arg),
    }
}

fn expect_positive_int(arg: &RawArg, max: u64) -> syn::Result<u64> {
    match &arg.value {
        RawValue::Assign(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        })) => {
            let value: u64 = int.base10_parse().map_err(|_| {
                syn::Error::new(int.span(), format!("`{}` must fit in a u64", arg.key))
            })?;
            if value == 0 || value > max {
                return Err(syn::Error::new(
                    int.span(),
                    format!("`{}` must be between 1 and {max}", arg.key),
                ));
            }
            Ok(value)
        }
        RawValue::Assign(other) => Err(syn::Error::new_spanned(
            other,
            format!(
                "`{}` expects an integer literal, e.g. `{} = 100`",
                arg.key, arg.key
            ),
        )),
        _ => Err(syn::Error::new(
            arg.key.span(),
            format!("`{}` expects a value: `{} = 100`", arg.key, arg.key),
        )),
    }
}

/// An entry of `allow(...)`: a catalog path or a string naming any event.
enum AllowEntry {
    Path(syn::Path),
    Str(LitStr),
}

impl Parse for AllowEntry {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            Ok(AllowEntry::Str(input.parse()?))
        } else if input.peek(Ident) || input.peek(Token![::]) {
            Ok(AllowEntry::Path(input.parse()?))
        } else {
            Err(input.error(
                "`allow` takes operation paths (`std::fs::read`) or event names as strings \
                 (`\"mylib::query\"`)",
            ))
        }
    }
}

fn path_string(path: &syn::Path) -> String {
    crate::item::path_segments(path).join("::")
}

fn parse_allow(arg: &RawArg) -> syn::Result<Vec<String>> {
    let RawValue::List(tokens, span) = &arg.value else {
        return Err(syn::Error::new(
            arg.key.span(),
            "`allow` expects a list of operations: `allow(std::thread::sleep, \"mylib::query\")`",
        ));
    };
    let entries = Punctuated::<AllowEntry, Token![,]>::parse_terminated.parse2(tokens.clone())?;
    if entries.is_empty() {
        return Err(syn::Error::new(
            *span,
            "`allow()` is empty; name at least one operation",
        ));
    }
    let mut out = Vec::new();
    for entry in entries {
        match entry {
            AllowEntry::Str(s) => out.push(s.value()),
            AllowEntry::Path(path) => {
                let name = path_string(&path);
                if catalog::find_event(&name).is_none() {
                    let mut msg = format!("`{name}` is not a known blocking operation");
                    if let Some(close) = closest_event(&name) {
                        msg.push_str(&format!("; did you mean `{close}`?"));
                    } else {
                        msg.push_str(
                            "; name catalog operations by their std path, or use a string for \
                             other event names",
                        );
                    }
                    return Err(syn::Error::new_spanned(path, msg));
                }
                out.push(name);
            }
        }
    }
    Ok(out)
}

fn closest_event(name: &str) -> Option<&'static str> {
    catalog::CATALOG
        .iter()
        .map(|op| (edit_distance(name, op.event), op.event))
        .filter(|(d, _)| *d <= 3)
        .min()
        .map(|(_, e)| e)
        .or_else(|| {
            // `fs::read` for `std::fs::read`: a unique suffix match.
            let mut hits = catalog::CATALOG
                .iter()
                .filter(|op| op.event.ends_with(&format!("::{name}")));
            match (hits.next(), hits.next()) {
                (Some(op), None) => Some(op.event),
                _ => None,
            }
        })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Largest `threshold_ms` accepted: a day.
const MAX_THRESHOLD_MS: u64 = 86_400_000;

impl MonitorArgs {
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut out = MonitorArgs {
            rewrite: true,
            ..MonitorArgs::default()
        };
        let mut rewrite_span = None;
        for arg in parse_raw(args)? {
            match arg.key.to_string().as_str() {
                "name" => out.name = Some(expect_str(&arg)?),
                "threshold_ms" => {
                    out.threshold_ms = Some(expect_positive_int(&arg, MAX_THRESHOLD_MS)?)
                }
                "strict" => out.strict = expect_bool_or_flag(&arg)?,
                "rewrite" => {
                    out.rewrite = expect_bool(&arg)?;
                    rewrite_span = Some(arg.key.span());
                }
                "allow" => out.allow = parse_allow(&arg)?,
                "deny" => out.deny = expect_bool_or_flag(&arg)?,
                _ => {
                    return Err(unknown(
                        &arg.key,
                        "`name`, `threshold_ms`, `strict`, `rewrite`, `allow`, `deny`",
                    ));
                }
            }
        }
        if out.deny && !out.rewrite {
            return Err(syn::Error::new(
                rewrite_span.unwrap_or_else(Span::call_site),
                "`deny` needs call rewriting: remove `rewrite = false`, or `deny`",
            ));
        }
        Ok(out)
    }
}

/// Arguments of `#[aiocop::blocking(...)]`.
pub(crate) struct BlockingArgs {
    pub(crate) name: Option<LitStr>,
    pub(crate) weight: u32,
}

/// Largest weight accepted for a user operation.
const MAX_WEIGHT: u64 = 1_000;

impl BlockingArgs {
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut out = BlockingArgs {
            name: None,
            weight: catalog::WEIGHT_MODERATE,
        };
        for arg in parse_raw(args)? {
            match arg.key.to_string().as_str() {
                "name" => out.name = Some(expect_str(&arg)?),
                "weight" => out.weight = parse_weight(&arg)?,
                _ => return Err(unknown(&arg.key, "`weight`, `name`")),
            }
        }
        Ok(out)
    }
}

fn parse_weight(arg: &RawArg) -> syn::Result<u32> {
    const EXPECTED: &str =
        "`weight` expects `heavy` (50), `moderate` (10), `light` (1), `trivial` (0) or an integer";
    match &arg.value {
        RawValue::Assign(syn::Expr::Path(p)) if p.path.get_ident().is_some() => {
            let ident = p.path.get_ident().map(Ident::to_string).unwrap_or_default();
            match ident.as_str() {
                "heavy" => Ok(catalog::WEIGHT_HEAVY),
                "moderate" => Ok(catalog::WEIGHT_MODERATE),
                "light" => Ok(catalog::WEIGHT_LIGHT),
                "trivial" => Ok(catalog::WEIGHT_TRIVIAL),
                _ => Err(syn::Error::new_spanned(p, EXPECTED)),
            }
        }
        RawValue::Assign(syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Int(int),
            ..
        })) => {
            let value: u64 = int
                .base10_parse()
                .map_err(|_| syn::Error::new(int.span(), EXPECTED))?;
            if value > MAX_WEIGHT {
                return Err(syn::Error::new(
                    int.span(),
                    format!("`weight` must be at most {MAX_WEIGHT}"),
                ));
            }
            Ok(value as u32)
        }
        RawValue::Assign(other) => Err(syn::Error::new_spanned(other, EXPECTED)),
        _ => Err(syn::Error::new(arg.key.span(), EXPECTED)),
    }
}

/// Arguments of `#[aiocop::allow_blocking(reason = "...")]`.
pub(crate) struct AllowBlockingArgs;

impl AllowBlockingArgs {
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let raw = parse_raw(args)?;
        let mut reason = None;
        for arg in &raw {
            match arg.key.to_string().as_str() {
                "reason" => reason = Some(expect_str(arg)?),
                _ => return Err(unknown(&arg.key, "`reason`")),
            }
        }
        if reason.is_none() {
            return Err(syn::Error::new(
                Span::call_site(),
                "`allow_blocking` needs a reason: `#[aiocop::allow_blocking(reason = \"...\")]`",
            ));
        }
        Ok(AllowBlockingArgs)
    }
}

/// Arguments of `#[aiocop::test(...)]`.
pub(crate) struct TestArgs {
    /// `flavor = "multi_thread"` (default: the current-thread runtime).
    pub(crate) multi_thread: bool,
    /// `worker_threads = N`, multi-thread runtimes only.
    pub(crate) worker_threads: Option<u64>,
}

/// The most worker threads a test runtime may ask for (a test asking for more has a typo).
const MAX_TEST_WORKERS: u64 = 1024;

impl TestArgs {
    pub(crate) fn parse(args: TokenStream) -> syn::Result<Self> {
        let mut out = TestArgs {
            multi_thread: false,
            worker_threads: None,
        };
        let mut workers_span = None;
        for arg in parse_raw(args)? {
            match arg.key.to_string().as_str() {
                "flavor" => {
                    let flavor = expect_str(&arg)?;
                    out.multi_thread = match flavor.value().as_str() {
                        "current_thread" => false,
                        "multi_thread" => true,
                        other => {
                            return Err(syn::Error::new(
                                flavor.span(),
                                format!(
                                    "unknown flavor `{other}`; expected `\"current_thread\"` or \
                                     `\"multi_thread\"`"
                                ),
                            ));
                        }
                    };
                }
                "worker_threads" => {
                    out.worker_threads = Some(expect_positive_int(&arg, MAX_TEST_WORKERS)?);
                    workers_span = Some(arg.key.span());
                }
                _ => return Err(unknown(&arg.key, "`flavor`, `worker_threads`")),
            }
        }
        if let (false, Some(span)) = (out.multi_thread, workers_span) {
            return Err(syn::Error::new(
                span,
                "`worker_threads` needs `flavor = \"multi_thread\"`: the current-thread runtime \
                 has one thread",
            ));
        }
        Ok(out)
    }
}
