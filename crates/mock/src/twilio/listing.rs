//! `GET /2010-04-01/Accounts/{AccountSid}/Messages.json`: the account's messages, newest
//! first, in Twilio's list envelope.
//!
//! Filters: `To`, `From` (exact), `DateSent` / `DateSent<` / `DateSent>` (a UTC day
//! `YYYY-MM-DD`: on, on or before, on or after; unsent messages never match, nor does an
//! unreadable date). Pages: `PageSize` (1–1000, default 50) and `Page` (from 0); the page
//! links carry a `PageToken` (`PA` + the last SID of the page, `PB` + the first) that
//! anchors the next or previous page to those messages, so deleting or creating messages
//! between requests does not shift it.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;

use super::auth::Authed;
use super::form::Form;
use super::render::{self, MessageJson, API_VERSION};
use super::respond;
use super::store::Message;
use crate::shared::Shared;
use crate::time::{now_ms, parse_utc_day};

const DEFAULT_PAGE_SIZE: usize = 50;
const MAX_PAGE_SIZE: usize = 1000;
/// The filters, in the order Twilio writes them back into page URIs.
const FILTERS: [&str; 5] = ["To", "From", "DateSent", "DateSent<", "DateSent>"];

#[derive(Serialize)]
struct Page<'a> {
    end: usize,
    first_page_uri: String,
    next_page_uri: Option<String>,
    page: usize,
    page_size: usize,
    previous_page_uri: Option<String>,
    start: usize,
    uri: String,
    messages: Vec<MessageJson<'a>>,
}

pub(crate) async fn list(State(shared): State<Arc<Shared>>, authed: Authed, uri: Uri) -> Response {
    if let Err(e) = authed.require_live() {
        return e.into_response(&shared);
    }
    let query = Form::parse(uri.query().unwrap_or("").as_bytes());
    let page_size = query
        .text("PageSize")
        .and_then(|s| s.parse::<usize>().ok())
        .map_or(DEFAULT_PAGE_SIZE, |n| n.clamp(1, MAX_PAGE_SIZE));
    // At most u32::MAX, so page arithmetic cannot overflow.
    let page = query
        .text("Page")
        .and_then(|s| s.parse::<u32>().ok())
        .map_or(0, |p| p as usize);
    let now = now_ms();
    let filter = Filter::new(&query);
    let all = shared
        .twilio
        .store
        .newest_first(&authed.account_sid, |m| filter.keeps(m, now));

    let offset = query
        .text("PageToken")
        .and_then(|token| anchored_offset(&all, token, page_size))
        .unwrap_or_else(|| page.saturating_mul(page_size).min(all.len()));
    let items = &all[offset..(offset + page_size).min(all.len())];

    let link = Link {
        path: format!(
            "/{API_VERSION}/Accounts/{}/Messages.json",
            authed.account_sid
        ),
        filters: FILTERS
            .iter()
            .filter_map(|name| query.text(name).map(|v| (*name, v)))
            .collect(),
        page_size,
    };
    let start = page * page_size;
    let body = Page {
        end: start + items.len().saturating_sub(1),
        first_page_uri: link.to(0, None),
        next_page_uri: (offset + items.len() < all.len())
            .then(|| link.to(page + 1, items.last().map(|m| format!("PA{}", m.sid)))),
        page,
        page_size,
        previous_page_uri: (page > 0)
            .then(|| link.to(page - 1, items.first().map(|m| format!("PB{}", m.sid)))),
        start,
        uri: link.to(page, query.text("PageToken").map(str::to_owned)),
        messages: items.iter().map(|m| render::message(m, now)).collect(),
    };
    respond::json(&shared, StatusCode::OK, &body)
}

/// Where a page starts when its token names a message still listed: after it (`PA`), or
/// a page's worth before it (`PB`).
fn anchored_offset(all: &[Arc<Message>], token: &str, page_size: usize) -> Option<usize> {
    let (after, sid) = match token.split_at_checked(2)? {
        ("PA", sid) => (true, sid),
        ("PB", sid) => (false, sid),
        _ => return None,
    };
    let at = all.iter().position(|m| m.sid == sid)?;
    Some(if after {
        at + 1
    } else {
        at.saturating_sub(page_size)
    })
}

/// Whether a message sent on the first day passes a filter on the second.
type DayRule = fn(i64, i64) -> bool;

struct Filter<'a> {
    to: Option<&'a str>,
    from: Option<&'a str>,
    /// The day each date filter names (`None`: unreadable), and its rule.
    days: Vec<(Option<i64>, DayRule)>,
}

impl<'a> Filter<'a> {
    fn new(query: &'a Form) -> Self {
        let rules: [(&str, DayRule); 3] = [
            ("DateSent", |sent, day| sent == day),
            ("DateSent<", |sent, day| sent <= day),
            ("DateSent>", |sent, day| sent >= day),
        ];
        let days = rules
            .iter()
            .filter_map(|(name, rule)| {
                let value = query.text(name)?;
                Some((value.get(..10).and_then(parse_utc_day), *rule))
            })
            .collect();
        Filter {
            to: query.text("To"),
            from: query.text("From"),
            days,
        }
    }

    fn keeps(&self, m: &Message, now_ms: u64) -> bool {
        if self.to.is_some_and(|to| to != m.to) {
            return false;
        }
        if self
            .from
            .is_some_and(|from| Some(from) != m.visible_from(now_ms))
        {
            return false;
        }
        if self.days.is_empty() {
            return true;
        }
        let Some(sent_day) = m.sent_ms(now_ms).map(|ms| (ms / 86_400_000) as i64) else {
            return false;
        };
        self.days
            .iter()
            .all(|(day, rule)| day.is_some_and(|d| rule(sent_day, d)))
    }
}

/// Builds the page URIs: the filters as given, then `PageSize`, `Page`, `PageToken`.
struct Link<'a> {
    path: String,
    filters: Vec<(&'static str, &'a str)>,
    page_size: usize,
}

impl Link<'_> {
    fn to(&self, page: usize, token: Option<String>) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.extend_pairs(self.filters.iter().copied());
        q.append_pair("PageSize", &self.page_size.to_string());
        q.append_pair("Page", &page.to_string());
        if let Some(token) = token {
            q.append_pair("PageToken", &token);
        }
        format!("{}?{}", self.path, q.finish())
    }
}
