//! Message templates and moderation.
//!
//! On an activated account every text must match an approved template. Integrators
//! report the rule as "character for character, digits may vary" (OTP codes): here every
//! run of digits in the template matches any run of digits in the text. Approved means
//! status `service` or `reklama` (advertising).

use std::collections::HashMap;

use parking_lot::RwLock;
use serde::Serialize;

/// Template statuses, spelled as Eskiz spells them (`inproccess` included).
pub(crate) const STATUSES: [&str; 5] =
    ["moderation", "inproccess", "service", "reklama", "rejected"];

#[derive(Clone, Debug, Serialize)]
pub(crate) struct Template {
    pub id: u64,
    /// Empty while pending; the approved text afterwards.
    pub template: String,
    pub original_text: String,
    pub status: String,
}

fn approved(status: &str) -> bool {
    status == "service" || status == "reklama"
}

/// Collapses every run of digits to one marker, so texts differing only in digits share a key.
fn shape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_digits = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('\u{0}');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    out
}

#[derive(Default)]
struct Inner {
    list: Vec<Template>,
    /// shape → whether the approved template is advertising.
    approved: HashMap<String, bool>,
}

impl Inner {
    fn reindex(&mut self) {
        self.approved = self
            .list
            .iter()
            .filter(|t| approved(&t.status))
            .map(|t| (shape(&t.original_text), t.status == "reklama"))
            .collect();
    }
}

#[derive(Default)]
pub(crate) struct Templates {
    inner: RwLock<Inner>,
}

impl Templates {
    pub(crate) fn submit(&self, text: &str, status: &str) -> Template {
        let mut inner = self.inner.write();
        let template = Template {
            id: inner.list.len() as u64 + 1,
            template: if approved(status) {
                text.to_owned()
            } else {
                String::new()
            },
            original_text: text.to_owned(),
            status: status.to_owned(),
        };
        inner.list.push(template.clone());
        inner.reindex();
        template
    }

    pub(crate) fn set_status(&self, id: u64, status: &str) -> Result<(), String> {
        if !STATUSES.contains(&status) {
            return Err(format!(
                "unknown template status `{status}` (one of {})",
                STATUSES.join(", ")
            ));
        }
        let mut inner = self.inner.write();
        let t = inner
            .list
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| format!("no template with id {id}"))?;
        t.status = status.to_owned();
        t.template = if approved(status) {
            t.original_text.clone()
        } else {
            String::new()
        };
        inner.reindex();
        Ok(())
    }

    /// Approves (as `service`) every template still waiting; returns how many.
    pub(crate) fn approve_pending(&self) -> usize {
        let mut inner = self.inner.write();
        let mut n = 0;
        for t in inner
            .list
            .iter_mut()
            .filter(|t| t.status == "moderation" || t.status == "inproccess")
        {
            t.status = "service".into();
            t.template = t.original_text.clone();
            n += 1;
        }
        inner.reindex();
        n
    }

    /// `Some(is_ad)` when `text` matches an approved template.
    pub(crate) fn matches(&self, text: &str) -> Option<bool> {
        let inner = self.inner.read();
        if inner.approved.is_empty() {
            return None;
        }
        inner.approved.get(&shape(text)).copied()
    }

    pub(crate) fn list(&self) -> Vec<Template> {
        self.inner.read().list.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_may_vary_everything_else_must_match() {
        let t = Templates::default();
        let pending = t.submit("Your code: 1234", "moderation");
        assert_eq!(t.matches("Your code: 1234"), None);
        t.set_status(pending.id, "service").unwrap();
        assert_eq!(t.matches("Your code: 987654"), Some(false));
        assert_eq!(t.matches("Your code:  9876"), None);
        assert_eq!(t.matches("your code: 9876"), None);
        assert_eq!(t.matches("Your code: abcd"), None);
        t.submit("Sale 50% today", "reklama");
        assert_eq!(t.matches("Sale 70% today"), Some(true));
        assert!(t.set_status(pending.id, "approved").is_err());
        assert!(t.set_status(99, "service").is_err());
    }

    #[test]
    fn approve_pending_approves_only_waiting_ones() {
        let t = Templates::default();
        t.submit("a", "moderation");
        t.submit("b", "rejected");
        t.submit("c", "inproccess");
        assert_eq!(t.approve_pending(), 2);
        assert_eq!(t.matches("b"), None);
        assert_eq!(t.matches("c"), Some(false));
    }
}
