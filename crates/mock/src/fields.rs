//! One extractor for request fields, whatever the encoding.
//!
//! Eskiz documents multipart forms, urlencoded forms and JSON on different endpoints, and
//! accepts all three everywhere; clients rely on that. [`Fields`] normalises a body of any
//! of the three kinds (plus the query string, as a lower-priority source) into one map.
//! Form values are strings; JSON values keep their type, and the accessors convert.

use std::borrow::Cow;

use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::reply;

/// Large enough for a send-batch of tens of thousands of messages.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

pub(crate) struct Fields {
    map: Map<String, Value>,
}

impl Fields {
    /// A field as text: strings as they are, numbers and booleans printed, null as absent.
    pub(crate) fn str(&self, key: &str) -> Option<Cow<'_, str>> {
        value_str(self.map.get(key)?)
    }

    /// A field as trimmed, non-empty text.
    pub(crate) fn text(&self, key: &str) -> Option<Cow<'_, str>> {
        let v = self.str(key)?;
        if v.trim().is_empty() {
            None
        } else if v.trim().len() == v.len() {
            Some(v)
        } else {
            Some(Cow::Owned(v.trim().to_owned()))
        }
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(key)
    }
}

/// Text form of a JSON value as an HTML form would have carried it.
pub(crate) fn value_str(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s.as_str())),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "1" } else { "0" })),
        Value::Null => None,
        other => Some(Cow::Owned(other.to_string())),
    }
}

fn bad_body(message: &str) -> Response {
    reply::json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({"message": message, "status": "error"}),
    )
}

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Response> {
        let query = req.uri().query().map(str::to_owned);
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();

        let mut map = if content_type.starts_with("multipart/form-data") {
            read_multipart(req, state).await?
        } else {
            let body = axum::body::to_bytes(req.into_body(), BODY_LIMIT)
                .await
                .map_err(|_| bad_body("request body is too large or unreadable"))?;
            let looks_json = body
                .iter()
                .find(|b| !b.is_ascii_whitespace())
                .is_some_and(|b| *b == b'{');
            if content_type.contains("json") || (content_type.is_empty() && looks_json) {
                if body.iter().all(u8::is_ascii_whitespace) {
                    Map::new()
                } else {
                    match serde_json::from_slice::<Value>(&body) {
                        Ok(Value::Object(m)) => m,
                        _ => return Err(bad_body("Invalid JSON body")),
                    }
                }
            } else {
                parse_urlencoded(&body)
            }
        };

        if let Some(q) = query {
            for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
                map.entry(k.into_owned())
                    .or_insert_with(|| Value::String(v.into_owned()));
            }
        }
        Ok(Fields { map })
    }
}

fn parse_urlencoded(body: &[u8]) -> Map<String, Value> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
        .collect()
}

async fn read_multipart<S: Send + Sync>(
    req: Request,
    state: &S,
) -> Result<Map<String, Value>, Response> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let mut map = Map::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let Some(name) = field.name().map(str::to_owned) else {
                    continue;
                };
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| bad_body("malformed multipart body"))?;
                map.insert(
                    name,
                    Value::String(String::from_utf8_lossy(&bytes).into_owned()),
                );
            }
            Ok(None) => return Ok(map),
            Err(_) => return Err(bad_body("malformed multipart body")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    async fn extract(content_type: Option<&str>, uri: &str, body: &'static str) -> Fields {
        let mut b = axum::http::Request::builder().method("POST").uri(uri);
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        let req = b.body(Body::from(body)).unwrap();
        match Fields::from_request(req, &()).await {
            Ok(f) => f,
            Err(_) => panic!("extraction failed"),
        }
    }

    #[tokio::test]
    async fn json_urlencoded_and_multipart_agree() {
        let j = extract(
            Some("application/json"),
            "/x",
            r#"{"mobile_phone":998901234567,"message":"Hi"}"#,
        )
        .await;
        let f = extract(
            Some("application/x-www-form-urlencoded"),
            "/x",
            "mobile_phone=998901234567&message=Hi",
        )
        .await;
        let m = extract(
            Some("multipart/form-data; boundary=XyZ"),
            "/x",
            "--XyZ\r\nContent-Disposition: form-data; name=\"mobile_phone\"\r\n\r\n998901234567\r\n--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\nHi\r\n--XyZ--\r\n",
        )
        .await;
        for fields in [&j, &f, &m] {
            assert_eq!(fields.str("mobile_phone").as_deref(), Some("998901234567"));
            assert_eq!(fields.str("message").as_deref(), Some("Hi"));
        }
    }

    #[tokio::test]
    async fn query_fills_missing_fields_only() {
        let f = extract(None, "/x?page=2&message=q", "message=body").await;
        assert_eq!(f.str("page").as_deref(), Some("2"));
        assert_eq!(f.str("message").as_deref(), Some("body"));
        let j = extract(None, "/x", r#"{"a":"b"}"#).await;
        assert_eq!(j.str("a").as_deref(), Some("b"));
    }
}
