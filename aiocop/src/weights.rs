//! The names aiocop reports as blocking, with their weights: the catalog of std operations, plus
//! the names the user registers at start-up, with weight overrides on top. The reference keeps
//! these in `BLOCKING_EVENTS_DICT` and `FUNCTIONS_TO_PATCH_DICT` and lets users edit the dicts;
//! here the edits go through functions that validate their input.
//!
//! Registration is not a gate: [`audit`](crate::audit()) records any name, with the weight it is
//! given, registered or not (the Rust `audit` carries its weight, where Python's audit hook can
//! only look a name up). Registering a name lists it in [`get_blocking_events_dict`] and fixes
//! its weight in one place: a registered or overridden weight replaces the weight passed to
//! `audit` and the catalog's weight.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use aiocop_lints::catalog;

use crate::error::ConfigError;

/// Largest weight accepted by [`register_blocking_event`] and [`override_weight`]: twenty times
/// [`WEIGHT_HEAVY`](crate::WEIGHT_HEAVY). A single event above it would make every other finding
/// of its poll irrelevant.
pub const MAX_EVENT_WEIGHT: u32 = 1_000;

struct Table {
    registered: BTreeMap<&'static str, u32>,
    overrides: BTreeMap<&'static str, u32>,
}

static TABLE: RwLock<Table> = RwLock::new(Table {
    registered: BTreeMap::new(),
    overrides: BTreeMap::new(),
});

/// Whether any name has a configured weight: recording an event looks weights up only then.
static CONFIGURED: AtomicBool = AtomicBool::new(false);

fn read() -> RwLockReadGuard<'static, Table> {
    // Nothing panics while the lock is held, but a poisoned table must still work.
    TABLE.read().unwrap_or_else(PoisonError::into_inner)
}

fn write() -> RwLockWriteGuard<'static, Table> {
    TABLE.write().unwrap_or_else(PoisonError::into_inner)
}

/// The weight configured for `operation` (override, else registration), if any.
#[inline]
pub(crate) fn configured_weight(operation: &str) -> Option<u32> {
    if !CONFIGURED.load(Ordering::Relaxed) {
        return None;
    }
    lookup(operation)
}

#[cold]
fn lookup(operation: &str) -> Option<u32> {
    let table = read();
    table
        .overrides
        .get(operation)
        .or_else(|| table.registered.get(operation))
        .copied()
}

fn validate_name(name: &str) -> Result<(), ConfigError> {
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError::InvalidEventName {
            name: name.to_owned(),
        });
    }
    Ok(())
}

fn validate_weight(weight: u32) -> Result<(), ConfigError> {
    if weight > MAX_EVENT_WEIGHT {
        return Err(ConfigError::WeightTooLarge {
            weight,
            max: MAX_EVENT_WEIGHT,
        });
    }
    Ok(())
}

/// Registers a blocking operation of your own under `name` with `weight`, the name your code
/// passes to [`audit`](crate::audit()) (the reference's `BLOCKING_EVENTS_DICT[name] = weight`).
///
/// The name is then listed by [`get_blocking_events_dict`], and events recorded under it get this
/// weight whatever weight `audit` was given. Call it at start-up, before monitoring.
///
/// ```
/// aiocop::operations::register_blocking_event("mylib::sync_http_call", aiocop::WEIGHT_HEAVY).unwrap();
/// assert_eq!(aiocop::get_blocking_events_dict()["mylib::sync_http_call"], 50);
/// // The same registration again changes nothing.
/// aiocop::operations::register_blocking_event("mylib::sync_http_call", aiocop::WEIGHT_HEAVY).unwrap();
/// ```
///
/// # Errors
/// Nothing is changed when it fails:
/// [`ConfigError::InvalidEventName`] for an empty name or one with whitespace or control
/// characters, [`ConfigError::WeightTooLarge`] above [`MAX_EVENT_WEIGHT`],
/// [`ConfigError::EventInCatalog`] for a name of aiocop's catalog and
/// [`ConfigError::EventAlreadyRegistered`] for a name registered with another weight (use
/// [`override_weight`] for both).
pub fn register_blocking_event(name: &'static str, weight: u32) -> Result<(), ConfigError> {
    validate_name(name)?;
    validate_weight(weight)?;
    if catalog::find_event(name).is_some() {
        return Err(ConfigError::EventInCatalog {
            name: name.to_owned(),
        });
    }
    let mut table = write();
    match table.registered.get(name) {
        Some(&registered) if registered == weight => Ok(()),
        Some(&registered) => Err(ConfigError::EventAlreadyRegistered {
            name: name.to_owned(),
            weight: registered,
        }),
        None => {
            table.registered.insert(name, weight);
            CONFIGURED.store(true, Ordering::Relaxed);
            Ok(())
        }
    }
}

/// Changes the weight events named `name` are recorded with: an operation of the catalog
/// (`"std::fs::read"`) or a name registered with [`register_blocking_event`]. A later call for
/// the same name replaces the earlier one.
///
/// ```
/// // Stat calls are fine on this service's local disk.
/// aiocop::operations::override_weight("std::fs::metadata", aiocop::WEIGHT_TRIVIAL).unwrap();
/// assert_eq!(aiocop::get_blocking_events_dict()["std::fs::metadata"], 0);
/// ```
///
/// # Errors
/// Nothing is changed when it fails: [`ConfigError::WeightTooLarge`] above
/// [`MAX_EVENT_WEIGHT`], [`ConfigError::UnknownEvent`] for a name that is neither in the catalog
/// nor registered.
pub fn override_weight(name: &str, weight: u32) -> Result<(), ConfigError> {
    validate_weight(weight)?;
    let mut table = write();
    let key = match catalog::find_event(name) {
        Some(op) => op.event,
        None => match table.registered.get_key_value(name) {
            Some((&key, _)) => key,
            None => {
                return Err(ConfigError::UnknownEvent {
                    name: name.to_owned(),
                });
            }
        },
    };
    table.overrides.insert(key, weight);
    CONFIGURED.store(true, Ordering::Relaxed);
    Ok(())
}

/// Drops every weight set with [`override_weight`]; catalog and registered weights apply again.
pub fn clear_weight_overrides() {
    let mut table = write();
    table.overrides.clear();
    CONFIGURED.store(!table.registered.is_empty(), Ordering::Relaxed);
}

/// Every name aiocop reports as blocking, with the weight it is recorded with: the catalog's
/// operations and the registered names, overrides applied.
///
/// ```
/// let events = aiocop::get_blocking_events_dict();
/// assert_eq!(events["std::thread::sleep"], aiocop::WEIGHT_HEAVY);
/// assert_eq!(events["std::fs::File::open"], aiocop::WEIGHT_MODERATE);
/// for (event, weight) in &events {
///     println!("{event}: {weight}");
/// }
/// ```
pub fn get_blocking_events_dict() -> BTreeMap<&'static str, u32> {
    let mut events: BTreeMap<&'static str, u32> = catalog::CATALOG
        .iter()
        .map(|op| (op.event, op.weight))
        .collect();
    events.extend(crate::functions::blocking_functions().map(|f| (f.event(), f.weight())));
    let table = read();
    events.extend(
        table
            .registered
            .iter()
            .map(|(&name, &weight)| (name, weight)),
    );
    events.extend(
        table
            .overrides
            .iter()
            .map(|(&name, &weight)| (name, weight)),
    );
    events
}

/// The operations whose shims record, by event name (`std::fs::read`,
/// `std::fs::File::read_to_end`): every catalog operation with a shim under
/// [`aiocop::shim`](crate::shim), once [`patch_audit_functions`](crate::patch_audit_functions)
/// has switched them on; empty before, when the shims only forward to std.
///
/// ```
/// aiocop::patch_audit_functions();
/// let patched = aiocop::get_patched_functions();
/// assert!(patched.contains(&"std::fs::read"));
/// assert!(patched.contains(&"std::thread::sleep"));
/// ```
pub fn get_patched_functions() -> Vec<&'static str> {
    if !crate::settings::are_audit_functions_patched() {
        return Vec::new();
    }
    catalog::with_shims().map(|op| op.event).collect()
}
