//! A span's recorded fields, kept compact: the layer records them for every span it sees (each
//! request's span is new), and most are never read (they are read when a poll makes an event).
//! Every text value goes into one string per span, so recording a span allocates twice at most
//! (the string and the list), whatever its number of fields.

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
    text: String,
    entries: Vec<(&'static str, Stored)>,
}

/// Text kept per span at most: a field whose text would go past it is cut (its value is an id, a
/// body, something no event needs whole), so a span re-recording a field forever stays bounded.
const MAX_TEXT: usize = 4096;
/// Text reserved at a span's first text value.
const INITIAL_TEXT: usize = 128;

impl SpanFields {
    /// Records `record`'s fields that `keep` accepts (a value recorded again replaces the old).
    pub(super) fn record(
        &mut self,
        keep: &dyn Fn(&str) -> bool,
        record: impl FnOnce(&mut dyn Visit),
    ) {
        let mut visitor = Visitor { fields: self, keep };
        record(&mut visitor);
    }

    /// Whether `name` is recorded.
    pub(super) fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|(n, _)| *n == name)
    }

    /// The fields, as context values (allocating: for an event being built).
    pub(super) fn iter(&self) -> impl Iterator<Item = (&'static str, ContextValue)> + '_ {
        self.entries
            .iter()
            .map(|(name, stored)| (*name, self.value(stored)))
    }

    /// Writes `name`'s value (as an event's name shows it) into `out`; `false` if not recorded.
    pub(super) fn write_value(&self, name: &str, out: &mut String) -> bool {
        let Some((_, stored)) = self.entries.iter().find(|(n, _)| *n == name) else {
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

    fn set(&mut self, name: &'static str, stored: Stored) {
        match self.entries.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = stored,
            None => self.entries.push((name, stored)),
        }
    }

    /// Appends text written by `write` as `name`'s value, cut at a character boundary within
    /// [`MAX_TEXT`]. A replaced value's old text stays until the text is compacted, which happens
    /// when it would otherwise not fit.
    fn set_text(&mut self, name: &'static str, write: impl FnOnce(&mut String) -> fmt::Result) {
        if self.text.len() >= MAX_TEXT / 2 {
            self.compact();
        }
        if self.text.capacity() == 0 {
            // One allocation for a request span's usual fields (a method, a URI, a version),
            // instead of regrowing at each small write.
            self.text.reserve(INITIAL_TEXT);
        }
        let start = self.text.len();
        let _ = write(&mut self.text);
        if self.text.len() > MAX_TEXT {
            let mut end = MAX_TEXT;
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            self.text.truncate(end.max(start));
        }
        let range = start as u32..self.text.len() as u32;
        self.set(name, Stored::Text(range));
    }

    /// Rewrites the text with only the live values.
    fn compact(&mut self) {
        let mut text = String::with_capacity(self.text.len() / 2);
        for (_, stored) in &mut self.entries {
            if let Stored::Text(range) = stored {
                let start = text.len() as u32;
                text.push_str(
                    self.text
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
    keep: &'a dyn Fn(&str) -> bool,
}

impl Visit for Visitor<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        if (self.keep)(field.name()) {
            self.fields.set(field.name(), Stored::F64(value));
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        if (self.keep)(field.name()) {
            self.fields.set(field.name(), Stored::I64(value));
        }
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        if (self.keep)(field.name()) {
            self.fields.set(field.name(), Stored::U64(value));
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        if (self.keep)(field.name()) {
            self.fields.set(field.name(), Stored::Bool(value));
        }
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        if (self.keep)(field.name()) {
            self.fields.set_text(field.name(), |text| {
                text.push_str(value);
                Ok(())
            });
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` (display) fields also arrive here, already formatted without quotes.
        if (self.keep)(field.name()) {
            self.fields
                .set_text(field.name(), |text| write!(text, "{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_text(fields: &mut SpanFields, name: &'static str, value: &str) {
        fields.set_text(name, |text| {
            text.push_str(value);
            Ok(())
        });
    }

    #[test]
    fn values_are_kept_replaced_and_read_back() {
        let mut fields = SpanFields::default();
        set_text(&mut fields, "method", "GET");
        fields.set("status", Stored::U64(200));
        set_text(&mut fields, "uri", "/users/7");
        set_text(&mut fields, "method", "POST");
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
    fn re_recording_a_field_forever_stays_bounded() {
        let mut fields = SpanFields::default();
        for i in 0..100_000 {
            set_text(&mut fields, "progress", &format!("step {i} of a long job"));
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
        set_text(&mut fields, "body", &"é".repeat(10_000));
        let (_, value) = fields.iter().next().unwrap();
        let text = value.as_str().unwrap().to_owned();
        assert!(text.len() <= MAX_TEXT && !text.is_empty());
        assert!(text.chars().all(|c| c == 'é'));
    }
}
