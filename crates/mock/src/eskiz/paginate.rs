//! The Laravel paginator envelope that Eskiz's history endpoints return.

use serde_json::{json, Value};

/// Pages `rows` (already filtered and ordered) as Laravel's `paginate()` would.
/// `path` is the endpoint's absolute URL.
pub(crate) fn paginate(rows: Vec<Value>, page: usize, per_page: usize, path: &str) -> Value {
    let total = rows.len();
    let last_page = total.div_ceil(per_page).max(1);
    // A page past the end is empty rather than an error, as in Laravel.
    let page = page.max(1);
    let start = (page - 1).saturating_mul(per_page).min(total);
    let end = (start + per_page).min(total);
    let result: Vec<Value> = rows.into_iter().skip(start).take(end - start).collect();
    let url = |p: usize| format!("{path}?page={p}");
    let (from, to) = if result.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (json!(start + 1), json!(end))
    };
    json!({
        "current_page": page,
        "path": path,
        "prev_page_url": if page > 1 { json!(url(page - 1)) } else { Value::Null },
        "first_page_url": url(1),
        "last_page_url": url(last_page),
        "next_page_url": if page < last_page { json!(url(page + 1)) } else { Value::Null },
        "per_page": per_page,
        "last_page": last_page,
        "from": from,
        "to": to,
        "total": total,
        "result": result,
        "links": links(page, last_page, &url),
    })
}

/// Previous, a window of page numbers (with `...` gaps, first and last kept), next.
fn links(page: usize, last_page: usize, url: &dyn Fn(usize) -> String) -> Vec<Value> {
    let link = |p: usize| json!({"url": url(p), "label": p.to_string(), "active": p == page});
    let gap = || json!({"url": null, "label": "...", "active": false});
    let mut out = vec![json!({
        "url": if page > 1 { json!(url(page - 1)) } else { Value::Null },
        "label": "&laquo; Previous",
        "active": false,
    })];
    let lo = page.saturating_sub(3).max(1);
    let hi = (page + 3).min(last_page);
    if lo > 1 {
        out.push(link(1));
        if lo > 2 {
            out.push(gap());
        }
    }
    out.extend((lo..=hi).map(link));
    if hi < last_page {
        if hi + 1 < last_page {
            out.push(gap());
        }
        out.push(link(last_page));
    }
    out.push(json!({
        "url": if page < last_page { json!(url(page + 1)) } else { Value::Null },
        "label": "Next &raquo;",
        "active": false,
    }));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_links() {
        let rows: Vec<Value> = (0..45).map(|i| json!(i)).collect();
        let p = paginate(rows.clone(), 2, 20, "http://h/x");
        assert_eq!(p["from"], 21);
        assert_eq!(p["to"], 40);
        assert_eq!(p["last_page"], 3);
        assert_eq!(p["next_page_url"], "http://h/x?page=3");
        assert_eq!(p["result"].as_array().unwrap().len(), 20);
        assert_eq!(p["links"].as_array().unwrap().len(), 5);
        let empty = paginate(Vec::new(), 1, 20, "http://h/x");
        assert_eq!(
            (empty["total"].clone(), empty["from"].clone()),
            (json!(0), Value::Null)
        );
        let past = paginate(rows, 9, 20, "http://h/x");
        assert!(past["result"].as_array().unwrap().is_empty());
    }
}
