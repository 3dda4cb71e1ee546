//! What the audit log records: every action staff (or the service on their behalf) take
//! that changes data, as one enum, so a record cannot name an action that does not exist
//! and the log's codes stay stable. Stored and exported as the code (`class.cancel`).

use super::program::coded_enum;

coded_enum! {
    /// An audited action.
    AuditAction {
        ActivityLog = "activity.log" / "Activity logged",
        ActivityUpdate = "activity.update" / "Activity entry changed",
        AlumniMessage = "alumni.message" / "Message sent to alumni",
        ApiTokenCreate = "api_token.create" / "API token made",
        ApiTokenRevoke = "api_token.revoke" / "API token revoked",
        ApplicationBackgroundCheck = "application.background_check" / "Background check recorded",
        ApplicationDecide = "application.decide" / "Application decided",
        ApplicationScreening = "application.screening" / "Screening stage recorded",
        AttendanceMakeUp = "attendance.make_up" / "Make-up recorded",
        AttendanceMark = "attendance.mark" / "Attendance taken",
        ClassCancel = "class.cancel" / "Class cancelled",
        ClassCapacity = "class.capacity" / "Class capacity changed",
        ClassCopy = "class.copy" / "Class copied to a new semester",
        ClassCreate = "class.create" / "Class created",
        ClassEmail = "class.email" / "Class roster emailed",
        ClassGraduate = "class.graduate" / "Graduation confirmed",
        ClassRules = "class.rules" / "Registration rules changed",
        ClassSessionsAdd = "class.sessions.add" / "Sessions added",
        ClassStatus = "class.status" / "Class status changed",
        ClassUpdate = "class.update" / "Class details changed",
        ContentCreate = "content.create" / "Page or advisory published",
        ContentUpdate = "content.update" / "Page or advisory changed",
        DareCancel = "dare.cancel" / "DARE class cancelled",
        DareCertificates = "dare.certificates" / "DARE certificates printed",
        DareGraduate = "dare.graduate" / "DARE class graduated",
        DareLesson = "dare.lesson" / "DARE lesson recorded",
        DarePlan = "dare.plan" / "DARE class planned",
        DepartmentLogo = "department.logo" / "Logo uploaded",
        DepartmentLogoRemoved = "department.logo_removed" / "Logo removed",
        DepartmentProfile = "department.profile" / "Department profile changed",
        DepartmentSensitiveRoles = "department.sensitive_roles" / "Roles for sensitive fields changed",
        DutyAssign = "duty.assign" / "Duty assigned",
        DutyEnd = "duty.end" / "Duty ended",
        HolidayAdd = "holiday.add" / "Holiday added",
        HolidayRemove = "holiday.remove" / "Holiday removed",
        NominationAccept = "nomination.accept" / "Nomination accepted",
        NominationConfirm = "nomination.confirm" / "Nomination confirmed",
        NominationConsent = "nomination.consent" / "Guardian consent signed",
        NominationConsentDeclined = "nomination.consent_declined" / "Guardian consent declined",
        NominationCreate = "nomination.create" / "Student nominated",
        NominationDecline = "nomination.decline" / "Nomination declined",
        NominationUpdate = "nomination.update" / "Nomination corrected",
        NominationWithdraw = "nomination.withdraw" / "Nomination withdrawn",
        OutboxResend = "outbox.resend" / "Message sent again",
        ProfileConsent = "profile.consent" / "Public profile choice changed",
        ProfilePhoto = "profile.photo" / "Photo uploaded",
        ProfilePhotoRemoved = "profile.photo_removed" / "Photo removed",
        ProgramCreate = "program.create" / "Program created",
        ProgramQuestionAdd = "program.question.add" / "Application question added",
        ProgramQuestionChange = "program.question.change" / "Application question changed",
        ProgramQuestionOrder = "program.question.order" / "Application questions reordered",
        ProgramQuestionRemove = "program.question.remove" / "Application question removed",
        ProgramRules = "program.rules" / "Program rules changed",
        ProgramUpdate = "program.update" / "Program details changed",
        RequestComment = "request.comment" / "Requester commented",
        RequestCreate = "request.create" / "Community request filed",
        RequestUpdate = "request.update" / "Community request worked",
        RetentionErase = "retention.erase" / "Minors' details erased",
        RetentionEraseAnswers = "retention.erase_answers" / "Application answers erased",
        RideAlongRecord = "ride_along.record" / "Ride-along recorded",
        RideAlongSlotCreate = "ride_along.slot_create" / "Ride-along shift added",
        RideAlongSlotDelete = "ride_along.slot_delete" / "Ride-along shift removed",
        SchoolCreate = "school.create" / "School added",
        SchoolQuota = "school.quota" / "School quota changed",
        SessionCancel = "session.cancel" / "Session cancelled",
        SessionUpdate = "session.update" / "Session changed",
        StaffDeactivate = "staff.deactivate" / "Staff account deactivated",
        StaffInvite = "staff.invite" / "Staff member invited",
        StaffInviteAgain = "staff.invite_again" / "Invitation sent again",
        StaffLinkSchool = "staff.link_school" / "Counselor linked to a school",
        StaffPasswordChange = "staff.password_change" / "Password changed",
        StaffPasswordReset = "staff.password_reset" / "Password reset",
        StaffReactivate = "staff.reactivate" / "Staff account reactivated",
        StaffTwoFactorOff = "staff.two_factor_off" / "Two-step sign-in turned off",
        StaffTwoFactorOn = "staff.two_factor_on" / "Two-step sign-in turned on",
        StaffTwoFactorReset = "staff.two_factor_reset" / "Two-step sign-in reset",
        StaffUpdate = "staff.update" / "Staff account changed",
        SurveySave = "survey.save" / "Survey saved",
        TrafficPlan = "traffic.plan" / "Traffic operation planned",
        TrafficResults = "traffic.results" / "Traffic results recorded",
        TrainingLog = "training.log" / "Training logged",
        UnitCreate = "unit.create" / "Unit added",
        UnitDelete = "unit.delete" / "Unit removed",
        UnitUpdate = "unit.update" / "Unit renamed",
        WaitlistMove = "waitlist.move" / "Waitlist moved",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_read_back() {
        let mut seen = std::collections::HashSet::new();
        for a in AuditAction::ALL {
            assert!(seen.insert(a.code()), "{} twice", a.code());
            assert_eq!(AuditAction::parse(a.code()), Some(*a));
        }
    }
}
