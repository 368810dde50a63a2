//! Which amoCRM account a client serves and where its requests go, decided once from the
//! operator's configuration and never by a request: a callback's `referer`, a widget install or
//! a stored `baseDomain` naming another account is refused here, before any network call.
//!
//! * `baseUrl` (sandbox, tests, a proxy): every request goes there, for the client's life.
//! * `subdomain`: the one account accepted; requests go to its host (or to `baseUrl`).
//! * `allowAnyAccount` (neither of the above): multi-account installs; the host is the one a
//!   successful exchange stored, still judged by the account-host rule.
//! * none of them: no code exchange at all (`CONFIG`), so no request can pick the host.

use super::account_host::AccountHost;
use super::auth::META_BASE_DOMAIN;
use super::oauth::AmoDomain;
use crate::error::{Error, ErrorCode, Provider, Result};
use serde_json::{json, Map, Value};

pub struct AccountPolicy {
    /// The configured account: the only one a referer or a stored record may name.
    account: Option<AccountHost>,
    /// The operator's explicit root; fixed.
    base_url: Option<String>,
    any_account: bool,
    domain: AmoDomain,
}

/// What to tell the operator when no account is configured.
const NOT_CONFIGURED: &str = "the amoCRM account is not configured: set `subdomain` (the account this integration serves), `baseUrl` (a sandbox or proxy), or `allowAnyAccount: true` to accept installs from any amoCRM account (then the callback's referer chooses the host your client secret is sent to)";

impl AccountPolicy {
    /// Checks the combination; no I/O.
    pub fn new(
        subdomain: Option<&str>,
        domain: AmoDomain,
        base_url: Option<String>,
        allow_any_account: bool,
    ) -> Result<Self> {
        let account = match subdomain {
            None => None,
            Some(s) => Some(AccountHost::of_subdomain(s, domain).ok_or_else(|| {
                Error::config(format!(
                    "subdomain {s:?} is not an amoCRM subdomain (1-63 of a-z, 0-9 and '-', e.g. `example` of example.amocrm.ru)"
                ))
            })?),
        };
        if account.is_some() && allow_any_account {
            return Err(Error::config(
                "allowAnyAccount contradicts subdomain: keep subdomain to serve one account, or remove it to accept any account",
            ));
        }
        Ok(AccountPolicy {
            account,
            base_url,
            any_account: allow_any_account,
            domain,
        })
    }

    /// The configured account's host, if any.
    pub fn account(&self) -> Option<&AccountHost> {
        self.account.as_ref()
    }

    /// Whether the API host follows the stored token (multi-account installs only).
    pub fn follows_account(&self) -> bool {
        self.base_url.is_none() && self.account.is_none() && self.any_account
    }

    /// The root known from the configuration alone: `baseUrl` or the configured account's.
    pub fn fixed_origin(&self) -> Option<String> {
        self.base_url
            .clone()
            .or_else(|| self.account.as_ref().map(AccountHost::origin))
    }

    /// A code exchange needs to know where it may send the client secret.
    pub fn check_configured(&self) -> Result<()> {
        if self.fixed_origin().is_none() && !self.any_account {
            return Err(Error::config(NOT_CONFIGURED).with_provider(Provider::AmoCrm));
        }
        Ok(())
    }

    /// The callback's `referer` → the account host persisted with the tokens (`None`: none to
    /// persist). Refused before any request when it is not an account host or names another
    /// account than the configured one.
    pub fn admit_referer(&self, referer: Option<&str>) -> Result<Option<AccountHost>> {
        self.check_configured()?;
        let Some(referer) = referer.filter(|r| !r.trim().is_empty()) else {
            return match (&self.account, &self.base_url) {
                (Some(a), _) => Ok(Some(a.clone())),
                (None, Some(_)) => Ok(None),
                (None, None) => Err(refused(
                    "referer_missing",
                    "the callback carries no referer: with allowAnyAccount the account host comes from it; nothing was sent",
                )),
            };
        };
        let host = AccountHost::from_referer(referer, self.domain).ok_or_else(|| {
            refused(
                "invalid_account_host",
                "the callback's referer is not an amoCRM account host (<sub>.amocrm.ru, <sub>.amocrm.com or <sub>.kommo.com); nothing was sent",
            )
        })?;
        match &self.account {
            Some(a) if *a != host => Err(refused(
                "other_account",
                &format!(
                    "the callback names another amoCRM account than the configured one ({a}); nothing was sent. Authorise from {a}, or change subdomain"
                ),
            )),
            _ => Ok(Some(host)),
        }
    }

    /// The `baseDomain` of a record read back from the store. A record that names something
    /// other than an account host, or another account than the configured one, is refused
    /// (`STORE_ERROR`) and left as it is.
    pub fn admit_stored(&self, meta: &Map<String, Value>) -> Result<Option<AccountHost>> {
        let Some(value) = meta.get(META_BASE_DOMAIN) else {
            return Ok(None);
        };
        let host = value.as_str().and_then(AccountHost::parse).ok_or_else(|| {
            store_refused(
                "the stored amoCRM token names a baseDomain that is not an amoCRM account host",
            )
        })?;
        match &self.account {
            Some(a) if *a != host => Err(store_refused(&format!(
                "the stored amoCRM token belongs to another account than the configured one ({a})"
            ))),
            _ => Ok(Some(host)),
        }
    }

    /// Where requests for a token of `host` go: `baseUrl`, the configured account, or (multi-
    /// account installs) the admitted host the token was issued for.
    pub fn origin_for(&self, host: Option<&AccountHost>) -> Result<String> {
        if let Some(fixed) = self.fixed_origin() {
            return Ok(fixed);
        }
        if !self.any_account {
            return Err(Error::config(NOT_CONFIGURED).with_provider(Provider::AmoCrm));
        }
        host.map(AccountHost::origin).ok_or_else(|| {
            store_refused("the stored amoCRM token names no account host (baseDomain)")
        })
    }
}

fn refused(reason: &str, message: &str) -> Error {
    Error::invalid(message)
        .with_provider(Provider::AmoCrm)
        .with_details(json!({ "reason": reason }))
}

fn store_refused(what: &str) -> Error {
    Error::new(
        ErrorCode::StoreError,
        format!(
            "{what}; the record is left untouched and not used. Remove it from the token store (or fix its baseDomain) and authorise the integration again"
        ),
    )
    .with_provider(Provider::AmoCrm)
    .with_details(json!({ "reason": "stored_account_host_refused" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(v: Value) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(META_BASE_DOMAIN.into(), v);
        m
    }

    #[test]
    fn a_configured_account_admits_only_itself() {
        let p = AccountPolicy::new(Some("myshop"), AmoDomain::AmoCrmRu, None, false).unwrap();
        assert_eq!(
            p.admit_referer(Some("https://MyShop.amocrm.ru/"))
                .unwrap()
                .unwrap()
                .as_str(),
            "myshop.amocrm.ru"
        );
        assert_eq!(
            p.admit_referer(None).unwrap().unwrap().as_str(),
            "myshop.amocrm.ru"
        );
        for (r, reason) in [
            ("other.amocrm.ru", "other_account"),
            ("myshop.kommo.com", "other_account"),
            ("127.0.0.1:9", "invalid_account_host"),
            ("myshop.amocrm.ru.evil.example", "invalid_account_host"),
        ] {
            let e = p.admit_referer(Some(r)).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidArgument, "{r}");
            assert_eq!(e.details.unwrap()["reason"], reason, "{r}");
        }
        assert_eq!(
            p.admit_stored(&meta(json!("myshop.amocrm.ru")))
                .unwrap()
                .unwrap()
                .as_str(),
            "myshop.amocrm.ru"
        );
        for bad in [json!("other.amocrm.ru"), json!("127.0.0.1:9"), json!(7)] {
            assert_eq!(
                p.admit_stored(&meta(bad)).unwrap_err().code,
                ErrorCode::StoreError
            );
        }
        assert_eq!(p.origin_for(None).unwrap(), "https://myshop.amocrm.ru");
    }

    #[test]
    fn without_an_account_only_the_opt_in_accepts_hosts() {
        let none = AccountPolicy::new(None, AmoDomain::AmoCrmRu, None, false).unwrap();
        assert_eq!(
            none.admit_referer(Some("myshop.amocrm.ru"))
                .unwrap_err()
                .code,
            ErrorCode::Config
        );
        assert_eq!(none.origin_for(None).unwrap_err().code, ErrorCode::Config);
        let any = AccountPolicy::new(None, AmoDomain::KommoCom, None, true).unwrap();
        let h = any.admit_referer(Some("shop")).unwrap().unwrap();
        assert_eq!(any.origin_for(Some(&h)).unwrap(), "https://shop.kommo.com");
        assert!(any.follows_account());
        assert_eq!(
            any.admit_referer(None).unwrap_err().details.unwrap()["reason"],
            "referer_missing"
        );
        assert_eq!(
            AccountPolicy::new(Some("a"), AmoDomain::AmoCrmRu, None, true)
                .err()
                .unwrap()
                .code,
            ErrorCode::Config
        );
        assert_eq!(
            AccountPolicy::new(Some("a.b"), AmoDomain::AmoCrmRu, None, false)
                .err()
                .unwrap()
                .code,
            ErrorCode::Config
        );
    }

    #[test]
    fn base_url_fixes_the_host_whatever_a_record_says() {
        let p = AccountPolicy::new(
            None,
            AmoDomain::AmoCrmRu,
            Some("http://127.0.0.1:1".into()),
            false,
        )
        .unwrap();
        let h = p.admit_referer(Some("uzgate.amocrm.ru")).unwrap().unwrap();
        assert_eq!(p.origin_for(Some(&h)).unwrap(), "http://127.0.0.1:1");
        assert!(!p.follows_account());
        assert_eq!(
            p.admit_referer(Some("127.0.0.1")).unwrap_err().code,
            ErrorCode::InvalidArgument
        );
        assert_eq!(
            p.admit_stored(&meta(json!("evil.example")))
                .unwrap_err()
                .code,
            ErrorCode::StoreError
        );
    }
}
