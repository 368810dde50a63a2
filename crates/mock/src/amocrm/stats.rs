//! What the amoCRM imitation counts.

use serde_json::{json, Value};

use crate::stats::Counter;

#[derive(Default)]
pub(crate) struct AmocrmStats {
    pub requests: Counter,
    /// Authorization codes minted (consent, `autoConsent`, control API).
    pub codes_issued: Counter,
    pub code_exchanges: Counter,
    /// Refused `authorization_code` grants, whatever the reason.
    pub code_failures: Counter,
    pub refreshes: Counter,
    /// Refused `refresh_token` grants, whatever the reason.
    pub refresh_failures: Counter,
    /// A spent refresh token presented again (counted in `refreshFailures` too).
    pub revoked_reuses: Counter,
    /// Every 401: API, token endpoint and subdomain lookup.
    pub rejected401: Counter,
    pub rate_limited: Counter,
    /// 403s answered because of a block.
    pub blocked: Counter,
    pub payment_required: Counter,
    pub leads_created: Counter,
    pub leads_updated: Counter,
    pub contacts_created: Counter,
    pub companies_created: Counter,
    pub notes_created: Counter,
    /// Write requests refused with 400 validation errors.
    pub validation_errors: Counter,
}

impl AmocrmStats {
    /// The counters, plus the keys of `extra` (figures kept elsewhere).
    pub(crate) fn to_json(&self, extra: Value) -> Value {
        let mut v = json!({
            "requests": self.requests.get(),
            "codesIssued": self.codes_issued.get(),
            "codeExchanges": self.code_exchanges.get(),
            "codeFailures": self.code_failures.get(),
            "refreshes": self.refreshes.get(),
            "refreshFailures": self.refresh_failures.get(),
            "revokedReuses": self.revoked_reuses.get(),
            "rejected401": self.rejected401.get(),
            "rateLimited": self.rate_limited.get(),
            "blocked": self.blocked.get(),
            "paymentRequired": self.payment_required.get(),
            "leadsCreated": self.leads_created.get(),
            "leadsUpdated": self.leads_updated.get(),
            "contactsCreated": self.contacts_created.get(),
            "companiesCreated": self.companies_created.get(),
            "notesCreated": self.notes_created.get(),
            "validationErrors": self.validation_errors.get(),
        });
        if let (Some(obj), Value::Object(more)) = (v.as_object_mut(), extra) {
            obj.extend(more);
        }
        v
    }

    pub(crate) fn reset(&self) {
        for c in [
            &self.requests,
            &self.codes_issued,
            &self.code_exchanges,
            &self.code_failures,
            &self.refreshes,
            &self.refresh_failures,
            &self.revoked_reuses,
            &self.rejected401,
            &self.rate_limited,
            &self.blocked,
            &self.payment_required,
            &self.leads_created,
            &self.leads_updated,
            &self.contacts_created,
            &self.companies_created,
            &self.notes_created,
            &self.validation_errors,
        ] {
            c.reset();
        }
    }
}
