//! HTTP for every provider: one pooled client per client object, requests encoded once, and one
//! execution loop ([`exec`]) that applies auth, rate limits, retries and the time budget.

mod backoff;
mod body;
pub mod exec;
pub mod handoff;
pub mod limit;

pub use crate::deadline::Deadline;
pub use backoff::{parse_retry_after, RetryPolicy};
pub use body::DEFAULT_MAX_RESPONSE_BYTES;

use crate::error::{Error, Provider, Result};
use crate::log::Logger;
use crate::metrics::Metrics;
use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use std::sync::Arc;
use std::time::Duration;

/// Settings shared by every provider client.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// Budget of one public call, retries and token refresh included.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub user_agent: String,
    /// Requests of this client on the wire at once; the rest wait their turn (inside their
    /// time budget). Each one in flight holds a connection: without a cap, 10,000 concurrent
    /// calls open 10,000 sockets to the provider.
    pub max_concurrency: usize,
    /// Largest response body read, in bytes; past it the call fails (`PROVIDER_UNAVAILABLE` for
    /// reads, `OUTCOME_UNKNOWN` for sends) and the connection is dropped.
    pub max_response_bytes: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
            user_agent: concat!("uzgate/", env!("CARGO_PKG_VERSION")).to_string(),
            max_concurrency: 256,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }
}

/// A request, encoded once so retries do not encode again.
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    /// Appended to the base URL; may carry a query string.
    pub path: String,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<(HeaderValue, Bytes)>,
    /// Safe to repeat after it may have been processed (reads). Sends and creates are not.
    pub idempotent: bool,
    /// Metrics label, e.g. `sms/send`.
    pub endpoint: &'static str,
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>, endpoint: &'static str) -> Self {
        let idempotent = matches!(method, Method::GET | Method::HEAD | Method::OPTIONS);
        Request {
            method,
            path: path.into(),
            headers: Vec::new(),
            body: None,
            idempotent,
            endpoint,
        }
    }

    pub fn get(path: impl Into<String>, endpoint: &'static str) -> Self {
        Self::new(Method::GET, path, endpoint)
    }

    pub fn post(path: impl Into<String>, endpoint: &'static str) -> Self {
        Self::new(Method::POST, path, endpoint)
    }

    pub fn idempotent(mut self, yes: bool) -> Self {
        self.idempotent = yes;
        self
    }

    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// `application/x-www-form-urlencoded`; repeated names are kept in order.
    pub fn form<K: AsRef<str>, V: AsRef<str>>(mut self, fields: &[(K, V)]) -> Self {
        let mut ser = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in fields {
            ser.append_pair(k.as_ref(), v.as_ref());
        }
        self.body = Some((
            HeaderValue::from_static("application/x-www-form-urlencoded"),
            Bytes::from(ser.finish()),
        ));
        self
    }

    pub fn json(mut self, value: &serde_json::Value) -> Self {
        self.body = Some((
            HeaderValue::from_static("application/json"),
            Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
        ));
        self
    }
}

/// A complete response (body read), whatever its status.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn json_value(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn retry_after(&self) -> Option<Duration> {
        self.headers
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after)
    }

    /// The provider's own words from a JSON error body (`message`, `detail`, `hint`, `title`),
    /// or a short plain-text body; `None` for HTML pages.
    pub fn provider_message(&self) -> Option<String> {
        if let Some(v) = self.json_value() {
            for key in ["message", "detail", "hint", "title"] {
                if let Some(s) = v.get(key).and_then(|m| m.as_str()) {
                    if !s.is_empty() {
                        return Some(s.to_string());
                    }
                }
            }
            return None;
        }
        let text = String::from_utf8_lossy(&self.body);
        let text = text.trim();
        if text.is_empty() || text.starts_with('<') || text.len() > 300 {
            None
        } else {
            Some(text.to_string())
        }
    }
}

/// A 2xx whose body uzgate cannot use. When the request created something (an SMS, a lead),
/// it may have been processed: `OUTCOME_UNKNOWN`, never retried; a read is a retryable
/// `PROVIDER_UNAVAILABLE`.
pub fn unusable_answer(provider: Provider, resp: &Response, what: &str, created: bool) -> Error {
    let (code, retryable) = if created {
        (crate::error::ErrorCode::OutcomeUnknown, false)
    } else {
        (crate::error::ErrorCode::ProviderUnavailable, true)
    };
    Error::new(
        code,
        format!(
            "{} answered {what} with HTTP {} and a body uzgate cannot read",
            provider.display_name(),
            resp.status
        ),
    )
    .with_provider(provider)
    .with_status(resp.status)
    .with_retryable(retryable)
}

/// The pooled client of one provider client object.
/// A provider's own wait hint read from a 429 body (amoCRM's `retry_after`). The `Retry-After`
/// header is read for every provider; a body is read only through the provider's hook.
pub type RetryHint = fn(&Response) -> Option<Duration>;

pub struct HttpClient {
    client: reqwest::Client,
    /// Swappable: amoCRM learns the account's host only when a code is exchanged.
    base: arc_swap::ArcSwap<String>,
    pub provider: Provider,
    pub options: HttpOptions,
    pub metrics: Arc<Metrics>,
    pub log: Logger,
    pub limiter: Option<Arc<dyn limit::Limiter>>,
    pub retry: RetryPolicy,
    pub retry_hint: Option<RetryHint>,
    /// Where `rate_limited` events go.
    pub events: crate::events::Sinks,
    pub(crate) in_flight: tokio::sync::Semaphore,
    parsed: parking_lot::Mutex<std::collections::HashMap<String, reqwest::Url>>,
}

impl HttpClient {
    pub fn new(
        provider: Provider,
        base_url: &str,
        options: HttpOptions,
        metrics: Arc<Metrics>,
        log: Logger,
    ) -> Result<Self> {
        let base = normalize_base_url(base_url)?;
        let client = reqwest::Client::builder()
            .connect_timeout(options.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .tcp_nodelay(true)
            .user_agent(options.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?;
        Ok(HttpClient {
            client,
            base: arc_swap::ArcSwap::from_pointee(base),
            provider,
            metrics,
            log,
            limiter: None,
            retry: RetryPolicy::default(),
            retry_hint: None,
            events: crate::events::Sinks::default(),
            in_flight: tokio::sync::Semaphore::new(options.max_concurrency.max(1)),
            parsed: parking_lot::Mutex::new(std::collections::HashMap::new()),
            options,
        })
    }

    pub fn with_limiter(mut self, limiter: Arc<dyn limit::Limiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }

    pub fn with_retry_hint(mut self, hint: RetryHint) -> Self {
        self.retry_hint = Some(hint);
        self
    }

    /// A client for token requests at another root: it shares this client's connection pool,
    /// metrics and log, but not its root, its rate limiter or its request slots, so a token
    /// request neither moves nor spends what the API calls use.
    pub fn token_target(&self, base: &str) -> Result<HttpClient> {
        Ok(HttpClient {
            client: self.client.clone(),
            base: arc_swap::ArcSwap::from_pointee(normalize_base_url(base)?),
            provider: self.provider,
            options: self.options.clone(),
            metrics: self.metrics.clone(),
            log: self.log.clone(),
            limiter: None,
            retry: self.retry,
            retry_hint: self.retry_hint,
            // Token answers are not the API's rate limit: no `rate_limited` events from here.
            events: crate::events::Sinks::default(),
            in_flight: tokio::sync::Semaphore::new(1),
            parsed: parking_lot::Mutex::new(std::collections::HashMap::new()),
        })
    }

    pub fn base_url(&self) -> String {
        self.base.load().as_ref().clone()
    }

    /// Points later requests at another root (validated like the configured one).
    pub fn set_base_url(&self, base: &str) -> Result<()> {
        let base = normalize_base_url(base)?;
        if **self.base.load() != base {
            self.base.store(Arc::new(base));
        }
        Ok(())
    }

    pub fn url(&self, path: &str) -> String {
        let base = self.base.load();
        let mut url = String::with_capacity(base.len() + path.len());
        url.push_str(&base);
        url.push_str(path);
        url
    }

    /// The parsed URL of `path`, reused across requests: parsing (with IDNA checks) costs more
    /// than building the request. Bounded: a client with ever-new paths (status ids) starts
    /// over now and then.
    pub(crate) fn parsed_url(
        &self,
        path: &str,
    ) -> std::result::Result<reqwest::Url, url::ParseError> {
        let full = self.url(path);
        if let Some(u) = self.parsed.lock().get(&full) {
            return Ok(u.clone());
        }
        let u = reqwest::Url::parse(&full)?;
        let mut cache = self.parsed.lock();
        if cache.len() >= 512 {
            cache.clear();
        }
        cache.insert(full, u.clone());
        Ok(u)
    }

    pub fn deadline(&self) -> Deadline {
        Deadline::after(self.options.timeout)
    }

    pub(crate) fn reqwest(&self) -> &reqwest::Client {
        &self.client
    }
}

/// `https://notify.eskiz.uz/api/` → `https://notify.eskiz.uz/api`; only http(s) roots.
pub fn normalize_base_url(base: &str) -> Result<String> {
    let parsed = url::Url::parse(base.trim())
        .map_err(|e| Error::config(format!("baseUrl {base:?} is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::config(format!(
            "baseUrl {base:?} must be an http(s) URL with a host"
        )));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::config(format!(
            "baseUrl {base:?} must not carry a query or fragment"
        )));
    }
    Ok(parsed.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_keep_their_path_prefix() {
        assert_eq!(
            normalize_base_url("https://notify.eskiz.uz/api/").unwrap(),
            "https://notify.eskiz.uz/api"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(normalize_base_url("ftp://x").is_err());
        assert!(normalize_base_url("notify.eskiz.uz").is_err());
        assert!(normalize_base_url("http://x/?a=1").is_err());
    }

    #[test]
    fn form_bodies_are_encoded_once() {
        let r = Request::post("/x", "x").form(&[("message", "Salom dunyo & co"), ("a", "1")]);
        let (ct, body) = r.body.unwrap();
        assert_eq!(ct, "application/x-www-form-urlencoded");
        assert_eq!(&body[..], b"message=Salom+dunyo+%26+co&a=1");
    }

    #[test]
    fn provider_message_prefers_json_fields_and_skips_html() {
        let r = |body: &str| Response {
            status: 400,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
        };
        assert_eq!(
            r(r#"{"message":"mobile_phone is invalid","status":"error"}"#)
                .provider_message()
                .as_deref(),
            Some("mobile_phone is invalid")
        );
        assert_eq!(
            r(r#"{"title":"Bad","detail":"Request data can not be empty"}"#)
                .provider_message()
                .as_deref(),
            Some("Request data can not be empty")
        );
        assert_eq!(r("<html>502</html>").provider_message(), None);
        assert_eq!(r("oops").provider_message().as_deref(), Some("oops"));
    }
}
