//! What several generated pages read from the resolved graph: the pages of each built-in kind
//! in reading order, the ritual stages, and each page's links, stage, RACI parts and schedule.

use crate::links::FieldValue;
use crate::playbook::{RaciRole, Schedule};
use crate::site::Site;

pub(super) struct Facts<'a> {
    pub(super) site: &'a Site,
    /// Every page in reading order.
    pub(super) order: Vec<usize>,
    pub(super) rituals: Vec<usize>,
    pub(super) roles: Vec<usize>,
    pub(super) elements: Vec<usize>,
    /// The ritual kind's `stage` values with their labels, in declaration order.
    pub(super) stages: Vec<(String, String)>,
}

impl<'a> Facts<'a> {
    pub(super) fn new(site: &'a Site) -> Facts<'a> {
        let order = site.content.in_order();
        let of_kind = |k: &str| -> Vec<usize> {
            order
                .iter()
                .copied()
                .filter(|&i| site.content.pages[i].kind == k)
                .collect()
        };
        let rituals = of_kind("ritual");
        let roles = of_kind("role");
        let elements = of_kind("element");
        let stage_def = site
            .config
            .kind("ritual")
            .and_then(|k| k.field("stage"))
            .cloned();
        let stages: Vec<(String, String)> = stage_def
            .as_ref()
            .map(|d| {
                d.values
                    .iter()
                    .map(|v| (v.clone(), d.value_label(v).to_string()))
                    .collect()
            })
            .unwrap_or_default();
        Facts {
            site,
            order,
            rituals,
            roles,
            elements,
            stages,
        }
    }

    /// The pages page `i`'s link field `name` points to.
    pub(super) fn links_of(&self, i: usize, name: &str) -> Vec<usize> {
        self.site.graph.fields[i]
            .iter()
            .filter(|(k, _)| k == name)
            .flat_map(|(_, v)| v.targets().iter().copied())
            .collect()
    }

    pub(super) fn stage_of(&self, i: usize) -> Option<String> {
        self.site.graph.fields[i]
            .iter()
            .find_map(|(k, v)| match (k.as_str(), v) {
                ("stage", FieldValue::Enum(s)) => Some(s.clone()),
                _ => None,
            })
    }

    /// What each role does in page `i`: a `raci` field's parts, a plain list's participants.
    /// Of any kind: its first `raci` field, else a `roles` list.
    pub(super) fn parts_of(&self, i: usize) -> Vec<(usize, RaciRole)> {
        let fields = &self.site.graph.fields[i];
        let pick = fields
            .iter()
            .position(|(_, v)| matches!(v, FieldValue::Raci { .. }))
            .or_else(|| fields.iter().position(|(k, _)| k == "roles"));
        pick.into_iter()
            .map(|k| &fields[k])
            .flat_map(|(_, v)| match v {
                FieldValue::Raci { targets, parts } => {
                    targets.iter().copied().zip(parts.iter().copied()).collect()
                }
                other => other
                    .targets()
                    .iter()
                    .map(|&t| (t, RaciRole::Participant))
                    .collect::<Vec<_>>(),
            })
            .collect()
    }

    pub(super) fn schedule_of(&self, i: usize) -> Option<Schedule> {
        self.site.graph.fields[i].iter().find_map(|(_, v)| match v {
            FieldValue::Schedule(s) => *s,
            _ => None,
        })
    }

    /// Sorts pages by schedule, then weight, then site order (the sort is stable).
    pub(super) fn by_schedule(&self, list: &mut [usize]) {
        let cohort = self.site.config.playbook.cohort_days;
        list.sort_by_key(|&r| {
            (
                self.schedule_of(r)
                    .map_or((i32::MAX, true), |s| s.sort_key(cohort)),
                self.site.content.pages[r].meta.weight.unwrap_or(i64::MAX),
            )
        })
    }

    /// A UI string of the site's language (empty when missing).
    pub(super) fn ui(&self, k: &str) -> String {
        self.site.config.ui.get(k).cloned().unwrap_or_default()
    }
}
