//! Posted forms (`application/x-www-form-urlencoded`, repeated names allowed) and showing a
//! form's error next to it.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use tillit_app::AppError;
use tillit_domain::DomainError;

use axum::response::Response;

use super::context::see_other;
use super::failure::UiError;
use super::i18n::I18n;

/// The fields of a posted form, or of a query string.
#[derive(Debug, Clone, Default)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(input: &[u8]) -> Self {
        FormData(
            url::form_urlencoded::parse(input)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of a field, or "".
    pub fn get(&self, name: &str) -> &str {
        self.opt(name).unwrap_or("")
    }

    /// The first value of a field, trimmed, if not empty.
    pub fn opt(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether a checkbox was ticked.
    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Whether `value` is among the values of `name` (to keep checkboxes ticked).
    pub fn contains(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(k, v)| k == name && v == value)
    }

    /// A field that must parse (ids in hidden fields and selects); a malformed one is 400.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str) -> Result<T, UiError> {
        self.get(name)
            .parse()
            .map_err(|_| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = UiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, UiError> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|_| UiError::new(StatusCode::BAD_REQUEST, "error-bad-form"))?;
        Ok(FormData::parse(&body))
    }
}

/// The error of one form on a page, shown at its top (`role="alert"`, id `{form}-error`)
/// and linked from the offending input with `aria-describedby`.
#[derive(Debug, Clone, Default)]
pub struct FormErrors(Option<(&'static str, String, String)>);

impl FormErrors {
    pub fn none() -> Self {
        Self(None)
    }

    pub fn new(form: &'static str, field: &str, message: String) -> Self {
        Self(Some((form, field.to_owned(), message)))
    }

    /// From a use case's answer: invalid input becomes this form's error, anything else
    /// stays a failure of the page.
    pub fn from_app(form: &'static str, e: AppError, i: I18n) -> Result<Self, UiError> {
        match e {
            AppError::Invalid(DomainError::Invalid { field, code }) => {
                Ok(Self::new(form, field, i.error(code)))
            }
            AppError::BadCredentials | AppError::Locked(_) => Err(UiError::from(e)),
            AppError::Conflict(_) => Ok(Self::new(form, "", i.error("conflict"))),
            other => Err(UiError::from(other)),
        }
    }

    /// The message for `form`, if it failed.
    pub fn on(&self, form: &str) -> Option<&str> {
        match &self.0 {
            Some((f, _, m)) if *f == form => Some(m),
            _ => None,
        }
    }

    /// The accessibility attributes of an input: marked invalid and pointing at the
    /// message when the error is about it. Only ever our own form and field names.
    pub fn attrs(&self, form: &str, field: &str) -> String {
        match &self.0 {
            Some((f, fd, _)) if *f == form && fd == field => {
                format!(r#"aria-invalid="true" aria-describedby="{form}-error""#)
            }
            _ => String::new(),
        }
    }

    /// As [`Self::attrs`] for an input that has a hint of its own (`hint` is its id).
    pub fn attrs_hint(&self, form: &str, field: &str, hint: &str) -> String {
        match &self.0 {
            Some((f, fd, _)) if *f == form && fd == field => {
                format!(r#"aria-invalid="true" aria-describedby="{form}-error {hint}""#)
            }
            _ => format!(r#"aria-describedby="{hint}""#),
        }
    }
}

/// Post/redirect/get for a form on a detail page: on success, 303 to `done_url`; on invalid
/// input, `redisplay` shows the page again with the form's error and the typed values.
pub async fn redirect_or_redisplay<T, F, Fut>(
    result: Result<T, AppError>,
    done_url: &str,
    form_name: &'static str,
    form: FormData,
    i: I18n,
    redisplay: F,
) -> Result<Response, UiError>
where
    F: FnOnce(FormErrors, FormData) -> Fut,
    Fut: std::future::Future<Output = Result<Response, UiError>>,
{
    match result {
        Ok(_) => Ok(see_other(done_url)),
        Err(e) => {
            let fe = FormErrors::from_app(form_name, e, i)?;
            redisplay(fe, form).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    #[test]
    fn repeated_fields_and_trimming() {
        let f = FormData::parse(b"sources=a&sources=b&name=+N%C3%A4mnd+&empty=&box=on");
        assert_eq!(f.all("sources"), vec!["a", "b"]);
        assert_eq!(f.get("name"), "Nämnd");
        assert_eq!(f.opt("empty"), None);
        assert!(f.has("box") && !f.has("nope"));
        assert!(f.contains("sources", "b"));
        assert!(f.parsed::<uuid::Uuid>("name").is_err());
    }

    #[test]
    fn invalid_input_marks_its_field() {
        let i = Lang::Sv.i18n();
        let e = FormErrors::from_app("create", AppError::invalid("name", "error-name-empty"), i)
            .unwrap();
        assert_eq!(e.on("create"), Some(i.t("error-name-empty").as_str()));
        assert_eq!(e.on("rename"), None);
        assert!(
            e.attrs("create", "name")
                .contains(r#"aria-describedby="create-error""#)
        );
        assert_eq!(e.attrs("create", "kind"), "");
        assert_eq!(
            e.attrs_hint("create", "kind", "h"),
            r#"aria-describedby="h""#
        );
        assert!(
            e.attrs_hint("create", "name", "h")
                .ends_with(r#"aria-describedby="create-error h""#)
        );
        assert!(FormErrors::from_app("create", AppError::Forbidden, i).is_err());
    }
}
