//! Every table and every `show` fits the terminal (issue 25): at 60, 80 and
//! 132 columns (`COLUMNS`), on a store with long names, e-mail actors and
//! long summaries, no line is wider than the width, and no instant, ID or
//! address is split across two lines.

use crate::support::store::{TestStore, CONFIG};
use unicode_width::UnicodeWidthStr;

const WIDTHS: [usize; 3] = [60, 80, 132];
const ADDRESS: &str = "maria.fernanda.albuquerque@northwind-traders.example";
const LATER: &str = "2026-11-22T10:00:00Z";

struct Desk {
    t: TestStore,
    ids: Vec<String>,
}

fn desk() -> Desk {
    let t = TestStore::with_config(&format!(
        "{CONFIG}  - name: Northwind Traders International Holdings
    plan: plus
    domains: [northwind-traders.example]
remind_after_days: 2
mail:
  from: support@desk.example
tags: [billing, mobile-push-notifications]
"
    ));
    // A canned answer whose first line is longer than any terminal.
    std::fs::create_dir_all(t.path().join("templates/answers")).unwrap();
    std::fs::write(
        t.path().join("templates/answers/ask-for-the-device-logs-and-versions.md"),
        "Could you send us the device logs of two of the affected iPhones, with the iOS and application versions they run, so that we can compare them with the ones that still work?\n",
    )
    .unwrap();
    let long = |summary: &str, severity: &str| {
        t.open(&[
            "--customer",
            "Northwind Traders International Holdings",
            "--email",
            ADDRESS,
            "--severity",
            severity,
            "--summary",
            summary,
            "--description",
            "Since the update to version 4.2.1 of the mobile application, none of our \
             eleven hundred field technicians receive push notifications on their iPhones, \
             although Android devices keep working; we reinstalled the application twice.",
        ])
    };
    let waiting = long(
        "Push notifications stopped arriving on every iPhone of the field team after 4.2.1",
        "high",
    );
    t.run(&[
        "request-info",
        &waiting,
        "--message",
        "Which iOS versions do the technicians run, and do they allow notifications in Settings?",
    ])
    .success();
    let escalated = long(
        "Não consigo exportar o relatório mensal de faturamento para o formato PDF",
        "medium",
    );
    t.run(&["investigate", &escalated]).success();
    t.run(&["escalate", &escalated]).success();
    t.run(&[
        "escalate",
        &escalated,
        "--impact",
        "high",
        "--note",
        "Reproduced on staging",
    ])
    .success();
    let replied = long(
        "Single sign-on through the corporate LDAP directory refuses every login",
        "low",
    );
    t.cmd()
        .env("TICKETS_ACTOR", ADDRESS)
        .args([
            "reply",
            &replied,
            "-m",
            "We still cannot sign in this morning; the error says the directory is unreachable.",
        ])
        .assert()
        .success();
    // Tags, a CC and a duplicate merged into the replied case.
    t.run(&["tag", &waiting, "+billing", "+mobile-push-notifications"])
        .success();
    t.run(&[
        "cc",
        &waiting,
        "--add",
        "field.operations.manager@northwind-traders.example",
    ])
    .success();
    let duplicate = long("Single sign-on refuses every login again, second report", "low");
    t.run(&["merge", &duplicate, "--into", &replied]).success();
    // A file the store cannot read, under a long name: `check` names it.
    std::fs::write(
        t.path().join("RC-NOTACASEBUTAFILEWITHAVERYLONGNAMEINDEED.yaml"),
        "id: [not, a, case\n",
    )
    .unwrap();
    Desk {
        t,
        ids: vec![waiting, escalated, replied, duplicate],
    }
}

impl Desk {
    fn at_width(&self, width: usize, args: &[&str]) -> String {
        let out = self
            .t
            .cmd()
            .env("TICKETS_NOW", LATER)
            .env("COLUMNS", width.to_string())
            .env("NO_COLOR", "1")
            .args(args)
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    }
}

/// The text with each line break and the indentation after it removed: a
/// word split over two lines reads whole here only.
fn joined(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(line.trim());
    }
    out
}

fn assert_fits(width: usize, args: &[&str], out: &str, atoms: &[&str]) {
    assert!(!out.is_empty(), "{args:?} printed nothing");
    for line in out.lines() {
        assert!(
            line.width() <= width,
            "{args:?} at {width}: a line of {} columns:\n{line}\n---\n{out}",
            line.width()
        );
    }
    let glued = joined(out);
    for atom in atoms {
        assert_eq!(
            out.matches(atom).count(),
            glued.matches(atom).count(),
            "{args:?} at {width}: {atom} is split across lines:\n{out}"
        );
    }
    // Every instant printed is whole: a date is followed by its time.
    let instant = regex_lite_instant(out);
    assert!(
        instant.is_none(),
        "{args:?} at {width}: a broken instant {instant:?}:\n{out}"
    );
}

/// The first `YYYY-MM-DD` not followed by `THH:MM:SSZ`, if any.
fn regex_lite_instant(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    for i in 0..bytes.len().saturating_sub(10) {
        let date = &bytes[i..i + 10];
        let is_date = date.iter().enumerate().all(|(n, b)| match n {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
        if is_date && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let rest = &bytes[i + 10..(i + 20).min(bytes.len())];
            let whole = rest.len() == 10
                && rest[0] == b'T'
                && rest[9] == b'Z'
                && rest[1..9].iter().enumerate().all(|(n, b)| match n {
                    2 | 5 => *b == b':',
                    _ => b.is_ascii_digit(),
                });
            if !whole {
                return Some(String::from_utf8_lossy(&bytes[i..(i + 20).min(bytes.len())]).into_owned());
            }
        }
    }
    None
}

#[test]
fn every_table_and_every_show_fits_60_80_and_132_columns() {
    let d = desk();
    let mut atoms: Vec<&str> = d.ids.iter().map(String::as_str).collect();
    atoms.extend([ADDRESS, "2026-11-19T10:00:00Z", "request-info", "waiting-for-customer"]);
    let mut commands: Vec<Vec<&str>> = vec![
        vec!["list"],
        vec!["list", "--all"],
        vec!["remind", "--dry-run"],
        vec!["outbox"],
        vec!["check"],
        vec!["stats"],
        vec!["queue"],
        vec!["deliver", "--dry-run"],
        vec!["templates"],
        vec!["stats", "--by", "tag"],
        vec!["list", "--tag", "billing"],
    ];
    for id in &d.ids {
        commands.push(vec!["show", id.as_str()]);
    }
    for width in WIDTHS {
        for args in &commands {
            let out = d.at_width(width, args);
            assert_fits(width, args, &out, &atoms);
        }
    }
}

#[test]
fn show_puts_an_event_header_on_lines_that_never_break_a_word() {
    let d = desk();
    let out = d.at_width(80, &["show", &d.ids[2]]);
    // The customer's reply, signed by their address: its header is on two
    // lines, each part whole.
    let header = out
        .lines()
        .find(|l| l.contains(ADDRESS))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(header.width() <= 80, "{out}");
    assert!(out.contains("open -> open") || out.contains("-> open"), "{out}");
    // The message wraps at words.
    assert!(out.contains("We still cannot sign in this morning;"), "{out}");
}

#[test]
fn remind_keeps_one_case_a_line_and_outbox_one_message_a_line() {
    let d = desk();
    for width in WIDTHS {
        for args in [&["remind", "--dry-run"][..], &["outbox"][..], &["queue"][..]] {
            let out = d.at_width(width, args);
            // The header, then one line an item that starts with its case.
            let items: Vec<&str> = out.lines().filter(|l| !l.starts_with("    ")).collect();
            assert!(items.len() >= 2, "{args:?} at {width}:\n{out}");
            for item in &items[1..] {
                assert!(item.contains(" RC-"), "{args:?} at {width}: {item}\n{out}");
            }
        }
    }
}

#[test]
fn a_case_asked_for_information_closes_in_the_rule_s_days() {
    let d = desk();
    let out =
        d.t.cmd()
            .env("TICKETS_NOW", "2026-11-19T10:01:00Z")
            .env("COLUMNS", "132")
            .args(["list"])
            .output()
            .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let line = out.lines().find(|l| l.contains(&d.ids[0])).unwrap();
    assert!(line.contains("closes 7d"), "7 days, not 6d 23h rounded down:\n{out}");
}
