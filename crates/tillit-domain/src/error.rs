/// A rule of the domain was broken by the input. `field` names the input that is wrong,
/// `code` is a stable message key (translated by the web layer, e.g. `error-name-empty`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("invalid {field}: {code}")]
    Invalid {
        field: &'static str,
        code: &'static str,
    },
}

impl DomainError {
    pub fn invalid(field: &'static str, code: &'static str) -> Self {
        Self::Invalid { field, code }
    }
}
