//! The use cases on a real database, both backends.

use tillit_app::units::NewUnit;
use tillit_app::users::{NewUser, UserUpdate};
use tillit_app::{App, AppConfig, AppError, Caller, bootstrap};
use tillit_domain::audit::AuditFilter;
use tillit_domain::{Role, RoleAssignment, Scope, UnitId, UnitKind};
use tillit_store::testing::{TempDir, fresh_postgres, fresh_sqlite};

const ADMIN_PW: &str = "app-test-admin-password";

struct T {
    app: App,
    root: UnitId,
    _dir: Option<TempDir>,
}

async fn setup(pg: bool) -> Option<T> {
    let (store, dir) = if pg {
        let (s, _) = fresh_postgres().await.unwrap()?;
        (s, None)
    } else {
        let (s, d) = fresh_sqlite().await.unwrap();
        (s, Some(d))
    };
    let b = bootstrap::bootstrap(&store, "Staden", Some(ADMIN_PW.into()))
        .await
        .unwrap()
        .unwrap();
    assert!(b.generated_password.is_none());
    assert!(
        bootstrap::bootstrap(&store, "Staden", None)
            .await
            .unwrap()
            .is_none(),
        "a second bootstrap does nothing"
    );
    Some(T {
        app: App::new(store, AppConfig::default()),
        root: b.organisation,
        _dir: dir,
    })
}

macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test]
            async fn sqlite() {
                let mut t = setup(false).await.unwrap();
                // Held here: the body's closure captures only the fields it uses, and would
                // drop (delete) the database folder under the open pool otherwise.
                let _dir = t._dir.take();
                ($body)(t).await;
            }
            #[tokio::test]
            async fn postgres() {
                match setup(true).await {
                    Some(t) => ($body)(t).await,
                    None => eprintln!("skipped: TILLIT_TEST_PG_URL is not set"),
                }
            }
        }
    };
}

impl T {
    async fn sign_in(&self, user: &str, pw: &str) -> Caller {
        let s = self.app.login(user, pw).await.unwrap();
        self.app.session_caller(&s.token).await.unwrap().unwrap()
    }

    async fn admin(&self) -> Caller {
        self.sign_in("admin", ADMIN_PW).await
    }

    async fn unit(&self, by: &Caller, name: &str, parent: UnitId) -> UnitId {
        self.app
            .create_unit(
                by,
                NewUnit {
                    name: name.into(),
                    kind: UnitKind::Administration,
                    parent_id: parent,
                },
            )
            .await
            .unwrap()
            .id
    }

    async fn user(
        &self,
        by: &Caller,
        name: &str,
        unit: UnitId,
        role: Role,
    ) -> tillit_domain::UserId {
        self.app
            .create_user(
                by,
                NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    email: Some(format!("{name}@stad.se")),
                    locale: Some("en".into()),
                    password: Some(format!("{name}-password-123")),
                    unit_id: unit,
                    role,
                },
            )
            .await
            .unwrap()
            .0
            .id
    }
}

both!(five_failed_sign_ins_lock_the_account, |t: T| async move {
    let admin = t.admin().await;
    t.user(&admin, "lisa", t.root, Role::Reader).await;
    for _ in 0..4 {
        assert!(matches!(
            t.app.login("lisa", "wrong password!!").await,
            Err(AppError::BadCredentials)
        ));
    }
    assert!(matches!(
        t.app.login("lisa", "wrong password!!").await,
        Err(AppError::Locked(_))
    ));
    // Locked: even the right password is refused now.
    assert!(matches!(
        t.app.login("lisa", "lisa-password-123").await,
        Err(AppError::Locked(_))
    ));
    // An administrator lifts the lock.
    let lisa = t
        .app
        .list_users(&admin)
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == "lisa")
        .unwrap();
    assert!(lisa.locked_until.is_some());
    t.app
        .update_user(
            &admin,
            lisa.id,
            UserUpdate {
                unlock: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    t.app
        .login("LISA", "lisa-password-123")
        .await
        .expect("usernames are case-insensitive");
    // Unknown accounts fail the same way, and are recorded.
    assert!(matches!(
        t.app.login("nobody", "whatever password").await,
        Err(AppError::BadCredentials)
    ));
    let log = t
        .app
        .list_audit(
            &admin,
            AuditFilter {
                limit: 200,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(
        log.iter()
            .any(|r| r.action == "auth.login_failed" && r.actor_label == "nobody")
    );
    assert_eq!(
        log.iter()
            .filter(|r| r.action == "auth.login_failed" && r.actor_label == "lisa")
            .count(),
        5
    );
    assert!(log.iter().any(|r| r.action == "auth.login_refused_locked"));
});

both!(passwords_and_sessions, |t: T| async move {
    let admin = t.admin().await;
    t.user(&admin, "per", t.root, Role::Editor).await;
    let s1 = t.app.login("per", "per-password-123").await.unwrap();
    let s2 = t.app.login("per", "per-password-123").await.unwrap();
    let per = t.app.session_caller(&s1.token).await.unwrap().unwrap();
    assert!(matches!(
        t.app
            .change_own_password(&per, "not my password", "a new password 456")
            .await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        t.app
            .change_own_password(&per, "per-password-123", "short")
            .await,
        Err(AppError::Invalid(_))
    ));
    t.app
        .change_own_password(&per, "per-password-123", "a new password 456")
        .await
        .unwrap();
    assert!(
        t.app.session_caller(&s1.token).await.unwrap().is_some(),
        "the session that changed it stays"
    );
    assert!(
        t.app.session_caller(&s2.token).await.unwrap().is_none(),
        "other sessions end"
    );
    assert!(t.app.login("per", "per-password-123").await.is_err());
    t.app.logout(&per).await.unwrap();
    assert!(t.app.session_caller(&s1.token).await.unwrap().is_none());
    // Deactivated accounts cannot sign in.
    let id = per.user.id;
    t.app
        .update_user(
            &admin,
            id,
            UserUpdate {
                is_active: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(t.app.login("per", "a new password 456").await.is_err());
});

both!(
    api_tokens_work_until_revoked_and_are_stored_hashed,
    |t: T| async move {
        let admin = t.admin().await;
        let (info, secret) = t
            .app
            .create_api_token(&admin, "export", Some(30))
            .await
            .unwrap();
        assert!(secret.starts_with("tillit_"));
        assert_eq!(
            t.app
                .token_caller(&secret)
                .await
                .unwrap()
                .unwrap()
                .user
                .username,
            "admin"
        );
        assert!(t.app.token_caller("tillit_guess").await.unwrap().is_none());
        // The secret is nowhere in the audit log.
        let log = t
            .app
            .list_audit(
                &admin,
                AuditFilter {
                    limit: 200,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            log.iter()
                .all(|r| !r.after.as_deref().unwrap_or("").contains(&secret[7..]))
        );
        t.app.revoke_api_token(&admin, info.id).await.unwrap();
        assert!(t.app.token_caller(&secret).await.unwrap().is_none());
        assert!(matches!(
            t.app.revoke_api_token(&admin, info.id).await,
            Err(AppError::NotFound)
        ));
        assert!(t.app.create_api_token(&admin, "  ", None).await.is_err());
        assert!(t.app.create_api_token(&admin, "x", Some(0)).await.is_err());
    }
);

both!(the_last_organisation_admin_stays, |t: T| async move {
    let admin = t.admin().await;
    let ra = RoleAssignment {
        user_id: admin.user.id,
        unit_id: t.root,
        role: Role::Admin,
    };
    assert!(matches!(
        t.app.revoke_role(&admin, ra.clone()).await,
        Err(AppError::Invalid(_))
    ));
    let eva = t.user(&admin, "eva", t.root, Role::Admin).await;
    let eva_c = t.sign_in("eva", "eva-password-123").await;
    assert!(
        matches!(
            t.app
                .update_user(
                    &eva_c,
                    eva,
                    UserUpdate {
                        is_active: Some(false),
                        ..Default::default()
                    }
                )
                .await,
            Err(AppError::Invalid(_))
        ),
        "nobody deactivates themselves"
    );
    t.app
        .revoke_role(&admin, ra)
        .await
        .expect("with a second admin it may go");
    assert!(
        t.app
            .store()
            .roles_of(admin.user.id)
            .await
            .unwrap()
            .is_empty()
    );
});

both!(
    input_is_validated_and_duplicates_refused,
    |t: T| async move {
        let admin = t.admin().await;
        let bad = NewUnit {
            name: "   ".into(),
            kind: UnitKind::Section,
            parent_id: t.root,
        };
        assert!(matches!(
            t.app.create_unit(&admin, bad).await,
            Err(AppError::Invalid(_))
        ));
        let root_again = NewUnit {
            name: "Ny stad".into(),
            kind: UnitKind::Organisation,
            parent_id: t.root,
        };
        assert!(matches!(
            t.app.create_unit(&admin, root_again).await,
            Err(AppError::Invalid(_))
        ));
        t.user(&admin, "kim", t.root, Role::Reader).await;
        let dup = NewUser {
            username: "KIM".into(),
            display_name: "Kim".into(),
            email: None,
            locale: None,
            password: None,
            unit_id: t.root,
            role: Role::Reader,
        };
        match t.app.create_user(&admin, dup).await {
            Err(AppError::Invalid(tillit_domain::DomainError::Invalid { code, .. })) => {
                assert_eq!(code, "error-username-taken")
            }
            other => panic!("expected a taken username, got {other:?}"),
        }
        let (_, generated) = t
            .app
            .create_user(
                &admin,
                NewUser {
                    username: "ny".into(),
                    display_name: "Ny".into(),
                    email: None,
                    locale: None,
                    password: None,
                    unit_id: t.root,
                    role: Role::Reader,
                },
            )
            .await
            .unwrap();
        let pw = generated.expect("a generated one-time password");
        t.app
            .login("ny", &pw)
            .await
            .expect("the generated password signs in");
        let bad_email = UserUpdate {
            email: Some("not an address".into()),
            ..Default::default()
        };
        let kim = t
            .app
            .list_users(&admin)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.username == "kim")
            .unwrap();
        assert!(matches!(
            t.app.update_user(&admin, kim.id, bad_email).await,
            Err(AppError::Invalid(_))
        ));
    }
);

both!(
    moving_and_merging_units_through_the_use_cases,
    |t: T| async move {
        let admin = t.admin().await;
        let norr = t.unit(&admin, "Norrmalm", t.root).await;
        let ost = t.unit(&admin, "Östermalm", t.root).await;
        let skola = t.unit(&admin, "Skolenheten", norr).await;
        let ni = t.unit(&admin, "Norra innerstaden", t.root).await;
        // A unit cannot move into its own subtree.
        assert!(matches!(
            t.app.move_unit(&admin, norr, skola).await,
            Err(AppError::Invalid(_))
        ));
        let coordinator = t.user(&admin, "sam", norr, Role::SecurityCoordinator).await;
        t.app.merge_units(&admin, &[norr, ost], ni).await.unwrap();
        let sys = Scope::system();
        assert_eq!(
            t.app
                .store()
                .get_unit(&sys, skola)
                .await
                .unwrap()
                .unwrap()
                .parent_id,
            Some(ni)
        );
        let sam_roles = t.app.store().roles_of(coordinator).await.unwrap();
        assert_eq!(sam_roles.len(), 1);
        assert_eq!(sam_roles[0].unit_id, ni, "the role followed the merge");
        let merged: Vec<_> = t
            .app
            .merged_into(&admin, ni)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(merged, vec!["Norrmalm", "Östermalm"]);
        // History of a merged unit is part of the target's.
        let hist = t
            .app
            .list_audit(
                &admin,
                AuditFilter {
                    unit_id: Some(ni),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            hist.iter()
                .any(|r| r.unit_id == Some(norr) && r.action == "unit.create")
        );
        assert!(
            hist.iter()
                .any(|r| r.unit_id == Some(ost) && r.action == "unit.merge")
        );
        // A closed unit takes no more changes.
        assert!(t.app.merge_units(&admin, &[norr], ni).await.is_err());
        assert!(
            t.app
                .create_unit(
                    &admin,
                    NewUnit {
                        name: "x".into(),
                        kind: UnitKind::Section,
                        parent_id: norr
                    }
                )
                .await
                .is_err()
        );
        // The chain still verifies after all of it.
        let v = tillit_app::audit::verify(t.app.store())
            .await
            .unwrap()
            .unwrap();
        assert!(v.records > 10);
    }
);
