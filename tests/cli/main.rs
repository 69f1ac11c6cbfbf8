//! Integration tests: the real binary in a temp store with a pinned clock.
//! One test binary, one module per feature.

mod support;

mod email;
mod lifecycle;
mod routing;
mod shell;
mod stats;
mod store;
mod sweep;
