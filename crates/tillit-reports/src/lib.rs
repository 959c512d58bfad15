//! Tillit's file formats, kept in a crate of their own because their dependencies are heavy.
//! Bytes in, bytes out: no files, no network, no async.
//!
//! - [`table`]: reading a register from XLSX or CSV into a [`table::Table`], and writing one.

pub mod table;

pub use table::{Format, Table, TableError, read_table, write_csv, write_xlsx};
