//! The HTML views: server-rendered pages (askama) that work without JavaScript; htmx
//! (vendored, served from the binary) only boosts links and forms. Swedish by default,
//! English on request; every text comes from the `.ftl` files under `locales/{sv,en}/`.

pub mod assets;
pub mod context;
pub mod failure;
pub mod form;
pub mod format;
pub mod i18n;
pub mod pages;
pub mod tree;

#[cfg(test)]
mod tests;

use axum::Router;
use axum::routing::{get, post};

use crate::AppState;
use pages::{account, audit, overview, session, units, users};
use pages::{assets as inv, classifications as cls, coverage};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(session::show).post(session::submit))
        .route("/logout", post(session::logout))
        .route("/lang", post(session::switch_language))
        .route("/", get(overview::show))
        .route("/units", get(units::list).post(units::create))
        .route("/units/{id}", get(units::detail))
        .route("/units/{id}/rename", post(units::rename))
        .route("/units/{id}/move", post(units::move_unit))
        .route("/units/{id}/merge", post(units::merge))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", get(users::detail).post(users::update))
        .route("/users/{id}/password", post(users::reset_password))
        .route("/users/{id}/roles", post(users::add_role))
        .route("/users/{id}/roles/remove", post(users::remove_role))
        .route("/audit", get(audit::show))
        .route("/account", get(account::show))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        // Inventory, classification and coverage.
        .route("/assets", get(inv::list).post(inv::create))
        .route("/assets/{id}", get(inv::detail).post(inv::update))
        .route("/assets/{id}/links", post(inv::add_link))
        .route("/assets/{id}/links/remove", post(inv::remove_link))
        .route("/assets/{id}/classifications", post(inv::classify))
        .route("/classifications/{id}", get(cls::show).post(cls::save))
        .route("/classifications/{id}/complete", post(cls::complete))
        .route("/classifications/{id}/items/{req}", post(cls::update_item))
        .route("/coverage", get(coverage::show))
        // Import and export of the inventory (XLSX, CSV); the uploads carry a whole file.
        .route(
            "/assets/import",
            get(pages::import::show).post(pages::import::import).layer(
                axum::extract::DefaultBodyLimit::max(pages::import::UPLOAD_MAX_BYTES),
            ),
        )
        .route(
            "/assets/import/preview",
            post(pages::import::preview).layer(axum::extract::DefaultBodyLimit::max(
                pages::import::UPLOAD_MAX_BYTES,
            )),
        )
        .route("/assets/export.xlsx", get(pages::import::export_xlsx))
        .route("/assets/export.csv", get(pages::import::export_csv))
        .route(
            "/action-plans/export.xlsx",
            get(pages::import::export_action_plans_xlsx),
        )
        .route(
            "/action-plans/export.csv",
            get(pages::import::export_action_plans_csv),
        )
        .layer(axum::middleware::from_fn(failure::render_failures))
        // The static files: not under /assets, which is the inventory.
        .route("/static/{*path}", get(assets::serve))
}
