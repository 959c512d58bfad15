//! Shared fixtures for the store's contract tests: the `contract!` macro that runs one test
//! body on SQLite and (when `TILLIT_TEST_PG_URL` is set) on PostgreSQL, and small builders.
#![allow(dead_code)]

use jiff::{SignedDuration, Timestamp};
use tillit_domain::audit::{AuditEvent, AuditRecord, ChainError, ChainVerifier};
use tillit_domain::{
    Actor, Permission, Role, RoleAssignment, Scope, Unit, UnitId, UnitKind, User, UserId,
};
use tillit_store::{Store, StoreError};

/// `contract!(name, |store: Store| async move { ... })` generates `mod name` with a `sqlite`
/// and a `postgres` test running the same body against a fresh, migrated database.
macro_rules! contract {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (store, _dir) = tillit_store::testing::fresh_sqlite()
                    .await
                    .expect("a fresh SQLite database");
                let body = $body;
                body(store.clone()).await;
                store.close().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some((store, url)) = tillit_store::testing::fresh_postgres()
                    .await
                    .expect("a fresh PostgreSQL database")
                else {
                    eprintln!("skipped: TILLIT_TEST_PG_URL not set");
                    return;
                };
                let body = $body;
                body(store.clone()).await;
                store.close().await;
                // A failed test keeps its database for a look; a passed one is dropped.
                $crate::common::drop_pg_database(&url).await;
            }
        }
    };
}

/// Drops a test database made by `fresh_postgres` (best effort).
pub async fn drop_pg_database(url: &str) {
    let Some(admin) = tillit_store::testing::pg_url() else {
        return;
    };
    let name = url
        .split('?')
        .next()
        .and_then(|u| u.rsplit('/').next())
        .unwrap_or_default()
        .to_owned();
    if !name.starts_with("tillit_t_") {
        return;
    }
    if let Ok(admin) = tillit_store::tillit_store_postgres::PgStore::connect_with(&admin, 1).await {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(admin.pool())
        .await;
        admin.close().await;
    }
}

// ---- time -------------------------------------------------------------------------------

/// A fixed point in time for the tests' own timestamps (sessions, tokens, jobs).
pub fn t0() -> Timestamp {
    "2026-01-15T08:00:00Z".parse().expect("a valid timestamp")
}

pub fn mins(n: i64) -> SignedDuration {
    SignedDuration::from_mins(n)
}

// ---- scopes -----------------------------------------------------------------------------

pub fn sys() -> Scope {
    Scope::system()
}

pub fn as_user(user: &User, permission: Permission) -> Scope {
    Scope::new(Actor::User(user.id), permission)
}

// ---- audit events -----------------------------------------------------------------------

pub fn ev(
    action: &str,
    entity_type: &str,
    entity_id: impl ToString,
    unit: Option<UnitId>,
) -> AuditEvent {
    AuditEvent::new(None, "system", action, entity_type, entity_id).unit(unit)
}

/// The sequence number of the newest audit record (0 when the log is empty).
pub async fn head_seq(store: &Store) -> i64 {
    store
        .audit_head()
        .await
        .expect("audit_head")
        .map_or(0, |(seq, _)| seq)
}

/// The newest audit record, read through the system's chain page.
pub async fn last_record(store: &Store) -> AuditRecord {
    let seq = head_seq(store).await;
    assert!(seq > 0, "the audit log is empty");
    let page = store
        .audit_chain_page(&sys(), seq - 1, 1)
        .await
        .expect("audit_chain_page");
    page.into_iter().next().expect("the head record")
}

/// Asserts that `op` appended exactly one record, with `action`.
pub async fn assert_one_record(store: &Store, before: i64, action: &str) {
    let after = head_seq(store).await;
    assert_eq!(
        after,
        before + 1,
        "{action}: exactly one audit record is appended"
    );
    assert_eq!(
        last_record(store).await.action,
        action,
        "the record is the {action}"
    );
}

/// Verifies the whole chain against the head, as `tillit audit verify` does.
pub async fn verify_chain(store: &Store) -> Result<i64, ChainError> {
    let mut v = ChainVerifier::default();
    let mut after = 0;
    loop {
        let page = store
            .audit_chain_page(&sys(), after, 1000)
            .await
            .expect("audit_chain_page");
        let Some(last) = page.last() else { break };
        after = last.seq;
        for r in &page {
            v.push(r)?;
        }
    }
    v.finish(store.audit_head().await.expect("audit_head"))
}

// ---- units ------------------------------------------------------------------------------

pub fn new_unit(name: &str, kind: UnitKind, parent: Option<UnitId>) -> Unit {
    Unit {
        id: UnitId::new(),
        parent_id: parent,
        name: name.to_owned(),
        kind,
        merged_into: None,
        created_at: t0(),
        closed_at: None,
    }
}

/// Creates a unit as `scope` (with its `unit.create` record) and returns it.
pub async fn mk_unit(store: &Store, scope: &Scope, name: &str, parent: Option<UnitId>) -> Unit {
    let kind = if parent.is_none() {
        UnitKind::Organisation
    } else {
        UnitKind::Administration
    };
    let unit = new_unit(name, kind, parent);
    let event = ev("unit.create", "unit", unit.id, Some(unit.id));
    store
        .create_unit(scope, &unit, &event)
        .await
        .unwrap_or_else(|e| panic!("create unit {name}: {e}"));
    unit
}

/// org → A, org → B, A → A1. Names are plain ASCII so byte order and PostgreSQL's
/// collation agree.
pub struct Tree {
    pub org: Unit,
    pub a: Unit,
    pub b: Unit,
    pub a1: Unit,
}

pub async fn tree(store: &Store) -> Tree {
    let org = mk_unit(store, &sys(), "Org", None).await;
    let a = mk_unit(store, &sys(), "A", Some(org.id)).await;
    let b = mk_unit(store, &sys(), "B", Some(org.id)).await;
    let a1 = mk_unit(store, &sys(), "A1", Some(a.id)).await;
    Tree { org, a, b, a1 }
}

pub async fn unit_names(store: &Store, scope: &Scope, include_closed: bool) -> Vec<String> {
    store
        .list_units(scope, include_closed)
        .await
        .expect("list_units")
        .into_iter()
        .map(|u| u.name)
        .collect()
}

// ---- users ------------------------------------------------------------------------------

pub fn new_user(username: &str) -> User {
    User {
        id: UserId::new(),
        username: username.to_owned(),
        display_name: format!("Namn {username}"),
        email: Some(format!("{username}@stad.se")),
        locale: "sv".to_owned(),
        is_active: true,
        oidc_subject: None,
        locked_until: None,
        created_at: t0(),
    }
}

/// Creates a local account as the system, with an optional first role.
pub async fn mk_user(store: &Store, username: &str, role: Option<(UnitId, Role)>) -> User {
    let user = new_user(username);
    let event = ev("user.create", "user", user.id, role.map(|(u, _)| u));
    store
        .create_user(&sys(), &user, Some("$argon2id$hash"), None, role, &[event])
        .await
        .unwrap_or_else(|e| panic!("create user {username}: {e}"));
    user
}

pub fn ra(user: &User, unit: &Unit, role: Role) -> RoleAssignment {
    RoleAssignment {
        user_id: user.id,
        unit_id: unit.id,
        role,
    }
}

pub async fn assign(store: &Store, scope: &Scope, ra: &RoleAssignment) -> bool {
    let event = ev(
        "role.assign",
        "role_assignment",
        ra.user_id,
        Some(ra.unit_id),
    );
    store
        .assign_role(scope, ra, t0(), &event)
        .await
        .expect("assign_role")
}

// ---- errors -----------------------------------------------------------------------------

#[track_caller]
pub fn assert_not_found<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::NotFound) => {}
        other => panic!("{what}: expected StoreError::NotFound, got {other:?}"),
    }
}

// ---- raw SQL (for the tamper tests) -----------------------------------------------------

/// Runs one statement directly on the database, bypassing the store API.
pub async fn raw(store: &Store, sql: &str) -> Result<u64, sqlx::Error> {
    let q = sqlx::AssertSqlSafe(sql.to_owned());
    match store {
        Store::Sqlite(s) => sqlx::query(q)
            .execute(s.pool())
            .await
            .map(|r| r.rows_affected()),
        Store::Postgres(s) => sqlx::query(q)
            .execute(s.pool())
            .await
            .map(|r| r.rows_affected()),
    }
}
