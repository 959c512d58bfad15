use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tillit_domain::user::ApiTokenInfo;
use tillit_domain::{ApiTokenId, RoleAssignment, User};

use super::CommonErrors;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiPath};
use axum::extract::State;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user: User,
    pub roles: Vec<RoleAssignment>,
}

/// The caller and the roles it holds.
#[utoipa::path(get, path = "/api/v1/me", tag = "me",
    responses((status = 200, body = Me), CommonErrors))]
pub async fn me(Auth(caller): Auth) -> ApiJson<Me> {
    ApiJson(Me {
        user: caller.user,
        roles: caller.roles,
    })
}

/// The caller's personal API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "me",
    responses((status = 200, body = Vec<ApiTokenInfo>), CommonErrors))]
pub async fn list_tokens(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> Result<ApiJson<Vec<ApiTokenInfo>>, ApiError> {
    Ok(ApiJson(s.app.list_api_tokens(&caller).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct NewToken {
    pub name: String,
    /// Days until it expires (1–3650); without, it lasts until revoked.
    pub valid_days: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    pub token: ApiTokenInfo,
    /// Shown this once; only its hash is stored.
    pub secret: String,
}

/// Creates a personal API token; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "me", request_body = NewToken,
    responses((status = 201, body = CreatedToken), CommonErrors))]
pub async fn create_token(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewToken>,
) -> Result<(StatusCode, ApiJson<CreatedToken>), ApiError> {
    let (token, secret) = s
        .app
        .create_api_token(&caller, &body.name, body.valid_days)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedToken { token, secret })))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "me",
    params(("id" = ApiTokenId, Path)),
    responses((status = 204), CommonErrors))]
pub async fn revoke_token(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<ApiTokenId>,
) -> Result<StatusCode, ApiError> {
    s.app.revoke_api_token(&caller, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
