//! Schema collection errors. Messages name the source (URL without its
//! password) and say what to do next; they never hold a password.

use drift_core::{CollectionError, ErrorKind};

use super::tls::TlsFailure;

/// Why a schema source could not be (fully) read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// The URL is not a database URL drift can read.
    #[error("invalid schema source `{url}`: {message}")]
    BadUrl {
        /// The URL, password hidden.
        url: String,
        /// What is wrong.
        message: String,
    },
    /// The server could not be reached.
    #[error("cannot connect to `{source_name}`: {message}")]
    Connect {
        /// The source.
        source_name: String,
        /// Why, and what to do.
        message: String,
    },
    /// A TLS connection could not be made as the source's mode asks: the
    /// check that failed, and what to do.
    #[error("cannot connect to `{source_name}` with TLS ({failure}): {message}")]
    Tls {
        /// The source.
        source_name: String,
        /// Which check failed.
        failure: TlsFailure,
        /// Why, and what to do.
        message: String,
    },
    /// The server refused the credentials.
    #[error("cannot log in to `{source_name}`: {message}")]
    Auth {
        /// The source.
        source_name: String,
        /// Why, and what to do.
        message: String,
    },
    /// A connection or query took longer than allowed.
    #[error("`{source_name}`: {what} timed out: {message}")]
    Timeout {
        /// The source.
        source_name: String,
        /// What timed out.
        what: String,
        /// The server's or driver's word.
        message: String,
    },
    /// The role may not read a catalog.
    #[error("`{source_name}`: permission denied reading {what}: {message}")]
    Permission {
        /// The source.
        source_name: String,
        /// What could not be read.
        what: String,
        /// The server's word, and what to grant.
        message: String,
    },
    /// A catalog query failed for another reason.
    #[error("`{source_name}`: failed to read {what}: {message}")]
    Query {
        /// The source.
        source_name: String,
        /// What was being read.
        what: String,
        /// The server's word.
        message: String,
    },
    /// A schema file or file could not be read.
    #[error("{message}")]
    Read {
        /// The path.
        source_name: String,
        /// Why.
        message: String,
        /// The class.
        kind: ErrorKind,
    },
    /// A statement of a schema file could not be used.
    #[error("`{source_name}` line {line}: {message}")]
    Parse {
        /// The file.
        source_name: String,
        /// The 1-based line of the statement.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// This build cannot read the source.
    #[error("`{source_name}`: {message}")]
    Unsupported {
        /// The source.
        source_name: String,
        /// What is missing.
        message: String,
    },
}

impl SchemaError {
    /// The collection error class.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SchemaError::BadUrl { .. } | SchemaError::Unsupported { .. } => ErrorKind::Unsupported,
            SchemaError::Connect { .. } => ErrorKind::Connect,
            SchemaError::Tls { failure, .. } => match failure {
                TlsFailure::CertificateFile => ErrorKind::Read,
                TlsFailure::ClientCertificateRefused => ErrorKind::Auth,
                _ => ErrorKind::Connect,
            },
            SchemaError::Auth { .. } => ErrorKind::Auth,
            SchemaError::Timeout { .. } => ErrorKind::Timeout,
            SchemaError::Permission { .. } => ErrorKind::Permission,
            SchemaError::Query { .. } => ErrorKind::Read,
            SchemaError::Read { kind, .. } => *kind,
            SchemaError::Parse { .. } => ErrorKind::Parse,
        }
    }

    /// The source the error is about.
    pub fn source_name(&self) -> &str {
        match self {
            SchemaError::BadUrl { url, .. } => url,
            SchemaError::Connect { source_name, .. }
            | SchemaError::Tls { source_name, .. }
            | SchemaError::Auth { source_name, .. }
            | SchemaError::Timeout { source_name, .. }
            | SchemaError::Permission { source_name, .. }
            | SchemaError::Query { source_name, .. }
            | SchemaError::Read { source_name, .. }
            | SchemaError::Parse { source_name, .. }
            | SchemaError::Unsupported { source_name, .. } => source_name,
        }
    }

    /// As a collection error of the `schema` collector (scrubbed).
    pub fn to_collection_error(&self) -> CollectionError {
        let e = CollectionError::new("schema", self.source_name(), self.kind(), self.to_string());
        match self {
            // The source and line are the collection error's own: not again
            // in its message.
            SchemaError::Parse { line, message, .. } => {
                CollectionError::new("schema", self.source_name(), self.kind(), message.clone())
                    .at_line(*line)
            }
            _ => e,
        }
    }
}
