//! Programs kept by coordinators: their page and settings, their graduation rule and
//! screening stages.

use jiff::Timestamp;

use crate::domain::audit::AuditAction;
use crate::domain::graduation::GraduationRule;
use crate::domain::screening::Screening;
use crate::store::catalog::Program;
use crate::store::staff::AuditRecord;
use crate::store::{Store, StoreError};

/// Sets a program's graduation rule and screening stages together (both checked already);
/// `before` is what the audit record shows as replaced.
pub async fn set_rules(
    store: &Store,
    actor: &str,
    program: &Program,
    (old_rule, old_screening): (&GraduationRule, &Screening),
    (rule, screening): (&GraduationRule, &Screening),
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    tx.set_graduation_rule(program.id, rule).await?;
    tx.set_screening(program.id, screening).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::ProgramRules,
            object_type: "program",
            object_id: program.slug.clone(),
            before: Some(serde_json::json!({ "graduation_rule": old_rule, "screening": old_screening })),
            after: Some(serde_json::json!({ "graduation_rule": rule, "screening": screening })),
        },
        now,
    )
    .await?;
    tx.commit().await
}

/// Creates a program (`existing` is `None`) or changes one. Refused (`Invalid`) when a new
/// program's web address name is taken.
pub async fn save(
    store: &Store,
    actor: &str,
    existing: Option<&Program>,
    program: &crate::store::seed::NewProgram<'_>,
    now: Timestamp,
) -> Result<(), super::Error> {
    let mut tx = store.begin().await?;
    let (action, before) = match existing {
        Some(p) => {
            tx.update_program(p.id, program, now).await?;
            let before = serde_json::json!({ "name": p.name, "eligibility": p.eligibility, "lottery": p.lottery });
            (AuditAction::ProgramUpdate, Some(before))
        }
        None => match tx.insert_program(program, now).await {
            Ok(_) => (AuditAction::ProgramCreate, None),
            Err(e) if e.is_unique_violation() => {
                let msg = "Another program already uses this web address name.".to_string();
                return Err(super::Error::invalid_because(vec![msg]));
            }
            Err(e) => return Err(e.into()),
        },
    };
    tx.audit(
        &AuditRecord {
            actor,
            action,
            object_type: "program",
            object_id: program.slug.to_string(),
            before,
            after: Some(serde_json::json!({
                "name": program.name, "eligibility": program.eligibility, "lottery": program.lottery,
            })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
