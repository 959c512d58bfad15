//! `/account`: the caller's own password and personal API tokens.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use tillit_app::{AppError, Caller};
use tillit_domain::ApiTokenId;

use super::{SecretPage, done_message};
use crate::AppState;
use crate::ui::context::{Ctx, Layout, Signed, page, see_other};
use crate::ui::failure::UiError;
use crate::ui::form::{FormData, FormErrors};
use crate::ui::format::local_time;
use crate::ui::i18n::I18n;

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    pub status: String,
    pub active: bool,
    pub revoke_label: String,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    i: I18n,
    username: String,
    tokens: Vec<TokenRow>,
    fe: FormErrors,
    v: FormData,
    done: Option<String>,
}

async fn account_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    fe: FormErrors,
    v: FormData,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let now = Timestamp::now();
    let dash = || "–".to_owned();
    let tokens = state
        .app
        .list_api_tokens(caller)
        .await?
        .into_iter()
        .map(|t| {
            let (status, active) = match (t.revoked_at, t.expires_at) {
                (Some(at), _) => (i.t1("token-revoked-at", "time", local_time(at)), false),
                (None, Some(exp)) if exp <= now => (i.t("token-expired"), false),
                _ => (i.t("token-active"), true),
            };
            TokenRow {
                id: t.id.to_string(),
                revoke_label: i.t1("token-revoke-label", "name", &t.name),
                name: t.name,
                created: local_time(t.created_at),
                expires: t
                    .expires_at
                    .map(local_time)
                    .unwrap_or_else(|| i.t("token-never")),
                last_used: t.last_used_at.map(local_time).unwrap_or_else(dash),
                status,
                active,
            }
        })
        .collect();
    page(
        status,
        &AccountPage {
            l: cx.layout(i.t("account-title")),
            done: done_message(&cx.here, &i, &["password", "token-revoked"]),
            username: caller.user.username.clone(),
            tokens,
            fe,
            v,
            i,
        },
    )
}

/// `GET /account`
pub async fn show(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
) -> Result<Response, UiError> {
    account_page(
        &cx,
        &caller,
        &state,
        FormErrors::none(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

/// A field as typed: passwords are not trimmed.
fn raw<'a>(form: &'a FormData, name: &str) -> &'a str {
    form.0
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// `POST /account/password`
pub async fn change_password(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    form: FormData,
) -> Result<Response, UiError> {
    let i = cx.i();
    let (current, new) = (raw(&form, "current_password"), raw(&form, "password"));
    let result = if new != raw(&form, "password_confirm") {
        Err(AppError::invalid(
            "password_confirm",
            "error-password-mismatch",
        ))
    } else {
        state.app.change_own_password(&caller, current, new).await
    };
    match result {
        Ok(()) => Ok(see_other("/account?done=password")),
        Err(e) => {
            let fe = FormErrors::from_app("password", e, i)?;
            // Passwords are never sent back into the form.
            account_page(
                &cx,
                &caller,
                &state,
                fe,
                FormData::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /account/tokens`: the secret is shown once, in the answer to this post.
pub async fn create_token(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    form: FormData,
) -> Result<Response, UiError> {
    let i = cx.i();
    let days = match form.opt("valid_days").map(str::parse::<i64>) {
        None => Ok(None),
        Some(Ok(d)) => Ok(Some(d)),
        Some(Err(_)) => Err(AppError::invalid("valid_days", "error-token-days")),
    };
    let result = match days {
        Ok(days) => {
            state
                .app
                .create_api_token(&caller, form.get("name"), days)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((info, secret)) => page(
            StatusCode::OK,
            &SecretPage {
                l: cx.layout(i.t("token-created-title")),
                heading: i.t("token-created-title"),
                intro: i.t1("token-created-intro", "name", &info.name),
                label: i.t("token-secret"),
                secret,
                next_href: "/account".to_owned(),
                next_label: i.t("token-back"),
                i,
            },
        ),
        Err(e) => {
            let fe = FormErrors::from_app("token", e, i)?;
            account_page(
                &cx,
                &caller,
                &state,
                fe,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /account/tokens/{id}/revoke`
pub async fn revoke_token(
    Signed { caller, .. }: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id: ApiTokenId = id.parse().map_err(|_| UiError::from(AppError::NotFound))?;
    state.app.revoke_api_token(&caller, id).await?;
    Ok(see_other("/account?done=token-revoked"))
}
