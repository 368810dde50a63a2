//! Errors of the OAuth server (`/oauth2/...`).
//!
//! amoCRM runs league/oauth2-server and rewrites its exceptions into
//! `{"hint", "title", "type": OAuthProblemJson, "status", "detail"}` with a Russian title
//! and detail; there is no RFC 6749 `error` field. Request problems share one title and
//! detail and differ by `hint`; client authentication failures have no hint.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::Response;
use serde::Serialize;

use super::problem::PROBLEM_JSON;

const TYPE: &str = "https://developers.amocrm.ru/v3/errors/OAuthProblemJson";

pub(crate) const HINT_CODE_REVOKED: &str = "Authorization code has been revoked";
pub(crate) const HINT_CODE_EXPIRED: &str = "Authorization code has expired";
pub(crate) const HINT_CODE_GARBAGE: &str = "Cannot decrypt the authorization code";
pub(crate) const HINT_CODE_OTHER_CLIENT: &str = "Authorization code was not issued to this client";
pub(crate) const HINT_REDIRECT_URI: &str = "Redirect URI is not associated with client";
pub(crate) const HINT_TOKEN_REVOKED: &str = "Token has been revoked";
pub(crate) const HINT_TOKEN_EXPIRED: &str = "Token has expired";
pub(crate) const HINT_TOKEN_GARBAGE: &str = "Cannot decrypt the refresh token";
pub(crate) const HINT_TOKEN_OTHER_CLIENT: &str = "Token is not linked to client";
/// league's hint for a missing or unknown `grant_type`.
pub(crate) const HINT_GRANT_TYPE: &str = "Check that all required parameters have been provided";

pub(crate) enum OAuthError {
    /// A malformed, missing or unacceptable parameter, code or refresh token.
    Request {
        status: StatusCode,
        hint: Cow<'static, str>,
    },
    /// Unknown client id or wrong secret.
    Client,
}

impl OAuthError {
    /// 400 with `hint`: a bad request parameter or authorization code.
    pub(crate) fn bad(hint: &'static str) -> Self {
        OAuthError::Request {
            status: StatusCode::BAD_REQUEST,
            hint: Cow::Borrowed(hint),
        }
    }

    /// 401 with `hint`: a refresh token that cannot be exchanged.
    pub(crate) fn token(hint: &'static str) -> Self {
        OAuthError::Request {
            status: StatusCode::UNAUTHORIZED,
            hint: Cow::Borrowed(hint),
        }
    }

    /// `Check the \`name\` parameter`: the parameter is missing.
    pub(crate) fn missing(name: &str) -> Self {
        OAuthError::Request {
            status: StatusCode::BAD_REQUEST,
            hint: Cow::Owned(format!("Check the `{name}` parameter")),
        }
    }

    pub(crate) fn status(&self) -> StatusCode {
        match self {
            OAuthError::Request { status, .. } => *status,
            OAuthError::Client => StatusCode::UNAUTHORIZED,
        }
    }

    pub(crate) fn into_response(self, ru: bool) -> Response {
        let status = self.status();
        let (hint, title, detail) = match &self {
            OAuthError::Request { hint, .. } => {
                let (title, detail) = if ru {
                    (
                        "Некорректный запрос",
                        "В запросе отсутствует ряд параметров или параметры невалидны",
                    )
                } else {
                    (
                        "Invalid request",
                        "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed.",
                    )
                };
                (Some(hint.as_ref()), title, detail)
            }
            OAuthError::Client => {
                let (title, detail) = if ru {
                    ("Некорректный клиент", "Авторизация клиента не прошла")
                } else {
                    ("Invalid client", "Client authentication failed")
                };
                (None, title, detail)
            }
        };
        let body = Body {
            hint,
            title,
            kind: TYPE,
            status: status.as_u16(),
            detail,
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        crate::reply::raw(status, PROBLEM_JSON, bytes)
    }
}

/// The envelope, its members in the live order.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    status: u16,
    detail: &'a str,
}
