//! Entities as the API shows them.
//!
//! Links are absolute and point at the sandbox itself, so a client that follows `_links`
//! (as it must for pagination) stays on it. Item links repeat the request's query string,
//! as the live list does.

use serde_json::{json, Value};

use super::store::{Company, Contact, Crm, Lead, Note, Table, Tags};

pub(crate) struct Ctx<'a> {
    /// `http://127.0.0.1:PORT`.
    pub base: &'a str,
    pub account_id: u64,
    /// The request's query string, repeated in item links; empty for none.
    pub query: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn href(&self, path: &str) -> String {
        if self.query.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!("{}{path}?{}", self.base, self.query)
        }
    }

    fn links(&self, path: &str) -> Value {
        json!({"self": {"href": self.href(path)}})
    }
}

/// `null` when there are none, as the live API answers.
pub(crate) fn custom_fields(list: &[Value]) -> Value {
    if list.is_empty() {
        Value::Null
    } else {
        Value::Array(list.to_vec())
    }
}

fn tags(dict: &Tags, ids: &[u64]) -> Vec<Value> {
    ids.iter()
        .filter_map(|&id| {
            let name = dict.name(id)?;
            Some(json!({"id": id, "name": name, "color": null}))
        })
        .collect()
}

fn link_list(ctx: &Ctx<'_>, kind: &str, ids: &[u64], main_first: bool) -> Vec<Value> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let mut v = json!({"id": id, "_links": ctx.links(&format!("/api/v4/{kind}/{id}"))});
            if main_first {
                v["is_main"] = json!(i == 0);
            }
            v
        })
        .collect()
}

pub(crate) fn lead(crm: &Crm, l: &Lead, ctx: &Ctx<'_>, with_contacts: bool) -> Value {
    let contacts: Vec<u64> = l
        .contacts
        .iter()
        .copied()
        .filter(|&id| crm.contacts.get(id).is_some())
        .collect();
    let mut embedded = json!({
        "tags": tags(&crm.lead_tags, &l.tags),
        "companies": link_list(ctx, "companies", &l.companies, false),
    });
    if with_contacts {
        embedded["contacts"] = json!(link_list(ctx, "contacts", &contacts, true));
    }
    json!({
        "id": l.id,
        "name": l.name,
        "price": l.price,
        "responsible_user_id": l.responsible_user_id,
        "group_id": 0,
        "status_id": l.status_id,
        "pipeline_id": l.pipeline_id,
        "loss_reason_id": null,
        "created_by": l.created_by,
        "updated_by": l.updated_by,
        "created_at": l.created_at,
        "updated_at": l.updated_at,
        "closed_at": l.closed_at,
        "closest_task_at": null,
        "is_deleted": false,
        "custom_fields_values": custom_fields(&l.custom_fields),
        "score": null,
        "account_id": ctx.account_id,
        "labor_cost": null,
        "_links": ctx.links(&format!("/api/v4/leads/{}", l.id)),
        "_embedded": embedded,
    })
}

pub(crate) fn contact(crm: &Crm, c: &Contact, ctx: &Ctx<'_>) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "first_name": c.first_name,
        "last_name": c.last_name,
        "responsible_user_id": c.responsible_user_id,
        "group_id": 0,
        "created_by": c.created_by,
        "updated_by": c.created_by,
        "created_at": c.created_at,
        "updated_at": c.created_at,
        "closest_task_at": null,
        "is_deleted": false,
        "is_unsorted": false,
        "custom_fields_values": custom_fields(&c.custom_fields),
        "account_id": ctx.account_id,
        "_links": ctx.links(&format!("/api/v4/contacts/{}", c.id)),
        "_embedded": {"tags": tags(&crm.contact_tags, &c.tags), "companies": []},
    })
}

pub(crate) fn company(crm: &Crm, c: &Company, ctx: &Ctx<'_>) -> Value {
    json!({
        "id": c.id,
        "name": c.name,
        "responsible_user_id": c.responsible_user_id,
        "group_id": 0,
        "created_by": c.created_by,
        "updated_by": c.created_by,
        "created_at": c.created_at,
        "updated_at": c.created_at,
        "closest_task_at": null,
        "is_deleted": false,
        "custom_fields_values": custom_fields(&c.custom_fields),
        "account_id": ctx.account_id,
        "_links": ctx.links(&format!("/api/v4/companies/{}", c.id)),
        "_embedded": {"tags": tags(&crm.company_tags, &c.tags)},
    })
}

pub(crate) fn note(n: &Note, ctx: &Ctx<'_>) -> Value {
    json!({
        "id": n.id,
        "entity_id": n.entity_id,
        "created_by": n.created_by,
        "updated_by": n.created_by,
        "created_at": n.created_at,
        "updated_at": n.created_at,
        "responsible_user_id": n.responsible_user_id,
        "group_id": 0,
        "note_type": n.note_type,
        "params": n.params,
        "account_id": ctx.account_id,
        "_links": ctx.links(&format!("/api/v4/leads/{}/notes/{}", n.entity_id, n.id)),
    })
}

/// A lead with its contacts, companies and notes in full: what a test wants to assert on.
pub(crate) fn lead_in_full(crm: &Crm, l: &Lead, ctx: &Ctx<'_>) -> Value {
    let mut v = lead(crm, l, ctx, false);
    v["_embedded"]["contacts"] = rows(&crm.contacts, &l.contacts, |c| contact(crm, c, ctx));
    v["_embedded"]["companies"] = rows(&crm.companies, &l.companies, |c| company(crm, c, ctx));
    v["_embedded"]["notes"] = rows(&crm.notes, &l.notes, |n| note(n, ctx));
    v
}

/// The rows of `table` with these ids, rendered; evicted ones are skipped.
fn rows<T>(table: &Table<T>, ids: &[u64], render: impl Fn(&T) -> Value) -> Value {
    Value::Array(
        ids.iter()
            .filter_map(|&id| table.get(id))
            .map(render)
            .collect(),
    )
}
