//! amoCRM inputs and results, provider-neutral names (camelCase in JS).

use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Debug, Default)]
pub struct ContactInput {
    pub name: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A custom field value set by id or by code (`PHONE`, `EMAIL`, or your field's code).
#[derive(Clone, Debug, Default)]
pub struct CustomFieldInput {
    pub field_id: Option<u64>,
    pub field_code: Option<String>,
    /// The `values` array as amoCRM takes it: `[{ "value": … , "enum_code"?: … }]`.
    pub values: Vec<Value>,
}

#[derive(Clone, Debug, Default)]
pub struct LeadInput {
    pub name: String,
    pub price: Option<u64>,
    pub pipeline_id: Option<u64>,
    pub status_id: Option<u64>,
    pub responsible_user_id: Option<u64>,
    pub contact: ContactInput,
    /// A `common` note attached to the new lead.
    pub note: Option<String>,
    pub tags: Vec<String>,
    pub custom_fields: Vec<CustomFieldInput>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedLead {
    pub id: u64,
    pub contact_id: Option<u64>,
    pub company_id: Option<u64>,
    /// amoCRM merged the lead into an existing one (duplicate control).
    pub merged: bool,
    pub note_id: Option<u64>,
    /// The lead exists but its note could not be added (code and message); retrying the lead
    /// would duplicate it, so it is reported here instead of as a rejection.
    pub note_error: Option<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct ListQuery {
    pub page: Option<u32>,
    /// 1–250 (amoCRM's bound).
    pub limit: Option<u32>,
    pub query: Option<String>,
    /// amoCRM `with` values (`contacts`, `loss_reason`, …).
    pub with: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Lead {
    pub id: u64,
    pub name: String,
    pub price: Option<f64>,
    pub status_id: Option<u64>,
    pub pipeline_id: Option<u64>,
    pub responsible_user_id: Option<u64>,
    pub created_at: Option<u64>,
    pub updated_at: Option<u64>,
    pub closed_at: Option<u64>,
    pub is_deleted: bool,
    /// The lead as amoCRM returned it (custom fields, `_embedded`, …).
    pub raw: Value,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LeadsPage {
    pub page: u32,
    pub items: Vec<Lead>,
    /// Path and query of the next page (follow it with `leads_page`); `None` at the end.
    pub next: Option<String>,
}

/// Any v4 call's answer: the status and the JSON body (`None` for 204).
#[derive(Clone, Debug, Serialize)]
pub struct RawResponse {
    pub status: u16,
    pub body: Option<Value>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AuthorizationUrl {
    pub url: String,
    pub state: String,
}

#[derive(Clone, Debug, Default)]
pub struct ExchangeInput {
    pub code: Option<String>,
    /// `error` from the callback query (`access_denied` when the user declined).
    pub error: Option<String>,
    pub state: Option<String>,
    pub expected_state: Option<String>,
    /// The account host from the callback (`example.amocrm.ru`), persisted with the tokens.
    pub referer: Option<String>,
    /// A code delivered by a marketplace widget install has no state to check.
    pub from_widget: bool,
}
