package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"runtime/pprof"

	"github.com/labstack/echo/v4"
)

// runBare serves a bare Echo handler in this process on loopback and loads
// it with the same wrk settings: the most this machine could serve, which
// the payment page is compared with. With pprofOut it also writes a CPU
// profile of this process during the run.
func runBare(ctx context.Context, w wrkRunner, pprofOut string) (wrkResult, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/", func(c echo.Context) error { return c.String(http.StatusOK, "ok") })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return wrkResult{}, err
	}
	srv := &http.Server{Handler: e}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			panic(err)
		}
	}()
	defer srv.Close()
	if pprofOut != "" {
		f, err := os.Create(pprofOut)
		if err != nil {
			return wrkResult{}, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return wrkResult{}, err
		}
		defer pprof.StopCPUProfile()
	}
	return w.get(ctx, "bare", "http://"+ln.Addr().String()+"/", nil)
}
