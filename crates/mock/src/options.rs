//! Options: the JSON given to `Sandbox::start` and `Sandbox::configure`.
//!
//! Each provider keeps its options in a typed struct with defaults and no unknown fields.
//! A run-time patch is merged key by key into the current options and re-validated as a
//! whole, so a bad patch changes nothing and an unknown key is an error, not a no-op.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// Top-level keys accepted at start. `configure` accepts the provider sections only.
pub(crate) struct StartOptions {
    pub port: u16,
    pub eskiz: Option<Value>,
    pub amocrm: Option<Value>,
    pub twilio: Option<Value>,
    pub playmobile: Option<Value>,
    pub telegram: Option<Value>,
    pub faults: Vec<Value>,
}

impl StartOptions {
    pub(crate) fn parse(options: Value) -> Result<StartOptions, String> {
        let map = match options {
            Value::Null => Map::new(),
            Value::Object(m) => m,
            _ => return Err("options must be a JSON object".into()),
        };
        let mut out = StartOptions {
            port: 0,
            eskiz: None,
            amocrm: None,
            twilio: None,
            playmobile: None,
            telegram: None,
            faults: Vec::new(),
        };
        for (key, value) in map {
            match key.as_str() {
                "port" => {
                    out.port = match &value {
                        Value::Null => 0,
                        v => v
                            .as_u64()
                            .and_then(|p| u16::try_from(p).ok())
                            .ok_or("port must be an integer within 0..=65535")?,
                    }
                }
                "eskiz" => out.eskiz = Some(value),
                "amocrm" => out.amocrm = Some(value),
                "twilio" => out.twilio = Some(value),
                "playmobile" => out.playmobile = Some(value),
                "telegram" => out.telegram = Some(value),
                "faults" => match value {
                    Value::Array(list) => out.faults = list,
                    Value::Null => {}
                    _ => return Err("faults must be an array".into()),
                },
                other => return Err(format!("unknown option `{other}`")),
            }
        }
        Ok(out)
    }
}

/// Returns `current` with the keys of `patch` replaced, validated as a whole.
pub(crate) fn merge<T: Serialize + DeserializeOwned>(
    current: &T,
    patch: &Map<String, Value>,
    section: &str,
) -> Result<T, String> {
    let mut value = serde_json::to_value(current).map_err(|e| e.to_string())?;
    let object = value
        .as_object_mut()
        .ok_or("options section is not an object")?;
    for (k, v) in patch {
        object.insert(k.clone(), v.clone());
    }
    serde_json::from_value(value).map_err(|e| format!("{section}: {e}"))
}

pub(crate) fn as_object<'a>(
    value: &'a Value,
    section: &str,
) -> Result<&'a Map<String, Value>, String> {
    value
        .as_object()
        .ok_or_else(|| format!("{section} options must be a JSON object"))
}
