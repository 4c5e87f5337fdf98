package main

import (
	"context"
	"errors"
	"io"
	"log/slog"

	"github.com/paypage/paypage/internal/config"
)

func runSandbox(ctx context.Context, cfg config.Config, args []string, stdout io.Writer, log *slog.Logger) error {
	return errors.New("amazonpay-sandbox: not available in this build")
}
