//! What the audit log records: every action staff (or the service on their behalf) take
//! that changes data, as one enum, so a record cannot name an action that does not exist
//! and the log's codes stay stable. Stored and exported as the code (`class.cancel`).

use super::program::coded_enum;

coded_enum! {
    /// An audited action.
    AuditAction {
        ActivityLog = "activity.log" / "Activity: log",
        ActivityUpdate = "activity.update" / "Activity: update",
        AlumniMessage = "alumni.message" / "Alumni: message",
        ApiTokenCreate = "api_token.create" / "Api token: create",
        ApiTokenRevoke = "api_token.revoke" / "Api token: revoke",
        ApplicationBackgroundCheck = "application.background_check" / "Application: background check",
        ApplicationDecide = "application.decide" / "Application: decide",
        ApplicationScreening = "application.screening" / "Application: screening",
        AttendanceMakeUp = "attendance.make_up" / "Attendance: make up",
        AttendanceMark = "attendance.mark" / "Attendance: mark",
        ClassCancel = "class.cancel" / "Class: cancel",
        ClassCapacity = "class.capacity" / "Class: capacity",
        ClassCopy = "class.copy" / "Class: copy",
        ClassCreate = "class.create" / "Class: create",
        ClassEmail = "class.email" / "Class: email",
        ClassGraduate = "class.graduate" / "Class: graduate",
        ClassRules = "class.rules" / "Class: rules",
        ClassSessionsAdd = "class.sessions.add" / "Class: sessions add",
        ClassStatus = "class.status" / "Class: status",
        ClassUpdate = "class.update" / "Class: update",
        ContentCreate = "content.create" / "Content: create",
        ContentUpdate = "content.update" / "Content: update",
        DareCancel = "dare.cancel" / "Dare: cancel",
        DareCertificates = "dare.certificates" / "Dare: certificates",
        DareGraduate = "dare.graduate" / "Dare: graduate",
        DareLesson = "dare.lesson" / "Dare: lesson",
        DarePlan = "dare.plan" / "Dare: plan",
        DepartmentLogo = "department.logo" / "Department: logo",
        DepartmentLogoRemoved = "department.logo_removed" / "Department: logo removed",
        DepartmentProfile = "department.profile" / "Department: profile",
        DepartmentSensitiveRoles = "department.sensitive_roles" / "Department: sensitive roles",
        DutyAssign = "duty.assign" / "Duty: assign",
        DutyEnd = "duty.end" / "Duty: end",
        HolidayAdd = "holiday.add" / "Holiday: add",
        HolidayRemove = "holiday.remove" / "Holiday: remove",
        NominationAccept = "nomination.accept" / "Nomination: accept",
        NominationConfirm = "nomination.confirm" / "Nomination: confirm",
        NominationConsent = "nomination.consent" / "Nomination: consent",
        NominationConsentDeclined = "nomination.consent_declined" / "Nomination: consent declined",
        NominationCreate = "nomination.create" / "Nomination: create",
        NominationDecline = "nomination.decline" / "Nomination: decline",
        NominationUpdate = "nomination.update" / "Nomination: update",
        NominationWithdraw = "nomination.withdraw" / "Nomination: withdraw",
        OutboxResend = "outbox.resend" / "Outbox: resend",
        ProfileConsent = "profile.consent" / "Profile: consent",
        ProfilePhoto = "profile.photo" / "Profile: photo",
        ProfilePhotoRemoved = "profile.photo_removed" / "Profile: photo removed",
        ProgramCreate = "program.create" / "Program: create",
        ProgramQuestionAdd = "program.question.add" / "Program: question add",
        ProgramQuestionChange = "program.question.change" / "Program: question change",
        ProgramQuestionOrder = "program.question.order" / "Program: question order",
        ProgramQuestionRemove = "program.question.remove" / "Program: question remove",
        ProgramRules = "program.rules" / "Program: rules",
        ProgramUpdate = "program.update" / "Program: update",
        RequestComment = "request.comment" / "Request: comment",
        RequestCreate = "request.create" / "Request: create",
        RequestUpdate = "request.update" / "Request: update",
        RetentionErase = "retention.erase" / "Retention: erase",
        RetentionEraseAnswers = "retention.erase_answers" / "Retention: erase answers",
        RideAlongRecord = "ride_along.record" / "Ride along: record",
        RideAlongSlotCreate = "ride_along.slot_create" / "Ride along: slot create",
        RideAlongSlotDelete = "ride_along.slot_delete" / "Ride along: slot delete",
        SchoolCreate = "school.create" / "School: create",
        SchoolQuota = "school.quota" / "School: quota",
        SessionCancel = "session.cancel" / "Session: cancel",
        SessionUpdate = "session.update" / "Session: update",
        StaffDeactivate = "staff.deactivate" / "Staff: deactivate",
        StaffInvite = "staff.invite" / "Staff: invite",
        StaffInviteAgain = "staff.invite_again" / "Staff: invite again",
        StaffLinkSchool = "staff.link_school" / "Staff: link school",
        StaffPasswordChange = "staff.password_change" / "Staff: password change",
        StaffPasswordReset = "staff.password_reset" / "Staff: password reset",
        StaffReactivate = "staff.reactivate" / "Staff: reactivate",
        StaffTwoFactorOff = "staff.two_factor_off" / "Staff: two factor off",
        StaffTwoFactorOn = "staff.two_factor_on" / "Staff: two factor on",
        StaffTwoFactorReset = "staff.two_factor_reset" / "Staff: two factor reset",
        StaffUpdate = "staff.update" / "Staff: update",
        SurveySave = "survey.save" / "Survey: save",
        TrafficPlan = "traffic.plan" / "Traffic: plan",
        TrafficResults = "traffic.results" / "Traffic: results",
        TrainingLog = "training.log" / "Training: log",
        UnitCreate = "unit.create" / "Unit: create",
        UnitDelete = "unit.delete" / "Unit: delete",
        UnitUpdate = "unit.update" / "Unit: update",
        WaitlistMove = "waitlist.move" / "Waitlist: move",
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
