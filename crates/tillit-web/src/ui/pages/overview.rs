//! `GET /`: a greeting, the caller's roles per unit and a few counts.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use tillit_domain::Permission;

use crate::AppState;
use crate::ui::context::{Layout, Signed, page};
use crate::ui::failure::UiError;
use crate::ui::i18n::I18n;
use crate::ui::tree::role_key;

pub struct RoleRow {
    pub unit_id: String,
    pub unit_name: String,
    pub role: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    l: Layout,
    i: I18n,
    greeting: String,
    roles: Vec<RoleRow>,
    unit_count: String,
    user_count: Option<String>,
}

pub async fn show(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
) -> Result<Response, UiError> {
    let i = cx.i();
    let units = state.app.list_units(&caller, false).await?;
    let names: HashMap<_, _> = units.iter().map(|u| (u.id, u.name.as_str())).collect();
    let mut roles: Vec<RoleRow> = caller
        .roles
        .iter()
        .map(|r| RoleRow {
            unit_id: r.unit_id.to_string(),
            unit_name: names
                .get(&r.unit_id)
                .map(|n| n.to_string())
                .unwrap_or_else(|| r.unit_id.to_string()),
            role: i.t(&role_key(r.role)),
        })
        .collect();
    roles.sort_by(|a, b| {
        (a.unit_name.to_lowercase(), &a.role).cmp(&(b.unit_name.to_lowercase(), &b.role))
    });
    let user_count = if caller.can(Permission::Administer) {
        Some(state.app.list_users(&caller).await?.len().to_string())
    } else {
        None
    };
    page(
        StatusCode::OK,
        &OverviewPage {
            l: cx.layout(i.t("overview-title")),
            greeting: i.t1("overview-greeting", "name", &caller.user.display_name),
            i,
            roles,
            unit_count: units.len().to_string(),
            user_count,
        },
    )
}
