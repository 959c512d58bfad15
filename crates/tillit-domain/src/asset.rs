//! The inventory: systems, services and information sets (system, tjänst, informationsmängd),
//! each in a unit, and how they depend on each other. A supporting asset inherits the highest
//! classification of what it carries: a system is classified at least as high as the
//! information it processes and the services that run on it.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::{AssetId, DomainError, UnitId};

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),* }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

str_enum!(
    AssetKind {
        /// system
        System = "system",
        /// tjänst
        Service = "service",
        /// informationsmängd
        InformationSet = "information_set",
    }
);

str_enum!(
    /// Where the asset is in its life (livscykel).
    Lifecycle {
        Planned = "planned",
        InUse = "in_use",
        BeingRetired = "being_retired",
        Retired = "retired",
    }
);

str_enum!(
    /// How the asset is run (driftform).
    Hosting {
        /// In the unit's own premises.
        OnPremises = "on_premises",
        /// By the municipality's shared IT provider.
        SharedIt = "shared_it",
        /// Software as a service from a supplier.
        Saas = "saas",
        /// A public cloud platform run by the unit or its supplier.
        Cloud = "cloud",
        Other = "other",
        Unknown = "unknown",
    }
);

str_enum!(
    /// How much the business depends on the asset, as its owner states it (verksamhetskritikalitet).
    Criticality {
        Low = "low",
        Medium = "medium",
        High = "high",
        Critical = "critical",
    }
);

str_enum!(
    /// How two assets depend on each other; both read from the supporting side.
    LinkKind {
        /// A service runs on a system (from: service, to: system).
        RunsOn = "runs_on",
        /// A system processes an information set (from: system, to: information set).
        Processes = "processes",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Asset {
    pub id: AssetId,
    pub unit_id: UnitId,
    pub kind: AssetKind,
    pub name: String,
    pub description: String,
    pub lifecycle: Lifecycle,
    pub hosting: Hosting,
    /// Covered by NIS2 / cybersäkerhetslagen (2025:1506).
    pub nis2_covered: bool,
    pub criticality: Option<Criticality>,
    pub supplier: Option<String>,
    /// systemägare
    pub system_owner: Option<String>,
    /// objektledare (pm3)
    pub object_leader: Option<String>,
    /// informationsägare
    pub information_owner: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 10_000;

fn optional_text(v: Option<String>, field: &'static str) -> Result<Option<String>, DomainError> {
    match v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > NAME_MAX => {
            Err(DomainError::invalid(field, "error-text-too-long"))
        }
        other => Ok(other),
    }
}

impl Asset {
    /// Trims and checks the fields a person types.
    pub fn validated(mut self) -> Result<Self, DomainError> {
        self.name = crate::unit::validate_name(&self.name)?;
        self.description = self.description.trim().to_owned();
        if self.description.chars().count() > TEXT_MAX {
            return Err(DomainError::invalid("description", "error-text-too-long"));
        }
        self.supplier = optional_text(self.supplier, "supplier")?;
        self.system_owner = optional_text(self.system_owner, "system_owner")?;
        self.object_leader = optional_text(self.object_leader, "object_leader")?;
        self.information_owner = optional_text(self.information_owner, "information_owner")?;
        Ok(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssetLink {
    pub from: AssetId,
    pub to: AssetId,
    pub kind: LinkKind,
}

/// A link must join the right kinds of asset: a service runs on a system, a system processes
/// an information set.
pub fn validate_link(kind: LinkKind, from: AssetKind, to: AssetKind) -> Result<(), DomainError> {
    let ok = match kind {
        LinkKind::RunsOn => from == AssetKind::Service && to == AssetKind::System,
        LinkKind::Processes => from == AssetKind::System && to == AssetKind::InformationSet,
    };
    if ok {
        Ok(())
    } else {
        Err(DomainError::invalid("kind", "error-link-kinds"))
    }
}

/// A filter and page over the inventory.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct AssetFilter {
    /// Assets of this unit and the units below it.
    pub unit_id: Option<UnitId>,
    pub kind: Option<AssetKind>,
    pub lifecycle: Option<Lifecycle>,
    pub nis2_covered: Option<bool>,
    /// With (true) or without (false) a completed classification.
    pub classified: Option<bool>,
    /// Only those whose classification is due for review before this date.
    #[param(value_type = Option<String>, format = Date)]
    pub overdue_on: Option<jiff::civil::Date>,
    /// Part of the name, any case.
    pub search: Option<String>,
    /// Order by classification priority ([`priority_key`]) instead of by name.
    #[serde(default)]
    pub by_priority: bool,
    #[serde(default)]
    pub offset: i64,
    /// 1–500; 50 when left out.
    #[serde(default)]
    pub limit: i64,
}

/// The current classification of an asset, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ClassificationSummary {
    pub id: crate::ClassificationId,
    pub levels: Levels,
    #[schema(value_type = Option<String>, format = Date)]
    pub review_due: Option<jiff::civil::Date>,
    pub separate_analysis: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssetRow {
    pub asset: Asset,
    pub classification: Option<ClassificationSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AssetPage {
    pub rows: Vec<AssetRow>,
    /// How many match the filter, over all pages.
    pub total: i64,
}

/// Classification coverage of one unit's own assets (retired ones left out).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Coverage {
    pub unit_id: UnitId,
    pub assets: i64,
    pub classified: i64,
    /// Classified, but past the review date.
    pub overdue: i64,
    /// Action-plan items open or not met.
    pub open_items: i64,
}

/// Levels per aspect code (e.g. "K" → 3).
pub type Levels = BTreeMap<String, u8>;

/// The classification each asset ends up with: its own, raised to the highest of what it
/// carries. A system carries the information sets it processes and the services that run on
/// it. Cycles (which the link rules do not allow, but data may hold) cannot loop forever.
pub fn effective_levels(
    own: &HashMap<AssetId, Levels>,
    links: &[AssetLink],
) -> HashMap<AssetId, Levels> {
    // supporting asset → the assets it carries
    let mut carries: HashMap<AssetId, Vec<AssetId>> = HashMap::new();
    for l in links {
        let (supporting, carried) = match l.kind {
            LinkKind::Processes => (l.from, l.to),
            LinkKind::RunsOn => (l.to, l.from),
        };
        carries.entry(supporting).or_default().push(carried);
    }
    let mut result: HashMap<AssetId, Levels> = HashMap::new();
    let mut ids: Vec<AssetId> = own.keys().chain(carries.keys()).copied().collect();
    ids.sort();
    ids.dedup();
    for id in ids {
        let mut levels = Levels::new();
        let mut stack = vec![id];
        let mut seen = std::collections::HashSet::new();
        while let Some(a) = stack.pop() {
            if !seen.insert(a) {
                continue;
            }
            for (aspect, level) in own.get(&a).into_iter().flatten() {
                let e = levels.entry(aspect.clone()).or_insert(0);
                *e = (*e).max(*level);
            }
            stack.extend(carries.get(&a).into_iter().flatten().copied());
        }
        result.insert(id, levels);
    }
    result
}

/// The order in which unclassified assets should be classified: NIS2 first, then by stated
/// criticality, then those in use, then by name. Returns a sort key, smallest first.
pub fn priority_key(a: &Asset) -> (u8, u8, u8, String) {
    let nis2 = if a.nis2_covered { 0 } else { 1 };
    let crit = match a.criticality {
        Some(Criticality::Critical) => 0,
        Some(Criticality::High) => 1,
        Some(Criticality::Medium) => 2,
        Some(Criticality::Low) => 3,
        None => 4,
    };
    let life = match a.lifecycle {
        Lifecycle::InUse => 0,
        Lifecycle::Planned => 1,
        Lifecycle::BeingRetired => 2,
        Lifecycle::Retired => 3,
    };
    (nis2, crit, life, a.name.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asset(name: &str, kind: AssetKind) -> Asset {
        Asset {
            id: AssetId::new(),
            unit_id: UnitId::new(),
            kind,
            name: name.into(),
            description: String::new(),
            lifecycle: Lifecycle::InUse,
            hosting: Hosting::Unknown,
            nis2_covered: false,
            criticality: None,
            supplier: None,
            system_owner: None,
            object_leader: None,
            information_owner: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
        }
    }

    fn lv(pairs: &[(&str, u8)]) -> Levels {
        pairs.iter().map(|(a, l)| (a.to_string(), *l)).collect()
    }

    #[test]
    fn links_join_the_right_kinds() {
        use AssetKind::*;
        assert!(validate_link(LinkKind::RunsOn, Service, System).is_ok());
        assert!(validate_link(LinkKind::RunsOn, System, Service).is_err());
        assert!(validate_link(LinkKind::Processes, System, InformationSet).is_ok());
        assert!(validate_link(LinkKind::Processes, InformationSet, System).is_err());
        assert!(validate_link(LinkKind::Processes, Service, InformationSet).is_err());
    }

    #[test]
    fn a_system_inherits_the_highest_level_of_what_it_carries() {
        let journal = asset("Journaluppgifter", AssetKind::InformationSet);
        let adress = asset("Adressuppgifter", AssetKind::InformationSet);
        let system = asset("Verksamhetssystem", AssetKind::System);
        let eservice = asset("E-tjänst", AssetKind::Service);
        let own = HashMap::from([
            (journal.id, lv(&[("K", 4), ("R", 3), ("T", 2)])),
            (adress.id, lv(&[("K", 2), ("R", 2), ("T", 3)])),
            (system.id, lv(&[("K", 1), ("R", 1), ("T", 1)])),
            (eservice.id, lv(&[("T", 4)])),
        ]);
        let links = [
            AssetLink {
                from: system.id,
                to: journal.id,
                kind: LinkKind::Processes,
            },
            AssetLink {
                from: system.id,
                to: adress.id,
                kind: LinkKind::Processes,
            },
            AssetLink {
                from: eservice.id,
                to: system.id,
                kind: LinkKind::RunsOn,
            },
        ];
        let eff = effective_levels(&own, &links);
        assert_eq!(eff[&system.id], lv(&[("K", 4), ("R", 3), ("T", 4)]));
        // What is carried does not inherit from its carrier.
        assert_eq!(eff[&adress.id], lv(&[("K", 2), ("R", 2), ("T", 3)]));
        assert_eq!(eff[&eservice.id], lv(&[("T", 4)]));
    }

    #[test]
    fn an_unclassified_system_gets_its_levels_from_its_information() {
        let info = asset("Personakter", AssetKind::InformationSet);
        let system = asset("Ärendesystem", AssetKind::System);
        let own = HashMap::from([(info.id, lv(&[("K", 3)]))]);
        let links = [AssetLink {
            from: system.id,
            to: info.id,
            kind: LinkKind::Processes,
        }];
        assert_eq!(effective_levels(&own, &links)[&system.id], lv(&[("K", 3)]));
    }

    #[test]
    fn cycles_in_data_do_not_loop() {
        let a = asset("A", AssetKind::System);
        let b = asset("B", AssetKind::InformationSet);
        let own = HashMap::from([(a.id, lv(&[("K", 1)])), (b.id, lv(&[("K", 2)]))]);
        let links = [
            AssetLink {
                from: a.id,
                to: b.id,
                kind: LinkKind::Processes,
            },
            AssetLink {
                from: b.id,
                to: a.id,
                kind: LinkKind::Processes,
            },
        ];
        let eff = effective_levels(&own, &links);
        assert_eq!(eff[&a.id]["K"], 2);
        assert_eq!(eff[&b.id]["K"], 2);
    }

    #[test]
    fn nis2_and_criticality_come_first() {
        let mut a = asset("Bokningssystem", AssetKind::System);
        a.criticality = Some(Criticality::Critical);
        let mut b = asset("Vattenverk SCADA", AssetKind::System);
        b.nis2_covered = true;
        b.criticality = Some(Criticality::Low);
        let mut c = asset("Arkiv", AssetKind::System);
        c.lifecycle = Lifecycle::Retired;
        c.criticality = Some(Criticality::Critical);
        let d = asset("Intranät", AssetKind::System);
        let mut list = [d.clone(), c.clone(), a.clone(), b.clone()];
        list.sort_by_key(priority_key);
        let names: Vec<_> = list.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(
            names,
            ["Vattenverk SCADA", "Bokningssystem", "Arkiv", "Intranät"]
        );
    }

    #[test]
    fn asset_fields_are_trimmed_and_checked() {
        let mut a = asset("  Procapita  ", AssetKind::System);
        a.supplier = Some("   ".into());
        a.system_owner = Some(" Anna ".into());
        let v = a.clone().validated().unwrap();
        assert_eq!(v.name, "Procapita");
        assert_eq!(v.supplier, None);
        assert_eq!(v.system_owner.as_deref(), Some("Anna"));
        a.name = " ".into();
        assert!(a.validated().is_err());
    }
}
