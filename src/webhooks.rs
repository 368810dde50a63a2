//! Delivery callbacks: Twilio signature checks and every provider's reports in one shape.

use crate::error::js_error;
use napi::bindgen_prelude::*;
use napi::Env;
use serde_json::Value;
use uzgate_core::providers::twilio::signature;
use uzgate_core::sms::delivery_report::{self as report, DeliveryReport as CoreReport};
use uzgate_core::sms::DeliveryStatus;
use uzgate_core::Error as CoreError;

/// `{ name: value | value[] }` → pairs.
fn params_of(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(obj) = v.as_object() {
        for (k, v) in obj {
            match v {
                Value::Array(items) => {
                    for i in items {
                        if let Some(s) = scalar(i) {
                            out.push((k.clone(), s));
                        }
                    }
                }
                other => {
                    if let Some(s) = scalar(other) {
                        out.push((k.clone(), s));
                    }
                }
            }
        }
    }
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Checks `X-Twilio-Signature` of a form callback (params as received, decoded) against the
/// full URL Twilio called. Accepts exactly what twilio-node's `validateRequest` accepts (the URL
/// with and without its port, as received and normalised). Constant time.
#[napi]
pub fn validate_twilio_signature(
    auth_token: String,
    url: String,
    #[napi(ts_arg_type = "Record<string, string | string[]>")] params: Value,
    signature: String,
) -> bool {
    signature::validate(&auth_token, &url, &params_of(&params), &signature)
}

/// The JSON-body variant: `url` carries `bodySHA256`; `rawBody` must be the bytes received.
#[napi]
pub fn validate_twilio_json_signature(
    auth_token: String,
    url: String,
    raw_body: Buffer,
    signature: String,
) -> bool {
    signature::validate_json(&auth_token, &url, &raw_body, &signature)
}

#[napi(object)]
pub struct DeliveryReport {
    #[napi(ts_type = "'eskiz' | 'twilio' | 'playmobile'")]
    pub provider: String,
    /// The id `send` returned (Eskiz request id / Twilio SID / Play Mobile message-id).
    pub message_id: String,
    /// Your `reference` (Eskiz `user_sms_id`).
    pub reference: Option<String>,
    #[napi(ts_type = "'pending' | 'delivered' | 'failed'")]
    pub status: String,
    pub raw_status: String,
    pub error_code: Option<String>,
    /// ISO 8601 UTC.
    pub at: String,
    pub phone: Option<String>,
}

impl From<CoreReport> for DeliveryReport {
    fn from(r: CoreReport) -> Self {
        DeliveryReport {
            provider: r.provider.into(),
            message_id: r.message_id,
            reference: r.reference,
            status: r.status.as_str().into(),
            raw_status: r.raw_status,
            error_code: r.error_code,
            at: r.at,
            phone: r.phone,
        }
    }
}

/// Parses a delivery callback. `body`: the parsed JSON/form object, or the raw form string
/// (Play Mobile: the JSON object, or an array holding exactly one; pass each element of a
/// longer array on its own).
#[napi]
pub fn parse_delivery_report(
    env: Env,
    #[napi(ts_arg_type = "'eskiz' | 'twilio' | 'playmobile'")] provider: String,
    #[napi(ts_arg_type = "Record<string, unknown> | unknown[] | string")] body: Value,
) -> Result<DeliveryReport> {
    if provider == "playmobile" {
        let one = match &body {
            Value::Array(items) if items.len() != 1 => {
                return Err(js_error(
                    &env,
                    CoreError::invalid(
                        "a Play Mobile report array holds several reports: parse each element",
                    ),
                ))
            }
            Value::Array(items) => &items[0],
            other => other,
        };
        let parsed = report::fields_from_json(one).and_then(|f| report::parse_playmobile(&f));
        return parsed.map(Into::into).map_err(|e| js_error(&env, e));
    }
    let fields = match &body {
        Value::String(s) => report::fields_from_form(s.as_bytes()),
        other => report::fields_from_json(other).map_err(|e| js_error(&env, e))?,
    };
    let parsed = match provider.as_str() {
        "eskiz" => report::parse_eskiz(&fields),
        "twilio" => report::parse_twilio(&fields),
        other => Err(CoreError::invalid(format!(
            "provider {other:?} must be eskiz, twilio or playmobile"
        ))),
    };
    parsed.map(Into::into).map_err(|e| js_error(&env, e))
}

/// Whether a new report may replace a message's `previous` status (terminal states are final).
#[napi]
pub fn delivery_accepts_update(
    #[napi(ts_arg_type = "'pending' | 'delivered' | 'failed' | null | undefined")] previous: Option<
        String,
    >,
) -> bool {
    let previous = previous.as_deref().map(|p| match p {
        "delivered" => DeliveryStatus::Delivered,
        "failed" => DeliveryStatus::Failed,
        _ => DeliveryStatus::Pending,
    });
    report::accepts_update(previous)
}
