//! JS shapes of the amoCRM calls' inputs and results and their conversion (the client's options
//! are the core's, `uzgate_core::options`). Comments become the JSDoc of `index.d.ts`.

use serde_json::Value;
use uzgate_core::providers::amocrm as core;

#[napi(object)]
pub struct AuthorizationUrlOptions {
    #[napi(ts_type = "'popup' | 'post_message'")]
    pub mode: Option<String>,
}

#[napi(object)]
pub struct AuthorizationUrl {
    pub url: String,
    /// Keep it (an HttpOnly cookie) and pass it back as `expectedState`.
    pub state: String,
}

impl From<core::AuthorizationUrl> for AuthorizationUrl {
    fn from(a: core::AuthorizationUrl) -> Self {
        AuthorizationUrl {
            url: a.url,
            state: a.state,
        }
    }
}

#[napi(object)]
pub struct ExchangeCodeInput {
    pub code: Option<String>,
    /// `error` of the callback query (`access_denied` when the user declined).
    pub error: Option<String>,
    pub state: Option<String>,
    pub expected_state: Option<String>,
    /// The callback's `referer`: the account host, persisted with the tokens.
    pub referer: Option<String>,
    /// A code from a marketplace widget install (no state to check).
    pub from_widget: Option<bool>,
}

impl From<ExchangeCodeInput> for core::ExchangeInput {
    fn from(i: ExchangeCodeInput) -> Self {
        core::ExchangeInput {
            code: i.code,
            error: i.error,
            state: i.state,
            expected_state: i.expected_state,
            referer: i.referer,
            from_widget: i.from_widget.unwrap_or(false),
        }
    }
}

#[napi(object)]
pub struct ContactInput {
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Normalised to E.164 and stored as the PHONE field (WORK).
    pub phone: Option<String>,
    /// Stored as the EMAIL field (WORK).
    pub email: Option<String>,
}

#[napi(object)]
pub struct CustomFieldInput {
    pub field_id: Option<f64>,
    pub field_code: Option<String>,
    /// amoCRM's `values`: `[{ value, enum_code? }]`.
    pub values: Vec<Value>,
}

#[napi(object)]
pub struct LeadInput {
    pub name: String,
    pub price: Option<f64>,
    pub pipeline_id: Option<f64>,
    pub status_id: Option<f64>,
    pub responsible_user_id: Option<f64>,
    pub contact: ContactInput,
    /// A `common` note added to the new lead.
    pub note: Option<String>,
    pub tags: Option<Vec<String>>,
    pub custom_fields: Option<Vec<CustomFieldInput>>,
}

fn id(v: Option<f64>) -> Option<u64> {
    // Negative or fractional ids are passed through as 0 so validation refuses them.
    v.map(|f| {
        if f >= 1.0 && f.fract() == 0.0 {
            f as u64
        } else {
            0
        }
    })
}

impl From<LeadInput> for core::LeadInput {
    fn from(l: LeadInput) -> Self {
        core::LeadInput {
            name: l.name,
            price: l.price.map(|p| p.max(0.0).round() as u64),
            pipeline_id: id(l.pipeline_id),
            status_id: id(l.status_id),
            responsible_user_id: id(l.responsible_user_id),
            contact: core::ContactInput {
                name: l.contact.name,
                first_name: l.contact.first_name,
                last_name: l.contact.last_name,
                phone: l.contact.phone,
                email: l.contact.email,
            },
            note: l.note,
            tags: l.tags.unwrap_or_default(),
            custom_fields: l
                .custom_fields
                .unwrap_or_default()
                .into_iter()
                .map(|f| core::CustomFieldInput {
                    field_id: id(f.field_id),
                    field_code: f.field_code,
                    values: f.values,
                })
                .collect(),
        }
    }
}

#[napi(object)]
pub struct NoteError {
    pub code: String,
    pub message: String,
}

#[napi(object)]
pub struct CreatedLead {
    pub id: f64,
    pub contact_id: Option<f64>,
    pub company_id: Option<f64>,
    /// amoCRM merged it into an existing lead (duplicate control).
    pub merged: bool,
    pub note_id: Option<f64>,
    /// The lead exists but its note failed; do not retry the lead (it would be duplicated).
    pub note_error: Option<NoteError>,
}

impl From<core::CreatedLead> for CreatedLead {
    fn from(c: core::CreatedLead) -> Self {
        CreatedLead {
            id: c.id as f64,
            contact_id: c.contact_id.map(|v| v as f64),
            company_id: c.company_id.map(|v| v as f64),
            merged: c.merged,
            note_id: c.note_id.map(|v| v as f64),
            note_error: c
                .note_error
                .map(|(code, message)| NoteError { code, message }),
        }
    }
}

#[napi(object)]
pub struct ListLeadsQuery {
    pub page: Option<u32>,
    /// 1–250 (default 50).
    pub limit: Option<u32>,
    /// Full-text search.
    pub query: Option<String>,
    /// amoCRM `with` values, e.g. `['contacts']`.
    pub with: Option<Vec<String>>,
}

impl From<ListLeadsQuery> for core::ListQuery {
    fn from(q: ListLeadsQuery) -> Self {
        core::ListQuery {
            page: q.page,
            limit: q.limit,
            query: q.query,
            with: q.with.unwrap_or_default(),
        }
    }
}

#[napi(object)]
pub struct Lead {
    pub id: f64,
    pub name: String,
    pub price: Option<f64>,
    pub status_id: Option<f64>,
    pub pipeline_id: Option<f64>,
    pub responsible_user_id: Option<f64>,
    pub created_at: Option<f64>,
    pub updated_at: Option<f64>,
    pub closed_at: Option<f64>,
    pub is_deleted: bool,
    /// The lead exactly as amoCRM returned it.
    pub raw: Value,
}

#[napi(object)]
pub struct LeadsPage {
    pub page: u32,
    pub items: Vec<Lead>,
    /// Pass to `nextLeadsPage()`; absent on the last page.
    pub next: Option<String>,
}

impl From<core::LeadsPage> for LeadsPage {
    fn from(p: core::LeadsPage) -> Self {
        let n = |v: Option<u64>| v.map(|x| x as f64);
        LeadsPage {
            page: p.page,
            next: p.next,
            items: p
                .items
                .into_iter()
                .map(|l| Lead {
                    id: l.id as f64,
                    name: l.name,
                    price: l.price,
                    status_id: n(l.status_id),
                    pipeline_id: n(l.pipeline_id),
                    responsible_user_id: n(l.responsible_user_id),
                    created_at: n(l.created_at),
                    updated_at: n(l.updated_at),
                    closed_at: n(l.closed_at),
                    is_deleted: l.is_deleted,
                    raw: l.raw,
                })
                .collect(),
        }
    }
}

#[napi(object)]
pub struct AmoResponse {
    pub status: u32,
    /// The JSON body; absent for 204.
    pub body: Option<Value>,
}

impl From<core::RawResponse> for AmoResponse {
    fn from(r: core::RawResponse) -> Self {
        AmoResponse {
            status: r.status as u32,
            body: r.body,
        }
    }
}

/// `f64` ids from JS → `u64` for the core (0 for invalid, which the core refuses).
pub fn js_id(v: f64) -> u64 {
    id(Some(v)).unwrap_or(0)
}
