//! Span fields another layer keeps already: tracing-subscriber's `fmt` layer (and tracing-error's
//! `ErrorLayer`) store each span's fields formatted, as `FormattedFields<DefaultFields>` in the
//! span's extensions. When a span has them by the time the poll layer sees it (the `fmt` layer
//! is added before the poll layer), the poll layer formats nothing itself: it reads theirs back
//! when a poll makes an event, which is rare, instead of formatting every span's fields again.

use std::borrow::Cow;

use tracing::Metadata;
use tracing_subscriber::fmt::FormattedFields;
use tracing_subscriber::fmt::format::DefaultFields;

/// What the `fmt` layer (with its default field formatter) stores on a span.
pub(super) type Formatted = FormattedFields<DefaultFields>;

/// The callsites whose new spans a thread has seen formatted by the `fmt` layer or not, per poll
/// layer: a new span of one of them is not looked up at all (finding a span and its extensions
/// costs more than keeping its fields). Learned from the first span of each callsite the thread
/// sees; a callsite seen unformatted whose later spans the `fmt` layer formats has them kept
/// twice. A `fmt` layer whose per-layer filter lets one span of a callsite
/// through and not a later one (a filter on field values) leaves the later one's fields unknown
/// to events: they are named by the span's name alone.
pub(super) mod seen {
    use std::cell::Cell;

    /// Slots, each for the callsites whose key maps to it (a later one replaces an earlier one).
    const SLOTS: usize = 64;

    /// A slot: the layer's instance, the callsite, and whether its spans were formatted.
    type Seen = (u64, usize, bool);

    thread_local! {
        static SEEN: [Cell<Seen>; SLOTS] = const { [const { Cell::new((0, 0, false)) }; SLOTS] };
    }

    #[inline]
    fn slot(callsite: usize) -> usize {
        // Metadata are statics at least 8 bytes apart.
        (callsite >> 3) % SLOTS
    }

    /// Whether spans of `callsite` were seen formatted under the poll layer `layer` (its
    /// instance number); `None` if not seen lately on this thread.
    #[inline]
    pub(in super::super) fn formatted(layer: u64, callsite: usize) -> Option<bool> {
        SEEN.try_with(|seen| {
            let (seen_layer, seen_callsite, formatted) = seen[slot(callsite)].get();
            (seen_layer == layer && seen_callsite == callsite).then_some(formatted)
        })
        .ok()
        .flatten()
    }

    /// Remembers whether a span of `callsite` was formatted under `layer`.
    pub(in super::super) fn learn(layer: u64, callsite: usize, formatted: bool) {
        let _ = SEEN.try_with(|seen| seen[slot(callsite)].set((layer, callsite, formatted)));
    }
}

/// Fields read back from their formatted text.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Parsed {
    fields: Vec<(&'static str, String)>,
}

impl Parsed {
    /// Reads the fields of a span with metadata `meta` from `text`, as `DefaultFields` writes
    /// them: `name=value` pairs separated by spaces (a value recorded later appended again), names
    /// possibly styled with ANSI escapes, strings quoted. A value is cut where the next
    /// `name=` of one of the span's fields starts: a value that itself contains ` uri=` (for a
    /// field `uri`) is read short. The `message` field, written bare, is not read.
    pub(super) fn read(meta: &'static Metadata<'static>, text: &str) -> Self {
        let plain = strip_ansi(text);
        let plain = plain.as_ref();
        // Where each `name=` starts: at the beginning, or after a space.
        let mut starts: Vec<(usize, &'static str)> = Vec::new();
        for field in meta.fields() {
            let name = field.name();
            if name == "message" {
                continue;
            }
            let name_shown = name.strip_prefix("r#").unwrap_or(name);
            let mut from = 0;
            while let Some(found) = plain[from..].find(name_shown) {
                let at = from + found;
                let after = at + name_shown.len();
                if (at == 0 || plain.as_bytes()[at - 1] == b' ')
                    && plain.as_bytes().get(after) == Some(&b'=')
                {
                    starts.push((at, name));
                }
                from = after;
            }
        }
        starts.sort_unstable();
        // A name found inside another's `name=` (field names may hold spaces) is not a start.
        let shown_end =
            |at: usize, name: &str| at + name.strip_prefix("r#").unwrap_or(name).len() + 1;
        let mut kept: Vec<(usize, &'static str)> = Vec::with_capacity(starts.len());
        for (at, name) in starts {
            if kept
                .last()
                .is_none_or(|&(before, other)| at >= shown_end(before, other))
            {
                kept.push((at, name));
            }
        }
        let mut fields: Vec<(&'static str, String)> = Vec::new();
        for (i, &(at, name)) in kept.iter().enumerate() {
            let begin = shown_end(at, name);
            let end = kept.get(i + 1).map_or(plain.len(), |&(next, _)| next);
            let value = unquote(
                plain
                    .get(begin..end.max(begin))
                    .unwrap_or_default()
                    .trim_end_matches(' '),
            );
            // A value recorded again replaces the first.
            match fields.iter_mut().find(|(n, _)| *n == name) {
                Some(entry) => entry.1 = value.to_owned(),
                None => fields.push((name, value.to_owned())),
            }
        }
        Parsed { fields }
    }

    /// Writes `name`'s value into `out`; `false` if the span has none.
    pub(super) fn write_value(&self, name: &str, out: &mut String) -> bool {
        match self.fields.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => {
                out.push_str(value);
                true
            }
            None => false,
        }
    }

    /// The fields, in the order they were written.
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> + '_ {
        self.fields
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
    }
}

/// `text` without ANSI escape sequences (`ESC [ ... letter`).
fn strip_ansi(text: &str) -> Cow<'_, str> {
    if !text.contains('\u{1b}') {
        return Cow::Borrowed(text);
    }
    let mut plain = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            plain.push(c);
            continue;
        }
        if chars.next() == Some('[') {
            // Parameters, then one final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        }
    }
    Cow::Owned(plain)
}

/// A string value as `fmt` quotes it (`"x"`), without its quotes when nothing inside is escaped;
/// anything else as written.
fn unquote(value: &str) -> &str {
    match value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) if !inner.contains(['"', '\\']) => inner,
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::field::FieldSet;
    use tracing::metadata::Kind;
    use tracing::{Level, callsite::Identifier};

    struct Site;
    impl tracing::Callsite for Site {
        fn set_interest(&self, _: tracing::subscriber::Interest) {}
        fn metadata(&self) -> &Metadata<'_> {
            &META
        }
    }
    static SITE: Site = Site;
    static META: Metadata<'static> = Metadata::new(
        "request",
        "test",
        Level::INFO,
        None,
        None,
        None,
        FieldSet::new(
            &[
                "method", "uri", "version", "agent", "r#type", "message", "a b", "b",
            ],
            Identifier(&SITE),
        ),
        Kind::SPAN,
    );

    fn read(text: &str) -> Vec<(&'static str, String)> {
        Parsed::read(&META, text)
            .iter()
            .map(|(n, v)| (n, v.to_owned()))
            .collect()
    }

    #[test]
    fn plain_fields_are_read_with_their_values() {
        assert_eq!(
            read(r#"method=GET uri=/users/7?q=a b version=HTTP/1.1 agent="curl/8" type=x"#),
            vec![
                ("method", "GET".to_owned()),
                ("uri", "/users/7?q=a b".to_owned()),
                ("version", "HTTP/1.1".to_owned()),
                ("agent", "curl/8".to_owned()),
                ("r#type", "x".to_owned()),
            ]
        );
    }

    #[test]
    fn ansi_styled_names_and_later_records_are_read() {
        // As `fmt` writes them with colours on: the name in italics, `=` dimmed.
        let styled = "\u{1b}[3mmethod\u{1b}[0m\u{1b}[2m=\u{1b}[0mGET \
                      \u{1b}[3muri\u{1b}[0m\u{1b}[2m=\u{1b}[0m/a \
                      \u{1b}[3mmethod\u{1b}[0m\u{1b}[2m=\u{1b}[0mPOST";
        assert_eq!(
            read(styled),
            vec![("method", "POST".to_owned()), ("uri", "/a".to_owned())]
        );
    }

    #[test]
    fn escaped_strings_stay_quoted_and_lookalikes_are_not_names() {
        assert_eq!(
            read(r#"agent="say \"hi\"" xmethod=1 method=GET"#),
            vec![
                ("agent", r#""say \"hi\"" xmethod=1"#.to_owned()),
                ("method", "GET".to_owned()),
            ]
        );
        // A field name holding a space, and another that is its last word.
        assert_eq!(
            read("a b=1 b=2"),
            vec![("a b", "1".to_owned()), ("b", "2".to_owned())]
        );
        assert_eq!(read("a b="), vec![("a b", String::new())]);
        assert_eq!(read(""), vec![]);
        assert_eq!(read("a bare message"), vec![]);
    }
}
