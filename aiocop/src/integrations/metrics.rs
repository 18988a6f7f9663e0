//! [`metrics`] integration (feature `metrics`): the reference guide's Prometheus
//! metrics, recorded through the `metrics` facade so any exporter can publish them.
//!
//! | metric | kind | labels | recorded for |
//! |---|---|---|---|
//! | [`SLOW_TASKS_TOTAL`] `aiocop_slow_tasks_total` | counter | `severity_level`, `reason` | tasks that exceeded the threshold |
//! | [`TASK_DURATION_MS`] `aiocop_task_duration_milliseconds` | histogram | `exceeded_threshold` (`"true"`/`"false"`) | every event |
//! | [`SEVERITY_SCORE`] `aiocop_severity_score` | histogram | — | events with a score above 0 |
//!
//! [`MetricsCallback::function_label`] adds a `function` label (`module::name`) to all three.
//!
//! Histogram buckets are the exporter's business. The guide's are [`TASK_DURATION_BUCKETS_MS`] and
//! [`SEVERITY_SCORE_BUCKETS`]; [`HISTOGRAM_BUCKETS`] pairs them with the names, ready for
//! `metrics_exporter_prometheus::PrometheusBuilder::set_buckets_for_metric` (the `prometheus`
//! example of the repository does exactly that). Install the recorder before registering, so
//! [`describe_metrics`] reaches it.
//!
//! ```
//! use aiocop::integrations::metrics::{HISTOGRAM_BUCKETS, MetricsCallback};
//!
//! for (name, buckets) in HISTOGRAM_BUCKETS {
//!     // builder = builder.set_buckets_for_metric(Matcher::Full(name.to_owned()), buckets)?;
//!     # let _ = (name, buckets);
//! }
//! // builder.install()?;
//! let handle = MetricsCallback::new().register();
//! # aiocop::unregister_slow_task_callback(handle);
//! ```

use ::metrics::{Label, Unit, counter, describe_counter, describe_histogram, histogram};

use super::{EventFilter, FunctionPath};
use crate::callbacks::{CallbackHandle, register_slow_task_callback};
use crate::event::SlowTaskEvent;
use crate::severity::SeverityLevel;

/// Counter of tasks that exceeded the threshold, by `severity_level` and `reason`.
pub const SLOW_TASKS_TOTAL: &str = "aiocop_slow_tasks_total";
/// Histogram of task durations in milliseconds, by `exceeded_threshold`.
pub const TASK_DURATION_MS: &str = "aiocop_task_duration_milliseconds";
/// Histogram of non-zero severity scores.
pub const SEVERITY_SCORE: &str = "aiocop_severity_score";

/// The guide's bucket bounds for [`TASK_DURATION_MS`], in milliseconds.
pub const TASK_DURATION_BUCKETS_MS: &[f64] = &[10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0];
/// The guide's bucket bounds for [`SEVERITY_SCORE`].
pub const SEVERITY_SCORE_BUCKETS: &[f64] = &[1.0, 10.0, 25.0, 50.0, 100.0, 200.0];
/// Each histogram's name with its bucket bounds, for configuring an exporter.
pub const HISTOGRAM_BUCKETS: [(&str, &[f64]); 2] = [
    (TASK_DURATION_MS, TASK_DURATION_BUCKETS_MS),
    (SEVERITY_SCORE, SEVERITY_SCORE_BUCKETS),
];

/// A configurable slow-task callback recording the guide's metrics.
///
/// ```
/// use aiocop::integrations::metrics::MetricsCallback;
///
/// // Install your `metrics` recorder (exporter) first, then:
/// let handle = MetricsCallback::new().function_label(true).register();
/// # aiocop::unregister_slow_task_callback(handle);
/// ```
#[derive(Debug, Clone)]
pub struct MetricsCallback {
    filter: EventFilter,
    function_label: bool,
}

impl MetricsCallback {
    /// The guide's behaviour: every event is recorded, no `function` label.
    pub fn new() -> Self {
        Self {
            filter: EventFilter::new(false, SeverityLevel::Low),
            function_label: false,
        }
    }

    /// Adds a `function` label (`module::name` of the monitored function) to every metric. Its
    /// cardinality is the number of monitored functions that block.
    #[must_use]
    pub fn function_label(mut self, enabled: bool) -> Self {
        self.function_label = enabled;
        self
    }

    /// Records only tasks that exceeded the threshold (default `false`: the duration histogram
    /// also sees quick polls that recorded blocking calls, labelled `exceeded_threshold="false"`).
    #[must_use]
    pub fn only_exceeded(mut self, only_exceeded: bool) -> Self {
        self.filter.only_exceeded = only_exceeded;
        self
    }

    /// Records only tasks of at least this severity (default [`SeverityLevel::Low`]: all).
    #[must_use]
    pub fn min_severity(mut self, severity: SeverityLevel) -> Self {
        self.filter.min_severity = severity;
        self
    }

    /// Records `event` into the installed `metrics` recorder. For use from a callback of your own;
    /// [`into_callback`](Self::into_callback) calls this.
    pub fn record(&self, event: &SlowTaskEvent) {
        if !self.filter.accepts(event) {
            return;
        }
        let function = self
            .function_label
            .then(|| Label::new("function", FunctionPath(event.function()).to_string()));
        let with_function = |mut labels: Vec<Label>| {
            labels.extend(function.clone());
            labels
        };

        let exceeded = event.exceeded_threshold();
        histogram!(
            TASK_DURATION_MS,
            with_function(vec![Label::from_static_parts(
                "exceeded_threshold",
                if exceeded { "true" } else { "false" },
            )])
        )
        .record(event.elapsed_ms());

        if exceeded {
            counter!(
                SLOW_TASKS_TOTAL,
                with_function(vec![
                    Label::from_static_parts("severity_level", event.severity_level().as_str()),
                    Label::from_static_parts("reason", event.reason().as_str()),
                ])
            )
            .increment(1);
        }

        if event.severity_score() > 0 {
            histogram!(SEVERITY_SCORE, with_function(Vec::new()))
                .record(f64::from(event.severity_score()));
        }
    }

    /// This configuration as a closure for
    /// [`register_slow_task_callback`].
    pub fn into_callback(self) -> impl Fn(&SlowTaskEvent) + Send + Sync + 'static {
        move |event| self.record(event)
    }

    /// Describes the metrics to the installed recorder, then registers this configuration as a
    /// slow-task callback.
    pub fn register(self) -> CallbackHandle {
        describe_metrics();
        register_slow_task_callback(self.into_callback())
    }
}

impl Default for MetricsCallback {
    fn default() -> Self {
        Self::new()
    }
}

/// Gives the installed recorder the metrics' help texts and units (Prometheus `# HELP` lines).
/// [`MetricsCallback::register`] calls this; call it yourself after installing a recorder if you
/// register through [`MetricsCallback::into_callback`].
pub fn describe_metrics() {
    describe_counter!(SLOW_TASKS_TOTAL, "Total number of slow tasks detected");
    describe_histogram!(
        TASK_DURATION_MS,
        Unit::Milliseconds,
        "Task duration in milliseconds"
    );
    describe_histogram!(SEVERITY_SCORE, "Severity score of blocking events");
}

/// Registers the slow-task callback with the guide's defaults ([`MetricsCallback::new`]).
pub fn register() -> CallbackHandle {
    MetricsCallback::new().register()
}
