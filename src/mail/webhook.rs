//! The chat webhook: one JSON POST to the URL `TICKETS_WEBHOOK_URL` names
//! (http or https), with a timeout, following no redirect, reading at most
//! a little of the answer. A status other than 2xx is a failure, retried by
//! the next `deliver`. The URL carries the webhook's secret token: it is
//! never written into an error, a warning or the store.

use std::time::Duration;

/// How long one POST may take, connecting included.
pub const WEBHOOK_TIMEOUT: Duration = Duration::from_secs(5);

/// The most of an answer's body read (and then dropped).
const MAX_ANSWER_BYTES: u64 = 4096;

/// An incoming webhook of the team's chat.
#[derive(Clone)]
pub struct Webhook {
    url: String,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Webhook({})", self.describe())
    }
}

impl Webhook {
    /// The webhook at `url`, refused unless it is `http://` or `https://`
    /// with a host (the reason, without the URL).
    pub fn new(url: &str) -> Result<Webhook, String> {
        let url = url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .ok_or("must start with http:// or https://")?;
        if rest.split(['/', '?', '#']).next().is_none_or(str::is_empty) {
            return Err("has no host".into());
        }
        if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("has spaces or control characters".into());
        }
        Ok(Webhook { url: url.to_string() })
    }

    /// The webhook for people: its scheme and host, never its path (the token).
    pub fn describe(&self) -> String {
        let (scheme, rest) = self.url.split_once("://").unwrap_or(("", &self.url));
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        let host = host.rsplit('@').next().unwrap_or(host);
        format!("{scheme}://{host}/…")
    }

    /// Posts `body` (JSON); `Err` with the reason, in words that never
    /// hold the URL, when it was not taken (no answer, or not 2xx).
    pub fn post(&self, body: &str) -> Result<(), String> {
        use std::io::Read;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(WEBHOOK_TIMEOUT))
            .max_redirects(0)
            .http_status_as_error(false)
            .build()
            .into();
        let answer = agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .send(body)
            .map_err(|e| self.scrub(&e.to_string()))?;
        let status = answer.status();
        let mut sink = Vec::new();
        let _ = answer
            .into_body()
            .into_reader()
            .take(MAX_ANSWER_BYTES)
            .read_to_end(&mut sink);
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("{} answered {status}", self.describe()))
        }
    }

    fn scrub(&self, text: &str) -> String {
        format!("{}: {}", self.describe(), text.replace(&self.url, "the webhook"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_with_a_host_are_taken_and_the_token_is_never_shown() {
        assert!(Webhook::new("ftp://x").is_err());
        assert!(Webhook::new("https:///hooks").is_err());
        let hook = Webhook::new("https://chat.example/hooks/SECRET/TOKEN").unwrap();
        assert_eq!(hook.describe(), "https://chat.example/…");
        assert!(!format!("{hook:?}").contains("SECRET"));
    }
}
