// Package metrics is latch's Prometheus adapter: it implements the
// domain's server.Observer and the HTTP adapter's RequestObserver, reads
// the gauges it is given, and serves them all in the exposition format
// (`latch serve --metrics-listen ADDR`, never on the API's listener).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/latch-dev/latch/server"
)

// Metrics counts what the service and the API report.
type Metrics struct {
	reg           *prometheus.Registry
	logins        *prometheus.CounterVec
	throttled     prometheus.Counter
	shed          prometheus.Counter
	hashWait      prometheus.Histogram
	tokensCreated *prometheus.CounterVec
	tokensRevoked *prometheus.CounterVec
	requests      *prometheus.HistogramVec
}

var (
	_ server.Observer = (*Metrics)(nil)
	// The results and reasons a dashboard can rely on, present from the
	// start at 0.
	loginMethods  = []string{server.MethodPassword, server.MethodSSHKey}
	loginResults  = []string{server.LoginSuccess, server.LoginFailure, server.LoginCodeRequired, server.LoginCodeRejected, server.LoginThrottled, server.LoginShed, server.LoginInvalid, server.LoginError}
	revokeReasons = []string{server.RevokedByUser, server.RevokedByLogout, server.RevokedByCredChange, server.RevokedByAdmin,
		server.RevokedIdle, server.RevokedKeyRemoved, server.RevokedRotated}
)

// New makes the metrics, with Go's runtime and the process's own.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "latch_logins_total",
			Help: "Login attempts by method (password, ssh-key) and result."}, []string{"method", "result"}),
		throttled: prometheus.NewCounter(prometheus.CounterOpts{Name: "latch_throttled_total",
			Help: "Password and code guesses refused by the throttle (429)."}),
		shed: prometheus.NewCounter(prometheus.CounterOpts{Name: "latch_shed_total",
			Help: "Requests refused because no password hasher was free in time (503)."}),
		hashWait: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "latch_password_hash_wait_seconds",
			Help:    "Time a request waited for a password hasher (0 when one was free).",
			Buckets: []float64{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5}}),
		tokensCreated: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "latch_tokens_created_total",
			Help: "Tokens made, by kind (session, api)."}, []string{"kind"}),
		tokensRevoked: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "latch_tokens_revoked_total",
			Help: "Tokens revoked, by reason."}, []string{"reason"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "latch_http_request_duration_seconds",
			Help:    "HTTP API requests by route (the router's pattern, or unmatched) and status code.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}},
			[]string{"route", "code"}),
	}
	reg.MustRegister(m.logins, m.throttled, m.shed, m.hashWait, m.tokensCreated, m.tokensRevoked, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, method := range loginMethods {
		for _, result := range loginResults {
			m.logins.WithLabelValues(method, result)
		}
	}
	for _, k := range []server.TokenKind{server.KindSession, server.KindAPI} {
		m.tokensCreated.WithLabelValues(string(k))
	}
	for _, r := range revokeReasons {
		m.tokensRevoked.WithLabelValues(r)
	}
	return m
}

// Gauge adds a value read when scraped, such as open streams.
func (m *Metrics) Gauge(name, help string, read func() int) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help},
		func() float64 { return float64(read()) }))
}

// WatchService adds the service's gauges: active sessions and open event
// streams.
func (m *Metrics) WatchService(svc *server.Service) {
	m.Gauge("latch_sessions_active", "Session tokens that made a request to this instance in the last 15 minutes.", svc.ActiveSessions)
	m.Gauge("latch_event_streams_open", "Open event streams (GET /v1/watch, /v1/events?follow=true) on this instance.", svc.OpenStreams)
}

// Handler serves the metrics in Prometheus's exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) Login(method, result string) { m.logins.WithLabelValues(method, result).Inc() }
func (m *Metrics) Throttled()                  { m.throttled.Inc() }
func (m *Metrics) Shed()                       { m.shed.Inc() }
func (m *Metrics) HashWait(d time.Duration)    { m.hashWait.Observe(d.Seconds()) }
func (m *Metrics) TokenCreated(k server.TokenKind) {
	m.tokensCreated.WithLabelValues(string(k)).Inc()
}
func (m *Metrics) TokensRevoked(reason string, n int) {
	m.tokensRevoked.WithLabelValues(reason).Add(float64(n))
}

// ObserveRequest implements httpapi.RequestObserver.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
}
