// Package errs defines the small set of error kinds that paypage's layers
// share. Domain and store code wrap failures in an *Error with a Kind; only
// the web layer turns a kind into an HTTP status and a response body, and
// internal detail stays in the log.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the edge that reports it.
type Kind string

// The error kinds callers can expect.
const (
	Invalid      Kind = "invalid"      // the input is wrong; the caller can fix it
	NotFound     Kind = "not_found"    // the thing does not exist (or is not the caller's)
	Conflict     Kind = "conflict"     // the request contradicts the current state
	Unauthorized Kind = "unauthorized" // credentials are missing or wrong
	Unavailable  Kind = "unavailable"  // a dependency did not answer in time
	Internal     Kind = "internal"     // a bug or an unexpected failure
)

// FieldError names one bad input field and says what is wrong with it.
type FieldError struct {
	Field   string `json:"field_name"`
	Message string `json:"reason"`
}

// Error is an error with a kind, a machine code, a public message and,
// optionally, the fields that caused it. Err, if set, is the internal cause
// and is never shown to callers.
type Error struct {
	Kind    Kind
	Code    string // machine-readable code, e.g. "order.conflict"
	Message string // safe to show to the caller
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	msg := string(e.Kind)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an error of kind k with a public message.
func E(k Kind, code, format string, args ...any) *Error {
	return &Error{Kind: k, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an Internal-unless-known error around err. If err already
// carries a kind it is returned unchanged.
func Wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Kind: Internal, Message: fmt.Sprintf(format, args...), Err: err}
}

// Fields builds an Invalid error listing every bad field.
func Fields(code string, fields ...FieldError) *Error {
	msg := "invalid request"
	if len(fields) > 0 {
		msg = fields[0].Field + ": " + fields[0].Message
	}
	return &Error{Kind: Invalid, Code: code, Message: msg, Fields: fields}
}

// KindOf reports the kind of err, Internal for errors without one.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// Is reports whether err has kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// CodeOf returns the machine-readable code of err, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
