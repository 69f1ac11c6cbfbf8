//! `/` for a signed-in contact: a page of their cases, with the filters,
//! the search box (plain GET forms and links: no script) and the way to the
//! next and previous pages, each link keeping the filter and the search.

use super::{layout, local_date, respond, turn};
use crate::core::config::Config;
use crate::core::terminal::for_page;
use crate::core::vocabulary::label_for_customer;
use crate::operations::portal::{ListPage, ListQuery, Show, MAX_SEARCH_CHARS};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

/// How many characters of a summary a row shows (the case page has it all).
const SUMMARY_CHARS: usize = 160;

/// The page `page` of `email`'s case list, as `query` asked.
pub(crate) fn case_list(email: &str, customer: &str, config: &Config, query: &ListQuery, page: &ListPage) -> Response {
    let total: usize = page.counts[0];
    respond(
        StatusCode::OK,
        layout(
            "Your cases",
            Some(email),
            html! {
                h1 { "Your cases" }
                p { a href="/cases/new" { "Open a new case" } }
                form.list-search method="get" action="/" role="search" {
                    label for="q" { "Search your cases (ID, summary or description)" }
                    input type="hidden" name="show" value=(query.show.as_str());
                    input #q type="search" name="q" value=(for_page(&query.search)) maxlength=(MAX_SEARCH_CHARS);
                    button type="submit" { "Search" }
                    @if !query.search.is_empty() {
                        " " a href=(link(query.show, "", 1)) { "Clear the search" }
                    }
                }
                @if query.search_cut {
                    p.notice { "Only the first " (MAX_SEARCH_CHARS) " characters of your search were used." }
                }
                nav.filters aria-label="Which cases" {
                    ul {
                        @for (show, count) in Show::EVERY.iter().zip(page.counts) {
                            li {
                                @if *show == query.show {
                                    a href=(link(*show, &query.search, 1)) aria-current="page" { strong { (filter_name(*show)) " (" (count) ")" } }
                                } @else {
                                    a href=(link(*show, &query.search, 1)) { (filter_name(*show)) " (" (count) ")" }
                                }
                            }
                        }
                    }
                }
                @if page.rows.is_empty() {
                    @if !query.search.is_empty() {
                        p { "No case matches \u{201c}" (for_page(&query.search)) "\u{201d}." }
                    } @else if total == 0 {
                        p { "No cases yet." }
                    } @else {
                        p { "No case here." }
                    }
                } @else {
                    p.muted { (summary_line(query, page)) }
                    table.cases {
                        thead { tr { th { "Case" } th { "Summary" } th { "Status" } th { "Last update" } th { "Whose turn" } } }
                        tbody {
                            @for row in &page.rows {
                                tr {
                                    td.id { a href={ "/cases/" (row.id) } { (row.id) } }
                                    td { (for_page(&shortened(&row.summary))) }
                                    // The short label; the seed's sentence is on the case page.
                                    td { span.status { (label_for_customer(row.status)) } }
                                    td.date { (local_date(config, customer, row.updated_at)) }
                                    td.turn { (turn(config, customer, row.status, row.waiting_since)) }
                                }
                            }
                        }
                    }
                    (pager(query, page))
                }
            },
        ),
    )
}

/// What a filter is called on the page.
fn filter_name(show: Show) -> &'static str {
    match show {
        Show::All => "All",
        Show::Open => "Open",
        Show::Waiting => "Waiting for you",
        Show::Closed => "Closed",
    }
}

/// "Cases 26 to 50 of 2,584 (page 2 of 104)".
fn summary_line(query: &ListQuery, page: &ListPage) -> String {
    let first = (page.page - 1) * crate::operations::portal::PAGE_SIZE + 1;
    let last = first + page.rows.len() - 1;
    let what = if query.search.is_empty() {
        ""
    } else {
        " matching the search"
    };
    format!(
        "Cases {first} to {last} of {}{what} (page {} of {})",
        page.matching, page.page, page.pages
    )
}

/// The previous and next pages, as plain links.
fn pager(query: &ListQuery, page: &ListPage) -> Markup {
    html! {
        @if page.pages > 1 {
            nav.pager aria-label="Pages" {
                @if page.page > 1 {
                    a rel="prev" href=(link(query.show, &query.search, page.page - 1)) { "\u{2190} Previous page" }
                }
                " "
                span { "Page " (page.page) " of " (page.pages) }
                " "
                @if page.page < page.pages {
                    a rel="next" href=(link(query.show, &query.search, page.page + 1)) { "Next page \u{2192}" }
                }
            }
        }
    }
}

/// The list's address for a filter, a search and a page (only what differs
/// from the defaults).
fn link(show: Show, search: &str, page: usize) -> String {
    let mut parts = Vec::new();
    if show != Show::All {
        parts.push(format!("show={}", show.as_str()));
    }
    if !search.is_empty() {
        parts.push(format!("q={}", encode(search)));
    }
    if page > 1 {
        parts.push(format!("page={page}"));
    }
    if parts.is_empty() {
        "/".to_string()
    } else {
        format!("/?{}", parts.join("&"))
    }
}

/// Percent-encodes a form value (every byte but letters, digits and `-_.~`).
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A summary cut to [`SUMMARY_CHARS`], with an ellipsis when cut.
fn shortened(summary: &str) -> String {
    match summary.char_indices().nth(SUMMARY_CHARS) {
        Some((at, _)) => format!("{}\u{2026}", &summary[..at]),
        None => summary.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_the_filter_and_the_search_encoded() {
        assert_eq!(link(Show::All, "", 1), "/");
        assert_eq!(link(Show::Waiting, "", 2), "/?show=waiting&page=2");
        assert_eq!(
            link(Show::All, "a&b=<c> \u{e9}", 3),
            "/?q=a%26b%3D%3Cc%3E%20%C3%A9&page=3"
        );
        assert_eq!(shortened(&"\u{e9}".repeat(200)).chars().count(), SUMMARY_CHARS + 1);
        assert_eq!(shortened("short"), "short");
    }
}
