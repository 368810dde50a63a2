//! Status and history: `status_by_id`, `get-user-messages`, `…-by-dispatch`,
//! `get-dispatch-status`, `/message/export` and `/logs/sms/{id}`.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{json, Value};
use uuid::Uuid;

use super::bearer::Authed;
use super::lifecycle::Stage;
use super::paginate::paginate;
use super::rows::{detail, history_row};
use super::store::Message;
use super::{respond, StrictPost};
use crate::fields::Fields;
use crate::reply;
use crate::shared::Shared;
use crate::time::{civil, now_ms, parse_tashkent, plain_tashkent, TASHKENT_OFFSET_MS};

/// Message statuses in the order totals are listed.
const STATUS_ORDER: [&str; 4] = ["NEW", "ACCEPTED", "DELIVERED", "REJECTED"];

fn find(shared: &Shared, id: &str) -> Option<Arc<Message>> {
    if let Ok(n) = id.parse::<u64>() {
        shared.eskiz.store.get(n)
    } else {
        Uuid::parse_str(id)
            .ok()
            .and_then(|u| shared.eskiz.store.get_by_request(&u))
    }
}

/// `GET /message/sms/status_by_id/{id}`: integer message id or request UUID. A batch's
/// request id resolves to the batch's first message.
pub(crate) async fn status_by_id(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    Path(id): Path<String>,
) -> Response {
    match find(&shared, &id) {
        Some(m) => {
            let account = shared.eskiz.config.load().account_id;
            respond::success(detail(&m, now_ms(), account))
        }
        None => respond::not_found("SMS not found"),
    }
}

/// History filters shared by the list endpoints.
#[derive(Default)]
struct Filter {
    /// `delivered`, `rejected`, or a message status; empty or `all` = everything.
    status: String,
    start_ms: Option<u64>,
    end_ms: Option<u64>,
    is_ad: Option<bool>,
    dispatch_id: Option<i64>,
}

impl Filter {
    fn from_fields(fields: &Fields) -> Result<Filter, String> {
        let mut f = Filter {
            status: fields
                .text("status")
                .map(|s| s.to_ascii_lowercase())
                .unwrap_or_default(),
            ..Filter::default()
        };
        if let Some(s) = fields.text("start_date") {
            f.start_ms = Some(parse_tashkent(&s).ok_or("start_date is invalid")?);
        }
        // The docs' request says to_date, their saved example end_date.
        for key in ["to_date", "end_date"] {
            if let Some(s) = fields.text(key) {
                let start = parse_tashkent(&s).ok_or_else(|| format!("{key} is invalid"))?;
                f.end_ms = Some(start + inclusive_span(&s));
                break;
            }
        }
        f.is_ad = match fields.text("is_ad").as_deref() {
            None => None,
            Some("1") | Some("true") => Some(true),
            Some("0") | Some("false") => Some(false),
            Some(_) => return Err("is_ad is invalid".into()),
        };
        Ok(f)
    }

    fn accepts(&self, m: &Message, now: u64) -> bool {
        let status = m.timeline.status(now);
        let status_ok = match self.status.as_str() {
            "" | "all" => true,
            "delivered" => status == "DELIVERED" || status == "PARTDELIVERED",
            "rejected" => status == "REJECTED",
            other => status.eq_ignore_ascii_case(other),
        };
        status_ok
            && self.start_ms.is_none_or(|s| m.timeline.created_ms >= s)
            && self.end_ms.is_none_or(|e| m.timeline.created_ms <= e)
            && self.is_ad.is_none_or(|ad| m.is_ad == ad)
            && self.dispatch_id.is_none_or(|d| m.dispatch_id == Some(d))
    }
}

/// An end date covers its whole day, minute or second.
pub(crate) fn inclusive_span(s: &str) -> u64 {
    match s.trim().len() {
        0..=10 => 86_399_999,
        11..=16 => 59_999,
        _ => 999,
    }
}

fn selected(shared: &Shared, filter: &Filter, now: u64) -> Vec<Arc<Message>> {
    let mut list: Vec<_> = shared
        .eskiz
        .store
        .all()
        .into_iter()
        .filter(|m| filter.accepts(m, now))
        .collect();
    list.reverse(); // newest first, as the cabinet lists them
    list
}

fn totals(messages: &[Arc<Message>], now: u64) -> Value {
    let mut counts = [0u64; STATUS_ORDER.len()];
    for m in messages {
        let s = m.timeline.status(now);
        if let Some(i) = STATUS_ORDER.iter().position(|x| *x == s) {
            counts[i] += 1;
        }
    }
    Value::Array(
        STATUS_ORDER
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| json!({"status": s, "total": n}))
            .collect(),
    )
}

fn number(fields: &Fields, keys: &[&str], default: usize) -> usize {
    keys.iter()
        .find_map(|k| fields.text(k).and_then(|v| v.parse::<usize>().ok()))
        .unwrap_or(default)
}

fn listing(
    shared: &Shared,
    fields: &Fields,
    filter: &Filter,
    endpoint: &str,
    max_page: usize,
) -> Response {
    let now = now_ms();
    let messages = selected(shared, filter, now);
    if fields.text("count").as_deref() == Some("1") {
        return respond::success(totals(&messages, now));
    }
    let per_page = number(fields, &["page_size", "page-size"], 20).clamp(20, max_page);
    let page = number(fields, &["page"], 1);
    let account = shared.eskiz.config.load().account_id;
    let rows = messages
        .iter()
        .map(|m| history_row(m, now, account))
        .collect();
    let path = format!("{}{endpoint}", shared.base_url);
    reply::ok(&json!({
        "data": paginate(rows, page, per_page, &path),
        "status": "success",
    }))
}

/// `POST /message/sms/get-user-messages` (`?status=&page=`; start_date, to_date|end_date,
/// page_size 20–200, count, is_ad).
pub(crate) async fn user_messages(
    _post: StrictPost,
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let filter = match Filter::from_fields(&fields) {
        Ok(f) => f,
        Err(msg) => return respond::bad_request(&msg),
    };
    listing(
        &shared,
        &fields,
        &filter,
        "/message/sms/get-user-messages",
        200,
    )
}

fn dispatch_id(fields: &Fields) -> Result<i64, &'static str> {
    let raw = fields
        .text("dispatch_id")
        .ok_or("dispatch_id is required")?;
    raw.parse().map_err(|_| "dispatch_id is invalid")
}

/// `POST /message/sms/get-user-messages-by-dispatch` (`?status=&page-size=`; dispatch_id,
/// count, is_ad).
pub(crate) async fn messages_by_dispatch(
    _post: StrictPost,
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let mut filter = match Filter::from_fields(&fields) {
        Ok(f) => f,
        Err(msg) => return respond::bad_request(&msg),
    };
    filter.dispatch_id = match dispatch_id(&fields) {
        Ok(d) => Some(d),
        Err(msg) => return respond::bad_request(msg),
    };
    listing(
        &shared,
        &fields,
        &filter,
        "/message/sms/get-user-messages-by-dispatch",
        1000,
    )
}

/// `POST /message/sms/get-dispatch-status` (user_id optional, dispatch_id).
pub(crate) async fn dispatch_status(
    _post: StrictPost,
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let filter = Filter {
        dispatch_id: match dispatch_id(&fields) {
            Ok(d) => Some(d),
            Err(msg) => return respond::bad_request(msg),
        },
        ..Filter::default()
    };
    let now = now_ms();
    respond::success(totals(&selected(&shared, &filter, now), now))
}

/// `POST /message/export?status=all|delivered|rejected` (year, month, start, end day):
/// CSV, not JSON.
pub(crate) async fn export(
    _post: StrictPost,
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let filter = match Filter::from_fields(&fields) {
        Ok(f) => f,
        Err(msg) => return respond::bad_request(&msg),
    };
    let year = fields.text("year").and_then(|v| v.parse::<i64>().ok());
    let month = fields.text("month").and_then(|v| v.parse::<u32>().ok());
    let first_day = fields.text("start").and_then(|v| v.parse::<u32>().ok());
    let last_day = fields.text("end").and_then(|v| v.parse::<u32>().ok());
    let now = now_ms();
    let mut csv = String::from("id,request_id,user_sms_id,dispatch_id,nick,to,message,parts_count,price,status,created_at\n");
    for m in selected(&shared, &filter, now).iter().rev() {
        let c = civil(m.timeline.created_ms, TASHKENT_OFFSET_MS);
        if year.is_some_and(|y| y != c.year)
            || month.is_some_and(|mo| mo != c.month)
            || first_day.is_some_and(|d| c.day < d)
            || last_day.is_some_and(|d| c.day > d)
        {
            continue;
        }
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            m.id,
            m.request_id,
            m.user_sms_id.as_deref().unwrap_or(""),
            m.dispatch_id.map(|d| d.to_string()).unwrap_or_default(),
            csv_field(&m.nick),
            m.to,
            csv_field(&m.text),
            m.segments.parts,
            m.total_price(),
            m.timeline.status(now),
            plain_tashkent(m.timeline.created_ms),
        ));
    }
    reply::raw(StatusCode::OK, "text/csv; charset=utf-8", csv)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `GET /logs/sms/{id}`: the system log of one SMS (Uzbek texts, as the live one).
pub(crate) async fn logs(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    Path(id): Path<String>,
) -> Response {
    let Some(m) = find(&shared, &id) else {
        return respond::not_found("SMS not found");
    };
    let now = now_ms();
    let t = &m.timeline;
    let mut entries = vec![(t.created_ms, "SMS qabul qilindi".to_owned())];
    if m.callback_url.is_none() {
        entries.push((t.created_ms, "CallbackURL bo'sh".to_owned()));
    }
    if t.stage(now) != Stage::New {
        entries.push((t.accepted_ms, "SMS operatorga yuborildi".to_owned()));
    }
    if t.stage(now) == Stage::Final {
        entries.push((
            t.final_ms,
            format!(
                "SMS ning holati o'zgardi (state={}, message_id={})",
                t.part_state(now),
                m.id
            ),
        ));
    }
    let messages: Vec<Value> = entries
        .into_iter()
        .map(|(at, text)| {
            json!({
                "ip": "127.0.0.1",
                "from": m.nick,
                "to": m.to,
                "dispatch_id": m.dispatch_id,
                "user_sms_id": m.user_sms_id,
                "timestamp": plain_tashkent(at),
                "message": text,
                "full_message": text,
                "level_name": "INFO",
            })
        })
        .collect();
    reply::ok(&json!({"messages_count": messages.len(), "messages": messages}))
}
