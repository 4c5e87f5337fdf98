package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/lib/pq"

	"github.com/paypage/paypage/internal/errs"
)

func TestMapErrorKinds(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want errs.Kind
	}{
		{sql.ErrNoRows, errs.NotFound},
		{&pq.Error{Code: "23505"}, errs.Conflict},
		{&pq.Error{Code: "42P01"}, errs.Internal},
		{errors.New("boom"), errs.Internal},
		{context.DeadlineExceeded, errs.Unavailable},
		// The server is down, restarting or shutting down, or the
		// connection broke: all pass once it is back.
		{&pq.Error{Code: "57P01", Message: "terminating connection due to administrator command"}, errs.Unavailable},
		{&pq.Error{Code: "57P02"}, errs.Unavailable},
		{&pq.Error{Code: "57P03", Message: "the database system is starting up"}, errs.Unavailable},
		{&pq.Error{Code: "08006"}, errs.Unavailable},
		{&pq.Error{Code: "08001"}, errs.Unavailable},
		{&pq.Error{Code: "53300"}, errs.Unavailable},
		{driver.ErrBadConn, errs.Unavailable},
		{sql.ErrConnDone, errs.Unavailable},
		{io.EOF, errs.Unavailable},
		{io.ErrUnexpectedEOF, errs.Unavailable},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, errs.Unavailable},
		{fmt.Errorf("read: %w", syscall.ECONNRESET), errs.Unavailable},
		{fmt.Errorf("write: %w", syscall.EPIPE), errs.Unavailable},
	} {
		got := mapErr(tc.err, "order")
		if k := errs.KindOf(got); k != tc.want {
			t.Errorf("mapErr(%v) kind %s, want %s", tc.err, k, tc.want)
		}
		if tc.want == errs.Unavailable && !errors.Is(got, tc.err) {
			t.Errorf("mapErr(%v) lost the cause: %v", tc.err, got)
		}
	}
}
