//! Listing Twilio messages: the list envelope, newest first, filters and page links.

mod tw;

use serde_json::{json, Value};
use tw::*;

fn sids(page: &Value) -> Vec<String> {
    page["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["sid"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_follow_next_and_previous_links() {
    let sb = sandbox(json!({})).await;
    let a = account(&sb);
    let c = client();
    let mut created = Vec::new();
    for i in 0..5 {
        let to = format!("+1555123456{i}");
        let r = create(&c, &sb, &a, &plain(&to, "Hi")).await;
        created.push(r.json["sid"].as_str().unwrap().to_owned());
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    let base = messages_path(&a.sid);

    let first = get(&c, &sb, &a, &format!("{base}?PageSize=2")).await;
    assert_eq!(first.status, 200);
    let p = &first.json;
    let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "end",
            "first_page_uri",
            "messages",
            "next_page_uri",
            "page",
            "page_size",
            "previous_page_uri",
            "start",
            "uri"
        ]
    );
    assert_eq!(
        (p["page"].clone(), p["page_size"].clone()),
        (json!(0), json!(2))
    );
    assert_eq!((p["start"].clone(), p["end"].clone()), (json!(0), json!(1)));
    assert_eq!(p["uri"], format!("{base}?PageSize=2&Page=0"));
    assert_eq!(p["first_page_uri"], format!("{base}?PageSize=2&Page=0"));
    assert_eq!(p["previous_page_uri"], Value::Null);
    assert_eq!(
        p["next_page_uri"],
        format!("{base}?PageSize=2&Page=1&PageToken=PA{}", newest_first[1])
    );
    assert_eq!(sids(p), newest_first[..2]);
    assert!(p["messages"][0]["num_segments"].is_string());

    // Follow the links as an SDK does.
    let mut seen = sids(p);
    let mut next = p["next_page_uri"].as_str().map(str::to_owned);
    let mut last = Value::Null;
    while let Some(uri) = next {
        let page = get(&c, &sb, &a, &uri).await.json;
        seen.extend(sids(&page));
        next = page["next_page_uri"].as_str().map(str::to_owned);
        last = page;
    }
    assert_eq!(seen, newest_first);
    assert_eq!(
        (
            last["page"].clone(),
            last["start"].clone(),
            last["end"].clone()
        ),
        (json!(2), json!(4), json!(4))
    );
    let previous = last["previous_page_uri"].as_str().unwrap();
    assert_eq!(
        previous,
        format!("{base}?PageSize=2&Page=1&PageToken=PB{}", newest_first[4])
    );
    assert_eq!(
        sids(&get(&c, &sb, &a, previous).await.json),
        newest_first[2..4]
    );

    // A page past the end is empty.
    let empty = get(&c, &sb, &a, &format!("{base}?PageSize=2&Page=7"))
        .await
        .json;
    assert_eq!(empty["messages"], json!([]));
    assert_eq!(empty["next_page_uri"], Value::Null);

    // Defaults: 50 per page.
    let all = get(&c, &sb, &a, &base).await.json;
    assert_eq!(all["page_size"], 50);
    assert_eq!(sids(&all), newest_first);
    sb.close().await;
}

#[tokio::test]
async fn filters_by_to_from_and_send_date() {
    let sb = sandbox(json!({"numbers": ["+14155550100"]})).await;
    let a = account(&sb);
    let c = client();
    for (to, from) in [
        ("+15551230001", MAGIC_FROM),
        ("+15551230002", MAGIC_FROM),
        ("+15551230001", "+14155550100"),
    ] {
        let r = create(&c, &sb, &a, &[("To", to), ("From", from), ("Body", "Hi")]).await;
        fetch_until(&c, &sb, &a, r.json["sid"].as_str().unwrap(), "delivered").await;
    }
    let base = messages_path(&a.sid);
    let to = get(&c, &sb, &a, &format!("{base}?To=%2B15551230001"))
        .await
        .json;
    assert_eq!(to["messages"].as_array().unwrap().len(), 2);
    assert_eq!(
        to["uri"],
        format!("{base}?To=%2B15551230001&PageSize=50&Page=0")
    );
    let both = get(
        &c,
        &sb,
        &a,
        &format!("{base}?To=%2B15551230001&From=%2B14155550100"),
    )
    .await
    .json;
    assert_eq!(both["messages"].as_array().unwrap().len(), 1);
    assert_eq!(both["messages"][0]["from"], "+14155550100");

    let today = &iso_in(0)[..10];
    let on = get(&c, &sb, &a, &format!("{base}?DateSent={today}"))
        .await
        .json;
    assert_eq!(on["messages"].as_array().unwrap().len(), 3);
    let before = get(&c, &sb, &a, &format!("{base}?DateSent%3C=2008-01-02"))
        .await
        .json;
    assert_eq!(before["messages"], json!([]));
    assert_eq!(
        before["uri"],
        format!("{base}?DateSent%3C=2008-01-02&PageSize=50&Page=0")
    );
    let after = get(&c, &sb, &a, &format!("{base}?DateSent%3E=2008-01-02"))
        .await
        .json;
    assert_eq!(after["messages"].as_array().unwrap().len(), 3);
    sb.close().await;
}
