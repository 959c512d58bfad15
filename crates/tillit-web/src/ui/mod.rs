//! The HTML views: server-rendered pages (askama) that work without JavaScript; htmx
//! (vendored, served from the binary) only boosts links and forms. Swedish by default,
//! English on request; every text comes from `locales/{sv,en}/main.ftl`.

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
        .layer(axum::middleware::from_fn(failure::render_failures))
        .route("/assets/{*path}", get(assets::serve))
}
