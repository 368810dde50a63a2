//! The consent round trip: the consent URL with a fresh `state`, and the callback's checks before
//! the code is exchanged (state compared in constant time, `error=access_denied`). The account
//! host a callback names is judged in `account_host.rs` and `account_policy.rs`.

use super::types::{AuthorizationUrl, ExchangeInput};
use crate::ct;
use crate::error::{Error, ErrorCode, Provider, Result};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use serde_json::json;

/// amoCRM (Russia), amoCRM international (`amocrm.com`, now Kommo) or Kommo: same API, other
/// hosts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AmoDomain {
    AmoCrmRu,
    AmoCrmCom,
    KommoCom,
}

impl AmoDomain {
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "amocrm.ru" => Ok(AmoDomain::AmoCrmRu),
            "amocrm.com" => Ok(AmoDomain::AmoCrmCom),
            "kommo.com" => Ok(AmoDomain::KommoCom),
            other => Err(Error::config(format!(
                "domain {other:?} must be 'amocrm.ru', 'amocrm.com' or 'kommo.com'"
            ))),
        }
    }

    pub fn tld(self) -> &'static str {
        match self {
            AmoDomain::AmoCrmRu => "amocrm.ru",
            AmoDomain::AmoCrmCom => "amocrm.com",
            AmoDomain::KommoCom => "kommo.com",
        }
    }

    pub fn consent_base(self) -> &'static str {
        match self {
            AmoDomain::AmoCrmRu => "https://www.amocrm.ru",
            AmoDomain::AmoCrmCom => "https://www.amocrm.com",
            AmoDomain::KommoCom => "https://www.kommo.com",
        }
    }
}

/// 32 random bytes, URL-safe.
pub fn new_state() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// `{consent_base}/oauth?client_id=…&state=…&mode=…` (no redirect_uri or scope: they are fixed
/// in the integration settings).
pub fn authorization_url(
    consent_base: &str,
    client_id: &str,
    mode: Option<&str>,
) -> Result<AuthorizationUrl> {
    let mode = match mode {
        None => None,
        Some(m @ ("popup" | "post_message")) => Some(m),
        Some(other) => {
            return Err(Error::invalid(format!(
                "mode {other:?} must be 'popup' or 'post_message'"
            )))
        }
    };
    let state = new_state();
    let mut url = url::Url::parse(&format!("{consent_base}/oauth"))
        .map_err(|e| Error::config(format!("cannot build the consent URL: {e}")))?;
    {
        let mut q = url.query_pairs_mut();
        q.append_pair("client_id", client_id);
        q.append_pair("state", &state);
        if let Some(m) = mode {
            q.append_pair("mode", m);
        }
    }
    Ok(AuthorizationUrl {
        url: url.to_string(),
        state,
    })
}

/// The callback's checks, before any request: the user's decision, the state, the code.
pub fn check_callback(input: &ExchangeInput) -> Result<String> {
    if let Some(error) = input.error.as_deref().filter(|e| !e.is_empty()) {
        let reason = if error == "access_denied" {
            "access_denied"
        } else {
            "consent_error"
        };
        return Err(Error::new(
            ErrorCode::AuthFailed,
            if reason == "access_denied" {
                "the amoCRM user declined the authorisation".to_string()
            } else {
                format!("amoCRM's consent page answered error={error}")
            },
        )
        .with_provider(Provider::AmoCrm)
        .with_details(json!({ "reason": reason })));
    }
    if !input.from_widget {
        let expected = input
            .expected_state
            .as_deref()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::invalid("expectedState (the state you issued) is required"))?;
        let got = input.state.as_deref().unwrap_or_default();
        if !ct::eq(expected.as_bytes(), got.as_bytes()) {
            return Err(Error::invalid(
                "the OAuth state does not match the one issued (possible CSRF); start the authorisation again",
            )
            .with_provider(Provider::AmoCrm)
            .with_details(json!({ "reason": "state_mismatch" })));
        }
    }
    let code = input
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or_else(|| Error::invalid("code is required"))?;
    if code.len() > 4096 {
        return Err(Error::invalid("code is implausibly long"));
    }
    Ok(code.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_url_has_client_state_and_mode_only() {
        let a = authorization_url("https://www.kommo.com", "abc-123", Some("popup")).unwrap();
        let u = url::Url::parse(&a.url).unwrap();
        assert_eq!(u.host_str(), Some("www.kommo.com"));
        assert_eq!(u.path(), "/oauth");
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert_eq!(q[0], ("client_id".into(), "abc-123".into()));
        assert_eq!(q[1], ("state".into(), a.state.clone()));
        assert_eq!(q[2], ("mode".into(), "popup".into()));
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.state).unwrap().len(), 32);
        assert_ne!(
            a.state,
            authorization_url("x:", "y", None)
                .map(|a| a.state)
                .unwrap_or_default()
        );
        assert!(authorization_url("https://www.amocrm.ru", "x", Some("iframe")).is_err());
    }

    #[test]
    fn callback_checks() {
        let ok = ExchangeInput {
            code: Some("c0de".into()),
            state: Some("s".into()),
            expected_state: Some("s".into()),
            ..Default::default()
        };
        assert_eq!(check_callback(&ok).unwrap(), "c0de");
        let mismatch = ExchangeInput {
            state: Some("t".into()),
            ..ok.clone()
        };
        let e = check_callback(&mismatch).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidArgument);
        assert_eq!(e.details.unwrap()["reason"], "state_mismatch");
        let denied = ExchangeInput {
            error: Some("access_denied".into()),
            code: None,
            ..ok.clone()
        };
        let e = check_callback(&denied).unwrap_err();
        assert_eq!(
            (e.code, e.details.unwrap()["reason"].as_str()),
            (ErrorCode::AuthFailed, Some("access_denied"))
        );
        let widget = ExchangeInput {
            from_widget: true,
            state: None,
            expected_state: None,
            ..ok.clone()
        };
        assert!(check_callback(&widget).is_ok());
        let no_expected = ExchangeInput {
            expected_state: None,
            ..ok
        };
        assert_eq!(
            check_callback(&no_expected).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
    }
}
