//! `custom_fields_values`: checked against the account's fields and turned into the form
//! responses show (`field_id`, `field_name`, `field_code`, `field_type`, `values`).
//!
//! A field is named by `field_id` or `field_code`. PHONE and EMAIL are multitext fields of
//! contacts and companies; their values carry `enum_code` (any code is accepted, as clients
//! meet more codes than the docs list) or `enum_id` (must be one of the field's).

use serde_json::{json, Map, Value};

use super::catalog::{self, Entity, FieldDef};
use super::validation::Violations;
use crate::fields::value_str;

/// Checks `value` (the `custom_fields_values` member of an item). An item with an empty
/// `values` list is kept: on update it clears the field.
pub(crate) fn parse(value: &Value, entity: Entity, ru: bool, v: &mut Violations) -> Vec<Value> {
    let list = match value {
        Value::Null => return Vec::new(),
        Value::Array(list) => list,
        _ => {
            v.invalid_type("custom_fields_values", "array");
            return Vec::new();
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (i, item) in list.iter().enumerate() {
        let parsed = v.nested(&format!("custom_fields_values.{i}"), |v| {
            let Value::Object(item) = item else {
                v.invalid_type("", "array");
                return None;
            };
            let def = definition(item, entity, v)?;
            let values = values(item.get("values"), def, v)?;
            Some(json!({
                "field_id": def.id,
                "field_name": catalog::field_name(def, ru),
                "field_code": def.code,
                "field_type": def.kind,
                "values": values,
            }))
        });
        out.extend(parsed);
    }
    out
}

fn definition(
    item: &Map<String, Value>,
    entity: Entity,
    v: &mut Violations,
) -> Option<&'static FieldDef> {
    if let Some(id) = item.get("field_id").filter(|x| !x.is_null()) {
        let Some(id) = id.as_u64() else {
            v.invalid_type("field_id", "int");
            return None;
        };
        let def = catalog::field_by_id(entity, id);
        if def.is_none() {
            v.not_a_choice("field_id");
        }
        return def;
    }
    if let Some(code) = item.get("field_code").filter(|x| !x.is_null()) {
        let Some(code) = code.as_str() else {
            v.invalid_type("field_code", "string");
            return None;
        };
        let def = catalog::field_by_code(entity, code);
        if def.is_none() {
            v.not_a_choice("field_code");
        }
        return def;
    }
    v.blank("field_id");
    None
}

fn values(values: Option<&Value>, def: &FieldDef, v: &mut Violations) -> Option<Vec<Value>> {
    let list = match values {
        None | Some(Value::Null) => {
            v.blank("values");
            return None;
        }
        Some(Value::Array(list)) => list,
        Some(_) => {
            v.invalid_type("values", "array");
            return None;
        }
    };
    let mut out = Vec::with_capacity(list.len());
    for (j, entry) in list.iter().enumerate() {
        let checked = v.nested(&format!("values.{j}"), |v| one_value(entry, def, v));
        out.extend(checked);
    }
    Some(out)
}

fn one_value(entry: &Value, def: &FieldDef, v: &mut Violations) -> Option<Value> {
    let Value::Object(entry) = entry else {
        v.invalid_type("", "array");
        return None;
    };
    let text = match entry.get("value") {
        Some(x @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
            value_str(x).map(|t| t.trim().to_owned())
        }
        Some(Value::Null) | None => None,
        Some(_) => {
            v.invalid_type("value", "string");
            return None;
        }
    };
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        v.blank("value");
        return None;
    };
    if !def.is_multitext() {
        return Some(json!({"value": text}));
    }
    if let Some(id) = entry.get("enum_id").filter(|x| !x.is_null()) {
        let known = id
            .as_u64()
            .and_then(|id| def.enums.iter().find(|(e, _)| *e == id));
        return match known {
            Some((id, code)) => Some(json!({"value": text, "enum_id": id, "enum_code": code})),
            None => {
                v.not_a_choice("enum_id");
                None
            }
        };
    }
    let code = match entry.get("enum_code") {
        None | Some(Value::Null) => "WORK".to_owned(),
        Some(Value::String(c)) => c.to_ascii_uppercase(),
        Some(_) => {
            v.invalid_type("enum_code", "string");
            return None;
        }
    };
    let id = def
        .enums
        .iter()
        .find(|(_, c)| *c == code)
        .map(|(id, _)| *id);
    Some(json!({"value": text, "enum_id": id, "enum_code": code}))
}

/// Applies an update: each given field replaces the stored one; an empty `values` clears it.
pub(crate) fn merge(stored: &mut Vec<Value>, update: Vec<Value>) {
    for field in update {
        stored.retain(|f| f["field_id"] != field["field_id"]);
        if field["values"].as_array().is_some_and(|v| !v.is_empty()) {
            stored.push(field);
        }
    }
}

/// For creation: fields without values are left out.
pub(crate) fn non_empty(fields: Vec<Value>) -> Vec<Value> {
    let mut out = Vec::new();
    merge(&mut out, fields);
    out
}

/// The field's values as plain text (search, tests).
pub(crate) fn texts(fields: &[Value]) -> impl Iterator<Item = &str> {
    fields
        .iter()
        .filter_map(|f| f["values"].as_array())
        .flatten()
        .filter_map(|v| v["value"].as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(entity: Entity, value: Value) -> (Vec<Value>, Violations) {
        let mut v = Violations::new();
        let out = parse(&value, entity, true, &mut v);
        (out, v)
    }

    #[test]
    fn phone_by_code_gets_the_enum() {
        let (out, v) = check(
            Entity::Contact,
            json!([{"field_code": "PHONE", "values": [{"value": "+998901234567", "enum_code": "MOB"}]}]),
        );
        assert!(v.is_empty());
        assert_eq!(out[0]["field_id"], 1_138_181);
        assert_eq!(out[0]["field_type"], "multitext");
        assert_eq!(out[0]["values"][0]["enum_id"], 2_345_603);
    }

    #[test]
    fn unknown_field_and_blank_value_are_reported() {
        let (_, v) = check(
            Entity::Lead,
            json!([{"field_id": 1, "values": [{"value": "x"}]}, {"field_code": "UTM_SOURCE", "values": [{"value": ""}]}]),
        );
        let errors = v.errors();
        assert_eq!(errors[0].path, "custom_fields_values.0.field_id");
        assert_eq!(errors[0].code, "NotSupportedChoice");
        assert_eq!(errors[1].path, "custom_fields_values.1.values.0.value");
    }

    #[test]
    fn phone_is_not_a_lead_field() {
        let (_, v) = check(
            Entity::Lead,
            json!([{"field_code": "PHONE", "values": [{"value": "1"}]}]),
        );
        assert!(!v.is_empty());
    }

    #[test]
    fn merge_replaces_and_clears() {
        let mut stored = vec![json!({"field_id": 1, "values": [{"value": "a"}]})];
        merge(
            &mut stored,
            vec![json!({"field_id": 2, "values": [{"value": "b"}]})],
        );
        merge(&mut stored, vec![json!({"field_id": 1, "values": []})]);
        assert_eq!(
            stored,
            vec![json!({"field_id": 2, "values": [{"value": "b"}]})]
        );
    }
}
