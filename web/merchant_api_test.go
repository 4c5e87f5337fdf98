package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// merchantAPI calls the merchant API without a testing.T, for goroutines.
type merchantAPI struct {
	base, merchantID, apiKey string
}

func (m merchantAPI) call(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, m.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth(m.apiKey, "")
	req.Header.Set("x-merchantid", m.merchantID)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, nil
}
