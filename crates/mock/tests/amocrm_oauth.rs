//! amoCRM consent, code exchange, refresh rotation and token expiry, over real HTTP.

mod amo;

use std::collections::HashMap;
use std::time::Duration;

use amo::*;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::{json, Value};

fn claims(jwt: &str) -> Value {
    let part = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

/// The query of a redirect's `Location`, after checking where it points.
fn callback_query(resp: &reqwest::Response) -> HashMap<String, String> {
    assert_eq!(resp.status(), 302);
    let location = resp.headers()["location"].to_str().unwrap();
    let url = url::Url::parse(location).unwrap();
    assert_eq!(&location[..REDIRECT.len()], REDIRECT);
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn consent_page_allow_redirects_with_code_state_and_referer() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let page = reply(
        c.get(format!(
            "{}/oauth?client_id={CLIENT_ID}&state=csrf%20123&mode=post_message",
            sb.url()
        ))
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
    let start = page.text.find("/oauth/allow?").expect("allow link");
    let end = start + page.text[start..].find('"').unwrap();
    let allow = page.text[start..end].replace("&amp;", "&");
    assert!(page.text.contains("/oauth/deny?"));

    let resp = c.get(format!("{}{allow}", sb.url())).send().await.unwrap();
    let q = callback_query(&resp);
    assert_eq!(q["state"], "csrf 123");
    assert_eq!(q["referer"], "uzgate.amocrm.ru");
    assert_eq!(q["client_id"], CLIENT_ID);
    assert!(q["code"].starts_with("def50200"));
    let ok = token_request(&c, &sb.url(), code_grant(&q["code"])).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(sb.stats()["amocrm"]["codesIssued"], 1);
    sb.close().await;
}

#[tokio::test]
async fn deny_auto_consent_and_unknown_integration() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let resp = c
        .get(format!(
            "{}/oauth/deny?client_id={CLIENT_ID}&state=s1",
            sb.url()
        ))
        .send()
        .await
        .unwrap();
    let q = callback_query(&resp);
    assert_eq!(
        q,
        HashMap::from([
            ("error".into(), "access_denied".into()),
            ("client_id".into(), CLIENT_ID.into()),
            ("state".into(), "s1".into()),
        ])
    );

    let unknown = c
        .get(format!("{}/oauth?client_id=someone-else", sb.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);

    sb.configure(json!({"amocrm": {"autoConsent": true, "subdomain": "shop", "topLevelDomain": "kommo.com"}}))
        .unwrap();
    let resp = c
        .get(format!(
            "{}/oauth?client_id={CLIENT_ID}&mode=popup",
            sb.url()
        ))
        .send()
        .await
        .unwrap();
    let q = callback_query(&resp);
    assert!(!q.contains_key("state"), "state is only echoed when sent");
    assert_eq!(q["referer"], "shop.kommo.com");
    assert!(q.contains_key("code"));
    sb.close().await;
}

#[tokio::test]
async fn code_exchange_issues_jwt_and_refresh_token() {
    let sb = sandbox(json!({"accountId": 4242})).await;
    let c = client();
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let code = sb.amocrm_issue_code();
    // The official PHP client sends a form; most others JSON.
    let resp = c
        .post(format!("{}/oauth2/access_token", sb.url()))
        .form(&[
            ("client_id", CLIENT_ID),
            ("client_secret", SECRET),
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    let r = reply(resp).await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["token_type"], "Bearer");
    assert_eq!(r.json["expires_in"], 86_400);
    assert!(r.json["server_time"].as_u64().unwrap() >= before);
    let access = r.json["access_token"].as_str().unwrap();
    let c1 = claims(access);
    assert_eq!(
        c1["exp"].as_u64().unwrap() - c1["iat"].as_u64().unwrap(),
        86_400
    );
    assert_eq!(c1["account_id"], 4242);
    assert_eq!(c1["api_domain"], "api-a.amocrm.ru");
    assert_eq!(c1["aud"], CLIENT_ID);
    let header: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(access.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
    assert!(r.json["refresh_token"].as_str().unwrap().len() > 100);

    let second = authorize(&sb, &c).await;
    assert_ne!(claims(&second.access)["jti"], c1["jti"]);

    let account = get(&c, &sb.url(), "/api/v4/account", access).await;
    assert_eq!(account.status, 200);
    assert_eq!(account.content_type, "application/hal+json");
    assert_eq!(account.json["id"], 4242);
    assert_eq!(account.json["subdomain"], "uzgate");
    let stats = sb.stats()["amocrm"].clone();
    assert_eq!(stats["codeExchanges"], 2);
    assert_eq!(stats["tokensIssued"], 2);
    assert_eq!(stats["requestsByGeneration"], json!({"1": 1}));
    sb.close().await;
}

#[tokio::test]
async fn reused_expired_and_garbage_codes() {
    let sb = sandbox(json!({"codeTtlSecs": 1})).await;
    let c = client();
    let url = sb.url();
    let code = sb.amocrm_issue_code();
    assert_eq!(token_request(&c, &url, code_grant(&code)).await.status, 200);
    let reused = token_request(&c, &url, code_grant(&code)).await;
    assert_eq!(reused.status, 400);
    assert_eq!(reused.content_type, "application/problem+json");
    assert_eq!(
        reused.json,
        oauth_error(400, "Authorization code has been revoked")
    );

    let garbage = token_request(&c, &url, code_grant("def50200abc")).await;
    assert_eq!(
        (garbage.status.as_u16(), garbage.json),
        (
            400,
            oauth_error(400, "Cannot decrypt the authorization code")
        )
    );

    let stale = sb.amocrm_issue_code();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = token_request(&c, &url, code_grant(&stale)).await;
    assert_eq!(
        (expired.status.as_u16(), expired.json),
        (400, oauth_error(400, "Authorization code has expired"))
    );
    let stats = sb.stats()["amocrm"].clone();
    assert_eq!(stats["codeExchanges"], 1);
    assert_eq!(stats["codeFailures"], 3);
    sb.close().await;
}

#[tokio::test]
async fn client_credentials_and_redirect_uri_are_checked() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let url = sb.url();
    let code = sb.amocrm_issue_code();
    let with = |key: &str, value: Value| {
        let mut body = code_grant(&code);
        body[key] = value;
        body
    };

    let wrong_secret = token_request(&c, &url, with("client_secret", json!("nope"))).await;
    assert_eq!(wrong_secret.status, 401);
    assert_eq!(
        wrong_secret.json,
        json!({
            "title": "Некорректный клиент",
            "type": "https://developers.amocrm.ru/v3/errors/OAuthProblemJson",
            "status": 401,
            "detail": "Авторизация клиента не прошла",
        })
    );
    let wrong_id = token_request(&c, &url, with("client_id", json!("x"))).await;
    assert_eq!(wrong_id.status, 401);

    let no_secret = token_request(&c, &url, with("client_secret", Value::Null)).await;
    assert_eq!(
        no_secret.json,
        oauth_error(400, "Check the `client_secret` parameter")
    );
    let wrong_redirect = token_request(
        &c,
        &url,
        with("redirect_uri", json!("https://evil.example/cb")),
    )
    .await;
    assert_eq!(
        (wrong_redirect.status.as_u16(), wrong_redirect.json),
        (
            400,
            oauth_error(400, "Redirect URI is not associated with client")
        )
    );
    let no_grant = token_request(&c, &url, with("grant_type", json!("password"))).await;
    assert_eq!(no_grant.status, 400);
    assert_eq!(
        no_grant.json["hint"],
        "Check that all required parameters have been provided"
    );

    // None of that used the code up.
    assert_eq!(token_request(&c, &url, code_grant(&code)).await.status, 200);

    sb.configure(json!({"amocrm": {"language": "en"}})).unwrap();
    let english = token_request(&c, &url, with("client_secret", json!("nope"))).await;
    assert_eq!(english.json["title"], "Invalid client");
    assert_eq!(english.json["detail"], "Client authentication failed");
    sb.close().await;
}

#[tokio::test]
async fn strict_rotation_refuses_a_spent_refresh_token() {
    let Session {
        sb,
        c,
        url,
        t: first,
    } = session(json!({})).await;
    let second = refresh(&c, &url, &first.refresh).await;
    assert_ne!(second.refresh, first.refresh);

    let reuse = token_request(&c, &url, refresh_grant(&first.refresh)).await;
    assert_eq!(reuse.status, 401);
    // Byte for byte the body amoCRM sends (reference §1.6).
    assert_eq!(
        reuse.text,
        r#"{"hint":"Token has been revoked","title":"Некорректный запрос","type":"https://developers.amocrm.ru/v3/errors/OAuthProblemJson","status":401,"detail":"В запросе отсутствует ряд параметров или параметры невалидны"}"#
    );

    // The old access token lives on until it expires; the new pair works.
    assert_eq!(probe(&c, &url, &first.access).await, 200);
    assert_eq!(probe(&c, &url, &second.access).await, 200);
    let third = refresh(&c, &url, &second.refresh).await;

    let garbage = token_request(&c, &url, refresh_grant("def50200nonsense")).await;
    assert_eq!(
        garbage.json,
        oauth_error(401, "Cannot decrypt the refresh token")
    );

    let stats = sb.stats()["amocrm"].clone();
    assert_eq!(stats["refreshes"], 2);
    assert_eq!(stats["refreshFailures"], 2);
    assert_eq!(stats["revokedReuses"], 1);
    assert_eq!(stats["refreshesByGeneration"], json!({"1": 1, "2": 1}));
    assert_eq!(stats["requestsByGeneration"], json!({"1": 1, "2": 1}));
    assert_eq!(stats["tokensIssued"], 3);
    assert_eq!(probe(&c, &url, &third.access).await, 200);
    sb.close().await;
}

#[tokio::test]
async fn doc_grace_keeps_the_old_token_until_the_new_one_is_presented() {
    let Session {
        sb,
        c,
        url,
        t: first,
    } = session(json!({"rotation": "docGrace"})).await;
    let second = refresh(&c, &url, &first.refresh).await;
    // The response was "lost": the old token still works, once more.
    let again = refresh(&c, &url, &first.refresh).await;
    assert_ne!(again.refresh, second.refresh);
    // Presenting a successor ends the grace of the old token.
    let _third = refresh(&c, &url, &again.refresh).await;
    let late = token_request(&c, &url, refresh_grant(&first.refresh)).await;
    assert_eq!(late.status, 401);
    assert_eq!(late.json["hint"], "Token has been revoked");
    assert_eq!(sb.stats()["amocrm"]["revokedReuses"], 1);
    assert_eq!(sb.stats()["amocrm"]["refreshesByGeneration"]["1"], 2);
    sb.close().await;
}

#[tokio::test]
async fn access_tokens_expire_and_can_be_expired_or_revoked() {
    let Session { sb, c, url, t } = session(json!({"accessTokenTtlSecs": 1})).await;
    assert_eq!(probe(&c, &url, &t.access).await, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let expired = get(&c, &url, "/api/v4/account", &t.access).await;
    assert_eq!(expired.status, 401);
    assert_eq!(expired.content_type, "application/problem+json");
    assert_eq!(expired.json, unauthorized());
    let none = reply(c.get(format!("{url}/api/v4/leads")).send().await.unwrap()).await;
    assert_eq!(none.status, 401);

    sb.configure(json!({"amocrm": {"accessTokenTtlSecs": 86400}}))
        .unwrap();
    let fresh = refresh(&c, &url, &t.refresh).await;
    assert_eq!(probe(&c, &url, &fresh.access).await, 200);

    // Forced expiry hits access tokens only: the client recovers by refreshing.
    sb.expire_tokens("amocrm");
    assert_eq!(probe(&c, &url, &fresh.access).await, 401);
    let recovered = refresh(&c, &url, &fresh.refresh).await;
    assert_eq!(probe(&c, &url, &recovered.access).await, 200);

    // Revocation hits everything.
    sb.revoke_tokens("all");
    assert_eq!(probe(&c, &url, &recovered.access).await, 401);
    let refused = token_request(&c, &url, refresh_grant(&recovered.refresh)).await;
    assert_eq!(refused.json, oauth_error(401, "Token has been revoked"));
    assert_eq!(sb.stats()["amocrm"]["rejected401"], 5);
    sb.close().await;
}

#[tokio::test]
async fn revoked_installation_and_new_secret_refuse_every_token() {
    let Session { sb, c, url, t } = session(json!({})).await;
    sb.configure(json!({"amocrm": {"revoked": true}})).unwrap();
    assert_eq!(probe(&c, &url, &t.access).await, 401);
    let refused = token_request(&c, &url, refresh_grant(&t.refresh)).await;
    assert_eq!(refused.status, 401);
    sb.configure(json!({"amocrm": {"revoked": false}})).unwrap();
    assert_eq!(probe(&c, &url, &t.access).await, 200);

    // Regenerating the secret key revokes every authorization.
    sb.configure(json!({"amocrm": {"clientSecret": "rotated"}}))
        .unwrap();
    assert_eq!(probe(&c, &url, &t.access).await, 401);
    let mut body = refresh_grant(&t.refresh);
    body["client_secret"] = json!("rotated");
    let r = token_request(&c, &url, body).await;
    assert_eq!(r.json["hint"], "Token has been revoked");
    sb.close().await;
}

#[tokio::test]
async fn subdomain_lookup_with_refresh_or_access_token() {
    let Session { sb, c, url, t } = session(json!({})).await;
    let lookup = |header: (&'static str, String)| {
        c.get(format!("{url}/oauth2/account/current/subdomain"))
            .header(header.0, header.1)
            .send()
    };
    let r = reply(
        lookup(("x-refresh-token", t.refresh.clone()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json,
        json!({"id": 31_247_590, "subdomain": "uzgate", "domain": "uzgate.amocrm.ru", "top_level_domain": "ru"})
    );
    let r = reply(
        lookup(("authorization", format!("Bearer {}", t.access)))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.status, 200);
    refresh(&c, &url, &t.refresh).await;
    let spent = reply(
        lookup(("x-refresh-token", t.refresh.clone()))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(spent.status, 401);
    assert_eq!(spent.json["hint"], "Token has been revoked");
    sb.close().await;
}

#[tokio::test]
async fn control_api_mints_codes() {
    let sb = sandbox(json!({})).await;
    let c = client();
    let url = sb.url();
    let r = reply(
        c.post(format!("{url}/__sandbox/amocrm/code"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(r.json["ok"], true);
    let code = r.json["code"].as_str().unwrap();
    assert_eq!(token_request(&c, &url, code_grant(code)).await.status, 200);
    let expire = c
        .post(format!("{url}/__sandbox/expire/amocrm"))
        .send()
        .await
        .unwrap();
    assert_eq!(expire.status(), 200);
    // Control requests are not traffic; the token request is.
    assert_eq!(sb.stats()["amocrm"]["requests"], 1);
    assert_eq!(sb.stats()["eskiz"]["requests"], 0);

    assert!(sb
        .configure(json!({"amocrm": {"rotaton": "strict"}}))
        .is_err());
    assert!(sb
        .configure(json!({"amocrm": {"redirectUri": "not a url"}}))
        .is_err());
    assert!(sb
        .configure(json!({"amocrm": {"rotation": "sometimes"}}))
        .is_err());
    // A bad amoCRM section leaves the Eskiz section unapplied too.
    assert!(sb
        .configure(json!({"eskiz": {"blockedLogin": true}, "amocrm": {"blockAfter": -1}}))
        .is_err());
    let login = c
        .post(format!("{url}/auth/login"))
        .form(&[("email", "demo@uzgate.dev"), ("password", "sandbox-secret")])
        .send()
        .await
        .unwrap();
    assert!(reply(login).await.json["data"]["token"].is_string());
    assert!(uzgate_mock::Sandbox::start(json!({"amocrm": {"nope": 1}}))
        .await
        .is_err());
    sb.close().await;
}
