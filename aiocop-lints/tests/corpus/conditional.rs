// Conditional chains: a blocking step that runs only when an optional input of its function
// is set is not a blocking call where the call's argument visibly leaves that input unset
// (`None`, `false`, or a value built by same-crate constructors and builder methods that leave
// it so). Where the argument's value is not evident, the chain is reported.
use std::path::PathBuf;

pub struct TlsConfig {
    roots: Option<String>,
    key_log: Option<PathBuf>,
}

impl TlsConfig {
    pub fn new() -> Self {
        TlsConfig {
            roots: None,
            key_log: None,
        }
    }

    pub fn with_roots(mut self, roots: &str) -> Self {
        self.roots = Some(roots.to_string());
        self
    }

    pub fn with_key_log(mut self, path: PathBuf) -> Self {
        self.key_log = Some(path);
        self
    }

    // Sets fields through another method: what it leaves is not evident.
    pub fn from_env(mut self) -> Self {
        self.enable_key_log();
        self
    }

    fn enable_key_log(&mut self) {
        self.key_log = Some(PathBuf::from("keys.log"));
    }
}

fn open_key_log(path: &PathBuf) -> std::fs::File {
    std::fs::File::create(path).unwrap() //~ OK
}

pub struct Credentials;

impl Credentials {
    pub fn new(config: TlsConfig) -> Credentials {
        Self::new_impl(config)
    }

    fn new_impl(config: TlsConfig) -> Credentials {
        if let Some(path) = config.key_log {
            let _log = open_key_log(&path); //~ OK
        }
        Credentials
    }
}

async fn without_key_log() {
    let config = TlsConfig::new().with_roots("ca.pem");
    let _c = Credentials::new(config); //~ OK (the builder leaves key_log None)
    let _d = Credentials::new(TlsConfig::new()); //~ OK (the constructor leaves key_log None)
}

async fn with_key_log() {
    let config = TlsConfig::new()
        .with_roots("ca.pem")
        .with_key_log(PathBuf::from("keys.log"));
    let _c = Credentials::new(config); //~ BLOCKING with_key_log → Credentials::new → Credentials::new_impl → open_key_log → std::fs::File::create
}

async fn config_from_caller(config: TlsConfig) {
    let _c = Credentials::new(config); //~ BLOCKING config_from_caller → Credentials::new → Credentials::new_impl → open_key_log → std::fs::File::create
}

async fn mutable_config() {
    let mut config = TlsConfig::new();
    config.key_log = Some(PathBuf::from("keys.log"));
    let _c = Credentials::new(config); //~ BLOCKING mutable_config → Credentials::new → Credentials::new_impl → open_key_log → std::fs::File::create
}

async fn config_through_a_method_call() {
    let config = TlsConfig::new().from_env();
    let _c = Credentials::new(config); //~ BLOCKING config_through_a_method_call → Credentials::new → Credentials::new_impl → open_key_log → std::fs::File::create
}

// A step to another type says nothing of that type's fields.
pub struct Session {
    key_log: Option<PathBuf>,
}

impl TlsConfig {
    pub fn session(self) -> Session {
        Session {
            key_log: Some(PathBuf::from("session.log")),
        }
    }
}

fn open_session(session: Session) {
    if let Some(path) = session.key_log {
        std::fs::File::create(path).ok(); //~ OK
    }
}

async fn session_from_config() {
    let session = TlsConfig::new().session();
    open_session(session); //~ BLOCKING session_from_config → open_session → std::fs::File::create
}

// An optional parameter matched on: `None` at the call leaves the read out.
fn load(path: Option<&str>) -> String {
    match path {
        Some(p) => std::fs::read_to_string(p).unwrap(), //~ OK
        None => String::new(),
    }
}

async fn default_settings() -> String {
    load(None) //~ OK
}

async fn given_settings() -> String {
    load(Some("app.toml")) //~ BLOCKING given_settings → load → std::fs::read_to_string
}

// A flag parameter, and a flag field.
fn log_line(verbose: bool, line: &str) {
    if verbose {
        std::fs::write("app.log", line).ok(); //~ OK
    }
}

async fn quiet() {
    log_line(false, "x"); //~ OK
}

async fn loud() {
    log_line(true, "x"); //~ BLOCKING loud → log_line → std::fs::write
}

pub struct Logger {
    verbose: bool,
}

impl Logger {
    pub fn new() -> Self {
        Logger { verbose: false }
    }

    pub fn verbose(mut self) -> Self {
        self.verbose = true;
        self
    }

    fn log(&self, line: &str) {
        if self.verbose {
            std::fs::write("app.log", line).ok(); //~ OK
        }
    }
}

async fn quiet_logger() {
    let logger = Logger::new();
    logger.log("x"); //~ OK
}

async fn verbose_logger() {
    let logger = Logger::new().verbose();
    logger.log("x"); //~ BLOCKING verbose_logger → Logger::log → std::fs::write
}

// A function that also blocks unconditionally blocks whatever its argument.
fn setup(config: TlsConfig) {
    std::fs::metadata("ca.pem").ok(); //~ OK
    if let Some(path) = config.key_log {
        std::fs::File::create(path).ok(); //~ OK
    }
}

async fn always() {
    setup(TlsConfig::new()); //~ BLOCKING always → setup → std::fs::metadata
}

// The `else` branch runs when the input is unset.
fn roots_or_default(config: TlsConfig) -> Vec<u8> {
    if let Some(roots) = config.roots {
        roots.into_bytes()
    } else {
        std::fs::read("default.pem").unwrap() //~ OK
    }
}

async fn default_roots() -> Vec<u8> {
    roots_or_default(TlsConfig::new()) //~ BLOCKING default_roots → roots_or_default → std::fs::read
}

// A condition on a value the function makes itself is not a condition on its input.
fn own_option() {
    let path = std::env::args().nth(1);
    if let Some(p) = path {
        std::fs::read(p).ok(); //~ OK
    }
}

async fn calls_own_option() {
    own_option(); //~ BLOCKING calls_own_option → own_option → std::fs::read
}

fn main() {}
