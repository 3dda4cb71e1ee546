//! A program's own rules kept by coordinators: its graduation rule and screening stages.

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
