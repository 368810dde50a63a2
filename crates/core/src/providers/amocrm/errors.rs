//! amoCRM answers that are not success → uzgate errors. Classified by status and, for OAuth,
//! by the English `hint`, never by the (Russian or English) title/detail text.

use crate::error::{Error, ErrorCode, Provider};
use crate::http::Response;
use serde_json::{json, Value};

fn body(resp: &Response) -> Option<Value> {
    resp.json_value()
}

/// Resource API (`/api/v4/...`): anything but 2xx/401/429/5xx.
pub fn refused(resp: &Response, what: &str) -> Error {
    let b = body(resp);
    let (code, retryable) = match resp.status {
        402 => (ErrorCode::AccountUnpaid, false),
        403 => (ErrorCode::AccessBlocked, false),
        404 => (ErrorCode::NotFound, false),
        _ => (ErrorCode::ProviderRejected, false),
    };
    let detail = resp.provider_message();
    let mut message = match code {
        ErrorCode::AccessBlocked => format!(
            "amoCRM blocked {what} (HTTP 403): the account or IP is blocked, usually after repeated rate-limit violations; only amoCRM support can lift it"
        ),
        ErrorCode::AccountUnpaid => format!("amoCRM refused {what}: the account's subscription has ended (HTTP 402)"),
        _ => format!("amoCRM refused {what} (HTTP {})", resp.status),
    };
    if let (Some(d), ErrorCode::ProviderRejected | ErrorCode::NotFound) = (&detail, code) {
        message.push_str(": ");
        message.push_str(d);
    }
    let mut err = Error::new(code, message)
        .with_provider(Provider::AmoCrm)
        .with_status(resp.status)
        .with_retryable(retryable)
        .with_provider_message(detail);
    if let Some(details) = b.as_ref().and_then(validation_details) {
        err = err.with_details(details);
    } else if let Some(b) = b {
        err = err.with_details(b);
    }
    err
}

/// `validation-errors` flattened field by field: `[{ requestId, code, path, detail }]`.
fn validation_details(b: &Value) -> Option<Value> {
    let groups = b.get("validation-errors")?.as_array()?;
    let fields: Vec<Value> = groups
        .iter()
        .flat_map(|g| {
            let request_id = g.get("request_id").cloned().unwrap_or(Value::Null);
            g.get("errors")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |e| {
                    json!({
                        "requestId": request_id,
                        "code": e.get("code"),
                        "path": e.get("path"),
                        "detail": e.get("detail"),
                    })
                })
        })
        .collect();
    Some(json!({ "validationErrors": fields, "title": b.get("title"), "detail": b.get("detail") }))
}

/// A 2xx whose body we cannot use (see `http::unusable_answer`).
pub fn unusable(resp: &Response, what: &str, created: bool) -> Error {
    crate::http::unusable_answer(Provider::AmoCrm, resp, what, created)
}

/// Why the token endpoint refused, from its `hint` (and title for client errors).
pub fn oauth_reason(resp: &Response) -> &'static str {
    let b = body(resp).unwrap_or_default();
    let hint = b.get("hint").and_then(Value::as_str).unwrap_or_default();
    match hint {
        "Authorization code has been revoked" => "code_revoked",
        "Authorization code has expired" => "code_expired",
        "Cannot decrypt the authorization code" => "code_invalid",
        "Token has been revoked" => "refresh_token_revoked",
        "Token has expired" => "refresh_token_expired",
        "Cannot decrypt the refresh token" => "refresh_token_invalid",
        "Token is not linked to client" => "refresh_token_invalid",
        "Redirect URI is not associated with client" => "redirect_uri_mismatch",
        "Invalid account" => "invalid_account",
        h if h.starts_with("Check the `client_id`")
            || h.starts_with("Check the `client_secret`") =>
        {
            "client_invalid"
        }
        _ if resp.status == 401 && b.get("title").is_some() && hint.is_empty() => "client_invalid",
        _ => "rejected",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::HeaderMap;
    use proptest::prelude::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn validation_errors_come_out_field_by_field() {
        let body = r#"{"validation-errors":[{"request_id":"0","errors":[
            {"code":"NotSupportedChoice","path":"custom_fields_values.0.field_id","detail":"The value you selected is not a valid choice."},
            {"code":"InvalidType","path":"status_id","detail":"This value should be of type array."}]}],
            "title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"}"#;
        let e = refused(&resp(400, body), "the lead");
        assert_eq!(e.code, ErrorCode::ProviderRejected);
        let fields = e.details.unwrap()["validationErrors"].clone();
        assert_eq!(fields[1]["path"], "status_id");
        assert_eq!(fields[0]["code"], "NotSupportedChoice");
    }

    #[test]
    fn oauth_reasons_come_from_the_hint() {
        let revoked = r#"{"hint":"Token has been revoked","title":"Некорректный запрос","type":"https://developers.amocrm.ru/v3/errors/OAuthProblemJson","status":401,"detail":"В запросе отсутствует ряд параметров или параметры невалидны"}"#;
        assert_eq!(oauth_reason(&resp(401, revoked)), "refresh_token_revoked");
        let client = r#"{"title":"Некорректный клиент","type":"https://developers.amocrm.ru/v3/errors/OAuthProblemJson","status":401,"detail":"Авторизация клиента не прошла"}"#;
        assert_eq!(oauth_reason(&resp(401, client)), "client_invalid");
    }

    proptest! {
        #[test]
        fn any_problem_body_maps_without_panicking(status in 400u16..600, body in ".{0,300}") {
            let e = refused(&resp(status, &body), "x");
            prop_assert_eq!(e.status, Some(status));
            let _ = oauth_reason(&resp(status, &body));
        }

        #[test]
        fn arbitrary_json_shapes_are_tolerated(v in prop::collection::vec(("[a-z-]{1,20}", "[ -~]{0,20}"), 0..6)) {
            let obj: serde_json::Map<String, Value> = v.into_iter().map(|(k, s)| (k, json!(s))).collect();
            let mut body = Value::Object(obj);
            body["validation-errors"] = json!([{"errors": [{"code": 1}]}, 5, "x"]);
            let _ = refused(&resp(400, &body.to_string()), "x");
        }
    }
}
