//! Spending reports built from the messages actually sent: `/user/totals` and
//! `/report/total-by-{month,smsc,range,dispatch}`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::bearer::Authed;
use super::history::inclusive_span;
use super::respond;
use super::store::Message;
use crate::fields::Fields;
use crate::reply;
use crate::shared::Shared;
use crate::time::{civil, now_ms, parse_tashkent, MONTH_ABBR, TASHKENT_OFFSET_MS};

#[derive(Default)]
struct Spend {
    ad_parts: u64,
    ad_spent: i64,
    parts: u64,
    spent: i64,
}

impl Spend {
    fn add(&mut self, m: &Message) {
        let parts = m.segments.parts as u64;
        if m.is_ad {
            self.ad_parts += parts;
            self.ad_spent += m.total_price();
        } else {
            self.parts += parts;
            self.spent += m.total_price();
        }
    }

    fn fields(&self) -> serde_json::Map<String, Value> {
        let v = json!({
            "ad_parts": self.ad_parts,
            "ad_spent": self.ad_spent,
            "parts": self.parts,
            "spent": self.spent,
            "total_parts": self.ad_parts + self.parts,
            "total_spent": self.ad_spent + self.spent,
        });
        match v {
            Value::Object(m) => m,
            _ => unreachable!("json! object literal"),
        }
    }
}

/// `{"status":…}` filter of the report endpoints: delivered / rejected / all.
fn status_ok(m: &Message, status: Option<&str>, now: u64) -> bool {
    let s = m.timeline.status(now);
    match status {
        Some("delivered") => s == "DELIVERED",
        Some("rejected") => s == "REJECTED",
        _ => true,
    }
}

fn year_month(m: &Message) -> (i64, u32) {
    let c = civil(m.timeline.created_ms, TASHKENT_OFFSET_MS);
    (c.year, c.month)
}

fn this_year() -> i64 {
    civil(now_ms(), TASHKENT_OFFSET_MS).year
}

fn int(fields: &Fields, key: &str) -> Option<i64> {
    fields.text(key).and_then(|v| v.parse().ok())
}

/// `POST /user/totals` (year, month, is_global): packets per status in one month.
pub(crate) async fn totals(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let now = now_ms();
    let year = int(&fields, "year").unwrap_or_else(this_year);
    let month = int(&fields, "month").map(|m| m as u32);
    let global = fields.text("is_global").as_deref() == Some("1");
    let mut by_status: BTreeMap<(u32, &str), u64> = BTreeMap::new();
    for m in shared.eskiz.store.all() {
        let (y, mo) = year_month(&m);
        if y != year || month.is_some_and(|x| x != mo) || m.country.is_some() != global {
            continue;
        }
        *by_status.entry((mo, m.timeline.status(now))).or_default() += m.segments.parts as u64;
    }
    let data: Vec<Value> = by_status
        .into_iter()
        .map(|((mo, status), packets)| {
            json!({"status": status, "month": MONTH_ABBR[(mo - 1) as usize], "packets": packets})
        })
        .collect();
    respond::success(Value::Array(data))
}

/// `GET /report/total-by-month?year=`.
pub(crate) async fn by_month(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let year = int(&fields, "year").unwrap_or_else(this_year);
    let mut months: BTreeMap<u32, Spend> = BTreeMap::new();
    for m in shared.eskiz.store.all() {
        let (y, mo) = year_month(&m);
        if y == year {
            months.entry(mo).or_default().add(&m);
        }
    }
    let data: Vec<Value> = months
        .into_iter()
        .map(|(month, spend)| {
            let mut item = spend.fields();
            item.insert("year".into(), json!(year));
            item.insert("month".into(), json!(month));
            Value::Object(item)
        })
        .collect();
    reply::ok(&json!({"data": data}))
}

/// `POST /report/total-by-smsc` (year, month): as by-month, per operator.
pub(crate) async fn by_smsc(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let year = int(&fields, "year").unwrap_or_else(this_year);
    let month = int(&fields, "month").map(|m| m as u32);
    let mut groups: BTreeMap<(u32, u8), Spend> = BTreeMap::new();
    for m in shared.eskiz.store.all() {
        let (y, mo) = year_month(&m);
        if y == year && month.is_none_or(|x| x == mo) {
            groups.entry((mo, m.smsc_id)).or_default().add(&m);
        }
    }
    let data: Vec<Value> = groups
        .into_iter()
        .map(|((month, smsc), spend)| {
            let mut item = spend.fields();
            item.insert("year".into(), json!(year));
            item.insert("month".into(), json!(month));
            item.insert("smsc_id".into(), json!(smsc));
            Value::Object(item)
        })
        .collect();
    reply::ok(&json!({"data": data}))
}

/// `POST /report/total-by-range?status=` (start_date, to_date, is_ad): one total.
pub(crate) async fn by_range(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let start = fields.text("start_date").and_then(|s| parse_tashkent(&s));
    let end = fields
        .text("to_date")
        .or_else(|| fields.text("end_date"))
        .and_then(|s| parse_tashkent(&s).map(|ms| ms + inclusive_span(&s)));
    let is_ad = fields.text("is_ad").map(|v| v == "1");
    let status = fields.text("status").map(|s| s.to_ascii_lowercase());
    let now = now_ms();
    let mut spend = Spend::default();
    for m in shared.eskiz.store.all() {
        let at = m.timeline.created_ms;
        if start.is_some_and(|s| at < s)
            || end.is_some_and(|e| at > e)
            || is_ad.is_some_and(|ad| ad != m.is_ad)
            || !status_ok(&m, status.as_deref(), now)
        {
            continue;
        }
        spend.add(&m);
    }
    reply::ok(&json!({"data": [Value::Object(spend.fields())]}))
}

/// `POST /report/total-by-dispatch?status=` (dispatch_id, is_ad): one total.
pub(crate) async fn by_dispatch(
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let Some(dispatch) = int(&fields, "dispatch_id") else {
        return respond::bad_request("dispatch_id is required");
    };
    let is_ad = fields.text("is_ad").map(|v| v == "1");
    let status = fields.text("status").map(|s| s.to_ascii_lowercase());
    let now = now_ms();
    let mut spend = Spend::default();
    for m in shared.eskiz.store.all() {
        if m.dispatch_id == Some(dispatch)
            && is_ad.is_none_or(|ad| ad == m.is_ad)
            && status_ok(&m, status.as_deref(), now)
        {
            spend.add(&m);
        }
    }
    let mut item = spend.fields();
    item.insert("dispatch_id".into(), json!(dispatch));
    reply::ok(&json!({"data": [Value::Object(item)]}))
}
