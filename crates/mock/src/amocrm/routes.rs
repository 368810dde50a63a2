//! Every amoCRM route, at the sandbox root: the consent page (`www.amocrm.ru/oauth` on
//! the live service), the OAuth server and API v4 (`{subdomain}.amocrm.ru`).
//!
//! Unknown `/api/v4` paths and wrong methods answer problem+json 404/405 after the gate,
//! as the API does; they are not left to the Eskiz-style nginx fallback.

use std::sync::Arc;

use axum::http::{Method, Uri};
use axum::response::Response;
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;

use super::gate::Api;
use super::{account, complex, consent, contacts, grant, leads, notes, problem, subdomain};
use crate::shared::Shared;

async fn not_found(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    _: Api,
    method: Method,
    uri: Uri,
) -> Response {
    problem::not_found(&method, &format!("{}{uri}", shared.base_url))
}

async fn method_not_allowed(_: Api) -> Response {
    problem::method_not_allowed()
}

fn api(route: MethodRouter<Arc<Shared>>) -> MethodRouter<Arc<Shared>> {
    route.fallback(method_not_allowed)
}

pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/oauth", get(consent::page))
        .route("/oauth/allow", get(consent::allow))
        .route("/oauth/deny", get(consent::deny))
        .route("/oauth2/access_token", post(grant::access_token))
        .route("/oauth2/account/current/subdomain", get(subdomain::lookup))
        .route("/api/v4/account", api(get(account::account)))
        .route(
            "/api/v4/leads",
            api(get(leads::list).post(leads::create).patch(leads::update)),
        )
        .route("/api/v4/leads/complex", api(post(complex::create)))
        .route("/api/v4/leads/pipelines", api(get(account::pipelines)))
        .route("/api/v4/leads/notes", api(post(notes::create)))
        .route(
            "/api/v4/leads/{id}",
            api(get(leads::one).patch(leads::update_one)),
        )
        .route("/api/v4/leads/{id}/notes", api(post(notes::create_for)))
        .route("/api/v4/contacts", api(post(contacts::create)))
        .route("/api/v4", any(not_found))
        .route("/api/v4/{*rest}", any(not_found))
}
