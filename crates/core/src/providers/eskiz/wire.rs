//! Eskiz's JSON bodies as they come over the wire (see docs/providers/eskiz.md). Lenient: ids
//! may be numbers or strings, fields may be missing or null.

use serde::Deserialize;
use serde_json::Value;

/// `{"message":"token_generated","data":{"token":"…"},"token_type":"bearer"}`
#[derive(Deserialize)]
pub struct TokenResponse {
    pub data: Option<TokenData>,
}

#[derive(Deserialize)]
pub struct TokenData {
    pub token: Option<String>,
}

/// `{"id":"…","message":"Waiting for SMS provider","status":"waiting"}`; batch: `status` is an
/// array.
#[derive(Deserialize)]
pub struct SendResponse {
    pub id: Option<Value>,
    pub status: Option<Value>,
}

#[derive(Deserialize)]
pub struct Envelope<T> {
    pub data: Option<T>,
}

#[derive(Deserialize)]
pub struct LimitData {
    pub balance: Option<Value>,
}

#[derive(Deserialize)]
pub struct UserData {
    pub id: Option<Value>,
    pub name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub status: Option<String>,
    pub is_vip: Option<bool>,
    pub balance: Option<Value>,
}

#[derive(Deserialize)]
pub struct MessageRow {
    pub id: Option<Value>,
    pub request_id: Option<String>,
    pub user_sms_id: Option<Value>,
    pub dispatch_id: Option<Value>,
    pub to: Option<Value>,
    pub nick: Option<String>,
    pub message: Option<String>,
    pub status: Option<String>,
    pub parts_count: Option<Value>,
    pub price: Option<Value>,
    pub sent_at: Option<String>,
    pub delivery_sm_at: Option<String>,
    pub updated_at: Option<String>,
    pub created_at: Option<String>,
}

#[derive(Deserialize)]
pub struct Page {
    pub current_page: Option<Value>,
    pub last_page: Option<Value>,
    pub per_page: Option<Value>,
    pub total: Option<Value>,
    pub result: Option<Value>,
}

#[derive(Deserialize)]
pub struct TemplatesResponse {
    pub result: Option<Vec<TemplateRow>>,
}

#[derive(Deserialize)]
pub struct TemplateRow {
    pub id: Option<Value>,
    pub template: Option<String>,
    pub original_text: Option<String>,
    pub status: Option<String>,
}

/// A JSON value as a string: `"59bf…"` stays, `61359094` becomes `"61359094"`.
pub fn as_string(v: &Option<Value>) -> Option<String> {
    match v.as_ref()? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub fn as_f64(v: &Option<Value>) -> Option<f64> {
    match v.as_ref()? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

pub fn as_u64(v: &Option<Value>) -> Option<u64> {
    as_f64(v).filter(|f| *f >= 0.0).map(|f| f as u64)
}
