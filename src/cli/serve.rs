//! `qunce serve`: the live preview; blocks until the process is stopped.

use std::path::PathBuf;

use super::{OutputFormat, print_diags};

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Port to listen on; when it is taken, the next free one is used.
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Address to listen on (default: loopback only). 0.0.0.0 shares it on the network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    /// Include pages with draft = true.
    #[arg(long)]
    drafts: bool,
    /// Print how long each stage of every rebuild took.
    #[arg(long)]
    timings: bool,
}

pub(crate) fn run(root: PathBuf, format: OutputFormat, args: Args) -> i32 {
    let opts = qunce::serve::ServeOptions {
        root,
        drafts: args.drafts,
        bind: args.bind,
        port: args.port,
        quiet: false,
        timings: args.timings,
        lang: super::lang_flag(),
    };
    match qunce::serve::start(opts) {
        Err(d) => {
            print_diags(&d, format);
            2
        }
        Ok(mut server) => {
            server.catch_stop_signals();
            let url = server.url();
            eprintln!("{}", super::line("serving", &[("url", &url)]));
            if args.open {
                qunce::serve::open_browser(server.url());
            }
            server.wait();
            0
        }
    }
}
