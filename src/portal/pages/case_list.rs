//! `/` for a signed-in contact: their cases.

use super::{date, layout, respond, turn};
use crate::core::config::Config;
use crate::core::digest::Digest;
use crate::core::terminal::for_page;
use crate::core::vocabulary::label_for_customer;
use crate::core::vocabulary::status_for_customer;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

/// The case list of `email`, the rows in their order.
pub(crate) fn case_list(email: &str, config: &Config, rows: &[Digest]) -> Response {
    respond(
        StatusCode::OK,
        layout(
            "Your cases",
            Some(email),
            html! {
                h1 { "Your cases" }
                p { a href="/cases/new" { "Open a new case" } }
                @if rows.is_empty() {
                    p { "No cases yet." }
                } @else {
                    table {
                        thead { tr { th { "Case" } th { "Summary" } th { "Status" } th { "Last update" } th { "Whose turn" } } }
                        tbody {
                            @for row in rows {
                                tr {
                                    td { a href={ "/cases/" (row.id) } { (row.id) } }
                                    td { (for_page(&row.summary)) }
                                    td { span.status { (label_for_customer(row.status)) } br; span.explain { (status_for_customer(row.status)) } }
                                    td { (date(row.updated_at)) }
                                    td { (turn(config, row.status, row.waiting_since)) }
                                }
                            }
                        }
                    }
                }
            },
        ),
    )
}
