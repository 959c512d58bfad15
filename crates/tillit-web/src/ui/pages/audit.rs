//! `GET /audit`: the audit log, newest first, filtered by unit and entity type, paged by
//! sequence number (`?before=…`) so a page costs the same however long the log is.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use tillit_domain::audit::{AuditFilter, AuditRecord};
use tillit_domain::{Permission, Unit, UnitId};

use crate::AppState;
use crate::ui::context::{Layout, Signed, page};
use crate::ui::failure::UiError;
use crate::ui::form::FormData;
use crate::ui::format::{change, local_time, machine_time};
use crate::ui::i18n::I18n;
use crate::ui::tree::{Opt, tree};

pub const PAGE_SIZE: i64 = 50;

/// The entity types offered in the filter.
const ENTITY_TYPES: [&str; 4] = ["unit", "user", "role_assignment", "api_token"];

/// One record as shown in a table.
pub struct AuditRow {
    pub seq: i64,
    pub time: String,
    pub time_iso: String,
    pub actor: String,
    pub action: String,
    pub action_code: String,
    pub entity: String,
    pub entity_id: String,
    /// The id's first characters: UUIDs are long and start with the time, so the first
    /// eight tell records apart well enough on screen; the whole id is in `title`.
    pub entity_short: String,
    /// The entity's own page, for units and (for administrators) accounts.
    pub entity_href: Option<String>,
    pub unit: String,
    pub before: String,
    pub after: String,
}

/// A label for an open-ended code, e.g. `unit.create` → `action-unit-create`, or the code.
fn label(i: &I18n, prefix: &str, code: &str) -> String {
    let key = format!("{prefix}-{}", code.replace(['.', '_'], "-"));
    i.try_t(&key).unwrap_or_else(|| code.to_owned())
}

pub fn rows(
    records: &[AuditRecord],
    units: &HashMap<UnitId, String>,
    i: &I18n,
    link_users: bool,
) -> Vec<AuditRow> {
    records
        .iter()
        .map(|r| {
            let (before, after) = change(r.before.as_deref(), r.after.as_deref());
            AuditRow {
                seq: r.seq,
                time: local_time(r.at),
                time_iso: machine_time(r.at),
                actor: r.actor_label.clone(),
                action: label(i, "action", &r.action),
                action_code: r.action.clone(),
                entity: label(i, "entity", &r.entity_type),
                entity_id: r.entity_id.clone(),
                entity_short: short_id(&r.entity_id),
                entity_href: match r.entity_type.as_str() {
                    "unit" => Some(format!("/units/{}", r.entity_id)),
                    "user" | "role_assignment"
                        if link_users && r.entity_id.parse::<uuid::Uuid>().is_ok() =>
                    {
                        Some(format!("/users/{}", r.entity_id))
                    }
                    _ => None,
                },
                unit: r
                    .unit_id
                    .map(|u| units.get(&u).cloned().unwrap_or_else(|| u.to_string()))
                    .unwrap_or_default(),
                before,
                after,
            }
        })
        .collect()
}

fn short_id(id: &str) -> String {
    match id.get(..8) {
        Some(head) if id.len() > 12 => format!("{head}…"),
        _ => id.to_owned(),
    }
}

pub fn unit_names(units: &[Unit]) -> HashMap<UnitId, String> {
    units.iter().map(|u| (u.id, u.name.clone())).collect()
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    i: I18n,
    rows: Vec<AuditRow>,
    units: Vec<Opt>,
    types: Vec<Opt>,
    newer_href: Option<String>,
    older_href: Option<String>,
}

fn href(unit: Option<UnitId>, entity_type: Option<&str>, before: Option<i64>) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if let Some(u) = unit {
        q.append_pair("unit", &u.to_string());
    }
    if let Some(t) = entity_type {
        q.append_pair("entity_type", t);
    }
    if let Some(b) = before {
        q.append_pair("before", &b.to_string());
    }
    let q = q.finish();
    if q.is_empty() {
        "/audit".to_owned()
    } else {
        format!("/audit?{q}")
    }
}

pub async fn show(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, UiError> {
    let i = cx.i();
    let q = FormData::parse(query.unwrap_or_default().as_bytes());
    let unit: Option<UnitId> = q.opt("unit").and_then(|u| u.parse().ok());
    let entity_type = q.opt("entity_type").map(str::to_owned);
    let before: Option<i64> = q
        .opt("before")
        .and_then(|b| b.parse().ok())
        .filter(|b| *b > 0);
    let records = state
        .app
        .list_audit(
            &caller,
            AuditFilter {
                unit_id: unit,
                entity_type: entity_type.clone(),
                entity_id: None,
                before_seq: before,
                limit: PAGE_SIZE,
            },
        )
        .await?;
    let all_units = state.app.list_units(&caller, true).await?;
    let names = unit_names(&all_units);
    let selected_unit = unit.map(|u| u.to_string()).unwrap_or_default();
    let closed = i.t("unit-closed-suffix");
    let mut units = vec![Opt {
        value: String::new(),
        label: i.t("audit-all-units"),
        selected: unit.is_none(),
    }];
    units.extend(tree(&all_units).into_iter().map(|r| {
        let value = r.unit.id.to_string();
        Opt {
            selected: value == selected_unit,
            label: format!(
                "{}{}{}",
                "\u{a0}\u{a0}\u{a0}".repeat(r.depth),
                r.unit.name,
                if r.unit.is_open() {
                    String::new()
                } else {
                    format!(" {closed}")
                }
            ),
            value,
        }
    }));
    let mut type_codes: Vec<&str> = ENTITY_TYPES.to_vec();
    if let Some(t) = entity_type.as_deref().filter(|t| !ENTITY_TYPES.contains(t)) {
        type_codes.push(t);
    }
    let mut types = vec![Opt {
        value: String::new(),
        label: i.t("audit-all-types"),
        selected: entity_type.is_none(),
    }];
    types.extend(type_codes.into_iter().map(|t| Opt {
        value: t.to_owned(),
        label: label(&i, "entity", t),
        selected: entity_type.as_deref() == Some(t),
    }));
    let older_href = (records.len() as i64 == PAGE_SIZE)
        .then(|| {
            records
                .last()
                .map(|r| href(unit, entity_type.as_deref(), Some(r.seq)))
        })
        .flatten();
    let newer_href = before.map(|_| href(unit, entity_type.as_deref(), None));
    page(
        StatusCode::OK,
        &AuditPage {
            l: cx.layout(i.t("audit-title")),
            rows: rows(&records, &names, &i, caller.can(Permission::Administer)),
            i,
            units,
            types,
            newer_href,
            older_href,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    #[test]
    fn paging_links_keep_the_filter() {
        let u = UnitId::new();
        assert_eq!(href(None, None, None), "/audit");
        assert_eq!(
            href(Some(u), Some("unit"), Some(7)),
            format!("/audit?unit={u}&entity_type=unit&before=7")
        );
    }

    #[test]
    fn long_ids_are_shortened() {
        assert_eq!(
            short_id("01a2096c-ae37-755e-b01b-7ccc78f72569"),
            "01a2096c…"
        );
        assert_eq!(short_id("-"), "-");
    }

    #[test]
    fn known_codes_get_labels_and_others_show_as_they_are() {
        let i = Lang::En.i18n();
        assert_eq!(
            label(&i, "action", "unit.create"),
            i.t("action-unit-create")
        );
        assert_eq!(
            label(&i, "entity", "role_assignment"),
            i.t("entity-role-assignment")
        );
        assert_eq!(label(&i, "action", "risk.frobnicate"), "risk.frobnicate");
    }
}
