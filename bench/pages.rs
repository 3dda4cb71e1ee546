//! Page mode: each public page and JSON read is loaded by `wrk` at the chosen concurrency,
//! then the same bytes are served as a file by nginx (Debian's nginx-light, started here on
//! a loopback port with a configuration of our own) and loaded the same way, so the two
//! rates come from one machine in one run. `scripts/bench-setup.sh` installs both tools.

use std::path::Path;
use std::process::{Command, Stdio};

/// What wrk measured for one URL.
#[derive(Debug, Clone, Copy, Default)]
pub struct Load {
    pub rate: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// How long wrk ran, from its "N requests in T" line.
    pub seconds: f64,
    pub failures: u64,
}

/// Runs wrk against `url` for `seconds` at `concurrency` connections.
pub fn wrk(url: &str, concurrency: usize, seconds: u64) -> Load {
    parse_wrk(&wrk_output(url, concurrency, seconds, None))
}

/// wrk's standard output for a run, optionally driven by a Lua script.
pub fn wrk_output(url: &str, concurrency: usize, seconds: u64, script: Option<&Path>) -> String {
    let mut cmd = Command::new("wrk");
    cmd.args([
        "-t2",
        &format!("-c{concurrency}"),
        &format!("-d{seconds}s"),
        "--latency",
    ]);
    if let Some(script) = script {
        cmd.arg("-s").arg(script);
    }
    let out = cmd.arg(url).output().expect("wrk (run scripts/bench-setup.sh)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn parse_wrk(text: &str) -> Load {
    let mut load = Load::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("Requests/sec:"), Some(v)) => load.rate = v.parse().unwrap_or(0.0),
            (Some("50%"), Some(v)) => load.p50_ms = millis(v),
            (Some("90%"), Some(v)) => load.p90_ms = millis(v),
            (Some("99%"), Some(v)) => load.p99_ms = millis(v),
            // "Latency   2.54ms   2.22ms  25.63ms   87.78%": average, deviation, maximum.
            (Some("Latency"), Some(avg)) if avg != "Distribution" => load.max_ms = words.nth(1).map_or(0.0, millis),
            // "3477 requests in 2.00s, 1.84MB read"
            (Some(_), Some("requests")) => {
                load.seconds = words.nth(1).map_or(0.0, |t| millis(t.trim_end_matches(',')) / 1e3);
            }
            (Some("Non-2xx"), _) => {
                load.failures += line.rsplit(' ').next().and_then(|n| n.parse().ok()).unwrap_or(0);
            }
            (Some("Socket"), _) => {
                // "Socket errors: connect 0, read 0, write 0, timeout 0"
                load.failures += line
                    .split(',')
                    .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                    .sum::<u64>();
            }
            _ => {}
        }
    }
    load
}

fn millis(v: &str) -> f64 {
    let (number, factor) = if let Some(n) = v.strip_suffix("us") {
        (n, 1e-3)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1e3)
    } else {
        (v, 1.0)
    };
    number.parse::<f64>().unwrap_or(0.0) * factor
}

/// nginx serving the files of `root` on a loopback port until dropped.
pub struct Nginx {
    child: std::process::Child,
    /// The prefix and configuration it was started with, to stop it the same way.
    prefix: std::path::PathBuf,
    conf: std::path::PathBuf,
    pub port: u16,
}

impl Nginx {
    pub fn start(dir: &Path, root: &Path) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let conf = dir.join("nginx.conf");
        let d = dir.display();
        std::fs::write(
            &conf,
            format!(
                "worker_processes 2;\ndaemon off;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log warn;\n\
                 events {{ worker_connections 4096; }}\n\
                 http {{\n  access_log off;\n  default_type text/html;\n\
                 client_body_temp_path {d}/nginx-body;\n  proxy_temp_path {d}/nginx-proxy;\n\
                 fastcgi_temp_path {d}/nginx-fastcgi;\n  uwsgi_temp_path {d}/nginx-uwsgi;\n\
                 scgi_temp_path {d}/nginx-scgi;\n\
                 server {{ listen 127.0.0.1:{port}; root {}; }}\n}}\n",
                root.display()
            ),
        )
        .unwrap();
        let child = Command::new("/usr/sbin/nginx")
            .args(["-e", &format!("{d}/nginx-error.log"), "-p"])
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .spawn()
            .expect("nginx (run scripts/bench-setup.sh)");
        for _ in 0..50 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Nginx {
            child,
            prefix: dir.to_path_buf(),
            conf,
            port,
        }
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // `-s stop` has the master stop its workers; killing the master alone left the
        // workers running, spinning, taking CPU from the next benchmark.
        let stopped = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(&self.prefix)
            .arg("-c")
            .arg(&self.conf)
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Peak resident memory of a process in MB (`VmHWM`), if it can be read.
pub fn peak_rss_mb(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_wrk_output() {
        let text = "    Latency     2.54ms    2.22ms  25.63ms   87.78%\n\
                    \x20 Latency Distribution\n     50%  635.91us\n     75%    1.03ms\n     99%    3.31ms\n\
                    \x20 3477 requests in 2.00s, 1.84MB read\n\
                    \x20 Socket errors: connect 0, read 2, write 0, timeout 1\n\
                    \x20 Non-2xx or 3xx responses: 4\nRequests/sec:  75478.92\n";
        let l = parse_wrk(text);
        assert!((l.rate - 75478.92).abs() < 0.01);
        assert!((l.p50_ms - 0.63591).abs() < 1e-6);
        assert!((l.p99_ms - 3.31).abs() < 1e-6);
        assert!((l.max_ms - 25.63).abs() < 1e-6);
        assert!((l.seconds - 2.0).abs() < 1e-6);
        assert_eq!(l.failures, 7);
    }
}
