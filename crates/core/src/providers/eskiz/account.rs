//! Account endpoints: balance, user, templates (moderation).

use super::errors::{refused, unusable};
use super::wire::{as_f64, as_string, Envelope, LimitData, TemplatesResponse, UserData};
use super::EskizClient;
use crate::error::Result;
use crate::http::Request;
use crate::sms::types::Balance;
use crate::sms::validate;
use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EskizUser {
    pub id: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
    /// `user`, or `test` for accounts that may only send the test texts.
    pub role: Option<String>,
    pub status: Option<String>,
    pub is_vip: bool,
    pub balance: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EskizTemplate {
    pub id: Option<String>,
    pub template: String,
    pub original_text: String,
    /// `moderation`, `inproccess`, `service`, `reklama`, `rejected` (Eskiz's spelling).
    pub status: String,
    /// Approved: `service` or `reklama`.
    pub approved: bool,
}

impl EskizClient {
    pub async fn balance(&self) -> Result<Balance> {
        let resp = self
            .call(Request::get("/user/get-limit", "user/get-limit"))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the balance request"));
        }
        let balance = serde_json::from_slice::<Envelope<LimitData>>(&resp.body)
            .ok()
            .and_then(|e| e.data)
            .and_then(|d| as_f64(&d.balance))
            .ok_or_else(|| unusable(&resp, "the balance request", false))?;
        Ok(Balance {
            provider: "eskiz",
            balance,
            currency: "UZS".into(),
        })
    }

    pub async fn user(&self) -> Result<EskizUser> {
        let resp = self.call(Request::get("/auth/user", "auth/user")).await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the user request"));
        }
        let d = serde_json::from_slice::<Envelope<UserData>>(&resp.body)
            .ok()
            .and_then(|e| e.data)
            .ok_or_else(|| unusable(&resp, "the user request", false))?;
        Ok(EskizUser {
            id: as_string(&d.id),
            name: d.name,
            email: d.email,
            role: d.role,
            status: d.status,
            is_vip: d.is_vip.unwrap_or(false),
            balance: as_f64(&d.balance),
        })
    }

    pub async fn templates(&self) -> Result<Vec<EskizTemplate>> {
        let resp = self
            .call(Request::get("/user/templates", "user/templates"))
            .await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the templates request"));
        }
        let rows = serde_json::from_slice::<TemplatesResponse>(&resp.body)
            .map_err(|_| unusable(&resp, "the templates request", false))?
            .result
            .unwrap_or_default();
        Ok(rows
            .into_iter()
            .map(|t| {
                let status = t.status.unwrap_or_default();
                EskizTemplate {
                    id: as_string(&t.id),
                    template: t.template.unwrap_or_default(),
                    original_text: t.original_text.unwrap_or_default(),
                    approved: matches!(status.as_str(), "service" | "reklama"),
                    status,
                }
            })
            .collect())
    }

    /// Submits a sample text for moderation. Send a concrete text (`Kod: 123456`), not a
    /// placeholder: digits may vary in approved texts, words may not.
    pub async fn submit_template(&self, text: &str) -> Result<String> {
        validate::text(text)?;
        let req = Request::post("/user/template", "user/template").form(&[("template", text)]);
        let resp = self.call(req).await?;
        if !resp.is_success() {
            return Err(refused(&resp, "the template"));
        }
        let body = resp.json_value().unwrap_or_default();
        Ok(body
            .get("template")
            .and_then(|t| t.as_str())
            .unwrap_or(text)
            .to_string())
    }
}
