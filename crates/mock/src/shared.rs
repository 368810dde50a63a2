//! State shared by the server, the handlers, the control API and background tasks.

use std::time::Duration;

use serde_json::{json, Value};

use crate::amocrm::{self, Amocrm};
use crate::eskiz::Eskiz;
use crate::faults::FaultSet;
use crate::message_log::INBOX_LIMIT;
use crate::options;
use crate::playmobile::{self, PlayMobile};
use crate::shutdown::Shutdown;
use crate::stats::ServerStats;
use crate::telegram::{self, Telegram};
use crate::twilio::{self, Twilio};
use crate::webhooks::{self, Webhooks};

pub(crate) struct Shared {
    /// `http://127.0.0.1:PORT`, used where responses contain absolute URLs.
    pub base_url: String,
    pub started_ms: u64,
    pub eskiz: Eskiz,
    pub amocrm: Amocrm,
    pub twilio: Twilio,
    pub playmobile: PlayMobile,
    pub telegram: Telegram,
    pub webhooks: Webhooks,
    pub faults: FaultSet,
    pub server_stats: ServerStats,
    pub shutdown: Shutdown,
    /// Outgoing requests (delivery callbacks).
    pub http: reqwest::Client,
}

/// Providers the control API can address by name.
const PROVIDERS: [&str; 4] = ["eskiz", "amocrm", "twilio", "playmobile"];

impl Shared {
    pub(crate) fn new(
        base_url: String,
        eskiz: Eskiz,
        amocrm: Amocrm,
        twilio: Twilio,
        playmobile: PlayMobile,
        telegram: Telegram,
    ) -> std::io::Result<Shared> {
        let http = reqwest::Client::builder()
            // Callbacks go where the test says, never through a proxy from the environment.
            .no_proxy()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(Shared {
            base_url,
            started_ms: crate::time::now_ms(),
            eskiz,
            amocrm,
            twilio,
            playmobile,
            telegram,
            webhooks: Webhooks::default(),
            faults: FaultSet::default(),
            server_stats: ServerStats::default(),
            shutdown: Shutdown::new(),
            http,
        })
    }

    /// Counts a (non-control) request for the server and for the provider its path belongs to.
    pub(crate) fn count_request(&self, path: &str) {
        self.server_stats.requests.inc();
        // Every path that is not another provider's is Eskiz's (it owns the root).
        if amocrm::owns(path) {
            self.amocrm.count_request();
        } else if twilio::owns(path) {
            self.twilio.count_request();
        } else if playmobile::owns(path) {
            self.playmobile.count_request();
        } else if telegram::owns(path) {
            self.telegram.count_request();
        } else if webhooks::owns(path) {
            self.webhooks.count_request();
        } else {
            self.eskiz.count_request();
        }
    }

    pub(crate) fn stats(&self) -> Value {
        json!({
            "eskiz": self.eskiz.stats_json(),
            "amocrm": self.amocrm.stats_json(),
            "twilio": self.twilio.stats_json(),
            "playmobile": self.playmobile.stats_json(),
            "telegram": self.telegram.stats_json(),
            "webhooks": self.webhooks.stats_json(),
            "faultsInjected": self.server_stats.faults_injected.get(),
            "requests": self.server_stats.requests.get(),
            "connections": self.server_stats.connections.get(),
        })
    }

    /// Every provider's recent messages, oldest first.
    pub(crate) fn inbox(&self) -> Value {
        let mut all = self.eskiz.inbox();
        all.extend(self.twilio.inbox());
        all.extend(self.playmobile.inbox());
        // `at` is fixed-width ISO UTC, so text order is time order; the sort is stable.
        all.sort_by(|a, b| a["at"].as_str().cmp(&b["at"].as_str()));
        let excess = all.len().saturating_sub(INBOX_LIMIT);
        all.drain(..excess);
        Value::Array(all)
    }

    pub(crate) fn clear_inbox(&self) {
        self.eskiz.clear_inbox();
        self.twilio.clear_inbox();
        self.playmobile.clear_inbox();
        self.telegram.clear_messages();
        self.webhooks.clear();
    }

    /// Applies a run-time patch; on error nothing changes.
    pub(crate) fn configure(&self, patch: Value) -> Result<(), String> {
        let map = options::as_object(&patch, "configure")?;
        for key in map.keys() {
            match key.as_str() {
                "eskiz" | "amocrm" | "twilio" | "playmobile" | "telegram" => {}
                "port" => return Err("port cannot be changed while running".into()),
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        // amoCRM's, Twilio's and Telegram's patches are validated before Eskiz's is applied and
        // installed after it, so a bad patch for any of them changes nothing.
        let amocrm = match map.get("amocrm") {
            Some(patch) => Some(self.amocrm.prepare(patch)?),
            None => None,
        };
        let twilio = match map.get("twilio") {
            Some(patch) => Some(self.twilio.prepare(patch)?),
            None => None,
        };
        let playmobile = match map.get("playmobile") {
            Some(patch) => Some(self.playmobile.prepare(patch)?),
            None => None,
        };
        let telegram = match map.get("telegram") {
            Some(patch) => Some(self.telegram.prepare(patch)?),
            None => None,
        };
        if let Some(eskiz) = map.get("eskiz") {
            self.eskiz.configure(eskiz)?;
        }
        if let Some(config) = amocrm {
            self.amocrm.apply(config);
        }
        if let Some(config) = twilio {
            self.twilio.apply(config);
        }
        if let Some(config) = playmobile {
            self.playmobile.apply(config);
        }
        if let Some(config) = telegram {
            self.telegram.apply(config);
        }
        Ok(())
    }

    fn for_providers(&self, provider: &str, each: impl Fn(&str)) -> Result<(), String> {
        match provider {
            "all" | "*" => {
                PROVIDERS.iter().for_each(|p| each(p));
                Ok(())
            }
            p if PROVIDERS.contains(&p) => {
                each(p);
                Ok(())
            }
            other => Err(format!(
                "unknown provider `{other}` (one of {}, or all)",
                PROVIDERS.join(", ")
            )),
        }
    }

    /// Twilio's and Play Mobile's credentials are static (no tokens to expire or revoke):
    /// accepted, no-op.
    pub(crate) fn expire_tokens(&self, provider: &str) -> Result<(), String> {
        self.for_providers(provider, |p| match p {
            "eskiz" => self.eskiz.expire_tokens(),
            "amocrm" => self.amocrm.expire_tokens(),
            _ => {}
        })
    }

    pub(crate) fn revoke_tokens(&self, provider: &str) -> Result<(), String> {
        self.for_providers(provider, |p| match p {
            "eskiz" => self.eskiz.revoke_tokens(),
            "amocrm" => self.amocrm.revoke_tokens(),
            _ => {}
        })
    }

    pub(crate) fn reset_stats(&self) {
        self.server_stats.reset();
        self.eskiz.reset_stats();
        self.amocrm.reset_stats();
        self.twilio.reset_stats();
        self.playmobile.reset_stats();
        self.telegram.reset_stats();
        self.webhooks.reset_stats();
    }
}
