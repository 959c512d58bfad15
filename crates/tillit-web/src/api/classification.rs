use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use tillit_app::classification::{ClassificationView, DraftInput, ItemUpdate};
use tillit_domain::classification::{ActionItem, Classification, ModelVersion, Text};
use tillit_domain::{AssetId, ClassificationId, ModelId};

use super::CommonErrors;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiPath};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ModelSummary {
    pub id: ModelId,
    pub key: String,
    pub version: u32,
    pub name: Text,
    #[schema(value_type = String, format = DateTime)]
    pub imported_at: jiff::Timestamp,
}

/// The stored classification model versions.
#[utoipa::path(get, path = "/api/v1/classification-models", tag = "classification",
    responses((status = 200, body = Vec<ModelSummary>), CommonErrors))]
pub async fn list_models(
    State(s): State<AppState>,
    Auth(_caller): Auth,
) -> Result<ApiJson<Vec<ModelSummary>>, ApiError> {
    let models = s.app.list_models().await?;
    Ok(ApiJson(
        models
            .into_iter()
            .map(|m| ModelSummary {
                id: m.id,
                key: m.model.key,
                version: m.model.version,
                name: m.model.name,
                imported_at: m.imported_at,
            })
            .collect(),
    ))
}

/// Imports a model version, as YAML or JSON in the body (organisation administrators).
/// A stored version is never changed: publish changes as a new version.
#[utoipa::path(post, path = "/api/v1/classification-models", tag = "classification",
    request_body(content = String, content_type = "application/yaml"),
    responses((status = 201, body = ModelVersion), CommonErrors))]
pub async fn import_model(
    State(s): State<AppState>,
    Auth(caller): Auth,
    body: String,
) -> Result<(StatusCode, ApiJson<ModelVersion>), ApiError> {
    Ok((
        StatusCode::CREATED,
        ApiJson(s.app.import_model(&caller, &body).await?),
    ))
}

/// A whole model version: aspects, levels, questionnaire and requirement catalogue.
#[utoipa::path(get, path = "/api/v1/classification-models/{id}", tag = "classification",
    params(("id" = ModelId, Path)), responses((status = 200, body = ModelVersion), CommonErrors))]
pub async fn get_model(
    State(s): State<AppState>,
    Auth(_caller): Auth,
    ApiPath(id): ApiPath<ModelId>,
) -> Result<ApiJson<ModelVersion>, ApiError> {
    Ok(ApiJson(s.app.get_model(id).await?))
}

/// An asset's classifications, newest first.
#[utoipa::path(get, path = "/api/v1/assets/{id}/classifications", tag = "classification",
    params(("id" = AssetId, Path)), responses((status = 200, body = Vec<Classification>), CommonErrors))]
pub async fn classifications_of(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<AssetId>,
) -> Result<ApiJson<Vec<Classification>>, ApiError> {
    Ok(ApiJson(s.app.classifications_of(&caller, id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct StartClassification {
    /// The model version to use; the newest standard model when left out.
    pub model_id: Option<ModelId>,
}

/// Starts a classification (a draft) of an asset.
#[utoipa::path(post, path = "/api/v1/assets/{id}/classifications", tag = "classification",
    params(("id" = AssetId, Path)), request_body = StartClassification,
    responses((status = 201, body = Classification), CommonErrors))]
pub async fn start_classification(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<AssetId>,
    ApiJson(body): ApiJson<StartClassification>,
) -> Result<(StatusCode, ApiJson<Classification>), ApiError> {
    let c = s
        .app
        .start_classification(&caller, id, body.model_id)
        .await?;
    Ok((StatusCode::CREATED, ApiJson(c)))
}

/// A classification with its model, the proposed levels, the requirements and the action plan.
#[utoipa::path(get, path = "/api/v1/classifications/{id}", tag = "classification",
    params(("id" = ClassificationId, Path)), responses((status = 200, body = ClassificationView), CommonErrors))]
pub async fn get_classification(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<ClassificationId>,
) -> Result<ApiJson<ClassificationView>, ApiError> {
    Ok(ApiJson(s.app.classification_view(&caller, id).await?))
}

/// Saves a draft: answers, decided levels (with justification where they depart from the
/// proposal), participants and date.
#[utoipa::path(patch, path = "/api/v1/classifications/{id}", tag = "classification",
    params(("id" = ClassificationId, Path)), request_body = DraftInput,
    responses((status = 200, body = Classification), CommonErrors))]
pub async fn save_classification(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<ClassificationId>,
    ApiJson(body): ApiJson<DraftInput>,
) -> Result<ApiJson<Classification>, ApiError> {
    Ok(ApiJson(s.app.save_classification(&caller, id, body).await?))
}

/// Completes a draft; it is then locked, and its action plan created.
#[utoipa::path(post, path = "/api/v1/classifications/{id}/complete", tag = "classification",
    params(("id" = ClassificationId, Path)), responses((status = 200, body = ClassificationView), CommonErrors))]
pub async fn complete_classification(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<ClassificationId>,
) -> Result<ApiJson<ClassificationView>, ApiError> {
    Ok(ApiJson(s.app.complete_classification(&caller, id).await?))
}

/// Marks an action-plan item.
#[utoipa::path(patch, path = "/api/v1/classifications/{id}/items/{requirement_id}", tag = "classification",
    params(("id" = ClassificationId, Path), ("requirement_id" = String, Path)), request_body = ItemUpdate,
    responses((status = 200, body = ActionItem), CommonErrors))]
pub async fn update_item(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiPath((id, requirement_id)): ApiPath<(ClassificationId, String)>,
    ApiJson(body): ApiJson<ItemUpdate>,
) -> Result<ApiJson<ActionItem>, ApiError> {
    Ok(ApiJson(
        s.app
            .update_action_item(&caller, id, &requirement_id, body)
            .await?,
    ))
}
