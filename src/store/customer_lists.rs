//! The portal's case lists, derived from the case files and kept in memory
//! between requests: which customer each case of the store belongs to (a
//! [`Catalogue`]: the packed IDs and four bytes a case), and, for a customer
//! whose contact signs in, a compact [`CustomerList`] of their cases only
//! (the fields a row shows, and the text a search looks through: ID,
//! summary and description, in lower case). Nothing here holds a case of
//! another customer, nor every case of the store as owned strings.
//!
//! Both are revalidated the way the index is, by metadata: the catalogue
//! lists the store directory again when it changed and reads only the files
//! it did not know; a customer's list looks at the metadata of that
//! customer's files only, and reads again only those whose metadata
//! changed (or changed within the last two seconds: a second change in the
//! same timestamp tick could keep the same metadata).

use super::case_names::CaseNames;
use super::Store;
use crate::core::case::Case;
use crate::core::error::Result;
use crate::core::vocabulary::Status;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Mutex;

/// The owner of a case that could not be read.
const UNKNOWN: u32 = u32::MAX;

/// A file changed this recently (nanoseconds) may change again unseen.
const RACY_NS: i128 = 2_000_000_000;

/// How many searches a list keeps the answers of.
const KEPT_SEARCHES: usize = 16;

/// Which customer each case of the store belongs to.
#[derive(Debug)]
pub struct Catalogue {
    names: CaseNames,
    /// Each name's inode when its customer was read (0: not known), so that a
    /// case file replaced since (a `set-customer`, a pull) is read again.
    inodes: Vec<u64>,
    /// The customer of each name's case (an index in `customers`), or [`UNKNOWN`].
    owner: Vec<AtomicU32>,
    customers: Vec<String>,
    by_name: HashMap<String, u32>,
    /// Moves on whenever a case may have changed its customer, so that the
    /// lists built from an older state look again.
    generation: AtomicU64,
}

impl Catalogue {
    /// Reads the customer of every case, from the index where it is valid.
    pub fn read(store: &Store) -> Result<Catalogue> {
        // Listed before the visit: a file replaced meanwhile shows a newer
        // inode at the next refresh, and is read again then.
        let listed = CaseNames::read_with_inodes(store.root())?;
        let mut catalogue = Catalogue {
            owner: Vec::new(),
            inodes: Vec::new(),
            names: CaseNames::default(),
            customers: Vec::new(),
            by_name: HashMap::new(),
            generation: AtomicU64::new(0),
        };
        let mut owner: Vec<u32> = Vec::new();
        let (_, rereader) = store.visit(&|_| true, &mut |digest, origin| {
            let i = origin.position() as usize;
            if owner.len() <= i {
                owner.resize(i + 1, UNKNOWN);
            }
            owner[i] = catalogue.slot(&digest.customer);
        })?;
        // The names the visit went through: positions are places among them.
        let names = rereader.into_names();
        owner.resize(names.len(), UNKNOWN);
        catalogue.owner = owner.into_iter().map(AtomicU32::new).collect();
        let mut hint = 0;
        catalogue.inodes = names
            .iter()
            .map(|id| listed.position_hinted(id, &mut hint).map_or(0, |at| listed.inode(at)))
            .collect();
        catalogue.names = names;
        Ok(catalogue)
    }

    /// The catalogue after the store directory changed: the directory listed
    /// again, with the inodes the listing gives; only the cases not known
    /// before (or unreadable before), and those whose file was replaced
    /// since (another inode: a `set-customer` may have moved it), read.
    pub fn refreshed(&self, store: &Store) -> Result<Catalogue> {
        let names = CaseNames::read_with_inodes(store.root())?;
        let mut owner = Vec::with_capacity(names.len());
        let mut unknown = Vec::new();
        let mut hint = 0;
        for (i, id) in names.iter().enumerate() {
            let known = self
                .names
                .position_hinted(id, &mut hint)
                .filter(|&old| {
                    self.inodes
                        .get(old)
                        .is_some_and(|&ino| ino != 0 && ino == names.inode(i))
                })
                .map_or(UNKNOWN, |old| self.owner[old].load(Ordering::Relaxed));
            if known == UNKNOWN {
                unknown.push(i);
            }
            owner.push(AtomicU32::new(known));
        }
        let found: Vec<(usize, Option<String>)> = unknown
            .par_iter()
            .map(|&i| (i, store.load(names.get(i)).ok().map(|case| case.customer)))
            .collect();
        let mut catalogue = Catalogue {
            names: CaseNames::default(),
            inodes: (0..names.len()).map(|i| names.inode(i)).collect(),
            owner,
            customers: self.customers.clone(),
            by_name: self.by_name.clone(),
            generation: AtomicU64::new(self.generation.load(Ordering::Relaxed) + 1),
        };
        for (i, customer) in found {
            if let Some(customer) = customer {
                let slot = catalogue.slot(&customer);
                catalogue.owner[i] = AtomicU32::new(slot);
            }
        }
        catalogue.names = names;
        Ok(catalogue)
    }

    fn slot(&mut self, customer: &str) -> u32 {
        if let Some(slot) = self.by_name.get(customer) {
            return *slot;
        }
        let slot = u32::try_from(self.customers.len()).unwrap_or(UNKNOWN).min(UNKNOWN - 1);
        self.customers.push(customer.to_string());
        self.by_name.insert(customer.to_string(), slot);
        slot
    }

    /// How many cases the store directory held when it was last listed.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the store held no case.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The state the lists are built from: it moves on when the catalogue is
    /// read again, or a case turned out to belong to another customer.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The IDs of `customer`'s cases, sorted.
    fn cases_of(&self, customer: &str) -> Vec<&str> {
        let Some(slot) = self.by_name.get(customer).copied() else {
            return Vec::new();
        };
        self.owner
            .iter()
            .enumerate()
            .filter(|(_, owner)| owner.load(Ordering::Relaxed) == slot)
            .map(|(i, _)| self.names.get(i))
            .collect()
    }

    /// Notes that case `id` now belongs to `customer` (an edit by hand):
    /// every list looks again.
    fn moved(&self, id: &str, customer: &str) {
        if let Some(i) = self.names.position(id) {
            let slot = self.by_name.get(customer).copied().unwrap_or(UNKNOWN);
            self.owner[i].store(slot, Ordering::Relaxed);
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
    }
}

/// Where a string is in a list's text.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: u32,
    len: u32,
}

/// One case of a customer's list.
#[derive(Debug, Clone)]
struct Row {
    /// The case file's metadata when read, or 0 (read it again next time).
    stamp: u64,
    status: Status,
    updated_at: DateTime<Utc>,
    waiting_since: Option<DateTime<Utc>>,
    id: Span,
    summary: Span,
    email: Span,
    /// The addresses copied on the case (`cc`), one a line.
    cc: Span,
    /// The closed case this one follows up (empty when none).
    follow_up_of: Span,
    /// ID, summary and description in lower case, for searches.
    search: Span,
}

/// A case as a list shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed<'a> {
    /// The case ID.
    pub id: &'a str,
    /// One line from the customer.
    pub summary: &'a str,
    /// The contact's address, as the case file has it (empty when none).
    pub email: &'a str,
    /// The addresses copied on the case (`cc`), one a line (empty when none).
    pub cc: &'a str,
    /// The closed case this one follows up (empty when none).
    pub follow_up_of: &'a str,
    /// Current status.
    pub status: Status,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When the case started waiting for the customer.
    pub waiting_since: Option<DateTime<Utc>>,
}

/// One customer's cases, open ones first and the latest change first.
#[derive(Debug)]
pub struct CustomerList {
    customer: String,
    generation: u64,
    rows: Vec<Row>,
    /// How many rows are not closed (they come first).
    open: usize,
    /// The rows waiting for the customer, in order.
    waiting: Vec<u32>,
    text: String,
    /// The rows matching the last few searches, by their lowered text.
    searches: Mutex<Vec<(String, std::sync::Arc<Vec<u32>>)>>,
}

impl CustomerList {
    /// `customer`'s list, reading their cases (those of `previous` whose
    /// files did not change are taken over without being read).
    pub fn read(store: &Store, catalogue: &Catalogue, customer: &str, previous: Option<&CustomerList>) -> CustomerList {
        let generation = catalogue.generation();
        let ids = catalogue.cases_of(customer);
        let known: HashMap<&str, &Row> = previous
            .filter(|p| p.customer == customer)
            .map(|p| p.rows.iter().map(|row| (p.str(row.id), row)).collect())
            .unwrap_or_default();
        let now = now_ns();
        let stamps: Vec<(u64, bool)> = ids.par_iter().map(|id| stamp_of(&store.case_path(id), now)).collect();
        let mut list = CustomerList {
            customer: customer.to_string(),
            generation,
            rows: Vec::with_capacity(ids.len()),
            open: 0,
            waiting: Vec::new(),
            text: String::new(),
            searches: Mutex::new(Vec::new()),
        };
        let mut todo = Vec::new();
        for (id, &(stamp, settled)) in ids.iter().zip(&stamps) {
            match (known.get(id), previous) {
                (Some(row), Some(previous)) if row.stamp == stamp && stamp != 0 => list.keep(previous, row),
                _ => todo.push((*id, stamp, settled)),
            }
        }
        // Each case is read and boiled down to its row on its own: no more
        // than one whole case a thread is held at a time.
        let read: Vec<(u64, bool, Option<Parts>)> = todo
            .par_iter()
            .map(|(id, stamp, settled)| (*stamp, *settled, store.load(id).ok().map(|case| Parts::of(&case))))
            .collect();
        for (stamp, settled, parts) in read {
            let Some(parts) = parts else { continue };
            if parts.customer != customer {
                catalogue.moved(&parts.id, &parts.customer);
                continue;
            }
            list.add(&parts, if settled { stamp } else { 0 });
        }
        list.rows
            .sort_by_key(|row| (row.status == Status::Closed, std::cmp::Reverse(row.updated_at)));
        list.open = list.rows.iter().take_while(|row| row.status != Status::Closed).count();
        list.waiting = (0..list.rows.len() as u32)
            .filter(|i| list.rows[*i as usize].status == Status::WaitingForCustomer)
            .collect();
        list.text.shrink_to_fit();
        list
    }

    /// The catalogue's generation this list was read at.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How many bytes the list holds, roughly.
    pub fn bytes(&self) -> usize {
        self.text.len() + self.rows.len() * std::mem::size_of::<Row>()
    }

    /// How many cases.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// Whether the customer has no case.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The case at `row`, in the list's order.
    pub fn get(&self, row: usize) -> Listed<'_> {
        let r = &self.rows[row];
        Listed {
            id: self.str(r.id),
            summary: self.str(r.summary),
            email: self.str(r.email),
            cc: self.str(r.cc),
            follow_up_of: self.str(r.follow_up_of),
            status: r.status,
            updated_at: r.updated_at,
            waiting_since: r.waiting_since,
        }
    }

    /// The rows, in order, whose ID, summary or description holds `lowered`
    /// (already in lower case); the answers of the last searches are kept.
    pub fn search(&self, lowered: &str) -> std::sync::Arc<Vec<u32>> {
        if let Some(found) = self
            .searches
            .lock()
            .ok()
            .and_then(|kept| kept.iter().find(|(q, _)| q == lowered).map(|(_, rows)| rows.clone()))
        {
            return found;
        }
        let finder = memchr::memmem::Finder::new(lowered.as_bytes());
        let rows: Vec<u32> = self
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| finder.find(self.str(row.search).as_bytes()).is_some())
            .map(|(i, _)| i as u32)
            .collect();
        let rows = std::sync::Arc::new(rows);
        if let Ok(mut kept) = self.searches.lock() {
            if kept.len() >= KEPT_SEARCHES {
                kept.remove(0);
            }
            kept.push((lowered.to_string(), rows.clone()));
        }
        rows
    }

    fn str(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.text.get(start..start + span.len as usize).unwrap_or("")
    }

    fn push(&mut self, text: &str) -> Span {
        let start = self.text.len();
        self.text.push_str(text);
        Span {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(text.len()).unwrap_or(0),
        }
    }

    fn keep(&mut self, previous: &CustomerList, row: &Row) {
        let copied = Row {
            id: self.push(previous.str(row.id)),
            summary: self.push(previous.str(row.summary)),
            email: self.push(previous.str(row.email)),
            cc: self.push(previous.str(row.cc)),
            follow_up_of: self.push(previous.str(row.follow_up_of)),
            search: self.push(previous.str(row.search)),
            ..row.clone()
        };
        self.rows.push(copied);
    }

    fn add(&mut self, parts: &Parts, stamp: u64) {
        let id = self.push(&parts.id);
        let summary = self.push(&parts.summary);
        let email = self.push(&parts.email);
        let cc = self.push(&parts.cc);
        let follow_up_of = self.push(&parts.follow_up_of);
        let search = self.push(&parts.search);
        self.rows.push(Row {
            stamp,
            status: parts.status,
            updated_at: parts.updated_at,
            waiting_since: parts.waiting_since,
            id,
            summary,
            email,
            cc,
            follow_up_of,
            search,
        });
    }

    /// Whether the list is still the store's: read from the catalogue's
    /// state, and none of its files changed (nor changed within the last
    /// two seconds). Looks at the metadata of this customer's files only.
    pub fn is_current(&self, store: &Store, catalogue: &Catalogue) -> bool {
        if self.generation != catalogue.generation() {
            return false;
        }
        let now = now_ns();
        // One core: the other requests are served meanwhile.
        self.rows
            .iter()
            .all(|row| row.stamp != 0 && stamp_of(&store.case_path(self.str(row.id)), now).0 == row.stamp)
    }

    /// How many cases are not closed: the first rows.
    pub fn open(&self) -> usize {
        self.open
    }

    /// The rows waiting for the customer, in order.
    pub fn waiting(&self) -> &[u32] {
        &self.waiting
    }
}

/// What a row keeps of a case.
struct Parts {
    id: String,
    customer: String,
    summary: String,
    email: String,
    cc: String,
    follow_up_of: String,
    search: String,
    status: Status,
    updated_at: DateTime<Utc>,
    waiting_since: Option<DateTime<Utc>>,
}

impl Parts {
    fn of(case: &Case) -> Parts {
        Parts {
            id: case.id.clone(),
            customer: case.customer.clone(),
            summary: case.summary.clone(),
            email: case.email.clone().unwrap_or_default(),
            cc: case.cc.join("\n"),
            follow_up_of: case.follow_up_of.clone().unwrap_or_default(),
            search: format!("{}\n{}\n{}", case.id, case.summary, case.description).to_lowercase(),
            status: case.status,
            updated_at: case.updated_at,
            waiting_since: case.waiting_since,
        }
    }
}

fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// A 64-bit key of a file's metadata (0: none), and whether it is settled
/// (unchanged for the last two seconds).
fn stamp_of(path: &std::path::Path, now_ns: i128) -> (u64, bool) {
    use std::hash::{Hash, Hasher};
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return (0, false);
    };
    let mtime = i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec());
    let ctime = i128::from(meta.ctime()) * 1_000_000_000 + i128::from(meta.ctime_nsec());
    let mut hasher = std::hash::DefaultHasher::new();
    (mtime, ctime, meta.size(), meta.ino()).hash(&mut hasher);
    (hasher.finish().max(1), mtime.max(ctime) <= now_ns - RACY_NS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(store: &Store, id: &str, customer: &str, status: &str, description: &str) {
        let text = format!(
            "id: {id}\nsummary: Summary of {id}\ncustomer: {customer}\nemail: ana@acme.example\nchannel: portal\n\
             severity: medium\nstatus: {status}\nlevel: l1\ncreated_at: 2026-11-01T00:00:00Z\n\
             updated_at: 2026-11-0{}T00:00:00Z\nresolution: Done\ndescription: {description}\nhistory:\n\
             - at: 2026-11-01T00:00:00Z\n  actor: ana@acme.example\n  action: open\n  to: open\n  level: l1\n  severity: medium\n",
            id.len() % 9 + 1
        );
        std::fs::write(store.case_path(id), text).unwrap();
    }

    fn ids(list: &CustomerList) -> Vec<&str> {
        (0..list.len()).map(|i| list.get(i).id).collect()
    }

    #[test]
    fn a_customers_list_holds_their_cases_only_and_follows_new_changed_and_moved_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::new(dir.path());
        write(&store, "RC-A1", "Acme Corp", "closed", "Printer on fire");
        write(&store, "RC-A22", "Acme Corp", "open", "Login loops");
        write(&store, "RC-G1", "Globex", "open", "Printer jams");
        let catalogue = Catalogue::read(&store).unwrap();
        assert_eq!(catalogue.len(), 3);
        let acme = CustomerList::read(&store, &catalogue, "Acme Corp", None);
        assert_eq!(ids(&acme), ["RC-A22", "RC-A1"], "open first");
        assert_eq!(acme.search("printer").as_slice(), [1]);
        assert_eq!(acme.search("rc-a2").as_slice(), [0]);
        assert!(
            acme.search("jams").is_empty(),
            "another customer's words are not searched"
        );
        assert!(CustomerList::read(&store, &catalogue, "Nobody", None).is_empty());

        // A new file: the directory is listed again, and only it is read.
        write(&store, "RC-A333", "Acme Corp", "waiting-for-customer", "New one");
        let catalogue = catalogue.refreshed(&store).unwrap();
        let acme = CustomerList::read(&store, &catalogue, "Acme Corp", Some(&acme));
        assert_eq!(acme.len(), 3);
        assert_eq!(acme.get(0).status, Status::WaitingForCustomer);

        // A file edited by hand to another customer leaves Acme's list, and
        // Globex's list, read again, holds it.
        write(&store, "RC-A22", "Globex", "open", "Moved");
        let generation = catalogue.generation();
        let acme = CustomerList::read(&store, &catalogue, "Acme Corp", Some(&acme));
        assert_eq!(ids(&acme), ["RC-A333", "RC-A1"]);
        assert!(catalogue.generation() > generation);
        let globex = CustomerList::read(&store, &catalogue, "Globex", None);
        assert_eq!(ids(&globex), ["RC-A22", "RC-G1"]);
        assert_eq!(globex.search("moved").as_slice(), [0]);
    }
}
