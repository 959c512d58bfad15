use axum::extract::State;
use axum::response::Response;
use tillit_app::import::{Format, Language};
use tillit_domain::classification::{ActionItemFilter, ActionItemRow};

use super::CommonErrors;
use super::import::{ExportQuery, download_as};
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiQuery};

/// Action-plan items of the current classifications in the caller's units, for follow-up.
#[utoipa::path(get, path = "/api/v1/action-items", tag = "classification", params(ActionItemFilter),
    responses((status = 200, body = Vec<ActionItemRow>), CommonErrors))]
pub async fn list_action_items(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(filter): ApiQuery<ActionItemFilter>,
) -> Result<ApiJson<Vec<ActionItemRow>>, ApiError> {
    Ok(ApiJson(s.app.list_action_items(&caller, &filter).await?))
}

/// Every action-plan item in the caller's units (of a unit's subtree, optionally only those
/// still to do), with the requirement's text, as XLSX or CSV.
#[utoipa::path(get, path = "/api/v1/action-items/export", tag = "classification",
    params(ExportQuery, ActionItemFilter),
    responses(
        (status = 200, description = "The file, as an attachment", content(
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (String = "text/csv"),
        )),
        CommonErrors,
    ))]
pub async fn export_action_items(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ExportQuery>,
    ApiQuery(filter): ApiQuery<ActionItemFilter>,
) -> Result<Response, ApiError> {
    let format = q.format.map_or(Format::Xlsx, Format::from);
    let lang = q.lang.unwrap_or_default();
    let bytes = s
        .app
        .export_action_plans(&caller, filter.unit_id, filter.outstanding, format, lang)
        .await?;
    let stem = match lang {
        Language::Sv => "handlingsplaner",
        Language::En => "action-plans",
    };
    Ok(download_as(bytes, format, stem))
}
