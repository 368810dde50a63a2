//! The amoCRM imitation: consent page, OAuth server and API v4 for lead capture, mounted at
//! the sandbox root (`/oauth`, `/oauth2/…`, `/api/v4/…`).

mod account;
mod batch;
mod body;
mod catalog;
mod codes;
mod complex;
mod config;
mod consent;
mod contacts;
mod custom_fields;
mod drafts;
mod gate;
mod grant;
mod leads;
mod limits;
mod listing;
mod notes;
mod oauth_problem;
mod problem;
mod render;
mod routes;
mod stats;
mod store;
mod subdomain;
mod tokens;
mod validation;
mod writes;

use std::sync::Arc;

use arc_swap::ArcSwap;
use serde_json::{json, Value};

use crate::options;
use codes::Codes;
use config::AmocrmConfig;
use limits::Limits;
use stats::AmocrmStats;
use store::CrmStore;
use tokens::TokenRegistry;

pub(crate) use routes::router;

pub(crate) struct Amocrm {
    config: ArcSwap<AmocrmConfig>,
    codes: Codes,
    tokens: TokenRegistry,
    limits: Limits,
    store: CrmStore,
    stats: AmocrmStats,
}

/// Whether a request path belongs to amoCRM (for counting).
pub(crate) fn owns(path: &str) -> bool {
    path == "/oauth"
        || path.starts_with("/oauth/")
        || path.starts_with("/oauth2/")
        || path == "/api/v4"
        || path.starts_with("/api/v4/")
}

impl Amocrm {
    pub(crate) fn new(options: Option<&Value>) -> Result<Amocrm, String> {
        let amocrm = Amocrm {
            config: ArcSwap::from_pointee(AmocrmConfig::default()),
            codes: Codes::default(),
            tokens: TokenRegistry::new(),
            limits: Limits::new(),
            store: CrmStore::new(),
            stats: AmocrmStats::default(),
        };
        if let Some(options) = options {
            let config = amocrm.prepare(options)?;
            amocrm.apply(config);
        }
        Ok(amocrm)
    }

    /// The options `patch` would give, validated; nothing changes yet.
    pub(crate) fn prepare(&self, patch: &Value) -> Result<AmocrmConfig, String> {
        let patch = options::as_object(patch, "amocrm")?;
        let config: AmocrmConfig = options::merge(&**self.config.load(), patch, "amocrm")?;
        config.validate()?;
        Ok(config)
    }

    /// Installs prepared options. A new client secret revokes every token issued so far,
    /// as regenerating the secret key does.
    pub(crate) fn apply(&self, config: AmocrmConfig) {
        let secret_changed = self.config.load().client_secret != config.client_secret;
        self.config.store(Arc::new(config));
        if secret_changed {
            self.tokens.generations.revoke_all();
        }
    }

    pub(crate) fn count_request(&self) {
        self.stats.requests.inc();
    }

    /// Mints an authorization code, as the consent page does when the user allows.
    pub(crate) fn issue_code(&self) -> String {
        let cfg = self.config.load();
        self.stats.codes_issued.inc();
        self.codes.issue(&cfg.client_id, cfg.code_ttl_secs)
    }

    /// Lifts a block and forgets past violations.
    pub(crate) fn unblock(&self) {
        self.limits.unblock();
    }

    pub(crate) fn stats_json(&self) -> Value {
        let by = |counter| self.tokens.by_generation(counter);
        self.stats.to_json(json!({
            "requestsByGeneration": by(|p| &p.requests),
            "refreshesByGeneration": by(|p| &p.refreshes),
            "tokensIssued": self.tokens.generations.last(),
            "isBlocked": self.limits.is_blocked(),
        }))
    }

    pub(crate) fn reset_stats(&self) {
        self.stats.reset();
        self.tokens.reset_counters();
    }

    pub(crate) fn expire_tokens(&self) {
        self.tokens.generations.expire_all();
    }

    pub(crate) fn revoke_tokens(&self) {
        self.tokens.generations.revoke_all();
    }

    /// Every retained lead, oldest first, with its contacts, companies and notes in full.
    pub(crate) fn leads_json(&self, base_url: &str) -> Value {
        let cfg = self.config.load();
        let crm = self.store.lock();
        let ctx = render::Ctx {
            base: base_url,
            account_id: cfg.account_id,
            query: "",
        };
        Value::Array(
            crm.leads
                .iter()
                .map(|l| render::lead_in_full(&crm, l, &ctx))
                .collect(),
        )
    }
}
