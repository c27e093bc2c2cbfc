//! Transport errors.

use std::path::PathBuf;

use drift_core::ErrorKind;

/// Why a transport operation failed. Messages name the path or target and,
/// where it helps, what to do; they never hold a password.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The path does not exist.
    #[error("`{}` does not exist", path.display())]
    NotFound {
        /// The path.
        path: PathBuf,
    },
    /// Permission denied.
    #[error("permission denied reading `{}`", path.display())]
    PermissionDenied {
        /// The path.
        path: PathBuf,
    },
    /// A directory was expected.
    #[error("`{}` is not a directory", path.display())]
    NotADirectory {
        /// The path.
        path: PathBuf,
    },
    /// The file is larger than the limit.
    #[error("`{}` is {size} bytes, over the {limit}-byte limit; it was not read (raise `max_file_size` to read it)", path.display())]
    TooLarge {
        /// The path.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A walk or read limit.
    #[error("`{}`: {message}", path.display())]
    Limit {
        /// Where.
        path: PathBuf,
        /// What limit.
        message: String,
    },
    /// Not a regular file where one is expected: a FIFO, socket, device
    /// or directory, or a file of `/proc`, `/sys` or `/dev`.
    #[error("`{}` is {what}; {hint}", path.display())]
    Special {
        /// The path, as given.
        path: PathBuf,
        /// What it is (`a FIFO`, `under /proc`).
        what: String,
        /// What to do instead.
        hint: String,
    },
    /// Another I/O error on a path.
    #[error("failed to read `{}`: {message}", path.display())]
    Io {
        /// The path.
        path: PathBuf,
        /// The OS's message.
        message: String,
    },
    /// The target could not be reached.
    #[error("cannot connect to `{target}`: {message}")]
    Connect {
        /// The target.
        target: String,
        /// Why.
        message: String,
    },
    /// Authentication or host key verification failed.
    #[error("cannot log in to `{target}`: {message}")]
    Auth {
        /// The target.
        target: String,
        /// Why, and what to do.
        message: String,
    },
    /// An operation timed out.
    #[error("`{target}`: {operation} timed out after {seconds} s")]
    Timeout {
        /// The target.
        target: String,
        /// What timed out.
        operation: String,
        /// After how long.
        seconds: u64,
    },
    /// An allow-listed command could not be run or failed.
    #[error("`{command}` failed: {message}")]
    Command {
        /// The command line.
        command: String,
        /// Why (exit status, not found).
        message: String,
    },
    /// The transport cannot do this.
    #[error("{0}")]
    Unsupported(String),
}

impl TransportError {
    /// The collection error class this maps to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TransportError::NotFound { .. } | TransportError::NotADirectory { .. } => {
                ErrorKind::Read
            }
            TransportError::Io { .. }
            | TransportError::Command { .. }
            | TransportError::Special { .. } => ErrorKind::Read,
            TransportError::PermissionDenied { .. } => ErrorKind::Permission,
            TransportError::TooLarge { .. } | TransportError::Limit { .. } => ErrorKind::Limit,
            TransportError::Connect { .. } => ErrorKind::Connect,
            TransportError::Auth { .. } => ErrorKind::Auth,
            TransportError::Timeout { .. } => ErrorKind::Timeout,
            TransportError::Unsupported(_) => ErrorKind::Unsupported,
        }
    }

    /// The path or target the error is about, for a collection error's
    /// `source`.
    pub fn source_name(&self) -> String {
        match self {
            TransportError::NotFound { path }
            | TransportError::PermissionDenied { path }
            | TransportError::NotADirectory { path }
            | TransportError::TooLarge { path, .. }
            | TransportError::Limit { path, .. }
            | TransportError::Special { path, .. }
            | TransportError::Io { path, .. } => path.display().to_string(),
            TransportError::Connect { target, .. }
            | TransportError::Auth { target, .. }
            | TransportError::Timeout { target, .. } => target.clone(),
            TransportError::Command { command, .. } => command.clone(),
            TransportError::Unsupported(_) => String::new(),
        }
    }

    /// Maps an `io::Error` on `path`.
    pub fn from_io(path: &std::path::Path, e: &std::io::Error) -> TransportError {
        let path = path.to_path_buf();
        match e.kind() {
            std::io::ErrorKind::NotFound => TransportError::NotFound { path },
            std::io::ErrorKind::PermissionDenied => TransportError::PermissionDenied { path },
            _ => TransportError::Io {
                path,
                message: e.to_string(),
            },
        }
    }

    /// The error of a walk of `root` that found more than `max` files.
    pub(crate) fn too_many_files(root: &std::path::Path, max: usize) -> TransportError {
        TransportError::Limit {
            path: root.to_path_buf(),
            message: format!("more than {max} files; the rest was not read"),
        }
    }

    /// As a collection error of `collector`.
    pub fn to_collection_error(&self, collector: &str) -> drift_core::CollectionError {
        drift_core::CollectionError::new(
            collector,
            self.source_name(),
            self.kind(),
            self.to_string(),
        )
    }
}
