//! The organisation tree, flattened in display order with each unit's depth, and the
//! `<option>` lists built from it.

use std::collections::{HashMap, HashSet};

use tillit_app::Caller;
use tillit_domain::{Role, Unit, UnitId};

use super::i18n::I18n;

#[derive(Debug, Clone)]
pub struct TreeRow {
    pub unit: Unit,
    pub depth: usize,
    pub parent_name: Option<String>,
    /// The name of the unit this one was merged into.
    pub merged_into_name: Option<String>,
}

impl TreeRow {
    pub fn id(&self) -> String {
        self.unit.id.to_string()
    }

    /// For the name cell's `padding-inline-start`.
    pub fn indent(&self) -> String {
        format!("{:.2}rem", 0.5 + 1.5 * self.depth.min(12) as f32)
    }

    pub fn kind_label(&self, i: &I18n) -> String {
        i.t(&kind_key(self.unit.kind.as_str()))
    }

    pub fn is_open(&self) -> bool {
        self.unit.is_open()
    }
}

pub fn kind_key(kind: &str) -> String {
    format!("kind-{kind}")
}

pub fn role_key(role: Role) -> String {
    format!("role-{}", role.as_str().replace('_', "-"))
}

/// The units in tree order: parents before children, siblings by name. Units whose parent
/// is not in the list (outside the caller's scope) start trees of their own.
pub fn tree(units: &[Unit]) -> Vec<TreeRow> {
    let by_id: HashMap<UnitId, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let mut children: HashMap<Option<UnitId>, Vec<&Unit>> = HashMap::new();
    for u in units {
        let parent = u.parent_id.filter(|p| by_id.contains_key(p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by_key(|u| (u.name.to_lowercase(), u.id));
    }
    let mut out = Vec::with_capacity(units.len());
    let mut seen = HashSet::new();
    let mut stack: Vec<(&Unit, usize)> = children
        .get(&None)
        .map(|v| v.iter().rev().map(|u| (*u, 0)).collect())
        .unwrap_or_default();
    while let Some((u, depth)) = stack.pop() {
        if !seen.insert(u.id) {
            continue;
        }
        let name_of = |id: Option<UnitId>| id.and_then(|p| by_id.get(&p)).map(|p| p.name.clone());
        out.push(TreeRow {
            unit: u.clone(),
            depth,
            parent_name: name_of(u.parent_id),
            merged_into_name: name_of(u.merged_into),
        });
        if let Some(kids) = children.get(&Some(u.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    out
}

/// One `<option>`.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// Open units as options, indented by depth, `selected` marked.
pub fn unit_options<'a>(rows: impl IntoIterator<Item = &'a TreeRow>, selected: &str) -> Vec<Opt> {
    rows.into_iter()
        .filter(|r| r.unit.is_open())
        .map(|r| {
            let value = r.unit.id.to_string();
            Opt {
                selected: value == selected,
                label: format!("{}{}", "\u{a0}\u{a0}\u{a0}".repeat(r.depth), r.unit.name),
                value,
            }
        })
        .collect()
}

/// The units where the caller holds the admin role, and everything below them.
pub fn administered<'a>(rows: &'a [TreeRow], caller: &Caller) -> Vec<&'a TreeRow> {
    let mut out = Vec::new();
    // Rows come in tree order, so a subtree is the run of deeper rows after its root.
    let mut inside_from: Option<usize> = None;
    for r in rows {
        if inside_from.is_some_and(|d| r.depth <= d) {
            inside_from = None;
        }
        if inside_from.is_none() && caller.has_role_on(r.unit.id, Role::Admin) {
            inside_from = Some(r.depth);
        }
        if inside_from.is_some() {
            out.push(r);
        }
    }
    out
}

pub fn role_options(i: &I18n, selected: &str) -> Vec<Opt> {
    Role::ALL
        .into_iter()
        .map(|r| Opt {
            value: r.as_str().to_owned(),
            label: i.t(&role_key(r)),
            selected: r.as_str() == selected,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;
    use tillit_domain::UnitKind;

    fn unit(name: &str, parent: Option<&Unit>) -> Unit {
        Unit {
            id: UnitId::new(),
            parent_id: parent.map(|p| p.id),
            name: name.into(),
            kind: if parent.is_some() {
                UnitKind::Section
            } else {
                UnitKind::Organisation
            },
            merged_into: None,
            created_at: Timestamp::UNIX_EPOCH,
            closed_at: None,
        }
    }

    #[test]
    fn parents_come_before_children_and_siblings_by_name() {
        let root = unit("Staden", None);
        let b = unit("Bolaget", Some(&root));
        let a = unit("anstalten", Some(&root));
        let a1 = unit("Enhet 1", Some(&a));
        let mut merged = unit("Gamla", Some(&root));
        merged.merged_into = Some(a.id);
        merged.closed_at = Some(Timestamp::UNIX_EPOCH);
        let rows = tree(&[
            b.clone(),
            a1.clone(),
            merged.clone(),
            root.clone(),
            a.clone(),
        ]);
        let names: Vec<_> = rows
            .iter()
            .map(|r| (r.unit.name.as_str(), r.depth))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Staden", 0),
                ("anstalten", 1),
                ("Enhet 1", 2),
                ("Bolaget", 1),
                ("Gamla", 1)
            ]
        );
        assert_eq!(rows[2].parent_name.as_deref(), Some("anstalten"));
        assert_eq!(rows[4].merged_into_name.as_deref(), Some("anstalten"));
        let opts = unit_options(&rows, &a.id.to_string());
        assert_eq!(opts.len(), 4, "closed units are not offered");
        assert!(opts[1].selected && opts[1].label.ends_with("anstalten"));
    }

    #[test]
    fn units_outside_scope_start_their_own_trees() {
        let root = unit("Staden", None);
        let a = unit("A", Some(&root));
        let a1 = unit("A1", Some(&a));
        let rows = tree(&[a1, a]);
        assert_eq!(rows.iter().map(|r| r.depth).collect::<Vec<_>>(), vec![0, 1]);
    }
}
