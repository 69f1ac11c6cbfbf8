//! Attacks on attachments (SPEC section 9), each test named after what
//! broke before its fix: a hostile customer (mail, portal), a hostile
//! committer of the store, a careless analyst.

use crate::support::TestStore;
use predicates::str::contains;

/// A case opened with one attached file `log.txt` holding `bytes`; its ID
/// and the path of the content in the store.
fn case_with_file(t: &TestStore, bytes: &[u8]) -> (String, std::path::PathBuf) {
    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("log.txt");
    std::fs::write(&file, bytes).unwrap();
    let id = t.open(&[
        "--customer",
        "acme",
        "--summary",
        "s",
        "--attach",
        file.to_str().unwrap(),
    ]);
    let sha = t.show(&id)["history"][0]["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let stored = t.path().join("attachments").join(&sha[..2]).join(&sha[2..]);
    (id, stored)
}

#[test]
fn a_planted_huge_size_overflowed_the_case_total_and_crashed_a_reply() {
    let t = TestStore::new();
    let (id, _) = case_with_file(&t, b"hello");
    let path = t.case_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    let planted = text.replace("size: 5", &format!("size: {}", u64::MAX));
    assert_ne!(planted, text, "the size is in the file:\n{text}");
    std::fs::write(&path, planted).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let more = outside.path().join("more.txt");
    std::fs::write(&more, b"more").unwrap();
    // Over the case limit whatever the sum: left out, never a panic or a wrap to a small total.
    t.run(&["reply", &id, "--message", "m", "--attach", more.to_str().unwrap()])
        .success()
        .stderr(contains("over the limit"));
}

#[test]
fn attachment_output_onto_its_own_stored_file_destroyed_it() {
    let t = TestStore::new();
    let (id, stored) = case_with_file(&t, b"precious bytes");
    t.run(&["attachment", &id, "log.txt", "--output", stored.to_str().unwrap()])
        .failure();
    assert_eq!(std::fs::read(&stored).unwrap(), b"precious bytes");
    t.run(&["check"]).success();
}
