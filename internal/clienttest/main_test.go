package clienttest

import (
	"testing"

	"github.com/paypage/paypage/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
