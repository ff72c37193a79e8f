//! A small HTTP/1.1 load generator: keep-alive connections on loopback, each sending
//! requests back to back for a fixed time, recording every latency.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Request {
    pub method: &'static str,
    pub path: String,
    pub token: Option<String>,
    pub body: Option<String>,
}

pub struct Outcome {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    /// Latencies in microseconds, sorted.
    pub latencies: Vec<u32>,
}

impl Outcome {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    pub fn percentile_ms(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        f64::from(self.latencies[i]) / 1000.0
    }
}

fn encode(r: &Request, port: u16) -> Vec<u8> {
    let mut head = format!("{} {} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Language: zh\r\n", r.method, r.path);
    if let Some(t) = &r.token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    match &r.body {
        Some(b) => {
            // Bodies are JSON, except the Open311 client's form posts.
            let kind = if b.starts_with('{') { "application/json" } else { "application/x-www-form-urlencoded" };
            head.push_str(&format!("Content-Type: {kind}\r\nContent-Length: {}\r\n\r\n{b}", b.len()))
        }
        None => head.push_str("\r\n"),
    }
    head.into_bytes()
}

/// Read one response; returns its status.
async fn read_response(stream: &mut TcpStream, buf: &mut Vec<u8>) -> std::io::Result<u16> {
    buf.clear();
    let mut chunk = [0u8; 16 * 1024];
    let header_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..header_end]).to_ascii_lowercase();
    let status: u16 = head.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let length =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).and_then(|v| v.trim().parse::<usize>().ok());
    match length {
        Some(len) => {
            while buf.len() < header_end + len {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "closed"));
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        }
        None if head.contains("transfer-encoding: chunked") => {
            while !buf.ends_with(b"0\r\n\r\n") {
                let n = stream.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
        }
        None => {}
    }
    Ok(status)
}

/// Run `connections` clients for `duration`, each asking `make(i)` for its i-th request.
pub async fn run<F>(port: u16, connections: usize, duration: Duration, max_requests: u64, make: F) -> Outcome
where
    F: Fn(u64) -> Request + Send + Sync + 'static,
{
    let make = std::sync::Arc::new(make);
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..connections {
        let (make, counter) = (make.clone(), counter.clone());
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            let mut buf = Vec::with_capacity(64 * 1024);
            let mut stream = match TcpStream::connect(("127.0.0.1", port)).await {
                Ok(s) => s,
                Err(_) => return (lat, 1),
            };
            let _ = stream.set_nodelay(true);
            while started.elapsed() < duration {
                let i = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= max_requests {
                    break;
                }
                let bytes = encode(&make(i), port);
                let t0 = Instant::now();
                let ok = match stream.write_all(&bytes).await {
                    Ok(()) => read_response(&mut stream, &mut buf).await,
                    Err(e) => Err(e),
                };
                match ok {
                    Ok(status) if status < 400 => lat.push(t0.elapsed().as_micros().min(u128::from(u32::MAX)) as u32),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match TcpStream::connect(("127.0.0.1", port)).await {
                            Ok(s) => stream = s,
                            Err(_) => break,
                        }
                    }
                }
            }
            (lat, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for h in handles {
        if let Ok((l, e)) = h.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Outcome { requests: latencies.len() as u64, errors, seconds, latencies }
}
