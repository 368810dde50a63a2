//! What `tokenStatus()` shows: the state of the token, never the token; and the tally of how
//! tokens were obtained that it reports.

use super::snapshot::Snapshot;
use super::IssueKind;
use crate::error::Error;
use crate::store::unix_now_ms;
use serde::Serialize;
use std::sync::Arc;

#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TokenStatus {
    pub provider: &'static str,
    /// `empty` | `valid` | `expiring` | `expired` | `refreshing` | `failed` |
    /// `reauthorization_required` | `closed`
    pub state: &'static str,
    pub generation: u64,
    pub expires_at_ms: Option<u64>,
    pub obtained_at_ms: Option<u64>,
    pub last_refresh_at_ms: Option<u64>,
    /// Tokens obtained with the current token / refresh token.
    pub refreshes: u64,
    /// Tokens obtained with the primary credentials (Eskiz login, amoCRM code exchange).
    pub logins: u64,
    /// Tokens taken over from the store (written by another process).
    pub adopted: u64,
    pub failures: u64,
    pub last_error_code: Option<&'static str>,
    pub last_error_message: Option<String>,
    pub store: &'static str,
    /// Whether the store holds the token in use (`false`: obtained while the store failed, and
    /// being saved again); `None` without a token.
    pub persisted: Option<bool>,
}

/// Counts of a manager's lifetime, for the status.
#[derive(Default)]
pub(super) struct Tally {
    pub refreshes: u64,
    pub logins: u64,
    pub adopted: u64,
    pub failures: u64,
    pub last_refresh_at_ms: Option<u64>,
    pub last_error: Option<Arc<Error>>,
}

impl Tally {
    pub fn issued(&mut self, how: IssueKind) {
        match how {
            IssueKind::Refresh => self.refreshes += 1,
            IssueKind::Login | IssueKind::Exchange => self.logins += 1,
            IssueKind::Adopted => self.adopted += 1,
        }
        self.last_refresh_at_ms = Some(unix_now_ms());
    }

    pub fn failed(&mut self, error: Arc<Error>) {
        self.failures += 1;
        self.last_error = Some(error);
    }

    pub fn status(
        &self,
        provider: &'static str,
        state: &'static str,
        current: Option<&Snapshot>,
        store: &'static str,
    ) -> TokenStatus {
        TokenStatus {
            provider,
            state,
            generation: super::cache::generation_of(current),
            expires_at_ms: current.and_then(|s| s.expires_at_ms),
            obtained_at_ms: current.map(|s| s.obtained_at_ms),
            last_refresh_at_ms: self.last_refresh_at_ms,
            refreshes: self.refreshes,
            logins: self.logins,
            adopted: self.adopted,
            failures: self.failures,
            last_error_code: self.last_error.as_ref().map(|e| e.code.as_str()),
            last_error_message: self.last_error.as_ref().map(|e| e.message.clone()),
            store,
            persisted: current.map(|s| s.is_persisted()),
        }
    }
}
