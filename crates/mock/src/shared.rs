//! State shared by the server, the handlers, the control API and background tasks.

use std::time::Duration;

use serde_json::{json, Value};

use crate::eskiz::Eskiz;
use crate::faults::FaultSet;
use crate::options;
use crate::shutdown::Shutdown;
use crate::stats::ServerStats;

pub(crate) struct Shared {
    /// `http://127.0.0.1:PORT`, used where responses contain absolute URLs.
    pub base_url: String,
    pub started_ms: u64,
    pub eskiz: Eskiz,
    pub faults: FaultSet,
    pub server_stats: ServerStats,
    pub shutdown: Shutdown,
    /// Outgoing requests (delivery callbacks).
    pub http: reqwest::Client,
}

/// Providers the control API can address by name.
const PROVIDERS: [&str; 1] = ["eskiz"];

impl Shared {
    pub(crate) fn new(base_url: String, eskiz: Eskiz) -> std::io::Result<Shared> {
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
            faults: FaultSet::default(),
            server_stats: ServerStats::default(),
            shutdown: Shutdown::new(),
            http,
        })
    }

    /// Counts a (non-control) request for the server and for the provider its path belongs to.
    pub(crate) fn count_request(&self, _path: &str) {
        self.server_stats.requests.inc();
        // Every path that is not another provider's is Eskiz's (it owns the root).
        self.eskiz.count_request();
    }

    pub(crate) fn stats(&self) -> Value {
        json!({
            "eskiz": self.eskiz.stats_json(),
            "faultsInjected": self.server_stats.faults_injected.get(),
            "requests": self.server_stats.requests.get(),
            "connections": self.server_stats.connections.get(),
        })
    }

    pub(crate) fn inbox(&self) -> Value {
        Value::Array(self.eskiz.inbox())
    }

    pub(crate) fn clear_inbox(&self) {
        self.eskiz.clear_inbox();
    }

    /// Applies a run-time patch; on error nothing changes.
    pub(crate) fn configure(&self, patch: Value) -> Result<(), String> {
        let map = options::as_object(&patch, "configure")?;
        for key in map.keys() {
            match key.as_str() {
                "eskiz" => {}
                "port" => return Err("port cannot be changed while running".into()),
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        if let Some(eskiz) = map.get("eskiz") {
            self.eskiz.configure(eskiz)?;
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

    pub(crate) fn expire_tokens(&self, provider: &str) -> Result<(), String> {
        self.for_providers(provider, |p| {
            if p == "eskiz" {
                self.eskiz.expire_tokens()
            }
        })
    }

    pub(crate) fn revoke_tokens(&self, provider: &str) -> Result<(), String> {
        self.for_providers(provider, |p| {
            if p == "eskiz" {
                self.eskiz.revoke_tokens()
            }
        })
    }

    pub(crate) fn reset_stats(&self) {
        self.server_stats.reset();
        self.eskiz.reset_stats();
    }
}
