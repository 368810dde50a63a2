//! The account's fixed setup: its pipeline with stages, and its custom fields.
//!
//! Names come in the account's language (a Russian amoCRM account and an English Kommo
//! account name their defaults differently); ids are stable, so tests can hard-code them.

use serde_json::{json, Value};

/// amoCRM's system stages, the same in every pipeline.
pub(crate) const WON: u64 = 142;
pub(crate) const LOST: u64 = 143;

pub(crate) struct Stage {
    pub id: u64,
    pub name: (&'static str, &'static str),
    pub sort: u32,
    pub color: &'static str,
    /// 1 = the incoming-leads (unsorted) stage, 0 = an ordinary one.
    pub kind: u8,
    pub editable: bool,
}

pub(crate) struct Pipeline {
    pub id: u64,
    pub name: (&'static str, &'static str),
    pub is_main: bool,
    pub stages: &'static [Stage],
}

const fn stage(
    id: u64,
    ru: &'static str,
    en: &'static str,
    sort: u32,
    color: &'static str,
    kind: u8,
    editable: bool,
) -> Stage {
    Stage {
        id,
        name: (ru, en),
        sort,
        color,
        kind,
        editable,
    }
}

// A table, one row per stage: rustfmt would spread each row over nine lines.
#[rustfmt::skip]
pub(crate) const MAIN_PIPELINE: Pipeline = Pipeline {
    id: 7_155_526,
    name: ("Воронка", "Pipeline"),
    is_main: true,
    stages: &[
        stage(61_234_500, "Неразобранное", "Incoming leads", 10, "#c1c1c1", 1, false),
        stage(61_234_501, "Первичный контакт", "Initial contact", 20, "#99ccff", 0, true),
        stage(61_234_502, "Переговоры", "Negotiation", 30, "#ffff99", 0, true),
        stage(61_234_503, "Принимают решение", "Decision making", 40, "#ffcc66", 0, true),
        stage(61_234_504, "Согласование договора", "Contract discussion", 50, "#ff9999", 0, true),
        stage(WON, "Успешно реализовано", "Closed - won", 10000, "#CCFF66", 0, false),
        stage(LOST, "Закрыто и не реализовано", "Closed - lost", 11000, "#D5D8DB", 0, false),
    ],
};

pub(crate) const PIPELINES: [&Pipeline; 1] = [&MAIN_PIPELINE];

pub(crate) fn pipeline(id: u64) -> Option<&'static Pipeline> {
    PIPELINES.iter().copied().find(|p| p.id == id)
}

impl Pipeline {
    pub(crate) fn has_stage(&self, id: u64) -> bool {
        self.stages.iter().any(|s| s.id == id)
    }

    /// Where a lead lands when no stage is given: the first ordinary stage.
    pub(crate) fn first_stage(&self) -> u64 {
        self.stages
            .iter()
            .find(|s| s.kind == 0)
            .map_or(self.stages[0].id, |s| s.id)
    }

    /// The incoming-leads stage, where a lead with form metadata lands.
    pub(crate) fn incoming_stage(&self) -> u64 {
        self.stages
            .iter()
            .find(|s| s.kind == 1)
            .map_or_else(|| self.first_stage(), |s| s.id)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Entity {
    Lead,
    Contact,
    Company,
}

pub(crate) struct FieldDef {
    pub id: u64,
    pub code: Option<&'static str>,
    pub name: (&'static str, &'static str),
    pub kind: &'static str,
    pub entity: Entity,
    /// `(enum_id, enum_code)` of a multitext field.
    pub enums: &'static [(u64, &'static str)],
}

impl FieldDef {
    pub(crate) fn is_multitext(&self) -> bool {
        self.kind == "multitext"
    }
}

const PHONE_ENUMS: &[(u64, &str)] = &[
    (2_345_601, "WORK"),
    (2_345_602, "WORKDD"),
    (2_345_603, "MOB"),
    (2_345_604, "FAX"),
    (2_345_605, "HOME"),
    (2_345_606, "OTHER"),
];
const EMAIL_ENUMS: &[(u64, &str)] = &[
    (2_345_611, "WORK"),
    (2_345_612, "PRIV"),
    (2_345_613, "OTHER"),
];

const fn field(
    id: u64,
    code: Option<&'static str>,
    ru: &'static str,
    en: &'static str,
    kind: &'static str,
    entity: Entity,
) -> FieldDef {
    FieldDef {
        id,
        code,
        name: (ru, en),
        kind,
        entity,
        enums: &[],
    }
}

const fn multitext(
    id: u64,
    code: &'static str,
    name: &'static str,
    entity: Entity,
    enums: &'static [(u64, &'static str)],
) -> FieldDef {
    FieldDef {
        id,
        code: Some(code),
        name: (name, name),
        kind: "multitext",
        entity,
        enums,
    }
}

// A table, one row per field: rustfmt would spread each row over eight lines.
#[rustfmt::skip]
pub(crate) const FIELDS: &[FieldDef] = &[
    field(1_138_180, Some("POSITION"), "Должность", "Position", "text", Entity::Contact),
    multitext(1_138_181, "PHONE", "Телефон", Entity::Contact, PHONE_ENUMS),
    multitext(1_138_183, "EMAIL", "Email", Entity::Contact, EMAIL_ENUMS),
    multitext(1_138_185, "PHONE", "Телефон", Entity::Company, PHONE_ENUMS),
    multitext(1_138_187, "EMAIL", "Email", Entity::Company, EMAIL_ENUMS),
    field(1_138_189, Some("WEB"), "Web", "Web", "url", Entity::Company),
    field(1_138_191, Some("ADDRESS"), "Адрес", "Address", "textarea", Entity::Company),
    field(1_138_200, Some("UTM_SOURCE"), "utm_source", "utm_source", "tracking_data", Entity::Lead),
    field(1_138_201, Some("UTM_MEDIUM"), "utm_medium", "utm_medium", "tracking_data", Entity::Lead),
    field(1_138_202, Some("UTM_CAMPAIGN"), "utm_campaign", "utm_campaign", "tracking_data", Entity::Lead),
    field(1_138_203, Some("UTM_CONTENT"), "utm_content", "utm_content", "tracking_data", Entity::Lead),
    field(1_138_204, Some("UTM_TERM"), "utm_term", "utm_term", "tracking_data", Entity::Lead),
    field(1_138_205, Some("REFERRER"), "referrer", "referrer", "tracking_data", Entity::Lead),
    field(1_138_206, Some("GCLID"), "gclid", "gclid", "tracking_data", Entity::Lead),
    field(1_138_207, Some("FBCLID"), "fbclid", "fbclid", "tracking_data", Entity::Lead),
    field(1_138_210, None, "Комментарий", "Comment", "textarea", Entity::Lead),
];

pub(crate) fn field_by_id(entity: Entity, id: u64) -> Option<&'static FieldDef> {
    FIELDS.iter().find(|f| f.entity == entity && f.id == id)
}

pub(crate) fn field_by_code(entity: Entity, code: &str) -> Option<&'static FieldDef> {
    FIELDS
        .iter()
        .find(|f| f.entity == entity && f.code.is_some_and(|c| c.eq_ignore_ascii_case(code)))
}

fn pick(name: (&'static str, &'static str), ru: bool) -> &'static str {
    if ru {
        name.0
    } else {
        name.1
    }
}

pub(crate) fn field_name(f: &FieldDef, ru: bool) -> &'static str {
    pick(f.name, ru)
}

/// `GET /api/v4/leads/pipelines` item.
pub(crate) fn pipeline_json(p: &Pipeline, account_id: u64, base: &str, ru: bool) -> Value {
    let url = format!("{base}/api/v4/leads/pipelines/{}", p.id);
    let statuses: Vec<Value> = p
        .stages
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "name": pick(s.name, ru),
                "sort": s.sort,
                "is_editable": s.editable,
                "pipeline_id": p.id,
                "color": s.color,
                "type": s.kind,
                "account_id": account_id,
                "_links": {"self": {"href": format!("{url}/statuses/{}", s.id)}},
            })
        })
        .collect();
    json!({
        "id": p.id,
        "name": pick(p.name, ru),
        "sort": 1,
        "is_main": p.is_main,
        "is_unsorted_on": true,
        "is_archive": false,
        "account_id": account_id,
        "_links": {"self": {"href": url}},
        "_embedded": {"statuses": statuses},
    })
}
