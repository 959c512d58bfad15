//! Roles are assigned on a unit and apply to its whole subtree.

use crate::{UnitId, UserId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages units, users and roles in the subtree, and everything else there.
    Admin,
    /// informationssäkerhetssamordnare
    SecurityCoordinator,
    /// dataskyddsombud
    DataProtectionOfficer,
    /// owner or editor of the subtree's records (systemägare, informationsägare, …)
    Editor,
    Reader,
    /// Reads everything in the subtree, including the audit log; writes nothing.
    Auditor,
}

/// What a caller wants to do; each store call is filtered by the units where the caller
/// holds a role that grants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Read,
    Write,
    /// Units, users and role assignments.
    Administer,
    ReadAudit,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::SecurityCoordinator,
        Role::DataProtectionOfficer,
        Role::Editor,
        Role::Reader,
        Role::Auditor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::SecurityCoordinator => "security_coordinator",
            Role::DataProtectionOfficer => "data_protection_officer",
            Role::Editor => "editor",
            Role::Reader => "reader",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn grants(self, permission: Permission) -> bool {
        use Permission::*;
        match self {
            Role::Admin => true,
            Role::SecurityCoordinator => matches!(permission, Read | Write | ReadAudit),
            Role::DataProtectionOfficer | Role::Editor => matches!(permission, Read | Write),
            Role::Reader => permission == Read,
            Role::Auditor => matches!(permission, Read | ReadAudit),
        }
    }

    /// The roles that grant `permission`, for building the scope filter.
    pub fn granting(permission: Permission) -> impl Iterator<Item = Role> {
        Self::ALL.into_iter().filter(move |r| r.grants(permission))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RoleAssignment {
    pub user_id: UserId,
    pub unit_id: UnitId,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auditor_reads_everything_and_writes_nothing() {
        assert!(Role::Auditor.grants(Permission::Read));
        assert!(Role::Auditor.grants(Permission::ReadAudit));
        assert!(!Role::Auditor.grants(Permission::Write));
        assert!(!Role::Auditor.grants(Permission::Administer));
    }

    #[test]
    fn only_admins_administer() {
        let admins: Vec<_> = Role::granting(Permission::Administer).collect();
        assert_eq!(admins, vec![Role::Admin]);
    }

    #[test]
    fn readers_only_read() {
        let writers: Vec<_> = Role::granting(Permission::Write).collect();
        assert!(!writers.contains(&Role::Reader));
        assert!(Role::Reader.grants(Permission::Read));
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
