//! Which providers a message goes through, chosen by the region of its (normalised) number:
//! the first route whose `to` is the number's ISO region, else the `'*'` route; its `via` is
//! tried in order. Checked when the client is built: regions are two capital letters or `'*'`,
//! each route names at least one provider and none twice, and no region has two routes.

use crate::error::{Error, Result};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// `UZ`, `KZ`…; `None` for `'*'` (every other region).
    pub region: Option<String>,
    /// Provider names (`eskiz`, `playmobile`, `twilio`, `console`), in the order tried.
    pub via: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Routes(Vec<Route>);

impl Routes {
    /// `routes` as `(to, via)`, checked; `known`: the providers the client has.
    pub fn new(routes: &[(String, Vec<String>)], known: &[&str]) -> Result<Self> {
        if routes.is_empty() {
            return Err(Error::config(
                "routing needs at least one route: [{ to: 'UZ', via: ['eskiz'] }, { to: '*', via: ['twilio'] }]",
            ));
        }
        let mut checked: Vec<Route> = Vec::new();
        for (i, (to, via)) in routes.iter().enumerate() {
            let region = match to.as_str() {
                "*" => None,
                r if r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()) => {
                    Some(r.to_string())
                }
                _ => {
                    return Err(Error::config(format!(
                        "routing[{i}].to must be an ISO region in capitals (UZ, KZ) or '*'"
                    )))
                }
            };
            if checked.iter().any(|r| r.region == region) {
                return Err(Error::config(format!(
                    "routing[{i}].to {to:?} has a route already"
                )));
            }
            if via.is_empty() {
                return Err(Error::config(format!("routing[{i}].via names no provider")));
            }
            for (j, name) in via.iter().enumerate() {
                if !known.contains(&name.as_str()) {
                    return Err(Error::config(format!(
                        "routing[{i}].via[{j}] {name:?} is not configured: the client has {}",
                        known.join(", ")
                    )));
                }
                if via[..j].contains(name) {
                    return Err(Error::config(format!(
                        "routing[{i}].via names {name:?} twice"
                    )));
                }
            }
            checked.push(Route {
                region,
                via: via.clone(),
            });
        }
        Ok(Routes(checked))
    }

    /// One route for everything: today's `provider` alone.
    pub fn single(provider: &str) -> Self {
        Routes(vec![Route {
            region: None,
            via: vec![provider.to_string()],
        }])
    }

    /// The providers for a number of `region` (`None`: unknown), or `None` when no route takes it.
    pub fn via(&self, region: Option<&str>) -> Option<&[String]> {
        let exact = region.and_then(|r| {
            self.0
                .iter()
                .find(|route| route.region.as_deref() == Some(r))
        });
        exact
            .or_else(|| self.0.iter().find(|route| route.region.is_none()))
            .map(|route| route.via.as_slice())
    }

    /// The regions of routes whose first provider is one of `local` (the Uzbek aggregators):
    /// where OTP may go without being allowed explicitly.
    pub fn regions_first_via(&self, local: &[&str]) -> Vec<String> {
        self.0
            .iter()
            .filter(|r| local.contains(&r.via[0].as_str()))
            .filter_map(|r| r.region.clone())
            .collect()
    }

    pub fn all(&self) -> &[Route] {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["eskiz", "playmobile", "twilio"];

    fn routes(spec: &[(&str, &[&str])]) -> Result<Routes> {
        let spec: Vec<(String, Vec<String>)> = spec
            .iter()
            .map(|(to, via)| (to.to_string(), via.iter().map(|v| v.to_string()).collect()))
            .collect();
        Routes::new(&spec, KNOWN)
    }

    #[test]
    fn a_region_takes_its_route_and_everything_else_the_star() {
        let r = routes(&[
            ("UZ", &["eskiz", "playmobile", "twilio"]),
            ("*", &["twilio"]),
        ])
        .unwrap();
        assert_eq!(
            r.via(Some("UZ")).unwrap(),
            ["eskiz", "playmobile", "twilio"]
        );
        assert_eq!(r.via(Some("KZ")).unwrap(), ["twilio"]);
        assert_eq!(r.via(None).unwrap(), ["twilio"]);
        assert_eq!(r.regions_first_via(&["eskiz", "playmobile"]), ["UZ"]);
        let uz_only = routes(&[("UZ", &["eskiz"])]).unwrap();
        assert_eq!(
            uz_only.via(Some("KZ")),
            None,
            "no route: the number is refused"
        );
    }

    #[test]
    fn mistakes_are_config_errors_naming_the_route() {
        for (spec, message) in [
            (vec![], "at least one route"),
            (
                vec![("uz", &["eskiz"][..])],
                "routing[0].to must be an ISO region",
            ),
            (vec![("UZ", &[][..])], "routing[0].via names no provider"),
            (
                vec![("UZ", &["sms.ru"][..])],
                "routing[0].via[0] \"sms.ru\" is not configured",
            ),
            (
                vec![("UZ", &["eskiz", "eskiz"][..])],
                "names \"eskiz\" twice",
            ),
            (
                vec![("*", &["twilio"][..]), ("*", &["eskiz"][..])],
                "routing[1].to \"*\" has a route already",
            ),
        ] {
            let e = routes(&spec).unwrap_err();
            assert!(e.message.contains(message), "{}", e.message);
        }
    }
}
