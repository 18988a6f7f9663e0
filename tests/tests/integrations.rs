//! The observability integrations against the real crates, each behind its feature (`tracing`,
//! `metrics`, `opentelemetry`, `sentry`; all with `integrations`). The `tracing` tests run in this
//! process; the others' tests each run in a process of their own (`aiocop_tests::own_process!`),
//! as each integration registers process-wide callbacks and its own threshold.

#[cfg(feature = "metrics")]
#[path = "integrations/metrics.rs"]
mod metrics;
#[cfg(feature = "opentelemetry")]
#[path = "integrations/opentelemetry.rs"]
mod opentelemetry;
#[cfg(feature = "sentry")]
#[path = "integrations/sentry.rs"]
mod sentry;
#[cfg(feature = "tracing")]
#[path = "integrations/tracing.rs"]
mod tracing;
