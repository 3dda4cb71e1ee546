//! Screening: the stages a program puts applicants through (application review,
//! background check, interview, ...), each recorded by one or more reviewers with an
//! outcome, a reason code and a note.

use serde::{Deserialize, Serialize};

use super::program::{Role, coded_enum};

coded_enum! {
    /// One reviewer's outcome for one stage.
    Outcome {
        Passed = "passed" / "Passed",
        NeedsInformation = "needs_information" / "Needs information",
        Failed = "failed" / "Failed",
    }
}

/// A stage of a program's screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    pub code: String,
    pub name: String,
    /// Results and notes only the department's named roles may see (background checks).
    #[serde(default)]
    pub sensitive: bool,
}

/// A reason a reviewer may give, chosen from the program's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    pub code: String,
    pub label: String,
}

/// A program's screening, stored with the program as JSON. No stages: nothing to screen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Screening {
    pub stages: Vec<Stage>,
    pub reasons: Vec<Reason>,
}

/// Longest note a reviewer may write.
pub const MAX_NOTE_CHARS: usize = 2000;

/// A reviewer's entry for one stage, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub stage: String,
    pub outcome: Outcome,
    pub reviewer: String,
    /// Later entries have larger sequence numbers (the store's id).
    pub seq: i64,
}

/// Where one stage stands, from every reviewer's latest entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageState {
    NotStarted,
    NeedsInformation,
    Passed,
    Failed,
}

impl StageState {
    pub fn label(self) -> &'static str {
        match self {
            StageState::NotStarted => "Not started",
            StageState::NeedsInformation => "Needs information",
            StageState::Passed => "Passed",
            StageState::Failed => "Failed",
        }
    }
}

impl Screening {
    pub fn stage(&self, code: &str) -> Option<&Stage> {
        self.stages.iter().find(|s| s.code == code)
    }

    pub fn reason(&self, code: &str) -> Option<&Reason> {
        self.reasons.iter().find(|r| r.code == code)
    }

    /// Checks a program's screening as a coordinator wrote it; every problem is listed.
    pub fn validate(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        let code_ok = |c: &str| {
            !c.is_empty()
                && c.len() <= 40
                && c.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
        };
        for (i, stage) in self.stages.iter().enumerate() {
            if !code_ok(&stage.code) {
                errors.push(format!(
                    "Stage code {:?} must be lowercase letters, digits or underscores.",
                    stage.code
                ));
            }
            if stage.name.trim().is_empty() {
                errors.push(format!("Stage {:?} needs a name.", stage.code));
            }
            if self.stages[..i].iter().any(|s| s.code == stage.code) {
                errors.push(format!("Stage code {:?} is used twice.", stage.code));
            }
        }
        for (i, reason) in self.reasons.iter().enumerate() {
            if !code_ok(&reason.code) {
                errors.push(format!(
                    "Reason code {:?} must be lowercase letters, digits or underscores.",
                    reason.code
                ));
            }
            if reason.label.trim().is_empty() {
                errors.push(format!("Reason {:?} needs a label.", reason.code));
            }
            if self.reasons[..i].iter().any(|r| r.code == reason.code) {
                errors.push(format!("Reason code {:?} is used twice.", reason.code));
            }
        }
        if !self.stages.is_empty() && self.reasons.is_empty() {
            errors.push("Give reviewers at least one reason code.".into());
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// Checks one reviewer's entry against the program's stages and reasons.
    pub fn check_entry(&self, stage: &str, reason: &str, note: &str) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if self.stage(stage).is_none() {
            errors.push("Choose one of this program's screening stages.".to_string());
        }
        if self.reason(reason).is_none() {
            errors.push("Choose a reason code from the list.".to_string());
        }
        if note.chars().count() > MAX_NOTE_CHARS {
            errors.push(format!("Keep the note under {MAX_NOTE_CHARS} characters."));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    /// The stages that are not passed yet, in order; approval waits for all of them.
    pub fn unfinished<'a>(&'a self, entries: &[Entry]) -> Vec<&'a Stage> {
        self.stages
            .iter()
            .filter(|s| stage_state(&s.code, entries) != StageState::Passed)
            .collect()
    }
}

impl Screening {
    /// Reads the two lists a coordinator types, one item per line: stages as
    /// `code | Name` (add `| sensitive` for stages whose results only named roles see), and
    /// reasons as `code | Label`. The result is checked with [`Screening::validate`].
    pub fn from_lines(stages: &str, reasons: &str) -> Result<Screening, Vec<String>> {
        let mut errors = Vec::new();
        let mut parsed = Screening::default();
        for line in stages.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            match parts.as_slice() {
                [code, name] => parsed.stages.push(Stage {
                    code: code.to_string(),
                    name: name.to_string(),
                    sensitive: false,
                }),
                [code, name, flag] if flag.eq_ignore_ascii_case("sensitive") => parsed.stages.push(Stage {
                    code: code.to_string(),
                    name: name.to_string(),
                    sensitive: true,
                }),
                _ => errors.push(format!("Write the stage {line:?} as: code | Name (| sensitive).")),
            }
        }
        for line in reasons.lines().map(str::trim).filter(|l| !l.is_empty()) {
            match line.split_once('|') {
                Some((code, label)) => parsed.reasons.push(Reason {
                    code: code.trim().to_string(),
                    label: label.trim().to_string(),
                }),
                None => errors.push(format!("Write the reason {line:?} as: code | Label.")),
            }
        }
        if let Err(more) = parsed.validate() {
            errors.extend(more);
        }
        if errors.is_empty() { Ok(parsed) } else { Err(errors) }
    }

    /// The lists as [`Screening::from_lines`] reads them.
    pub fn to_lines(&self) -> (String, String) {
        let stages = self
            .stages
            .iter()
            .map(|s| {
                if s.sensitive {
                    format!("{} | {} | sensitive", s.code, s.name)
                } else {
                    format!("{} | {}", s.code, s.name)
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let reasons = self
            .reasons
            .iter()
            .map(|r| format!("{} | {}", r.code, r.label))
            .collect::<Vec<_>>()
            .join("\n");
        (stages, reasons)
    }
}

/// A stage's state from its entries: each reviewer's latest entry counts; any failure
/// fails the stage, any open question holds it, otherwise it has passed.
pub fn stage_state(stage: &str, entries: &[Entry]) -> StageState {
    let mut latest: Vec<&Entry> = Vec::new();
    for e in entries.iter().filter(|e| e.stage == stage) {
        match latest.iter_mut().find(|l| l.reviewer == e.reviewer) {
            Some(l) if l.seq < e.seq => *l = e,
            Some(_) => {}
            None => latest.push(e),
        }
    }
    if latest.is_empty() {
        StageState::NotStarted
    } else if latest.iter().any(|e| e.outcome == Outcome::Failed) {
        StageState::Failed
    } else if latest.iter().any(|e| e.outcome == Outcome::NeedsInformation) {
        StageState::NeedsInformation
    } else {
        StageState::Passed
    }
}

/// What a reviewer reads of a stage's state. One rule for every view: a reviewer whose
/// role the department does not name learns only whether a sensitive stage is settled,
/// never whether it passed or failed.
pub fn shown_state(stage_is_sensitive: bool, sees_sensitive: bool, state: StageState) -> &'static str {
    match (stage_is_sensitive && !sees_sensitive, state) {
        (true, StageState::NotStarted) => "Not started",
        (true, StageState::NeedsInformation) => "In progress (details restricted)",
        (true, StageState::Passed | StageState::Failed) => "Complete (details restricted)",
        (false, s) => s.label(),
    }
}

/// The review queue's one line on an application's stages (`(sensitive, state)` per
/// stage), from what this reviewer may know: a restricted stage counts as complete once
/// settled, and neither its failure nor its open questions show.
pub fn progress(stages: &[(bool, StageState)], sees_sensitive: bool) -> String {
    if stages.is_empty() {
        return "Ready for a decision".to_string();
    }
    let restricted = |sensitive: bool| sensitive && !sees_sensitive;
    let visible = |want: StageState| stages.iter().any(|(s, st)| !restricted(*s) && *st == want);
    let done = stages
        .iter()
        .filter(|(s, st)| *st == StageState::Passed || (restricted(*s) && *st == StageState::Failed))
        .count();
    let any_restricted = stages.iter().any(|(s, _)| restricted(*s));
    let word = if any_restricted { "complete" } else { "passed" };
    let total = stages.len();
    if visible(StageState::Failed) {
        format!("A stage failed; {done} of {total} {word}")
    } else if visible(StageState::NeedsInformation) {
        format!("Waiting for information; {done} of {total} {word}")
    } else {
        format!("{done} of {total} stages {word}")
    }
}

/// Whether a reviewer the department does not name for sensitive fields may approve an
/// application: not when it has sensitive results (a background check or a sensitive
/// stage), since whether approval goes through would tell them how those came out.
pub fn may_approve_unnamed(has_sensitive_results: bool) -> Result<(), &'static str> {
    if has_sensitive_results {
        Err(
            "This application has restricted screening results, so a reviewer who sees sensitive fields \
             approves it. You can still record the other stages or deny it with a reason.",
        )
    } else {
        Ok(())
    }
}

/// Whether an audit entry records a sensitive field: every background-check change, and
/// every screening entry except those written with `"sensitive": false` (entries written
/// before the flag existed are treated as sensitive).
pub fn audit_entry_is_sensitive(action: &str, after_json: Option<&str>) -> bool {
    match action {
        "application.background_check" => true,
        "application.screening" => !after_json.is_some_and(|a| {
            serde_json::from_str::<serde_json::Value>(a)
                .ok()
                .and_then(|v| v.get("sensitive").and_then(serde_json::Value::as_bool))
                == Some(false)
        }),
        _ => false,
    }
}

/// Whether a staff member may see sensitive screening fields: they must be a reviewer and
/// hold one of the roles the department names.
pub fn may_see_sensitive(role: Role, named: &[Role]) -> bool {
    super::access::allows(role, super::access::Permission::Review) && named.contains(&role)
}

/// Reads the department's list of roles allowed to see sensitive fields ("admin,coordinator").
pub fn parse_roles(list: &str) -> Vec<Role> {
    list.split(',').filter_map(|r| Role::parse(r.trim())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn academy() -> Screening {
        Screening {
            stages: vec![
                Stage {
                    code: "review".into(),
                    name: "Application review".into(),
                    sensitive: false,
                },
                Stage {
                    code: "background".into(),
                    name: "Background check".into(),
                    sensitive: true,
                },
            ],
            reasons: vec![Reason {
                code: "meets_criteria".into(),
                label: "Meets the criteria".into(),
            }],
        }
    }

    fn entry(stage: &str, outcome: Outcome, reviewer: &str, seq: i64) -> Entry {
        Entry {
            stage: stage.into(),
            outcome,
            reviewer: reviewer.into(),
            seq,
        }
    }

    #[test]
    fn a_stage_follows_every_reviewers_latest_word() {
        use Outcome::*;
        assert_eq!(stage_state("review", &[]), StageState::NotStarted);
        let one = [entry("review", Passed, "ana", 1)];
        assert_eq!(stage_state("review", &one), StageState::Passed);
        // A second reviewer with a question holds the stage.
        let two = [
            entry("review", Passed, "ana", 1),
            entry("review", NeedsInformation, "ben", 2),
        ];
        assert_eq!(stage_state("review", &two), StageState::NeedsInformation);
        // Ben's later pass replaces his question.
        let three = [two[0].clone(), two[1].clone(), entry("review", Passed, "ben", 3)];
        assert_eq!(stage_state("review", &three), StageState::Passed);
        // Any reviewer's failure fails the stage, whatever the order the entries arrive in.
        let four = [entry("review", Failed, "ana", 5), entry("review", Passed, "ben", 4)];
        assert_eq!(stage_state("review", &four), StageState::Failed);
        let corrected = [entry("review", Passed, "ana", 6), four[0].clone(), four[1].clone()];
        assert_eq!(stage_state("review", &corrected), StageState::Passed);
        // Other stages' entries do not count.
        assert_eq!(stage_state("background", &one), StageState::NotStarted);
    }

    #[test]
    fn approval_waits_for_every_stage() {
        let s = academy();
        let passed_review = [entry("review", Outcome::Passed, "ana", 1)];
        let names: Vec<&str> = s.unfinished(&passed_review).iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Background check"]);
        let all = [passed_review[0].clone(), entry("background", Outcome::Passed, "ana", 2)];
        assert!(s.unfinished(&all).is_empty());
        assert!(
            Screening::default().unfinished(&[]).is_empty(),
            "no stages, nothing to wait for"
        );
    }

    #[test]
    fn entries_use_the_programs_stages_and_reasons() {
        let s = academy();
        assert!(s.check_entry("review", "meets_criteria", "").is_ok());
        assert_eq!(
            s.check_entry("interview", "whim", &"x".repeat(2001)).unwrap_err().len(),
            3
        );
    }

    #[test]
    fn a_screening_definition_is_checked() {
        assert!(academy().validate().is_ok());
        let mut bad = academy();
        bad.stages.push(bad.stages[0].clone());
        bad.stages.push(Stage {
            code: "Bad Code".into(),
            name: " ".into(),
            sensitive: false,
        });
        bad.reasons.clear();
        assert_eq!(bad.validate().unwrap_err().len(), 4);
    }

    #[test]
    fn restricted_reviewers_learn_only_whether_a_sensitive_stage_is_settled() {
        use StageState::*;
        assert_eq!(shown_state(true, false, Passed), shown_state(true, false, Failed));
        assert_eq!(shown_state(true, true, Failed), "Failed");
        assert_eq!(shown_state(false, false, Failed), "Failed");
        let failed_check = [(false, Passed), (true, Failed), (false, NotStarted)];
        let passed_check = [(false, Passed), (true, Passed), (false, NotStarted)];
        assert_eq!(progress(&failed_check, false), progress(&passed_check, false));
        assert_eq!(progress(&failed_check, false), "2 of 3 stages complete");
        assert_eq!(progress(&failed_check, true), "A stage failed; 1 of 3 passed");
        let asking = [(true, NeedsInformation), (false, Passed)];
        assert_eq!(progress(&asking, false), "1 of 2 stages complete");
        assert_eq!(progress(&[(false, Failed)], false), "A stage failed; 0 of 1 passed");
        assert_eq!(progress(&[], false), "Ready for a decision");
    }

    #[test]
    fn audit_entries_of_sensitive_fields_are_known_by_their_action() {
        assert!(audit_entry_is_sensitive("application.background_check", None));
        assert!(audit_entry_is_sensitive(
            "application.screening",
            Some(r#"{"sensitive":true}"#)
        ));
        assert!(audit_entry_is_sensitive(
            "application.screening",
            Some(r#"{"stage":"x"}"#)
        ));
        assert!(!audit_entry_is_sensitive(
            "application.screening",
            Some(r#"{"sensitive":false}"#)
        ));
        assert!(!audit_entry_is_sensitive("class.capacity", Some("{}")));
    }

    #[test]
    fn sensitive_fields_need_a_named_reviewing_role() {
        let named = parse_roles("admin, coordinator,nobody");
        assert_eq!(named, [Role::Admin, Role::Coordinator]);
        assert!(may_see_sensitive(Role::Coordinator, &named));
        assert!(!may_see_sensitive(Role::Coordinator, &[Role::Admin]));
        // Naming a role that may not review grants nothing.
        assert!(!may_see_sensitive(Role::Officer, &[Role::Officer]));
    }

    #[test]
    fn the_typed_lists_round_trip() {
        let (stages, reasons) = academy().to_lines();
        assert_eq!(
            stages,
            "review | Application review\nbackground | Background check | sensitive"
        );
        assert_eq!(Screening::from_lines(&stages, &reasons), Ok(academy()));
        let errors = Screening::from_lines("just words\nx | X | secret", "no bar").unwrap_err();
        assert_eq!(errors.len(), 3, "one message per bad line: {errors:?}");
        assert_eq!(
            Screening::from_lines("", ""),
            Ok(Screening::default()),
            "no screening at all"
        );
    }
}
