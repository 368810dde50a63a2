//! `GET /2010-04-01/Accounts/{AccountSid}/Balance.json`: the account balance as the spec's
//! `api.v2010.account.balance` (`balance` is a string). The sandbox account has a fixed
//! balance in USD; sending does not draw it down.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::auth::Authed;
use super::respond;
use crate::shared::Shared;

pub(crate) async fn fetch(State(shared): State<Arc<Shared>>, authed: Authed) -> Response {
    if let Err(e) = authed.require_live() {
        return e.into_response(&shared);
    }
    let body = json!({
        "account_sid": authed.account_sid,
        "balance": "20.00",
        "currency": "USD",
    });
    respond::json(&shared, StatusCode::OK, &body)
}
