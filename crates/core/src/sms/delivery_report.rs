//! Delivery callbacks of every provider in one shape. Eskiz POSTs JSON or a form with string
//! values and a Tashkent `status_date`; Twilio POSTs a signed form, possibly out of order; Play
//! Mobile POSTs JSON to the URL agreed for the account, one object or an array of them, with
//! field names and statuses that are unconfirmed (every documented spelling is read).
//! [`accepts_update`] keeps a late non-terminal report from overwriting a terminal one.

use super::delivery_status;
use super::types::DeliveryStatus;
use crate::error::{Error, Result};
use crate::time::{iso8601_utc, parse_local_datetime, unix_now_ms, TASHKENT_OFFSET_SECS};
use serde::Serialize;
use serde_json::Value;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryReport {
    pub provider: &'static str,
    /// The id `send` returned (Eskiz request id / Twilio SID); Eskiz's own message id for
    /// send-global reports, which carry no request id.
    pub message_id: String,
    /// Your `reference` (Eskiz `user_sms_id`).
    pub reference: Option<String>,
    pub status: DeliveryStatus,
    pub raw_status: String,
    pub error_code: Option<String>,
    /// ISO 8601 UTC: the provider's time where it gives one, else when the report was parsed.
    pub at: String,
    pub phone: Option<String>,
}

/// Whether a new report may replace a message's `previous` state: terminal states are final
/// (reports arrive out of order), anything else may move on.
pub fn accepts_update(previous: Option<DeliveryStatus>) -> bool {
    !previous.is_some_and(DeliveryStatus::is_terminal)
}

fn text(fields: &[(String, String)], key: &str) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A JSON object or a form body as `(key, value)` pairs with values as strings.
pub fn fields_from_json(v: &Value) -> Result<Vec<(String, String)>> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::invalid("a delivery report must be an object"))?;
    Ok(obj
        .iter()
        .filter_map(|(k, v)| {
            let s = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((k.clone(), s))
        })
        .collect())
}

pub fn fields_from_form(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// Eskiz: `{request_id?, message_id, user_sms_id?, phone_number, status, status_date}`.
pub fn parse_eskiz(fields: &[(String, String)]) -> Result<DeliveryReport> {
    let raw = text(fields, "status")
        .ok_or_else(|| Error::invalid("Eskiz report without status"))?
        .to_ascii_uppercase();
    let message_id = text(fields, "request_id")
        .or_else(|| text(fields, "message_id"))
        .ok_or_else(|| Error::invalid("Eskiz report without request_id or message_id"))?;
    let at = text(fields, "status_date")
        .and_then(|d| parse_local_datetime(&d, TASHKENT_OFFSET_SECS))
        .map(|secs| iso8601_utc(secs.max(0) as u64 * 1000))
        .unwrap_or_else(|| iso8601_utc(unix_now_ms()));
    Ok(DeliveryReport {
        provider: "eskiz",
        message_id,
        reference: text(fields, "user_sms_id"),
        status: delivery_status::eskiz(&raw),
        raw_status: raw,
        error_code: None,
        at,
        phone: text(fields, "phone_number"),
    })
}

/// Twilio: `MessageSid`, `MessageStatus` (or `SmsStatus`), `ErrorCode`, `To`.
pub fn parse_twilio(fields: &[(String, String)]) -> Result<DeliveryReport> {
    let raw = text(fields, "MessageStatus")
        .or_else(|| text(fields, "SmsStatus"))
        .ok_or_else(|| Error::invalid("Twilio report without MessageStatus"))?
        .to_ascii_lowercase();
    let message_id = text(fields, "MessageSid")
        .or_else(|| text(fields, "SmsSid"))
        .ok_or_else(|| Error::invalid("Twilio report without MessageSid"))?;
    Ok(DeliveryReport {
        provider: "twilio",
        message_id,
        reference: None,
        status: delivery_status::twilio(&raw),
        raw_status: raw,
        error_code: text(fields, "ErrorCode"),
        at: iso8601_utc(unix_now_ms()),
        phone: text(fields, "To"),
    })
}

/// The first non-empty value among `keys` (spellings of one field).
fn any_of(fields: &[(String, String)], keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| text(fields, k))
}

/// Play Mobile: `{"message-id", "channel", "status", "status-date", "description"}`, keys with
/// `-` or `_` (or camelCase). `status-date` is `YYYY-MM-DD HH:MM:SS` in UTC (ISO 8601 with `Z`
/// read too); without one, the time of parsing. `message-id` is the id `send` returned.
pub fn parse_playmobile(fields: &[(String, String)]) -> Result<DeliveryReport> {
    let message_id = any_of(fields, &["message-id", "message_id", "messageId"])
        .ok_or_else(|| Error::invalid("Play Mobile report without message-id"))?;
    let raw = any_of(fields, &["status"])
        .ok_or_else(|| Error::invalid("Play Mobile report without status"))?
        .to_ascii_lowercase();
    let at = any_of(fields, &["status-date", "status_date", "statusDate"])
        .and_then(|d| {
            let d = d.trim_end_matches(['Z', 'z']);
            parse_local_datetime(d, 0)
        })
        .map(|secs| iso8601_utc(secs.max(0) as u64 * 1000))
        .unwrap_or_else(|| iso8601_utc(unix_now_ms()));
    Ok(DeliveryReport {
        provider: "playmobile",
        message_id,
        reference: None,
        status: delivery_status::playmobile(&raw),
        raw_status: raw,
        error_code: any_of(fields, &["error-code", "error_code", "errorCode"]),
        at,
        phone: any_of(fields, &["recipient", "msisdn", "phone"]),
    })
}

/// A Play Mobile callback body: one report object or an array of them.
pub fn parse_playmobile_body(body: &Value) -> Result<Vec<DeliveryReport>> {
    match body {
        Value::Array(items) if items.is_empty() => {
            Err(Error::invalid("Play Mobile report array is empty"))
        }
        Value::Array(items) => items
            .iter()
            .map(|item| parse_playmobile(&fields_from_json(item)?))
            .collect(),
        other => Ok(vec![parse_playmobile(&fields_from_json(other)?)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn eskiz_json_report_with_tashkent_time() {
        let body = json!({"request_id": "UUID-1", "message_id": "4385062", "user_sms_id": "42",
            "country": "UZ", "phone_number": "998991234567", "sms_count": "1",
            "status": "DELIVRD", "status_date": "2021-04-02 00:39:36"});
        let r = parse_eskiz(&fields_from_json(&body).unwrap()).unwrap();
        assert_eq!(r.message_id, "UUID-1");
        assert_eq!(r.reference.as_deref(), Some("42"));
        assert_eq!(r.status, DeliveryStatus::Delivered);
        assert_eq!(r.at, "2021-04-01T19:39:36.000Z");
    }

    #[test]
    fn eskiz_global_and_legacy_variants() {
        let global = fields_from_form(b"message_id=4385062&country=US&phone_number=1234567891011&sms_count=1&status=UNDELIV&status_date=2021-04-02+00%3A39%3A36");
        let r = parse_eskiz(&global).unwrap();
        assert_eq!(
            (r.message_id.as_str(), r.status),
            ("4385062", DeliveryStatus::Failed)
        );
        let legacy =
            fields_from_json(&json!({"message_id": "1", "user_sms_id": "x", "status": "DELIVER"}))
                .unwrap();
        assert_eq!(
            parse_eskiz(&legacy).unwrap().status,
            DeliveryStatus::Delivered
        );
        assert!(parse_eskiz(&fields_from_json(&json!({"status": "DELIVRD"})).unwrap()).is_err());
    }

    #[test]
    fn twilio_form_report() {
        let f = fields_from_form(b"MessageSid=SM1&SmsSid=SM1&MessageStatus=undelivered&ErrorCode=30003&To=%2B998901234567");
        let r = parse_twilio(&f).unwrap();
        assert_eq!(r.status, DeliveryStatus::Failed);
        assert_eq!(r.error_code.as_deref(), Some("30003"));
        assert_eq!(r.phone.as_deref(), Some("+998901234567"));
    }

    #[test]
    fn terminal_states_are_never_overwritten() {
        use DeliveryStatus::*;
        assert!(accepts_update(None));
        assert!(accepts_update(Some(Pending)));
        assert!(!accepts_update(Some(Delivered)));
        assert!(!accepts_update(Some(Failed)));
    }

    #[test]
    fn playmobile_reports_in_every_documented_spelling() {
        let hyphen = json!({"message-id": "Ab3dE5gH7jK9mN1pQ3sT", "channel": "sms",
            "status": "delivered", "status-date": "2024-05-31 22:02:27", "description": "ok"});
        let r = parse_playmobile(&fields_from_json(&hyphen).unwrap()).unwrap();
        assert_eq!(r.provider, "playmobile");
        assert_eq!(r.message_id, "Ab3dE5gH7jK9mN1pQ3sT");
        assert_eq!(r.status, DeliveryStatus::Delivered);
        assert_eq!(r.raw_status, "delivered");
        // UTC as given, not Tashkent.
        assert_eq!(r.at, "2024-05-31T22:02:27.000Z");
        let underscore = json!({"message_id": "m2", "status": "NOT_DELIVERED",
            "status_date": "2024-05-31T22:02:27Z"});
        let r = parse_playmobile(&fields_from_json(&underscore).unwrap()).unwrap();
        assert_eq!(
            (r.message_id.as_str(), r.status),
            ("m2", DeliveryStatus::Failed)
        );
        assert_eq!(r.raw_status, "not_delivered");
        assert_eq!(r.at, "2024-05-31T22:02:27.000Z");
        let in_flight = json!({"messageId": "m3", "status": "transmitted"});
        let r = parse_playmobile(&fields_from_json(&in_flight).unwrap()).unwrap();
        assert_eq!(r.status, DeliveryStatus::Pending);
        assert!(r.at.ends_with('Z'));
    }

    #[test]
    fn playmobile_bodies_are_an_object_or_an_array() {
        let many = json!([{"message-id": "a", "status": "expired"}, {"message-id": "b", "status": "delivered"}]);
        let rs = parse_playmobile_body(&many).unwrap();
        assert_eq!(rs.len(), 2);
        assert_eq!(
            (rs[0].status, rs[1].status),
            (DeliveryStatus::Failed, DeliveryStatus::Delivered)
        );
        assert_eq!(
            parse_playmobile_body(&json!({"message-id": "a", "status": "x"}))
                .unwrap()
                .len(),
            1
        );
        assert!(parse_playmobile_body(&json!([])).is_err());
        assert!(parse_playmobile_body(&json!([{"status": "delivered"}])).is_err());
        assert!(parse_playmobile_body(&json!({"message-id": "a"})).is_err());
        assert!(parse_playmobile_body(&json!("text")).is_err());
    }
}
