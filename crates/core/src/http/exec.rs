//! The execution loop every provider call goes through. It decides, from what provably happened
//! to a request, whether repeating it is safe:
//!
//! | outcome                                   | reads (idempotent)    | sends / creates           |
//! |-------------------------------------------|-----------------------|---------------------------|
//! | connection failed before sending          | retry                 | retry                     |
//! | 401 with a token that can be refreshed    | refresh, retry once   | refresh, retry once       |
//! | 429                                       | wait, retry (bounded) | wait, retry (bounded)     |
//! | 503 with `Retry-After`                    | wait, retry           | wait, retry               |
//! | other 5xx                                 | backoff, retry        | `OUTCOME_UNKNOWN`         |
//! | timeout / connection broken after sending | retry                 | `OUTCOME_UNKNOWN`         |
//!
//! Everything else (2xx, other 4xx) is returned for the provider to interpret. Nothing here
//! knows a provider's body: a wait hint inside a 429 body comes through `HttpClient::retry_hint`.
//! A send that a later provider of its route would take is tried once ([`handoff`]).

use super::body::{read_capped, BodyError};
use super::handoff;
use super::{Deadline, HttpClient, Request, Response};
use crate::auth::RequestAuth;
use crate::error::{Error, ErrorCode, Result};
use crate::log::human_duration;
use http::header::AUTHORIZATION;
use http::HeaderValue;
use std::time::Duration;
use tokio::time::Instant;

/// What became of one attempt at the transport level.
enum Transport {
    /// The connection could not be made: the server never saw the request.
    NotSent(String),
    /// No complete answer in time; the request may have been processed.
    TimedOut,
    /// The connection broke after the request was (maybe) sent.
    Broken(String),
    /// A bug in building the request.
    Invalid(String),
    /// The call's time ran out while it waited for a free slot: never sent.
    Queued,
    /// The answer's body passed `max_response_bytes`: it was (maybe) processed, but its answer
    /// is abandoned unread. Repeating would fetch the same oversized body.
    TooLarge { status: u16, cap: usize },
}

/// Time kept in reserve for an attempt after a wait; a retry that cannot get this much is not
/// worth starting.
const MIN_ATTEMPT: Duration = Duration::from_millis(50);

pub async fn execute(
    http: &HttpClient,
    req: &Request,
    auth: Option<&dyn RequestAuth>,
    deadline: Deadline,
) -> Result<Response> {
    let provider = http.provider;
    let name = provider.as_str();
    let mut attempt: u32 = 0;
    let mut refreshed = false;
    // A send another provider would take is not retried here: it moves on at once.
    let max_attempts = if !req.idempotent && handoff::next_in_line() {
        1
    } else {
        http.retry.max_attempts
    };
    loop {
        attempt += 1;
        if let Some(limiter) = &http.limiter {
            let waited = limiter.acquire(deadline).await?;
            if !waited.is_zero() {
                http.metrics.rate_limit_wait(name, waited);
            }
        }
        // A slot first, the token second: a call that waited in the queue goes out with the
        // freshest token. Token requests (no `auth`) never queue: the calls holding the slots
        // may be the very ones waiting for them. Waiting for a slot sends nothing, so running
        // out of time here is a clean timeout.
        let _slot = if auth.is_some() {
            match tokio::time::timeout_at(deadline.at(), http.in_flight.acquire()).await {
                Ok(Ok(permit)) => Some(permit),
                _ => {
                    let (label, err) = transport_error(&Transport::Queued, req.idempotent);
                    http.metrics
                        .request(name, req.endpoint, label, Duration::ZERO);
                    return Err(err.with_provider(provider));
                }
            }
        } else {
            None
        };
        let credential = match auth {
            Some(a) => Some(match a.ready() {
                Some(c) => c,
                None => a.credential(deadline).await?,
            }),
            None => None,
        };
        let started = Instant::now();
        // Boxed: the HTTP exchange is most of a call's state, and calls queued for a slot (or
        // waiting for a token) should not carry it inline.
        let header = credential.as_ref().map(|c| &c.header);
        let outcome = Box::pin(send_once(http, req, header, deadline)).await;
        let took = started.elapsed();
        let retries_left = attempt < max_attempts;
        let resp = match outcome {
            Ok(resp) => resp,
            Err(transport) => {
                let (label, err) = transport_error(&transport, req.idempotent);
                http.metrics.request(name, req.endpoint, label, took);
                let safe = req.idempotent || matches!(transport, Transport::NotSent(_));
                let wait = http.retry.backoff(attempt);
                if safe
                    && retries_left
                    && !matches!(
                        transport,
                        Transport::Invalid(_) | Transport::TooLarge { .. }
                    )
                    && deadline.allows(wait, MIN_ATTEMPT)
                {
                    http.metrics.retry(name, label);
                    http.log.debug(format_args!(
                        "{} {} failed ({label}); retrying in {}",
                        req.method,
                        req.endpoint,
                        human_duration(wait)
                    ));
                    tokio::time::sleep(wait).await;
                    continue;
                }
                let err = match transport {
                    Transport::TooLarge { status, .. } => err.with_status(status),
                    _ => err,
                };
                return Err(err.with_provider(provider));
            }
        };
        http.metrics
            .request(name, req.endpoint, status_label(resp.status), took);

        match resp.status {
            401 if auth.is_some() => {
                let credential = credential.expect("auth implies a credential");
                if refreshed {
                    return Err(Error::new(
                        ErrorCode::AuthFailed,
                        "the provider rejected a freshly refreshed token",
                    )
                    .with_provider(provider)
                    .with_status(401)
                    .with_provider_message(resp.provider_message()));
                }
                refreshed = true;
                auth.expect("checked above")
                    .rejected(credential.generation, deadline)
                    .await?;
                // The retry after a refresh does not use up a transport attempt.
                attempt -= 1;
                continue;
            }
            429 => {
                let hinted = resp
                    .retry_after()
                    .or_else(|| http.retry_hint.and_then(|hint| hint(&resp)));
                let wait = hinted.unwrap_or_else(|| http.retry.backoff(attempt));
                if let Some(limiter) = &http.limiter {
                    limiter.hold(wait);
                }
                http.events.emit(&crate::events::TokenEvent::RateLimited {
                    provider,
                    endpoint: req.endpoint,
                    retry_after_ms: hinted.map(|d| d.as_millis() as u64),
                });
                if retries_left && deadline.allows(wait, MIN_ATTEMPT) {
                    http.metrics.retry(name, "429");
                    http.metrics.rate_limit_wait(name, wait);
                    http.log.info(format_args!(
                        "{} answered 429 on {}; waiting {}",
                        name,
                        req.endpoint,
                        human_duration(wait)
                    ));
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(Error::new(
                    ErrorCode::RateLimited,
                    format!("{name} is rate limiting requests"),
                )
                .with_provider(provider)
                .with_status(429)
                .with_retry_after(Some(wait))
                .with_provider_message(resp.provider_message()));
            }
            status if status >= 500 => {
                let hinted = if status == 503 {
                    resp.retry_after()
                } else {
                    None
                };
                // A 503 with Retry-After is the server saying it did not take the request.
                let not_processed = hinted.is_some();
                let safe = req.idempotent || not_processed;
                let wait = hinted.unwrap_or_else(|| http.retry.backoff(attempt));
                if safe && retries_left && deadline.allows(wait, MIN_ATTEMPT) {
                    http.metrics.retry(name, "5xx");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                let err = if safe {
                    Error::new(
                        ErrorCode::ProviderUnavailable,
                        format!("{name} answered HTTP {status}"),
                    )
                    .with_retry_after(hinted)
                } else {
                    Error::new(
                        ErrorCode::OutcomeUnknown,
                        format!(
                            "{name} answered HTTP {status} to a request that is not safe to repeat; it may or may not have been processed"
                        ),
                    )
                    .with_retryable(false)
                };
                return Err(err
                    .with_provider(provider)
                    .with_status(status)
                    .with_provider_message(resp.provider_message()));
            }
            _ => return Ok(resp),
        }
    }
}

fn status_label(status: u16) -> &'static str {
    const LABELS: [&str; 6] = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"];
    match status {
        200 => "200",
        201 => "201",
        204 => "204",
        400 => "400",
        401 => "401",
        403 => "403",
        404 => "404",
        429 => "429",
        500 => "500",
        502 => "502",
        503 => "503",
        504 => "504",
        s => LABELS[((s / 100) as usize).saturating_sub(1).min(5)],
    }
}

fn transport_error(t: &Transport, idempotent: bool) -> (&'static str, Error) {
    match t {
        Transport::NotSent(why) => (
            "unsent",
            Error::new(
                ErrorCode::Network,
                format!("could not connect: {why}; the request was not sent"),
            ),
        ),
        Transport::TimedOut if idempotent => (
            "timeout",
            Error::new(ErrorCode::Timeout, "no answer within the configured timeout"),
        ),
        Transport::TimedOut => (
            "timeout",
            Error::new(
                ErrorCode::OutcomeUnknown,
                "no answer within the configured timeout after the request was sent; it may or may not have been processed",
            )
            .with_retryable(false),
        ),
        Transport::Broken(why) if idempotent => (
            "network",
            Error::new(ErrorCode::Network, format!("connection failed: {why}")),
        ),
        Transport::Broken(why) => (
            "network",
            Error::new(
                ErrorCode::OutcomeUnknown,
                format!(
                    "connection failed after the request was sent ({why}); it may or may not have been processed"
                ),
            )
            .with_retryable(false),
        ),
        Transport::Invalid(why) => ("invalid", Error::internal(why.clone())),
        Transport::TooLarge { cap, .. } if idempotent => (
            "too_large",
            Error::new(
                ErrorCode::ProviderUnavailable,
                format!(
                    "the answer's body is larger than maxResponseBytes ({cap}); it was not read. Raise maxResponseBytes if the provider legitimately sends more"
                ),
            ),
        ),
        Transport::TooLarge { cap, .. } => (
            "too_large",
            Error::new(
                ErrorCode::OutcomeUnknown,
                format!(
                    "the answer's body is larger than maxResponseBytes ({cap}) and was not read; the request may or may not have been processed"
                ),
            )
            .with_retryable(false),
        ),
        Transport::Queued => (
            "queued",
            Error::new(
                ErrorCode::Timeout,
                "the call waited for a free connection slot beyond its timeout; nothing was sent",
            ),
        ),
    }
}

async fn send_once(
    http: &HttpClient,
    req: &Request,
    authorization: Option<&HeaderValue>,
    deadline: Deadline,
) -> std::result::Result<Response, Transport> {
    let url = http
        .parsed_url(&req.path)
        .map_err(|e| Transport::Invalid(format!("bad request URL: {e}")))?;
    let mut builder = http.reqwest().request(req.method.clone(), url);
    for (name, value) in &req.headers {
        builder = builder.header(name, value);
    }
    if let Some(value) = authorization {
        builder = builder.header(AUTHORIZATION, value);
    }
    if let Some((content_type, body)) = &req.body {
        builder = builder
            .header(http::header::CONTENT_TYPE, content_type)
            .body(body.clone());
    }
    let request = builder
        .build()
        .map_err(|e| Transport::Invalid(e.to_string()))?;

    let cap = http.options.max_response_bytes;
    let exchange = async {
        let resp = http
            .reqwest()
            .execute(request)
            .await
            .map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let body = read_capped(resp, cap).await.map_err(|e| match e {
            BodyError::TooLarge => Transport::TooLarge { status, cap },
            BodyError::Transport(e) => classify(&e),
        })?;
        Ok(Response {
            status,
            headers,
            body,
        })
    };
    match tokio::time::timeout_at(deadline.at(), exchange).await {
        Err(_) => Err(Transport::TimedOut),
        Ok(result) => result,
    }
}

fn classify(e: &reqwest::Error) -> Transport {
    // reqwest reports a failed or timed-out connect as `is_connect`: nothing was sent.
    if e.is_connect() {
        return Transport::NotSent(short_reason(e));
    }
    if e.is_timeout() {
        return Transport::TimedOut;
    }
    if e.is_builder() {
        return Transport::Invalid(e.to_string());
    }
    Transport::Broken(short_reason(e))
}

/// The innermost cause ("Connection refused", "connection reset"), never the URL: it may carry
/// a query string.
fn short_reason(e: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    let text = source.to_string();
    if text.is_empty() {
        "transport error".into()
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_of_sends_have_unknown_outcome() {
        let (_, e) = transport_error(&Transport::TimedOut, false);
        assert_eq!(e.code, ErrorCode::OutcomeUnknown);
        assert!(!e.retryable);
        let (_, e) = transport_error(&Transport::TimedOut, true);
        assert_eq!(e.code, ErrorCode::Timeout);
        let (_, e) = transport_error(&Transport::NotSent("refused".into()), false);
        assert_eq!(e.code, ErrorCode::Network);
    }

    #[test]
    fn status_labels_are_bounded() {
        assert_eq!(status_label(200), "200");
        assert_eq!(status_label(418), "4xx");
        assert_eq!(status_label(599), "5xx");
        assert_eq!(status_label(999), "other");
    }
}
