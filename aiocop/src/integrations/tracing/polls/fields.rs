//! A span's recorded fields, kept compact: the layer records them for every span it sees (each
//! request's span is new), and most are never read (they are read when a poll makes an event).
//! A request span's usual fields (a method, a URI, a version) fit inline, in the span's record in
//! the layer's store (`store`): recording them allocates nothing; more text, or more fields,
//! spill to the heap once.

use std::fmt::{self, Write as _};
use std::ops::Range;

use tracing::field::{Field, Visit};

use crate::context::ContextValue;

/// One field's value; text as a range of [`SpanFields::text`].
#[derive(Clone, Debug, PartialEq)]
enum Stored {
    Text(Range<u32>),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
}

/// A span's fields, in the order first recorded.
#[derive(Default, Debug)]
pub(super) struct SpanFields {
    text: Text,
    /// The first [`INLINE_ENTRIES`] fields; the others in `more`.
    entries: [(&'static str, Stored); INLINE_ENTRIES],
    len: usize,
    more: Vec<(&'static str, Stored)>,
}

/// Text kept per span at most: a field whose text would go past it is cut (its value is an id, a
/// body, something no event needs whole), so a span re-recording a field forever stays bounded.
const MAX_TEXT: usize = 4096;
/// Text kept inline; a span with more moves it all to the heap.
const INLINE_TEXT: usize = 96;
/// Fields kept inline.
const INLINE_ENTRIES: usize = 4;

impl Default for Stored {
    fn default() -> Self {
        Stored::Bool(false)
    }
}

/// The values' text: inline up to [`INLINE_TEXT`] bytes, then a string. Only whole `&str`s are
/// appended inline, so the inline bytes are always UTF-8.
#[derive(Debug)]
enum Text {
    Inline { bytes: [u8; INLINE_TEXT], len: u8 },
    Heap(String),
}

impl Default for Text {
    fn default() -> Self {
        Text::Inline {
            bytes: [0; INLINE_TEXT],
            len: 0,
        }
    }
}

impl Text {
    fn len(&self) -> usize {
        match self {
            Text::Inline { len, .. } => usize::from(*len),
            Text::Heap(text) => text.len(),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Text::Inline { bytes, len } => {
                std::str::from_utf8(&bytes[..usize::from(*len)]).unwrap_or_default()
            }
            Text::Heap(text) => text,
        }
    }

    /// Cuts the text to at most `max` bytes, at a character boundary, but not below `floor`.
    #[cold]
    #[inline(never)]
    fn cut(&mut self, max: usize, floor: usize) {
        if let Text::Heap(text) = self
            && text.len() > max
        {
            let mut end = max;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end.max(floor));
        }
    }
}

impl fmt::Write for Text {
    // The usual value (a method, a path, a version) is a few bytes appended inline: that path is
    // kept small, so that the formatter's call into it saves few registers.
    #[inline]
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if let Text::Inline { bytes, len } = self {
            let at = usize::from(*len);
            if let Some(room) = bytes.get_mut(at..at + s.len()) {
                copy_short(room, s.as_bytes());
                // At most `INLINE_TEXT` (96): fits a `u8`.
                *len = (at + s.len()) as u8;
                return Ok(());
            }
        }
        self.write_spilled(s);
        Ok(())
    }
}

impl Text {
    /// Appends `s` on the heap, moving the inline text there first if needed.
    #[cold]
    #[inline(never)]
    fn write_spilled(&mut self, s: &str) {
        match self {
            Text::Inline { bytes, len } => {
                let at = usize::from(*len);
                let mut text = String::with_capacity((2 * (at + s.len())).max(256));
                text.push_str(std::str::from_utf8(&bytes[..at]).unwrap_or_default());
                text.push_str(s);
                *self = Text::Heap(text);
            }
            Text::Heap(text) => text.push_str(s),
        }
    }
}

/// `to.copy_from_slice(from)` for the few bytes a field's value usually has, without a call into
/// `memcpy` (a byte loop is turned back into that call): two overlapping word copies.
#[inline]
fn copy_short(to: &mut [u8], from: &[u8]) {
    let n = from.len();
    if (8..=16).contains(&n) {
        to[..8].copy_from_slice(&from[..8]);
        to[n - 8..n].copy_from_slice(&from[n - 8..n]);
    } else if (4..8).contains(&n) {
        to[..4].copy_from_slice(&from[..4]);
        to[n - 4..n].copy_from_slice(&from[n - 4..n]);
    } else if n < 4 {
        for (to, from) in to.iter_mut().zip(from) {
            *to = *from;
        }
    } else {
        to.copy_from_slice(from);
    }
}

impl SpanFields {
    /// Records `record`'s fields that `keep` accepts, every field when `keep` is `None` (a value
    /// recorded again replaces the old). While nothing is stored yet (a new span's first
    /// recording, whose fields `tracing` names once each) nothing is looked up before it is stored.
    pub(super) fn record(
        &mut self,
        keep: Option<&dyn Fn(&str) -> bool>,
        record: impl FnOnce(&mut dyn Visit),
    ) {
        let fresh = self.len == 0;
        let mut visitor = Visitor {
            fields: self,
            keep,
            fresh,
        };
        record(&mut visitor);
    }

    fn entries(&self) -> impl Iterator<Item = &(&'static str, Stored)> {
        self.entries[..self.len].iter().chain(&self.more)
    }

    /// Forgets every field, keeping the inline room (heap text and extra entries are freed: a
    /// record kept for reuse holds no more than a new one).
    pub(super) fn clear(&mut self) {
        match &mut self.text {
            Text::Inline { len, .. } => *len = 0,
            Text::Heap(_) => self.text = Text::default(),
        }
        self.len = 0;
        self.more = Vec::new();
    }

    /// Records `value` as `name`'s text, as a recorded `&str` would be (for tests of the store).
    #[cfg(test)]
    pub(super) fn set_text_for_test(&mut self, name: &'static str, value: &str) {
        self.store_text(name, |text| text.write_str(value), false);
    }

    /// Whether nothing is recorded.
    pub(super) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The names recorded.
    pub(super) fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.entries().map(|(name, _)| *name)
    }

    /// Records `other`'s values over these (a value recorded in both: `other`'s).
    pub(super) fn merge(&mut self, other: &SpanFields) {
        for (name, stored) in other.entries() {
            match stored {
                Stored::Text(range) => {
                    let text = other.slice(range);
                    self.store_text(name, |out| out.write_str(text), false);
                }
                value => self.store(name, value.clone(), false),
            }
        }
    }

    /// Whether `name` is recorded.
    #[cfg(test)]
    pub(super) fn contains(&self, name: &str) -> bool {
        self.entries().any(|(n, _)| *n == name)
    }

    /// The fields, as context values (allocating: for an event being built).
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'static str, ContextValue)> + '_ {
        self.entries()
            .map(|(name, stored)| (*name, self.value(stored)))
    }

    /// Writes `name`'s value (as an event's name shows it) into `out`; `false` if not recorded.
    pub(super) fn write_value(&self, name: &str, out: &mut String) -> bool {
        let Some((_, stored)) = self.entries().find(|(n, _)| *n == name) else {
            return false;
        };
        let _ = match stored {
            Stored::Text(range) => {
                out.push_str(self.slice(range));
                Ok(())
            }
            Stored::I64(v) => write!(out, "{v}"),
            Stored::U64(v) => write!(out, "{v}"),
            Stored::F64(v) => write!(out, "{v}"),
            Stored::Bool(v) => write!(out, "{v}"),
        };
        true
    }

    fn slice(&self, range: &Range<u32>) -> &str {
        self.text
            .as_str()
            .get(range.start as usize..range.end as usize)
            .unwrap_or_default()
    }

    fn value(&self, stored: &Stored) -> ContextValue {
        match stored {
            Stored::Text(range) => ContextValue::Str(self.slice(range).to_owned()),
            Stored::I64(v) => ContextValue::I64(*v),
            Stored::U64(v) => ContextValue::U64(*v),
            Stored::F64(v) => ContextValue::F64(*v),
            Stored::Bool(v) => ContextValue::Bool(*v),
        }
    }

    /// Stores `name`'s value; `fresh`: the name is known not to be stored yet.
    #[inline]
    fn store(&mut self, name: &'static str, stored: Stored, fresh: bool) {
        if fresh {
            self.push(name, stored);
        } else {
            self.replace(name, stored);
        }
    }

    /// Stores `name`'s value in place of the one recorded, if any.
    #[inline(never)]
    fn replace(&mut self, name: &'static str, stored: Stored) {
        let (inline, more) = (&mut self.entries[..self.len], &mut self.more);
        match inline
            .iter_mut()
            .chain(more.iter_mut())
            .find(|(n, _)| *n == name)
        {
            Some(entry) => entry.1 = stored,
            None => self.push(name, stored),
        }
    }

    #[inline]
    fn push(&mut self, name: &'static str, stored: Stored) {
        match self.entries.get_mut(self.len) {
            Some(free) => {
                *free = (name, stored);
                self.len += 1;
            }
            None => self.push_more(name, stored),
        }
    }

    #[cold]
    #[inline(never)]
    fn push_more(&mut self, name: &'static str, stored: Stored) {
        self.more.push((name, stored));
    }

    /// Appends text written by `write` as `name`'s value, cut at a character boundary within
    /// [`MAX_TEXT`]; `fresh` as in [`store`](Self::store). A replaced value's old text stays until
    /// the text is compacted, which happens when it would otherwise not fit.
    fn store_text(
        &mut self,
        name: &'static str,
        write: impl FnOnce(&mut Text) -> fmt::Result,
        fresh: bool,
    ) {
        let start = match self.text {
            Text::Inline { len, .. } => usize::from(len),
            Text::Heap(_) => self.make_room(),
        };
        let _ = write(&mut self.text);
        if let Text::Heap(_) = self.text {
            self.text.cut(MAX_TEXT, start);
        }
        let range = start as u32..self.text.len() as u32;
        self.store(name, Stored::Text(range), fresh);
    }

    /// Where the heap text's next value starts, once the text is compacted if it is half full.
    #[cold]
    #[inline(never)]
    fn make_room(&mut self) -> usize {
        if self.text.len() >= MAX_TEXT / 2 {
            self.compact();
        }
        self.text.len()
    }

    /// Rewrites the text with only the live values.
    fn compact(&mut self) {
        let mut text = Text::default();
        let old = std::mem::take(&mut self.text);
        let (inline, more) = (&mut self.entries[..self.len], &mut self.more);
        for (_, stored) in inline.iter_mut().chain(more.iter_mut()) {
            if let Stored::Text(range) = stored {
                let start = text.len() as u32;
                let _ = text.write_str(
                    old.as_str()
                        .get(range.start as usize..range.end as usize)
                        .unwrap_or_default(),
                );
                *range = start..text.len() as u32;
            }
        }
        self.text = text;
    }
}

struct Visitor<'a> {
    fields: &'a mut SpanFields,
    /// `None`: every field is kept.
    keep: Option<&'a dyn Fn(&str) -> bool>,
    /// The span's first recording: names need no look-up.
    fresh: bool,
}

impl Visitor<'_> {
    fn keeps(&self, field: &Field) -> bool {
        self.keep.is_none_or(|keep| keep(field.name()))
    }

    fn set(&mut self, field: &Field, stored: Stored) {
        if self.keeps(field) {
            self.fields.store(field.name(), stored, self.fresh);
        }
    }

    fn set_text(&mut self, field: &Field, write: impl FnOnce(&mut Text) -> fmt::Result) {
        if self.keeps(field) {
            self.fields.store_text(field.name(), write, self.fresh);
        }
    }
}

impl Visit for Visitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.set(field, Stored::F64(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.set(field, Stored::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.set(field, Stored::U64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.set(field, Stored::Bool(value));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.set_text(field, |text| text.write_str(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` (display) fields also arrive here, already formatted without quotes.
        self.set_text(field, |text| write!(text, "{value:?}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_copies_copy_every_length() {
        let from: Vec<u8> = (1..=40).collect();
        for n in 0..=40 {
            let mut to = vec![0u8; n];
            copy_short(&mut to, &from[..n]);
            assert_eq!(to, &from[..n], "{n} bytes");
        }
    }

    #[test]
    fn values_are_kept_replaced_and_read_back() {
        let mut fields = SpanFields::default();
        fields.set_text_for_test("method", "GET");
        fields.store("status", Stored::U64(200), false);
        fields.set_text_for_test("uri", "/users/7");
        fields.set_text_for_test("method", "POST");
        let all: Vec<_> = fields.iter().collect();
        assert_eq!(
            all,
            vec![
                ("method", ContextValue::from("POST")),
                ("status", ContextValue::U64(200)),
                ("uri", ContextValue::from("/users/7")),
            ]
        );
        let mut out = String::new();
        assert!(fields.write_value("status", &mut out));
        assert!(fields.write_value("uri", &mut out));
        assert!(!fields.write_value("missing", &mut out));
        assert_eq!(out, "200/users/7");
    }

    #[test]
    fn fields_and_text_past_the_inline_room_keep_their_order_and_values() {
        let mut fields = SpanFields::default();
        let names = ["a", "b", "c", "d", "e", "f", "g"];
        for (i, name) in names.iter().enumerate() {
            // The third value moves the text to the heap: the values before it must survive.
            fields.set_text_for_test(name, &format!("{i}{}", "x".repeat(40)));
        }
        fields.set_text_for_test("b", "replaced");
        fields.set_text_for_test("f", "also");
        let all: Vec<_> = fields.iter().collect();
        assert_eq!(all.len(), names.len());
        for ((name, value), (i, wanted)) in all.iter().zip(names.iter().enumerate()) {
            assert_eq!(name, wanted);
            let expected = match *wanted {
                "b" => "replaced".to_owned(),
                "f" => "also".to_owned(),
                _ => format!("{i}{}", "x".repeat(40)),
            };
            assert_eq!(
                value,
                &ContextValue::from(expected.as_str()),
                "field {wanted}"
            );
        }
        assert!(fields.contains("g") && !fields.contains("h"));
    }

    #[test]
    fn re_recording_a_field_forever_stays_bounded() {
        let mut fields = SpanFields::default();
        for i in 0..100_000 {
            fields.set_text_for_test("progress", &format!("step {i} of a long job"));
        }
        assert!(fields.text.len() <= MAX_TEXT, "{}", fields.text.len());
        assert_eq!(
            fields.iter().next(),
            Some(("progress", ContextValue::from("step 99999 of a long job")))
        );
    }

    #[test]
    fn a_huge_value_is_cut_at_a_character_boundary() {
        let mut fields = SpanFields::default();
        fields.set_text_for_test("body", &"é".repeat(10_000));
        let (_, value) = fields.iter().next().unwrap();
        let text = value.as_str().unwrap().to_owned();
        assert!(text.len() <= MAX_TEXT && !text.is_empty());
        assert!(text.chars().all(|c| c == 'é'));
    }

    #[test]
    fn a_cleared_record_keeps_nothing_of_its_span() {
        let mut fields = SpanFields::default();
        for name in ["a", "b", "c", "d", "e", "f"] {
            // Past the inline entries and the inline text.
            fields.set_text_for_test(name, &"x".repeat(60));
        }
        fields.clear();
        assert!(fields.is_empty());
        assert!(matches!(fields.text, Text::Inline { len: 0, .. }));
        assert_eq!(fields.more.capacity(), 0, "extra entries freed");
        // A reused record, recorded as a new span's is (fresh: nothing looked up).
        fields.store_text("method", |text| text.write_str("GET"), true);
        fields.store_text("uri", |text| text.write_str("/users/7"), true);
        let all: Vec<_> = fields.iter().collect();
        assert_eq!(
            all,
            vec![
                ("method", ContextValue::from("GET")),
                ("uri", ContextValue::from("/users/7")),
            ]
        );
        assert!(!fields.contains("a") && !fields.contains("f"));
    }
}
