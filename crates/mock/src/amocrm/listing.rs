//! List parameters and the HAL page of `GET /api/v4/leads`.
//!
//! Parameters use PHP's bracket syntax: `filter[id][]=1&filter[id][]=2`, `filter[id]=1`,
//! `order[created_at]=desc`. Pages are numbered from 1; a page past the end is empty, and
//! an empty page is a 204 without a body, not `200 []`. `_links.next` is present whenever
//! the page is full, so following it from the last full page yields that 204.

use serde_json::{json, Value};

use super::store::Lead;

pub(crate) const DEFAULT_LIMIT: usize = 50;
pub(crate) const MAX_LIMIT: usize = 250;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum OrderKey {
    Id,
    CreatedAt,
    UpdatedAt,
}

#[derive(Debug)]
pub(crate) struct ListQuery {
    pub page: usize,
    pub limit: usize,
    /// `query`: full-text search, case-insensitive.
    pub text: Option<String>,
    pub with_contacts: bool,
    pub ids: Vec<u64>,
    pub pipelines: Vec<u64>,
    /// Ascending by id unless asked otherwise.
    pub order: (OrderKey, bool),
    /// Every other parameter, repeated in the page links.
    rest: Vec<(String, String)>,
}

/// Parses the query string; `Err` when `limit` is over [`MAX_LIMIT`].
pub(crate) fn parse(query: &str) -> Result<ListQuery, ()> {
    let mut q = ListQuery {
        page: 1,
        limit: DEFAULT_LIMIT,
        text: None,
        with_contacts: false,
        ids: Vec::new(),
        pipelines: Vec::new(),
        order: (OrderKey::Id, false),
        rest: Vec::new(),
    };
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let (key, value) = (key.into_owned(), value.into_owned());
        match key.as_str() {
            "page" => q.page = value.trim().parse().unwrap_or(1).max(1),
            "limit" => {
                let limit: usize = value.trim().parse().unwrap_or(DEFAULT_LIMIT);
                if limit > MAX_LIMIT {
                    return Err(());
                }
                q.limit = if limit == 0 { DEFAULT_LIMIT } else { limit };
            }
            _ => {
                if key == "query" {
                    q.text = Some(value.trim().to_lowercase()).filter(|t| !t.is_empty());
                } else if key == "with" {
                    q.with_contacts |= value.split(',').any(|w| w.trim() == "contacts");
                } else if key.starts_with("filter[id]") {
                    q.ids.extend(numbers(&value));
                } else if key.starts_with("filter[pipeline_id]") {
                    q.pipelines.extend(numbers(&value));
                } else if let Some(field) =
                    key.strip_prefix("order[").and_then(|k| k.strip_suffix(']'))
                {
                    if let Some(k) = order_key(field) {
                        q.order = (k, value.eq_ignore_ascii_case("desc"));
                    }
                } else if key == "order" {
                    if let Some(k) = order_key(&value) {
                        q.order = (k, false);
                    }
                }
                q.rest.push((key, value));
            }
        }
    }
    Ok(q)
}

fn numbers(value: &str) -> impl Iterator<Item = u64> + '_ {
    value.split(',').filter_map(|n| n.trim().parse().ok())
}

fn order_key(field: &str) -> Option<OrderKey> {
    match field {
        "id" => Some(OrderKey::Id),
        "created_at" => Some(OrderKey::CreatedAt),
        "updated_at" => Some(OrderKey::UpdatedAt),
        _ => None,
    }
}

impl ListQuery {
    pub(crate) fn matches(&self, lead: &Lead) -> bool {
        (self.ids.is_empty() || self.ids.contains(&lead.id))
            && (self.pipelines.is_empty() || self.pipelines.contains(&lead.pipeline_id))
            && self.text.as_deref().is_none_or(|t| {
                lead.name.to_lowercase().contains(t)
                    || super::custom_fields::texts(&lead.custom_fields)
                        .any(|v| v.to_lowercase().contains(t))
            })
    }

    pub(crate) fn sort(&self, rows: &mut [&Lead]) {
        let (key, desc) = self.order;
        rows.sort_by(|a, b| {
            let ord = match key {
                OrderKey::Id => a.id.cmp(&b.id),
                OrderKey::CreatedAt => (a.created_at, a.id).cmp(&(b.created_at, b.id)),
                OrderKey::UpdatedAt => (a.updated_at, a.id).cmp(&(b.updated_at, b.id)),
            };
            if desc {
                ord.reverse()
            } else {
                ord
            }
        });
    }

    /// Index range of this page within `total` rows (empty past the end).
    pub(crate) fn window(&self, total: usize) -> std::ops::Range<usize> {
        let start = (self.page - 1).saturating_mul(self.limit).min(total);
        start..(start + self.limit).min(total)
    }

    fn page_url(&self, path: &str, page: usize) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("page", &page.to_string());
        s.append_pair("limit", &self.limit.to_string());
        for (k, v) in &self.rest {
            s.append_pair(k, v);
        }
        format!("{path}?{}", s.finish())
    }

    /// `{"_page", "_links": {"self", "next"?, "prev"?}, "_embedded": {kind: items}}`.
    pub(crate) fn page(&self, path: &str, kind: &str, items: Vec<Value>) -> Value {
        let mut links = json!({"self": {"href": self.page_url(path, self.page)}});
        if items.len() == self.limit {
            links["next"] = json!({"href": self.page_url(path, self.page + 1)});
        }
        if self.page > 1 {
            links["prev"] = json!({"href": self.page_url(path, self.page - 1)});
        }
        json!({"_page": self.page, "_links": links, "_embedded": {kind: items}})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_php_style_parameters() {
        let q = parse("page=2&limit=10&query=Sayt&filter[id][]=5&filter%5Bid%5D%5B%5D=6&order[created_at]=desc&with=contacts").unwrap();
        assert_eq!((q.page, q.limit), (2, 10));
        assert_eq!(q.text.as_deref(), Some("sayt"));
        assert_eq!(q.ids, vec![5, 6]);
        assert_eq!(q.order, (OrderKey::CreatedAt, true));
        assert!(q.with_contacts);
        assert_eq!(q.window(25), 10..20);
        assert_eq!(q.window(5), 5..5);
        assert!(parse("limit=251").is_err());
        assert_eq!(parse("limit=250").unwrap().limit, 250);
    }

    #[test]
    fn links_keep_other_parameters() {
        let q = parse("limit=2&query=x").unwrap();
        let page = q.page("http://h/api/v4/leads", "leads", vec![json!(1), json!(2)]);
        assert_eq!(
            page["_links"]["next"]["href"],
            "http://h/api/v4/leads?page=2&limit=2&query=x"
        );
        assert!(page["_links"].get("prev").is_none());
    }
}
