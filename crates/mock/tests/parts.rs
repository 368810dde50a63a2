//! Parts counting as seen through the API: what the inbox records and the balance pays.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn parts_follow_gsm7_and_ucs2_limits() {
    let Session { sb, c, url, token } = session(json!({"pricePerPart": 10})).await;
    let cases = [
        ("a".repeat(160), 1),
        ("a".repeat(161), 2),
        ("д".repeat(70), 1),
        ("д".repeat(71), 2),
        ("{".repeat(80), 1), // 160 septets: extension characters cost two
        (format!("{}~", "a".repeat(159)), 2),
        (format!("{}ʻ", "a".repeat(69)), 1), // one non-GSM character: UCS-2
        (format!("{}ʻ", "a".repeat(70)), 2),
    ];
    for (text, _) in &cases {
        let (status, v) = send(&c, &url, &token, "998901234567", text).await;
        assert_eq!(status, 200, "{v}");
    }
    let inbox = sb.inbox();
    let parts: Vec<u64> = inbox
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["parts"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = cases.iter().map(|(_, p)| *p).collect();
    assert_eq!(parts, expected);
    let total: u64 = expected.iter().sum();
    assert_eq!(
        sb.stats()["eskiz"]["balance"],
        1_000_000 - 10 * total as i64
    );
    sb.close().await;
}
