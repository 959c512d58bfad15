//! Who is asking, and for what. Every store call takes a [`Scope`]; the store turns it into
//! a filter on the units where the actor holds a role granting the permission, so a query
//! without a tenant filter cannot be written against the store API.

use crate::{Permission, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(UserId),
    /// The command line and background jobs, acting for the installation itself.
    System,
}

impl Actor {
    pub fn user_id(self) -> Option<UserId> {
        match self {
            Actor::User(id) => Some(id),
            Actor::System => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    pub actor: Actor,
    pub permission: Permission,
}

impl Scope {
    pub fn new(actor: Actor, permission: Permission) -> Self {
        Self { actor, permission }
    }

    pub fn system() -> Self {
        Self::new(Actor::System, Permission::Administer)
    }

    /// The same actor asking for another permission.
    pub fn with(self, permission: Permission) -> Self {
        Self { permission, ..self }
    }
}
