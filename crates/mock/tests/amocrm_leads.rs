//! amoCRM API v4: leads (complex, plain, update, list, read), contacts, notes, pipelines.

mod amo;

use amo::*;
use serde_json::{json, Value};

const PIPELINE: u64 = 7_155_526;
const FIRST_STAGE: u64 = 61_234_501;
const INCOMING_STAGE: u64 = 61_234_500;

#[tokio::test]
async fn complex_creates_lead_contact_and_company() {
    let s = session(json!({})).await;
    let url = &s.url;
    let r = s
        .post(
            "/api/v4/leads/complex",
            json!([
                {
                    "name": "Заявка с сайта example.uz",
                    "price": 150000,
                    "_embedded": {
                        "tags": [{"name": "website"}],
                        "contacts": [{
                            "first_name": "Ali",
                            "last_name": "Valiyev",
                            "custom_fields_values": [
                                {"field_code": "PHONE", "values": [{"enum_code": "WORK", "value": "+998901234567"}]},
                                {"field_code": "EMAIL", "values": [{"value": "ali@example.uz"}]}
                            ]
                        }],
                        "companies": [{"name": "Example LLC"}]
                    }
                },
                {
                    "request_id": "form-2",
                    "pipeline_id": PIPELINE,
                    "custom_fields_values": [{"field_code": "UTM_SOURCE", "values": [{"value": "google"}]}],
                    "_embedded": {"metadata": {"category": "forms", "form_id": 1, "form_name": "Форма"}}
                }
            ]),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.content_type, "application/hal+json");
    let out = r.json.as_array().expect("a top-level array, not HAL");
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["request_id"], json!(["0"]));
    assert_eq!(out[1]["request_id"], json!(["form-2"]));
    assert_eq!(out[0]["merged"], false);
    assert!(out[0]["contact_id"].is_u64() && out[0]["company_id"].is_u64());
    assert_eq!(out[1]["contact_id"], Value::Null);
    assert_eq!(out[1]["company_id"], Value::Null);

    let leads = s.sb.amocrm_leads();
    let first = &leads[0];
    assert_eq!(first["id"], out[0]["id"]);
    assert_eq!(first["name"], "Заявка с сайта example.uz");
    assert_eq!(first["price"], 150000);
    assert_eq!(first["pipeline_id"], PIPELINE);
    assert_eq!(first["status_id"], FIRST_STAGE);
    assert_eq!(first["_embedded"]["tags"][0]["name"], "website");
    let contact = &first["_embedded"]["contacts"][0];
    assert_eq!(contact["id"], out[0]["contact_id"]);
    assert_eq!(contact["name"], "Ali Valiyev");
    let phone = &contact["custom_fields_values"][0];
    assert_eq!(phone["field_code"], "PHONE");
    assert_eq!(phone["field_type"], "multitext");
    assert_eq!(phone["values"][0]["value"], "+998901234567");
    assert_eq!(phone["values"][0]["enum_code"], "WORK");
    assert_eq!(
        contact["custom_fields_values"][1]["values"][0]["enum_code"],
        "WORK"
    );
    assert_eq!(first["_embedded"]["companies"][0]["name"], "Example LLC");
    // An incoming lead (form metadata) lands in the incoming stage and is named by id.
    let second = &leads[1];
    assert_eq!(second["status_id"], INCOMING_STAGE);
    assert_eq!(
        second["name"],
        format!("Сделка #{}", out[1]["id"].as_u64().unwrap())
    );
    assert_eq!(
        second["custom_fields_values"][0]["values"][0]["value"],
        "google"
    );

    let stats = s.sb.stats()["amocrm"].clone();
    assert_eq!(stats["leadsCreated"], 2);
    assert_eq!(stats["contactsCreated"], 1);
    assert_eq!(stats["companiesCreated"], 1);

    let http = reply(
        s.c.get(format!("{url}/__sandbox/amocrm/leads"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(http.json, leads);
    s.sb.close().await;
}

#[tokio::test]
async fn complex_validation_errors_store_nothing() {
    let s = session(json!({})).await;
    let r = s
        .post(
            "/api/v4/leads/complex",
            json!([
                {"name": "ok"},
                {
                    "pipeline_id": PIPELINE,
                    "status_id": 999,
                    "custom_fields_values": [{"field_id": 12345, "values": [{"value": "x"}]}]
                }
            ]),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.content_type, "application/problem+json");
    assert_eq!(
        r.text,
        r#"{"validation-errors":[{"request_id":"1","errors":[{"code":"NotSupportedChoice","path":"custom_fields_values.0.field_id","detail":"The value you selected is not a valid choice."},{"code":"InvalidType","path":"status_id","detail":"This value should be of type array."}]}],"title":"Bad Request","type":"https://httpstatus.es/400","status":400,"detail":"Request validation failed"}"#
    );

    let nested = s
        .post(
            "/api/v4/leads/complex",
            json!([{
                "pipeline_id": 1,
                "price": "cheap",
                "_embedded": {"contacts": [{"custom_fields_values": [{"field_code": "PHONE", "values": [{"value": ""}]}]}]}
            }]),
        )
        .await;
    assert_eq!(nested.status, 400);
    let errors = &nested.json["validation-errors"][0]["errors"];
    let paths: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "price",
            "_embedded.contacts.0.custom_fields_values.0.values.0.value",
            "pipeline_id"
        ]
    );

    let too_many: Vec<Value> = (0..51).map(|i| json!({"name": format!("L{i}")})).collect();
    let r = s.post("/api/v4/leads/complex", json!(too_many)).await;
    assert_eq!(r.status, 422);
    assert_eq!(r.json["title"], "Unprocessable Entity");

    assert_eq!(s.sb.amocrm_leads(), json!([]));
    assert_eq!(s.sb.stats()["amocrm"]["validationErrors"], 2);
    s.sb.close().await;
}

#[tokio::test]
async fn empty_bodies_are_refused() {
    let s = session(json!({})).await;
    let url = &s.url;
    let empty = json!({
        "title": "Bad Request",
        "type": "https://httpstatus.es/400",
        "status": 400,
        "detail": "Request data can not be empty",
    });
    for body in ["", "[]", "{}", "not json"] {
        let r = reply(
            s.c.post(format!("{url}/api/v4/leads"))
                .bearer_auth(&s.t.access)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!((r.status.as_u16(), &r.json), (400, &empty), "body {body:?}");
    }
    s.sb.close().await;
}

#[tokio::test]
async fn leads_create_read_and_update() {
    let s = session(json!({})).await;
    let url = &s.url;
    let contact = s
        .post(
            "/api/v4/contacts",
            json!([{"name": "Dilnoza", "custom_fields_values": [{"field_code": "PHONE", "values": [{"value": "998901112233", "enum_code": "MOB"}]}]}]),
        )
        .await;
    assert_eq!(contact.status, 200, "{}", contact.text);
    let contact_id = contact.json["_embedded"]["contacts"][0]["id"]
        .as_u64()
        .unwrap();
    assert_eq!(contact.json["_embedded"]["contacts"][0]["request_id"], "0");
    assert_eq!(
        contact.json["_embedded"]["contacts"][0]["is_deleted"],
        false
    );

    let created = s
        .post(
            "/api/v4/leads",
            json!([{"name": "Deal", "price": 10, "request_id": "r1",
                    "_embedded": {"contacts": [{"id": contact_id, "is_main": true}], "tags": [{"name": "vip"}]}}]),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let lead = &created.json["_embedded"]["leads"][0];
    assert_eq!(lead["request_id"], "r1");
    let id = lead["id"].as_u64().unwrap();
    assert_eq!(
        lead["_links"]["self"]["href"],
        format!("{url}/api/v4/leads/{id}")
    );

    let read = s.get(&format!("/api/v4/leads/{id}?with=contacts")).await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json["name"], "Deal");
    assert_eq!(read.json["status_id"], FIRST_STAGE);
    assert_eq!(read.json["custom_fields_values"], Value::Null);
    assert_eq!(read.json["_embedded"]["contacts"][0]["id"], contact_id);
    assert_eq!(read.json["_embedded"]["contacts"][0]["is_main"], true);
    assert_eq!(read.json["_embedded"]["tags"][0]["name"], "vip");
    assert_eq!(
        read.json["_links"]["self"]["href"],
        format!("{url}/api/v4/leads/{id}?with=contacts")
    );

    let missing = s.get("/api/v4/leads/1").await;
    assert_eq!(missing.status, 204);
    assert!(missing.text.is_empty());

    let won = s
        .patch(
            &format!("/api/v4/leads/{id}"),
            json!({"status_id": 142, "price": 20}),
        )
        .await;
    assert_eq!(won.status, 200, "{}", won.text);
    assert_eq!(won.json["id"], id);
    let after = s.get(&format!("/api/v4/leads/{id}")).await;
    assert_eq!(after.json["status_id"], 142);
    assert_eq!(after.json["price"], 20);
    assert!(after.json["closed_at"].is_u64());

    let batch = s
        .patch(
            "/api/v4/leads",
            json!([{"id": id, "name": "Renamed", "status_id": FIRST_STAGE}]),
        )
        .await;
    assert_eq!(batch.status, 200, "{}", batch.text);
    assert_eq!(batch.json["_embedded"]["leads"][0]["id"], id);
    assert!(batch.json["_embedded"]["leads"][0]["updated_at"].is_u64());
    let after = s.get(&format!("/api/v4/leads/{id}")).await;
    assert_eq!(after.json["name"], "Renamed");
    assert_eq!(after.json["closed_at"], Value::Null);

    let unknown = s
        .patch("/api/v4/leads", json!([{"id": 1, "name": "x"}]))
        .await;
    assert_eq!(unknown.status, 400);
    assert_eq!(
        unknown.json["validation-errors"][0]["errors"][0]["path"],
        "id"
    );
    let stats = s.sb.stats()["amocrm"].clone();
    assert_eq!(stats["leadsCreated"], 1);
    assert_eq!(stats["leadsUpdated"], 2);
    assert_eq!(stats["contactsCreated"], 1);
    s.sb.close().await;
}

#[tokio::test]
async fn pagination_ends_with_204_and_limit_is_capped() {
    let s = session(json!({})).await;
    let url = &s.url;
    let leads: Vec<Value> = (0..100)
        .map(|i| json!({"name": if i % 10 == 0 { format!("Sayt {i}") } else { format!("Lead {i}") }}))
        .collect();
    let r = s.post("/api/v4/leads", json!(leads)).await;
    assert_eq!(r.status, 200);

    let mut next = Some(format!("{url}/api/v4/leads?limit=50"));
    let mut seen = 0;
    let mut pages = 0;
    while let Some(href) = next {
        let r = reply(
            s.c.get(&href)
                .bearer_auth(&s.t.access)
                .send()
                .await
                .unwrap(),
        )
        .await;
        if r.status == 204 {
            assert!(r.text.is_empty());
            break;
        }
        assert_eq!(r.status, 200);
        pages += 1;
        assert_eq!(r.json["_page"], pages);
        seen += r.json["_embedded"]["leads"].as_array().unwrap().len();
        next = r.json["_links"]["next"]["href"].as_str().map(str::to_owned);
    }
    // Two full pages, each with `next`; following the second's gives the 204.
    assert_eq!((pages, seen), (2, 100));

    let searched = s.get("/api/v4/leads?query=sayt").await;
    assert_eq!(
        searched.json["_embedded"]["leads"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert!(searched.json["_links"].get("next").is_none());
    let nothing = s.get("/api/v4/leads?query=nomatch").await;
    assert_eq!(nothing.status, 204);

    let over = s.get("/api/v4/leads?limit=251").await;
    assert_eq!(over.status, 422);
    assert_eq!(
        over.json,
        json!({"title": "Unprocessable Entity", "type": "https://httpstatus.es/422", "status": 422, "detail": "Limit 250 per page"})
    );
    let page = s.get("/api/v4/leads?limit=250&page=1&order[id]=desc").await;
    let items = page.json["_embedded"]["leads"].as_array().unwrap();
    assert_eq!(items.len(), 100);
    assert!(items[0]["id"].as_u64() > items[99]["id"].as_u64());
    assert!(page.json["_links"].get("next").is_none());
    s.sb.close().await;
}

#[tokio::test]
async fn notes_on_leads() {
    let s = session(json!({})).await;
    let r = s
        .post("/api/v4/leads", json!([{"name": "With notes"}]))
        .await;
    let id = r.json["_embedded"]["leads"][0]["id"].as_u64().unwrap();

    let one = s
        .post(
            &format!("/api/v4/leads/{id}/notes"),
            json!([{"note_type": "common", "params": {"text": "Called back"}}]),
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json["_embedded"]["notes"][0]["entity_id"], id);
    assert_eq!(one.json["_embedded"]["notes"][0]["request_id"], "0");

    let many = s
        .post(
            "/api/v4/leads/notes",
            json!([{"entity_id": id, "note_type": "service_message", "params": {"service": "uzgate", "text": "SMS sent"}, "request_id": "n2"}]),
        )
        .await;
    assert_eq!(many.status, 200, "{}", many.text);

    let bad = s
        .post(
            "/api/v4/leads/notes",
            json!([{"entity_id": 1, "note_type": "common", "params": {"text": "x"}},
               {"entity_id": id, "note_type": "common", "params": {}}]),
        )
        .await;
    assert_eq!(bad.status, 400);
    let items = &bad.json["validation-errors"];
    assert_eq!(items[0]["errors"][0]["path"], "entity_id");
    assert_eq!(items[0]["errors"][0]["code"], "NotSupportedChoice");
    assert_eq!(items[1]["errors"][0]["path"], "params.text");
    assert_eq!(items[1]["errors"][0]["code"], "NotBlank");

    let notes = &s.sb.amocrm_leads()[0]["_embedded"]["notes"];
    assert_eq!(notes.as_array().unwrap().len(), 2);
    assert_eq!(notes[0]["params"]["text"], "Called back");
    assert_eq!(s.sb.stats()["amocrm"]["notesCreated"], 2);
    s.sb.close().await;
}

#[tokio::test]
async fn account_pipelines_and_unknown_routes() {
    let s = session(json!({"accountName": "Shop"})).await;
    let url = &s.url;
    let account = s.get("/api/v4/account?with=amojo_id,version").await;
    assert_eq!(account.json["name"], "Shop");
    assert!(account.json["amojo_id"].is_string());
    assert_eq!(
        account.json["_links"]["self"]["href"],
        format!("{url}/api/v4/account")
    );

    let pipelines = s.get("/api/v4/leads/pipelines").await;
    assert_eq!(pipelines.status, 200);
    let main = &pipelines.json["_embedded"]["pipelines"][0];
    assert_eq!(main["id"], PIPELINE);
    assert_eq!(main["is_main"], true);
    let stages: Vec<u64> = main["_embedded"]["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_u64().unwrap())
        .collect();
    assert!(stages.contains(&142) && stages.contains(&143) && stages.contains(&FIRST_STAGE));

    let unknown = s.get("/api/v4/widgets/x").await;
    assert_eq!(unknown.status, 404);
    assert_eq!(
        unknown.json["detail"],
        format!("Cannot GET {url}/api/v4/widgets/x")
    );
    let wrong_method = s.get("/api/v4/leads/complex").await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.json["detail"], "Method Not Allowed");
    s.sb.close().await;
}
