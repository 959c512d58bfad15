use axum::extract::State;
use serde::Deserialize;
use tillit_domain::UnitId;
use tillit_domain::audit::{AuditFilter, AuditRecord};

use super::CommonErrors;
use crate::AppState;
use crate::auth::Auth;
use crate::error::{ApiError, ApiJson, ApiQuery};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Records of this unit and of the units merged into it.
    pub unit_id: Option<UnitId>,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    /// Records older than this sequence number (the next page).
    pub before_seq: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// The audit log, newest first, limited to the units where the caller may read it.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = Vec<AuditRecord>), CommonErrors))]
pub async fn list_audit(
    State(s): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<ApiJson<Vec<AuditRecord>>, ApiError> {
    let filter = AuditFilter {
        unit_id: q.unit_id,
        entity_type: q.entity_type,
        entity_id: q.entity_id,
        before_seq: q.before_seq,
        limit: q.limit.unwrap_or(50),
    };
    Ok(ApiJson(s.app.list_audit(&caller, filter).await?))
}
