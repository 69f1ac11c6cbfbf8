//! The store's write lock: `.tickets/lock`, held by every writer.

use super::derived_dir::{Access, DerivedDir};
use super::Store;
use crate::core::error::{Error, Result};
use std::fs::{self, File};
use std::time::{Duration, Instant};

/// Holds the store's write lock until dropped.
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
    /// The handle on `.tickets/` the lock was taken through.
    pub(super) derived: DerivedDir,
}

impl Store {
    /// Takes the store's write lock, waiting at most `wait`; exit 6 after.
    /// A `.tickets` or `.tickets/lock` that is a symbolic link or a special
    /// file is refused (exit 5), never followed.
    pub fn lock(&self, wait: Duration) -> Result<StoreLock> {
        self.lock_named("lock", wait)
    }

    /// Takes the delivery lock, `.tickets/deliver.lock`: one `deliver` at a
    /// time, without holding the store's write lock while a mail server
    /// answers (every other command goes on meanwhile).
    pub fn lock_delivery(&self, wait: Duration) -> Result<StoreLock> {
        self.lock_named("deliver.lock", wait)
    }

    fn lock_named(&self, name: &str, wait: Duration) -> Result<StoreLock> {
        let derived = DerivedDir::create(&self.root)?;
        let file = derived.open_file(name, Access::CreateOrOpen)?;
        let path = derived.path().join(name);
        let started = Instant::now();
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(StoreLock { _file: file, derived }),
                Err(fs::TryLockError::WouldBlock) => {
                    if started.elapsed() >= wait {
                        return Err(Error::Busy {
                            path,
                            waited_ms: started.elapsed().as_millis(),
                        });
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err(fs::TryLockError::Error(e)) => return Err(Error::io(&path, e)),
            }
        }
    }
}
