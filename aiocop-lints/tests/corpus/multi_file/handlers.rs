mod users;

pub async fn index() -> usize {
    let settings = crate::Settings::load(); //~ BLOCKING handlers::index → Settings::load → config::read_file → std::fs::read_to_string
    settings.len() + users::list().await
}
