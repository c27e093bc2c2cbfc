//! Integration tests of drift-collectors, one module per area.

mod local;
