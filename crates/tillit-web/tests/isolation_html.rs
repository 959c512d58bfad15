//! The isolation matrix for the HTML views: a signed-in administrator of unit A tries every
//! page and form on unit B's records. Forms get 404 and change nothing; pages list nothing
//! of B. The route table in `src/ui/mod.rs` is read so that a new route without a row here
//! fails the test.

mod common;

use std::collections::BTreeSet;

use reqwest::{Method, StatusCode};
use tillit_domain::Role;

enum Expect {
    /// This status and nothing changed.
    Status(u16),
    /// 200, the page shows the first (so it is not empty) and names none of the rest.
    Hides(&'static str, Vec<String>),
    /// Not about any unit (sign-in, language, assets): reachable, listed for coverage only.
    Public,
    /// A file upload (multipart) naming unit B: refused with this status, nothing written.
    Upload(u16),
}

struct Case {
    method: Method,
    route: &'static str,
    path: String,
    form: Vec<(&'static str, String)>,
    expect: Expect,
}

fn case(
    method: Method,
    route: &'static str,
    path: String,
    form: Vec<(&'static str, String)>,
    expect: Expect,
) -> Case {
    Case {
        method,
        route,
        path,
        form,
        expect,
    }
}

/// A complete asset edit form, so a refusal is about the asset and not the form.
fn edit_form(name: &str, unit: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.into()),
        ("unit_id", unit.into()),
        ("description", String::new()),
        ("lifecycle", "in_use".into()),
        ("hosting", "saas".into()),
        ("supplier", String::new()),
        ("system_owner", String::new()),
        ("object_leader", String::new()),
        ("information_owner", String::new()),
    ]
}

/// The (method, route) pairs the UI router declares: each `.route(` call up to the next one,
/// whatever lines rustfmt spreads it over.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = include_str!("../src/ui/mod.rs");
    let body = &src[src.find("pub fn router").expect("the UI router")..];
    let mut out = BTreeSet::new();
    let calls: Vec<&str> = body.split(".route(").skip(1).collect();
    for call in calls {
        let path = call.split('"').nth(1).expect("a route path").to_owned();
        for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
            if call.contains(needle) {
                out.insert((method.to_owned(), path.clone()));
            }
        }
    }
    assert!(out.len() > 10, "could not read the UI routes");
    out
}

on_both_databases!(
    a_unit_admin_sees_nothing_of_another_unit_in_the_html_views,
    |t: common::TestApp| async move {
        let admin = t.admin().await;
        let a = t.unit(&admin, "Förvaltning A", t.organisation).await;
        let a1 = t.unit(&admin, "Enhet A1", a).await;
        let b = t.unit(&admin, "Förvaltning Bravo", t.organisation).await;
        let alice = t.user(&admin, "alice", a, Role::Admin).await;
        t.user(&admin, "bob", b, Role::Admin).await;
        let carol = t.user(&admin, "carol", b, Role::Editor).await;
        let bob_caller = t.caller("bob", "bob-password-123").await;
        let inv = common::inventory_in(&t, &admin, a, b).await;
        let (b_sys, b_svc, a_svc, a_sys) =
            (inv.b_system, inv.b_service, inv.a_service, inv.a_system);
        let (b_done, b_draft, b_item) = (inv.b_completed, inv.b_draft, inv.b_item.clone());
        let assets_before = t
            .app
            .store()
            .list_assets(&tillit_domain::Scope::system(), &Default::default())
            .await
            .unwrap()
            .total;
        let (bob_token, _) = t
            .app
            .create_api_token(&bob_caller, "bobs", None)
            .await
            .unwrap();

        // Alice signs in through the form, as a browser would.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(format!("{}/login", t.base))
            .header("origin", &t.base)
            .form(&[("username", "alice"), ("password", "alice-password-123")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);

        let b_marks = vec![
            "Förvaltning Bravo".to_owned(),
            b.to_string(),
            "carol".to_owned(),
        ];
        let (b_s, carol_s, alice_s, a_s) = (
            b.to_string(),
            carol.to_string(),
            alice.to_string(),
            a.to_string(),
        );
        let cases = vec![
            case(
                Method::GET,
                "/login",
                "/login".into(),
                vec![],
                Expect::Public,
            ),
            case(
                Method::POST,
                "/login",
                "/login".into(),
                vec![],
                Expect::Public,
            ),
            case(
                Method::POST,
                "/lang",
                "/lang".into(),
                vec![],
                Expect::Public,
            ),
            case(
                Method::GET,
                "/static/{*path}",
                "/static/tillit.css".into(),
                vec![],
                Expect::Public,
            ),
            case(
                Method::GET,
                "/",
                "/".into(),
                vec![],
                Expect::Hides("Förvaltning A", b_marks.clone()),
            ),
            case(
                Method::GET,
                "/units",
                "/units?closed=1".into(),
                vec![],
                Expect::Hides("Enhet A1", b_marks.clone()),
            ),
            case(
                Method::POST,
                "/units",
                "/units".into(),
                vec![
                    ("name", "Smuggled".into()),
                    ("kind", "section".into()),
                    ("parent_id", b_s.clone()),
                ],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/units/{id}",
                format!("/units/{b}"),
                vec![],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/units/{id}/rename",
                format!("/units/{b}/rename"),
                vec![("name", "Hijacked".into())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/units/{id}/move",
                format!("/units/{b}/move"),
                vec![("parent_id", a_s.clone())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/units/{id}/move",
                format!("/units/{a1}/move"),
                vec![("parent_id", b_s.clone())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/units/{id}/merge",
                format!("/units/{a}/merge"),
                vec![("sources", b_s.clone()), ("confirm", "on".into())],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/users",
                "/users".into(),
                vec![],
                Expect::Hides("alice", b_marks.clone()),
            ),
            case(
                Method::POST,
                "/users",
                "/users".into(),
                vec![
                    ("username", "mallory".into()),
                    ("display_name", "M".into()),
                    ("unit_id", b_s.clone()),
                    ("role", "admin".into()),
                ],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/users/{id}",
                format!("/users/{carol}"),
                vec![],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/users/{id}",
                format!("/users/{carol}"),
                vec![("display_name", "X".into())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/users/{id}/password",
                format!("/users/{carol}/password"),
                vec![],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/users/{id}/roles",
                format!("/users/{alice_s}/roles"),
                vec![("unit_id", b_s.clone()), ("role", "admin".into())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/users/{id}/roles",
                format!("/users/{carol_s}/roles"),
                vec![("unit_id", a_s.clone()), ("role", "reader".into())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/users/{id}/roles/remove",
                format!("/users/{carol_s}/roles/remove"),
                vec![("unit_id", b_s.clone()), ("role", "editor".into())],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/audit",
                "/audit".into(),
                vec![],
                Expect::Hides("Enhet A1", b_marks.clone()),
            ),
            // The id is the caller's own input, echoed in the filter form; B's records are not shown.
            case(
                Method::GET,
                "/audit",
                format!("/audit?unit={b}"),
                vec![],
                Expect::Hides("", vec!["Förvaltning Bravo".into(), "carol".into()]),
            ),
            case(
                Method::GET,
                "/account",
                "/account".into(),
                vec![],
                Expect::Hides("alice", vec!["bobs".into()]),
            ),
            case(
                Method::POST,
                "/account/password",
                "/account/password".into(),
                vec![],
                Expect::Public,
            ),
            case(
                Method::POST,
                "/account/tokens",
                "/account/tokens".into(),
                vec![],
                Expect::Public,
            ),
            case(
                Method::POST,
                "/account/tokens/{id}/revoke",
                format!("/account/tokens/{}/revoke", bob_token.id),
                vec![],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/assets",
                "/assets".into(),
                vec![],
                Expect::Hides(
                    "System A",
                    vec!["System B".into(), "Tjänst B".into(), b_sys.to_string()],
                ),
            ),
            case(
                Method::POST,
                "/assets",
                "/assets".into(),
                vec![
                    ("unit_id", b_s.clone()),
                    ("kind", "system".into()),
                    ("name", "Smuggled".into()),
                ],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/assets/{id}",
                format!("/assets/{b_sys}"),
                vec![],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/assets/{id}",
                format!("/assets/{b_sys}"),
                edit_form("Hijacked", &a_s),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/assets/{id}",
                format!("/assets/{a_sys}"),
                edit_form("System A", &b_s),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/assets/{id}/links",
                format!("/assets/{b_sys}/links"),
                vec![("kind", "runs_on".into()), ("other", a_svc.to_string())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/assets/{id}/links",
                format!("/assets/{a_svc}/links"),
                vec![("kind", "runs_on".into()), ("other", b_sys.to_string())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/assets/{id}/links/remove",
                format!("/assets/{b_svc}/links/remove"),
                vec![
                    ("from", b_svc.to_string()),
                    ("to", b_sys.to_string()),
                    ("kind", "runs_on".into()),
                ],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/assets/{id}/classifications",
                format!("/assets/{b_svc}/classifications"),
                vec![],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/classifications/{id}",
                format!("/classifications/{b_done}"),
                vec![],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/classifications/{id}",
                format!("/classifications/{b_draft}"),
                vec![("participants", "Mallory".into())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/classifications/{id}/complete",
                format!("/classifications/{b_draft}/complete"),
                vec![("participants", "Mallory".into())],
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/classifications/{id}/items/{req}",
                format!("/classifications/{b_done}/items/{b_item}"),
                vec![("status", "met".into())],
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/coverage",
                "/coverage".into(),
                vec![],
                Expect::Hides("Förvaltning A", b_marks.clone()),
            ),
            case(
                Method::GET,
                "/assets/import",
                "/assets/import".into(),
                vec![],
                Expect::Hides("Förvaltning A", b_marks.clone()),
            ),
            case(
                Method::POST,
                "/assets/import/preview",
                "/assets/import/preview".into(),
                vec![],
                Expect::Upload(422),
            ),
            case(
                Method::POST,
                "/assets/import",
                "/assets/import".into(),
                vec![],
                Expect::Upload(422),
            ),
            case(
                Method::GET,
                "/assets/export.csv",
                "/assets/export.csv".into(),
                vec![],
                Expect::Hides(
                    "System A",
                    vec![
                        "System B".into(),
                        "Tjänst B".into(),
                        "Förvaltning Bravo".into(),
                    ],
                ),
            ),
            // The same rows as the CSV, zipped; the CSV row above shows what they hold.
            case(
                Method::GET,
                "/assets/export.xlsx",
                "/assets/export.xlsx".into(),
                vec![],
                Expect::Public,
            ),
            case(
                Method::GET,
                "/action-plans/export.csv",
                "/action-plans/export.csv".into(),
                vec![],
                Expect::Hides(
                    "System A",
                    vec!["System B".into(), "Förvaltning Bravo".into()],
                ),
            ),
            // The same rows as the CSV, zipped.
            case(
                Method::GET,
                "/action-plans/export.xlsx",
                "/action-plans/export.xlsx".into(),
                vec![],
                Expect::Public,
            ),
            // Last, as it ends the session.
            case(
                Method::POST,
                "/logout",
                "/logout".into(),
                vec![],
                Expect::Public,
            ),
        ];

        let covered: BTreeSet<_> = cases
            .iter()
            .map(|c| (c.method.to_string(), c.route.to_owned()))
            .collect();
        let missing: Vec<_> = declared_routes().difference(&covered).cloned().collect();
        assert!(
            missing.is_empty(),
            "UI routes missing from the isolation matrix: {missing:?}"
        );

        for c in &cases {
            let mut req = client
                .request(c.method.clone(), format!("{}{}", t.base, c.path))
                .header("origin", &t.base);
            if let Expect::Upload(_) = c.expect {
                let csv = "Namn;Enhet;Typ\r\nSmugglad;Förvaltning Bravo;System\r\n";
                let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                    .file_name("register.csv");
                req = req.multipart(reqwest::multipart::Form::new().part("file", part));
            } else if c.method == Method::POST {
                req = req.form(&c.form);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            match &c.expect {
                Expect::Status(want) => {
                    if status != *want {
                        let body = r.text().await.unwrap_or_default();
                        panic!("{} {}: {status}, expected {want}\n{body}", c.method, c.path);
                    }
                }
                Expect::Hides(shown, marks) => {
                    assert_eq!(status, 200, "{} {}", c.method, c.path);
                    let body = r.text().await.unwrap();
                    assert!(
                        body.contains(shown),
                        "{} {} should show {shown}",
                        c.method,
                        c.path
                    );
                    for m in marks {
                        assert!(
                            !body.contains(m.as_str()),
                            "{} {} shows {m}",
                            c.method,
                            c.path
                        );
                    }
                }
                Expect::Public => assert!(status < 500, "{} {}: {status}", c.method, c.path),
                Expect::Upload(want) => assert_eq!(status, *want, "{} {}", c.method, c.path),
            }
        }

        // Nothing of B changed.
        let system = tillit_domain::Scope::system();
        let b_unit = t.app.store().get_unit(&system, b).await.unwrap().unwrap();
        assert_eq!(
            (b_unit.name.as_str(), b_unit.parent_id, b_unit.closed_at),
            ("Förvaltning Bravo", Some(t.organisation), None)
        );
        assert_eq!(
            t.app
                .store()
                .get_user(&system, carol)
                .await
                .unwrap()
                .unwrap()
                .display_name,
            "carol"
        );
        let carol_roles = t.app.store().roles_of(carol).await.unwrap();
        assert_eq!((carol_roles.len(), carol_roles[0].unit_id), (1, b));
        assert!(
            t.app
                .store()
                .roles_of(alice)
                .await
                .unwrap()
                .iter()
                .all(|r| r.unit_id == a)
        );
        t.app
            .login("carol", "carol-password-123")
            .await
            .expect("carol's password unchanged");
        let system = tillit_domain::Scope::system();
        let after = t
            .app
            .store()
            .list_assets(&system, &Default::default())
            .await
            .unwrap()
            .total;
        assert_eq!(after, assets_before, "no asset created by the attempts");
        let b_system = t
            .app
            .store()
            .get_asset(&system, b_sys)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((b_system.name.as_str(), b_system.unit_id), ("System B", b));
        assert_eq!(
            t.app
                .store()
                .get_asset(&system, a_sys)
                .await
                .unwrap()
                .unwrap()
                .unit_id,
            a
        );
        assert_eq!(
            t.app.store().links_of(&system, b_sys).await.unwrap().len(),
            1
        );
        assert!(
            t.app
                .store()
                .get_classification(&system, b_draft)
                .await
                .unwrap()
                .unwrap()
                .participants
                .is_empty()
        );
        let items = t.app.store().action_items(&system, b_done).await.unwrap();
        assert!(
            items
                .iter()
                .all(|i| i.status == tillit_domain::classification::ItemStatus::Open)
        );
        assert!(
            t.app.list_api_tokens(&bob_caller).await.unwrap()[0]
                .revoked_at
                .is_none()
        );
    }
);
