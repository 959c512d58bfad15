//! Tillit's domain: the rules of systematic information-security work, free of I/O.
//!
//! Everything here is pure: no database, no network, no clock (time is passed in).
//! The layers above (store, app, web) depend on this crate, never the other way round.

pub mod asset;
pub mod audit;
pub mod classification;
pub mod error;
pub mod ids;
pub mod job;
pub mod role;
pub mod scope;
pub mod unit;
pub mod user;

pub use error::DomainError;
pub use ids::{ApiTokenId, AssetId, ClassificationId, ModelId, UnitId, UserId};
pub use role::{Permission, Role, RoleAssignment};
pub use scope::{Actor, Scope};
pub use unit::{Unit, UnitKind};
pub use user::User;
