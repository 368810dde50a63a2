//! Leads: creation through `/api/v4/leads/complex` (lead + contact in one request, ≤ 50 per
//! request), notes, and paginated listing (204 = empty page; follow `_links.next`).

use super::errors::{refused, unusable};
use super::types::{
    ContactInput, CreatedLead, CustomFieldInput, Lead, LeadInput, LeadsPage, ListQuery,
};
use super::AmoCrmClient;
use crate::error::{Error, Result};
use crate::http::Request;
use crate::phone;
use serde_json::{json, Map, Value};

/// amoCRM's cap for `/leads/complex`.
pub const COMPLEX_CHUNK: usize = 50;

impl AmoCrmClient {
    pub async fn create_lead(&self, lead: LeadInput) -> Result<CreatedLead> {
        let mut created = self.create_leads(vec![lead]).await?;
        Ok(created.remove(0))
    }

    /// All inputs are validated before anything is sent; then chunks of 50.
    pub async fn create_leads(&self, leads: Vec<LeadInput>) -> Result<Vec<CreatedLead>> {
        if leads.is_empty() {
            return Err(Error::invalid("createLeads needs at least one lead"));
        }
        let bodies = leads
            .iter()
            .enumerate()
            .map(|(i, l)| {
                lead_body(l, i).map_err(|mut e| {
                    if leads.len() > 1 {
                        e.message = format!("leads[{i}]: {}", e.message);
                    }
                    e
                })
            })
            .collect::<Result<Vec<Value>>>()?;
        let mut out = Vec::with_capacity(leads.len());
        for (chunk_no, chunk) in bodies.chunks(COMPLEX_CHUNK).enumerate() {
            let inputs = &leads[chunk_no * COMPLEX_CHUNK..][..chunk.len()];
            let req = Request::post("/api/v4/leads/complex", "leads/complex")
                .json(&Value::Array(chunk.to_vec()));
            let resp = self.call(req).await?;
            if !resp.is_success() {
                return Err(refused(&resp, "the lead"));
            }
            let items: Vec<Value> = serde_json::from_slice(&resp.body)
                .map_err(|_| unusable(&resp, "the lead", true))?;
            let mut created: Vec<CreatedLead> = Vec::with_capacity(chunk.len());
            for item in &items {
                created.push(CreatedLead {
                    id: item
                        .get("id")
                        .and_then(Value::as_u64)
                        .ok_or_else(|| unusable(&resp, "the lead", true))?,
                    contact_id: item.get("contact_id").and_then(Value::as_u64),
                    company_id: item.get("company_id").and_then(Value::as_u64),
                    merged: item.get("merged").and_then(Value::as_bool).unwrap_or(false),
                    note_id: None,
                    note_error: None,
                });
            }
            if created.len() != chunk.len() {
                return Err(unusable(&resp, "the lead", true));
            }
            self.attach_notes(inputs, &mut created).await;
            out.extend(created);
        }
        Ok(out)
    }

    /// One notes request per chunk. A failure is reported on the leads (they exist already:
    /// retrying them would duplicate them).
    async fn attach_notes(&self, inputs: &[LeadInput], created: &mut [CreatedLead]) {
        let wanted: Vec<(usize, Value)> = inputs
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                l.note.as_ref().map(|text| {
                    (
                        i,
                        json!({
                            "entity_id": created[i].id,
                            "note_type": "common",
                            "params": { "text": text },
                            "request_id": i.to_string(),
                        }),
                    )
                })
            })
            .collect();
        if wanted.is_empty() {
            return;
        }
        let body = Value::Array(wanted.iter().map(|(_, v)| v.clone()).collect());
        let result = async {
            let resp = self
                .call(Request::post("/api/v4/leads/notes", "leads/notes").json(&body))
                .await?;
            if !resp.is_success() {
                return Err(refused(&resp, "the note"));
            }
            let ids: Vec<Option<u64>> = resp
                .json_value()
                .and_then(|v| v.pointer("/_embedded/notes").cloned())
                .and_then(|v| v.as_array().cloned())
                .unwrap_or_default()
                .iter()
                .map(|n| n.get("id").and_then(Value::as_u64))
                .collect();
            Ok(ids)
        }
        .await;
        for (k, (i, _)) in wanted.iter().enumerate() {
            match &result {
                Ok(ids) => created[*i].note_id = ids.get(k).copied().flatten(),
                Err(e) => {
                    created[*i].note_error = Some((e.code.as_str().to_string(), e.message.clone()))
                }
            }
        }
    }

    pub async fn add_note(&self, lead_id: u64, text: &str) -> Result<u64> {
        if lead_id == 0 {
            return Err(Error::invalid("leadId must be a positive integer"));
        }
        note_text(text)?;
        let body = json!([{ "note_type": "common", "params": { "text": text } }]);
        let req =
            Request::post(format!("/api/v4/leads/{lead_id}/notes"), "leads/notes").json(&body);
        let resp = self.call(req).await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the note"));
        }
        resp.json_value()
            .and_then(|v| v.pointer("/_embedded/notes/0/id").and_then(Value::as_u64))
            .ok_or_else(|| unusable(&resp, "the note", true))
    }

    pub async fn list_leads(&self, q: ListQuery) -> Result<LeadsPage> {
        let page = q.page.unwrap_or(1);
        if page == 0 {
            return Err(Error::invalid("page starts at 1"));
        }
        let limit = q.limit.unwrap_or(50);
        if !(1..=250).contains(&limit) {
            return Err(Error::invalid(
                "limit must be between 1 and 250 (amoCRM's bound)",
            ));
        }
        let query = {
            let mut url = url::form_urlencoded::Serializer::new(String::new());
            url.append_pair("page", &page.to_string());
            url.append_pair("limit", &limit.to_string());
            if let Some(query) = q.query.as_deref().filter(|s| !s.is_empty()) {
                url.append_pair("query", query);
            }
            if !q.with.is_empty() {
                url.append_pair("with", &q.with.join(","));
            }
            url.finish()
        };
        self.leads_page(&format!("/api/v4/leads?{query}"), page)
            .await
    }

    /// A page by the path `LeadsPage::next` gave.
    pub async fn next_leads_page(&self, next: &str) -> Result<LeadsPage> {
        if !next.starts_with("/api/v4/leads?") || next.contains("..") {
            return Err(Error::invalid("next must be the `next` of a previous page"));
        }
        let page =
            url::form_urlencoded::parse(next.split_once('?').map_or("", |(_, q)| q).as_bytes())
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(1);
        self.leads_page(next, page).await
    }

    async fn leads_page(&self, path: &str, page: u32) -> Result<LeadsPage> {
        let resp = self.call(Request::get(path, "leads/list")).await?;
        if resp.status == 204 {
            return Ok(LeadsPage {
                page,
                items: Vec::new(),
                next: None,
            });
        }
        if !resp.is_success() {
            return Err(refused(&resp, "the leads list"));
        }
        let body = resp
            .json_value()
            .ok_or_else(|| unusable(&resp, "the leads list", false))?;
        let items = body
            .pointer("/_embedded/leads")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter_map(lead_from)
            .collect();
        let next = body
            .pointer("/_links/next/href")
            .and_then(Value::as_str)
            .and_then(path_and_query);
        Ok(LeadsPage {
            page: body
                .get("_page")
                .and_then(Value::as_u64)
                .map_or(page, |p| p as u32),
            items,
            next,
        })
    }
}

/// `https://x.amocrm.ru/api/v4/leads?page=2&limit=50` → `/api/v4/leads?page=2&limit=50`.
fn path_and_query(href: &str) -> Option<String> {
    let u = url::Url::parse(href).ok()?;
    Some(match u.query() {
        Some(q) => format!("{}?{q}", u.path()),
        None => u.path().to_string(),
    })
}

fn lead_from(v: Value) -> Option<Lead> {
    Some(Lead {
        id: v.get("id")?.as_u64()?,
        name: v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        price: v.get("price").and_then(Value::as_f64),
        status_id: v.get("status_id").and_then(Value::as_u64),
        pipeline_id: v.get("pipeline_id").and_then(Value::as_u64),
        responsible_user_id: v.get("responsible_user_id").and_then(Value::as_u64),
        created_at: v.get("created_at").and_then(Value::as_u64),
        updated_at: v.get("updated_at").and_then(Value::as_u64),
        closed_at: v.get("closed_at").and_then(Value::as_u64),
        is_deleted: v
            .get("is_deleted")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        raw: v,
    })
}

fn note_text(text: &str) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::invalid("note text must not be empty"));
    }
    if text.chars().count() > 20_000 {
        return Err(Error::invalid("note text is longer than 20000 characters"));
    }
    Ok(())
}

fn name(field: &str, value: &str, max: usize) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("{field} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(format!(
            "{field} is longer than {max} characters"
        )));
    }
    Ok(())
}

fn email(value: &str) -> Result<()> {
    let ok = value.len() <= 254
        && !value.chars().any(char::is_whitespace)
        && value.split_once('@').is_some_and(|(user, host)| {
            !user.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains('@')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid("contact.email is not an e-mail address"))
    }
}

fn custom_field(f: &CustomFieldInput) -> Result<Value> {
    let mut v = Map::new();
    match (f.field_id, f.field_code.as_deref()) {
        (Some(0), _) => return Err(Error::invalid("customFields[].fieldId must be positive")),
        (Some(id), _) => {
            v.insert("field_id".into(), json!(id));
        }
        (None, Some(code)) if !code.trim().is_empty() => {
            v.insert("field_code".into(), json!(code));
        }
        _ => {
            return Err(Error::invalid(
                "customFields[] needs a fieldId or a fieldCode",
            ))
        }
    }
    if f.values.is_empty() || f.values.iter().any(|x| !x.is_object()) {
        return Err(Error::invalid(
            "customFields[].values must be a non-empty array of objects like { value }",
        ));
    }
    v.insert("values".into(), Value::Array(f.values.clone()));
    Ok(Value::Object(v))
}

fn contact_body(c: &ContactInput) -> Result<Value> {
    name("contact.name", &c.name, 255)?;
    let mut fields = Vec::new();
    if let Some(p) = &c.phone {
        let phone = phone::normalize(p, "UZ")?;
        fields.push(json!({ "field_code": "PHONE", "values": [{ "enum_code": "WORK", "value": phone.e164 }] }));
    }
    if let Some(e) = &c.email {
        email(e)?;
        fields.push(
            json!({ "field_code": "EMAIL", "values": [{ "enum_code": "WORK", "value": e }] }),
        );
    }
    let mut body = json!({ "name": c.name });
    if let Some(f) = &c.first_name {
        body["first_name"] = json!(f);
    }
    if let Some(l) = &c.last_name {
        body["last_name"] = json!(l);
    }
    if !fields.is_empty() {
        body["custom_fields_values"] = Value::Array(fields);
    }
    Ok(body)
}

/// The `/leads/complex` item for one lead, validated.
fn lead_body(l: &LeadInput, index: usize) -> Result<Value> {
    name("name", &l.name, 255)?;
    let mut lead = json!({ "name": l.name, "request_id": index.to_string() });
    if let Some(p) = l.price {
        lead["price"] = json!(p);
    }
    for (field, value) in [
        ("pipeline_id", l.pipeline_id),
        ("status_id", l.status_id),
        ("responsible_user_id", l.responsible_user_id),
    ] {
        match value {
            Some(0) => return Err(Error::invalid(format!("{field} must be positive"))),
            Some(v) => lead[field] = json!(v),
            None => {}
        }
    }
    if l.status_id.is_some() && l.pipeline_id.is_none() {
        return Err(Error::invalid("statusId needs its pipelineId"));
    }
    if let Some(n) = &l.note {
        note_text(n)?;
    }
    if !l.custom_fields.is_empty() {
        if l.custom_fields.len() > 40 {
            return Err(Error::invalid(
                "at most 40 custom field values per lead (amoCRM's limit)",
            ));
        }
        lead["custom_fields_values"] = Value::Array(
            l.custom_fields
                .iter()
                .map(custom_field)
                .collect::<Result<_>>()?,
        );
    }
    let mut embedded = json!({ "contacts": [contact_body(&l.contact)?] });
    if !l.tags.is_empty() {
        let mut tags = Vec::new();
        for t in &l.tags {
            name("tags[]", t, 100)?;
            tags.push(json!({ "name": t }));
        }
        embedded["tags"] = Value::Array(tags);
    }
    lead["_embedded"] = embedded;
    Ok(lead)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn lead() -> LeadInput {
        LeadInput {
            name: "Saytdan ariza".into(),
            price: Some(150_000),
            contact: ContactInput {
                name: "Aziz".into(),
                phone: Some("90 123 45 67".into()),
                email: Some("aziz@example.uz".into()),
                ..Default::default()
            },
            tags: vec!["site".into()],
            ..Default::default()
        }
    }

    #[test]
    fn builds_the_complex_body() {
        let b = lead_body(&lead(), 3).unwrap();
        assert_eq!(b["name"], "Saytdan ariza");
        assert_eq!(b["request_id"], "3");
        assert_eq!(b["price"], 150_000);
        let c = &b["_embedded"]["contacts"][0];
        assert_eq!(c["custom_fields_values"][0]["field_code"], "PHONE");
        assert_eq!(
            c["custom_fields_values"][0]["values"][0]["value"],
            "+998901234567"
        );
        assert_eq!(
            c["custom_fields_values"][1]["values"][0]["value"],
            "aziz@example.uz"
        );
        assert_eq!(b["_embedded"]["tags"][0]["name"], "site");
    }

    #[test]
    fn rejects_bad_leads_before_sending() {
        let cases: Vec<(LeadInput, ErrorCode)> = vec![
            (
                LeadInput {
                    name: " ".into(),
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    contact: ContactInput {
                        name: "".into(),
                        ..lead().contact
                    },
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    contact: ContactInput {
                        phone: Some("12".into()),
                        ..lead().contact
                    },
                    ..lead()
                },
                ErrorCode::InvalidPhone,
            ),
            (
                LeadInput {
                    contact: ContactInput {
                        email: Some("no-at".into()),
                        ..lead().contact
                    },
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    status_id: Some(5),
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    pipeline_id: Some(0),
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    tags: vec!["".into()],
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    note: Some("".into()),
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    custom_fields: vec![CustomFieldInput {
                        values: vec![json!({"value": 1})],
                        ..Default::default()
                    }],
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
            (
                LeadInput {
                    custom_fields: vec![CustomFieldInput {
                        field_id: Some(7),
                        values: vec![],
                        ..Default::default()
                    }],
                    ..lead()
                },
                ErrorCode::InvalidArgument,
            ),
        ];
        for (i, (l, code)) in cases.into_iter().enumerate() {
            assert_eq!(lead_body(&l, 0).unwrap_err().code, code, "case {i}");
        }
    }

    #[test]
    fn next_links_become_paths() {
        assert_eq!(
            path_and_query("https://x.amocrm.ru/api/v4/leads?page=2&limit=20").as_deref(),
            Some("/api/v4/leads?page=2&limit=20")
        );
    }
}
