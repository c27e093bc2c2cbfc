//! Live MySQL and MariaDB.

use super::SchemaOptions;
use super::error::SchemaError;
use super::model::Model;
use super::source::ServerUrl;
use crate::transport::Transport;

/// Reads the schema of the database at `url`.
pub(crate) fn read(
    _url: &ServerUrl,
    shown: &str,
    _transport: &dyn Transport,
    _options: &SchemaOptions,
) -> Result<(Model, Vec<SchemaError>), SchemaError> {
    Err(SchemaError::Unsupported {
        source_name: shown.to_owned(),
        message: "not yet".into(),
    })
}
