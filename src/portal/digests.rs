//! The case lists, kept between requests: which customer each case belongs
//! to (a [`Catalogue`]) and, for the customers whose contacts use the
//! portal, their cases only ([`CustomerList`]; see `store::customer_lists`).
//! Nothing is read per request for the rest of the store.
//!
//! The catalogue is used while the store directory's modification time is
//! the one it was read at (every write of `tickets`, and git's checkouts,
//! rename or create files there), and only when that time was already past
//! when it was read (two changes in one tick of the clock look alike); else
//! the directory is listed again and only unknown files are read. A
//! customer's list is used while the catalogue is the one it was read from,
//! for two seconds at most (an edit in place changes no directory); then
//! the metadata of that customer's files is looked at, and only changed
//! files are read again. While one request reads, the others are served the
//! previous copy. Lists are dropped, the least recently used first, past
//! [`KEPT_BYTES`].

use crate::core::error::Result;
use crate::operations::Session;
use crate::store::customer_lists::{Catalogue, CustomerList};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How long a customer's list is used before its files' metadata is looked at.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// How far in the past the directory's time must be for a copy to be trusted.
const SETTLED: Duration = Duration::from_millis(50);

/// How many bytes of customers' lists are kept at most (at least one list
/// is always kept).
const KEPT_BYTES: usize = 48 << 20;

/// The catalogue of one listing of the store directory.
struct CatalogueCopy {
    changed: Option<SystemTime>,
    settled: bool,
    catalogue: Arc<Catalogue>,
}

/// A customer's list, as read at `read_at`.
struct ListCopy {
    read_at: Instant,
    used_at: Mutex<Instant>,
    list: Arc<CustomerList>,
}

/// The cache a portal shares between its requests.
#[derive(Default)]
pub(super) struct DigestCache {
    catalogue: Mutex<Option<Arc<CatalogueCopy>>>,
    lists: Mutex<HashMap<String, Arc<ListCopy>>>,
    reading: Mutex<()>,
}

impl std::fmt::Debug for DigestCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestCache")
    }
}

impl DigestCache {
    /// `customer`'s cases, as the store has them now (see the module's doc).
    pub(super) fn list(&self, session: &Session, customer: &str) -> Result<Arc<CustomerList>> {
        let current = self.lists.lock().ok().and_then(|lists| lists.get(customer).cloned());
        let catalogue = self.catalogue.lock().ok().and_then(|copy| copy.clone());
        let changed = changed(session);
        let catalogue_fresh = catalogue
            .as_ref()
            .is_some_and(|copy| copy.settled && copy.changed == changed);
        if let (Some(list), Some(copy)) = (&current, &catalogue) {
            if catalogue_fresh
                && list.list.generation() == copy.catalogue.generation()
                && list.read_at.elapsed() < FRESH_FOR
            {
                if let Ok(mut used) = list.used_at.lock() {
                    *used = Instant::now();
                }
                return Ok(list.list.clone());
            }
        }
        let _reading = match (self.reading.try_lock(), &current) {
            (Ok(guard), _) => guard,
            // Another request is reading the store: the last copy meanwhile.
            (Err(_), Some(list)) => return Ok(list.list.clone()),
            (Err(_), None) => self.reading.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        };
        let catalogue = match catalogue {
            Some(copy) if catalogue_fresh => copy.catalogue.clone(),
            previous => {
                let now = SystemTime::now();
                let catalogue = Arc::new(match &previous {
                    Some(copy) => copy.catalogue.refreshed(&session.store)?,
                    None => Catalogue::read(&session.store)?,
                });
                let copy = Arc::new(CatalogueCopy {
                    changed,
                    settled: changed.is_some_and(|at| now.duration_since(at).is_ok_and(|age| age >= SETTLED)),
                    catalogue: catalogue.clone(),
                });
                if let Ok(mut slot) = self.catalogue.lock() {
                    *slot = Some(copy);
                }
                catalogue
            }
        };
        let read_at = Instant::now();
        let previous = current.as_ref().map(|copy| copy.list.clone());
        let list = match previous {
            // Nothing of the customer's changed: the same list, for two seconds more.
            Some(list) if list.is_current(&session.store, &catalogue) => list,
            previous => Arc::new(CustomerList::read(
                &session.store,
                &catalogue,
                customer,
                previous.as_deref(),
            )),
        };
        drop(current);
        if let Ok(mut lists) = self.lists.lock() {
            lists.insert(
                customer.to_string(),
                Arc::new(ListCopy {
                    read_at,
                    used_at: Mutex::new(Instant::now()),
                    list: list.clone(),
                }),
            );
            evict(&mut lists, customer);
        }
        Ok(list)
    }
}

/// Drops the least recently used lists (never `keep`) past [`KEPT_BYTES`].
fn evict(lists: &mut HashMap<String, Arc<ListCopy>>, keep: &str) {
    while lists.values().map(|copy| copy.list.bytes()).sum::<usize>() > KEPT_BYTES {
        let oldest = lists
            .iter()
            .filter(|(name, _)| name.as_str() != keep)
            .min_by_key(|(_, copy)| copy.used_at.lock().map(|at| *at).unwrap_or_else(|_| Instant::now()))
            .map(|(name, _)| name.clone());
        match oldest {
            Some(name) => lists.remove(&name),
            None => break,
        };
    }
}

/// When the store directory last changed.
fn changed(session: &Session) -> Option<SystemTime> {
    std::fs::metadata(session.store.root()).and_then(|m| m.modified()).ok()
}
