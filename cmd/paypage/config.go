package main

import (
	"github.com/paypage/paypage/internal/config"
)

// loadConfig reads the configuration a command needs. Serving (and the
// standalone simulator) needs all of it; the commands that only touch the
// database do not ask for Amazon Pay credentials, so an operator can run
// migrations or create merchants before those exist. Help needs none.
func loadConfig(cmd string, getenv func(string) string) (config.Config, error) {
	switch cmd {
	case "serve", "amazonpay-sandbox":
		return config.Load(getenv)
	case "-h", "--help", "help":
		c, _ := config.LoadForDatabase(getenv)
		return c, nil
	}
	return config.LoadForDatabase(getenv)
}
