//! The SMS client's view: Eskiz (login host, token store), Twilio and Play Mobile (static
//! credentials, no store) or the console, and what each leaves out.

use super::mask::Exposure;
use super::store::{in_clear, limits_view, store_view};
use super::view::{ConfigView, CredentialView, Finding, HostView, LimitsView};
use crate::error::Result;
use crate::options::{EskizOptions, PlayMobileOptions, SmsOptions, SmsProviderKind, TwilioOptions};
use crate::providers::{eskiz, playmobile, twilio};

pub fn sms_view(o: &SmsOptions) -> Result<ConfigView> {
    let common = o.common();
    let mut findings = Vec::new();
    let mut view = ConfigView {
        client: "sms".into(),
        provider: String::new(),
        hosts: Vec::new(),
        account: None,
        credentials: Vec::new(),
        token_store: None,
        limits: Some(LimitsView {
            balance_poll_ms: o.balance_poll()?.map(|d| d.as_millis() as u32),
            ..limits_view(&common)?
        }),
        otp: None,
        alerts: super::alerts::alerts_view(o.alerts.as_ref(), crate::options::AlertClient::Sms),
        findings: Vec::new(),
    };
    if let (Some(view), Some(alerts), Some(_)) = (&mut view.alerts, &o.alerts, &o.routing) {
        view.provider_down = Some(alerts.provider_down());
    }
    match o.provider {
        SmsProviderKind::Eskiz => {
            view.provider = "eskiz".into();
            match &o.eskiz {
                Some(e) => {
                    eskiz_parts(e, &mut view, &mut findings);
                    view.token_store = Some(store_view(
                        &common,
                        "uzgate:eskiz",
                        &e.email.trim().to_lowercase(),
                        &mut findings,
                    )?);
                }
                None => findings.push(Finding::missing(
                    "eskiz",
                    "provider 'eskiz' without its options: the client cannot be built",
                )),
            }
        }
        SmsProviderKind::Twilio => {
            view.provider = "twilio".into();
            if let Some(t) = &o.twilio {
                twilio_parts(t, &mut view, &mut findings);
            }
            if common.token_store.is_some() {
                findings.push(Finding::risk(
                    "tokenStore",
                    "Twilio signs each request with its credentials: the token store is not used",
                ));
            }
        }
        SmsProviderKind::Playmobile => {
            view.provider = "playmobile".into();
            if let Some(p) = &o.playmobile {
                playmobile_parts(p, &mut view, &mut findings);
            }
            if common.token_store.is_some() {
                findings.push(Finding::risk(
                    "tokenStore",
                    "Play Mobile takes its credentials on every request: the token store is not used",
                ));
            }
        }
        SmsProviderKind::Console => {
            view.provider = "console".into();
            view.limits = None;
            findings.push(Finding::risk(
                "provider",
                "console sends nothing: messages are only logged and kept in memory",
            ));
        }
    }
    if o.provider == SmsProviderKind::Eskiz && view.token_store.as_ref().is_some_and(|s| !s.shared)
    {
        findings.push(Finding::risk(
            "tokenStore",
            "each process logs in to Eskiz on its own, and again after every restart",
        ));
    }
    view.findings = findings;
    Ok(view)
}

fn eskiz_parts(e: &EskizOptions, view: &mut ConfigView, findings: &mut Vec<Finding>) {
    let base = e.base_url.as_deref().unwrap_or(eskiz::DEFAULT_BASE_URL);
    view.hosts.push(HostView::new("api", base, Exposure::Url));
    view.hosts.push(HostView::new("token", base, Exposure::Url));
    if let Some(cb) = e.callback_url.as_deref().filter(|c| !c.is_empty()) {
        view.hosts
            .push(HostView::new("deliveryReports", cb, Exposure::CallbackUrl));
    } else {
        findings.push(Finding::missing(
            "eskiz.callbackUrl",
            "no delivery reports: message states are known only by asking status()",
        ));
    }
    if in_clear(base, "http") {
        findings.push(Finding::risk(
            "eskiz.baseUrl",
            "http:// to a remote host: the Eskiz password and tokens cross the network unencrypted",
        ));
    }
    view.credentials = vec![
        CredentialView::of("eskiz.email", Some(&e.email), Exposure::Email),
        CredentialView::of("eskiz.password", Some(&e.password), Exposure::Secret),
    ];
    if e.from.as_deref().is_none_or(str::is_empty) {
        findings.push(Finding::risk(
            "eskiz.from",
            "messages go from Eskiz's shared number 4546 (set an approved sender name)",
        ));
    }
}

fn twilio_parts(t: &TwilioOptions, view: &mut ConfigView, findings: &mut Vec<Finding>) {
    let base = t.base_url.as_deref().unwrap_or(twilio::DEFAULT_BASE_URL);
    view.hosts.push(HostView::new("api", base, Exposure::Url));
    match t.status_callback.as_deref().filter(|c| !c.is_empty()) {
        Some(cb) => view
            .hosts
            .push(HostView::new("deliveryReports", cb, Exposure::CallbackUrl)),
        None => findings.push(Finding::missing(
            "twilio.statusCallback",
            "no delivery reports: message states are known only by asking status()",
        )),
    }
    if in_clear(base, "http") {
        findings.push(Finding::risk(
            "twilio.baseUrl",
            "http:// to a remote host: the Twilio credentials cross the network unencrypted",
        ));
    }
    view.credentials = vec![
        CredentialView::of(
            "twilio.accountSid",
            Some(&t.account_sid),
            Exposure::Identifier,
        ),
        CredentialView::of(
            "twilio.authToken",
            t.auth_token.as_deref(),
            Exposure::Secret,
        ),
        CredentialView::of(
            "twilio.apiKeySid",
            t.api_key_sid.as_deref(),
            Exposure::Identifier,
        ),
        CredentialView::of(
            "twilio.apiKeySecret",
            t.api_key_secret.as_deref(),
            Exposure::Secret,
        ),
        CredentialView::of(
            "twilio.messagingServiceSid",
            t.messaging_service_sid.as_deref(),
            Exposure::Identifier,
        ),
    ];
    if t.api_key_sid.is_none() && t.auth_token.is_some() {
        findings.push(Finding::risk(
            "twilio.authToken",
            "the account's master credential signs every request: an API key (apiKeySid + apiKeySecret) can be revoked alone",
        ));
    }
    let no = |v: &Option<String>| v.as_deref().is_none_or(str::is_empty);
    if no(&t.from) && no(&t.messaging_service_sid) {
        findings.push(Finding::missing(
            "twilio.from",
            "no default sender (from or messagingServiceSid): every send must name its from",
        ));
    }
}

fn playmobile_parts(p: &PlayMobileOptions, view: &mut ConfigView, findings: &mut Vec<Finding>) {
    let base = p
        .base_url
        .as_deref()
        .unwrap_or(playmobile::DEFAULT_BASE_URL);
    view.hosts.push(HostView::new("api", base, Exposure::Url));
    if in_clear(base, "http") {
        findings.push(Finding::risk(
            "playmobile.baseUrl",
            "http:// to a remote host: the Play Mobile login and password cross the network unencrypted",
        ));
    }
    view.credentials = vec![
        CredentialView::of("playmobile.login", Some(&p.login), Exposure::Login),
        CredentialView::of("playmobile.password", Some(&p.password), Exposure::Secret),
    ];
}
