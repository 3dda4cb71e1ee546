//! Outcomes for staff: a program's survey editor, its results, alumni messages and the
//! annual community-programs report, one file each.

mod alumni;
mod annual;
mod results;
mod survey;

pub use alumni::{alumni, message_alumni};
pub use annual::{annual, annual_pdf};
pub use results::{results, results_csv};
pub use survey::{edit, save};

use crate::store::catalog::Program;
use crate::web::AppState;
use crate::web::error::AppError;

pub(super) async fn program(state: &AppState, slug: &str) -> Result<Program, AppError> {
    state
        .store
        .published_program(slug)
        .await?
        .ok_or(AppError::NotFound("program"))
}
