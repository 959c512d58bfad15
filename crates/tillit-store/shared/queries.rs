// The SQL both backends share, where the two dialects agree. Included by
// tillit-store-sqlite and tillit-store-postgres with `include!`, so each crate compiles it
// against its own `Db`; each crate supplies `SqlStore { pool }`, `begin_write`,
// `lock_audit_chain` and `SKIP_LOCKED`, and keeps its own migrations.
//
// Conventions: ids are bound as `Uuid`, times as UTC microseconds (`i64`). A write either
// succeeds with its audit record in the same transaction or not at all. A referenced row
// outside the caller's scope is reported as `sqlx::Error::RowNotFound`, the same as a row
// that does not exist, so the API never tells the two apart.

use sqlx::{AssertSqlSafe, Row};
use tillit_domain::audit::{self, AuditEvent, AuditFilter, AuditRecord};
use tillit_domain::job::Job;
use tillit_domain::user::{ApiTokenInfo, Credentials};
use tillit_domain::{
    Actor, ApiTokenId, Role, RoleAssignment, Scope, Unit, UnitId, UnitKind, User,
    UserId,
};
use uuid::Uuid;

type DbRow = <Db as sqlx::Database>::Row;
type DbConn = <Db as sqlx::Database>::Connection;

/// SQL put together from static fragments and role names from the domain; never from input,
/// which is always bound.
fn sql(text: String) -> AssertSqlSafe<String> {
    AssertSqlSafe(text)
}

fn ts(micros: i64) -> Result<jiff::Timestamp, sqlx::Error> {
    jiff::Timestamp::from_microsecond(micros).map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

fn opt_ts(micros: Option<i64>) -> Result<Option<jiff::Timestamp>, sqlx::Error> {
    micros.map(ts).transpose()
}

pub fn micros(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

fn decode_err(what: &str, value: &str) -> sqlx::Error {
    sqlx::Error::Decode(format!("unknown {what} {value:?}").into())
}

/// The id bound for the scope's actor; the system is bound as the nil UUID, which no user has.
fn actor_uuid(scope: &Scope) -> Uuid {
    scope.actor.user_id().map_or(Uuid::nil(), |u| u.0)
}

/// A sub-select of the ids of the units in scope: those below (or at) a unit where the actor
/// holds a role that grants the scope's permission. `$p` must be bound to `actor_uuid`.
fn scope_units(scope: &Scope, p: usize) -> String {
    match scope.actor {
        Actor::System => format!("SELECT id FROM units WHERE ${p} IS NOT NULL"),
        Actor::User(_) => {
            let roles = Role::granting(scope.permission)
                .map(|r| format!("'{}'", r.as_str()))
                .collect::<Vec<_>>()
                .join(", ");
            format!(
                "SELECT c.descendant FROM unit_closure c \
                 JOIN role_assignments r ON r.unit_id = c.ancestor \
                 WHERE r.user_id = ${p} AND r.role IN ({roles})"
            )
        }
    }
}

/// Whether the scope covers an organisation root: records that belong to no unit (sign-ins,
/// installation settings) are visible to those only. `$p` is bound to `actor_uuid`.
fn scope_covers_root(scope: &Scope, p: usize) -> String {
    format!(
        "EXISTS (SELECT 1 FROM units ru WHERE ru.parent_id IS NULL AND ru.id IN ({}))",
        scope_units(scope, p)
    )
}

/// A user is visible to a scope when it is the actor, holds a role on a unit in scope, or
/// holds no role at all and the scope covers an organisation root. `$p` is `actor_uuid`.
fn user_visible(scope: &Scope, p: usize) -> String {
    format!(
        "(u.id = ${p} \
          OR EXISTS (SELECT 1 FROM role_assignments ra WHERE ra.user_id = u.id AND ra.unit_id IN ({units})) \
          OR (NOT EXISTS (SELECT 1 FROM role_assignments ra2 WHERE ra2.user_id = u.id) AND {root}))",
        units = scope_units(scope, p),
        root = scope_covers_root(scope, p)
    )
}

const UNIT_COLS: &str = "id, parent_id, name, kind, merged_into, created_at, closed_at";
const USER_COLS: &str = "u.id, u.username, u.display_name, u.email, u.locale, u.is_active, \
                         u.oidc_subject, u.locked_until, u.created_at";
const AUDIT_COLS: &str = "seq, at, actor_id, actor_label, action, entity_type, entity_id, unit_id, \
                          before, after, prev_hash, hash";
const JOB_COLS: &str = "id, kind, payload, attempts";

fn unit_from_row(r: &DbRow) -> Result<Unit, sqlx::Error> {
    let kind: String = r.try_get("kind")?;
    Ok(Unit {
        id: UnitId(r.try_get("id")?),
        parent_id: r.try_get::<Option<Uuid>, _>("parent_id")?.map(UnitId),
        name: r.try_get("name")?,
        kind: UnitKind::parse(&kind).ok_or_else(|| decode_err("unit kind", &kind))?,
        merged_into: r.try_get::<Option<Uuid>, _>("merged_into")?.map(UnitId),
        created_at: ts(r.try_get("created_at")?)?,
        closed_at: opt_ts(r.try_get("closed_at")?)?,
    })
}

fn user_from_row(r: &DbRow) -> Result<User, sqlx::Error> {
    Ok(User {
        id: UserId(r.try_get("id")?),
        username: r.try_get("username")?,
        display_name: r.try_get("display_name")?,
        email: r.try_get("email")?,
        locale: r.try_get("locale")?,
        is_active: r.try_get("is_active")?,
        oidc_subject: r.try_get("oidc_subject")?,
        locked_until: opt_ts(r.try_get("locked_until")?)?,
        created_at: ts(r.try_get("created_at")?)?,
    })
}

fn role_assignment_from_row(r: &DbRow) -> Result<RoleAssignment, sqlx::Error> {
    let role: String = r.try_get("role")?;
    Ok(RoleAssignment {
        user_id: UserId(r.try_get("user_id")?),
        unit_id: UnitId(r.try_get("unit_id")?),
        role: Role::parse(&role).ok_or_else(|| decode_err("role", &role))?,
    })
}

fn audit_from_row(r: &DbRow) -> Result<AuditRecord, sqlx::Error> {
    Ok(AuditRecord {
        seq: r.try_get("seq")?,
        at: ts(r.try_get("at")?)?,
        actor_id: r.try_get::<Option<Uuid>, _>("actor_id")?.map(UserId),
        actor_label: r.try_get("actor_label")?,
        action: r.try_get("action")?,
        entity_type: r.try_get("entity_type")?,
        entity_id: r.try_get("entity_id")?,
        unit_id: r.try_get::<Option<Uuid>, _>("unit_id")?.map(UnitId),
        before: r.try_get("before")?,
        after: r.try_get("after")?,
        prev_hash: r.try_get("prev_hash")?,
        hash: r.try_get("hash")?,
    })
}

fn job_from_row(r: &DbRow) -> Result<Job, sqlx::Error> {
    Ok(Job {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        attempts: r.try_get("attempts")?,
    })
}

/// Tables whose rows belong to a unit and follow it when it is merged into another. Modules
/// add their tables here; role assignments are handled apart (their key includes the unit).
const REHOMED_TABLES: &[&str] = &["assets", "classifications"];

/// Fails with `RowNotFound` unless `query` finds a row for `id` ($1) in the scope ($2).
async fn require_row(
    conn: &mut DbConn,
    scope: &Scope,
    query: String,
    id: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query(sql(query))
        .bind(id)
        .bind(actor_uuid(scope))
        .fetch_optional(conn)
        .await?
        .map(|_| ())
        .ok_or(sqlx::Error::RowNotFound)
}

async fn require_unit_in_scope(
    conn: &mut DbConn,
    scope: &Scope,
    unit: UnitId,
) -> Result<(), sqlx::Error> {
    let q = format!("SELECT 1 AS one FROM units WHERE id = $1 AND id IN ({})", scope_units(scope, 2));
    require_row(conn, scope, q, unit.0).await
}

async fn require_user_visible(
    conn: &mut DbConn,
    scope: &Scope,
    user: UserId,
) -> Result<(), sqlx::Error> {
    let q = format!("SELECT 1 AS one FROM users u WHERE u.id = $1 AND {}", user_visible(scope, 2));
    require_row(conn, scope, q, user.0).await
}

/// Re-links `unit`'s subtree below `new_parent` in the closure table.
async fn relink_subtree(
    conn: &mut DbConn,
    unit: UnitId,
    new_parent: UnitId,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM unit_closure \
         WHERE descendant IN (SELECT descendant FROM unit_closure WHERE ancestor = $1) \
           AND ancestor NOT IN (SELECT descendant FROM unit_closure WHERE ancestor = $1)",
    )
    .bind(unit.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO unit_closure (ancestor, descendant, depth) \
         SELECT sup.ancestor, sub.descendant, sup.depth + sub.depth + 1 \
         FROM unit_closure sup, unit_closure sub \
         WHERE sup.descendant = $1 AND sub.ancestor = $2",
    )
    .bind(new_parent.0)
    .bind(unit.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE units SET parent_id = $1 WHERE id = $2")
        .bind(new_parent.0)
        .bind(unit.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Rows per multi-row INSERT: well under both databases' limits on bound parameters.
const BATCH_ROWS: usize = 500;

/// Appends an event to the chain inside the caller's transaction.
async fn append_audit(conn: &mut DbConn, event: &AuditEvent) -> Result<AuditRecord, sqlx::Error> {
    let mut records = append_audit_all(conn, std::slice::from_ref(event)).await?;
    Ok(records.pop().expect("one event, one record"))
}

/// Appends events to the chain inside the caller's transaction, in order: the head is read
/// and written once, the records inserted in batches. The chain is serialised by
/// `lock_audit_chain`, taken last in every write so it is held briefly and never waits on rows.
async fn append_audit_all(
    conn: &mut DbConn,
    events: &[AuditEvent],
) -> Result<Vec<AuditRecord>, sqlx::Error> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    lock_audit_chain(&mut *conn).await?;
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (mut seq, mut prev) = match head {
        Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
        None => (0, audit::GENESIS_HASH.to_owned()),
    };
    let at = jiff::Timestamp::now();
    let records: Vec<AuditRecord> = events
        .iter()
        .map(|e| {
            seq += 1;
            let rec = audit::seal(e, seq, at, &prev);
            prev = rec.hash.clone();
            rec
        })
        .collect();
    for chunk in records.chunks(BATCH_ROWS) {
        let mut q = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO audit_log (seq, at, actor_id, actor_label, action, entity_type, \
             entity_id, unit_id, before, after, prev_hash, hash) ",
        );
        q.push_values(chunk, |mut b, rec| {
            b.push_bind(rec.seq)
                .push_bind(micros(rec.at))
                .push_bind(rec.actor_id.map(|u| u.0))
                .push_bind(rec.actor_label.clone())
                .push_bind(rec.action.clone())
                .push_bind(rec.entity_type.clone())
                .push_bind(rec.entity_id.clone())
                .push_bind(rec.unit_id.map(|u| u.0))
                .push_bind(rec.before.clone())
                .push_bind(rec.after.clone())
                .push_bind(rec.prev_hash.clone())
                .push_bind(rec.hash.clone());
        });
        q.build().execute(&mut *conn).await?;
    }
    sqlx::query(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    )
    .bind(seq)
    .bind(&prev)
    .execute(&mut *conn)
    .await?;
    Ok(records)
}

impl SqlStore {
    /// The row `query` finds for `id` ($1) within the scope ($2), decoded by `from_row`.
    async fn fetch_scoped<T>(
        &self,
        query: String,
        scope: &Scope,
        id: Uuid,
        from_row: fn(&DbRow) -> Result<T, sqlx::Error>,
    ) -> Result<Option<T>, sqlx::Error> {
        sqlx::query(sql(query))
            .bind(id)
            .bind(actor_uuid(scope))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// Every row `query` finds for `id` ($1) within the scope ($2), decoded by `from_row`.
    async fn fetch_all_scoped<T>(
        &self,
        query: String,
        scope: &Scope,
        id: Uuid,
        from_row: fn(&DbRow) -> Result<T, sqlx::Error>,
    ) -> Result<Vec<T>, sqlx::Error> {
        let rows = sqlx::query(sql(query))
            .bind(id)
            .bind(actor_uuid(scope))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }

    // ---- units -------------------------------------------------------------------------

    /// Creates a unit below a parent in scope; only the system creates organisation roots.
    pub async fn create_unit(
        &self,
        scope: &Scope,
        unit: &Unit,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        match unit.parent_id {
            Some(parent) => require_unit_in_scope(&mut tx, scope, parent).await?,
            None if scope.actor == Actor::System => {}
            None => return Err(sqlx::Error::RowNotFound),
        }
        sqlx::query(
            "INSERT INTO units (id, parent_id, name, kind, merged_into, created_at, closed_at) \
             VALUES ($1, $2, $3, $4, NULL, $5, NULL)",
        )
        .bind(unit.id.0)
        .bind(unit.parent_id.map(|p| p.0))
        .bind(&unit.name)
        .bind(unit.kind.as_str())
        .bind(micros(unit.created_at))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO unit_closure (ancestor, descendant, depth) VALUES ($1, $1, 0)")
            .bind(unit.id.0)
            .execute(&mut *tx)
            .await?;
        if let Some(parent) = unit.parent_id {
            sqlx::query(
                "INSERT INTO unit_closure (ancestor, descendant, depth) \
                 SELECT ancestor, $1, depth + 1 FROM unit_closure WHERE descendant = $2",
            )
            .bind(unit.id.0)
            .bind(parent.0)
            .execute(&mut *tx)
            .await?;
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    pub async fn get_unit(&self, scope: &Scope, id: UnitId) -> Result<Option<Unit>, sqlx::Error> {
        let q = format!(
            "SELECT {UNIT_COLS} FROM units WHERE id = $1 AND id IN ({})",
            scope_units(scope, 2)
        );
        self.fetch_scoped(q, scope, id.0, unit_from_row).await
    }

    /// The units in scope, by name; closed (merged) units only when asked for.
    pub async fn list_units(
        &self,
        scope: &Scope,
        include_closed: bool,
    ) -> Result<Vec<Unit>, sqlx::Error> {
        let closed = if include_closed { "" } else { "AND closed_at IS NULL" };
        let q = format!(
            "SELECT {UNIT_COLS} FROM units WHERE id IN ({}) {closed} ORDER BY name, id",
            scope_units(scope, 1)
        );
        let rows = sqlx::query(sql(q)).bind(actor_uuid(scope)).fetch_all(&self.pool).await?;
        rows.iter().map(unit_from_row).collect()
    }

    /// The unit's chain up to its root, nearest first, the unit itself included; empty when
    /// the unit is not in scope.
    pub async fn unit_ancestors(
        &self,
        scope: &Scope,
        id: UnitId,
    ) -> Result<Vec<UnitId>, sqlx::Error> {
        let q = format!(
            "SELECT ancestor FROM unit_closure WHERE descendant = $1 AND descendant IN ({}) \
             ORDER BY depth",
            scope_units(scope, 2)
        );
        let rows = sqlx::query(sql(q))
            .bind(id.0)
            .bind(actor_uuid(scope))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<Uuid, _>("ancestor").map(UnitId))
            .collect()
    }

    pub async fn rename_unit(
        &self,
        scope: &Scope,
        id: UnitId,
        name: &str,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_unit_in_scope(&mut tx, scope, id).await?;
        sqlx::query("UPDATE units SET name = $1 WHERE id = $2")
            .bind(name)
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Moves a unit (with its subtree) below another; both must be in scope.
    pub async fn move_unit(
        &self,
        scope: &Scope,
        id: UnitId,
        new_parent: UnitId,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_unit_in_scope(&mut tx, scope, id).await?;
        require_unit_in_scope(&mut tx, scope, new_parent).await?;
        relink_subtree(&mut tx, id, new_parent).await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Merges `sources` into `target`: their sub-units move below the target, their role
    /// assignments and records are re-homed to it, and each source is closed with a pointer
    /// to the target, so its history stays readable under its own name.
    pub async fn merge_units(
        &self,
        scope: &Scope,
        sources: &[UnitId],
        target: UnitId,
        at: jiff::Timestamp,
        audit: &[AuditEvent],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_unit_in_scope(&mut tx, scope, target).await?;
        for source in sources {
            require_unit_in_scope(&mut tx, scope, *source).await?;
            let children: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM units WHERE parent_id = $1")
                .bind(source.0)
                .fetch_all(&mut *tx)
                .await?;
            for child in children {
                relink_subtree(&mut tx, UnitId(child), target).await?;
            }
            sqlx::query(
                "INSERT INTO role_assignments (user_id, unit_id, role, created_at) \
                 SELECT user_id, $1, role, created_at FROM role_assignments WHERE unit_id = $2 \
                 ON CONFLICT (user_id, unit_id, role) DO NOTHING",
            )
            .bind(target.0)
            .bind(source.0)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM role_assignments WHERE unit_id = $1")
                .bind(source.0)
                .execute(&mut *tx)
                .await?;
            for table in REHOMED_TABLES {
                sqlx::query(sql(format!("UPDATE {table} SET unit_id = $1 WHERE unit_id = $2")))
                    .bind(target.0)
                    .bind(source.0)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE units SET closed_at = $1, merged_into = $2 WHERE id = $3")
                .bind(micros(at))
                .bind(target.0)
                .bind(source.0)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO unit_merges (source_id, target_id, merged_at) VALUES ($1, $2, $3)")
                .bind(source.0)
                .bind(target.0)
                .bind(micros(at))
                .execute(&mut *tx)
                .await?;
        }
        append_audit_all(&mut tx, audit).await?;
        tx.commit().await
    }

    /// The units that were merged into `id`, directly or through earlier merges.
    pub async fn merged_into(&self, scope: &Scope, id: UnitId) -> Result<Vec<Unit>, sqlx::Error> {
        let q = format!(
            "WITH RECURSIVE m(id) AS ( \
               SELECT source_id FROM unit_merges WHERE target_id = $1 \
               UNION SELECT um.source_id FROM unit_merges um JOIN m ON um.target_id = m.id) \
             SELECT {UNIT_COLS} FROM units WHERE id IN (SELECT id FROM m) \
               AND $1 IN ({}) ORDER BY name",
            scope_units(scope, 2)
        );
        self.fetch_all_scoped(q, scope, id.0, unit_from_row).await
    }

    // ---- users -------------------------------------------------------------------------

    /// Creates an account. With a first role, the role's unit must be in scope; an account
    /// without a role may only be created by the system or an organisation administrator.
    pub async fn create_user(
        &self,
        scope: &Scope,
        user: &User,
        password_hash: Option<&str>,
        oidc_issuer: Option<&str>,
        first_role: Option<(UnitId, Role)>,
        audit: &[AuditEvent],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        match first_role {
            Some((unit, _)) => require_unit_in_scope(&mut tx, scope, unit).await?,
            None if scope.actor == Actor::System => {}
            None => {
                let q = format!("SELECT {} AS ok", scope_covers_root(scope, 1));
                let ok: bool = sqlx::query_scalar(sql(q))
                    .bind(actor_uuid(scope))
                    .fetch_one(&mut *tx)
                    .await?;
                if !ok {
                    return Err(sqlx::Error::RowNotFound);
                }
            }
        }
        sqlx::query(
            "INSERT INTO users (id, username, display_name, email, locale, is_active, \
             password_hash, oidc_issuer, oidc_subject, failed_logins, locked_until, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, NULL, $10)",
        )
        .bind(user.id.0)
        .bind(&user.username)
        .bind(&user.display_name)
        .bind(&user.email)
        .bind(&user.locale)
        .bind(user.is_active)
        .bind(password_hash)
        .bind(oidc_issuer)
        .bind(&user.oidc_subject)
        .bind(micros(user.created_at))
        .execute(&mut *tx)
        .await?;
        if let Some((unit, role)) = first_role {
            sqlx::query(
                "INSERT INTO role_assignments (user_id, unit_id, role, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(user.id.0)
            .bind(unit.0)
            .bind(role.as_str())
            .bind(micros(user.created_at))
            .execute(&mut *tx)
            .await?;
        }
        append_audit_all(&mut tx, audit).await?;
        tx.commit().await
    }

    pub async fn get_user(&self, scope: &Scope, id: UserId) -> Result<Option<User>, sqlx::Error> {
        let q = format!(
            "SELECT {USER_COLS} FROM users u WHERE u.id = $1 AND {}",
            user_visible(scope, 2)
        );
        self.fetch_scoped(q, scope, id.0, user_from_row).await
    }

    pub async fn list_users(&self, scope: &Scope) -> Result<Vec<User>, sqlx::Error> {
        let q = format!(
            "SELECT {USER_COLS} FROM users u WHERE {} ORDER BY u.username",
            user_visible(scope, 1)
        );
        let rows = sqlx::query(sql(q)).bind(actor_uuid(scope)).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    /// Updates the profile fields (display name, e-mail, locale, active, lock).
    pub async fn update_user(
        &self,
        scope: &Scope,
        user: &User,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_user_visible(&mut tx, scope, user.id).await?;
        sqlx::query(
            "UPDATE users SET display_name = $1, email = $2, locale = $3, is_active = $4, \
             locked_until = $5 WHERE id = $6",
        )
        .bind(&user.display_name)
        .bind(&user.email)
        .bind(&user.locale)
        .bind(user.is_active)
        .bind(user.locked_until.map(micros))
        .bind(user.id.0)
        .execute(&mut *tx)
        .await?;
        if !user.is_active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                .bind(user.id.0)
                .execute(&mut *tx)
                .await?;
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Sets a new password hash, clears any lock, and ends the account's other sessions.
    pub async fn set_password(
        &self,
        scope: &Scope,
        id: UserId,
        password_hash: &str,
        keep_session: Option<&str>,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_user_visible(&mut tx, scope, id).await?;
        sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        )
        .bind(password_hash)
        .bind(id.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(id.0)
            .bind(keep_session.unwrap_or(""))
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    // ---- sign-in (before there is a scope) ---------------------------------------------

    /// Looks up an account for sign-in. Unscoped by nature: nobody is signed in yet.
    pub async fn auth_find_by_username(
        &self,
        username: &str,
    ) -> Result<Option<Credentials>, sqlx::Error> {
        let q = format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = $1");
        sqlx::query(sql(q))
            .bind(username)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| {
                Ok(Credentials {
                    user: user_from_row(&r)?,
                    password_hash: r.try_get("password_hash")?,
                })
            })
            .transpose()
    }

    pub async fn auth_find_by_oidc(
        &self,
        issuer: &str,
        subject: &str,
    ) -> Result<Option<User>, sqlx::Error> {
        let q = format!("SELECT {USER_COLS} FROM users u WHERE u.oidc_issuer = $1 AND u.oidc_subject = $2");
        sqlx::query(sql(q))
            .bind(issuer)
            .bind(subject)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    /// Counts a failed sign-in and locks the account when the domain's limit is reached;
    /// returns the lock's end, if locked.
    pub async fn auth_record_failure(
        &self,
        id: UserId,
        now: jiff::Timestamp,
        audit: &AuditEvent,
    ) -> Result<Option<jiff::Timestamp>, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let failures: i64 = sqlx::query_scalar(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
        )
        .bind(id.0)
        .fetch_one(&mut *tx)
        .await?;
        let locked = tillit_domain::user::lock_after_failure(failures, now);
        if let Some(until) = locked {
            sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
                .bind(micros(until))
                .bind(id.0)
                .execute(&mut *tx)
                .await?;
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await?;
        Ok(locked)
    }

    /// Records a successful sign-in and opens a session for it.
    pub async fn auth_record_success(
        &self,
        id: UserId,
        session_hash: &str,
        now: jiff::Timestamp,
        expires: jiff::Timestamp,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $3)",
        )
        .bind(session_hash)
        .bind(id.0)
        .bind(micros(now))
        .bind(micros(expires))
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// The active account behind an unexpired session.
    pub async fn session_user(
        &self,
        session_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<User>, sqlx::Error> {
        let q = format!(
            "SELECT {USER_COLS} FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.is_active = $3"
        );
        sqlx::query(sql(q))
            .bind(session_hash)
            .bind(micros(now))
            .bind(true)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(user_from_row)
            .transpose()
    }

    /// Ends a session (sign-out); the sign-out is audited.
    pub async fn end_session(
        &self,
        session_hash: &str,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(session_hash)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n > 0 {
            append_audit(&mut tx, audit).await?;
        }
        tx.commit().await
    }

    /// Removes expired sessions; housekeeping, not audited (no record changes meaning).
    pub async fn purge_expired_sessions(&self, now: jiff::Timestamp) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(micros(now))
            .execute(&self.pool)
            .await?
            .rows_affected())
    }

    // ---- roles -------------------------------------------------------------------------

    /// The actor's own role assignments (for its menus and its scope), open units only.
    pub async fn roles_of(&self, user: UserId) -> Result<Vec<RoleAssignment>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT ra.user_id, ra.unit_id, ra.role FROM role_assignments ra \
             JOIN units un ON un.id = ra.unit_id WHERE ra.user_id = $1 AND un.closed_at IS NULL \
             ORDER BY un.name, ra.role",
        )
        .bind(user.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(role_assignment_from_row).collect()
    }

    /// Role assignments on units in scope, optionally for one user.
    pub async fn list_role_assignments(
        &self,
        scope: &Scope,
        user: Option<UserId>,
    ) -> Result<Vec<RoleAssignment>, sqlx::Error> {
        let q = format!(
            "SELECT ra.user_id, ra.unit_id, ra.role FROM role_assignments ra \
             WHERE ra.unit_id IN ({}) AND ($2 IS NULL OR ra.user_id = $2) \
             ORDER BY ra.user_id, ra.unit_id, ra.role",
            scope_units(scope, 1)
        );
        let rows = sqlx::query(sql(q))
            .bind(actor_uuid(scope))
            .bind(user.map(|u| u.0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(role_assignment_from_row).collect()
    }

    /// Grants a role on a unit in scope; granting one already held changes nothing.
    pub async fn assign_role(
        &self,
        scope: &Scope,
        ra: &RoleAssignment,
        at: jiff::Timestamp,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_unit_in_scope(&mut tx, scope, ra.unit_id).await?;
        let n = sqlx::query(
            "INSERT INTO role_assignments (user_id, unit_id, role, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_id, unit_id, role) DO NOTHING",
        )
        .bind(ra.user_id.0)
        .bind(ra.unit_id.0)
        .bind(ra.role.as_str())
        .bind(micros(at))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    pub async fn revoke_role(
        &self,
        scope: &Scope,
        ra: &RoleAssignment,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_unit_in_scope(&mut tx, scope, ra.unit_id).await?;
        let n = sqlx::query(
            "DELETE FROM role_assignments WHERE user_id = $1 AND unit_id = $2 AND role = $3",
        )
        .bind(ra.user_id.0)
        .bind(ra.unit_id.0)
        .bind(ra.role.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(sqlx::Error::RowNotFound);
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// How many accounts hold `role` on organisation roots (to refuse removing the last admin).
    pub async fn count_root_role_holders(&self, role: Role) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT COUNT(DISTINCT ra.user_id) FROM role_assignments ra \
             JOIN units un ON un.id = ra.unit_id JOIN users u ON u.id = ra.user_id \
             WHERE un.parent_id IS NULL AND ra.role = $1 AND u.is_active = $2",
        )
        .bind(role.as_str())
        .bind(true)
        .fetch_one(&self.pool)
        .await
    }

    // ---- personal API tokens -----------------------------------------------------------

    pub async fn create_api_token(
        &self,
        owner: UserId,
        token: &ApiTokenInfo,
        token_hash: &str,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token.id.0)
        .bind(owner.0)
        .bind(&token.name)
        .bind(token_hash)
        .bind(micros(token.created_at))
        .bind(token.expires_at.map(micros))
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    pub async fn list_api_tokens(&self, owner: UserId) -> Result<Vec<ApiTokenInfo>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, expires_at, last_used_at, revoked_at FROM api_tokens \
             WHERE user_id = $1 ORDER BY created_at DESC",
        )
        .bind(owner.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiTokenInfo {
                    id: ApiTokenId(r.try_get("id")?),
                    name: r.try_get("name")?,
                    created_at: ts(r.try_get("created_at")?)?,
                    expires_at: opt_ts(r.try_get("expires_at")?)?,
                    last_used_at: opt_ts(r.try_get("last_used_at")?)?,
                    revoked_at: opt_ts(r.try_get("revoked_at")?)?,
                })
            })
            .collect()
    }

    /// Revokes one of the owner's own tokens.
    pub async fn revoke_api_token(
        &self,
        owner: UserId,
        id: ApiTokenId,
        at: jiff::Timestamp,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(micros(at))
        .bind(id.0)
        .bind(owner.0)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(sqlx::Error::RowNotFound);
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// The active account behind a valid API token; notes when it was used.
    pub async fn api_token_user(
        &self,
        token_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<User>, sqlx::Error> {
        let q = format!(
            "SELECT {USER_COLS}, t.id AS token_id FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL \
               AND (t.expires_at IS NULL OR t.expires_at > $2) AND u.is_active = $3"
        );
        let Some(row) = sqlx::query(sql(q))
            .bind(token_hash)
            .bind(micros(now))
            .bind(true)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let token_id: Uuid = row.try_get("token_id")?;
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
            .bind(micros(now))
            .bind(token_id)
            .execute(&self.pool)
            .await?;
        user_from_row(&row).map(Some)
    }

    // ---- audit log ---------------------------------------------------------------------

    /// Records an event that goes with no other write (e.g. a refused sign-in).
    pub async fn append_audit(&self, event: &AuditEvent) -> Result<AuditRecord, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let rec = append_audit(&mut tx, event).await?;
        tx.commit().await?;
        Ok(rec)
    }

    /// Audit records the scope may read, newest first. A unit's records include those of the
    /// units merged into it, for whoever may read the unit's (`v`: the units in scope and,
    /// through earlier merges, their sources).
    pub async fn list_audit(
        &self,
        scope: &Scope,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditRecord>, sqlx::Error> {
        let q = format!(
            "WITH RECURSIVE m(id) AS ( \
               SELECT CAST($2 AS {uuid}) WHERE $2 IS NOT NULL \
               UNION SELECT um.source_id FROM unit_merges um JOIN m ON um.target_id = m.id), \
             v(id) AS ( \
               {units} \
               UNION SELECT um.source_id FROM unit_merges um JOIN v ON um.target_id = v.id) \
             SELECT {AUDIT_COLS} FROM audit_log \
             WHERE (unit_id IN (SELECT id FROM v) OR (unit_id IS NULL AND {root})) \
               AND ($2 IS NULL OR unit_id IN (SELECT id FROM m)) \
               AND ($3 IS NULL OR entity_type = $3) \
               AND ($4 IS NULL OR entity_id = $4) \
               AND ($5 IS NULL OR seq < $5) \
             ORDER BY seq DESC LIMIT $6",
            uuid = UUID_SQL_TYPE,
            units = scope_units(scope, 1),
            root = scope_covers_root(scope, 1)
        );
        let rows = sqlx::query(sql(q))
            .bind(actor_uuid(scope))
            .bind(filter.unit_id.map(|u| u.0))
            .bind(&filter.entity_type)
            .bind(&filter.entity_id)
            .bind(filter.before_seq)
            .bind(filter.limit.clamp(1, 500))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_from_row).collect()
    }

    /// A page of the whole chain in order, for verification; the system's alone.
    pub async fn audit_chain_page(
        &self,
        scope: &Scope,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, sqlx::Error> {
        if scope.actor != Actor::System {
            return Err(sqlx::Error::RowNotFound);
        }
        let q = format!("SELECT {AUDIT_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        let rows = sqlx::query(sql(q))
            .bind(after_seq)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(audit_from_row).collect()
    }

    pub async fn audit_head(&self) -> Result<Option<(i64, String)>, sqlx::Error> {
        sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?
            .map(|r| Ok((r.try_get("seq")?, r.try_get("hash")?)))
            .transpose()
    }

    // ---- background jobs ---------------------------------------------------------------

    /// Queues a job; a job with the same `unique_key` is queued once (so several instances
    /// scheduling the same daily run queue one job). Returns whether it was new.
    pub async fn enqueue_job(
        &self,
        kind: &str,
        payload: &str,
        unique_key: Option<&str>,
        run_at: jiff::Timestamp,
    ) -> Result<bool, sqlx::Error> {
        let n = sqlx::query(
            "INSERT INTO jobs (id, kind, payload, unique_key, run_at, attempts, created_at) \
             VALUES ($1, $2, $3, $4, $5, 0, $6) ON CONFLICT (unique_key) DO NOTHING",
        )
        .bind(Uuid::now_v7())
        .bind(kind)
        .bind(payload)
        .bind(unique_key)
        .bind(micros(run_at))
        .bind(micros(jiff::Timestamp::now()))
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n > 0)
    }

    /// Claims the oldest due job for `worker` until `lease_until`. Two workers never claim
    /// the same job: one statement on SQLite (writers are serialised), `SKIP LOCKED` on
    /// PostgreSQL. A job whose lease ran out (its worker died) is claimed again.
    pub async fn claim_job(
        &self,
        worker: &str,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
    ) -> Result<Option<Job>, sqlx::Error> {
        let q = format!(
            "UPDATE jobs SET locked_by = $1, locked_until = $2, attempts = attempts + 1 \
             WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $3 \
                         AND (locked_until IS NULL OR locked_until < $3) \
                         ORDER BY run_at, id LIMIT 1{SKIP_LOCKED}) \
             RETURNING {JOB_COLS}"
        );
        sqlx::query(sql(q))
            .bind(worker)
            .bind(micros(lease_until))
            .bind(micros(now))
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(job_from_row)
            .transpose()
    }

    pub async fn complete_job(&self, id: Uuid, at: jiff::Timestamp) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE jobs SET done_at = $1, locked_by = NULL, locked_until = NULL, last_error = NULL WHERE id = $2")
            .bind(micros(at))
            .bind(id)
            .execute(&self.pool)
            .await
            .map(|_| ())
    }

    /// Puts a failed job back to run again at `retry_at`, or ends it when `retry_at` is None.
    pub async fn fail_job(
        &self,
        id: Uuid,
        error: &str,
        retry_at: Option<jiff::Timestamp>,
        now: jiff::Timestamp,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE jobs SET last_error = $1, locked_by = NULL, locked_until = NULL, \
             run_at = COALESCE($2, run_at), done_at = CASE WHEN $2 IS NULL THEN $3 ELSE NULL END \
             WHERE id = $4",
        )
        .bind(error)
        .bind(retry_at.map(micros))
        .bind(micros(now))
        .bind(id)
        .execute(&self.pool)
        .await
        .map(|_| ())
    }
}
