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

/// The (method, route) pairs the UI router declares.
fn declared_routes() -> BTreeSet<(String, String)> {
    let src = include_str!("../src/ui/mod.rs");
    let mut out = BTreeSet::new();
    for line in src
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with(".route(\""))
    {
        let path = line[8..].split('"').next().unwrap().to_owned();
        let handlers = &line[8 + path.len()..];
        for (needle, method) in [("get(", "GET"), ("post(", "POST")] {
            if handlers.contains(needle) {
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
                "/assets/{*path}",
                "/assets/tillit.css".into(),
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
            if c.method == Method::POST {
                req = req.form(&c.form);
            }
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            match &c.expect {
                Expect::Status(want) => assert_eq!(status, *want, "{} {}", c.method, c.path),
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
        assert!(
            t.app.list_api_tokens(&bob_caller).await.unwrap()[0]
                .revoked_at
                .is_none()
        );
    }
);
