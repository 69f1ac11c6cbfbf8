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

#[test]
fn init_beside_an_existing_gitignore_adds_the_derived_file_patterns() {
    let dir = tempfile::tempdir().unwrap();
    // A store at the root of a repository that already ignores something.
    std::fs::write(dir.path().join(".gitignore"), "secret.txt").unwrap();
    let init = |dir: &std::path::Path| {
        assert_cmd::cargo::cargo_bin_cmd!("tickets")
            .env_remove("TICKETS_NOW")
            .env("TICKETS_DIR", dir)
            .arg("init")
            .assert()
            .success();
    };
    init(dir.path());
    let text = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    assert_eq!(text, format!("secret.txt\n{}", tickets::store::GITIGNORE));
    // Once there, the patterns are not added twice.
    std::fs::remove_file(dir.path().join("config.yaml")).unwrap();
    init(dir.path());
    assert_eq!(std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(), text);
}
