use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tillit_app::inventory::{AssetUpdate, NewAsset};
use tillit_domain::AssetId;
use tillit_domain::asset::{Asset, AssetFilter, AssetLink, AssetPage, Coverage, Levels, LinkKind};

use super::CommonErrors;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiPath, ApiQuery};

/// A page of the inventory in the caller's units, with each asset's current classification.
#[utoipa::path(get, path = "/api/v1/assets", tag = "inventory", params(AssetFilter),
    responses((status = 200, body = AssetPage), CommonErrors))]
pub async fn list_assets(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(filter): ApiQuery<AssetFilter>,
) -> Result<ApiJson<AssetPage>, ApiError> {
    Ok(ApiJson(s.app.list_assets(&caller, &filter).await?))
}

/// Adds a system, service or information set to a unit's inventory.
#[utoipa::path(post, path = "/api/v1/assets", tag = "inventory", request_body = NewAsset,
    responses((status = 201, body = Asset), CommonErrors))]
pub async fn create_asset(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<NewAsset>,
) -> Result<(StatusCode, ApiJson<Asset>), ApiError> {
    Ok((
        StatusCode::CREATED,
        ApiJson(s.app.create_asset(&caller, body).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/assets/{id}", tag = "inventory", params(("id" = AssetId, Path)),
    responses((status = 200, body = Asset), CommonErrors))]
pub async fn get_asset(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<AssetId>,
) -> Result<ApiJson<Asset>, ApiError> {
    Ok(ApiJson(s.app.get_asset(&caller, id).await?))
}

/// Changes an asset; fields left out stay as they are.
#[utoipa::path(patch, path = "/api/v1/assets/{id}", tag = "inventory", params(("id" = AssetId, Path)),
    request_body = AssetUpdate, responses((status = 200, body = Asset), CommonErrors))]
pub async fn update_asset(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<AssetId>,
    ApiJson(body): ApiJson<AssetUpdate>,
) -> Result<ApiJson<Asset>, ApiError> {
    Ok(ApiJson(s.app.update_asset(&caller, id, body).await?))
}

/// The asset's links, both ways.
#[utoipa::path(get, path = "/api/v1/assets/{id}/links", tag = "inventory", params(("id" = AssetId, Path)),
    responses((status = 200, body = Vec<AssetLink>), CommonErrors))]
pub async fn asset_links(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<AssetId>,
) -> Result<ApiJson<Vec<AssetLink>>, ApiError> {
    Ok(ApiJson(s.app.asset_links(&caller, id).await?))
}

/// Links two assets: a service `runs_on` a system; a system `processes` an information set.
#[utoipa::path(post, path = "/api/v1/asset-links", tag = "inventory", request_body = AssetLink,
    responses((status = 201, body = AssetLink), (status = 200, description = "Already linked", body = AssetLink), CommonErrors))]
pub async fn link_assets(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiJson(body): ApiJson<AssetLink>,
) -> Result<(StatusCode, ApiJson<AssetLink>), ApiError> {
    let new = s.app.link_assets(&caller, body).await?;
    Ok((
        if new {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
        ApiJson(body),
    ))
}

#[utoipa::path(delete, path = "/api/v1/asset-links/{from}/{to}/{kind}", tag = "inventory",
    params(("from" = AssetId, Path), ("to" = AssetId, Path), ("kind" = LinkKind, Path)),
    responses((status = 204), CommonErrors))]
pub async fn unlink_assets(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath((from, to, kind)): ApiPath<(AssetId, AssetId, LinkKind)>,
) -> Result<StatusCode, ApiError> {
    s.app
        .unlink_assets(&caller, AssetLink { from, to, kind })
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct CoverageQuery {
    /// The day to count overdue reviews on; today (Europe/Stockholm) when left out.
    #[param(value_type = Option<String>, format = Date)]
    pub date: Option<jiff::civil::Date>,
}

/// Classification coverage per unit: assets, classified, overdue for review, open action-plan items.
#[utoipa::path(get, path = "/api/v1/coverage", tag = "inventory", params(CoverageQuery),
    responses((status = 200, body = Vec<Coverage>), CommonErrors))]
pub async fn coverage(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<CoverageQuery>,
) -> Result<ApiJson<Vec<Coverage>>, ApiError> {
    let today = q.date.unwrap_or_else(crate::ui::format::today);
    Ok(ApiJson(s.app.coverage(&caller, today).await?))
}

/// The asset's effective classification: its own levels raised to the highest of what it
/// carries (the information a system processes, the services that run on it).
#[utoipa::path(get, path = "/api/v1/assets/{id}/effective-levels", tag = "inventory",
    params(("id" = AssetId, Path)), responses((status = 200, body = BTreeMap<String, u8>), CommonErrors))]
pub async fn effective_levels(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<AssetId>,
) -> Result<ApiJson<Levels>, ApiError> {
    Ok(ApiJson(s.app.effective_levels(&caller, id).await?))
}
