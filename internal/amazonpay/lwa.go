package amazonpay

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/paypage/paypage/internal/money"
)

// Login with Amazon paths under Config.LWAURL, and the scope that lets a
// merchant charge a linked account without the customer present.
const (
	PathAuthorize = "/ap/oa"
	PathToken     = "/auth/o2/token"
	ConsentScope  = "payments::conduct_silentpay"
)

// Token is an LWA token pair. Access tokens ("Atza|…") last ExpiresIn
// seconds; refresh tokens ("Atzr|…") last until the customer revokes them.
type Token struct {
	AccessToken  string
	RefreshToken string
	TokenType    string
	ExpiresIn    int // seconds
	Expiry       time.Time
}

// ConsentURL is where to send the customer to link their Amazon account.
// state comes back unchanged on redirectURI; loginHint (the customer's
// phone) may be empty.
func (c *Client) ConsentURL(state, redirectURI, loginHint string) string {
	q := url.Values{
		"client_id":     {c.cfg.ClientID},
		"scope":         {ConsentScope},
		"response_type": {"code"},
		"state":         {state},
		"redirect_uri":  {redirectURI},
	}
	if loginHint != "" {
		q.Set("login_hint", loginHint)
	}
	base := c.cfg.AuthorizeURL
	if base == "" {
		base = c.cfg.LWAURL + PathAuthorize
	}
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + q.Encode()
}

// Consent page display parameters: the payment the link is asked for.
// OAuth 2.0 (RFC 6749 section 3.1) has authorization servers ignore
// parameters they do not know, so they cost nothing where Amazon does not
// show them; the simulator's consent page does.
const (
	ParamMerchantName = "merchantName"
	ParamAmount       = "amount"
	ParamCurrency     = "currencyCode"
)

// ConsentURLFor is ConsentURL naming the merchant and the amount (INR)
// about to be charged; an empty name or a zero amount is left out.
func (c *Client) ConsentURLFor(state, redirectURI, loginHint, merchantName string, amount money.Paise) string {
	u := c.ConsentURL(state, redirectURI, loginHint)
	q := url.Values{}
	if merchantName != "" {
		q.Set(ParamMerchantName, merchantName)
	}
	if amount > 0 {
		q.Set(ParamAmount, amount.String())
		q.Set(ParamCurrency, "INR")
	}
	if len(q) == 0 {
		return u
	}
	return u + "&" + q.Encode()
}

// ExchangeCode trades an authorization code from the consent redirect for
// tokens. redirectURI must be the one the consent URL used.
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string) (Token, error) {
	return c.token(ctx, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI},
	})
}

// Refresh trades a refresh token for a new access token. A revoked link
// gives an error matching ErrLinkRevoked.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (Token, error) {
	t, err := c.token(ctx, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}})
	if err == nil && t.RefreshToken == "" {
		t.RefreshToken = refreshToken
	}
	return t, err
}

func (c *Client) token(ctx context.Context, form url.Values) (Token, error) {
	form.Set("client_id", c.cfg.ClientID)
	form.Set("client_secret", c.cfg.ClientSecret)
	req, err := http.NewRequestWithContext(ctx, "POST", c.cfg.LWAURL+PathToken, strings.NewReader(form.Encode()))
	if err != nil {
		return Token{}, fmt.Errorf("amazonpay: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return Token{}, fmt.Errorf("%w: %w", ErrTransport, redactTransport(err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Token{}, fmt.Errorf("%w: reading token response: %w", ErrTransport, err)
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		_ = json.Unmarshal(raw, &e)
		return Token{}, &OAuthError{HTTPStatus: resp.StatusCode, Code: e.Error, Description: e.Description}
	}
	var w wireToken
	if err := json.Unmarshal(raw, &w); err != nil || w.AccessToken == "" {
		return Token{}, fmt.Errorf("%w: undecodable token response", ErrTransport)
	}
	return w.token(c.cfg.Now()), nil
}
