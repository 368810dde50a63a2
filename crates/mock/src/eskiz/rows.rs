//! A stored message rendered as Eskiz renders it: a history row (`get-user-messages`) or
//! the detailed record (`status_by_id`). The two differ in the shape of `parts`.

use serde_json::{json, Map, Value};

use super::lifecycle::Stage;
use super::store::Message;
use crate::time::{iso_tashkent, iso_utc_ms, iso_utc_secs};

/// SMSC message id of part `index` (opaque to clients; stable per message).
fn part_id(m: &Message, index: u32) -> String {
    format!("{:x}", m.id * 16 + index as u64)
}

/// Country id Eskiz puts in rows: null for Uzbekistan.
fn country_id(m: &Message) -> Value {
    match m.country {
        None => Value::Null,
        Some(_) => json!(83),
    }
}

/// One entry per part, keyed by the part's SMSC id; none before the message is accepted.
fn per_part(m: &Message, stage: Stage, entry: impl Fn(u32) -> Value) -> Value {
    if stage == Stage::New {
        return Value::Object(Map::new());
    }
    Value::Object(
        (0..m.segments.parts)
            .map(|i| (part_id(m, i), entry(i)))
            .collect(),
    )
}

/// When the message reached its final status, Tashkent time; null before.
fn final_tashkent(m: &Message, stage: Stage) -> Value {
    if stage == Stage::Final {
        json!(iso_tashkent(m.timeline.final_ms))
    } else {
        Value::Null
    }
}

fn common(m: &Message, now: u64, account_id: u64) -> Map<String, Value> {
    let t = &m.timeline;
    let stage = t.stage(now);
    let state = t.part_state(now);
    let smsc_data = per_part(m, stage, |_| json!([state]));
    let mut row = Map::new();
    row.insert("id".into(), json!(m.id));
    row.insert("user_id".into(), json!(account_id));
    row.insert("country_id".into(), country_id(m));
    row.insert("connection_id".into(), json!(m.smsc_id));
    row.insert("smsc_id".into(), json!(m.smsc_id));
    row.insert("dispatch_id".into(), json!(m.dispatch_id));
    row.insert("user_sms_id".into(), json!(m.user_sms_id));
    row.insert("request_id".into(), json!(m.request_id.to_string()));
    row.insert("price".into(), json!(m.price));
    row.insert("is_ad".into(), json!(m.is_ad));
    row.insert("nick".into(), json!(m.nick));
    row.insert("to".into(), json!(m.to));
    row.insert("message".into(), json!(m.text));
    row.insert("encoding".into(), json!(m.segments.encoding));
    row.insert("parts_count".into(), json!(m.segments.parts));
    row.insert("status".into(), json!(t.status(now)));
    row.insert("smsc_data".into(), smsc_data);
    row.insert("sent_at".into(), json!(iso_utc_secs(t.created_ms)));
    row.insert(
        "submit_sm_resp_at".into(),
        if stage == Stage::New {
            Value::Null
        } else {
            json!(iso_utc_ms(t.accepted_ms))
        },
    );
    row.insert(
        "delivery_sm_at".into(),
        if stage == Stage::Final {
            json!(iso_utc_ms(t.final_ms))
        } else {
            Value::Null
        },
    );
    row.insert("created_at".into(), json!(iso_utc_ms(t.created_ms)));
    row.insert("updated_at".into(), json!(iso_utc_ms(t.updated_ms(now))));
    row
}

/// A row of `get-user-messages`: parts as `{accept, status, submit, delivery}`.
pub(crate) fn history_row(m: &Message, now: u64, account_id: u64) -> Value {
    let t = &m.timeline;
    let stage = t.stage(now);
    let mut row = common(m, now, account_id);
    let parts = per_part(m, stage, |_| {
        json!({
            "accept": iso_tashkent(t.accepted_ms),
            "status": t.part_state(now),
            "submit": 0,
            "delivery": final_tashkent(m, stage),
        })
    });
    row.insert("parts".into(), parts);
    Value::Object(row)
}

/// The record of `status_by_id`: parts as `{group, accepted, dlr_time, dlr_state, …}`, plus
/// `total_price`.
pub(crate) fn detail(m: &Message, now: u64, account_id: u64) -> Value {
    let t = &m.timeline;
    let stage = t.stage(now);
    let mut row = common(m, now, account_id);
    let parts = per_part(m, stage, |i| {
        json!({
            "group": m.id % 1000,
            "accepted": true,
            "dlr_time": final_tashkent(m, stage),
            "dlr_state": t.part_state(now),
            "part_index": i,
            "accept_time": iso_tashkent(t.accepted_ms),
            "accept_status": 0,
        })
    });
    row.insert("parts".into(), parts);
    row.insert("total_price".into(), json!(m.total_price()));
    Value::Object(row)
}
