//! First start: an organisation and an administrator, so someone can sign in.

use jiff::Timestamp;
use tillit_domain::audit::AuditEvent;
use tillit_domain::{Role, RoleAssignment, Scope, Unit, UnitId, UnitKind, User, UserId};
use tillit_store::{Store, StoreError};

use crate::{Result, secrets};

pub const ADMIN_USERNAME: &str = "admin";

/// What the first start created; the password is shown once when it was generated.
#[derive(Debug, Clone)]
pub struct Bootstrapped {
    pub organisation: UnitId,
    pub username: String,
    /// `Some` when generated (to be printed once); `None` when it came from the environment.
    pub generated_password: Option<String>,
}

/// Creates the organisation and the admin account if the installation has no account yet.
pub async fn bootstrap(
    store: &Store,
    organisation_name: &str,
    admin_password: Option<String>,
) -> Result<Option<Bootstrapped>> {
    let system = Scope::system();
    if !store.list_users(&system).await?.is_empty() {
        return Ok(None);
    }
    let now = Timestamp::now();
    let (password, generated) = match admin_password {
        Some(p) => {
            tillit_domain::user::validate_password(&p)?;
            (p, false)
        }
        None => (secrets::random_password(), true),
    };
    let hash = secrets::hash_password_blocking(password.clone()).await?;
    let user = User {
        id: UserId::new(),
        username: ADMIN_USERNAME.to_owned(),
        display_name: "Administratör".to_owned(),
        email: None,
        locale: "sv".to_owned(),
        is_active: true,
        oidc_subject: None,
        locked_until: None,
        created_at: now,
    };
    // The account first: its unique username decides which of several instances starting on
    // one fresh database bootstraps; the others find it taken and carry on.
    let created = AuditEvent::new(None, "system", "user.create", "user", user.id)
        .change(None::<&()>, Some(&user));
    match store
        .create_user(&system, &user, Some(&hash), None, None, &[created])
        .await
    {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let roots = store.list_units(&system, false).await?;
    let organisation = match roots.into_iter().find(|u| u.parent_id.is_none()) {
        Some(root) => root.id,
        None => {
            let unit = Unit {
                id: UnitId::new(),
                parent_id: None,
                name: tillit_domain::unit::validate_name(organisation_name)?,
                kind: UnitKind::Organisation,
                merged_into: None,
                created_at: now,
                closed_at: None,
            };
            let ev = AuditEvent::new(None, "system", "unit.create", "unit", unit.id)
                .unit(Some(unit.id))
                .change(None::<&()>, Some(&unit));
            store.create_unit(&system, &unit, &ev).await?;
            unit.id
        }
    };
    let ra = RoleAssignment {
        user_id: user.id,
        unit_id: organisation,
        role: Role::Admin,
    };
    let ev = AuditEvent::new(None, "system", "role.assign", "role_assignment", user.id)
        .unit(Some(organisation))
        .change(None::<&()>, Some(&ra));
    store.assign_role(&system, &ra, now, &ev).await?;
    Ok(Some(Bootstrapped {
        organisation,
        username: user.username,
        generated_password: generated.then_some(password),
    }))
}
