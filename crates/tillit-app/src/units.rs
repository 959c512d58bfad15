//! The organisation tree: create, rename, move and merge units.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tillit_domain::unit::{self, Unit, UnitKind};
use tillit_domain::{Permission, UnitId};

use crate::{App, AppError, Caller, Result};

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewUnit {
    pub name: String,
    pub kind: UnitKind,
    pub parent_id: UnitId,
}

impl App {
    pub async fn list_units(&self, caller: &Caller, include_closed: bool) -> Result<Vec<Unit>> {
        Ok(self
            .store()
            .list_units(&caller.scope(Permission::Read), include_closed)
            .await?)
    }

    pub async fn get_unit(&self, caller: &Caller, id: UnitId) -> Result<Unit> {
        self.store()
            .get_unit(&caller.scope(Permission::Read), id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The units merged into this one, to show its history.
    pub async fn merged_into(&self, caller: &Caller, id: UnitId) -> Result<Vec<Unit>> {
        Ok(self
            .store()
            .merged_into(&caller.scope(Permission::Read), id)
            .await?)
    }

    /// A unit the caller may administer, or NotFound.
    async fn administered_unit(&self, caller: &Caller, id: UnitId) -> Result<Unit> {
        let scope = caller.scope(Permission::Administer);
        match self.store().get_unit(&scope, id).await? {
            Some(u) => Ok(u),
            // Readable but not administrable: say so instead of pretending it is not there.
            None if self
                .store()
                .get_unit(&caller.scope(Permission::Read), id)
                .await?
                .is_some() =>
            {
                Err(AppError::Forbidden)
            }
            None => Err(AppError::NotFound),
        }
    }

    pub async fn create_unit(&self, caller: &Caller, new: NewUnit) -> Result<Unit> {
        let name = unit::validate_name(&new.name)?;
        let parent = self.administered_unit(caller, new.parent_id).await?;
        unit::validate_placement(new.kind, Some(&parent))?;
        let u = Unit {
            id: UnitId::new(),
            parent_id: Some(parent.id),
            name,
            kind: new.kind,
            merged_into: None,
            created_at: Timestamp::now(),
            closed_at: None,
        };
        let ev = caller
            .event("unit.create", "unit", u.id)
            .unit(Some(u.id))
            .change(None::<&()>, Some(&u));
        self.store()
            .create_unit(&caller.scope(Permission::Administer), &u, &ev)
            .await?;
        Ok(u)
    }

    pub async fn rename_unit(&self, caller: &Caller, id: UnitId, name: &str) -> Result<Unit> {
        let before = self.administered_unit(caller, id).await?;
        let after = Unit {
            name: unit::validate_name(name)?,
            ..before.clone()
        };
        if after.name == before.name {
            return Ok(before);
        }
        let ev = caller
            .event("unit.rename", "unit", id)
            .unit(Some(id))
            .change(Some(&before), Some(&after));
        self.store()
            .rename_unit(&caller.scope(Permission::Administer), id, &after.name, &ev)
            .await?;
        Ok(after)
    }

    pub async fn move_unit(&self, caller: &Caller, id: UnitId, new_parent: UnitId) -> Result<Unit> {
        let before = self.administered_unit(caller, id).await?;
        let parent = self.administered_unit(caller, new_parent).await?;
        let scope = caller.scope(Permission::Administer);
        let ancestors = self.store().unit_ancestors(&scope, parent.id).await?;
        unit::validate_move(&before, &parent, &ancestors)?;
        let after = Unit {
            parent_id: Some(parent.id),
            ..before.clone()
        };
        let ev = caller
            .event("unit.move", "unit", id)
            .unit(Some(id))
            .change(Some(&before), Some(&after));
        self.store().move_unit(&scope, id, parent.id, &ev).await?;
        Ok(after)
    }

    /// Merges units into a target (e.g. two stadsdelsförvaltningar into Norra innerstaden).
    pub async fn merge_units(
        &self,
        caller: &Caller,
        sources: &[UnitId],
        target: UnitId,
    ) -> Result<Unit> {
        let target_unit = self.administered_unit(caller, target).await?;
        let mut source_units = Vec::with_capacity(sources.len());
        for id in sources {
            if source_units.iter().any(|u: &Unit| u.id == *id) {
                return Err(AppError::invalid("sources", "error-merge-duplicate"));
            }
            source_units.push(self.administered_unit(caller, *id).await?);
        }
        let scope = caller.scope(Permission::Administer);
        let ancestors = self.store().unit_ancestors(&scope, target).await?;
        unit::validate_merge(&source_units, &target_unit, &ancestors)?;
        let now = Timestamp::now();
        let events: Vec<_> = source_units
            .iter()
            .map(|s| {
                let after = Unit {
                    merged_into: Some(target),
                    closed_at: Some(now),
                    ..s.clone()
                };
                caller
                    .event("unit.merge", "unit", s.id)
                    .unit(Some(s.id))
                    .change(Some(s), Some(&after))
            })
            .collect();
        let ids: Vec<UnitId> = source_units.iter().map(|u| u.id).collect();
        self.store()
            .merge_units(&scope, &ids, target, now, &events)
            .await?;
        Ok(target_unit)
    }
}
