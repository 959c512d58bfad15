//! The JSON API under `/api/v1`, described by OpenAPI 3 at `/api/openapi.json` with a
//! vendored Swagger UI at `/api/docs`. Authenticate with a personal API token
//! (`Authorization: Bearer tillit_…`) or a browser session.

mod action_items;
mod audit;
mod classification;
// The UI's downloads use its helpers.
pub(crate) mod import;
mod inventory;
mod me;
mod units;
mod users;

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tillit API",
        description = "Tillit's information-security database. Every call is limited to the \
                       organisation units where the caller holds a role. Errors are \
                       application/problem+json with a stable `code`."
    ),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    components(schemas(Problem)),
    tags(
        (name = "me", description = "The caller and its personal API tokens"),
        (name = "units", description = "The organisation tree"),
        (name = "users", description = "Accounts and role assignments"),
        (name = "audit", description = "The audit log"),
        (name = "inventory", description = "Systems, services and information sets"),
        (name = "classification", description = "Information classification and action plans"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The API's routes and its OpenAPI document, built from the same handler annotations.
pub fn api_parts() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me::me))
        .routes(routes!(me::list_tokens, me::create_token))
        .routes(routes!(me::revoke_token))
        .routes(routes!(units::list_units, units::create_unit))
        .routes(routes!(units::get_unit, units::rename_unit))
        .routes(routes!(units::move_unit))
        .routes(routes!(units::merge_units))
        .routes(routes!(units::merged_units))
        .routes(routes!(users::list_users, users::create_user))
        .routes(routes!(users::get_user, users::update_user))
        .routes(routes!(users::reset_password))
        .routes(routes!(users::list_roles, users::assign_role))
        .routes(routes!(users::revoke_role))
        .routes(routes!(audit::list_audit))
        .routes(routes!(inventory::list_assets, inventory::create_asset))
        .routes(routes!(inventory::get_asset, inventory::update_asset))
        .routes(routes!(inventory::asset_links))
        .routes(routes!(inventory::effective_levels))
        .routes(routes!(inventory::link_assets))
        .routes(routes!(inventory::unlink_assets))
        .routes(routes!(inventory::coverage))
        // Import and export of the inventory (XLSX, CSV).
        .routes(routes!(import::import_assets))
        .routes(routes!(import::export_assets))
        .routes(routes!(
            classification::list_models,
            classification::import_model
        ))
        .routes(routes!(classification::get_model))
        .routes(routes!(
            classification::classifications_of,
            classification::start_classification
        ))
        .routes(routes!(
            classification::get_classification,
            classification::save_classification
        ))
        .routes(routes!(classification::complete_classification))
        .routes(routes!(classification::update_item))
        .routes(routes!(action_items::list_action_items))
        .routes(routes!(action_items::export_action_items))
        .split_for_parts()
}

/// The OpenAPI document, for tests and tooling.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api_parts().1
}

pub fn router() -> Router<AppState> {
    let (api, doc) = api_parts();
    Router::new()
        .merge(api)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", doc))
        .route("/api/{*rest}", axum::routing::any(not_found))
}

async fn not_found() -> impl IntoResponse {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        Some("no such API endpoint".into()),
    )
}

/// Responses every authenticated endpoint may give, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
pub enum CommonErrors {
    #[response(
        status = 400,
        description = "Malformed request",
        content_type = "application/problem+json"
    )]
    BadRequest(#[to_schema] Problem),
    #[response(
        status = 401,
        description = "Not signed in",
        content_type = "application/problem+json"
    )]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "No role allows this",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(
        status = 404,
        description = "Not found or outside the caller's units",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
    #[response(
        status = 422,
        description = "Invalid input; `code` and `field` say what",
        content_type = "application/problem+json"
    )]
    Invalid(Problem),
}
