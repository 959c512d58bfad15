//! The store's contract, part 1: the organisation tree (units, moves, merges) and tenancy
//! (what a role on a unit lets its holder see and change). Every test runs on SQLite, and on
//! PostgreSQL when `TILLIT_TEST_PG_URL` is set. Other parts: `contract_accounts.rs` (users,
//! sign-in, roles, API tokens), `contract_audit.rs` (the audit log and its tamper evidence),
//! `contract_jobs.rs` (jobs, backup and the store's life cycle).

#[macro_use]
mod common;

use common::*;
use tillit_domain::audit::AuditFilter;
use tillit_domain::{Permission, Role, UnitId, UnitKind};
use tillit_store::{Store, StoreError};

// ---- units ------------------------------------------------------------------------------

contract!(
    only_the_system_creates_an_organisation_root,
    |store: Store| async move {
        let org = new_unit("Org", UnitKind::Organisation, None);
        let seq = head_seq(&store).await;
        store
            .create_unit(
                &sys(),
                &org,
                &ev("unit.create", "unit", org.id, Some(org.id)),
            )
            .await
            .expect("the system creates a root");
        assert_one_record(&store, seq, "unit.create").await;
        assert_eq!(
            store.get_unit(&sys(), org.id).await.unwrap(),
            Some(org.clone()),
            "the root reads back unchanged"
        );

        // Even the organisation's own administrator cannot create another root.
        let admin = mk_user(&store, "admin", Some((org.id, Role::Admin))).await;
        let other = new_unit("Other", UnitKind::Organisation, None);
        let seq = head_seq(&store).await;
        assert_not_found(
            store
                .create_unit(
                    &as_user(&admin, Permission::Administer),
                    &other,
                    &ev("unit.create", "unit", other.id, Some(other.id)),
                )
                .await,
            "a user creating a root",
        );
        assert_eq!(
            head_seq(&store).await,
            seq,
            "a refused write records nothing"
        );
        assert_eq!(
            store.get_unit(&sys(), other.id).await.unwrap(),
            None,
            "no root was made"
        );
    }
);

contract!(
    units_are_created_read_and_listed_by_name,
    |store: Store| async move {
        let org = mk_unit(&store, &sys(), "Org", None).await;
        let mut children = Vec::new();
        for name in ["Gamma", "Alfa", "Delta", "Beta"] {
            let seq = head_seq(&store).await;
            children.push(mk_unit(&store, &sys(), name, Some(org.id)).await);
            assert_one_record(&store, seq, "unit.create").await;
        }
        let got = store.get_unit(&sys(), children[0].id).await.unwrap();
        assert_eq!(
            got,
            Some(children[0].clone()),
            "a child reads back with every field"
        );
        assert_eq!(got.unwrap().parent_id, Some(org.id));
        assert_eq!(
            unit_names(&store, &sys(), false).await,
            ["Alfa", "Beta", "Delta", "Gamma", "Org"],
            "list_units is ordered by name"
        );
        assert_eq!(
            store.get_unit(&sys(), UnitId::new()).await.unwrap(),
            None,
            "an unknown unit is None"
        );

        // Below a parent that does not exist.
        let orphan = new_unit("Orphan", UnitKind::Section, Some(UnitId::new()));
        let seq = head_seq(&store).await;
        assert_not_found(
            store
                .create_unit(&sys(), &orphan, &ev("unit.create", "unit", orphan.id, None))
                .await,
            "a unit below a missing parent",
        );
        assert_eq!(head_seq(&store).await, seq, "nothing recorded");

        // The same id twice is a conflict, and the first unit is untouched.
        let mut dup = children[1].clone();
        dup.name = "Duplicate".into();
        let r = store
            .create_unit(&sys(), &dup, &ev("unit.create", "unit", dup.id, None))
            .await;
        assert!(
            matches!(r, Err(StoreError::Conflict(_))),
            "a duplicate id: {r:?}"
        );
        assert_eq!(
            store.get_unit(&sys(), dup.id).await.unwrap().unwrap().name,
            "Alfa"
        );
    }
);

contract!(a_unit_is_renamed, |store: Store| async move {
    let t = tree(&store).await;
    let seq = head_seq(&store).await;
    store
        .rename_unit(
            &sys(),
            t.a.id,
            "Aa",
            &ev("unit.rename", "unit", t.a.id, Some(t.a.id)),
        )
        .await
        .expect("rename");
    assert_one_record(&store, seq, "unit.rename").await;
    let a = store.get_unit(&sys(), t.a.id).await.unwrap().unwrap();
    assert_eq!(a.name, "Aa", "the new name is stored");
    assert_eq!(a.parent_id, Some(t.org.id), "nothing else changed");
    assert_eq!(
        unit_names(&store, &sys(), false).await,
        ["A1", "Aa", "B", "Org"]
    );

    let seq = head_seq(&store).await;
    assert_not_found(
        store
            .rename_unit(
                &sys(),
                UnitId::new(),
                "X",
                &ev("unit.rename", "unit", 0, None),
            )
            .await,
        "renaming a missing unit",
    );
    assert_eq!(head_seq(&store).await, seq, "nothing recorded");
});

contract!(
    moving_a_subtree_keeps_the_closure_right,
    |store: Store| async move {
        let t = tree(&store).await;
        let a1x = mk_unit(&store, &sys(), "A1x", Some(t.a1.id)).await;
        let on_a = mk_user(&store, "on-a", Some((t.a.id, Role::Editor))).await;
        let on_b = mk_user(&store, "on-b", Some((t.b.id, Role::Editor))).await;
        assert_eq!(
            store.unit_ancestors(&sys(), a1x.id).await.unwrap(),
            vec![a1x.id, t.a1.id, t.a.id, t.org.id],
            "before the move"
        );
        assert!(
            store
                .get_unit(&as_user(&on_a, Permission::Read), a1x.id)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            store
                .get_unit(&as_user(&on_b, Permission::Read), a1x.id)
                .await
                .unwrap()
                .is_none()
        );

        let seq = head_seq(&store).await;
        store
            .move_unit(
                &sys(),
                t.a1.id,
                t.b.id,
                &ev("unit.move", "unit", t.a1.id, Some(t.a1.id)),
            )
            .await
            .expect("move A1 below B");
        assert_one_record(&store, seq, "unit.move").await;

        assert_eq!(
            store
                .get_unit(&sys(), t.a1.id)
                .await
                .unwrap()
                .unwrap()
                .parent_id,
            Some(t.b.id),
            "the parent pointer follows"
        );
        assert_eq!(
            store.unit_ancestors(&sys(), a1x.id).await.unwrap(),
            vec![a1x.id, t.a1.id, t.b.id, t.org.id],
            "the grandchild's chain goes through the new parent, nearest first"
        );
        assert_eq!(
            store.unit_ancestors(&sys(), t.a1.id).await.unwrap(),
            vec![t.a1.id, t.b.id, t.org.id]
        );
        assert_eq!(
            store.unit_ancestors(&sys(), t.a.id).await.unwrap(),
            vec![t.a.id, t.org.id],
            "the old parent's chain is unchanged"
        );

        let b_reader = as_user(&on_b, Permission::Read);
        let a_reader = as_user(&on_a, Permission::Read);
        assert_eq!(
            unit_names(&store, &b_reader, false).await,
            ["A1", "A1x", "B"],
            "B now covers"
        );
        assert_eq!(
            unit_names(&store, &a_reader, false).await,
            ["A"],
            "A no longer covers"
        );
        assert!(store.get_unit(&b_reader, a1x.id).await.unwrap().is_some());
        assert!(store.get_unit(&a_reader, a1x.id).await.unwrap().is_none());

        // And back again: the closure stays exact (no stale or duplicate rows).
        store
            .move_unit(
                &sys(),
                t.a1.id,
                t.a.id,
                &ev("unit.move", "unit", t.a1.id, Some(t.a1.id)),
            )
            .await
            .expect("move back");
        assert_eq!(
            store.unit_ancestors(&sys(), a1x.id).await.unwrap(),
            vec![a1x.id, t.a1.id, t.a.id, t.org.id]
        );
        assert_eq!(unit_names(&store, &b_reader, false).await, ["B"]);
        assert_eq!(
            unit_names(&store, &a_reader, false).await,
            ["A", "A1", "A1x"]
        );
    }
);

contract!(
    merging_units_rehomes_children_roles_and_history,
    |store: Store| async move {
        let org = mk_unit(&store, &sys(), "Org", None).await;
        let s1 = mk_unit(&store, &sys(), "S1", Some(org.id)).await;
        let s2 = mk_unit(&store, &sys(), "S2", Some(org.id)).await;
        let target = mk_unit(&store, &sys(), "T", Some(org.id)).await;
        let s1c = mk_unit(&store, &sys(), "S1c", Some(s1.id)).await;
        let s2c = mk_unit(&store, &sys(), "S2c", Some(s2.id)).await;
        let s2cc = mk_unit(&store, &sys(), "S2cc", Some(s2c.id)).await;

        // u1 holds Editor on both sources (collapses to one), u2 Reader on S1, u3 Editor on S2
        // and already on T (collapses into the existing one), auditor only on T.
        let u1 = mk_user(&store, "u1", Some((s1.id, Role::Editor))).await;
        assert!(assign(&store, &sys(), &ra(&u1, &s2, Role::Editor)).await);
        let u2 = mk_user(&store, "u2", Some((s1.id, Role::Reader))).await;
        let u3 = mk_user(&store, "u3", Some((s2.id, Role::Editor))).await;
        assert!(assign(&store, &sys(), &ra(&u3, &target, Role::Editor)).await);
        let auditor = mk_user(&store, "auditor", Some((target.id, Role::Auditor))).await;

        let at = t0() + mins(60);
        let events = [
            ev("unit.merge", "unit", s1.id, Some(s1.id)),
            ev("unit.merge", "unit", s2.id, Some(s2.id)),
        ];
        let seq = head_seq(&store).await;
        store
            .merge_units(&sys(), &[s1.id, s2.id], target.id, at, &events)
            .await
            .expect("merge");
        assert_eq!(
            head_seq(&store).await,
            seq + 2,
            "one record per event given"
        );

        // Sub-units now hang below the target, with the closure updated.
        for c in [&s1c, &s2c] {
            let c = store.get_unit(&sys(), c.id).await.unwrap().unwrap();
            assert_eq!(
                c.parent_id,
                Some(target.id),
                "{} re-parented to the target",
                c.name
            );
            assert!(c.is_open(), "{} stays open", c.name);
        }
        assert_eq!(
            store.unit_ancestors(&sys(), s2cc.id).await.unwrap(),
            vec![s2cc.id, s2c.id, target.id, org.id],
            "a grandchild's chain goes through the target"
        );

        // Role assignments are re-homed and duplicates collapse.
        let roles = |u: UnitId| {
            let store = store.clone();
            async move {
                store
                    .list_role_assignments(&sys(), None)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|r| r.unit_id == u)
                    .collect::<Vec<_>>()
            }
        };
        assert!(roles(s1.id).await.is_empty(), "no roles left on S1");
        assert!(roles(s2.id).await.is_empty(), "no roles left on S2");
        let on_target = roles(target.id).await;
        assert_eq!(
            on_target.len(),
            4,
            "u1, u2, u3 and the auditor, once each: {on_target:?}"
        );
        for (u, role) in [
            (&u1, Role::Editor),
            (&u2, Role::Reader),
            (&u3, Role::Editor),
        ] {
            assert_eq!(
                store
                    .list_role_assignments(&sys(), Some(u.id))
                    .await
                    .unwrap(),
                vec![ra(u, &target, role)],
                "{} holds exactly its role, on the target",
                u.username
            );
            assert_eq!(
                store.roles_of(u.id).await.unwrap(),
                vec![ra(u, &target, role)]
            );
        }
        // u2's old scope now reaches the moved children through the target.
        assert_eq!(
            unit_names(&store, &as_user(&u2, Permission::Read), false).await,
            ["S1c", "S2c", "S2cc", "T"]
        );

        // The sources are closed, pointing at the target.
        for s in [&s1, &s2] {
            let got = store.get_unit(&sys(), s.id).await.unwrap().unwrap();
            assert_eq!(got.closed_at, Some(at), "{} closed at the merge", s.name);
            assert_eq!(
                got.merged_into,
                Some(target.id),
                "{} points at the target",
                s.name
            );
        }
        assert_eq!(
            unit_names(&store, &sys(), false).await,
            ["Org", "S1c", "S2c", "S2cc", "T"],
            "closed units are hidden by default"
        );
        assert_eq!(
            unit_names(&store, &sys(), true).await,
            ["Org", "S1", "S1c", "S2", "S2c", "S2cc", "T"],
            "and shown when asked for"
        );
        let merged: Vec<_> = store
            .merged_into(&sys(), target.id)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(merged, vec![s1.id, s2.id], "merged_into lists both sources");
        assert_eq!(
            store
                .merged_into(&as_user(&auditor, Permission::Read), target.id)
                .await
                .unwrap()
                .len(),
            2,
            "the target's own people see what it was formed from"
        );
        assert!(store.merged_into(&sys(), s1.id).await.unwrap().is_empty());

        // The sources' history is read through the target, also by someone scoped to it alone.
        let filter = AuditFilter {
            unit_id: Some(target.id),
            limit: 100,
            ..Default::default()
        };
        for scope in [sys(), as_user(&auditor, Permission::ReadAudit)] {
            let recs = store.list_audit(&scope, &filter).await.unwrap();
            for s in [&s1, &s2, &target] {
                assert!(
                    recs.iter()
                        .any(|r| r.unit_id == Some(s.id) && r.action == "unit.create"),
                    "{scope:?}: {}'s creation is in the target's history",
                    s.name
                );
            }
            assert!(
                recs.iter()
                    .any(|r| r.unit_id == Some(s1.id) && r.action == "unit.merge"),
                "{scope:?}: the merge itself is in the target's history"
            );
            assert!(
                recs.iter()
                    .all(|r| [Some(s1.id), Some(s2.id), Some(target.id)].contains(&r.unit_id)),
                "{scope:?}: only the target's and its sources' records"
            );
        }

        // A later merge of the target carries its sources along.
        let t2 = mk_unit(&store, &sys(), "T2", Some(org.id)).await;
        store
            .merge_units(
                &sys(),
                &[target.id],
                t2.id,
                at + mins(1),
                &[ev("unit.merge", "unit", target.id, Some(target.id))],
            )
            .await
            .expect("second merge");
        let names: Vec<_> = store
            .merged_into(&sys(), t2.id)
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(
            names,
            ["S1", "S2", "T"],
            "merged_into follows earlier merges"
        );
        let recs = store
            .list_audit(
                &sys(),
                &AuditFilter {
                    unit_id: Some(t2.id),
                    limit: 500,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert!(
            recs.iter().any(|r| r.unit_id == Some(s2.id)),
            "S2's history reaches T2"
        );
        assert_eq!(
            verify_chain(&store).await,
            Ok(head_seq(&store).await),
            "the chain holds"
        );
    }
);

contract!(
    roles_on_closed_units_are_not_the_actors,
    |store: Store| async move {
        let t = tree(&store).await;
        let user = mk_user(&store, "user", Some((t.a1.id, Role::Editor))).await;
        assert!(assign(&store, &sys(), &ra(&user, &t.b, Role::Reader)).await);
        let mut roles = store.roles_of(user.id).await.unwrap();
        roles.sort_by_key(|r| r.unit_id);
        let mut want = vec![
            ra(&user, &t.a1, Role::Editor),
            ra(&user, &t.b, Role::Reader),
        ];
        want.sort_by_key(|r| r.unit_id);
        assert_eq!(roles, want, "both roles while the units are open");

        store
            .merge_units(
                &sys(),
                &[t.a1.id],
                t.a.id,
                t0(),
                &[ev("unit.merge", "unit", t.a1.id, Some(t.a1.id))],
            )
            .await
            .unwrap();
        // A role granted on the closed unit afterwards (e.g. by an import) is not the actor's.
        assert!(assign(&store, &sys(), &ra(&user, &t.a1, Role::Admin)).await);
        let roles = store.roles_of(user.id).await.unwrap();
        assert!(
            !roles.iter().any(|r| r.unit_id == t.a1.id),
            "no role on the closed unit: {roles:?}"
        );
        assert!(
            roles.contains(&ra(&user, &t.a, Role::Editor)),
            "the re-homed role is: {roles:?}"
        );
        assert!(roles.contains(&ra(&user, &t.b, Role::Reader)));
    }
);

// ---- tenancy ----------------------------------------------------------------------------

contract!(
    a_role_on_a_unit_covers_its_subtree_only,
    |store: Store| async move {
        let t = tree(&store).await;
        let user = mk_user(&store, "anna", Some((t.a.id, Role::Editor))).await;
        let read = as_user(&user, Permission::Read);
        assert_eq!(
            unit_names(&store, &read, false).await,
            ["A", "A1"],
            "A and its subtree"
        );
        assert!(store.get_unit(&read, t.a.id).await.unwrap().is_some());
        assert!(store.get_unit(&read, t.a1.id).await.unwrap().is_some());
        assert_eq!(
            store.get_unit(&read, t.b.id).await.unwrap(),
            None,
            "B is out of scope"
        );
        assert_eq!(
            store.get_unit(&read, t.org.id).await.unwrap(),
            None,
            "the root is too"
        );
        assert_eq!(
            store.unit_ancestors(&read, t.a1.id).await.unwrap(),
            vec![t.a1.id, t.a.id, t.org.id],
            "the chain of a unit in scope"
        );
        assert!(
            store
                .unit_ancestors(&read, t.b.id)
                .await
                .unwrap()
                .is_empty(),
            "nothing about a unit out of scope"
        );
        assert!(store.merged_into(&read, t.b.id).await.unwrap().is_empty());
        let nobody = mk_user(&store, "nobody", None).await;
        assert!(
            store
                .list_units(&as_user(&nobody, Permission::Read), true)
                .await
                .unwrap()
                .is_empty(),
            "a user without roles sees no unit"
        );
    }
);

contract!(
    writes_outside_scope_are_not_found,
    |store: Store| async move {
        let t = tree(&store).await;
        let admin = mk_user(&store, "admin-a", Some((t.a.id, Role::Admin))).await;
        let scope = as_user(&admin, Permission::Administer);
        let seq = head_seq(&store).await;

        assert_not_found(
            store
                .rename_unit(
                    &scope,
                    t.b.id,
                    "Hijacked",
                    &ev("unit.rename", "unit", t.b.id, None),
                )
                .await,
            "rename B",
        );
        assert_not_found(
            store
                .move_unit(
                    &scope,
                    t.b.id,
                    t.a.id,
                    &ev("unit.move", "unit", t.b.id, None),
                )
                .await,
            "move B below A",
        );
        assert_not_found(
            store
                .move_unit(
                    &scope,
                    t.a1.id,
                    t.b.id,
                    &ev("unit.move", "unit", t.a1.id, None),
                )
                .await,
            "move A1 below B",
        );
        let under_b = new_unit("Under B", UnitKind::Section, Some(t.b.id));
        assert_not_found(
            store
                .create_unit(
                    &scope,
                    &under_b,
                    &ev("unit.create", "unit", under_b.id, None),
                )
                .await,
            "create under B",
        );
        assert_not_found(
            store
                .merge_units(
                    &scope,
                    &[t.b.id],
                    t.a.id,
                    t0(),
                    &[ev("unit.merge", "unit", t.b.id, None)],
                )
                .await,
            "merge B into A",
        );
        assert_not_found(
            store
                .merge_units(
                    &scope,
                    &[t.a1.id],
                    t.b.id,
                    t0(),
                    &[ev("unit.merge", "unit", t.a1.id, None)],
                )
                .await,
            "merge A1 into B",
        );
        assert_eq!(head_seq(&store).await, seq, "refused writes record nothing");
        let b = store.get_unit(&sys(), t.b.id).await.unwrap().unwrap();
        assert_eq!(
            (b.name.as_str(), b.parent_id, b.closed_at),
            ("B", Some(t.org.id), None)
        );
        let a1 = store.get_unit(&sys(), t.a1.id).await.unwrap().unwrap();
        assert_eq!(
            (a1.parent_id, a1.closed_at),
            (Some(t.a.id), None),
            "A1 untouched"
        );
        assert_eq!(store.get_unit(&sys(), under_b.id).await.unwrap(), None);

        // Inside the subtree the same admin may act.
        let under_a1 = new_unit("Under A1", UnitKind::Section, Some(t.a1.id));
        store
            .create_unit(
                &scope,
                &under_a1,
                &ev("unit.create", "unit", under_a1.id, Some(under_a1.id)),
            )
            .await
            .expect("create under A1");
        store
            .rename_unit(
                &scope,
                t.a1.id,
                "A1 renamed",
                &ev("unit.rename", "unit", t.a1.id, None),
            )
            .await
            .expect("rename A1");
        store
            .move_unit(
                &scope,
                under_a1.id,
                t.a.id,
                &ev("unit.move", "unit", under_a1.id, None),
            )
            .await
            .expect("move within A");
        assert_eq!(head_seq(&store).await, seq + 3);
    }
);

contract!(
    a_scope_grants_only_its_roles_permissions,
    |store: Store| async move {
        let t = tree(&store).await;
        let reader = mk_user(&store, "reader", Some((t.a.id, Role::Reader))).await;
        let auditor = mk_user(&store, "auditor", Some((t.a.id, Role::Auditor))).await;
        let editor = mk_user(&store, "editor", Some((t.a.id, Role::Editor))).await;
        store
            .append_audit(&ev("test.event", "unit", t.a.id, Some(t.a.id)))
            .await
            .unwrap();
        let all = AuditFilter {
            limit: 500,
            ..Default::default()
        };

        // Reader: Read only.
        assert_eq!(
            unit_names(&store, &as_user(&reader, Permission::Read), true).await,
            ["A", "A1"]
        );
        for p in [
            Permission::Write,
            Permission::Administer,
            Permission::ReadAudit,
        ] {
            assert!(
                store
                    .list_units(&as_user(&reader, p), true)
                    .await
                    .unwrap()
                    .is_empty(),
                "a Reader's {p:?} scope sees nothing"
            );
        }
        assert!(
            store
                .list_audit(&as_user(&reader, Permission::ReadAudit), &all)
                .await
                .unwrap()
                .is_empty()
        );
        assert_not_found(
            store
                .rename_unit(
                    &as_user(&reader, Permission::Write),
                    t.a.id,
                    "X",
                    &ev("unit.rename", "unit", t.a.id, None),
                )
                .await,
            "a Reader renaming",
        );

        // Auditor: Read and ReadAudit, not Write.
        let aud_read = as_user(&auditor, Permission::Read);
        assert_eq!(unit_names(&store, &aud_read, true).await, ["A", "A1"]);
        let recs = store
            .list_audit(&as_user(&auditor, Permission::ReadAudit), &all)
            .await
            .unwrap();
        assert!(
            recs.iter().any(|r| r.action == "test.event"),
            "an Auditor reads A's audit records"
        );
        assert!(
            store
                .list_units(&as_user(&auditor, Permission::Write), true)
                .await
                .unwrap()
                .is_empty()
        );
        assert_not_found(
            store
                .rename_unit(
                    &as_user(&auditor, Permission::Write),
                    t.a.id,
                    "X",
                    &ev("unit.rename", "unit", t.a.id, None),
                )
                .await,
            "an Auditor renaming",
        );

        // Editor: Read and Write, neither Administer nor ReadAudit.
        assert_eq!(
            unit_names(&store, &as_user(&editor, Permission::Write), true).await,
            ["A", "A1"]
        );
        assert!(
            store
                .list_units(&as_user(&editor, Permission::Administer), true)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .list_audit(&as_user(&editor, Permission::ReadAudit), &all)
                .await
                .unwrap()
                .is_empty()
        );
        store
            .rename_unit(
                &as_user(&editor, Permission::Write),
                t.a1.id,
                "A1 new",
                &ev("unit.rename", "unit", t.a1.id, None),
            )
            .await
            .expect("an Editor's Write scope covers A1");
    }
);
