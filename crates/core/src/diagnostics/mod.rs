//! The configuration view for operators: each client's effective configuration (providers,
//! hosts, token store and whether it is persisted, limits, credentials set or missing) and what
//! is missing or risky, computed from the parsed options with the defaults the clients apply.
//! Every value passes through `mask::reveal`: no secret, nor any part of one, is ever in a view.
//! Alert sinks appear by chat and host, never by token or key.

mod alerts;
mod amocrm;
mod mask;
mod otp;
mod sms;
mod store;
#[cfg(test)]
mod tests;
mod view;

pub use mask::{reveal, Exposure, MASK};
pub use view::{
    AccountView, AlertSinkView, AlertsView, ConfigView, CredentialView, Finding, HostView,
    LimitsView, OtpView, PrefixLimitView, StoreView,
};

use crate::error::Result;
use crate::options::{AmoCrmOptions, OtpOptions, SmsOptions};

impl ConfigView {
    /// The SMS client's view (Eskiz, Twilio or console).
    pub fn of_sms(options: &SmsOptions) -> Result<Self> {
        sms::sms_view(options)
    }

    /// The amoCRM client's view.
    pub fn of_amocrm(options: &AmoCrmOptions) -> Result<Self> {
        amocrm::amocrm_view(options)
    }

    /// The OTP service's view.
    pub fn of_otp(options: &OtpOptions) -> Result<Self> {
        otp::otp_view(options)
    }

    /// Lists the application's alert function among the sinks (the binding knows of it).
    pub fn with_alert_callback(mut self, has_callback: bool) -> Self {
        if has_callback {
            alerts::add_callback_sink(&mut self.alerts);
        }
        self
    }

    /// The regions an OTP service sends codes to, as decided with its SMS client.
    pub fn with_otp_regions(mut self, regions: &[String]) -> Self {
        if let Some(otp) = &mut self.otp {
            otp.allowed_regions = Some(regions.to_vec());
        }
        self
    }

    /// The view as JSON (camelCase), as the binding, the route and the CLI give it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}
