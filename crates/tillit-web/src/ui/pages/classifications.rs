//! `/classifications/{id}`: one classification of an asset. A draft is the questionnaire,
//! grouped by aspect, with the level each aspect's answers propose and the level decided; a
//! completed one shows its answers and levels, the requirements that follow and the action
//! plan, whose items are marked one by one.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use tillit_app::classification::{ClassificationView, DraftInput, ItemUpdate};
use tillit_app::{AppError, Caller};
use tillit_domain::classification::{
    self as rules, Answers, AspectDecision, ClassificationStatus, Decisions, ItemStatus, Model,
    RequirementKind,
};
use tillit_domain::{ClassificationId, DomainError, UnitId};

use super::assets::{code_key, writable};
use super::done_message;
use crate::AppState;
use crate::ui::context::{Ctx, Layout, Signed, page, see_other};
use crate::ui::failure::UiError;
use crate::ui::form::{FormData, FormErrors};
use crate::ui::format::today;
use crate::ui::i18n::I18n;
use crate::ui::tree::{Opt, tree};

fn parse_id(s: &str) -> Result<ClassificationId, UiError> {
    s.parse().map_err(|_| AppError::NotFound.into())
}

fn bad_form() -> UiError {
    UiError::new(StatusCode::BAD_REQUEST, "error-bad-form")
}

/// A requirement id as one path segment (ids come from model files).
pub fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub struct AnswerView {
    pub dom_id: String,
    pub index: usize,
    pub text: String,
    pub level: String,
    pub checked: bool,
}

pub struct QuestionView {
    pub dom_id: String,
    pub name: String,
    pub text: String,
    pub help: Option<String>,
    pub answers: Vec<AnswerView>,
    /// The chosen answer's text, for the read-only view.
    pub chosen: Option<String>,
}

pub struct AspectView {
    pub n: usize,
    pub code: String,
    pub name: String,
    pub description: String,
    pub questions: Vec<QuestionView>,
    /// "Föreslagen nivå: 3 – Allvarlig", or that there is none yet.
    pub proposal: String,
    /// "2 av 3 frågor besvarade"
    pub progress: String,
    pub level_name: String,
    pub level_options: Vec<Opt>,
    pub level_attrs: String,
    pub justification_name: String,
    pub justification: String,
    pub justification_attrs: String,
    /// The decided level, for the read-only view.
    pub decided: Option<String>,
    pub departs: bool,
}

pub struct RequirementView {
    pub id: String,
    pub aspect: String,
    pub from_level: String,
    pub kind: String,
    pub text: String,
    pub how: Option<String>,
    pub source: Option<String>,
}

pub struct ItemView {
    pub n: usize,
    pub requirement_id: String,
    pub action: String,
    pub text: String,
    pub kind: String,
    pub status: String,
    pub status_options: Vec<Opt>,
    pub owner: String,
    pub due: String,
    pub comment: String,
    pub error: Option<String>,
    pub status_attrs: String,
    pub owner_attrs: String,
    pub due_attrs: String,
    pub comment_attrs: String,
}

#[derive(Template)]
#[template(path = "classification.html")]
struct ClassificationPage {
    l: Layout,
    i: I18n,
    done: Option<String>,
    id: String,
    asset_id: String,
    asset_name: String,
    status: String,
    is_draft: bool,
    can_edit_draft: bool,
    can_edit_items: bool,
    model_name: String,
    aspects: Vec<AspectView>,
    participants: String,
    performed_on: String,
    performed_on_attrs: String,
    review_due: Option<String>,
    overdue: bool,
    separate_analysis: bool,
    requirements: Vec<RequirementView>,
    items: Vec<ItemView>,
    fe: FormErrors,
}

fn kind_label(i: &I18n, k: RequirementKind) -> String {
    i.t(match k {
        RequirementKind::State => "requirement-kind-state",
        RequirementKind::Procurement => "requirement-kind-procurement",
    })
}

/// The answers and decisions a draft form posts, read against the model. Values that do not
/// fit the form (not a number) make a malformed form; the rules check the rest.
fn draft_input(form: &FormData, model: &Model) -> Result<Result<DraftInput, AppError>, UiError> {
    let mut answers = Answers::new();
    for q in &model.questions {
        if let Some(v) = form.opt(&format!("answer-{}", q.id)) {
            answers.insert(q.id.clone(), v.parse().map_err(|_| bad_form())?);
        }
    }
    let mut decisions = Decisions::new();
    for a in &model.aspects {
        if let Some(v) = form.opt(&format!("level-{}", a.code)) {
            decisions.insert(
                a.code.clone(),
                AspectDecision {
                    level: v.parse().map_err(|_| bad_form())?,
                    justification: form.get(&format!("justification-{}", a.code)).to_owned(),
                },
            );
        }
    }
    let performed_on = match form.opt("performed_on").map(str::parse::<Date>) {
        None => None,
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            return Ok(Err(AppError::invalid("performed_on", "error-date-invalid")));
        }
    };
    Ok(Ok(DraftInput {
        answers,
        clear_answers: Vec::new(),
        decisions,
        participants: form
            .0
            .iter()
            .any(|(k, _)| k == "participants")
            .then(|| form.get("participants").to_owned()),
        performed_on,
    }))
}

/// The answers and decisions as the page shows them: the saved ones, with what was posted on
/// top.
fn effective(view: &ClassificationView, form: &FormData) -> (Answers, Decisions) {
    let mut answers = view.classification.answers.clone();
    let mut decisions = view.classification.decisions.clone();
    if let Ok(Ok(input)) = draft_input(form, &view.model.model) {
        answers.extend(input.answers);
        decisions.extend(input.decisions);
    }
    (answers, decisions)
}

/// A draft's failure as the form's error, pointed at the aspect it is about.
fn draft_error(
    e: AppError,
    i: I18n,
    model: &Model,
    answers: &Answers,
    decisions: &Decisions,
) -> Result<FormErrors, UiError> {
    let AppError::Invalid(DomainError::Invalid { field, code }) = e else {
        return FormErrors::from_app("draft", e, i);
    };
    let proposals = rules::propose(model, answers);
    let position = |pred: &dyn Fn(&str) -> bool| model.aspects.iter().position(|a| pred(&a.code));
    let field = match (field, code) {
        ("justification", _) => position(&|c| {
            decisions.get(c).is_some_and(|d| {
                proposals
                    .get(c)
                    .and_then(|p| p.level)
                    .is_some_and(|l| l != d.level)
                    && d.justification.trim().is_empty()
            })
        })
        .map(|n| format!("aspect{n}-justification")),
        ("decisions", "error-aspect-undecided") => {
            position(&|c| !decisions.contains_key(c)).map(|n| format!("aspect{n}-level"))
        }
        _ => None,
    }
    .unwrap_or_else(|| field.to_owned());
    Ok(FormErrors::new("draft", &field, i.error(code)))
}

#[allow(clippy::too_many_arguments)]
async fn view_page(
    cx: &Ctx,
    caller: &Caller,
    state: &AppState,
    id: ClassificationId,
    fe: FormErrors,
    v: FormData,
    failed_item: Option<&str>,
    status: StatusCode,
) -> Result<Response, UiError> {
    let i = cx.i();
    let lang = cx.lang.code();
    let app = &state.app;
    // In scope, or NotFound before anything else is read.
    let view = app.classification_view(caller, id).await?;
    let c = &view.classification;
    let model = &view.model.model;
    let asset = app.get_asset(caller, c.asset_id).await?;
    let units = app.list_units(caller, false).await?;
    let rows = tree(&units);
    let writable_ids: HashSet<UnitId> = writable(&rows, caller)
        .into_iter()
        .map(|r| r.unit.id)
        .collect();
    let can_write = writable_ids.contains(&c.unit_id);
    let is_draft = c.status == ClassificationStatus::Draft;
    let posted_draft = is_draft && !v.0.is_empty();
    let (answers, decisions) = if posted_draft {
        effective(&view, &v)
    } else {
        (c.answers.clone(), c.decisions.clone())
    };
    let proposals = rules::propose(model, &answers);
    let level_label = |l: u8| match model.levels.iter().find(|x| x.level == l) {
        Some(x) => format!("{l} – {}", x.name.get(lang)),
        None => l.to_string(),
    };

    let mut q_n = 0;
    let aspects: Vec<AspectView> = model
        .aspects
        .iter()
        .enumerate()
        .map(|(n, a)| {
            let questions = model
                .questions
                .iter()
                .filter(|q| q.aspect == a.code)
                .map(|q| {
                    q_n += 1;
                    let dom_id = format!("q{q_n}");
                    let chosen = answers.get(&q.id).copied();
                    QuestionView {
                        answers: q
                            .answers
                            .iter()
                            .enumerate()
                            .map(|(k, ans)| AnswerView {
                                dom_id: format!("{dom_id}-a{k}"),
                                index: k,
                                text: ans.text.get(lang).to_owned(),
                                level: i.t1("answer-level", "level", ans.level),
                                checked: chosen == Some(k),
                            })
                            .collect(),
                        chosen: chosen
                            .and_then(|k| q.answers.get(k))
                            .map(|ans| ans.text.get(lang).to_owned()),
                        name: format!("answer-{}", q.id),
                        text: q.text.get(lang).to_owned(),
                        help: q.help.as_ref().map(|h| h.get(lang).to_owned()),
                        dom_id,
                    }
                })
                .collect();
            let p = proposals.get(&a.code).copied();
            let proposed = p.and_then(|p| p.level);
            let d = decisions.get(&a.code);
            let selected = d.map(|d| d.level.to_string()).unwrap_or_default();
            let mut level_options: Vec<Opt> = Vec::new();
            if d.is_none() {
                level_options.push(Opt {
                    value: String::new(),
                    label: i.t("decision-choose"),
                    selected: true,
                });
            }
            level_options.extend(model.levels.iter().map(|l| Opt {
                value: l.level.to_string(),
                label: level_label(l.level),
                selected: l.level.to_string() == selected,
            }));
            let jf = format!("aspect{n}-justification");
            AspectView {
                n,
                code: a.code.clone(),
                name: a.name.get(lang).to_owned(),
                description: a.description.get(lang).to_owned(),
                questions,
                proposal: match proposed {
                    Some(l) => i.t1("proposal-level", "level", level_label(l)),
                    None => i.t("proposal-none"),
                },
                progress: i.ta(
                    "proposal-progress",
                    &[
                        ("answered", &p.map(|p| p.answered).unwrap_or(0).to_string()),
                        (
                            "questions",
                            &p.map(|p| p.questions).unwrap_or(0).to_string(),
                        ),
                    ],
                ),
                level_name: format!("level-{}", a.code),
                level_options,
                level_attrs: fe.attrs("draft", &format!("aspect{n}-level")),
                justification_name: format!("justification-{}", a.code),
                justification: d.map(|d| d.justification.clone()).unwrap_or_default(),
                justification_attrs: fe.attrs_hint("draft", &jf, &format!("{jf}-hint")),
                decided: d.map(|d| level_label(d.level)),
                departs: d.is_some_and(|d| proposed.is_some_and(|l| l != d.level)),
            }
        })
        .collect();

    let requirements: Vec<RequirementView> = view
        .requirements
        .iter()
        .map(|r| RequirementView {
            id: r.id.clone(),
            aspect: model
                .aspect(&r.aspect)
                .map(|a| a.name.get(lang).to_owned())
                .unwrap_or_else(|| r.aspect.clone()),
            from_level: level_label(r.from_level),
            kind: kind_label(&i, r.kind),
            text: r.text.get(lang).to_owned(),
            how: r.how.as_ref().map(|h| h.get(lang).to_owned()),
            source: r.source.clone(),
        })
        .collect();

    let items: Vec<ItemView> = view
        .items
        .iter()
        .enumerate()
        .map(|(n, it)| {
            let req = model.requirement(&it.requirement_id);
            let failed = failed_item == Some(it.requirement_id.as_str());
            let field = |name: &str| format!("{n}-{name}");
            let typed = |name: &str, stored: String| {
                if failed {
                    v.get(name).to_owned()
                } else {
                    stored
                }
            };
            let status = if failed {
                v.get("status").to_owned()
            } else {
                it.status.as_str().to_owned()
            };
            ItemView {
                n,
                action: format!(
                    "/classifications/{id}/items/{}",
                    path_segment(&it.requirement_id)
                ),
                text: req.map(|r| r.text.get(lang).to_owned()).unwrap_or_default(),
                kind: req.map(|r| kind_label(&i, r.kind)).unwrap_or_default(),
                status: i.t(&code_key("item-status", it.status.as_str())),
                status_options: [
                    ItemStatus::Open,
                    ItemStatus::Met,
                    ItemStatus::NotMet,
                    ItemStatus::NotApplicable,
                ]
                .into_iter()
                .map(|s| Opt {
                    value: s.as_str().to_owned(),
                    label: i.t(&code_key("item-status", s.as_str())),
                    selected: s.as_str() == status,
                })
                .collect(),
                owner: typed("owner", it.owner.clone().unwrap_or_default()),
                due: typed("due", it.due.map(|d| d.to_string()).unwrap_or_default()),
                comment: typed("comment", it.comment.clone()),
                error: if failed {
                    fe.on("item").map(str::to_owned)
                } else {
                    None
                },
                status_attrs: fe.attrs("item", &field("status")),
                owner_attrs: fe.attrs("item", &field("owner")),
                due_attrs: fe.attrs("item", &field("due")),
                comment_attrs: fe.attrs("item", &field("comment")),
                requirement_id: it.requirement_id.clone(),
            }
        })
        .collect();

    let participants = if posted_draft {
        v.get("participants").to_owned()
    } else {
        c.participants.clone()
    };
    let performed_on = if posted_draft {
        v.get("performed_on").to_owned()
    } else {
        c.performed_on.map(|d| d.to_string()).unwrap_or_default()
    };
    let title = i.t1("classification-title", "name", &asset.name);
    page(
        status,
        &ClassificationPage {
            l: cx.layout(title),
            done: done_message(
                &cx.here,
                &i,
                &["started", "saved", "completed", "item-saved"],
            ),
            id: id.to_string(),
            asset_id: asset.id.to_string(),
            asset_name: asset.name.clone(),
            status: i.t(&code_key("classification-status", c.status.as_str())),
            is_draft,
            can_edit_draft: is_draft && can_write,
            can_edit_items: c.status == ClassificationStatus::Completed && can_write,
            model_name: i.ta(
                "classification-model-version",
                &[
                    ("name", model.name.get(lang)),
                    ("version", &model.version.to_string()),
                ],
            ),
            aspects,
            participants,
            performed_on,
            performed_on_attrs: fe.attrs("draft", "performed_on"),
            review_due: c.review_due.map(|d| d.to_string()),
            overdue: c.status == ClassificationStatus::Completed
                && c.review_due.is_some_and(|d| d < today()),
            separate_analysis: c.separate_analysis,
            requirements,
            items,
            fe,
            i,
        },
    )
}

/// `GET /classifications/{id}`
pub async fn show(
    Signed { cx, caller }: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    view_page(
        &cx,
        &caller,
        &state,
        id,
        FormErrors::none(),
        FormData::default(),
        None,
        StatusCode::OK,
    )
    .await
}

/// Saves what a draft form posted; on invalid input, the form's error.
async fn save_posted(
    s: &Signed,
    state: &AppState,
    id: ClassificationId,
    form: &FormData,
) -> Result<Option<FormErrors>, UiError> {
    let view = state.app.classification_view(&s.caller, id).await?;
    let model = &view.model.model;
    let result = match draft_input(form, model)? {
        Ok(input) => state
            .app
            .save_classification(&s.caller, id, input)
            .await
            .map(|_| ()),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => Ok(None),
        Err(e) => {
            let (answers, decisions) = effective(&view, form);
            Ok(Some(draft_error(e, s.cx.i(), model, &answers, &decisions)?))
        }
    }
}

async fn redisplay(
    s: &Signed,
    state: &AppState,
    id: ClassificationId,
    fe: FormErrors,
    form: FormData,
) -> Result<Response, UiError> {
    view_page(
        &s.cx,
        &s.caller,
        state,
        id,
        fe,
        form,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

/// `POST /classifications/{id}`: saves the draft (answers, decisions, participants, date).
pub async fn save(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    match save_posted(&s, &state, id, &form).await? {
        None => Ok(see_other(&format!("/classifications/{id}?done=saved"))),
        Some(fe) => redisplay(&s, &state, id, fe, form).await,
    }
}

/// `POST /classifications/{id}/complete`: saves what the form posted, then completes.
pub async fn complete(
    s: Signed,
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    if !form.0.is_empty()
        && let Some(fe) = save_posted(&s, &state, id, &form).await?
    {
        return redisplay(&s, &state, id, fe, form).await;
    }
    match state.app.complete_classification(&s.caller, id).await {
        Ok(_) => Ok(see_other(&format!("/classifications/{id}?done=completed"))),
        Err(e) => {
            let view = state.app.classification_view(&s.caller, id).await?;
            let c = &view.classification;
            let fe = draft_error(e, s.cx.i(), &view.model.model, &c.answers, &c.decisions)?;
            // The saved draft is what failed: show it as saved.
            redisplay(&s, &state, id, fe, FormData::default()).await
        }
    }
}

/// `POST /classifications/{id}/items/{requirement_id}`: status, owner, due date, comment.
pub async fn update_item(
    s: Signed,
    State(state): State<AppState>,
    Path((id, requirement_id)): Path<(String, String)>,
    form: FormData,
) -> Result<Response, UiError> {
    let id = parse_id(&id)?;
    let status = ItemStatus::parse(form.get("status")).ok_or_else(bad_form)?;
    let result = match form.opt("due").map(str::parse::<Date>) {
        Some(Err(_)) => Err(AppError::invalid("due", "error-date-invalid")),
        due => {
            let upd = ItemUpdate {
                status,
                owner: Some(form.get("owner").to_owned()),
                due: due.and_then(Result::ok),
                comment: form.get("comment").to_owned(),
            };
            state
                .app
                .update_action_item(&s.caller, id, &requirement_id, upd)
                .await
        }
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/classifications/{id}?done=item-saved"))),
        Err(AppError::Invalid(DomainError::Invalid { field, code })) => {
            let view = state.app.classification_view(&s.caller, id).await?;
            let n = view
                .items
                .iter()
                .position(|it| it.requirement_id == requirement_id)
                .ok_or(AppError::NotFound)?;
            let fe = FormErrors::new("item", &format!("{n}-{field}"), s.cx.i().error(code));
            view_page(
                &s.cx,
                &s.caller,
                &state,
                id,
                fe,
                form,
                Some(&requirement_id),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirement_ids_are_safe_path_segments() {
        assert_eq!(path_segment("K-1-01"), "K-1-01");
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
        assert_eq!(path_segment("Å"), "%C3%85");
    }

    #[test]
    fn every_label_exists_in_both_languages() {
        for lang in crate::ui::i18n::Lang::ALL {
            let i = lang.i18n();
            for s in ["open", "met", "not_met", "not_applicable"] {
                let k = code_key("item-status", s);
                assert!(i.try_t(&k).is_some(), "{k}");
            }
            for w in ["started", "saved", "completed", "item-saved"] {
                assert!(i.try_t(&format!("done-{w}")).is_some(), "done-{w}");
            }
        }
    }
}
