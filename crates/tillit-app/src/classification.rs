//! Classification models (shipped and imported) and the classification of an asset: a draft
//! questionnaire, the decided levels, completion, and the action plan that follows.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use tillit_domain::audit::AuditEvent;
use tillit_domain::classification::{
    self as rules, ActionItem, Answers, Classification, ClassificationStatus, Decisions,
    ItemStatus, Model, ModelVersion, Proposal, Requirement,
};
use tillit_domain::{AssetId, ClassificationId, ModelId, Permission, Scope};
use tillit_store::{Store, StoreError};

use crate::{App, AppError, Caller, Result};

/// The model every new classification uses unless another is chosen.
pub const DEFAULT_MODEL_KEY: &str = "tillit-standard";

/// The models shipped in `content/classification/`, built into the binary so Tillit needs no
/// files beside it.
pub const SHIPPED_MODELS: &[(&str, &str)] = &[(
    "tillit-standard.yaml",
    include_str!("../../../content/classification/tillit-standard.yaml"),
)];

/// Reads a model from YAML (or JSON, which YAML includes) and checks it; every problem is
/// reported with where it is.
pub fn parse_model(text: &str) -> Result<Model> {
    let model: Model = serde_yaml_ng::from_str(text).map_err(|e| AppError::Rejected {
        code: "error-model-invalid",
        details: vec![match e.location() {
            Some(l) => format!("line {}, column {}: {e}", l.line(), l.column()),
            None => e.to_string(),
        }],
    })?;
    model.validate().map_err(|errors| AppError::Rejected {
        code: "error-model-invalid",
        details: errors.iter().map(ToString::to_string).collect(),
    })?;
    Ok(model)
}

/// Stores the shipped models that are not stored yet (at every start; new versions arrive
/// with new releases and never replace the old ones).
pub async fn ensure_shipped_models(store: &Store) -> Result<()> {
    let stored = store.list_models().await?;
    for (file, text) in SHIPPED_MODELS {
        let model = parse_model(text)
            .map_err(|e| AppError::Internal(format!("shipped model {file} is broken: {e}")))?;
        if stored
            .iter()
            .any(|m| m.model.key == model.key && m.model.version == model.version)
        {
            continue;
        }
        let id = ModelId::new();
        let ev = AuditEvent::new(
            None,
            "system",
            "classification_model.import",
            "classification_model",
            id,
        )
        .change(
            None::<&()>,
            Some(&serde_json::json!({"key": model.key, "version": model.version, "file": file})),
        );
        match store
            .insert_model(&Scope::system(), id, &model, Timestamp::now(), &ev)
            .await
        {
            // Another instance stored it at the same moment.
            Ok(()) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// A draft's editable parts; fields left out stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
pub struct DraftInput {
    /// Question id → index of the chosen answer; merged into the answers so far.
    #[serde(default)]
    pub answers: Answers,
    /// Questions whose answer is taken back.
    #[serde(default)]
    pub clear_answers: Vec<String>,
    /// Aspect code → decided level and justification; merged into the decisions so far.
    #[serde(default)]
    pub decisions: Decisions,
    pub participants: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub performed_on: Option<Date>,
}

/// Everything a classification page shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClassificationView {
    pub classification: Classification,
    pub model: ModelVersion,
    pub proposals: BTreeMap<String, Proposal>,
    /// The requirements that follow from the decided levels.
    pub requirements: Vec<Requirement>,
    pub items: Vec<ActionItem>,
}

#[derive(Debug, Clone, Deserialize, Serialize, utoipa::ToSchema)]
pub struct ItemUpdate {
    pub status: ItemStatus,
    pub owner: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    #[serde(default)]
    pub comment: String,
}

impl App {
    pub async fn list_models(&self) -> Result<Vec<ModelVersion>> {
        Ok(self.store().list_models().await?)
    }

    pub async fn get_model(&self, id: ModelId) -> Result<ModelVersion> {
        self.store().get_model(id).await?.ok_or(AppError::NotFound)
    }

    /// Imports a model version (YAML or JSON); organisation administrators only.
    pub async fn import_model(&self, caller: &Caller, text: &str) -> Result<ModelVersion> {
        // Models are installation-wide: only an organisation's administrators import them,
        // and they learn that before the file is read.
        let administered = self
            .store()
            .list_units(&caller.scope(Permission::Administer), false)
            .await?;
        if !administered.iter().any(|u| u.parent_id.is_none()) {
            return Err(AppError::Forbidden);
        }
        let model = parse_model(text)?;
        let id = ModelId::new();
        let at = Timestamp::now();
        let ev = caller
            .event("classification_model.import", "classification_model", id)
            .change(
                None::<&()>,
                Some(&serde_json::json!({"key": model.key, "version": model.version})),
            );
        self.store()
            .insert_model(&caller.scope(Permission::Administer), id, &model, at, &ev)
            .await
            .map_err(|e| match AppError::from(e) {
                AppError::Conflict(_) => AppError::invalid("version", "error-model-version-exists"),
                AppError::NotFound => AppError::Forbidden,
                other => other,
            })?;
        Ok(ModelVersion {
            id,
            model,
            imported_at: at,
        })
    }

    /// The newest stored version of a model key.
    pub async fn latest_model(&self, key: &str) -> Result<ModelVersion> {
        self.list_models()
            .await?
            .into_iter()
            .filter(|m| m.model.key == key)
            .max_by_key(|m| m.model.version)
            .ok_or(AppError::NotFound)
    }

    /// Starts a classification of an asset, frozen to the chosen model version (by default
    /// the newest of the standard model). One draft per asset at a time.
    pub async fn start_classification(
        &self,
        caller: &Caller,
        asset: AssetId,
        model: Option<ModelId>,
    ) -> Result<Classification> {
        let scope = caller.scope(Permission::Write);
        let a = match self.store().get_asset(&scope, asset).await? {
            Some(a) => a,
            None => {
                self.get_asset(caller, asset).await?;
                return Err(AppError::Forbidden);
            }
        };
        let model = match model {
            Some(id) => self.get_model(id).await?,
            None => self.latest_model(DEFAULT_MODEL_KEY).await?,
        };
        let existing = self.store().classifications_of(&scope, asset).await?;
        if existing
            .iter()
            .any(|c| c.status == ClassificationStatus::Draft)
        {
            return Err(AppError::invalid("asset_id", "error-draft-exists"));
        }
        let now = Timestamp::now();
        let c = Classification {
            id: ClassificationId::new(),
            asset_id: asset,
            unit_id: a.unit_id,
            model_id: model.id,
            status: ClassificationStatus::Draft,
            answers: Answers::new(),
            decisions: Decisions::new(),
            participants: String::new(),
            performed_on: None,
            review_due: None,
            separate_analysis: false,
            created_at: now,
            updated_at: now,
        };
        let ev = caller
            .event("classification.start", "classification", c.id)
            .unit(Some(a.unit_id))
            .change(None::<&()>, Some(&serde_json::json!({"asset_id": asset, "model": model.model.key, "version": model.model.version})));
        self.store().create_classification(&scope, &c, &ev).await?;
        Ok(c)
    }

    pub async fn classifications_of(
        &self,
        caller: &Caller,
        asset: AssetId,
    ) -> Result<Vec<Classification>> {
        self.get_asset(caller, asset).await?;
        Ok(self
            .store()
            .classifications_of(&caller.scope(Permission::Read), asset)
            .await?)
    }

    pub async fn classification_view(
        &self,
        caller: &Caller,
        id: ClassificationId,
    ) -> Result<ClassificationView> {
        let scope = caller.scope(Permission::Read);
        let c = self
            .store()
            .get_classification(&scope, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let model = self.get_model(c.model_id).await?;
        let proposals = rules::propose(&model.model, &c.answers);
        let requirements = rules::requirements_for(&model.model, &c.decisions)
            .into_iter()
            .cloned()
            .collect();
        let items = self.store().action_items(&scope, id).await?;
        Ok(ClassificationView {
            classification: c,
            model,
            proposals,
            requirements,
            items,
        })
    }

    /// A classification the caller may change, with its model.
    async fn writable_classification(
        &self,
        caller: &Caller,
        id: ClassificationId,
    ) -> Result<(Classification, ModelVersion)> {
        let c = match self
            .store()
            .get_classification(&caller.scope(Permission::Write), id)
            .await?
        {
            Some(c) => c,
            None => {
                self.classification_view(caller, id).await?;
                return Err(AppError::Forbidden);
            }
        };
        let model = self.get_model(c.model_id).await?;
        Ok((c, model))
    }

    /// Saves answers, decisions and details of a draft (a draft may be saved incomplete).
    pub async fn save_classification(
        &self,
        caller: &Caller,
        id: ClassificationId,
        input: DraftInput,
    ) -> Result<Classification> {
        let (before, model) = self.writable_classification(caller, id).await?;
        if before.status != ClassificationStatus::Draft {
            return Err(AppError::invalid("status", "error-classification-locked"));
        }
        let mut after = before.clone();
        for q in &input.clear_answers {
            after.answers.remove(q);
        }
        after.answers.extend(input.answers);
        after.decisions.extend(input.decisions);
        if let Some(p) = input.participants {
            if p.chars().count() > 2_000 {
                return Err(AppError::invalid("participants", "error-text-too-long"));
            }
            after.participants = p.trim().to_owned();
        }
        if input.performed_on.is_some() {
            after.performed_on = input.performed_on;
        }
        rules::validate_answers(&model.model, &after.answers)?;
        rules::validate_decisions(&model.model, &after.answers, &after.decisions)?;
        after.updated_at = Timestamp::now();
        let ev = caller
            .event("classification.save", "classification", id)
            .unit(Some(after.unit_id))
            .change(Some(&before), Some(&after));
        self.store()
            .save_draft(&caller.scope(Permission::Write), &after, &ev)
            .await?;
        Ok(after)
    }

    /// Completes a draft: checks it is whole, sets the review date, supersedes the asset's
    /// previous classification and creates the action plan (none at the highest level, which
    /// is flagged for a separate analysis instead).
    pub async fn complete_classification(
        &self,
        caller: &Caller,
        id: ClassificationId,
    ) -> Result<ClassificationView> {
        let (before, model) = self.writable_classification(caller, id).await?;
        if before.status != ClassificationStatus::Draft {
            return Err(AppError::invalid("status", "error-classification-locked"));
        }
        let m = &model.model;
        rules::validate_completion(
            m,
            &before.answers,
            &before.decisions,
            &before.participants,
            before.performed_on,
        )?;
        let mut after = before.clone();
        after.status = ClassificationStatus::Completed;
        after.separate_analysis = rules::needs_separate_analysis(m, &after.decisions);
        after.review_due = after
            .performed_on
            .map(|d| rules::review_due(d, m.review_interval_months));
        after.updated_at = Timestamp::now();
        let asset = self.get_asset(caller, after.asset_id).await?;
        let items: Vec<ActionItem> = rules::initial_action_plan(m, &after.decisions)
            .into_iter()
            .map(|requirement_id| ActionItem {
                classification_id: id,
                requirement_id,
                status: ItemStatus::Open,
                owner: asset.system_owner.clone(),
                due: None,
                comment: String::new(),
            })
            .collect();
        let ev = caller
            .event("classification.complete", "classification", id)
            .unit(Some(after.unit_id))
            .change(
                Some(&before),
                Some(&serde_json::json!({
                    "status": after.status,
                    "levels": rules::levels_of(&after.decisions),
                    "review_due": after.review_due,
                    "separate_analysis": after.separate_analysis,
                    "action_items": items.len(),
                })),
            );
        self.store()
            .complete_classification(&caller.scope(Permission::Write), &after, &items, &[ev])
            .await?;
        self.classification_view(caller, id).await
    }

    /// Marks an action-plan item: met, not met or not applicable (with a reason), its owner
    /// and due date.
    pub async fn update_action_item(
        &self,
        caller: &Caller,
        id: ClassificationId,
        requirement_id: &str,
        upd: ItemUpdate,
    ) -> Result<ActionItem> {
        let (c, _) = self.writable_classification(caller, id).await?;
        let items = self
            .store()
            .action_items(&caller.scope(Permission::Write), id)
            .await?;
        let before = items
            .into_iter()
            .find(|i| i.requirement_id == requirement_id)
            .ok_or(AppError::NotFound)?;
        let after = ActionItem {
            status: upd.status,
            owner: upd
                .owner
                .map(|o| o.trim().to_owned())
                .filter(|o| !o.is_empty()),
            due: upd.due,
            comment: upd.comment.trim().to_owned(),
            ..before.clone()
        };
        rules::validate_item(&after)?;
        if after == before {
            return Ok(before);
        }
        let ev = caller
            .event("action_item.update", "classification", id)
            .unit(Some(c.unit_id))
            .change(Some(&before), Some(&after));
        self.store()
            .update_action_item(
                &caller.scope(Permission::Write),
                &after,
                Timestamp::now(),
                &ev,
            )
            .await?;
        Ok(after)
    }
}
