//! The person (or machine) making a request, and what they may see.

use crate::domain::role::Role;
use crate::store::audit::AuditActor;
use crate::store::users::UserRow;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Set for clients: the one maker whose records they may see.
    pub maker_id: Option<i64>,
    pub locale: String,
}

impl Actor {
    pub fn from_row(u: &UserRow) -> Actor {
        Actor {
            user_id: u.user_id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
            maker_id: u.maker_id,
            locale: u.locale.clone(),
        }
    }

    /// The command line acts as the system itself.
    pub fn system() -> Actor {
        Actor {
            user_id: 0,
            username: "system".into(),
            display_name: "system".into(),
            role: Role::Admin,
            maker_id: None,
            locale: "zh".into(),
        }
    }

    pub fn audit(&self) -> AuditActor {
        AuditActor {
            user_id: (self.user_id != 0).then_some(self.user_id),
            name: self.username.clone(),
        }
    }

    /// May this actor see records belonging to `maker_id`?
    pub fn can_see_maker(&self, maker_id: i64) -> bool {
        match self.role {
            Role::Client => self.maker_id == Some(maker_id),
            _ => true,
        }
    }

    /// For list queries: restrict to this maker when the actor is a client.
    pub fn maker_scope(&self) -> Option<i64> {
        if self.role.is_client() {
            Some(self.maker_id.unwrap_or(-1))
        } else {
            None
        }
    }

    pub fn require(&self, allowed: bool, what: &'static str) -> super::ServiceResult<()> {
        if allowed {
            Ok(())
        } else {
            Err(super::ServiceError::Forbidden(what))
        }
    }
}
