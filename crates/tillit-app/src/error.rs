use tillit_domain::DomainError;
use tillit_store::StoreError;

/// What a use case can answer besides success. The web layer maps each to an HTTP status and
/// a problem+json body (API) or a page (HTML).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No valid session or token.
    #[error("not signed in")]
    Unauthenticated,
    /// Wrong username or password (deliberately not saying which).
    #[error("wrong username or password")]
    BadCredentials,
    #[error("the account is locked until {0}")]
    Locked(jiff::Timestamp),
    /// Signed in, but no role allows this anywhere.
    #[error("forbidden")]
    Forbidden,
    /// Missing, or outside the caller's units (the same answer, so nothing leaks).
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Invalid(#[from] DomainError),
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input refused as a whole (an imported file), with every problem and where it is.
    #[error("{code}: {}", details.join("; "))]
    Rejected {
        code: &'static str,
        details: Vec<String>,
    },
    #[error("store: {0}")]
    Store(#[source] StoreError),
    #[error("internal: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict(c) => AppError::Conflict(c),
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    pub fn invalid(field: &'static str, code: &'static str) -> Self {
        AppError::Invalid(DomainError::invalid(field, code))
    }
}
