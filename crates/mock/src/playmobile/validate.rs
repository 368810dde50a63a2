//! The send body's rules, checked in the order of Play Mobile's error table: the request
//! as a whole (101 syntax, 102 account lock, root `priority` 104, root `timing` 30x, 105
//! too many ids), then each message (103 channel, 104 priority, 202 recipient, 205
//! message-id, 206 variables, 30x timing, 401 originator, 404/405 content, 407 ttl). The
//! first refusal answers for the whole request: nothing of it is accepted.
//!
//! Defaults given at the root (`priority`, `timing`, `sms`, `template-id`) apply to every
//! message that does not override them. Where the docs are silent the sandbox takes the
//! strict reading and says so in the crate README: a recipient that is not `998` + 9
//! digits is refused as 202, an over-long `message-id` as 205, and only the `sms` channel
//! is imitated (a message with only `call` is 103).

use serde_json::{Map, Value};

use super::config::PlayMobileConfig;

/// One message as accepted, before the store numbers it.
#[derive(Clone, Debug)]
pub(crate) struct Draft {
    pub message_id: String,
    pub recipient: String,
    pub originator: String,
    /// Absent when sent by template.
    pub text: Option<String>,
    pub priority: Option<String>,
    pub template_id: Option<String>,
    pub variables: Option<Value>,
    pub timing: Option<Value>,
    pub ttl: Option<u64>,
}

const PRIORITIES: [&str; 4] = ["low", "normal", "high", "realtime"];

pub(crate) fn check(config: &PlayMobileConfig, body: &[u8]) -> Result<Vec<Draft>, u16> {
    let root: Value = serde_json::from_slice(body).map_err(|_| 101u16)?;
    let root = root.as_object().ok_or(101u16)?;
    let messages = root
        .get("messages")
        .and_then(Value::as_array)
        .ok_or(101u16)?;
    if messages.iter().any(|m| !m.is_object()) {
        return Err(101);
    }
    if config.locked {
        return Err(102);
    }
    if let Some(p) = root.get("priority") {
        check_priority(p)?;
    }
    if let Some(t) = root.get("timing") {
        check_timing(t)?;
    }
    if messages.is_empty() {
        return Err(202);
    }
    if config
        .max_messages_per_request
        .is_some_and(|max| messages.len() > max)
    {
        return Err(105);
    }
    messages
        .iter()
        .filter_map(Value::as_object)
        .map(|m| check_message(config, root, m))
        .collect()
}

fn template_id<'a>(root: &'a Map<String, Value>, m: &'a Map<String, Value>) -> Option<&'a Value> {
    ["template-id", "template_id"]
        .iter()
        .find_map(|k| m.get(*k))
        .or_else(|| {
            ["template-id", "template_id"]
                .iter()
                .find_map(|k| root.get(*k))
        })
}

fn check_message(
    config: &PlayMobileConfig,
    root: &Map<String, Value>,
    m: &Map<String, Value>,
) -> Result<Draft, u16> {
    // The SMS part: the message's own fields over the root's defaults.
    let own_sms = m.get("sms");
    let root_sms = root.get("sms");
    if own_sms.is_none() && root_sms.is_none() {
        return Err(103);
    }
    let own_sms = match own_sms {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o),
        Some(_) => return Err(101),
    };
    let root_sms = match root_sms {
        None | Some(Value::Null) => None,
        Some(Value::Object(o)) => Some(o),
        Some(_) => return Err(101),
    };
    let sms_field = |key: &str| {
        own_sms
            .and_then(|s| s.get(key))
            .or_else(|| root_sms.and_then(|s| s.get(key)))
    };

    let priority = match m.get("priority") {
        Some(p) => Some(check_priority(p)?),
        None => root
            .get("priority")
            .and_then(Value::as_str)
            .map(str::to_owned),
    };

    let recipient = match m.get("recipient") {
        Some(Value::String(r)) if !r.is_empty() => r.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(202),
    };
    if !is_uz_msisdn(&recipient) {
        return Err(202);
    }

    let message_id = match m.get("message-id") {
        Some(Value::String(id)) if !id.trim().is_empty() => id.clone(),
        _ => return Err(205),
    };
    if message_id.chars().count() > config.max_message_id_length
        || !message_id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(205);
    }

    let variables = match m.get("variables") {
        None | Some(Value::Null) => None,
        Some(Value::Object(vars)) if vars.values().all(|v| v.is_string() || v.is_number()) => {
            Some(Value::Object(vars.clone()))
        }
        Some(_) => return Err(206),
    };

    let timing = match m.get("timing") {
        Some(t) => {
            check_timing(t)?;
            Some(t.clone())
        }
        None => root.get("timing").cloned(),
    };

    let originator = match sms_field("originator") {
        Some(Value::String(o)) if !o.trim().is_empty() => o.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(401),
    };

    let template_id = match template_id(root, m) {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if !t.is_empty() => Some(t.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(_) => return Err(101),
    };

    let text = match sms_field("content") {
        None | Some(Value::Null) if template_id.is_some() => None,
        None | Some(Value::Null) => return Err(404),
        Some(Value::Object(content)) => match content.get("text") {
            Some(Value::String(t)) if !t.is_empty() => Some(t.clone()),
            None | Some(Value::Null) if template_id.is_some() => None,
            None | Some(Value::Null) => return Err(404),
            Some(Value::String(_)) => return Err(404),
            Some(_) => return Err(405),
        },
        Some(_) => return Err(405),
    };

    let ttl = match sms_field("ttl") {
        None | Some(Value::Null) => None,
        Some(v) => match v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        {
            Some(t) if t > 0 => Some(t),
            _ => return Err(407),
        },
    };

    Ok(Draft {
        message_id,
        recipient,
        originator,
        text,
        priority,
        template_id,
        variables,
        timing,
        ttl,
    })
}

fn check_priority(p: &Value) -> Result<String, u16> {
    match p.as_str() {
        Some(s) if PRIORITIES.contains(&s) => Ok(s.to_owned()),
        _ => Err(104),
    }
}

/// `998` and nine digits, nothing else (no `+`, no spaces).
pub(crate) fn is_uz_msisdn(s: &str) -> bool {
    s.len() == 12 && s.starts_with("998") && s.bytes().all(|b| b.is_ascii_digit())
}

/// A `timing` field's rule.
type FieldCheck = fn(&Value) -> bool;

fn check_timing(t: &Value) -> Result<(), u16> {
    let Some(t) = t.as_object() else {
        return Err(101);
    };
    let checks: [(&str, u16, FieldCheck); 6] = [
        ("localtime", 301, is_flag),
        ("start-datetime", 302, is_datetime),
        ("end-datetime", 303, is_datetime),
        ("allowed-starttime", 304, is_clock),
        ("allowed-endtime", 305, is_clock),
        ("send-evenly", 306, is_flag),
    ];
    for (key, code, ok) in checks {
        if let Some(v) = t.get(key) {
            if !ok(v) {
                return Err(code);
            }
        }
    }
    Ok(())
}

/// `0`/`1`, as number, string or boolean (the docs' samples show `"true"`/`"false"`).
fn is_flag(v: &Value) -> bool {
    match v {
        Value::Bool(_) => true,
        Value::Number(n) => matches!(n.as_u64(), Some(0 | 1)),
        Value::String(s) => matches!(s.as_str(), "0" | "1" | "true" | "false"),
        _ => false,
    }
}

/// `hh:mm`, 00:00–23:59.
fn clock_ok(s: &str) -> bool {
    let Some((h, m)) = s.split_once(':') else {
        return false;
    };
    h.len() == 2
        && m.len() == 2
        && h.parse::<u8>().is_ok_and(|h| h < 24)
        && m.parse::<u8>().is_ok_and(|m| m < 60)
}

fn is_clock(v: &Value) -> bool {
    v.as_str().is_some_and(clock_ok)
}

/// `YYYY-MM-DD hh:mm` (what clients send) or ISO 8601 with an offset (what the wiki says).
fn is_datetime(v: &Value) -> bool {
    let Some(s) = v.as_str() else {
        return false;
    };
    if crate::time::parse_iso8601(s).is_some() {
        return true;
    }
    let Some((date, time)) = s.split_once(' ') else {
        return false;
    };
    crate::time::parse_utc_day(date).is_some() && clock_ok(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn code(body: Value) -> Result<Vec<Draft>, u16> {
        check(&PlayMobileConfig::default(), body.to_string().as_bytes())
    }

    fn one(extra: Value) -> Value {
        let mut m = json!({"recipient": "998901234567", "message-id": "abc1",
            "sms": {"originator": "3700", "content": {"text": "hi"}}});
        for (k, v) in extra.as_object().unwrap() {
            m[k] = v.clone();
        }
        json!({"messages": [m]})
    }

    #[test]
    fn a_minimal_message_passes() {
        let d = code(one(json!({}))).unwrap();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].message_id, "abc1");
        assert_eq!(d[0].text.as_deref(), Some("hi"));
    }

    #[test]
    fn each_rule_answers_its_code() {
        assert_eq!(check(&PlayMobileConfig::default(), b"{").unwrap_err(), 101);
        assert_eq!(code(json!({"message": []})).unwrap_err(), 101);
        assert_eq!(code(json!({"messages": []})).unwrap_err(), 202);
        assert_eq!(code(one(json!({"priority": "urgent"}))).unwrap_err(), 104);
        assert_eq!(code(one(json!({"recipient": ""}))).unwrap_err(), 202);
        assert_eq!(
            code(one(json!({"recipient": "+998901234567"}))).unwrap_err(),
            202
        );
        assert_eq!(code(one(json!({"message-id": ""}))).unwrap_err(), 205);
        assert_eq!(
            code(one(json!({"message-id": "x".repeat(41)}))).unwrap_err(),
            205
        );
        assert_eq!(code(one(json!({"variables": [1]}))).unwrap_err(), 206);
        assert_eq!(
            code(one(json!({"timing": {"localtime": 2}}))).unwrap_err(),
            301
        );
        assert_eq!(
            code(one(
                json!({"timing": {"start-datetime": "2024-01-01 10-00"}})
            ))
            .unwrap_err(),
            302
        );
        assert_eq!(
            code(one(json!({"timing": {"end-datetime": "soon"}}))).unwrap_err(),
            303
        );
        assert_eq!(
            code(one(json!({"timing": {"allowed-starttime": "24:00"}}))).unwrap_err(),
            304
        );
        assert_eq!(
            code(one(json!({"timing": {"allowed-endtime": "9:00"}}))).unwrap_err(),
            305
        );
        assert_eq!(
            code(one(json!({"timing": {"send-evenly": "yes"}}))).unwrap_err(),
            306
        );
        assert_eq!(
            code(one(json!({"sms": {"content": {"text": "hi"}}}))).unwrap_err(),
            401
        );
        assert_eq!(
            code(one(json!({"sms": {"originator": "3700"}}))).unwrap_err(),
            404
        );
        assert_eq!(
            code(one(
                json!({"sms": {"originator": "3700", "content": {"text": ""}}})
            ))
            .unwrap_err(),
            404
        );
        assert_eq!(
            code(one(json!({"sms": {"originator": "3700", "content": "hi"}}))).unwrap_err(),
            405
        );
        assert_eq!(
            code(one(
                json!({"sms": {"originator": "3700", "ttl": 0, "content": {"text": "x"}}})
            ))
            .unwrap_err(),
            407
        );
        let no_channel = json!({"messages": [{"recipient": "998901234567", "message-id": "a"}]});
        assert_eq!(code(no_channel).unwrap_err(), 103);
    }

    #[test]
    fn both_timing_formats_pass() {
        let t = json!({"timing": {"start-datetime": "2024-01-01 10:00",
            "end-datetime": "2024-01-01T12:00:00Z", "localtime": "true", "send-evenly": 0,
            "allowed-starttime": "09:00", "allowed-endtime": "21:30"}});
        assert!(code(one(t)).is_ok());
    }

    #[test]
    fn root_defaults_apply_and_messages_override_them() {
        let body = json!({"priority": "high", "sms": {"originator": "3700", "content": {"text": "all"}},
            "messages": [{"recipient": "998901234567", "message-id": "a"},
                         {"recipient": "998901234568", "message-id": "b", "priority": "realtime",
                          "sms": {"originator": "Shop", "content": {"text": "own"}}}]});
        let d = code(body).unwrap();
        assert_eq!(
            (
                d[0].priority.as_deref(),
                d[0].originator.as_str(),
                d[0].text.as_deref()
            ),
            (Some("high"), "3700", Some("all"))
        );
        assert_eq!(
            (
                d[1].priority.as_deref(),
                d[1].originator.as_str(),
                d[1].text.as_deref()
            ),
            (Some("realtime"), "Shop", Some("own"))
        );
    }

    #[test]
    fn limits_follow_the_configuration() {
        let strict = PlayMobileConfig {
            max_message_id_length: 20,
            max_messages_per_request: Some(1),
            locked: false,
            ..Default::default()
        };
        let long_id = one(json!({"message-id": "x".repeat(21)}));
        assert_eq!(
            check(&strict, long_id.to_string().as_bytes()).unwrap_err(),
            205
        );
        let two = json!({"sms": {"originator": "3700", "content": {"text": "t"}},
            "messages": [{"recipient": "998901234567", "message-id": "a"}, {"recipient": "998901234567", "message-id": "b"}]});
        assert_eq!(check(&strict, two.to_string().as_bytes()).unwrap_err(), 105);
        let locked = PlayMobileConfig {
            locked: true,
            ..Default::default()
        };
        assert_eq!(
            check(&locked, one(json!({})).to_string().as_bytes()).unwrap_err(),
            102
        );
        // A template send needs no text.
        let by_template = json!({"template-id": "t1", "messages": [{"recipient": "998901234567",
            "message-id": "a", "variables": {"NAME": "Ivan"}, "sms": {"originator": "3700"}}]});
        assert!(code(by_template).is_ok());
    }
}
