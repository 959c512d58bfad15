//! The cross-unit isolation matrix: a user administering unit A tries every API endpoint on
//! unit B's records and gets nothing: 404 for B's records (the same answer as for records
//! that do not exist), and lists without them. The matrix must name every endpoint of the
//! OpenAPI document, so a new endpoint cannot be added without a row here.

mod common;

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};
use tillit_domain::Role;
use tillit_domain::audit::AuditFilter;

enum Expect {
    /// This status, and nothing changed.
    Status(u16),
    /// 200, and none of these values appear anywhere in the body.
    Excludes(Vec<String>),
    /// 200 with a text (not JSON) body in which none of these appear.
    ExcludesText(Vec<String>),
    /// The caller's own records: 2xx (listed so the coverage check knows it was considered).
    Own(u16),
}

struct Case {
    method: Method,
    template: &'static str,
    path: String,
    body: Option<Value>,
    expect: Expect,
}

fn case(
    method: Method,
    template: &'static str,
    path: String,
    body: Option<Value>,
    expect: Expect,
) -> Case {
    Case {
        method,
        template,
        path,
        body,
        expect,
    }
}

on_both_databases!(
    a_unit_admin_cannot_reach_another_unit,
    |t: common::TestApp| async move {
        let admin = t.admin().await;
        let a = t.unit(&admin, "Förvaltning A", t.organisation).await;
        let a1 = t.unit(&admin, "Enhet A1", a).await;
        let b = t.unit(&admin, "Förvaltning B", t.organisation).await;
        let alice = t.user(&admin, "alice", a, Role::Admin).await;
        let bob = t.user(&admin, "bob", b, Role::Admin).await;
        let carol = t.user(&admin, "carol", b, Role::Editor).await;
        let alice_token = t.token("alice", "alice-password-123").await;
        let bob_caller = t.caller("bob", "bob-password-123").await;
        let (bob_token, bob_secret) = t
            .app
            .create_api_token(&bob_caller, "bobs", None)
            .await
            .unwrap();
        let inv = common::inventory_in(&t, &admin, a, b).await;
        let model = t.app.latest_model("tillit-standard").await.unwrap().id;
        let seq_before = t.app.store().audit_head().await.unwrap().unwrap().0;

        let (b_s, bob_s, carol_s) = (b.to_string(), bob.to_string(), carol.to_string());
        let (b_sys, b_svc, a_svc, a_sys) =
            (inv.b_system, inv.b_service, inv.a_service, inv.a_system);
        let (b_done, b_draft) = (inv.b_completed, inv.b_draft);
        let b_assets = vec![b_sys.to_string(), b_svc.to_string(), b_s.clone()];
        let cases = vec![
            case(
                Method::GET,
                "/api/v1/me",
                "/api/v1/me".into(),
                None,
                Expect::Own(200),
            ),
            case(
                Method::GET,
                "/api/v1/me/tokens",
                "/api/v1/me/tokens".into(),
                None,
                Expect::Excludes(vec![bob_token.id.to_string()]),
            ),
            case(
                Method::POST,
                "/api/v1/me/tokens",
                "/api/v1/me/tokens".into(),
                Some(json!({"name": "alices"})),
                Expect::Own(201),
            ),
            case(
                Method::DELETE,
                "/api/v1/me/tokens/{id}",
                format!("/api/v1/me/tokens/{}", bob_token.id),
                None,
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/units",
                "/api/v1/units?include_closed=true".into(),
                None,
                Expect::Excludes(vec![b_s.clone()]),
            ),
            case(
                Method::POST,
                "/api/v1/units",
                "/api/v1/units".into(),
                Some(common::unit_json("Smuggled", b)),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/units/{id}",
                format!("/api/v1/units/{b}"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::PATCH,
                "/api/v1/units/{id}",
                format!("/api/v1/units/{b}"),
                Some(json!({"name": "Hijacked"})),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/units/{id}/move",
                format!("/api/v1/units/{b}/move"),
                Some(json!({"parent_id": a})),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/units/{id}/move",
                format!("/api/v1/units/{a1}/move"),
                Some(json!({"parent_id": b})),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/units/{id}/merge",
                format!("/api/v1/units/{a}/merge"),
                Some(json!({"sources": [b]})),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/units/{id}/merge",
                format!("/api/v1/units/{b}/merge"),
                Some(json!({"sources": [a1]})),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/units/{id}/merged",
                format!("/api/v1/units/{b}/merged"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/users",
                "/api/v1/users".into(),
                None,
                Expect::Excludes(vec![bob_s.clone(), carol_s.clone()]),
            ),
            case(
                Method::POST,
                "/api/v1/users",
                "/api/v1/users".into(),
                Some(
                    json!({"username": "mallory", "display_name": "M", "unit_id": b, "role": "admin"}),
                ),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/users/{id}",
                format!("/api/v1/users/{carol}"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::PATCH,
                "/api/v1/users/{id}",
                format!("/api/v1/users/{carol}"),
                Some(json!({"is_active": false})),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/users/{id}/password",
                format!("/api/v1/users/{carol}/password"),
                Some(json!({})),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/role-assignments",
                "/api/v1/role-assignments".into(),
                None,
                Expect::Excludes(vec![b_s.clone()]),
            ),
            case(
                Method::GET,
                "/api/v1/role-assignments",
                format!("/api/v1/role-assignments?user_id={carol}"),
                None,
                Expect::Excludes(vec![carol_s.clone()]),
            ),
            case(
                Method::POST,
                "/api/v1/role-assignments",
                "/api/v1/role-assignments".into(),
                Some(json!({"user_id": alice, "unit_id": b, "role": "admin"})),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/role-assignments",
                "/api/v1/role-assignments".into(),
                Some(json!({"user_id": carol, "unit_id": a, "role": "reader"})),
                Expect::Status(404),
            ),
            case(
                Method::DELETE,
                "/api/v1/role-assignments/{user_id}/{unit_id}/{role}",
                format!("/api/v1/role-assignments/{carol}/{b}/editor"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/audit",
                "/api/v1/audit?limit=200".into(),
                None,
                Expect::Excludes(vec![b_s.clone()]),
            ),
            case(
                Method::GET,
                "/api/v1/audit",
                format!("/api/v1/audit?unit_id={b}"),
                None,
                Expect::Excludes(vec![b_s.clone()]),
            ),
            case(
                Method::GET,
                "/api/v1/assets",
                "/api/v1/assets?limit=500".into(),
                None,
                Expect::Excludes(b_assets.clone()),
            ),
            case(
                Method::GET,
                "/api/v1/assets",
                format!("/api/v1/assets?unit_id={b}"),
                None,
                Expect::Excludes(b_assets.clone()),
            ),
            case(
                Method::POST,
                "/api/v1/assets",
                "/api/v1/assets".into(),
                Some(json!({"unit_id": b, "kind": "system", "name": "Smuggled"})),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/assets/{id}",
                format!("/api/v1/assets/{b_sys}"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::PATCH,
                "/api/v1/assets/{id}",
                format!("/api/v1/assets/{b_sys}"),
                Some(json!({"name": "Hijacked"})),
                Expect::Status(404),
            ),
            case(
                Method::PATCH,
                "/api/v1/assets/{id}",
                format!("/api/v1/assets/{a_sys}"),
                Some(json!({"unit_id": b})),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/assets/{id}/links",
                format!("/api/v1/assets/{b_sys}/links"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/assets/{id}/links",
                format!("/api/v1/assets/{a_svc}/links"),
                None,
                Expect::Excludes(b_assets.clone()),
            ),
            case(
                Method::GET,
                "/api/v1/assets/{id}/effective-levels",
                format!("/api/v1/assets/{b_sys}/effective-levels"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/asset-links",
                "/api/v1/asset-links".into(),
                Some(json!({"from": a_svc, "to": b_sys, "kind": "runs_on"})),
                Expect::Status(404),
            ),
            case(
                Method::DELETE,
                "/api/v1/asset-links/{from}/{to}/{kind}",
                format!("/api/v1/asset-links/{b_svc}/{b_sys}/runs_on"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/coverage",
                "/api/v1/coverage".into(),
                None,
                Expect::Excludes(vec![b_s.clone()]),
            ),
            case(
                Method::GET,
                "/api/v1/classification-models",
                "/api/v1/classification-models".into(),
                None,
                Expect::Own(200),
            ),
            case(
                Method::POST,
                "/api/v1/classification-models",
                "/api/v1/classification-models".into(),
                Some(json!({"key": "x"})),
                Expect::Status(403),
            ),
            case(
                Method::GET,
                "/api/v1/classification-models/{id}",
                format!("/api/v1/classification-models/{model}"),
                None,
                Expect::Own(200),
            ),
            case(
                Method::GET,
                "/api/v1/assets/{id}/classifications",
                format!("/api/v1/assets/{b_sys}/classifications"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/assets/{id}/classifications",
                format!("/api/v1/assets/{b_svc}/classifications"),
                Some(json!({})),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/classifications/{id}",
                format!("/api/v1/classifications/{b_done}"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::PATCH,
                "/api/v1/classifications/{id}",
                format!("/api/v1/classifications/{b_draft}"),
                Some(json!({"participants": "Mallory"})),
                Expect::Status(404),
            ),
            case(
                Method::POST,
                "/api/v1/classifications/{id}/complete",
                format!("/api/v1/classifications/{b_draft}/complete"),
                None,
                Expect::Status(404),
            ),
            case(
                Method::PATCH,
                "/api/v1/classifications/{id}/items/{requirement_id}",
                format!("/api/v1/classifications/{b_done}/items/{}", inv.b_item),
                Some(json!({"status": "met"})),
                Expect::Status(404),
            ),
            case(
                Method::GET,
                "/api/v1/assets/export",
                "/api/v1/assets/export?format=csv".into(),
                None,
                Expect::ExcludesText(vec![
                    "System B".into(),
                    "Tjänst B".into(),
                    "Förvaltning B".into(),
                ]),
            ),
            case(
                Method::POST,
                "/api/v1/assets/import",
                "/api/v1/assets/import?format=csv&dry_run=false".into(),
                Some(Value::String(
                    "Namn;Enhet;Typ\r\nSmugglad;Förvaltning B;System\r\n".into(),
                )),
                Expect::Status(422),
            ),
            case(
                Method::GET,
                "/api/v1/action-items",
                "/api/v1/action-items?limit=1000".into(),
                None,
                Expect::Excludes(vec![
                    "System B".into(),
                    b_sys.to_string(),
                    b_done.to_string(),
                ]),
            ),
            case(
                Method::GET,
                "/api/v1/action-items/export",
                "/api/v1/action-items/export?format=csv".into(),
                None,
                Expect::ExcludesText(vec!["System B".into(), "Förvaltning B".into()]),
            ),
        ];

        // Every endpoint of the API is in the matrix.
        let doc = serde_json::to_value(tillit_web::api::openapi()).unwrap();
        let mut endpoints = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                    endpoints.insert((method.to_uppercase(), path.clone()));
                }
            }
        }
        let covered: BTreeSet<_> = cases
            .iter()
            .map(|c| (c.method.to_string(), c.template.to_owned()))
            .collect();
        let missing: Vec<_> = endpoints.difference(&covered).collect();
        assert!(
            missing.is_empty(),
            "endpoints missing from the isolation matrix: {missing:?}"
        );

        for c in &cases {
            // A JSON string body is sent as a raw file (the import takes the file itself).
            let r = match &c.body {
                Some(Value::String(raw)) => t
                    .client
                    .request(c.method.clone(), format!("{}{}", t.base, c.path))
                    .bearer_auth(&alice_token)
                    .header("content-type", "text/csv")
                    .body(raw.clone())
                    .send()
                    .await
                    .unwrap(),
                _ => {
                    t.call(&alice_token, c.method.clone(), &c.path, c.body.clone())
                        .await
                }
            };
            let status = r.status().as_u16();
            match &c.expect {
                Expect::Status(want) => {
                    assert_eq!(status, *want, "{} {}", c.method, c.path);
                    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
                    assert_eq!(ct, "application/problem+json", "{} {}", c.method, c.path);
                }
                Expect::Own(want) => assert_eq!(status, *want, "{} {}", c.method, c.path),
                Expect::ExcludesText(forbidden) => {
                    assert_eq!(status, 200, "{} {}", c.method, c.path);
                    let body = r.text().await.unwrap();
                    for f in forbidden {
                        assert!(
                            !body.contains(f.as_str()),
                            "{} {} leaked {f}",
                            c.method,
                            c.path
                        );
                    }
                }
                Expect::Excludes(forbidden) => {
                    assert_eq!(status, 200, "{} {}", c.method, c.path);
                    let body = r.text().await.unwrap();
                    serde_json::from_str::<Value>(&body).expect("a JSON body");
                    for f in forbidden {
                        assert!(
                            !body.contains(f.as_str()),
                            "{} {} leaked {f}",
                            c.method,
                            c.path
                        );
                    }
                }
            }
        }

        // Nothing of B changed: its name, carol's role and account, bob's token.
        let system = tillit_domain::Scope::system();
        let b_unit = t.app.store().get_unit(&system, b).await.unwrap().unwrap();
        assert_eq!(b_unit.name, "Förvaltning B");
        assert_eq!(b_unit.parent_id, Some(t.organisation));
        assert!(b_unit.closed_at.is_none());
        let carol_user = t
            .app
            .store()
            .get_user(&system, carol)
            .await
            .unwrap()
            .unwrap();
        assert!(carol_user.is_active);
        let carol_roles = t.app.store().roles_of(carol).await.unwrap();
        assert_eq!(carol_roles.len(), 1);
        assert_eq!(carol_roles[0].unit_id, b);
        assert!(
            t.app
                .store()
                .roles_of(alice)
                .await
                .unwrap()
                .iter()
                .all(|r| r.unit_id == a)
        );
        let me = t.get_json(&bob_secret, "/api/v1/me").await;
        assert_eq!(me["user"]["username"], "bob");
        t.app
            .login("carol", "carol-password-123")
            .await
            .expect("carol's password unchanged");
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
        let draft = t
            .app
            .store()
            .get_classification(&system, b_draft)
            .await
            .unwrap()
            .unwrap();
        assert!(draft.participants.is_empty());
        let items = t.app.store().action_items(&system, b_done).await.unwrap();
        assert!(
            items
                .iter()
                .all(|i| i.status == tillit_domain::classification::ItemStatus::Open)
        );

        // The only writes alice made were her own token.
        let all = t
            .app
            .store()
            .list_audit(
                &system,
                &AuditFilter {
                    limit: 500,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let alices: Vec<_> = all
            .iter()
            .filter(|r| r.seq > seq_before && r.actor_label == "alice")
            .map(|r| r.action.as_str())
            .collect();
        assert_eq!(alices, vec!["api_token.create"]);
    }
);

on_both_databases!(
    roles_limit_what_can_be_done,
    |t: common::TestApp| async move {
        let admin = t.admin().await;
        let a = t.unit(&admin, "Förvaltning A", t.organisation).await;
        t.user(&admin, "rita", a, Role::Reader).await;
        t.user(&admin, "anders", t.organisation, Role::Auditor)
            .await;
        t.user(&admin, "erik", a, Role::Editor).await;
        let reader = t.token("rita", "rita-password-123").await;
        let auditor = t.token("anders", "anders-password-123").await;
        let editor = t.token("erik", "erik-password-123").await;

        // A reader reads but changes nothing, and sees no audit log.
        assert_eq!(
            common::ids(&t.get_json(&reader, "/api/v1/units").await, "id"),
            vec![a.to_string()]
        );
        let r = t
            .call(
                &reader,
                Method::PATCH,
                &format!("/api/v1/units/{a}"),
                Some(json!({"name": "X"})),
            )
            .await;
        assert_eq!(r.status(), 403);
        let r = t
            .call(
                &reader,
                Method::POST,
                "/api/v1/units",
                Some(common::unit_json("X", a)),
            )
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            t.call(&reader, Method::GET, "/api/v1/audit", None)
                .await
                .status(),
            403
        );
        assert_eq!(
            t.call(&reader, Method::GET, "/api/v1/users", None)
                .await
                .status(),
            403
        );

        // An editor writes records but does not administer units or users.
        let r = t
            .call(
                &editor,
                Method::POST,
                "/api/v1/units",
                Some(common::unit_json("X", a)),
            )
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            t.call(&editor, Method::GET, "/api/v1/users", None)
                .await
                .status(),
            403
        );

        // The auditor reads everything, the audit log included, and writes nothing.
        let units = common::ids(&t.get_json(&auditor, "/api/v1/units").await, "id");
        assert!(units.contains(&a.to_string()) && units.contains(&t.organisation.to_string()));
        let audit = t.get_json(&auditor, "/api/v1/audit").await;
        assert!(
            audit
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["action"] == "unit.create")
        );
        let r = t
            .call(
                &auditor,
                Method::PATCH,
                &format!("/api/v1/units/{a}"),
                Some(json!({"name": "X"})),
            )
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            t.app
                .store()
                .get_unit(&tillit_domain::Scope::system(), a)
                .await
                .unwrap()
                .unwrap()
                .name,
            "Förvaltning A"
        );
    }
);
