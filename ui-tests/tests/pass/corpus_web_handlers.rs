//! Corpus: axum-style handlers, with small local stand-ins for the extractors (`State`, `Json`,
//! `Path`, `Query`) and responses. Every handler compiles under the attribute and answers as it
//! would without it.

#![deny(warnings)]

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};

use aiocop_ui_tests::recorded;

struct State<T>(T);
struct Json<T>(T);
struct Path<T>(T);
struct Query<T>(T);

#[derive(Debug, PartialEq)]
enum StatusCode {
    Ok,
    Created,
    NotFound,
    BadRequest,
}

#[derive(Debug, PartialEq)]
struct Response {
    status: StatusCode,
    body: String,
}

impl Response {
    fn new(status: StatusCode, body: impl Into<String>) -> Self {
        Response {
            status,
            body: body.into(),
        }
    }
}

#[derive(Debug)]
enum ApiError {
    NotFound(String),
    Invalid(&'static str),
    Io(std::io::Error),
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::NotFound(what) => write!(f, "{what} not found"),
            ApiError::Invalid(why) => write!(f, "invalid request: {why}"),
            ApiError::Io(e) => write!(f, "io: {e}"),
        }
    }
}

impl From<std::io::Error> for ApiError {
    fn from(e: std::io::Error) -> Self {
        ApiError::Io(e)
    }
}

impl From<ApiError> for Response {
    fn from(e: ApiError) -> Self {
        let status = match e {
            ApiError::NotFound(_) => StatusCode::NotFound,
            _ => StatusCode::BadRequest,
        };
        Response::new(status, e.to_string())
    }
}

#[derive(Clone, Debug, PartialEq)]
struct User {
    id: u64,
    name: String,
}

#[derive(Default)]
struct AppState {
    users: RwLock<HashMap<u64, User>>,
    hits: Mutex<u64>,
    static_dir: std::path::PathBuf,
}

type Shared = Arc<AppState>;

#[aiocop::monitor]
async fn health() -> &'static str {
    "ok"
}

#[aiocop::monitor]
async fn get_user(
    State(state): State<Shared>,
    Path(id): Path<u64>,
) -> Result<Json<User>, ApiError> {
    *state.hits.lock().unwrap() += 1;
    let users = state.users.read().unwrap();
    let user = users
        .get(&id)
        .cloned()
        .ok_or_else(|| ApiError::NotFound(format!("user {id}")))?;
    Ok(Json(user))
}

#[aiocop::monitor]
async fn create_user(State(state): State<Shared>, Json(name): Json<String>) -> Response {
    if name.trim().is_empty() {
        return ApiError::Invalid("empty name").into();
    }
    let mut users = state.users.write().unwrap();
    let id = users.keys().max().map_or(1, |m| m + 1);
    users.insert(id, User { id, name });
    Response::new(StatusCode::Created, id.to_string())
}

#[aiocop::monitor]
async fn list_users(
    State(state): State<Shared>,
    Query(params): Query<HashMap<String, String>>,
) -> Json<Vec<User>> {
    let prefix = params.get("prefix").map(String::as_str).unwrap_or("");
    let limit: usize = params
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(10);
    let mut users: Vec<User> = state
        .users
        .read()
        .unwrap()
        .values()
        .filter(|u| u.name.starts_with(prefix))
        .cloned()
        .collect();
    users.sort_by_key(|u| u.id);
    users.truncate(limit);
    Json(users)
}

#[aiocop::monitor(name = "static_file", threshold_ms = 200)]
async fn serve_static(State(state): State<Shared>, Path(file): Path<String>) -> Response {
    if file.contains("..") {
        return Response::new(StatusCode::BadRequest, "no");
    }
    let path = state.static_dir.join(&file);
    // A blocking check before the async read: recorded.
    if !path.is_file() {
        return ApiError::NotFound(file).into();
    }
    match tokio::fs::read_to_string(&path).await {
        Ok(body) => Response::new(StatusCode::Ok, body),
        Err(e) => ApiError::from(e).into(),
    }
}

#[aiocop::monitor]
async fn upload(
    State(state): State<Shared>,
    Path(name): Path<String>,
    body: Vec<u8>,
) -> Result<Response, ApiError> {
    let target = state.static_dir.join(name);
    std::fs::write(&target, &body)?;
    let size = std::fs::metadata(&target)?.len();
    Ok(Response::new(StatusCode::Created, format!("{size} bytes")))
}

#[aiocop::monitor]
async fn hits(State(state): State<Shared>) -> String {
    let n = *state.hits.lock().unwrap();
    format!("{n} hits")
}

#[aiocop::monitor]
async fn echo_json<T: fmt::Debug + Send>(Json(value): Json<T>) -> String {
    format!("{value:?}")
}

#[aiocop::monitor]
async fn version() -> Json<HashMap<&'static str, &'static str>> {
    Json(HashMap::from([("name", "corpus"), ("version", "1.0")]))
}

pub(crate) fn main() {
    let dir = std::env::temp_dir().join(format!("aiocop-ui-web-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>hi</h1>").unwrap();
    let state: Shared = Arc::new(AppState {
        static_dir: dir.clone(),
        ..AppState::default()
    });

    let (_, ops) = recorded(async {
        assert_eq!(health().await, "ok");
        let created = create_user(State(state.clone()), Json("ada".to_owned())).await;
        assert_eq!(created, Response::new(StatusCode::Created, "1"));
        let rejected = create_user(State(state.clone()), Json(" ".to_owned())).await;
        assert_eq!(rejected.status, StatusCode::BadRequest);
        create_user(State(state.clone()), Json("alan".to_owned())).await;
        let Json(user) = get_user(State(state.clone()), Path(1)).await.unwrap();
        assert_eq!(user.name, "ada");
        assert!(matches!(
            get_user(State(state.clone()), Path(9)).await,
            Err(ApiError::NotFound(_))
        ));
        let query = HashMap::from([
            ("prefix".to_owned(), "a".to_owned()),
            ("limit".to_owned(), "1".to_owned()),
        ]);
        assert_eq!(
            list_users(State(state.clone()), Query(query)).await.0.len(),
            1
        );
        let page = serve_static(State(state.clone()), Path("index.html".to_owned())).await;
        assert_eq!(page, Response::new(StatusCode::Ok, "<h1>hi</h1>"));
        let missing = serve_static(State(state.clone()), Path("nope.html".to_owned())).await;
        assert_eq!(missing.status, StatusCode::NotFound);
        let up = upload(
            State(state.clone()),
            Path("u.bin".to_owned()),
            vec![1, 2, 3],
        )
        .await
        .unwrap();
        assert_eq!(up.body, "3 bytes");
        assert_eq!(hits(State(state.clone())).await, "2 hits");
        assert_eq!(echo_json(Json((1, "x"))).await, "(1, \"x\")");
        assert_eq!(version().await.0["name"], "corpus");
    });
    assert_eq!(
        ops,
        [
            "static_file: std::path::Path::is_file",
            "static_file: std::path::Path::is_file",
            "upload: std::fs::write",
            "upload: std::fs::metadata",
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
