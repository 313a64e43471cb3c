//! Playbook data: what turns a handbook into something a team runs a cohort with. The parsing
//! here is plain functions over strings, shared by the load stage (section order), the links
//! stage (typed field values) and the render stage (the run sheet), none of which it knows.

pub(crate) mod raci;
pub(crate) mod schedule;
pub(crate) mod template;

pub(crate) use raci::RaciRole;
pub(crate) use schedule::Schedule;
