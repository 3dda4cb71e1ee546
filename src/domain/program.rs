//! Kinds of programs, staff roles and community duties.
//!
//! Stored as short lowercase codes (portable across SQLite and PostgreSQL, no enum
//! types); `code()` and `parse()` are the only translation between the two.

macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// Plain-language name shown to people.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// Reads a stored code; `None` for anything unknown.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum! {
    /// What kind of community program this is; decides which later rules apply
    /// (a teen academy needs counselor nominations, DARE runs at schools, ...).
    ProgramKind {
        CitizenAcademy = "citizen_academy" / "Citizen academy",
        TeenAcademy = "teen_academy" / "Teen academy",
        Dare = "dare" / "DARE",
        ResourceOfficer = "resource_officer" / "School and college resource officers",
        NeighborhoodWatch = "neighborhood_watch" / "Neighborhood watch",
        TrafficEnforcement = "traffic_enforcement" / "Selective traffic enforcement",
    }
}

coded_enum! {
    /// What a staff account may do in the back office.
    Role {
        Admin = "admin" / "Administrator",
        Coordinator = "coordinator" / "Program coordinator",
        Officer = "officer" / "Officer",
        Counselor = "counselor" / "School counselor",
    }
}

coded_enum! {
    /// A community duty an officer holds for a period of time.
    Duty {
        DareInstructor = "dare_instructor" / "DARE instructor",
        SchoolResourceOfficer = "school_resource_officer" / "School resource officer",
        CollegeResourceOfficer = "college_resource_officer" / "College resource officer",
        FieldTrainingOfficer = "field_training_officer" / "Field training officer",
        Traffic = "traffic" / "Traffic officer",
    }
}

impl ProgramKind {
    /// Whether residents apply to this program's classes themselves (as opposed to
    /// being nominated by a school or reached in their classroom).
    pub fn open_to_public_applications(self) -> bool {
        matches!(self, ProgramKind::CitizenAcademy | ProgramKind::NeighborhoodWatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for k in ProgramKind::ALL {
            assert_eq!(ProgramKind::parse(k.code()), Some(*k));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(*r));
        }
        for d in Duty::ALL {
            assert_eq!(Duty::parse(d.code()), Some(*d));
        }
    }

    #[test]
    fn unknown_codes_are_rejected() {
        assert_eq!(ProgramKind::parse("Citizen_Academy"), None);
        assert_eq!(Role::parse(""), None);
        assert_eq!(Duty::parse("swat"), None);
    }

    #[test]
    fn serde_uses_the_stored_code() {
        let json = serde_json::to_string(&ProgramKind::TeenAcademy).unwrap();
        assert_eq!(json, "\"teen_academy\"");
    }
}
