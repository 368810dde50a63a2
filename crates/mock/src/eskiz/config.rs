//! Eskiz options. Every field has a default; all can be changed at run time.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub(crate) struct EskizConfig {
    /// Credentials accepted by `POST /auth/login` (`password` is the cabinet's API secret).
    pub email: String,
    pub password: String,
    /// The account id: `sub` of the JWT (as a string), `id` of `/auth/user`.
    pub account_id: u64,
    pub account_name: String,
    /// Token lifetime (`exp - iat`). Eskiz's is 30 days.
    pub token_ttl_secs: u64,
    /// HTTP status for wrong credentials: 401 (earlier API) or 400 (late 2022).
    pub login_error_status: u16,
    /// A blocked account: login answers 200 without `data.token`.
    pub blocked_login: bool,
    /// `false`: every refresh is refused with 401 token-invalid.
    pub refresh_enabled: bool,
    /// The old token stops working once a refresh has issued a new one.
    pub refresh_revokes_old: bool,
    /// An expired (but genuine, unrevoked) token may still be refreshed.
    pub refresh_expired_allowed: bool,
    /// `user_sms_id` must be numeric with at most 12 digits (one live observation);
    /// otherwise letters, digits, `-` and `_`, at most 40.
    pub strict_user_sms_id: bool,
    /// Endpoints documented as POST answer GET with 404, as the live `/message/sms/check` does.
    pub strict_methods: bool,
    /// Price of one SMS part in UZS, local and international.
    pub price_per_part: i64,
    pub global_price_per_part: i64,
    /// The balance at start; configuring it sets the current balance.
    pub initial_balance: i64,
    /// A test account: only the three test texts may be sent, batches are refused (403),
    /// tokens carry `"role":"test"`.
    pub test_mode: bool,
    /// An activated account: every text must match an approved template.
    pub moderation: bool,
    /// Templates submitted through `POST /user/template` are approved at once.
    pub auto_approve_templates: bool,
    /// Approved sender names besides the shared short number `4546`.
    pub nicks: Vec<String>,
    /// A message is ACCEPTED this long after it was sent, and reaches its final status
    /// (DELIVERED, or REJECTED for the special numbers) `deliverAfterMs` after it was sent
    /// (never before it was accepted).
    pub accept_after_ms: u64,
    pub deliver_after_ms: u64,
    /// Special phone-number endings decide the outcome (see the README); `false`: every
    /// message is delivered.
    pub special_numbers: bool,
    /// Callbacks as `application/x-www-form-urlencoded` instead of JSON.
    pub callback_form: bool,
    /// Send the intermediate ACCEPTED callback before the final one.
    pub callback_accepted: bool,
    /// Extra attempts when a callback fails (error or non-2xx).
    pub callback_retries: u32,
}

impl Default for EskizConfig {
    fn default() -> Self {
        EskizConfig {
            email: "demo@uzgate.dev".into(),
            password: "sandbox-secret".into(),
            account_id: 11625,
            account_name: "Sandbox".into(),
            token_ttl_secs: 2_592_000,
            login_error_status: 401,
            blocked_login: false,
            refresh_enabled: true,
            refresh_revokes_old: true,
            refresh_expired_allowed: true,
            strict_user_sms_id: false,
            strict_methods: false,
            price_per_part: 50,
            global_price_per_part: 1000,
            initial_balance: 1_000_000,
            test_mode: false,
            moderation: false,
            auto_approve_templates: false,
            nicks: Vec::new(),
            accept_after_ms: 20,
            deliver_after_ms: 100,
            special_numbers: true,
            callback_form: false,
            callback_accepted: true,
            callback_retries: 0,
        }
    }
}

impl EskizConfig {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.login_error_status != 400 && self.login_error_status != 401 {
            return Err("eskiz: loginErrorStatus must be 400 or 401".into());
        }
        if self.price_per_part < 0 || self.global_price_per_part < 0 {
            return Err("eskiz: prices cannot be negative".into());
        }
        Ok(())
    }

    /// Whether `from` may be used as the sender.
    pub(crate) fn nick_allowed(&self, from: &str) -> bool {
        from == super::DEFAULT_NICK || self.nicks.iter().any(|n| n == from)
    }

    pub(crate) fn role(&self) -> &'static str {
        if self.test_mode {
            "test"
        } else {
            "user"
        }
    }
}
