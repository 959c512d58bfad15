//! Sign-in with an organisation account (OpenID Connect, e.g. Entra ID):
//! `GET /auth/oidc/login` sends the browser to the provider, `GET /auth/oidc/callback` takes
//! it back, signs the account in and goes on to the overview.
//!
//! Failures answer with problem+json and a 4xx status (401 when the sign-in cannot be
//! verified, 403 when the account has no role in Tillit, 400 for a stale or forged request),
//! 502 when the provider cannot be reached. No token or code is ever logged.

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use tillit_app::oidc::{OidcError, PENDING_COOKIE, PENDING_TTL_SECS};

use crate::AppState;
use crate::auth::{cookie, session_cookie};
use crate::error::{ApiError, Problem};

pub const LOGIN_PATH: &str = "/auth/oidc/login";
pub const CALLBACK_PATH: &str = "/auth/oidc/callback";

pub fn router() -> Router<AppState> {
    Router::new()
        .route(LOGIN_PATH, get(login))
        .route(CALLBACK_PATH, get(callback))
}

/// The sign-in button's text when sign-in with an organisation account is configured; the
/// button links to [`LOGIN_PATH`].
pub fn oidc_enabled(state: &AppState) -> Option<&str> {
    state.app.config().oidc.as_ref().map(|o| o.label.as_str())
}

/// The status and stable code of a failed organisation sign-in (for an HTML error page too).
pub fn status_and_code(e: &OidcError) -> (StatusCode, &'static str) {
    let status = match e {
        OidcError::NotConfigured => StatusCode::NOT_FOUND,
        OidcError::Provider(_) => StatusCode::BAD_GATEWAY,
        OidcError::State => StatusCode::BAD_REQUEST,
        OidcError::Denied(_) | OidcError::Verification(_) => StatusCode::UNAUTHORIZED,
        OidcError::Inactive | OidcError::NoRole => StatusCode::FORBIDDEN,
        OidcError::App(e) => crate::error::status_and_code(e).0,
    };
    (status, e.code())
}

fn pending_cookie(value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{PENDING_COOKIE}={value}; Path=/auth/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"
    )
}

fn set_cookie(res: &mut Response, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn no_store(res: &mut Response) {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

fn error_response(e: OidcError) -> Response {
    if let OidcError::App(inner) = e {
        return ApiError(inner).into_response();
    }
    let (status, code) = status_and_code(&e);
    match &e {
        OidcError::Provider(_) => tracing::warn!(error = %e, "OIDC sign-in: provider unusable"),
        _ => tracing::info!(error = %e, "OIDC sign-in refused"),
    }
    Problem::new(status, code, Some(e.to_string())).into_response()
}

/// `GET /auth/oidc/login`: on to the provider, remembering state, nonce and PKCE verifier.
async fn login(State(state): State<AppState>) -> Response {
    let mut res = match state.app.oidc_begin().await {
        Ok(start) => {
            let mut res = see_other(&start.authorize_url);
            set_cookie(
                &mut res,
                &pending_cookie(&start.cookie_value, PENDING_TTL_SECS, state.secure_cookies),
            );
            res
        }
        Err(e) => error_response(e),
    };
    no_store(&mut res);
    res
}

/// `GET /auth/oidc/callback?code&state` (or `?error&state`): signs in and on to `/`.
async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let pending = cookie(&headers, PENDING_COOKIE);
    let result = match (q.get("error"), q.get("code"), q.get("state")) {
        (Some(error), _, _) => Err(OidcError::Denied(
            error
                .chars()
                .filter(|c| c.is_ascii_graphic())
                .take(64)
                .collect(),
        )),
        (None, Some(code), Some(st)) => {
            let iss = q.get("iss").map(String::as_str);
            state.app.oidc_complete(pending, st, code, iss).await
        }
        (None, _, _) => Err(OidcError::State),
    };
    let mut res = match result {
        Ok(session) => {
            let max_age = (session.expires - Timestamp::now()).as_secs().max(0);
            let mut res = see_other("/");
            set_cookie(
                &mut res,
                &session_cookie(&session.token, max_age, state.secure_cookies),
            );
            res
        }
        Err(e) => error_response(e),
    };
    // One sign-in, one use of the cookie, whatever the outcome.
    if pending.is_some() {
        set_cookie(&mut res, &pending_cookie("", 0, state.secure_cookies));
    }
    no_store(&mut res);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_errors_are_4xx() {
        assert_eq!(
            status_and_code(&OidcError::State).0,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            status_and_code(&OidcError::Verification("x".into())).0,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            status_and_code(&OidcError::NoRole),
            (StatusCode::FORBIDDEN, "error-oidc-no-role")
        );
        assert_eq!(
            status_and_code(&OidcError::Inactive).0,
            StatusCode::FORBIDDEN
        );
    }

    #[test]
    fn the_pending_cookie_is_scoped_and_http_only() {
        let c = pending_cookie("v", 600, true);
        assert!(
            c.contains("Path=/auth/oidc") && c.contains("HttpOnly") && c.contains("SameSite=Lax")
        );
        assert!(c.ends_with("; Secure"));
    }
}
