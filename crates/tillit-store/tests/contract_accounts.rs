//! The store's contract, part 2: users, sign-in and sessions, role assignments and personal
//! API tokens, on SQLite and (with `TILLIT_TEST_PG_URL`) PostgreSQL.

#[macro_use]
mod common;

use common::*;
use tillit_domain::user::ApiTokenInfo;
use tillit_domain::{ApiTokenId, Permission, Role, User, UserId};
use tillit_store::{Store, StoreError};

async fn session(store: &Store, user: &User, hash: &str, expires_in_mins: i64) {
    store
        .auth_record_success(
            user.id,
            hash,
            t0(),
            t0() + mins(expires_in_mins),
            &ev("user.login", "user", user.id, None),
        )
        .await
        .expect("auth_record_success");
}

async fn session_ok(store: &Store, hash: &str) -> bool {
    store
        .session_user(hash, t0() + mins(1))
        .await
        .expect("session_user")
        .is_some()
}

async fn usernames(store: &Store, scope: &tillit_domain::Scope) -> Vec<String> {
    store
        .list_users(scope)
        .await
        .expect("list_users")
        .into_iter()
        .map(|u| u.username)
        .collect()
}

// ---- users ------------------------------------------------------------------------------

contract!(
    a_user_is_created_with_a_first_role_in_scope,
    |store: Store| async move {
        let t = tree(&store).await;
        let admin_a = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let scope = as_user(&admin_a, Permission::Administer);

        let bo = new_user("bo");
        let events = [
            ev("user.create", "user", bo.id, Some(t.a1.id)),
            ev("role.assign", "role_assignment", bo.id, Some(t.a1.id)),
        ];
        let seq = head_seq(&store).await;
        store
            .create_user(
                &scope,
                &bo,
                Some("$argon2id$bo"),
                None,
                Some((t.a1.id, Role::Editor)),
                &events,
            )
            .await
            .expect("A's admin creates a user with a role on A1");
        assert_eq!(
            head_seq(&store).await,
            seq + 2,
            "one record per event given"
        );
        assert_eq!(
            store.get_user(&scope, bo.id).await.unwrap(),
            Some(bo.clone()),
            "reads back"
        );
        assert_eq!(
            store.roles_of(bo.id).await.unwrap(),
            vec![ra(&bo, &t.a1, Role::Editor)]
        );

        // A first role outside the admin's subtree, or none at all, is refused.
        let seq = head_seq(&store).await;
        let cia = new_user("cia");
        assert_not_found(
            store
                .create_user(
                    &scope,
                    &cia,
                    None,
                    None,
                    Some((t.b.id, Role::Reader)),
                    &[ev("user.create", "user", cia.id, None)],
                )
                .await,
            "a first role on B",
        );
        assert_not_found(
            store
                .create_user(
                    &scope,
                    &cia,
                    None,
                    None,
                    None,
                    &[ev("user.create", "user", cia.id, None)],
                )
                .await,
            "a user without a role, by a sub-unit admin",
        );
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
        assert!(
            store.auth_find_by_username("cia").await.unwrap().is_none(),
            "no account was made"
        );

        // An organisation admin may create an account without a role.
        let root_admin = mk_user(&store, "root-admin", Some((t.org.id, Role::Admin))).await;
        store
            .create_user(
                &as_user(&root_admin, Permission::Administer),
                &cia,
                None,
                None,
                None,
                &[ev("user.create", "user", cia.id, None)],
            )
            .await
            .expect("a root admin creates a role-less user");
        assert!(store.roles_of(cia.id).await.unwrap().is_empty());

        // OIDC accounts are found by issuer and subject.
        let mut oidc = new_user("oidc-user");
        oidc.oidc_subject = Some("sub-123".into());
        store
            .create_user(
                &sys(),
                &oidc,
                None,
                Some("https://login.example"),
                Some((t.b.id, Role::Reader)),
                &[ev("user.create", "user", oidc.id, None)],
            )
            .await
            .unwrap();
        assert_eq!(
            store
                .auth_find_by_oidc("https://login.example", "sub-123")
                .await
                .unwrap(),
            Some(oidc.clone())
        );
        assert_eq!(
            store
                .auth_find_by_oidc("https://other.example", "sub-123")
                .await
                .unwrap(),
            None
        );
        assert_eq!(
            store
                .auth_find_by_oidc("https://login.example", "sub-999")
                .await
                .unwrap(),
            None
        );
    }
);

contract!(a_taken_username_is_a_conflict, |store: Store| async move {
    let t = tree(&store).await;
    let first = mk_user(&store, "anna", Some((t.a.id, Role::Reader))).await;
    let second = new_user("anna");
    let seq = head_seq(&store).await;
    let r = store
        .create_user(
            &sys(),
            &second,
            None,
            None,
            Some((t.b.id, Role::Reader)),
            &[ev("user.create", "user", second.id, None)],
        )
        .await;
    assert!(
        matches!(r, Err(StoreError::Conflict(_))),
        "the same username: {r:?}"
    );
    assert_eq!(head_seq(&store).await, seq, "nothing recorded");
    assert_eq!(
        store.get_user(&sys(), second.id).await.unwrap(),
        None,
        "no second account"
    );
    assert!(
        store
            .list_role_assignments(&sys(), Some(second.id))
            .await
            .unwrap()
            .is_empty(),
        "the role of a refused account is not kept"
    );
    assert_eq!(
        store
            .auth_find_by_username("anna")
            .await
            .unwrap()
            .unwrap()
            .user
            .id,
        first.id
    );
});

contract!(
    users_are_visible_through_their_roles,
    |store: Store| async move {
        let t = tree(&store).await;
        let admin_a = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let root_admin = mk_user(&store, "root-admin", Some((t.org.id, Role::Admin))).await;
        let in_a1 = mk_user(&store, "in-a1", Some((t.a1.id, Role::Reader))).await;
        let in_b = mk_user(&store, "in-b", Some((t.b.id, Role::Editor))).await;
        let roleless = mk_user(&store, "roleless", None).await;
        let in_both = mk_user(&store, "in-both", Some((t.b.id, Role::Reader))).await;
        assert!(assign(&store, &sys(), &ra(&in_both, &t.a1, Role::Reader)).await);

        let a = as_user(&admin_a, Permission::Administer);
        assert_eq!(
            usernames(&store, &a).await,
            ["admin-a", "in-a1", "in-both"],
            "A's admin: itself and users with roles in A's subtree, by username"
        );
        assert!(store.get_user(&a, in_a1.id).await.unwrap().is_some());
        assert_eq!(
            store.get_user(&a, in_b.id).await.unwrap(),
            None,
            "not a user only in B"
        );
        assert_eq!(
            store.get_user(&a, roleless.id).await.unwrap(),
            None,
            "nor a role-less user"
        );
        assert_eq!(store.get_user(&a, root_admin.id).await.unwrap(), None);

        let root = as_user(&root_admin, Permission::Administer);
        assert_eq!(
            usernames(&store, &root).await,
            [
                "admin-a",
                "in-a1",
                "in-b",
                "in-both",
                "roleless",
                "root-admin"
            ],
            "the organisation's admin sees everyone, role-less users included"
        );
        assert_eq!(
            store.get_user(&root, roleless.id).await.unwrap(),
            Some(roleless.clone())
        );

        // A user always sees itself, even with a scope that covers nothing.
        let own = as_user(&in_b, Permission::Administer);
        assert_eq!(usernames(&store, &own).await, ["in-b"]);
        assert_eq!(
            usernames(&store, &sys()).await.len(),
            6,
            "the system sees all"
        );
        assert_eq!(store.get_user(&sys(), UserId::new()).await.unwrap(), None);
    }
);

contract!(
    updating_a_user_and_deactivating_ends_sessions,
    |store: Store| async move {
        let t = tree(&store).await;
        let admin_a = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let scope = as_user(&admin_a, Permission::Administer);
        let mut bo = mk_user(&store, "bo", Some((t.a1.id, Role::Editor))).await;
        session(&store, &bo, "bo-session", 60).await;

        bo.display_name = "Bo Ek".into();
        bo.email = None;
        bo.locale = "en".into();
        let seq = head_seq(&store).await;
        store
            .update_user(
                &scope,
                &bo,
                &ev("user.update", "user", bo.id, Some(t.a1.id)),
            )
            .await
            .unwrap();
        assert_one_record(&store, seq, "user.update").await;
        assert_eq!(
            store.get_user(&scope, bo.id).await.unwrap(),
            Some(bo.clone()),
            "fields stored"
        );
        assert!(
            session_ok(&store, "bo-session").await,
            "an active user keeps its session"
        );

        bo.is_active = false;
        store
            .update_user(&scope, &bo, &ev("user.update", "user", bo.id, None))
            .await
            .unwrap();
        assert!(
            !store
                .get_user(&sys(), bo.id)
                .await
                .unwrap()
                .unwrap()
                .is_active
        );
        assert!(
            !session_ok(&store, "bo-session").await,
            "deactivated: no session"
        );
        bo.is_active = true;
        store
            .update_user(&scope, &bo, &ev("user.update", "user", bo.id, None))
            .await
            .unwrap();
        assert!(
            !session_ok(&store, "bo-session").await,
            "the session was deleted, not hidden"
        );

        // Outside the admin's scope.
        let mut in_b = mk_user(&store, "in-b", Some((t.b.id, Role::Editor))).await;
        in_b.display_name = "Hijacked".into();
        let seq = head_seq(&store).await;
        assert_not_found(
            store
                .update_user(&scope, &in_b, &ev("user.update", "user", in_b.id, None))
                .await,
            "updating a user in B",
        );
        assert_not_found(
            store
                .update_user(
                    &sys(),
                    &new_user("ghost"),
                    &ev("user.update", "user", 0, None),
                )
                .await,
            "updating a missing user",
        );
        assert_eq!(head_seq(&store).await, seq);
        assert_eq!(
            store
                .get_user(&sys(), in_b.id)
                .await
                .unwrap()
                .unwrap()
                .display_name,
            "Namn in-b"
        );
    }
);

contract!(
    setting_a_password_unlocks_and_ends_other_sessions,
    |store: Store| async move {
        let t = tree(&store).await;
        let admin_a = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let bo = mk_user(&store, "bo", Some((t.a.id, Role::Editor))).await;
        for _ in 0..5 {
            store
                .auth_record_failure(bo.id, t0(), &ev("user.login_failed", "user", bo.id, None))
                .await
                .unwrap();
        }
        assert!(
            store
                .get_user(&sys(), bo.id)
                .await
                .unwrap()
                .unwrap()
                .locked_until
                .is_some()
        );
        session(&store, &bo, "keep", 60).await;
        session(&store, &bo, "other", 60).await;

        let seq = head_seq(&store).await;
        store
            .set_password(
                &as_user(&admin_a, Permission::Administer),
                bo.id,
                "$argon2id$new",
                Some("keep"),
                &ev("user.set_password", "user", bo.id, None),
            )
            .await
            .expect("set_password");
        assert_one_record(&store, seq, "user.set_password").await;
        let creds = store.auth_find_by_username("bo").await.unwrap().unwrap();
        assert_eq!(
            creds.password_hash.as_deref(),
            Some("$argon2id$new"),
            "the new hash"
        );
        assert_eq!(creds.user.locked_until, None, "the lock is cleared");
        assert!(
            session_ok(&store, "keep").await,
            "the kept session lives on"
        );
        assert!(!session_ok(&store, "other").await, "other sessions end");
        // The failure count was reset too: four more failures do not lock.
        for _ in 0..4 {
            let r = store
                .auth_record_failure(bo.id, t0(), &ev("user.login_failed", "user", bo.id, None))
                .await;
            assert_eq!(r.unwrap(), None, "not locked before the fifth failure");
        }

        // Without a session to keep, all end.
        store
            .set_password(
                &sys(),
                bo.id,
                "$argon2id$3",
                None,
                &ev("user.set_password", "user", bo.id, None),
            )
            .await
            .unwrap();
        assert!(!session_ok(&store, "keep").await);

        let in_b = mk_user(&store, "in-b", Some((t.b.id, Role::Editor))).await;
        let seq = head_seq(&store).await;
        assert_not_found(
            store
                .set_password(
                    &as_user(&admin_a, Permission::Administer),
                    in_b.id,
                    "$x",
                    None,
                    &ev("user.set_password", "user", in_b.id, None),
                )
                .await,
            "a password outside scope",
        );
        assert_eq!(head_seq(&store).await, seq);
        assert_eq!(
            store
                .auth_find_by_username("in-b")
                .await
                .unwrap()
                .unwrap()
                .password_hash
                .as_deref(),
            Some("$argon2id$hash"),
            "unchanged"
        );
    }
);

// ---- sign-in ----------------------------------------------------------------------------

contract!(
    sign_in_looks_up_and_locks_after_five_failures,
    |store: Store| async move {
        let t = tree(&store).await;
        let bo = mk_user(&store, "bo", Some((t.a.id, Role::Reader))).await;
        let creds = store
            .auth_find_by_username("bo")
            .await
            .unwrap()
            .expect("found");
        assert_eq!(creds.user, bo);
        assert_eq!(creds.password_hash.as_deref(), Some("$argon2id$hash"));
        assert!(
            store
                .auth_find_by_username("nobody")
                .await
                .unwrap()
                .is_none()
        );

        let seq = head_seq(&store).await;
        for i in 1..=4 {
            let r = store
                .auth_record_failure(bo.id, t0(), &ev("user.login_failed", "user", bo.id, None))
                .await;
            assert_eq!(r.unwrap(), None, "failure {i} does not lock");
            assert_eq!(head_seq(&store).await, seq + i, "each failure is recorded");
        }
        assert_eq!(
            store
                .get_user(&sys(), bo.id)
                .await
                .unwrap()
                .unwrap()
                .locked_until,
            None
        );
        let until = store
            .auth_record_failure(bo.id, t0(), &ev("user.login_failed", "user", bo.id, None))
            .await
            .unwrap();
        assert_eq!(
            until,
            Some(t0() + mins(15)),
            "the fifth failure locks for 15 minutes"
        );
        assert_eq!(
            store
                .get_user(&sys(), bo.id)
                .await
                .unwrap()
                .unwrap()
                .locked_until,
            until
        );
        assert_eq!(
            store
                .auth_find_by_username("bo")
                .await
                .unwrap()
                .unwrap()
                .user
                .locked_until,
            until
        );

        // A success clears the lock and the count.
        session(&store, &bo, "s", 60).await;
        assert_eq!(
            store
                .get_user(&sys(), bo.id)
                .await
                .unwrap()
                .unwrap()
                .locked_until,
            None
        );
        for _ in 0..4 {
            let r = store
                .auth_record_failure(bo.id, t0(), &ev("user.login_failed", "user", bo.id, None))
                .await;
            assert_eq!(r.unwrap(), None, "the count restarted");
        }

        let seq = head_seq(&store).await;
        assert_not_found(
            store
                .auth_record_failure(
                    UserId::new(),
                    t0(),
                    &ev("user.login_failed", "user", 0, None),
                )
                .await,
            "a failure for a missing account",
        );
        assert_eq!(head_seq(&store).await, seq);
    }
);

contract!(
    sessions_live_until_expiry_and_end,
    |store: Store| async move {
        let t = tree(&store).await;
        let bo = mk_user(&store, "bo", Some((t.a.id, Role::Reader))).await;
        let seq = head_seq(&store).await;
        session(&store, &bo, "s1", 30).await;
        assert_one_record(&store, seq, "user.login").await;
        assert_eq!(
            store.session_user("s1", t0()).await.unwrap(),
            Some(bo.clone())
        );
        assert_eq!(
            store.session_user("s1", t0() + mins(29)).await.unwrap(),
            Some(bo.clone())
        );
        assert_eq!(
            store.session_user("s1", t0() + mins(30)).await.unwrap(),
            None,
            "expired at its end"
        );
        assert_eq!(
            store.session_user("s2", t0()).await.unwrap(),
            None,
            "an unknown session"
        );
        let r = store
            .auth_record_success(
                bo.id,
                "s1",
                t0(),
                t0() + mins(5),
                &ev("user.login", "user", bo.id, None),
            )
            .await;
        assert!(
            matches!(r, Err(StoreError::Conflict(_))),
            "a session hash is unique: {r:?}"
        );

        // Only while the account is active (set directly, without update_user's cleanup).
        raw(
            &store,
            &format!(
                "UPDATE users SET is_active = {} WHERE username = 'bo'",
                false_lit(&store)
            ),
        )
        .await
        .unwrap();
        assert_eq!(
            store.session_user("s1", t0()).await.unwrap(),
            None,
            "an inactive account"
        );
        raw(
            &store,
            &format!(
                "UPDATE users SET is_active = {} WHERE username = 'bo'",
                true_lit(&store)
            ),
        )
        .await
        .unwrap();
        assert!(store.session_user("s1", t0()).await.unwrap().is_some());

        let seq = head_seq(&store).await;
        store
            .end_session("s1", &ev("user.logout", "user", bo.id, None))
            .await
            .unwrap();
        assert_one_record(&store, seq, "user.logout").await;
        assert_eq!(
            store.session_user("s1", t0()).await.unwrap(),
            None,
            "signed out"
        );
        store
            .end_session("s1", &ev("user.logout", "user", bo.id, None))
            .await
            .unwrap();
        assert_eq!(
            head_seq(&store).await,
            seq + 1,
            "ending an ended session records nothing"
        );

        // Housekeeping removes the expired ones only.
        session(&store, &bo, "short-1", 10).await;
        session(&store, &bo, "short-2", 10).await;
        session(&store, &bo, "long", 120).await;
        let seq = head_seq(&store).await;
        assert_eq!(
            store.purge_expired_sessions(t0() + mins(10)).await.unwrap(),
            2
        );
        assert_eq!(head_seq(&store).await, seq, "housekeeping is not audited");
        assert_eq!(
            store.purge_expired_sessions(t0() + mins(10)).await.unwrap(),
            0
        );
        assert!(
            store
                .session_user("long", t0() + mins(11))
                .await
                .unwrap()
                .is_some()
        );
        // A purged session is gone, not just expired: its hash can be used again.
        session(&store, &bo, "short-1", 10).await;
    }
);

fn true_lit(store: &Store) -> &'static str {
    match store.backend() {
        tillit_store::Backend::Sqlite => "1",
        tillit_store::Backend::Postgres => "TRUE",
    }
}

fn false_lit(store: &Store) -> &'static str {
    match store.backend() {
        tillit_store::Backend::Sqlite => "0",
        tillit_store::Backend::Postgres => "FALSE",
    }
}

// ---- roles ------------------------------------------------------------------------------

contract!(
    roles_are_assigned_once_and_revoked,
    |store: Store| async move {
        let t = tree(&store).await;
        let admin_a = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let scope = as_user(&admin_a, Permission::Administer);
        let bo = mk_user(&store, "bo", None).await;
        let role = ra(&bo, &t.a1, Role::Editor);

        let seq = head_seq(&store).await;
        assert!(assign(&store, &scope, &role).await, "a new role");
        assert_one_record(&store, seq, "role.assign").await;
        assert!(!assign(&store, &scope, &role).await, "the same role again");
        assert_eq!(
            head_seq(&store).await,
            seq + 1,
            "the repeat records nothing"
        );
        assert_eq!(
            store
                .list_role_assignments(&sys(), Some(bo.id))
                .await
                .unwrap(),
            vec![role.clone()]
        );
        assert!(
            assign(&store, &scope, &ra(&bo, &t.a1, Role::Reader)).await,
            "another role on the same unit is new"
        );

        // Not on a unit outside the admin's scope.
        let seq = head_seq(&store).await;
        assert_not_found(
            store
                .assign_role(
                    &scope,
                    &ra(&bo, &t.b, Role::Admin),
                    t0(),
                    &ev("role.assign", "x", 0, None),
                )
                .await,
            "assigning on B",
        );
        assert_not_found(
            store
                .assign_role(
                    &sys(),
                    &ra(&new_user("ghost"), &t.b, Role::Admin),
                    t0(),
                    &ev("role.assign", "x", 0, None),
                )
                .await,
            "assigning to a missing user",
        );
        assert_eq!(head_seq(&store).await, seq);

        store
            .revoke_role(
                &scope,
                &role,
                &ev("role.revoke", "role_assignment", bo.id, Some(t.a1.id)),
            )
            .await
            .expect("revoke");
        assert_one_record(&store, seq, "role.revoke").await;
        assert_eq!(
            store.roles_of(bo.id).await.unwrap(),
            vec![ra(&bo, &t.a1, Role::Reader)]
        );
        assert_not_found(
            store
                .revoke_role(&scope, &role, &ev("role.revoke", "x", 0, None))
                .await,
            "revoking a role not held",
        );
        let in_b = mk_user(&store, "in-b", Some((t.b.id, Role::Editor))).await;
        let seq = head_seq(&store).await;
        assert_not_found(
            store
                .revoke_role(
                    &scope,
                    &ra(&in_b, &t.b, Role::Editor),
                    &ev("role.revoke", "x", 0, None),
                )
                .await,
            "revoking a role in B",
        );
        assert_eq!(head_seq(&store).await, seq, "refusals record nothing");
        assert_eq!(
            store.roles_of(in_b.id).await.unwrap(),
            vec![ra(&in_b, &t.b, Role::Editor)]
        );
    }
);

contract!(
    role_assignments_are_listed_within_scope,
    |store: Store| async move {
        let t = tree(&store).await;
        let admin_a = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let bo = mk_user(&store, "bo", Some((t.a1.id, Role::Editor))).await;
        assert!(assign(&store, &sys(), &ra(&bo, &t.b, Role::Reader)).await);
        let in_b = mk_user(&store, "in-b", Some((t.b.id, Role::Admin))).await;

        let scope = as_user(&admin_a, Permission::Administer);
        let mut seen = store.list_role_assignments(&scope, None).await.unwrap();
        seen.sort_by_key(|r| (r.unit_id, r.user_id));
        let mut want = vec![
            ra(&admin_a, &t.a, Role::Admin),
            ra(&bo, &t.a1, Role::Editor),
        ];
        want.sort_by_key(|r| (r.unit_id, r.user_id));
        assert_eq!(seen, want, "roles on A's subtree only");
        assert_eq!(
            store
                .list_role_assignments(&scope, Some(bo.id))
                .await
                .unwrap(),
            vec![ra(&bo, &t.a1, Role::Editor)],
            "bo's roles as A's admin sees them (not the one on B)"
        );
        assert!(
            store
                .list_role_assignments(&scope, Some(in_b.id))
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store
                .list_role_assignments(&sys(), None)
                .await
                .unwrap()
                .len(),
            4
        );
        assert_eq!(
            store
                .list_role_assignments(&sys(), Some(bo.id))
                .await
                .unwrap()
                .len(),
            2
        );
        let mut roles = store.roles_of(bo.id).await.unwrap();
        roles.sort_by_key(|r| r.unit_id);
        assert_eq!(roles.len(), 2, "roles_of is the actor's own, unscoped");
    }
);

contract!(root_role_holders_are_counted, |store: Store| async move {
    let t = tree(&store).await;
    assert_eq!(store.count_root_role_holders(Role::Admin).await.unwrap(), 0);
    let mut one = mk_user(&store, "one", Some((t.org.id, Role::Admin))).await;
    let _two = mk_user(&store, "two", Some((t.org.id, Role::Admin))).await;
    let _sub = mk_user(&store, "sub", Some((t.a.id, Role::Admin))).await;
    let _aud = mk_user(&store, "aud", Some((t.org.id, Role::Auditor))).await;
    assert!(assign(&store, &sys(), &ra(&one, &t.a, Role::Admin)).await);
    assert_eq!(
        store.count_root_role_holders(Role::Admin).await.unwrap(),
        2,
        "admins of the root, each once; not sub-unit admins nor auditors"
    );
    assert_eq!(
        store.count_root_role_holders(Role::Auditor).await.unwrap(),
        1
    );
    one.is_active = false;
    store
        .update_user(&sys(), &one, &ev("user.update", "user", one.id, None))
        .await
        .unwrap();
    assert_eq!(
        store.count_root_role_holders(Role::Admin).await.unwrap(),
        1,
        "active ones only"
    );
});

// ---- personal API tokens ------------------------------------------------------------------

fn token(name: &str, created_mins: i64, expires_mins: Option<i64>) -> ApiTokenInfo {
    ApiTokenInfo {
        id: ApiTokenId::new(),
        name: name.to_owned(),
        created_at: t0() + mins(created_mins),
        expires_at: expires_mins.map(|m| t0() + mins(m)),
        last_used_at: None,
        revoked_at: None,
    }
}

contract!(api_tokens_are_the_owners_own, |store: Store| async move {
    let t = tree(&store).await;
    let mut bo = mk_user(&store, "bo", Some((t.a.id, Role::Editor))).await;
    let cia = mk_user(&store, "cia", Some((t.a.id, Role::Editor))).await;

    let forever = token("ci", 0, None);
    let brief = token("brief", 1, Some(60));
    let seq = head_seq(&store).await;
    for (tok, hash) in [(&forever, "h-forever"), (&brief, "h-brief")] {
        store
            .create_api_token(
                bo.id,
                tok,
                hash,
                &ev("api_token.create", "api_token", tok.id, None),
            )
            .await
            .expect("create_api_token");
    }
    assert_eq!(head_seq(&store).await, seq + 2, "one record per token");
    let cias = token("cia's", 2, None);
    store
        .create_api_token(
            cia.id,
            &cias,
            "h-cia",
            &ev("api_token.create", "api_token", cias.id, None),
        )
        .await
        .unwrap();
    let r = store
        .create_api_token(
            cia.id,
            &token("dup", 3, None),
            "h-cia",
            &ev("x", "x", 0, None),
        )
        .await;
    assert!(
        matches!(r, Err(StoreError::Conflict(_))),
        "token hashes are unique: {r:?}"
    );

    assert_eq!(
        store.list_api_tokens(bo.id).await.unwrap(),
        vec![brief.clone(), forever.clone()],
        "the owner's tokens, newest first"
    );
    assert_eq!(
        store.list_api_tokens(cia.id).await.unwrap(),
        vec![cias.clone()]
    );

    // Valid tokens name their user and note the use; expiry is honoured.
    let now = t0() + mins(30);
    assert_eq!(
        store.api_token_user("h-forever", now).await.unwrap(),
        Some(bo.clone())
    );
    assert_eq!(
        store.api_token_user("h-brief", now).await.unwrap(),
        Some(bo.clone())
    );
    assert_eq!(
        store
            .api_token_user("h-brief", t0() + mins(60))
            .await
            .unwrap(),
        None,
        "expired"
    );
    assert_eq!(store.api_token_user("h-unknown", now).await.unwrap(), None);
    let listed = store.list_api_tokens(bo.id).await.unwrap();
    assert!(
        listed.iter().all(|t| t.last_used_at == Some(now)),
        "use is noted: {listed:?}"
    );

    // Revoking: one's own only.
    let seq = head_seq(&store).await;
    assert_not_found(
        store
            .revoke_api_token(
                bo.id,
                cias.id,
                now,
                &ev("api_token.revoke", "api_token", cias.id, None),
            )
            .await,
        "revoking another user's token",
    );
    assert_not_found(
        store
            .revoke_api_token(
                bo.id,
                ApiTokenId::new(),
                now,
                &ev("api_token.revoke", "api_token", 0, None),
            )
            .await,
        "revoking a missing token",
    );
    assert_eq!(head_seq(&store).await, seq);
    assert_eq!(
        store.api_token_user("h-cia", now).await.unwrap(),
        Some(cia.clone()),
        "still valid"
    );

    store
        .revoke_api_token(
            bo.id,
            forever.id,
            now,
            &ev("api_token.revoke", "api_token", forever.id, None),
        )
        .await
        .expect("revoke own");
    assert_one_record(&store, seq, "api_token.revoke").await;
    assert_eq!(
        store.api_token_user("h-forever", now).await.unwrap(),
        None,
        "revoked"
    );
    let listed = store.list_api_tokens(bo.id).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .find(|t| t.id == forever.id)
            .unwrap()
            .revoked_at,
        Some(now)
    );
    assert_not_found(
        store
            .revoke_api_token(
                bo.id,
                forever.id,
                now,
                &ev("api_token.revoke", "api_token", 0, None),
            )
            .await,
        "revoking twice",
    );

    // An inactive account's tokens do not work.
    bo.is_active = false;
    store
        .update_user(&sys(), &bo, &ev("user.update", "user", bo.id, None))
        .await
        .unwrap();
    assert_eq!(
        store.api_token_user("h-brief", now).await.unwrap(),
        None,
        "inactive owner"
    );
});
