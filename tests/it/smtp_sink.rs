//! A real SMTP server on 127.0.0.1 for tests and the outbox benchmark: it speaks enough
//! of RFC 5321 for a client (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps what it
//! accepted, and can be told to refuse or to hang, to exercise retries and crashes.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the sink answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)] // Each user of this module picks the modes it needs.
pub enum Mode {
    /// Accept every message.
    Accept,
    /// Answer `451` (try again later) at the end of DATA.
    Defer,
    /// Answer `550` (refused for good) to RCPT.
    Reject,
    /// Accept the connection and never greet: the client waits until it gives up.
    Hang,
}

/// A message the sink accepted.
#[derive(Debug, Clone)]
#[allow(dead_code)] // Not every user reads every field.
pub struct Received {
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Debug)]
struct State {
    mode: Mode,
    received: Vec<Received>,
    connections: usize,
}

/// The running sink; it stops when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

#[allow(dead_code)]
impl SmtpSink {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start(mode: Mode) -> SmtpSink {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the sink");
        let addr = listener.local_addr().expect("sink address");
        let state = Arc::new(Mutex::new(State {
            mode,
            received: Vec::new(),
            connections: 0,
        }));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                // Replies are small writes; without this, delayed ACKs add ~40 ms each.
                let _ = stream.set_nodelay(true);
                let state = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, state).await;
                });
            }
        });
        SmtpSink { addr, state, task }
    }

    /// The `PRECINCT_SMTP_URL` that reaches this sink (plain SMTP, no TLS).
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn set_mode(&self, mode: Mode) {
        self.state.lock().unwrap().mode = mode;
    }

    /// Every message accepted so far.
    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn count(&self) -> usize {
        self.state.lock().unwrap().received.len()
    }

    /// Connections opened so far (a hanging sink counts them too).
    pub fn connections(&self) -> usize {
        self.state.lock().unwrap().connections
    }

    /// Waits until `n` messages arrived, or `limit` passed; returns the count.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> usize {
        let deadline = Instant::now() + limit;
        loop {
            let count = self.count();
            if count >= n || Instant::now() >= deadline {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(stream: TcpStream, state: Arc<Mutex<State>>) -> std::io::Result<()> {
    let mode = {
        let mut s = state.lock().unwrap();
        s.connections += 1;
        s.mode
    };
    if mode == Mode::Hang {
        // Hold the socket open without a word until the client gives up.
        let mut stream = stream;
        let mut buf = [0u8; 64];
        while tokio::io::AsyncReadExt::read(&mut stream, &mut buf).await? > 0 {}
        return Ok(());
    }
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut from = String::new();
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_string();
        let upper = command.to_ascii_uppercase();
        let mode = state.lock().unwrap().mode;
        if upper.starts_with("EHLO") {
            write
                .write_all(b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                .await?;
        } else if upper.starts_with("HELO") {
            write.write_all(b"250 sink.test\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command[10..]);
            to.clear();
            write.write_all(b"250 2.1.0 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            if mode == Mode::Reject {
                write.write_all(b"550 5.1.1 No such mailbox here\r\n").await?;
            } else {
                to.push(address(&command[8..]));
                write.write_all(b"250 2.1.5 OK\r\n").await?;
            }
        } else if upper == "DATA" {
            write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
            let mut data = Vec::new();
            loop {
                let mut raw = Vec::new();
                if lines.read_until(b'\n', &mut raw).await? == 0 {
                    return Ok(());
                }
                if raw == b".\r\n" || raw == b".\n" {
                    break;
                }
                // Undo dot-stuffing (RFC 5321, 4.5.2).
                let raw = if raw.starts_with(b"..") { raw[1..].to_vec() } else { raw };
                data.extend_from_slice(&raw);
            }
            let mode = state.lock().unwrap().mode;
            if mode == Mode::Defer {
                write.write_all(b"451 4.3.0 Try again later\r\n").await?;
            } else {
                state.lock().unwrap().received.push(Received {
                    mail_from: from.clone(),
                    rcpt_to: std::mem::take(&mut to),
                    data,
                });
                write.write_all(b"250 2.0.0 Queued\r\n").await?;
            }
        } else if upper == "RSET" {
            from.clear();
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "NOOP" {
            write.write_all(b"250 OK\r\n").await?;
        } else if upper == "QUIT" {
            write.write_all(b"221 Bye\r\n").await?;
            return Ok(());
        } else {
            write.write_all(b"502 Command not implemented\r\n").await?;
        }
    }
}

/// `<ana@example.org> SIZE=123` -> `ana@example.org`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    match (arg.find('<'), arg.find('>')) {
        (Some(a), Some(b)) if a < b => arg[a + 1..b].to_string(),
        _ => arg.split_whitespace().next().unwrap_or("").to_string(),
    }
}
