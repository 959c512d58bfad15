//! Accounts and role assignments, administered per unit subtree.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tillit_domain::user::{self, User};
use tillit_domain::{Permission, Role, RoleAssignment, UnitId, UserId};

use crate::{App, AppError, Caller, Result, secrets};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    /// `sv` (default) or `en`.
    pub locale: Option<String>,
    /// Left out: a one-time password is generated and returned once.
    pub password: Option<String>,
    /// The unit of the account's first role; it must be one the caller administers.
    pub unit_id: UnitId,
    pub role: Role,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct UserUpdate {
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub locale: Option<String>,
    pub is_active: Option<bool>,
    /// Lifts a lock after failed sign-ins.
    #[serde(default)]
    pub unlock: bool,
}

fn validate_email(email: Option<String>) -> Result<Option<String>> {
    match email.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty()) {
        None => Ok(None),
        Some(e) if e.contains('@') && e.len() <= 254 && !e.chars().any(char::is_whitespace) => {
            Ok(Some(e))
        }
        Some(_) => Err(AppError::invalid("email", "error-email")),
    }
}

fn assignment_json(ra: &RoleAssignment) -> serde_json::Value {
    serde_json::to_value(ra).unwrap_or_default()
}

impl App {
    pub async fn list_users(&self, caller: &Caller) -> Result<Vec<User>> {
        if !caller.can(Permission::Administer) {
            return Err(AppError::Forbidden);
        }
        Ok(self
            .store()
            .list_users(&caller.scope(Permission::Administer))
            .await?)
    }

    pub async fn get_user(&self, caller: &Caller, id: UserId) -> Result<User> {
        self.store()
            .get_user(&caller.scope(Permission::Administer), id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// Creates an account with a first role; returns the one-time password when generated.
    pub async fn create_user(
        &self,
        caller: &Caller,
        new: NewUser,
    ) -> Result<(User, Option<String>)> {
        let u = User {
            id: UserId::new(),
            username: user::validate_username(&new.username)?,
            display_name: user::validate_display_name(&new.display_name)?,
            email: validate_email(new.email)?,
            locale: user::validate_locale(new.locale.as_deref().unwrap_or("sv"))?,
            is_active: true,
            oidc_subject: None,
            locked_until: None,
            created_at: Timestamp::now(),
        };
        let (password, generated) = match new.password {
            Some(p) => {
                user::validate_password(&p)?;
                (p, false)
            }
            None => (secrets::random_password(), true),
        };
        let hash = secrets::hash_password_blocking(password.clone()).await?;
        let ra = RoleAssignment {
            user_id: u.id,
            unit_id: new.unit_id,
            role: new.role,
        };
        let events = [
            caller
                .event("user.create", "user", u.id)
                .unit(Some(new.unit_id))
                .change(None::<&()>, Some(&u)),
            caller
                .event("role.assign", "role_assignment", u.id)
                .unit(Some(new.unit_id))
                .change(None::<&()>, Some(&assignment_json(&ra))),
        ];
        self.store()
            .create_user(
                &caller.scope(Permission::Administer),
                &u,
                Some(&hash),
                None,
                Some((new.unit_id, new.role)),
                &events,
            )
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::invalid("username", "error-username-taken"),
                other => other,
            })?;
        Ok((u, generated.then_some(password)))
    }

    pub async fn update_user(&self, caller: &Caller, id: UserId, upd: UserUpdate) -> Result<User> {
        let before = self.get_user(caller, id).await?;
        let mut after = before.clone();
        if let Some(n) = upd.display_name {
            after.display_name = user::validate_display_name(&n)?;
        }
        if upd.email.is_some() {
            after.email = validate_email(upd.email)?;
        }
        if let Some(l) = upd.locale {
            after.locale = user::validate_locale(&l)?;
        }
        if let Some(active) = upd.is_active {
            if !active && id == caller.user.id {
                return Err(AppError::invalid("is_active", "error-deactivate-self"));
            }
            if !active && before.is_active {
                self.refuse_losing_last_admin(id).await?;
            }
            after.is_active = active;
        }
        if upd.unlock {
            after.locked_until = None;
        }
        if after == before {
            return Ok(before);
        }
        let ev = caller
            .event("user.update", "user", id)
            .change(Some(&before), Some(&after));
        self.store()
            .update_user(&caller.scope(Permission::Administer), &after, &ev)
            .await?;
        Ok(after)
    }

    /// The caller's own language; any signed-in user may set it.
    pub async fn set_own_locale(&self, caller: &Caller, locale: &str) -> Result<()> {
        let before = caller.user.clone();
        let after = User {
            locale: user::validate_locale(locale)?,
            ..before.clone()
        };
        if after == before {
            return Ok(());
        }
        let ev = caller
            .event("user.update", "user", before.id)
            .change(Some(&before), Some(&after));
        self.store()
            .update_user(&caller.scope(Permission::Read), &after, &ev)
            .await?;
        Ok(())
    }

    /// An administrator sets a new password for an account (e.g. after a lock-out); the
    /// account's sessions end. Returns the password when generated.
    pub async fn reset_password(
        &self,
        caller: &Caller,
        id: UserId,
        password: Option<String>,
    ) -> Result<String> {
        self.get_user(caller, id).await?;
        let password = match password {
            Some(p) => {
                user::validate_password(&p)?;
                p
            }
            None => secrets::random_password(),
        };
        let hash = secrets::hash_password_blocking(password.clone()).await?;
        let ev = caller
            .event("user.password_reset", "user", id)
            .change(None::<&()>, Some(&serde_json::json!({"password": "reset"})));
        self.store()
            .set_password(&caller.scope(Permission::Administer), id, &hash, None, &ev)
            .await?;
        Ok(password)
    }

    pub async fn list_role_assignments(
        &self,
        caller: &Caller,
        user: Option<UserId>,
    ) -> Result<Vec<RoleAssignment>> {
        Ok(self
            .store()
            .list_role_assignments(&caller.scope(Permission::Administer), user)
            .await?)
    }

    pub async fn assign_role(&self, caller: &Caller, ra: RoleAssignment) -> Result<bool> {
        // The account must be one the caller may see, the unit one it administers.
        self.get_user(caller, ra.user_id).await?;
        let ev = caller
            .event("role.assign", "role_assignment", ra.user_id)
            .unit(Some(ra.unit_id))
            .change(None::<&()>, Some(&assignment_json(&ra)));
        Ok(self
            .store()
            .assign_role(
                &caller.scope(Permission::Administer),
                &ra,
                Timestamp::now(),
                &ev,
            )
            .await?)
    }

    pub async fn revoke_role(&self, caller: &Caller, ra: RoleAssignment) -> Result<()> {
        if ra.role == Role::Admin {
            let scope = caller.scope(Permission::Administer);
            let unit = self
                .store()
                .get_unit(&scope, ra.unit_id)
                .await?
                .ok_or(AppError::NotFound)?;
            if unit.parent_id.is_none() {
                self.refuse_losing_last_admin(ra.user_id).await?;
            }
        }
        let ev = caller
            .event("role.revoke", "role_assignment", ra.user_id)
            .unit(Some(ra.unit_id))
            .change(Some(&assignment_json(&ra)), None::<&()>);
        self.store()
            .revoke_role(&caller.scope(Permission::Administer), &ra, &ev)
            .await?;
        Ok(())
    }

    /// The installation must keep at least one active organisation administrator.
    async fn refuse_losing_last_admin(&self, user: UserId) -> Result<()> {
        let roles = self.store().roles_of(user).await?;
        let mut is_root_admin = false;
        for r in roles.iter().filter(|r| r.role == Role::Admin) {
            let scope = tillit_domain::Scope::system();
            if let Some(u) = self.store().get_unit(&scope, r.unit_id).await? {
                is_root_admin |= u.parent_id.is_none();
            }
        }
        if is_root_admin && self.store().count_root_role_holders(Role::Admin).await? <= 1 {
            return Err(AppError::invalid("role", "error-last-admin"));
        }
        Ok(())
    }
}
