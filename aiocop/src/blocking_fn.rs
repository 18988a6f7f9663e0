//! Functions the user declared blocking with `#[aiocop::blocking]`.

use crate::audit::audit;

/// A function marked `#[aiocop::blocking]`: every call records an event named `event` with
/// `weight`. Registered at compile time; [`get_blocking_events_dict`](crate::get_blocking_events_dict)
/// lists it.
#[derive(Debug)]
pub struct BlockingFunction {
    event: &'static str,
    weight: u32,
}

impl BlockingFunction {
    /// Describes a blocking function (used by the macro).
    pub const fn new(event: &'static str, weight: u32) -> Self {
        Self { event, weight }
    }

    /// The event name its calls record.
    pub const fn event(&self) -> &'static str {
        self.event
    }

    /// The weight its calls record.
    pub const fn weight(&self) -> u32 {
        self.weight
    }

    /// Records one call, located at the caller of the `#[track_caller]` function this is called
    /// from.
    #[track_caller]
    #[inline]
    pub fn record(&'static self) {
        audit(self.event, self.weight, &[]);
    }
}

/// Every `#[aiocop::blocking]` function of the program.
pub fn blocking_functions() -> impl Iterator<Item = &'static BlockingFunction> {
    crate::static_list::blocking()
}
