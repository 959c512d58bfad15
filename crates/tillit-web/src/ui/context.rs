//! What every view needs to know about the request: who is calling, in which language, where
//! they are; and the page frame (header, menu) built from it.

use std::sync::{Arc, OnceLock};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use tillit_app::{AppError, Caller};
use tillit_domain::Permission;

use super::failure::UiError;
use super::i18n::{I18n, Lang};
use crate::AppState;
use crate::auth::MaybeAuth;

/// The request as the views see it.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub caller: Option<Caller>,
    pub lang: Lang,
    /// The path and query, e.g. `/audit?before=120`.
    pub here: String,
    /// An htmx request that wants a piece of a page, not a whole one (boosted links and
    /// forms get whole pages).
    pub fragment: bool,
}

impl Ctx {
    /// Without looking up the caller: for failures before or outside the extractor.
    pub fn anonymous(headers: &HeaderMap, here: String) -> Self {
        Self {
            caller: None,
            lang: Lang::resolve(None, headers),
            here,
            fragment: wants_fragment(headers),
        }
    }

    pub fn i(&self) -> I18n {
        self.lang.i18n()
    }

    /// The page frame, titled with the message `title_key`.
    pub fn layout(&self, title: String) -> Layout {
        let i = self.i();
        let path = self.here.split('?').next().unwrap_or("/");
        let mut nav = Vec::new();
        if let Some(c) = &self.caller {
            let mut link = |href: &'static str, key: &str| {
                let current = if href == "/" {
                    path == "/"
                } else {
                    path == href || path.starts_with(&format!("{href}/"))
                };
                nav.push(NavLink {
                    href,
                    label: i.t(key),
                    current,
                });
            };
            link("/", "nav-overview");
            link("/units", "nav-units");
            link("/assets", "nav-assets");
            link("/coverage", "nav-coverage");
            if c.can(Permission::Administer) {
                link("/users", "nav-users");
            }
            if c.can(Permission::ReadAudit) {
                link("/audit", "nav-audit");
            }
            link("/account", "nav-account");
        }
        Layout {
            lang: self.lang.code(),
            switch_to: self.lang.other().code(),
            switch_label: i.t("lang-switch"),
            title,
            nav,
            user_name: self.caller.as_ref().map(|c| c.user.display_name.clone()),
            here: self.here.clone(),
        }
    }
}

fn wants_fragment(headers: &HeaderMap) -> bool {
    let h = |name: &str| headers.get(name).is_some_and(|v| v.as_bytes() == b"true");
    h("hx-request") && !h("hx-boosted") && !h("hx-history-restore-request")
}

/// Filled in by the [`Ctx`] extractor so that the failure middleware can render its page in
/// the caller's language and with their menu.
#[derive(Debug, Clone, Default)]
pub struct CtxSlot(pub Arc<OnceLock<Ctx>>);

impl FromRequestParts<AppState> for Ctx {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, UiError> {
        if let Some(cx) = parts.extensions.get::<Ctx>() {
            return Ok(cx.clone());
        }
        let MaybeAuth(caller) = MaybeAuth::from_request_parts(parts, state)
            .await
            .map_err(|e| UiError::from(e.0))?;
        let here = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_else(|| "/".to_owned());
        let cx = Ctx {
            lang: Lang::resolve(
                caller.as_ref().map(|c| c.user.locale.as_str()),
                &parts.headers,
            ),
            caller,
            here,
            fragment: wants_fragment(&parts.headers),
        };
        parts.extensions.insert(cx.clone());
        if let Some(slot) = parts.extensions.get::<CtxSlot>() {
            let _ = slot.0.set(cx.clone());
        }
        Ok(cx)
    }
}

/// A signed-in caller; anyone else is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct Signed {
    pub cx: Ctx,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Signed {
    type Rejection = UiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, UiError> {
        let cx = Ctx::from_request_parts(parts, state).await?;
        let caller = cx.caller.clone().ok_or(AppError::Unauthenticated)?;
        Ok(Signed { cx, caller })
    }
}

/// The frame around every page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// `sv` or `en`, for `<html lang>`.
    pub lang: &'static str,
    pub switch_to: &'static str,
    pub switch_label: String,
    pub title: String,
    pub nav: Vec<NavLink>,
    pub user_name: Option<String>,
    /// Where the language switch returns to when the browser sends no Referer.
    pub here: String,
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

/// A rendered page with the given status. Pages show personal data, so nothing is cached.
pub fn page<T: askama::Template>(status: StatusCode, template: &T) -> Result<Response, UiError> {
    let body = template.render()?;
    let mut res = (status, Html(body)).into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// 303 See Other: after a successful form post (and to the sign-in page).
pub fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx(here: &str, caller: Option<Caller>) -> Ctx {
        Ctx {
            caller,
            lang: Lang::En,
            here: here.to_owned(),
            fragment: false,
        }
    }

    #[test]
    fn boosted_requests_get_whole_pages() {
        let mut h = HeaderMap::new();
        h.insert("hx-request", HeaderValue::from_static("true"));
        assert!(wants_fragment(&h));
        h.insert("hx-boosted", HeaderValue::from_static("true"));
        assert!(!wants_fragment(&h));
        assert!(!wants_fragment(&HeaderMap::new()));
    }

    #[test]
    fn the_menu_is_empty_when_signed_out() {
        let l = cx("/login", None).layout("x".into());
        assert!(l.nav.is_empty());
        assert_eq!(l.lang, "en");
        assert_eq!(l.switch_to, "sv");
    }
}
