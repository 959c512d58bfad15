//! The HTML views (askama + htmx). Placeholder until the views land.

use axum::Router;

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
}
