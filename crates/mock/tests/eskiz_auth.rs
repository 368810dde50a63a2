//! Login, tokens, refresh and expiry, over real HTTP.

mod common;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use serde_json::{json, Value};

fn decode_part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

#[tokio::test]
async fn login_issues_a_real_looking_jwt() {
    let sb = sandbox(json!({"accountId": 378})).await;
    let c = client();
    let resp = c
        .post(format!("{}/auth/login", sb.url()))
        .json(&json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, v) = body(resp).await;
    assert_eq!(status, 200);
    assert_eq!(v["message"], "token_generated");
    assert_eq!(v["token_type"], "bearer");
    let token = v["data"]["token"].as_str().unwrap();
    assert_eq!(decode_part(token, 0), json!({"alg": "HS256", "typ": "JWT"}));
    let claims = decode_part(token, 1);
    assert_eq!(claims["role"], "user");
    assert_eq!(claims["sub"], "378");
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        2_592_000
    );
    assert!(claims["sign"]
        .as_str()
        .unwrap()
        .bytes()
        .all(|b| b.is_ascii_hexdigit()));
    assert_eq!(sb.stats()["eskiz"]["logins"], 1);
    sb.close().await;
}

#[tokio::test]
async fn wrong_credentials_answer_401_or_400() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let wrong = || {
        c.post(format!("{}/auth/login", sb.url()))
            .form(&[("email", EMAIL), ("password", "nope")])
            .send()
    };
    let (status, v) = body(wrong().await.unwrap()).await;
    assert_eq!(status, 401);
    assert_eq!(
        v,
        json!({"message": "Неверный Email или пароль", "status": "error"})
    );
    sb.configure(json!({"eskiz": {"loginErrorStatus": 400}}))
        .unwrap();
    let (status, _) = body(wrong().await.unwrap()).await;
    assert_eq!(status, 400);
    assert_eq!(sb.stats()["eskiz"]["loginFailures"], 2);
    sb.close().await;
}

#[tokio::test]
async fn blocked_account_gets_200_without_token() {
    let sb = sandbox(json!({"blockedLogin": true})).await;
    let resp = client()
        .post(format!("{}/auth/login", sb.url()))
        .form(&[("email", EMAIL), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let (status, v) = body(resp).await;
    assert_eq!(status, 200);
    assert!(v["data"].get("token").is_none(), "{v}");
    sb.close().await;
}

#[tokio::test]
async fn refresh_issues_a_new_token_and_revokes_the_old() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let old = login(&c, &sb.url()).await;
    let resp = c
        .patch(format!("{}/auth/refresh", sb.url()))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    let (status, v) = body(resp).await;
    assert_eq!(status, 200);
    assert_eq!(v["message"], "token_generated");
    let new = v["data"]["token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);

    let (status, v) = get(&c, &sb.url(), "/auth/user", &old).await;
    assert_eq!(status, 401);
    assert_eq!(
        v,
        json!({"status": "token-invalid", "message": "Token is invalid"})
    );
    let (status, v) = get(&c, &sb.url(), "/auth/user", &new).await;
    assert_eq!(status, 200);
    assert_eq!(v["status"], "success");
    assert_eq!(v["data"]["balance"], 1_000_000);
    assert_eq!(v["data"]["email"], EMAIL);

    let stats = sb.stats();
    assert_eq!(stats["eskiz"]["refreshes"], 1);
    assert_eq!(stats["eskiz"]["rejected401"], 1);
    assert_eq!(stats["eskiz"]["tokensIssued"], 2);
    sb.close().await;
}

#[tokio::test]
async fn refresh_switches() {
    let sb = sandbox(json!({"refreshRevokesOld": false})).await;
    let c = client();
    let url = sb.url();
    let refresh = |token: String| {
        let c = c.clone();
        let url = url.clone();
        async move {
            body(
                c.patch(format!("{url}/auth/refresh"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }
    };

    let t1 = login(&c, &url).await;
    let (status, _) = refresh(t1.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(
        get(&c, &url, "/auth/user", &t1).await.0,
        200,
        "old token kept"
    );

    // An expired token may be refreshed by default…
    sb.expire_tokens("eskiz");
    let (status, v) = refresh(t1.clone()).await;
    assert_eq!(status, 200, "{v}");
    // …but not with refreshExpiredAllowed off.
    sb.configure(json!({"eskiz": {"refreshExpiredAllowed": false}}))
        .unwrap();
    let (status, v) = refresh(t1.clone()).await;
    assert_eq!(status, 401);
    assert_eq!(v["message"], "Expired token");

    sb.configure(json!({"eskiz": {"refreshEnabled": false}}))
        .unwrap();
    let fresh = login(&c, &url).await;
    let (status, v) = refresh(fresh).await;
    assert_eq!(status, 401);
    assert_eq!(
        v,
        json!({"status": "token-invalid", "message": "Token is invalid"})
    );
    assert_eq!(sb.stats()["eskiz"]["refreshFailures"], 2);
    sb.close().await;
}

#[tokio::test]
async fn expire_and_revoke_tokens() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let t1 = login(&c, &sb.url()).await;
    sb.expire_tokens("eskiz");
    let (status, v) = get(&c, &sb.url(), "/user/get-limit", &t1).await;
    assert_eq!(status, 401);
    assert_eq!(
        v,
        json!({"status": "token-invalid", "message": "Expired token"})
    );

    let t2 = login(&c, &sb.url()).await;
    assert_eq!(get(&c, &sb.url(), "/user/get-limit", &t2).await.0, 200);
    sb.revoke_tokens("eskiz");
    let (status, v) = get(&c, &sb.url(), "/user/get-limit", &t2).await;
    assert_eq!(status, 401);
    assert_eq!(v["message"], "Token is invalid");
    assert_eq!(sb.stats()["eskiz"]["rejected401"], 2);
    sb.close().await;
}

#[tokio::test]
async fn token_lifetime_is_configurable() {
    let sb = sandbox(json!({"tokenTtlSecs": 0})).await;
    let c = client();
    let t = login(&c, &sb.url()).await;
    let (status, v) = get(&c, &sb.url(), "/auth/user", &t).await;
    assert_eq!(status, 401);
    assert_eq!(v["message"], "Expired token");
    sb.close().await;
}

#[tokio::test]
async fn bad_tokens_are_invalid() {
    let sb = sandbox(json!({})).await;
    let other = sandbox(json!({})).await;
    let c = client();
    let foreign = login(&c, &other.url()).await;
    let good = login(&c, &sb.url()).await;
    let mut tampered = good.clone();
    tampered.pop();
    tampered.push(if good.ends_with('A') { 'B' } else { 'A' });
    for token in [foreign.as_str(), "garbage", tampered.as_str()] {
        let (status, v) = get(&c, &sb.url(), "/auth/user", token).await;
        assert_eq!(status, 401, "{token}");
        assert_eq!(v["message"], "Token is invalid");
    }
    let (status, _) = body(
        c.get(format!("{}/auth/user", sb.url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(sb.stats()["eskiz"]["rejected401"], 4);
    sb.close().await;
    other.close().await;
}

#[tokio::test]
async fn invalidate_kills_the_token() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let t = login(&c, &sb.url()).await;
    let (status, _) = body(
        c.delete(format!("{}/auth/invalidate", sb.url()))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(get(&c, &sb.url(), "/auth/user", &t).await.0, 401);
    sb.close().await;
}

#[tokio::test]
async fn sends_are_counted_per_token_generation() {
    let Session {
        sb,
        c,
        url,
        token: t1,
    } = session(json!({})).await;
    for _ in 0..2 {
        assert_eq!(send(&c, &url, &t1, "998901234567", "Hello").await.0, 200);
    }
    let resp = c
        .patch(format!("{url}/auth/refresh"))
        .bearer_auth(&t1)
        .send()
        .await
        .unwrap();
    let t2 = body(resp).await.1["data"]["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(send(&c, &url, &t2, "998901234567", "Hello").await.0, 200);
    assert_eq!(
        sb.stats()["eskiz"]["sendsByGeneration"],
        json!({"1": 2, "2": 1})
    );
    sb.reset_stats();
    let stats = sb.stats();
    assert_eq!(stats["eskiz"]["sendsByGeneration"], json!({}));
    assert_eq!(stats["eskiz"]["sends"], 0);
    sb.close().await;
}
