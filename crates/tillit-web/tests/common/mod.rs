//! zero2prod-style test helpers: a real server on a loopback port over a fresh database of
//! its own, on SQLite or PostgreSQL.
#![allow(dead_code)]

use reqwest::{Client, Method, Response};
use serde_json::{Value, json};
use tillit_app::{App, AppConfig, Caller, bootstrap};
use tillit_domain::{Role, RoleAssignment, UnitId, UnitKind, UserId};
use tillit_store::Store;
use tillit_store::testing::{TempDir, fresh_postgres, fresh_sqlite};
use tillit_web::AppState;

pub const ADMIN_PASSWORD: &str = "admin-password-for-tests";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub client: Client,
    pub organisation: UnitId,
    _dir: Option<TempDir>,
}

/// Runs the test body on both databases: SQLite always, PostgreSQL when TILLIT_TEST_PG_URL
/// is set (CI sets it).
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let mut t = common::spawn_app(common::Db::Sqlite)
                    .await
                    .expect("sqlite app");
                // Held here: the body's closure captures only the fields it uses, and would
                // drop (delete) the database folder under the running server otherwise.
                let _dir = t.take_dir();
                ($body)(t).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match common::spawn_app(common::Db::Postgres).await {
                    Some(t) => ($body)(t).await,
                    None => eprintln!("skipped: TILLIT_TEST_PG_URL is not set"),
                }
            }
        }
    };
}

pub async fn store_for(db: Db) -> Option<(Store, Option<TempDir>)> {
    match db {
        Db::Sqlite => {
            let (s, d) = fresh_sqlite().await.expect("sqlite");
            Some((s, Some(d)))
        }
        Db::Postgres => fresh_postgres()
            .await
            .expect("postgres")
            .map(|(s, _)| (s, None)),
    }
}

pub async fn spawn_app(db: Db) -> Option<TestApp> {
    let (store, dir) = store_for(db).await?;
    Some(spawn_on(store, dir).await)
}

pub async fn spawn_on(store: Store, dir: Option<TempDir>) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    spawn_on_listener(store, dir, listener, AppConfig::default()).await
}

/// A server with its own settings, on a listener bound beforehand (so its address can go
/// into the settings, e.g. an OIDC redirect URL). `None` when the database is not available.
pub async fn spawn_with_config(
    db: Db,
    listener: tokio::net::TcpListener,
    config: AppConfig,
) -> Option<TestApp> {
    let (store, dir) = store_for(db).await?;
    Some(spawn_on_listener(store, dir, listener, config).await)
}

pub async fn spawn_on_listener(
    store: Store,
    dir: Option<TempDir>,
    listener: tokio::net::TcpListener,
    config: AppConfig,
) -> TestApp {
    tillit_app::classification::ensure_shipped_models(&store)
        .await
        .expect("shipped models");
    let b = bootstrap::bootstrap(&store, "Teststaden", Some(ADMIN_PASSWORD.into()))
        .await
        .expect("bootstrap");
    let organisation = match b {
        Some(b) => b.organisation,
        None => {
            let units = store
                .list_units(&tillit_domain::Scope::system(), false)
                .await
                .unwrap();
            units.iter().find(|u| u.parent_id.is_none()).unwrap().id
        }
    };
    let app = App::new(store, config);
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = AppState {
        app: app.clone(),
        secure_cookies: false,
    };
    tokio::spawn(tillit_web::serve_on(state, listener));
    TestApp {
        base,
        app,
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        organisation,
        _dir: dir,
    }
}

impl TestApp {
    /// The temporary database folder, for the test to hold until it ends.
    pub fn take_dir(&mut self) -> Option<TempDir> {
        self._dir.take()
    }

    /// Signs in through the app and returns the caller (for setting up data).
    pub async fn caller(&self, username: &str, password: &str) -> Caller {
        let s = self.app.login(username, password).await.expect("login");
        self.app.session_caller(&s.token).await.unwrap().unwrap()
    }

    pub async fn admin(&self) -> Caller {
        self.caller("admin", ADMIN_PASSWORD).await
    }

    /// A personal API token for the account.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let c = self.caller(username, password).await;
        self.app.create_api_token(&c, "test", None).await.unwrap().1
    }

    pub async fn unit(&self, by: &Caller, name: &str, parent: UnitId) -> UnitId {
        self.app
            .create_unit(
                by,
                tillit_app::units::NewUnit {
                    name: name.into(),
                    kind: UnitKind::Administration,
                    parent_id: parent,
                },
            )
            .await
            .unwrap()
            .id
    }

    pub async fn user(&self, by: &Caller, username: &str, unit: UnitId, role: Role) -> UserId {
        let (u, _) = self
            .app
            .create_user(
                by,
                tillit_app::users::NewUser {
                    username: username.into(),
                    display_name: username.into(),
                    email: None,
                    locale: None,
                    password: Some(format!("{username}-password-123")),
                    unit_id: unit,
                    role,
                },
            )
            .await
            .unwrap();
        u.id
    }

    pub async fn grant(&self, by: &Caller, user: UserId, unit: UnitId, role: Role) {
        self.app
            .assign_role(
                by,
                RoleAssignment {
                    user_id: user,
                    unit_id: unit,
                    role,
                },
            )
            .await
            .unwrap();
    }

    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Response {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn get_json(&self, token: &str, path: &str) -> Value {
        let r = self.call(token, Method::GET, path, None).await;
        assert_eq!(r.status(), 200, "GET {path}");
        r.json().await.unwrap()
    }
}

pub fn ids(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap_or_default().to_owned())
        .collect()
}

pub fn unit_json(name: &str, parent: UnitId) -> Value {
    json!({"name": name, "kind": "section", "parent_id": parent})
}

/// Assets on both sides of the isolation line: in A a system and a service, in B a system
/// with a completed classification (and so an action plan) and a service with a draft.
pub struct Inventory {
    pub a_system: tillit_domain::AssetId,
    pub a_service: tillit_domain::AssetId,
    pub b_system: tillit_domain::AssetId,
    pub b_service: tillit_domain::AssetId,
    pub b_completed: tillit_domain::ClassificationId,
    pub b_draft: tillit_domain::ClassificationId,
    pub b_item: String,
}

pub async fn inventory_in(t: &TestApp, admin: &Caller, a: UnitId, b: UnitId) -> Inventory {
    use tillit_app::classification::DraftInput;
    use tillit_app::inventory::NewAsset;
    use tillit_domain::asset::{AssetKind, AssetLink, LinkKind};
    use tillit_domain::classification::AspectDecision;
    let asset = |unit: UnitId, kind: AssetKind, name: &str| NewAsset {
        unit_id: unit,
        kind,
        name: name.into(),
        description: String::new(),
        lifecycle: tillit_domain::asset::Lifecycle::InUse,
        hosting: tillit_domain::asset::Hosting::Unknown,
        nis2_covered: false,
        criticality: None,
        supplier: None,
        system_owner: None,
        object_leader: None,
        information_owner: None,
    };
    let app = &t.app;
    let a_system = app
        .create_asset(admin, asset(a, AssetKind::System, "System A"))
        .await
        .unwrap()
        .id;
    let a_service = app
        .create_asset(admin, asset(a, AssetKind::Service, "Tjänst A"))
        .await
        .unwrap()
        .id;
    let b_system = app
        .create_asset(admin, asset(b, AssetKind::System, "System B"))
        .await
        .unwrap()
        .id;
    let b_service = app
        .create_asset(admin, asset(b, AssetKind::Service, "Tjänst B"))
        .await
        .unwrap()
        .id;
    app.link_assets(
        admin,
        AssetLink {
            from: a_service,
            to: a_system,
            kind: LinkKind::RunsOn,
        },
    )
    .await
    .unwrap();
    app.link_assets(
        admin,
        AssetLink {
            from: b_service,
            to: b_system,
            kind: LinkKind::RunsOn,
        },
    )
    .await
    .unwrap();
    let c = app
        .start_classification(admin, b_system, None)
        .await
        .unwrap();
    let model = app.get_model(c.model_id).await.unwrap().model;
    let decisions = model
        .aspects
        .iter()
        .map(|x| {
            (
                x.code.clone(),
                AspectDecision {
                    level: 2,
                    justification: "test".into(),
                },
            )
        })
        .collect();
    let input = DraftInput {
        decisions,
        participants: Some("Anna, Bo".into()),
        performed_on: Some(jiff::civil::date(2026, 1, 15)),
        ..Default::default()
    };
    app.save_classification(admin, c.id, input).await.unwrap();
    let view = app.complete_classification(admin, c.id).await.unwrap();
    let b_item = view
        .items
        .first()
        .expect("an action plan")
        .requirement_id
        .clone();
    let b_draft = app
        .start_classification(admin, b_service, None)
        .await
        .unwrap()
        .id;
    // A's system is classified too, so A's lists and exports have something of their own.
    let ca = app
        .start_classification(admin, a_system, None)
        .await
        .unwrap();
    let input = DraftInput {
        decisions: model
            .aspects
            .iter()
            .map(|x| {
                (
                    x.code.clone(),
                    AspectDecision {
                        level: 1,
                        justification: "test".into(),
                    },
                )
            })
            .collect(),
        participants: Some("Anna".into()),
        performed_on: Some(jiff::civil::date(2026, 1, 16)),
        ..Default::default()
    };
    app.save_classification(admin, ca.id, input).await.unwrap();
    app.complete_classification(admin, ca.id).await.unwrap();
    Inventory {
        a_system,
        a_service,
        b_system,
        b_service,
        b_completed: c.id,
        b_draft,
        b_item,
    }
}
