//! Every Twilio route, at the sandbox root (`https://api.twilio.com` on the live service).
//!
//! Anything else under `/2010-04-01` answers Twilio's JSON 404 (20404), and a wrong method
//! on a known resource 405 (20004), after authentication as Twilio does; neither is left to
//! the Eskiz-style nginx fallback.

use std::sync::Arc;

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use axum::routing::{any, get, MethodRouter};
use axum::Router;

use super::auth::Authed;
use super::error::TwilioError;
use super::{balance, listing, messages};
use crate::shared::Shared;

async fn not_found(State(shared): State<Arc<Shared>>, _: Authed, uri: Uri) -> Response {
    TwilioError::not_found(uri.path()).into_response(&shared)
}

async fn method_not_allowed(State(shared): State<Arc<Shared>>, _: Authed) -> Response {
    TwilioError::method_not_allowed().into_response(&shared)
}

fn resource(route: MethodRouter<Arc<Shared>>) -> MethodRouter<Arc<Shared>> {
    route.fallback(method_not_allowed)
}

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            resource(get(listing::list).post(messages::create)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Messages/{sid}",
            resource(
                get(messages::fetch)
                    .post(messages::update)
                    .delete(messages::delete),
            ),
        )
        .route(
            "/2010-04-01/Accounts/{account}/Balance.json",
            resource(get(balance::fetch)),
        )
        .route("/2010-04-01", any(not_found))
        .route("/2010-04-01/{*rest}", any(not_found))
}
