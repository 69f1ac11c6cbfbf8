//! The portal's own operations: who a contact is, which cases they may see,
//! and sign-in links (SPEC section 8). The portal's reads and writes of
//! cases are the same operations as the command line's.

use super::Session;
use crate::core::case::{Attachment, Case, Event};
use crate::core::config::{Config, PortalAccess};
use crate::core::error::{Error, Result};
use crate::core::vocabulary::{Status, Visibility};
use crate::mail::compose;
use crate::store::customer_lists::{CustomerList, Listed};
use crate::store::sign_in::{SignIn, SignInCode};
use chrono::Duration;
use rand::distr::{Alphanumeric, SampleString};
use rand::Rng;
use sha2::{Digest as _, Sha256};

/// How long a sign-in link works.
pub const SIGN_IN_VALID_MINUTES: i64 = 15;

/// The letters of a sign-in code: capitals and digits that no one mistakes
/// for one another (no `I`, `O`, `0` or `1`), 32 of them.
pub const SIGN_IN_CODE_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// How many letters a sign-in code has (40 random bits), shown as two
/// groups of four (`ABCD-EFGH`).
pub const SIGN_IN_CODE_LETTERS: usize = 8;

/// How many wrong codes lock an address's code (it is removed; a new link
/// brings a new one).
pub const SIGN_IN_CODE_TRIES: u32 = 5;

/// A customer's contact, signed in to the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Their address, lower case.
    pub email: String,
    /// Their customer (the one whose `domains` hold the address's domain).
    pub customer: String,
    /// What the customer lets its contacts see.
    pub access: PortalAccess,
}

/// The contact `email` is, from config: `None` for anything that is not a
/// plain address (a quoted local part, a bidi control or an invisible
/// character), or whose domain belongs to no customer. Asked again on
/// every request, so a domain removed from config.yaml locks its contacts
/// out at once.
pub fn contact_of(config: &Config, email: &str) -> Option<Contact> {
    let email = email.trim().to_ascii_lowercase();
    // A quoted or escaped local part (`"ana"@acme.example`) reaches the same
    // mailbox under another spelling: it would dodge the per-address limit
    // and be a second identity of one person. Only plain addresses sign in.
    if email.contains(['"', '\\']) {
        return None;
    }
    // Bidi controls and invisible characters (what a page shows escaped)
    // would make an identity that looks like another's.
    if crate::core::terminal::for_page(&email) != email {
        return None;
    }
    let address: lettre::Address = email.parse().ok()?;
    let customer = crate::mail::intake::customers_of_domain(config, address.domain())
        .first()
        .copied()?;
    Some(Contact {
        email,
        customer: customer.name.clone(),
        access: customer.portal,
    })
}

/// Whether `contact` may see (and act on) a case of `customer` whose contact
/// address is `email`: a case of their customer, and with `portal: own`
/// only one with their own address.
pub fn may_see(contact: &Contact, customer: &str, email: Option<&str>) -> bool {
    customer == contact.customer
        && match contact.access {
            PortalAccess::Organisation => true,
            PortalAccess::Own => email.is_some_and(|e| e.trim().eq_ignore_ascii_case(&contact.email)),
        }
}

/// [`may_see`], or a case of their customer that copies them (`cc`): under
/// `portal: own` a CC'd contact sees the case too.
pub fn may_see_copied(contact: &Contact, customer: &str, email: Option<&str>, cc: &[String]) -> bool {
    may_see(contact, customer, email)
        || (customer == contact.customer && cc.iter().any(|a| a.eq_ignore_ascii_case(&contact.email)))
}

/// How many cases a page of the portal's list shows.
pub const PAGE_SIZE: usize = 25;

/// The longest search the list takes, in characters: a longer one is cut
/// there (and the page says so), so that no search makes a page or a link
/// grow with it.
pub const MAX_SEARCH_CHARS: usize = 200;

/// Which of a contact's cases the list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Show {
    /// Every case, open ones first.
    #[default]
    All,
    /// Cases not closed (with support or waiting for the customer).
    Open,
    /// Cases waiting for the customer.
    Waiting,
    /// Closed cases.
    Closed,
}

impl Show {
    /// Every filter, in the order the list offers them.
    pub const EVERY: [Show; 4] = [Show::All, Show::Open, Show::Waiting, Show::Closed];

    /// The filter a `show=` value names; anything else shows every case.
    pub fn parse(value: &str) -> Show {
        match value {
            "open" => Show::Open,
            "waiting" => Show::Waiting,
            "closed" => Show::Closed,
            _ => Show::All,
        }
    }

    /// Its `show=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Show::All => "all",
            Show::Open => "open",
            Show::Waiting => "waiting",
            Show::Closed => "closed",
        }
    }

    /// Whether a case of `status` is shown.
    pub fn accepts(self, status: Status) -> bool {
        match self {
            Show::All => true,
            Show::Open => status != Status::Closed,
            Show::Waiting => status == Status::WaitingForCustomer,
            Show::Closed => status == Status::Closed,
        }
    }
}

/// What the list was asked for: a filter, a search and a page.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListQuery {
    /// The filter.
    pub show: Show,
    /// The search as typed (trimmed, at most [`MAX_SEARCH_CHARS`]); empty: none.
    pub search: String,
    /// Whether the search was cut to [`MAX_SEARCH_CHARS`].
    pub search_cut: bool,
    /// The page asked for, from 1 (anything unreadable is page 1; a page
    /// past the last is the last).
    pub page: usize,
}

impl ListQuery {
    /// Reads `show`, `q` and `page` from the values of a query string
    /// (untrusted: any text, any length).
    pub fn parse(show: Option<&str>, q: Option<&str>, page: Option<&str>) -> ListQuery {
        let typed = q.unwrap_or("").trim();
        let search: String = typed.chars().take(MAX_SEARCH_CHARS).collect();
        let search_cut = search.len() < typed.len();
        let page = page
            .and_then(|p| p.trim().parse::<u64>().ok())
            .map_or(1, |p| usize::try_from(p).unwrap_or(usize::MAX).max(1));
        ListQuery {
            show: show.map(Show::parse).unwrap_or_default(),
            search: search.trim().to_string(),
            search_cut,
            page,
        }
    }
}

/// A page of a contact's case list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPage {
    /// The cases of this page, in order.
    pub rows: Vec<ListedCase>,
    /// The page shown, from 1 (1 when nothing matches).
    pub page: usize,
    /// How many pages the filter and search make (at least 1).
    pub pages: usize,
    /// How many cases the filter and search match.
    pub matching: usize,
    /// How many cases each filter would show with the same search, in the
    /// order of [`Show::EVERY`].
    pub counts: [usize; 4],
}

/// The page of `query` among the cases of `list` that the contact may see:
/// open cases first, the latest change first.
pub fn visible_cases(contact: &Contact, list: &CustomerList, query: &ListQuery) -> ListPage {
    if query.search.is_empty() && contact.access == PortalAccess::Organisation {
        return organisation_page(list, query);
    }
    let visible = |i: usize| sees_row(contact, list.get(i));
    let candidates: Vec<u32> = if query.search.is_empty() {
        (0..list.len() as u32).collect()
    } else {
        list.search(&query.search.to_lowercase()).to_vec()
    };
    let mut counts = [0usize; 4];
    let mut shown = Vec::new();
    for i in candidates {
        let i = i as usize;
        if !visible(i) {
            continue;
        }
        let status = list.get(i).status;
        for (count, show) in counts.iter_mut().zip(Show::EVERY) {
            if show.accepts(status) {
                *count += 1;
            }
        }
        if query.show.accepts(status) {
            shown.push(i);
        }
    }
    page_of(list, query, shown.into_iter(), counts)
}

/// A page of a list a contact sees whole (`portal: organisation`) with no
/// search: the open cases are the first rows, the closed ones the rest, and
/// the waiting ones are listed apart, so nothing is counted per request.
fn organisation_page(list: &CustomerList, query: &ListQuery) -> ListPage {
    let open = list.open();
    let counts = [list.len(), open, list.waiting().len(), list.len() - open];
    match query.show {
        Show::All => page_of(list, query, 0..list.len(), counts),
        Show::Open => page_of(list, query, 0..open, counts),
        Show::Closed => page_of(list, query, open..list.len(), counts),
        Show::Waiting => page_of(list, query, list.waiting().iter().map(|&i| i as usize), counts),
    }
}

/// The page `query` asks for of the rows `shown`, in order.
fn page_of(
    list: &CustomerList,
    query: &ListQuery,
    shown: impl ExactSizeIterator<Item = usize>,
    counts: [usize; 4],
) -> ListPage {
    let matching = shown.len();
    let pages = matching.div_ceil(PAGE_SIZE).max(1);
    let page = query.page.clamp(1, pages);
    let rows = shown
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|i| ListedCase::from(list.get(i)))
        .collect();
    ListPage {
        rows,
        page,
        pages,
        matching,
        counts,
    }
}

/// A case as the portal's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedCase {
    /// The case ID.
    pub id: String,
    /// One line from the customer.
    pub summary: String,
    /// Current status.
    pub status: Status,
    /// Last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
    /// When it started waiting for the customer.
    pub waiting_since: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<Listed<'_>> for ListedCase {
    fn from(row: Listed<'_>) -> ListedCase {
        ListedCase {
            id: row.id.to_string(),
            summary: row.summary.to_string(),
            status: row.status,
            updated_at: row.updated_at,
            waiting_since: row.waiting_since,
        }
    }
}

/// Whether the contact may see a case of their customer's list: [`may_see`],
/// or copied on it ([`may_see_copied`]).
fn sees_row(contact: &Contact, row: Listed<'_>) -> bool {
    may_see(contact, &contact.customer, (!row.email.is_empty()).then_some(row.email))
        || row.cc.split('\n').any(|a| a.eq_ignore_ascii_case(&contact.email))
}

/// The cases of the contact's customer's `list` that follow up case `id`
/// and that the contact may see (a follow-up is always of the same
/// customer): ID and summary, in the list's order.
pub fn visible_follow_ups(contact: &Contact, list: &CustomerList, id: &str) -> Vec<(String, String)> {
    (0..list.len())
        .map(|i| list.get(i))
        .filter(|row| row.follow_up_of == id && sees_row(contact, *row))
        .map(|row| (row.id.to_string(), row.summary.to_string()))
        .collect()
}

/// The events of a case a customer sees: the public ones.
pub fn public_events(case: &Case) -> impl Iterator<Item = &Event> {
    case.history
        .iter()
        .filter(|e| e.action.visibility() == Visibility::Public)
}

/// The file `sha256` of a public event of `case`, if there is one: the only
/// files a contact who may see the case may download.
pub fn public_attachment<'a>(case: &'a Case, sha256: &str) -> Option<&'a Attachment> {
    public_events(case)
        .flat_map(|e| &e.attachments)
        .find(|a| a.sha256 == sha256)
}

/// The file `sha256` of case `id`, opened, when the contact may download it
/// (a public event's file of a case they may see); `None` (404) alike for a
/// malformed hash, another's case and a file no public event carries.
pub fn visible_attachment(
    session: &Session,
    contact: &Contact,
    id: &str,
    sha256: &str,
) -> Result<Option<(Attachment, std::fs::File)>> {
    if !crate::core::case::is_sha256_hex(sha256) {
        return Ok(None);
    }
    let Some(case) = visible_case(session, contact, id) else {
        return Ok(None);
    };
    // A file of a case merged into this one is downloaded through it.
    let merged = || visible_merged_cases(session, contact, &case);
    let Some(attachment) = public_attachment(&case, sha256)
        .cloned()
        .or_else(|| merged().iter().find_map(|m| public_attachment(m, sha256).cloned()))
    else {
        return Ok(None);
    };
    // A file that is missing, a link or anything but the bytes it names (a
    // planted or damaged store) is not there for the customer: 404, like a
    // file they may not see; `check` tells the analysts.
    match session.store.open_attachment(&attachment) {
        Ok(file) => Ok(Some((attachment, file))),
        Err(Error::InvalidData { .. }) => Ok(None),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The SHA-256 of a token, in lowercase hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What signs a contact in once: a link, and a code to type on another device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInGrant {
    /// Who it signs in.
    pub contact: Contact,
    /// `BASE/login/TOKEN`.
    pub link: String,
    /// The one-time code, grouped for reading (`ABCD-EFGH`).
    pub code: String,
}

/// The SHA-256 of an address (lower case): the name of its code's file.
fn address_hash(email: &str) -> String {
    token_hash(&email.trim().to_ascii_lowercase())
}

/// The SHA-256 of an address and its code: what the store keeps of a code.
fn code_hash(email: &str, code: &str) -> String {
    token_hash(&format!("{}\n{code}", email.trim().to_ascii_lowercase()))
}

/// A new random code, grouped for reading (`ABCD-EFGH`).
fn new_code() -> String {
    let mut rng = rand::rng();
    let letters: String = (0..SIGN_IN_CODE_LETTERS)
        .map(|_| char::from(SIGN_IN_CODE_ALPHABET[rng.random_range(0..SIGN_IN_CODE_ALPHABET.len())]))
        .collect();
    let (first, second) = letters.split_at(SIGN_IN_CODE_LETTERS / 2);
    format!("{first}-{second}")
}

/// A code as typed, forgiving spaces, dashes and lower case: its letters,
/// or `None` when it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let letters: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let shaped = letters.len() == SIGN_IN_CODE_LETTERS && letters.bytes().all(|b| SIGN_IN_CODE_ALPHABET.contains(&b));
    shaped.then_some(letters)
}

/// A new sign-in link for `email` under `base_url` (`BASE/login/TOKEN`) and
/// its one-time code, both recorded hashed; refused (usage) when the
/// address is no customer's. A new code replaces the address's earlier one.
pub fn sign_in_link(session: &Session, email: &str, base_url: &str) -> Result<SignInGrant> {
    let config = session.store.config()?;
    let contact = contact_of(&config, email).ok_or_else(|| Error::NotAContact {
        email: email.to_string(),
    })?;
    let mut secret = [0u8; 32];
    rand::rng().fill(&mut secret);
    let token: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    let expires_at = session.now + Duration::minutes(SIGN_IN_VALID_MINUTES);
    let sign_in = SignIn {
        email: contact.email.clone(),
        expires_at,
    };
    session.store.save_sign_in(&token_hash(&token), &sign_in, session.now)?;
    let code = new_code();
    let letters = normalize_code(&code).ok_or(Error::Internal {
        what: "a new sign-in code has the code's shape",
    })?;
    let recorded = SignInCode {
        email: contact.email.clone(),
        code_hash: code_hash(&contact.email, &letters),
        token_hash: token_hash(&token),
        expires_at,
        wrong_tries: 0,
    };
    session
        .store
        .save_sign_in_code(&address_hash(&contact.email), &recorded, session.now)?;
    let link = format!("{}/login/{token}", base_url.trim_end_matches('/'));
    Ok(SignInGrant { contact, link, code })
}

/// What a request for a sign-in link did. The portal answers the same page
/// whatever it is: nobody learns from it which addresses are customers'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInRequested {
    /// A link is queued in the outbox for `deliver` to send.
    Queued,
    /// The address is no customer's contact: nothing was written.
    NotAContact,
    /// The store sends no mail (`mail:` is not in config.yaml): nothing was
    /// written; an analyst can hand a link over (`tickets portal link`).
    NoMail,
}

/// Queues a sign-in link to `email` when it is a customer's contact.
pub fn request_sign_in(session: &Session, email: &str, base_url: &str) -> Result<SignInRequested> {
    let config = session.store.config()?;
    if contact_of(&config, email).is_none() {
        return Ok(SignInRequested::NotAContact);
    }
    let Some(mail) = &config.mail else {
        return Ok(SignInRequested::NoMail);
    };
    let grant = sign_in_link(session, email, base_url)?;
    let unique = Alphanumeric.sample_string(&mut rand::rng(), 16).to_lowercase();
    let composed = compose::compose_sign_in(
        &grant.contact.email,
        &grant.link,
        &grant.code,
        SIGN_IN_VALID_MINUTES,
        mail,
        &unique,
        session.now,
    )
    .map_err(|e| Error::Unexpected {
        context: "cannot compose the sign-in message",
        detail: e.to_string(),
    })?;
    let message = composed.into_outbox(mail, session.now);
    let lock = session.store.lock(session.lock_wait)?;
    session.store.queue_messages(&lock, &[message])?;
    Ok(SignInRequested::Queued)
}

/// Whether the portal can spend sign-in links and codes here: the derived
/// directory is writable. A read-only store (or a `.tickets/` this process
/// may not write) still serves the cases to those signed in, but nobody can
/// sign in, and the portal says so rather than answering "this link does
/// not work".
pub fn sign_in_possible(session: &Session) -> bool {
    session.store.derived_writable()
}

/// Uses the sign-in link `token`: the contact it signs in, or `None` when it
/// is unknown, already used, expired, or its address is no longer a
/// customer's. A link works once, whatever the answer.
pub fn redeem_sign_in(session: &Session, token: &str) -> Result<Option<Contact>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    // A link file this process may not use (planted with the wrong mode,
    // or written by another user, as root's `portal link` is for a portal
    // that runs as someone else) is a link that does not work: the
    // documented 400, never a server error.
    let taken = match session.store.take_sign_in(&token_hash(token)) {
        Err(Error::InvalidData { .. }) => return Ok(None),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::PermissionDenied => return Ok(None),
        taken => taken?,
    };
    let Some(sign_in) = taken else {
        return Ok(None);
    };
    if sign_in.expires_at <= session.now {
        return Ok(None);
    }
    // The code sent with this link goes with it.
    if let Ok(Some(code)) = session.store.take_sign_in_code(&address_hash(&sign_in.email)) {
        if code.token_hash != token_hash(token) {
            let _ = session
                .store
                .save_sign_in_code(&address_hash(&sign_in.email), &code, session.now);
        }
    }
    let config = session.store.config()?;
    Ok(contact_of(&config, &sign_in.email))
}

/// The cases merged into `case` (directly or through others) that the
/// contact may see, whose public conversation its page shows.
pub fn visible_merged_cases(session: &Session, contact: &Contact, case: &Case) -> Vec<Case> {
    super::merge::merged_cases(&session.store, case)
        .into_iter()
        .filter(|merged| may_see(contact, &merged.customer, merged.email.as_deref()))
        .collect()
}

/// Where the portal sends a contact who opens a merged case: the case at
/// the end of its chain of merges, when they may see it; `None` for a case
/// that was not merged, a chain that does not end, or a target they may not
/// see (they stay on the merged case's own page).
pub fn merged_destination(session: &Session, contact: &Contact, case: &Case) -> Option<String> {
    case.merged_into.as_ref()?;
    let end = super::merge::merged_end(&session.store, &case.id).ok()?;
    visible_case(session, contact, &end).map(|target| target.id)
}

/// Uses the one-time code `typed` for `email`: the contact it signs in, or
/// `None` alike when there is no code for the address, it expired, was used
/// or locked, the address is no longer a customer's, or the code is wrong.
/// A wrong code counts a try; the [`SIGN_IN_CODE_TRIES`]th locks the code
/// (removed). The right code works once, only while its link is unused,
/// and spends it.
pub fn redeem_sign_in_code(session: &Session, email: &str, typed: &str) -> Result<Option<Contact>> {
    let email = email.trim().to_ascii_lowercase();
    let Some(letters) = normalize_code(typed) else {
        return Ok(None);
    };
    let key = address_hash(&email);
    let taken = match session.store.take_sign_in_code(&key) {
        Err(Error::InvalidData { .. }) => return Ok(None),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::PermissionDenied => return Ok(None),
        taken => taken?,
    };
    let Some(mut code) = taken else {
        return Ok(None);
    };
    if code.expires_at <= session.now || code.email != email {
        return Ok(None);
    }
    if code.code_hash != code_hash(&email, &letters) {
        code.wrong_tries += 1;
        if code.wrong_tries < SIGN_IN_CODE_TRIES {
            session.store.save_sign_in_code(&key, &code, session.now)?;
        }
        return Ok(None);
    }
    // The link sent with it is spent too, and must still be there: a code
    // whose link was used (put back by a wrong try that raced the link)
    // signs nobody in.
    match session.store.take_sign_in(&code.token_hash) {
        Ok(Some(link)) if link.expires_at > session.now && link.email == email => {}
        _ => return Ok(None),
    }
    let config = session.store.config()?;
    Ok(contact_of(&config, &email))
}

/// The case `id` if the contact may see it; `None` (404) for a malformed
/// ID, a missing case, a file that cannot be read and another's case alike.
/// Only an exact ID: a prefix would let anyone probe for others' cases.
pub fn visible_case(session: &Session, contact: &Contact, id: &str) -> Option<Case> {
    if crate::core::id::validate(id).ok()?.as_str() != id {
        return None;
    }
    let case = session.store.load(id).ok()?;
    may_see_copied(contact, &case.customer, case.email.as_deref(), &case.cc).then_some(case)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(access: PortalAccess) -> Contact {
        Contact {
            email: "ana@acme.example".into(),
            customer: "Acme Corp".into(),
            access,
        }
    }

    #[test]
    fn a_code_is_eight_unambiguous_letters_in_two_groups_and_typing_is_forgiven() {
        for _ in 0..50 {
            let code = new_code();
            assert_eq!(code.len(), 9, "{code}");
            assert_eq!(&code[4..5], "-");
            let letters = normalize_code(&code).expect("a new code is a code");
            assert!(!letters.contains(['I', 'O', '0', '1']), "{letters}");
            assert_eq!(normalize_code(&code.to_lowercase().replace('-', " ")), Some(letters));
        }
        assert_eq!(normalize_code("abcd efgh"), Some("ABCDEFGH".into()));
        assert_eq!(normalize_code("ABCD-EFG"), None);
        assert_eq!(normalize_code("ABCD-EFG0"), None, "0 is not in the alphabet");
        assert_eq!(normalize_code("ABCD-EFGHJ"), None);
    }

    #[test]
    fn a_contact_sees_their_customers_cases_or_only_their_own() {
        let org = contact(PortalAccess::Organisation);
        assert!(may_see(&org, "Acme Corp", Some("bo@acme.example")));
        assert!(may_see(&org, "Acme Corp", None));
        assert!(!may_see(&org, "Globex", Some("ana@acme.example")));
        let own = contact(PortalAccess::Own);
        assert!(may_see(&own, "Acme Corp", Some("ANA@acme.example")));
        assert!(!may_see(&own, "Acme Corp", Some("bo@acme.example")));
        assert!(!may_see(&own, "Acme Corp", None));
        assert!(!may_see(&own, "Globex", Some("ana@acme.example")));
        let copied = ["ana@acme.example".to_string()];
        assert!(may_see_copied(&own, "Acme Corp", Some("bo@acme.example"), &copied));
        assert!(
            !may_see_copied(&own, "Globex", Some("bo@globex.example"), &copied),
            "another customer's case"
        );
    }

    fn file(sha: char) -> Attachment {
        Attachment {
            name: format!("{sha}.txt"),
            size: 1,
            sha256: sha.to_string().repeat(64),
            content_type: "text/plain".into(),
        }
    }

    #[test]
    fn only_a_public_events_files_may_be_downloaded() {
        use crate::core::lifecycle::{open, NewCase};
        let new = NewCase {
            id: "RC-AAAAAAAA".into(),
            customer: "Acme Corp".into(),
            summary: "s".into(),
            description: "d".into(),
            email: None,
            channel: crate::core::vocabulary::Channel::Portal,
            severity: None,
            follow_up_of: None,
            message_id: None,
            assignee: None,
            routing_reason: None,
        };
        let mut case = open(new, "ana@acme.example", chrono::Utc::now());
        case.history[0].attachments = vec![file('a')];
        let mut note = case.history[0].clone();
        note.action = crate::core::vocabulary::ActionKind::Note;
        note.attachments = vec![file('b')];
        case.history.push(note);
        assert_eq!(public_events(&case).count(), 1);
        assert_eq!(public_attachment(&case, &"a".repeat(64)), Some(&file('a')));
        assert_eq!(public_attachment(&case, &"b".repeat(64)), None);
    }
}
