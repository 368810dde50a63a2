//! Write items read into drafts: every field type-checked, every reference (pipeline,
//! stage, custom field, tag, linked entity) looked up, every problem reported at its path.
//! Nothing here changes the store; [`super::writes`] applies a draft once the whole
//! request has passed.

use serde_json::{Map, Value};

use super::catalog::{self, Entity};
use super::custom_fields;
use super::store::{Crm, Tags};
use super::validation::Violations;

pub(crate) enum TagRef {
    Id(u64),
    Name(String),
}

/// A lead's linked contact or company: an existing one, or (complex) one to create.
pub(crate) enum Linked<T> {
    Existing(u64),
    New(T),
}

/// How a lead's `_embedded.contacts` / `_embedded.companies` are read.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Embedded {
    /// `POST/PATCH /leads`: links to existing entities only (`[{"id": …}]`).
    Links,
    /// `POST /leads/complex`: at most one of each, new or existing.
    Complex,
}

#[derive(Default)]
pub(crate) struct LeadDraft {
    pub name: Option<String>,
    pub price: Option<i64>,
    pub pipeline_id: Option<u64>,
    pub status_id: Option<u64>,
    pub responsible_user_id: Option<u64>,
    pub created_by: Option<u64>,
    pub updated_by: Option<u64>,
    pub created_at: Option<u64>,
    pub updated_at: Option<u64>,
    pub closed_at: Option<u64>,
    pub custom_fields: Option<Vec<Value>>,
    /// `_embedded.tags`: the lead's tags (replacing them on update).
    pub tags: Option<Vec<TagRef>>,
    pub tags_to_add: Vec<TagRef>,
    pub contacts: Vec<Linked<ContactDraft>>,
    pub companies: Vec<Linked<CompanyDraft>>,
    /// `_embedded.metadata` present: an incoming lead, which lands in the incoming stage
    /// whatever `status_id` says.
    pub incoming: bool,
}

#[derive(Default)]
pub(crate) struct ContactDraft {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub responsible_user_id: Option<u64>,
    pub created_by: Option<u64>,
    pub created_at: Option<u64>,
    pub custom_fields: Vec<Value>,
    pub tags: Vec<TagRef>,
}

#[derive(Default)]
pub(crate) struct CompanyDraft {
    pub name: Option<String>,
    pub responsible_user_id: Option<u64>,
    pub created_by: Option<u64>,
    pub created_at: Option<u64>,
    pub custom_fields: Vec<Value>,
    pub tags: Vec<TagRef>,
}

/// The item's `request_id` (echoed unchanged), else its position in the batch.
pub(crate) fn request_id(item: &Value, index: usize) -> String {
    match item.get("request_id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => index.to_string(),
    }
}

/// The item as an object; anything else is reported once for the whole item.
pub(crate) fn object<'a>(item: &'a Value, v: &mut Violations) -> Option<&'a Map<String, Value>> {
    let o = item.as_object();
    if o.is_none() {
        v.invalid_type("", "array");
    }
    o
}

fn present<'a>(item: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    item.get(key).filter(|x| !x.is_null())
}

pub(crate) fn int(item: &Map<String, Value>, key: &str, v: &mut Violations) -> Option<u64> {
    let x = present(item, key)?;
    let n = x.as_u64();
    if n.is_none() {
        v.invalid_type(key, "int");
    }
    n
}

fn signed(item: &Map<String, Value>, key: &str, v: &mut Violations) -> Option<i64> {
    let x = present(item, key)?;
    let n = x.as_i64();
    if n.is_none() {
        v.invalid_type(key, "int");
    }
    n
}

fn string(item: &Map<String, Value>, key: &str, v: &mut Violations) -> Option<String> {
    match present(item, key)? {
        Value::String(s) => Some(s.clone()),
        _ => {
            v.invalid_type(key, "string");
            None
        }
    }
}

fn embedded<'a>(
    item: &'a Map<String, Value>,
    v: &mut Violations,
) -> Option<&'a Map<String, Value>> {
    match present(item, "_embedded")? {
        Value::Object(e) => Some(e),
        _ => {
            v.invalid_type("_embedded", "array");
            None
        }
    }
}

/// `[{"id": n} | {"name": "…"}]`, ids checked against `dict`.
fn tags(value: Option<&Value>, path: &str, dict: &Tags, v: &mut Violations) -> Vec<TagRef> {
    let list = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => {
            v.invalid_type(path, "array");
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (k, tag) in list.iter().enumerate() {
        let parsed = v.nested(&format!("{path}.{k}"), |v| {
            let tag = object(tag, v)?;
            if let Some(id) = int(tag, "id", v) {
                if dict.exists(id) {
                    return Some(TagRef::Id(id));
                }
                v.not_a_choice("id");
                return None;
            }
            match string(tag, "name", v) {
                Some(name) if !name.trim().is_empty() => Some(TagRef::Name(name.trim().to_owned())),
                Some(_) => {
                    v.blank("name");
                    None
                }
                None => {
                    if present(tag, "id").is_none() && present(tag, "name").is_none() {
                        v.blank("name");
                    }
                    None
                }
            }
        });
        out.extend(parsed);
    }
    out
}

fn custom(
    item: &Map<String, Value>,
    entity: Entity,
    ru: bool,
    v: &mut Violations,
) -> Option<Vec<Value>> {
    present(item, "custom_fields_values").map(|cf| custom_fields::parse(cf, entity, ru, v))
}

/// A lead item to create: a bare `status_id` is a stage of the main pipeline.
pub(crate) fn new_lead(
    item: &Map<String, Value>,
    crm: &Crm,
    mode: Embedded,
    ru: bool,
    v: &mut Violations,
) -> LeadDraft {
    lead(item, crm, catalog::MAIN_PIPELINE.id, mode, ru, v)
}

/// A lead item. `base_pipeline` is the pipeline a bare `status_id` refers to: the main one
/// on creation, the lead's own on update.
pub(crate) fn lead(
    item: &Map<String, Value>,
    crm: &Crm,
    base_pipeline: u64,
    mode: Embedded,
    ru: bool,
    v: &mut Violations,
) -> LeadDraft {
    let mut d = LeadDraft {
        name: string(item, "name", v),
        price: signed(item, "price", v),
        pipeline_id: int(item, "pipeline_id", v),
        status_id: int(item, "status_id", v),
        responsible_user_id: int(item, "responsible_user_id", v),
        created_by: int(item, "created_by", v),
        updated_by: int(item, "updated_by", v),
        created_at: int(item, "created_at", v),
        updated_at: int(item, "updated_at", v),
        closed_at: int(item, "closed_at", v),
        custom_fields: custom(item, Entity::Lead, ru, v),
        tags_to_add: tags(item.get("tags_to_add"), "tags_to_add", &crm.lead_tags, v),
        ..LeadDraft::default()
    };
    if let Some(e) = embedded(item, v) {
        d.incoming = matches!(e.get("metadata"), Some(Value::Object(_)));
        if e.contains_key("tags") {
            d.tags = Some(tags(e.get("tags"), "_embedded.tags", &crm.lead_tags, v));
        }
        d.contacts = linked(
            e.get("contacts"),
            "_embedded.contacts",
            mode,
            v,
            |id| crm.contacts.get(id).is_some(),
            |item, v| contact(item, crm, ru, v),
        );
        d.companies = linked(
            e.get("companies"),
            "_embedded.companies",
            mode,
            v,
            |id| crm.companies.get(id).is_some(),
            |item, v| company(item, crm, ru, v),
        );
    }
    let pipeline = match d.pipeline_id {
        Some(id) => {
            let p = catalog::pipeline(id);
            if p.is_none() {
                v.not_a_choice("pipeline_id");
            }
            p
        }
        None => catalog::pipeline(base_pipeline),
    };
    if let (Some(p), Some(status), false) = (pipeline, d.status_id, d.incoming) {
        if !p.has_stage(status) {
            // What the live API answers for a stage of another pipeline (§3.1 capture).
            v.invalid_type("status_id", "array");
        }
    }
    d
}

/// `_embedded.contacts` / `_embedded.companies` of a lead.
fn linked<T>(
    value: Option<&Value>,
    path: &str,
    mode: Embedded,
    v: &mut Violations,
    exists: impl Fn(u64) -> bool,
    create: impl Fn(&Map<String, Value>, &mut Violations) -> T,
) -> Vec<Linked<T>> {
    let list = match value {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Array(list)) => list,
        Some(_) => {
            v.invalid_type(path, "array");
            return Vec::new();
        }
    };
    if mode == Embedded::Complex && list.len() > 1 {
        v.push(
            "TooManyEntities",
            path,
            "This collection should contain 1 element or less.",
        );
        return Vec::new();
    }
    let mut out = Vec::with_capacity(list.len());
    for (k, item) in list.iter().enumerate() {
        let parsed = v.nested(&format!("{path}.{k}"), |v| {
            let item = object(item, v)?;
            match int(item, "id", v) {
                Some(id) if exists(id) => {
                    let main = item
                        .get("is_main")
                        .and_then(Value::as_bool)
                        .unwrap_or(false);
                    // The main contact goes first.
                    Some((main, Linked::Existing(id)))
                }
                Some(_) => {
                    v.not_a_choice("id");
                    None
                }
                None if present(item, "id").is_some() => None,
                None if mode == Embedded::Complex => Some((false, Linked::New(create(item, v)))),
                None => {
                    v.blank("id");
                    None
                }
            }
        });
        match parsed {
            Some((true, l)) => out.insert(0, l),
            Some((false, l)) => out.push(l),
            None => {}
        }
    }
    out
}

/// A new contact's or company's tags: those of `tags_to_add`, then those of `_embedded.tags`.
fn added_tags(item: &Map<String, Value>, dict: &Tags, v: &mut Violations) -> Vec<TagRef> {
    let mut list = tags(item.get("tags_to_add"), "tags_to_add", dict, v);
    if let Some(e) = embedded(item, v) {
        list.extend(tags(e.get("tags"), "_embedded.tags", dict, v));
    }
    list
}

pub(crate) fn contact(
    item: &Map<String, Value>,
    crm: &Crm,
    ru: bool,
    v: &mut Violations,
) -> ContactDraft {
    let tag_list = added_tags(item, &crm.contact_tags, v);
    ContactDraft {
        name: string(item, "name", v),
        first_name: string(item, "first_name", v),
        last_name: string(item, "last_name", v),
        responsible_user_id: int(item, "responsible_user_id", v),
        created_by: int(item, "created_by", v),
        created_at: int(item, "created_at", v),
        custom_fields: custom(item, Entity::Contact, ru, v).unwrap_or_default(),
        tags: tag_list,
    }
}

pub(crate) fn company(
    item: &Map<String, Value>,
    crm: &Crm,
    ru: bool,
    v: &mut Violations,
) -> CompanyDraft {
    let tag_list = added_tags(item, &crm.company_tags, v);
    CompanyDraft {
        name: string(item, "name", v),
        responsible_user_id: int(item, "responsible_user_id", v),
        created_by: int(item, "created_by", v),
        created_at: int(item, "created_at", v),
        custom_fields: custom(item, Entity::Company, ru, v).unwrap_or_default(),
        tags: tag_list,
    }
}

/// Note types the API accepts; the sandbox checks parameters of the two text types only.
pub(crate) const NOTE_TYPES: [&str; 9] = [
    "common",
    "call_in",
    "call_out",
    "service_message",
    "geolocation",
    "sms_in",
    "sms_out",
    "extended_service_message",
    "attachment",
];

pub(crate) struct NoteDraft {
    pub entity_id: u64,
    pub note_type: String,
    pub params: Value,
    pub created_by: Option<u64>,
    pub responsible_user_id: Option<u64>,
    pub created_at: Option<u64>,
}

/// A note item. `entity_id` comes from the path on `/leads/{id}/notes`.
pub(crate) fn note(
    item: &Map<String, Value>,
    crm: &Crm,
    entity_id: Option<u64>,
    v: &mut Violations,
) -> Option<NoteDraft> {
    let entity_id = match entity_id {
        Some(id) => Some(id),
        None if present(item, "entity_id").is_none() => {
            v.blank("entity_id");
            None
        }
        None => int(item, "entity_id", v),
    };
    let entity_id = entity_id.filter(|&id| {
        let known = crm.leads.get(id).is_some();
        if !known {
            v.not_a_choice("entity_id");
        }
        known
    });
    let note_type = match string(item, "note_type", v) {
        Some(t) if NOTE_TYPES.contains(&t.as_str()) => Some(t),
        Some(_) => {
            v.not_a_choice("note_type");
            None
        }
        None => {
            if present(item, "note_type").is_none() {
                v.blank("note_type");
            }
            None
        }
    };
    let params = match present(item, "params") {
        Some(Value::Object(p)) => Some(p),
        Some(_) => {
            v.invalid_type("params", "array");
            None
        }
        None => None,
    };
    let required: &[&str] = match note_type.as_deref() {
        Some("common") => &["text"],
        Some("service_message") => &["service", "text"],
        _ => &[],
    };
    for key in required {
        let ok = params
            .and_then(|p| p.get(*key))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.trim().is_empty());
        if !ok {
            v.blank(&format!("params.{key}"));
        }
    }
    let created_by = int(item, "created_by", v);
    let responsible_user_id = int(item, "responsible_user_id", v);
    let created_at = int(item, "created_at", v);
    Some(NoteDraft {
        entity_id: entity_id?,
        note_type: note_type?,
        params: Value::Object(params.cloned().unwrap_or_default()),
        created_by,
        responsible_user_id,
        created_at,
    })
}
