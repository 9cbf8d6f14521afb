//! Prometheus metrics: request counts and latencies by route, in text format.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum_secs: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters kept in memory per instance; Prometheus scrapes each instance.
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        if let Ok(mut map) = self.series.lock() {
            let s = map
                .entry((method.to_string(), route.to_string(), status))
                .or_default();
            s.count += 1;
            s.sum_secs += secs;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    /// Render in the Prometheus text exposition format, with extra gauges appended.
    pub fn render(&self, gauges: &[(&str, &str, i64)]) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP firstcover_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE firstcover_http_requests_total counter");
        let map = match self.series.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        for ((method, route, status), s) in map.iter() {
            let _ = writeln!(
                out,
                "firstcover_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP firstcover_http_request_duration_seconds Request latency by route."
        );
        let _ = writeln!(
            out,
            "# TYPE firstcover_http_request_duration_seconds histogram"
        );
        for ((method, route, status), s) in map.iter() {
            let labels = format!("method=\"{method}\",route=\"{route}\",status=\"{status}\"");
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "firstcover_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "firstcover_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "firstcover_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum_secs
            );
            let _ = writeln!(
                out,
                "firstcover_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        for (name, help, value) in gauges {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
            );
        }
        out
    }
}

/// Middleware: time each request and file it under its route pattern (not the raw
/// path, so `/parties/1` and `/parties/2` share one series).
pub async fn record(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().to_string();
    let metrics = req
        .app_data::<actix_web::web::Data<super::AppState>>()
        .cloned();
    let res = next.call(req).await?;
    if let Some(state) = metrics {
        let route = res
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".into());
        state.metrics.observe(
            &method,
            &route,
            res.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/healthz", 200, 0.003);
        m.observe("GET", "/healthz", 200, 0.2);
        let text = m.render(&[("firstcover_up", "Always 1.", 1)]);
        assert!(text.contains(
            "firstcover_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.25\"} 2"));
        assert!(text.contains("firstcover_up 1"));
    }
}
