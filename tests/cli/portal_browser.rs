//! The customer portal in a real browser: the real `tickets serve` over a temp
//! store, Debian's headless Chromium driven through chromedriver (WebDriver)
//! with fantoccini. The story of issues 13 and 24: a customer signs in with
//! a link (its button page), sees the list in the seed's words, answers the
//! analyst's question and reads the confirmation, opens a new case, follows
//! up a closed one, signs out, and signs in again with the one-time code of
//! the mail.
//!
//! Every step has a timeout and names itself when it fails; the server and
//! chromedriver (with the browser it started) are ended on drop, also when a
//! step panics. Screenshots of every page, at 1280 and 390 pixels wide (the
//! viewport), land in `target/portal-screenshots/`, and with
//! `TICKETS_UPDATE_DOCS=1` also in `docs/portal-NAME-WIDTH.png`, which
//! docs/portal.md shows.
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (`.ci/run` installs
//! Debian's `chromium` and `chromium-driver` when missing) and axe-core
//! (`target/axe-core/node_modules/axe-core/axe.min.js`, which `.ci/run`
//! installs with npm; or the file `TICKETS_AXE_JS` names), run on every
//! page the story visits: 0 violations.

use crate::support::{TestStore, CONFIG};
use chrono::{Duration as Days, SecondsFormat, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use std::fmt::Debug;
use std::fs::File;
use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tickets::core::vocabulary::Status;
use tickets::core::vocabulary::{label_for_customer, status_for_customer};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The longest any one step (a page, a click, a wait for text) may take.
const STEP: Duration = Duration::from_secs(30);
/// The longest the whole story may take.
const STORY: Duration = Duration::from_secs(300);

const CONTACT: &str = "ana@acme.example";
const SUMMARY: &str = "Push notifications stopped on iOS";
const QUESTION: &str = "Which iOS version do your users run, and since when?";
const NOTE: &str = "Internal: probably the APNs certificate again";
const REPLY: &str = "iOS 18.1, since Monday's update.";
const OTHER_SUMMARY: &str = "Globex ledger export times out";
const NEW_SUMMARY: &str = "Cannot upload avatars";
const NEW_DESCRIPTION: &str = "Every avatar upload fails with an error since this morning.";
const CLOSED_SUMMARY: &str = "Export to CSV drops accents";
const FOLLOW_SUMMARY: &str = "CSV export drops accents again";
const FOLLOW_DESCRIPTION: &str = "Since version 7.4 the accents are gone again.";
/// The widths every page is shot at: a desktop and a phone.
const WIDTHS: [(u32, u32); 2] = [(1280, 900), (390, 844)];

/// A port free on 127.0.0.1 when asked (the OS picks it).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// Waits until something accepts connections on `port`, or panics naming `what`.
fn wait_for_port(port: u16, what: &str, child: &mut Child, log: &Path) {
    let deadline = Instant::now() + STEP;
    while Instant::now() < deadline {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "{what} exited ({status}) before listening on port {port}:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "{what} did not listen on port {port} within {STEP:?}:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

/// A process started by the test, in its own process group, ended on drop:
/// SIGTERM to the group, then SIGKILL to whatever is left after a grace period.
/// Its output goes to `log`, printed when the test is failing.
struct Spawned {
    what: &'static str,
    child: Child,
    log: PathBuf,
}

impl Spawned {
    fn start(what: &'static str, mut command: Command, log: PathBuf) -> Spawned {
        let out = File::create(&log).expect("log file");
        let err = out.try_clone().expect("log file");
        command.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
        let child = command.spawn().unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        Spawned { what, child, log }
    }

    fn signal_group(&self, signal: libc::c_int) {
        let Ok(pgid) = libc::pid_t::try_from(self.child.id()) else {
            return;
        };
        // SAFETY: kill(2) with the negated id of the process group this test created.
        unsafe {
            libc::kill(-pgid, signal);
        }
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.signal_group(libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline && self.child.try_wait().ok().flatten().is_none() {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        // Children of the leader (the browser under chromedriver) may outlive it.
        self.signal_group(libc::SIGKILL);
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- {} output ---\n{}",
                self.what,
                std::fs::read_to_string(&self.log).unwrap_or_default()
            );
        }
    }
}

/// Runs one step of the story within STEP, panicking with its name on an
/// error or a timeout.
async fn step<T, E: Debug>(what: &str, fut: impl Future<Output = Result<T, E>>) -> T {
    match tokio::time::timeout(STEP, fut).await {
        Ok(Ok(value)) => value,
        Ok(Err(e)) => panic!("step failed: {what}: {e:?}"),
        Err(_) => panic!("step timed out: {what}: no answer within {STEP:?}"),
    }
}

/// The visible text of the page, or why it cannot be read just now (a page
/// between two documents, after a click or a submit, has no body yet, and
/// a body found may go stale before its text is read).
async fn try_page_text(client: &Client) -> Result<String, String> {
    let body = tokio::time::timeout(STEP, client.find(Locator::Css("body")))
        .await
        .map_err(|_| "no answer".to_string())?
        .map_err(|e| format!("{e:?}"))?;
    tokio::time::timeout(STEP, body.text())
        .await
        .map_err(|_| "no answer".to_string())?
        .map_err(|e| format!("{e:?}"))
}

/// Waits until the page shows every one of `needles`, or panics with what it shows.
async fn wait_for_text(client: &Client, what: &str, needles: &[&str]) -> String {
    let deadline = Instant::now() + STEP;
    loop {
        let text = match try_page_text(client).await {
            Ok(text) => text,
            Err(e) if Instant::now() > deadline => panic!("{what}: the page cannot be read within {STEP:?}: {e}"),
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let missing: Vec<&&str> = needles.iter().filter(|n| !text.contains(**n)).collect();
        if missing.is_empty() {
            return text;
        }
        if Instant::now() > deadline {
            let url = client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
            panic!("{what}: the page at {url} does not show {missing:?} within {STEP:?}; it shows:\n{text}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// axe-core's script: `TICKETS_AXE_JS`, else the one `.ci/run` installs in
/// the target directory.
fn axe_script() -> String {
    let path = std::env::var_os("TICKETS_AXE_JS").map_or_else(
        || {
            let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
            tmp.parent()
                .unwrap_or(tmp)
                .join("axe-core/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "axe-core is missing at {} ({e}): `npm install --prefix target/axe-core axe-core@4.10.3` (.ci/run does)",
            path.display()
        )
    })
}

/// Runs axe-core on the page shown (WCAG 2.x A and AA, best practices) and
/// panics with the violations, if any, naming `page`.
async fn assert_accessible(client: &Client, axe: &str, page: &str) {
    step(&format!("load axe-core on {page}"), client.execute(axe, vec![])).await;
    let found = step(
        &format!("run axe-core on {page}"),
        client.execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } })
                .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                .catch(e => done(['axe-core failed: ' + e]));",
            vec![],
        ),
    )
    .await;
    let violations: Vec<String> = serde_json::from_value(found).expect("axe-core's answer");
    assert!(violations.is_empty(), "{page}: axe-core finds {violations:#?}");
}

/// Checks the page with axe-core, then saves a PNG of its viewport at each of [`WIDTHS`] as
/// `target/portal-screenshots/NAME-WIDTH.png` and, with
/// `TICKETS_UPDATE_DOCS=1`, as `docs/portal-NAME-WIDTH.png`; the window is
/// left at the desktop size.
async fn screenshot(client: &Client, name: &str) {
    assert_accessible(client, &axe_script(), name).await;
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let docs = std::env::var_os("TICKETS_UPDATE_DOCS").is_some_and(|v| v == "1");
    for (width, height) in WIDTHS {
        step(&format!("resize to {width}"), client.set_window_size(width, height)).await;
        let png = step(&format!("screenshot {name} at {width}"), client.screenshot()).await;
        assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
        std::fs::write(dir.join(format!("{name}-{width}.png")), &png).expect("write screenshot");
        if docs {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/portal-{name}-{width}.png"));
            std::fs::write(path, &png).expect("write the docs' screenshot");
        }
    }
    let (width, height) = WIDTHS[0];
    step("resize back", client.set_window_size(width, height)).await;
}

/// The one-time code of the newest sign-in mail to `email` in the outbox.
fn code_in_outbox(store: &Path, email: &str) -> String {
    let mut files: Vec<PathBuf> = std::fs::read_dir(store.join(".tickets"))
        .expect("the derived directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("outbox."))
        })
        .collect();
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    let mail = files
        .iter()
        .rev()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .map(|text| text.replace("=\\r\\n", "").replace("\\r\\n", "\n").replace("=3D", "="))
        .find(|text| text.contains(&format!("To: {email}")) && text.contains("one-time code"))
        .unwrap_or_else(|| panic!("no sign-in mail to {email} in the outbox"));
    let at = mail.find("code on the page").expect("the mail tells of the code");
    mail[at..]
        .split_whitespace()
        .find(|w| w.len() == 9 && w.as_bytes()[4] == b'-')
        .unwrap_or_else(|| panic!("no code in the mail: {mail}"))
        .to_string()
}

/// `target/portal-screenshots/` (beside `target/tmp`, wherever the target dir is).
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("portal-screenshots")
}

/// Types `text` into the field `name` of `form`.
async fn fill(client: &Client, form: &str, name: &str, text: &str) {
    let css = format!("{form} [name=\"{name}\"]");
    let field = step(&format!("find {css}"), client.find(Locator::Css(&css))).await;
    step(&format!("type into {css}"), field.send_keys(text)).await;
}

/// Clicks the submit button of `form`.
async fn submit(client: &Client, form: &str) {
    let css = format!("{form} button[type=\"submit\"], {form} input[type=\"submit\"], {form} button:not([type])");
    let button = step(
        &format!("find the submit button of {form}"),
        client.find(Locator::Css(&css)),
    )
    .await;
    step(&format!("submit {form}"), button.click()).await;
}

/// A close date as the portal may write it: ISO or in words.
fn date_forms(at: chrono::DateTime<Utc>) -> [String; 2] {
    [at.format("%Y-%m-%d").to_string(), at.format("%-d %B %Y").to_string()]
}

#[test]
fn portal_in_a_real_browser_signs_in_lists_replies_and_opens_a_case() {
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(tool).exists(),
            "{tool} is missing: install Debian's chromium and chromium-driver (.ci/run does)"
        );
    }

    // The store: Acme's contact has a case waiting for their answer, with an
    // internal note; Globex has a case Acme must not see. Real time (no
    // pinned clock): the browser keeps the session cookie by its own clock.
    // Acme's contact reads times in São Paulo's zone.
    let config = format!("{CONFIG}mail:\n  from: \"Support <support@example.com>\"\n").replace(
        "    domains: [acme.example]\n",
        "    domains: [acme.example]\n    timezone: America/Sao_Paulo\n",
    );
    assert!(config.contains("America/Sao_Paulo"), "{config}");
    let t = TestStore::with_config(&config);
    let asked = Utc::now() - Days::minutes(1);
    let at = asked.to_rfc3339_opts(SecondsFormat::Secs, true);
    let id = t.open_at(
        &at,
        &[
            "--customer",
            "Acme Corp",
            "--email",
            CONTACT,
            "--summary",
            SUMMARY,
            "--description",
            "Since the last update no push notification reaches iPhones.",
        ],
    );
    t.run_at(&at, &["request-info", &id, "--message", QUESTION]).success();
    t.run_at(&at, &["note", &id, "--message", NOTE]).success();
    let other = t.open_at(
        &at,
        &[
            "--customer",
            "Globex",
            "--email",
            "gil@globex.example",
            "--summary",
            OTHER_SUMMARY,
            "--description",
            "The export never finishes.",
        ],
    );
    let closed = t.open_at(
        &at,
        &[
            "--customer",
            "Acme Corp",
            "--email",
            CONTACT,
            "--channel",
            "email",
            "--summary",
            CLOSED_SUMMARY,
            "--description",
            "Names like São Paulo come out as S?o Paulo.",
        ],
    );
    t.run_at(
        &at,
        &[
            "close",
            &closed,
            "--resolution",
            "Fixed in 7.3: the export writes UTF-8.",
        ],
    )
    .success();
    // Pages show the customer's zone (São Paulo, UTC-3): the date there.
    let asked_date = chrono::DateTime::parse_from_rfc3339(&at)
        .expect("instant")
        .with_timezone(&Utc)
        - chrono::Duration::hours(3);
    let closes = date_forms(asked_date + Days::days(7));

    let logs = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut serve = Command::new(env!("CARGO_BIN_EXE_tickets"));
    serve.env_remove("TICKETS_NOW").env("TICKETS_DIR", t.path()).args([
        "serve",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--base-url",
        &base,
    ]);
    let mut server = Spawned::start("tickets serve", serve, logs.path().join("serve.log"));
    wait_for_port(port, "tickets serve", &mut server.child, &server.log);

    let driver_port = free_port();
    let mut chromedriver = Command::new(CHROMEDRIVER);
    chromedriver.arg(format!("--port={driver_port}"));
    let mut driver = Spawned::start("chromedriver", chromedriver, logs.path().join("chromedriver.log"));
    wait_for_port(driver_port, "chromedriver", &mut driver.child, &driver.log);

    // The analyst hands over a sign-in link (the portal's own base URL).
    let printed = t
        .cmd()
        .env_remove("TICKETS_NOW")
        .args(["portal", "link", "--email", CONTACT, "--base-url", &base])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let printed = String::from_utf8(printed).expect("utf-8");
    let path = printed
        .trim()
        .find("/login/")
        .map(|at| printed.trim()[at..].to_string())
        .unwrap_or_else(|| panic!("portal link printed no /login/ URL: {printed:?}"));
    let link = format!("{base}{path}");

    let profile = tempfile::tempdir().expect("browser profile dir");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let story = async {
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--window-size=1024,900".into(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            serde_json::json!({ "binary": CHROMIUM, "args": args }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = step(
            "start a Chromium session",
            ClientBuilder::new(connector)
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{driver_port}")),
        )
        .await;

        // axe-core finds what it should: a page with an image without a
        // text alternative and no language fails (so 0 below means 0).
        step(
            "open a page axe-core must refuse",
            client.goto("data:text/html,<title>x</title><img src=x.png>"),
        )
        .await;
        step("load axe-core", client.execute(&axe_script(), vec![])).await;
        let found = step(
            "run axe-core on the refused page",
            client.execute_async(
                "const done = arguments[arguments.length - 1]; axe.run(document).then(r => done(r.violations.map(v => v.id)));",
                vec![],
            ),
        )
        .await;
        let ids: Vec<String> = serde_json::from_value(found).expect("axe-core's answer");
        assert!(
            ids.iter().any(|id| id == "image-alt"),
            "axe-core missed a missing alt: {ids:?}"
        );

        // 1. Signed out: the sign-in form.
        step("open /", client.goto(&format!("{base}/"))).await;
        step(
            "find the sign-in form's email field",
            client.find(Locator::Css("form[action=\"/login\"] input[name=\"email\"]")),
        )
        .await;
        screenshot(&client, "sign-in").await;

        // 2. The link shows one button (opening it spends nothing: mail
        // scanners open every link first); the button signs in and lands on
        // the list: the waiting case as a short label ("Waiting for you";
        // the seed's sentence is on its page) with the date it will close;
        // never Globex's case.
        step("open the sign-in link", client.goto(&link)).await;
        let button_css = "form[action^=\"/login/\"] button[type=\"submit\"]";
        step("find the sign-in button", client.find(Locator::Css(button_css))).await;
        screenshot(&client, "sign-in-button").await;
        let button = step("find the sign-in button", client.find(Locator::Css(button_css))).await;
        step("press the sign-in button", button.click()).await;
        let waiting = label_for_customer(Status::WaitingForCustomer);
        let list = wait_for_text(&client, "the signed-in list", &[&id, SUMMARY, waiting]).await;
        assert!(
            closes.iter().any(|d| list.contains(d.as_str())),
            "the list does not show the close date ({closes:?}):\n{list}"
        );
        assert!(
            !list.contains(&other) && !list.contains(OTHER_SUMMARY),
            "Acme's contact sees Globex's case:\n{list}"
        );
        screenshot(&client, "case-list").await;

        // 3. The case page: the analyst's question, never the internal note.
        let case_link = format!("a[href=\"/cases/{id}\"]");
        let anchor = step("find the case's link", client.find(Locator::Css(&case_link))).await;
        step("open the case", anchor.click()).await;
        let page = wait_for_text(
            &client,
            "the case page",
            &[&id, QUESTION, waiting, "Waiting for you", "(America/Sao_Paulo)"],
        )
        .await;
        assert!(!page.contains(NOTE), "the case page shows the internal note:\n{page}");
        assert!(!page.contains("waiting-for-customer"), "the YAML spelling:\n{page}");
        screenshot(&client, "case").await;

        // 4. Reply: confirmed on the next page, the case Open again.
        let reply_form = format!("form[action=\"/cases/{id}/reply\"]");
        fill(&client, &reply_form, "message", REPLY).await;
        submit(&client, &reply_form).await;
        let open = status_for_customer(Status::Open);
        let page = wait_for_text(
            &client,
            "the case after the reply",
            &[
                &id,
                REPLY,
                open,
                "Reply sent; the case is back with support.",
                "You wrote",
            ],
        )
        .await;
        assert!(!page.contains(waiting), "the case still shows it waits:\n{page}");
        screenshot(&client, "reply-confirmation").await;

        // 5. A new case through the form, confirmed with its first-response
        // target, then listed.
        step("open /cases/new", client.goto(&format!("{base}/cases/new"))).await;
        let new_form = "form[action=\"/cases\"]";
        fill(&client, new_form, "summary", NEW_SUMMARY).await;
        fill(&client, new_form, "description", NEW_DESCRIPTION).await;
        let high = format!("{new_form} [name=\"severity\"][value=\"high\"]");
        let radio = step("find severity high", client.find(Locator::Css(&high))).await;
        step("choose severity high", radio.click()).await;
        screenshot(&client, "new-case").await;
        submit(&client, new_form).await;
        wait_for_text(
            &client,
            "the page after opening a case",
            &[NEW_SUMMARY, "opened. First response expected by"],
        )
        .await;
        screenshot(&client, "new-case-confirmation").await;
        step("open / again", client.goto(&format!("{base}/"))).await;
        wait_for_text(&client, "the list with the new case", &[NEW_SUMMARY, SUMMARY]).await;

        // 6. A follow-up of the closed case: confirmed, linked both ways.
        step("open the closed case", client.goto(&format!("{base}/cases/{closed}"))).await;
        wait_for_text(&client, "the closed case", &[CLOSED_SUMMARY, "Need more help?"]).await;
        assert_accessible(&client, &axe_script(), "the closed case").await;
        let follow_form = format!("form[action=\"/cases/{closed}/follow-up\"]");
        fill(&client, &follow_form, "summary", FOLLOW_SUMMARY).await;
        fill(&client, &follow_form, "description", FOLLOW_DESCRIPTION).await;
        submit(&client, &follow_form).await;
        let follows = format!("it follows up {closed}");
        wait_for_text(&client, "the follow-up", &[FOLLOW_SUMMARY, &follows]).await;
        screenshot(&client, "follow-up").await;
        let back = format!("a[href=\"/cases/{closed}\"]");
        let anchor = step("find the link to the closed case", client.find(Locator::Css(&back))).await;
        step("follow it", anchor.click()).await;
        wait_for_text(
            &client,
            "the closed case with its follow-up",
            &["Follow-up cases", FOLLOW_SUMMARY],
        )
        .await;

        // 7. Signed out, then in again with the code of the mail, as on a
        // laptop while the mail is read on a phone.
        let sign_out = step(
            "find the sign-out button",
            client.find(Locator::Css("form[action=\"/logout\"] button")),
        )
        .await;
        step("sign out", sign_out.click()).await;
        // The click returns before the next page is there: wait for its text.
        wait_for_text(
            &client,
            "the sign-in form after signing out",
            &["Send me a sign-in link"],
        )
        .await;
        fill(&client, "form[action=\"/login\"]", "email", CONTACT).await;
        submit(&client, "form[action=\"/login\"]").await;
        wait_for_text(&client, "the code page", &["Check your mail", "One-time code"]).await;
        screenshot(&client, "code-entry").await;
        let code = code_in_outbox(t.path(), CONTACT);
        fill(&client, "form[action=\"/login/code\"]", "code", &code.to_lowercase()).await;
        submit(&client, "form[action=\"/login/code\"]").await;
        wait_for_text(&client, "the list after the code", &["Signed in as", NEW_SUMMARY]).await;
        assert_accessible(&client, &axe_script(), "the list after the code").await;

        step("end the browser session", client.close()).await;
    };
    runtime.block_on(async {
        if tokio::time::timeout(STORY, story).await.is_err() {
            panic!("the browser story did not finish within {STORY:?}");
        }
    });

    // The store agrees with what the browser showed.
    assert_eq!(t.status(&id), "open", "the reply did not reopen {id}");
    let cases = t.list(&["--all"]);
    let new = cases
        .iter()
        .find(|c| c["summary"] == NEW_SUMMARY)
        .unwrap_or_else(|| panic!("no case {NEW_SUMMARY:?} in the store: {cases:?}"));
    let new_id = new["id"].as_str().expect("id");
    let shown = t.show(new_id);
    assert_eq!(shown["channel"], "portal", "{shown}");
    assert_eq!(shown["customer"], "Acme Corp", "{shown}");
    assert_eq!(shown["severity"], "high", "{shown}");
    drop(driver);
    drop(server);
}
