//! Every slow-task event of the process, for test binaries whose tests tell their own events
//! apart by context (a request id, a task id) rather than with `collect_events`, because the
//! polls they look at run on tasks they do not create (each binary includes this module with
//! `mod event_log;`).

use std::sync::{Mutex, PoisonError};

use aiocop::SlowTaskEvent;

static EVENTS: Mutex<Vec<SlowTaskEvent>> = Mutex::new(Vec::new());

/// Registers the callback that keeps every event, and delivers inline: callbacks run on the
/// polling thread right after the poll, so once the poll that caused an event has returned (a
/// client has its response, a runtime is dropped), the event is in the log.
pub(crate) fn record_every_event() {
    aiocop::register_slow_task_callback(|event: &SlowTaskEvent| {
        EVENTS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(event.clone());
    });
    aiocop::delivery::set_mode(aiocop::delivery::Delivery::Inline);
}

/// The events kept so far for which `pred` holds, in delivery order.
pub(crate) fn events_matching(pred: impl Fn(&SlowTaskEvent) -> bool) -> Vec<SlowTaskEvent> {
    EVENTS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|e| pred(e))
        .cloned()
        .collect()
}
