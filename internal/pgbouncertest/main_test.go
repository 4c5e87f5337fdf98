package pgbouncertest_test

import (
	"testing"

	"github.com/paypage/paypage/internal/pgtest"
)

// TestMain lets pgtest stop its shared cluster.
func TestMain(m *testing.M) { pgtest.Main(m) }
