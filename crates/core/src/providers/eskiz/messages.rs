//! Sending and reading messages. Sends are not idempotent: they are repeated only when Eskiz
//! provably did not process them (see `http::exec`); otherwise the error is `OUTCOME_UNKNOWN`.

use super::errors::{refused, unusable};
use super::wire::{as_f64, as_string, as_u64, Envelope, MessageRow, Page, SendResponse};
use super::EskizClient;
use crate::error::{Error, Result};
use crate::http::Request;
use crate::phone::{self, Phone};
use crate::segments::{Encoding, SegmentInfo};
use crate::sms::delivery_status;
use crate::sms::types::{BatchItemResult, BatchResult, MessageStatus, SendInput, SendResult};
use crate::sms::validate;
use crate::store::unix_now_ms;
use crate::time::tashkent_minute;
use serde::Serialize;
use serde_json::{json, Value};

/// A message checked and normalised, ready to go.
struct Prepared {
    phone: Phone,
    text: String,
    from: String,
    callback_url: Option<String>,
    reference: Option<String>,
    segments: SegmentInfo,
}

#[derive(Clone, Debug, Default)]
pub struct HistoryQuery {
    /// `YYYY-MM-DD` or `YYYY-MM-DD HH:MM` (Tashkent time); default: 30 days ago.
    pub start_date: Option<String>,
    /// Same format; default: now.
    pub end_date: Option<String>,
    pub page: Option<u32>,
    /// 20–200 (Eskiz's bounds); default 20.
    pub page_size: Option<u32>,
    /// `delivered` | `rejected`; all when absent.
    pub status: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryRow {
    pub id: Option<String>,
    pub request_id: Option<String>,
    pub reference: Option<String>,
    pub dispatch_id: Option<String>,
    pub to: Option<String>,
    pub from: Option<String>,
    pub text: Option<String>,
    pub status: String,
    pub raw_status: String,
    pub segments: Option<u32>,
    /// Price per part (UZS); the message cost is `price * segments`.
    pub price: Option<f64>,
    pub sent_at: Option<String>,
    pub delivered_at: Option<String>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    pub page: u32,
    pub last_page: u32,
    pub page_size: u32,
    pub total: u64,
    pub items: Vec<HistoryRow>,
}

impl EskizClient {
    fn prepare(&self, input: &SendInput, local_only: bool) -> Result<Prepared> {
        let phone = phone::normalize(&input.to, "UZ")?;
        if local_only && !phone.is_uzbek() {
            return Err(Error::new(
                crate::error::ErrorCode::InvalidPhone,
                format!(
                    "{} is not an Uzbek number; Eskiz sends abroad through sendGlobal",
                    phone.masked()
                ),
            ));
        }
        let segments = validate::text(&input.text)?;
        let from = match &input.from {
            Some(f) => {
                validate::sender(f)?;
                f.clone()
            }
            None => self.from.clone(),
        };
        let callback_url = match &input.callback_url {
            Some(url) => {
                validate::callback_url(url)?;
                Some(url.clone())
            }
            None => self.callback_url.clone(),
        };
        if let Some(r) = &input.reference {
            validate::eskiz_reference(r)?;
        }
        Ok(Prepared {
            phone,
            text: input.text.clone(),
            from,
            callback_url,
            reference: input.reference.clone(),
            segments,
        })
    }

    pub async fn send(&self, input: SendInput) -> Result<SendResult> {
        let p = self.prepare(&input, true)?;
        let mut fields = vec![
            ("mobile_phone", p.phone.digits().to_string()),
            ("message", p.text.clone()),
            ("from", p.from.clone()),
        ];
        if let Some(url) = &p.callback_url {
            fields.push(("callback_url", url.clone()));
        }
        if let Some(r) = &p.reference {
            fields.push(("user_sms_id", r.clone()));
        }
        let resp = self
            .call(Request::post("/message/sms/send", "sms/send").form(&fields))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the message"));
        }
        let body: SendResponse =
            serde_json::from_slice(&resp.body).map_err(|_| unusable(&resp, "the message", true))?;
        let id = as_string(&body.id).ok_or_else(|| unusable(&resp, "the message", true))?;
        let raw_status = body
            .status
            .as_ref()
            .and_then(Value::as_str)
            .unwrap_or("waiting")
            .to_string();
        self.log.debug(format_args!(
            "sent SMS to {} ({} segment(s))",
            p.phone.masked(),
            p.segments.segments
        ));
        Ok(SendResult {
            id,
            provider: "eskiz",
            status: delivery_status::eskiz(&raw_status),
            raw_status,
            segments: p.segments.segments,
            encoding: p.segments.encoding.as_str(),
            to: p.phone.e164,
            attempts: Vec::new(),
        })
    }

    /// One `send-batch` request; every message is validated first, so one bad number rejects
    /// the whole batch before anything is sent.
    pub async fn send_batch(
        &self,
        messages: Vec<SendInput>,
        dispatch_id: Option<u64>,
    ) -> Result<BatchResult> {
        if messages.is_empty() {
            return Err(Error::invalid("sendBatch needs at least one message"));
        }
        if messages.len() > validate::MAX_BATCH {
            return Err(Error::invalid(format!(
                "sendBatch takes at most {} messages per call",
                validate::MAX_BATCH
            )));
        }
        let prepared = messages
            .iter()
            .enumerate()
            .map(|(i, m)| {
                self.prepare(m, true).map_err(|mut e| {
                    e.message = format!("messages[{i}]: {}", e.message);
                    e
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(c) = prepared.iter().skip(1).find(|p| p.from != prepared[0].from) {
            return Err(Error::invalid(format!(
                "all messages of an Eskiz batch share one sender; got {:?} and {:?}",
                prepared[0].from, c.from
            )));
        }
        let dispatch_id = match dispatch_id {
            Some(0) => return Err(Error::invalid("dispatchId must be a positive integer")),
            Some(d) => d,
            None => unix_now_ms(),
        };
        let items: Vec<Value> = prepared
            .iter()
            .map(|p| {
                let mut m = json!({ "to": p.phone.digits(), "text": p.text });
                if let Some(r) = &p.reference {
                    m["user_sms_id"] = json!(r);
                }
                m
            })
            .collect();
        let mut body = json!({
            "messages": items,
            "from": prepared[0].from,
            "dispatch_id": dispatch_id,
        });
        if let Some(url) = &prepared[0].callback_url {
            body["callback_url"] = json!(url);
        }
        let resp = self
            .call(Request::post("/message/sms/send-batch", "sms/send-batch").json(&body))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the batch"));
        }
        let parsed: SendResponse =
            serde_json::from_slice(&resp.body).map_err(|_| unusable(&resp, "the batch", true))?;
        let id = as_string(&parsed.id).ok_or_else(|| unusable(&resp, "the batch", true))?;
        let statuses: Vec<String> = match &parsed.status {
            Some(Value::Array(a)) => a
                .iter()
                .map(|s| s.as_str().unwrap_or("waiting").to_string())
                .collect(),
            Some(Value::String(s)) => vec![s.clone(); prepared.len()],
            _ => vec!["waiting".to_string(); prepared.len()],
        };
        let messages: Vec<BatchItemResult> = prepared
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let raw = statuses.get(i).cloned().unwrap_or_else(|| "waiting".into());
                BatchItemResult {
                    to: p.phone.e164,
                    status: delivery_status::eskiz(&raw),
                    raw_status: raw,
                    segments: p.segments.segments,
                    reference: p.reference,
                    id: None,
                    error: None,
                    provider: None,
                }
            })
            .collect();
        Ok(BatchResult {
            id,
            provider: "eskiz",
            dispatch_id: Some(dispatch_id),
            segments: messages.iter().map(|m| m.segments).sum(),
            messages,
        })
    }

    /// International SMS (`send-global`): any valid number; the country comes from the number.
    pub async fn send_global(&self, input: SendInput) -> Result<SendResult> {
        let p = self.prepare(&input, false)?;
        let country = p.phone.country.clone().ok_or_else(|| {
            Error::new(
                crate::error::ErrorCode::InvalidPhone,
                "cannot tell the country of this number",
            )
        })?;
        let mut fields = vec![
            ("mobile_phone", p.phone.digits().to_string()),
            ("message", p.text.clone()),
            ("country_code", country),
            (
                "unicode",
                if p.segments.encoding == Encoding::Ucs2 {
                    "1"
                } else {
                    "0"
                }
                .to_string(),
            ),
        ];
        if let Some(url) = &p.callback_url {
            fields.push(("callback_url", url.clone()));
        }
        let resp = self
            .call(Request::post("/message/sms/send-global", "sms/send-global").form(&fields))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the international message"));
        }
        // Eskiz documents no answer here: an empty body is a success without an id.
        let (id, raw_status) = if resp.body.iter().all(u8::is_ascii_whitespace) {
            (String::new(), "waiting".to_string())
        } else {
            let body: SendResponse = serde_json::from_slice(&resp.body)
                .map_err(|_| unusable(&resp, "the international message", true))?;
            (
                as_string(&body.id).unwrap_or_default(),
                body.status
                    .as_ref()
                    .and_then(Value::as_str)
                    .unwrap_or("waiting")
                    .to_string(),
            )
        };
        Ok(SendResult {
            id,
            provider: "eskiz",
            status: delivery_status::eskiz(&raw_status),
            raw_status,
            segments: p.segments.segments,
            encoding: p.segments.encoding.as_str(),
            to: p.phone.e164,
            attempts: Vec::new(),
        })
    }

    /// One message by the id `send` returned (or Eskiz's numeric id).
    pub async fn status(&self, id: &str) -> Result<MessageStatus> {
        let id = id.trim();
        if id.is_empty()
            || id.len() > 64
            || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            return Err(Error::invalid(
                "id must be the id returned by send (a UUID) or Eskiz's numeric message id",
            ));
        }
        let resp = self
            .call(Request::get(
                format!("/message/sms/status_by_id/{id}"),
                "sms/status_by_id",
            ))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the status request"));
        }
        let row = serde_json::from_slice::<Envelope<MessageRow>>(&resp.body)
            .ok()
            .and_then(|e| e.data)
            .ok_or_else(|| unusable(&resp, "the status request", false))?;
        let raw = row.status.clone().unwrap_or_default();
        Ok(MessageStatus {
            id: id.to_string(),
            provider: "eskiz",
            status: delivery_status::eskiz(&raw),
            raw_status: raw,
            to: as_string(&row.to),
            segments: as_u64(&row.parts_count).map(|n| n as u32),
            reference: as_string(&row.user_sms_id),
            error_code: None,
            updated_at: row.updated_at.or(row.delivery_sm_at).or(row.created_at),
        })
    }

    /// Sent messages (`get-user-messages`), one page.
    pub async fn messages(&self, query: HistoryQuery) -> Result<HistoryPage> {
        let page = query.page.unwrap_or(1).max(1);
        let page_size = query.page_size.unwrap_or(20);
        if !(20..=200).contains(&page_size) {
            return Err(Error::invalid(
                "pageSize must be between 20 and 200 (Eskiz's bounds)",
            ));
        }
        let status = match query.status.as_deref() {
            None | Some("") => "",
            Some("delivered") => "delivered",
            Some("rejected") => "rejected",
            Some(other) => {
                return Err(Error::invalid(format!(
                    "status {other:?} must be 'delivered' or 'rejected' (or absent for all)"
                )))
            }
        };
        let now = unix_now_ms();
        let start = match &query.start_date {
            Some(d) => eskiz_date(d, "00:00")?,
            None => tashkent_minute(now.saturating_sub(30 * 86_400_000)),
        };
        let end = match &query.end_date {
            Some(d) => eskiz_date(d, "23:59")?,
            None => tashkent_minute(now),
        };
        let path = format!("/message/sms/get-user-messages?status={status}&page={page}");
        let req = Request::post(path, "sms/get-user-messages")
            .idempotent(true)
            .form(&[
                ("start_date", start.as_str()),
                ("to_date", end.as_str()),
                ("page_size", &page_size.to_string()),
                ("count", "0"),
                ("is_ad", ""),
            ]);
        let resp = self.call(req).await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the history request"));
        }
        let data = serde_json::from_slice::<Envelope<Page>>(&resp.body)
            .ok()
            .and_then(|e| e.data)
            .ok_or_else(|| unusable(&resp, "the history request", false))?;
        let rows: Vec<MessageRow> = match data.result {
            Some(v @ Value::Array(_)) => serde_json::from_value(v)
                .map_err(|_| unusable(&resp, "the history request", false))?,
            _ => Vec::new(),
        };
        Ok(HistoryPage {
            page: as_u64(&data.current_page).unwrap_or(page as u64) as u32,
            last_page: as_u64(&data.last_page).unwrap_or(page as u64) as u32,
            page_size: as_u64(&data.per_page).unwrap_or(page_size as u64) as u32,
            total: as_u64(&data.total).unwrap_or(rows.len() as u64),
            items: rows.into_iter().map(history_row).collect(),
        })
    }
}

fn history_row(r: MessageRow) -> HistoryRow {
    let raw = r.status.unwrap_or_default();
    HistoryRow {
        id: as_string(&r.id),
        request_id: r.request_id,
        reference: as_string(&r.user_sms_id),
        dispatch_id: as_string(&r.dispatch_id),
        to: as_string(&r.to),
        from: r.nick,
        text: r.message,
        status: delivery_status::eskiz(&raw).as_str().to_string(),
        raw_status: raw,
        segments: as_u64(&r.parts_count).map(|n| n as u32),
        price: as_f64(&r.price),
        sent_at: r.sent_at,
        delivered_at: r.delivery_sm_at,
    }
}

/// `2026-11-01` → `2026-11-01 00:00`; `2026-11-01 09:30` stays. Anything else is refused.
fn eskiz_date(input: &str, default_time: &str) -> Result<String> {
    let s = input.trim();
    let bad = || {
        Error::invalid(format!(
            "date {input:?} must be YYYY-MM-DD or YYYY-MM-DD HH:MM"
        ))
    };
    let (date, time) = match s.split_once(' ') {
        Some((d, t)) => (d, t.to_string()),
        None => (s, default_time.to_string()),
    };
    let d: Vec<&str> = date.split('-').collect();
    let t: Vec<&str> = time.split(':').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.chars().all(|c| c.is_ascii_digit());
    if d.len() != 3 || !digits(d[0], 4) || !digits(d[1], 2) || !digits(d[2], 2) {
        return Err(bad());
    }
    if t.len() != 2 || !digits(t[0], 2) || !digits(t[1], 2) {
        return Err(bad());
    }
    let (month, day, hour, minute): (u32, u32, u32, u32) = (
        d[1].parse().map_err(|_| bad())?,
        d[2].parse().map_err(|_| bad())?,
        t[0].parse().map_err(|_| bad())?,
        t[1].parse().map_err(|_| bad())?,
    );
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 {
        return Err(bad());
    }
    Ok(format!("{date} {time}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_checked() {
        assert_eq!(
            eskiz_date("2026-11-01", "00:00").unwrap(),
            "2026-11-01 00:00"
        );
        assert_eq!(
            eskiz_date("2026-11-01 09:30", "00:00").unwrap(),
            "2026-11-01 09:30"
        );
        for bad in [
            "2026-13-01",
            "01.11.2026",
            "2026-11-01 25:00",
            "2026-11-1",
            "x",
        ] {
            assert!(eskiz_date(bad, "00:00").is_err(), "{bad}");
        }
    }
}
