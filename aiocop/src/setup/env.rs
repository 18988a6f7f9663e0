//! [`Config`]: aiocop's settings from environment variables, for rolling monitoring out
//! gradually without a rebuild.

use std::ffi::OsStr;
use std::fmt;

use crate::error::ConfigError;
use crate::request_sampling::Sampler;
use crate::settings::{DEFAULT_THRESHOLD_MS, MAX_TRACE_DEPTH};
use crate::setup;

/// Whether to activate monitoring: `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, any
/// case). Default `true`.
const AIOCOP_ENABLED: &str = "AIOCOP_ENABLED";
/// Fraction of requests to monitor, from `0` to `1` (see [`Sampler`]). Default `1`.
const AIOCOP_SAMPLE_RATE: &str = "AIOCOP_SAMPLE_RATE";
/// Slow-poll threshold in milliseconds, at least 1. Default 30.
const AIOCOP_THRESHOLD_MS: &str = "AIOCOP_THRESHOLD_MS";
/// Stack frames captured per blocking event, from 0 to
/// [`MAX_TRACE_DEPTH`](crate::setup::MAX_TRACE_DEPTH). Default 20.
const AIOCOP_TRACE_DEPTH: &str = "AIOCOP_TRACE_DEPTH";

/// Default trace depth, as in the reference.
const DEFAULT_TRACE_DEPTH: usize = 20;

/// aiocop's settings, read from `AIOCOP_*` environment variables and applied with
/// [`install`](Config::install).
///
/// | variable | values | default |
/// |---|---|---|
/// | `AIOCOP_ENABLED` | `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off` | `true` |
/// | `AIOCOP_SAMPLE_RATE` | a number from 0 to 1 | `1` |
/// | `AIOCOP_THRESHOLD_MS` | an integer ≥ 1 | `30` |
/// | `AIOCOP_TRACE_DEPTH` | an integer from 0 to 256 | `20` |
///
/// An unset or empty variable takes its default; anything else that does not parse is an
/// [`EnvError`] naming the variable and the value.
///
/// ```
/// let config = aiocop::setup::Config::from_vars([
///     ("AIOCOP_SAMPLE_RATE", "0.1"),
///     ("AIOCOP_THRESHOLD_MS", "50"),
/// ])?;
/// assert!(config.enabled());
/// assert_eq!(config.sample_rate(), 0.1);
/// assert_eq!(config.threshold_ms(), 50);
///
/// let error = aiocop::setup::Config::from_vars([("AIOCOP_SAMPLE_RATE", "1.5")]).unwrap_err();
/// assert_eq!(error.variable(), "AIOCOP_SAMPLE_RATE");
/// assert_eq!(
///     error.to_string(),
///     "invalid AIOCOP_SAMPLE_RATE=\"1.5\": expected a number from 0 to 1"
/// );
/// # Ok::<(), aiocop::setup::EnvError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    enabled: bool,
    sample_rate: f64,
    threshold_ms: u64,
    trace_depth: usize,
}

impl Default for Config {
    /// Enabled, every request sampled, 30 ms threshold, 20 frames per trace.
    fn default() -> Self {
        Config {
            enabled: true,
            sample_rate: 1.0,
            threshold_ms: DEFAULT_THRESHOLD_MS,
            trace_depth: DEFAULT_TRACE_DEPTH,
        }
    }
}

impl Config {
    /// Reads the `AIOCOP_*` variables of the process environment.
    ///
    /// # Errors
    /// An [`EnvError`] for the first malformed variable.
    pub fn from_env() -> Result<Config, EnvError> {
        Config::from_vars(std::env::vars_os())
    }

    /// Reads the `AIOCOP_*` variables among `vars` (name-value pairs; other names are ignored, a
    /// repeated name counts once, last wins), for tests and for configuration from other sources.
    ///
    /// # Errors
    /// An [`EnvError`] for the first malformed variable, in the order of the table above.
    pub fn from_vars<I, K, V>(vars: I) -> Result<Config, EnvError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<OsStr>,
        V: AsRef<OsStr>,
    {
        let mut raw: [Option<std::ffi::OsString>; 4] = Default::default();
        const NAMES: [&str; 4] = [
            AIOCOP_ENABLED,
            AIOCOP_SAMPLE_RATE,
            AIOCOP_THRESHOLD_MS,
            AIOCOP_TRACE_DEPTH,
        ];
        for (name, value) in vars {
            if let Some(i) = NAMES.iter().position(|n| OsStr::new(n) == name.as_ref()) {
                raw[i] = Some(value.as_ref().to_owned());
            }
        }
        let [enabled, sample_rate, threshold_ms, trace_depth] = raw;
        let mut config = Config::default();
        if let Some(text) = text_of(AIOCOP_ENABLED, enabled.as_deref())? {
            config.enabled = parse_bool(&text)
                .ok_or_else(|| EnvError::new(AIOCOP_ENABLED, &text, "true or false"))?;
        }
        if let Some(text) = text_of(AIOCOP_SAMPLE_RATE, sample_rate.as_deref())? {
            config.sample_rate = text
                .parse::<f64>()
                .ok()
                .filter(|rate| (0.0..=1.0).contains(rate))
                .ok_or_else(|| EnvError::new(AIOCOP_SAMPLE_RATE, &text, "a number from 0 to 1"))?;
        }
        if let Some(text) = text_of(AIOCOP_THRESHOLD_MS, threshold_ms.as_deref())? {
            const EXPECTED: &str = "a whole number of milliseconds, at least 1";
            let ms = text
                .parse::<u64>()
                .map_err(|_| EnvError::new(AIOCOP_THRESHOLD_MS, &text, EXPECTED))?;
            config.threshold_ms = Config::default()
                .with_threshold_ms(ms)
                .map_err(|_| EnvError::new(AIOCOP_THRESHOLD_MS, &text, EXPECTED))?
                .threshold_ms;
        }
        if let Some(text) = text_of(AIOCOP_TRACE_DEPTH, trace_depth.as_deref())? {
            const EXPECTED: &str = "a whole number of frames from 0 to 256";
            config.trace_depth = text
                .parse::<usize>()
                .ok()
                .filter(|depth| *depth <= MAX_TRACE_DEPTH)
                .ok_or_else(|| EnvError::new(AIOCOP_TRACE_DEPTH, &text, EXPECTED))?;
        }
        Ok(config)
    }

    /// This configuration with monitoring enabled or not.
    #[must_use]
    pub fn with_enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// This configuration with another sample rate.
    ///
    /// # Errors
    /// [`ConfigError::InvalidSampleRate`] outside 0..=1.
    pub fn with_sample_rate(mut self, rate: f64) -> Result<Self, ConfigError> {
        Sampler::seeded(rate, 0)?;
        self.sample_rate = rate;
        Ok(self)
    }

    /// This configuration with another slow-poll threshold.
    ///
    /// # Errors
    /// As [`set_slow_task_threshold_ms`](crate::setup::set_slow_task_threshold_ms).
    pub fn with_threshold_ms(mut self, threshold_ms: u64) -> Result<Self, ConfigError> {
        if threshold_ms == 0 {
            return Err(ConfigError::ZeroThreshold);
        }
        if threshold_ms.checked_mul(1_000_000).is_none() {
            return Err(ConfigError::ThresholdTooLarge { threshold_ms });
        }
        self.threshold_ms = threshold_ms;
        Ok(self)
    }

    /// This configuration with another trace depth.
    ///
    /// # Errors
    /// [`ConfigError::TraceDepthTooLarge`] above [`MAX_TRACE_DEPTH`](crate::setup::MAX_TRACE_DEPTH).
    pub fn with_trace_depth(mut self, trace_depth: usize) -> Result<Self, ConfigError> {
        if trace_depth > MAX_TRACE_DEPTH {
            return Err(ConfigError::TraceDepthTooLarge {
                requested: trace_depth,
                max: MAX_TRACE_DEPTH,
            });
        }
        self.trace_depth = trace_depth;
        Ok(self)
    }

    /// Whether monitoring is to be activated (`AIOCOP_ENABLED`).
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The fraction of requests to monitor (`AIOCOP_SAMPLE_RATE`).
    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// The slow-poll threshold in milliseconds (`AIOCOP_THRESHOLD_MS`).
    pub fn threshold_ms(&self) -> u64 {
        self.threshold_ms
    }

    /// Stack frames per blocking event (`AIOCOP_TRACE_DEPTH`).
    pub fn trace_depth(&self) -> usize {
        self.trace_depth
    }

    /// A [`Sampler`] at this configuration's rate (randomly seeded), for the tower layer or your
    /// own middleware.
    pub fn sampler(&self) -> Sampler {
        // The rate was validated when this configuration was made.
        Sampler::new(self.sample_rate).unwrap_or_default()
    }

    /// Applies this configuration process-wide: switches the shims on
    /// ([`patch_audit_functions`](crate::patch_audit_functions)), starts blocking I/O detection
    /// at this trace depth (or sets the depth, if started already), sets the slow-poll threshold,
    /// and activates monitoring if enabled (deactivates it if not).
    ///
    /// It registers no callback: add yours with
    /// [`register_slow_task_callback`](crate::register_slow_task_callback). The sample rate
    /// applies where a [`Sampler`] decides, such as the tower layer: see [`Config::sampler`].
    ///
    /// # Errors
    /// None for a configuration made by [`from_env`](Config::from_env),
    /// [`from_vars`](Config::from_vars) or the `with_` methods, which validate their values; the
    /// `Result` is that of the set-up functions it calls.
    pub fn install(&self) -> Result<(), ConfigError> {
        if !setup::are_audit_functions_patched() {
            setup::patch_audit_functions();
        }
        if setup::is_blocking_io_detection_started() {
            setup::set_trace_depth(self.trace_depth)?;
        } else {
            setup::start_blocking_io_detection(self.trace_depth)?;
        }
        setup::set_slow_task_threshold_ms(self.threshold_ms)?;
        if self.enabled {
            setup::activate();
        } else {
            setup::deactivate();
        }
        Ok(())
    }
}

/// The text of a variable: `None` when unset or blank.
fn text_of(variable: &'static str, value: Option<&OsStr>) -> Result<Option<String>, EnvError> {
    let Some(value) = value else {
        return Ok(None);
    };
    let Some(text) = value.to_str() else {
        return Err(EnvError::new(
            variable,
            &value.to_string_lossy(),
            "valid UTF-8 text",
        ));
    };
    let text = text.trim();
    Ok((!text.is_empty()).then(|| text.to_owned()))
}

fn parse_bool(text: &str) -> Option<bool> {
    const TRUE: [&str; 4] = ["true", "1", "yes", "on"];
    const FALSE: [&str; 4] = ["false", "0", "no", "off"];
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(text)) {
        Some(true)
    } else if FALSE.iter().any(|f| f.eq_ignore_ascii_case(text)) {
        Some(false)
    } else {
        None
    }
}

/// A malformed `AIOCOP_*` environment variable: which one, its value, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvError {
    variable: &'static str,
    value: String,
    expected: &'static str,
}

impl EnvError {
    fn new(variable: &'static str, value: &str, expected: &'static str) -> Self {
        EnvError {
            variable,
            value: value.to_owned(),
            expected,
        }
    }

    /// The variable's name (`AIOCOP_SAMPLE_RATE`).
    pub fn variable(&self) -> &'static str {
        self.variable
    }

    /// The rejected value (trimmed; non-UTF-8 bytes replaced).
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What the variable accepts.
    pub fn expected(&self) -> &'static str {
        self.expected
    }
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {}={:?}: expected {}",
            self.variable, self.value, self.expected
        )
    }
}

impl std::error::Error for EnvError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(name: &str, value: &str) -> EnvError {
        Config::from_vars([(name, value)]).unwrap_err()
    }

    #[test]
    fn unset_and_blank_variables_take_the_defaults() {
        let defaults = Config::default();
        assert_eq!(
            Config::from_vars(Vec::<(&str, &str)>::new()),
            Ok(defaults.clone())
        );
        assert_eq!(
            Config::from_vars([(AIOCOP_ENABLED, ""), (AIOCOP_SAMPLE_RATE, "  ")]),
            Ok(defaults.clone())
        );
        assert!(defaults.enabled());
        assert_eq!(defaults.sample_rate(), 1.0);
        assert_eq!(defaults.threshold_ms(), 30);
        assert_eq!(defaults.trace_depth(), 20);
    }

    #[test]
    fn well_formed_values_are_read() {
        let config = Config::from_vars([
            ("PATH", "/usr/bin"),
            (AIOCOP_ENABLED, "FALSE"),
            (AIOCOP_SAMPLE_RATE, " 0.25 "),
            (AIOCOP_THRESHOLD_MS, "100"),
            (AIOCOP_TRACE_DEPTH, "0"),
        ])
        .unwrap();
        assert!(!config.enabled());
        assert_eq!(config.sample_rate(), 0.25);
        assert_eq!(config.threshold_ms(), 100);
        assert_eq!(config.trace_depth(), 0);
        for (text, value) in [
            ("on", true),
            ("1", true),
            ("Yes", true),
            ("off", false),
            ("0", false),
        ] {
            assert_eq!(
                Config::from_vars([(AIOCOP_ENABLED, text)])
                    .unwrap()
                    .enabled(),
                value,
                "{text}"
            );
        }
        for (text, rate) in [("0", 0.0), ("1", 1.0), ("1.0", 1.0), ("0.001", 0.001)] {
            assert_eq!(
                Config::from_vars([(AIOCOP_SAMPLE_RATE, text)])
                    .unwrap()
                    .sample_rate(),
                rate
            );
        }
        assert_eq!(
            Config::from_vars([(AIOCOP_TRACE_DEPTH, "256")])
                .unwrap()
                .trace_depth(),
            256
        );
    }

    #[test]
    fn malformed_values_are_errors_naming_the_variable_and_the_value() {
        let cases = [
            (AIOCOP_SAMPLE_RATE, "1.5", "a number from 0 to 1"),
            (AIOCOP_SAMPLE_RATE, "abc", "a number from 0 to 1"),
            (AIOCOP_SAMPLE_RATE, "-0.1", "a number from 0 to 1"),
            (AIOCOP_SAMPLE_RATE, "NaN", "a number from 0 to 1"),
            (AIOCOP_SAMPLE_RATE, "inf", "a number from 0 to 1"),
            (
                AIOCOP_THRESHOLD_MS,
                "0",
                "a whole number of milliseconds, at least 1",
            ),
            (
                AIOCOP_THRESHOLD_MS,
                "-5",
                "a whole number of milliseconds, at least 1",
            ),
            (
                AIOCOP_THRESHOLD_MS,
                "2.5",
                "a whole number of milliseconds, at least 1",
            ),
            (
                AIOCOP_THRESHOLD_MS,
                "18446744073709551615",
                "a whole number of milliseconds, at least 1",
            ),
            (
                AIOCOP_TRACE_DEPTH,
                "100000",
                "a whole number of frames from 0 to 256",
            ),
            (
                AIOCOP_TRACE_DEPTH,
                "257",
                "a whole number of frames from 0 to 256",
            ),
            (
                AIOCOP_TRACE_DEPTH,
                "-1",
                "a whole number of frames from 0 to 256",
            ),
            (AIOCOP_ENABLED, "maybe", "true or false"),
            (AIOCOP_ENABLED, "truee", "true or false"),
        ];
        for (variable, value, expected) in cases {
            let err = error(variable, value);
            assert_eq!(err.variable(), variable);
            assert_eq!(err.value(), value);
            assert_eq!(err.expected(), expected);
            assert_eq!(
                err.to_string(),
                format!("invalid {variable}={value:?}: expected {expected}")
            );
        }
    }

    #[test]
    fn the_first_malformed_variable_is_reported_and_the_last_repeat_wins() {
        let err = Config::from_vars([(AIOCOP_TRACE_DEPTH, "100000"), (AIOCOP_ENABLED, "maybe")])
            .unwrap_err();
        assert_eq!(err.variable(), AIOCOP_ENABLED);
        let config =
            Config::from_vars([(AIOCOP_THRESHOLD_MS, "abc"), (AIOCOP_THRESHOLD_MS, "40")]).unwrap();
        assert_eq!(config.threshold_ms(), 40);
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_values_are_errors() {
        use std::ffi::OsString;
        use std::os::unix::ffi::OsStringExt;
        let value = OsString::from_vec(vec![b'0', 0xff]);
        let err = Config::from_vars([(OsString::from(AIOCOP_SAMPLE_RATE), value)]).unwrap_err();
        assert_eq!(err.variable(), AIOCOP_SAMPLE_RATE);
        assert_eq!(err.expected(), "valid UTF-8 text");
        assert_eq!(err.value(), "0\u{fffd}");
    }

    #[test]
    fn builder_methods_validate() {
        let config = Config::default();
        assert_eq!(
            config.clone().with_sample_rate(2.0),
            Err(ConfigError::InvalidSampleRate { rate: "2".into() })
        );
        assert_eq!(
            config.clone().with_threshold_ms(0),
            Err(ConfigError::ZeroThreshold)
        );
        assert!(matches!(
            config.clone().with_trace_depth(1_000),
            Err(ConfigError::TraceDepthTooLarge {
                requested: 1_000,
                ..
            })
        ));
        let config = config
            .with_enabled(false)
            .with_sample_rate(0.5)
            .and_then(|c| c.with_threshold_ms(7))
            .and_then(|c| c.with_trace_depth(3))
            .unwrap();
        assert_eq!(
            (
                config.enabled(),
                config.sample_rate(),
                config.threshold_ms(),
                config.trace_depth()
            ),
            (false, 0.5, 7, 3)
        );
        assert_eq!(config.sampler().rate(), 0.5);
    }
}
