pub async fn handler() -> String {
    let cfg = config::Config::builder().build().unwrap();
    let _ = cfg;
    std::fs::read_to_string("/etc/hosts").unwrap()
}
