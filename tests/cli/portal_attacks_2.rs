//! The second attack on the portal: sign-in codes against their links,
//! planted cookies, the paged list under hostile query strings, and merged
//! cases whose chain a hand edit bent. Every finding is kept here.

use crate::support::portal::{form, open, session_of, Server, CONFIG};
use crate::support::{TestStore, NOW};
use std::path::PathBuf;

/// The newest queued sign-in mail to `email`, escapes undone.
fn sign_in_mail(t: &TestStore, email: &str) -> String {
    let mut files: Vec<_> = std::fs::read_dir(t.path().join(".tickets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("outbox."))
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).unwrap().modified().unwrap());
    files
        .iter()
        .rev()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .map(|text| text.replace("=\\r\\n", "").replace("\\r\\n", "\n").replace("=3D", "="))
        .find(|text| text.contains(&format!("To: {email}")) && text.contains("/login/"))
        .unwrap_or_else(|| panic!("no sign-in mail to {email} in the outbox"))
}

/// The code (`ABCD-EFGH`) and the link's path of a sign-in mail.
fn code_and_path(server: &Server, mail: &str) -> (String, String) {
    let at = mail.find("code on the page").expect("the mail tells of the code");
    let code = mail[at..]
        .split_whitespace()
        .find(|w| w.len() == 9 && w.as_bytes()[4] == b'-')
        .expect("a code")
        .to_string();
    let base = format!("{}/login/", server.base());
    let at = mail.find(&base).expect("a link");
    let token: String = mail[at + base.len()..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (code, format!("/login/{token}"))
}

/// The files of `.tickets/` whose names start with `prefix`.
fn derived_files(t: &TestStore, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(t.path().join(".tickets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .collect()
}

fn type_code(server: &Server, email: &str, code: &str) -> crate::support::portal::Reply {
    server.post("/login/code", None, &form(&[("email", email), ("code", code)]))
}

#[test]
fn a_code_put_back_by_a_racing_wrong_try_after_its_link_was_used_does_not_sign_in() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    server.post("/login", None, &form(&[("email", "ana@acme.example")]));
    let (code, path) = code_and_path(&server, &sign_in_mail(&t, "ana@acme.example"));
    // A wrong try takes the code's file while the customer clicks the link...
    let [file] = derived_files(&t, "signcode.").try_into().expect("one code file");
    let held = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let signed = server.post(&path, None, "");
    assert_eq!(signed.status, 303, "{}", signed.body);
    // ... and puts it back, one wrong try counted, after the link was spent.
    std::fs::write(&file, held).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let again = type_code(&server, "ana@acme.example", &code);
    assert_eq!(again.status, 400, "the code went with its link: {}", again.body);
    assert!(session_of(&again).is_none());
}

#[test]
fn a_planted_cookie_of_the_same_name_before_the_real_one_does_not_sign_the_contact_out() {
    let t = TestStore::with_config(CONFIG);
    let server = Server::start(&t, NOW, &[], &[]);
    let session = server.sign_in(&t, "ana@acme.example");
    let name = &server.cookie_name;
    // Another app on the same host (any port) sets a cookie of this name
    // with a longer path: the browser sends it first.
    for planted in ["junk", "", &"g".repeat(64), "../../etc/passwd"] {
        let header = format!("{name}={planted}; {name}={session}");
        let home = server.send("GET", "/", &[("Cookie", &header)], None);
        assert!(
            home.body.contains("Signed in as ana@acme.example"),
            "planted {planted:?}: {}",
            home.body
        );
    }
    // A cookie of another port's portal is not this one's.
    let other = format!("tickets_session_1={session}");
    let home = server.send("GET", "/", &[("Cookie", &other)], None);
    assert!(!home.body.contains("Signed in as"), "{}", home.body);
}
