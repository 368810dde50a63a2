//! Applying validated drafts to the store: defaults on creation, partial updates.

use super::catalog::{self, LOST, MAIN_PIPELINE, WON};
use super::config::AmocrmConfig;
use super::custom_fields;
use super::drafts::{CompanyDraft, ContactDraft, LeadDraft, Linked, NoteDraft, TagRef};
use super::store::{Company, Contact, Crm, Lead, Note, Tags};

/// Ids of what one lead creation produced.
pub(crate) struct Created {
    pub lead: u64,
    /// The main contact and the company, created or linked.
    pub contact: Option<u64>,
    pub company: Option<u64>,
    pub new_contacts: u64,
    pub new_companies: u64,
}

fn resolve(dict: &mut Tags, refs: Vec<TagRef>, into: &mut Vec<u64>) {
    for r in refs {
        let id = match r {
            TagRef::Id(id) => id,
            TagRef::Name(name) => dict.id_for(&name),
        };
        if !into.contains(&id) {
            into.push(id);
        }
    }
}

fn is_closed(status: u64) -> bool {
    status == WON || status == LOST
}

impl Crm {
    pub(crate) fn create_lead(&mut self, d: LeadDraft, cfg: &AmocrmConfig, now: u64) -> Created {
        let pipeline = d
            .pipeline_id
            .and_then(catalog::pipeline)
            .unwrap_or(&MAIN_PIPELINE);
        let status_id = if d.incoming {
            pipeline.incoming_stage()
        } else {
            d.status_id.unwrap_or_else(|| pipeline.first_stage())
        };
        let mut created = Created {
            lead: 0,
            contact: None,
            company: None,
            new_contacts: 0,
            new_companies: 0,
        };
        let mut contacts = Vec::new();
        for link in d.contacts {
            contacts.push(match link {
                Linked::Existing(id) => id,
                Linked::New(c) => {
                    created.new_contacts += 1;
                    self.create_contact(c, cfg, now)
                }
            });
        }
        let mut companies = Vec::new();
        for link in d.companies {
            companies.push(match link {
                Linked::Existing(id) => id,
                Linked::New(c) => {
                    created.new_companies += 1;
                    self.create_company(c, cfg, now)
                }
            });
        }
        created.contact = contacts.first().copied();
        created.company = companies.first().copied();
        let mut tags = Vec::new();
        resolve(&mut self.lead_tags, d.tags.unwrap_or_default(), &mut tags);
        resolve(&mut self.lead_tags, d.tags_to_add, &mut tags);
        let created_at = d.created_at.unwrap_or(now);
        created.lead = self.leads.push(|id| Lead {
            id,
            // An unnamed lead is named after its id, as in the web interface.
            name: d.name.unwrap_or_else(|| {
                if cfg.ru() {
                    format!("Сделка #{id}")
                } else {
                    format!("Lead #{id}")
                }
            }),
            price: d.price.unwrap_or(0),
            pipeline_id: pipeline.id,
            status_id,
            responsible_user_id: d.responsible_user_id.unwrap_or(cfg.user_id),
            created_by: d.created_by.unwrap_or(cfg.user_id),
            updated_by: d.updated_by.unwrap_or(cfg.user_id),
            created_at,
            updated_at: d.updated_at.unwrap_or(created_at),
            closed_at: is_closed(status_id).then(|| d.closed_at.unwrap_or(now)),
            custom_fields: custom_fields::non_empty(d.custom_fields.unwrap_or_default()),
            tags,
            contacts,
            companies,
            notes: Vec::new(),
        });
        created
    }

    pub(crate) fn create_contact(&mut self, d: ContactDraft, cfg: &AmocrmConfig, now: u64) -> u64 {
        let mut tags = Vec::new();
        resolve(&mut self.contact_tags, d.tags, &mut tags);
        let first_name = d.first_name.unwrap_or_default();
        let last_name = d.last_name.unwrap_or_default();
        let name = d
            .name
            .unwrap_or_else(|| format!("{first_name} {last_name}").trim().to_owned());
        self.contacts.push(|id| Contact {
            id,
            name,
            first_name,
            last_name,
            responsible_user_id: d.responsible_user_id.unwrap_or(cfg.user_id),
            created_by: d.created_by.unwrap_or(cfg.user_id),
            created_at: d.created_at.unwrap_or(now),
            custom_fields: custom_fields::non_empty(d.custom_fields),
            tags,
        })
    }

    pub(crate) fn create_company(&mut self, d: CompanyDraft, cfg: &AmocrmConfig, now: u64) -> u64 {
        let mut tags = Vec::new();
        resolve(&mut self.company_tags, d.tags, &mut tags);
        self.companies.push(|id| Company {
            id,
            name: d.name.unwrap_or_default(),
            responsible_user_id: d.responsible_user_id.unwrap_or(cfg.user_id),
            created_by: d.created_by.unwrap_or(cfg.user_id),
            created_at: d.created_at.unwrap_or(now),
            custom_fields: custom_fields::non_empty(d.custom_fields),
            tags,
        })
    }

    /// Applies the fields a PATCH item carries; returns the new `updated_at`, or `None` if
    /// the lead is gone.
    pub(crate) fn update_lead(&mut self, id: u64, d: LeadDraft, now: u64) -> Option<u64> {
        let mut tags = self.leads.get(id)?.tags.clone();
        if let Some(replace) = d.tags {
            tags.clear();
            resolve(&mut self.lead_tags, replace, &mut tags);
        }
        resolve(&mut self.lead_tags, d.tags_to_add, &mut tags);
        let lead = self.leads.get_mut(id)?;
        lead.tags = tags;
        if let Some(name) = d.name {
            lead.name = name;
        }
        if let Some(price) = d.price {
            lead.price = price;
        }
        if let Some(pipeline) = d.pipeline_id.and_then(catalog::pipeline) {
            if pipeline.id != lead.pipeline_id && d.status_id.is_none() {
                lead.status_id = pipeline.first_stage();
            }
            lead.pipeline_id = pipeline.id;
        }
        if let Some(status) = d.status_id {
            lead.status_id = status;
        }
        lead.closed_at = match (is_closed(lead.status_id), lead.closed_at) {
            (true, Some(at)) => Some(d.closed_at.unwrap_or(at)),
            (true, None) => Some(d.closed_at.unwrap_or(now)),
            (false, _) => None,
        };
        if let Some(user) = d.responsible_user_id {
            lead.responsible_user_id = user;
        }
        if let Some(user) = d.updated_by {
            lead.updated_by = user;
        }
        if let Some(fields) = d.custom_fields {
            custom_fields::merge(&mut lead.custom_fields, fields);
        }
        for link in d.contacts {
            if let Linked::Existing(contact) = link {
                if !lead.contacts.contains(&contact) {
                    lead.contacts.push(contact);
                }
            }
        }
        for link in d.companies {
            if let Linked::Existing(company) = link {
                if !lead.companies.contains(&company) {
                    lead.companies.push(company);
                }
            }
        }
        lead.updated_at = d.updated_at.unwrap_or(now).max(lead.created_at);
        Some(lead.updated_at)
    }

    pub(crate) fn add_note(&mut self, note: NoteDraft, cfg: &AmocrmConfig, now: u64) -> u64 {
        let lead_id = note.entity_id;
        let id = self.notes.push(|id| Note {
            id,
            entity_id: lead_id,
            note_type: note.note_type,
            params: note.params,
            created_by: note.created_by.unwrap_or(cfg.user_id),
            responsible_user_id: note.responsible_user_id.unwrap_or(cfg.user_id),
            created_at: note.created_at.unwrap_or(now),
        });
        if let Some(lead) = self.leads.get_mut(lead_id) {
            lead.notes.push(id);
        }
        id
    }
}
