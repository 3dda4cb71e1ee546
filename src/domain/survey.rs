//! Outcome surveys: instruments built from question types, their versions, checking a
//! submitted answer sheet, and the statistics shown to staff (pre/post distributions,
//! mean change with a 95% confidence interval, response rates), with small groups
//! suppressed so nobody's answers can be picked out.
//!
//! Pure rules only. Anonymity rests on what is stored with an answer sheet: the survey
//! version, the class, the phase (pre or post), the day, and an opaque pair code, never
//! a person's id, a link's token hash or a time of day that could be matched with the
//! invitation's. The pair code is meant to be a keyed hash (HMAC) of the participant
//! and class under a key kept in configuration, not in the database, so pre and post
//! sheets of one person match while the database alone cannot name anyone.
//!
//! Kept whole: instruments, answer checks and statistics share the question types; a third
//! of the file is their unit tests.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::ids::SurveyVersionId;

/// Fewer answers than this are never shown (per question, per group).
pub const MIN_GROUP: usize = 5;
/// Longest free-text answer kept.
pub const MAX_TEXT_CHARS: usize = 2000;

/// What a question asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// Agreement from 1 to `points` (5 or 7), labelled at both ends.
    Likert { points: u8, low: String, high: String },
    /// Exactly one of the options.
    SingleChoice { options: Vec<String> },
    /// Any of the options.
    MultipleChoice { options: Vec<String> },
    /// Words, read by staff only.
    FreeText,
}

/// One question of an instrument. `key` stays the same across versions so results of
/// a question can be followed when wording elsewhere changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub key: String,
    pub prompt: String,
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// A survey as participants see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instrument {
    pub title: String,
    pub questions: Vec<Question>,
}

/// A problem with an instrument or an answer sheet, tied to a question where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyProblem {
    pub question: Option<String>,
    pub message: String,
}

fn problem(question: Option<&str>, message: impl Into<String>) -> SurveyProblem {
    SurveyProblem {
        question: question.map(str::to_string),
        message: message.into(),
    }
}

impl Instrument {
    /// Every problem that would make the instrument unusable, so a coordinator can fix
    /// them all at once.
    pub fn problems(&self) -> Vec<SurveyProblem> {
        let mut out = Vec::new();
        if self.title.trim().is_empty() {
            out.push(problem(None, "Give the survey a title."));
        }
        if self.questions.is_empty() {
            out.push(problem(None, "A survey needs at least one question."));
        }
        let mut keys = BTreeSet::new();
        for q in &self.questions {
            let key = Some(q.key.as_str());
            if q.key.is_empty()
                || !q
                    .key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                out.push(problem(
                    key,
                    "A question key uses lowercase letters, digits and underscores.",
                ));
            }
            if !keys.insert(q.key.as_str()) {
                out.push(problem(key, "Two questions share this key."));
            }
            if q.prompt.trim().is_empty() {
                out.push(problem(key, "Every question needs its wording."));
            }
            match &q.kind {
                QuestionKind::Likert { points, low, high } => {
                    if ![5, 7].contains(points) {
                        out.push(problem(key, "An agreement scale has 5 or 7 points."));
                    }
                    if low.trim().is_empty() || high.trim().is_empty() {
                        out.push(problem(key, "Label both ends of the scale."));
                    }
                }
                QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => {
                    let distinct: BTreeSet<&str> = options.iter().map(|o| o.trim()).collect();
                    if options.len() < 2 || distinct.len() != options.len() || distinct.contains("") {
                        out.push(problem(
                            key,
                            "A choice needs at least two different, non-empty options.",
                        ));
                    }
                }
                QuestionKind::FreeText => {}
            }
        }
        out
    }
}

/// A question as the editor's form carries it: the type as a code and options one
/// per line, so a coordinator builds a survey without knowing its stored shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionDraft {
    pub key: String,
    pub prompt: String,
    /// `likert5`, `likert7`, `single`, `multiple` or `text`.
    pub kind: String,
    /// Choice options, one per line.
    pub options: String,
    pub low: String,
    pub high: String,
}

/// The question types the editor offers, as `(code, label)`.
pub const DRAFT_KINDS: &[(&str, &str)] = &[
    ("likert5", "Agreement, 5 points"),
    ("likert7", "Agreement, 7 points"),
    ("single", "One choice"),
    ("multiple", "Several choices"),
    ("text", "Free text"),
];

impl QuestionDraft {
    /// The editor's view of a stored question.
    pub fn of(q: &Question) -> QuestionDraft {
        let mut d = QuestionDraft {
            key: q.key.clone(),
            prompt: q.prompt.clone(),
            ..Default::default()
        };
        match &q.kind {
            QuestionKind::Likert { points, low, high } => {
                d.kind = format!("likert{points}");
                d.low = low.clone();
                d.high = high.clone();
            }
            QuestionKind::SingleChoice { options } => {
                d.kind = "single".into();
                d.options = options.join("\n");
            }
            QuestionKind::MultipleChoice { options } => {
                d.kind = "multiple".into();
                d.options = options.join("\n");
            }
            QuestionKind::FreeText => d.kind = "text".into(),
        }
        d
    }

    fn question(&self) -> Result<Question, SurveyProblem> {
        let options = || -> Vec<String> {
            self.options
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect()
        };
        let label = |given: &str, default: &str| match given.trim() {
            "" => default.to_string(),
            g => g.to_string(),
        };
        let kind = match self.kind.as_str() {
            "likert5" | "likert7" => QuestionKind::Likert {
                points: if self.kind == "likert5" { 5 } else { 7 },
                low: label(&self.low, "Strongly disagree"),
                high: label(&self.high, "Strongly agree"),
            },
            "single" => QuestionKind::SingleChoice { options: options() },
            "multiple" => QuestionKind::MultipleChoice { options: options() },
            "text" => QuestionKind::FreeText,
            _ => {
                return Err(problem(Some(self.key.trim()), "Choose a question type from the list."));
            }
        };
        Ok(Question {
            key: self.key.trim().to_string(),
            prompt: self.prompt.trim().to_string(),
            kind,
        })
    }
}

/// Builds an instrument from the editor's rows, with every problem at once.
pub fn from_drafts(title: &str, drafts: &[QuestionDraft]) -> Result<Instrument, Vec<SurveyProblem>> {
    let mut problems = Vec::new();
    let mut questions = Vec::new();
    for d in drafts {
        match d.question() {
            Ok(q) => questions.push(q),
            Err(p) => problems.push(p),
        }
    }
    let instrument = Instrument {
        title: title.trim().to_string(),
        questions,
    };
    problems.extend(instrument.problems());
    if problems.is_empty() {
        Ok(instrument)
    } else {
        Err(problems)
    }
}

/// How saving an edited instrument goes: answers already given were given to the old
/// wording, so a used version is never changed in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    /// Nobody has answered this version yet: change it.
    InPlace,
    /// Answers exist: keep this version and add the next.
    NewVersion(u32),
}

/// Decides how an edit to `version` is saved.
pub fn revise(version: u32, answered: bool) -> Revision {
    if answered {
        Revision::NewVersion(version + 1)
    } else {
        Revision::InPlace
    }
}

/// The instrument the citizen and teen academies start with: trust, safety,
/// understanding, willingness to call, and room for words.
pub fn default_academy_instrument() -> Instrument {
    let agree = |key: &str, prompt: &str| Question {
        key: key.into(),
        prompt: prompt.into(),
        kind: QuestionKind::Likert {
            points: 5,
            low: "Strongly disagree".into(),
            high: "Strongly agree".into(),
        },
    };
    Instrument {
        title: "Before and after the academy".into(),
        questions: vec![
            agree(
                "trust",
                "I trust the officers of this department to treat people fairly.",
            ),
            agree("safety", "I feel safe walking in my neighborhood after dark."),
            agree(
                "understanding",
                "I understand why officers make the decisions they make on a call.",
            ),
            agree(
                "contact",
                "If I saw something wrong, I would call the department about it.",
            ),
            Question {
                key: "comments".into(),
                prompt: "Anything you would like the department to know?".into(),
                kind: QuestionKind::FreeText,
            },
        ],
    }
}

/// One answer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Scale(u8),
    Choices(Vec<String>),
    Text(String),
}

/// Checks a submitted sheet (form pairs, repeated keys for multiple choice) against the
/// instrument. Every question may be skipped; what is given must fit its question.
/// Unknown keys are ignored (a stale form), never stored.
pub fn read_answers(
    instrument: &Instrument,
    pairs: &[(String, String)],
) -> Result<Vec<(String, Answer)>, Vec<SurveyProblem>> {
    let mut answers = Vec::new();
    let mut problems = Vec::new();
    for q in &instrument.questions {
        let given: Vec<&str> = pairs
            .iter()
            .filter(|(k, _)| *k == q.key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .collect();
        if given.is_empty() {
            continue;
        }
        let key = Some(q.key.as_str());
        match &q.kind {
            QuestionKind::Likert { points, .. } => match (given.as_slice(), given[0].parse::<u8>()) {
                ([_], Ok(n)) if (1..=*points).contains(&n) => answers.push((q.key.clone(), Answer::Scale(n))),
                _ => problems.push(problem(
                    key,
                    format!("Choose one point from 1 to {points}, or skip the question."),
                )),
            },
            QuestionKind::SingleChoice { options } => match given.as_slice() {
                [one] if options.iter().any(|o| o == one) => {
                    answers.push((q.key.clone(), Answer::Choices(vec![one.to_string()])))
                }
                _ => problems.push(problem(key, "Choose one of the options, or skip the question.")),
            },
            QuestionKind::MultipleChoice { options } => {
                let chosen: BTreeSet<&str> = given.iter().copied().collect();
                if chosen.iter().all(|c| options.iter().any(|o| o == c)) {
                    // Kept in the options' order, so equal sheets store equally.
                    let ordered = options
                        .iter()
                        .filter(|o| chosen.contains(o.as_str()))
                        .cloned()
                        .collect();
                    answers.push((q.key.clone(), Answer::Choices(ordered)));
                } else {
                    problems.push(problem(key, "Choose from the options shown."));
                }
            }
            QuestionKind::FreeText => {
                let text = given.join("\n");
                if text.chars().count() > MAX_TEXT_CHARS {
                    problems.push(problem(key, format!("Keep it under {MAX_TEXT_CHARS} characters.")));
                } else {
                    answers.push((q.key.clone(), Answer::Text(text)));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(answers)
    } else {
        Err(problems)
    }
}

/// Counts per option (or per scale point), or nothing when too few answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// How many answered the question.
    pub answered: usize,
    /// `(label, count)` in the question's order; empty when suppressed.
    pub counts: Vec<(String, usize)>,
    /// Fewer than [`MIN_GROUP`] answered, so nothing is shown.
    pub suppressed: bool,
}

/// What a question's answers are counted under: scale points or options.
pub fn answer_labels(question: &Question) -> Vec<String> {
    match &question.kind {
        QuestionKind::Likert { points, .. } => (1..=*points).map(|p| p.to_string()).collect(),
        QuestionKind::SingleChoice { options } | QuestionKind::MultipleChoice { options } => options.clone(),
        QuestionKind::FreeText => Vec::new(),
    }
}

/// The distribution of one question's answers.
pub fn distribution(question: &Question, answers: &[&Answer]) -> Distribution {
    let labels = answer_labels(question);
    let answered = answers.len();
    let suppressed = answered < MIN_GROUP;
    let counts = if suppressed {
        Vec::new()
    } else {
        labels
            .iter()
            .map(|label| {
                let n = answers
                    .iter()
                    .filter(|a| match a {
                        Answer::Scale(p) => p.to_string() == *label,
                        Answer::Choices(c) => c.contains(label),
                        Answer::Text(_) => false,
                    })
                    .count();
                (label.clone(), n)
            })
            .collect()
    };
    Distribution {
        answered,
        counts,
        suppressed,
    }
}

/// Mean change on a scale question between matched pre and post answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// Matched pairs (the same participant answered both, linked by the pair code).
    pub pairs: usize,
    pub mean_pre: f64,
    pub mean_post: f64,
    /// Mean of post minus pre.
    pub mean_change: f64,
    /// 95% confidence interval of the mean change (paired t).
    pub low: f64,
    pub high: f64,
}

/// Two-sided 95% critical values of Student's t for 1 to 30 degrees of freedom.
const T_975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
    2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
];

fn t_critical(df: usize) -> f64 {
    match df {
        0 => f64::INFINITY,
        1..=30 => T_975[df - 1],
        31..=40 => 2.021,
        41..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

/// The paired change over `(pre, post)` scale answers; `None` below [`MIN_GROUP`] pairs.
pub fn paired_change(pairs: &[(u8, u8)]) -> Option<Change> {
    let n = pairs.len();
    if n < MIN_GROUP {
        return None;
    }
    let nf = n as f64;
    let diffs: Vec<f64> = pairs.iter().map(|(a, b)| f64::from(*b) - f64::from(*a)).collect();
    let mean = diffs.iter().sum::<f64>() / nf;
    let variance = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let half = t_critical(n - 1) * (variance / nf).sqrt();
    Some(Change {
        pairs: n,
        mean_pre: pairs.iter().map(|(a, _)| f64::from(*a)).sum::<f64>() / nf,
        mean_post: pairs.iter().map(|(_, b)| f64::from(*b)).sum::<f64>() / nf,
        mean_change: mean,
        low: mean - half,
        high: mean + half,
    })
}

/// Share of invited participants who answered, as a percentage; `None` before anyone
/// was invited.
pub fn response_rate(invited: usize, answered: usize) -> Option<f64> {
    (invited > 0).then(|| 100.0 * answered.min(invited) as f64 / invited as f64)
}

/// Before the class or after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Pre,
    Post,
}

impl Phase {
    pub const ALL: [Phase; 2] = [Phase::Pre, Phase::Post];

    pub fn code(self) -> &'static str {
        match self {
            Phase::Pre => "pre",
            Phase::Post => "post",
        }
    }

    pub fn parse(s: &str) -> Option<Phase> {
        Phase::ALL.into_iter().find(|p| p.code() == s)
    }

    /// "Before" or "After", for headings.
    pub fn label(self) -> &'static str {
        match self {
            Phase::Pre => "Before",
            Phase::Post => "After",
        }
    }
}

/// One answer sheet as results see it: which wording it answered, its group (the
/// class), its phase and its pair code; nothing about who.
#[derive(Debug, Clone, Copy)]
pub struct Sheet<'a> {
    pub version_id: SurveyVersionId,
    pub group: i64,
    pub phase: Phase,
    pub pair_code: &'a str,
    pub answers: &'a [(String, Answer)],
}

/// What staff see for one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub question: Question,
    pub pre: Distribution,
    pub post: Distribution,
    /// Mean change over matched pairs (scale questions with enough pairs).
    pub change: Option<Change>,
    /// Matched pairs that answered the question both times.
    pub pairs: usize,
    /// Free-text answers of each phase that reached [`MIN_GROUP`] answers.
    pub texts: Vec<(Phase, String)>,
    /// Free-text answers of a phase were held back because too few wrote any.
    pub texts_suppressed: bool,
}

/// Results per question over every wording of a survey (`versions` oldest first, as
/// `(version id, instrument)`). Questions follow the newest
/// wording, then keys only older wordings had; a key's answers count only from
/// wordings that asked it as the same kind of question (a 5-point scale that became a
/// 7-point one is not mixed). Pairs match on group and pair code.
pub fn results<'a>(versions: &[(SurveyVersionId, &Instrument)], sheets: &[Sheet<'a>]) -> Vec<QuestionResult> {
    let mut questions: Vec<&Question> = Vec::new();
    for (_, instrument) in versions.iter().rev() {
        for q in &instrument.questions {
            if !questions.iter().any(|known| known.key == q.key) {
                questions.push(q);
            }
        }
    }
    questions
        .into_iter()
        .map(|question| {
            let same_kind: BTreeSet<SurveyVersionId> = versions
                .iter()
                .filter(|(_, i)| {
                    i.questions
                        .iter()
                        .any(|q| q.key == question.key && q.kind == question.kind)
                })
                .map(|(id, _)| *id)
                .collect();
            let answer_of = |sheet: &Sheet<'a>| -> Option<&'a Answer> {
                if !same_kind.contains(&sheet.version_id) {
                    return None;
                }
                sheet.answers.iter().find(|(k, _)| *k == question.key).map(|(_, a)| a)
            };
            let of_phase = |phase: Phase| -> Vec<&'a Answer> {
                sheets
                    .iter()
                    .filter(|s| s.phase == phase)
                    .filter_map(&answer_of)
                    .collect()
            };
            let (pre, post) = (of_phase(Phase::Pre), of_phase(Phase::Post));
            let mut matched = Vec::new();
            if matches!(question.kind, QuestionKind::Likert { .. }) {
                for after in sheets.iter().filter(|s| s.phase == Phase::Post) {
                    let Some(Answer::Scale(b)) = answer_of(after) else {
                        continue;
                    };
                    let before = sheets
                        .iter()
                        .find(|s| s.phase == Phase::Pre && s.group == after.group && s.pair_code == after.pair_code);
                    if let Some(Answer::Scale(a)) = before.and_then(&answer_of) {
                        matched.push((*a, *b));
                    }
                }
            }
            let mut texts = Vec::new();
            let mut texts_suppressed = false;
            if question.kind == QuestionKind::FreeText {
                for (phase, answers) in [(Phase::Pre, &pre), (Phase::Post, &post)] {
                    let words: Vec<&String> = answers
                        .iter()
                        .filter_map(|a| match a {
                            Answer::Text(t) => Some(t),
                            _ => None,
                        })
                        .collect();
                    if words.len() >= MIN_GROUP {
                        let mut sorted: Vec<String> = words.into_iter().cloned().collect();
                        // Sorted, so the order says nothing about who wrote first.
                        sorted.sort();
                        texts.extend(sorted.into_iter().map(|t| (phase, t)));
                    } else if !words.is_empty() {
                        texts_suppressed = true;
                    }
                }
            }
            QuestionResult {
                question: question.clone(),
                pre: distribution(question, &pre),
                post: distribution(question, &post),
                change: paired_change(&matched),
                pairs: matched.len(),
                texts,
                texts_suppressed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_default_instrument_is_usable() {
        assert!(default_academy_instrument().problems().is_empty());
    }

    #[test]
    fn drafts_round_trip_and_name_their_problems() {
        let original = default_academy_instrument();
        let drafts: Vec<QuestionDraft> = original.questions.iter().map(QuestionDraft::of).collect();
        assert_eq!(from_drafts(&original.title, &drafts).unwrap(), original);
        let choice = QuestionDraft {
            key: "heard".into(),
            prompt: "How did you hear of the class?".into(),
            kind: "multiple".into(),
            options: "A friend\n\n  The website \nA flyer".into(),
            ..Default::default()
        };
        let built = from_drafts("T", std::slice::from_ref(&choice)).unwrap();
        assert_eq!(
            built.questions[0].kind,
            QuestionKind::MultipleChoice {
                options: vec!["A friend".into(), "The website".into(), "A flyer".into()]
            }
        );
        let bad = [
            QuestionDraft {
                key: "x".into(),
                prompt: "P".into(),
                kind: "slider".into(),
                ..Default::default()
            },
            QuestionDraft {
                key: "y".into(),
                prompt: "Pick".into(),
                kind: "single".into(),
                options: "Only one".into(),
                ..Default::default()
            },
        ];
        let problems = from_drafts("T", &bad).unwrap_err();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert_eq!(problems[0].question.as_deref(), Some("x"));
        assert_eq!(problems[1].question.as_deref(), Some("y"));
    }

    #[test]
    fn broken_instruments_name_every_problem() {
        let i = Instrument {
            title: " ".into(),
            questions: vec![
                Question {
                    key: "Trust".into(),
                    prompt: "".into(),
                    kind: QuestionKind::Likert {
                        points: 4,
                        low: "".into(),
                        high: "x".into(),
                    },
                },
                Question {
                    key: "same".into(),
                    prompt: "a".into(),
                    kind: QuestionKind::SingleChoice {
                        options: vec!["yes".into(), "yes".into()],
                    },
                },
                Question {
                    key: "same".into(),
                    prompt: "b".into(),
                    kind: QuestionKind::FreeText,
                },
            ],
        };
        let problems = i.problems();
        assert_eq!(problems.len(), 7, "{problems:?}");
        assert!(problems.iter().any(|p| p.message.contains("share this key")));
    }

    #[test]
    fn a_used_version_is_never_edited_in_place() {
        assert_eq!(revise(3, false), Revision::InPlace);
        assert_eq!(revise(3, true), Revision::NewVersion(4));
    }

    #[test]
    fn answers_may_be_skipped_but_must_fit() {
        let i = Instrument {
            title: "t".into(),
            questions: vec![
                Question {
                    key: "trust".into(),
                    prompt: "p".into(),
                    kind: QuestionKind::Likert {
                        points: 5,
                        low: "no".into(),
                        high: "yes".into(),
                    },
                },
                Question {
                    key: "heard".into(),
                    prompt: "p".into(),
                    kind: QuestionKind::MultipleChoice {
                        options: vec!["radio".into(), "friend".into(), "web".into()],
                    },
                },
                Question {
                    key: "words".into(),
                    prompt: "p".into(),
                    kind: QuestionKind::FreeText,
                },
            ],
        };
        assert_eq!(read_answers(&i, &[]).unwrap(), vec![]);
        let got = read_answers(
            &i,
            &pairs(&[("trust", "4"), ("heard", "web"), ("heard", "radio"), ("x", "y")]),
        )
        .unwrap();
        assert_eq!(
            got,
            vec![
                ("trust".into(), Answer::Scale(4)),
                ("heard".into(), Answer::Choices(vec!["radio".into(), "web".into()])),
            ]
        );
        let bad = read_answers(
            &i,
            &pairs(&[("trust", "6"), ("heard", "tv"), ("words", &"w".repeat(2001))]),
        )
        .unwrap_err();
        assert_eq!(bad.len(), 3);
        assert!(
            read_answers(&i, &pairs(&[("trust", "3"), ("trust", "4")])).is_err(),
            "one point only"
        );
    }

    #[test]
    fn small_groups_are_never_shown() {
        let q = &default_academy_instrument().questions[0];
        let four = [Answer::Scale(5), Answer::Scale(4), Answer::Scale(4), Answer::Scale(1)];
        let d = distribution(q, &four.iter().collect::<Vec<_>>());
        assert!(d.suppressed && d.counts.is_empty());
        assert_eq!(d.answered, 4);
        let five: Vec<Answer> = [5, 4, 4, 1, 4].into_iter().map(Answer::Scale).collect();
        let d = distribution(q, &five.iter().collect::<Vec<_>>());
        assert!(!d.suppressed);
        assert_eq!(
            d.counts,
            vec![
                ("1".into(), 1),
                ("2".into(), 0),
                ("3".into(), 0),
                ("4".into(), 3),
                ("5".into(), 1)
            ]
        );
        assert_eq!(paired_change(&[(1, 2); 4]), None);
    }

    #[test]
    fn paired_change_matches_a_hand_computation() {
        // Differences 1, 0, 2, 1, 1: mean 1, sample variance 0.5, standard error
        // sqrt(0.5 / 5) = 0.31623, t(4) = 2.776, half-width 0.87785.
        let c = paired_change(&[(2, 3), (3, 3), (2, 4), (3, 4), (4, 5)]).unwrap();
        assert_eq!(c.pairs, 5);
        assert!((c.mean_pre - 2.8).abs() < 1e-9);
        assert!((c.mean_post - 3.8).abs() < 1e-9);
        assert!((c.mean_change - 1.0).abs() < 1e-9);
        assert!((c.low - 0.12215).abs() < 1e-4, "{}", c.low);
        assert!((c.high - 1.87785).abs() < 1e-4, "{}", c.high);
        // No spread: the interval closes on the mean.
        let same = paired_change(&[(3, 4); 6]).unwrap();
        assert_eq!((same.low, same.high), (1.0, 1.0));
    }

    #[test]
    fn response_rates_are_shares_of_the_invited() {
        assert_eq!(response_rate(0, 0), None);
        assert_eq!(response_rate(20, 15), Some(75.0));
        assert_eq!(response_rate(4, 9), Some(100.0));
    }

    #[test]
    fn results_pair_within_a_class_and_never_mix_kinds_or_show_few_words() {
        let v1 = default_academy_instrument();
        let mut v2 = v1.clone();
        // Version 2 turns "safety" into a 7-point scale: its answers are not mixed with v1's.
        v2.questions[1].kind = QuestionKind::Likert {
            points: 7,
            low: "No".into(),
            high: "Yes".into(),
        };
        let scale = |k: &str, v: u8| (k.to_string(), Answer::Scale(v));
        let text = |t: &str| ("comments".to_string(), Answer::Text(t.into()));
        // Class 1: six people, pre on v1, post on v2; trust pre 2,3,3,2,4,3 and post 4,4,3,3,5,4.
        let pre: Vec<Vec<(String, Answer)>> = [2, 3, 3, 2, 4, 3]
            .iter()
            .map(|t| vec![scale("trust", *t), scale("safety", 3), text("fine")])
            .collect();
        let post: Vec<Vec<(String, Answer)>> = [4, 4, 3, 3, 5, 4]
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut a = vec![scale("trust", *t), scale("safety", 6)];
                if i < 2 {
                    a.push(text("good"));
                }
                a
            })
            .collect();
        let codes = ["a", "b", "c", "d", "e", "f"];
        let mut sheets = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            sheets.push(Sheet {
                version_id: SurveyVersionId::new(1),
                group: 1,
                phase: Phase::Pre,
                pair_code: code,
                answers: &pre[i],
            });
            sheets.push(Sheet {
                version_id: SurveyVersionId::new(2),
                group: 1,
                phase: Phase::Post,
                pair_code: code,
                answers: &post[i],
            });
        }
        // Class 2 reuses a code by chance: it must not pair with class 1's "a".
        let stray = vec![scale("trust", 1)];
        sheets.push(Sheet {
            version_id: SurveyVersionId::new(2),
            group: 2,
            phase: Phase::Post,
            pair_code: "a",
            answers: &stray,
        });
        let out = results(
            &[(SurveyVersionId::new(1), &v1), (SurveyVersionId::new(2), &v2)],
            &sheets,
        );
        let keys: Vec<&str> = out.iter().map(|r| r.question.key.as_str()).collect();
        assert_eq!(keys, ["trust", "safety", "understanding", "contact", "comments"]);

        let trust = &out[0];
        assert_eq!(trust.pairs, 6);
        assert_eq!((trust.pre.answered, trust.post.answered), (6, 7));
        let c = trust.change.as_ref().unwrap();
        // Differences 2,1,0,1,1,1: mean 1, sample variance 2/5, se sqrt(0.4/6), t(5) 2.571.
        assert!((c.mean_change - 1.0).abs() < 1e-9);
        assert!((c.mean_pre - 17.0 / 6.0).abs() < 1e-9 && (c.mean_post - 23.0 / 6.0).abs() < 1e-9);
        let half = 2.571 * (0.4f64 / 6.0).sqrt();
        assert!((c.low - (1.0 - half)).abs() < 1e-9 && (c.high - (1.0 + half)).abs() < 1e-9);
        assert_eq!(trust.post.counts[0], ("1".to_string(), 1));

        // "safety" now means the 7-point wording: only the six v2 answers count.
        let safety = &out[1];
        assert_eq!((safety.pre.answered, safety.post.answered), (0, 6));
        assert!(safety.pre.suppressed && safety.change.is_none());
        assert_eq!(safety.post.counts.len(), 7);

        // Six wrote before (shown), two after (held back).
        let comments = &out[4];
        assert_eq!(comments.texts.len(), 6);
        assert!(comments.texts.iter().all(|(p, t)| *p == Phase::Pre && t == "fine"));
        assert!(comments.texts_suppressed);
    }
}
