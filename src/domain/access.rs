//! Who may do what in the back office. The table below is the single source of truth;
//! handlers ask it, and `docs/ROLES.md` prints it for people.

use super::program::Role;

/// Something a staff member may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// See every class, including drafts, with seat counts.
    SeeAllClasses,
    /// See a class's roster (applicants' names, contacts, statuses).
    SeeRoster,
    /// Announce, open or close registration; change capacity.
    RunClasses,
    /// Read the audit log.
    ReadAudit,
    /// Confirm who graduates.
    Graduate,
    /// Review applications: screening stages, background checks and decisions. Sensitive
    /// fields additionally need a role the department names.
    Review,
    /// Change department-wide settings (who sees sensitive fields).
    Configure,
    /// Nominate students of one's own schools for the teen academy.
    Nominate,
    /// Field work: log activity and training, work requests assigned to them, teach DARE.
    FieldWork,
    /// Present sessions of a class; the class's roster and attendance then open to them
    /// (see [`may_see_roster`]).
    Present,
}

/// Whether `role` has `permission` at all. Object-level limits (an officer sees only
/// the classes they present in) are applied on top by [`may_see_roster`].
pub fn allows(role: Role, permission: Permission) -> bool {
    use Permission::*;
    use Role::*;
    match permission {
        SeeAllClasses => matches!(role, Admin | Coordinator),
        SeeRoster => matches!(role, Admin | Coordinator | Officer),
        RunClasses => matches!(role, Admin | Coordinator),
        ReadAudit | Configure => matches!(role, Admin),
        Nominate => matches!(role, Counselor),
        Graduate | Review => matches!(role, Admin | Coordinator),
        FieldWork => matches!(role, Admin | Coordinator | Officer),
        Present => matches!(role, Officer),
    }
}

/// Whether a staff member may see one class's roster: coordinators and admins see every
/// class; an officer only the classes they present in; counselors none here.
pub fn may_see_roster(role: Role, presents_in_class: bool) -> bool {
    match role {
        Role::Admin | Role::Coordinator => true,
        Role::Officer => presents_in_class,
        Role::Counselor => false,
    }
}

/// Whether a staff member may take attendance in a class: the roster rule (officers
/// only in classes they present in).
pub fn may_take_attendance(role: Role, presents_in_class: bool) -> bool {
    may_see_roster(role, presents_in_class)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permission_table() {
        use Permission::*;
        use Role::*;
        let table = [
            (SeeAllClasses, [true, true, false, false]),
            (SeeRoster, [true, true, true, false]),
            (RunClasses, [true, true, false, false]),
            (ReadAudit, [true, false, false, false]),
            (Graduate, [true, true, false, false]),
            (Review, [true, true, false, false]),
            (Configure, [true, false, false, false]),
            (Nominate, [false, false, false, true]),
            (FieldWork, [true, true, true, false]),
            (Present, [false, false, true, false]),
        ];
        for (permission, expected) in table {
            for (role, want) in [Admin, Coordinator, Officer, Counselor].into_iter().zip(expected) {
                assert_eq!(allows(role, permission), want, "{role:?} {permission:?}");
            }
        }
    }

    #[test]
    fn officers_see_only_their_own_classes() {
        assert!(may_see_roster(Role::Officer, true));
        assert!(!may_see_roster(Role::Officer, false));
        assert!(may_see_roster(Role::Coordinator, false));
        assert!(!may_see_roster(Role::Counselor, true));
    }
}
