//! `/users`: accounts and creating them; `/users/{id}`: editing one, a new password, and its
//! role assignments. Administrators only (the use cases check; the menu hides the link).

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use tillit_app::users::{NewUser, UserUpdate};
use tillit_app::{AppError, Caller};
use tillit_domain::{Role, RoleAssignment, User, UserId};

use super::{SecretPage, done_message};
use crate::AppState;
use crate::ui::context::{Ctx, Layout, Signed, page, see_other};
use crate::ui::failure::UiError;
use crate::ui::form::{FormData, FormErrors, redirect_or_redisplay};
use crate::ui::format::local_time;
use crate::ui::i18n::{I18n, Lang};
use crate::ui::tree::{Opt, administered, role_key, role_options, tree, unit_options};

fn parse_id(s: &str) -> Result<UserId, UiError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub status: String,
}

fn status(u: &User, i: &I18n) -> String {
    let now = Timestamp::now();
    match (u.is_active, u.locked_until.filter(|t| *t > now)) {
        (false, _) => i.t("user-inactive"),
        (true, Some(until)) => i.t1("user-locked-until", "time", local_time(until)),
        (true, None) => i.t("user-active"),
    }
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    i: I18n,
    users: Vec<UserRow>,
    units: Vec<Opt>,
    roles: Vec<Opt>,
    langs: Vec<Opt>,
    fe: FormErrors,
    v: FormData,
}

fn lang_options(i: &I18n, selected: &str) -> Vec<Opt> {
    Lang::ALL
        .into_iter()
        .map(|l| Opt {
            value: l.code().to_owned(),
            label: i.t(&format!("lang-name-{}", l.code())),
            selected: l.code() == selected,
        })
        .collect()
}

async fn admin_unit_options(
    state: &AppState,
    caller: &Caller,
    selected: &str,
) -> Result<Vec<Opt>, UiError> {
    let rows = tree(&state.app.list_units(caller, false).await?);
    Ok(unit_options(administered(&rows, caller), selected))
}

async fn list_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    fe: FormErrors,
    v: FormData,
    status_code: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let mut users = state.app.list_users(caller).await?;
    users.sort_by(|a, b| a.username.cmp(&b.username));
    let users = users
        .iter()
        .map(|u| UserRow {
            id: u.id.to_string(),
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            email: u.email.clone().unwrap_or_default(),
            status: status(u, &i),
        })
        .collect();
    page(
        status_code,
        &UsersPage {
            l: cx.layout(i.t("users-title")),
            users,
            units: admin_unit_options(state, caller, v.get("unit_id")).await?,
            roles: role_options(&i, v.opt("role").unwrap_or("reader")),
            langs: lang_options(&i, v.opt("locale").unwrap_or(cx.lang.code())),
            fe,
            v,
            i,
        },
    )
}

/// `GET /users`
pub async fn list(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
) -> Result<Response, UiError> {
    list_page(
        &cx,
        &caller,
        &state,
        FormErrors::none(),
        FormData::default(),
        StatusCode::OK,
    )
    .await
}

/// `POST /users`: the account is created with a generated one-time password, shown once
/// in the answer to this post.
pub async fn create(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    form: FormData,
) -> Result<Response, UiError> {
    let i = cx.i();
    let unit_id = form.get("unit_id").parse();
    let role = Role::parse(form.get("role"));
    let result = match (unit_id, role) {
        (Err(_), _) => Err(AppError::invalid("unit_id", "error-unit-required")),
        (_, None) => Err(AppError::invalid("role", "error-role-required")),
        (Ok(unit_id), Some(role)) => {
            let new = NewUser {
                username: form.get("username").to_owned(),
                display_name: form.get("display_name").to_owned(),
                email: form.opt("email").map(str::to_owned),
                locale: form.opt("locale").map(str::to_owned),
                password: None,
                unit_id,
                role,
            };
            state.app.create_user(&caller, new).await
        }
    };
    match result {
        Ok((user, password)) => {
            let href = format!("/users/{}", user.id);
            match password {
                Some(secret) => page(
                    StatusCode::OK,
                    &SecretPage {
                        l: cx.layout(i.t("user-created-title")),
                        heading: i.t("user-created-title"),
                        intro: i.t1("user-created-intro", "username", &user.username),
                        label: i.t("user-one-time-password"),
                        secret,
                        next_href: href,
                        next_label: i.t1("user-go-to", "name", &user.display_name),
                        i,
                    },
                ),
                None => Ok(see_other(&format!("{href}?done=created"))),
            }
        }
        Err(e) => {
            let fe = FormErrors::from_app("create", e, i)?;
            list_page(
                &cx,
                &caller,
                &state,
                fe,
                form,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

pub struct RoleRow {
    pub unit_id: String,
    pub unit_name: String,
    pub role: String,
    pub role_label: String,
    /// "Remove Reader on Unit X", for the button.
    pub remove_label: String,
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    l: Layout,
    i: I18n,
    user: User,
    id: String,
    status: String,
    locked: bool,
    is_self: bool,
    langs: Vec<Opt>,
    roles: Vec<RoleRow>,
    units: Vec<Opt>,
    role_opts: Vec<Opt>,
    fe: FormErrors,
    v: FormData,
    done: Option<String>,
}

async fn detail_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    id: UserId,
    fe: FormErrors,
    v: FormData,
    status_code: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let user = state.app.get_user(caller, id).await?;
    let units = state.app.list_units(caller, false).await?;
    let names: HashMap<_, _> = units.iter().map(|u| (u.id, u.name.clone())).collect();
    let mut roles: Vec<RoleRow> = state
        .app
        .list_role_assignments(caller, Some(id))
        .await?
        .into_iter()
        .map(|ra| {
            let unit_name = names
                .get(&ra.unit_id)
                .cloned()
                .unwrap_or_else(|| ra.unit_id.to_string());
            let role_label = i.t(&role_key(ra.role));
            RoleRow {
                unit_id: ra.unit_id.to_string(),
                remove_label: i.ta(
                    "user-role-remove-label",
                    &[("role", &role_label), ("unit", &unit_name)],
                ),
                unit_name,
                role: ra.role.as_str().to_owned(),
                role_label,
            }
        })
        .collect();
    roles.sort_by_key(|a| a.unit_name.to_lowercase());
    let now = Timestamp::now();
    page(
        status_code,
        &UserPage {
            l: cx.layout(user.display_name.clone()),
            done: done_message(
                &cx.here,
                &i,
                &["created", "saved", "role-added", "role-removed"],
            ),
            id: id.to_string(),
            status: status(&user, &i),
            locked: user.locked_until.is_some_and(|t| t > now),
            is_self: caller.user.id == id,
            langs: lang_options(&i, v.opt("locale").unwrap_or(&user.locale)),
            roles,
            units: admin_unit_options(state, caller, v.get("unit_id")).await?,
            role_opts: role_options(&i, v.opt("role").unwrap_or("reader")),
            user,
            fe,
            v,
            i,
        },
    )
}

/// `GET /users/{id}`
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

async fn after<T>(
    s: &Signed,
    state: &AppState,
    id: UserId,
    form_name: &'static str,
    done: &str,
    form: FormData,
    result: Result<T, AppError>,
) -> Result<Response, UiError> {
    let done_url = format!("/users/{id}?done={done}");
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

/// `POST /users/{id}`: name, e-mail, language, active, unlock.
pub async fn update(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let upd = UserUpdate {
        display_name: Some(form.get("display_name").to_owned()),
        email: Some(form.get("email").to_owned()),
        locale: form.opt("locale").map(str::to_owned),
        is_active: Some(form.has("is_active")),
        unlock: form.has("unlock"),
    };
    let result = state.app.update_user(&s.caller, id, upd).await;
    after(&s, &state, id, "edit", "saved", form, result).await
}

/// `POST /users/{id}/password`: a generated password, shown once.
pub async fn reset_password(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let i = cx.i();
    let id = parse_id(&id)?;
    let user = state.app.get_user(&caller, id).await?;
    let secret = state.app.reset_password(&caller, id, None).await?;
    page(
        StatusCode::OK,
        &SecretPage {
            l: cx.layout(i.t("user-password-reset-title")),
            heading: i.t("user-password-reset-title"),
            intro: i.t1("user-password-reset-intro", "username", &user.username),
            label: i.t("user-one-time-password"),
            secret,
            next_href: format!("/users/{id}"),
            next_label: i.t1("user-go-to", "name", &user.display_name),
            i,
        },
    )
}

fn assignment(id: UserId, form: &FormData) -> Result<RoleAssignment, AppError> {
    let unit_id = form
        .get("unit_id")
        .parse()
        .map_err(|_| AppError::invalid("unit_id", "error-unit-required"))?;
    let role =
        Role::parse(form.get("role")).ok_or(AppError::invalid("role", "error-role-required"))?;
    Ok(RoleAssignment {
        user_id: id,
        unit_id,
        role,
    })
}

/// `POST /users/{id}/roles`
pub async fn add_role(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let result = match assignment(id, &form) {
        Ok(ra) => state.app.assign_role(&s.caller, ra).await,
        Err(e) => Err(e),
    };
    after(&s, &state, id, "add-role", "role-added", form, result).await
}

/// `POST /users/{id}/roles/remove`
pub async fn remove_role(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let result = match assignment(id, &form) {
        Ok(ra) => state.app.revoke_role(&s.caller, ra).await,
        Err(e) => Err(e),
    };
    after(
        &s,
        &state,
        id,
        "roles",
        "role-removed",
        FormData::default(),
        result,
    )
    .await
}
