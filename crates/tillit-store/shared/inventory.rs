// The inventory and information classification, shared by both backends (see queries.rs for
// the conventions). Included after queries.rs, whose helpers it uses.

use tillit_domain::asset::{
    Asset, AssetFilter, AssetKind, AssetLink, AssetPage, AssetRow, ClassificationSummary, Coverage,
    Criticality, Hosting, Lifecycle, LinkKind,
};
use tillit_domain::classification::{
    ActionItem, ActionItemFilter, ActionItemRow, Classification, ClassificationStatus, ItemStatus,
    Model, ModelVersion,
};
use tillit_domain::{AssetId, ClassificationId, ModelId};

const ASSET_COLS: &str = "a.id, a.unit_id, a.kind, a.name, a.description, a.lifecycle, a.hosting, \
     a.nis2_covered, a.criticality, a.supplier, a.system_owner, a.object_leader, \
     a.information_owner, a.created_at, a.updated_at";
const CLASSIFICATION_COLS: &str = "c.id, c.asset_id, c.unit_id, c.model_id, c.status, c.answers, \
     c.decisions, c.participants, c.performed_on, c.review_due, c.separate_analysis, \
     c.created_at, c.updated_at";

fn json_err(e: serde_json::Error) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, sqlx::Error> {
    serde_json::to_string(v).map_err(|e| sqlx::Error::Encode(Box::new(e)))
}

fn date(s: Option<String>) -> Result<Option<jiff::civil::Date>, sqlx::Error> {
    s.map(|s| s.parse().map_err(|e: jiff::Error| sqlx::Error::Decode(Box::new(e))))
        .transpose()
}

fn enum_col<T>(r: &DbRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, sqlx::Error> {
    let s: String = r.try_get(col)?;
    parse(&s).ok_or_else(|| decode_err(col, &s))
}

fn asset_from_row(r: &DbRow) -> Result<Asset, sqlx::Error> {
    Ok(Asset {
        id: AssetId(r.try_get("id")?),
        unit_id: UnitId(r.try_get("unit_id")?),
        kind: enum_col(r, "kind", AssetKind::parse)?,
        name: r.try_get("name")?,
        description: r.try_get("description")?,
        lifecycle: enum_col(r, "lifecycle", Lifecycle::parse)?,
        hosting: enum_col(r, "hosting", Hosting::parse)?,
        nis2_covered: r.try_get("nis2_covered")?,
        criticality: r
            .try_get::<Option<String>, _>("criticality")?
            .map(|s| Criticality::parse(&s).ok_or_else(|| decode_err("criticality", &s)))
            .transpose()?,
        supplier: r.try_get("supplier")?,
        system_owner: r.try_get("system_owner")?,
        object_leader: r.try_get("object_leader")?,
        information_owner: r.try_get("information_owner")?,
        created_at: ts(r.try_get("created_at")?)?,
        updated_at: ts(r.try_get("updated_at")?)?,
    })
}

fn classification_from_row(r: &DbRow) -> Result<Classification, sqlx::Error> {
    Ok(Classification {
        id: ClassificationId(r.try_get("id")?),
        asset_id: AssetId(r.try_get("asset_id")?),
        unit_id: UnitId(r.try_get("unit_id")?),
        model_id: ModelId(r.try_get("model_id")?),
        status: enum_col(r, "status", ClassificationStatus::parse)?,
        answers: serde_json::from_str(&r.try_get::<String, _>("answers")?).map_err(json_err)?,
        decisions: serde_json::from_str(&r.try_get::<String, _>("decisions")?).map_err(json_err)?,
        participants: r.try_get("participants")?,
        performed_on: date(r.try_get("performed_on")?)?,
        review_due: date(r.try_get("review_due")?)?,
        separate_analysis: r.try_get("separate_analysis")?,
        created_at: ts(r.try_get("created_at")?)?,
        updated_at: ts(r.try_get("updated_at")?)?,
    })
}

fn item_from_row(r: &DbRow) -> Result<ActionItem, sqlx::Error> {
    Ok(ActionItem {
        classification_id: ClassificationId(r.try_get("classification_id")?),
        requirement_id: r.try_get("requirement_id")?,
        status: enum_col(r, "status", ItemStatus::parse)?,
        owner: r.try_get("owner")?,
        due: date(r.try_get("due")?)?,
        comment: r.try_get("comment")?,
    })
}

async fn insert_asset(conn: &mut DbConn, a: &Asset) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO assets (id, unit_id, kind, name, name_key, description, lifecycle, hosting, \
         nis2_covered, criticality, supplier, system_owner, object_leader, information_owner, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(a.id.0)
    .bind(a.unit_id.0)
    .bind(a.kind.as_str())
    .bind(&a.name)
    .bind(a.name.to_lowercase())
    .bind(&a.description)
    .bind(a.lifecycle.as_str())
    .bind(a.hosting.as_str())
    .bind(a.nis2_covered)
    .bind(a.criticality.map(|c| c.as_str()))
    .bind(&a.supplier)
    .bind(&a.system_owner)
    .bind(&a.object_leader)
    .bind(&a.information_owner)
    .bind(micros(a.created_at))
    .bind(micros(a.updated_at))
    .execute(conn)
    .await
    .map(|_| ())
}

async fn require_asset_in_scope(
    conn: &mut DbConn,
    scope: &Scope,
    asset: AssetId,
) -> Result<(), sqlx::Error> {
    let q = format!(
        "SELECT 1 AS one FROM assets WHERE id = $1 AND unit_id IN ({})",
        scope_units(scope, 2)
    );
    require_row(conn, scope, q, asset.0).await
}

impl SqlStore {
    // ---- classification models ---------------------------------------------------------

    /// Stores a model version; the same key and version twice is a conflict, so a stored
    /// version is never rewritten. Installation-wide: needs a scope over an organisation root.
    pub async fn insert_model(
        &self,
        scope: &Scope,
        id: ModelId,
        model: &Model,
        at: jiff::Timestamp,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        // The system stores the shipped models at start, before any unit may exist.
        if scope.actor != Actor::System {
            let q = format!("SELECT {} AS ok", scope_covers_root(scope, 1));
            let ok: bool = sqlx::query_scalar(sql(q))
                .bind(actor_uuid(scope))
                .fetch_one(&mut *tx)
                .await?;
            if !ok {
                return Err(sqlx::Error::RowNotFound);
            }
        }
        sqlx::query(
            "INSERT INTO classification_models (id, model_key, version, content, imported_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.0)
        .bind(&model.key)
        .bind(i64::from(model.version))
        .bind(to_json(model)?)
        .bind(micros(at))
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Models are shared by the whole installation and readable by everyone signed in.
    pub async fn get_model(&self, id: ModelId) -> Result<Option<ModelVersion>, sqlx::Error> {
        sqlx::query("SELECT id, content, imported_at FROM classification_models WHERE id = $1")
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| model_from_row(&r))
            .transpose()
    }

    /// Every stored version, newest version of each key first.
    pub async fn list_models(&self) -> Result<Vec<ModelVersion>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT id, content, imported_at FROM classification_models ORDER BY model_key, version DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(model_from_row).collect()
    }

    // ---- assets ------------------------------------------------------------------------

    pub async fn create_asset(
        &self,
        scope: &Scope,
        asset: &Asset,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_unit_in_scope(&mut tx, scope, asset.unit_id).await?;
        insert_asset(&mut tx, asset).await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Creates many assets in one transaction: all of them or none.
    pub async fn import_assets(
        &self,
        scope: &Scope,
        assets: &[Asset],
        audit: &[AuditEvent],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let mut checked = std::collections::HashSet::new();
        for a in assets {
            if checked.insert(a.unit_id) {
                require_unit_in_scope(&mut tx, scope, a.unit_id).await?;
            }
        }
        for chunk in assets.chunks(BATCH_ROWS) {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO assets (id, unit_id, kind, name, name_key, description, lifecycle, \
                 hosting, nis2_covered, criticality, supplier, system_owner, object_leader, \
                 information_owner, created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, a| {
                b.push_bind(a.id.0)
                    .push_bind(a.unit_id.0)
                    .push_bind(a.kind.as_str())
                    .push_bind(a.name.clone())
                    .push_bind(a.name.to_lowercase())
                    .push_bind(a.description.clone())
                    .push_bind(a.lifecycle.as_str())
                    .push_bind(a.hosting.as_str())
                    .push_bind(a.nis2_covered)
                    .push_bind(a.criticality.map(|c| c.as_str()))
                    .push_bind(a.supplier.clone())
                    .push_bind(a.system_owner.clone())
                    .push_bind(a.object_leader.clone())
                    .push_bind(a.information_owner.clone())
                    .push_bind(micros(a.created_at))
                    .push_bind(micros(a.updated_at));
            });
            q.build().execute(&mut *tx).await?;
        }
        append_audit_all(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Updates an asset in scope; moving it to another unit needs that unit in scope too.
    pub async fn update_asset(
        &self,
        scope: &Scope,
        asset: &Asset,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_asset_in_scope(&mut tx, scope, asset.id).await?;
        require_unit_in_scope(&mut tx, scope, asset.unit_id).await?;
        sqlx::query(
            "UPDATE assets SET unit_id = $1, name = $2, name_key = $3, description = $4, \
             lifecycle = $5, hosting = $6, nis2_covered = $7, criticality = $8, supplier = $9, \
             system_owner = $10, object_leader = $11, information_owner = $12, updated_at = $13 \
             WHERE id = $14",
        )
        .bind(asset.unit_id.0)
        .bind(&asset.name)
        .bind(asset.name.to_lowercase())
        .bind(&asset.description)
        .bind(asset.lifecycle.as_str())
        .bind(asset.hosting.as_str())
        .bind(asset.nis2_covered)
        .bind(asset.criticality.map(|c| c.as_str()))
        .bind(&asset.supplier)
        .bind(&asset.system_owner)
        .bind(&asset.object_leader)
        .bind(&asset.information_owner)
        .bind(micros(asset.updated_at))
        .bind(asset.id.0)
        .execute(&mut *tx)
        .await?;
        // Classifications follow their asset to its unit, so they stay in the same scope.
        sqlx::query("UPDATE classifications SET unit_id = $1 WHERE asset_id = $2")
            .bind(asset.unit_id.0)
            .bind(asset.id.0)
            .execute(&mut *tx)
            .await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    pub async fn get_asset(&self, scope: &Scope, id: AssetId) -> Result<Option<Asset>, sqlx::Error> {
        let q = format!(
            "SELECT {ASSET_COLS} FROM assets a WHERE a.id = $1 AND a.unit_id IN ({})",
            scope_units(scope, 2)
        );
        self.fetch_scoped(q, scope, id.0, asset_from_row).await
    }

    /// A page of the inventory with each asset's current classification. The page itself walks
    /// the name index; the exact total and OFFSET paging still grow with the matching rows
    /// (keyset paging and a capped count are the next step), and the count skips the
    /// classification join unless the filter looks at classifications.
    pub async fn list_assets(
        &self,
        scope: &Scope,
        filter: &AssetFilter,
    ) -> Result<AssetPage, sqlx::Error> {
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                let s = s.to_lowercase();
                let s = s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                format!("%{s}%")
            });
        let overdue = filter.overdue_on.map(|d| d.to_string());
        let conditions = format!(
            "a.unit_id IN ({units}) \
             AND ($2 IS NULL OR a.unit_id IN (SELECT descendant FROM unit_closure WHERE ancestor = $2)) \
             AND ($3 IS NULL OR a.kind = $3) \
             AND ($4 IS NULL OR a.lifecycle = $4) \
             AND ($5 IS NULL OR a.nis2_covered = $5) \
             AND ($6 IS NULL OR a.name_key LIKE $6 ESCAPE '\\')",
            units = scope_units(scope, 1)
        );
        let from = "FROM assets a LEFT JOIN classifications c \
                    ON c.asset_id = a.id AND c.status = 'completed'";
        let on_classification = " AND ($7 IS NULL OR (c.id IS NOT NULL) = $7) \
                                 AND ($8 IS NULL OR c.review_due < $8)";
        // The same order as the domain's `priority_key`.
        let order = if filter.by_priority {
            "CASE WHEN a.nis2_covered THEN 0 ELSE 1 END, \
             CASE a.criticality WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 \
                  WHEN 'low' THEN 3 ELSE 4 END, \
             CASE a.lifecycle WHEN 'in_use' THEN 0 WHEN 'planned' THEN 1 \
                  WHEN 'being_retired' THEN 2 ELSE 3 END, a.name_key, a.id"
        } else {
            "a.name_key, a.id"
        };
        let q = format!(
            "SELECT {ASSET_COLS}, c.id AS c_id, c.decisions AS c_decisions, \
             c.review_due AS c_review_due, c.separate_analysis AS c_separate \
             {from} WHERE {conditions}{on_classification} ORDER BY {order} LIMIT $9 OFFSET $10"
        );
        let limit = if filter.limit <= 0 { 50 } else { filter.limit.min(500) };
        let rows = sqlx::query(sql(q))
            .bind(actor_uuid(scope))
            .bind(filter.unit_id.map(|u| u.0))
            .bind(filter.kind.map(|k| k.as_str()))
            .bind(filter.lifecycle.map(|l| l.as_str()))
            .bind(filter.nis2_covered)
            .bind(&search)
            .bind(filter.classified)
            .bind(&overdue)
            .bind(limit)
            .bind(filter.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        let rows = rows
            .iter()
            .map(|r| {
                let classification = match r.try_get::<Option<Uuid>, _>("c_id")? {
                    None => None,
                    Some(id) => {
                        let decisions: tillit_domain::classification::Decisions =
                            serde_json::from_str(&r.try_get::<String, _>("c_decisions")?)
                                .map_err(json_err)?;
                        Some(ClassificationSummary {
                            id: ClassificationId(id),
                            levels: tillit_domain::classification::levels_of(&decisions),
                            review_due: date(r.try_get("c_review_due")?)?,
                            separate_analysis: r.try_get("c_separate")?,
                        })
                    }
                };
                Ok(AssetRow {
                    asset: asset_from_row(r)?,
                    classification,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        // Counting joins the classification only when the filter looks at it; otherwise it
        // counts assets alone ($7 and $8 are then NULL, and still bound).
        let count = if filter.classified.is_some() || filter.overdue_on.is_some() {
            format!("SELECT COUNT(*) {from} WHERE {conditions}{on_classification}")
        } else {
            format!("SELECT COUNT(*) FROM assets a WHERE {conditions} AND $7 IS NULL AND $8 IS NULL")
        };
        let total: i64 = sqlx::query_scalar(sql(count))
            .bind(actor_uuid(scope))
            .bind(filter.unit_id.map(|u| u.0))
            .bind(filter.kind.map(|k| k.as_str()))
            .bind(filter.lifecycle.map(|l| l.as_str()))
            .bind(filter.nis2_covered)
            .bind(&search)
            .bind(filter.classified)
            .bind(&overdue)
            .fetch_one(&self.pool)
            .await?;
        Ok(AssetPage { rows, total })
    }

    // ---- links -------------------------------------------------------------------------

    /// Links two assets in scope; linking them again changes nothing.
    pub async fn add_link(
        &self,
        scope: &Scope,
        link: &AssetLink,
        audit: &AuditEvent,
    ) -> Result<bool, sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_asset_in_scope(&mut tx, scope, link.from).await?;
        require_asset_in_scope(&mut tx, scope, link.to).await?;
        let n = sqlx::query(
            "INSERT INTO asset_links (from_id, to_id, kind) VALUES ($1, $2, $3) \
             ON CONFLICT (from_id, to_id, kind) DO NOTHING",
        )
        .bind(link.from.0)
        .bind(link.to.0)
        .bind(link.kind.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            append_audit(&mut tx, audit).await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    pub async fn remove_link(
        &self,
        scope: &Scope,
        link: &AssetLink,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_asset_in_scope(&mut tx, scope, link.from).await?;
        require_asset_in_scope(&mut tx, scope, link.to).await?;
        let n = sqlx::query("DELETE FROM asset_links WHERE from_id = $1 AND to_id = $2 AND kind = $3")
            .bind(link.from.0)
            .bind(link.to.0)
            .bind(link.kind.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(sqlx::Error::RowNotFound);
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// The links of an asset in scope, both ways, where the other end is in scope too.
    pub async fn links_of(&self, scope: &Scope, id: AssetId) -> Result<Vec<AssetLink>, sqlx::Error> {
        let q = format!(
            "SELECT l.from_id, l.to_id, l.kind FROM asset_links l \
             JOIN assets f ON f.id = l.from_id JOIN assets t ON t.id = l.to_id \
             WHERE (l.from_id = $1 OR l.to_id = $1) \
               AND f.unit_id IN ({units}) AND t.unit_id IN ({units})",
            units = scope_units(scope, 2)
        );
        let rows = sqlx::query(sql(q))
            .bind(id.0)
            .bind(actor_uuid(scope))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AssetLink {
                    from: AssetId(r.try_get("from_id")?),
                    to: AssetId(r.try_get("to_id")?),
                    kind: enum_col(r, "kind", LinkKind::parse)?,
                })
            })
            .collect()
    }

    // ---- classifications ---------------------------------------------------------------

    /// Starts a classification (a draft) of an asset in scope.
    pub async fn create_classification(
        &self,
        scope: &Scope,
        c: &Classification,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        require_asset_in_scope(&mut tx, scope, c.asset_id).await?;
        sqlx::query(
            "INSERT INTO classifications (id, asset_id, unit_id, model_id, status, answers, \
             decisions, participants, performed_on, review_due, separate_analysis, created_at, \
             updated_at) \
             SELECT $1, a.id, a.unit_id, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 \
             FROM assets a WHERE a.id = $2",
        )
        .bind(c.id.0)
        .bind(c.asset_id.0)
        .bind(c.model_id.0)
        .bind(c.status.as_str())
        .bind(to_json(&c.answers)?)
        .bind(to_json(&c.decisions)?)
        .bind(&c.participants)
        .bind(c.performed_on.map(|d| d.to_string()))
        .bind(c.review_due.map(|d| d.to_string()))
        .bind(c.separate_analysis)
        .bind(micros(c.created_at))
        .bind(micros(c.updated_at))
        .execute(&mut *tx)
        .await?;
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    pub async fn get_classification(
        &self,
        scope: &Scope,
        id: ClassificationId,
    ) -> Result<Option<Classification>, sqlx::Error> {
        let q = format!(
            "SELECT {CLASSIFICATION_COLS} FROM classifications c WHERE c.id = $1 AND c.unit_id IN ({})",
            scope_units(scope, 2)
        );
        self.fetch_scoped(q, scope, id.0, classification_from_row).await
    }

    /// An asset's classifications, newest first.
    pub async fn classifications_of(
        &self,
        scope: &Scope,
        asset: AssetId,
    ) -> Result<Vec<Classification>, sqlx::Error> {
        let q = format!(
            "SELECT {CLASSIFICATION_COLS} FROM classifications c \
             WHERE c.asset_id = $1 AND c.unit_id IN ({}) ORDER BY c.created_at DESC, c.id DESC",
            scope_units(scope, 2)
        );
        self.fetch_all_scoped(q, scope, asset.0, classification_from_row).await
    }

    /// Saves a draft's answers, decisions and details; only drafts change.
    pub async fn save_draft(
        &self,
        scope: &Scope,
        c: &Classification,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let q = format!(
            "UPDATE classifications SET answers = $1, decisions = $2, participants = $3, \
             performed_on = $4, updated_at = $5 \
             WHERE id = $6 AND status = 'draft' AND unit_id IN ({})",
            scope_units(scope, 7)
        );
        let n = sqlx::query(sql(q))
            .bind(to_json(&c.answers)?)
            .bind(to_json(&c.decisions)?)
            .bind(&c.participants)
            .bind(c.performed_on.map(|d| d.to_string()))
            .bind(micros(c.updated_at))
            .bind(c.id.0)
            .bind(actor_uuid(scope))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(sqlx::Error::RowNotFound);
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Completes a draft: the asset's previous classification is superseded, and the action
    /// plan is created, all in one transaction.
    pub async fn complete_classification(
        &self,
        scope: &Scope,
        c: &Classification,
        items: &[ActionItem],
        audit: &[AuditEvent],
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let q = format!(
            "SELECT 1 AS one FROM classifications WHERE id = $1 AND status = 'draft' AND unit_id IN ({})",
            scope_units(scope, 2)
        );
        require_row(&mut tx, scope, q, c.id.0).await?;
        // The stored asset, not the one the caller names, which may lie outside the scope.
        sqlx::query(
            "UPDATE classifications SET status = 'superseded', updated_at = $1 \
             WHERE asset_id = (SELECT asset_id FROM classifications WHERE id = $2) \
               AND status = 'completed'",
        )
        .bind(micros(c.updated_at))
        .bind(c.id.0)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE classifications SET status = 'completed', answers = $1, decisions = $2, \
             participants = $3, performed_on = $4, review_due = $5, separate_analysis = $6, \
             updated_at = $7 WHERE id = $8",
        )
        .bind(to_json(&c.answers)?)
        .bind(to_json(&c.decisions)?)
        .bind(&c.participants)
        .bind(c.performed_on.map(|d| d.to_string()))
        .bind(c.review_due.map(|d| d.to_string()))
        .bind(c.separate_analysis)
        .bind(micros(c.updated_at))
        .bind(c.id.0)
        .execute(&mut *tx)
        .await?;
        for item in items {
            sqlx::query(
                "INSERT INTO action_items (classification_id, requirement_id, status, owner, due, \
                 comment, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(c.id.0)
            .bind(&item.requirement_id)
            .bind(item.status.as_str())
            .bind(&item.owner)
            .bind(item.due.map(|d| d.to_string()))
            .bind(&item.comment)
            .bind(micros(c.updated_at))
            .execute(&mut *tx)
            .await?;
        }
        append_audit_all(&mut tx, audit).await?;
        tx.commit().await
    }

    pub async fn action_items(
        &self,
        scope: &Scope,
        classification: ClassificationId,
    ) -> Result<Vec<ActionItem>, sqlx::Error> {
        let q = format!(
            "SELECT i.classification_id, i.requirement_id, i.status, i.owner, i.due, i.comment \
             FROM action_items i JOIN classifications c ON c.id = i.classification_id \
             WHERE i.classification_id = $1 AND c.unit_id IN ({}) ORDER BY i.requirement_id",
            scope_units(scope, 2)
        );
        self.fetch_all_scoped(q, scope, classification.0, item_from_row).await
    }

    /// Marks an action-plan item (status, owner, due date, comment).
    pub async fn update_action_item(
        &self,
        scope: &Scope,
        item: &ActionItem,
        at: jiff::Timestamp,
        audit: &AuditEvent,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.begin_write().await?;
        let q = format!(
            "UPDATE action_items SET status = $1, owner = $2, due = $3, comment = $4, updated_at = $5 \
             WHERE classification_id = $6 AND requirement_id = $7 \
               AND classification_id IN (SELECT id FROM classifications WHERE unit_id IN ({}))",
            scope_units(scope, 8)
        );
        let n = sqlx::query(sql(q))
            .bind(item.status.as_str())
            .bind(&item.owner)
            .bind(item.due.map(|d| d.to_string()))
            .bind(&item.comment)
            .bind(micros(at))
            .bind(item.classification_id.0)
            .bind(&item.requirement_id)
            .bind(actor_uuid(scope))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(sqlx::Error::RowNotFound);
        }
        append_audit(&mut tx, audit).await?;
        tx.commit().await
    }

    /// Action-plan items of the completed classifications in scope, by unit, asset and
    /// requirement, for follow-up and export.
    pub async fn list_action_items(
        &self,
        scope: &Scope,
        filter: &ActionItemFilter,
    ) -> Result<Vec<ActionItemRow>, sqlx::Error> {
        let q = format!(
            "SELECT i.classification_id, i.requirement_id, i.status, i.owner, i.due, i.comment, \
               c.unit_id, c.asset_id, c.model_id, c.performed_on, c.review_due, a.name AS asset_name \
             FROM action_items i \
             JOIN classifications c ON c.id = i.classification_id AND c.status = 'completed' \
             JOIN assets a ON a.id = c.asset_id \
             WHERE c.unit_id IN ({}) \
               AND ($2 IS NULL OR c.unit_id IN (SELECT descendant FROM unit_closure WHERE ancestor = $2)) \
               AND ($3 = FALSE OR i.status IN ('open', 'not_met')) \
             ORDER BY c.unit_id, a.name_key, a.id, i.requirement_id LIMIT $4 OFFSET $5",
            scope_units(scope, 1)
        );
        let limit = if filter.limit <= 0 { 200 } else { filter.limit.min(1000) };
        let rows = sqlx::query(sql(q))
            .bind(actor_uuid(scope))
            .bind(filter.unit_id.map(|u| u.0))
            .bind(filter.outstanding)
            .bind(limit)
            .bind(filter.offset.max(0))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(ActionItemRow {
                    unit_id: UnitId(r.try_get("unit_id")?),
                    asset_id: AssetId(r.try_get("asset_id")?),
                    asset_name: r.try_get("asset_name")?,
                    model_id: ModelId(r.try_get("model_id")?),
                    performed_on: date(r.try_get("performed_on")?)?,
                    review_due: date(r.try_get("review_due")?)?,
                    item: item_from_row(r)?,
                })
            })
            .collect()
    }

    /// Classification coverage per unit in scope, for the units that hold assets.
    pub async fn coverage(
        &self,
        scope: &Scope,
        today: jiff::civil::Date,
    ) -> Result<Vec<Coverage>, sqlx::Error> {
        let q = format!(
            "SELECT a.unit_id, CAST(COUNT(*) AS BIGINT) AS assets, \
               CAST(COALESCE(SUM(CASE WHEN c.id IS NOT NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS classified, \
               CAST(COALESCE(SUM(CASE WHEN c.review_due < $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, \
               CAST(COALESCE(SUM((SELECT COUNT(*) FROM action_items i WHERE i.classification_id = c.id \
                             AND i.status IN ('open', 'not_met'))), 0) AS BIGINT) AS open_items \
             FROM assets a LEFT JOIN classifications c ON c.asset_id = a.id AND c.status = 'completed' \
             WHERE a.unit_id IN ({}) AND a.lifecycle <> 'retired' \
             GROUP BY a.unit_id",
            scope_units(scope, 1)
        );
        let rows = sqlx::query(sql(q))
            .bind(actor_uuid(scope))
            .bind(today.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Coverage {
                    unit_id: UnitId(r.try_get("unit_id")?),
                    assets: r.try_get("assets")?,
                    classified: r.try_get("classified")?,
                    overdue: r.try_get("overdue")?,
                    open_items: r.try_get("open_items")?,
                })
            })
            .collect()
    }
}

fn model_from_row(r: &DbRow) -> Result<ModelVersion, sqlx::Error> {
    Ok(ModelVersion {
        id: ModelId(r.try_get("id")?),
        model: serde_json::from_str(&r.try_get::<String, _>("content")?).map_err(json_err)?,
        imported_at: ts(r.try_get("imported_at")?)?,
    })
}
