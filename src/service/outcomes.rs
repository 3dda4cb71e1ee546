//! Outcome surveys and the annual report: survey links sent by the job, answers kept
//! without their author, results for staff, and a year's figures for the council.
//!
//! A participant's pre and post sheets share a pair code: an HMAC of the application
//! under a key held outside the database (`PRECINCT_SURVEY_KEY`). The database alone
//! cannot turn a pair code back into a person; the code only says "same person" within
//! one class.

use hmac::{Hmac, KeyInit, Mac};
use jiff::Timestamp;
use sha2::{Digest, Sha256};

use crate::auth::tokens;
use crate::domain::survey::{self, Instrument, Phase, QuestionResult, Sheet, SurveyProblem};
use crate::domain::{ApplicationId, ClassId, ProgramId, SurveyVersionId};
use crate::notify::Links;
use crate::notify::messages::{self, Context};
use crate::store::surveys::{Invitation, Uptake};
use crate::store::{Store, StoreError};

/// The pair-code key: from configuration when given (hashed, so any length of
/// passphrase works), otherwise made once and kept in the database, which is weaker
/// (whoever reads the database could then recompute codes) and said so in the log.
pub async fn survey_key(store: &Store, configured: Option<&str>) -> anyhow::Result<[u8; 32]> {
    let secret = match configured.map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => s.to_string(),
        None => {
            tracing::warn!(
                "no PRECINCT_SURVEY_KEY set: survey pair codes use a key kept in the database; \
                 set one to keep answers unlinkable by anyone holding only the database"
            );
            store
                .instance_secret("survey_pair_key", &tokens::generate(), Timestamp::now())
                .await?
        }
    };
    Ok(Sha256::digest(secret.as_bytes()).into())
}

/// The opaque code shared by one participant's pre and post sheets.
pub fn pair_code(key: &[u8; 32], application_id: ApplicationId) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("pair:{}", application_id.get()).as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Queues survey links: a pre-survey for each confirmed participant of a class not yet
/// begun, a post-survey for each new graduate. Each person gets one link per phase;
/// the invitation row and its message are written together, so a crash or a second
/// instance never sends twice. Returns how many links were queued.
pub async fn queue_invitations(store: &Store, links: &Links, now: Timestamp) -> Result<usize, StoreError> {
    let Some(dept) = store.department().await? else {
        return Ok(0);
    };
    let mut queued = 0;
    for phase in Phase::ALL {
        for person in store.survey_invitees(phase, now).await? {
            let token = tokens::generate();
            let ctx = Context {
                department: &dept.name,
                program: &person.program_name,
                class: &person.class_name,
                time_zone: &dept.time_zone,
            };
            let link = crate::store::outbox::SecretLink::new(
                crate::domain::mail::LinkKind::Survey,
                &links.base_url,
                &token,
                None,
            );
            let message =
                messages::survey_invitation(&ctx, &person.email, &person.first_name, phase == Phase::Post, link);
            let mut tx = store.begin().await?;
            if tx
                .create_survey_invitation(person.application_id, phase, &tokens::hash(&token), now)
                .await?
            {
                tx.enqueue(&message, now).await?;
                queued += 1;
            }
            tx.commit().await?;
        }
    }
    Ok(queued)
}

/// What a survey link opens.
pub struct Opened {
    pub program_name: String,
    pub class_name: String,
    pub phase: Phase,
    pub instrument: Instrument,
}

/// Why a link shows no form.
#[derive(Debug, PartialEq, Eq)]
pub enum Closed {
    /// No such link.
    Unknown,
    /// Answered already (each link works once).
    Used,
    /// The program no longer asks.
    Withdrawn,
}

/// The open invitation behind a link and the survey it asks, or why there is none.
async fn live(
    store: &Store,
    token_hash: &str,
) -> Result<Result<(Invitation, crate::store::surveys::Survey), Closed>, StoreError> {
    let Some(invitation) = store.survey_invitation(token_hash).await? else {
        return Ok(Err(Closed::Unknown));
    };
    if invitation.used {
        return Ok(Err(Closed::Used));
    }
    Ok(match store.survey(invitation.program_id).await? {
        Some(survey) => Ok((invitation, survey)),
        None => Err(Closed::Withdrawn),
    })
}

/// Opens a link for answering.
pub async fn open(store: &Store, token: &str) -> Result<Result<Opened, Closed>, StoreError> {
    Ok(live(store, &tokens::hash(token))
        .await?
        .map(|(invitation, survey)| Opened {
            program_name: invitation.program_name,
            class_name: invitation.class_name,
            phase: invitation.phase,
            instrument: survey.current.instrument,
        }))
}

/// The result of sending a sheet.
#[derive(Debug)]
pub enum Submitted {
    Saved,
    Closed(Closed),
    /// Answers that do not fit their questions; nothing was stored.
    Invalid(Vec<SurveyProblem>),
}

/// Stores a sheet from a link, spending the link in the same transaction: of two
/// sends racing, one is stored and the other told the link was used.
pub async fn submit(
    store: &Store,
    key: &[u8; 32],
    token: &str,
    form: &[(String, String)],
    now: Timestamp,
) -> Result<Submitted, StoreError> {
    let token_hash = tokens::hash(token);
    let (invitation, survey) = match live(store, &token_hash).await? {
        Ok(found) => found,
        Err(closed) => return Ok(Submitted::Closed(closed)),
    };
    let answers = match survey::read_answers(&survey.current.instrument, form) {
        Ok(a) => a,
        Err(problems) => return Ok(Submitted::Invalid(problems)),
    };
    let tz = store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let today = now.to_zoned(tz).date();
    let mut tx = store.begin().await?;
    if !tx.use_survey_invitation(&token_hash).await? {
        return Ok(Submitted::Closed(Closed::Used));
    }
    tx.insert_survey_response(
        &crate::auth::tokens::generate(),
        (survey.current.id, invitation.class_id),
        invitation.phase,
        today,
        &pair_code(key, invitation.application_id),
        &answers,
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted::Saved)
}

/// Invitations and answers of one phase.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub phase: Phase,
    pub uptake: Uptake,
    pub rate: Option<f64>,
}

/// A program's (or one class's) survey results.
pub struct Results {
    pub title: String,
    pub version: i64,
    pub questions: Vec<QuestionResult>,
    pub rates: Vec<Rate>,
    /// Sheets counted, per phase.
    pub sheets: Vec<(Phase, usize)>,
}

/// Results over the classes `only` admits (all of the program's when `None`).
pub async fn results(
    store: &Store,
    program_id: ProgramId,
    class: Option<ClassId>,
    only: Option<&[ClassId]>,
) -> Result<Option<Results>, StoreError> {
    let Some(current) = store.survey(program_id).await? else {
        return Ok(None);
    };
    let versions = store.survey_versions(program_id).await?;
    let responses: Vec<_> = store
        .survey_responses(program_id, class)
        .await?
        .into_iter()
        .filter(|r| only.is_none_or(|ids| ids.contains(&r.class_id)))
        .collect();
    let sheets: Vec<Sheet<'_>> = responses
        .iter()
        .map(|r| Sheet {
            version_id: r.version_id,
            group: r.class_id.get(),
            phase: r.phase,
            pair_code: &r.pair_code,
            answers: &r.answers,
        })
        .collect();
    // Oldest wording first, as stored and as `survey::results` expects.
    let wordings: Vec<(SurveyVersionId, &Instrument)> = versions.iter().map(|v| (v.id, &v.instrument)).collect();
    let questions = survey::results(&wordings, &sheets);
    let uptake = if only.is_some() {
        Vec::new()
    } else {
        store.survey_uptake(program_id, class).await?
    };
    let rates = Phase::ALL
        .into_iter()
        .filter_map(|phase| {
            let (_, u) = uptake.iter().find(|(p, _)| *p == phase)?;
            Some(Rate {
                phase,
                uptake: *u,
                rate: survey::response_rate(
                    usize::try_from(u.invited).unwrap_or(0),
                    usize::try_from(u.answered).unwrap_or(0),
                ),
            })
        })
        .collect();
    let sheets = Phase::ALL
        .into_iter()
        .map(|p| (p, responses.iter().filter(|r| r.phase == p).count()))
        .collect();
    Ok(Some(Results {
        title: current.current.instrument.title,
        version: current.current.version,
        questions,
        rates,
        sheets,
    }))
}

/// One program's year.
pub struct ProgramYear {
    pub name: String,
    pub figures: crate::domain::stats::YearFigures,
    /// Scale questions with a paired change (or the reason there is none).
    pub outcomes: Vec<OutcomeLine>,
}

/// A scale question's change over the year's classes.
pub struct OutcomeLine {
    pub prompt: String,
    pub pairs: usize,
    pub change: Option<survey::Change>,
}

/// Requests of one type.
pub struct RequestLine {
    pub name: String,
    pub received: i64,
    pub closed: i64,
}

/// The department's community-programs year, for the council.
pub struct AnnualReport {
    pub year: i16,
    pub department: String,
    pub programs: Vec<ProgramYear>,
    pub requests: Vec<RequestLine>,
    pub alumni_opted_in: i64,
}

impl AnnualReport {
    /// Totals over programs: classes, graduates, seats, applications.
    pub fn totals(&self) -> (i64, i64, i64, i64) {
        self.programs.iter().fold((0, 0, 0, 0), |t, p| {
            (
                t.0 + p.figures.classes,
                t.1 + p.figures.graduates,
                t.2 + p.figures.seats,
                t.3 + p.figures.applications,
            )
        })
    }
}

/// Assembles `year` (local to the department's time zone).
pub async fn annual_report(store: &Store, year: i16) -> Result<AnnualReport, StoreError> {
    let dept = store.department().await?;
    let tz = dept.as_ref().map(|d| d.tz()).unwrap_or(jiff::tz::TimeZone::UTC);
    let mut programs = Vec::new();
    for program in store.published_programs().await? {
        let facts = store.program_class_facts(program.id, &tz).await?;
        let Some(figures) = crate::domain::stats::by_year(&facts)
            .into_iter()
            .find(|f| f.year == year)
        else {
            continue;
        };
        let classes: Vec<ClassId> = store
            .class_years(program.id, &tz)
            .await?
            .into_iter()
            .filter(|c| c.year == Some(year))
            .map(|c| c.class_id)
            .collect();
        let outcomes = match results(store, program.id, None, Some(&classes)).await? {
            Some(r) if r.sheets.iter().any(|(_, n)| *n > 0) => r
                .questions
                .into_iter()
                .filter(|q| matches!(q.question.kind, survey::QuestionKind::Likert { .. }))
                .map(|q| OutcomeLine {
                    prompt: q.question.prompt,
                    pairs: q.pairs,
                    change: q.change,
                })
                .collect(),
            _ => Vec::new(),
        };
        programs.push(ProgramYear {
            name: program.name,
            figures,
            outcomes,
        });
    }
    let start = jiff::civil::date(year, 1, 1).to_zoned(tz.clone());
    let end = jiff::civil::date(year.saturating_add(1), 1, 1).to_zoned(tz.clone());
    let requests = match (start, end) {
        (Ok(from), Ok(to)) => store
            .request_tallies(from.timestamp(), to.timestamp())
            .await?
            .into_iter()
            .map(|t| RequestLine {
                name: crate::domain::requests::service(&t.service_code)
                    .map_or_else(|| t.service_code.clone(), |s| s.name.to_string()),
                received: t.received,
                closed: t.closed,
            })
            .collect(),
        _ => Vec::new(),
    };
    let alumni_opted_in = store.alumni_counts().await?.iter().map(|c| c.opted_in).sum();
    Ok(AnnualReport {
        year,
        department: dept.map(|d| d.name).unwrap_or_default(),
        programs,
        requests,
        alumni_opted_in,
    })
}

/// Queues a message to every alumnus who opted in (of one program, or of all), audited
/// with its subject and the number of recipients.
pub async fn message_alumni(
    store: &Store,
    actor: &str,
    program: Option<crate::domain::ProgramId>,
    subject: &str,
    messages: &[crate::store::outbox::OutgoingMessage],
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    tx.enqueue_many(messages, now).await?;
    tx.audit(
        &crate::store::staff::AuditRecord {
            actor,
            action: crate::domain::audit::AuditAction::AlumniMessage,
            object_type: "alumni",
            object_id: program.map_or_else(|| "all".into(), |p| p.to_string()),
            before: None,
            after: Some(serde_json::json!({ "subject": subject, "recipients": messages.len() })),
        },
        now,
    )
    .await?;
    tx.commit().await
}
