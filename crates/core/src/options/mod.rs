//! The options users give each client, defined once: these types are what the binding parses
//! (unknown keys refused, each error naming its field), what the TypeScript option types are
//! generated from (the `typescript` feature; their doc comments become the JSDoc), and what the
//! environment reader fills. Every rule between options is checked here, once.

mod alerts;
mod amocrm;
mod common;
mod otp;
mod parse;
mod routing;
mod sms;
mod store;
#[cfg(test)]
mod tests;
#[cfg(all(test, feature = "typescript"))]
mod typescript;

pub use alerts::{
    amocrm_label, sms_label, AlertClient, AlertOptions, DeliveryFailureAlertOptions,
    OtpAbuseAlertOptions, TelegramAlertOptions, TelegramChat, WebhookAlertOptions,
};
pub use amocrm::{AmoCrmDomain, AmoCrmOptions};
pub use common::{Common, LogLevel};
pub use otp::{
    OtpBudgetOptions, OtpClientIpLimitOptions, OtpOptions, OtpParts, OtpPrefixLimitOptions,
    OtpStoreKind, OtpStoreOptions,
};
pub use parse::{closest, from_json, keys_of};
pub use routing::{BreakerOptions, RouteOptions};
pub use sms::{
    ConsoleOptions, EskizOptions, PlayMobileOptions, PlayMobilePriority, SmsOptions,
    SmsProviderKind, SmsSetup, TwilioOptions,
};
pub use store::{BuiltStore, StoreKind, TokenStoreOptions};
