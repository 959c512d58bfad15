//! Signing in and out, sessions and personal API tokens.

use jiff::{SignedDuration, Timestamp};
use tillit_domain::audit::AuditEvent;
use tillit_domain::user::{self, ApiTokenInfo};
use tillit_domain::{ApiTokenId, User};

use crate::secrets::{self, API_TOKEN_PREFIX};
use crate::{App, AppError, Caller, Result};

/// A new session: the cookie value goes to the browser, only its hash is stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub expires: Timestamp,
    pub user: User,
}

/// Checked against when the username is unknown, so the answer takes as long either way.
fn dummy_hash() -> String {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password("not a real password").unwrap_or_default())
        .clone()
}

impl App {
    /// Signs in with username and password. Failures are counted, and the fifth in a row
    /// locks the account for a while; every attempt is in the audit log.
    pub async fn login(&self, username: &str, password: &str) -> Result<NewSession> {
        let now = Timestamp::now();
        let name = username.trim().to_lowercase();
        let creds = self.store().auth_find_by_username(&name).await?;
        let Some(creds) = creds else {
            secrets::verify_password_blocking(password.to_owned(), dummy_hash()).await;
            self.store()
                .append_audit(&AuditEvent::new(
                    None,
                    truncate(&name),
                    "auth.login_failed",
                    "user",
                    "-",
                ))
                .await?;
            return Err(AppError::BadCredentials);
        };
        let u = &creds.user;
        let event =
            |action: &str| AuditEvent::new(Some(u.id), u.username.clone(), action, "user", u.id);
        if user::is_locked(u.locked_until, now) {
            self.store()
                .append_audit(&event("auth.login_refused_locked"))
                .await?;
            return Err(AppError::Locked(u.locked_until.unwrap_or(now)));
        }
        let ok = match &creds.password_hash {
            Some(h) => secrets::verify_password_blocking(password.to_owned(), h.clone()).await,
            None => false,
        };
        if !ok || !u.is_active {
            let locked = self
                .store()
                .auth_record_failure(u.id, now, &event("auth.login_failed"))
                .await?;
            return Err(match locked {
                Some(until) => AppError::Locked(until),
                None => AppError::BadCredentials,
            });
        }
        self.open_session(u.clone(), &event("auth.login")).await
    }

    /// Opens a session for an already authenticated user (password or OIDC).
    pub async fn open_session(&self, user: User, audit: &AuditEvent) -> Result<NewSession> {
        let now = Timestamp::now();
        let token = secrets::random_token();
        let expires = now + self.config().session_ttl;
        self.store()
            .auth_record_success(user.id, &secrets::sha256_hex(&token), now, expires, audit)
            .await?;
        Ok(NewSession {
            token,
            expires,
            user,
        })
    }

    /// The caller behind a session cookie, if the session is valid.
    pub async fn session_caller(&self, token: &str) -> Result<Option<Caller>> {
        let hash = secrets::sha256_hex(token);
        let Some(user) = self.store().session_user(&hash, Timestamp::now()).await? else {
            return Ok(None);
        };
        let roles = self.store().roles_of(user.id).await?;
        Ok(Some(Caller {
            user,
            roles,
            session_hash: Some(hash),
        }))
    }

    /// The caller behind a personal API token (`Authorization: Bearer tillit_…`).
    pub async fn token_caller(&self, token: &str) -> Result<Option<Caller>> {
        if !token.starts_with(API_TOKEN_PREFIX) {
            return Ok(None);
        }
        let hash = secrets::sha256_hex(token);
        let Some(user) = self.store().api_token_user(&hash, Timestamp::now()).await? else {
            return Ok(None);
        };
        let roles = self.store().roles_of(user.id).await?;
        Ok(Some(Caller {
            user,
            roles,
            session_hash: None,
        }))
    }

    pub async fn logout(&self, caller: &Caller) -> Result<()> {
        if let Some(hash) = &caller.session_hash {
            let ev = caller.event("auth.logout", "user", caller.user.id);
            self.store().end_session(hash, &ev).await?;
        }
        Ok(())
    }

    /// Changes the caller's own password; other sessions of the account end.
    pub async fn change_own_password(
        &self,
        caller: &Caller,
        current: &str,
        new: &str,
    ) -> Result<()> {
        let creds = self
            .store()
            .auth_find_by_username(&caller.user.username)
            .await?
            .ok_or(AppError::NotFound)?;
        let ok = match creds.password_hash {
            Some(h) => secrets::verify_password_blocking(current.to_owned(), h).await,
            None => false,
        };
        if !ok {
            return Err(AppError::invalid(
                "current_password",
                "error-wrong-password",
            ));
        }
        user::validate_password(new)?;
        let hash = secrets::hash_password_blocking(new.to_owned()).await?;
        let ev = caller
            .event("user.password_change", "user", caller.user.id)
            .change(
                None::<&()>,
                Some(&serde_json::json!({"password": "changed"})),
            );
        let scope = caller.scope(tillit_domain::Permission::Read);
        self.store()
            .set_password(
                &scope,
                caller.user.id,
                &hash,
                caller.session_hash.as_deref(),
                &ev,
            )
            .await?;
        Ok(())
    }

    /// Creates a personal API token; the secret is returned once and only its hash is kept.
    pub async fn create_api_token(
        &self,
        caller: &Caller,
        name: &str,
        valid_days: Option<i64>,
    ) -> Result<(ApiTokenInfo, String)> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::invalid("name", "error-name-empty"));
        }
        let now = Timestamp::now();
        let expires_at = match valid_days {
            Some(d) if (1..=3650).contains(&d) => Some(now + SignedDuration::from_hours(24 * d)),
            Some(_) => return Err(AppError::invalid("valid_days", "error-token-days")),
            None => None,
        };
        let info = ApiTokenInfo {
            id: ApiTokenId::new(),
            name: name.to_owned(),
            created_at: now,
            expires_at,
            last_used_at: None,
            revoked_at: None,
        };
        let secret = format!("{API_TOKEN_PREFIX}{}", secrets::random_token());
        let ev = caller
            .event("api_token.create", "api_token", info.id)
            .change(None::<&()>, Some(&info));
        self.store()
            .create_api_token(caller.user.id, &info, &secrets::sha256_hex(&secret), &ev)
            .await?;
        Ok((info, secret))
    }

    pub async fn list_api_tokens(&self, caller: &Caller) -> Result<Vec<ApiTokenInfo>> {
        Ok(self.store().list_api_tokens(caller.user.id).await?)
    }

    pub async fn revoke_api_token(&self, caller: &Caller, id: ApiTokenId) -> Result<()> {
        let ev = caller.event("api_token.revoke", "api_token", id);
        self.store()
            .revoke_api_token(caller.user.id, id, Timestamp::now(), &ev)
            .await?;
        Ok(())
    }
}

/// Unknown usernames are logged, but only so much of them: it may be a mistyped password.
fn truncate(s: &str) -> String {
    s.chars().take(100).collect()
}
