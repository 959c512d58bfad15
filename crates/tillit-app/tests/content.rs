//! The shipped content in `content/` loads and is whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use tillit_domain::classification::{Model, RequirementKind};

fn load(relative: &str) -> Model {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text)
        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

fn standard() -> Model {
    load("../../content/classification/tillit-standard.yaml")
}

#[test]
fn the_standard_model_is_valid() {
    let m = standard();
    if let Err(errors) = m.validate() {
        let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("tillit-standard.yaml is invalid:\n{}", list.join("\n"));
    }
    assert_eq!(m.key, "tillit-standard");
    assert_eq!(m.version, 1);
    assert_eq!(m.review_interval_months, 24);
    let d = m.description.as_ref().expect("a description");
    assert!(!d.sv.trim().is_empty() && !d.en.trim().is_empty());
}

#[test]
fn the_standard_model_has_four_aspects_and_levels_0_to_4() {
    let m = standard();
    let codes: Vec<&str> = m.aspects.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, ["K", "R", "T", "S"]);
    let levels: Vec<u8> = m.levels.iter().map(|l| l.level).collect();
    assert_eq!(levels, [0, 1, 2, 3, 4]);
    for a in &m.aspects {
        assert!(
            !a.description.sv.trim().is_empty() && !a.description.en.trim().is_empty(),
            "aspect {} needs a description in sv and en",
            a.code
        );
    }
    for l in &m.levels {
        assert!(
            !l.description.sv.trim().is_empty() && !l.description.en.trim().is_empty(),
            "level {} needs a description in sv and en",
            l.level
        );
    }
}

#[test]
fn every_aspect_has_a_questionnaire_of_ordered_answers() {
    let m = standard();
    for a in &m.aspects {
        let qs: Vec<_> = m.questions.iter().filter(|q| q.aspect == a.code).collect();
        assert!(
            (4..=6).contains(&qs.len()),
            "aspect {} has {} questions",
            a.code,
            qs.len()
        );
        // Between them the answers can propose every level up to 3.
        let reachable: BTreeSet<u8> = qs
            .iter()
            .flat_map(|q| q.answers.iter().map(|x| x.level))
            .collect();
        assert!(
            (0..=3).all(|l| reachable.contains(&l)),
            "aspect {}: answers reach only {reachable:?}",
            a.code
        );
    }
    for q in &m.questions {
        assert!(
            (3..=5).contains(&q.answers.len()),
            "question {} has {} answers",
            q.id,
            q.answers.len()
        );
        let levels: Vec<u8> = q.answers.iter().map(|x| x.level).collect();
        assert!(
            levels.windows(2).all(|w| w[0] < w[1]),
            "question {}: answers must run from least to most serious, got {levels:?}",
            q.id
        );
        assert_eq!(
            levels[0], 0,
            "question {}: the first answer should propose 0",
            q.id
        );
        if let Some(h) = &q.help {
            assert!(
                !h.sv.trim().is_empty() && !h.en.trim().is_empty(),
                "{}",
                q.id
            );
        }
    }
}

#[test]
fn the_requirement_catalogue_covers_every_aspect_level_and_kind() {
    let m = standard();
    assert!(
        m.requirements.len() >= 35,
        "only {} requirements",
        m.requirements.len()
    );
    let kinds: BTreeSet<_> = m
        .requirements
        .iter()
        .map(|r| matches!(r.kind, RequirementKind::State))
        .collect();
    assert_eq!(
        kinds.len(),
        2,
        "both state (ÄR) and procurement (SKA) requirements"
    );
    let mut per_level: BTreeMap<u8, usize> = BTreeMap::new();
    let mut per_aspect: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &m.requirements {
        *per_level.entry(r.from_level).or_default() += 1;
        *per_aspect.entry(r.aspect.as_str()).or_default() += 1;
        // Ids read aspect-level-number, e.g. K-2-01.
        let prefix = format!("{}-{}-", r.aspect, r.from_level);
        let number =
            r.id.strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("requirement {} should start with {prefix}", r.id));
        assert!(
            number.len() == 2 && number.chars().all(|c| c.is_ascii_digit()),
            "requirement {}: expected a two-digit number",
            r.id
        );
        let how = r
            .how
            .as_ref()
            .unwrap_or_else(|| panic!("requirement {} has no how", r.id));
        assert!(
            !how.sv.trim().is_empty() && !how.en.trim().is_empty(),
            "requirement {}: how needs sv and en",
            r.id
        );
        assert!(
            r.source.as_deref().is_some_and(|s| !s.trim().is_empty()),
            "requirement {} has no source",
            r.id
        );
    }
    for level in 1..=4 {
        assert!(
            per_level.get(&level).copied().unwrap_or(0) > 0,
            "no requirements from level {level}"
        );
    }
    for a in &m.aspects {
        assert!(
            per_aspect.get(a.code.as_str()).copied().unwrap_or(0) >= 5,
            "aspect {} has too few requirements",
            a.code
        );
    }
}
