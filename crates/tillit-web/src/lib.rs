//! Tillit's web layer: the JSON API under `/api/v1` (OpenAPI at `/api/openapi.json`, Swagger
//! UI at `/api/docs`) and the HTML views (askama + htmx, every asset served from the binary).

pub mod api;
pub mod auth;
pub mod error;
pub mod oidc;
pub mod ui;

use std::net::SocketAddr;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::routing::get;
use tillit_app::App;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler gets.
#[derive(Debug, Clone)]
pub struct AppState {
    pub app: App,
    /// Mark cookies `Secure` (behind HTTPS, which production always is).
    pub secure_cookies: bool,
}

pub fn router(state: AppState) -> Router {
    let security_headers = [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
             script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'",
        ),
    ];
    let mut r = Router::new()
        .route("/healthz", get(healthz))
        .merge(api::router())
        .merge(oidc::router())
        .merge(ui::router())
        .layer(axum::middleware::from_fn(auth::csrf_guard))
        // Large enough for an imported register (10 000 rows are about 2–3 MB as CSV, a third
        // more in the import page's base64 field); the JSON and form extractors keep axum's own
        // 2 MB limit, and the import handlers their own (`api::import::IMPORT_MAX_BYTES`).
        .layer(RequestBodyLimitLayer::new(16 * 1024 * 1024));
    for (name, value) in security_headers {
        r = r.layer(SetResponseHeaderLayer::if_not_present(
            name,
            HeaderValue::from_static(value),
        ));
    }
    r.with_state(state)
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> axum::http::StatusCode {
    match state.app.store().ping().await {
        Ok(()) => axum::http::StatusCode::OK,
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            axum::http::StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(state, listener).await
}

pub async fn serve_on(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
