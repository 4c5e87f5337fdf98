// Package app wires paypage together: configuration, the database (external
// or embedded), the domain service, the Amazon Pay client and simulator,
// background workers and the HTTP server. cmd/paypage and end-to-end tests
// both start the whole server through New.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paypage/paypage/internal/amazonpay"
	"github.com/paypage/paypage/internal/amazonpay/balance"
	"github.com/paypage/paypage/internal/amazonpay/paylater"
	"github.com/paypage/paypage/internal/amazonpay/sandbox"
	"github.com/paypage/paypage/internal/checkout"
	"github.com/paypage/paypage/internal/config"
	"github.com/paypage/paypage/internal/demoshop"
	"github.com/paypage/paypage/internal/metrics"
	"github.com/paypage/paypage/internal/pgembed"
	"github.com/paypage/paypage/internal/postgres"
	"github.com/paypage/paypage/internal/reconcile"
	"github.com/paypage/paypage/internal/secretbox"
	"github.com/paypage/paypage/internal/webhook"
	"github.com/paypage/paypage/web"
)

// App is a running paypage instance.
type App struct {
	Config  config.Config
	DB      *postgres.DB
	Service *checkout.Service
	Server  *web.Server
	Demo    checkout.Credentials // the sandbox demo merchant; empty in production
	// Simulator is the mounted Amazon Pay simulator in sandbox mode.
	Simulator *sandbox.Simulator
	// Shop is the sandbox demo shop, a merchant that uses the public API.
	Shop *demoshop.Shop
	// Reconciler settles pending payments and refunds in the background.
	Reconciler *reconcile.Reconciler
	// Webhooks delivers the outbox to merchants in the background.
	Webhooks *webhook.Dispatcher
	Metrics  *metrics.Metrics

	log     *slog.Logger
	cluster *pgembed.Cluster
	http    *http.Server
	opsAddr atomic.Pointer[string] // where the operator's listener answers, once it does
}

// OpenDB connects to DATABASE_URL or, when it is empty, starts (or attaches
// to) the embedded cluster in the data directory, then applies migrations.
// A cluster this process started is restarted by pgembed if it dies, and the
// pool follows it to its new port. The caller stops the returned cluster
// (nil for DATABASE_URL) after closing the DB.
func OpenDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*postgres.DB, *pgembed.Cluster, error) {
	var (
		db      *postgres.DB
		cluster *pgembed.Cluster
		err     error
	)
	if cfg.DatabaseURL != "" {
		var pooler postgres.Pooler
		if pooler, err = postgres.ParsePooler(cfg.DBPooler); err != nil {
			return nil, nil, fmt.Errorf("configuration: PAYPAGE_DB_POOLER: %w", err)
		}
		db, err = postgres.OpenPooled(ctx, cfg.DatabaseURL, pooler)
	} else {
		cluster, err = pgembed.Start(ctx, pgembed.Options{DataDir: cfg.DataDir, Logger: log})
		if err != nil {
			return nil, nil, err
		}
		db, err = postgres.OpenFunc(ctx, func() string { return cluster.DSN("paypage") })
	}
	if err == nil {
		setPool(db, cfg.Pool)
		err = db.Migrate(ctx)
	}
	if err != nil {
		if db != nil {
			db.Close()
		}
		if cluster != nil {
			_ = cluster.Stop(context.Background())
		}
		return nil, nil, err
	}
	return db, cluster, nil
}

// setPool sizes the connection pool from PAYPAGE_DB_MAX_CONNS and ages its
// connections, so a PostgreSQL failover or a PgBouncer restart is followed
// within MaxLifetime rather than never.
// A zero Pool (a Config not made by config.Load) keeps the store's defaults.
func setPool(db *postgres.DB, p config.Pool) {
	if p.MaxConns <= 0 {
		return
	}
	pool := db.SQL()
	pool.SetMaxOpenConns(p.MaxConns)
	pool.SetMaxIdleConns(p.MaxConns)
	pool.SetConnMaxLifetime(p.MaxLifetime)
	pool.SetConnMaxIdleTime(p.MaxIdleTime)
}

// New builds a paypage instance. cfg.BaseURL must already name the address
// the server will be reached at.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := cfg.EnsureSecretKey(); err != nil {
		return nil, err
	}
	db, cluster, err := OpenDB(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, DB: db, cluster: cluster, log: log, Metrics: metrics.New()}
	if cluster != nil && cluster.Owned() {
		a.Metrics.WatchEmbeddedPostgres(cluster.Restarts)
	}
	box, err := secretbox.New(cfg.SecretKey)
	if err != nil {
		a.Close(context.Background())
		return nil, err
	}
	mounts := map[string]http.Handler{}
	if cfg.Sandbox() {
		// The simulator keeps its state in this database, so every
		// sandbox instance on it is one Amazon.
		a.Simulator = sandbox.New(sandbox.Options{
			DB: db.SQL().DB, Prefix: config.SandboxPath, MerchantID: cfg.AmazonPay.MerchantID,
			AccessKey: cfg.AmazonPay.AccessKey, SecretKey: cfg.AmazonPay.SecretKey,
			ClientID: cfg.AmazonPay.ClientID, ClientSecret: cfg.AmazonPay.ClientSecret,
			BalanceMerchantID: cfg.AmazonPay.Balance.MerchantID, BalanceAccessKey: cfg.AmazonPay.Balance.AccessKey,
			BalanceSecretKey: cfg.AmazonPay.Balance.SecretKey,
			RedirectURIs:     []string{cfg.BaseURL + web.ConsentReturnPath}, PendingDelay: cfg.SandboxPendingDelay,
			Latency: cfg.SandboxLatency, Faults: cfg.SandboxFaults,
			Prepare: db.Pooler() != postgres.PoolerTransaction,
		})
		mounts[config.SandboxPath] = a.Simulator
	}
	amazonSeller := func(merchantID, accessKey, secretKey string) *amazonpay.Client {
		return amazonpay.New(amazonpay.Config{
			BaseURL: cfg.AmazonPay.BaseURL, LWAURL: cfg.AmazonPay.LWAURL, AuthorizeURL: cfg.AmazonPay.AuthorizeURL,
			MerchantID: merchantID, AccessKey: accessKey, SecretKey: secretKey,
			ClientID: cfg.AmazonPay.ClientID, ClientSecret: cfg.AmazonPay.ClientSecret,
			HTTPClient: amazonHTTPClient(),
		})
	}
	// The payment page lists methods in this order.
	methods := []checkout.Method{paylater.New(amazonSeller(cfg.AmazonPay.MerchantID, cfg.AmazonPay.AccessKey, cfg.AmazonPay.SecretKey))}
	if b := cfg.AmazonPay.Balance; b.Set() {
		methods = append(methods, balance.New(amazonSeller(b.MerchantID, b.AccessKey, b.SecretKey)))
	} else {
		log.Warn("Amazon Pay Balance is not offered: AMAZONPAY_BALANCE_MERCHANT_ID, _ACCESS_KEY and _SECRET_KEY are not set")
	}
	a.Service = checkout.NewService(db, checkout.Options{
		Methods:             methods,
		Sealer:              box,
		ConsentRedirectURL:  cfg.BaseURL + web.ConsentReturnPath,
		ChargeCallbackURL:   func(id string) string { return cfg.BaseURL + web.ChargeReturnPath(id) },
		UnsentGrace:         cfg.UnsentChargeGrace,
		ChargeTimeout:       cfg.AmazonCallTimeout,
		Observer:            a.Metrics,
		Timeline:            db,
		Webhooks:            db,
		Logger:              log,
		PrefetchMaxInFlight: prefetchLimit(cfg.PrefetchMaxInFlight),
	})
	a.Metrics.WatchPrefetch(a.Service.PrefetchStats)
	if cfg.Sandbox() {
		if a.Demo, err = ensureDemoMerchant(ctx, a.Service, cfg); err != nil {
			a.Close(context.Background())
			return nil, fmt.Errorf("demo merchant: %w", err)
		}
	}
	if cfg.Sandbox() {
		a.Shop = demoshop.New(demoshop.Options{
			BaseURL: cfg.BaseURL, MerchantID: a.Demo.MerchantID, APIKey: a.Demo.APIKey, ResponseKey: a.Demo.ResponseKey,
			WebhookUsername: a.Demo.WebhookUsername, WebhookPassword: a.Demo.WebhookPassword, WebhookSecret: a.Demo.WebhookSecret,
			Logger: log,
		})
		mounts[DemoShopPath] = a.Shop
	}
	a.Webhooks = webhook.New(webhook.Options{Store: db, Logger: log.With("component", "webhook"), Metrics: a.Metrics})
	db.SetOutbox(postgres.Outbox{
		PaymentPageURL: func(id string) string { return cfg.BaseURL + web.PaymentPagePath(id) },
		Committed:      a.Webhooks.Notify, // wake the dispatcher as soon as events commit
	})
	a.Reconciler = reconcile.New(reconcile.Options{Store: db, Service: a.Service, Logger: log.With("component", "reconcile"), Metrics: a.Metrics})
	a.Server = web.NewServer(web.Options{
		BaseURL: cfg.BaseURL, SecretKey: cfg.SecretKey, Sandbox: cfg.Sandbox(), DemoMerchantID: a.Demo.MerchantID,
		Logger: log, Service: a.Service, DB: db, Mounts: mounts, Metrics: a.Metrics, TrustedProxies: cfg.TrustedProxies,
	})
	return a, nil
}

// prefetchLimit is checkout.Options.PrefetchMaxInFlight for the
// configuration's n, where 0 turns prefetch off (the service's -1).
func prefetchLimit(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// Serve answers HTTP on ln until ctx ends, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.http = &http.Server{
		Handler:           a.Server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	workCtx, stopWork := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	for _, run := range []func(context.Context) error{a.Reconciler.Run, a.Webhooks.Run} {
		workers.Add(1)
		go func() {
			defer workers.Done()
			_ = run(workCtx)
		}()
	}
	defer func() {
		stopWork()
		workers.Wait()
	}()
	ops, err := a.listenOps()
	if err != nil {
		return err
	}
	if ops != nil {
		defer func() {
			shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = ops.Shutdown(shutCtx)
		}()
	}
	errc := make(chan error, 1)
	go func() { errc <- a.http.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := a.http.Shutdown(shutCtx); err != nil {
		a.log.Warn("graceful shutdown incomplete", "error", err)
	}
	a.Service.Close()
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listenOps starts the operator's listener (metrics, pprof) on
// PAYPAGE_OPS_ADDR, if set. In production a port that cannot be bound fails
// the start; in sandbox, where several local instances may share a machine
// and /metrics is also on the public listener, it only warns.
func (a *App) listenOps() (*http.Server, error) {
	addr := a.Config.OpsAddr
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		if a.Config.Sandbox() {
			a.log.Warn("operator's listener not started; /metrics stays on the public listener", "addr", addr, "error", err)
			return nil, nil
		}
		return nil, fmt.Errorf("PAYPAGE_OPS_ADDR: listen on %s: %w", addr, err)
	}
	bound := ln.Addr().String()
	a.opsAddr.Store(&bound)
	srv := &http.Server{
		Handler:           web.OpsHandler(a.Metrics, a.Config.Pprof),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	go func() { _ = srv.Serve(ln) }()
	return srv, nil
}

// OpsAddr is the address the operator's listener answers on once Serve
// runs, such as 127.0.0.1:9464; empty when it is off or not started.
func (a *App) OpsAddr() string {
	if p := a.opsAddr.Load(); p != nil {
		return *p
	}
	return ""
}

// Close releases the database and stops the embedded cluster if this
// instance started it; from then on a dying cluster is not restarted.
func (a *App) Close(ctx context.Context) {
	if a.Service != nil {
		a.Service.Close() // background prefetches use the database
	}
	if a.DB != nil {
		a.DB.Close()
	}
	if a.cluster != nil {
		if err := a.cluster.Stop(ctx); err != nil {
			a.log.Warn("stopping embedded postgres", "error", err)
		}
	}
}

// amazonHTTPClient is tuned for many short calls to one host: kept-alive
// connections and bounded dial and header waits. Each call's context sets
// its overall deadline.
func amazonHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 50
	t.ResponseHeaderTimeout = 30 * time.Second
	return &http.Client{Transport: t, Timeout: 60 * time.Second}
}
