//! Accounts: local (argon2id password) or signed in through OIDC.

use crate::{DomainError, UserId};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// `sv` or `en`.
    pub locale: String,
    pub is_active: bool,
    /// Set for accounts that sign in through OIDC: the issuer's subject.
    pub oidc_subject: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub locked_until: Option<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

/// What sign-in needs to know about an account; never leaves the app layer.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: Option<String>,
}

/// A personal API token as listed to its owner; the secret is shown once, at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ApiTokenInfo {
    pub id: crate::ApiTokenId,
    pub name: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<Timestamp>,
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 1024;
/// Failed sign-ins in a row before the account is locked.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCKOUT: SignedDuration = SignedDuration::from_mins(15);

pub fn validate_username(name: &str) -> Result<String, DomainError> {
    let name = name.trim().to_lowercase();
    if name.is_empty() {
        return Err(DomainError::invalid("username", "error-username-empty"));
    }
    if name.chars().count() > 100 {
        return Err(DomainError::invalid("username", "error-username-too-long"));
    }
    let ok = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !ok {
        return Err(DomainError::invalid("username", "error-username-chars"));
    }
    Ok(name)
}

pub fn validate_display_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("display_name", "error-name-empty"));
    }
    if name.chars().count() > 200 || name.chars().any(char::is_control) {
        return Err(DomainError::invalid("display_name", "error-name-too-long"));
    }
    Ok(name.to_owned())
}

pub fn validate_password(password: &str) -> Result<(), DomainError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        return Err(DomainError::invalid("password", "error-password-too-short"));
    }
    if n > PASSWORD_MAX_CHARS {
        return Err(DomainError::invalid("password", "error-password-too-long"));
    }
    Ok(())
}

pub fn validate_locale(locale: &str) -> Result<String, DomainError> {
    match locale {
        "sv" | "en" => Ok(locale.to_owned()),
        _ => Err(DomainError::invalid("locale", "error-locale")),
    }
}

/// After a failed sign-in with `failures` failures in a row (this one included): when the
/// account unlocks, if it is now locked.
pub fn lock_after_failure(failures: i64, now: Timestamp) -> Option<Timestamp> {
    (failures >= MAX_FAILED_LOGINS).then(|| now + LOCKOUT)
}

pub fn is_locked(locked_until: Option<Timestamp>, now: Timestamp) -> bool {
    locked_until.is_some_and(|t| t > now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_folded_and_checked() {
        assert_eq!(
            validate_username(" Anna.Svensson ").unwrap(),
            "anna.svensson"
        );
        assert_eq!(validate_username("åsa@stad.se").unwrap(), "åsa@stad.se");
        assert!(validate_username("a b").is_err());
        assert!(validate_username("").is_err());
    }

    #[test]
    fn passwords_have_a_minimum_length() {
        assert!(validate_password("kort").is_err());
        assert!(validate_password("elva tecken").is_err());
        assert!(validate_password("tolv tecken!").is_ok());
    }

    #[test]
    fn the_fifth_failure_locks_for_fifteen_minutes() {
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        assert_eq!(lock_after_failure(4, now), None);
        let until = lock_after_failure(5, now).unwrap();
        assert_eq!(until, now + SignedDuration::from_mins(15));
        assert!(is_locked(Some(until), now));
        assert!(!is_locked(Some(until), until));
        assert!(!is_locked(None, now));
    }
}
