//! The account's entities: leads, contacts, companies, notes and tags.
//!
//! Ids are sequential per entity type and rows are appended in id order, so a row is found
//! by id with an index into its deque. Each table keeps its most recent [`RETAIN`] rows so
//! a benchmark can run for ever in bounded memory; links to evicted rows are skipped when
//! rendering. One lock covers everything: a batch write is validated and committed under
//! it, so it is all or nothing even against concurrent writers.

use std::collections::{HashMap, VecDeque};

use parking_lot::{Mutex, MutexGuard};
use serde_json::Value;

pub(crate) const RETAIN: usize = 50_000;

pub(crate) struct Lead {
    pub id: u64,
    pub name: String,
    pub price: i64,
    pub pipeline_id: u64,
    pub status_id: u64,
    pub responsible_user_id: u64,
    pub created_by: u64,
    pub updated_by: u64,
    pub created_at: u64,
    pub updated_at: u64,
    pub closed_at: Option<u64>,
    /// In response form (`field_id`, `field_name`, `field_code`, `field_type`, `values`).
    pub custom_fields: Vec<Value>,
    pub tags: Vec<u64>,
    /// The first is the main contact.
    pub contacts: Vec<u64>,
    pub companies: Vec<u64>,
    pub notes: Vec<u64>,
}

pub(crate) struct Contact {
    pub id: u64,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub responsible_user_id: u64,
    pub created_by: u64,
    pub created_at: u64,
    pub custom_fields: Vec<Value>,
    pub tags: Vec<u64>,
}

pub(crate) struct Company {
    pub id: u64,
    pub name: String,
    pub responsible_user_id: u64,
    pub created_by: u64,
    pub created_at: u64,
    pub custom_fields: Vec<Value>,
    pub tags: Vec<u64>,
}

pub(crate) struct Note {
    pub id: u64,
    pub entity_id: u64,
    pub note_type: String,
    pub params: Value,
    pub created_by: u64,
    pub responsible_user_id: u64,
    pub created_at: u64,
}

/// Rows with consecutive ids, oldest first.
pub(crate) struct Table<T> {
    /// Id of the front row (or of the next row, when empty).
    first_id: u64,
    rows: VecDeque<T>,
}

impl<T> Table<T> {
    fn new(first_id: u64) -> Self {
        Table {
            first_id,
            rows: VecDeque::new(),
        }
    }

    pub(crate) fn next_id(&self) -> u64 {
        self.first_id + self.rows.len() as u64
    }

    /// Appends a row built for the next id; returns that id.
    pub(crate) fn push(&mut self, build: impl FnOnce(u64) -> T) -> u64 {
        let id = self.next_id();
        self.rows.push_back(build(id));
        if self.rows.len() > RETAIN {
            self.rows.pop_front();
            self.first_id += 1;
        }
        id
    }

    fn index(&self, id: u64) -> Option<usize> {
        usize::try_from(id.checked_sub(self.first_id)?).ok()
    }

    pub(crate) fn get(&self, id: u64) -> Option<&T> {
        self.rows.get(self.index(id)?)
    }

    pub(crate) fn get_mut(&mut self, id: u64) -> Option<&mut T> {
        let index = self.index(id)?;
        self.rows.get_mut(index)
    }

    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> {
        self.rows.iter()
    }
}

/// Tag names of one entity type. Tags are account-wide: the same name is the same tag.
pub(crate) struct Tags {
    next_id: u64,
    names: HashMap<u64, String>,
    by_name: HashMap<String, u64>,
}

impl Tags {
    fn new(first_id: u64) -> Self {
        Tags {
            next_id: first_id,
            names: HashMap::new(),
            by_name: HashMap::new(),
        }
    }

    pub(crate) fn exists(&self, id: u64) -> bool {
        self.names.contains_key(&id)
    }

    pub(crate) fn name(&self, id: u64) -> Option<&str> {
        self.names.get(&id).map(String::as_str)
    }

    /// The tag called `name` (case-insensitively), created if new.
    pub(crate) fn id_for(&mut self, name: &str) -> u64 {
        let key = name.to_lowercase();
        if let Some(&id) = self.by_name.get(&key) {
            return id;
        }
        let id = self.next_id;
        self.next_id += 1;
        self.names.insert(id, name.to_owned());
        self.by_name.insert(key, id);
        id
    }
}

pub(crate) struct Crm {
    pub leads: Table<Lead>,
    pub contacts: Table<Contact>,
    pub companies: Table<Company>,
    pub notes: Table<Note>,
    pub lead_tags: Tags,
    pub contact_tags: Tags,
    pub company_tags: Tags,
}

pub(crate) struct CrmStore {
    inner: Mutex<Crm>,
}

impl CrmStore {
    pub(crate) fn new() -> Self {
        // Eight-digit ids, in ranges that do not overlap, as on a live account.
        CrmStore {
            inner: Mutex::new(Crm {
                leads: Table::new(25_732_001),
                contacts: Table::new(12_117_001),
                companies: Table::new(40_250_001),
                notes: Table::new(190_000_001),
                lead_tags: Tags::new(501),
                contact_tags: Tags::new(20_001),
                company_tags: Tags::new(40_001),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Crm> {
        self.inner.lock()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_finds_by_id_and_evicts_oldest() {
        let mut t: Table<u64> = Table::new(100);
        for _ in 0..RETAIN + 5 {
            t.push(|id| id);
        }
        assert_eq!(t.get(100), None);
        assert_eq!(t.get(105), Some(&105));
        let last = 100 + RETAIN as u64 + 4;
        assert_eq!(t.get(last), Some(&last));
        assert_eq!(t.get(last + 1), None);
        assert_eq!(t.next_id(), last + 1);
    }

    #[test]
    fn tags_are_shared_by_name() {
        let mut tags = Tags::new(1);
        let a = tags.id_for("Web");
        assert_eq!(tags.id_for("web"), a);
        assert_ne!(tags.id_for("phone"), a);
        assert_eq!(tags.name(a), Some("Web"));
        assert!(tags.exists(a) && !tags.exists(99));
    }
}
