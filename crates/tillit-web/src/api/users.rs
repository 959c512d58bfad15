use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tillit_app::users::{NewUser, UserUpdate};
use tillit_domain::{Role, RoleAssignment, UnitId, User, UserId};

use super::CommonErrors;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};

/// Accounts with a role in the units the caller administers.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<User>), CommonErrors))]
pub async fn list_users(
    State(s): State<AppState>,
    Auth(caller): Auth,
) -> Result<ApiJson<Vec<User>>, ApiError> {
    Ok(ApiJson(s.app.list_users(&caller).await?))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedUser {
    pub user: User,
    /// The generated one-time password, when none was given; shown once.
    pub password: Option<String>,
}

/// Creates an account with a first role on a unit the caller administers.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = CreatedUser), CommonErrors))]
pub async fn create_user(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewUser>,
) -> Result<(StatusCode, ApiJson<CreatedUser>), ApiError> {
    let (user, password) = s.app.create_user(&caller, body).await?;
    Ok((StatusCode::CREATED, ApiJson(CreatedUser { user, password })))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "users", params(("id" = UserId, Path)),
    responses((status = 200, body = User), CommonErrors))]
pub async fn get_user(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UserId>,
) -> Result<ApiJson<User>, ApiError> {
    Ok(ApiJson(s.app.get_user(&caller, id).await?))
}

/// Changes an account's profile, activation or lock.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "users", params(("id" = UserId, Path)),
    request_body = UserUpdate, responses((status = 200, body = User), CommonErrors))]
pub async fn update_user(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(body): ApiJson<UserUpdate>,
) -> Result<ApiJson<User>, ApiError> {
    Ok(ApiJson(s.app.update_user(&caller, id, body).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PasswordReset {
    /// Left out: one is generated.
    pub password: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NewPassword {
    pub password: String,
}

/// Sets a new password for an account and ends its sessions.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "users", params(("id" = UserId, Path)),
    request_body = PasswordReset, responses((status = 200, body = NewPassword), CommonErrors))]
pub async fn reset_password(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UserId>,
    ApiJson(body): ApiJson<PasswordReset>,
) -> Result<ApiJson<NewPassword>, ApiError> {
    let password = s.app.reset_password(&caller, id, body.password).await?;
    Ok(ApiJson(NewPassword { password }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListRoles {
    pub user_id: Option<UserId>,
}

/// Role assignments on the units the caller administers.
#[utoipa::path(get, path = "/api/v1/role-assignments", tag = "users", params(ListRoles),
    responses((status = 200, body = Vec<RoleAssignment>), CommonErrors))]
pub async fn list_roles(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ListRoles>,
) -> Result<ApiJson<Vec<RoleAssignment>>, ApiError> {
    Ok(ApiJson(
        s.app.list_role_assignments(&caller, q.user_id).await?,
    ))
}

/// Grants a role on a unit (and so on its subtree).
#[utoipa::path(post, path = "/api/v1/role-assignments", tag = "users", request_body = RoleAssignment,
    responses((status = 201, body = RoleAssignment), (status = 200, description = "Already held", body = RoleAssignment), CommonErrors))]
pub async fn assign_role(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<RoleAssignment>,
) -> Result<(StatusCode, ApiJson<RoleAssignment>), ApiError> {
    let new = s.app.assign_role(&caller, body.clone()).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, ApiJson(body)))
}

/// Takes a role away.
#[utoipa::path(delete, path = "/api/v1/role-assignments/{user_id}/{unit_id}/{role}", tag = "users",
    params(("user_id" = UserId, Path), ("unit_id" = UnitId, Path), ("role" = Role, Path)),
    responses((status = 204), CommonErrors))]
pub async fn revoke_role(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath((user_id, unit_id, role)): ApiPath<(UserId, UnitId, Role)>,
) -> Result<StatusCode, ApiError> {
    s.app
        .revoke_role(
            &caller,
            RoleAssignment {
                user_id,
                unit_id,
                role,
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
