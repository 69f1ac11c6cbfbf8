//! Attachments in the portal: uploads on a reply and a new case (multipart),
//! downloads only for a contact who may see the case, always as a download.

use crate::support::portal::{multipart, open, request, Server, CONFIG};
use crate::support::{TestStore, NOW};

fn log() -> Vec<u8> {
    let mut bytes = b"console: error at line 1\r\n".to_vec();
    bytes.extend(0..=255u8);
    bytes
}

fn attachments(t: &TestStore, id: &str) -> Vec<serde_json::Value> {
    t.show(id)["history"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["attachments"].as_array().cloned().unwrap_or_default())
        .collect()
}

#[test]
fn a_customers_upload_on_a_reply_is_fetched_byte_for_byte_and_downloaded_only_by_its_organisation() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    t.run(&["request-info", &id, "--message", "Please send the console log"])
        .success();
    let foreign = open(&t, "Globex", Some("gil@globex.example"), "Theirs");
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    // The reply form uploads files.
    let page = server.get(&format!("/cases/{id}"), Some(&ana));
    assert!(page.body.contains("enctype=\"multipart/form-data\""), "{}", page.body);
    assert!(page.body.contains("type=\"file\""), "{}", page.body);

    let (content_type, body) = multipart(&[("message", "Here it is.")], &[("console.log", &log()), ("", b"")]);
    let reply = request(
        &server,
        "POST",
        &format!("/cases/{id}/reply"),
        &ana,
        Some((&content_type, &body)),
    );
    assert_eq!(reply.status, 303, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(t.status(&id), "open");
    let listed = attachments(&t, &id);
    assert_eq!(listed.len(), 1, "the empty file input adds nothing: {listed:?}");
    let sha = listed[0]["sha256"].as_str().unwrap().to_string();
    // The analyst fetches it byte for byte.
    let fetched = t
        .run(&["attachment", &id, "console.log"])
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(fetched, log());

    // The case page links it; the download is an attachment, never rendered.
    let page = server.get(&format!("/cases/{id}"), Some(&ana));
    let link = format!("/cases/{id}/attachments/{sha}");
    assert!(page.body.contains(&link), "{}", page.body);
    let download = request(&server, "GET", &link, &ana, None);
    assert_eq!(download.status, 200);
    assert_eq!(download.body, log());
    assert_eq!(download.header("content-type"), Some("application/octet-stream"));
    assert_eq!(download.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(
        download.header("content-disposition"),
        Some("attachment; filename=\"console.log\"; filename*=UTF-8''console.log")
    );
    // Another contact of the organisation may; another customer's contact
    // gets the same 404 as a missing file, a missing case or a bad hash.
    let bea = server.sign_in(&t, "bea@acme.example");
    assert_eq!(request(&server, "GET", &link, &bea, None).status, 200);
    let gil = server.sign_in(&t, "gil@globex.example");
    let refused = request(&server, "GET", &link, &gil, None);
    assert_eq!(refused.status, 404);
    assert_ne!(refused.body, log());
    let not_found = |path: &str| request(&server, "GET", path, &ana, None);
    let missing = not_found(&format!("/cases/{id}/attachments/{}", "0".repeat(64)));
    for other in [
        format!("/cases/{foreign}/attachments/{sha}"),
        format!("/cases/{id}/attachments/..%2F..%2Fconfig.yaml"),
        format!("/cases/{id}/attachments/{}", &sha[..12]),
    ] {
        let answer = not_found(&other);
        assert_eq!((answer.status, &answer.body), (404, &missing.body), "{other}");
    }
    assert_eq!(missing.status, 404);
    // Signed out: no file either.
    assert_ne!(
        request(&server, "GET", &link, "0".repeat(64).as_str(), None).body,
        log()
    );
    // The stored file replaced by a link (a planted store): 404 like a
    // missing file, never a 500 and never the link's target.
    let stored = t.path().join("attachments").join(&sha[..2]).join(&sha[2..]);
    std::fs::remove_file(&stored).unwrap();
    std::os::unix::fs::symlink(t.path().join("config.yaml"), &stored).unwrap();
    let planted = request(&server, "GET", &link, &ana, None);
    assert_eq!((planted.status, &planted.body), (404, &missing.body));
    std::fs::remove_file(&stored).unwrap();
    assert_eq!(request(&server, "GET", &link, &ana, None).status, 404, "missing");
}

#[test]
fn a_file_is_served_only_through_the_case_whose_public_event_carries_it() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    // Internal events cannot carry files (the life cycle refuses them, so
    // does replay); the download also looks only at public events'. Here
    // the file is on another case of the same customer, with another
    // contact: it is not reached through this case.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("internal.txt");
    std::fs::write(&file, b"internal roster\n").unwrap();
    let other = open(&t, "Acme Corp", Some("zoe@acme.example"), "Other");
    t.run(&["close", &other, "-r", "done", "--attach", file.to_str().unwrap()])
        .success();
    let sha = attachments(&t, &other)[0]["sha256"].as_str().unwrap().to_string();
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    assert_eq!(
        request(&server, "GET", &format!("/cases/{id}/attachments/{sha}"), &ana, None).status,
        404,
        "a file is served only through the case whose event carries it"
    );
}

#[test]
fn a_new_case_uploads_files_and_a_file_over_the_limit_is_left_out_and_shown() {
    let config = format!("{CONFIG}attachments: {{max_file_bytes: 1000}}\n");
    let t = TestStore::with_config(&config);
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let form = server.get("/cases/new", Some(&ana));
    assert!(form.body.contains("type=\"file\""), "{}", form.body);
    let small = b"small log\n".to_vec();
    let big = vec![b'x'; 5000];
    let (content_type, body) = multipart(
        &[
            ("summary", "Crash"),
            ("description", "See the files."),
            ("severity", "low"),
        ],
        &[("small.log", &small), ("big.bin", &big)],
    );
    let reply = request(&server, "POST", "/cases", &ana, Some((&content_type, &body)));
    let page = String::from_utf8_lossy(&reply.body).into_owned();
    assert_eq!(reply.status, 200, "{page}");
    assert!(
        page.contains("not attached: big.bin (4.9 KiB, over the limit of 1000 bytes a file)"),
        "{page}"
    );
    let id = t.list(&["--all"])[0]["id"].as_str().unwrap().to_string();
    let listed = attachments(&t, &id);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "small.log");
    assert!(t.show(&id)["description"]
        .as_str()
        .unwrap()
        .contains("[attachments left out: big.bin"));
    // Nothing of the big file stayed on disk, not even a temp file.
    let stored: Vec<_> = walk(&t.path().join("attachments"));
    assert_eq!(stored.len(), 1, "{stored:?}");
}

#[test]
fn a_hostile_file_name_downloads_under_a_safe_name() {
    let t = TestStore::with_config(CONFIG);
    let id = open(&t, "Acme Corp", Some("ana@acme.example"), "Push fails");
    let server = Server::start(&t, NOW, &[], &[]);
    let ana = server.sign_in(&t, "ana@acme.example");
    let (content_type, body) = multipart(
        &[("message", "names")],
        &[("../../etc/pass wd<b>ção.html", b"<script>x</script>")],
    );
    let reply = request(
        &server,
        "POST",
        &format!("/cases/{id}/reply"),
        &ana,
        Some((&content_type, &body)),
    );
    assert_eq!(reply.status, 303, "{}", String::from_utf8_lossy(&reply.body));
    let sha = attachments(&t, &id)[0]["sha256"].as_str().unwrap().to_string();
    let download = request(&server, "GET", &format!("/cases/{id}/attachments/{sha}"), &ana, None);
    assert_eq!(download.status, 200);
    let disposition = download.header("content-disposition").unwrap();
    assert_eq!(
        disposition,
        "attachment; filename=\"_.._.._etc_pass_wd_b___o.html\"; filename*=UTF-8''..%2F..%2Fetc%2Fpass%20wd%3Cb%3E%C3%A7%C3%A3o.html"
    );
    assert_eq!(download.header("content-type"), Some("application/octet-stream"));
    let page = server.get(&format!("/cases/{id}"), Some(&ana));
    assert!(
        page.body.contains("../../etc/pass wd&lt;b&gt;ção.html"),
        "escaped: {}",
        page.body
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.file_type().unwrap().is_dir() {
            found.extend(walk(&entry.path()));
        } else {
            found.push(entry.path());
        }
    }
    found
}
