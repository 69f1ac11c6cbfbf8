//! The portal's stylesheet, embedded: readable on a phone, high contrast,
//! visible focus.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// The stylesheet.
const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1a1a1a; --muted: #4a4a4a; --accent: #0b4f9c; --line: #c8c8c8; --bg: #ffffff; --soft: #f2f4f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header, main, footer { max-width: 52rem; margin: 0 auto; padding: 0.75rem 1rem; }
header { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; justify-content: space-between; border-bottom: 1px solid var(--line); }
header a.home { font-weight: 700; color: var(--ink); text-decoration: none; }
a { color: var(--accent); }
a:focus, button:focus, input:focus, textarea:focus, select:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: 1rem 0 0.5rem; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; vertical-align: top; padding: 0.5rem; border-bottom: 1px solid var(--line); }
@media (max-width: 40rem) { thead { display: none; } tr { display: block; border-bottom: 2px solid var(--line); padding: 0.5rem 0; } td { display: block; border: 0; padding: 0.15rem 0; } }
.status { font-weight: 700; }
.explain, .muted { color: var(--muted); }
.turn-customer { font-weight: 700; color: #8a3b00; }
ol.conversation { list-style: none; padding: 0; }
ol.conversation li { background: var(--soft); border-left: 4px solid var(--line); margin: 0 0 0.75rem; padding: 0.5rem 0.75rem; }
ol.conversation li.support { border-left-color: var(--accent); }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
label { display: block; font-weight: 600; margin: 0.75rem 0 0.25rem; }
input[type=text], input[type=email], textarea, select { width: 100%; font: inherit; padding: 0.5rem; border: 1px solid #767676; border-radius: 4px; background: #fff; color: var(--ink); }
textarea { min-height: 8rem; }
button { font: inherit; margin-top: 0.75rem; padding: 0.5rem 1rem; border: 0; border-radius: 4px; background: var(--accent); color: #fff; cursor: pointer; }
button.link { background: none; color: var(--accent); padding: 0; margin: 0; text-decoration: underline; }
fieldset { border: 1px solid var(--line); margin: 0.75rem 0; }
.notice { background: #fff4e5; border: 1px solid #f0a500; padding: 0.5rem 0.75rem; }
.case-id, time.nowrap, .nowrap { white-space: nowrap; }
.confirmation { background: #e9f6ec; border: 1px solid #2e7d32; padding: 0.5rem 0.75rem; }
ul.follow-ups { padding-left: 1.25rem; }
input[type=text]#code { max-width: 14rem; letter-spacing: 0.1em; text-transform: uppercase; }
/* The case list: an ID and a date never break; a wider list on a wide screen. */
table.cases td.id, table.cases td.date { white-space: nowrap; }
@media (min-width: 40rem) { table.cases td.turn { min-width: 16rem; } }
@media (min-width: 80rem) { main:has(table.cases) { max-width: 72rem; } }
form.list-search input[type=search] { width: 100%; font: inherit; padding: 0.5rem; border: 1px solid #767676; border-radius: 4px; background: #fff; color: var(--ink); }
nav.filters ul { list-style: none; padding: 0; margin: 0.75rem 0; display: flex; flex-wrap: wrap; gap: 0.25rem 1.25rem; }
nav.pager { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; margin: 1rem 0; }
"#;

/// `GET /style.css`.
pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}
