//! Staff accounts, roles and the one permission matrix, passwords, sessions and login.

pub mod password;
pub mod routes;
pub mod session;
pub mod users;

use serde::{Deserialize, Serialize};

/// The roles a staff member can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Supervisor,
    Advocate,
    CaseManager,
    Trainer,
    Analyst,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Supervisor,
        Role::Advocate,
        Role::CaseManager,
        Role::Trainer,
        Role::Analyst,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Advocate => "advocate",
            Role::CaseManager => "case_manager",
            Role::Trainer => "trainer",
            Role::Analyst => "analyst",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The locale key of the role's name.
    pub fn label_key(self) -> String {
        format!("role.{}", self.as_str())
    }
}

/// What a request may do. Every protected route names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// The staff home page.
    StaffHome,
    /// Create, edit and disable accounts; reset passwords.
    ManageUsers,
    /// Read the audit trail.
    ViewAudit,
    /// See contacts with their identifying data, and the queue.
    ViewContacts,
    /// Take and record contacts; reply to texts.
    EditContacts,
    /// Get a live notice when a contact is marked as a crisis.
    ReceiveCrisisAlerts,
    /// Numbers, operating hours, regions, telephony.
    ManageSettings,
    /// The on-call roster.
    ManageRoster,
    /// Open and work on cases (which cases is decided per case: see `cases::store`).
    WorkCases,
    /// Assign cases to case managers and see each case's access log.
    SuperviseCases,
    /// Search the referral directory.
    ViewDirectory,
    /// Add and edit partners, import and export the directory.
    ManageDirectory,
    /// Refer without the matching consent, giving a reason (audited).
    OverrideConsent,
    /// Organisations reached, consultations, training materials.
    Outreach,
    /// See the program goals and the progress towards them.
    ViewGoals,
    /// Set the program goals' targets.
    SetGoals,
    /// Update the launch plan: status, owner, due date and notes of checklist items.
    ManageLaunch,
}

impl Permission {
    pub const ALL: [Permission; 17] = [
        Permission::StaffHome,
        Permission::ManageUsers,
        Permission::ViewAudit,
        Permission::ViewContacts,
        Permission::EditContacts,
        Permission::ReceiveCrisisAlerts,
        Permission::ManageSettings,
        Permission::ManageRoster,
        Permission::WorkCases,
        Permission::SuperviseCases,
        Permission::ViewDirectory,
        Permission::ManageDirectory,
        Permission::OverrideConsent,
        Permission::Outreach,
        Permission::ViewGoals,
        Permission::SetGoals,
        Permission::ManageLaunch,
    ];
}

/// The permission matrix: which roles hold each permission. The only place this is decided.
const MATRIX: &[(Permission, &[Role])] = &[
    (Permission::StaffHome, &Role::ALL),
    (Permission::ManageUsers, &[Role::Admin]),
    (Permission::ViewAudit, &[Role::Admin, Role::Supervisor]),
    // Contact data: the people who answer and follow up. Admins run the system, trainers
    // teach and analysts count: none of them sees who called.
    (
        Permission::ViewContacts,
        &[Role::Supervisor, Role::Advocate, Role::CaseManager],
    ),
    (
        Permission::EditContacts,
        &[Role::Supervisor, Role::Advocate, Role::CaseManager],
    ),
    (Permission::ReceiveCrisisAlerts, &[Role::Supervisor]),
    (Permission::ManageSettings, &[Role::Admin]),
    (Permission::ManageRoster, &[Role::Admin, Role::Supervisor]),
    // Case data: never trainers, analysts or admins (analysts see aggregates only).
    (
        Permission::WorkCases,
        &[Role::Supervisor, Role::Advocate, Role::CaseManager],
    ),
    (Permission::SuperviseCases, &[Role::Supervisor]),
    // The directory lists organisations, not people: every staff member may search it.
    (Permission::ViewDirectory, &Role::ALL),
    (
        Permission::ManageDirectory,
        &[Role::Admin, Role::Supervisor],
    ),
    (Permission::OverrideConsent, &[Role::Supervisor]),
    (
        Permission::Outreach,
        &[Role::Admin, Role::Supervisor, Role::Trainer],
    ),
    (
        Permission::ViewGoals,
        &[Role::Admin, Role::Supervisor, Role::Trainer, Role::Analyst],
    ),
    (Permission::SetGoals, &[Role::Admin]),
    (Permission::ManageLaunch, &[Role::Admin, Role::Supervisor]),
];

/// True when `role` holds `permission`.
pub fn allows(role: Role, permission: Permission) -> bool {
    MATRIX
        .iter()
        .any(|(p, roles)| *p == permission && roles.contains(&role))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_is_in_the_matrix() {
        for p in Permission::ALL {
            assert!(MATRIX.iter().any(|(q, _)| *q == p), "{p:?} missing");
        }
    }

    #[test]
    fn matrix() {
        for r in Role::ALL {
            assert!(allows(r, Permission::StaffHome));
            assert_eq!(allows(r, Permission::ManageUsers), r == Role::Admin);
            assert_eq!(
                allows(r, Permission::ViewAudit),
                matches!(r, Role::Admin | Role::Supervisor)
            );
            let frontline = matches!(r, Role::Supervisor | Role::Advocate | Role::CaseManager);
            assert_eq!(allows(r, Permission::ViewContacts), frontline);
            assert_eq!(allows(r, Permission::EditContacts), frontline);
            assert_eq!(
                allows(r, Permission::ReceiveCrisisAlerts),
                r == Role::Supervisor
            );
            assert_eq!(allows(r, Permission::WorkCases), frontline);
            assert_eq!(allows(r, Permission::SuperviseCases), r == Role::Supervisor);
            assert!(allows(r, Permission::ViewDirectory));
            assert_eq!(
                allows(r, Permission::ManageDirectory),
                matches!(r, Role::Admin | Role::Supervisor)
            );
            assert_eq!(
                allows(r, Permission::OverrideConsent),
                r == Role::Supervisor
            );
            assert_eq!(
                allows(r, Permission::Outreach),
                matches!(r, Role::Admin | Role::Supervisor | Role::Trainer)
            );
            assert_eq!(
                allows(r, Permission::ViewGoals),
                !matches!(r, Role::Advocate | Role::CaseManager)
            );
            assert_eq!(allows(r, Permission::SetGoals), r == Role::Admin);
            assert_eq!(
                allows(r, Permission::ManageLaunch),
                matches!(r, Role::Admin | Role::Supervisor)
            );
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
