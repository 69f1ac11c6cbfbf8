//! Every case's digest, kept between requests: reading the index costs
//! about 100 ms at 10,000 cases, too much for each case list.
//!
//! A copy is used while the store directory's modification time is the one
//! it was read at (every write of `tickets`, and git's checkouts, rename or
//! create files there), for two seconds at most (an edit in place changes no
//! directory), and only when that time was already past when the copy was
//! read (two changes in one tick of the clock look alike). While one request
//! reads the store afresh, the others are served the previous copy.

use crate::core::digest::Digest;
use crate::core::error::Result;
use crate::operations::{self, Session};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// How long a copy is used at most.
const FRESH_FOR: Duration = Duration::from_secs(2);

/// How far in the past the directory's time must be for a copy to be trusted.
const SETTLED: Duration = Duration::from_millis(50);

/// The digests of one read of the store.
struct Copy {
    changed: Option<SystemTime>,
    settled: bool,
    read_at: Instant,
    digests: Arc<Vec<Digest>>,
}

/// The cache a portal shares between its requests.
#[derive(Default)]
pub(super) struct DigestCache {
    copy: Mutex<Option<Arc<Copy>>>,
    reading: Mutex<()>,
}

impl std::fmt::Debug for DigestCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DigestCache")
    }
}

impl DigestCache {
    /// Every case's digest, as the store has it now (see the module's doc).
    pub(super) fn get(&self, session: &Session) -> Result<Arc<Vec<Digest>>> {
        let changed = changed(session);
        let current = self.copy.lock().ok().and_then(|copy| copy.clone());
        if let Some(copy) = &current {
            if copy.settled && copy.changed == changed && copy.read_at.elapsed() < FRESH_FOR {
                return Ok(copy.digests.clone());
            }
        }
        let _reading = match (self.reading.try_lock(), &current) {
            (Ok(guard), _) => guard,
            // Another request is reading the store: the last copy meanwhile.
            (Err(_), Some(copy)) => return Ok(copy.digests.clone()),
            (Err(_), None) => self.reading.lock().unwrap_or_else(|poisoned| poisoned.into_inner()),
        };
        let read_at = Instant::now();
        let now = SystemTime::now();
        let (digests, _unreadable) = operations::digests(session)?;
        let copy = Arc::new(Copy {
            changed,
            settled: changed.is_some_and(|at| now.duration_since(at).is_ok_and(|age| age >= SETTLED)),
            read_at,
            digests: Arc::new(digests),
        });
        if let Ok(mut slot) = self.copy.lock() {
            *slot = Some(copy.clone());
        }
        Ok(copy.digests.clone())
    }
}

/// When the store directory last changed.
fn changed(session: &Session) -> Option<SystemTime> {
    std::fs::metadata(session.store.root()).and_then(|m| m.modified()).ok()
}
