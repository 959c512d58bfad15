//! Who is calling: a session cookie (browser) or a personal API token (`Authorization:
//! Bearer tillit_…`); and the cross-site request check for cookie-authenticated writes.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tillit_app::{AppError, Caller};

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "tillit_session";
pub const LANG_COOKIE: &str = "tillit_lang";

/// A cookie's value from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

/// The caller, if the request carries a valid token or session.
pub async fn caller_of(state: &AppState, headers: &HeaderMap) -> Result<Option<Caller>, AppError> {
    if let Some(token) = bearer(headers) {
        return state.app.token_caller(token).await;
    }
    match cookie(headers, SESSION_COOKIE) {
        Some(token) => state.app.session_caller(token).await,
        None => Ok(None),
    }
}

/// A signed-in caller, or 401 problem+json.
#[derive(Debug, Clone)]
pub struct Auth(pub Caller);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(Auth(c.clone()));
        }
        let caller = caller_of(state, &parts.headers)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        parts.extensions.insert(caller.clone());
        Ok(Auth(caller))
    }
}

/// The caller if signed in, for pages that show something either way.
#[derive(Debug, Clone)]
pub struct MaybeAuth(pub Option<Caller>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(MaybeAuth(Some(c.clone())));
        }
        let caller = caller_of(state, &parts.headers).await?;
        if let Some(c) = &caller {
            parts.extensions.insert(c.clone());
        }
        Ok(MaybeAuth(caller))
    }
}

/// Refuses state-changing requests that a browser marks as coming from another site. Cookies
/// are SameSite=Lax already; this also covers same-site subdomains and old browsers that
/// send Origin. Requests with a bearer token carry no ambient credentials and pass.
pub async fn csrf_guard(req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if safe || bearer(req.headers()).is_some() || !is_cross_site(req.headers()) {
        return next.run(req).await;
    }
    ApiError(AppError::Forbidden).into_response()
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => url::Url::parse(origin)
            .ok()
            .map(|u| {
                let o = match u.port() {
                    Some(p) => format!("{}:{p}", u.host_str().unwrap_or_default()),
                    None => u.host_str().unwrap_or_default().to_owned(),
                };
                o != host
            })
            .unwrap_or(true),
        _ => false,
    }
}

/// `Set-Cookie` for a new session.
pub fn session_cookie(token: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    )
}

pub fn clear_session_cookie(secure: bool) -> String {
    session_cookie("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn reads_cookies() {
        let h = headers(&[("cookie", "a=1; tillit_session=abc; b=2")]);
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn tells_cross_site_requests() {
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!is_cross_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(is_cross_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "tillit.stad.se")
        ])));
        assert!(!is_cross_site(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!is_cross_site(&headers(&[("host", "127.0.0.1:8080")])));
    }
}
