//! Pure rules and types of the catalog: no database, no HTTP, no clock reads.
//!
//! Everything here takes the facts it needs as arguments (including "now"), so every
//! rule is unit-tested in isolation and the web and store layers only move data.

pub mod access;
pub mod activity;
pub mod application;
pub mod audit;
pub mod class;
pub mod content;
pub mod dare;
pub mod department;
pub mod duties;
pub mod eligibility;
pub mod engagement;
pub mod graduation;
pub mod holidays;
pub mod ids;
pub mod lottery;
pub mod mail;
pub mod markdown;
pub mod nomination;
pub mod paging;
pub mod password;
pub mod program;
pub mod questions;
pub mod reminders;
pub mod requests;
pub mod ride_along;
pub mod roster;
pub mod schedule;
pub mod screening;
pub mod sign_in;
pub mod stats;
pub mod survey;
pub mod traffic;
pub mod training;
pub mod waitlist;

pub use application::{Allocation, Applicant, ApplicationInput, ApplicationStatus, RuleFailure};
pub use class::{CapacityChange, CapacityRefusal, ClassStatus, RegistrationState};
pub use eligibility::{Affiliation, Eligibility};
pub use ids::{
    ActivityId, ApplicationId, ClassId, ContentId, DareClassId, DutyId, LessonId, MessageId, NominationId, OperationId,
    ProgramId, QuestionId, RequestId, SchoolId, ScreeningEntryId, SessionId, SlotId, StaffId, SurveyVersionId, TokenId,
    TrainingId, UnitId,
};
pub use program::{Duty, PlaceKind, ProgramKind, Role};
pub use schedule::{CopiedDates, MeetingPattern, Occurrence, ScheduleError};
