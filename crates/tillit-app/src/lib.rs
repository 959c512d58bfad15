//! Tillit's use cases. Every operation takes the [`Caller`] and derives the store scope from
//! it; every write carries its audit event into the store's transaction.

pub mod audit;
pub mod auth;
pub mod bootstrap;
pub mod classification;
mod error;
pub mod export;
pub mod import;
pub mod inventory;
pub mod jobs;
pub mod oidc;
pub mod secrets;
pub mod units;
pub mod users;

use std::sync::Arc;

use jiff::SignedDuration;
use tillit_domain::audit::AuditEvent;
use tillit_domain::{Actor, Permission, Role, RoleAssignment, Scope, UnitId, User};
use tillit_store::Store;

pub use error::AppError;
pub use tillit_domain as domain;
pub use tillit_store as store;

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Debug, Clone)]
pub struct AppConfig {
    /// How long a sign-in lasts.
    pub session_ttl: SignedDuration,
    /// Names this process in job leases, so a crashed instance's jobs can be told apart.
    pub instance_id: String,
    /// Sign-in through an OpenID Connect provider, when configured.
    pub oidc: Option<oidc::OidcSettings>,
}

impl Default for AppConfig {
    fn default() -> Self {
        Self {
            session_ttl: SignedDuration::from_hours(12),
            instance_id: format!("tillit-{}", uuid::Uuid::now_v7().simple()),
            oidc: None,
        }
    }
}

/// The application: the store and the settings, cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Store,
    config: AppConfig,
    oidc: oidc::OidcRuntime,
}

impl App {
    pub fn new(store: Store, config: AppConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                config,
                oidc: oidc::OidcRuntime::default(),
            }),
        }
    }

    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    pub fn config(&self) -> &AppConfig {
        &self.inner.config
    }
}

/// A signed-in user, with the roles they hold, as the use cases see them.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub roles: Vec<RoleAssignment>,
    /// The hash of the session this request came with (none for API tokens).
    pub session_hash: Option<String>,
}

impl Caller {
    pub fn scope(&self, permission: Permission) -> Scope {
        Scope::new(Actor::User(self.user.id), permission)
    }

    /// Whether the caller holds any role granting `permission` (menus; the store decides).
    pub fn can(&self, permission: Permission) -> bool {
        self.roles.iter().any(|r| r.role.grants(permission))
    }

    pub fn has_role_on(&self, unit: UnitId, role: Role) -> bool {
        self.roles
            .iter()
            .any(|r| r.unit_id == unit && r.role == role)
    }

    /// An audit event by this caller.
    pub fn event(&self, action: &str, entity_type: &str, entity_id: impl ToString) -> AuditEvent {
        AuditEvent::new(
            Some(self.user.id),
            self.user.username.clone(),
            action,
            entity_type,
            entity_id,
        )
    }
}
