//! One type per kind of id, so a class id can never be passed where a program id is
//! expected. They derive `sqlx::Type` (transparent over `i64`) only so the store can
//! bind and read them directly; that is a trait implementation, not database access.

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, sqlx::Type, utoipa::ToSchema,
        )]
        #[serde(transparent)]
        #[sqlx(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a raw id (from the database, or a test).
            pub const fn new(raw: i64) -> Self {
                $name(raw)
            }

            /// The raw number, for URLs.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::num::ParseIntError;
            /// Parses an id from a URL segment.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A program (citizen academy, DARE, ...).
    ProgramId
);
id_type!(
    /// A class (cohort) of a program.
    ClassId
);
id_type!(
    /// One session of a class.
    SessionId
);
id_type!(
    /// A unit of the department.
    UnitId
);
id_type!(
    /// A staff account (officer, coordinator, counselor, admin).
    StaffId
);
id_type!(
    /// An application to a class.
    ApplicationId
);
id_type!(
    /// A question a program adds to its application form.
    QuestionId
);
id_type!(
    /// A community request (Open311 and the public form).
    RequestId
);
id_type!(
    /// A teen academy nomination by a school counselor.
    NominationId
);
id_type!(
    /// A school (nominations, DARE classes, activity).
    SchoolId
);
id_type!(
    /// A content page or advisory (one table holds both).
    ContentId
);
id_type!(
    /// A message in the outbox.
    MessageId
);
id_type!(
    /// A duty held by a staff member for a stretch of days.
    DutyId
);
id_type!(
    /// A traffic operation.
    OperationId
);
id_type!(
    /// A JSON API token.
    TokenId
);
id_type!(
    /// An entry in the community activity log.
    ActivityId
);
id_type!(
    /// An officer training session.
    TrainingId
);
id_type!(
    /// A DARE class taught at a school.
    DareClassId
);
id_type!(
    /// One lesson of a DARE class.
    LessonId
);
id_type!(
    /// A ride-along shift (a slot residents book).
    SlotId
);
id_type!(
    /// One stored wording of a program's survey.
    SurveyVersionId
);
id_type!(
    /// A screening entry on an application.
    ScreeningEntryId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_from_urls_and_reject_junk() {
        assert_eq!("42".parse::<ClassId>().unwrap(), ClassId::new(42));
        assert!("4x".parse::<ClassId>().is_err());
        assert!("".parse::<ClassId>().is_err());
        assert!("99999999999999999999".parse::<ClassId>().is_err());
    }

    #[test]
    fn ids_serialize_as_plain_numbers() {
        assert_eq!(serde_json::to_string(&ProgramId::new(7)).unwrap(), "7");
        assert_eq!(ClassId::new(3).to_string(), "3");
    }
}
