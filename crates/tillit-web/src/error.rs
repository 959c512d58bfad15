//! One mapping from [`AppError`] to HTTP: problem+json (RFC 9457) for the API. User errors are
//! 4xx with a stable `code`; only faults of ours are 500, logged, and say nothing inside.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tillit_app::AppError;
use tillit_domain::DomainError;

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable key for the error, e.g. `error-name-empty`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The input that is wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem found, each saying where (e.g. an imported file's row and column).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: Option<String>) -> Self {
        Self {
            kind: format!("urn:tillit:problem:{code}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: Some(code.to_owned()),
            field: None,
            errors: Vec::new(),
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response()
    }
}

/// The status and stable code of an error, shared by the API and the HTML views.
pub fn status_and_code(e: &AppError) -> (StatusCode, &'static str) {
    match e {
        AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, "unauthenticated"),
        AppError::BadCredentials => (StatusCode::UNAUTHORIZED, "error-bad-credentials"),
        AppError::Locked(_) => (StatusCode::LOCKED, "error-account-locked"),
        AppError::Forbidden => (StatusCode::FORBIDDEN, "forbidden"),
        AppError::NotFound => (StatusCode::NOT_FOUND, "not-found"),
        AppError::Invalid(DomainError::Invalid { code, .. }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, code)
        }
        AppError::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
        AppError::Rejected { code, .. } => (StatusCode::UNPROCESSABLE_ENTITY, code),
        AppError::Store(_) | AppError::Internal(_) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = status_and_code(&self.0);
        let mut p = Problem::new(status, code, None);
        match &self.0 {
            AppError::Invalid(DomainError::Invalid { field, .. }) => {
                p.field = Some((*field).to_owned());
                p.detail = Some(self.0.to_string());
            }
            AppError::Locked(until) => p.detail = Some(format!("locked until {until}")),
            AppError::Rejected { details, .. } => {
                p.detail = Some(format!(
                    "{} problem(s) found; nothing was saved",
                    details.len()
                ));
                p.errors = details.clone();
            }
            AppError::Store(_) | AppError::Internal(_) => {
                tracing::error!(error = %self.0, "request failed");
            }
            other => p.detail = Some(other.to_string()),
        }
        let mut res = p.into_response();
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"tillit\""),
            );
        }
        res
    }
}

/// A malformed request body, path or query: 400 with what the parser said.
fn bad_request(code: &str, detail: String) -> Response {
    Problem::new(StatusCode::BAD_REQUEST, code, Some(detail)).into_response()
}

/// `axum::Json` whose rejections are problem+json.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    axum::Json<T>: axum::extract::FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::MissingJsonContentType(e)) => Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "error-content-type",
                Some(e.body_text()),
            )
            .into_response()),
            Err(e) => Err(bad_request("error-bad-json", e.body_text())),
        }
    }
}

impl<T: Serialize> IntoResponse for ApiJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` whose rejections are problem+json.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiPath<T>
where
    axum::extract::Path<T>: axum::extract::FromRequestParts<S, Rejection = PathRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|p| ApiPath(p.0))
            .map_err(|e| bad_request("error-bad-path", e.body_text()))
    }
}

/// `axum::extract::Query` whose rejections are problem+json.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> axum::extract::FromRequestParts<S> for ApiQuery<T>
where
    axum::extract::Query<T>: axum::extract::FromRequestParts<S, Rejection = QueryRejection>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| bad_request("error-bad-query", e.body_text()))
    }
}
