//! How long work reports how far along it is, without printing: the
//! library calls a [`Progress`], and the command line draws it (or not).

/// Told how far along long work is: `start`, then `advance` any number of
/// times (from any thread), then `finish`. Every method does nothing by
/// default, so [`Silent`] costs a call per step and no more.
pub trait Progress: Send + Sync {
    /// Work named `what` begins, with `total` steps (cases, files).
    fn start(&self, what: &str, total: u64) {
        let _ = (what, total);
    }
    /// `n` more steps are done.
    fn advance(&self, n: u64) {
        let _ = n;
    }
    /// The work is over (done or given up): nothing of it stays shown.
    fn finish(&self) {}
}

/// The progress that reports nothing: the library's default.
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {}

/// Work under way on a [`Progress`]: finished when dropped, so an early
/// return or an error leaves nothing shown.
#[must_use = "the work is finished when this is dropped"]
pub struct Underway<'a>(&'a dyn Progress);

impl<'a> Underway<'a> {
    /// Starts work named `what` of `total` steps on `progress`.
    pub fn start(progress: &'a dyn Progress, what: &str, total: u64) -> Self {
        progress.start(what, total);
        Underway(progress)
    }

    /// `n` more steps are done.
    pub fn advance(&self, n: u64) {
        self.0.advance(n);
    }
}

impl Drop for Underway<'_> {
    fn drop(&mut self) {
        self.0.finish();
    }
}
