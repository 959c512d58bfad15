//! Tillit's storage on PostgreSQL, for several app instances sharing one database.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::{Pool, Postgres};

pub type Db = Postgres;

/// Lets several instances claim jobs concurrently without waiting on each other.
const SKIP_LOCKED: &str = " FOR UPDATE SKIP LOCKED";
const UUID_SQL_TYPE: &str = "uuid";

/// The advisory lock that serialises appends to the audit chain.
const AUDIT_CHAIN_LOCK: i64 = 0x7417_1175_0001;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: Pool<Postgres>,
}

pub type PgStore = SqlStore;

impl SqlStore {
    pub async fn connect(url: &str) -> Result<Self, sqlx::Error> {
        Self::connect_with(url, 16).await
    }

    pub async fn connect_with(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        Ok(Self { pool })
    }

    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    pub fn pool(&self) -> &Pool<Postgres> {
        &self.pool
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'_, Postgres>, sqlx::Error> {
        self.pool.begin().await
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Held to the end of the transaction; every write takes it last, after its row locks.
async fn lock_audit_chain(conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(AUDIT_CHAIN_LOCK)
        .execute(conn)
        .await
        .map(|_| ())
}

include!("../../tillit-store/shared/queries.rs");
include!("../../tillit-store/shared/inventory.rs");
