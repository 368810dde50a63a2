//! Provider recipes: endpoints, bodies, how their errors and 401s look, how they refresh.

pub mod amocrm;
pub mod console;
pub mod eskiz;
pub mod playmobile;
pub mod twilio;
