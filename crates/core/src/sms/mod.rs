//! SMS: the provider-neutral vocabulary (`types`, `validate`, `delivery_status`,
//! `delivery_report`), the `SmsProvider` trait every gateway implements, and `SmsClient`, the
//! one API over them.
//!
//! Layers, bottom up: the vocabulary and the trait → `providers/*` (Eskiz, Twilio, console) →
//! `routing` (several providers, failover) → `client` (picks a provider or a router). Providers import the vocabulary files themselves
//! (`crate::sms::types::…`, `crate::sms::provider::…`), never this module's re-exports, so no
//! import runs back from a provider into the client (a test below keeps it so).

mod balance_watch;
mod client;
pub mod delivery_report;
pub mod delivery_status;
pub mod provider;
pub mod routing;
pub mod types;
pub mod validate;

pub use balance_watch::{
    PolledBalance, MAX_POLL as MAX_BALANCE_POLL, MIN_POLL as MIN_BALANCE_POLL,
};
pub use client::{LowBalance, ProviderBalance, RoutingConfig, SmsClient, SmsProviderConfig};
pub use provider::{Capabilities, SmsProvider};
pub use types::*;

#[cfg(test)]
mod layering {
    use std::path::Path;

    /// The files of `sms/` that providers may import: everything but the client and this map.
    const BELOW_PROVIDERS: [&str; 5] = [
        "types",
        "validate",
        "delivery_status",
        "delivery_report",
        "provider",
    ];

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn providers_import_only_the_vocabulary_below_them() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&root.join("providers"), &mut files);
        assert!(files.len() > 10, "providers/ not found: {files:?}");
        let mut wrong = Vec::new();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for (at, _) in line.match_indices("crate::sms::") {
                    let rest = &line[at + "crate::sms::".len()..];
                    // `crate::sms::types::X`, `crate::sms::validate;` or `crate::sms::{a, b}`.
                    let names: Vec<&str> = match rest.strip_prefix('{') {
                        Some(list) => list.split('}').next().unwrap_or("").split(',').collect(),
                        None => vec![rest],
                    };
                    for name in names {
                        let name: String = name
                            .trim()
                            .chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_')
                            .collect();
                        if !BELOW_PROVIDERS.contains(&name.as_str()) {
                            wrong.push(format!("{}:{}: {line}", file.display(), n + 1));
                        }
                    }
                }
                if line.contains("sms::client") || line.contains("SmsClient") {
                    wrong.push(format!("{}:{}: {line}", file.display(), n + 1));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "providers reach above the vocabulary:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn the_vocabulary_knows_no_provider() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/sms");
        for name in BELOW_PROVIDERS {
            let text = std::fs::read_to_string(root.join(format!("{name}.rs"))).unwrap();
            assert!(
                !text.contains("crate::providers") && !text.contains("super::client"),
                "sms/{name}.rs imports a provider or the client"
            );
        }
    }
}
