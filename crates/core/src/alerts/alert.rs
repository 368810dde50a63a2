//! What an alert says: which kind of trouble, for which integration, since when, and what to do —
//! in plain text (no parse mode, so nothing to escape) within Telegram's 4096 characters. Texts
//! are built from fixed sentences and the caller's masked labels: never a token, a code, a
//! password or a full phone number.

use crate::time::iso8601_utc;

/// Kinds of trouble an operator hears about; one incident per kind and integration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AlertKind {
    /// amoCRM refused the tokens: the integration is disconnected until someone authorises it.
    ReauthorizationRequired,
    /// Token refreshes keep failing.
    RefreshFailing,
    /// A token is in use but the store cannot save it.
    TokenUnsaved,
    /// amoCRM blocked the integration (403).
    AccessBlocked,
    /// The amoCRM account is unpaid (402).
    AccountUnpaid,
    /// The SMS balance fell below its threshold.
    LowBalance,
    /// Too many messages failed to deliver over the window.
    DeliveryFailures,
    /// The OTP hourly cap was hit more often than its threshold (abuse).
    OtpAbuse,
    /// An OTP send budget (global or a region's) refused sends.
    OtpBudgetExhausted,
    /// A routed SMS provider's circuit breaker opened: sends skip it until a probe succeeds.
    ProviderDown,
}

impl AlertKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::ReauthorizationRequired => "reauthorization_required",
            AlertKind::RefreshFailing => "refresh_failing",
            AlertKind::TokenUnsaved => "token_unsaved",
            AlertKind::AccessBlocked => "access_blocked",
            AlertKind::AccountUnpaid => "account_unpaid",
            AlertKind::LowBalance => "low_balance",
            AlertKind::DeliveryFailures => "delivery_failures",
            AlertKind::OtpAbuse => "otp_abuse",
            AlertKind::OtpBudgetExhausted => "otp_budget_exhausted",
            AlertKind::ProviderDown => "provider_down",
        }
    }

    fn headline(self) -> &'static str {
        match self {
            AlertKind::ReauthorizationRequired => "amoCRM is disconnected",
            AlertKind::RefreshFailing => "token refreshes keep failing",
            AlertKind::TokenUnsaved => "a token could not be saved to the store",
            AlertKind::AccessBlocked => "amoCRM blocked the integration",
            AlertKind::AccountUnpaid => "the amoCRM account is unpaid",
            AlertKind::LowBalance => "the SMS balance is low",
            AlertKind::DeliveryFailures => "many SMS are not delivered",
            AlertKind::OtpAbuse => "OTP sends hit the hourly cap often",
            AlertKind::OtpBudgetExhausted => "the OTP send budget is used up",
            AlertKind::ProviderDown => "SMS provider unavailable",
        }
    }
}

/// Firing, or resolved (the condition cleared).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertState {
    Firing,
    Resolved,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Firing => "firing",
            AlertState::Resolved => "resolved",
        }
    }
}

/// One message about one incident.
#[derive(Clone, Debug, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    pub state: AlertState,
    /// Which integration, already masked by the caller (`amoCRM example.amocrm.ru`,
    /// `Eskiz o***@example.uz`).
    pub integration: String,
    /// When the incident began (Unix ms).
    pub since_ms: u64,
    /// What was seen (counts, a threshold, an error code); no secret.
    pub detail: String,
    /// What to do (a route, a command); empty when resolved.
    pub action: String,
    /// A repeat of an incident already reported.
    pub repeat: bool,
}

/// Telegram's limit on a message, in characters after parsing.
pub const MAX_TEXT_CHARS: usize = 4096;

impl Alert {
    /// The message text: plain, at most [`MAX_TEXT_CHARS`] characters.
    pub fn text(&self) -> String {
        let head = match (self.state, self.repeat) {
            (AlertState::Resolved, _) => format!("✅ RESOLVED: {}", self.kind.headline()),
            (AlertState::Firing, true) => format!("🔴 STILL: {}", self.kind.headline()),
            (AlertState::Firing, false) => format!("🔴 {}", self.kind.headline()),
        };
        let mut text = format!(
            "{head}\n{}\nsince {}",
            self.integration,
            iso8601_utc(self.since_ms)
        );
        for part in [&self.detail, &self.action] {
            if !part.is_empty() {
                text.push('\n');
                text.push_str(part);
            }
        }
        truncate_chars(text, MAX_TEXT_CHARS)
    }
}

fn truncate_chars(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text,
        Some((cut, _)) => {
            let mut short: String = text[..cut].chars().take(max - 1).collect();
            short.push('…');
            short
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(state: AlertState, repeat: bool) -> Alert {
        Alert {
            kind: AlertKind::ReauthorizationRequired,
            state,
            integration: "amoCRM example.amocrm.ru".into(),
            since_ms: 1_796_544_000_000,
            detail: "amoCRM refused the refresh token (invalid_grant)".into(),
            action: "connect it again: GET /amocrm/authorize".into(),
            repeat,
        }
    }

    #[test]
    fn says_what_for_which_since_when_and_what_to_do() {
        let t = alert(AlertState::Firing, false).text();
        assert!(
            t.starts_with("🔴 amoCRM is disconnected\namoCRM example.amocrm.ru\nsince 20"),
            "{t}"
        );
        assert!(
            t.ends_with("connect it again: GET /amocrm/authorize"),
            "{t}"
        );
        assert!(alert(AlertState::Firing, true)
            .text()
            .starts_with("🔴 STILL: "));
        assert!(alert(AlertState::Resolved, false)
            .text()
            .starts_with("✅ RESOLVED: amoCRM is disconnected"));
    }

    #[test]
    fn long_texts_fit_telegrams_limit_in_characters() {
        let mut a = alert(AlertState::Firing, false);
        a.detail = "ж".repeat(10_000);
        let t = a.text();
        assert_eq!(t.chars().count(), MAX_TEXT_CHARS);
        assert!(t.ends_with('…'));
    }
}
