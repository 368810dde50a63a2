//! Validation errors of batch writes.
//!
//! A write is all or nothing: every item is checked, and if any has errors the whole
//! request is answered 400 with `validation-errors`, one entry per failing item
//! (`{"request_id", "errors": [{"code", "path", "detail"}]}`), and nothing is stored.
//! Paths are dotted from the item (`custom_fields_values.0.field_id`).

use axum::response::Response;
use serde::Serialize;

use super::problem;

pub(crate) const NOT_A_CHOICE: &str = "The value you selected is not a valid choice.";

/// One error, its members in the live order.
#[derive(Serialize)]
pub(crate) struct Violation {
    pub code: &'static str,
    pub path: String,
    pub detail: String,
}

/// The errors of one item; `prefix` is prepended to every path.
pub(crate) struct Violations {
    prefix: String,
    list: Vec<Violation>,
}

impl Violations {
    pub(crate) fn new() -> Self {
        Violations {
            prefix: String::new(),
            list: Vec::new(),
        }
    }

    /// Runs `check` with paths nested under `segment` (`_embedded.contacts.0`).
    pub(crate) fn nested<T>(&mut self, segment: &str, check: impl FnOnce(&mut Self) -> T) -> T {
        let saved = self.prefix.len();
        self.prefix.push_str(segment);
        self.prefix.push('.');
        let out = check(self);
        self.prefix.truncate(saved);
        out
    }

    pub(crate) fn push(&mut self, code: &'static str, path: &str, detail: &str) {
        self.list.push(Violation {
            code,
            path: format!("{}{path}", self.prefix),
            detail: detail.to_owned(),
        });
    }

    /// `InvalidType`: "This value should be of type {ty}."
    pub(crate) fn invalid_type(&mut self, path: &str, ty: &str) {
        self.push(
            "InvalidType",
            path,
            &format!("This value should be of type {ty}."),
        );
    }

    pub(crate) fn not_a_choice(&mut self, path: &str) {
        self.push("NotSupportedChoice", path, NOT_A_CHOICE);
    }

    pub(crate) fn blank(&mut self, path: &str) {
        self.push("NotBlank", path, "This value should not be blank.");
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    #[cfg(test)]
    pub(crate) fn errors(&self) -> &[Violation] {
        &self.list
    }
}

/// The errors of one failing item.
#[derive(Serialize)]
pub(crate) struct ItemErrors {
    request_id: String,
    errors: Vec<Violation>,
}

/// The failing items of one request.
#[derive(Default)]
pub(crate) struct BatchErrors {
    items: Vec<ItemErrors>,
}

impl BatchErrors {
    /// Records `item`'s errors, if it has any.
    pub(crate) fn add(&mut self, request_id: &str, item: Violations) {
        if !item.list.is_empty() {
            self.items.push(ItemErrors {
                request_id: request_id.to_owned(),
                errors: item.list,
            });
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub(crate) fn into_response(self) -> Response {
        problem::validation_failed(&self.items)
    }
}
