//! The inventory: systems, services and information sets, and how they depend on each other.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use tillit_domain::asset::{
    self, Asset, AssetFilter, AssetKind, AssetLink, AssetPage, Coverage, Criticality, Hosting,
    Levels, Lifecycle, LinkKind,
};
use tillit_domain::classification::{ClassificationStatus, levels_of};
use tillit_domain::{AssetId, Permission, UnitId};

use crate::{App, AppError, Caller, Result};

/// What a person fills in for a new asset.
#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct NewAsset {
    pub unit_id: UnitId,
    pub kind: AssetKind,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default = "default_lifecycle")]
    pub lifecycle: Lifecycle,
    #[serde(default = "default_hosting")]
    pub hosting: Hosting,
    #[serde(default)]
    pub nis2_covered: bool,
    pub criticality: Option<Criticality>,
    pub supplier: Option<String>,
    pub system_owner: Option<String>,
    pub object_leader: Option<String>,
    pub information_owner: Option<String>,
}

fn default_lifecycle() -> Lifecycle {
    Lifecycle::InUse
}

fn default_hosting() -> Hosting {
    Hosting::Unknown
}

impl NewAsset {
    /// The asset this describes, checked, with a new id and the given time.
    pub fn into_asset(self, at: Timestamp) -> Result<Asset> {
        Ok(Asset {
            id: AssetId::new(),
            unit_id: self.unit_id,
            kind: self.kind,
            name: self.name,
            description: self.description,
            lifecycle: self.lifecycle,
            hosting: self.hosting,
            nis2_covered: self.nis2_covered,
            criticality: self.criticality,
            supplier: self.supplier,
            system_owner: self.system_owner,
            object_leader: self.object_leader,
            information_owner: self.information_owner,
            created_at: at,
            updated_at: at,
        }
        .validated()?)
    }
}

/// Changes to an asset; fields left out stay as they are. The kind never changes (links and
/// classifications depend on it).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct AssetUpdate {
    pub unit_id: Option<UnitId>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub lifecycle: Option<Lifecycle>,
    pub hosting: Option<Hosting>,
    pub nis2_covered: Option<bool>,
    /// `null` leaves it; use `clear_criticality` to remove it.
    pub criticality: Option<Criticality>,
    #[serde(default)]
    pub clear_criticality: bool,
    pub supplier: Option<String>,
    pub system_owner: Option<String>,
    pub object_leader: Option<String>,
    pub information_owner: Option<String>,
}

fn conflict_is_duplicate(e: AppError) -> AppError {
    match e {
        AppError::Conflict(_) => AppError::invalid("name", "error-asset-duplicate"),
        other => other,
    }
}

impl App {
    pub async fn list_assets(&self, caller: &Caller, filter: &AssetFilter) -> Result<AssetPage> {
        Ok(self
            .store()
            .list_assets(&caller.scope(Permission::Read), filter)
            .await?)
    }

    pub async fn get_asset(&self, caller: &Caller, id: AssetId) -> Result<Asset> {
        self.store()
            .get_asset(&caller.scope(Permission::Read), id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// An asset the caller may change: NotFound when it cannot even read it.
    async fn writable_asset(&self, caller: &Caller, id: AssetId) -> Result<Asset> {
        match self
            .store()
            .get_asset(&caller.scope(Permission::Write), id)
            .await?
        {
            Some(a) => Ok(a),
            None => {
                self.get_asset(caller, id).await?;
                Err(AppError::Forbidden)
            }
        }
    }

    /// Refuses with 403 (not 404) when the unit is readable but not writable.
    async fn require_writable_unit(&self, caller: &Caller, unit: UnitId) -> Result<()> {
        if self
            .store()
            .get_unit(&caller.scope(Permission::Write), unit)
            .await?
            .is_some()
        {
            return Ok(());
        }
        self.get_unit(caller, unit).await?;
        Err(AppError::Forbidden)
    }

    pub async fn create_asset(&self, caller: &Caller, new: NewAsset) -> Result<Asset> {
        self.require_writable_unit(caller, new.unit_id).await?;
        let a = new.into_asset(Timestamp::now())?;
        let ev = caller
            .event("asset.create", "asset", a.id)
            .unit(Some(a.unit_id))
            .change(None::<&()>, Some(&a));
        self.store()
            .create_asset(&caller.scope(Permission::Write), &a, &ev)
            .await
            .map_err(|e| conflict_is_duplicate(e.into()))?;
        Ok(a)
    }

    pub async fn update_asset(
        &self,
        caller: &Caller,
        id: AssetId,
        upd: AssetUpdate,
    ) -> Result<Asset> {
        let before = self.writable_asset(caller, id).await?;
        let mut after = before.clone();
        if let Some(u) = upd.unit_id {
            self.require_writable_unit(caller, u).await?;
            after.unit_id = u;
        }
        if let Some(v) = upd.name {
            after.name = v;
        }
        if let Some(v) = upd.description {
            after.description = v;
        }
        if let Some(v) = upd.lifecycle {
            after.lifecycle = v;
        }
        if let Some(v) = upd.hosting {
            after.hosting = v;
        }
        if let Some(v) = upd.nis2_covered {
            after.nis2_covered = v;
        }
        if upd.clear_criticality {
            after.criticality = None;
        } else if upd.criticality.is_some() {
            after.criticality = upd.criticality;
        }
        for (field, value) in [
            (&mut after.supplier, upd.supplier),
            (&mut after.system_owner, upd.system_owner),
            (&mut after.object_leader, upd.object_leader),
            (&mut after.information_owner, upd.information_owner),
        ] {
            if value.is_some() {
                *field = value;
            }
        }
        let mut after = after.validated()?;
        if after == before {
            return Ok(before);
        }
        after.updated_at = Timestamp::now();
        let ev = caller
            .event("asset.update", "asset", id)
            .unit(Some(after.unit_id))
            .change(Some(&before), Some(&after));
        self.store()
            .update_asset(&caller.scope(Permission::Write), &after, &ev)
            .await
            .map_err(|e| conflict_is_duplicate(e.into()))?;
        Ok(after)
    }

    /// The asset's links in scope.
    pub async fn asset_links(&self, caller: &Caller, id: AssetId) -> Result<Vec<AssetLink>> {
        self.get_asset(caller, id).await?;
        Ok(self
            .store()
            .links_of(&caller.scope(Permission::Read), id)
            .await?)
    }

    /// Links two assets (a service runs on a system; a system processes an information set).
    pub async fn link_assets(&self, caller: &Caller, link: AssetLink) -> Result<bool> {
        let from = self.writable_asset(caller, link.from).await?;
        let to = self.writable_asset(caller, link.to).await?;
        asset::validate_link(link.kind, from.kind, to.kind)?;
        let ev = caller
            .event("asset.link", "asset", link.from)
            .unit(Some(from.unit_id))
            .change(None::<&()>, Some(&link));
        Ok(self
            .store()
            .add_link(&caller.scope(Permission::Write), &link, &ev)
            .await?)
    }

    pub async fn unlink_assets(&self, caller: &Caller, link: AssetLink) -> Result<()> {
        let from = self.writable_asset(caller, link.from).await?;
        let ev = caller
            .event("asset.unlink", "asset", link.from)
            .unit(Some(from.unit_id))
            .change(Some(&link), None::<&()>);
        self.store()
            .remove_link(&caller.scope(Permission::Write), &link, &ev)
            .await?;
        Ok(())
    }

    /// The levels an asset ends up with: its own current classification raised to the highest
    /// of everything it carries, directly or through other assets (what a system processes,
    /// the services that run on it). Only assets the caller may read count.
    pub async fn effective_levels(&self, caller: &Caller, id: AssetId) -> Result<Levels> {
        self.get_asset(caller, id).await?;
        let scope = caller.scope(Permission::Read);
        let mut own: HashMap<AssetId, Levels> = HashMap::new();
        let mut links = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(a) = stack.pop() {
            if !seen.insert(a) {
                continue;
            }
            if let Some(c) = self
                .store()
                .classifications_of(&scope, a)
                .await?
                .into_iter()
                .find(|c| c.status == ClassificationStatus::Completed)
            {
                own.insert(a, levels_of(&c.decisions));
            }
            for l in self.store().links_of(&scope, a).await? {
                let carried = match l.kind {
                    LinkKind::Processes if l.from == a => Some(l.to),
                    LinkKind::RunsOn if l.to == a => Some(l.from),
                    _ => None,
                };
                if let Some(c) = carried {
                    links.push(l);
                    stack.push(c);
                }
            }
        }
        Ok(asset::effective_levels(&own, &links)
            .remove(&id)
            .unwrap_or_default())
    }

    /// Classification coverage per unit in scope.
    pub async fn coverage(
        &self,
        caller: &Caller,
        today: jiff::civil::Date,
    ) -> Result<Vec<Coverage>> {
        Ok(self
            .store()
            .coverage(&caller.scope(Permission::Read), today)
            .await?)
    }
}
