//! `startSandbox()`: the local Eskiz/Play Mobile/Twilio/amoCRM/Telegram imitation, for tests, the demo and users' own
//! tests. Options, stats and faults are plain JSON objects, typed in uzgate's
//! `nest/sandbox-types.ts` and wrapped by `packages/sandbox/src/index.ts`.

use crate::error::js_error;
use napi::bindgen_prelude::*;
use napi::Env;
use parking_lot::Mutex;
use serde_json::Value;
use std::sync::Arc;
use uzgate_core::ErrorCode;
use uzgate_mock::Sandbox as MockSandbox;

#[napi]
pub struct Sandbox {
    inner: Arc<Mutex<Option<MockSandbox>>>,
    url: String,
}

fn bad(env: &Env, message: String) -> napi::Error {
    js_error(env, ErrorCode::InvalidArgument, message)
}

/// Starts a sandbox on 127.0.0.1 (`port` 0 or absent: a free port).
#[napi(ts_return_type = "Promise<Sandbox>")]
pub fn start_sandbox(env: &Env, options: Option<Value>) -> Result<PromiseRaw<'_, Sandbox>> {
    let options = options.unwrap_or(Value::Object(Default::default()));
    env.spawn_future_with_callback(
        async move { Ok(MockSandbox::start(options).await) },
        |env, started| match started {
            Ok(s) => Ok(Sandbox {
                url: s.url(),
                inner: Arc::new(Mutex::new(Some(s))),
            }),
            Err(e) => Err(bad(env, format!("cannot start the sandbox: {e}"))),
        },
    )
}

impl Sandbox {
    fn with<T>(&self, env: &Env, f: impl FnOnce(&MockSandbox) -> T) -> Result<T> {
        match self.inner.lock().as_ref() {
            Some(s) => Ok(f(s)),
            None => Err(js_error(
                env,
                ErrorCode::Closed,
                "the sandbox was closed".into(),
            )),
        }
    }
}

#[napi]
impl Sandbox {
    /// `http://127.0.0.1:PORT`: pass it as `baseUrl` to every provider.
    #[napi(getter)]
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// Counters: logins, refreshes, rejected 401s, sends per token generation, faults…
    #[napi]
    pub fn stats(&self, env: &Env) -> Result<Value> {
        self.with(env, |s| s.stats())
    }

    /// Recent messages the sandbox accepted (the last 10,000).
    #[napi]
    pub fn inbox(&self, env: &Env) -> Result<Value> {
        self.with(env, |s| s.inbox())
    }

    #[napi]
    pub fn clear_inbox(&self, env: &Env) -> Result<()> {
        self.with(env, |s| s.clear_inbox())
    }

    /// Changes options at run time, e.g. `{ eskiz: { refreshEnabled: false } }`.
    #[napi]
    pub fn configure(&self, env: &Env, patch: Value) -> Result<()> {
        self.with(env, |s| s.configure(patch))?
            .map_err(|m| bad(env, m))
    }

    /// Injects a fault; returns its id.
    #[napi]
    pub fn set_fault(&self, env: &Env, fault: Value) -> Result<f64> {
        self.with(env, |s| s.set_fault(fault))?
            .map(|id| id as f64)
            .map_err(|m| bad(env, m))
    }

    #[napi]
    pub fn clear_faults(&self, env: &Env) -> Result<()> {
        self.with(env, |s| s.clear_faults())
    }

    /// Every token of `provider` issued so far is expired from now on.
    #[napi]
    pub fn expire_tokens(&self, env: &Env, provider: String) -> Result<()> {
        self.with(env, |s| s.expire_tokens(&provider))
    }

    /// Every token of `provider` issued so far is revoked.
    #[napi]
    pub fn revoke_tokens(&self, env: &Env, provider: String) -> Result<()> {
        self.with(env, |s| s.revoke_tokens(&provider))
    }

    #[napi]
    pub fn reset_stats(&self, env: &Env) -> Result<()> {
        self.with(env, |s| s.reset_stats())
    }

    /// Approves every Eskiz template waiting for moderation; returns how many.
    #[napi]
    pub fn approve_templates(&self, env: &Env) -> Result<u32> {
        self.with(env, |s| s.approve_templates() as u32)
    }

    /// An amoCRM authorization code, as if a user had approved the consent page.
    #[napi]
    pub fn amocrm_issue_code(&self, env: &Env) -> Result<String> {
        self.with(env, |s| s.amocrm_issue_code())
    }

    /// Lifts the sandbox's 403 block (real amoCRM: only its support can).
    #[napi]
    pub fn amocrm_unblock(&self, env: &Env) -> Result<()> {
        self.with(env, |s| s.amocrm_unblock())
    }

    /// The leads created in the sandbox's amoCRM account.
    #[napi]
    pub fn amocrm_leads(&self, env: &Env) -> Result<Value> {
        self.with(env, |s| s.amocrm_leads())
    }

    /// The sandbox's Twilio account (generated SIDs, auth token, owned numbers).
    #[napi]
    pub fn twilio_account(&self, env: &Env) -> Result<Value> {
        self.with(env, |s| s.twilio_account())
    }

    /// The default Telegram bot and chat, minted per sandbox: `{ token, botId, username,
    /// chatId, threadId }`.
    #[napi]
    pub fn telegram_bot(&self, env: &Env) -> Result<Value> {
        self.with(env, |s| s.telegram_bot())
    }

    /// The Play Mobile messages accepted, oldest first, with everything the request said
    /// (`messageId`, `recipient`, `originator`, `text`, `priority`, `status`, `duplicate`…).
    #[napi]
    pub fn playmobile_messages(&self, env: &Env) -> Result<Value> {
        self.with(env, |s| s.playmobile_messages())
    }

    /// The messages the sandbox's Telegram bots sent, oldest first (one chat's when given).
    #[napi]
    pub fn telegram_messages(&self, env: &Env, chat_id: Option<i64>) -> Result<Value> {
        self.with(env, |s| s.telegram_messages(chat_id))
    }

    /// The requests `POST /webhooks/<name>` received, oldest first (one name's when given).
    #[napi]
    pub fn webhook_requests(&self, env: &Env, name: Option<String>) -> Result<Value> {
        self.with(env, |s| s.webhook_requests(name.as_deref()))
    }

    /// Stops the server and frees the port. Idempotent.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn close<'e>(&self, env: &'e Env) -> Result<PromiseRaw<'e, ()>> {
        let taken = self.inner.lock().take();
        env.spawn_future_with_callback(
            async move {
                if let Some(s) = taken {
                    s.close().await;
                }
                Ok(())
            },
            |_, ()| Ok(()),
        )
    }
}
