//! uzgate sandbox gateway: a local HTTP server that imitates the Eskiz.uz SMS API
//! (notify.eskiz.uz/api), Twilio's Programmable Messaging API (api.twilio.com), amoCRM's
//! OAuth server and API v4, Play Mobile's SMS Broker API (`/broker-api/send`) and Telegram's Bot API `sendMessage` closely enough for client
//! tests, demos and benchmarks, and records the webhooks it receives.
//!
//! Every provider is mounted at the root of one server, so a client simply uses
//! [`Sandbox::url`] where it would use the provider's base URL. The server counts what it
//! sees ([`Sandbox::stats`]), keeps the messages it accepted ([`Sandbox::inbox`]), can be
//! reconfigured while running ([`Sandbox::configure`]) and can misbehave on purpose
//! ([`Sandbox::set_fault`]). The same controls are served over HTTP under `/__sandbox/`
//! for when it runs as the standalone `uzgate-sandbox` process.
//!
//! The behaviour it imitates, and the rules it adds for testing (special phone numbers,
//! status timing, rate limits), are described in this crate's README.

mod amocrm;
mod control;
mod eskiz;
mod faults;
mod fields;
mod generations;
mod hex;
mod jwt;
mod message_log;
mod options;
mod pages;
mod playmobile;
mod reply;
mod sandbox;
mod server;
mod shared;
mod shutdown;
mod stats;
mod telegram;
mod text;
mod time;
mod twilio;
mod webhooks;

pub use sandbox::Sandbox;
