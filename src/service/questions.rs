//! A program's own application questions: adding, changing, removing and reordering
//! them (one transaction each, audited; shared by the settings page and the JSON API),
//! and erasing answers whose retention has ended (run by the background job).

use jiff::Timestamp;

use crate::domain::audit::AuditAction;
use crate::domain::questions::{self, MAX_QUESTIONS, QuestionDraft, QuestionSpec};
use crate::domain::{ProgramId, QuestionId, RuleFailure};
use crate::store::questions::Removal;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError, Tx};

use super::Error;

/// The program a change applies to, as the audit log names it.
pub struct ProgramRef<'a> {
    pub id: ProgramId,
    pub slug: &'a str,
}

async fn audit(
    tx: &mut Tx,
    actor: &str,
    action: AuditAction,
    program: &ProgramRef<'_>,
    after: serde_json::Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    tx.audit(
        &AuditRecord {
            actor,
            action,
            object_type: "program",
            object_id: program.slug.to_string(),
            before: None,
            after: Some(after),
        },
        now,
    )
    .await
}

/// Adds a question at the end of the program's form.
pub async fn add(
    store: &Store,
    program: &ProgramRef<'_>,
    draft: &QuestionDraft,
    actor: &str,
    now: Timestamp,
) -> Result<QuestionId, Error> {
    let spec = draft.validate().map_err(Error::invalid)?;
    if store.program_questions(program.id).await?.len() >= MAX_QUESTIONS {
        return Err(Error::invalid(vec![RuleFailure::new(
            "too_many_questions",
            "label",
            format!("A program may ask at most {MAX_QUESTIONS} questions; remove one first."),
        )]));
    }
    let mut tx = store.begin().await?;
    let id = tx.insert_question(program.id, &spec, now).await?;
    audit(
        &mut tx,
        actor,
        AuditAction::ProgramQuestionAdd,
        program,
        after(id, &spec),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn after(id: QuestionId, spec: &QuestionSpec) -> serde_json::Value {
    serde_json::json!({ "question": id, "spec": spec })
}

/// Changes a question. Answers already given stay as they were typed.
pub async fn change(
    store: &Store,
    program: &ProgramRef<'_>,
    id: QuestionId,
    draft: &QuestionDraft,
    actor: &str,
    now: Timestamp,
) -> Result<(), Error> {
    let spec = draft.validate().map_err(Error::invalid)?;
    let mut tx = store.begin().await?;
    if !tx.update_question(program.id, id, &spec, now).await? {
        return Err(Error::NotFound("question"));
    }
    audit(
        &mut tx,
        actor,
        AuditAction::ProgramQuestionChange,
        program,
        after(id, &spec),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a question from the form: deleted if nobody answered it, otherwise archived
/// so the answers stay on their applications until their retention erases them.
pub async fn remove(
    store: &Store,
    program: &ProgramRef<'_>,
    id: QuestionId,
    actor: &str,
    now: Timestamp,
) -> Result<Removal, Error> {
    let mut tx = store.begin().await?;
    let removal = tx.remove_question(program.id, id, now).await?;
    if removal == Removal::NotFound {
        return Err(Error::NotFound("question"));
    }
    let outcome = if removal == Removal::Archived {
        "archived"
    } else {
        "deleted"
    };
    let after = serde_json::json!({ "question": id, "outcome": outcome });
    audit(&mut tx, actor, AuditAction::ProgramQuestionRemove, program, after, now).await?;
    tx.commit().await?;
    Ok(removal)
}

/// Moves a question one place up or down; `Ok(false)` when it is already at that end.
pub async fn shift(
    store: &Store,
    program: &ProgramRef<'_>,
    id: QuestionId,
    up: bool,
    actor: &str,
    now: Timestamp,
) -> Result<bool, Error> {
    let order: Vec<QuestionId> = store
        .program_questions(program.id)
        .await?
        .iter()
        .map(|q| q.id)
        .collect();
    if !order.contains(&id) {
        return Err(Error::NotFound("question"));
    }
    let Some(order) = questions::moved(&order, id, up) else {
        return Ok(false);
    };
    let mut tx = store.begin().await?;
    tx.order_questions(program.id, &order).await?;
    let after = serde_json::json!({ "order": order });
    audit(&mut tx, actor, AuditAction::ProgramQuestionOrder, program, after, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Erases the answers whose question's retention has passed since their class's last
/// session (values and files), one class and question per transaction, each audited.
/// Returns how many answers were erased.
pub async fn erase_due(store: &Store, actor: &str, now: Timestamp) -> Result<u64, StoreError> {
    let tz = store
        .department()
        .await?
        .map(|d| d.tz())
        .unwrap_or(jiff::tz::TimeZone::UTC);
    let mut erased = 0;
    for held in store.held_answers().await? {
        let last = held.last_session_at.and_then(|s| Timestamp::from_second(s).ok());
        let months = u16::try_from(held.retention_months).unwrap_or(u16::MAX);
        if !questions::erasure_due(last, months, &tz, now) {
            continue;
        }
        let mut tx = store.begin().await?;
        let n = tx.erase_answers(held.class_id, held.question_id, now).await?;
        tx.audit(
            &AuditRecord {
                actor,
                action: AuditAction::RetentionEraseAnswers,
                object_type: "class",
                object_id: held.class_id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "question": held.question_id, "answers": n })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        erased += n;
    }
    Ok(erased)
}
