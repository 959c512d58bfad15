//! The repository API the app sees: one [`Store`] over the SQLite and PostgreSQL backends.
//!
//! Handlers are not generic over the database: an enum keeps compile times flat and lets the
//! binary pick the backend from configuration at run time. Every call that reads or changes
//! records of a unit takes the caller's [`Scope`]; the few that cannot (sign-in, the caller's
//! own sessions and tokens, housekeeping) say so in their names and docs.

use std::path::Path;

use jiff::Timestamp;
use tillit_domain::asset::{Asset, AssetFilter, AssetLink, AssetPage, Coverage};
use tillit_domain::audit::{AuditEvent, AuditFilter, AuditRecord};
use tillit_domain::classification::{
    ActionItem, ActionItemFilter, ActionItemRow, Classification, Model, ModelVersion,
};
use tillit_domain::job::Job;
use tillit_domain::user::{ApiTokenInfo, Credentials};
use tillit_domain::{
    ApiTokenId, AssetId, ClassificationId, ModelId, Role, RoleAssignment, Scope, Unit, UnitId,
    User, UserId,
};
use tillit_store_postgres::PgStore;
use tillit_store_sqlite::SqliteStore;
use uuid::Uuid;

pub use tillit_store_postgres;
pub use tillit_store_sqlite;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist, or is outside the caller's scope (deliberately the same).
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (e.g. the username is taken).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("unsupported on this database: {0}")]
    Unsupported(&'static str),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(ref db) if db.is_unique_violation() => {
                StoreError::Conflict(db.constraint().unwrap_or("unique").to_owned())
            }
            // A reference to a row that does not exist.
            sqlx::Error::Database(ref db) if db.is_foreign_key_violation() => StoreError::NotFound,
            other => StoreError::Database(other),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

impl Store {
    /// Connects by URL: `postgres://…` or `postgresql://…` for PostgreSQL, `sqlite://…` for
    /// SQLite (the file is created if missing).
    pub async fn connect(url: &str) -> Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Store::Postgres(PgStore::connect(url).await?))
        } else if url.starts_with("sqlite:") {
            Ok(Store::Sqlite(SqliteStore::connect(url).await?))
        } else {
            Err(StoreError::Database(sqlx::Error::Configuration(
                "the database URL must start with sqlite: or postgres://".into(),
            )))
        }
    }

    /// The embedded default: `tillit.db` in the data folder.
    pub async fn open_data_dir(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Database(sqlx::Error::Io(e)))?;
        let url = format!("sqlite://{}", dir.join("tillit.db").display());
        Self::connect(&url).await
    }

    pub fn backend(&self) -> Backend {
        match self {
            Store::Sqlite(_) => Backend::Sqlite,
            Store::Postgres(_) => Backend::Postgres,
        }
    }

    /// Runs the embedded migrations of the backend.
    pub async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite(s) => s.migrate().await?,
            Store::Postgres(s) => s.migrate().await?,
        }
        Ok(())
    }

    /// A consistent copy of the database while it is in use (SQLite); PostgreSQL is backed up
    /// with its own tools (pg_dump), which know its replication and permissions.
    pub async fn backup_to(&self, path: &Path) -> Result<()> {
        match self {
            Store::Sqlite(s) => Ok(s.backup_to(path).await?),
            Store::Postgres(_) => Err(StoreError::Unsupported(
                "use pg_dump --format=custom for PostgreSQL backups",
            )),
        }
    }

    pub async fn close(&self) {
        match self {
            Store::Sqlite(s) => s.close().await,
            Store::Postgres(s) => s.close().await,
        }
    }
}

/// Generates the `Store` methods that forward to the backend of the same name.
macro_rules! delegate {
    ($( $(#[$meta:meta])* fn $name:ident(&self $(, $arg:ident : $ty:ty)* $(,)?) -> $ret:ty; )*) => {
        impl Store {
            $(
                $(#[$meta])*
                pub async fn $name(&self $(, $arg: $ty)*) -> Result<$ret> {
                    match self {
                        Store::Sqlite(s) => s.$name($($arg),*).await.map_err(StoreError::from),
                        Store::Postgres(s) => s.$name($($arg),*).await.map_err(StoreError::from),
                    }
                }
            )*
        }
    };
}

delegate! {
    fn ping(&self) -> ();

    // units
    /// Creates a unit below a parent in scope; only the system creates organisation roots.
    fn create_unit(&self, scope: &Scope, unit: &Unit, audit: &AuditEvent) -> ();
    fn get_unit(&self, scope: &Scope, id: UnitId) -> Option<Unit>;
    fn list_units(&self, scope: &Scope, include_closed: bool) -> Vec<Unit>;
    /// The chain up to the root, nearest first, the unit included; empty outside scope.
    fn unit_ancestors(&self, scope: &Scope, id: UnitId) -> Vec<UnitId>;
    fn rename_unit(&self, scope: &Scope, id: UnitId, name: &str, audit: &AuditEvent) -> ();
    fn move_unit(&self, scope: &Scope, id: UnitId, new_parent: UnitId, audit: &AuditEvent) -> ();
    /// Closes the sources and re-homes their sub-units, roles and records into the target.
    fn merge_units(&self, scope: &Scope, sources: &[UnitId], target: UnitId, at: Timestamp, audit: &[AuditEvent]) -> ();
    /// The units merged into this one, directly or through earlier merges.
    fn merged_into(&self, scope: &Scope, id: UnitId) -> Vec<Unit>;

    // users
    fn create_user(&self, scope: &Scope, user: &User, password_hash: Option<&str>, oidc_issuer: Option<&str>, first_role: Option<(UnitId, Role)>, audit: &[AuditEvent]) -> ();
    fn get_user(&self, scope: &Scope, id: UserId) -> Option<User>;
    fn list_users(&self, scope: &Scope) -> Vec<User>;
    fn update_user(&self, scope: &Scope, user: &User, audit: &AuditEvent) -> ();
    fn set_password(&self, scope: &Scope, id: UserId, password_hash: &str, keep_session: Option<&str>, audit: &AuditEvent) -> ();

    // sign-in and sessions: unscoped, nobody is signed in yet or it is the caller's own
    fn auth_find_by_username(&self, username: &str) -> Option<Credentials>;
    fn auth_find_by_oidc(&self, issuer: &str, subject: &str) -> Option<User>;
    fn auth_record_failure(&self, id: UserId, now: Timestamp, audit: &AuditEvent) -> Option<Timestamp>;
    fn auth_record_success(&self, id: UserId, session_hash: &str, now: Timestamp, expires: Timestamp, audit: &AuditEvent) -> ();
    fn session_user(&self, session_hash: &str, now: Timestamp) -> Option<User>;
    fn end_session(&self, session_hash: &str, audit: &AuditEvent) -> ();
    fn purge_expired_sessions(&self, now: Timestamp) -> u64;

    // roles
    /// The actor's own roles, on open units.
    fn roles_of(&self, user: UserId) -> Vec<RoleAssignment>;
    fn list_role_assignments(&self, scope: &Scope, user: Option<UserId>) -> Vec<RoleAssignment>;
    /// Returns false when the role was already held (then nothing is recorded).
    fn assign_role(&self, scope: &Scope, ra: &RoleAssignment, at: Timestamp, audit: &AuditEvent) -> bool;
    fn revoke_role(&self, scope: &Scope, ra: &RoleAssignment, audit: &AuditEvent) -> ();
    fn count_root_role_holders(&self, role: Role) -> i64;

    // personal API tokens: the owner's own
    fn create_api_token(&self, owner: UserId, token: &ApiTokenInfo, token_hash: &str, audit: &AuditEvent) -> ();
    fn list_api_tokens(&self, owner: UserId) -> Vec<ApiTokenInfo>;
    fn revoke_api_token(&self, owner: UserId, id: ApiTokenId, at: Timestamp, audit: &AuditEvent) -> ();
    fn api_token_user(&self, token_hash: &str, now: Timestamp) -> Option<User>;

    // audit log
    fn append_audit(&self, event: &AuditEvent) -> AuditRecord;
    fn list_audit(&self, scope: &Scope, filter: &AuditFilter) -> Vec<AuditRecord>;
    /// A page of the whole chain in order; the system's alone.
    fn audit_chain_page(&self, scope: &Scope, after_seq: i64, limit: i64) -> Vec<AuditRecord>;
    fn audit_head(&self) -> Option<(i64, String)>;

    // background jobs
    fn enqueue_job(&self, kind: &str, payload: &str, unique_key: Option<&str>, run_at: Timestamp) -> bool;
    fn claim_job(&self, worker: &str, now: Timestamp, lease_until: Timestamp) -> Option<Job>;
    fn complete_job(&self, id: Uuid, at: Timestamp) -> ();
    fn fail_job(&self, id: Uuid, error: &str, retry_at: Option<Timestamp>, now: Timestamp) -> ();

    // classification models: installation-wide, stored versions never change
    /// Needs a scope over an organisation root; the same key and version twice is a conflict.
    fn insert_model(&self, scope: &Scope, id: ModelId, model: &Model, at: Timestamp, audit: &AuditEvent) -> ();
    fn get_model(&self, id: ModelId) -> Option<ModelVersion>;
    fn list_models(&self) -> Vec<ModelVersion>;

    // the inventory
    fn create_asset(&self, scope: &Scope, asset: &Asset, audit: &AuditEvent) -> ();
    /// All or nothing, in one transaction.
    fn import_assets(&self, scope: &Scope, assets: &[Asset], audit: &[AuditEvent]) -> ();
    fn update_asset(&self, scope: &Scope, asset: &Asset, audit: &AuditEvent) -> ();
    fn get_asset(&self, scope: &Scope, id: AssetId) -> Option<Asset>;
    fn list_assets(&self, scope: &Scope, filter: &AssetFilter) -> AssetPage;
    /// Returns false when the link existed (then nothing is recorded).
    fn add_link(&self, scope: &Scope, link: &AssetLink, audit: &AuditEvent) -> bool;
    fn remove_link(&self, scope: &Scope, link: &AssetLink, audit: &AuditEvent) -> ();
    fn links_of(&self, scope: &Scope, id: AssetId) -> Vec<AssetLink>;

    // classifications and action plans
    fn create_classification(&self, scope: &Scope, c: &Classification, audit: &AuditEvent) -> ();
    fn get_classification(&self, scope: &Scope, id: ClassificationId) -> Option<Classification>;
    fn classifications_of(&self, scope: &Scope, asset: AssetId) -> Vec<Classification>;
    /// Only drafts change.
    fn save_draft(&self, scope: &Scope, c: &Classification, audit: &AuditEvent) -> ();
    /// Supersedes the asset's previous classification and creates the action plan.
    fn complete_classification(&self, scope: &Scope, c: &Classification, items: &[ActionItem], audit: &[AuditEvent]) -> ();
    fn action_items(&self, scope: &Scope, classification: ClassificationId) -> Vec<ActionItem>;
    fn update_action_item(&self, scope: &Scope, item: &ActionItem, at: Timestamp, audit: &AuditEvent) -> ();
    fn coverage(&self, scope: &Scope, today: jiff::civil::Date) -> Vec<Coverage>;
    /// Items of completed classifications in scope, for follow-up and export.
    fn list_action_items(&self, scope: &Scope, filter: &ActionItemFilter) -> Vec<ActionItemRow>;
}

#[cfg(feature = "testing")]
pub mod testing;
