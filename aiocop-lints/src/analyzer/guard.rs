//! Keeping one bad file from ending the run: parsing and walking recurse once per level of
//! nesting, so they run on a thread with a large stack, and a file whose nesting could exceed
//! even that stack is reported and skipped before syn sees it.
//!
//! syn's parser recurses for every nested group (`(`, `[`, `{`) and for every prefix operator,
//! `else if`, closure, assignment, `return`/`break` and range inside one expression; the walker
//! recurses once per level of the expression tree. Tokenizing (proc-macro2's lexer is
//! iterative) and measuring the worst such nesting first bounds the parser's recursion; the
//! walker bounds its own depth (see [`MAX_WALK_DEPTH`]).

use std::str::FromStr;

use proc_macro2::{Spacing, TokenStream, TokenTree};

/// The stack of the thread that parses and walks. Only the pages a deep file touches are ever
/// committed; a typical run uses well under a megabyte of it.
pub(crate) const STACK_SIZE: usize = 1 << 30;

/// The deepest nesting (groups plus recursion-prone tokens inside one expression) a file may
/// have. Real code rarely exceeds 50; at this bound a debug build of the parser uses about a
/// quarter of [`STACK_SIZE`].
pub(crate) const MAX_NESTING: usize = 4_000;

/// The deepest expression tree the walker descends into; a file nesting deeper is reported
/// and skipped. Chains of method calls do not count: they are walked in a loop.
pub(crate) const MAX_WALK_DEPTH: usize = 20_000;

/// Where a file nests too deep, and how deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TooDeep {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) depth: usize,
}

/// Why a text could not be parsed: where, and the message.
pub(crate) struct ParseFailure {
    pub(crate) line: usize,
    pub(crate) column: usize,
    pub(crate) message: String,
}

/// Parses a file the way `syn::parse_file` does (byte-order mark and shebang line skipped),
/// refusing one nested deeper than [`MAX_NESTING`].
pub(crate) fn parse_file(text: &str) -> Result<syn::File, ParseFailure> {
    let mut content = text.strip_prefix('\u{feff}').unwrap_or(text);
    // A first line `#!...` is a shebang unless it starts an inner attribute `#![...]`; the
    // newline stays, so that line numbers are the file's.
    if let Some(rest) = content.strip_prefix("#!")
        && !rest.trim_start().starts_with('[')
    {
        content = content.find('\n').map_or("", |i| &content[i..]);
    }
    let tokens = TokenStream::from_str(content).map_err(|e| {
        let start = e.span().start();
        ParseFailure {
            line: start.line,
            column: start.column + 1,
            message: format!("cannot parse file: {e}"),
        }
    })?;
    if let Some(deep) = too_deep(&tokens, MAX_NESTING) {
        return Err(ParseFailure {
            line: deep.line,
            column: deep.column,
            message: format!(
                "nesting too deep to analyze ({} levels here, the limit is {MAX_NESTING})",
                deep.depth
            ),
        });
    }
    syn::parse2::<syn::File>(tokens).map_err(|e| {
        let start = e.span().start();
        ParseFailure {
            line: start.line,
            column: start.column + 1,
            message: format!("cannot parse file: {e}"),
        }
    })
}

/// Tokens after which the parser recurses to parse what follows, within one expression.
/// `prev_joint` says whether the previous token was a punctuation joined to this one: `==`,
/// `<=`, `!=` are comparisons the parser loops over, `=>` ends a match arm's pattern.
fn recursion_prone(token: &TokenTree, prev_joint: bool) -> bool {
    match token {
        TokenTree::Punct(p) => match p.as_char() {
            '=' => p.spacing() == Spacing::Alone && !prev_joint,
            c => matches!(c, '!' | '-' | '*' | '&' | '|' | '<'),
        },
        TokenTree::Ident(i) => matches!(
            i.to_string().as_str(),
            "else" | "return" | "break" | "move" | "async" | "yield" | "box" | "let" | "if"
        ),
        _ => false,
    }
}

/// One group being scanned.
struct Frame {
    tokens: proc_macro2::token_stream::IntoIter,
    /// The depth the group's contents start at.
    base: usize,
    /// Recursion-prone tokens so far in the current statement or list element.
    run: usize,
    prev_joint: bool,
}

/// Where `tokens` nest deeper than `limit`: each group adds one level, and inside one
/// statement or list element each recursion-prone token adds one more (`;` and `,` end the
/// run: the parser returns there). Operators the parser loops over (`a || b || c`) are
/// counted too: an overestimate the limit leaves room for. Iterative: the input may be
/// arbitrarily deep.
pub(crate) fn too_deep(tokens: &TokenStream, limit: usize) -> Option<TooDeep> {
    let mut stack = vec![Frame {
        tokens: tokens.clone().into_iter(),
        base: 0,
        run: 0,
        prev_joint: false,
    }];
    while let Some(frame) = stack.last_mut() {
        let Some(token) = frame.tokens.next() else {
            stack.pop();
            continue;
        };
        let prone = recursion_prone(&token, frame.prev_joint);
        frame.prev_joint = matches!(&token, TokenTree::Punct(p) if p.spacing() == Spacing::Joint);
        match &token {
            TokenTree::Punct(p) if matches!(p.as_char(), ';' | ',') => frame.run = 0,
            _ if prone => frame.run += 1,
            _ => {}
        }
        let depth = frame.base + frame.run;
        let (depth, start) = match &token {
            TokenTree::Group(g) => (depth + 1, g.span_open().start()),
            other => (depth, other.span().start()),
        };
        if depth > limit {
            return Some(TooDeep {
                line: start.line,
                column: start.column + 1,
                depth,
            });
        }
        if let TokenTree::Group(g) = &token {
            // Inside the group a new run starts, on top of the depth the group is at.
            stack.push(Frame {
                tokens: g.stream().into_iter(),
                base: depth,
                run: 0,
                prev_joint: false,
            });
        }
    }
    None
}

/// Runs `f` on a thread with a [`STACK_SIZE`] stack, returning its result (on the current
/// thread if no thread can be started); a panic in `f` is carried over to the caller.
pub(crate) fn on_big_stack<R: Send>(f: impl Fn() -> R + Sync) -> R {
    let joined = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("aiocop-lint".to_string())
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, &f)
            .ok()
            .map(|handle| handle.join())
    });
    match joined {
        Some(Ok(result)) => result,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        None => f(),
    }
}
