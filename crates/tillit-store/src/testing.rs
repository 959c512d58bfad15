//! Throw-away databases for tests, on both backends. Every test gets its own database, so
//! tests run in parallel and never see each other's rows.

use crate::{Store, StoreError};
use tillit_store_postgres::PgStore;
use uuid::Uuid;

/// The PostgreSQL server for tests, if any: `TILLIT_TEST_PG_URL`.
pub fn pg_url() -> Option<String> {
    std::env::var("TILLIT_TEST_PG_URL")
        .ok()
        .filter(|u| !u.is_empty())
}

/// A migrated SQLite database in a fresh temporary folder (kept for the test's life).
pub async fn fresh_sqlite() -> Result<(Store, TempDir), StoreError> {
    let dir = TempDir::new();
    let store = Store::open_data_dir(&dir.0).await?;
    store.migrate().await?;
    Ok((store, dir))
}

/// A migrated database of its own on the test PostgreSQL server; `None` when none is set.
pub async fn fresh_postgres() -> Result<Option<(Store, String)>, StoreError> {
    let Some(admin_url) = pg_url() else {
        return Ok(None);
    };
    let name = format!("tillit_t_{}", Uuid::now_v7().simple());
    let admin = PgStore::connect_with(&admin_url, 1).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(admin.pool())
        .await?;
    admin.close().await;
    let url = with_database(&admin_url, &name);
    let store = Store::Postgres(PgStore::connect_with(&url, 5).await?);
    store.migrate().await?;
    Ok(Some((store, url)))
}

/// The same server URL with another database name.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let base = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// A temporary folder removed on drop.
#[derive(Debug)]
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("tillit-test-{}", Uuid::now_v7().simple()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Default for TempDir {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_name() {
        assert_eq!(
            with_database("postgres://u:p@127.0.0.1:5432/tillit_test", "x"),
            "postgres://u:p@127.0.0.1:5432/x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u:p@h", "x"), "postgres://u:p@h/x");
    }
}
