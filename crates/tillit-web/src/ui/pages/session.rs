//! Signing in and out, and the language switch in the header.

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use jiff::Timestamp;
use tillit_app::AppError;

use crate::AppState;
use crate::auth::{LANG_COOKIE, clear_session_cookie, session_cookie};
use crate::ui::context::{Ctx, Layout, page, see_other};
use crate::ui::failure::UiError;
use crate::ui::form::FormData;
use crate::ui::format::local_time;
use crate::ui::i18n::{I18n, Lang};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    i: I18n,
    username: String,
    error: Option<String>,
    /// The organisation-account button's text, when that sign-in is set up.
    oidc_label: Option<String>,
    oidc_href: &'static str,
}

fn login_page(
    cx: &Ctx,
    state: &AppState,
    status: StatusCode,
    username: &str,
    error: Option<String>,
) -> Result<Response, UiError> {
    let i = cx.i();
    page(
        status,
        &LoginPage {
            l: cx.layout(i.t("login-title")),
            i,
            username: username.to_owned(),
            error,
            oidc_label: crate::oidc::oidc_enabled(state).map(str::to_owned),
            oidc_href: crate::oidc::LOGIN_PATH,
        },
    )
}

/// `GET /login`; whoever is signed in already goes to the overview.
pub async fn show(cx: Ctx, State(state): State<AppState>) -> Result<Response, UiError> {
    if cx.caller.is_some() {
        return Ok(see_other("/"));
    }
    login_page(&cx, &state, StatusCode::OK, "", None)
}

/// `POST /login`: a session cookie and on to the overview, or the form again saying why not.
pub async fn submit(
    cx: Ctx,
    State(state): State<AppState>,
    form: FormData,
) -> Result<Response, UiError> {
    let username = form.get("username");
    let password = form
        .0
        .iter()
        .find(|(k, _)| k == "password")
        .map(|(_, v)| v.as_str());
    let i = cx.i();
    match state.app.login(username, password.unwrap_or("")).await {
        Ok(session) => {
            let max_age = (session.expires - Timestamp::now()).as_secs().max(0);
            let mut res = see_other("/");
            let cookie = session_cookie(&session.token, max_age, state.secure_cookies);
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                res.headers_mut().insert(header::SET_COOKIE, v);
            }
            Ok(res)
        }
        Err(AppError::BadCredentials) => login_page(
            &cx,
            &state,
            StatusCode::UNAUTHORIZED,
            username,
            Some(i.error("error-bad-credentials")),
        ),
        Err(AppError::Locked(until)) => login_page(
            &cx,
            &state,
            StatusCode::LOCKED,
            username,
            Some(i.t1("login-locked-until", "time", local_time(until))),
        ),
        Err(e) => Err(e.into()),
    }
}

/// `POST /logout`: ends the session, clears the cookie, back to the sign-in page.
pub async fn logout(cx: Ctx, State(state): State<AppState>) -> Result<Response, UiError> {
    if let Some(caller) = &cx.caller {
        state.app.logout(caller).await?;
    }
    let mut res = see_other("/login");
    if let Ok(v) = HeaderValue::from_str(&clear_session_cookie(state.secure_cookies)) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// `POST /lang`: remembers the language (cookie, and the account's setting when signed in)
/// and returns to the page the switch was pressed on.
pub async fn switch_language(
    cx: Ctx,
    State(state): State<AppState>,
    headers: HeaderMap,
    form: FormData,
) -> Result<Response, UiError> {
    let lang = form
        .opt("lang")
        .and_then(Lang::parse)
        .unwrap_or(cx.lang.other());
    if let Some(caller) = &cx.caller {
        state.app.set_own_locale(caller, lang.code()).await?;
    }
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{secure}",
        lang.code()
    );
    let mut res = see_other(&back_path(&headers, form.opt("next")));
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Where to return to: the Referer's path when it is this site, else the form's `next`,
/// else the overview. Only local paths, and never back to a form's target.
pub fn back_path(headers: &HeaderMap, next: Option<&str>) -> String {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let from_referer = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| url::Url::parse(r).ok())
        .filter(|u| {
            let authority = match (u.host_str(), u.port()) {
                (Some(h), Some(p)) => format!("{h}:{p}"),
                (Some(h), None) => h.to_owned(),
                _ => return false,
            };
            host == Some(authority.as_str())
        })
        .map(|u| match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_owned(),
        });
    from_referer
        .filter(|p| is_local_path(p))
        .or_else(|| next.filter(|p| is_local_path(p)).map(str::to_owned))
        .unwrap_or_else(|| "/".to_owned())
}

fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && !p.contains('\\')
        && !p.chars().any(char::is_control)
        && !matches!(p.split('?').next(), Some("/lang" | "/logout"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn returns_only_to_local_paths() {
        let h = headers(&[
            ("host", "tillit.stad.se"),
            ("referer", "https://tillit.stad.se/units/1?closed=1"),
        ]);
        assert_eq!(back_path(&h, None), "/units/1?closed=1");
        let h = headers(&[
            ("host", "127.0.0.1:8080"),
            ("referer", "http://127.0.0.1:8080/audit"),
        ]);
        assert_eq!(back_path(&h, Some("/units")), "/audit");
        let evil = headers(&[
            ("host", "tillit.stad.se"),
            ("referer", "https://evil.example/x"),
        ]);
        assert_eq!(back_path(&evil, None), "/");
        assert_eq!(back_path(&evil, Some("/users")), "/users");
        assert_eq!(back_path(&HeaderMap::new(), Some("//evil.example")), "/");
        assert_eq!(
            back_path(&HeaderMap::new(), Some("https://evil.example")),
            "/"
        );
        assert_eq!(back_path(&HeaderMap::new(), Some("/\\evil.example")), "/");
        assert_eq!(back_path(&HeaderMap::new(), Some("/lang")), "/");
    }
}
