//! Sending, validation, account policies, status and history, over real HTTP.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

const NOT_MODERATED: &str = "Этот смс текст еще не прошёл модерацию. Сначала добавьте его через API - Шаблоны - Отправить шаблон или через кабинет my.eskiz.uz - СМС - Мои тексты.";

#[tokio::test]
async fn send_accepts_json_form_and_multipart() {
    let Session { sb, c, url, token } = session(json!({})).await;

    let (s1, v1) = post_json(
        &c,
        &url,
        "/message/sms/send",
        &token,
        json!({"mobile_phone": 998901234567u64, "message": "json", "from": "4546", "user_sms_id": "a-1"}),
    )
    .await;
    let (s2, _) = send(&c, &url, &token, "998911234567", "form").await;
    let multipart = reqwest::multipart::Form::new()
        .text("mobile_phone", "998931234567")
        .text("message", "multipart")
        .text("from", "4546");
    let (s3, _) = body(
        c.post(format!("{url}/message/sms/send"))
            .bearer_auth(&token)
            .multipart(multipart)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s1.as_u16(), s2.as_u16(), s3.as_u16()), (200, 200, 200));
    assert_eq!(v1["message"], "Waiting for SMS provider");
    assert_eq!(v1["status"], "waiting");
    let id = v1["id"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(id).is_ok());

    let inbox = sb.inbox();
    let inbox = inbox.as_array().unwrap();
    assert_eq!(inbox.len(), 3);
    assert_eq!(inbox[0]["provider"], "eskiz");
    assert_eq!(inbox[0]["id"], id);
    assert_eq!(inbox[0]["to"], "998901234567");
    assert_eq!(inbox[0]["text"], "json");
    assert_eq!(inbox[0]["from"], "4546");
    assert_eq!(inbox[0]["userSmsId"], "a-1");
    assert_eq!(inbox[0]["parts"], 1);
    assert_eq!(inbox[2]["text"], "multipart");

    let stats = &sb.stats()["eskiz"];
    assert_eq!(
        (stats["sends"].clone(), stats["messages"].clone()),
        (json!(3), json!(3))
    );
    let (_, limit) = get(&c, &url, "/user/get-limit", &token).await;
    assert_eq!(
        limit,
        json!({"data": {"balance": 1_000_000 - 150}, "status": "success"})
    );
    sb.close().await;
}

#[tokio::test]
async fn invalid_fields_are_refused_with_400() {
    let Session { sb, c, url, token } = session(json!({})).await;
    let cases: [(&[(&str, &str)], &str); 6] = [
        (
            &[("mobile_phone", "+998901234567"), ("message", "x")],
            "mobile_phone is invalid",
        ),
        (
            &[("mobile_phone", "99890123"), ("message", "x")],
            "mobile_phone is invalid",
        ),
        (&[("message", "x")], "mobile_phone is required"),
        (&[("mobile_phone", "998901234567")], "message is required"),
        (
            &[
                ("mobile_phone", "998901234567"),
                ("message", "x"),
                ("user_sms_id", "has space"),
            ],
            "user_sms_id is invalid",
        ),
        (
            &[
                ("mobile_phone", "998901234567"),
                ("message", "x"),
                ("callback_url", "nope"),
            ],
            "callback_url is invalid",
        ),
    ];
    for (form, message) in cases {
        let (status, v) = post_form(&c, &url, "/message/sms/send", &token, form).await;
        assert_eq!(status, 400, "{form:?}");
        assert_eq!(v, json!({"message": message, "status": "error"}));
    }

    sb.configure(json!({"eskiz": {"strictUserSmsId": true}}))
        .unwrap();
    let with_id = |id: &'static str| {
        [
            ("mobile_phone", "998901234567"),
            ("message", "x"),
            ("user_sms_id", id),
        ]
    };
    let ok = post_form(
        &c,
        &url,
        "/message/sms/send",
        &token,
        &with_id("999999999999"),
    )
    .await;
    assert_eq!(ok.0, 200);
    for id in ["1000000000000", "hiha124"] {
        let (status, v) = post_form(&c, &url, "/message/sms/send", &token, &with_id(id)).await;
        assert_eq!(
            (status.as_u16(), v["message"].clone()),
            (400, json!("user_sms_id is invalid"))
        );
    }
    assert_eq!(sb.stats()["eskiz"]["sendRefusals"], 8);
    assert_eq!(sb.inbox().as_array().unwrap().len(), 1);
    sb.close().await;
}

#[tokio::test]
async fn sender_must_be_an_approved_nick() {
    let Session { sb, c, url, token } = session(json!({"nicks": ["MyShop"]})).await;
    assert_eq!(
        get(&c, &url, "/nick/me", &token).await.1,
        json!(["4546", "MyShop"])
    );
    let form = |from| {
        [
            ("mobile_phone", "998901234567"),
            ("message", "x"),
            ("from", from),
        ]
    };
    assert_eq!(
        post_form(&c, &url, "/message/sms/send", &token, &form("MyShop"))
            .await
            .0,
        200
    );
    let (status, v) = post_form(&c, &url, "/message/sms/send", &token, &form("Other")).await;
    assert_eq!(status, 400);
    assert_eq!(v["status"], "error");
    assert!(v["id"].is_string());
    sb.close().await;
}

#[tokio::test]
async fn insufficient_balance_is_refused() {
    let Session { sb, c, url, token } =
        session(json!({"initialBalance": 120, "pricePerPart": 50})).await;
    assert_eq!(send(&c, &url, &token, "998901234567", "one").await.0, 200);
    // 161 Latin characters: two parts, 100 > 70 left.
    let (status, v) = send(&c, &url, &token, "998901234567", &"a".repeat(161)).await;
    assert_eq!(status, 400);
    assert_eq!(v["status"], "error");
    assert_eq!(sb.stats()["eskiz"]["balance"], 70);
    sb.configure(json!({"eskiz": {"initialBalance": 1000}}))
        .unwrap();
    assert_eq!(
        send(&c, &url, &token, "998901234567", &"a".repeat(161))
            .await
            .0,
        200
    );
    assert_eq!(sb.stats()["eskiz"]["balance"], 900);
    sb.close().await;
}

#[tokio::test]
async fn test_mode_allows_only_the_test_texts() {
    let Session { sb, c, url, token } = session(json!({"testMode": true})).await;
    let (_, user) = get(&c, &url, "/auth/user", &token).await;
    assert_eq!(user["data"]["role"], "test");
    assert_eq!(
        send(&c, &url, &token, "998901234567", "Это тест от Eskiz")
            .await
            .0,
        200
    );
    let (status, v) = send(&c, &url, &token, "998901234567", "Your code 1234").await;
    assert_eq!(status, 400);
    assert_eq!(v["status"], "error");
    let (status, _) = post_json(
        &c,
        &url,
        "/message/sms/send-batch",
        &token,
        json!({"messages": [{"to": 998901234567u64, "text": "This is test from Eskiz"}], "from": "4546"}),
    )
    .await;
    assert_eq!(status, 403);
    sb.close().await;
}

#[tokio::test]
async fn moderation_requires_an_approved_template() {
    let Session { sb, c, url, token } = session(json!({"moderation": true})).await;
    let (status, v) = send(&c, &url, &token, "998901234567", "Your code: 1234").await;
    assert_eq!(status, 400);
    assert_eq!(v["message"], NOT_MODERATED);
    assert_eq!(v["status"], "error");
    assert!(v["id"].is_string());

    let (status, v) = post_form(
        &c,
        &url,
        "/user/template",
        &token,
        &[("template", "Your code: 1234")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v, json!({"template": "Your code: 1234"}));
    let (_, list) = get(&c, &url, "/user/templates", &token).await;
    assert_eq!(list["success"], true);
    assert_eq!(list["result"][0]["status"], "moderation");
    assert_eq!(list["result"][0]["original_text"], "Your code: 1234");
    assert_eq!(
        send(&c, &url, &token, "998901234567", "Your code: 1234")
            .await
            .0,
        400
    );

    assert_eq!(sb.approve_templates(), 1);
    // Digits may vary; anything else must match exactly.
    assert_eq!(
        send(&c, &url, &token, "998901234567", "Your code: 990011")
            .await
            .0,
        200
    );
    assert_eq!(
        send(&c, &url, &token, "998901234567", "Your code is 990011")
            .await
            .0,
        400
    );

    sb.configure(json!({"eskiz": {"autoApproveTemplates": true, "templates": [{"text": "Promo 10%", "status": "reklama"}]}}))
        .unwrap();
    assert_eq!(
        send(&c, &url, &token, "998901234567", "Promo 25%").await.0,
        200
    );
    post_form(
        &c,
        &url,
        "/user/template",
        &token,
        &[("template", "Order 5 shipped")],
    )
    .await;
    assert_eq!(
        send(&c, &url, &token, "998901234567", "Order 77 shipped")
            .await
            .0,
        200
    );
    sb.close().await;
}

#[tokio::test]
async fn batch_send_and_dispatch_queries() {
    let Session { sb, c, url, token } =
        session(json!({"acceptAfterMs": 0, "deliverAfterMs": 0})).await;
    let (status, v) = post_json(
        &c,
        &url,
        "/message/sms/send-batch",
        &token,
        json!({
            "messages": [
                {"user_sms_id": "sms1", "to": 998901112233u64, "text": "eto test"},
                {"user_sms_id": "sms2", "to": "998971112233", "text": "eto test 2"},
                {"user_sms_id": "sms3", "to": 998901110000u64, "text": "eto test 3"}
            ],
            "from": "4546",
            "dispatch_id": 123,
            "callback_url": ""
        }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["message"], "Waiting for SMS provider");
    assert_eq!(v["status"], json!(["waiting", "waiting", "waiting"]));
    let batch_id = v["id"].as_str().unwrap().to_owned();

    let inbox = sb.inbox();
    assert_eq!(inbox.as_array().unwrap().len(), 3);
    assert!(inbox
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["dispatchId"] == 123 && m["id"] == batch_id.as_str()));
    let stats = &sb.stats()["eskiz"];
    assert_eq!(
        (stats["batches"].clone(), stats["messages"].clone()),
        (json!(1), json!(3))
    );

    // The batch's request id resolves to its first message.
    let (status, v) = get(
        &c,
        &url,
        &format!("/message/sms/status_by_id/{batch_id}"),
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["data"]["user_sms_id"], "sms1");
    assert_eq!(v["data"]["dispatch_id"], 123);

    let (_, v) = post_form(
        &c,
        &url,
        "/message/sms/get-dispatch-status",
        &token,
        &[("dispatch_id", "123")],
    )
    .await;
    assert_eq!(
        v,
        json!({"status": "success", "data": [{"status": "DELIVERED", "total": 2}, {"status": "REJECTED", "total": 1}], "id": null})
    );
    let (_, v) = post_form(
        &c,
        &url,
        "/message/sms/get-user-messages-by-dispatch?status=delivered",
        &token,
        &[("dispatch_id", "123")],
    )
    .await;
    assert_eq!(v["data"]["total"], 2);
    let (status, v) = post_json(
        &c,
        &url,
        "/message/sms/send-batch",
        &token,
        json!({"messages": [{"to": "123", "text": "x"}]}),
    )
    .await;
    assert_eq!(
        (status.as_u16(), v["message"].clone()),
        (400, json!("messages[0].to is invalid"))
    );
    sb.close().await;
}

#[tokio::test]
async fn send_global_returns_the_send_shape() {
    let Session { sb, c, url, token } = session(json!({"globalPricePerPart": 1900})).await;
    let (status, v) = post_form(
        &c,
        &url,
        "/message/sms/send-global",
        &token,
        &[
            ("mobile_phone", "12025550123"),
            ("message", "Привет"),
            ("country_code", "us"),
            ("unicode", "1"),
            ("callback_url", ""),
        ],
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["status"], "waiting");
    let inbox = sb.inbox();
    assert_eq!(inbox[0]["country"], "US");
    assert_eq!(sb.stats()["eskiz"]["balance"], 1_000_000 - 1900);
    let (status, v) = post_form(
        &c,
        &url,
        "/message/sms/send-global",
        &token,
        &[("mobile_phone", "12025550123"), ("message", "x")],
    )
    .await;
    assert_eq!(
        (status.as_u16(), v["message"].clone()),
        (400, json!("country_code is required"))
    );
    sb.close().await;
}

/// Polls a status until the gateway stops answering NEW (at most 3 s).
async fn until_settled(c: &reqwest::Client, url: &str, path: &str, token: &str) -> Value {
    let mut v = Value::Null;
    for _ in 0..300 {
        v = get(c, url, path, token).await.1;
        if v["data"]["status"] != "NEW" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    v
}

#[tokio::test]
async fn status_moves_from_new_to_final() {
    let Session { sb, c, url, token } =
        session(json!({"acceptAfterMs": 150, "deliverAfterMs": 150})).await;
    let (_, sent) = send(&c, &url, &token, "998901234567", "Test").await;
    let (_, rejected) = send(&c, &url, &token, "998901230000", "Test").await;
    let path = |v: &Value| format!("/message/sms/status_by_id/{}", v["id"].as_str().unwrap());

    let (status, v) = get(&c, &url, &path(&sent), &token).await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "success");
    assert_eq!(v["id"], Value::Null);
    assert_eq!(v["data"]["status"], "NEW");
    assert_eq!(v["data"]["parts"], json!({}));
    assert_eq!(v["data"]["to"], "998901234567");
    assert_eq!(v["data"]["request_id"], sent["id"]);

    let v = until_settled(&c, &url, &path(&sent), &token).await;
    assert_eq!(v["data"]["status"], "DELIVERED");
    let part = v["data"]["parts"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .clone();
    assert_eq!(part["dlr_state"], "DELIVRD");
    assert_eq!(part["accepted"], true);
    assert_eq!(v["data"]["total_price"], 50);
    // The integer id works as well.
    let int_id = v["data"]["id"].as_u64().unwrap();
    let (_, by_int) = get(
        &c,
        &url,
        &format!("/message/sms/status_by_id/{int_id}"),
        &token,
    )
    .await;
    assert_eq!(by_int["data"]["request_id"], sent["id"]);

    // Sent a moment after the first: it settles on its own clock.
    let v = until_settled(&c, &url, &path(&rejected), &token).await;
    assert_eq!(v["data"]["status"], "REJECTED");
    assert_eq!(
        v["data"]["smsc_data"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap(),
        &json!(["REJECTD"])
    );

    let (status, v) = get(
        &c,
        &url,
        "/message/sms/status_by_id/00000000-0000-4000-8000-000000000000",
        &token,
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(v["status"], "error");
    sb.close().await;
}

#[tokio::test]
async fn history_is_paginated_like_laravel() {
    let Session { sb, c, url, token } =
        session(json!({"acceptAfterMs": 0, "deliverAfterMs": 0})).await;
    for i in 0..24 {
        send(&c, &url, &token, "998901234567", &format!("msg {i}")).await;
    }
    send(&c, &url, &token, "998901230001", "undelivered").await;

    let (status, v) = post_form(
        &c,
        &url,
        "/message/sms/get-user-messages?page=2",
        &token,
        &[("page_size", "20")],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "success");
    let data = &v["data"];
    assert_eq!(data["current_page"], 2);
    assert_eq!(data["total"], 25);
    assert_eq!(data["last_page"], 2);
    assert_eq!(data["per_page"], 20);
    assert_eq!(
        (data["from"].clone(), data["to"].clone()),
        (json!(21), json!(25))
    );
    assert_eq!(data["result"].as_array().unwrap().len(), 5);
    assert_eq!(data["path"], format!("{url}/message/sms/get-user-messages"));
    assert_eq!(data["next_page_url"], Value::Null);
    let row = &data["result"][0];
    assert_eq!(row["status"], "DELIVERED");
    assert_eq!(row["price"], 50);
    let part = row["parts"].as_object().unwrap().values().next().unwrap();
    assert_eq!(part["status"], "DELIVRD");

    let (_, v) = post_form(
        &c,
        &url,
        "/message/sms/get-user-messages",
        &token,
        &[("count", "1")],
    )
    .await;
    assert_eq!(
        v["data"],
        json!([{"status": "DELIVERED", "total": 24}, {"status": "REJECTED", "total": 1}])
    );
    // GET with the filters in the query is accepted too.
    let (status, v) = get(
        &c,
        &url,
        "/message/sms/get-user-messages?status=rejected",
        &token,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["data"]["total"], 1);
    assert_eq!(
        v["data"]["result"][0]["smsc_data"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap(),
        &json!(["UNDELIV"])
    );
    sb.close().await;
}

#[tokio::test]
async fn utilities_and_reports_answer_in_documented_shapes() {
    let Session { sb, c, url, token } = session(json!({})).await;
    let text = "д".repeat(109);
    let (status, v) = post_json(
        &c,
        &url,
        "/message/sms/check",
        &token,
        json!({"message": text}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["data"]["bytes_count"], 218);
    assert_eq!(v["data"]["parts_count"], 2);
    assert_eq!(v["data"]["can_send"], true);
    assert_eq!(v["data"]["info"].as_array().unwrap().len(), 7);

    let (_, v) = post_form(
        &c,
        &url,
        "/message/sms/normalizer",
        &token,
        &[("message", "Narxi €100 Привет")],
    )
    .await;
    assert_eq!(
        v["special_characters"][0],
        json!({"position": 6, "code": "0x20AC", "char": "€"})
    );
    assert_eq!(v["message"], "Narxi EU100 Privet");

    send(&c, &url, &token, "998901234567", "Hello").await;
    let (status, v) = get(&c, &url, "/report/total-by-month", &token).await;
    assert_eq!(status, 200);
    assert_eq!(v["data"][0]["total_spent"], 50);
    // The docs' own doubled slash.
    let (status, v) = post_form(&c, &url, "//report/total-by-smsc", &token, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(v["data"][0]["smsc_id"], 2);
    let (status, v) = post_form(&c, &url, "/user/totals", &token, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "success");
    let (_, v) = get(&c, &url, "/user/prices", &token).await;
    assert!(v["global"].is_array() && v["local"].is_array());
    let resp = c
        .post(format!("{url}/message/export?status=all"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(resp.text().await.unwrap().lines().count(), 2);

    sb.configure(json!({"eskiz": {"strictMethods": true}}))
        .unwrap();
    let resp = c
        .get(format!("{url}/message/sms/check"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    sb.close().await;
}

#[tokio::test]
async fn unknown_routes_get_the_nginx_page() {
    let sb = sandbox(json!({})).await;
    let c = client();
    for resp in [
        c.get(format!("{}/no/such/route", sb.url()))
            .send()
            .await
            .unwrap(),
        c.get(format!("{}/message/sms/send", sb.url()))
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(resp.status(), 404);
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let text = resp.text().await.unwrap();
        assert!(text.contains("<center><h1>404 Not Found</h1></center>") && text.contains("nginx"));
    }
    sb.close().await;
}
