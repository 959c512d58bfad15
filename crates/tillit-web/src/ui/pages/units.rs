//! `/units`: the organisation tree and creating units; `/units/{id}`: one unit with its
//! rename, move and merge forms, the units merged into it, its roles and its history.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use tillit_app::units::NewUnit;
use tillit_app::{AppError, Caller};
use tillit_domain::audit::AuditFilter;
use tillit_domain::{Permission, UnitId, UnitKind};

use super::audit::{AuditRow, rows as audit_rows, unit_names};
use super::done_message;
use crate::AppState;
use crate::ui::context::{Ctx, Layout, Signed, page, see_other};
use crate::ui::failure::UiError;
use crate::ui::form::{FormData, FormErrors, redirect_or_redisplay};
use crate::ui::format::local_time;
use crate::ui::i18n::I18n;
use crate::ui::tree::{Opt, TreeRow, administered, kind_key, role_key, tree, unit_options};

const HISTORY_SIZE: i64 = 20;

pub fn parse_id(s: &str) -> Result<UnitId, UiError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

fn kind_options(i: &I18n, selected: &str) -> Vec<Opt> {
    UnitKind::ALL
        .into_iter()
        .filter(|k| *k != UnitKind::Organisation)
        .map(|k| Opt {
            value: k.as_str().to_owned(),
            label: i.t(&kind_key(k.as_str())),
            selected: k.as_str() == selected,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    l: Layout,
    i: I18n,
    rows: Vec<TreeRow>,
    show_closed: bool,
    can_create: bool,
    kinds: Vec<Opt>,
    parents: Vec<Opt>,
    fe: FormErrors,
    v: FormData,
    done: Option<String>,
}

async fn list_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    show_closed: bool,
    fe: FormErrors,
    v: FormData,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let rows = tree(&state.app.list_units(caller, true).await?);
    let parents = unit_options(administered(&rows, caller), v.get("parent_id"));
    let shown: Vec<TreeRow> = rows
        .into_iter()
        .filter(|r| show_closed || r.is_open())
        .collect();
    page(
        status,
        &UnitsPage {
            l: cx.layout(i.t("units-title")),
            done: done_message(&cx.here, &i, &["created"]),
            rows: shown,
            show_closed,
            can_create: !parents.is_empty(),
            kinds: kind_options(&i, v.get("kind")),
            parents,
            fe,
            v,
            i,
        },
    )
}

/// `GET /units[?closed=1]`
pub async fn list(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, UiError> {
    let q = FormData::parse(query.unwrap_or_default().as_bytes());
    list_page(
        &cx,
        &caller,
        &state,
        q.has("closed"),
        FormErrors::none(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /units`
pub async fn create(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    form: FormData,
) -> Result<Response, UiError> {
    let i = cx.i();
    let kind = UnitKind::parse(form.get("kind"));
    let parent: Option<UnitId> = form.get("parent_id").parse().ok();
    let result = match (kind, parent) {
        (None, _) => Err(AppError::invalid("kind", "error-kind-required")),
        (_, None) => Err(AppError::invalid("parent_id", "error-parent-required")),
        (Some(kind), Some(parent_id)) => {
            let new = NewUnit {
                name: form.get("name").to_owned(),
                kind,
                parent_id,
            };
            state.app.create_unit(&caller, new).await
        }
    };
    match result {
        Ok(u) => Ok(see_other(&format!("/units/{}?done=created", u.id))),
        Err(e) => {
            let fe = FormErrors::from_app("create", e, i)?;
            list_page(
                &cx,
                &caller,
                &state,
                false,
                fe,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub struct MergedRow {
    pub id: String,
    pub name: String,
    pub closed: String,
}

pub struct AssignmentRow {
    pub user_id: String,
    pub user: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "unit.html")]
struct UnitPage {
    l: Layout,
    i: I18n,
    unit: TreeRow,
    id: String,
    created: String,
    closed: Option<String>,
    parent_id: Option<String>,
    can_admin: bool,
    can_move: bool,
    move_options: Vec<Opt>,
    merge_options: Vec<Opt>,
    merged: Vec<MergedRow>,
    assignments: Option<Vec<AssignmentRow>>,
    history: Option<Vec<AuditRow>>,
    fe: FormErrors,
    v: FormData,
    done: Option<String>,
}

async fn detail_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    id: UnitId,
    fe: FormErrors,
    v: FormData,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let app = &state.app;
    // In scope, or NotFound before anything else is read.
    let unit = app.get_unit(caller, id).await?;
    let all = app.list_units(caller, true).await?;
    let rows = tree(&all);
    let row = rows
        .iter()
        .find(|r| r.unit.id == id)
        .cloned()
        .unwrap_or(TreeRow {
            unit: unit.clone(),
            depth: 0,
            parent_name: None,
            merged_into_name: None,
        });
    let admin_rows = administered(&rows, caller);
    let can_admin = unit.is_open() && admin_rows.iter().any(|r| r.unit.id == id);

    // Not below itself: its subtree is the run of deeper rows after it.
    let pos = rows.iter().position(|r| r.unit.id == id);
    let subtree: Vec<UnitId> = pos
        .map(|p| {
            std::iter::once(rows[p].unit.id)
                .chain(
                    rows[p + 1..]
                        .iter()
                        .take_while(|r| r.depth > rows[p].depth)
                        .map(|r| r.unit.id),
                )
                .collect()
        })
        .unwrap_or_else(|| vec![id]);
    let current_parent = v
        .opt("parent_id")
        .map(str::to_owned)
        .or_else(|| unit.parent_id.map(|p| p.to_string()))
        .unwrap_or_default();
    let move_options = unit_options(
        admin_rows
            .iter()
            .copied()
            .filter(|r| !subtree.contains(&r.unit.id)),
        &current_parent,
    );
    // Not the organisation, not itself, and none it lies inside.
    let by_id: HashMap<UnitId, &TreeRow> = rows.iter().map(|r| (r.unit.id, r)).collect();
    let mut ancestors = Vec::new();
    let mut up = unit.parent_id;
    while let Some(p) = up.filter(|p| !ancestors.contains(p)) {
        ancestors.push(p);
        up = by_id.get(&p).and_then(|r| r.unit.parent_id);
    }
    let merge_options: Vec<Opt> = unit_options(
        admin_rows.iter().copied().filter(|r| {
            r.unit.id != id
                && r.unit.kind != UnitKind::Organisation
                && !ancestors.contains(&r.unit.id)
        }),
        "",
    )
    .into_iter()
    .map(|mut o| {
        o.selected = v.contains("sources", &o.value);
        o.label = o.label.trim_start_matches('\u{a0}').to_owned();
        o
    })
    .collect();

    let merged = app
        .merged_into(caller, id)
        .await?
        .into_iter()
        .map(|u| MergedRow {
            id: u.id.to_string(),
            name: u.name,
            closed: u.closed_at.map(local_time).unwrap_or_default(),
        })
        .collect();

    let assignments = if caller.can(Permission::Administer) {
        let users: HashMap<_, _> = app
            .list_users(caller)
            .await?
            .into_iter()
            .map(|u| (u.id, format!("{} ({})", u.display_name, u.username)))
            .collect();
        let mut list: Vec<AssignmentRow> = app
            .list_role_assignments(caller, None)
            .await?
            .into_iter()
            .filter(|ra| ra.unit_id == id)
            .map(|ra| AssignmentRow {
                user_id: ra.user_id.to_string(),
                user: users
                    .get(&ra.user_id)
                    .cloned()
                    .unwrap_or_else(|| ra.user_id.to_string()),
                role: i.t(&role_key(ra.role)),
            })
            .collect();
        list.sort_by_key(|a| a.user.to_lowercase());
        Some(list)
    } else {
        None
    };

    let history = if caller.can(Permission::ReadAudit) {
        let filter = AuditFilter {
            unit_id: Some(id),
            limit: HISTORY_SIZE,
            ..AuditFilter::default()
        };
        let records = app.list_audit(caller, filter).await?;
        Some(audit_rows(
            &records,
            &unit_names(&all),
            &i,
            caller.can(Permission::Administer),
        ))
    } else {
        None
    };

    page(
        status,
        &UnitPage {
            l: cx.layout(unit.name.clone()),
            done: done_message(&cx.here, &i, &["created", "renamed", "moved", "merged"]),
            id: id.to_string(),
            created: local_time(unit.created_at),
            closed: unit.closed_at.map(local_time),
            parent_id: unit.parent_id.map(|p| p.to_string()),
            can_move: can_admin && unit.kind != UnitKind::Organisation && !move_options.is_empty(),
            can_admin,
            unit: row,
            move_options,
            merge_options,
            merged,
            assignments,
            history,
            fe,
            v,
            i,
        },
    )
}

/// `GET /units/{id}`
pub async fn detail(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    detail_page(
        &cx,
        &caller,
        &state,
        id,
        FormErrors::none(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

/// After a form on the unit page: on to the page saying what was done, or back to the
/// form with the error.
async fn after<T>(
    s: &Signed,
    state: &AppState,
    id: UnitId,
    form_name: &'static str,
    done: &str,
    form: FormData,
    result: Result<T, AppError>,
) -> Result<Response, UiError> {
    let done_url = format!("/units/{id}?done={done}");
    redirect_or_redisplay(result, &done_url, form_name, form, s.cx.i(), |fe, form| {
        detail_page(
            &s.cx,
            &s.caller,
            state,
            id,
            fe,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    })
    .await
}

/// `POST /units/{id}/rename`
pub async fn rename(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let result = state.app.rename_unit(&s.caller, id, form.get("name")).await;
    after(&s, &state, id, "rename", "renamed", form, result).await
}

/// `POST /units/{id}/move`
pub async fn move_unit(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let result = match form.get("parent_id").parse::<UnitId>() {
        Ok(parent) => state.app.move_unit(&s.caller, id, parent).await,
        Err(_) => Err(AppError::invalid("parent_id", "error-parent-required")),
    };
    after(&s, &state, id, "move", "moved", form, result).await
}

/// `POST /units/{id}/merge`: the ticked `sources` are merged into this unit.
pub async fn merge(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let sources: Result<Vec<UnitId>, _> = form.all("sources").into_iter().map(str::parse).collect();
    let result = match sources {
        Err(_) => return Err(UiError::new(StatusCode::BAD_REQUEST, "error-bad-form")),
        Ok(_) if !form.has("confirm") => {
            Err(AppError::invalid("confirm", "error-confirm-required"))
        }
        Ok(sources) => state.app.merge_units(&s.caller, &sources, id).await,
    };
    after(&s, &state, id, "merge", "merged", form, result).await
}
