//! What `tokenStatus()` shows: the state of the token, never the token.

use serde::Serialize;

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
}
