//! Integration tests: the real binary in a temp store with a pinned clock.
//! One test binary, one module per feature.

mod support;

mod amplification;
mod attachment_attacks;
mod attachments;
mod bad_input;
mod check;
mod concurrency;
mod contracts;
mod crash;
mod customer_mail;
mod delivery;
mod email;
mod env;
mod example_store;
mod exit_codes;
mod git;
mod index;
mod index_audit;
mod layers;
mod lifecycle;
mod links;
mod mail_attacks;
mod mail_headers;
mod mail_server;
mod merges;
mod operations;
mod planted_git;
mod portal;
mod portal_attachments;
mod portal_attacks;
mod portal_browser;
mod properties;
mod queue;
mod remind;
mod robustness;
mod routing;
mod shell;
mod special_files;
mod stats;
mod store;
mod sweep;
mod targets;
mod transcripts;
mod untrusted_text;
