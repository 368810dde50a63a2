//! Request bodies: the JSON arrays of API writes and the fields of the token endpoint.

use axum::http::{header, HeaderMap};
use axum::response::Response;
use serde_json::{Map, Value};

use super::problem;
use super::validation::{BatchErrors, Violations};

/// Why a write body was refused.
pub(crate) enum BodyError {
    /// "Request data can not be empty".
    Empty,
    /// Not the list (or object) the endpoint wants.
    NotAList,
}

impl BodyError {
    pub(crate) fn into_response(self) -> Response {
        match self {
            BodyError::Empty => problem::empty_request(),
            BodyError::NotAList => {
                let mut errors = BatchErrors::default();
                let mut v = Violations::new();
                v.invalid_type("", "array");
                errors.add("0", v);
                errors.into_response()
            }
        }
    }
}

/// The items of a batch write.
///
/// An empty body, `[]`, `{}` and a body that is not JSON at all are the same thing to
/// amoCRM's PHP backend (an empty array after decoding): "Request data can not be empty".
/// Any other value (a lone object, a scalar) is not the list the endpoint wants.
pub(crate) fn items(body: &[u8]) -> Result<Vec<Value>, BodyError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Array(items)) if !items.is_empty() => Ok(items),
        Ok(Value::Array(_)) | Ok(Value::Null) | Err(_) => Err(BodyError::Empty),
        Ok(Value::Object(o)) if o.is_empty() => Err(BodyError::Empty),
        Ok(_) => Err(BodyError::NotAList),
    }
}

/// One object: the body of `PATCH /leads/{id}` (a one-item array is accepted too).
pub(crate) fn object(body: &[u8]) -> Result<Value, BodyError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(o)) if !o.is_empty() => Ok(Value::Object(o)),
        Ok(Value::Array(mut items)) if items.len() == 1 => Ok(items.remove(0)),
        Ok(Value::Array(_)) | Ok(Value::Object(_)) | Ok(Value::Null) | Err(_) => {
            Err(BodyError::Empty)
        }
        Ok(_) => Err(BodyError::NotAList),
    }
}

/// The token endpoint's parameters, from a JSON or urlencoded body (clients send both).
/// Values stay JSON so numbers sent by a JSON client still read as text.
pub(crate) fn params(headers: &HeaderMap, body: &[u8]) -> Map<String, Value> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let looks_json = body
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'{');
    if content_type.contains("json") || (!content_type.contains("urlencoded") && looks_json) {
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        }
    } else {
        url::form_urlencoded::parse(body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()
    }
}

/// A parameter as non-empty text.
pub(crate) fn text<'a>(
    params: &'a Map<String, Value>,
    key: &str,
) -> Option<std::borrow::Cow<'a, str>> {
    crate::fields::value_str(params.get(key)?).filter(|v| !v.trim().is_empty())
}
