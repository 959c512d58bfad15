//! Information classification (informationsklassning), KLASSA style: a model of aspects
//! (Konfidentialitet, Riktighet, Tillgänglighet, Spårbarhet) and levels (0–4), a questionnaire
//! whose answers propose a level per aspect, and a requirement catalogue in which each
//! requirement applies from a level of an aspect. A classification is frozen to the model
//! version it used: later versions never rewrite it.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::{AssetId, ClassificationId, DomainError, ModelId, UnitId};

/// A text in both of Tillit's languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Text {
    pub sv: String,
    pub en: String,
}

impl Text {
    /// The text in `lang` (`sv` or `en`); Swedish otherwise.
    pub fn get(&self, lang: &str) -> &str {
        if lang == "en" { &self.en } else { &self.sv }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Aspect {
    /// A short code, e.g. `K`.
    pub code: String,
    pub name: Text,
    pub description: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Level {
    pub level: u8,
    pub name: Text,
    pub description: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Answer {
    pub text: Text,
    /// The level this answer proposes for the question's aspect.
    pub level: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Question {
    pub id: String,
    pub aspect: String,
    pub text: Text,
    #[serde(default)]
    pub help: Option<Text>,
    pub answers: Vec<Answer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequirementKind {
    /// ÄR-krav: a state the asset must be in.
    State,
    /// SKA-krav: a requirement to put in a procurement.
    Procurement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Requirement {
    pub id: String,
    pub aspect: String,
    /// Applies when the aspect's level is at least this.
    pub from_level: u8,
    pub kind: RequirementKind,
    pub text: Text,
    /// How the requirement can be met.
    #[serde(default)]
    pub how: Option<Text>,
    /// The public source it rests on, e.g. `NIS2 art. 21.2 j`.
    #[serde(default)]
    pub source: Option<String>,
}

fn default_review_months() -> u32 {
    24
}

/// A classification model as shipped in `content/` or imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Model {
    /// Stable across versions, e.g. `tillit-standard`.
    pub key: String,
    pub version: u32,
    pub name: Text,
    #[serde(default)]
    pub description: Option<Text>,
    /// How long a classification holds before it is due for review.
    #[serde(default = "default_review_months")]
    pub review_interval_months: u32,
    pub aspects: Vec<Aspect>,
    pub levels: Vec<Level>,
    pub questions: Vec<Question>,
    pub requirements: Vec<Requirement>,
}

/// A stored model version: the model and the id its classifications point at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ModelVersion {
    pub id: ModelId,
    pub model: Model,
    #[schema(value_type = String, format = DateTime)]
    pub imported_at: Timestamp,
}

/// What is wrong with a model file, each with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {problem}")]
pub struct ModelError {
    pub place: String,
    pub problem: String,
}

fn err(place: impl Into<String>, problem: impl Into<String>) -> ModelError {
    ModelError {
        place: place.into(),
        problem: problem.into(),
    }
}

impl Model {
    pub fn highest_level(&self) -> u8 {
        self.levels.iter().map(|l| l.level).max().unwrap_or(0)
    }

    pub fn aspect(&self, code: &str) -> Option<&Aspect> {
        self.aspects.iter().find(|a| a.code == code)
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    pub fn requirement(&self, id: &str) -> Option<&Requirement> {
        self.requirements.iter().find(|r| r.id == id)
    }

    /// Checks the model is whole: unique codes and ids, levels 0..=n without gaps, and every
    /// reference (aspect, level) resolving. Returns every problem, not just the first.
    pub fn validate(&self) -> Result<(), Vec<ModelError>> {
        let mut errors = Vec::new();
        let text = |place: &str, t: &Text, errors: &mut Vec<ModelError>| {
            if t.sv.trim().is_empty() || t.en.trim().is_empty() {
                errors.push(err(
                    place,
                    "needs a text in both Swedish (sv) and English (en)",
                ));
            }
        };
        if self.key.trim().is_empty() {
            errors.push(err("key", "is empty"));
        }
        if self.version == 0 {
            errors.push(err("version", "must be 1 or more"));
        }
        if !(1..=120).contains(&self.review_interval_months) {
            errors.push(err("review_interval_months", "must be between 1 and 120"));
        }
        text("name", &self.name, &mut errors);
        if self.aspects.is_empty() {
            errors.push(err("aspects", "at least one aspect is needed"));
        }
        let mut codes = BTreeSet::new();
        for (i, a) in self.aspects.iter().enumerate() {
            let place = format!("aspects[{i}]");
            if a.code.trim().is_empty() || !codes.insert(a.code.as_str()) {
                errors.push(err(
                    &place,
                    format!("code {:?} is empty or repeated", a.code),
                ));
            }
            text(&place, &a.name, &mut errors);
        }
        let mut levels: Vec<u8> = self.levels.iter().map(|l| l.level).collect();
        levels.sort_unstable();
        if levels.is_empty() || levels.iter().enumerate().any(|(i, l)| usize::from(*l) != i) {
            errors.push(err(
                "levels",
                "must be numbered 0, 1, 2, … without gaps or repeats",
            ));
        }
        for (i, l) in self.levels.iter().enumerate() {
            text(&format!("levels[{i}]"), &l.name, &mut errors);
        }
        let top = self.highest_level();
        let mut qids = BTreeSet::new();
        for (i, q) in self.questions.iter().enumerate() {
            let place = format!("questions[{i}] ({})", q.id);
            if q.id.trim().is_empty() || !qids.insert(q.id.as_str()) {
                errors.push(err(&place, "id is empty or repeated"));
            }
            if !codes.contains(q.aspect.as_str()) {
                errors.push(err(&place, format!("unknown aspect {:?}", q.aspect)));
            }
            text(&place, &q.text, &mut errors);
            if q.answers.len() < 2 {
                errors.push(err(&place, "needs at least two answers"));
            }
            for (j, a) in q.answers.iter().enumerate() {
                if a.level > top {
                    errors.push(err(
                        format!("{place}.answers[{j}]"),
                        format!("level {} is above {top}", a.level),
                    ));
                }
                text(&format!("{place}.answers[{j}]"), &a.text, &mut errors);
            }
        }
        let mut rids = BTreeSet::new();
        for (i, r) in self.requirements.iter().enumerate() {
            let place = format!("requirements[{i}] ({})", r.id);
            if r.id.trim().is_empty() || !rids.insert(r.id.as_str()) {
                errors.push(err(&place, "id is empty or repeated"));
            }
            if !codes.contains(r.aspect.as_str()) {
                errors.push(err(&place, format!("unknown aspect {:?}", r.aspect)));
            }
            if r.from_level == 0 || r.from_level > top {
                errors.push(err(
                    &place,
                    format!("from_level must be between 1 and {top}"),
                ));
            }
            text(&place, &r.text, &mut errors);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// Answers given so far: question id → index of the chosen answer.
pub type Answers = BTreeMap<String, usize>;

/// What the questionnaire proposes for one aspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Proposal {
    /// The highest level any given answer proposes; `None` until one is answered.
    pub level: Option<u8>,
    pub answered: usize,
    pub questions: usize,
}

impl Proposal {
    pub fn complete(&self) -> bool {
        self.answered == self.questions
    }
}

/// Checks answers against the model: every question known, every choice in range.
pub fn validate_answers(model: &Model, answers: &Answers) -> Result<(), DomainError> {
    for (qid, choice) in answers {
        let q = model
            .question(qid)
            .ok_or(DomainError::invalid("answers", "error-unknown-question"))?;
        if *choice >= q.answers.len() {
            return Err(DomainError::invalid("answers", "error-unknown-answer"));
        }
    }
    Ok(())
}

/// Per aspect, the level the answers propose: the highest of the answered questions' levels,
/// since the most serious consequence decides.
pub fn propose(model: &Model, answers: &Answers) -> BTreeMap<String, Proposal> {
    model
        .aspects
        .iter()
        .map(|a| {
            let qs: Vec<&Question> = model
                .questions
                .iter()
                .filter(|q| q.aspect == a.code)
                .collect();
            let chosen: Vec<u8> = qs
                .iter()
                .filter_map(|q| {
                    answers
                        .get(&q.id)
                        .and_then(|i| q.answers.get(*i))
                        .map(|x| x.level)
                })
                .collect();
            let p = Proposal {
                level: chosen.iter().copied().max(),
                answered: chosen.len(),
                questions: qs.len(),
            };
            (a.code.clone(), p)
        })
        .collect()
}

/// The level decided for an aspect, and why when it departs from the proposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct AspectDecision {
    pub level: u8,
    #[serde(default)]
    pub justification: String,
}

pub type Decisions = BTreeMap<String, AspectDecision>;

/// Checks decisions: known aspects, levels in range, and a justification wherever the level
/// departs from what the answers propose.
pub fn validate_decisions(
    model: &Model,
    answers: &Answers,
    decisions: &Decisions,
) -> Result<(), DomainError> {
    let proposals = propose(model, answers);
    for (aspect, d) in decisions {
        let p = proposals
            .get(aspect)
            .ok_or(DomainError::invalid("decisions", "error-unknown-aspect"))?;
        if d.level > model.highest_level() {
            return Err(DomainError::invalid(
                "decisions",
                "error-level-out-of-range",
            ));
        }
        if p.level.is_some_and(|l| l != d.level) && d.justification.trim().is_empty() {
            return Err(DomainError::invalid(
                "justification",
                "error-justification-required",
            ));
        }
    }
    Ok(())
}

/// The decided levels, aspect code → level.
pub fn levels_of(decisions: &Decisions) -> BTreeMap<String, u8> {
    decisions
        .iter()
        .map(|(a, d)| (a.clone(), d.level))
        .collect()
}

/// The highest level means the consequences would be "synnerligen allvarliga": such an asset
/// needs its own risk analysis, and no catalogue can say what is enough.
pub fn needs_separate_analysis(model: &Model, decisions: &Decisions) -> bool {
    let top = model.highest_level();
    top > 0 && decisions.values().any(|d| d.level >= top)
}

/// The requirements that follow from the levels, in catalogue order.
pub fn requirements_for<'m>(model: &'m Model, decisions: &Decisions) -> Vec<&'m Requirement> {
    model
        .requirements
        .iter()
        .filter(|r| {
            decisions
                .get(&r.aspect)
                .is_some_and(|d| d.level >= r.from_level)
        })
        .collect()
}

/// The action plan a completed classification starts with: one open item per requirement;
/// none at the highest level, which calls for a separate analysis instead.
pub fn initial_action_plan(model: &Model, decisions: &Decisions) -> Vec<String> {
    if needs_separate_analysis(model, decisions) {
        return Vec::new();
    }
    requirements_for(model, decisions)
        .into_iter()
        .map(|r| r.id.clone())
        .collect()
}

/// Checks that a classification can be completed: every aspect decided, someone named as
/// having taken part, and the date it was done.
pub fn validate_completion(
    model: &Model,
    answers: &Answers,
    decisions: &Decisions,
    participants: &str,
    performed_on: Option<Date>,
) -> Result<(), DomainError> {
    validate_answers(model, answers)?;
    validate_decisions(model, answers, decisions)?;
    if model
        .aspects
        .iter()
        .any(|a| !decisions.contains_key(&a.code))
    {
        return Err(DomainError::invalid("decisions", "error-aspect-undecided"));
    }
    if participants.trim().is_empty() {
        return Err(DomainError::invalid(
            "participants",
            "error-participants-required",
        ));
    }
    if performed_on.is_none() {
        return Err(DomainError::invalid("performed_on", "error-date-required"));
    }
    Ok(())
}

/// When a classification done on `performed_on` is due for review.
pub fn review_due(performed_on: Date, interval_months: u32) -> Date {
    performed_on
        .checked_add(i64::from(interval_months).months())
        .unwrap_or(performed_on)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClassificationStatus {
    Draft,
    Completed,
    /// A later classification of the same asset replaced it.
    Superseded,
}

impl ClassificationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Completed => "completed",
            Self::Superseded => "superseded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Completed, Self::Superseded]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Classification {
    pub id: ClassificationId,
    pub asset_id: AssetId,
    pub unit_id: UnitId,
    /// The model version it is frozen to.
    pub model_id: ModelId,
    pub status: ClassificationStatus,
    pub answers: Answers,
    pub decisions: Decisions,
    /// Who took part (names and roles), as free text.
    pub participants: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub performed_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub review_due: Option<Date>,
    pub separate_analysis: bool,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Open,
    Met,
    NotMet,
    NotApplicable,
}

impl ItemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Met => "met",
            Self::NotMet => "not_met",
            Self::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Open, Self::Met, Self::NotMet, Self::NotApplicable]
            .into_iter()
            .find(|v| v.as_str() == s)
    }

    /// Still needs doing: open, or assessed as not met.
    pub fn is_outstanding(self) -> bool {
        matches!(self, Self::Open | Self::NotMet)
    }
}

/// One requirement of a classification's action plan (handlingsplan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionItem {
    pub classification_id: ClassificationId,
    pub requirement_id: String,
    pub status: ItemStatus,
    pub owner: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    pub comment: String,
}

/// Which action-plan items to list: those of completed classifications in scope.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::IntoParams)]
pub struct ActionItemFilter {
    /// Items of assets in this unit and the units below it.
    pub unit_id: Option<UnitId>,
    /// Only items still to do (open or not met).
    #[serde(default)]
    pub outstanding: bool,
    #[serde(default)]
    pub offset: i64,
    /// 1–1000; 200 when left out.
    #[serde(default)]
    pub limit: i64,
}

/// An action-plan item with the asset and classification it belongs to, for follow-up lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ActionItemRow {
    pub unit_id: UnitId,
    pub asset_id: AssetId,
    pub asset_name: String,
    pub model_id: ModelId,
    #[schema(value_type = Option<String>, format = Date)]
    pub performed_on: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub review_due: Option<Date>,
    pub item: ActionItem,
}

/// "Not applicable" must say why, or the plan cannot be followed up.
pub fn validate_item(item: &ActionItem) -> Result<(), DomainError> {
    if item.status == ItemStatus::NotApplicable && item.comment.trim().is_empty() {
        return Err(DomainError::invalid(
            "comment",
            "error-not-applicable-needs-reason",
        ));
    }
    if item.comment.chars().count() > TEXT_MAX_COMMENT {
        return Err(DomainError::invalid("comment", "error-text-too-long"));
    }
    Ok(())
}

const TEXT_MAX_COMMENT: usize = 5_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Text {
        Text {
            sv: s.into(),
            en: s.into(),
        }
    }

    fn model() -> Model {
        let q = |id: &str, aspect: &str, levels: &[u8]| Question {
            id: id.into(),
            aspect: aspect.into(),
            text: t(id),
            help: None,
            answers: levels
                .iter()
                .map(|l| Answer {
                    text: t(&format!("{l}")),
                    level: *l,
                })
                .collect(),
        };
        let r = |id: &str, aspect: &str, from: u8| Requirement {
            id: id.into(),
            aspect: aspect.into(),
            from_level: from,
            kind: RequirementKind::State,
            text: t(id),
            how: None,
            source: None,
        };
        Model {
            key: "test".into(),
            version: 1,
            name: t("Test"),
            description: None,
            review_interval_months: 24,
            aspects: ["K", "R", "T"]
                .iter()
                .map(|c| Aspect {
                    code: c.to_string(),
                    name: t(c),
                    description: t(c),
                })
                .collect(),
            levels: (0..=4)
                .map(|l| Level {
                    level: l,
                    name: t(&l.to_string()),
                    description: t(""),
                })
                .collect(),
            questions: vec![
                q("K1", "K", &[0, 2, 3]),
                q("K2", "K", &[0, 1, 4]),
                q("R1", "R", &[0, 2]),
                q("T1", "T", &[1, 3]),
            ],
            requirements: vec![
                r("K-a", "K", 1),
                r("K-b", "K", 3),
                r("R-a", "R", 2),
                r("T-a", "T", 2),
                r("T-b", "T", 4),
            ],
        }
    }

    fn decide(pairs: &[(&str, u8)]) -> Decisions {
        pairs
            .iter()
            .map(|(a, l)| {
                (
                    a.to_string(),
                    AspectDecision {
                        level: *l,
                        justification: String::new(),
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_most_serious_answer_proposes_the_level() {
        let m = model();
        let answers = Answers::from([("K1".into(), 2), ("K2".into(), 1)]);
        let p = propose(&m, &answers);
        assert_eq!(
            p["K"],
            Proposal {
                level: Some(3),
                answered: 2,
                questions: 2
            }
        );
        assert!(p["K"].complete());
        assert_eq!(
            p["R"],
            Proposal {
                level: None,
                answered: 0,
                questions: 1
            }
        );
        let partial = propose(&m, &Answers::from([("K2".into(), 2)]));
        assert_eq!(partial["K"].level, Some(4));
        assert!(!partial["K"].complete());
    }

    #[test]
    fn answers_must_exist_in_the_model() {
        let m = model();
        assert!(validate_answers(&m, &Answers::from([("K1".into(), 2)])).is_ok());
        assert!(validate_answers(&m, &Answers::from([("K1".into(), 3)])).is_err());
        assert!(validate_answers(&m, &Answers::from([("X9".into(), 0)])).is_err());
    }

    #[test]
    fn departing_from_the_proposal_needs_a_justification() {
        let m = model();
        let answers = Answers::from([("R1".into(), 1)]);
        assert!(validate_decisions(&m, &answers, &decide(&[("R", 2)])).is_ok());
        assert!(validate_decisions(&m, &answers, &decide(&[("R", 1)])).is_err());
        let mut d = decide(&[("R", 1)]);
        d.get_mut("R").unwrap().justification = "Uppgifterna finns även i källsystemet".into();
        assert!(validate_decisions(&m, &answers, &d).is_ok());
        assert!(validate_decisions(&m, &answers, &decide(&[("R", 5)])).is_err());
        assert!(validate_decisions(&m, &answers, &decide(&[("S", 1)])).is_err());
    }

    #[test]
    fn requirements_follow_from_the_levels() {
        let m = model();
        let ids = |d: &Decisions| {
            requirements_for(&m, d)
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(&decide(&[("K", 0), ("R", 0), ("T", 0)])),
            Vec::<String>::new()
        );
        assert_eq!(
            ids(&decide(&[("K", 2), ("R", 2), ("T", 1)])),
            ["K-a", "R-a"]
        );
        assert_eq!(
            ids(&decide(&[("K", 3), ("R", 1), ("T", 3)])),
            ["K-a", "K-b", "T-a"]
        );
    }

    #[test]
    fn the_highest_level_gets_no_automatic_action_plan() {
        let m = model();
        let d = decide(&[("K", 1), ("R", 2), ("T", 4)]);
        assert!(needs_separate_analysis(&m, &d));
        assert!(initial_action_plan(&m, &d).is_empty());
        // The requirements still follow; only the plan is left to the separate analysis.
        assert!(requirements_for(&m, &d).iter().any(|r| r.id == "T-b"));
        let d = decide(&[("K", 3), ("R", 2), ("T", 3)]);
        assert!(!needs_separate_analysis(&m, &d));
        assert_eq!(initial_action_plan(&m, &d), ["K-a", "K-b", "R-a", "T-a"]);
    }

    #[test]
    fn completion_needs_every_aspect_participants_and_a_date() {
        let m = model();
        let answers = Answers::new();
        let all = decide(&[("K", 1), ("R", 1), ("T", 1)]);
        let day = Some(jiff::civil::date(2026, 3, 1));
        assert!(validate_completion(&m, &answers, &all, "Anna (systemägare), Bo", day).is_ok());
        assert!(validate_completion(&m, &answers, &decide(&[("K", 1)]), "Anna", day).is_err());
        assert!(validate_completion(&m, &answers, &all, "  ", day).is_err());
        assert!(validate_completion(&m, &answers, &all, "Anna", None).is_err());
    }

    #[test]
    fn review_falls_due_after_the_interval() {
        assert_eq!(
            review_due(jiff::civil::date(2026, 1, 31), 24),
            jiff::civil::date(2028, 1, 31)
        );
        assert_eq!(
            review_due(jiff::civil::date(2024, 2, 29), 12),
            jiff::civil::date(2025, 2, 28)
        );
    }

    #[test]
    fn a_model_checks_itself() {
        let m = model();
        assert!(m.validate().is_ok());
        let mut bad = model();
        bad.levels.remove(2);
        bad.questions[0].aspect = "X".into();
        bad.requirements[1].id = "K-a".into();
        bad.requirements[0].from_level = 0;
        bad.name.en.clear();
        let errors = bad.validate().unwrap_err();
        assert_eq!(errors.len(), 5, "{errors:?}");
    }

    #[test]
    fn not_applicable_needs_a_reason() {
        let mut item = ActionItem {
            classification_id: ClassificationId::new(),
            requirement_id: "K-a".into(),
            status: ItemStatus::NotApplicable,
            owner: None,
            due: None,
            comment: " ".into(),
        };
        assert!(validate_item(&item).is_err());
        item.comment = "Systemet saknar externa användare".into();
        assert!(validate_item(&item).is_ok());
        assert!(ItemStatus::NotMet.is_outstanding() && !ItemStatus::Met.is_outstanding());
    }
}
