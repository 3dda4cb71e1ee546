//! Traffic enforcement operations: planning one and recording its results, each in one
//! transaction with its audit record.

use jiff::Timestamp;

use super::Error;
use crate::domain::OperationId;
use crate::domain::audit::AuditAction;
use crate::store::Store;
use crate::store::staff::AuditRecord;
use crate::store::traffic::{NewOperation, Results};

/// Plans an operation (checked by `domain::traffic`); returns its id.
pub async fn plan(store: &Store, actor: &str, new: &NewOperation, now: Timestamp) -> Result<OperationId, Error> {
    let mut tx = store.begin().await?;
    let id = tx.insert_operation(new, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::TrafficPlan,
            object_type: "traffic_operation",
            object_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "place": new.place, "request_id": new.request_id,
                "starts_at": new.starts_at.to_string(), "officers": new.officers })),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Records what an operation found.
pub async fn record_results(
    store: &Store,
    actor: &str,
    operation: OperationId,
    results: &Results,
    now: Timestamp,
) -> Result<(), Error> {
    let mut tx = store.begin().await?;
    tx.record_results(operation, results, now).await?;
    tx.audit(
        &AuditRecord {
            actor,
            action: AuditAction::TrafficResults,
            object_type: "traffic_operation",
            object_id: operation.to_string(),
            before: None,
            after: Some(
                serde_json::json!({ "stops": results.stops, "warnings": results.warnings,
                "citations": results.citations, "readings": results.speeds.len() }),
            ),
        },
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
