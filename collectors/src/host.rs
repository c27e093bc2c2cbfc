//! Host resources.
