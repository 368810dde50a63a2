//! amoCRM's 429 carries no `Retry-After` header; its JSON body may say `"retry_after": <secs>`
//! (a number or a string; HTML and empty bodies happen too). Plugged into the execution loop as
//! the client's `RetryHint`.

use crate::http::Response;
use std::time::Duration;

/// The body's `retry_after`, capped at a day; `None` when absent, negative or not a number.
pub(super) fn from_body(resp: &Response) -> Option<Duration> {
    let v = resp.json_value()?;
    let secs = v.get("retry_after")?;
    let secs = secs.as_f64().or_else(|| secs.as_str()?.parse().ok())?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;
    use http::HeaderMap;

    fn answer(body: &'static str) -> Response {
        Response {
            status: 429,
            headers: HeaderMap::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn the_body_retry_after_is_read() {
        let resp = answer(r#"{"title":"Too Many Requests","retry_after":3}"#);
        assert_eq!(from_body(&resp), Some(Duration::from_secs(3)));
        assert_eq!(
            from_body(&answer(r#"{"retry_after":"1.5"}"#)),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            from_body(&answer(r#"{"retry_after":1e9}"#)),
            Some(Duration::from_secs(86_400))
        );
    }

    #[test]
    fn html_empty_and_negative_bodies_give_no_hint() {
        for body in [
            "<html>429</html>",
            "",
            r#"{"retry_after":-1}"#,
            r#"{"x":1}"#,
        ] {
            assert_eq!(from_body(&answer(body)), None, "{body}");
        }
    }
}
