//! A program's own questions on its application form: what staff may ask (checked
//! drafts), what an applicant's answers must look like, which documents are accepted
//! (by their first bytes, never by the name or type the browser claims), who may read a
//! sensitive answer, and when answers are erased.
//!
//! Every answer failure names its field as `answers.{question id}`, the key the API
//! takes, so the form and the API report the same thing.
//!
//! Kept whole: drafts, answers, documents and retention share the question types; a third
//! of the file is their unit tests.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use super::application::RuleFailure;
use super::ids::QuestionId;
use super::program::coded_enum;

coded_enum! {
    /// What kind of answer a question takes.
    QuestionKind {
        Text = "text" / "Text",
        Choice = "choice" / "One of several options",
        YesNo = "yes_no" / "Yes or no",
        Date = "date" / "Date",
        Document = "document" / "Document (JPEG, PNG or PDF)",
    }
}

/// Largest document an applicant may upload. Enough for a phone photo of an ID or a
/// scanned letter; larger files are refused with a message rather than truncated.
pub const MAX_DOCUMENT_BYTES: usize = 5 * 1024 * 1024;
/// Longest text answer, in characters.
pub const MAX_ANSWER_CHARS: usize = 2000;
/// Most questions a program may ask (a form people can finish).
pub const MAX_QUESTIONS: usize = 30;
/// Longest retention a question may have: ten years.
pub const MAX_RETENTION_MONTHS: u16 = 120;
const MAX_LABEL: usize = 200;
const MAX_HELP: usize = 500;
const MAX_OPTIONS: usize = 20;
const MAX_OPTION: usize = 100;
const MAX_FILE_NAME: usize = 100;

/// A question as staff typed it, before any check (the settings form and the API).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuestionDraft {
    pub kind: String,
    pub label: String,
    pub help: String,
    /// The choices of a `choice` question, one per entry; ignored for other kinds.
    pub options: Vec<String>,
    pub required: bool,
    pub sensitive: bool,
    pub retention_months: String,
}

/// A checked question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuestionSpec {
    pub kind: QuestionKind,
    pub label: String,
    pub help: String,
    pub options: Vec<String>,
    pub required: bool,
    /// Answers show only to the roles the department names for sensitive fields.
    pub sensitive: bool,
    /// Months after the class's last session when the answers are erased.
    pub retention_months: u16,
}

/// A stored question of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionId,
    pub spec: QuestionSpec,
    pub position: i64,
}

fn has_control(s: &str, allow_newlines: bool) -> bool {
    s.chars()
        .any(|c| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t')))
}

impl QuestionDraft {
    /// Checks a draft; every problem is reported, each at its field.
    pub fn validate(&self) -> Result<QuestionSpec, Vec<RuleFailure>> {
        let mut f = Vec::new();
        let kind = QuestionKind::parse(self.kind.trim());
        if kind.is_none() {
            f.push(RuleFailure::new(
                "question_kind",
                "kind",
                "Choose the kind of answer: text, choice, yes/no, date or document.",
            ));
        }
        let label = self.label.trim().to_string();
        if label.is_empty() {
            f.push(RuleFailure::new("required", "label", "Write the question."));
        } else if label.chars().count() > MAX_LABEL || has_control(&label, false) {
            f.push(RuleFailure::new(
                "label_format",
                "label",
                format!("The question must be one line of at most {MAX_LABEL} characters."),
            ));
        }
        let help = self.help.trim().to_string();
        if help.chars().count() > MAX_HELP || has_control(&help, false) {
            f.push(RuleFailure::new(
                "help_format",
                "help",
                format!("The help text must be one line of at most {MAX_HELP} characters."),
            ));
        }
        let mut options: Vec<String> = Vec::new();
        if kind == Some(QuestionKind::Choice) {
            for o in self.options.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
                if o.chars().count() > MAX_OPTION || has_control(o, false) {
                    f.push(RuleFailure::new(
                        "option_format",
                        "options",
                        format!("Each option must be one line of at most {MAX_OPTION} characters."),
                    ));
                } else if options.iter().any(|x| x.eq_ignore_ascii_case(o)) {
                    f.push(RuleFailure::new(
                        "option_repeated",
                        "options",
                        format!("The option {o:?} is listed twice."),
                    ));
                } else {
                    options.push(o.to_string());
                }
            }
            if options.len() < 2 || options.len() > MAX_OPTIONS {
                f.push(RuleFailure::new(
                    "options_count",
                    "options",
                    format!("A choice needs 2 to {MAX_OPTIONS} options, one per line."),
                ));
            }
        }
        let retention_months = match self.retention_months.trim().parse::<u16>() {
            Ok(m) if (1..=MAX_RETENTION_MONTHS).contains(&m) => m,
            _ => {
                f.push(RuleFailure::new(
                    "retention_months",
                    "retention_months",
                    format!("Keep answers for a whole number of months from 1 to {MAX_RETENTION_MONTHS}."),
                ));
                0
            }
        };
        match kind {
            Some(kind) if f.is_empty() => Ok(QuestionSpec {
                kind,
                label,
                help,
                options,
                required: self.required,
                sensitive: self.sensitive,
                retention_months,
            }),
            _ => Err(f),
        }
    }
}

/// What an applicant gave for one question.
#[derive(Clone, PartialEq, Eq)]
pub enum Given {
    Text(String),
    File { name: String, bytes: Vec<u8> },
}

/// One answer as the JSON API takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum AnswerIn {
    /// Text; a choice's exact wording; `yes` or `no`; or a date as `YYYY-MM-DD`.
    Value(String),
    /// A document (JPEG, PNG or PDF, at most 5 MB once decoded), its bytes in standard
    /// base64. The type is read from the content, not from the name.
    File { file_name: String, content_base64: String },
}

impl AnswerIn {
    /// The answer as the rules read it; `Err` with a message when the base64 is broken.
    pub fn given(&self) -> Result<Given, &'static str> {
        use base64::Engine as _;
        match self {
            AnswerIn::Value(v) => Ok(Given::Text(v.clone())),
            AnswerIn::File {
                file_name,
                content_base64,
            } => base64::engine::general_purpose::STANDARD
                .decode(content_base64.trim())
                .map(|bytes| Given::File {
                    name: file_name.clone(),
                    bytes,
                })
                .map_err(|_| "The file is not valid base64."),
        }
    }
}

/// The API's answers as the rules read them; broken base64 is reported at its field.
pub fn given_from_api(answers: &BTreeMap<String, AnswerIn>) -> Result<BTreeMap<String, Given>, Vec<RuleFailure>> {
    let mut out = BTreeMap::new();
    let mut f = Vec::new();
    for (key, answer) in answers {
        match answer.given() {
            Ok(g) => {
                out.insert(key.clone(), g);
            }
            Err(message) => f.push(RuleFailure::new("base64", format!("answers.{key}"), message)),
        }
    }
    if f.is_empty() { Ok(out) } else { Err(f) }
}

/// A file as the applicant sent it: its type read from its content.
#[derive(Clone, PartialEq, Eq)]
pub struct Document {
    /// `image/jpeg`, `image/png` or `application/pdf`.
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl std::fmt::Debug for Document {
    // A document is personal data: logs get its size, never its bytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Document({}, {} bytes)", self.content_type, self.bytes.len())
    }
}

impl std::fmt::Debug for Given {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Given::Text(_) => f.write_str("Text(..)"),
            Given::File { bytes, .. } => write!(f, "File({} bytes)", bytes.len()),
        }
    }
}

/// A checked answer, ready to store. For a document, `value` is its (cleaned) file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub question_id: QuestionId,
    pub value: String,
    pub file: Option<Document>,
}

/// The field an answer's failures are reported at (and the API's key).
pub fn field(id: QuestionId) -> String {
    format!("answers.{id}")
}

/// The type of a document from its first bytes: JPEG, PNG or PDF, or `None`.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// A file name safe to store and to offer back in a download: the last path segment,
/// without control or quoting characters, shortened; `document` when nothing is left.
pub fn safe_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';' | '<' | '>'))
        .take(MAX_FILE_NAME)
        .collect();
    let clean = clean.trim().trim_start_matches('.').to_string();
    if clean.is_empty() { "document".into() } else { clean }
}

/// The file extension matching a sniffed type, for download names.
pub fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => "pdf",
    }
}

/// Checks the answers to a program's questions. `given` is keyed by question id as
/// sent; a key that names no question of the form is refused, so nothing is silently
/// dropped. Every problem is reported at `answers.{id}`.
pub fn check_answers(questions: &[Question], given: &BTreeMap<String, Given>) -> Result<Vec<Answer>, Vec<RuleFailure>> {
    let mut f = Vec::new();
    for key in given.keys() {
        let known = key
            .parse::<QuestionId>()
            .is_ok_and(|id| questions.iter().any(|q| q.id == id));
        if !known {
            f.push(RuleFailure::new(
                "unknown_question",
                format!("answers.{key}"),
                format!("There is no question {key:?} on this program's form."),
            ));
        }
    }
    let mut answers = Vec::new();
    for q in questions {
        let at = field(q.id);
        let label = &q.spec.label;
        let given = given.get(&q.id.to_string());
        let blank = match given {
            None => true,
            Some(Given::Text(t)) => t.trim().is_empty(),
            Some(Given::File { bytes, .. }) => bytes.is_empty(),
        };
        if blank {
            if q.spec.required {
                let verb = match q.spec.kind {
                    QuestionKind::Document => "Attach a file for",
                    QuestionKind::Choice | QuestionKind::YesNo => "Choose an answer to",
                    _ => "Answer",
                };
                f.push(RuleFailure::new("required", at, format!("{verb} “{label}”.")));
            }
            continue;
        }
        let answer = match (q.spec.kind, given) {
            (QuestionKind::Document, Some(Given::File { name, bytes })) => {
                if bytes.len() > MAX_DOCUMENT_BYTES {
                    Err(RuleFailure::new(
                        "file_too_large",
                        at,
                        format!(
                            "The file for “{label}” is larger than {} MB; send a smaller one.",
                            MAX_DOCUMENT_BYTES / (1024 * 1024)
                        ),
                    ))
                } else if let Some(content_type) = sniff(bytes) {
                    Ok((
                        safe_file_name(name),
                        Some(Document {
                            content_type,
                            bytes: bytes.clone(),
                        }),
                    ))
                } else {
                    Err(RuleFailure::new(
                        "file_type",
                        at,
                        format!("The file for “{label}” must be a JPEG or PNG image or a PDF."),
                    ))
                }
            }
            (QuestionKind::Document, _) => Err(RuleFailure::new(
                "file_expected",
                at,
                format!("Attach a file for “{label}”, not text."),
            )),
            (_, Some(Given::File { .. })) => Err(RuleFailure::new(
                "text_expected",
                at,
                format!("“{label}” takes a typed answer, not a file."),
            )),
            (kind, Some(Given::Text(text))) => text_answer(q, kind, text.trim()).map(|v| (v, None)),
            (_, None) => continue,
        };
        match answer {
            Ok((value, file)) => answers.push(Answer {
                question_id: q.id,
                value,
                file,
            }),
            Err(failure) => f.push(failure),
        }
    }
    if f.is_empty() { Ok(answers) } else { Err(f) }
}

fn text_answer(q: &Question, kind: QuestionKind, text: &str) -> Result<String, RuleFailure> {
    let at = field(q.id);
    let label = &q.spec.label;
    match kind {
        QuestionKind::Text => {
            if text.chars().count() > MAX_ANSWER_CHARS {
                Err(RuleFailure::new(
                    "too_long",
                    at,
                    format!("The answer to “{label}” must be at most {MAX_ANSWER_CHARS} characters."),
                ))
            } else if has_control(text, true) {
                Err(RuleFailure::new(
                    "invalid_characters",
                    at,
                    format!("The answer to “{label}” contains characters we cannot accept."),
                ))
            } else {
                Ok(text.to_string())
            }
        }
        QuestionKind::Choice => q
            .spec
            .options
            .iter()
            .find(|o| o.as_str() == text)
            .cloned()
            .ok_or_else(|| RuleFailure::new("choice", at, format!("Choose one of the listed answers to “{label}”."))),
        QuestionKind::YesNo => match text.to_ascii_lowercase().as_str() {
            "yes" => Ok("yes".into()),
            "no" => Ok("no".into()),
            _ => Err(RuleFailure::new(
                "yes_no",
                at,
                format!("Answer “{label}” with yes or no."),
            )),
        },
        QuestionKind::Date => match text.parse::<Date>() {
            Ok(d) if (1900..=2200).contains(&d.year()) => Ok(d.to_string()),
            _ => Err(RuleFailure::new(
                "date_format",
                at,
                format!("Give the date for “{label}” as year-month-day, like 2026-09-14."),
            )),
        },
        QuestionKind::Document => unreachable!("documents are checked as files"),
    }
}

/// How an answer reads to people (`yes` becomes "Yes").
pub fn display(kind: QuestionKind, value: &str) -> String {
    match (kind, value) {
        (QuestionKind::YesNo, "yes") => "Yes".into(),
        (QuestionKind::YesNo, "no") => "No".into(),
        _ => value.to_string(),
    }
}

/// Whether a reader sees an answer: a sensitive one only when their role is named
/// for sensitive fields. The one rule for every view, export and API answer.
pub fn shown(sensitive: bool, sees_sensitive: bool) -> bool {
    !sensitive || sees_sensitive
}

/// Whether answers kept `months` after the class's last session are due for erasure at
/// `now`. A class without any (uncancelled) session has not ended: nothing is due.
pub fn erasure_due(
    last_session: Option<jiff::Timestamp>,
    months: u16,
    tz: &jiff::tz::TimeZone,
    now: jiff::Timestamp,
) -> bool {
    last_session
        .and_then(|last| super::nomination::erasure_due_at(last, months, tz))
        .is_some_and(|due| due <= now)
}

/// "12 months after the class ends", for the privacy notice.
pub fn retention_text(months: u16) -> String {
    if months == 1 {
        "1 month after the class's last session".into()
    } else {
        format!("{months} months after the class's last session")
    }
}

/// The order after moving `id` one place up or down; `None` when it cannot move.
pub fn moved(order: &[QuestionId], id: QuestionId, up: bool) -> Option<Vec<QuestionId>> {
    let i = order.iter().position(|q| *q == id)?;
    let j = if up { i.checked_sub(1)? } else { i + 1 };
    if j >= order.len() {
        return None;
    }
    let mut out = order.to_vec();
    out.swap(i, j);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(kind: &str) -> QuestionDraft {
        QuestionDraft {
            kind: kind.into(),
            label: "Do you hold a firearms license?".into(),
            help: String::new(),
            options: Vec::new(),
            required: true,
            sensitive: false,
            retention_months: "12".into(),
        }
    }

    fn question(id: i64, kind: QuestionKind, required: bool) -> Question {
        Question {
            id: QuestionId::new(id),
            spec: QuestionSpec {
                kind,
                label: format!("Question {id}"),
                help: String::new(),
                options: if kind == QuestionKind::Choice {
                    vec!["Day".into(), "Evening".into()]
                } else {
                    Vec::new()
                },
                required,
                sensitive: false,
                retention_months: 6,
            },
            position: id,
        }
    }

    fn given(pairs: &[(i64, Given)]) -> BTreeMap<String, Given> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    }

    fn text(s: &str) -> Given {
        Given::Text(s.into())
    }

    fn rules(r: Result<Vec<Answer>, Vec<RuleFailure>>) -> Vec<(String, &'static str)> {
        r.unwrap_err()
            .into_iter()
            .map(|f| (f.field.to_string(), f.rule))
            .collect()
    }

    #[test]
    fn drafts_are_checked_field_by_field() {
        let spec = draft("yes_no").validate().unwrap();
        assert_eq!(spec.kind, QuestionKind::YesNo);
        assert_eq!(spec.retention_months, 12);
        let bad = QuestionDraft {
            kind: "essay".into(),
            label: " ".into(),
            retention_months: "0".into(),
            ..draft("text")
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|f| f.field.into())
            .collect();
        assert_eq!(fields, ["kind", "label", "retention_months"]);
        assert!(
            QuestionDraft {
                retention_months: "121".into(),
                ..draft("text")
            }
            .validate()
            .is_err()
        );
    }

    #[test]
    fn a_choice_needs_distinct_options() {
        let mut d = draft("choice");
        d.options = vec!["Day".into(), "".into()];
        assert_eq!(d.validate().unwrap_err()[0].rule, "options_count");
        d.options = vec!["Day".into(), "day".into(), "Evening".into()];
        assert_eq!(d.validate().unwrap_err()[0].rule, "option_repeated");
        d.options = vec![" Day ".into(), "Evening".into()];
        assert_eq!(d.validate().unwrap().options, ["Day", "Evening"]);
        // Options of other kinds are dropped, not kept around unseen.
        let mut t = draft("text");
        t.options = vec!["x".into()];
        assert!(t.validate().unwrap().options.is_empty());
    }

    #[test]
    fn answers_follow_their_kind() {
        let qs = [
            question(1, QuestionKind::Text, true),
            question(2, QuestionKind::Choice, true),
            question(3, QuestionKind::YesNo, true),
            question(4, QuestionKind::Date, true),
        ];
        let ok = check_answers(
            &qs,
            &given(&[
                (1, text(" Hi ")),
                (2, text("Evening")),
                (3, text("YES")),
                (4, text("2026-09-14")),
            ]),
        )
        .unwrap();
        let values: Vec<&str> = ok.iter().map(|a| a.value.as_str()).collect();
        assert_eq!(values, ["Hi", "Evening", "yes", "2026-09-14"]);
        let bad = check_answers(
            &qs,
            &given(&[
                (1, text("a\u{7}b")),
                (2, text("Night")),
                (3, text("maybe")),
                (4, text("14/09/2026")),
            ]),
        );
        assert_eq!(
            rules(bad),
            [
                ("answers.1".into(), "invalid_characters"),
                ("answers.2".into(), "choice"),
                ("answers.3".into(), "yes_no"),
                ("answers.4".into(), "date_format"),
            ]
        );
    }

    #[test]
    fn required_answers_are_asked_for_and_optional_ones_may_be_left_out() {
        let qs = [
            question(1, QuestionKind::Text, true),
            question(2, QuestionKind::Document, true),
            question(3, QuestionKind::Text, false),
        ];
        let r = check_answers(&qs, &given(&[(1, text("  ")), (3, text(""))]));
        assert_eq!(
            rules(r),
            [("answers.1".into(), "required"), ("answers.2".into(), "required")]
        );
        let qs = [question(3, QuestionKind::Text, false)];
        assert!(check_answers(&qs, &BTreeMap::new()).unwrap().is_empty());
    }

    #[test]
    fn unknown_questions_are_refused_not_dropped() {
        let qs = [question(1, QuestionKind::Text, false)];
        let r = check_answers(&qs, &given(&[(7, text("x"))]));
        assert_eq!(rules(r), [("answers.7".into(), "unknown_question")]);
        let mut junk = BTreeMap::new();
        junk.insert("abc".to_string(), text("x"));
        assert_eq!(check_answers(&qs, &junk).unwrap_err()[0].field, "answers.abc");
    }

    #[test]
    fn documents_are_recognised_by_their_content() {
        let qs = [question(1, QuestionKind::Document, true)];
        let file = |name: &str, bytes: &[u8]| {
            given(&[(
                1,
                Given::File {
                    name: name.into(),
                    bytes: bytes.to_vec(),
                },
            )])
        };
        let ok = check_answers(&qs, &file("C:\\Users\\me\\id card.png", b"\x89PNG\r\n\x1a\nrest")).unwrap();
        assert_eq!(ok[0].value, "id card.png");
        assert_eq!(ok[0].file.as_ref().unwrap().content_type, "image/png");
        let pdf = check_answers(&qs, &file("letter.pdf", b"%PDF-1.7 ...")).unwrap();
        assert_eq!(pdf[0].file.as_ref().unwrap().content_type, "application/pdf");
        // A script named like a picture is still a script.
        assert_eq!(
            rules(check_answers(&qs, &file("photo.jpg", b"<script>alert(1)</script>"))),
            [("answers.1".into(), "file_type")]
        );
        let mut big = vec![0xFF, 0xD8, 0xFF];
        big.resize(MAX_DOCUMENT_BYTES + 1, 0);
        assert_eq!(
            rules(check_answers(&qs, &file("big.jpg", &big))),
            [("answers.1".into(), "file_too_large")]
        );
        assert_eq!(
            rules(check_answers(&qs, &given(&[(1, text("see attached"))]))),
            [("answers.1".into(), "file_expected")]
        );
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(safe_file_name("../../etc/passwd"), "passwd");
        assert_eq!(safe_file_name("a\"b;c\r\n.pdf"), "abc.pdf");
        assert_eq!(safe_file_name(".hidden"), "hidden");
        assert_eq!(safe_file_name(""), "document");
        assert_eq!(safe_file_name(&"x".repeat(300)).len(), MAX_FILE_NAME);
    }

    #[test]
    fn sensitive_answers_show_only_to_named_roles() {
        assert!(shown(false, false));
        assert!(shown(true, true));
        assert!(!shown(true, false));
    }

    #[test]
    fn answers_are_erased_their_months_after_the_last_session() {
        let tz = jiff::tz::TimeZone::get("America/Los_Angeles").unwrap();
        let last: jiff::Timestamp = "2026-11-03T02:00:00Z".parse().unwrap();
        let due: jiff::Timestamp = "2027-05-03T01:00:00Z".parse().unwrap();
        // Six months later at the same local time (across the DST change).
        assert!(!erasure_due(
            Some(last),
            6,
            &tz,
            due.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap()
        ));
        assert!(erasure_due(Some(last), 6, &tz, due));
        assert!(!erasure_due(None, 1, &tz, due), "a class that never met has not ended");
        assert_eq!(retention_text(1), "1 month after the class's last session");
        assert_eq!(retention_text(24), "24 months after the class's last session");
    }

    #[test]
    fn questions_move_one_place_at_a_time() {
        let ids: Vec<QuestionId> = [1, 2, 3].map(QuestionId::new).to_vec();
        assert_eq!(
            moved(&ids, QuestionId::new(2), true).unwrap(),
            [2, 1, 3].map(QuestionId::new)
        );
        assert_eq!(
            moved(&ids, QuestionId::new(2), false).unwrap(),
            [1, 3, 2].map(QuestionId::new)
        );
        assert_eq!(moved(&ids, QuestionId::new(1), true), None);
        assert_eq!(moved(&ids, QuestionId::new(3), false), None);
        assert_eq!(moved(&ids, QuestionId::new(9), false), None);
    }
}
