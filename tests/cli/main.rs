//! Integration tests: the real binary in a temp store with a pinned clock.
//! One test binary, one module per feature.

mod support;

mod git;
mod lifecycle;
mod routing;
mod store;
mod sweep;
