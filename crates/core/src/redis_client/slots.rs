//! Names of keys that belong together. On one server a related key is `<base>:<suffix>` (the
//! names earlier releases used, so a rolling upgrade keeps one lock). In a Redis Cluster it must
//! also land in `<base>`'s hash slot — a Lua script may only touch keys of one slot, and one
//! integration's records then live on one node: `{<base>}:<suffix>` when `<base>` has no hash
//! tag of its own, `<base>:<suffix>` when it has one.

use crate::error::{Error, Result};
use redis::cluster_routing::Slot;

/// The key `suffix` of `base`, in `base`'s hash slot when `cluster`.
pub fn related_key(base: &str, suffix: &str, cluster: bool) -> String {
    let plain = format!("{base}:{suffix}");
    if !cluster || same_slot(base, &plain) {
        return plain;
    }
    format!("{{{base}}}:{suffix}")
}

fn same_slot(a: &str, b: &str) -> bool {
    Slot::for_key(a) == Slot::for_key(b)
}

/// A key or prefix chosen in the options must let its related keys share its slot: braces are
/// only accepted as a hash tag (`{tag}`, not empty).
pub fn check_key(option: &str, base: &str) -> Result<()> {
    if same_slot(base, &related_key(base, "x", true)) {
        return Ok(());
    }
    Err(Error::config(format!(
        "{option}: braces are only accepted as a non-empty hash tag such as '{{app}}:tokens', \
         so that the keys derived from it share its Redis Cluster slot"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_server_keeps_the_earlier_names() {
        assert_eq!(
            related_key("uzgate:amocrm:ab12", "lock", false),
            "uzgate:amocrm:ab12:lock"
        );
        assert_eq!(
            related_key("uzgate:otp:998901234567", "sends", false),
            "uzgate:otp:998901234567:sends"
        );
    }

    #[test]
    fn in_a_cluster_every_related_key_shares_the_base_slot() {
        for base in [
            "uzgate:amocrm:ab12cd34ef56ab78",
            "uzgate:otp:998901234567",
            "{tenant-7}:tokens",
            "app{x}y",
            "a{b",
        ] {
            for suffix in ["lock", "sends", "rate"] {
                let k = related_key(base, suffix, true);
                assert!(same_slot(base, &k), "{base} → {k}");
                assert_ne!(k, base);
            }
            check_key("tokenStore.key", base).expect(base);
        }
        assert_eq!(
            related_key("uzgate:otp:1", "sends", true),
            "{uzgate:otp:1}:sends"
        );
        assert_eq!(related_key("{t}:k", "lock", true), "{t}:k:lock");
    }

    #[test]
    fn a_stray_closing_brace_is_refused() {
        for base in ["a}b", "x{}y}", "{}", "k{}"] {
            let e = check_key("tokenStore.key", base).expect_err(base);
            assert!(e.message.contains("hash tag"), "{}", e.message);
        }
    }
}
