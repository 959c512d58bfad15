use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tillit_app::units::NewUnit;
use tillit_domain::{Unit, UnitId};

use super::CommonErrors;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListUnits {
    /// Include units closed by a merge.
    #[serde(default)]
    pub include_closed: bool,
}

/// The units the caller may read.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", params(ListUnits),
    responses((status = 200, body = Vec<Unit>), CommonErrors))]
pub async fn list_units(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ListUnits>,
) -> Result<ApiJson<Vec<Unit>>, ApiError> {
    Ok(ApiJson(s.app.list_units(&caller, q.include_closed).await?))
}

/// Creates a unit below one the caller administers.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", request_body = NewUnit,
    responses((status = 201, body = Unit), CommonErrors))]
pub async fn create_unit(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewUnit>,
) -> Result<(StatusCode, ApiJson<Unit>), ApiError> {
    Ok((
        StatusCode::CREATED,
        ApiJson(s.app.create_unit(&caller, body).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", params(("id" = UnitId, Path)),
    responses((status = 200, body = Unit), CommonErrors))]
pub async fn get_unit(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UnitId>,
) -> Result<ApiJson<Unit>, ApiError> {
    Ok(ApiJson(s.app.get_unit(&caller, id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Rename {
    pub name: String,
}

/// Renames a unit.
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "units", params(("id" = UnitId, Path)),
    request_body = Rename, responses((status = 200, body = Unit), CommonErrors))]
pub async fn rename_unit(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UnitId>,
    ApiJson(body): ApiJson<Rename>,
) -> Result<ApiJson<Unit>, ApiError> {
    Ok(ApiJson(s.app.rename_unit(&caller, id, &body.name).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Move {
    pub parent_id: UnitId,
}

/// Moves a unit, with its subtree, below another.
#[utoipa::path(post, path = "/api/v1/units/{id}/move", tag = "units", params(("id" = UnitId, Path)),
    request_body = Move, responses((status = 200, body = Unit), CommonErrors))]
pub async fn move_unit(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UnitId>,
    ApiJson(body): ApiJson<Move>,
) -> Result<ApiJson<Unit>, ApiError> {
    Ok(ApiJson(s.app.move_unit(&caller, id, body.parent_id).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct Merge {
    /// The units to merge into this one; they are closed, their records re-homed.
    pub sources: Vec<UnitId>,
}

/// Merges units into this one, keeping their history.
#[utoipa::path(post, path = "/api/v1/units/{id}/merge", tag = "units", params(("id" = UnitId, Path)),
    request_body = Merge, responses((status = 200, body = Unit), CommonErrors))]
pub async fn merge_units(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UnitId>,
    ApiJson(body): ApiJson<Merge>,
) -> Result<ApiJson<Unit>, ApiError> {
    Ok(ApiJson(
        s.app.merge_units(&caller, &body.sources, id).await?,
    ))
}

/// The units that were merged into this one.
#[utoipa::path(get, path = "/api/v1/units/{id}/merged", tag = "units", params(("id" = UnitId, Path)),
    responses((status = 200, body = Vec<Unit>), CommonErrors))]
pub async fn merged_units(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<UnitId>,
) -> Result<ApiJson<Vec<Unit>>, ApiError> {
    s.app.get_unit(&caller, id).await?;
    Ok(ApiJson(s.app.merged_into(&caller, id).await?))
}
