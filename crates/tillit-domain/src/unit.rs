//! The organisation tree: an organisation (kommun/stad) at the root, and below it
//! nämnder, förvaltningar, bolag and enheter. Units merge (Norra innerstaden was formed
//! 2023-07-01 from two), and a merged unit is kept, closed, so its history survives.

use crate::{DomainError, UnitId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// kommun / stad: the root of the tree.
    Organisation,
    /// nämnd: a committee, its own GDPR controller.
    Committee,
    /// förvaltning: an administration.
    Administration,
    /// bolag: a municipal company.
    Company,
    /// enhet: a section or department.
    Section,
}

impl UnitKind {
    pub const ALL: [UnitKind; 5] = [
        UnitKind::Organisation,
        UnitKind::Committee,
        UnitKind::Administration,
        UnitKind::Company,
        UnitKind::Section,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Organisation => "organisation",
            UnitKind::Committee => "committee",
            UnitKind::Administration => "administration",
            UnitKind::Company => "company",
            UnitKind::Section => "section",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Unit {
    pub id: UnitId,
    /// `None` only for the organisation at the root.
    pub parent_id: Option<UnitId>,
    pub name: String,
    pub kind: UnitKind,
    /// Set when this unit was merged into another; the unit is then closed.
    pub merged_into: Option<UnitId>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub closed_at: Option<Timestamp>,
}

impl Unit {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

pub const NAME_MAX_CHARS: usize = 200;

/// Trims and checks a unit name.
pub fn validate_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DomainError::invalid("name", "error-name-empty"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(DomainError::invalid("name", "error-name-too-long"));
    }
    if name.chars().any(char::is_control) {
        return Err(DomainError::invalid("name", "error-name-control"));
    }
    Ok(name.to_owned())
}

/// Only the organisation sits at the root, and it cannot sit anywhere else.
pub fn validate_placement(kind: UnitKind, parent: Option<&Unit>) -> Result<(), DomainError> {
    match (kind, parent) {
        (UnitKind::Organisation, None) => Ok(()),
        (UnitKind::Organisation, Some(_)) => {
            Err(DomainError::invalid("kind", "error-organisation-is-root"))
        }
        (_, None) => Err(DomainError::invalid("parent_id", "error-parent-required")),
        (_, Some(p)) if !p.is_open() => Err(DomainError::invalid("parent_id", "error-unit-closed")),
        (_, Some(_)) => Ok(()),
    }
}

/// A unit may not move below itself: `new_parent_ancestors` is the new parent's chain up to
/// the root, the new parent included.
pub fn validate_move(
    unit: &Unit,
    new_parent: &Unit,
    new_parent_ancestors: &[UnitId],
) -> Result<(), DomainError> {
    if unit.kind == UnitKind::Organisation {
        return Err(DomainError::invalid("id", "error-organisation-is-root"));
    }
    if !unit.is_open() || !new_parent.is_open() {
        return Err(DomainError::invalid("parent_id", "error-unit-closed"));
    }
    if new_parent.id == unit.id || new_parent_ancestors.contains(&unit.id) {
        return Err(DomainError::invalid(
            "parent_id",
            "error-move-into-own-subtree",
        ));
    }
    Ok(())
}

/// Merging closes the sources and re-homes their records into the target. The target must
/// be open, not one of the sources, and not inside a source's subtree (which would vanish).
pub fn validate_merge(
    sources: &[Unit],
    target: &Unit,
    target_ancestors: &[UnitId],
) -> Result<(), DomainError> {
    if sources.is_empty() {
        return Err(DomainError::invalid("sources", "error-merge-no-sources"));
    }
    if !target.is_open() {
        return Err(DomainError::invalid("target", "error-unit-closed"));
    }
    for s in sources {
        if s.kind == UnitKind::Organisation {
            return Err(DomainError::invalid(
                "sources",
                "error-organisation-is-root",
            ));
        }
        if !s.is_open() {
            return Err(DomainError::invalid("sources", "error-unit-closed"));
        }
        if s.id == target.id || target_ancestors.contains(&s.id) {
            return Err(DomainError::invalid("target", "error-merge-into-source"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(kind: UnitKind) -> Unit {
        Unit {
            id: UnitId::new(),
            parent_id: None,
            name: "x".into(),
            kind,
            merged_into: None,
            created_at: Timestamp::UNIX_EPOCH,
            closed_at: None,
        }
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(
            validate_name("  Norra innerstaden ").unwrap(),
            "Norra innerstaden"
        );
        assert!(validate_name("   ").is_err());
        assert!(validate_name(&"å".repeat(201)).is_err());
        assert!(validate_name(&"å".repeat(200)).is_ok());
        assert!(validate_name("a\u{0}b").is_err());
    }

    #[test]
    fn only_the_organisation_is_root() {
        let org = unit(UnitKind::Organisation);
        assert!(validate_placement(UnitKind::Organisation, None).is_ok());
        assert!(validate_placement(UnitKind::Organisation, Some(&org)).is_err());
        assert!(validate_placement(UnitKind::Committee, None).is_err());
        assert!(validate_placement(UnitKind::Committee, Some(&org)).is_ok());
        let mut closed = unit(UnitKind::Administration);
        closed.closed_at = Some(Timestamp::UNIX_EPOCH);
        assert!(validate_placement(UnitKind::Section, Some(&closed)).is_err());
    }

    #[test]
    fn a_unit_cannot_move_below_itself() {
        let a = unit(UnitKind::Administration);
        let child = unit(UnitKind::Section);
        let other = unit(UnitKind::Committee);
        assert!(validate_move(&a, &child, &[child.id, a.id]).is_err());
        assert!(validate_move(&a, &a, &[a.id]).is_err());
        assert!(validate_move(&a, &other, &[other.id]).is_ok());
        assert!(validate_move(&unit(UnitKind::Organisation), &other, &[other.id]).is_err());
    }

    #[test]
    fn merge_rules() {
        let a = unit(UnitKind::Administration);
        let b = unit(UnitKind::Administration);
        let t = unit(UnitKind::Administration);
        assert!(validate_merge(&[a.clone(), b.clone()], &t, &[t.id]).is_ok());
        assert!(validate_merge(&[], &t, &[t.id]).is_err());
        assert!(validate_merge(std::slice::from_ref(&a), &a, &[a.id]).is_err());
        // target inside a source's subtree
        assert!(validate_merge(std::slice::from_ref(&a), &t, &[t.id, a.id]).is_err());
        let mut closed = b.clone();
        closed.closed_at = Some(Timestamp::UNIX_EPOCH);
        assert!(validate_merge(&[closed], &t, &[t.id]).is_err());
    }
}
