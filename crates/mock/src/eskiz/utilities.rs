//! Text utilities: `/message/sms/normalizer` and `/message/sms/check`.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::{json, Value};

use super::bearer::Authed;
use super::{respond, StrictPost};
use crate::fields::Fields;
use crate::reply;
use crate::shared::Shared;
use crate::text::{gsm_septets, segments};

/// Latin replacement for a character that would force UCS-2, or `None` if unknown.
fn replacement(c: char) -> Option<&'static str> {
    const CYRILLIC: [(char, &str); 33] = [
        ('а', "a"),
        ('б', "b"),
        ('в', "v"),
        ('г', "g"),
        ('д', "d"),
        ('е', "e"),
        ('ё', "yo"),
        ('ж', "j"),
        ('з', "z"),
        ('и', "i"),
        ('й', "y"),
        ('к', "k"),
        ('л', "l"),
        ('м', "m"),
        ('н', "n"),
        ('о', "o"),
        ('п', "p"),
        ('р', "r"),
        ('с', "s"),
        ('т', "t"),
        ('у', "u"),
        ('ф', "f"),
        ('х', "x"),
        ('ц', "ts"),
        ('ч', "ch"),
        ('ш', "sh"),
        ('щ', "sh"),
        ('ъ', ""),
        ('ы', "i"),
        ('ь', ""),
        ('э', "e"),
        ('ю', "yu"),
        ('я', "ya"),
    ];
    let lower = c.to_lowercase().next().unwrap_or(c);
    if let Some((_, latin)) = CYRILLIC.iter().find(|(k, _)| *k == lower) {
        return Some(latin);
    }
    Some(match c {
        'ʻ' | 'ʼ' | '‘' | '’' | '`' => "'",
        '“' | '”' | '«' | '»' => "\"",
        '—' | '–' => "-",
        '…' => "...",
        'ў' | 'Ў' => "o'",
        'ғ' | 'Ғ' => "g'",
        'қ' | 'Қ' => "q",
        'ҳ' | 'Ҳ' => "h",
        '€' => "EU",
        '№' => "N",
        _ => return None,
    })
}

fn capitalised(latin: &str, upper: bool) -> String {
    if !upper {
        return latin.to_owned();
    }
    let mut chars = latin.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `POST /message/sms/normalizer` (message): characters outside plain GSM, suggested
/// replacements and the text with them applied.
pub(crate) async fn normalizer(_auth: Authed, fields: Fields) -> Response {
    let Some(message) = fields.str("message") else {
        return respond::bad_request("message is required");
    };
    let mut special = Vec::new();
    let mut recommendations: Vec<Value> = Vec::new();
    let mut out = String::with_capacity(message.len());
    for (position, c) in message.chars().enumerate() {
        // Extension characters are GSM but cost double; € is flagged by the live API too.
        if c.is_ascii() && gsm_septets(c).is_some() {
            out.push(c);
            continue;
        }
        special.push(json!({"position": position, "code": format!("0x{:04X}", c as u32), "char": c.to_string()}));
        let to = replacement(c)
            .map(|latin| capitalised(latin, c.is_uppercase()))
            .unwrap_or_else(|| "[?]".to_owned());
        let rec = json!({"from": c.to_string(), "to": to});
        if !recommendations.contains(&rec) {
            recommendations.push(rec);
        }
        out.push_str(&to);
    }
    reply::ok(&json!({
        "special_characters": special,
        "recommendations": recommendations,
        "message": out,
    }))
}

/// `POST /message/sms/check` (documented as GET with a JSON body; both are accepted unless
/// `strictMethods`): parts, size and price per operator.
pub(crate) async fn check(
    _post: StrictPost,
    State(shared): State<Arc<Shared>>,
    _auth: Authed,
    fields: Fields,
) -> Response {
    let Some(message) = fields.str("message") else {
        return respond::bad_request("message is required");
    };
    let cfg = shared.eskiz.config.load();
    let s = segments(&message, false);
    let is_ad = shared.eskiz.templates.matches(&message).unwrap_or(false);
    let info: Vec<Value> = (1..=7)
        .map(|smsc| {
            json!({
                "smsc": smsc,
                "is_ad": is_ad,
                "price": cfg.price_per_part * s.parts as i64,
                "is_error": false,
                "error": "",
            })
        })
        .collect();
    respond::success(json!({
        "user_id": cfg.account_id,
        "info": info,
        "forbidden": false,
        "keywords": null,
        "can_send": true,
        "bytes_count": s.bytes,
        "chars_count": s.chars,
        "parts_count": s.parts,
    }))
}
