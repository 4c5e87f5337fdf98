package apptest

// Every merchant API answer that a test sees is checked against the OpenAPI
// document the server embeds and serves (web/openapi.json), so that the
// document and the server cannot drift apart: the servers Start runs check
// each answer they give, ValidateAPI wraps a handler built some other way,
// ValidatingTransport checks a client's answers from a server in another
// process, and webhook bodies are checked against the document's webhooks.

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/paypage/paypage/internal/app"
	"github.com/paypage/paypage/web"
)

// webhookOperation is the document's name of the webhook paypage sends.
const webhookOperation = "orderEvent"

// Exchange is one merchant API request and the answer it got.
type Exchange struct {
	Request *http.Request
	// RequestBody is the body the server read, or nil when it is not
	// known in full.
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte // as sent, or gunzipped when Content-Encoding says gzip
}

// Findings are what checking an exchange found.
type Findings struct {
	// Problems contradict the document: each fails the test.
	Problems []string
}

// contract is one loaded copy of the document. The validator library
// renders schemas into shared state as it validates, so one check runs at
// a time (mu).
type contract struct {
	mu       sync.Mutex
	v        validator.Validator
	model    *v3.Document
	schemas  schema_validation.SchemaValidator
	envelope *base.Schema // components/schemas/Error
	webhook  *v3.PathItem
}

// loadContract loads the document once.
var loadContract = sync.OnceValues(func() (*contract, error) {
	c, err := newContract(web.OpenAPI())
	if err != nil {
		return nil, fmt.Errorf("web/openapi.json: %w", err)
	}
	return c, nil
})

// validatorOptions assert formats (date-time, uri, email), which JSON
// Schema 2020-12 only annotates by default, and read form bodies.
func validatorOptions() []config.Option {
	return []config.Option{config.WithFormatAssertions(), config.WithURLEncodedBodyValidation()}
}

// LoadOpenAPI parses raw as an OpenAPI 3.1 document and checks it against
// the OpenAPI 3.1 schema, as the validator that checks answers reads it.
func LoadOpenAPI(raw []byte) (*v3.Document, error) {
	c, err := newContract(raw)
	if err != nil {
		return nil, err
	}
	return c.model, nil
}

func newContract(raw []byte) (*contract, error) {
	doc, err := libopenapi.NewDocument(raw)
	if err != nil {
		return nil, err
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1.") {
		return nil, fmt.Errorf("openapi %q, want 3.1", v)
	}
	m, err := doc.BuildV3Model()
	if err != nil {
		return nil, err
	}
	v := validator.NewValidatorFromV3Model(&m.Model, validatorOptions()...)
	v.SetDocument(doc)
	if ok, errs := v.ValidateDocument(); !ok {
		return nil, errors.New(describe(errs))
	}
	var env *base.Schema
	if m.Model.Components != nil && m.Model.Components.Schemas != nil {
		if p := m.Model.Components.Schemas.GetOrZero("Error"); p != nil {
			if env, err = p.BuildSchema(); err != nil {
				return nil, fmt.Errorf("components/schemas/Error: %w", err)
			}
		}
	}
	var hook *v3.PathItem
	if m.Model.Webhooks != nil {
		hook = m.Model.Webhooks.GetOrZero(webhookOperation)
	}
	if env == nil || hook == nil || hook.Post == nil {
		return nil, fmt.Errorf("no components/schemas/Error or webhooks/%s/post", webhookOperation)
	}
	return &contract{v: v, model: &m.Model, schemas: schema_validation.NewSchemaValidator(validatorOptions()...),
		envelope: env, webhook: hook}, nil
}

// CheckAnswer checks an exchange against the document. Requests outside the
// merchant API find nothing. An answer to a documented operation must be
// one of its documented answers; a 2xx answer also means that the request
// must have been one the document allows. Any other answer under a
// documented path (a method it does not have), and any JSON answer under
// /session or /orders, must be the error envelope.
func CheckAnswer(x Exchange) (Findings, error) {
	c, err := loadContract()
	if err != nil {
		return Findings{}, err
	}
	var f Findings
	if problem, _ := c.check(x, false); problem != "" {
		f.Problems = append(f.Problems, problem)
	}
	return f, nil
}

// CheckWebhook checks a webhook delivery (its headers, credentials and
// body) against the document's webhooks section.
func CheckWebhook(header http.Header, body []byte) (Findings, error) {
	c, err := loadContract()
	if err != nil {
		return Findings{}, err
	}
	var f Findings
	if err := c.checkWebhook(header, body); err != nil {
		f.Problems = append(f.Problems, "webhook "+webhookOperation+": "+err.Error())
	}
	return f, nil
}

// check returns a problem with x, "" for none, and the operation x was
// for ("" when none). bodyOnly leaves out the request.
func (c *contract) check(x Exchange, bodyOnly bool) (string, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := x.Request
	if r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return "", "" // no body to check; the document has no such methods
	}
	tmpl, item, op, known := c.route(r.Method, r.URL.Path)
	if op == nil {
		under := r.URL.Path == "/session" || r.URL.Path == "/orders" || strings.HasPrefix(r.URL.Path, "/orders/")
		if !known && !(under && isJSON(x.Header)) {
			return "", ""
		}
		if err := c.checkEnvelope(x); err != nil {
			return fmt.Sprintf("%s %s (no such operation) answered %d: %v", r.Method, r.URL.Path, x.Status, err), ""
		}
		return "", ""
	}
	name := fmt.Sprintf("%s %s (%s)", r.Method, tmpl, op.OperationId)
	resp := &http.Response{StatusCode: x.Status, Header: x.Header, Body: io.NopCloser(bytes.NewReader(x.Body)), Request: r}
	if ok, errs := c.v.GetResponseBodyValidator().ValidateResponseBodyWithPathItem(r, resp, item, tmpl); !ok {
		return fmt.Sprintf("%s answered %d: %s", name, x.Status, describe(errs)), name
	}
	if bodyOnly || x.Status/100 != 2 || x.RequestBody == nil {
		return "", name
	}
	req := r.Clone(context.Background())
	req.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
	req.ContentLength = int64(len(x.RequestBody))
	if ok, errs := c.v.ValidateHttpRequestWithPathItem(req, item, tmpl); !ok {
		return fmt.Sprintf("%s answered %d to a request the document does not allow: %s", name, x.Status, describe(errs)), name
	}
	return "", name
}

// route finds the operation for method and path, and reports whether the
// path is documented at all.
func (c *contract) route(method, path string) (string, *v3.PathItem, *v3.Operation, bool) {
	known := false
	for tmpl, item := range c.model.Paths.PathItems.FromOldest() {
		if !matchPath(tmpl, path) {
			continue
		}
		known = true
		if op := item.GetOperations().GetOrZero(strings.ToLower(method)); op != nil {
			return tmpl, item, op, true
		}
	}
	return "", nil, nil, known
}

// matchPath matches path against a path template such as
// /orders/{order_id}; each {name} takes one non-empty segment.
func matchPath(tmpl, path string) bool {
	ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
	if len(ts) != len(ps) {
		return false
	}
	for i, t := range ts {
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if ps[i] == "" {
				return false
			}
		} else if t != ps[i] {
			return false
		}
	}
	return true
}

// checkEnvelope checks an answer that must be the error envelope.
func (c *contract) checkEnvelope(x Exchange) error {
	if x.Status < 400 {
		return fmt.Errorf("status %d, want an error", x.Status)
	}
	if !isJSON(x.Header) {
		return fmt.Errorf("Content-Type %q, want the JSON error envelope", x.Header.Get("Content-Type"))
	}
	if ok, errs := c.schemas.ValidateSchemaBytes(c.envelope, x.Body); !ok {
		return errors.New(describe(errs))
	}
	return nil
}

func (c *contract) checkWebhook(header http.Header, body []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	req, err := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = header.Clone()
	if ok, errs := c.v.ValidateHttpRequestWithPathItem(req, c.webhook, "/"); !ok {
		return errors.New(describe(errs))
	}
	return nil
}

// describe flattens the validator's errors into one line: each schema
// failure with where in the value it is (the validator's message around
// them only repeats the request), and each other failure with its reason.
func describe(errs []*liberrors.ValidationError) string {
	var out []string
	for _, e := range errs {
		if len(e.SchemaValidationErrors) == 0 {
			s := e.Message
			if e.Reason != "" {
				s += ": " + e.Reason
			}
			out = append(out, s)
			continue
		}
		for _, se := range e.SchemaValidationErrors {
			loc := se.FieldPath
			if loc == "" {
				loc = "$"
			}
			out = append(out, e.ValidationType+" "+loc+": "+se.Reason)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " | ")
}

func isJSON(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// reporter turns findings into test failures and log lines. It reports at
// once, except to a *testing.F: its methods may not be called while a fuzz
// target runs, so what it is told is reported when it cleans up.
type reporter struct {
	t    testing.TB
	hold bool
	mu   sync.Mutex
	held []string
}

func newReporter(t testing.TB) *reporter {
	_, fuzz := t.(*testing.F)
	r := &reporter{t: t, hold: fuzz}
	if fuzz {
		t.Cleanup(r.flush)
	}
	return r
}

func (r *reporter) report(f Findings, err error) {
	if err != nil {
		f.Problems = append(f.Problems, "openapi: "+err.Error())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range f.Problems {
		if r.hold {
			r.held = append(r.held, p)
		} else {
			r.t.Errorf("openapi: %s", p)
		}
	}

}

func (r *reporter) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.held {
		r.t.Errorf("openapi: %s", p)
	}
	r.held, r.hold = nil, false
}

// WebhookValidator returns a function that checks a webhook delivery
// against the OpenAPI document's webhooks and fails t on a mismatch, for
// webhook receivers in tests.
func WebhookValidator(t testing.TB) func(header http.Header, body []byte) {
	rep := newReporter(t)
	return func(header http.Header, body []byte) { rep.report(CheckWebhook(header, body)) }
}

// ValidateAPI wraps h, a paypage handler, so that each merchant API answer
// it gives is checked against the OpenAPI document, and so is each webhook
// that the demo shop mounted in h receives; mismatches fail t.
func ValidateAPI(t testing.TB, h http.Handler) http.Handler {
	rep := newReporter(t)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		observe(rep, w, r, h.ServeHTTP)
	})
}

// validateEcho is ValidateAPI as Echo middleware, for the servers Start
// runs. It goes before all other middleware and answers errors itself, so
// that it sees the answer the client gets.
func validateEcho(t testing.TB) echo.MiddlewareFunc {
	rep := newReporter(t)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			observe(rep, c.Response().Writer, c.Request(), func(w http.ResponseWriter, r *http.Request) {
				c.SetRequest(r)
				c.Response().Writer = w
				if err := next(c); err != nil {
					c.Error(err)
				}
			})
			return nil
		}
	}
}

// observe serves r through serve, recording the exchange when it is one to
// check, then checks it.
func observe(rep *reporter, w http.ResponseWriter, r *http.Request, serve func(http.ResponseWriter, *http.Request)) {
	hook := r.Method == http.MethodPost && r.URL.Path == app.DemoShopPath+"/webhooks"
	api := r.URL.Path == "/session" || r.URL.Path == "/orders" || strings.HasPrefix(r.URL.Path, "/orders/")
	if !hook && !api {
		serve(w, r)
		return
	}
	body := &teeBody{ReadCloser: r.Body}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = body
	}
	rec := &recorder{ResponseWriter: w}
	header := r.Header.Clone()
	serve(rec, r)
	if hook {
		rep.report(CheckWebhook(header, body.buf.Bytes()))
		return
	}
	req := r.WithContext(context.Background())
	req.Header = header
	x := Exchange{Request: req, Status: rec.status, Header: w.Header().Clone(), Body: rec.body.Bytes()}
	if x.Status == 0 {
		x.Status = http.StatusOK
	}
	if body.eof || r.ContentLength == int64(body.buf.Len()) {
		x.RequestBody = append([]byte{}, body.buf.Bytes()...)
	}
	if err := gunzip(&x); err != nil {
		rep.report(Findings{Problems: []string{fmt.Sprintf("%s %s answered %d: %v", r.Method, r.URL.Path, x.Status, err)}}, nil)
		return
	}
	rep.report(CheckAnswer(x))
}

func gunzip(x *Exchange) error {
	if !strings.EqualFold(x.Header.Get("Content-Encoding"), "gzip") {
		return nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(x.Body))
	if err != nil {
		return fmt.Errorf("gzip body: %w", err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("gzip body: %w", err)
	}
	x.Body = b
	x.Header.Del("Content-Encoding")
	return nil
}

// teeBody keeps what the server reads of a request body.
type teeBody struct {
	io.ReadCloser
	buf bytes.Buffer
	eof bool
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.buf.Write(p[:n])
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// recorder keeps the status and body of an answer while passing them on.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() { _ = http.NewResponseController(r.ResponseWriter).Flush() }

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ValidatingTransport returns a RoundTripper that sends requests through
// base (http.DefaultTransport when nil) and checks each merchant API answer
// against the OpenAPI document, for tests whose server runs in another
// process; mismatches fail t. An answer cut short is passed on unchecked.
func ValidatingTransport(t testing.TB, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &validatingTransport{rep: newReporter(t), base: base}
}

type validatingTransport struct {
	rep  *reporter
	base http.RoundTripper
}

func (v *validatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := v.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
	if err != nil {
		return resp, nil
	}
	checked := req.Clone(req.Context())
	if reqBody == nil {
		reqBody = []byte{}
	}
	x := Exchange{Request: checked, RequestBody: reqBody, Status: resp.StatusCode, Header: resp.Header.Clone(), Body: body}
	if gerr := gunzip(&x); gerr != nil {
		v.rep.report(Findings{Problems: []string{fmt.Sprintf("%s %s answered %d: %v", req.Method, req.URL.Path, x.Status, gerr)}}, nil)
		return resp, nil
	}
	v.rep.report(CheckAnswer(x))
	return resp, nil
}

// errReader returns err, or io.EOF when err is nil.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
