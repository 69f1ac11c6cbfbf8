//! Summaries of every case, for listing, sweeping, routing and statistics.

use crate::error::{Error, Result};
use crate::store::Store;
use crate::summary::Summary;

/// The summary of every case, and an error per bad file.
pub fn summaries(store: &Store) -> Result<(Vec<Summary>, Vec<Error>)> {
    let (cases, errors) = store.load_all()?;
    Ok((cases.iter().map(Summary::of).collect(), errors))
}
