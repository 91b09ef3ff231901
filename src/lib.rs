//! idlint: finds identity misconfiguration in Azure infrastructure-as-code.
//!
//! The pipeline reads in one direction: [`discover`] → parse and lower per front end
//! ([`terraform`], [`arm`]) into one [`model`] → [`rules`] → [`suppress`] → [`report`].

pub mod arm;
pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod data;
pub mod diagnostic;
pub mod discover;
pub mod frontend;
pub mod isolate;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod span;
pub mod suppress;
pub mod terraform;
