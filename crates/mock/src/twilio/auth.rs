//! HTTP Basic authentication, `AccountSid:AuthToken` or `SK…:secret`, and the account in
//! the path.
//!
//! Missing or wrong credentials get 401 / 20003. Valid credentials with another account's
//! SID in the path get 404 / 20404 naming the path, as Twilio answers for an account the
//! credentials cannot see (a subaccount aside, which the sandbox does not model): the
//! resource is not found rather than forbidden.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::Response;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use super::error::TwilioError;
use crate::shared::Shared;

/// A request from the sandbox's account, to its own resources.
pub(crate) struct Authed {
    pub account_sid: String,
    pub test_credentials: bool,
}

impl Authed {
    /// Test credentials may only create messages: everything else is 403 / 20008.
    pub(crate) fn require_live(&self) -> Result<(), TwilioError> {
        if self.test_credentials {
            Err(TwilioError::test_credentials())
        } else {
            Ok(())
        }
    }
}

impl FromRequestParts<Arc<Shared>> for Authed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, Response> {
        let twilio = &shared.twilio;
        let cfg = twilio.config.load();
        let valid = basic_credentials(&parts.headers)
            .is_some_and(|(user, password)| cfg.accepts(&user, &password));
        if !valid {
            twilio.stats.auth_failures.inc();
            return Err(TwilioError::authenticate().into_response(shared));
        }
        let path = parts.uri.path();
        if path_account(path) != Some(cfg.account_sid.as_str()) {
            return Err(TwilioError::not_found(path).into_response(shared));
        }
        Ok(Authed {
            account_sid: cfg.account_sid.clone(),
            test_credentials: cfg.test_credentials,
        })
    }
}

/// `(user, password)` of an `Authorization: Basic …` header.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The `{AccountSid}` of `/2010-04-01/Accounts/{AccountSid}/…`.
fn path_account(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/2010-04-01/Accounts/")?;
    let account = rest.split('/').next()?;
    // `…/Accounts/AC….json` is the account resource itself.
    Some(account.strip_suffix(".json").unwrap_or(account))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_basic_credentials() {
        let mut h = HeaderMap::new();
        assert_eq!(basic_credentials(&h), None);
        let encoded = STANDARD.encode("user:pa:ss");
        h.insert(
            header::AUTHORIZATION,
            format!("basic {encoded}").parse().unwrap(),
        );
        assert_eq!(
            basic_credentials(&h),
            Some(("user".to_owned(), "pa:ss".to_owned()))
        );
        h.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert_eq!(basic_credentials(&h), None);
    }

    #[test]
    fn finds_the_path_account() {
        assert_eq!(
            path_account("/2010-04-01/Accounts/ACx/Messages.json"),
            Some("ACx")
        );
        assert_eq!(path_account("/2010-04-01/Accounts/ACx.json"), Some("ACx"));
        assert_eq!(path_account("/2010-04-01/Calls.json"), None);
    }
}
