//! The store on disk: file format, atomic writes, IDs.

use crate::support::*;

#[test]
fn case_file_is_named_after_its_id_and_starts_with_the_prefix() {
    let t = TestStore::new();
    let id = t.open_simple();
    assert!(id.starts_with("RC-"), "{id}");
    let text = String::from_utf8(t.file(&id)).unwrap();
    assert!(text.starts_with(&format!("id: {id}\n")), "{text}");
}
