//! The `raci` field type: who does what in a ritual. A table `lead` / `run` / `support` /
//! `informed` of role links; a plain list still means participants without a stated part.

/// What a role does in a ritual. `Participant` is a role named in a plain list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum RaciRole {
    Lead,
    Run,
    Support,
    Informed,
    Participant,
}

impl RaciRole {
    /// The keys of a RACI table, in the order a matrix legend lists them.
    pub(crate) const KEYS: [&'static str; 4] = ["lead", "run", "support", "informed"];

    /// The part a table key names.
    pub(crate) fn from_key(key: &str) -> Option<RaciRole> {
        Some(match key {
            "lead" => RaciRole::Lead,
            "run" => RaciRole::Run,
            "support" => RaciRole::Support,
            "informed" => RaciRole::Informed,
            _ => return None,
        })
    }

    /// The table key (`participant` for a plain list): also the suffix of its UI strings
    /// (`raci_lead`, `raci_lead_short`).
    pub(crate) fn key(self) -> &'static str {
        match self {
            RaciRole::Lead => "lead",
            RaciRole::Run => "run",
            RaciRole::Support => "support",
            RaciRole::Informed => "informed",
            RaciRole::Participant => "participant",
        }
    }
}
