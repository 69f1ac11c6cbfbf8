//! The case file's bytes: the canonical YAML written, the parser and the
//! fast reader that read it back, and git's conflict markers. Pure functions
//! on text: nothing here opens a file. Below both the store and the merge.

pub mod fast_reader;
pub mod yaml_expansion;
