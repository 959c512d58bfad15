//! Failures of the HTML views: handlers return [`UiError`] with `?`; the [`render_failures`]
//! middleware turns it into a page in the caller's language (or an htmx fragment), and sends
//! whoever is not signed in to the sign-in page.

use askama::Template;
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tillit_app::AppError;

use super::context::{Ctx, CtxSlot, Layout, page, see_other};
use super::i18n::I18n;
use crate::error::status_and_code;

/// What went wrong, as the response carries it to the middleware.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    pub status: StatusCode,
    /// A message key, or an HTTP-level code (`not-found`).
    pub code: &'static str,
}

/// The error type of the view handlers.
#[derive(Debug)]
pub struct UiError(pub Failure);

impl UiError {
    pub fn new(status: StatusCode, code: &'static str) -> Self {
        UiError(Failure { status, code })
    }
}

impl From<AppError> for UiError {
    fn from(e: AppError) -> Self {
        let (status, code) = status_and_code(&e);
        if status.is_server_error() {
            tracing::error!(error = %e, "page failed");
        }
        UiError::new(status, code)
    }
}

impl From<askama::Error> for UiError {
    fn from(e: askama::Error) -> Self {
        tracing::error!(error = %e, "template failed");
        UiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal")
    }
}

impl IntoResponse for UiError {
    fn into_response(self) -> Response {
        // The middleware renders it; this body only shows if a route escaped the middleware.
        let mut res = (self.0.status, self.0.code).into_response();
        res.extensions_mut().insert(self.0);
        res
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    i: I18n,
    message: String,
    signed_in: bool,
}

#[derive(Template)]
#[template(path = "error_fragment.html")]
struct ErrorFragment {
    i: I18n,
    message: String,
}

/// Renders the failures of the routes below it.
pub async fn render_failures(mut req: Request, next: Next) -> Response {
    let slot = CtxSlot::default();
    req.extensions_mut().insert(slot.clone());
    let fallback = Ctx::anonymous(
        req.headers(),
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
    );
    let mut res = next.run(req).await;
    let Some(failure) = res.extensions_mut().remove::<Failure>() else {
        return res;
    };
    let cx = slot.0.get().cloned().unwrap_or(fallback);
    failure_page(&cx, failure)
}

pub fn failure_page(cx: &Ctx, f: Failure) -> Response {
    if f.status == StatusCode::UNAUTHORIZED && f.code == "unauthenticated" {
        return see_other("/login");
    }
    let i = cx.i();
    let message = i.error(f.code);
    let rendered = if cx.fragment {
        ErrorFragment { i, message }
            .render()
            .map(|body| (f.status, Html(body)).into_response())
            .map_err(UiError::from)
    } else {
        let signed_in = cx.caller.is_some();
        page(
            f.status,
            &ErrorPage {
                l: cx.layout(i.t("error-page-title")),
                i,
                message,
                signed_in,
            },
        )
    };
    rendered.unwrap_or_else(|_| (f.status, f.code).into_response())
}
