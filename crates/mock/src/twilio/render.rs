//! The Message resource as the API shows it (`api.v2010.account.message`), at a given time.
//!
//! Every property of the schema is present. `num_segments`, `num_media` and `price` are
//! strings, dates RFC 2822 in GMT, `error_code` an integer or null. `date_sent` and `price`
//! appear once the message is sent; `error_code` and `error_message` once it has failed or
//! is undelivered. A Messaging Service that picks the sender shows `from: null` and
//! `num_segments: "0"` until it has (the spec's own note).

use serde::Serialize;

use super::lifecycle::error_message;
use super::store::Message;
use crate::time::rfc2822;

pub(crate) const API_VERSION: &str = "2010-04-01";
/// What one outbound SMS segment costs, and one MMS, in `PRICE_UNIT` (Twilio's US list
/// prices); Twilio reports prices as negative amounts.
const SMS_SEGMENT_PRICE: f64 = 0.0079;
const MMS_PRICE: f64 = 0.02;
const PRICE_UNIT: &str = "USD";

#[derive(Serialize)]
struct SubresourceUris {
    media: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    feedback: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct MessageJson<'a> {
    account_sid: &'a str,
    api_version: &'static str,
    body: String,
    date_created: String,
    date_sent: Option<String>,
    date_updated: String,
    direction: &'static str,
    error_code: Option<u32>,
    error_message: Option<&'static str>,
    from: Option<&'a str>,
    messaging_service_sid: Option<&'a str>,
    num_media: String,
    num_segments: String,
    price: Option<String>,
    price_unit: &'static str,
    sid: &'a str,
    status: &'static str,
    subresource_uris: SubresourceUris,
    to: &'a str,
    uri: String,
}

/// `/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}`, without the `.json`.
fn path(m: &Message) -> String {
    format!(
        "/{API_VERSION}/Accounts/{}/Messages/{}",
        m.account_sid, m.sid
    )
}

pub(crate) fn message(m: &Message, now_ms: u64) -> MessageJson<'_> {
    let step = m.step(now_ms);
    let sent_ms = m.sent_ms(now_ms);
    let error_code = m.error_code(now_ms);
    let from = m.visible_from(now_ms);
    let segments = if from.is_some() { m.segments } else { 0 };
    let price = sent_ms.map(|_| {
        let amount = if m.num_media > 0 {
            MMS_PRICE
        } else {
            SMS_SEGMENT_PRICE * f64::from(m.segments)
        };
        format!("-{amount:.5}")
    });
    let base = path(m);
    MessageJson {
        account_sid: &m.account_sid,
        api_version: API_VERSION,
        body: m.body(),
        date_created: rfc2822(m.timeline.created_ms()),
        date_sent: sent_ms.map(rfc2822),
        date_updated: rfc2822(m.updated_ms(now_ms)),
        direction: "outbound-api",
        error_code,
        error_message: error_code.map(error_message),
        from,
        messaging_service_sid: m.messaging_service_sid.as_deref(),
        num_media: m.num_media.to_string(),
        num_segments: segments.to_string(),
        price,
        price_unit: PRICE_UNIT,
        sid: &m.sid,
        status: step.status,
        subresource_uris: SubresourceUris {
            media: format!("{base}/Media.json"),
            feedback: m.feedback.then(|| format!("{base}/Feedback.json")),
        },
        to: &m.to,
        uri: format!("{base}.json"),
    }
}
