//! Tillit's storage on SQLite: the embedded default, one file in the data folder.
//! WAL journal and synchronous=FULL so a kill -9 loses no committed write.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Pool, Sqlite};

pub type Db = Sqlite;

/// No row locks on SQLite: a write transaction holds the database's one writer lock.
const SKIP_LOCKED: &str = "";
const UUID_SQL_TYPE: &str = "BLOB";

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: Pool<Sqlite>,
}

pub type SqliteStore = SqlStore;

impl SqlStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path` or `sqlite::memory:`).
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    pub fn pool(&self) -> &Pool<Sqlite> {
        &self.pool
    }

    /// `BEGIN IMMEDIATE` takes the writer lock up front, so a transaction that reads and then
    /// writes cannot fail half-way with SQLITE_BUSY when another writer got there first.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// A consistent copy of the live database, taken while it is in use.
    pub async fn backup_to(&self, path: &Path) -> Result<(), sqlx::Error> {
        let target = path
            .to_str()
            .ok_or_else(|| sqlx::Error::Configuration("backup path is not valid UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The writer lock already serialises the chain.
async fn lock_audit_chain(_conn: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    Ok(())
}

include!("../../tillit-store/shared/queries.rs");
include!("../../tillit-store/shared/inventory.rs");
